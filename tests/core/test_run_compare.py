"""Compare as a table: labelled rows with units, differing rows marked, changes absolute and
in percent, bounded and cancellable work on huge answers."""

from __future__ import annotations

import asyncio
import copy
import math
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from ouro_desktop.api.client import OuroClient
from ouro_desktop.api.models import Action, Route
from ouro_desktop.core.history_diff import (
    TOO_LARGE_TO_DIFF,
    response_diff,
    run_inputs,
    text_diff_allowed,
)
from ouro_desktop.core.run_compare import (
    CompareCancelled,
    CompareLimits,
    Comparison,
    RunSide,
    compare_runs,
)
from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults

EXAMPLES = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples"


async def _runs(
    data_dir: Path, slug: str, bodies: list[dict[str, Any]], cif: str | None = None
) -> tuple[Route, list[Action]]:
    app = create_app(data_dir, faults=Faults(time_scale=0.01))
    transport = httpx.ASGITransport(app=app)
    async with OuroClient(
        "http://demo.test", api_key=app.state.backend.api_key, transport=transport
    ) as client:
        await client.sign_in()
        route = await client.get_route(f"demo/{slug}")
        assets = {}
        if cif is not None:
            assets = {"file": (await client.upload_file(EXAMPLES / cif)).id}
        actions = []
        for body in bodies:
            result = await client.execute(
                route, body=body, input_assets=assets or None, idempotency_key=str(uuid.uuid4())
            )
            action = result.action
            while not action.is_terminal:
                await asyncio.sleep(0.02)
                action = await client.get_action(action.id)
            assert action.status == "success", action.response
            actions.append(action)
        await app.state.backend.aclose()
        return route, actions


def _compare(route: Route, actions: list[Action], **kw: Any) -> Comparison:
    first, second = actions
    return compare_runs(
        RunSide(run_inputs(first, None), first.response, "run 1"),
        RunSide(run_inputs(second, None), second.response, "run 2"),
        route=route,
        **kw,
    )


@pytest.fixture(scope="module")
def formula_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Route, list[Action]]:
    bodies = [
        {"formula": "H2O", "decimals": 3, "conditions": {"temperature_K": 300}},
        {"formula": "H2O", "decimals": 3, "conditions": {"temperature_K": 350}},
    ]
    return asyncio.run(_runs(tmp_path_factory.mktemp("demo"), "formula-properties", bodies))


def test_one_changed_input_marks_exactly_it_and_the_results_it_changes(
    formula_runs: tuple[Route, list[Action]],
) -> None:
    route, actions = formula_runs
    comparison = _compare(route, actions)
    differing = [(row.section, row.label) for row in comparison.differing_rows]
    assert differing == [
        ("Inputs", "Conditions › Temperature"),
        ("Results", "Conditions › Temperature"),
        ("Results", "Ideal-gas volume"),
    ]
    assert comparison.differing == 3 and comparison.compared == len(comparison.rows)
    temperature = comparison.differing_rows[1]
    assert (temperature.a, temperature.b) == ("300 K", "350 K")
    assert (temperature.change, temperature.change_pct) == ("+50 K", "+16.7 %")
    volume = comparison.differing_rows[2]
    assert volume.a.endswith(" L") and volume.change.startswith("+") and volume.unit == "L"
    assert volume.change_pct == "+16.7 %"  # V ∝ T for an ideal gas
    same = {row.label: row for row in comparison.rows if not row.differs}
    assert same["Molar mass"].a == same["Molar mass"].b == "18.015 g/mol"
    assert same["Elements › 1 (H) › Count"].a == "2"
    assert not any("_" in row.label for row in comparison.rows)  # labels, never keys


@pytest.fixture(scope="module")
def curve_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Route, list[Action]]:
    bodies = [{"points": 40, "smearing_eV": 0.2, "steps": 1}, {"points": 40, "steps": 1}]
    bodies[1]["smearing_eV"] = 0.3
    return asyncio.run(
        _runs(tmp_path_factory.mktemp("demo"), "free-electron-dos-curve", bodies, "Cu.cif")
    )


