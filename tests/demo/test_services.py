"""The demo route services (real physics and chemistry) and the OpenAPI → route importer."""

from __future__ import annotations

import asyncio
import base64
import json
import math
from pathlib import Path
from typing import Any

import gemmi
import pytest
from jsonschema import Draft202012Validator

from ouro_desktop.demo.openapi_import import normalise_input_filter, route_definitions
from ouro_desktop.demo.services import (
    demo_services,
    dos_curve,
    dos_fermi,
    formula_properties,
    structure_report,
    supercell,
)
from ouro_desktop.demo.services.base import ServiceCall, ServiceError
from ouro_desktop.demo.services.real_specs import load_spec
from ouro_desktop.demo.services.structure import parse_cif
from ouro_desktop.demo.services.valence import VALENCE_ELECTRONS

EXAMPLES = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples"
OURO_HEADERS = ["ouro-route-id", "ouro-route-org-id", "ouro-route-team-id", "ouro-action-id"]


def file_ref(name: str) -> dict[str, Any]:
    return {
        "url": f"http://127.0.0.1/files/{name}",
        "filename": name,
        "type": "chemical/x-cif",
        "id": "0190f1c2-0000-7000-8000-000000000001",
        "name": name.rsplit(".", 1)[0],
        "description": None,
        "org_id": "org",
        "team_id": "team",
        "visibility": "public",
    }


def dataset_ref() -> dict[str, Any]:
    """A resolved dataset input (§13.7): E(V) points of fcc copper (B0 ≈ 140 GPa)."""
    from ouro_desktop.demo.services.eos_fit import EV_PER_A3_IN_GPA, birch_murnaghan

    volumes = [11.8 * (0.9 + 0.02 * i) for i in range(11)]
    rows = [
        {"volume": v, "energy": birch_murnaghan(v, -3.7, 11.8, 140 / EV_PER_A3_IN_GPA, 5.0)}
        for v in volumes
    ]
    return {
        "id": "0190f1c2-0000-7000-8000-000000000002",
        "name": "Cu E(V)",
        "description": "",
        "metadata": {"table_name": "ds_x", "schema": "datasets", "columns": ["volume", "energy"]},
        "data": rows,
    }


def post_ref() -> dict[str, Any]:
    """A resolved post input (§13.7)."""
    text = "# Copper\nCu2O forms on Cu at 300 K; the cell is 3.615 Å wide."
    return {
        "id": "0190f1c2-0000-7000-8000-000000000003",
        "name": "Copper note",
        "description": "",
        "content": {"json": {"type": "doc", "content": []}, "text": text},
    }


def input_ref(key: str) -> dict[str, Any]:
    return {"dataset": dataset_ref, "post": post_ref}.get(key, lambda: file_ref("Cu.cif"))()


def make_call(
    body: dict[str, Any], data: bytes | None = None, time_scale: float = 0.0
) -> tuple[ServiceCall, list[tuple[str, str]]]:
    logs: list[tuple[str, str]] = []

    async def read_file(ref: dict[str, Any]) -> bytes:
        assert data is not None, "the handler read a file it was not given"
        return data

    async def log(message: str, level: str = "info") -> None:
        logs.append((level, message))

    call = ServiceCall(
        body=body,
        headers={},
        query={},
        path_params={},
        read_file=read_file,
        log=log,
        time_scale=time_scale,
    )
    return call, logs


def run_cif(handler: Any, name: str, data: bytes | None = None, **body: Any) -> dict[str, Any]:
    cif = data if data is not None else (EXAMPLES / name).read_bytes()
    call, _ = make_call({"file": file_ref(name), **body}, cif)
    return asyncio.run(handler(call))


def expect_error(handler: Any, name: str, data: bytes, **body: Any) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        run_cif(handler, name, data, **body)
    assert info.value.status == 422
    return info.value


# --------------------------------------------------------------------------- examples


@pytest.mark.parametrize(
    ("name", "atoms"), [("Cu.cif", 4), ("Al.cif", 4), ("Na.cif", 2), ("NaCl.cif", 8), ("Si.cif", 8)]
)
def test_example_cifs_expand_to_the_full_cell(name: str, atoms: int) -> None:
    small = gemmi.read_small_structure(str(EXAMPLES / name))
    assert len(small.get_all_unit_cell_sites()) == atoms
    assert parse_cif((EXAMPLES / name).read_bytes()).n_atoms == atoms


