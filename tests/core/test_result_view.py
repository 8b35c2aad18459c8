"""The result view: every demo route's answer and every real route spec read without a raw
key where a title exists, with a unit wherever one is known, the exact value kept; bounded
work on huge answers."""

from __future__ import annotations

import asyncio
import copy
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ouro_desktop.api.models import Route
from ouro_desktop.core.labels import humanise_key, is_generated_title
from ouro_desktop.core.response_schema import output_declarations, response_schema
from ouro_desktop.core.result_summary import (
    headline_items,
    leaf_items,
    output_items,
    property_paths,
    schema_columns,
)
from ouro_desktop.core.result_view import (
    ResultItem,
    ViewLimits,
    build_view,
    child_items,
    view_for_route,
)
from ouro_desktop.core.units import split_key_unit, split_title_unit
from ouro_desktop.demo.openapi_import import route_definitions
from ouro_desktop.demo.services import demo_services
from ouro_desktop.demo.services.real_specs import load_spec
from tests.demo.test_services import file_ref, input_ref, make_call

EXAMPLES = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples"
SPECS = Path(__file__).resolve().parents[1] / "data" / "real-route-specs"


# -- walking a view ---------------------------------------------------------------------------
def walk(items: tuple[ResultItem, ...] | list[ResultItem]) -> Iterator[ResultItem]:
    for item in items:
        yield item
        yield from walk(item.children)


def check_item(item: ResultItem) -> None:
    """No raw key where a title exists, a unit wherever one is known, the exact value kept."""
    title = item.schema.get("title")
    if item.key and not item.key.isdigit():
        if isinstance(title, str) and title and not is_generated_title(title, item.key):
            assert item.label.startswith(split_title_unit(title).stem), (item.key, item.label)
        elif item.label != humanise_key(item.key):
            # a record's name, or words added to tell two siblings apart
            assert item.label.startswith(humanise_key(item.key)), (item.key, item.label)
        if "_" in item.key:
            assert item.label != item.key, item.key
    known = item.schema.get("x-unit") or split_key_unit(item.key).unit
    if item.kind == "number" and known and "per " not in known:
        assert item.unit, (item.key, item.display)
        assert item.display.endswith(item.unit)
    if item.kind == "number" and not item.text.count(","):
        value = json.loads(item.exact)
        assert value == item.value or (math.isnan(value) and math.isnan(item.value))
    if item.kind in ("text", "empty"):
        assert item.text and "None" != item.text
    if item.table is not None:
        for column in item.table.columns:
            if "_" in column.key:
                assert column.label != column.key, column.key
            if split_key_unit(column.key).unit and "per " not in split_key_unit(column.key).unit:
                assert column.unit and column.header.endswith(f"({column.unit})")
        for row in item.table.rows(0, 3):
            assert all(cell.text for cell in row)


# -- the demo routes -------------------------------------------------------------------------
def _demo_routes() -> dict[str, Route]:
    out = {}
    for service in demo_services():
        for index, definition in enumerate(route_definitions(service.openapi, service.operations)):
            name = service.route_names.get((definition["method"], definition["path"]))
            raw = {"id": f"{service.key}-{index}", "name": name or definition["name"]}
            out[name or definition["name"]] = (
                Route.from_json({**raw, "route": definition}),
                service,
            )
    return out  # type: ignore[return-value]


ROUTES: dict[str, Any] = _demo_routes()
BODIES = {
    "formula-properties": {
        "formula": "CuSO4·5H2O",
        "mixture": [{"formula": "H2O", "fraction": 0.5}, {"formula": "NH3", "fraction": 0.5}],
        "isotope_shifts": [1.0063],
        "notes": "weighed twice\nsecond time after drying",
    },
    "free-electron-dos-curve": {"points": 30},
}


def demo_answer(slug: str, cif: str = "Cu.cif") -> tuple[Route, Any]:
    """The route and the answer as the backend stores it (output bytes moved to a file)."""
    route, service = ROUTES[slug]
    handler = service.handlers[(route.method, route.path)]
    body = copy.deepcopy(BODIES.get(slug, {}))
    for key, decl in route.input_assets.items():
        body[key] = file_ref(cif) if decl.asset_type == "file" else input_ref(decl.asset_type)
    call, _ = make_call(body, (EXAMPLES / cif).read_bytes())
    answer = asyncio.run(handler(call))
    for key in output_declarations(route):
        if isinstance(answer.get(key), dict):
            answer[key].pop("base64", None)
            answer[key]["id"] = "0190f1c2-0000-7000-8000-00000000abcd"
    return route, json.loads(json.dumps(answer))


