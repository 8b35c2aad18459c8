"""A route's request schema as a form spec: what a person fills in, typed and bounded (no Qt).

:func:`build_form_spec` reads the JSON body schema (``request_body.content["application/json"]
.schema``; a top-level ``oneOf``/``anyOf``/``allOf`` wrapper gives the variant that has
``properties``) and the ``query``/``path`` parameters, then:

* leaves out the asset-input keys (``input_assets``, or the legacy ``input_type``) and drops
  them from ``required`` -- the file picker fills them (ouro-protocol.md §4.2-4.3);
* leaves out the ``ouro-*`` header parameters, which Ouro fills itself;
* resolves leftover *local* ``$ref``s (cycle-safe), merges ``allOf`` and turns a nullable
  ``anyOf [T, null]`` into an optional ``T``.

The result is a tree of nodes, one type per construct the UI has a widget for: text (with
format variants), number/integer, boolean, enum, object, array, optional and "any JSON value".
Every property a request may leave out, and every nullable one, is an :class:`OptionalNode`
("set / not set"). Whatever the form cannot show faithfully -- a recursive or remote
``$ref``, ``patternProperties``, ``if``/``then``, tuples (``prefixItems``), an unknown
keyword, more than :data:`MAX_FIELDS` fields or :data:`MAX_DEPTH` levels -- makes the body an
:class:`Unrenderable` with a reason, and the UI falls back to a raw JSON editor. Building is
iterative where it must be and bounded everywhere else, so hostile schemas fail fast.

An enum with more than :data:`LARGE_ENUM` choices gets the ``"search"`` variant: a text field
with completion instead of a combo box with 100,000 rows.

"Not set" means the key is left out; it is sent as ``null`` only when the key must be present
(required but nullable) or when leaving it out would mean a non-null default. So for an
optional nullable key whose default is null, ``null`` and absent are the same to the form
(:func:`canonical`). :func:`validate` checks a :class:`FormValue` with ``jsonschema`` (Draft
2020-12) and keys errors by path: ``"fmax"``, ``"conditions.temperature_K"``,
``"mixture.0.fraction"``, ``"query:limit"``, ``"path:item_id"``; a broken schema is reported
as a problem ("this route's schema has a mistake: ...") and not validated.

This module is the public face; the pieces live in :mod:`.schema_nodes` (node types, values),
:mod:`.schema_normalize` (``$ref``/``allOf``/nullable folding, shared with
:mod:`ouro_desktop.core.route_fields` so the route page and the form never disagree) and
:mod:`.validation` (jsonschema, formats, messages).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ouro_desktop.api import validation
from ouro_desktop.api.memo import last_few
from ouro_desktop.api.models import Route
from ouro_desktop.api.schema_choices import enum_options, fit_default_to_choices
from ouro_desktop.api.schema_nodes import (
    LARGE_ENUM,
    MISSING,
    ArrayNode,
    BooleanNode,
    EnumNode,
    FormSpec,
    FormValue,
    JsonNode,
    Node,
    NumberNode,
    ObjectNode,
    Option,
    OptionalNode,
    StringNode,
    Unrenderable,
    Validation,
    canonical,
    default_body,
    default_value,
    initial_value,
    same_json,
)
from ouro_desktop.api.schema_normalize import (
    ANNOTATIONS,
    MAX_DEPTH,
    Unsupported,
    field_title,
    is_ouro_parameter,
    looks_secret,
    normalize,
    normalize_schema,
    pick_top,
    raw_body_schema,
    request_body_schema,
    required_keys,
)
from ouro_desktop.api.validation import join_path, path_from_location

__all__ = [
    "LARGE_ENUM",
    "MAX_DEPTH",
    "MAX_FIELDS",
    "MISSING",
    "ArrayNode",
    "BooleanNode",
    "EnumNode",
    "FormSpec",
    "FormValue",
    "JsonNode",
    "Node",
    "NumberNode",
    "ObjectNode",
    "Option",
    "OptionalNode",
    "StringNode",
    "Unrenderable",
    "Validation",
    "build_form_spec",
    "canonical",
    "default_body",
    "default_value",
    "initial_value",
    "is_ouro_parameter",
    "join_path",
    "looks_secret",
    "path_from_location",
    "normalize_schema",
    "request_body_schema",
    "same_json",
    "validate",
]

JSON = dict[str, Any]
# Past this many settings a form helps nobody (and building its spec costs): the raw
# editor takes over. Big forms below it are built a section at a time (ui/run/form/group).
MAX_FIELDS = 5000
MULTILINE_LENGTH = 500  # a maxLength above this suggests free text: a multi-line box


# -- building the form spec -------------------------------------------------------------------
_RENDERED = frozenset(
    "type properties required items enum const anyOf oneOf allOf $ref minimum maximum "
    "exclusiveMinimum exclusiveMaximum multipleOf minLength maxLength pattern minItems maxItems "
    "additionalProperties".split()
)
_VALIDATED_ONLY = frozenset(
    "uniqueItems minProperties maxProperties not dependentRequired propertyNames contains "
    "minContains maxContains unevaluatedProperties unevaluatedItems".split()
)
_KNOWN = ANNOTATIONS | _RENDERED | _VALIDATED_ONLY
_UNSUPPORTED = {
    "patternProperties": "settings whose names follow a pattern (patternProperties)",
    "if": "rules that depend on other values (if/then/else)",
    "then": "rules that depend on other values (if/then/else)",
    "else": "rules that depend on other values (if/then/else)",
    "dependentSchemas": "settings that change with other settings (dependentSchemas)",
    "dependencies": "settings that change with other settings (dependencies)",
    "prefixItems": "lists with a fixed shape (tuples, prefixItems)",
    "additionalItems": "lists with a fixed shape (tuples)",
    "$dynamicRef": "dynamic references ($dynamicRef)",
    "$recursiveRef": "recursive references ($recursiveRef)",
}
_MULTILINE_TYPES = ("text/plain", "text/markdown")
_FORMATS = {"email": "email", "idn-email": "email", "uri": "uri", "iri": "uri", "url": "uri"}
_FORMATS |= {"date": "date", "date-time": "date-time", "password": "password"}
_FORMATS |= {"textarea": "multiline", "multiline": "multiline"}


def _humanize(key: str) -> str:
    words = re.sub(r"[_\-]+", " ", key).strip()
    return words[:1].upper() + words[1:] if words else key


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _count(value: object) -> int | None:
    number = _num(value)
    return None if number is None or number < 0 else int(number)


@dataclass
class _Build:
    root: JSON
    budget: int = MAX_FIELDS
    problems: list[str] = field(default_factory=list)

    def spend(self, count: int = 1) -> None:
        self.budget -= count
        if self.budget < 0:
            raise Unsupported(f"it has more than {MAX_FIELDS:,} settings, too many for a form")

    def mistake(self, path: str, what: str) -> None:
        where = f"'{path}'" if path else "the body"
        self.problems.append(f"{validation.MISTAKE}{where} {what}")


def _check_keywords(schema: JSON) -> None:
    for key in schema:
        if key in _UNSUPPORTED:
            raise Unsupported(f"it uses {_UNSUPPORTED[key]}")
        if key not in _KNOWN and not key.startswith("x-"):
            raise Unsupported(f"it uses a schema keyword the form does not know ('{key}')")


def _build(
    raw: object,
    ctx: _Build,
    *,
    key: str,
    path: str,
    required: bool,
    depth: int,
    chain: tuple[str, ...],
    title: str | None = None,
    description: str | None = None,
) -> Node:
    ctx.spend()
    if depth > MAX_DEPTH:
        raise Unsupported(f"its settings are nested more than {MAX_DEPTH} levels deep")
    if raw is True:
        raw = {}
    if not isinstance(raw, dict):
        raise Unsupported(f"'{path or 'the body'}' accepts no value at all")
    schema, chain = normalize(raw, ctx.root, depth, chain, strict=True)
    _check_keywords(schema)
    # The field's own label; a $ref's title (or one inlined from it) names a type instead.
    label = title or (field_title(key, raw) if key else raw.get("title"))
    text = description or schema.get("description")
    common: JSON = {
        "key": key,
        "title": label if isinstance(label, str) and label.strip() else _humanize(key),
        "description": text if isinstance(text, str) else "",
        "has_default": "default" in schema,
        "default": schema.get("default"),
        "examples": _examples(schema),
        "schema": schema,
    }
    fit_default_to_choices(schema, common)
    node, nullable = _typed(schema, ctx, common, path, depth, chain)
    nullable = nullable or bool(schema.get("nullable"))
    if not nullable and required:
        return node
    default, has_default = common["default"], common["has_default"]
    unset: Literal["omit", "null"] = "omit"
    if nullable and (required or (has_default and default is not None)):
        unset = "null"
    if has_default and default is None:
        node = replace(node, has_default=False, default=None)
    return OptionalNode(**common, required=required, inner=node, unset=unset)


def _examples(schema: JSON) -> tuple[Any, ...]:
    """``examples`` (JSON Schema), else OpenAPI's singular ``example``: the placeholder."""
    examples = schema.get("examples")
    if isinstance(examples, list):
        return tuple(examples)
    if "example" in schema:
        return (schema["example"],)
    return ()


