"""A route's response schema and output declarations, and walking a JSON Schema alongside
a value (no Qt).

* :func:`response_schema` -- the JSON schema of a route's successful answer (``responses``
  ``200``/``201``/``2XX``/``default``, ``application/json``), or None when the route does
  not describe its answer (most real wrappers declare ``{}``).
* :func:`output_declarations` -- the route's declared outputs by response key, with the
  legacy ``output_type`` projection synthesised as Ouro does (protocol §4.3).
* :func:`resolve` / :func:`property_schema` / :func:`item_schema` -- the schema that
  describes a value: ``anyOf``/``oneOf`` narrowed to the variant the value fits (a
  nullable field's non-null side), ``allOf`` merged, the outer title and description
  kept. Unresolved ``$ref``s read as "no schema".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ouro_desktop.api.compact import LIST_TYPES, is_list
from ouro_desktop.api.models import Route

__all__ = [
    "output_declarations",
    "property_schema",
    "request_schema",
    "resolve",
    "response_schema",
    "item_schema",
    "schema_at",
]

Schema = Mapping[str, Any]
_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": LIST_TYPES,
    "string": str,
    "boolean": bool,
    "null": type(None),
}


def _fits(schema: Schema, value: Any) -> bool:
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else []
    if not kinds:
        if "properties" in schema:
            return isinstance(value, dict)
        if "items" in schema:
            return is_list(value)
        return True
    for name in kinds:
        if name in ("number", "integer"):
            if isinstance(value, int | float) and not isinstance(value, bool):
                return True
        elif name in _JSON_TYPES and isinstance(value, _JSON_TYPES[name]):
            return name != "object" or not isinstance(value, bool)
    return False


def resolve(schema: Any, value: Any = None) -> dict[str, Any]:
    """The plain schema describing ``value`` (``{}`` when there is none)."""
    if not isinstance(schema, Mapping) or "$ref" in schema and len(schema) == 1:
        return {}
    out = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf", "allOf", "$ref")}
    for part in schema.get("allOf") or ():
        merged = resolve(part, value)
        for key, item in merged.items():
            if key == "properties" and isinstance(out.get("properties"), Mapping):
                out["properties"] = {**merged["properties"], **out["properties"]}
            else:
                out.setdefault(key, item)
    variants = [
        v for v in (schema.get("anyOf") or schema.get("oneOf") or ()) if isinstance(v, Mapping)
    ]
    if variants:
        non_null = [v for v in variants if v.get("type") != "null"]
        chosen = next((v for v in non_null if _fits(resolve(v), value)), None)
        if chosen is None and non_null:
            chosen = non_null[0]
        if chosen is not None:
            for key, item in resolve(chosen, value).items():
                out.setdefault(key, item)
    return out


def property_schema(schema: Schema | None, key: str, value: Any = None) -> dict[str, Any]:
    """The schema of ``schema``'s property ``key`` (or of its ``additionalProperties``)."""
    if not schema:
        return {}
    properties = schema.get("properties")
    if isinstance(properties, Mapping) and key in properties:
        return resolve(properties[key], value)
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        return resolve(extra, value)
    return {}


def item_schema(schema: Schema | None, index: int = 0, value: Any = None) -> dict[str, Any]:
    """The schema of item ``index`` of an array schema (``prefixItems`` first)."""
    if not schema:
        return {}
    prefix = schema.get("prefixItems")
    if isinstance(prefix, list) and 0 <= index < len(prefix):
        return resolve(prefix[index], value)
    items = schema.get("items")
    if isinstance(items, Mapping):
        return resolve(items, value)
    return {}


def schema_at(schema: Schema | None, path: str) -> dict[str, Any]:
    """The schema at a dot path (``curve``, ``result.items.0``; digits index arrays)."""
    current = resolve(schema) if schema else {}
    for part in path.replace("[", ".").replace("]", "").split("."):
        if not part or not current:
            continue
        if part.lstrip("-").isdigit() and ("items" in current or "prefixItems" in current):
            current = item_schema(current, int(part))
        else:
            current = property_schema(current, part)
    return current


def _json_schema(body: Any) -> dict[str, Any] | None:
    if not isinstance(body, Mapping):
        return None
    content = body.get("content")
    if not isinstance(content, Mapping):
        return None
    media = content.get("application/json")
    if not isinstance(media, Mapping):
        media = next((m for t, m in content.items() if "json" in str(t)), None)
    if not isinstance(media, Mapping):
        return None
    schema = resolve(media.get("schema"))
    return schema or None


def response_schema(route: Route) -> dict[str, Any] | None:
    """The schema of the route's successful JSON answer, or None if it does not say."""
    block = route.raw.get("route")
    responses = block.get("responses") if isinstance(block, Mapping) else None
    if not isinstance(responses, Mapping):
        return None
    for status in ("200", "201", "202", "2XX", "2xx", "default"):
        schema = _json_schema(responses.get(status))
        if schema:
            return schema
    return None


def request_schema(route: Route) -> dict[str, Any] | None:
    """The schema of the request body (titles and units of the inputs), or None."""
    return resolve(route.request_schema) or None


def output_declarations(route: Route) -> dict[str, dict[str, Any]]:
    """Declared outputs by response key; a legacy ``output_type`` route gets one, keyed by
    its type (the wrappers answer ``{"file": {...}}``)."""
    if route.output_assets:
        return {k: dict(v) for k, v in route.output_assets.items()}
    block = route.raw.get("route")
    if not isinstance(block, Mapping):
        return {}
    legacy = block.get("output_type")
    if not isinstance(legacy, str) or not legacy:
        return {}
    extension = block.get("output_file_extension")
    declaration: dict[str, Any] = {"asset_type": legacy, "primary": True}
    if isinstance(extension, str) and extension:
        declaration["file_extensions"] = [extension]
    return {legacy: declaration}