HANDLED = [slug for slug, (r, s) in ROUTES.items() if (r.method, r.path) in s.handlers]


def test_every_demo_route_with_a_model_is_checked() -> None:
    assert sorted(HANDLED) == [
        "build-supercell",
        "fit-equation-of-state",
        "formula-properties",
        "free-electron-dos-curve",
        "predict-electronic-dos-at-fermi-level",
        "read-post-facts",
        "simulate-powder-xrd-pattern",
        "structure-report",
        "write-structure-report",
    ]


@pytest.mark.parametrize("slug", HANDLED)
def test_demo_answers_read_without_raw_keys_and_with_units(slug: str) -> None:
    route, answer = demo_answer(slug)
    schema = response_schema(route)
    assert schema is not None and schema["properties"], slug  # every demo route says
    view = view_for_route(route, answer)
    assert [item.key for item in view.items] == list(answer)
    for item in walk(view.items):
        check_item(item)
    for item in view.items:  # every top-level value has the route's own title
        assert item.label == split_title_unit(schema["properties"][item.key]["title"]).stem


def _displays(route_slug: str, cif: str = "Cu.cif") -> dict[str, str]:
    route, answer = demo_answer(route_slug, cif)
    return {item.label: item.display for item in view_for_route(route, answer).items}


def test_the_dos_answer_reads_like_the_page() -> None:
    shown = _displays("predict-electronic-dos-at-fermi-level")
    assert shown["Fermi energy"] == "7.031 eV"
    assert shown["Cell volume"] == "47.24 Å³"
    assert shown["Conduction-electron density"] == "0.08467 Å⁻³"
    assert shown["DOS at the Fermi level, per atom"] == "0.2133 states/eV/atom"
    assert shown["DOS at the Fermi level, per cell"] == "0.8533 states/eV/cell"
    assert shown["Atoms in the cell"] == "4"


def test_the_formula_answer_reads_like_the_page() -> None:
    route, answer = demo_answer("formula-properties")
    view = view_for_route(route, answer)
    by_label = {item.label: item for item in view.items}
    assert by_label["Molar mass"].display == "249.685 g/mol"  # its unit from molar_mass_unit
    assert by_label["Formula units"].display == "2.41 × 10²¹"
    assert by_label["Formula units"].exact == "2.4119e+21"
    assert by_label["Charge"].display == "—"
    conditions = by_label["Conditions"]
    assert conditions.kind == "group"
    assert [c.display for c in conditions.children] == ["298.15 K", "1 atm"]
    elements = by_label["Elements"]
    assert elements.kind == "table" and elements.table is not None
    assert [c.header for c in elements.table.columns] == [
        "Element",
        "Count",
        "Atomic weight (g/mol)",
        "Mass fraction",
        "Atom fraction",
    ]
    assert [cell.text for cell in elements.table.rows(0, 1)[0]][:2] == ["H", "10"]
    assert by_label["Sample record"].kind == "group"
    notes = next(c for c in by_label["Sample record"].children if c.key == "notes")
    assert notes.wrap and notes.exact == "weighed twice\nsecond time after drying"


def test_the_xrd_answer_shows_its_picture_and_its_peaks() -> None:
    route, answer = demo_answer("simulate-powder-xrd-pattern", "NaCl.cif")
    view = view_for_route(route, answer)
    (picture,) = output_items(view)
    assert picture.label == "Diffraction pattern (picture)"
    assert picture.output is not None and picture.output.kind == "image (SVG)"
    assert picture.output.family == "image" and picture.output.asset_id
    peaks = next(item for item in view.items if item.key == "peaks")
    assert peaks.kind == "table" and peaks.chart == 0 and peaks.table is not None
    headers = [c.header for c in peaks.table.columns]
    assert headers[:3] == ["2θ (°)", "d-spacing (Å)", "hkl"]
    assert headers[-1] == "Relative intensity (%)"
    shown = {item.label: item.display for item in view.items}
    assert shown["Wavelength"] == "1.5406 Å" and shown["Strongest peak"] == "(200)"
    assert shown["Strongest peak position"] == "31.7043°"


