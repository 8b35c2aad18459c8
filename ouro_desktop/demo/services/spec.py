"""Building blocks for the demo services' OpenAPI documents.

The documents look like what FastAPI generates for a real Ouro wrapper: OpenAPI 3.1, a
request-body model behind ``$ref``, the four optional ``ouro-*`` header parameters Ouro fills
in, a 422 validation-error response, and ``x-ouro-*`` extensions on the operation.
"""

from __future__ import annotations

import copy
from typing import Any

OURO_HEADERS = ("ouro-route-id", "ouro-route-org-id", "ouro-route-team-id", "ouro-action-id")


def _nullable(schema_type: str) -> dict[str, Any]:
    return {"anyOf": [{"type": schema_type}, {"type": "null"}]}


def ouro_header_parameters() -> list[dict[str, Any]]:
    """The optional headers a FastAPI wrapper declares to learn its action and route."""
    return [
        {
            "name": name,
            "in": "header",
            "required": False,
            "schema": {**_nullable("string"), "title": name.title()},
        }
        for name in OURO_HEADERS
    ]


def file_input_schema() -> dict[str, Any]:
    """The resolved file Ouro inserts into the body at a file input's key (protocol §6)."""
    return {
        "type": "object",
        "title": "File",
        "description": "A file asset, resolved by Ouro to its metadata and a download URL.",
        "properties": {
            "url": {"type": "string", "title": "Url"},
            "filename": {"type": "string", "title": "Filename"},
            "type": {"type": "string", "title": "Type"},
            "id": {**_nullable("string"), "title": "Id"},
            "name": {**_nullable("string"), "title": "Name"},
            "description": {**_nullable("string"), "title": "Description"},
            "org_id": {"type": "string", "title": "Org Id"},
            "team_id": {"type": "string", "title": "Team Id"},
            "visibility": {"type": "string", "title": "Visibility"},
        },
        "required": ["url", "filename", "type", "org_id", "team_id", "visibility"],
    }


def validation_error_schemas() -> dict[str, Any]:
    """FastAPI's 422 body models."""
    return {
        "ValidationError": {
            "type": "object",
            "title": "ValidationError",
            "properties": {
                "loc": {
                    "type": "array",
                    "title": "Location",
                    "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                },
                "msg": {"type": "string", "title": "Message"},
                "type": {"type": "string", "title": "Error Type"},
            },
            "required": ["loc", "msg", "type"],
        },
        "HTTPValidationError": {
            "type": "object",
            "title": "HTTPValidationError",
            "properties": {
                "detail": {
                    "type": "array",
                    "title": "Detail",
                    "items": {"$ref": "#/components/schemas/ValidationError"},
                }
            },
        },
    }


def post_operation(
    *,
    summary: str,
    description: str,
    operation_id: str,
    request_model: str,
    extensions: dict[str, Any],
    response_model: str | None = None,
) -> dict[str, Any]:
    """A JSON POST operation whose body is the component schema ``request_model`` and whose
    answer is ``response_model`` (``{}``, "anything", when None, as most wrappers declare)."""
    answer = {"$ref": f"#/components/schemas/{response_model}"} if response_model else {}
    operation: dict[str, Any] = {
        "summary": summary,
        "description": description,
        "operationId": operation_id,
        "parameters": ouro_header_parameters(),
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{request_model}"}}
            },
        },
        "responses": {
            "200": {
                "description": "Successful Response",
                "content": {"application/json": {"schema": answer}},
            },
            "422": {
                "description": "Validation Error",
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/HTTPValidationError"}
                    }
                },
            },
        },
    }
    operation.update(copy.deepcopy(extensions))
    return operation


def document(
    *,
    title: str,
    description: str,
    path: str,
    operation: dict[str, Any],
    schemas: dict[str, Any],
) -> dict[str, Any]:
    """A one-operation OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "description": description, "version": "1.0.0"},
        "paths": {path: {"post": operation}},
        "components": {"schemas": {**validation_error_schemas(), **schemas}},
    }


def file_input_declaration(key: str = "file") -> dict[str, Any]:
    """``x-ouro-input-assets`` for one primary CIF file input."""
    return {
        key: {
            "asset_type": "file",
            "primary": True,
            "file_extensions": ["cif"],
            "input_filter": "atomic structure",
        }
    }


def field(
    kind: str | list[str],
    title: str,
    description: str,
    unit: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One titled, described property of a response model; ``unit`` goes in ``x-unit``
    (the keyword the app reads first; see ``ouro_desktop.core.units``)."""
    schema: dict[str, Any] = {"title": title, "description": description}
    if isinstance(kind, list):
        schema["anyOf"] = [{"type": k} for k in kind]
    else:
        schema["type"] = kind
    if unit:
        schema["x-unit"] = unit
    schema.update(extra)
    return schema


def output_file_schema(title: str, description: str) -> dict[str, Any]:
    """An output file as it appears in the answer (the payload, its bytes moved to a file)."""
    return {
        "type": "object",
        "title": title,
        "description": description,
        "properties": {
            "name": {"type": "string", "title": "Name"},
            "description": {"type": "string", "title": "Description"},
            "extension": {"type": "string", "title": "Extension"},
            "type": {"type": "string", "title": "Media type"},
            "filename": {"type": "string", "title": "File name"},
            "id": {"type": "string", "title": "File asset id"},
        },
    }


def cell_parameter_fields(what: str = "unit cell") -> dict[str, Any]:
    """The six cell parameters (``a_A`` ... ``gamma_deg``) as response properties."""
    lengths = {
        f"{axis}_A": field("number", axis, f"Length of the {what}'s {axis} edge.", "Å")
        for axis in "abc"
    }
    angles = {
        f"{name}_deg": field("number", symbol, f"Angle {symbol} of the {what} ({between}).", "°")
        for name, symbol, between in (
            ("alpha", "α", "between b and c"),
            ("beta", "β", "between a and c"),
            ("gamma", "γ", "between a and b"),
        )
    }
    return {**lengths, **angles}


def response_model(title: str, description: str, properties: dict[str, Any]) -> dict[str, Any]:
    """A response component schema: an object with titled properties."""
    return {
        "type": "object",
        "title": title,
        "description": description,
        "properties": properties,
    }
