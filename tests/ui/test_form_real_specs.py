"""The request form for the real specs' gaps, as widgets: the OpenAPI ``example`` as the
placeholder, header parameters as fields (a secret one masked), a default outside its
choices opening on the nearest choice with its note, and an inlined ``$ref``'s type name
never replacing a field's own name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit

from ouro_desktop.api.models import Route
from ouro_desktop.demo.app import create_app
from ouro_desktop.ui.run.form import RequestForm
from ouro_desktop.ui.run.form.choice import ChoiceEditor
from ouro_desktop.ui.run.form.number import NumberEditor
from ouro_desktop.ui.run.form.row import FieldRow
from tests import real_specs
from tests.ui.form_schemas import route_for


@pytest.fixture(scope="module")
def routes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Route]:
    app = create_app(tmp_path_factory.mktemp("forms"), services=real_specs.real_spec_services())
    return {
        r["name"]: Route.from_json(r) for r in app.state.backend.store.assets(asset_types=["route"])
    }


@pytest.fixture
def form(qtbot: Any) -> RequestForm:
    widget = RequestForm()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _row(form: RequestForm, path: str) -> FieldRow:
    row = form.slots()[path]
    assert isinstance(row, FieldRow)
    return row


def test_default_outside_its_choices_opens_on_the_nearest_with_a_note(
    form: RequestForm, routes: dict[str, Route]
) -> None:
    form.set_route(routes["POST /3d/stable-fast-3d"])
    row = _row(form, "texture_resolution")
    assert row.note_label is not None and row.note_label.isVisibleTo(form)
    assert "is not one of its choices" in row.note_label.text()
    choice = row.editor.findChild(ChoiceEditor)
    assert choice is not None and choice.combo.currentText() == "1024"
    assert form.value().body["texture_resolution"] == "1024"
    assert "texture_resolution" not in form.errors()
    assert "must be text" not in " ".join(label.text() for label in form.findChildren(QLabel))


def test_inlined_ref_title_does_not_replace_the_field_name(
    form: RequestForm, routes: dict[str, Route]
) -> None:
    form.set_route(routes["POST /forecast"])
    titles = [label.text() for label in form.findChildren(QLabel) if label.isVisibleTo(form)]
    assert "Config *" in titles
    assert not [t for t in titles if "ForecastConfig" in t]


def test_a_secret_header_is_a_masked_field_sent_as_a_header(
    form: RequestForm, routes: dict[str, Route]
) -> None:
    form.set_route(routes["POST /forecast"])
    assert form.header_heading.isVisibleTo(form) and form.secret_note.isVisibleTo(form)
    row = _row(form, "header:authorization")
    assert row.node.title == "Authorization"
    toggle = getattr(row.editor, "toggle", None)
    if toggle is not None:
        toggle.setChecked(True)
    line = row.editor.findChild(QLineEdit)
    assert line is not None and line.echoMode() != QLineEdit.EchoMode.Normal
    assert form.value().headers == {}  # nothing typed: nothing sent
    line.setText("Bearer key-123")
    assert form.value().headers == {"authorization": "Bearer key-123"}
    assert "authorization" not in form.value().body
    form.reset_to_defaults()  # the key is not a setting: it stays
    assert form.value().headers == {"authorization": "Bearer key-123"}
    form.set_headers({"authorization": "Bearer other"})
    assert form.value().headers == {"authorization": "Bearer other"}


def test_the_openapi_example_is_the_placeholder(form: RequestForm) -> None:
    schema = {
        "body": {
            "type": "object",
            "properties": {
                "formula": {"type": "string", "example": "NaCl"},
                "temperature_K": {"type": "number", "example": 298.15},
                "notes": {"type": "string", "x-multiline": True, "example": "as grown"},
            },
            "required": ["formula", "temperature_K"],
        }
    }
    form.set_route(route_for(schema, "examples"))
    line = _row(form, "formula").editor.findChild(QLineEdit)
    assert line is not None and line.placeholderText() == "e.g. NaCl"
    number = _row(form, "temperature_K").editor
    assert isinstance(number, NumberEditor)
    assert number.box.lineEdit().placeholderText() == "e.g. 298.15"
    box = _row(form, "notes").editor.findChild(QPlainTextEdit)
    assert box is not None and box.placeholderText() == "e.g. as grown"
    assert form.value().body.get("formula") in ("", None)  # a placeholder is not a value


def test_routes_without_headers_show_no_header_part(form: RequestForm, tmp_path: Path) -> None:
    form.set_route(route_for({"body": {"type": "object", "properties": {}}}, "empty"))
    assert not form.header_heading.isVisibleTo(form) and not form.secret_note.isVisibleTo(form)