def test_a_long_list_is_one_row_with_where_it_starts_to_differ(
    curve_runs: tuple[Route, list[Action]],
) -> None:
    route, actions = curve_runs
    comparison = _compare(route, actions)
    rows = {row.label: row for row in comparison.rows}
    curve = rows["DOS curve"]
    assert curve.kind == "list" and curve.differs
    assert (curve.a, curve.b) == ("40 items", "40 items")
    assert curve.note == "lists differ from item 1 on"
    assert rows["Gaussian smearing"].change == "+0.1 eV"
    assert rows["Fermi energy"].differs is False and rows["Fermi energy"].a == "7.031 eV"
    assert rows["Input files › File"].kind == "file" and not rows["Input files › File"].differs


def test_outputs_are_compared_by_name_and_kind(tmp_path: Path) -> None:
    route, actions = asyncio.run(
        _runs(tmp_path, "build-supercell", [{"na": 2}, {"na": 3}], "Cu.cif")
    )
    comparison = _compare(route, actions)
    rows = {row.label: row for row in comparison.rows}
    output = rows["Supercell"]
    assert output.kind == "output" and output.differs
    assert output.a == "Cu_supercell_2x2x2 · crystal structure (CIF)"
    assert output.b == "Cu_supercell_3x2x2 · crystal structure (CIF)"
    assert rows["Repeats (a × b × c)"].a == "2, 2, 2" and rows["Repeats (a × b × c)"].differs
    assert rows["Atoms in the supercell"].change == "+16"
    assert rows["Atoms in the supercell"].change_pct == "+50 %"


def test_same_named_input_files_that_differ_are_said_to() -> None:
    a = RunSide({"files": {"file": {"name": "Cu.cif", "asset_id": "aaa"}}}, {})
    b = RunSide({"files": {"file": {"name": "Cu.cif", "asset_id": "bbb"}}}, {})
    (row,) = compare_runs(a, b).rows
    assert row.differs and row.note == "same name, different files" and row.a == "Cu.cif"


def test_values_only_one_run_has_and_nothing_against_something() -> None:
    a = RunSide({}, {"charge": None, "energy_eV": -1.5, "old_K": 3})
    b = RunSide({}, {"charge": 2, "energy_eV": -1.5, "new_K": 4})
    rows = {row.label: row for row in compare_runs(a, b).rows}
    assert rows["Charge"].a == "—" and rows["Charge"].b == "2" and rows["Charge"].differs
    assert rows["Energy"].a == "−1.5 eV" and not rows["Energy"].differs
    assert rows["Old"].note == "only in the first run" and rows["Old"].b == "—"
    assert rows["New"].note == "only in the second run"
    nan = compare_runs(RunSide({}, {"x": math.nan}), RunSide({}, {"x": math.nan}))
    assert not nan.rows[0].differs and nan.rows[0].a == "not a number"
    # an empty list reads as nothing ("—"), never as an empty cell
    empty = compare_runs(
        RunSide({"body": {"shifts": []}}, {}), RunSide({"body": {"shifts": []}}, {})
    )
    (row,) = empty.rows
    assert (row.a, row.b, row.differs) == ("—", "—", False)


def _big_answer(size: int, *, change_at: int | None = None) -> dict[str, Any]:
    curve = [{"energy_eV": i * 1e-3, "dos_per_eV_per_cell": i * 0.5} for i in range(size)]
    if change_at is not None:
        curve[change_at] = {**curve[change_at], "dos_per_eV_per_cell": -1.0}
    return {"formula": "Cu", "curve": curve, "grid": [0.1] * size}


def test_huge_answers_are_compared_in_chunks_and_can_be_cancelled() -> None:
    a = _big_answer(300_000)
    b = _big_answer(300_000, change_at=250_000)
    calls = 0

    def cancel() -> bool:
        nonlocal calls
        calls += 1
        return False

    comparison = compare_runs(RunSide({}, a), RunSide({}, b), cancel=cancel)
    rows = {row.label: row for row in comparison.rows}
    assert rows["Curve"].note == "lists differ from item 250001 on"
    assert rows["Grid"].note == "the same items" and not rows["Grid"].differs
    assert (rows["Grid"].a, rows["Curve"].a) == ("300000 values", "300000 items")
    # 600,000 items were compared 4,096 at a time between checks, not one by one.
    assert 100 < calls < 1_000

    def cancel_soon() -> bool:
        nonlocal calls
        calls += 1
        return calls > 20

    calls = 0
    with pytest.raises(CompareCancelled):
        compare_runs(RunSide({}, a), RunSide({}, b), cancel=cancel_soon)
    assert calls == 21  # stopped at the first check after the request


