"""What each route input needs, whether a picked asset fits, and the column checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ouro_desktop.api.asset_models import AssetSummary, DatasetAsset, PostAsset
from ouro_desktop.api.models import FileAsset, Route
from ouro_desktop.core.asset_inputs import (
    asset_fits,
    file_kind_text,
    input_needs,
    required_inputs,
)
from ouro_desktop.core.table_columns import (
    check_columns,
    column_fields,
    declared_columns,
    suggest_column,
)
from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.services import demo_services
from tests import real_specs

NOW = "2026-01-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def routes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Route]:
    """Routes of the demo and of the five real specs, by name (demo ones by slug)."""
    app = create_app(
        tmp_path_factory.mktemp("inputs"),
        services=demo_services() + real_specs.real_spec_services(),
    )
    rows = app.state.backend.store.assets(asset_types=["route"])
    out = {}
    for row in rows:
        route = Route.from_json(row)
        out[route.name] = route
    return out


def file_asset(name: str, mime: str | None, ext: str) -> FileAsset:
    return FileAsset.from_json(
        {"id": f"f-{name}", "name": name, "metadata": {"type": mime, "extension": ext}}
    )


def dataset() -> DatasetAsset:
    return DatasetAsset.from_json(
        {"id": "d1", "name": "sales", "asset_type": "dataset", "metadata": {"columns": ["ds"]}}
    )


def post() -> PostAsset:
    return PostAsset.from_json({"id": "p1", "name": "Note", "content": {"text": "hi"}})


def test_needs_say_what_each_input_takes(routes: dict[str, Route]) -> None:
    (sketch,) = input_needs(routes["POST /stable-image/control/sketch"])
    assert (sketch.key, sketch.asset_type, sketch.kind_filter) == ("file", "file", "image")
    assert "png" in sketch.extensions and sketch.required
    assert sketch.search == {"asset_type": "file", "file_type": "image"}
    assert sketch.accepts_text.endswith("— image") and sketch.drop_extensions == sketch.extensions
    (table,) = input_needs(routes["POST /forecast"])
    assert (table.key, table.asset_type, table.title) == ("dataset", "dataset", "Dataset")
    assert table.search == {"asset_type": "dataset"} and table.extensions == ()
    assert table.drop_extensions == ("csv", "tsv", "txt") and "CSV" in table.accepts_text
    (note,) = input_needs(routes["POST /speech/from-post"])
    assert note.asset_type == "post" and note.drop_extensions == ()
    assert note.description == "The post to convert to speech"
    (cif,) = input_needs(routes["fit-equation-of-state"])
    assert cif.asset_type == "dataset" and cif.required
    (relax,) = input_needs(routes["POST /materials/structure/relax"])
    assert relax.search == {"asset_type": "file", "extensions": ["cif"]}
    assert required_inputs(routes["POST /forecast"]) == ["dataset"]
    assert required_inputs(routes["POST /generate"]) == []


@pytest.mark.parametrize(
    ("route", "asset", "ok", "words"),
    [
        (
            "POST /stable-image/control/sketch",
            file_asset("Cu.cif", "chemical/x-cif", "cif"),
            False,
            "“Cu.cif” is a crystal structure (.cif), but “File” takes an image.",
        ),
        # ouro-py stores .cif as octet-stream: the extension still tells what it is
        (
            "POST /images/variations",
            file_asset("Cu.cif", "application/octet-stream", "cif"),
            False,
            "is a crystal structure (.cif)",
        ),
        ("POST /stable-image/control/sketch", file_asset("s.png", "image/png", "png"), True, ""),
        (
            "POST /materials/structure/relax",
            file_asset("s.png", "image/png", "png"),
            False,
            "“s.png” is an image (.png), but “File” takes .cif",
        ),
        ("POST /materials/structure/relax", file_asset("Cu.cif", None, "cif"), True, ""),
        (
            "POST /forecast",
            file_asset("t.csv", "text/csv", "csv"),
            False,
            "“t.csv” is a file, but “Dataset” takes a dataset.",
        ),
        ("POST /forecast", dataset(), True, ""),
        ("POST /forecast", post(), False, "“Note” is a post, but “Dataset” takes a dataset."),
        ("POST /speech/from-post", post(), True, ""),
        ("POST /speech/from-post", dataset(), False, "takes a post"),
    ],
)
def test_a_pick_that_does_not_fit_is_refused_with_the_reason(
    routes: dict[str, Route], route: str, asset: Any, ok: bool, words: str
) -> None:
    (need,) = input_needs(routes[route])
    fit = asset_fits(need, asset)
    assert fit.ok is ok
    assert words in fit.reason and (fit.reason == "") is ok


def test_other_asset_types_and_kind_words() -> None:
    summary = AssetSummary.from_json(
        {"id": "r1", "asset_type": "route", "name": "A route", "created_at": NOW}
    )
    assert summary.asset_type == "route"
    assert file_kind_text(file_asset("a.mp3", "audio/mpeg", "mp3")) == "audio (.mp3)"
    assert file_kind_text(file_asset("m.obj", "model/obj", "obj")) == "a 3D model (.obj)"


def test_column_fields_nested_and_flat(routes: dict[str, Route]) -> None:
    nixtla = column_fields(routes["POST /forecast"])
    assert [(f.dotted, f.title, f.default, f.required) for f in nixtla] == [
        ("config.date_column", "Date Column", None, True),
        ("config.value_column", "Value Column", None, True),
    ]
    eos = column_fields(routes["fit-equation-of-state"])
    assert [(f.dotted, f.default) for f in eos] == [
        ("volume_column", "volume"),
        ("energy_column", "energy"),
    ]
    assert column_fields(routes["formula-properties"]) == []
    assert declared_columns(routes["POST /forecast"], "dataset") == []


def test_column_check_names_what_is_missing_and_suggests(routes: dict[str, Route]) -> None:
    eos = routes["fit-equation-of-state"]
    table = {"volume_a3": "number", "energy_ev": "number", "label": "text"}
    check = check_columns(table, eos, "dataset", {})
    assert not check.ok
    assert check.problems[0] == (
        "“Volume column” is “volume”, but the table has no such column. Its columns are: "
        "“volume_a3”, “energy_ev”, “label”."
    )
    assert check.suggestions == {"volume_column": "volume_a3", "energy_column": "energy_ev"}
    fixed = check_columns(
        table, eos, "dataset", {"volume_column": "Volume A3", "energy_column": "energy_ev"}
    )
    assert fixed.ok and fixed.suggestions == {}
    nixtla = check_columns(
        {"ds": "date", "y": "integer", "store": "text"}, routes["POST /forecast"], "dataset"
    )
    assert nixtla.ok and nixtla.suggestions == {
        "config.date_column": "ds",
        "config.value_column": "y",
    }


def test_declared_row_columns_are_checked_by_kind(tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {
            "table": {
                "type": "object",
                "properties": {
                    "data": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "Temperature": {"type": "number"},
                                "phase": {"type": "string"},
                            },
                            "required": ["Temperature", "phase"],
                        },
                    }
                },
            }
        },
        "required": ["table"],
    }
    route = Route.from_json(
        {
            "id": "r",
            "route": {
                "method": "POST",
                "path": "/x",
                "input_assets": {"table": {"asset_type": "dataset"}},
                "request_body": {"content": {"application/json": {"schema": schema}}},
            },
        }
    )
    assert [c.name for c in declared_columns(route, "table")] == ["temperature", "phase"]
    check = check_columns({"temperature": "text"}, route, "table")
    assert check.problems == [
        "The route reads “temperature” as numbers, but that column holds text.",
        "The route needs a column “phase”; the table has: “temperature”.",
    ]


@pytest.mark.parametrize(
    ("wanted", "available", "expected"),
    [
        ("Volume", ["volume", "energy"], "volume"),
        ("volume", ["volume_a3", "energy_ev"], "volume_a3"),
        ("temp", ["temperature_k", "pressure"], "temperature_k"),
        ("energy", ["enrgy", "volume"], "enrgy"),
        ("x", ["a", "b"], None),
        ("e", ["energy", "energy_2"], None),  # two equally likely: ask, do not guess
    ],
)
def test_suggest_column(wanted: str, available: list[str], expected: str | None) -> None:
    assert suggest_column(wanted, available) == expected