def test_the_supercell_output_is_a_crystal_structure() -> None:
    route, answer = demo_answer("build-supercell")
    view = view_for_route(route, answer)
    (cif,) = output_items(view)
    assert cif.output is not None and cif.output.kind == "crystal structure (CIF)"
    assert cif.text == "Cu_supercell_2x2x2" and cif.output.family == "structure"
    shown = {item.label: item.display for item in view.items}
    assert shown["Repeats (a × b × c)"] == "2, 2, 2" and shown["α"] == "90°"


# -- the real route specs ----------------------------------------------------------------------
def _real_routes() -> dict[str, Route]:
    docs = [load_spec("materials-relax.openapi.json"), load_spec("crystallm-generate.openapi.json")]
    docs += [json.loads(p.read_text("utf-8")) for p in sorted(SPECS.glob("*.openapi.json"))]
    out = {}
    for doc in docs:
        for definition in route_definitions(doc):
            if definition["method"] == "POST":
                raw = {"id": definition["path"], "name": definition["name"]}
                out[definition["path"]] = Route.from_json({**raw, "route": definition})
    return out


REAL = _real_routes()


def _file(name: str, ext: str, mime: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"Generated {name}",
        "type": mime,
        "extension": ext,
        "id": "0190f1c2-0000-7000-8000-00000000beef",
    }


def _asset(kind: str) -> dict[str, Any]:
    return {"id": "0190f1c2-0000-7000-8000-00000000cafe", "name": "Forecast", "asset_type": kind}


_SYMMETRY = {
    "space_group_number": 225,
    "space_group_symbol": "Fm-3m",
    "crystal_system": "cubic",
    "point_group": "m-3m",
    "is_centrosymmetric": True,
}
# What each real wrapper answers (ourofoundation/wrappers), after Ouro moved the bytes to a file.
REAL_ANSWERS: dict[str, tuple[dict[str, Any], str]] = {
    "/materials/structure/relax": (
        {
            "file": _file("Cu - relaxed", "cif", "text/cif"),
            "starting_energy": -14.8812,
            "optimized_energy": -14.90234567,
            "steps": 12,
            "input_symmetry": _SYMMETRY,
            "output_symmetry": _SYMMETRY,
        },
        "crystal structure (CIF)",
    ),
    "/generate": ({"file": _file("generated", "cif", "chemical/x-cif")}, "crystal structure (CIF)"),
    "/stable-image/generate/ultra": ({"file": _file("a cat", "png", "image/png")}, "image (PNG)"),
    "/stable-image/generate/core": ({"file": _file("a cat", "png", "image/png")}, "image (PNG)"),
    "/stable-image/generate/sd3": ({"file": _file("a cat", "png", "image/png")}, "image (PNG)"),
    "/stable-image/control/sketch": ({"file": _file("a cat", "png", "image/png")}, "image (PNG)"),
    "/3d/stable-fast-3d": (
        {"file": _file("cat as 3D model", "glb", "model/gltf-binary")},
        "3D model (GLB)",
    ),
    "/image-to-video": (
        {
            "message": "Video generation has been queued. The video will be shared with you soon.",
            "status": "pending",
            "estimatedTime": "30 seconds",
            "file": {**_asset("file"), "metadata": {"type": "video/mp4"}},
        },
        "video (MP4)",
    ),
    "/images/generations/dalle3": ({"file": _file("a cat", "png", "image/png")}, "image (PNG)"),
    "/images/generations/dalle2": ({"file": _file("a cat", "png", "image/png")}, "image (PNG)"),
    "/images/variations": ({"file": _file("Variation", "png", "image/png")}, "image (PNG)"),
    "/images/analyze": ({"analysis": "A grey cat on a windowsill. " * 8}, ""),
    "/speech/generate": ({"file": _file("Hello as audio", "mp3", "audio/mp3")}, "audio (MP3)"),
    "/speech/from-post": ({"file": _file("Post as audio", "mp3", "audio/mp3")}, "audio (MP3)"),
    "/forecast": ({"dataset": _asset("dataset")}, "dataset (table)"),
    "/forecast/report": ({"post": _asset("post")}, "post (text)"),
}