# --------------------------------------------------------------------------- DOS at E_F


def test_copper_free_electron_fermi_level() -> None:
    result = run_cif(dos_fermi.handle, "Cu.cif")
    assert set(result) == {
        "formula",
        "n_atoms_cell",
        "volume_A3",
        "valence_electrons_cell",
        "electron_density_per_A3",
        "fermi_energy_eV",
        "dos_at_fermi_level_per_eV_per_atom",
        "dos_at_fermi_level_per_eV_per_cell",
        "method",
    }
    assert result["formula"] == "Cu"
    assert result["n_atoms_cell"] == 4
    assert result["valence_electrons_cell"] == 4
    assert result["volume_A3"] == pytest.approx(3.615**3)
    assert result["electron_density_per_A3"] == pytest.approx(4 / 3.615**3)
    e_f = result["fermi_energy_eV"]
    assert abs(e_f - 7.0) / 7.0 < 0.02
    assert result["dos_at_fermi_level_per_eV_per_atom"] == pytest.approx(1.5 / e_f, rel=1e-9)
    assert result["dos_at_fermi_level_per_eV_per_cell"] == pytest.approx(6 / e_f, rel=1e-9)
    assert "free-electron" in result["method"].lower()
    assert "simple" in result["method"].lower()


def test_aluminium_and_sodium_are_textbook_values() -> None:
    al = run_cif(dos_fermi.handle, "Al.cif")
    na = run_cif(dos_fermi.handle, "Na.cif")
    # Ashcroft & Mermin table 2.1: Al 11.7 eV, Na 3.24 eV (at low temperature).
    assert al["fermi_energy_eV"] == pytest.approx(11.7, rel=0.03)
    assert na["fermi_energy_eV"] == pytest.approx(3.24, rel=0.05)
    assert al["valence_electrons_cell"] == 12 and na["valence_electrons_cell"] == 2
    assert al["dos_at_fermi_level_per_eV_per_atom"] == pytest.approx(
        4.5 / al["fermi_energy_eV"], rel=1e-9
    )
    assert na["dos_at_fermi_level_per_eV_per_atom"] == pytest.approx(
        1.5 / na["fermi_energy_eV"], rel=1e-9
    )
    assert na["n_atoms_cell"] == 2 and na["formula"] == "Na"


def test_element_without_valence_count_is_refused_by_name() -> None:
    assert "Xe" not in VALENCE_ELECTRONS
    cif = (EXAMPLES / "Cu.cif").read_bytes().replace(b"Cu1 Cu", b"Xe1 Xe")
    error = expect_error(dos_fermi.handle, "Xe.cif", cif)
    assert "Xe" in error.detail
    assert "valence" in error.detail


def test_garbage_cif_gives_a_clear_message() -> None:
    error = expect_error(dos_fermi.handle, "junk.cif", b"this is not a crystal structure\n")
    assert "junk.cif" in error.detail
    assert "could not be read as a CIF" in error.detail
    empty = expect_error(dos_fermi.handle, "empty.cif", b"")
    assert "empty" in empty.detail
    no_atoms = expect_error(dos_fermi.handle, "cell.cif", b"data_x\n_cell_length_a 3\n")
    assert "no atom positions" in no_atoms.detail


def test_unknown_element_symbol_is_named() -> None:
    cif = (EXAMPLES / "Cu.cif").read_bytes().replace(b"Cu1 Cu", b"Qq1 Qq")
    error = expect_error(dos_fermi.handle, "odd.cif", cif)
    assert "Qq" in error.detail


def test_cif_with_byte_order_mark_is_read() -> None:
    cif = b"\xef\xbb\xbf" + (EXAMPLES / "Cu.cif").read_bytes()
    result = run_cif(dos_fermi.handle, "Cu-bom.cif", cif)
    assert result["n_atoms_cell"] == 4
    assert abs(result["fermi_energy_eV"] - 7.0) / 7.0 < 0.02