def _typed(
    schema: JSON, ctx: _Build, common: JSON, path: str, depth: int, chain: tuple[str, ...]
) -> tuple[Node, bool]:
    """(the node for ``schema`` as if present; whether ``null`` is one of its values)."""
    options = enum_options(schema)
    if options is not None:
        nullable = any(o.value is None for o in options) and len(options) > 1
        kept = tuple(o for o in options if o.value is not None) if nullable else options
        return EnumNode(**common, options=kept), nullable
    kind = schema.get("type")
    if kind is None:
        if isinstance(schema.get("properties"), dict):
            kind = "object"
        elif "items" in schema:
            kind = "array"
    if kind == "object":
        return _object(schema, ctx, common, path, depth, chain), False
    if kind == "array":
        return _array(schema, ctx, common, path, depth, chain), False
    if kind == "string":
        return _string(schema, ctx, common, path), False
    if kind in ("number", "integer"):
        return _number(schema, ctx, common, path, integer=kind == "integer"), False
    if kind == "boolean":
        return BooleanNode(**common), False
    return JsonNode(**common), False  # no type, a list of types, a union of several kinds


def _object(
    schema: JSON,
    ctx: _Build,
    common: JSON,
    path: str,
    depth: int,
    chain: tuple[str, ...],
    hidden: tuple[str, ...] = (),
) -> Node:
    props = schema.get("properties")
    if not isinstance(props, dict) or not props:
        if schema.get("additionalProperties") is False:
            return ObjectNode(**common)
        return JsonNode(**common)  # a free-form dict
    if len(props) > ctx.budget:  # fail fast on 10,000 properties, before looking at any
        ctx.spend(len(props))
    required = set(required_keys(schema))
    children = tuple(
        _build(
            sub,
            ctx,
            key=str(name),
            path=join_path(path, str(name)),
            required=name in required,
            depth=depth + 1,
            chain=chain,
        )
        for name, sub in props.items()
        if name not in hidden
    )
    return ObjectNode(**common, children=children)


