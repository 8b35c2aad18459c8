"""What a route asks for, read from its request schema and parameters (no Qt).

A route's ``request_schema`` is the upstream service's JSON schema *as the service sees
it*: asset inputs appear as body properties (a resolved file object), and FastAPI adds
header parameters (``ouro-route-id``, ``ouro-action-id``, ...) that Ouro fills itself
(ouro-protocol.md §4.2). This module turns that into what a person sets:

* :func:`body_fields` -- the body properties minus the asset-input keys;
* :func:`user_parameters` / :func:`ouro_parameters` -- path and query parameters apart
  from the ``ouro-*`` headers;
* :func:`example_body` / :func:`example_parameters` -- a plausible request built from
  defaults, examples, enums and types, for the "Use via API" snippets.

Schemas are normalised on the way: local ``$ref``s are resolved, ``allOf`` is merged and a
nullable ``anyOf [T, null]`` becomes an optional ``T``. That normalisation, the choice of the
body schema and the ``ouro-*`` rule are :mod:`ouro_desktop.api.schema_normalize`'s, the same
code the request form (:mod:`ouro_desktop.api.schema`) uses, so the two never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from ouro_desktop.api.memo import last_few
from ouro_desktop.api.models import Route
from ouro_desktop.api.schema_normalize import (
    field_title,
    is_ouro_parameter,
    normalize_schema,
    request_body_schema,
    required_keys,
)

__all__ = [
    "FieldInfo",
    "humanize_key",
    "asset_input_label",
    "asset_input_required",
    "asset_input_schema",
    "body_fields",
    "example_body",
    "example_parameters",
    "example_value",
    "is_ouro_parameter",
    "normalize_schema",
    "ouro_parameters",
    "user_parameters",
]

JSON = dict[str, Any]
_MAX_DEPTH = 6
_EG = re.compile(r"e\.g\.,?\s*['\"`]([^'\"`]{1,60})['\"`]")


@dataclass(frozen=True)
class FieldInfo:
    """One thing a route asks for: a body property or a parameter, normalised."""

    key: str
    title: str
    type: str
    required: bool
    nullable: bool = False
    description: str = ""
    location: str = "body"
    has_default: bool = False
    default: Any = None
    format: str | None = None
    enum: tuple[Any, ...] = ()
    examples: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    items: FieldInfo | None = None
    children: tuple[FieldInfo, ...] = ()
    schema: JSON = field(default_factory=dict, repr=False, compare=False)


def ouro_parameters(route: Route) -> list[JSON]:
    return [p for p in route.parameters if is_ouro_parameter(p)]


def user_parameters(route: Route) -> list[FieldInfo]:
    """Path, query and other parameters a caller may set (never the ``ouro-*`` headers)."""
    out = []
    for param in route.parameters:
        name = param.get("name")
        if is_ouro_parameter(param) or not isinstance(name, str) or not name:
            continue
        schema = param.get("schema") if isinstance(param.get("schema"), dict) else {}
        where = str(param.get("in") or "query")
        required = bool(param.get("required")) or where == "path"
        info = _field(name, schema or {}, {}, required=required, location=where)
        if not info.description and isinstance(param.get("description"), str):
            info = replace(info, description=param["description"])
        out.append(info)
    return out


def _top_schema(route: Route) -> tuple[JSON, JSON]:
    """(the body's object schema, normalised; the root its ``$ref``s resolve against)."""
    found = request_body_schema(route)
    return found if found is not None else ({}, {})


def body_fields(route: Route) -> list[FieldInfo]:
    """The request body's properties a person fills in: asset-input keys are left out."""
    return list(_body_fields(route))


@last_few()
def _body_fields(route: Route) -> tuple[FieldInfo, ...]:
    # Remembered: the route page, its snippets and the form each ask for them, and a
    # route of 2,000 settings takes a while to read.
    top, root = _top_schema(route)
    props = top.get("properties")
    if not isinstance(props, dict):
        return ()
    required = required_keys(top)
    return tuple(
        _field(str(key), sub, root, required=key in required)
        for key, sub in props.items()
        if key not in route.input_assets and isinstance(sub, dict)
    )


def asset_input_schema(route: Route, key: str) -> JSON:
    """The body property an asset input replaces (for its description), or ``{}``."""
    top, root = _top_schema(route)
    props = top.get("properties")
    sub = props.get(key) if isinstance(props, dict) else None
    return normalize_schema(sub, root) if isinstance(sub, dict) else {}


def asset_input_label(route: Route, key: str) -> tuple[str, str]:
    """(title, description) of an asset input, in the route's own words: the schema's
    ``title`` (else the key in words: ``structure_file`` → "Structure file") and its
    ``description`` (``""`` when it has none)."""
    top, root = _top_schema(route)
    props = top.get("properties")
    raw = props.get(key) if isinstance(props, dict) else None
    raw = raw if isinstance(raw, dict) else {}
    title = raw.get("title") if isinstance(raw.get("title"), str) else None
    schema = normalize_schema(raw, root) if raw else {}
    description = schema.get("description") or raw.get("description")
    text = " ".join(description.split()) if isinstance(description, str) else ""
    return (" ".join(title.split()) if title and title.strip() else humanize_key(key)), text


def asset_input_required(route: Route, key: str) -> bool:
    return key in required_keys(_top_schema(route)[0])


def humanize_key(key: str) -> str:
    """A key in words, as an input or setting without a title is named
    (``structure_file`` → "Structure file")."""
    words = re.sub(r"[_\-]+", " ", key).strip()
    return words[:1].upper() + words[1:] if words else key


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _count(value: object) -> int | None:
    number = _num(value)
    return None if number is None else int(number)


def _type_of(schema: JSON, depth: int = 0) -> str:
    kind = schema.get("type")
    if isinstance(kind, str):
        return kind
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        first = schema["enum"][0]
        return "string" if isinstance(first, str) else "number"
    variants = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(variants, list) and depth < _MAX_DEPTH:  # bounded: hostile schemas nest
        return " or ".join(_type_of(v, depth + 1) for v in variants if isinstance(v, dict))
    return ""


def _field(
    key: str,
    raw: JSON,
    root: JSON,
    *,
    required: bool,
    location: str = "body",
    depth: int = 0,
    item: bool = False,
) -> FieldInfo:
    schema = normalize_schema(raw, root or raw)
    kind = _type_of(schema)
    items: FieldInfo | None = None
    children: tuple[FieldInfo, ...] = ()
    if depth < _MAX_DEPTH:
        if isinstance(schema.get("items"), dict):
            items = _field("item", schema["items"], root, required=True, depth=depth + 1, item=True)
        props = schema.get("properties")
        if isinstance(props, dict):
            req = required_keys(schema)
            children = tuple(
                _field(str(k), v, root, required=k in req, depth=depth + 1)
                for k, v in props.items()
                if isinstance(v, dict)
            )
    enum = schema.get("enum")
    examples = schema.get("examples")
    if not isinstance(examples, list) and "example" in schema:
        examples = [schema["example"]]  # OpenAPI's singular form
    # The schema's own label; a $ref's title names a type, which is a fine name for a list's
    # items ("list of MixtureComponents") but not for a named field.
    raw_title = raw.get("title") if item else field_title(key, raw)
    title = raw_title if isinstance(raw_title, str) and raw_title else None
    return FieldInfo(
        key=key,
        title=title or humanize_key(key),
        type=kind,
        required=required,
        nullable=bool(schema.get("nullable")),
        description=str(schema.get("description") or ""),
        location=location,
        has_default="default" in schema,
        default=schema.get("default"),
        format=schema.get("format") if isinstance(schema.get("format"), str) else None,
        enum=tuple(enum) if isinstance(enum, list) else (),
        examples=tuple(examples) if isinstance(examples, list) else (),
        minimum=_num(schema.get("minimum")),
        maximum=_num(schema.get("maximum")),
        exclusive_minimum=_num(schema.get("exclusiveMinimum")),
        exclusive_maximum=_num(schema.get("exclusiveMaximum")),
        min_length=_count(schema.get("minLength")),
        max_length=_count(schema.get("maxLength")),
        min_items=_count(schema.get("minItems")),
        max_items=_count(schema.get("maxItems")),
        items=items,
        children=children,
        schema=schema,
    )


# -- examples ---------------------------------------------------------------------------------
def _worth_sending(info: FieldInfo) -> bool:
    """Required fields, and optional ones whose default says something."""
    if info.required:
        return True
    return info.has_default and info.default not in (None, [], {}, "")


def example_value(info: FieldInfo) -> Any:
    """A plausible value: example, default, an "e.g." from the text, an enum member, a type."""
    if info.examples:
        return info.examples[0]
    if info.has_default and info.default is not None:
        return info.default
    if info.enum:
        return info.enum[0]
    if info.type == "string":
        match = _EG.search(info.description)
        if match:
            return match.group(1)
        return {"date": "2025-01-31", "email": "you@example.org", "uri": "https://example.org"}.get(
            info.format or "", "..."
        )
    if info.type in ("number", "integer"):
        low = info.minimum if info.minimum is not None else info.exclusive_minimum
        value = 1.0 if low is None else (low if info.minimum is not None else low + 1)
        if info.maximum is not None:
            value = min(value, info.maximum)
        return int(value) if info.type == "integer" else value
    if info.type == "boolean":
        return False
    if info.type == "array":
        return []
    if info.type == "object":
        return {c.key: example_value(c) for c in info.children if _worth_sending(c)}
    return None


def example_body(route: Route) -> dict[str, Any]:
    """An example request body (asset-input keys left out: Ouro fills them from the asset)."""
    return {f.key: example_value(f) for f in body_fields(route) if _worth_sending(f)}


def example_parameters(route: Route, location: str) -> dict[str, Any]:
    """Example values of the ``query`` or ``path`` parameters a caller sets."""
    return {
        f.key: example_value(f)
        for f in user_parameters(route)
        if f.location == location and _worth_sending(f)
    }