def test_missing_file_input_is_a_422() -> None:
    call, _ = make_call({})
    with pytest.raises(ServiceError) as info:
        asyncio.run(dos_fermi.handle(call))
    assert info.value.status == 422 and "file" in info.value.detail


# --------------------------------------------------------------------------- DOS curve


def _electrons_below(curve: list[dict[str, float]], e_f: float) -> float:
    total = 0.0
    for left, right in zip(curve, curve[1:], strict=False):
        e0, e1 = left["energy_eV"], right["energy_eV"]
        g0, g1 = left["dos_per_eV_per_cell"], right["dos_per_eV_per_cell"]
        if e0 >= e_f:
            break
        if e1 > e_f:  # last partial interval, linear interpolation
            g_f = g0 + (g1 - g0) * (e_f - e0) / (e1 - e0)
            total += (g0 + g_f) / 2 * (e_f - e0)
            break
        total += (g0 + g1) / 2 * (e1 - e0)
    return total


def test_dos_curve_integrates_to_the_valence_electrons_and_logs_each_step() -> None:
    call, logs = make_call(
        {"file": file_ref("Cu.cif"), "points": 400, "e_min_eV": -2, "steps": 5},
        (EXAMPLES / "Cu.cif").read_bytes(),
    )
    result = asyncio.run(dos_curve.handle(call))
    assert result["formula"] == "Cu"
    curve = result["curve"]
    assert len(curve) == 400
    assert set(curve[0]) == {"energy_eV", "dos_per_eV_per_cell"}
    n_val = result["valence_electrons_cell"]
    assert n_val == 4
    assert _electrons_below(curve, result["fermi_energy_eV"]) == pytest.approx(n_val, rel=0.01)
    assert len(logs) == 5
    assert all(level == "info" for level, _ in logs)
    assert logs[0][1].startswith("Step 1/5")


def test_dos_curve_without_smearing_is_the_square_root_law() -> None:
    call, logs = make_call(
        {"file": file_ref("Na.cif"), "smearing_eV": 0, "points": 13, "e_max_eV": 12},
        (EXAMPLES / "Na.cif").read_bytes(),
    )
    result = asyncio.run(dos_curve.handle(call))
    e_f = result["fermi_energy_eV"]
    for point in result["curve"]:
        expected = 1.5 * 2 * math.sqrt(point["energy_eV"]) / e_f**1.5
        assert point["dos_per_eV_per_cell"] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert len(logs) == 6  # the default number of steps


def test_dos_curve_default_run_waits_about_three_seconds_scaled() -> None:
    call, _ = make_call({"file": file_ref("Cu.cif")}, (EXAMPLES / "Cu.cif").read_bytes(), 0.02)
    loop = asyncio.new_event_loop()
    try:
        start = loop.time()
        result = loop.run_until_complete(dos_curve.handle(call))
        elapsed = loop.time() - start
    finally:
        loop.close()
    assert len(result["curve"]) == 60
    assert 0.05 <= elapsed < 2.0  # 3 s × 0.02 of deliberate waiting plus the work


def test_dos_curve_rejects_an_empty_energy_range() -> None:
    error = expect_error(
        dos_curve.handle, "Cu.cif", (EXAMPLES / "Cu.cif").read_bytes(), e_min_eV=5, e_max_eV=5
    )
    assert "e_max_eV" in error.detail


# --------------------------------------------------------------------------- supercell


def test_supercell_cif_rereads_with_the_multiplied_atom_count() -> None:
    result = run_cif(supercell.handle, "NaCl.cif", na=2, nb=3, nc=1)
    payload = result["file"]
    assert payload["extension"] == "cif" and payload["type"] == "chemical/x-cif"
    assert payload["filename"] == "NaCl_supercell_2x3x1.cif"
    text = base64.b64decode(payload["base64"]).decode("utf-8")
    small = gemmi.make_small_structure_from_block(gemmi.cif.read_string(text).sole_block())
    sites = small.get_all_unit_cell_sites()
    assert len(sites) == 8 * 6 == result["n_atoms"]
    assert small.cell.a == pytest.approx(2 * 5.64)
    assert small.cell.b == pytest.approx(3 * 5.64)
    assert small.cell.c == pytest.approx(5.64)
    assert result["formula"] == "ClNa"
    assert (result["a_A"], result["b_A"], result["c_A"]) == pytest.approx((11.28, 16.92, 5.64))
    # The supercell is the same crystal: the free-electron numbers per atom do not change.
    big = run_cif(dos_fermi.handle, "big.cif", text.encode())
    small_cell = run_cif(dos_fermi.handle, "NaCl.cif")
    assert big["fermi_energy_eV"] == pytest.approx(small_cell["fermi_energy_eV"], rel=1e-6)