def _array(
    schema: JSON, ctx: _Build, common: JSON, path: str, depth: int, chain: tuple[str, ...]
) -> Node:
    items = schema.get("items", {})
    if items is False or isinstance(items, list):
        raise Unsupported("it uses lists with a fixed shape (tuples)")
    item = _build(
        items, ctx, key="", path=join_path(path, 0), required=True, depth=depth + 1, chain=chain
    )
    low, high = _count(schema.get("minItems")) or 0, _count(schema.get("maxItems"))
    if high is not None and low > high:
        ctx.mistake(path, f"asks for at least {low} and at most {high} items: no list fits")
    unique = schema.get("uniqueItems") is True
    return ArrayNode(**common, items=item, min_items=low, max_items=high, unique=unique)


def _string(schema: JSON, ctx: _Build, common: JSON, path: str) -> Node:
    low, high = _count(schema.get("minLength")), _count(schema.get("maxLength"))
    if low is not None and high is not None and low > high:
        ctx.mistake(path, f"asks for at least {low} and at most {high} characters: no text fits")
    pattern = schema.get("pattern") if isinstance(schema.get("pattern"), str) else None
    if pattern is not None:
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as exc:
            ctx.mistake(path, f"has a pattern that is not a valid regular expression ({exc})")
            pattern = None
    fmt = _FORMATS.get(str(schema.get("format")), "plain")
    long_text = high is not None and high > MULTILINE_LENGTH
    if fmt == "plain" and (
        schema.get("x-multiline") is True
        or schema.get("contentMediaType") in _MULTILINE_TYPES
        or long_text
    ):
        fmt = "multiline"
    return StringNode(**common, format=fmt, min_length=low, max_length=high, pattern=pattern)


