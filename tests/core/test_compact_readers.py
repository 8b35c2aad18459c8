"""Every reader of an answer gives the same for a big answer whose long lists were kept as
columns as for the same answer in plain lists: the result view and its Copy text, the
chart, Compare (rows and marks), the text diff, the size estimate, the run's summary."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from ouro_desktop.api._wire import parse_json
from ouro_desktop.api.client import RESPONSE_MEMBERS
from ouro_desktop.api.compact import CompactList, json_default
from ouro_desktop.core.charts import chart_series, resolve_path
from ouro_desktop.core.history_diff import response_diff, text_diff_allowed
from ouro_desktop.core.json_size import json_size_exceeds
from ouro_desktop.core.result_text import result_text
from ouro_desktop.core.result_view import build_view
from ouro_desktop.core.run_compare import RunSide, compare_runs
from ouro_desktop.core.run_record import summarize_result

N = 5000


def _curve(change_at: int | None = None, nan: bool = False) -> list[dict[str, Any]]:
    curve: list[dict[str, Any]] = [
        {"energy_eV": round(i * 0.01, 6), "dos_per_eV": round(math.sqrt(i) / 3, 9), "n": i}
        for i in range(N)
    ]
    if change_at is not None:
        curve[change_at] = {**curve[change_at], "dos_per_eV": -1.0}
    if nan:
        curve[7] = {**curve[7], "dos_per_eV": math.nan}
    return curve


def _answer(**kwargs: Any) -> dict[str, Any]:
    return {
        "formula": "Cu",
        "fermi_energy_eV": kwargs.pop("fermi", 7.031),
        "curve": _curve(**kwargs),
        "grid_eV": [i / 8 for i in range(4 * N)],
    }


def _both(answer: Any) -> tuple[Any, Any]:
    """The answer as read compact (every list in it kept as columns), and plain."""
    body = json.dumps({"data": {"response": answer}}).encode()
    compact = parse_json(body, compact_under=RESPONSE_MEMBERS)["data"]["response"]
    for key, value in answer.items():
        assert isinstance(compact[key], CompactList) == isinstance(value, list), key
    return compact, json.loads(body)["data"]["response"]


def test_the_result_view_and_its_copy_text_are_the_same() -> None:
    compact, plain = _both(_answer(nan=True))
    views = [build_view(answer) for answer in (compact, plain)]
    texts = [result_text(view) for view in views]
    assert texts[0] == texts[1]
    assert "Fermi energy: 7.031 eV" in texts[0].splitlines()
    assert "0.07\tNaN\t7" in texts[0]  # the exact NaN of row 7, as sent
    curves = [next(i for i in view.items if i.key == "curve") for view in views]
    assert curves[0].kind == curves[1].kind == "table"
    assert curves[0].table is not None and curves[1].table is not None
    assert curves[0].table.columns == curves[1].table.columns
    assert curves[0].table.rows(4990, N) == curves[1].table.rows(4990, N)


def test_a_chart_from_columns_is_the_same_chart() -> None:
    compact, plain = _both(_answer())
    declaration = {
        "data": "curve",
        "title": "Fermi level {fermi_energy_eV:1} eV, last point {curve.4999.energy_eV}",
        "sort": "-energy_eV",
        "limit": 3000,
        "config": {"category": {"dataKey": "energy_eV"}, "series": [{"dataKey": "dos_per_eV"}]},
    }
    charts = [chart_series(answer, declaration) for answer in (compact, plain)]
    assert charts[0] is not None and charts[0] == charts[1]
    assert charts[0].title == "Fermi level 7.0 eV, last point 49.99"
    assert charts[0].point_count == 3000
    assert resolve_path(compact, "curve.-1.n") == N - 1 == resolve_path(plain, "curve.-1.n")


@pytest.mark.parametrize(
    ("second", "note"),
    [
        ({}, "the same items"),
        ({"change_at": 4321}, "lists differ from item 4322 on"),
        ({"change_at": 0, "fermi": 7.5}, "lists differ from item 1 on"),
        ({"nan": True}, None),
    ],
)
def test_compare_marks_the_same_rows(second: dict[str, Any], note: str | None) -> None:
    first = _both(_answer(nan="nan" in second))
    other = _both(_answer(**second))
    comparisons = [
        compare_runs(RunSide({}, first[k], "a"), RunSide({}, other[k], "b")) for k in (0, 1)
    ]
    assert comparisons[0] == comparisons[1]
    rows = {row.label: row for row in comparisons[0].rows}
    assert rows["Grid"].note == "the same items" and not rows["Grid"].differs
    assert rows["Grid"].a == "20000 values"
    if note is None:  # NaN in the same place on both sides is the same
        note = "the same items"
    assert rows["Curve"].note == note
    assert rows["Curve"].differs == (note != "the same items")
    assert rows["Fermi energy"].differs == ("fermi" in second)


def test_compare_tells_columns_of_ints_and_floats_by_value() -> None:
    ints = _both({"x": list(range(10 * N))})
    floats = _both({"x": [float(i) for i in range(10 * N)]})
    comparison = compare_runs(RunSide({}, ints[0]), RunSide({}, floats[0]))
    (row,) = comparison.rows
    assert not row.differs and row.note == "the same items"  # 2 and 2.0 are the same


def test_the_size_estimate_and_the_text_diff_are_the_same() -> None:
    small = {"curve": _curve()[:2100], "grid": [i / 8 for i in range(16_000)]}
    compact, plain = _both(small)
    for limit in (10, 1000, 50_000, 200_000, 300_000, 400_000, 10**7):
        assert json_size_exceeds(compact, limit) == json_size_exceeds(plain, limit), limit
    changed = json.loads(json.dumps(small))
    changed["curve"][5]["n"] = -1
    other, other_plain = _both(changed)
    assert text_diff_allowed(compact, other, limit=10**7)
    diff = response_diff(compact, other, limit=10**7)
    assert diff == response_diff(plain, other_plain, limit=10**7)
    assert '-      "n": 5' in diff and '+      "n": -1' in diff


def test_a_summary_and_json_of_an_answer_kept_as_columns() -> None:
    compact, plain = _both(_answer())
    assert summarize_result(compact) == summarize_result(plain)
    assert json.dumps(compact, default=json_default) == json.dumps(plain)
