"""The request form for the real specs' gaps: example, header parameters, enum defaults, titles."""

from __future__ import annotations

from typing import Any

import pytest

from ouro_desktop.api.models import Route
from ouro_desktop.api.schema import (
    EnumNode,
    FormValue,
    ObjectNode,
    OptionalNode,
    StringNode,
    build_form_spec,
    default_value,
    looks_secret,
    validate,
)
from ouro_desktop.core import route_fields
from ouro_desktop.demo.app import create_app
from tests import real_specs


@pytest.fixture(scope="module")
def routes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Route]:
    app = create_app(tmp_path_factory.mktemp("forms"), services=real_specs.real_spec_services())
    return {
        r["name"]: Route.from_json(r) for r in app.state.backend.store.assets(asset_types=["route"])
    }


def children(node: Any) -> dict[str, Any]:
    assert isinstance(node, ObjectNode)
    return {c.key: c for c in node.children}


def inner(node: Any) -> Any:
    return node.inner if isinstance(node, OptionalNode) else node


def test_a_default_outside_its_choices_becomes_the_nearest_with_a_note(
    routes: dict[str, Route],
) -> None:
    spec = build_form_spec(routes["POST /3d/stable-fast-3d"])
    texture = children(spec.body)["texture_resolution"]
    assert isinstance(texture, OptionalNode)
    choice = inner(texture)
    assert isinstance(choice, EnumNode)
    assert [o.value for o in choice.options] == ["1024", "2048", "512"]
    assert texture.default == choice.default == "1024" and texture.has_default
    assert texture.note == (
        "This route's default, 1024, is not one of its choices; “1024” is chosen instead."
    )
    value = default_value(spec)
    assert value.body["texture_resolution"] == "1024"
    assert validate(spec, value).ok
    voice = children(build_form_spec(routes["POST /speech/from-post"]).body)["voice"]
    assert voice.default == "alloy" and voice.note == ""  # a valid default: no note


@pytest.mark.parametrize(
    ("options", "default", "chosen"),
    [
        ([1, 2, 4, 8], 5, 4),
        (["Low", "High"], "high", "High"),
        (["a", "b"], "zzz", "a"),
        (["0.5", "1.5"], 1.4, "1.5"),
    ],
)
def test_nearest_choice_rules(options: list[Any], default: Any, chosen: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"level": {"enum": options, "default": default}},
    }
    route = Route.from_json(
        {
            "id": "r",
            "route": {
                "method": "POST",
                "path": "/x",
                "request_body": {"content": {"application/json": {"schema": schema}}},
            },
        }
    )
    level = children(build_form_spec(route).body)["level"]
    assert level.default == chosen and "is not one of its choices" in level.note


def test_an_inlined_ref_title_does_not_rename_the_field(routes: dict[str, Route]) -> None:
    route = routes["POST /forecast"]
    spec = build_form_spec(route)
    fields = children(spec.body)
    assert list(fields) == ["config"]  # the dataset input is not a field
    config = fields["config"]
    assert config.title == "Config"  # not "ForecastConfig"
    assert [(c.key, c.title) for c in children(config).values()] == [
        ("horizon", "Horizon"),
        ("date_column", "Date Column"),
        ("value_column", "Value Column"),
    ]
    page = {f.key: f.title for f in route_fields.body_fields(route)}
    assert page == {"config": "Config"}  # the route page agrees
    sketch = children(build_form_spec(routes["POST /stable-image/control/sketch"]).body)
    assert sketch["prompt"].title == "Prompt" and "file" not in sketch


def test_a_non_ouro_header_is_a_settable_secret_field(routes: dict[str, Route]) -> None:
    spec = build_form_spec(routes["POST /forecast"])
    assert spec.secret_headers == frozenset({"authorization"})
    header = children(spec.headers)["authorization"]
    assert isinstance(header, OptionalNode) and not header.required
    field = inner(header)
    assert isinstance(field, StringNode) and field.format == "password"
    assert default_value(spec).headers == {}
    body = {"config": {"horizon": 7, "date_column": "ds", "value_column": "y"}}
    assert validate(spec, FormValue(body, headers={"authorization": "Bearer k"})).ok
    bad = validate(spec, FormValue(body, headers={"authorization": 5}))
    assert set(bad.errors) == {"header:authorization"}
    assert not spec.is_empty
    # ouro-* headers stay hidden; a route with only those has no header fields at all.
    relax = build_form_spec(routes["POST /materials/structure/relax"])
    assert relax.headers is None and relax.secret_headers == frozenset()


@pytest.mark.parametrize(
    ("param", "secret"),
    [
        ({"name": "authorization", "in": "header"}, True),
        ({"name": "X-Api-Key", "in": "header"}, True),
        ({"name": "x-upstream-token", "in": "header"}, True),
        ({"name": "x-tenant", "in": "header", "schema": {"format": "password"}}, True),
        ({"name": "x-request-mode", "in": "header"}, False),
        ({"name": "keyboard-layout", "in": "header"}, False),
    ],
)
def test_what_looks_secret(param: dict[str, Any], secret: bool) -> None:
    assert looks_secret(param) is secret


def test_the_singular_openapi_example_is_the_placeholder() -> None:
    schema = {
        "type": "object",
        "properties": {
            "formula": {"type": "string", "example": "NaCl"},
            "both": {"type": "string", "example": "x", "examples": ["y"]},
        },
        "required": ["formula"],
    }
    route = Route.from_json(
        {
            "id": "r",
            "route": {
                "method": "POST",
                "path": "/x",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}, "example": 5}
                ],
                "request_body": {"content": {"application/json": {"schema": schema}}},
            },
        }
    )
    spec = build_form_spec(route)
    fields = children(spec.body)
    assert fields["formula"].examples == ("NaCl",)
    assert inner(fields["both"]).examples == ("y",)
    assert inner(children(spec.query)["limit"]).examples == (5,)
    assert route_fields.example_body(route) == {"formula": "NaCl"}