def _number(schema: JSON, ctx: _Build, common: JSON, path: str, *, integer: bool) -> Node:
    low, high = _num(schema.get("minimum")), _num(schema.get("maximum"))
    ex_low, ex_high = _num(schema.get("exclusiveMinimum")), _num(schema.get("exclusiveMaximum"))
    if schema.get("exclusiveMinimum") is True:  # OpenAPI 3.0 spelling
        low, ex_low = None, low
    if schema.get("exclusiveMaximum") is True:
        high, ex_high = None, high
    if low is not None and high is not None and low > high:
        ctx.mistake(path, f"asks for a number ≥ {low} and ≤ {high}: none fits")
    step = _num(schema.get("multipleOf"))
    if step is not None and step <= 0:
        ctx.mistake(path, "has a multipleOf that is not positive")
        step = None
    return NumberNode(
        **common,
        integer=integer,
        minimum=low,
        maximum=high,
        exclusive_minimum=ex_low,
        exclusive_maximum=ex_high,
        multiple_of=step,
    )


def _top_defaults(schema: JSON) -> JSON:
    props = schema.get("properties")
    if not isinstance(props, dict):
        return {}
    return {k: v["default"] for k, v in props.items() if isinstance(v, dict) and "default" in v}


def _body(
    route: Route, hidden: tuple[str, ...]
) -> tuple[ObjectNode | Unrenderable | None, JSON | None, list[str]]:
    full = raw_body_schema(route)
    if full is None:
        return None, None, []
    try:
        top = pick_top(full, strict=True)
    except Unsupported as exc:
        return Unrenderable(f"{exc}."), _for_validation(full, full, hidden), []
    except RecursionError:
        return Unrenderable(_TOO_DEEP), _for_validation(full, full, hidden), []
    vschema = _for_validation(top, full, hidden)
    if not isinstance(top.get("properties"), dict) or top.get("type") not in (None, "object"):
        return Unrenderable("its body has no named settings to show."), vschema, []
    ctx = _Build(root=full)
    text = top.get("description")
    common: JSON = {"key": "", "title": "", "schema": top}
    common["description"] = text if isinstance(text, str) else ""
    try:
        _check_keywords(top)
        node = _object(top, ctx, common, "", 0, (), hidden)
    except Unsupported as exc:
        defaults = {k: v for k, v in _top_defaults(top).items() if k not in hidden}
        return Unrenderable(f"{exc}.", defaults), vschema, []
    except RecursionError:
        return Unrenderable(_TOO_DEEP), vschema, []
    if not isinstance(node, ObjectNode):  # every property was an asset input
        node = ObjectNode(**common)
    return node, vschema, ctx.problems


_TOO_DEEP = "its settings are nested too deeply."


def _for_validation(top: JSON, full: JSON, hidden: tuple[str, ...]) -> JSON:
    """The body schema jsonschema checks: the chosen top, the root's ``$defs`` (so local refs
    still resolve), the asset-input keys gone from ``properties`` and ``required``."""
    out = {k: v for k, v in full.items() if k not in _KNOWN and not k.startswith("x-")}
    out |= {k: v for k, v in full.items() if k in ("$defs", "definitions", "components")}
    out |= {k: v for k, v in top.items() if k not in ("nullable", "$id", "$schema")}
    props = out.get("properties")
    if isinstance(props, dict):
        out["properties"] = {k: v for k, v in props.items() if k not in hidden}
    if isinstance(out.get("required"), list):
        out["required"] = [r for r in out["required"] if r not in hidden]
    return out


