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
nullable ``anyOf [T, null]`` becomes an optional ``T``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from ouro_desktop.api.models import Route

__all__ = [
    "FieldInfo",
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


def is_ouro_parameter(param: JSON) -> bool:
    """A header Ouro sets on every call to the service (``ouro-route-id`` and friends)."""
    name = param.get("name")
    return (
        param.get("in") == "header" and isinstance(name, str) and name.lower().startswith("ouro-")
    )


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
    """(the body's object schema, normalised; the root its ``$ref``s resolve against).

    ``Route.request_schema`` is already the union variant that has properties; the full
    stored schema is read again so that ``allOf`` parts are merged and ``$defs`` found.
    """
    block = route.raw.get("route")
    full: Any = block.get("request_body") if isinstance(block, dict) else None
    for key in ("content", "application/json", "schema"):
        full = full.get(key) if isinstance(full, dict) else None
    if isinstance(full, dict):
        top = normalize_schema(full, full)
        if isinstance(top.get("properties"), dict):
            return top, full
    schema = route.request_schema or {}
    return normalize_schema(schema, schema), schema


def body_fields(route: Route) -> list[FieldInfo]:
    """The request body's properties a person fills in: asset-input keys are left out."""
    top, root = _top_schema(route)
    props = top.get("properties")
    if not isinstance(props, dict):
        return []
    required = _required(top)
    return [
        _field(str(key), sub, root, required=key in required)
        for key, sub in props.items()
        if key not in route.input_assets and isinstance(sub, dict)
    ]


def asset_input_schema(route: Route, key: str) -> JSON:
    """The body property an asset input replaces (for its description), or ``{}``."""
    top, root = _top_schema(route)
    props = top.get("properties")
    sub = props.get(key) if isinstance(props, dict) else None
    return normalize_schema(sub, root) if isinstance(sub, dict) else {}


def asset_input_required(route: Route, key: str) -> bool:
    return key in _required(_top_schema(route)[0])


# -- normalising ------------------------------------------------------------------------------
def _resolve_ref(ref: str, root: JSON) -> JSON:
    if not ref.startswith("#/"):
        return {}
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return {}
        node = node[part]
    return node if isinstance(node, dict) else {}


def normalize_schema(schema: JSON, root: JSON, _depth: int = 0) -> JSON:
    """``schema`` with ``$ref`` resolved, ``allOf`` merged and ``anyOf [T, null]`` unwrapped.

    A nullable schema gets ``"nullable": True``; the outer schema's own keys (description,
    default, title) win over the variant's.
    """
    if _depth > _MAX_DEPTH:
        return dict(schema)
    out = dict(schema)
    ref = out.pop("$ref", None)
    if isinstance(ref, str):
        out = {**normalize_schema(_resolve_ref(ref, root), root, _depth + 1), **out}
    all_of = out.pop("allOf", None)
    if isinstance(all_of, list):
        merged: JSON = {}
        for part in all_of:
            if not isinstance(part, dict):
                continue
            part = normalize_schema(part, root, _depth + 1)
            props = {**merged.get("properties", {}), **part.get("properties", {})}
            req = [*_required(merged), *[r for r in _required(part) if r not in _required(merged)]]
            merged = {**merged, **part}
            if props:
                merged["properties"] = props
            if req:
                merged["required"] = req
        out = {**merged, **out}
    for key in ("anyOf", "oneOf"):
        variants = out.get(key)
        if not isinstance(variants, list):
            continue
        real = [v for v in variants if isinstance(v, dict) and v.get("type") != "null"]
        if len(real) < len(variants):
            out["nullable"] = True
        if len(real) == 1:
            del out[key]
            inner = normalize_schema(real[0], root, _depth + 1)
            inner.pop("title", None)  # a type name ("SpaceGroup"), not a label
            out = {**inner, **out}
        else:
            out[key] = [normalize_schema(v, root, _depth + 1) for v in real]
    kind = out.get("type")
    if isinstance(kind, list):
        names = [t for t in kind if isinstance(t, str) and t != "null"]
        if len(names) < len(kind):
            out["nullable"] = True
        out["type"] = names[0] if len(names) == 1 else names
    return out


def _required(schema: JSON) -> list[str]:
    req = schema.get("required")
    return [r for r in req if isinstance(r, str)] if isinstance(req, list) else []


def _humanize(key: str) -> str:
    words = re.sub(r"[_\-]+", " ", key).strip()
    return words[:1].upper() + words[1:] if words else key


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _count(value: object) -> int | None:
    number = _num(value)
    return None if number is None else int(number)


def _type_of(schema: JSON) -> str:
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
    if isinstance(variants, list):
        return " or ".join(_type_of(v) for v in variants if isinstance(v, dict))
    return ""


def _field(
    key: str,
    raw: JSON,
    root: JSON,
    *,
    required: bool,
    location: str = "body",
    depth: int = 0,
) -> FieldInfo:
    schema = normalize_schema(raw, root or raw)
    kind = _type_of(schema)
    items: FieldInfo | None = None
    children: tuple[FieldInfo, ...] = ()
    if depth < _MAX_DEPTH:
        if isinstance(schema.get("items"), dict):
            items = _field("item", schema["items"], root, required=True, depth=depth + 1)
        props = schema.get("properties")
        if isinstance(props, dict):
            req = _required(schema)
            children = tuple(
                _field(str(k), v, root, required=k in req, depth=depth + 1)
                for k, v in props.items()
                if isinstance(v, dict)
            )
    enum = schema.get("enum")
    examples = schema.get("examples")
    title = raw.get("title")  # the schema's own label; a $ref's title names a type
    return FieldInfo(
        key=key,
        title=title if isinstance(title, str) and title else _humanize(key),
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
