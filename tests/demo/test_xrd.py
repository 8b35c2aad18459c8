"""The powder XRD demo route: textbook Cu Kα peak positions, intensity orderings, absences,
structure factors checked by hand, the SVG picture, and a run through the demo backend."""

from __future__ import annotations

import asyncio
import base64
import math
import xml.etree.ElementTree as ET
from typing import Any

import gemmi
import pytest

from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults
from ouro_desktop.demo.services import xrd_pattern
from ouro_desktop.demo.services.base import ServiceError
from ouro_desktop.demo.services.structure import parse_cif
from ouro_desktop.demo.services.xrd import lorentz_polarisation, peaks, reflections

from .helpers import XRD, Demo, drive, example
from .test_services import file_ref, make_call


def run(name: str, **body: Any) -> dict[str, Any]:
    call, _ = make_call({"file": file_ref(name), **body}, example(name))
    return asyncio.run(xrd_pattern.handle(call))


def by_hkl(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["hkl"]: p for p in result["peaks"]}


# Textbook Cu Kα 2θ positions (degrees) of the strongest reflections (ICDD cards 04-0836 Cu,
# 04-0787 Al, 27-1402 Si, 05-0628 NaCl; the example cells: a = 3.615, 4.05, 5.431, 5.64 Å).
TEXTBOOK = {
    "Cu.cif": {"(111)": 43.30, "(200)": 50.43, "(220)": 74.13, "(311)": 89.93},
    "Al.cif": {"(111)": 38.47, "(200)": 44.74, "(220)": 65.13, "(311)": 78.23},
    "Si.cif": {"(111)": 28.44, "(220)": 47.30, "(311)": 56.12, "(400)": 69.13},
    "NaCl.cif": {"(111)": 27.37, "(200)": 31.70, "(220)": 45.45, "(222)": 56.48},
}
SPACE_GROUP = {
    "Cu.cif": "Fm-3m (No. 225)",
    "Al.cif": "Fm-3m (No. 225)",
    "Si.cif": "Fd-3m (No. 227)",
    "NaCl.cif": "Fm-3m (No. 225)",
}
STRONGEST = {"Cu.cif": "(111)", "Al.cif": "(111)", "Si.cif": "(111)", "NaCl.cif": "(200)"}


@pytest.mark.parametrize("name", list(TEXTBOOK))
def test_peak_positions_match_the_textbook_within_a_tenth_of_a_degree(name: str) -> None:
    result = run(name)
    peaks_ = by_hkl(result)
    for hkl, two_theta in TEXTBOOK[name].items():
        assert abs(peaks_[hkl]["two_theta_deg"] - two_theta) < 0.1, (name, hkl)
    assert result["space_group"] == SPACE_GROUP[name]  # written as a chemist writes it
    strongest = max(result["peaks"], key=lambda p: p["relative_intensity_pct"])
    assert strongest["hkl"] == STRONGEST[name] and strongest["relative_intensity_pct"] == 100
    assert result["strongest_peak_hkl"] == STRONGEST[name]
    assert [p["two_theta_deg"] for p in result["peaks"]] == sorted(
        p["two_theta_deg"] for p in result["peaks"]
    )


def test_relative_intensities_order_like_the_reference_patterns() -> None:
    cu = {k: v["relative_intensity_pct"] for k, v in by_hkl(run("Cu.cif")).items()}
    assert cu["(111)"] > cu["(200)"] > cu["(220)"]
    assert 35 < cu["(200)"] < 55  # ICDD: 46
    al = {k: v["relative_intensity_pct"] for k, v in by_hkl(run("Al.cif")).items()}
    assert al["(111)"] > al["(200)"] > al["(311)"] > al["(222)"]
    si = {k: v["relative_intensity_pct"] for k, v in by_hkl(run("Si.cif")).items()}
    assert si["(111)"] > si["(220)"] > si["(311)"] > si["(400)"]
    assert 45 < si["(220)"] < 75  # ICDD: 55
    nacl = {k: v["relative_intensity_pct"] for k, v in by_hkl(run("NaCl.cif")).items()}
    assert nacl["(200)"] > nacl["(220)"] > nacl["(222)"] > nacl["(111)"]
    assert 50 < nacl["(220)"] < 70 and nacl["(111)"] < 15  # ICDD: 55 and 13


def test_systematic_absences_and_multiplicities() -> None:
    cu = by_hkl(run("Cu.cif"))
    assert not {"(100)", "(110)", "(210)", "(211)"} & cu.keys()  # face-centred: unmixed only
    assert [cu[h]["multiplicity"] for h in ("(111)", "(200)", "(220)", "(311)")] == [8, 6, 12, 24]
    si = by_hkl(run("Si.cif"))
    # diamond glide: (200) is absent, and (222) has F = 0 for spherical atoms
    assert "(200)" not in si and "(222)" not in si
    na = by_hkl(run("Na.cif"))  # body-centred: h + k + l even
    assert (
        "(111)" not in na
        and "(100)" not in na
        and max(na.values(), key=lambda p: p["relative_intensity_pct"])["hkl"] == "(110)"
    )


