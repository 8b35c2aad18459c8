"""Turn a service's OpenAPI document into Ouro route definitions (what a spec sync stores).

One definition per operation. Local ``$ref``s (``#/...``) are inlined recursively in the
parameters, the request body and the responses, the way Ouro stores ``route.route``
(protocol §4.2); a reference that would recurse into itself is left in place. The
``x-ouro-*`` extensions become the route fields of protocol §4.3: keyed input and output
declarations (synthesised from the legacy single-asset extensions when needed), the legacy
projection kept in sync with the primary declaration, charts, properties, capabilities,
execution mode and pricing.
"""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import unquote

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")

INPUT_ASSET_TYPES = frozenset({"file", "dataset", "post", "comment", "route"})
OUTPUT_ASSET_TYPES = frozenset({"file", "dataset", "post", "comment"})
OUTPUT_ROLES = frozenset({"new", "version", "result", "supporting"})
INPUT_FILTERS = ("audio", "video", "image", "pdf", "3d model", "atomic structure")
EXECUTION_MODES = frozenset({"sync", "async"})

# MIME types that are not grouped by their first segment (protocol §4.3, js files.ts groups).
_MIME_GROUPS = {
    "application/pdf": "pdf",
    "text/cif": "atomic structure",
}
_MIME_PREFIX_GROUPS = {
    "audio": "audio",
    "video": "video",
    "image": "image",
    "model": "3d model",
    "chemical": "atomic structure",
}
_FILTER_ALIASES = {
    "3d": "3d model",
    "3d-model": "3d model",
    "3d_model": "3d model",
    "model": "3d model",
    "atomic-structure": "atomic structure",
    "atomic_structure": "atomic structure",
    "structure": "atomic structure",
    "crystal structure": "atomic structure",
}
_MIME_RE = re.compile(r"[a-z0-9][a-z0-9.+-]*/[a-z0-9*][a-z0-9.+*-]*")


def route_definitions(
    doc: dict[str, Any], only: set[tuple[str, str]] | None = None
) -> list[dict[str, Any]]:
    """Route definitions for every operation in ``doc`` (or only the ``(METHOD, path)`` given)."""
    definitions: list[dict[str, Any]] = []
    for path, path_item in (doc.get("paths") or {}).items():
        if not isinstance(path_item, dict):
            continue
        path_item = _inline(path_item, doc, ()) if "$ref" in path_item else path_item
        shared_parameters = path_item.get("parameters") or []
        for method in HTTP_METHODS:
            operation = path_item.get(method)
            if not isinstance(operation, dict):
                continue
            key = (method.upper(), path)
            if only is not None and key not in only:
                continue
            definitions.append(_definition(doc, method.upper(), path, operation, shared_parameters))
    return definitions


def normalise_input_filter(value: Any) -> str | None:
    """One of the six filters Ouro accepts, from a name, a MIME type or a PostgREST filter."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().lower()
    if text in INPUT_FILTERS:
        return text
    if text in _FILTER_ALIASES:
        return _FILTER_ALIASES[text]
    groups: list[str] = []
    for mime in _MIME_RE.findall(text):
        group = _MIME_GROUPS.get(mime) or _MIME_PREFIX_GROUPS.get(mime.split("/", 1)[0])
        if group and group not in groups:
            groups.append(group)
    # A filter that mixes groups cannot be expressed as one; take the first it names.
    return groups[0] if groups else None


# --------------------------------------------------------------------------- definitions


def _definition(
    doc: dict[str, Any],
    method: str,
    path: str,
    operation: dict[str, Any],
    shared_parameters: list[Any],
) -> dict[str, Any]:
    parameters = _merge_parameters(
        [_inline(p, doc, ()) for p in shared_parameters],
        [_inline(p, doc, ()) for p in operation.get("parameters") or []],
    )
    request_body = operation.get("requestBody")
    request_body = _inline(request_body, doc, ()) if isinstance(request_body, dict) else None
    responses = operation.get("responses")
    responses = _inline(responses, doc, ()) if isinstance(responses, dict) else {}

    input_assets = _input_assets(operation)
    primary_in = _primary(input_assets)
    in_extensions = list(primary_in.get("file_extensions") or []) if primary_in else []

    output_assets = _output_assets(operation)
    primary_out = _primary(output_assets)
    out_extensions = list(primary_out.get("file_extensions") or []) if primary_out else []

    mode = operation.get("x-ouro-execution-mode")
    pricing = operation.get("x-ouro-pricing")
    return {
        "name": f"{method} {path}",
        "summary": operation.get("summary"),
        "description": operation.get("description"),
        "method": method,
        "path": path,
        "parameters": parameters,
        "request_body": request_body,
        "responses": responses,
        "input_assets": input_assets,
        "input_type": primary_in["asset_type"] if primary_in else None,
        "input_filter": primary_in.get("input_filter") if primary_in else None,
        "input_file_extension": in_extensions[0] if in_extensions else None,
        "input_file_extensions": in_extensions or None,
        "output_assets": output_assets,
        "output_type": primary_out["asset_type"] if primary_out else None,
        "output_file_extension": out_extensions[0] if out_extensions else None,
        "properties": _list_or_none(operation.get("x-ouro-properties")),
        "response_charts": _list_or_none(operation.get("x-ouro-response-charts")),
        "capabilities": _dict_or_none(operation.get("x-ouro-capabilities")),
        "execution_mode": mode if mode in EXECUTION_MODES else "sync",
        "pricing": copy.deepcopy(pricing) if isinstance(pricing, dict) else None,
    }


def _merge_parameters(shared: list[Any], own: list[Any]) -> list[Any]:
    """Path-level parameters first, overridden by an operation's parameter of the same name/in."""
    own_keys = {_param_key(p) for p in own}
    merged = [p for p in shared if _param_key(p) not in own_keys]
    return merged + own


