"""What a run's request holds and how the demo checks it before calling a service.

The input declarations a route names (synthesised from the legacy projection when absent),
its JSON request schema, the defaults the service's own request model would fill in, the
FastAPI-style 422 detail for a body that does not fit, and the header parameters a caller
may pass on to the service.
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import ApiError

# Which MIME types each Ouro input filter accepts (first segment match for media types).
FILTER_MIME = {
    "atomic structure": {
        "chemical/x-cif",
        "chemical/x-pdb",
        "chemical/x-sdf",
        "chemical/x-mdl-sdfile",
        "chemical/x-mdl-molfile",
        "text/cif",
    },
    "pdf": {"application/pdf"},
    "3d model": {"model/obj"},
}


def input_declarations(route: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Keyed input declarations, synthesised from the legacy projection when absent (§4.3)."""
    block = route["route"]
    if block.get("input_assets"):
        return dict(block["input_assets"])
    if block.get("input_type"):
        exts = block.get("input_file_extensions") or (
            [block["input_file_extension"]] if block.get("input_file_extension") else None
        )
        return {
            block["input_type"]: {
                "asset_type": block["input_type"],
                "primary": True,
                "input_filter": block.get("input_filter"),
                "file_extensions": exts,
            }
        }
    return {}


def request_schema(route: dict[str, Any]) -> dict[str, Any] | None:
    body = route["route"].get("request_body") or {}
    schema = (body.get("content") or {}).get("application/json", {}).get("schema")
    return schema if isinstance(schema, dict) else None


def fill_defaults(schema: dict[str, Any] | None, body: dict[str, Any]) -> dict[str, Any]:
    """Top-level defaults, as the service's own request model (pydantic) would apply them."""
    filled = dict(body)
    for key, prop in ((schema or {}).get("properties") or {}).items():
        if key not in filled and isinstance(prop, dict) and "default" in prop:
            filled[key] = copy.deepcopy(prop["default"])
    return filled


def validation_detail(schema: dict[str, Any], body: dict[str, Any]) -> list[dict[str, Any]]:
    """FastAPI-style 422 ``detail`` items for everything wrong with ``body``."""
    import jsonschema  # noqa: PLC0415 - only runs need it; keeps start-up light

    validator = jsonschema.Draft202012Validator(schema)
    detail = []
    for err in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
        loc: list[Any] = ["body", *err.absolute_path]
        if err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else ""
            loc.append(missing)
        detail.append({"loc": loc, "msg": err.message, "type": str(err.validator)})
    return detail


def service_headers(raw: Any) -> dict[str, str]:
    """``config.headers``: header parameters the caller set for the service (not ``ouro-*``,
    which Ouro sets itself). Inferred: ouro-py merges extra keywords into ``config``."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ApiError(400, "config.headers must be an object of header names and values")
    out = {}
    for name, value in raw.items():
        key = str(name).strip().lower()
        if not key or key.startswith("ouro-") or value is None:
            continue
        if not isinstance(value, str) or "\n" in value or "\r" in value:
            raise ApiError(400, f"Header '{name}' must be one line of text.")
        out[key] = value
    return out