def test_supercell_defaults_to_two_by_two_by_two() -> None:
    result = run_cif(supercell.handle, "Cu.cif")
    assert result["n_atoms"] == 32 and result["supercell"] == [2, 2, 2]


def test_supercell_rejects_out_of_range_repeats() -> None:
    error = expect_error(supercell.handle, "Cu.cif", (EXAMPLES / "Cu.cif").read_bytes(), na=7)
    assert "'na'" in error.detail


# --------------------------------------------------------------------------- report


def test_structure_report_for_rock_salt() -> None:
    report = run_cif(structure_report.handle, "NaCl.cif")
    assert report["formula"] == "ClNa"
    assert report["space_group_number"] == 225
    assert report["crystal_system"] == "cubic"
    assert report["n_atoms"] == 8
    assert report["a_A"] == pytest.approx(5.64)
    assert report["density_g_cm3"] == pytest.approx(2.16, abs=0.01)
    assert report["nearest_neighbour_distance_A"] == pytest.approx(2.82, abs=1e-4)
    na_site = next(site for site in report["sites"] if site["element"] == "Na")
    assert na_site["coordination_number"] == 6 and na_site["first_shell"] == "Cl6"


@pytest.mark.parametrize(
    ("name", "distance", "cn"),
    [
        ("Cu.cif", 3.615 / math.sqrt(2), 12),
        ("Na.cif", 4.29 * math.sqrt(3) / 2, 8),
        ("Si.cif", 5.431 * math.sqrt(3) / 4, 4),
    ],
)
def test_structure_report_nearest_neighbours(name: str, distance: float, cn: int) -> None:
    report = run_cif(structure_report.handle, name)
    assert report["nearest_neighbour_distance_A"] == pytest.approx(distance, abs=1e-4)
    assert report["sites"][0]["coordination_number"] == cn


def test_structure_report_is_priced_per_call() -> None:
    (definition,) = route_definitions(
        structure_report.OPENAPI, {(structure_report.METHOD, structure_report.PATH)}
    )
    assert definition["pricing"] == {
        "model": "per_call",
        "unit_cost": 0.05,
        "currency": "usd",
        "unit_cost_usd": 0.05,
    }


# --------------------------------------------------------------------------- formula


def run_formula(**body: Any) -> dict[str, Any]:
    call, _ = make_call(body)
    return asyncio.run(formula_properties.handle(call))


def test_calcium_hydroxide_molar_mass_and_fractions() -> None:
    result = run_formula(formula="Ca(OH)2")
    assert result["molar_mass"] == pytest.approx(74.09, abs=0.01)
    assert result["molar_mass_unit"] == "g/mol"
    counts = {e["element"]: e["count"] for e in result["elements"]}
    assert counts == {"Ca": 1, "O": 2, "H": 2}
    assert sum(e["mass_fraction"] for e in result["elements"]) == pytest.approx(1, abs=1e-3)
    assert result["amount_mol"] == pytest.approx(1 / 74.09, rel=1e-3)
    assert result["mixture"] is None