def test_d_spacings_and_another_wavelength() -> None:
    a = 3.615
    cu = by_hkl(run("Cu.cif"))
    assert cu["(111)"]["d_A"] == pytest.approx(a / math.sqrt(3), abs=1e-4)
    assert cu["(200)"]["d_A"] == pytest.approx(a / 2, abs=1e-4)
    mo = by_hkl(run("Cu.cif", wavelength_A=0.7093, two_theta_max_deg=40))
    expected = 2 * math.degrees(math.asin(0.7093 / (2 * a / math.sqrt(3))))
    assert mo["(111)"]["two_theta_deg"] == pytest.approx(expected, abs=1e-3)  # 19.56°
    narrow = run("Cu.cif", two_theta_min_deg=40, two_theta_max_deg=45)
    assert [p["hkl"] for p in narrow["peaks"]] == ["(111)"] and narrow["n_peaks"] == 1


def test_structure_factors_are_the_sum_over_the_cells_atoms() -> None:
    """With no thermal motion, rock salt has F(200) = 4(f_Na + f_Cl), F(111) = 4(f_Na − f_Cl):
    the special-position weighting of gemmi's symmetry images is right."""
    structure = parse_cif(example("NaCl.cif"))
    found = {r.hkl: r for r in reflections(structure, 1.5406, 10, 60)}
    for hkl, sign in (((2, 0, 0), 1), ((1, 1, 1), -1), ((2, 2, 0), 1)):
        d = found[hkl].d_A
        stol2 = 1 / (4 * d * d)
        f_na = gemmi.Element("Na").it92.calculate_sf(stol2)
        f_cl = gemmi.Element("Cl").it92.calculate_sf(stol2)
        expected = (4 * (f_na + sign * f_cl)) ** 2
        assert found[hkl].f_squared == pytest.approx(expected, rel=1e-4)
        lp = lorentz_polarisation(found[hkl].two_theta_deg)
        assert found[hkl].intensity == pytest.approx(found[hkl].multiplicity * expected * lp)


def _p1_rock_salt() -> bytes:
    """NaCl with all eight atoms written out in P 1: no symmetry to lean on."""
    atoms = [("Na", (0, 0, 0)), ("Na", (0, 0.5, 0.5)), ("Na", (0.5, 0, 0.5)), ("Na", (0.5, 0.5, 0))]
    atoms += [
        ("Cl", (0.5, 0.5, 0.5)),
        ("Cl", (0.5, 0, 0)),
        ("Cl", (0, 0.5, 0)),
        ("Cl", (0, 0, 0.5)),
    ]
    rows = [f"{el}{i} {el} {x} {y} {z} 1" for i, (el, (x, y, z)) in enumerate(atoms, 1)]
    return (
        "data_p1\n_cell_length_a 5.64\n_cell_length_b 5.64\n_cell_length_c 5.64\n"
        "_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n"
        "_space_group_name_H-M_alt 'P 1'\nloop_\n_atom_site_label\n_atom_site_type_symbol\n"
        "_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n_atom_site_occupancy\n"
        + "\n".join(rows)
        + "\n"
    ).encode()


def test_the_pattern_does_not_depend_on_how_the_symmetry_is_written() -> None:
    symmetric = peaks(reflections(parse_cif(example("NaCl.cif")), 1.5406, 10, 90))
    explicit = peaks(reflections(parse_cif(_p1_rock_salt()), 1.5406, 10, 90))
    # In P 1 the families split into Friedel pairs, but each 2θ sums to the same peak.
    assert [round(p.two_theta_deg, 4) for p in explicit] == [
        round(p.two_theta_deg, 4) for p in symmetric
    ]
    for a, b in zip(symmetric, explicit, strict=True):
        assert a.relative_pct == pytest.approx(b.relative_pct, abs=0.01)
        assert a.multiplicity == b.multiplicity


def test_the_picture_is_an_svg_with_the_strongest_peaks_labelled() -> None:
    result = run("NaCl.cif")
    pattern = result["pattern"]
    assert pattern["extension"] == "svg" and pattern["type"] == "image/svg+xml"
    svg = base64.b64decode(pattern["base64"]).decode()
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "(200)" in texts and "(220)" in texts and "2θ (°)" in texts
    (line,) = root.iter(f"{ns}polyline")
    points = [tuple(map(float, p.split(","))) for p in line.get("points", "").split()]
    highest = min(points, key=lambda p: p[1])  # SVG y grows downwards
    width = float(root.get("width", "0"))
    # The highest point of the curve sits at (200), 2θ = 31.7° on a 10°-90° axis.
    x_fraction = (highest[0] - 72) / (width - 72 - 24)
    assert 10 + 80 * x_fraction == pytest.approx(31.7, abs=0.2)


def test_bad_settings_are_refused_in_plain_words() -> None:
    with pytest.raises(ServiceError, match="greater than"):
        run("Cu.cif", two_theta_min_deg=60, two_theta_max_deg=50)
    with pytest.raises(ServiceError, match="no reflections"):
        run("Cu.cif", two_theta_min_deg=10, two_theta_max_deg=20)


def test_a_run_through_the_demo_backend_creates_the_picture_as_a_file(tmp_path: Any) -> None:
    async def scenario(demo: Demo) -> None:
        cif = await demo.upload("Si.cif")
        response = await demo.use(XRD, inputs={"file": cif["id"]}, body={"fwhm_deg": 0.2})
        action = await demo.wait(response.json()["action"]["id"])
        assert action["status"] == "success", action["response"]
        answer = action["response"]
        assert "base64" not in answer["pattern"] and answer["pattern"]["id"]
        (output,) = action["output_assets"]
        assert output["name"] == "pattern" and output["asset"]["metadata"]["extension"] == "svg"
        assert answer["strongest_peak_hkl"] == "(111)"

    drive(create_app(tmp_path / "demo", faults=Faults(time_scale=0.01)), scenario)
