"""The OpenAPI importer on all five real route specs (protocol §4.2–4.3)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ouro_desktop.demo.openapi_import import route_definitions
from tests import real_specs

# (method path) → (input asset type, input filter, input extensions, output asset type)
EXPECTED = {
    "GET /materials": (None, None, None, None),
    "POST /materials/structure/relax": ("file", None, ["cif"], "file"),
    "GET /": (None, None, None, None),
    "POST /generate": (None, None, None, "file"),
    "POST /stable-image/generate/ultra": (None, None, None, "file"),
    "POST /stable-image/generate/core": (None, None, None, "file"),
    "POST /stable-image/generate/sd3": (None, None, None, "file"),
    "POST /stable-image/control/sketch": ("file", "image", [], "file"),
    "POST /3d/stable-fast-3d": ("file", "image", [], "file"),
    "POST /image-to-video": ("file", "image", [], "file"),
    "POST /images/generations/dalle3": (None, None, None, "file"),
    "POST /images/generations/dalle2": (None, None, None, "file"),
    "POST /images/variations": ("file", "image", [], "file"),
    "POST /images/analyze": ("file", "image", [], None),
    "POST /speech/generate": (None, None, None, "file"),
    "POST /speech/from-post": ("post", None, [], "file"),
    "POST /forecast": ("dataset", None, [], "dataset"),
    "POST /forecast/report": ("dataset", None, [], "post"),
}


def _definitions() -> dict[str, dict[str, Any]]:
    out = {}
    for name in real_specs.NAMES:
        for definition in route_definitions(real_specs.load(name)):
            out[definition["name"]] = definition
    return out


def test_every_operation_of_the_five_specs_becomes_a_route() -> None:
    definitions = _definitions()
    assert set(definitions) == set(EXPECTED)
    for name, (in_type, in_filter, in_exts, out_type) in EXPECTED.items():
        d = definitions[name]
        assert "$ref" not in json.dumps(d["request_body"]), name
        assert "$ref" not in json.dumps(d["parameters"]), name
        decl = d["input_assets"].get(in_type) if in_type else None
        assert d["input_type"] == in_type, name
        if in_type:
            assert decl == {
                "asset_type": in_type,
                "primary": True,
                "file_extensions": in_exts,
                "input_filter": in_filter,
            }, name
        else:
            assert d["input_assets"] == {}, name
        assert d["output_type"] == out_type, name
        if out_type:
            assert d["output_assets"] == {out_type: {"asset_type": out_type, "primary": True}}


def test_inlined_schemas_keep_what_the_form_needs() -> None:
    definitions = _definitions()

    def body(name: str) -> dict[str, Any]:
        schema = definitions[name]["request_body"]["content"]["application/json"]["schema"]
        return schema  # type: ignore[no-any-return]

    forecast = body("POST /forecast")
    assert forecast["required"] == ["dataset", "config"]
    assert forecast["properties"]["config"]["title"] == "ForecastConfig"  # left for the form
    assert forecast["properties"]["dataset"]["properties"]["metadata"]["required"] == ["table_name"]
    fast3d = body("POST /3d/stable-fast-3d")["properties"]["texture_resolution"]
    assert fast3d["enum"] == ["1024", "2048", "512"] and fast3d["default"] == 1024
    assert fast3d["title"] == "Texture Resolution"  # the $ref's sibling title wins
    params = definitions["POST /forecast"]["parameters"]
    assert [(p["name"], p["in"]) for p in params] == [("authorization", "header")]


def test_the_definitions_satisfy_the_official_sdk_model() -> None:
    route_model = pytest.importorskip("ouro.models.route")
    for definition in _definitions().values():
        data = {k: v for k, v in definition.items() if k not in ("name", "summary", "pricing")}
        route_model.RouteData.model_validate(data)
