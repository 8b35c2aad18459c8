"""response_charts → plottable series: dot paths, interpolation, sort/limit, junk tolerance."""

from __future__ import annotations

import asyncio
import math
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from ouro_desktop.api.client import OuroClient
from ouro_desktop.api.models import Action, Route
from ouro_desktop.core.charts import (
    ChartData,
    chart_series,
    interpolate,
    resolve_path,
    response_charts,
)
from ouro_desktop.core.response_schema import response_schema
from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults

EXAMPLES = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples"


async def _run_dos_curve(data_dir: Path, body: dict[str, Any]) -> tuple[Route, Action]:
    app = create_app(data_dir, faults=Faults(time_scale=0.01))
    transport = httpx.ASGITransport(app=app)
    async with OuroClient(
        "http://demo.test", api_key=app.state.backend.api_key, transport=transport
    ) as client:
        await client.sign_in()
        cif = await client.upload_file(EXAMPLES / "NaCl.cif")
        route = await client.get_route("demo/free-electron-dos-curve")
        result = await client.execute(
            route, body=body, input_assets={"file": cif.id}, idempotency_key=str(uuid.uuid4())
        )
        action = result.action
        while not action.is_terminal:
            await asyncio.sleep(0.02)
            action = await client.get_action(action.id)
        return route, action


@pytest.fixture(scope="module")
def dos_curve(tmp_path_factory: pytest.TempPathFactory) -> tuple[Route, Action]:
    return asyncio.run(_run_dos_curve(tmp_path_factory.mktemp("demo"), {"points": 25}))


def test_the_demo_dos_curve_becomes_one_line_chart(dos_curve: tuple[Route, Action]) -> None:
    route, action = dos_curve
    assert action.status == "success"
    (chart,) = response_charts(action.response, route.response_charts)
    assert chart.kind == "line"
    assert chart.title == "Free-electron DOS of ClNa"
    expected = f"Fermi energy {action.response['fermi_energy_eV']:.2f} eV"
    assert chart.description == expected
    # Axes read like the page: titles and units from the key, never the key itself.
    assert chart.x_label == "Energy (eV)" and chart.y_label == "DOS (states/eV/cell)"
    assert chart.point_count == 25 and not chart.categorical
    curve = action.response["curve"]
    assert chart.x == [p["energy_eV"] for p in curve]
    assert chart.series == [("DOS", [p["dos_per_eV_per_cell"] for p in curve])]


def test_axis_titles_come_from_the_response_schema(dos_curve: tuple[Route, Action]) -> None:
    route, action = dos_curve
    schema = response_schema(route)
    assert schema is not None
    (chart,) = response_charts(action.response, route.response_charts, schema)
    assert chart.x_label == "Energy (eV)" and chart.y_label == "DOS (states/eV/cell)"
    titled = {
        "properties": {
            "curve": {
                "items": {
                    "properties": {
                        "energy_eV": {"title": "Photon energy", "x-unit": "meV"},
                        "dos_per_eV_per_cell": {"title": "Density of states"},
                    }
                }
            }
        }
    }
    (chart,) = response_charts(action.response, route.response_charts, titled)
    # the schema's words and unit win over the key's; the key still gives a missing unit
    assert chart.x_label == "Photon energy (meV)"
    assert chart.y_label == "Density of states (states/eV/cell)"


def test_a_declared_series_name_names_the_line_and_keeps_the_unit() -> None:
    decl = {
        "data": "rows",
        "config": {
            "type": "line",
            "category": {"dataKey": "time_s"},
            "series": [{"dataKey": "temperature_K", "name": "Sample temperature"}],
        },
    }
    chart = chart_series({"rows": [{"time_s": 0, "temperature_K": 300}]}, decl)
    assert chart is not None
    assert chart.x_label == "Time (s)" and chart.y_label == "Sample temperature (K)"
    assert chart.series == [("Sample temperature", [300.0])]
    two = {**decl, "config": {**decl["config"], "series": ["temperature_K", "setpoint_K"]}}
    rows = [{"time_s": 0, "temperature_K": 300, "setpoint_K": 310}]
    chart = chart_series({"rows": rows}, two)
    assert chart is not None
    assert [label for label, _ in chart.series] == ["Temperature", "Setpoint"]
    assert chart.y_label == "K"  # the unit both lines share (and no word of their titles)
    fitted = {**decl, "config": {**decl["config"], "series": ["energy_eV", "fitted_energy_eV"]}}
    rows = [{"time_s": 0, "energy_eV": -3.7, "fitted_energy_eV": -3.71}]
    chart = chart_series({"rows": rows}, fitted)
    assert chart is not None
    assert chart.y_label == "Energy (eV)"  # the quantity both lines show, with its unit


DECL = {
    "data": "result.points",
    "title": "{name} at {temp:1} K",
    "config": {
        "type": "bar",
        "category": {"dataKey": "label"},
        "series": [{"dataKey": "a", "name": "Alpha"}, {"dataKey": "b"}],
    },
}


