"""Synthetic route schemas for the form round trip (B2): every construct the form renders.

Each entry is a small route: a JSON body schema, and optionally parameters and asset inputs.
:func:`route_for` turns one into a :class:`~ouro_desktop.api.models.Route`.
"""

from __future__ import annotations

from typing import Any

from ouro_desktop.api.models import Route

OURO_HEADERS = [
    {
        "in": "header",
        "name": name,
        "required": False,
        "schema": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    }
    for name in ("ouro-route-id", "ouro-route-org-id", "ouro-route-team-id", "ouro-action-id")
]
FILE_OBJECT = {
    "type": "object",
    "title": "File",
    "properties": {"url": {"type": "string"}, "filename": {"type": "string"}},
    "required": ["url", "filename"],
}


def obj(props: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required or [], **extra}


SCHEMAS: dict[str, dict[str, Any]] = {
    # -- text
    "string-required": {"body": obj({"name": {"type": "string", "title": "Name"}}, ["name"])},
    "string-lengths": {
        "body": obj({"code": {"type": "string", "minLength": 2, "maxLength": 8}}, ["code"])
    },
    "string-pattern": {
        "body": obj(
            {"formula": {"type": "string", "pattern": r"^[A-Z][a-z]?\d{0,3}$"}}, ["formula"]
        )
    },
    "string-email": {"body": obj({"email": {"type": "string", "format": "email"}}, ["email"])},
    "string-uri": {"body": obj({"link": {"type": "string", "format": "uri"}})},
    "string-date": {"body": obj({"day": {"type": "string", "format": "date"}}, ["day"])},
    "string-date-time": {"body": obj({"when": {"type": "string", "format": "date-time"}})},
    "string-multiline-flag": {
        "body": obj({"notes": {"type": "string", "x-multiline": True}}, ["notes"])
    },
    "string-multiline-media": {
        "body": obj({"text": {"type": "string", "contentMediaType": "text/plain"}}, ["text"])
    },
    "string-multiline-long": {"body": obj({"essay": {"type": "string", "maxLength": 20000}})},
    "string-password": {
        "body": obj({"secret": {"type": "string", "format": "password"}}, ["secret"])
    },
    "string-default": {"body": obj({"greeting": {"type": "string", "default": "hello"}})},
    # -- numbers
    "number-unbounded": {"body": obj({"x": {"type": "number"}}, ["x"])},
    "number-bounded": {
        "body": obj(
            {
                "fmax": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.03},
                "t": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1e6},
            },
            ["t"],
        )
    },
    "integer-bounded": {
        "body": obj({"steps": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 400}})
    },
    "integer-unbounded": {"body": obj({"big": {"type": "integer"}}, ["big"])},
    "integer-multiple": {
        "body": obj(
            {"n": {"type": "integer", "multipleOf": 5, "minimum": -100, "maximum": 100}}, ["n"]
        )
    },
    "number-multiple": {"body": obj({"q": {"type": "number", "multipleOf": 0.25}}, ["q"])},
    "number-multiple-tenth": {
        "body": obj({"r": {"type": "number", "multipleOf": 0.1, "maximum": 10}}, ["r"])
    },
    # -- yes/no and choices
    "boolean": {
        "body": obj(
            {"flag": {"type": "boolean"}, "opt": {"type": "boolean", "default": True}}, ["flag"]
        )
    },
    "enum-strings": {
        "body": obj({"unit": {"type": "string", "enum": ["g/mol", "kg/mol"], "default": "g/mol"}})
    },
    "enum-integers": {"body": obj({"level": {"type": "integer", "enum": [1, 2, 3]}}, ["level"])},
    "enum-mixed": {"body": obj({"v": {"enum": [1, "1", 1.5, True, "a b"]}}, ["v"])},
    "oneof-const-labels": {
        "body": obj(
            {
                "mode": {
                    "oneOf": [
                        {"const": "fast", "title": "Fast (rough)"},
                        {"const": "slow", "title": "Slow (precise)"},
                    ]
                }
            },
            ["mode"],
        )
    },
    "const": {"body": obj({"version": {"const": 2}}, ["version"])},
    "enum-with-null": {"body": obj({"pick": {"enum": ["a", "b", None]}}, ["pick"])},
    "enum-large": {
        "body": obj(
            {"code": {"type": "string", "enum": [f"C{i:04d}" for i in range(700)]}}, ["code"]
        )
    },
    # -- optional / nullable
    "nullable-optional": {
        "body": obj({"charge": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}})
    },
    "nullable-required": {
        "body": obj({"label": {"anyOf": [{"type": "string"}, {"type": "null"}]}}, ["label"])
    },
    "nullable-with-default": {
        "body": obj({"limit": {"anyOf": [{"type": "number"}, {"type": "null"}], "default": 5}})
    },
    "nullable-enum-ref": {
        "body": {
            **obj({"group": {"anyOf": [{"$ref": "#/$defs/Group"}, {"type": "null"}]}}),
            "$defs": {"Group": {"type": "string", "enum": ["P1", "P-1", "Fd3m"], "title": "Group"}},
        }
    },
    "openapi30-nullable": {
        "body": obj(
            {
                "n": {"type": "integer", "nullable": True},
                "m": {"type": "number", "minimum": 0, "exclusiveMinimum": True},
            },
            ["n"],
        )
    },
    # -- groups
    "object-nested": {
        "body": obj(
            {
                "conditions": obj(
                    {"temperature_K": {"type": "number", "exclusiveMinimum": 0, "default": 298.15}},
                    ["temperature_K"],
                    default={"temperature_K": 298.15},
                ),
                "meta": obj(
                    {
                        "owner": {"type": "string"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                    }
                ),
            },
            ["meta"],
        )
    },
    "object-deep": {
        "body": obj(
            {"a": obj({"b": obj({"c": obj({"d": {"type": "integer"}}, ["d"])}, ["c"])}, ["b"])},
            ["a"],
        )
    },
    "ref-local": {
        "body": {
            **obj(
                {"point": {"$ref": "#/$defs/Point"}, "other": {"$ref": "#/$defs/Point"}}, ["point"]
            ),
            "$defs": {"Point": obj({"x": {"type": "number"}, "y": {"type": "number"}}, ["x", "y"])},
        }
    },
    "ref-top": {
        "body": {
            "$ref": "#/components/schemas/Req",
            "components": {"schemas": {"Req": obj({"k": {"type": "integer", "default": 3}})}},
        }
    },
    "allof-merge": {
        "body": {
            "allOf": [
                obj({"a": {"type": "string"}}, ["a"]),
                obj({"b": {"type": "integer", "minimum": 0}}, ["b"]),
            ]
        }
    },
    "allof-field-ref": {
        "body": {
            **obj(
                {"size": {"allOf": [{"$ref": "#/$defs/Size"}], "description": "How big"}}, ["size"]
            ),
            "$defs": {"Size": {"type": "string", "enum": ["S", "M", "L"]}},
        }
    },
    "top-oneof-wrapper": {
        "body": {"oneOf": [obj({"q": {"type": "string"}}, ["q"]), {"type": "string"}]},
    },
    # -- lists
    "array-strings": {
        "body": obj(
            {"names": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 4}},
            ["names"],
        )
    },
    "array-numbers-unique": {
        "body": obj(
            {
                "shifts": {
                    "type": "array",
                    "items": {"type": "number"},
                    "uniqueItems": True,
                    "default": [],
                }
            }
        )
    },
    "array-objects": {
        "body": obj(
            {
                "mixture": {
                    "type": "array",
                    "items": obj(
                        {
                            "formula": {"type": "string", "minLength": 1},
                            "fraction": {"type": "number", "minimum": 0, "maximum": 1},
                        },
                        ["formula", "fraction"],
                    ),
                    "maxItems": 5,
                    "default": [],
                }
            }
        )
    },
    "array-nested": {
        "body": obj(
            {
                "grid": {
                    "type": "array",
                    "items": {"type": "array", "items": {"type": "integer"}, "maxItems": 3},
                }
            },
            ["grid"],
        )
    },
    "array-nullable-items": {
        "body": obj(
            {
                "values": {
                    "type": "array",
                    "items": {"anyOf": [{"type": "number"}, {"type": "null"}]},
                }
            },
            ["values"],
        )
    },
    "array-enum": {
        "body": obj(
            {"axes": {"type": "array", "items": {"enum": ["x", "y", "z"]}, "maxItems": 3}}, ["axes"]
        )
    },
    "array-booleans-dates": {
        "body": obj(
            {
                "flags": {"type": "array", "items": {"type": "boolean"}},
                "days": {"type": "array", "items": {"type": "string", "format": "date"}},
            },
            ["flags", "days"],
        )
    },
    # -- any JSON value
    "json-any": {"body": obj({"extra": {}}, ["extra"])},
    "json-free-object": {
        "body": obj(
            {"labels": {"type": "object", "additionalProperties": {"type": "integer"}}}, ["labels"]
        )
    },
    "json-union": {
        "body": obj({"id": {"anyOf": [{"type": "integer"}, {"type": "string"}]}}, ["id"])
    },
    "json-type-list": {"body": obj({"v": {"type": ["string", "number"]}}, ["v"])},
    # -- asset inputs, parameters
    "asset-input-hidden": {
        "body": obj({"file": FILE_OBJECT, "scale": {"type": "number", "default": 1.0}}, ["file"]),
        "input_assets": {
            "file": {"asset_type": "file", "primary": True, "file_extensions": ["cif"]}
        },
    },
    "asset-input-legacy": {
        "body": obj(
            {"dataset": FILE_OBJECT, "rows": {"type": "integer", "minimum": 1}}, ["dataset", "rows"]
        ),
        "input_type": "dataset",
    },
    "parameters": {
        "body": obj({"x": {"type": "integer"}}),
        "parameters": [
            *OURO_HEADERS,
            {"in": "path", "name": "item_id", "schema": {"type": "string", "minLength": 1}},
            {
                "in": "query",
                "name": "precision",
                "schema": {"type": "string", "enum": ["low", "high"]},
            },
            {
                "in": "query",
                "name": "limit",
                "required": True,
                "schema": {"type": "integer", "minimum": 1},
            },
        ],
    },
}


def route_for(entry: dict[str, Any], name: str = "synthetic") -> Route:
    """A minimal stored route around one entry of :data:`SCHEMAS` (or a hostile schema)."""
    block: dict[str, Any] = {
        "name": name,
        "method": "POST",
        "path": f"/{name}",
        "parameters": entry.get("parameters", []),
        "input_assets": entry.get("input_assets", {}),
        "input_type": entry.get("input_type"),
    }
    if entry.get("body") is not None:
        block["request_body"] = {
            "required": True,
            "content": {"application/json": {"schema": entry["body"]}},
        }
    return Route.from_json({"id": f"route-{name}", "name": name, "route": block})
