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
) -> dict[str, Any]:
    """A JSON POST operation whose body is the component schema ``request_model``."""
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
                "content": {"application/json": {"schema": {}}},
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