def test_formula_options_change_the_answer() -> None:
    result = run_formula(
        formula="CuSO4·5H2O",
        mass_unit="kg/mol",
        include_fractions=False,
        decimals=2,
        sample_mass_g=2.5,
        charge=-2,
        isotope_shifts=[1.0, 0.5],
        mixture=[{"formula": "N2", "fraction": 0.8}, {"formula": "O2", "fraction": 0.2}],
        conditions={"temperature_K": 273.15, "pressure_atm": 2.0},
        measured_on="2024-05-31",
        notes="line one\nline two",
    )
    assert result["molar_mass"] == pytest.approx(0.24969, abs=1e-5)
    assert "mass_fraction" not in result["elements"][0]
    assert result["labelled_molar_mass_g_per_mol"] == pytest.approx(249.69 + 1.5, abs=0.01)
    assert result["mixture"]["average_molar_mass_g_per_mol"] == pytest.approx(
        0.8 * 28.0134 + 0.2 * 31.9988, abs=0.01
    )
    electrons = 29 + 16 + 4 * 8 + 5 * (2 + 8)
    assert result["electron_count"] == electrons + 2
    moles = 2.5 / 249.685
    assert result["ideal_gas_volume_L"] == pytest.approx(moles * 0.0820574 * 273.15 / 2, abs=0.01)
    assert result["record"]["notes_lines"] == 2


@pytest.mark.parametrize(
    ("formula", "fragment"),
    [("XxO2", "'Xx'"), ("Ca(OH", "missing"), ("H2O)", "no matching"), ("co2", "capital")],
)
def test_bad_formulas_are_422_with_a_reason(formula: str, fragment: str) -> None:
    with pytest.raises(ServiceError) as info:
        run_formula(formula=formula)
    assert info.value.status == 422
    assert fragment in info.value.detail


def test_nested_brackets_and_hydrates() -> None:
    # Hill order: without carbon the symbols are simply alphabetical.
    assert run_formula(formula="[Cu(NH3)4]SO4")["formula"] == "CuH12N4O4S"
    assert run_formula(formula="C6H12O6")["molar_mass"] == pytest.approx(180.16, abs=0.01)


# --------------------------------------------------------------------------- importer


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _body_schema(definition: dict[str, Any]) -> dict[str, Any]:
    return definition["request_body"]["content"]["application/json"]["schema"]


def test_materials_spec_imports_like_ouro_stores_it() -> None:
    doc = load_spec("materials-relax.openapi.json")
    (route,) = route_definitions(doc, {("POST", "/materials/structure/relax")})
    assert route["name"] == "POST /materials/structure/relax"
    assert route["method"] == "POST" and route["path"] == "/materials/structure/relax"
    assert route["summary"] == "Relax a crystal structure"
    assert not any("$ref" in node for node in _walk(route["request_body"]))
    assert not any("$ref" in node for node in _walk(route["responses"]))
    schema = _body_schema(route)
    assert schema["title"] == "RelaxStructureRequest"
    assert schema["properties"]["file"]["title"] == "File"
    assert schema["properties"]["fmax"]["default"] == 0.03
    declaration = route["input_assets"]["file"]
    assert declaration["asset_type"] == "file"
    assert declaration["primary"] is True
    assert declaration["file_extensions"] == ["cif"]
    assert route["input_type"] == "file"
    assert route["input_file_extension"] == "cif"
    assert route["input_file_extensions"] == ["cif"]
    assert route["output_type"] == "file"
    assert route["output_assets"] == {"file": {"asset_type": "file", "primary": True}}
    assert [p["name"] for p in route["parameters"]] == OURO_HEADERS
    assert all(p["in"] == "header" for p in route["parameters"])
    assert route["execution_mode"] == "sync"
    assert route["pricing"] is None and route["response_charts"] is None


def test_crystallm_space_group_enum_is_inlined_in_the_any_of() -> None:
    doc = load_spec("crystallm-generate.openapi.json")
    (route,) = route_definitions(doc, {("POST", "/generate")})
    assert not any("$ref" in node for node in _walk(route["request_body"]))
    space_group = _body_schema(route)["properties"]["space_group"]
    enum_branch, null_branch = space_group["anyOf"]
    assert len(enum_branch["enum"]) == 203
    assert "Fm3m" in enum_branch["enum"]  # CrystaLLM spells it without the bar
    assert null_branch == {"type": "null"}
    assert route["parameters"] == []
    assert route["input_assets"] == {} and route["input_type"] is None
    assert route["output_type"] == "file"
    # Without a filter every operation is imported, the GET welcome page too.
    assert {(r["method"], r["path"]) for r in route_definitions(doc)} == {
        ("GET", "/"),
        ("POST", "/generate"),
    }


