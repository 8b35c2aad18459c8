"""Normalising a route's request schema (no Qt): shared by the form and the route page.

* :func:`normalize_schema` resolves local ``$ref``s (cycle-safe), merges ``allOf`` and turns
  a nullable ``anyOf [T, null]`` into ``T`` marked ``"nullable": True``;
* :func:`request_body_schema` finds the JSON body schema of a route (a top-level
  ``oneOf``/``anyOf`` wrapper gives its variant with ``properties``, §4.2);
* :func:`is_ouro_parameter` spots the ``ouro-*`` headers Ouro fills itself, and
  :func:`looks_secret` a header parameter that holds a key or password;
* :func:`field_title` is a property's own label, not the name of the type a ``$ref``
  pointed to (an inlined ``ForecastConfig`` does not rename the ``config`` field);
* :func:`openapi30_compat` rewrites OpenAPI 3.0 spellings for a Draft 2020-12 validator.

:mod:`ouro_desktop.core.route_fields` (the route page) and :mod:`ouro_desktop.api.schema`
(the form) both call these, so they never disagree about what a route asks for.
"""

from __future__ import annotations

import re
from typing import Any

from ouro_desktop.api.models import Route

JSON = dict[str, Any]
MAX_DEPTH = 40  # nesting steps (objects, arrays, $ref and allOf hops) before giving up
ANNOTATIONS = frozenset(
    "title description default examples example deprecated readOnly writeOnly $comment "
    "$schema $id $anchor $dynamicAnchor $vocabulary $defs definitions components format "
    "contentMediaType contentEncoding contentSchema nullable discriminator xml externalDocs".split()
)


class Unsupported(Exception):
    """The form cannot show this; the message is the reason, in plain words."""


# -- normalising (shared with core.route_fields) ----------------------------------------------
def is_ouro_parameter(param: JSON) -> bool:
    """A header Ouro sets on every call to the service (``ouro-route-id`` and friends)."""
    name = param.get("name")
    return (
        param.get("in") == "header" and isinstance(name, str) and name.lower().startswith("ouro-")
    )


_SECRET_NAME = re.compile(
    r"(^|[-_])(authorization|auth|token|secret|password|passwd|pwd|api[-_]?key|key|cookie|"
    r"credentials?|bearer|signature)($|[-_])",
    re.IGNORECASE,
)
_TYPE_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")


def looks_secret(param: JSON) -> bool:
    """A header parameter whose value is a credential (``authorization``, ``x-api-key``,
    a ``password`` format): the form masks it and it is kept out of records."""
    name = param.get("name")
    schema = param.get("schema") if isinstance(param.get("schema"), dict) else {}
    assert isinstance(schema, dict)
    if schema.get("format") == "password" or schema.get("writeOnly") is True:
        return True
    return isinstance(name, str) and _SECRET_NAME.search(name) is not None


def field_title(key: str, raw: JSON) -> str | None:
    """The property's own ``title``, unless it is a type name left by an inlined ``$ref``:
    one CamelCase word with two or more capitals that is not just the key
    (``ForecastConfig`` for ``config``; ``NaCl`` for ``nacl`` stays)."""
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        return None
    compact = re.sub(r"[_\-\s]+", "", key).lower()
    camel = (
        _TYPE_NAME.fullmatch(title) is not None
        and sum(ch.isupper() for ch in title) >= 2
        and any(ch.islower() for ch in title)
    )
    return None if camel and title.lower() != compact else title


def _resolve_ref(ref: str, root: JSON) -> JSON | None:
    node: Any = root
    for part in ref[2:].split("/") if ref.startswith("#/") else ([] if ref == "#" else [""]):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, dict) else None


def required_keys(schema: JSON) -> list[str]:
    req = schema.get("required")
    return [r for r in req if isinstance(r, str)] if isinstance(req, list) else []