def test_rows_are_capped_with_a_more_row_that_still_counts_differences() -> None:
    a = {f"value_{i}_eV": float(i) for i in range(5_000)}
    b = dict(a, value_4999_eV=0.0, value_10_eV=11.0)
    comparison = compare_runs(RunSide({}, a), RunSide({}, b), limits=CompareLimits(max_rows=100))
    assert len(comparison.rows) == 101 and comparison.omitted == 4_900
    assert comparison.compared == 5_000 and comparison.differing == 2
    more = comparison.rows[-1]
    assert more.kind == "more" and more.label == "… 4900 more rows"
    assert more.differs and more.note == "1 of them differ"
    assert comparison.rows[10].label == "Value 10" and comparison.rows[10].change == "+1 eV"


def test_the_text_diff_is_only_for_bounded_answers() -> None:
    small_a, small_b = {"x": 1}, {"x": 2}
    assert text_diff_allowed(small_a, small_b)
    assert any(line.startswith("+") for line in response_diff(small_a, small_b))
    big = _big_answer(20_000)
    other = copy.deepcopy(big)
    other["formula"] = "Ag"
    assert not text_diff_allowed(big, other)
    assert response_diff(big, other) == [TOO_LARGE_TO_DIFF]


def test_long_compact_lists_make_rows_only_around_where_they_differ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Made as rows, a chunk of 4,096 records of each run was several milliseconds of the
    # worker's between two checks (the window waits for the interpreter meanwhile): the
    # columns say which small piece differs, and only its rows are made.
    from ouro_desktop.api._wire import parse_json
    from ouro_desktop.api.compact import RecordColumns
    from ouro_desktop.core.compare_values import COMPACT_PIECE
    from tests.heavy_routes import answer_json

    a, b = (
        parse_json(b'{"r":' + answer_json(1.0, variant) + b"}", compact_under={"r"})["r"]
        for variant in (0, 1)
    )
    assert isinstance(a["curve"], RecordColumns) and isinstance(b["curve"], RecordColumns)
    made: list[int] = []
    real = RecordColumns.rows

    def rows(self: RecordColumns, start: int = 0, stop: int | None = None) -> list[Any]:
        made.append((len(self) if stop is None else stop) - start)
        return real(self, start, stop)

    monkeypatch.setattr(RecordColumns, "rows", rows)
    comparison = compare_runs(RunSide({}, a), RunSide({}, b))
    curve = {row.label: row for row in comparison.rows}["Curve"]
    # The variant changes every 50th value from item 51 on (item 1's value is 0 in both).
    assert curve.differs and curve.note == "lists differ from item 51 on"
    assert made and max(made) <= COMPACT_PIECE
    same = compare_runs(RunSide({}, a), RunSide({}, a))
    assert {row.label: row for row in same.rows}["Curve"].note == "the same items"


def test_a_value_with_its_uncertainty_reads_as_in_the_runs_own_view() -> None:
    # An equation-of-state fit: E0 with the digits its uncertainty determines, as the
    # result view shows them ("−3.720022 eV", "0.000017 eV"), not four figures.
    a = RunSide({}, {"E0_eV": -3.72002194, "E0_error_eV": 1.66e-5, "B0_GPa": 140.070123})
    b = RunSide({}, {"E0_eV": -3.72004101, "E0_error_eV": 1.71e-5, "B0_GPa": 140.070123})
    rows = {row.label: row for row in compare_runs(a, b).rows}
    energy = next(row for label, row in rows.items() if label.startswith("E0"))
    error = next(row for label, row in rows.items() if "rror" in label)
    assert (energy.a, energy.b) == ("−3.720022 eV", "−3.720041 eV") and energy.differs
    assert (error.a, error.b) == ("0.000017 eV", "0.000017 eV")
    assert energy.a_exact == "-3.72002194"  # the exact figure is kept for hover and Copy
    bulk = next(row for label, row in rows.items() if label.startswith("B0"))
    assert bulk.a == "140.1 GPa"  # no uncertainty: the usual four figures