def test_definition_keys_are_exactly_the_route_fields() -> None:
    (route,) = route_definitions(
        load_spec("crystallm-generate.openapi.json"), {("POST", "/generate")}
    )
    assert set(route) == {
        "name", "summary", "description", "method", "path", "parameters", "request_body",
        "responses", "input_assets", "input_type", "input_filter", "input_file_extension",
        "input_file_extensions", "output_assets", "output_type", "output_file_extension",
        "properties", "response_charts", "capabilities", "execution_mode", "pricing",
    }  # fmt: skip


def test_recursive_refs_are_left_in_place() -> None:
    doc = {
        "paths": {
            "/tree": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Node"}}
                        }
                    },
                    "responses": {},
                }
            }
        },
        "components": {
            "schemas": {
                "Node": {
                    "type": "object",
                    "properties": {
                        "children": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Node"},
                        }
                    },
                }
            }
        },
    }
    (route,) = route_definitions(doc)
    schema = _body_schema(route)
    assert schema["type"] == "object"
    assert schema["properties"]["children"]["items"] == {"$ref": "#/components/schemas/Node"}
    assert route["request_body"] is not doc["paths"]["/tree"]["post"]["requestBody"]


def test_legacy_and_keyed_extensions_are_mapped() -> None:
    doc = {
        "paths": {
            "/listen": {
                "post": {
                    "x-ouro-input-asset-type": "file",
                    "x-ouro-input-file-extension": ".MP3",
                    "x-ouro-input-asset-filter": "metadata->type.in.(audio/mpeg,audio/wav)",
                    "x-ouro-output-asset-type": "post",
                    "x-ouro-execution-mode": "async",
                    "responses": {},
                }
            },
            "/look": {
                "post": {
                    "x-ouro-input-assets": {
                        "image": {"primary": True, "input_filter": "image/png"},
                        "dataset": {"asset_type": "bogus"},
                    },
                    "x-ouro-output-assets": {
                        "file": {"asset_type": "file", "file_extensions": ["png"], "role": "odd"}
                    },
                    "x-ouro-execution-mode": "sometimes",
                    "responses": {},
                }
            },
        }
    }
    listen, look = route_definitions(doc)
    assert listen["input_assets"] == {
        "file": {
            "asset_type": "file",
            "primary": True,
            "file_extensions": ["mp3"],
            "input_filter": "audio",
        }
    }
    assert (listen["input_filter"], listen["input_file_extension"]) == ("audio", "mp3")
    assert listen["output_assets"] == {"post": {"asset_type": "post", "primary": True}}
    assert listen["execution_mode"] == "async"
    assert look["input_assets"]["image"]["asset_type"] == "file"
    assert look["input_assets"]["image"]["input_filter"] == "image"
    assert look["input_assets"]["dataset"]["asset_type"] == "dataset"
    assert look["input_type"] == "file" and look["input_filter"] == "image"
    assert "role" not in look["output_assets"]["file"]
    assert look["output_file_extension"] == "png"
    assert look["execution_mode"] == "sync"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("atomic structure", "atomic structure"),
        ("3D Model", "3d model"),
        ("metadata->type.in.(chemical/x-cif,chemical/x-pdb)", "atomic structure"),
        ("metadata->type.in.(application/pdf)", "pdf"),
        ("video/mp4", "video"),
        ("metadata->type.in.(text/plain)", None),
        ("spreadsheets", None),
        (None, None),
    ],
)
def test_input_filters_are_normalised(raw: Any, expected: str | None) -> None:
    assert normalise_input_filter(raw) == expected


# --------------------------------------------------------------------------- demo services


