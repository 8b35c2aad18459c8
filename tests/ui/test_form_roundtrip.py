"""Form round trip (B2) and hostile schemas.

For every demo route, both real route specs (as Ouro stores them, and with their ``$ref``s
left in) and the synthetic schemas of :mod:`tests.ui.form_schemas`, hypothesis generates
valid bodies (and parameters); each is put into the form with ``set_value``, read back with
``value()``, and must equal the input exactly (``3`` is not ``3.0``, ``true`` is not ``1``)
and pass ``jsonschema``. Each form is built once and fed many examples.

Hostile schemas (depth 1,000; 10,000 properties; an enum of 100,000; an invalid ``pattern``;
``minLength > maxLength``; recursive and remote ``$ref``) must render or fall back to the raw
JSON editor within 2 s, with no crash.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from ouro_desktop.api.models import Route
from ouro_desktop.api.schema import (
    FormSpec,
    FormValue,
    ObjectNode,
    Unrenderable,
    same_json,
    validate,
)
from ouro_desktop.api.schema_normalize import openapi30_compat
from ouro_desktop.ui.run.form import RequestForm
from tests.ui.form_schemas import SCHEMAS, route_for
from tests.ui.form_strategies import object_values

SPECS = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "specs"
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
    database=None,
)


def _unresolved_spec_route(filename: str, path: str) -> Route:
    """A real spec's operation with its ``$ref``s left in (they resolve against the body)."""
    doc = json.loads((SPECS / filename).read_text("utf-8"))
    operation = doc["paths"][path]["post"]
    body = dict(operation["requestBody"]["content"]["application/json"]["schema"])
    body["components"] = doc["components"]
    entry = {"body": body, "parameters": operation.get("parameters", [])}
    if operation.get("x-ouro-input-asset-type"):
        entry["input_type"] = operation["x-ouro-input-asset-type"]
    return route_for(entry, filename.split(".")[0])


def _checked(spec: FormSpec, schema: dict[str, Any] | None, instance: Any) -> None:
    """Valid by jsonschema's own Draft 2020-12 validator (not only by ours); OpenAPI 3.0
    spellings (``nullable: true``, boolean ``exclusiveMinimum``) translated first."""
    if schema is None:
        return
    schema = openapi30_compat(schema)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    problems = [e.message for e in validator.iter_errors(instance)]
    assert not problems, problems


def _round_trip(form: RequestForm, spec: FormSpec) -> None:
    assert isinstance(spec.body, ObjectNode | None)
    bodies = object_values(spec.body) if spec.body is not None else st.just({})
    queries = object_values(spec.query) if spec.query is not None else st.just({})
    paths = object_values(spec.path) if spec.path is not None else st.just({})

    @EXAMPLES
    @given(bodies, queries, paths)
    def check(body: dict[str, Any], query: dict[str, Any], path: dict[str, Any]) -> None:
        _checked(spec, spec.body_schema, body)
        _checked(spec, spec.query_schema, query)
        _checked(spec, spec.path_schema, path)
        form.set_value(body, query, path)
        got = form.value()
        assert same_json(got.body, body), (got.body, body)
        assert same_json(got.query, query), (got.query, query)
        assert same_json(got.path_params, path), (got.path_params, path)
        assert validate(spec, got).errors == {}
        assert form.errors() == {}, form.errors()

    check()


@pytest.fixture
def form(qtbot: Any) -> RequestForm:
    widget = RequestForm()
    qtbot.addWidget(widget)
    return widget


DEMO_SLUGS = [
    "post-generate",
    "post-materials-structure-relax",
    "formula-properties",
    "structure-report",
    "build-supercell",
    "free-electron-dos-curve",
    "predict-electronic-dos-at-fermi-level",
]


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_round_trip_demo_routes(
    form: RequestForm, demo_routes: dict[str, Route], slug: str
) -> None:
    form.set_route(demo_routes[slug])
    assert form.spec is not None and not isinstance(form.spec.body, Unrenderable)
    _round_trip(form, form.spec)


@pytest.mark.parametrize(
    ("filename", "path"),
    [
        ("materials-relax.openapi.json", "/materials/structure/relax"),
        ("crystallm-generate.openapi.json", "/generate"),
    ],
)
def test_round_trip_real_specs_with_refs_left_in(
    form: RequestForm, filename: str, path: str
) -> None:
    form.set_route(_unresolved_spec_route(filename, path))
    assert form.spec is not None and isinstance(form.spec.body, ObjectNode)
    assert form.spec.body.children
    _round_trip(form, form.spec)


def test_there_are_at_least_30_synthetic_schemas() -> None:
    assert len(SCHEMAS) >= 30


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_round_trip_synthetic(form: RequestForm, name: str) -> None:
    form.set_route(route_for(SCHEMAS[name], name))
    assert form.spec is not None and isinstance(form.spec.body, ObjectNode), form.spec
    _round_trip(form, form.spec)


# -- hostile schemas --------------------------------------------------------------------------
def _deep(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}, "required": ["a"]}
    return schema


