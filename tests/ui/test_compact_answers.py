"""A big answer whose long lists were kept as columns reads exactly as the same answer
parsed into plain lists: the labelled view, its tables, its chart, Copy, the JSON tree
and its Copy; and in the app, a big run opened from the history and two big runs
compared."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from ouro_desktop.api._wire import parse_json
from ouro_desktop.api.client import RESPONSE_MEMBERS
from ouro_desktop.api.compact import CompactList, NumberColumn, RecordColumns
from ouro_desktop.api.models import Route
from ouro_desktop.core.number_format import format_number
from ouro_desktop.ui.history.compare import MARK, CompareModel
from ouro_desktop.ui.results.answer_view import AnswerView
from ouro_desktop.ui.results.json_tree import JsonTreeModel
from ouro_desktop.ui.results.table_model import ResultTableModel, ResultTableView
from tests.heavy_routes import heavy_services
from tests.ui.test_answer_view import _open_everything, _texts

from .app_harness import App

N = 6000  # records: a big answer (read in steps), lists long enough to be kept as columns

_KEPT: list[AnswerView] = []


@pytest.fixture(autouse=True)
def _keep_views_until_teardown() -> Any:
    yield
    _KEPT.clear()


def _route() -> Route:
    def number(title: str, unit: str = "") -> dict[str, Any]:
        return {"type": "number", "title": title, **({"x-unit": unit} if unit else {})}

    record = {
        "type": "object",
        "properties": {"energy_eV": number("Energy", "eV"), "dos_per_eV": number("DOS")},
    }
    step = {
        "type": "object",
        "properties": {"step": {"type": "integer", "title": "Step"}, "force": number("Force")},
    }
    schema = {
        "type": "object",
        "properties": {
            "points": {"type": "integer", "title": "Points"},
            "fermi_energy_eV": number("Fermi energy", "eV"),
            "curve": {"type": "array", "title": "Curve", "items": record},
            "levels_eV": {"type": "array", "title": "Levels", "items": number("Level")},
            "steps": {"type": "array", "title": "Steps", "items": step},
        },
    }
    chart = {
        "data": "curve",
        "title": "DOS, E_F = {fermi_energy_eV:2} eV",
        "config": {
            "type": "line",
            "category": {"dataKey": "energy_eV"},
            "series": [{"dataKey": "dos_per_eV"}],
        },
    }
    definition = {
        "name": "big-curve",
        "method": "POST",
        "path": "/big-curve",
        "responses": {"200": {"content": {"application/json": {"schema": schema}}}},
        "response_charts": [chart],
    }
    return Route.from_json({"id": "r1", "name": "big-curve", "route": definition})


def _answer_text() -> bytes:
    answer = {
        "points": N,
        "fermi_energy_eV": 7.031,
        "curve": [
            {"energy_eV": round(i * 0.0125, 6), "dos_per_eV": round((i % 97) / 7, 9)}
            for i in range(N)
        ],
        "levels_eV": [(-1) ** i * i / 3 for i in range(4 * N)],
        # ints, floats and nulls in one column; 1.0 is not 1
        "steps": [
            {"step": i, "force": None if i % 10 == 0 else (1.0 if i % 3 else i)} for i in range(N)
        ],
    }
    return json.dumps({"data": {"id": "a1", "status": "success", "response": answer}}).encode()


def _both() -> tuple[Any, Any]:
    """The answer as the client reads a big one (long lists as columns), and as plain JSON."""
    body = _answer_text()
    compact = parse_json(body, compact_under=RESPONSE_MEMBERS)["data"]["response"]
    plain = json.loads(body)["data"]["response"]
    assert isinstance(compact["curve"], RecordColumns)
    assert isinstance(compact["levels_eV"], NumberColumn)
    assert isinstance(compact["steps"], RecordColumns)
    assert compact == plain
    return compact, plain


def _view(qtbot: Any, answer: Any, route: Route) -> AnswerView:
    view = AnswerView()
    _KEPT.append(view)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.set_answer(answer, route)
    view.show()
    _open_everything(view)
    return view


def _tree_rows(model: JsonTreeModel, parent: QModelIndex, count: int) -> list[tuple[Any, ...]]:
    rows = []
    for row in range(min(count, model.rowCount(parent))):
        key, value = model.index(row, 0, parent), model.index(row, 1, parent)
        rows.append((key.data(), value.data(), value.data(Qt.ItemDataRole.ToolTipRole)))
    return rows


def test_a_big_answer_kept_as_columns_reads_as_the_plain_one(qtbot: Any) -> None:
    route = _route()
    compact, plain = _both()
    views = [_view(qtbot, answer, route) for answer in (compact, plain)]
    fast, slow = views
    assert _texts(fast) == _texts(slow)
    assert fast.shown_values() == slow.shown_values()
    assert fast.shown_values()["Fermi energy"] == "7.031 eV"
    # The tables, cell by cell and as copied for a spreadsheet.
    tables = [v.findChildren(ResultTableView) for v in views]
    assert len(tables[0]) == len(tables[1]) == 3
    for mine, theirs in zip(*tables, strict=True):
        model = mine.result_model
        assert model.table.row_count == theirs.result_model.table.row_count
        assert mine.copy_rows() == theirs.copy_rows()
        for row in (0, 1, 10, 199):
            for column in range(model.columnCount()):
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    index = model.index(row, column)
                    other = theirs.result_model.index(row, column)
                    assert model.data(index, role) == theirs.result_model.data(other, role)
    steps = next(t for t in tables[0] if t.result_model.table.columns[0].label == "Step")
    copied = steps.result_model.rows_text([0, 1, 3])
    assert copied.splitlines()[1:] == ["0\tnull", "1\t1.0", "3\t3"]  # exact: 1.0 is not 1
    # The chart, point by point, and Copy of the whole answer.
    assert fast.panel is not None and slow.panel is not None
    (chart,) = fast.panel.charts
    assert chart.chart == slow.panel.charts[0].chart
    assert chart.chart.point_count == N and chart.chart.title == "DOS, E_F = 7.03 eV"
    assert fast.copy_all() == slow.copy_all()
    assert "Fermi energy: 7.031 eV" in fast.copy_all().splitlines()


def test_the_json_tree_of_a_big_answer_kept_as_columns_is_the_same(qtbot: Any) -> None:
    route = _route()
    compact, plain = _both()
    views = [_view(qtbot, answer, route) for answer in (compact, plain)]
    models = []
    for view in views:
        view.json_button.click()
        models.append(view.json_view.model)
    top = [_tree_rows(m, QModelIndex(), 10) for m in models]
    assert top[0] == top[1]
    assert ("curve", f"[{N:,} items]".replace(",", ""), None) in top[0]
    for key in ("curve", "levels_eV", "steps"):
        parents = [v.json_view.index_of(key) for v in views]
        for view, parent in zip(views, parents, strict=True):
            view.json_view.tree.expand(parent)
        pages = [_tree_rows(m, p, 1001) for m, p in zip(models, parents, strict=True)]
        assert pages[0] == pages[1] and len(pages[0]) == 1001  # a page, and "… more"
        models[0].show_more(models[0].index(1000, 0, parents[0]))
        models[1].show_more(models[1].index(1000, 0, parents[1]))
        pages = [_tree_rows(m, p, 2001) for m, p in zip(models, parents, strict=True)]
        assert pages[0] == pages[1]
    # Copy value of one record, and Copy all as JSON (written out in a worker): the same
    # text as the plain answer gives.
    record = [v.json_view.index_of("steps[3]") for v in views]
    texts = []
    for view, index in zip(views, record, strict=True):
        view.json_view.tree.setCurrentIndex(index)
        texts.append(view.json_view.copy_value())
    assert texts[0] == texts[1] == json.dumps({"step": 3, "force": 3}, indent=2)
    with qtbot.waitSignal(views[0].json_view.copied, timeout=20_000) as copied:
        assert views[0].json_view.copy_all() is None  # big: in a worker
    assert copied.args[0] == json.dumps(plain, indent=2, ensure_ascii=False)


def _large_app(qtbot: Any, aio: Any, profile: Path) -> App:
    return App(qtbot, aio, profile, services=heavy_services(forms=False))


def _run(app: App, body: dict[str, Any]) -> str:
    async def go() -> Any:
        client, tracker = app.session.client, app.runs.tracker
        assert client is not None and tracker is not None
        route = await client.get_route("demo/large-answer")
        return await tracker.submit(route, body=body)

    record = app.aio.run(go())
    app.aio.wait_until(lambda: any(r.local_id == record.local_id for r in app.finished), 120)
    assert record.action_id
    return str(record.action_id)


def test_a_big_run_opened_in_the_history_and_two_compared(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = _large_app(qtbot, aio, tmp_path)
    try:
        first = _run(app, {"megabytes": 0.6, "variant": 0})
        second = _run(app, {"megabytes": 0.6, "variant": 1})
        pane, detail = app.window.history, app.window.run_detail
        app.aio.wait_until(lambda: pane.select_run(first), timeout=30)
        app.aio.wait_until(
            lambda: detail.key() == first and detail.answer_view.view() is not None, timeout=60
        )
        response = detail.answer_view.response()
        curve = response["curve"]
        assert isinstance(curve, CompactList)  # kept as columns on its way in
        points = len(curve)
        assert points > 10_000 and response["points"] == points
        assert detail.answer_view.shown_values()["Points"] == format_number(points)
        (table,) = detail.answer_view.findChildren(ResultTableView)
        model = table.result_model
        assert model.table.row_count == points
        for row in (1, 7, 199):
            value = curve[row]["dos_per_eV"]
            assert model.index(row, 1).data() == format_number(value)
            assert model.index(row, 1).data(ResultTableModel.ExactRole) == repr(value)
        # Compare the two runs: the variant and the curve differ, the length does not.
        dialog = app.compare(first, second, timeout=120)
        differing = [(r.section, r.label, r.note) for r in dialog.rows() if r.differs]
        assert differing == [
            ("Inputs", "Variant", ""),
            ("Results", "Variant", ""),
            ("Results", "Curve", "lists differ from item 51 on"),  # every 50th, 0 is 0
        ]
        same = dialog.shown_row("Points")
        assert dialog.model.index(same, CompareModel.MARK_COLUMN).data() == ""
        changed = dialog.shown_row("Curve")
        assert dialog.model.index(changed, CompareModel.MARK_COLUMN).data() == MARK
        dialog.close()
    finally:
        app.close()