def _example_body(schema: dict[str, Any], input_keys: set[str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key, prop in schema.get("properties", {}).items():
        if key in input_keys:
            body[key] = input_ref(key)
        elif "default" in prop:
            body[key] = prop["default"]
        elif key in schema.get("required", []):
            # Demo schemas give examples; the real CrystaLLM composition has none.
            body[key] = prop.get("examples", ["PbTe"])[0]
    return body


def _demo_routes() -> list[tuple[Any, dict[str, Any]]]:
    return [
        (service, definition)
        for service in demo_services()
        for definition in route_definitions(service.openapi, service.operations)
    ]


def test_demo_services_and_their_route_names() -> None:
    services = {s.key: s for s in demo_services()}
    assert list(services) == ["demo-materials", "demo-chemistry", "materials-api", "crystallm"]
    materials = services["demo-materials"]
    assert materials.base_url == "demo://materials"
    assert sorted(materials.route_names.values()) == [
        "build-supercell",
        "fit-equation-of-state",
        "free-electron-dos-curve",
        "predict-electronic-dos-at-fermi-level",
        "simulate-powder-xrd-pattern",
        "structure-report",
        "write-structure-report",
    ]
    assert set(materials.handlers) == set(materials.route_names)
    assert services["demo-chemistry"].route_names == {
        ("POST", "/chemistry/formula/properties"): "formula-properties",
        ("POST", "/chemistry/post/facts"): "read-post-facts",
    }
    for key in ("materials-api", "crystallm"):
        real = services[key]
        assert real.handlers == {} and real.route_names == {}
        assert real.base_url.startswith("https://")
        assert len(real.operations or ()) == 1
        assert len(route_definitions(real.openapi, real.operations)) == 1
    chart = route_definitions(materials.openapi, {("POST", "/materials/dos/curve")})[0][
        "response_charts"
    ]
    assert chart[0]["data"] == "curve"
    assert chart[0]["config"]["series"] == [{"dataKey": "dos_per_eV_per_cell"}]


def test_every_demo_route_schema_is_valid_and_its_example_body_validates() -> None:
    routes = _demo_routes()
    assert len(routes) == 11
    for service, definition in routes:
        schema = _body_schema(definition)
        Draft202012Validator.check_schema(schema)
        assert not any("$ref" in node for node in _walk(schema)), definition["name"]
        body = _example_body(schema, set(definition["input_assets"]))
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        errors = [e.message for e in validator.iter_errors(body)]
        assert errors == [], (service.key, definition["name"], errors)
        if service.handlers:
            assert [p["name"] for p in definition["parameters"]] == OURO_HEADERS


def test_formula_schema_uses_every_form_construct() -> None:
    (definition,) = route_definitions(formula_properties.OPENAPI)
    props = _body_schema(definition)["properties"]
    assert props["formula"]["pattern"] and props["sample_mass_g"]["exclusiveMinimum"] == 0
    assert props["decimals"]["type"] == "integer" and props["include_fractions"]["default"]
    assert props["mass_unit"]["enum"] == ["g/mol", "kg/mol"]
    assert {props[k]["format"] for k in ("contact_email", "measured_on", "reference_url")} == {
        "email",
        "date",
        "uri",
    }
    assert props["notes"]["x-multiline"] is True
    assert props["conditions"]["type"] == "object"  # inlined from $ref, default kept
    assert props["conditions"]["default"] == {"temperature_K": 298.15, "pressure_atm": 1.0}
    assert props["isotope_shifts"]["items"] == {"type": "number"}
    assert props["mixture"]["items"]["required"] == ["formula", "fraction"]
    assert props["charge"]["anyOf"] == [{"type": "integer"}, {"type": "null"}]
    assert all("title" in p and "description" in p for k, p in props.items())


def test_demo_example_bodies_run_through_the_handlers() -> None:
    for service, definition in _demo_routes():
        handler = service.handlers.get((definition["method"], definition["path"]))
        if handler is None:
            continue
        body = _example_body(_body_schema(definition), set(definition["input_assets"]))
        call, _ = make_call(json.loads(json.dumps(body)), (EXAMPLES / "Cu.cif").read_bytes())
        result = asyncio.run(handler(call))
        assert isinstance(result, dict) and result, definition["name"]
        json.dumps(result)  # JSON-serialisable, as a real service answer is


def test_route_definitions_satisfy_the_official_sdk_model() -> None:
    route_model = pytest.importorskip("ouro.models.route")
    for _, definition in _demo_routes():
        data = {k: v for k, v in definition.items() if k not in ("name", "summary", "pricing")}
        route_model.RouteData.model_validate(data)
