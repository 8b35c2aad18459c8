"""The equation-of-state fit and the post routes, against known answers (no HTTP)."""

from __future__ import annotations

import asyncio
import math
import random
from typing import Any

import pytest

from ouro_desktop.demo.services import eos_fit, post_facts, report_post
from ouro_desktop.demo.services.base import ServiceError
from ouro_desktop.demo.services.eos_fit import (
    EV_PER_A3_IN_GPA,
    EosError,
    birch_murnaghan,
    fit_eos,
)
from ouro_desktop.demo.services.least_squares import FitError, linear_lstsq

from .helpers import EXAMPLES
from .test_services import file_ref, make_call

# Three solids spanning stiff to soft (V0 Å³ and E0 eV per cell, B0 GPa, B0′): about fcc Cu,
# diamond-cubic Si (8-atom cell) and a soft molecular crystal.
SOLIDS = [
    (-3.72, 11.81, 140.0, 5.1),
    (-43.37, 163.2, 98.0, 4.2),
    (-27.40, 180.0, 24.0, 4.6),
]


def points(
    params: tuple[float, float, float, float], n: int, span: float, noise: float, seed: int
) -> tuple[list[float], list[float]]:
    e0, v0, b0_gpa, bp = params
    rng = random.Random(seed)
    volumes = [v0 * (1 - span + 2 * span * i / (n - 1)) for i in range(n)]
    energies = [
        birch_murnaghan(v, e0, v0, b0_gpa / EV_PER_A3_IN_GPA, bp) + rng.gauss(0, noise)
        for v in volumes
    ]
    return volumes, energies


def relative_errors(fit: dict[str, Any], params: tuple[float, ...]) -> list[float]:
    e0, v0, b0_gpa, bp = params
    got = [fit["e0"], fit["v0"], fit["b0"] * EV_PER_A3_IN_GPA, fit["bp"]]
    return [abs(g - t) / abs(t) for g, t in zip(got, (e0, v0, b0_gpa, bp), strict=True)]


@pytest.mark.parametrize("params", SOLIDS)
def test_exact_points_give_back_the_parameters(params: tuple[float, ...]) -> None:
    volumes, energies = points(params, n=9, span=0.06, noise=0.0, seed=0)  # type: ignore[arg-type]
    fit = fit_eos(volumes, energies)
    assert max(relative_errors(fit, params)) < 1e-6
    assert fit["rms"] < 1e-9