def test_dot_paths_labels_and_bar_kind() -> None:
    response = {
        "name": "X",
        "temp": 300,
        "result": {
            "points": [
                {"label": "p", "a": 1, "b": 2.5},
                {"label": "q", "a": "3", "b": None},  # numeric text counts; None is a gap
                {"label": "r", "a": "n/a", "b": True},  # nothing numeric: skipped
                {"a": 9, "b": 9},  # no category: skipped
                "junk",
            ]
        },
    }
    chart = chart_series(response, DECL)
    assert chart is not None
    assert chart.kind == "bar" and chart.categorical
    assert chart.title == "X at 300.0 K"
    assert chart.x == ["p", "q"]
    assert chart.series[0] == ("Alpha", [1.0, 3.0])
    label, values = chart.series[1]
    assert label == "b" and values[0] == 2.5 and math.isnan(values[1])
    assert chart.y_label == ""  # two series: the legend names them


def test_sort_descending_and_limit() -> None:
    records = [{"t": t, "v": t * 2} for t in (3, 1, 2, 5, 4)] + [{"v": 7}]
    decl = {
        "data": "rows",
        "title": "T",
        "sort": "-t",
        "limit": 3,
        "config": {"type": "line", "category": {"dataKey": "t"}, "series": [{"dataKey": "v"}]},
    }
    chart = chart_series({"rows": records}, decl)
    assert chart is not None
    assert chart.x == [5.0, 4.0, 3.0] and chart.series == [("v", [10.0, 8.0, 6.0])]
    ascending = chart_series({"rows": records}, {**decl, "sort": "t", "limit": None})
    assert ascending is not None and ascending.x == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_without_category_the_index_is_x_and_without_series_numbers_are_found() -> None:
    decl = {"data": "rows", "title": "T", "config": {"type": "line"}}
    chart = chart_series({"rows": [{"x": "a", "y": 1, "z": 2}, {"x": "b", "y": 3, "z": 4}]}, decl)
    assert chart is not None
    assert chart.x == [0.0, 1.0]
    assert [label for label, _ in chart.series] == ["y", "z"]  # one-letter keys stay as they are


def test_number_category_type_reads_numeric_text() -> None:
    decl = {
        "data": "rows",
        "title": "T",
        "config": {"category": {"dataKey": "k", "type": "number"}, "series": ["v"]},
    }
    chart = chart_series({"rows": [{"k": "2.5", "v": 1}, {"k": 3, "v": 2}]}, decl)
    assert chart is not None and chart.x == [2.5, 3.0]


@pytest.mark.parametrize(
    ("response", "decl"),
    [
        ({"rows": []}, {"data": "rows", "title": "T", "config": {"series": ["v"]}}),
        ({"rows": {"v": 1}}, {"data": "rows", "title": "T", "config": {"series": ["v"]}}),
        ({"rows": [{"v": 1}]}, {"data": "nope", "title": "T", "config": {"series": ["v"]}}),
        ({"rows": [{"v": 1}]}, {"data": "rows", "title": "T", "config": "line"}),
        ({"rows": [{"v": 1}]}, {"data": 5, "title": "T", "config": {}}),
        ({"rows": [{"v": "x"}]}, {"data": "rows", "title": "T", "config": {"series": ["v"]}}),
        ({"rows": [1, 2, 3]}, {"data": "rows", "title": "T", "config": {}}),
        (None, {"data": "rows", "title": "T", "config": {}}),
        ({"rows": [{"v": 1}]}, "not a declaration"),
        ({"rows": [{"v": 1}]}, None),
    ],
)
def test_junk_gives_no_chart(response: Any, decl: Any) -> None:
    assert chart_series(response, decl) is None


def test_response_charts_skips_what_cannot_be_drawn() -> None:
    good = {"data": "r", "title": "ok", "config": {"series": ["v"]}}
    charts = response_charts({"r": [{"v": 1}]}, [good, {"data": "missing"}, 42])
    assert [c.title for c in charts] == ["ok"]
    assert all(isinstance(c, ChartData) for c in charts)
    assert response_charts({"r": []}, None) == []


def test_interpolation_and_paths() -> None:
    response = {"a": {"b": [{"c": 3.14159}]}, "n": 7, "s": "Si", "flag": False, "t": "2.5"}
    assert interpolate("{a.b.0.c:2} / {n} / {s} / {flag} / {t:3}", response) == (
        "3.14 / 7 / Si / false / 2.500"
    )
    assert interpolate("{missing} and {a}", response) == "? and ?"
    negative = {"E0": -3.72002, "n": -2, "t": "-0.5"}
    assert interpolate("E0 = {E0:4} eV, {n}, {t:2}", negative) == "E0 = −3.7200 eV, −2, −0.50"
    assert interpolate("no braces {}", response) == "no braces {}"
    assert interpolate(None, response) == ""
    assert resolve_path(response, "a.b.0.c") == 3.14159
    assert resolve_path(response, "a.b[0].c") == 3.14159
    assert resolve_path(response, "a.b.5") is None
    assert resolve_path(response, "") is response


def test_the_eos_demo_draws_its_measured_points_as_markers_on_an_energy_axis() -> None:
    from ouro_desktop.core.charts import response_charts
    from ouro_desktop.core.response_schema import response_schema
    from tests.core.test_result_view import demo_answer

    route, answer = demo_answer("fit-equation-of-state")
    charts = response_charts(answer, route.response_charts, response_schema(route))
    both = next(c for c in charts if c.title == "Measured and fitted energies")
    assert [name for name, _ in both.series] == ["Measured", "Fitted"]
    assert both.markers == (True, False)
    assert both.y_label == "Energy (eV)"  # not the unit alone