def _parameters(route: Route, where: str) -> tuple[ObjectNode | None, JSON | None]:
    """The ``query``, ``path`` or ``header`` parameters as a group of fields (never the
    ``ouro-*`` headers; a header that looks secret is a password field)."""
    params = [
        p
        for p in route.parameters
        if p.get("in", "query") == where
        and isinstance(p.get("name"), str)
        and p["name"]
        and not is_ouro_parameter(p)
    ]
    if not params:
        return None, None
    props: JSON = {}
    required: list[str] = []
    children: list[Node] = []
    prefix = f"{where}:"
    for param in params:
        name = str(param["name"])
        given = param.get("schema")
        schema: JSON = given if isinstance(given, dict) else {}
        if where == "header" and looks_secret(param):
            schema = {**schema, "format": "password"}
        if "example" in param and "example" not in schema and "examples" not in schema:
            schema = {**schema, "example": param["example"]}
        needed = bool(param.get("required")) or where == "path"
        desc = param.get("description") if isinstance(param.get("description"), str) else None
        ctx = _Build(root=schema)
        try:
            child = _build(
                schema,
                ctx,
                key=name,
                path=prefix + name,
                required=needed,
                depth=0,
                chain=(),
                description=desc,
            )
        except (Unsupported, RecursionError):
            child = JsonNode(key=name, title=_humanize(name), description=desc or "", schema=schema)
            if not needed:
                child = OptionalNode(
                    key=name,
                    title=child.title,
                    description=child.description,
                    required=False,
                    inner=child,
                )
        children.append(child)
        props[name] = schema
        if needed:
            required.append(name)
    node = ObjectNode(key="", title="", children=tuple(children))
    return node, {"type": "object", "properties": props, "required": required}


@last_few()
def build_form_spec(route: Route) -> FormSpec:
    """The form for ``route``: body (or why it can't be a form), query and path parameters.

    Remembered for the last few routes (the same object), so a worker can build it first.
    """
    hidden = tuple(route.input_assets)
    body, body_schema, problems = _body(route, hidden)
    query, query_schema = _parameters(route, "query")
    path, path_schema = _parameters(route, "path")
    headers, header_schema = _parameters(route, "header")
    secrets = frozenset(
        str(p["name"])
        for p in route.parameters
        if p.get("in") == "header" and not is_ouro_parameter(p) and looks_secret(p)
    )
    return FormSpec(
        body=body,
        query=query,
        path=path,
        hidden_keys=hidden,
        body_schema=body_schema,
        query_schema=query_schema,
        path_schema=path_schema,
        problems=tuple(problems),
        headers=headers,
        header_schema=header_schema,
        secret_headers=secrets,
    )


# -- validation -------------------------------------------------------------------------------
_CHECKED_KEPT = 4  # requests whose check is remembered, per form


def _request_key(value: FormValue) -> str | None:
    try:
        parts = [value.body, value.query, value.path_params, value.headers]
        return json.dumps(parts, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return None  # not plain JSON: checked every time


def validate(spec: FormSpec, value: FormValue) -> Validation:
    """Errors keyed by path (body ``"a.0.b"``, ``"query:name"``, ``"path:name"``,
    ``"header:name"``) and any problems with the schema itself (then that part is not
    validated). The same request checked again is answered from memory."""
    key = _request_key(value)
    kept = spec._checked.get(key) if key is not None else None  # noqa: SLF001
    if kept is not None:
        return Validation(dict(kept.errors), kept.problems)
    found = _validate(spec, value)
    if key is not None:
        checked = spec._checked  # noqa: SLF001
        if len(checked) >= _CHECKED_KEPT:
            checked.pop(next(iter(checked)), None)
        checked[key] = Validation(dict(found.errors), found.problems)
    return found


def _validate(spec: FormSpec, value: FormValue) -> Validation:
    errors: dict[str, str] = {}
    problems = list(spec.problems)
    parts = (
        ("body", value.body, ""),
        ("query", value.query, "query:"),
        ("path", value.path_params, "path:"),
        ("header", value.headers, "header:"),
    )
    for part, instance, prefix in parts:
        compiled = spec.compiled(part)
        if compiled is None:
            continue
        found, problem = validation.check(compiled, instance, prefix)
        for path, message in found.items():
            errors.setdefault(path, message)
        if problem and problem not in problems:
            problems.append(problem)
    return Validation(errors, tuple(problems))
