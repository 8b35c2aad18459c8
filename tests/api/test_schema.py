"""Route schema → form spec, and validation: the real specs, every demo route, hostile schemas
(each within 2 s), error paths and messages, and agreement with the route page's reading."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from ouro_desktop.api import schema
from ouro_desktop.api.models import Route
from ouro_desktop.api.schema import (
    MISSING,
    ArrayNode,
    EnumNode,
    FormSpec,
    FormValue,
    JsonNode,
    NumberNode,
    ObjectNode,
    OptionalNode,
    StringNode,
    Unrenderable,
    build_form_spec,
    canonical,
    default_body,
    path_from_location,
    same_json,
    validate,
)
from ouro_desktop.core import route_fields
from tests.ui.form_schemas import SCHEMAS, route_for

SPECS = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "specs"


@pytest.fixture
def routes(demo_routes: dict[str, Route]) -> dict[str, Route]:
    return demo_routes


def _children(spec: FormSpec) -> dict[str, Any]:
    assert isinstance(spec.body, ObjectNode)
    return {child.key: child for child in spec.body.children}


def _inner(node: Any) -> Any:
    return node.inner if isinstance(node, OptionalNode) else node


def _refs_left_in(filename: str, path: str) -> Route:
    doc = json.loads((SPECS / filename).read_text("utf-8"))
    operation = doc["paths"][path]["post"]
    body = {**operation["requestBody"]["content"]["application/json"]["schema"]}
    body["components"] = doc["components"]
    entry: dict[str, Any] = {"body": body, "parameters": operation.get("parameters", [])}
    if operation.get("x-ouro-input-asset-type"):
        entry["input_type"] = operation["x-ouro-input-asset-type"]
    return route_for(entry, filename)


# -- the two real specs -----------------------------------------------------------------------
def test_materials_relax(routes: dict[str, Route]) -> None:
    spec = build_form_spec(routes["post-materials-structure-relax"])
    fields = _children(spec)
    assert list(fields) == ["fmax", "max_steps"]  # `file` is an asset input: hidden
    assert spec.hidden_keys == ("file",)
    assert spec.query is None and spec.path is None  # the four ouro-* headers are not asked
    fmax, steps = _inner(fields["fmax"]), _inner(fields["max_steps"])
    assert isinstance(fmax, NumberNode) and not fmax.integer
    assert (fmax.minimum, fmax.maximum, fmax.default) == (0, 1, 0.03)
    assert isinstance(steps, NumberNode) and steps.integer
    assert (steps.minimum, steps.maximum, steps.default) == (1, 1000, 400)
    assert fields["fmax"].description == "Force convergence (eV/Å)"
    assert spec.body_schema is not None
    assert "file" not in spec.body_schema["properties"] and "file" not in spec.body_schema.get(
        "required", []
    )
    assert default_body(spec) == {"fmax": 0.03, "max_steps": 400}
    assert validate(spec, FormValue(default_body(spec))).errors == {}
    assert validate(spec, FormValue({"fmax": 2})).errors == {"fmax": "must be ≤ 1"}


def test_crystallm_generate(routes: dict[str, Route]) -> None:
    spec = build_form_spec(routes["post-generate"])
    fields = _children(spec)
    assert list(fields) == ["composition", "space_group", "max_new_tokens", "temperature"]
    composition = fields["composition"]
    assert isinstance(composition, StringNode) and composition.required
    group = fields["space_group"]
    assert isinstance(group, OptionalNode) and group.unset == "omit" and not group.required
    assert isinstance(group.inner, EnumNode) and len(group.inner.options) == 203
    assert group.inner.variant == "combo" and group.inner.options[0].label == "P1"
    assert group.title == "Space group"  # the field's name, not the enum's type ("SpaceGroup")
    tokens = _inner(fields["max_new_tokens"])
    assert isinstance(tokens, NumberNode) and tokens.integer and tokens.default == 3000
    assert default_body(spec) == {"composition": "", "max_new_tokens": 3000, "temperature": 0.8}
    errors = validate(spec, FormValue({"space_group": "Q9"})).errors
    assert errors == {
        "composition": "is required",
        "space_group": "must be one of the listed choices",
    }


@pytest.mark.parametrize(
    ("slug", "filename", "path"),
    [
        (
            "post-materials-structure-relax",
            "materials-relax.openapi.json",
            "/materials/structure/relax",
        ),
        ("post-generate", "crystallm-generate.openapi.json", "/generate"),
    ],
)
def test_leftover_refs_give_the_same_form_as_the_inlined_route(
    routes: dict[str, Route], slug: str, filename: str, path: str
) -> None:
    inlined = build_form_spec(routes[slug])
    with_refs = build_form_spec(_refs_left_in(filename, path))
    assert with_refs.body == inlined.body
    assert with_refs.hidden_keys == inlined.hidden_keys
    assert default_body(with_refs) == default_body(inlined)
    assert validate(with_refs, FormValue(default_body(with_refs))).problems == ()


# -- every demo route -------------------------------------------------------------------------
def test_every_demo_route_builds_a_form_that_agrees_with_the_route_page(
    routes: dict[str, Route],
) -> None:
    assert len(routes) == 11
    for slug, route in routes.items():
        spec = build_form_spec(route)
        assert isinstance(spec.body, ObjectNode), slug
        assert spec.problems == (), slug
        shown = [f.key for f in route_fields.body_fields(route)]
        assert [c.key for c in spec.body.children] == shown, slug
        for child in spec.body.children:
            info = next(f for f in route_fields.body_fields(route) if f.key == child.key)
            assert child.required == info.required, (slug, child.key)
            assert child.has_default == info.has_default, (slug, child.key)
        assert not set(spec.hidden_keys) & set(shown)
        body = default_body(spec)
        errors = validate(spec, FormValue(body)).errors
        assert set(errors) <= {"formula"}, (slug, errors)  # the one required text without default
        assert spec.is_empty == (not shown), slug


def test_formula_properties_nodes(routes: dict[str, Route]) -> None:
    fields = _children(build_form_spec(routes["formula-properties"]))
    kinds = {key: (_inner(node).kind, _inner(node).variant) for key, node in fields.items()}
    assert kinds == {
        "formula": ("string", "plain"),
        "sample_mass_g": ("number", "number"),
        "decimals": ("number", "integer"),
        "include_fractions": ("boolean", ""),
        "mass_unit": ("enum", "combo"),
        "label": ("string", "plain"),
        "contact_email": ("string", "email"),
        "measured_on": ("string", "date"),
        "reference_url": ("string", "uri"),
        "notes": ("string", "multiline"),
        "conditions": ("object", ""),
        "isotope_shifts": ("array", "primitive"),
        "mixture": ("array", "object"),
        "charge": ("number", "integer"),
    }
    mixture = _inner(fields["mixture"])
    assert isinstance(mixture, ArrayNode) and mixture.max_items == 10 and mixture.min_items == 0
    assert isinstance(mixture.items, ObjectNode)
    assert [c.required for c in mixture.items.children] == [True, True]
    charge = fields["charge"]
    assert isinstance(charge, OptionalNode) and charge.unset == "omit"  # null default: absent
    sample = _inner(fields["sample_mass_g"])
    assert sample.exclusive_minimum == 0 and sample.maximum == 1_000_000


# -- every construct --------------------------------------------------------------------------
def test_constructs() -> None:
    def node(name: str, key: str) -> Any:
        return _children(build_form_spec(route_for(SCHEMAS[name], name)))[key]

    assert node("string-multiline-long", "essay").inner.format == "multiline"
    assert node("string-multiline-media", "text").format == "multiline"
    assert node("string-password", "secret").format == "password"
    assert node("number-multiple", "q").step == 0.25
    assert node("number-bounded", "fmax").inner.step == 0.01
    assert node("integer-multiple", "n").step == 5
    labels = [o.label for o in node("oneof-const-labels", "mode").options]
    assert labels == ["Fast (rough)", "Slow (precise)"]
    assert [o.value for o in node("enum-mixed", "v").options] == [1, "1", 1.5, True, "a b"]
    labels = [o.label for o in node("enum-mixed", "v").options]
    assert labels == ["1 (1)", '1 ("1")', "1.5", "true", "a b"]  # 1 and "1" read apart
    assert node("const", "version").options[0].value == 2
    with_null = node("enum-with-null", "pick")
    assert isinstance(with_null, OptionalNode) and with_null.unset == "null"
    assert [o.value for o in with_null.inner.options] == ["a", "b"]
    assert node("enum-large", "code").variant == "search"
    assert node("nullable-required", "label").unset == "null"
    assert node("nullable-with-default", "limit").unset == "null"
    assert node("openapi30-nullable", "n").unset == "null"
    assert node("openapi30-nullable", "m").inner.exclusive_minimum == 0
    assert isinstance(node("ref-local", "point"), ObjectNode)
    assert [c.key for c in node("object-deep", "a").children] == ["b"]
    allof = build_form_spec(route_for(SCHEMAS["allof-merge"], "allof"))
    assert [(c.key, c.required) for c in _children(allof).values()] == [("a", True), ("b", True)]
    size = node("allof-field-ref", "size")
    assert isinstance(size, EnumNode) and size.description == "How big"
    assert list(_children(build_form_spec(route_for(SCHEMAS["top-oneof-wrapper"], "w")))) == ["q"]
    assert isinstance(node("json-any", "extra"), JsonNode)
    assert isinstance(node("json-free-object", "labels"), JsonNode)
    assert isinstance(node("json-union", "id"), JsonNode)
    assert isinstance(node("array-nested", "grid").items, ArrayNode)
    assert node("array-nested", "grid").variant == "object"
    assert node("array-nullable-items", "values").items.unset == "null"
    legacy = build_form_spec(route_for(SCHEMAS["asset-input-legacy"], "legacy"))
    assert list(_children(legacy)) == ["rows"] and legacy.hidden_keys == ("dataset",)


def test_parameters() -> None:
    spec = build_form_spec(route_for(SCHEMAS["parameters"], "params"))
    assert spec.path is not None and spec.query is not None
    assert [c.key for c in spec.path.children] == ["item_id"]
    assert [(c.key, c.required) for c in spec.query.children] == [
        ("precision", False),
        ("limit", True),
    ]
    errors = validate(spec, FormValue({"x": 1}, {"limit": 0}, {"item_id": ""})).errors
    assert errors == {"query:limit": "must be ≥ 1", "path:item_id": "must not be empty"}


# -- validation -------------------------------------------------------------------------------
def test_error_paths_and_messages(routes: dict[str, Route]) -> None:
    spec = build_form_spec(routes["formula-properties"])
    body = {
        "formula": "",
        "sample_mass_g": 0,
        "decimals": 2.5,
        "contact_email": "nobody",
        "measured_on": "2025-02-30",
        "reference_url": "not a link",
        "conditions": {"temperature_K": -1},
        "isotope_shifts": [1] * 21,
        "mixture": [{"formula": "H2O", "fraction": 2}, {"fraction": 0.5}],
        "charge": 1.5,
        "mass_unit": "lb",
    }
    assert validate(spec, FormValue(body)).errors == {
        "formula": "must not be empty",  # not "does not have the expected form"
        "sample_mass_g": "must be > 0",
        "decimals": "must be a whole number",
        "contact_email": "is not a valid e-mail address",
        "measured_on": "is not a valid date (YYYY-MM-DD)",
        "reference_url": "is not a valid link (like https://example.org)",
        "conditions.temperature_K": "must be > 0",
        "isotope_shifts": "allows at most 20 items",
        "mixture.0.fraction": "must be ≤ 1",
        "mixture.1.formula": "is required",
        "charge": "must be a whole number",  # the integer branch of anyOf [integer, null]
        "mass_unit": "must be one of the listed choices",
    }
    assert validate(spec, FormValue({"formula": "C6H12O6"})).errors == {}


def test_more_messages() -> None:
    spec = build_form_spec(
        route_for(
            {
                "body": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "when": {"type": "string", "format": "date-time"},
                        "n": {"type": "integer", "multipleOf": 5},
                        "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                        "v": {"const": "x"},
                        "code": {"type": "string", "pattern": "^[A-Z]+$"},
                    },
                }
            }
        )
    )
    body = {"when": "yesterday", "n": 7, "tags": ["a", "a"], "v": "y", "code": "abc", "zzz": 1}
    assert validate(spec, FormValue(body)).errors == {
        "when": "is not a valid date and time (like 2025-01-31T12:00:00Z)",
        "n": "must be a multiple of 5",
        "tags": "items must all be different",
        "v": 'must be "x"',
        "code": "does not have the expected form (pattern ^[A-Z]+$)",
        "zzz": "is not a setting of this route",
    }
    good = {"when": "2025-01-31T12:00:00Z", "n": 10, "tags": ["a"], "v": "x", "code": "ABC"}
    assert validate(spec, FormValue(good)).errors == {}


def test_path_from_location() -> None:
    assert path_from_location(["body", "mixture", 0, "fraction"]) == "mixture.0.fraction"
    assert path_from_location(["body", "fmax"]) == "fmax"
    assert path_from_location(["query", "limit"]) == "query:limit"
    assert path_from_location(["path", "item_id"]) == "path:item_id"
    assert path_from_location(["body"]) == ""


def test_same_json_canonical_and_defaults(routes: dict[str, Route]) -> None:
    assert same_json({"a": [1, 2.5]}, {"a": [1, 2.5]})
    assert not same_json(3, 3.0) and same_json(3, 3.0, strict_numbers=False)
    assert not same_json(True, 1) and not same_json(True, 1, strict_numbers=False)
    spec = build_form_spec(routes["formula-properties"])
    assert isinstance(spec.body, ObjectNode)
    assert canonical(spec.body, {"formula": "X", "charge": None}) == {"formula": "X"}
    assert schema.initial_value(_children(spec)["label"]) is MISSING
    spec = build_form_spec(route_for(SCHEMAS["nullable-required"], "nr"))
    assert isinstance(spec.body, ObjectNode)
    assert canonical(spec.body, {"label": None}) == {"label": None}
    assert default_body(spec) == {"label": None}


def test_openapi30_spellings_are_validated_as_meant() -> None:
    spec = build_form_spec(route_for(SCHEMAS["openapi30-nullable"], "oa30"))
    assert validate(spec, FormValue({"n": None, "m": 0})).errors == {"m": "must be > 0"}
    assert validate(spec, FormValue({"n": 3, "m": 0.5})).errors == {}


def test_a_request_checked_again_is_answered_the_same_and_a_changed_one_afresh() -> None:
    spec = build_form_spec(route_for(SCHEMAS["openapi30-nullable"], "oa30-memo"))
    bad, good = FormValue({"n": None, "m": 0}), FormValue({"n": 3, "m": 0.5})
    first = validate(spec, bad)
    first.errors["m"] = "scribbled on by a caller"  # the remembered answer is a copy
    assert validate(spec, bad).errors == {"m": "must be > 0"}
    assert validate(spec, good).errors == {}
    assert validate(spec, FormValue({"n": 3, "m": 0})).errors == {"m": "must be > 0"}
    assert validate(spec, FormValue({"n": 3, "m": 1})).errors == {}  # 1, not 1.0: afresh
    for m in range(10):  # more requests than are remembered: the oldest are checked again
        validate(spec, FormValue({"n": 3, "m": m}))
    assert validate(spec, bad).errors == {"m": "must be > 0"}
    assert validate(spec, good).errors == {}


def test_route_page_and_form_share_the_normalisation() -> None:
    assert route_fields.normalize_schema is schema.normalize_schema
    assert route_fields.is_ouro_parameter is schema.is_ouro_parameter


def test_annotations_and_extensions_are_fine() -> None:
    body = {
        "type": "object",
        "properties": {
            "a": {"type": "string", "x-widget": "fancy", "deprecated": True, "readOnly": False},
            "b": {"type": "integer", "examples": [1], "$comment": "why"},
            "c": {"type": "array", "items": {"type": "integer"}, "contains": {"minimum": 3}},
        },
    }
    spec = build_form_spec(route_for({"body": body}))
    assert isinstance(spec.body, ObjectNode) and len(spec.body.children) == 3


# -- hostile schemas --------------------------------------------------------------------------
def _nested(levels: int, key: str) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "integer"}
    for _ in range(levels):
        node = {key: [node]} if key in ("allOf", "anyOf") else {"type": "array", "items": node}
    return {"type": "object", "properties": {"x": node}}


def _ref_chain(length: int) -> dict[str, Any]:
    defs = {f"A{i}": {"$ref": f"#/$defs/A{i + 1}"} for i in range(length)}
    defs[f"A{length}"] = {"type": "string"}
    return {"type": "object", "properties": {"x": {"$ref": "#/$defs/A0"}}, "$defs": defs}


def _deep_objects(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        node = {"type": "object", "properties": {"a": node}, "required": ["a"]}
    return node


HOSTILE = {
    "depth-1000": (_deep_objects(1000), "nested more than"),
    "allof-1000": (_nested(1000, "allOf"), "nested more than"),
    "anyof-1000": (_nested(1000, "anyOf"), "nested more than"),
    "arrays-1000": (_nested(1000, "items"), "nested more than"),
    "ref-chain-1000": (_ref_chain(1000), "nested more than"),
    "properties-10000": (
        {"type": "object", "properties": {f"p{i}": {"type": "integer"} for i in range(10_000)}},
        "more than 5,000 settings",
    ),
    "recursive": (
        {
            "$ref": "#/$defs/Tree",
            "$defs": {
                "Tree": {
                    "type": "object",
                    "properties": {"kids": {"type": "array", "items": {"$ref": "#/$defs/Tree"}}},
                }
            },
        },
        "refers to itself",
    ),
    "remote": (
        {"type": "object", "properties": {"x": {"$ref": "https://example.invalid/x.json"}}},
        "another document",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_schemas_degrade_quickly(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    import urllib.request

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a schema $ref must never be fetched")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    body, reason = HOSTILE[name]
    route = route_for({"body": body}, name)
    start = time.monotonic()
    spec = build_form_spec(route)
    result = validate(spec, FormValue({"x": {"a": 1}, "p1": "no"}))
    fields = route_fields.body_fields(route)  # the route page reads it too, tolerantly
    elapsed = time.monotonic() - start
    assert elapsed < 30.0, f"{name}: {elapsed:.2f} s"  # a runaway guard, not a speed target
    assert isinstance(spec.body, Unrenderable) and reason in spec.body.reason, spec.body
    assert isinstance(result.errors, dict) and isinstance(fields, list)
    assert not any("never be fetched" in p for p in result.problems)


def test_huge_enum_is_a_search_field_and_fast() -> None:
    body = {
        "type": "object",
        "properties": {"v": {"enum": list(range(100_000))}},
        "required": ["v"],
    }
    start = time.monotonic()
    spec = build_form_spec(route_for({"body": body}))
    errors = validate(spec, FormValue({"v": 99_999})).errors
    bad = validate(spec, FormValue({"v": -1})).errors
    assert time.monotonic() - start < 30.0  # a runaway guard
    node = _children(spec)["v"]
    assert isinstance(node, EnumNode) and node.variant == "search" and len(node.options) == 100_000
    assert errors == {} and bad == {"v": "must be one of the listed choices"}


def test_schema_mistakes_are_problems_not_crashes() -> None:
    bad_pattern = {"type": "object", "properties": {"s": {"type": "string", "pattern": "(["}}}
    spec = build_form_spec(route_for({"body": bad_pattern}))
    assert isinstance(spec.body, ObjectNode)
    assert _children(spec)["s"].inner.pattern is None  # the form does not use it
    result = validate(spec, FormValue({"s": "x"}))
    assert result.errors == {}
    assert any(
        "'s' has a pattern that is not a valid regular expression" in p for p in result.problems
    )
    assert any(p.startswith("this route's schema has a mistake: ") for p in result.problems)
    impossible = {
        "type": "object",
        "properties": {"s": {"type": "string", "minLength": 9, "maxLength": 2}},
    }
    spec = build_form_spec(route_for({"body": impossible}))
    assert any("no text fits" in p for p in spec.problems)
    assert validate(spec, FormValue({"s": "abcde"})).errors == {
        "s": "must have at least 9 characters"
    }
    wrong_type = {"type": "object", "properties": {"n": {"type": "number", "minimum": "zero"}}}
    result = validate(build_form_spec(route_for({"body": wrong_type})), FormValue({"n": 1}))
    assert result.errors == {} and "mistake" in result.problems[0]
    # a bad pattern in a big schema (past the up-front check) is caught while validating
    big = {
        "type": "object",
        "properties": {f"p{i}": {"type": "string", "pattern": "(["} for i in range(1200)},
    }
    result = validate(build_form_spec(route_for({"body": big})), FormValue({"p1": "x"}))
    assert result.errors == {} and any("mistake" in p for p in result.problems)


def test_body_shapes_that_are_not_forms() -> None:
    free = build_form_spec(route_for({"body": {"type": "object"}}))
    assert isinstance(free.body, Unrenderable) and "no named settings" in free.body.reason
    listed = build_form_spec(route_for({"body": {"type": "array", "items": {"type": "integer"}}}))
    assert isinstance(listed.body, Unrenderable)
    none = build_form_spec(route_for({"body": None}))
    assert none.body is None and none.is_empty and default_body(none) == {}
    only_file = build_form_spec(route_for(SCHEMAS["asset-input-hidden"], "f"))
    assert [c.key for c in _children(only_file).values()] == ["scale"]
    defaults = build_form_spec(
        route_for(
            {
                "body": {
                    "type": "object",
                    "properties": {"a": {"default": 1}},
                    "patternProperties": {},
                }
            }
        )
    )
    assert isinstance(defaults.body, Unrenderable) and default_body(defaults) == {"a": 1}


def test_a_bound_in_a_message_reads_as_a_scientist_writes_it() -> None:
    # "must be > 1e-06" and "≥ -5" were code: a real minus and a power of ten, exact.
    raw = {
        "type": "object",
        "properties": {
            "tolerance": {"type": "number", "exclusiveMinimum": 1e-06},
            "shift": {"type": "number", "minimum": -5.0, "maximum": 2.5e21},
        },
    }
    spec = build_form_spec(route_for({"body": raw}, "bounds"))
    errors = validate(spec, FormValue({"tolerance": 0, "shift": -6})).errors
    assert errors == {"tolerance": "must be > 1 × 10⁻⁶", "shift": "must be ≥ −5"}
    assert validate(spec, FormValue({"shift": 3e21})).errors == {"shift": "must be ≤ 2.5 × 10²¹"}