def normalize(
    schema: JSON, root: JSON, depth: int, chain: tuple[str, ...], strict: bool
) -> tuple[JSON, tuple[str, ...]]:
    """(``schema`` with ``$ref``, ``allOf`` and ``anyOf [T, null]`` folded in; the ``$ref``
    chain that led here). ``strict`` raises :class:`Unsupported` where the tolerant mode
    (the route page) leaves a reference unresolved."""
    if depth > MAX_DEPTH:
        if strict:
            raise Unsupported(f"its settings are nested more than {MAX_DEPTH} levels deep")
        return dict(schema), chain
    out = dict(schema)
    ref = out.pop("$ref", None)
    if isinstance(ref, str):
        target = _resolve_ref(ref, root) if ref.startswith("#") else None
        if ref in chain or target is None:
            if strict:
                why = (
                    "refers to itself"
                    if ref in chain
                    else "refers to another document"
                    if not ref.startswith("#")
                    else "has a reference that leads nowhere"
                )
                raise Unsupported(f"it {why} ({ref})")
        else:
            resolved, chain = normalize(target, root, depth + 1, (*chain, ref), strict)
            out = {**resolved, **out}
    all_of = out.pop("allOf", None)
    if isinstance(all_of, list):
        merged: JSON = {}
        for part in all_of:
            if not isinstance(part, dict):
                continue
            part, chain = normalize(part, root, depth + 1, chain, strict)
            props = {**merged.get("properties", {}), **part.get("properties", {})}
            req = [
                *required_keys(merged),
                *[r for r in required_keys(part) if r not in required_keys(merged)],
            ]
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
        if not real:
            del out[key]
            out.setdefault("type", "null")
        elif len(real) == 1:
            del out[key]
            inner, chain = normalize(real[0], root, depth + 1, chain, strict)
            inner.pop("title", None)  # a type name ("SpaceGroup"), not a label
            out = {**inner, **out}
        else:
            out[key] = [normalize(v, root, depth + 1, chain, strict)[0] for v in real]
    kind = out.get("type")
    if isinstance(kind, list):
        names = [t for t in kind if isinstance(t, str) and t != "null"]
        if len(names) < len(kind):
            out["nullable"] = True
        out["type"] = names[0] if len(names) == 1 else names
    return out, chain


def normalize_schema(schema: JSON, root: JSON) -> JSON:
    """``schema`` with ``$ref`` resolved, ``allOf`` merged and ``anyOf [T, null]`` unwrapped
    (marked ``"nullable": True``); the outer schema's own keys (description, default,
    title) win. Tolerant: a reference it cannot follow is left out, never raised."""
    return normalize(schema, root, 0, (), strict=False)[0]


def raw_body_schema(route: Route) -> JSON | None:
    block = route.raw.get("route")
    full: Any = block.get("request_body") if isinstance(block, dict) else None
    for key in ("content", "application/json", "schema"):
        full = full.get(key) if isinstance(full, dict) else None
    return full if isinstance(full, dict) else route.request_schema


def pick_top(full: JSON, strict: bool) -> JSON:
    top = normalize(full, full, 0, (), strict)[0]
    if "properties" not in top:
        for key in ("anyOf", "oneOf"):
            variants = top.get(key)
            for variant in variants if isinstance(variants, list) else []:
                if isinstance(variant, dict) and "properties" in variant:
                    return {**variant, **{k: v for k, v in top.items() if k in ANNOTATIONS}}
    return top


def request_body_schema(route: Route) -> tuple[JSON, JSON] | None:
    """(the body's object schema, normalised; the document its ``$ref``s resolve against),
    or ``None`` when the route has no JSON body."""
    full = raw_body_schema(route)
    if full is None:
        return None
    return pick_top(full, strict=False), full


def _openapi30_fix(node: JSON) -> JSON:
    out = dict(node)
    for key, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(key), bool):
            if out.pop(key) and isinstance(out.get(bound), int | float):
                out[key] = out.pop(bound)
    if out.get("nullable") is True:
        kind = out.get("type")
        if isinstance(kind, str) and kind != "null":
            out["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            out["type"] = [*kind, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    return out


def openapi30_compat(schema: JSON) -> JSON:
    """A copy with OpenAPI 3.0 spellings made Draft 2020-12 (boolean ``exclusiveMinimum``,
    ``nullable: true``). Iterative, so a schema of any depth is fine."""
    top = _openapi30_fix(schema)
    stack: list[JSON | list[Any]] = [top]
    while stack:
        node = stack.pop()
        slots: list[tuple[Any, Any]] = (
            list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        )
        for slot, value in slots:
            if isinstance(value, dict):
                fixed: JSON | list[Any] = _openapi30_fix(value)
            elif isinstance(value, list):
                fixed = list(value)
            else:
                continue
            node[slot] = fixed
            stack.append(fixed)
    return top
