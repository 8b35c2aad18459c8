"""Demo route ``free-electron-dos-curve``: a slow (async) route that logs progress.

For the free-electron gas g(E) = (3 N_val / 2) · √E / E_F^(3/2) per cell, which integrates to
N_val between 0 and E_F. The curve is Gaussian-smeared (as DOS plots from band-structure codes
are) and computed in ``steps`` chunks, with a progress log and a short wait after each, so the
run takes a few seconds like a real long-running model.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from . import params
from .base import ServiceCall, ServiceError
from .dos_fermi import (
    FERMI_FIELD,
    FORMULA_FIELD,
    METHOD_FIELD,
    METHOD_NOTE,
    VALENCE_FIELD,
    VOLUME_FIELD,
    free_electron_gas,
)
from .spec import (
    document,
    field,
    file_input_declaration,
    file_input_schema,
    post_operation,
    response_model,
)
from .structure import load_structure, tidy_number

ROUTE_NAME = "free-electron-dos-curve"
METHOD = "POST"
PATH = "/materials/dos/curve"

# Seconds of deliberate waiting in a whole run (scaled by ServiceCall.time_scale).
TOTAL_WAIT_S = 3.0
# Intervals of the Simpson rule used for the smearing integral at each energy.
_SMEARING_INTERVALS = 160


def smeared_dos(energy: float, coefficient: float, sigma: float) -> float:
    """(coefficient·√E') convolved with a normalised Gaussian of width ``sigma``, at ``energy``.

    Substituting E' = u² makes the integrand 2C·u²·G(E − u²) smooth at the band bottom; the
    integral runs over E' within 7σ of ``energy`` (the Gaussian is negligible beyond).
    """
    if sigma <= 0:
        return coefficient * math.sqrt(energy) if energy > 0 else 0.0
    lo = math.sqrt(max(0.0, energy - 7 * sigma))
    hi_sq = energy + 7 * sigma
    if hi_sq <= 0:
        return 0.0
    hi = math.sqrt(hi_sq)
    n = _SMEARING_INTERVALS
    h = (hi - lo) / n
    norm = 1.0 / (sigma * math.sqrt(2 * math.pi))
    total = 0.0
    for i in range(n + 1):
        u = lo + i * h
        weight = 1 if i in (0, n) else (4 if i % 2 else 2)
        total += weight * u * u * math.exp(-((energy - u * u) ** 2) / (2 * sigma * sigma))
    return 2 * coefficient * norm * total * h / 3


def _smeared_chunk(energies: list[float], coefficient: float, sigma: float) -> list[float]:
    return [smeared_dos(e, coefficient, sigma) for e in energies]


async def handle(call: ServiceCall) -> dict[str, Any]:
    body = call.body
    e_min = params.number(body, "e_min_eV", 0.0, minimum=-50, maximum=200)
    e_max = params.number(body, "e_max_eV", 12.0, minimum=-50, maximum=200)
    points = params.integer(body, "points", 60, minimum=2, maximum=500)
    sigma = params.number(body, "smearing_eV", 0.2, minimum=0, maximum=5)
    steps = params.integer(body, "steps", 6, minimum=1, maximum=20)
    if e_max <= e_min:
        raise ServiceError(422, "'e_max_eV' must be greater than 'e_min_eV'.")

    structure = await load_structure(call)
    gas = free_electron_gas(structure)
    e_f = gas.fermi_energy_eV
    coefficient = 1.5 * gas.valence_electrons / e_f**1.5

    energies = [e_min + (e_max - e_min) * i / (points - 1) for i in range(points)]
    curve: list[dict[str, float]] = []
    pause = TOTAL_WAIT_S * max(call.time_scale, 0.0) / steps
    for step in range(steps):
        chunk = energies[step * points // steps : (step + 1) * points // steps]
        values = await asyncio.to_thread(_smeared_chunk, chunk, coefficient, sigma)
        curve.extend(
            {"energy_eV": round(e, 6), "dos_per_eV_per_cell": v}
            for e, v in zip(chunk, values, strict=True)
        )
        if chunk:
            done = f"{chunk[0]:.2f} to {chunk[-1]:.2f} eV"
        else:
            done = "no new points"
        await call.log(
            f"Step {step + 1}/{steps}: {structure.formula} DOS computed for {done} "
            f"({len(curve)}/{points} points, E_F = {e_f:.3f} eV)",
            level="info",
        )
        if pause > 0:
            await asyncio.sleep(pause)

    return {
        "formula": structure.formula,
        "fermi_energy_eV": e_f,
        "valence_electrons_cell": tidy_number(gas.valence_electrons),
        "volume_A3": gas.volume_A3,
        "dos_at_fermi_level_per_eV_per_cell": 1.5 * gas.valence_electrons / e_f,
        "smearing_eV": sigma,
        "curve": curve,
        "method": METHOD_NOTE,
    }


REQUEST_MODEL = "DosCurveRequest"
RESPONSE_MODEL = "DosCurveResponse"

RESPONSE_SCHEMA = response_model(
    RESPONSE_MODEL,
    "The smeared free-electron density of states on an energy grid.",
    {
        "formula": FORMULA_FIELD,
        "fermi_energy_eV": FERMI_FIELD,
        "valence_electrons_cell": VALENCE_FIELD,
        "volume_A3": VOLUME_FIELD,
        "dos_at_fermi_level_per_eV_per_cell": field(
            "number",
            "DOS at the Fermi level",
            "Unsmeared density of states at the Fermi energy, for the whole cell.",
            "states/eV/cell",
        ),
        "smearing_eV": field("number", "Gaussian smearing (eV)", "Width σ of the broadening."),
        "curve": {
            "type": "array",
            "title": "DOS curve",
            "description": "The density of states at each energy of the grid.",
            "items": {
                "type": "object",
                "properties": {
                    "energy_eV": field("number", "Energy (eV)", "Energy above the band bottom."),
                    "dos_per_eV_per_cell": field(
                        "number", "DOS", "Density of states for the whole cell.", "states/eV/cell"
                    ),
                },
            },
        },
        "method": METHOD_FIELD,
    },
)

OPENAPI: dict[str, Any] = document(
    title="Free-electron DOS curve",
    description="The free-electron density of states of a crystal as a curve.",
    path=PATH,
    operation=post_operation(
        summary="Free-electron DOS curve",
        description=(
            "Compute the Gaussian-smeared free-electron density of states g(E) ∝ √E of a "
            "crystal on an energy grid. Runs for a few seconds and reports progress."
        ),
        operation_id="dos_curve_materials_dos_curve_post",
        request_model=REQUEST_MODEL,
        response_model=RESPONSE_MODEL,
        extensions={
            "x-ouro-input-assets": file_input_declaration(),
            "x-ouro-execution-mode": "async",
            "x-ouro-response-charts": [
                {
                    "data": "curve",
                    "title": "Free-electron DOS of {formula}",
                    "description": "Fermi energy {fermi_energy_eV:2} eV",
                    "config": {
                        "type": "line",
                        "category": {"dataKey": "energy_eV"},
                        "series": [{"dataKey": "dos_per_eV_per_cell"}],
                    },
                }
            ],
        },
    ),
    schemas={
        "File": file_input_schema(),
        RESPONSE_MODEL: RESPONSE_SCHEMA,
        REQUEST_MODEL: {
            "type": "object",
            "title": REQUEST_MODEL,
            "properties": {
                "file": {"$ref": "#/components/schemas/File"},
                "e_min_eV": {
                    "type": "number",
                    "title": "Lowest energy (eV)",
                    "description": "Start of the energy grid, relative to the band bottom.",
                    "default": 0.0,
                    "minimum": -50,
                    "maximum": 200,
                },
                "e_max_eV": {
                    "type": "number",
                    "title": "Highest energy (eV)",
                    "description": "End of the energy grid; must be above the lowest energy.",
                    "default": 12.0,
                    "minimum": -50,
                    "maximum": 200,
                },
                "points": {
                    "type": "integer",
                    "title": "Points",
                    "description": "Number of energies on the grid.",
                    "default": 60,
                    "minimum": 2,
                    "maximum": 500,
                },
                "smearing_eV": {
                    "type": "number",
                    "title": "Gaussian smearing (eV)",
                    "description": "Width σ of the Gaussian broadening; 0 gives the bare √E curve.",
                    "default": 0.2,
                    "minimum": 0,
                    "maximum": 5,
                },
                "steps": {
                    "type": "integer",
                    "title": "Progress steps",
                    "description": "How many chunks the computation runs in (one log line each).",
                    "default": 6,
                    "minimum": 1,
                    "maximum": 20,
                },
            },
            "required": ["file"],
        },
    },
)