def _param_key(parameter: Any) -> tuple[Any, Any]:
    if isinstance(parameter, dict):
        return parameter.get("name"), parameter.get("in")
    return id(parameter), None


def _list_or_none(value: Any) -> list[Any] | None:
    return copy.deepcopy(value) if isinstance(value, list) else None


def _dict_or_none(value: Any) -> dict[str, Any] | None:
    return copy.deepcopy(value) if isinstance(value, dict) else None


def _primary(declarations: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    for declaration in declarations.values():
        if declaration.get("primary"):
            return declaration
    return next(iter(declarations.values()), None)


def _extensions(value: Any) -> list[str]:
    """File extensions without dots, lower case; accepts a list or a comma-separated string."""
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else []
    result: list[str] = []
    for item in items:
        if isinstance(item, str):
            ext = item.strip().lstrip(".").lower()
            if ext and ext not in result:
                result.append(ext)
    return result


def _input_assets(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    declared = operation.get("x-ouro-input-assets")
    if isinstance(declared, dict) and declared:
        result = {}
        for key, raw in declared.items():
            declaration = _input_declaration(str(key), raw)
            if declaration is not None:
                result[str(key)] = declaration
        return result
    legacy_type = operation.get("x-ouro-input-asset-type")
    if isinstance(legacy_type, str) and legacy_type in INPUT_ASSET_TYPES:
        return {
            legacy_type: {
                "asset_type": legacy_type,
                "primary": True,
                "file_extensions": _extensions(operation.get("x-ouro-input-file-extension")),
                "input_filter": normalise_input_filter(operation.get("x-ouro-input-asset-filter")),
            }
        }
    return {}


def _input_declaration(key: str, raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    declaration = copy.deepcopy(raw)
    declaration["asset_type"] = _asset_type(declaration, key, INPUT_ASSET_TYPES)
    asset_types = declaration.get("asset_types")
    if isinstance(asset_types, list):
        valid = [t for t in asset_types if t in INPUT_ASSET_TYPES]
        if declaration["asset_type"] not in valid:
            valid.insert(0, declaration["asset_type"])
        declaration["asset_types"] = valid
    elif "asset_types" in declaration:
        del declaration["asset_types"]
    extensions = declaration.get("file_extensions")
    if extensions is None:
        extensions = declaration.pop("input_file_extensions", None)
    if extensions is not None:
        declaration["file_extensions"] = _extensions(extensions)
    if "contains_file_extensions" in declaration:
        declaration["contains_file_extensions"] = _extensions(
            declaration["contains_file_extensions"]
        )
    if "input_filter" in declaration:
        declaration["input_filter"] = normalise_input_filter(declaration["input_filter"])
    declaration["primary"] = bool(declaration.get("primary", False))
    return declaration


def _output_assets(operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    declared = operation.get("x-ouro-output-assets")
    if isinstance(declared, dict) and declared:
        result = {}
        for key, raw in declared.items():
            if not isinstance(raw, dict):
                continue
            declaration = copy.deepcopy(raw)
            declaration["asset_type"] = _asset_type(declaration, str(key), OUTPUT_ASSET_TYPES)
            for field in ("file_extensions", "contains_file_extensions"):
                if field in declaration:
                    declaration[field] = _extensions(declaration[field])
            if "role" in declaration and declaration["role"] not in OUTPUT_ROLES:
                del declaration["role"]
            result[str(key)] = declaration
        return result
    legacy_type = operation.get("x-ouro-output-asset-type")
    if isinstance(legacy_type, str) and legacy_type in OUTPUT_ASSET_TYPES:
        legacy: dict[str, Any] = {"asset_type": legacy_type, "primary": True}
        extensions = _extensions(operation.get("x-ouro-output-file-extension"))
        if extensions:
            legacy["file_extensions"] = extensions
        return {legacy_type: legacy}
    return {}


def _asset_type(declaration: dict[str, Any], key: str, allowed: frozenset[str]) -> str:
    """A valid asset type: the declared one, else the key when it names a type, else file."""
    declared = declaration.get("asset_type")
    if declared in allowed:
        return str(declared)
    return key if key in allowed else "file"


# --------------------------------------------------------------------------- $ref inlining


def _inline(node: Any, doc: dict[str, Any], seen: tuple[str, ...]) -> Any:
    """A deep copy of ``node`` with local ``$ref``s replaced by their targets.

    ``seen`` holds the references being expanded on the way down; meeting one again means
    a recursive schema, and that ``$ref`` is kept as written.
    """
    if isinstance(node, list):
        return [_inline(item, doc, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        target = _resolve_pointer(doc, ref)
        if ref in seen or target is _MISSING:
            return {k: (v if k == "$ref" else _inline(v, doc, seen)) for k, v in node.items()}
        resolved = _inline(target, doc, (*seen, ref))
        siblings = {k: _inline(v, doc, seen) for k, v in node.items() if k != "$ref"}
        if isinstance(resolved, dict):
            # OpenAPI 3.1 lets a $ref carry siblings (description, default...): they win.
            return {**resolved, **siblings}
        return resolved
    return {k: _inline(v, doc, seen) for k, v in node.items()}


_MISSING = object()


def _resolve_pointer(doc: dict[str, Any], ref: str) -> Any:
    """The value at a JSON pointer fragment like ``#/components/schemas/File``."""
    pointer = ref[1:]
    if not pointer:
        return doc
    if not pointer.startswith("/"):
        return _MISSING
    current: Any = doc
    for raw in pointer[1:].split("/"):
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current
