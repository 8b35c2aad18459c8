"""The table editor for numbers in the request body: paste, a dropped CSV, typing, and the
JSON one toggle away, all exact (hypothesis round trips)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication

from ouro_desktop.api.schema import MISSING, same_json
from ouro_desktop.ui.run.form import RequestForm
from ouro_desktop.ui.run.form.table_editor import NumberTableEditor, parse_grid
from tests.ui.form_schemas import route_for
from tests.ui.test_drop_zone import drop, mime_with

EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
)
SERIES = {
    "type": "object",
    "title": "Series",
    "properties": {
        "ds": {"type": "array", "items": {"type": "integer"}},
        "y": {"type": "array", "items": {"type": "number"}},
        "weights": {"type": "array", "items": {"type": "number"}},
    },
    "required": ["ds", "y"],
}
SCHEMA = {
    "body": {
        "type": "object",
        "properties": {
            "values": {"type": "array", "title": "Values (eV)", "items": {"type": "number"}},
            "series": SERIES,
            "columns": {
                "type": "object",
                "title": "Columns",
                "additionalProperties": {"type": "array", "items": {"type": "number"}},
            },
            "label": {"type": "string"},
        },
        "required": ["values", "series", "columns"],
    }
}


@pytest.fixture
def form(qtbot: Any) -> RequestForm:
    widget = RequestForm()
    qtbot.addWidget(widget)
    widget.set_route(route_for(SCHEMA, "tables"))
    widget.show()
    return widget


def _editor(form: RequestForm, path: str) -> NumberTableEditor:
    editor = form.slots()[path].editor
    if not isinstance(editor, NumberTableEditor):
        editor = editor.findChild(NumberTableEditor)
    assert isinstance(editor, NumberTableEditor), type(editor)
    return editor


def test_number_lists_and_series_get_a_table(form: RequestForm) -> None:
    values, series, columns = (_editor(form, p) for p in ("values", "series", "columns"))
    assert values.model.names == ["Values (eV)"]
    assert series.model.names == ["ds", "y", "weights"]
    assert columns.shape.kind == "free"
    assert form.value().body == {"values": [], "series": {"ds": [], "y": []}, "columns": {}}


def test_every_table_round_trips_exactly_through_the_grid_and_json(form: RequestForm) -> None:
    values, series, columns = (_editor(form, p) for p in ("values", "series", "columns"))

    @EXAMPLES
    @given(
        st.lists(NUMBERS, max_size=8),
        st.lists(st.integers(-(10**12), 10**12), max_size=6),
        st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=6),
        st.dictionaries(
            st.text("abcxyz_", min_size=1, max_size=5), st.lists(NUMBERS, max_size=5), max_size=3
        ),
    )
    def check(v: list[Any], ds: list[int], y: list[float], free: dict[str, Any]) -> None:
        body = {"values": v, "series": {"ds": ds, "y": y}, "columns": free}
        form.set_value(body)
        assert same_json(form.value().body, body), (form.value().body, body)
        for editor in (values, series, columns):
            editor.json_toggle.setChecked(True)
        assert same_json(form.value().body, body)
        for editor in (values, series, columns):
            editor.json_toggle.setChecked(False)
            assert not editor.json_mode, editor.message_label.text()
        assert same_json(form.value().body, body)
        assert form.set_raw_mode(True)
        assert same_json(json.loads(form.raw_editor.text()), body)
        assert form.set_raw_mode(False), form.raw_editor.errors.text()
        assert same_json(form.value().body, body)

    check()


def test_paste_from_a_spreadsheet_matches_columns_by_name(form: RequestForm) -> None:
    series = _editor(form, "series")
    # Copied from a spreadsheet: tab-separated, a header row, columns in another order.
    series.paste_text("y\tds\r\n1.5\t20240101\r\n2.25\t20240102\r\n3\t20240103\r\n")
    assert form.value().body["series"] == {
        "ds": [20240101, 20240102, 20240103],
        "y": [1.5, 2.25, 3],
    }
    assert series.count_label.text() == "3 rows"
    values = _editor(form, "values")
    QGuiApplication.clipboard().setText("0.1\n1e-07\n12345.678\n")
    values.paste_button.click()
    assert form.value().body["values"] == [0.1, 1e-07, 12345.678]
    values.grid.setCurrentIndex(values.model.index(1, 0))
    values.paste_text("7\n8")  # at the selected cell, over what was there
    assert form.value().body["values"] == [0.1, 7, 8]


def test_a_bad_cell_is_reported_at_the_field(form: RequestForm) -> None:
    values = _editor(form, "values")
    values.paste_text("1\nabc\n\n3")
    assert form.errors()["values.1"] == "row 2: “abc” must be a number"
    values.paste_text("1\n2\n3")
    assert "values.1" not in form.errors()
    series = _editor(form, "series")
    series.paste_text("ds,y\n1,2.5\n,3.5\n3,4\n")
    assert form.errors()["series.ds.1"] == "row 2 is empty: fill it or remove the row"


def test_a_dropped_csv_fills_the_table(form: RequestForm, tmp_path: Path) -> None:
    csv_file = tmp_path / "series.csv"
    csv_file.write_text("date,y,ds\n2024-01-01,10.5,1\n2024-01-02,11,2\n", encoding="utf-8")
    series = _editor(form, "series")
    assert drop(series, mime_with(urls=[QUrl.fromLocalFile(str(csv_file))]))
    assert form.value().body["series"] == {"ds": [1, 2], "y": [10.5, 11]}
    free = _editor(form, "columns")
    assert drop(free, mime_with(urls=[QUrl.fromLocalFile(str(csv_file))]))
    # A free-form table takes the file's own column names; a date is not a number.
    assert free.model.names == ["date", "y", "ds"]
    assert "columns.date.0" in form.errors()


def test_json_that_is_not_a_table_stays_json(form: RequestForm) -> None:
    values = _editor(form, "values")
    form.set_value({"values": [1, "two"], "series": {"ds": [], "y": []}, "columns": {}})
    assert values.json_mode
    assert form.value().body["values"] == [1, "two"]
    values.json_toggle.setChecked(False)  # refused, with the reason
    assert values.json_mode and "not a table of numbers" in values.message_label.text()
    values.json_edit.setPlainText("[4, 5.5]")
    values.json_toggle.setChecked(False)
    assert not values.json_mode and form.value().body["values"] == [4, 5.5]


def test_parse_grid_reads_tabs_commas_semicolons_and_quotes() -> None:
    assert parse_grid("1\t2\n3\t4\n") == [["1", "2"], ["3", "4"]]
    assert parse_grid('a,"b, c"\r\n1,2') == [["a", "b, c"], ["1", "2"]]
    assert parse_grid("1;2\n\n3;4") == [["1", "2"], ["3", "4"]]
    assert parse_grid("  \n") == []
    assert MISSING is not None


def test_the_row_count_reads_on_one_line_under_the_grid(form: RequestForm, qtbot: Any) -> None:
    # Seen at 1366×768: "0 rows" wrapped to two lines in the toolbar, between Clear and
    # Edit as JSON, on a route page ~400 px wide.
    form.resize(400, 900)
    values = _editor(form, "values")
    qtbot.waitUntil(lambda: values.isVisible() and values.width() > 0)
    count = values.count_label
    assert count.text() == "0 rows" and count.isVisibleTo(values)
    assert not count.wordWrap()  # never two lines
    layout = values.layout()
    assert layout.indexOf(count) > layout.indexOf(values.grid)  # under the grid
    bar = layout.itemAt(0).layout()  # the toolbar: Paste, Remove rows, Clear, Edit as JSON
    assert bar is not None and bar.indexOf(count) == -1
    assert bar.indexOf(values.clear_button) >= 0 and bar.indexOf(values.json_toggle) >= 0
