"""The request form's behaviour: fields per construct, errors at the field after the debounce,
server errors, the raw JSON toggle both ways, optional fields, lists, defaults, exact numbers,
accessible names, and light/dark screenshots of the formula-properties form."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QScrollArea,
    QWidget,
)

from ouro_desktop.api.models import Route
from ouro_desktop.api.schema import MISSING
from ouro_desktop.ui.run.form import RequestForm
from ouro_desktop.ui.run.form.array import ArrayEditor
from ouro_desktop.ui.run.form.choice import ChoiceEditor
from ouro_desktop.ui.run.form.number import NumberEditor
from ouro_desktop.ui.run.form.optional import OptionalEditor
from ouro_desktop.ui.run.form.row import FieldRow
from ouro_desktop.ui.run.form.text import MultilineEditor
from tests.ui.form_schemas import SCHEMAS, route_for
from tests.ui.palettes import dark_palette

SCREENSHOT_DIR = Path(os.environ.get("OURO_SCREENSHOT_DIR") or tempfile.gettempdir())


@pytest.fixture
def routes(demo_routes: dict[str, Route]) -> dict[str, Route]:
    return demo_routes


@pytest.fixture
def form(qtbot: Any) -> RequestForm:
    widget = RequestForm()
    qtbot.addWidget(widget)
    widget.resize(640, 900)
    return widget


def _row(form: RequestForm, path: str) -> FieldRow:
    slot = form.slots()[path]
    assert isinstance(slot, FieldRow)
    return slot


def _number(form: RequestForm, path: str) -> NumberEditor:
    editor = _row(form, path).editor
    if isinstance(editor, OptionalEditor):
        editor = editor.inner
    assert isinstance(editor, NumberEditor)
    return editor


def test_materials_relax_form(form: RequestForm, routes: dict[str, Route]) -> None:
    form.set_route(routes["post-materials-structure-relax"])
    assert sorted(form.slots()) == ["fmax", "max_steps"]  # the file input is not a field
    assert form.value().body == {"fmax": 0.03, "max_steps": 400}
    assert type(form.value().body["max_steps"]) is int
    assert form.errors() == {}
    fmax = _row(form, "fmax")
    assert isinstance(fmax.editor, OptionalEditor) and fmax.editor.is_set
    assert fmax.reset_button is not None and "0.03" in fmax.reset_button.toolTip()
    assert "Force convergence" in fmax.title.toolTip()
    assert fmax.description_label is not None and not fmax.description_label.isHidden()
    assert not form.empty_label.isVisibleTo(form) and form.raw_toggle.isVisibleTo(form)


def test_routes_without_settings_say_so(form: RequestForm, routes: dict[str, Route]) -> None:
    form.set_route(routes["structure-report"])
    assert form.empty_label.isVisibleTo(form)
    assert form.empty_label.text() == "This route needs no settings."
    assert not form.raw_toggle.isVisibleTo(form) and not form.reset_button.isVisibleTo(form)
    assert form.value().body == {} and form.errors() == {}


def test_crystallm_space_group_is_an_optional_combo(
    form: RequestForm, routes: dict[str, Route]
) -> None:
    form.set_route(routes["post-generate"])
    row = _row(form, "space_group")
    assert isinstance(row.editor, OptionalEditor) and not row.editor.is_set
    combo = row.editor.inner
    assert isinstance(combo, ChoiceEditor) and combo.combo.count() == 203
    assert "space_group" not in form.value().body
    row.editor.toggle.setChecked(True)
    combo.combo.setCurrentText("Fd3m")
    assert form.value().body["space_group"] == "Fd3m"
    assert _row(form, "composition").title.text() == "Composition *"


def test_errors_show_at_the_field_after_the_debounce(
    form: RequestForm, qtbot: Any, routes: dict[str, Route]
) -> None:
    form.set_route(routes["formula-properties"])
    with qtbot.waitSignal(form.validity_changed, timeout=2000) as flipped:
        form.set_value({"formula": "CuSO4", "conditions": {"temperature_K": 300}})
        assert _row(form, "formula").error == "must not be empty"  # not yet: debounced
    assert flipped.args == [True]
    assert _row(form, "formula").error == ""
    temperature = _number(form, "conditions.temperature_K")
    with qtbot.waitSignal(form.validated, timeout=2000):
        temperature.box.lineEdit().setText("-5")
    assert _row(form, "conditions.temperature_K").error == "must be > 0"
    assert not _row(form, "conditions.temperature_K").error_label.isHidden()
    assert form.errors() == {"conditions.temperature_K": "must be > 0"}
    with qtbot.waitSignal(form.validated, timeout=2000):
        temperature.box.lineEdit().setText("abc")
    assert form.errors() == {"conditions.temperature_K": "must be a number"}
    form.set_value({"formula": "CuSO4", "mixture": [{"formula": "H2O", "fraction": 1.5}]})
    assert form.errors() == {"mixture.0.fraction": "must be ≤ 1"}
    assert form.field_error("mixture.0.fraction") == "must be ≤ 1"
    assert form.field_error("mixture.0.formula") == ""


def test_validity_changed_follows_the_errors(
    form: RequestForm, qtbot: Any, routes: dict[str, Route]
) -> None:
    seen: list[bool] = []
    form.validity_changed.connect(seen.append)
    form.set_route(routes["post-materials-structure-relax"])
    assert seen == [True]
    _number(form, "fmax").box.lineEdit().setText("2")
    qtbot.waitUntil(lambda: seen == [True, False], timeout=2000)
    assert form.field_error("fmax") == "must be ≤ 1"
    _number(form, "fmax").box.lineEdit().setText("0.5")
    qtbot.waitUntil(lambda: seen == [True, False, True], timeout=2000)


def test_server_errors_show_at_the_field_until_it_changes(
    form: RequestForm, qtbot: Any, routes: dict[str, Route]
) -> None:
    form.set_route(routes["post-materials-structure-relax"])
    form.show_field_errors({"fmax": "must be ≤ 1", "nowhere": "the server disliked this"})
    assert form.field_error("fmax") == "must be ≤ 1"
    assert "nowhere: the server disliked this" in form.form_errors.text()
    assert form.errors() == {}  # a server's opinion does not block the next run
    _number(form, "max_steps").box.lineEdit().setText("10")
    assert form.errors() == {} and form.field_error("fmax") == "must be ≤ 1"  # other fields: kept
    _number(form, "fmax").box.lineEdit().setText("0.5")
    form.errors()
    assert form.field_error("fmax") == ""
    form.show_field_errors({"max_steps": "too many"})
    form.clear_field_errors()
    assert form.field_error("max_steps") == "" and form.form_errors.isHidden()


def test_raw_json_toggle_both_ways(form: RequestForm, qtbot: Any, routes: dict[str, Route]) -> None:
    form.set_route(routes["formula-properties"])
    form.set_value({"formula": "NaCl", "decimals": 2, "charge": -1, "isotope_shifts": [0.1, 1e-07]})
    form.raw_toggle.setChecked(True)
    assert form.raw_mode and form.raw_editor.isVisibleTo(form)
    assert form.body_editor is not None and not form.body_editor.isVisibleTo(form)
    text = form.raw_editor.text()
    assert '"formula": "NaCl"' in text and "1e-07" in text
    form.raw_editor.editor.setPlainText(
        '{"formula": "KCl", "decimals": 7, "mixture": [{"formula": "H2O", "fraction": 0.25}], '
        '"sample_mass_g": 12345.678}'
    )
    assert form.value().body["formula"] == "KCl"
    form.raw_editor.editor.setPlainText('{"formula": "KCl", ')
    assert "not valid JSON" in form.errors()[""]
    form.raw_toggle.setChecked(False)  # refused: the JSON does not parse
    assert form.raw_toggle.isChecked() and form.raw_mode
    assert "Fix the JSON before going back" in form.raw_editor.errors.text()
    form.raw_editor.editor.setPlainText('{"formula": "KCl", "decimals": "many"}')
    assert form.errors() == {"decimals": "must be a whole number"}
    assert "decimals: must be a whole number" in form.raw_editor.errors.text()
    form.raw_editor.editor.setPlainText('{"formula": "KCl", "conditions": [1, 2]}')
    form.raw_toggle.setChecked(False)  # refused: a list where a group belongs would be lost
    assert (
        form.raw_mode
        and "can't show this JSON exactly (at 'conditions')" in form.raw_editor.errors.text()
    )
    body = {
        "formula": "KCl",
        "decimals": 7,
        "sample_mass_g": 12345.678,
        "charge": None,
        "unknown": [1],
    }
    form.raw_editor.editor.setPlainText(__import__("json").dumps(body))
    form.raw_toggle.setChecked(False)
    assert not form.raw_mode and form.body_editor.isVisibleTo(form)
    assert form.value().body == {
        "formula": "KCl",
        "decimals": 7,
        "sample_mass_g": 12345.678,
        "unknown": [1],
    }
    assert not _row(form, "charge").editor.is_set  # type: ignore[attr-defined]
    assert _number(form, "decimals").box.text() == "7"
    assert _number(form, "sample_mass_g").box.text() == "12345.678"


def test_numbers_round_trip_exactly(form: RequestForm) -> None:
    form.set_route(route_for(SCHEMAS["number-unbounded"], "n"))
    for number in (0.1, 1e-07, 12345.678, 5e-324, 1.7976931348623157e308, -0.0, 10**40, 3, 3.0):
        form.set_value({"x": number})
        got = form.value().body["x"]
        assert got == number and type(got) is type(number), (number, got)
    form.set_route(route_for(SCHEMAS["integer-bounded"], "i"))
    editor = _number(form, "steps")
    editor.box.lineEdit().setText("12")
    assert form.value().body["steps"] == 12 and type(form.value().body["steps"]) is int
    editor.box.lineEdit().setText("1e3")
    assert form.value().body["steps"] == 1000 and type(form.value().body["steps"]) is int
    editor.box.lineEdit().setText("2,5")
    assert form.value().body["steps"] == 2.5 and form.errors() == {
        "steps": "must be a whole number"
    }


def test_number_steps_use_multiple_of_and_bounds(form: RequestForm) -> None:
    form.set_route(route_for(SCHEMAS["number-multiple-tenth"], "tenth"))
    box = _number(form, "r").box
    box.lineEdit().setText("0.2")
    box.stepBy(1)
    assert box.text() == "0.3"  # decimal steps: not 0.30000000000000004
    box.lineEdit().setText("9.95")
    box.stepBy(3)
    assert box.text() == "10.0"  # clamped to the maximum
    assert not box.stepEnabled() & QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
    form.set_route(route_for(SCHEMAS["integer-multiple"], "five"))
    box = _number(form, "n").box
    box.lineEdit().setText("10")
    box.stepBy(-1)
    assert box.text() == "5"


def test_optional_fields_are_set_or_not_set(form: RequestForm, routes: dict[str, Route]) -> None:
    form.set_route(routes["formula-properties"])
    label = _row(form, "label").editor
    assert isinstance(label, OptionalEditor) and not label.is_set and not label.inner.isEnabled()
    assert "label" not in form.value().body
    label.toggle.setChecked(True)
    assert label.inner.isEnabled() and form.value().body["label"] == ""
    charge = _row(form, "charge").editor
    assert isinstance(charge, OptionalEditor)
    charge.toggle.setChecked(True)
    assert form.errors()["charge"] == "enter a value, or untick it to leave it out"
    assert "charge" not in form.value().body
    form.set_route(route_for(SCHEMAS["nullable-required"], "nr"))
    assert form.value().body == {"label": None}  # required but nullable: unset sends null
    form.set_route(route_for(SCHEMAS["nullable-with-default"], "nd"))
    assert form.value().body == {"limit": 5}
    row = _row(form, "limit").editor
    assert isinstance(row, OptionalEditor)
    row.toggle.setChecked(False)
    assert form.value().body == {"limit": None}  # leaving it out would mean 5


def test_lists_add_remove_reorder_within_limits(
    form: RequestForm, routes: dict[str, Route]
) -> None:
    form.set_route(route_for(SCHEMAS["array-strings"], "names"))  # 1..4 items
    names = _row(form, "names").editor
    assert isinstance(names, ArrayEditor)
    form.set_value({"names": ["a"]})
    assert not names.items[0].remove.isEnabled()  # minItems 1
    for _ in range(3):
        names.add_button.click()
    assert not names.add_button.isEnabled()  # maxItems 4
    for index, text in enumerate("abcd"):
        names.items[index].editor.set_value(text)
    names.items[0].down.click()
    assert form.value().body["names"] == ["b", "a", "c", "d"]
    names.items[3].up.click()
    assert form.value().body["names"] == ["b", "a", "d", "c"]
    assert not names.items[0].up.isEnabled() and not names.items[3].down.isEnabled()
    names.items[1].remove.click()
    assert form.value().body["names"] == ["b", "d", "c"] and names.add_button.isEnabled()
    form.set_route(routes["formula-properties"])
    form.set_value({"formula": "X", "mixture": []})
    mixture = _row(form, "mixture").editor
    assert isinstance(mixture, OptionalEditor) and isinstance(mixture.inner, ArrayEditor)
    mixture.inner.add_button.click()
    assert form.value().body["mixture"] == [{"formula": ""}]
    assert form.errors() == {
        "mixture.0.formula": "must not be empty",
        "mixture.0.fraction": "is required",
    }
    assert form.field_error("mixture.0.fraction") == "is required"


def test_reset_to_defaults_field_and_form(form: RequestForm, routes: dict[str, Route]) -> None:
    form.set_route(routes["free-electron-dos-curve"])
    defaults = form.value().body
    form.set_value({"e_min_eV": 1.5, "points": 10})
    points = _row(form, "points")
    assert points.reset_button is not None
    points.reset_button.click()
    assert form.value().body == {"e_min_eV": 1.5, "points": 60}
    form.reset_button.click()
    assert form.value().body == defaults


def test_multiline_text_keeps_every_character(form: RequestForm) -> None:
    form.set_route(route_for(SCHEMAS["string-multiline-flag"], "ml"))
    assert isinstance(_row(form, "notes").editor, MultilineEditor)
    text = "line one\n\xa0indented\u2028same paragraph\n\ttab\n"
    form.set_value({"notes": text})
    assert form.value().body == {"notes": text}


def test_parameters_are_fields_and_ouro_headers_are_not(form: RequestForm) -> None:
    form.set_route(route_for(SCHEMAS["parameters"], "params"))
    assert sorted(form.slots()) == ["path:item_id", "query:limit", "query:precision", "x"]
    assert form.path_heading.isVisibleTo(form) and form.query_heading.isVisibleTo(form)
    assert form.errors() == {"path:item_id": "must not be empty", "query:limit": "is required"}
    form.set_value(
        {"x": 1}, query={"limit": 5, "precision": "high"}, path_params={"item_id": "abc"}
    )
    assert form.value().query == {"limit": 5, "precision": "high"}
    assert form.value().path_params == {"item_id": "abc"} and form.errors() == {}
    form.show_field_errors({"query:limit": "too big"})
    assert form.field_error("query:limit") == "too big"


def test_every_input_has_the_field_title_as_accessible_name(
    form: RequestForm, routes: dict[str, Route]
) -> None:
    form.set_route(routes["formula-properties"])
    form.set_value(
        {"formula": "X", "isotope_shifts": [1.5], "mixture": [{"formula": "H", "fraction": 1}]}
    )
    inputs = [
        w
        for w in form.findChildren(QWidget)
        if w.focusPolicy() != Qt.FocusPolicy.NoFocus and w.window() is form.window()
    ]
    assert inputs
    unnamed = [type(w).__name__ for w in inputs if not w.accessibleName()]
    assert not unnamed, unnamed
    names = {
        w.accessibleName() for w in form.findChildren(QLineEdit) if w.window() is form.window()
    }
    assert {"Formula", "Sample label"} <= names
    # A list of numbers is a table (its grid named after the field).
    grids = {w.accessibleName() for w in form.findChildren(QAbstractItemView)}
    assert "Isotope mass shifts (g/mol) as a table" in grids


def test_enum_value_outside_the_choices_is_kept_and_reported(form: RequestForm) -> None:
    form.set_route(route_for(SCHEMAS["enum-integers"], "levels"))
    choice = _row(form, "level").editor
    assert isinstance(choice, ChoiceEditor) and choice.value("level", {}) is MISSING
    assert form.errors() == {"level": "is required"}
    form.set_value({"level": 7})
    assert form.value().body == {"level": 7} and form.errors() == {
        "level": "must be one of the listed choices"
    }
    assert choice.combo.currentIndex() == -1
    form.set_value({"level": 2.0})  # JSON-equal to the choice 2
    assert form.value().body == {"level": 2} and choice.combo.currentText() == "2"


# -- screenshots ------------------------------------------------------------------------------
def _shoot(
    qtbot: Any, routes: dict[str, Route], palette: QPalette | None, path: Path
) -> tuple[QScrollArea, RequestForm]:
    form = RequestForm()
    form.set_route(routes["formula-properties"])
    form.set_value(
        {
            "formula": "CuSO4·5H2O",
            "sample_mass_g": 2.5,
            "decimals": 4,
            "include_fractions": True,
            "mass_unit": "g/mol",
            "measured_on": "2025-01-31",
            "notes": "Blue crystals.\nWeighed twice.",
            "conditions": {"temperature_K": 298.15, "pressure_atm": 1.0},
            "isotope_shifts": [1.0063],
            "mixture": [{"formula": "H2O", "fraction": 1.5}],
        }
    )
    form.show_field_errors({"sample_mass_g": "the server says: too heavy for this balance"})
    area = QScrollArea()
    qtbot.addWidget(area)
    area.setWidgetResizable(True)
    area.setWidget(form)
    area.setContentsMargins(0, 0, 0, 0)
    form.setContentsMargins(12, 12, 12, 12)
    if palette is not None:
        area.setPalette(palette)
        form.setPalette(palette)
        form.setAutoFillBackground(True)
    area.resize(620, form.sizeHint().height() + 40)
    area.show()
    qtbot.waitExposed(area)
    form.errors()
    for _ in range(5):
        QApplication.processEvents()
    needed = form.heightForWidth(600) if form.hasHeightForWidth() else -1
    area.resize(620, (needed if needed > 0 else form.minimumSizeHint().height()) + 4)
    for _ in range(5):
        QApplication.processEvents()
    assert form.grab().save(str(path))
    return area, form


def test_screenshots_light_and_dark(qtbot: Any, routes: dict[str, Route]) -> None:
    keep_light, light = _shoot(qtbot, routes, None, SCREENSHOT_DIR / "form_light.png")
    keep_dark, dark = _shoot(qtbot, routes, dark_palette(), SCREENSHOT_DIR / "form_dark.png")
    for form in (light, dark):
        assert form.field_error("mixture.0.fraction") == "must be ≤ 1"
        assert form.field_error("sample_mass_g").startswith("the server says")
    assert (SCREENSHOT_DIR / "form_light.png").stat().st_size > 10_000
    assert (SCREENSHOT_DIR / "form_dark.png").stat().st_size > 10_000
    row = _row(dark, "mixture.0.fraction")
    assert row.error_label.backgroundRole() == QPalette.ColorRole.ToolTipBase


def test_reset_to_defaults_in_json_mode(form: RequestForm, routes: dict[str, Route]) -> None:
    form.set_route(routes["build-supercell"])
    form.set_value({"na": 5, "nb": 1, "nc": 1})
    form.raw_toggle.setChecked(True)
    form.reset_button.click()
    assert json.loads(form.raw_editor.text()) == {"na": 2, "nb": 2, "nc": 2}
    assert form.value().body == {"na": 2, "nb": 2, "nc": 2}


def test_unrenderable_schema_is_edited_as_json_with_errors_listed(form: RequestForm) -> None:
    body = {
        "type": "object",
        "properties": {"a": {"type": "integer", "default": 1}, "b": {"type": "string"}},
        "required": ["b"],
        "patternProperties": {"^x-": {"type": "string"}},
    }
    form.set_route(route_for({"body": body}, "pattern-props"))
    assert form.raw_mode and not form.raw_toggle.isVisibleTo(form)
    assert "patternProperties" in form.raw_editor.note.text()
    assert json.loads(form.raw_editor.text()) == {"a": 1}  # the readable defaults
    assert form.errors() == {"b": "is required"}
    assert "b: is required" in form.raw_editor.errors.text()
    form.raw_editor.editor.setPlainText('{"a": "one", "b": "x", "x-tag": 3}')
    assert form.errors() == {"a": "must be a whole number", "x-tag": "must be text"}
    assert form.value().body == {"a": "one", "b": "x", "x-tag": 3}
    form.raw_editor.editor.setPlainText("[1, 2]")
    assert form.errors() == {"": "the settings must be a JSON object, in { }"}
    form.set_value({"b": "set from a re-run"})
    assert json.loads(form.raw_editor.text()) == {"b": "set from a re-run"}
    assert form.errors() == {}


def test_wheel_over_an_unfocused_number_scrolls_the_page(
    form: RequestForm, routes: dict[str, Route]
) -> None:
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    form.set_route(routes["build-supercell"])
    box = _number(form, "na").box
    event = QWheelEvent(
        QPointF(5, 5),
        QPointF(5, 5),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    box.wheelEvent(event)
    assert not event.isAccepted() and box.text() == "2"


def test_date_date_time_and_password_helpers(form: RequestForm) -> None:
    from PySide6.QtCore import QDate

    from ouro_desktop.ui.run.form.text import DateEditor, DateTimeEditor, LineEditor

    form.set_route(route_for(SCHEMAS["string-date"], "day"))
    day = _row(form, "day").editor
    assert isinstance(day, DateEditor)
    day.calendar.clicked.emit(QDate(2024, 2, 29))
    assert form.value().body == {"day": "2024-02-29"} and form.errors() == {}
    form.set_route(route_for(SCHEMAS["string-date-time"], "when"))
    when = _row(form, "when").editor
    assert isinstance(when, OptionalEditor) and isinstance(when.inner, DateTimeEditor)
    when.toggle.setChecked(True)
    when.inner.now_button.click()
    assert form.value().body["when"].endswith("Z") and form.errors() == {}
    form.set_route(route_for(SCHEMAS["string-password"], "pw"))
    secret = _row(form, "secret").editor
    assert isinstance(secret, LineEditor)
    assert secret.line.echoMode() == QLineEdit.EchoMode.PasswordEchoOnEdit