@pytest.mark.parametrize("params", SOLIDS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_noisy_points_give_back_the_parameters_within_one_percent(
    params: tuple[float, ...], seed: int
) -> None:
    # 0.1 meV per cell of noise (a well-converged DFT run), 31 volumes within ±15 % of V0:
    # B0′ is the touchiest parameter and still comes back within 1 %.
    volumes, energies = points(params, n=31, span=0.15, noise=1e-4, seed=seed)  # type: ignore[arg-type]
    fit = fit_eos(volumes, energies)
    assert max(relative_errors(fit, params)) < 0.01
    # The reported standard errors are honest: the true values lie within 4 of them.
    e0, v0, b0_gpa, bp = params
    truth = [e0, v0, b0_gpa / EV_PER_A3_IN_GPA, bp]
    got = [fit["e0"], fit["v0"], fit["b0"], fit["bp"]]
    for g, t, s in zip(got, truth, fit["errors"], strict=True):
        assert abs(g - t) <= 4 * s
    assert 0.5e-4 < fit["rms"] < 2e-4


@pytest.mark.parametrize("params", SOLIDS)
def test_fewer_points_and_more_noise_still_pin_e0_v0_and_b0(params: tuple[float, ...]) -> None:
    # 11 volumes within ±8 %, 0.2 meV of noise: B0′ wanders by several per cent, the rest not.
    volumes, energies = points(params, n=11, span=0.08, noise=2e-4, seed=4)  # type: ignore[arg-type]
    e0_err, v0_err, b0_err, _ = relative_errors(fit_eos(volumes, energies), params)
    assert max(e0_err, v0_err, b0_err) < 0.01


@pytest.mark.parametrize(
    ("volumes", "energies", "words"),
    [
        ([10, 11, 12, 13], [1.0, 0.2, 0.1, 0.3], "at least 5 points"),
        ([10, 10, 10, 11, 11, 12], [1.0, 0.9, 0.9, 0.2, 0.2, 0.5], "at least 5 points"),
        ([10, 11, 12, 13, 14, 15], [5.0, 4.0, 3.0, 2.0, 1.0, 0.0], "largest volume"),
        ([10, 11, 12, 13, 14, 15], [0.0, 1.0, 2.0, 1.5, 1.0, 0.1], "smallest volume"),
        ([10, 11, 12, 13, 14, 15, 16], [1.0, 0.0, 1.0, 0.0, 1.0, 0.5, 2.0], "scattered"),
        ([36, 38, 40, 42, 44, 46], [0.16, 0.04, 0.0, 0.04, 0.16, 0.36], "no solid has"),
    ],
)
def test_tables_that_cannot_be_fitted_get_a_plain_message(
    volumes: list[float], energies: list[float], words: str
) -> None:
    with pytest.raises(EosError) as info:
        fit_eos([float(v) for v in volumes], energies)
    assert words in str(info.value.detail)
    assert info.value.status == 422


def test_householder_least_squares_matches_a_known_polynomial() -> None:
    xs = [i / 10 for i in range(-10, 11)]
    coefficients = linear_lstsq([[1, x, x * x, x**3] for x in xs], [2 - x + 3 * x**3 for x in xs])
    assert coefficients == pytest.approx([2, -1, 0, 3], abs=1e-12)
    with pytest.raises(FitError):
        linear_lstsq([[1, 2], [2, 4], [3, 6]], [1, 2, 3])


def _eos_body(rows: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    columns = list(rows[0]) if rows else []
    return {
        "dataset": {
            "name": "Cu E(V)",
            "metadata": {"table_name": "t", "columns": columns},
            "data": rows,
        },
        **fields,
    }


def test_the_route_answer_has_units_charts_and_a_residuals_dataset() -> None:
    volumes, energies = points(SOLIDS[0], n=9, span=0.06, noise=0.0, seed=0)
    rows = [{"v_a3": v, "e_ev": e, "note": None} for v, e in zip(volumes, energies, strict=True)]
    rows.append({"v_a3": None, "e_ev": -1.0, "note": "skipped: no volume"})
    call, logs = make_call(_eos_body(rows, volume_column="V (A3)", energy_column="E_eV"))
    result = asyncio.run(eos_fit.handle(call))
    assert result["B0_GPa"] == pytest.approx(140.0, rel=1e-6)
    assert result["V0_A3"] == pytest.approx(11.81, rel=1e-6)
    assert result["points_used"] == 9
    assert (result["volume_column"], result["energy_column"]) == ("v_a3", "e_ev")
    assert len(result["curve"]) == eos_fit.CURVE_POINTS
    residuals = result["residuals"]
    assert residuals["name"].startswith("Cu E(V)")
    assert [r["volume_A3"] for r in residuals["data"]] == sorted(volumes)
    assert all(abs(r["residual_meV"]) < 1e-6 for r in residuals["data"])
    assert "V0 = 11.81" in logs[0][1]

    response = eos_fit.OPENAPI["components"]["schemas"][eos_fit.RESPONSE_MODEL]["properties"]
    assert (
        response["B0_GPa"]["title"] == "Bulk modulus B0" and response["B0_GPa"]["x-unit"] == "GPa"
    )
    assert response["V0_A3"]["x-unit"] == "Å³"
    missing = make_call(_eos_body(rows, volume_column="volume"))[0]
    with pytest.raises(ServiceError) as info:
        asyncio.run(eos_fit.handle(missing))
    assert "no column “volume”" in str(info.value.detail) and "“v_a3”" in str(info.value.detail)


def test_structure_report_post_reads_like_a_note() -> None:
    call, _ = make_call(
        {"file": file_ref("Cu.cif"), "notes": "Grown at 300 K."}, (EXAMPLES / "Cu.cif").read_bytes()
    )
    result = asyncio.run(report_post.handle(call))
    post = result["report"]
    assert post["name"] == "Cu structure report"
    text = post["content"]["text"]
    assert text.startswith("# Structure report: Cu\n")
    assert "Fm-3m" in text.replace(" ", "") and "Grown at 300 K." in text
    kinds = [b["type"] for b in post["content"]["json"]["content"]]
    assert kinds[:2] == ["heading", "paragraph"] and "table" in kinds
    assert math.isclose(result["density_g_cm3"], 8.93, rel_tol=0.01)


def test_post_facts_finds_formulas_and_quantities() -> None:
    text = (
        "# Copper oxide\n"
        "In air, Cu2O forms on Cu above 300 K. The cell of CuSO4·5H2O is not cubic.\n"
        "Fe and Ca(OH)2 were not used. I measured a = 3.615 Å, V = 47.24 Å³ and "
        "B = 140 GPa at −20 °C; the band gap is 2.1 eV.\n"
    )
    facts = post_facts.read_facts("Oxide", text)
    formulas = {f["formula"]: f for f in facts["formulas"]}
    assert set(formulas) == {"Cu2O", "Cu", "CuSO4·5H2O", "Fe", "Ca(OH)2"}  # not In, I, B, V
    assert formulas["Cu2O"]["molar_mass_g_mol"] == pytest.approx(143.09, abs=0.01)
    assert formulas["CuSO4·5H2O"]["molar_mass_g_mol"] == pytest.approx(249.68, abs=0.01)
    assert formulas["Cu"]["mentions"] == 1
    quantities = [(q["value"], q["unit"]) for q in facts["quantities"]]
    assert quantities == [
        (300.0, "K"),
        (3.615, "Å"),
        (47.24, "Å³"),
        (140.0, "GPa"),
        (-20.0, "°C"),
        (2.1, "eV"),
    ]
    # Where each appears: whole words, "…" where the text goes on (not "r of 3.615 Å").
    contexts = {q["value"]: q["context"] for q in facts["quantities"]}
    assert contexts[3.615] == "…Ca(OH)2 were not used. I measured a = 3.615 Å, V =…"
    assert contexts[2.1] == "…B = 140 GPa at −20 °C; the band gap is 2.1 eV."
    assert all(c.split()[0].lstrip("…") in text.split() for c in contexts.values())
    assert facts["summary"] == "In air, Cu2O forms on Cu above 300 K."
    assert facts["sentences"] == 4 and facts["words"] > 30

    call, _ = make_call({"post": {"name": "Empty", "content": {"text": "  "}}})
    with pytest.raises(ServiceError):
        asyncio.run(post_facts.handle(call))