def test_every_real_route_has_a_sample_answer() -> None:
    assert sorted(REAL) == sorted(REAL_ANSWERS)


@pytest.mark.parametrize("path", sorted(REAL_ANSWERS))
def test_real_route_answers_read_in_plain_words(path: str) -> None:
    route = REAL[path]
    answer, kind = REAL_ANSWERS[path]
    view = view_for_route(route, answer)
    for item in walk(view.items):
        check_item(item)
        assert "/" not in item.label
    outputs = output_items(view)
    if kind:
        (output,) = outputs
        assert output.output is not None and output.output.kind == kind
        assert output.output.declared  # the route's declaration names it
        assert "/" not in output.output.kind  # never a MIME type
    else:
        assert outputs == []
        (analysis,) = view.items
        assert analysis.label == "Analysis" and analysis.wrap


def test_the_relax_answer_groups_its_symmetry() -> None:
    view = view_for_route(
        REAL["/materials/structure/relax"], REAL_ANSWERS["/materials/structure/relax"][0]
    )
    shown = {item.label: item for item in view.items}
    assert shown["Optimized energy"].display == "−14.90"  # 4 figures; no unit is known
    assert shown["Optimized energy"].exact == "-14.90234567"
    assert shown["Steps"].display == "12"
    symmetry = shown["Input symmetry"]
    assert [c.label for c in symmetry.children] == [
        "Space group number",
        "Space group symbol",
        "Crystal system",
        "Point group",
        "Is centrosymmetric",
    ]
    assert symmetry.children[-1].display == "Yes"


# -- plain values, collisions, big answers ---------------------------------------------------
def test_plain_values() -> None:
    view = build_view(
        {
            "note": None,
            "converged": False,
            "bad": math.nan,
            "huge": math.inf,
            "count": 3,
            "empty_list": [],
            "empty_group": {},
            "text": "short",
        }
    )
    shown = {item.key: item.display for item in view.items}
    assert shown == {
        "note": "—",
        "converged": "No",
        "bad": "not a number",
        "huge": "infinity",
        "count": "3",
        "empty_list": "—",
        "empty_group": "—",
        "text": "short",
    }


def test_a_bare_value_is_the_answer() -> None:
    (item,) = build_view(42.123456789).items
    assert item.label == "Answer" and item.display == "42.12"
    (item,) = build_view([1.5, 2.5]).items
    assert item.display == "1.5, 2.5"


def test_keys_that_shorten_alike_never_share_a_label() -> None:
    view = build_view({"energy_eV": 1.0, "energy_meV": 1000.0, "Energy": 2.0, "energy": 3.0})
    labels = [item.label for item in view.items]
    assert len({label.casefold() for label in labels}) == 4, labels


def test_lists_of_records_without_table_shape_are_groups_named_by_their_records() -> None:
    answer = {"structures": [{"name": "Cu", "cell": {"a_A": 3.6}, "sites": [{"x": 0}]}] * 3}
    (structures,) = build_view(answer).items
    assert structures.kind == "list"
    assert [c.label for c in structures.children] == ["Cu", "Cu (2)", "Cu (3)"]
    cell = structures.children[0].children[1]
    assert cell.label == "Cell" and cell.children[0].display == "3.6 Å"


def test_a_huge_answer_builds_only_what_is_shown() -> None:
    many = {f"value_{i}_eV": i * 0.5 for i in range(10_000)}
    curve = [{"energy_eV": i * 1e-3, "dos_per_eV_per_cell": math.sqrt(i)} for i in range(200_000)]
    matrix = [[1.0, 0.0, 0.0]] * 100_000
    numbers = [0.25] * 1_000_000
    view = build_view({"many": many, "curve": curve, "matrix": matrix, "numbers": numbers})
    group, curve_item, matrix_item, numbers_item = view.items
    assert len(group.children) == 200 and group.more == 9_800 and group.count == 10_000
    page = child_items(group, 200, 400)
    assert [c.label for c in page[:2]] == ["Value 200", "Value 201"]
    assert page[0].display == "100 eV"
    assert curve_item.table is not None and curve_item.table.row_count == 200_000
    assert [c.header for c in curve_item.table.columns] == ["Energy (eV)", "DOS (states/eV/cell)"]
    assert curve_item.table.rows(199_999)[0][0].text == "199.999"
    assert matrix_item.table is not None and matrix_item.table.mode == "rows"
    assert [c.label for c in matrix_item.table.columns] == ["1", "2", "3"]
    assert numbers_item.table is not None and numbers_item.table.row_count == 1_000_000
    assert numbers_item.children == ()