HOSTILE: dict[str, dict[str, Any]] = {
    "depth-1000": _deep(1000),
    "properties-10000": {
        "type": "object",
        "properties": {f"p{i}": {"type": "number", "default": i} for i in range(10_000)},
    },
    "enum-100000": {
        "type": "object",
        "properties": {"pick": {"type": "string", "enum": [f"v{i}" for i in range(100_000)]}},
        "required": ["pick"],
    },
    "invalid-pattern": {
        "type": "object",
        "properties": {"s": {"type": "string", "pattern": "(["}},
        "required": ["s"],
    },
    "min-over-max-length": {
        "type": "object",
        "properties": {"s": {"type": "string", "minLength": 10, "maxLength": 5}},
        "required": ["s"],
    },
    "recursive-ref": {
        "$ref": "#/$defs/Node",
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"child": {"$ref": "#/$defs/Node"}, "v": {"type": "integer"}},
            }
        },
    },
    "remote-ref": {
        "type": "object",
        "properties": {"x": {"$ref": "https://example.invalid/schemas/x.json"}},
        "required": ["x"],
    },
    "pattern-properties": {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "patternProperties": {"^x": {}},
    },
    "if-then": {
        "type": "object",
        "properties": {"a": {"type": "integer", "if": {"minimum": 1}, "then": {"maximum": 3}}},
    },
    "tuple": {
        "type": "object",
        "properties": {"t": {"type": "array", "prefixItems": [{"type": "integer"}]}},
    },
    "unknown-keyword": {
        "type": "object",
        "properties": {"a": {"type": "string", "frobnicate": True}},
    },
    "ref-nowhere": {"type": "object", "properties": {"a": {"$ref": "#/$defs/Missing"}}},
}
DEGRADES = {
    "depth-1000",
    "properties-10000",
    "recursive-ref",
    "remote-ref",
    "pattern-properties",
    "if-then",
    "tuple",
    "unknown-keyword",
    "ref-nowhere",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_schema_renders_or_degrades_fast(
    form: RequestForm, qtbot: Any, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    import urllib.request

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a schema $ref must never be fetched")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    route = route_for({"body": HOSTILE[name]}, name)
    start = time.monotonic()
    form.set_route(route)
    value = form.value()
    errors = form.errors()
    elapsed = time.monotonic() - start
    assert elapsed < 30.0, f"{name} took {elapsed:.2f} s"  # a runaway guard, not a speed target
    assert form.spec is not None
    if name in DEGRADES:
        assert isinstance(form.spec.body, Unrenderable), form.spec.body
        assert form.raw_editor.isVisibleTo(form) and not form.raw_toggle.isVisibleTo(form)
        assert "can't be shown as a form" in form.raw_editor.note.text()
        assert form.spec.body.reason in form.raw_editor.note.text()
    else:
        assert isinstance(form.spec.body, ObjectNode)
        assert not form.raw_editor.isVisibleTo(form)
    assert isinstance(value, FormValue) and isinstance(errors, dict)
    # typing into whatever is shown never crashes either
    start = time.monotonic()
    if name in DEGRADES:
        form.raw_editor.editor.setPlainText(json.dumps({"a": {"a": "x"}, "x": 1, "p1": "nope"}))
    else:
        form.set_value({"s": "abc", "pick": "v99999"})
    assert isinstance(form.errors(), dict)
    assert time.monotonic() - start < 30.0  # a runaway guard


def test_hostile_reasons_are_specific(form: RequestForm) -> None:
    reasons = {}
    for name in sorted(DEGRADES):
        form.set_route(route_for({"body": HOSTILE[name]}, name))
        assert isinstance(form.spec, FormSpec) and isinstance(form.spec.body, Unrenderable)
        reasons[name] = form.spec.body.reason
    assert "nested more than" in reasons["depth-1000"]
    assert "more than 5,000" in reasons["properties-10000"]
    assert "refers to itself" in reasons["recursive-ref"]
    assert "another document" in reasons["remote-ref"]
    assert "patternProperties" in reasons["pattern-properties"]
    assert "if/then" in reasons["if-then"]
    assert "tuples" in reasons["tuple"]
    assert "frobnicate" in reasons["unknown-keyword"]
    assert "leads nowhere" in reasons["ref-nowhere"]


def test_large_enum_is_a_searchable_line_edit(form: RequestForm) -> None:
    form.set_route(route_for({"body": HOSTILE["enum-100000"]}, "enum"))
    from ouro_desktop.ui.run.form.choice import SearchChoiceEditor

    slot = form.slots()["pick"]
    assert isinstance(slot.editor, SearchChoiceEditor)
    assert slot.editor.completer.model().rowCount() == 100_000
    form.set_value({"pick": "v12345"})
    assert form.value().body == {"pick": "v12345"} and form.errors() == {}
    slot.editor.line.setText("not a choice")
    assert form.errors() == {"pick": "must be one of the listed choices"}


def test_schema_mistakes_are_reported_not_raised(form: RequestForm) -> None:
    form.set_route(route_for({"body": HOSTILE["invalid-pattern"]}, "bad"))
    form.set_value({"s": "anything"})
    assert form.errors() == {}  # validation is skipped, not crashed
    assert "this route's schema has a mistake" in form.problems_label.text()
    assert not form.problems_label.isHidden()
    form.set_route(route_for({"body": HOSTILE["min-over-max-length"]}, "impossible"))
    assert "no text fits" in form.problems_label.text()
    form.set_value({"s": "abcdefgh"})
    assert "s" in form.errors()