def test_deep_groups_wait_for_their_expansion() -> None:
    deep: dict[str, Any] = {"leaf_K": 4.2}
    for level in range(15):
        deep = {f"level_{level}": deep}
    view = build_view(deep, limits=ViewLimits(depth=3))
    item = view.items[0]
    while item.children:
        item = item.children[0]
    assert item.kind == "group" and item.more == 1 and item.depth == 3
    (child,) = child_items(item)
    assert child.label.startswith("Level")


def test_headline_values_put_the_routes_own_properties_first() -> None:
    route, answer = demo_answer("predict-electronic-dos-at-fermi-level")
    view = view_for_route(route, answer)
    assert property_paths(route) == ["fermi_energy_eV", "dos_at_fermi_level_per_eV_per_atom"]
    shown = headline_items(view, 3, property_paths(route))
    assert [(i.label, i.display) for i in shown] == [
        ("Cell volume", "47.24 Å³"),
        ("Fermi energy", "7.031 eV"),
        ("DOS at the Fermi level, per atom", "0.2133 states/eV/atom"),
    ]
    # without properties: numbers with a unit first, in the answer's order
    assert [i.label for i in headline_items(view, 2)] == [
        "Cell volume",
        "Conduction-electron density",
    ]
    route, answer = demo_answer("simulate-powder-xrd-pattern", "Si.cif")
    view = view_for_route(route, answer)
    (first,) = headline_items(view, 1, property_paths(route))
    assert (first.label, first.display) == ("Strongest peak position", "28.4421°")
    # the settings the answer repeats (wavelength, 2θ range) come after what is new
    given = {"wavelength_A": 1.5406, "two_theta_min_deg": 10.0, "two_theta_max_deg": 90.0}
    assert [i.label for i in headline_items(view, 3, echoes=given)] == [
        "Number of peaks",
        "Strongest peak position",
        "Strongest peak d-spacing",
    ]
    assert [i.label for i in headline_items(view, 3)][:2] == ["Wavelength", "Lowest 2θ"]


def test_leaf_items_carry_the_groups_above_them() -> None:
    route, answer = demo_answer("formula-properties")
    leaves = list(leaf_items(view_for_route(route, answer).items))
    paths = [(" › ".join(p), i.label) for p, i in leaves]
    assert ("Conditions", "Temperature") in paths
    assert all(i.is_scalar for _, i in leaves)


def test_schema_columns_for_a_table_of_many_runs() -> None:
    route, _ = ROUTES["predict-electronic-dos-at-fermi-level"]
    headers = [c.header for c in schema_columns(route)]
    assert headers[:5] == [
        "Formula",
        "Atoms in the cell",
        "Cell volume (Å³)",
        "Valence electrons in the cell",
        "Conduction-electron density (Å⁻³)",
    ]
    assert "Fermi energy (eV)" in headers
    xrd, _ = ROUTES["simulate-powder-xrd-pattern"]
    keys = [c.key for c in schema_columns(xrd)]
    assert "peaks" not in keys and "pattern" not in keys and "n_peaks" in keys
    assert schema_columns(REAL["/materials/structure/relax"]) == []  # it does not say


def test_a_huge_nested_cell_is_summarised_not_written_out() -> None:
    records = [
        {"name": f"s{i}", "energy_eV": -1.0 * i, "forces": [[0.0] * 3] * 50_000} for i in range(60)
    ]
    (item,) = build_view({"structures": records}).items
    assert item.table is not None
    name, energy, forces = item.table.rows(0, 1)[0]
    assert (name.text, energy.text) == ("s0", "0") and forces.text == "50000 items"
    assert forces.exact == ""  # too big to copy from a cell: "Show as JSON" has it
    small = build_view({"rows": [{"a": 1, "c": "x", "b": [1, 2]}] * 3}).items[0]
    assert small.table is not None and small.table.rows(0, 1)[0][2].exact == "[1, 2]"
