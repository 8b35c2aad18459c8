"""Demo route ``fit-equation-of-state``: a third-order Birch–Murnaghan fit of E(V) points.

Input: an Ouro dataset with a volume column (Å³ per cell) and an energy column (eV per cell).
The third-order Birch–Murnaghan equation of state

    E(V) = E0 + 9 V0 B0 / 16 · { [η − 1]³ B0′ + [η − 1]² (6 − 4η) },   η = (V0 / V)^(2/3)

is exactly a cubic polynomial in x = V^(−2/3), so a linear least-squares fit of that cubic
(on a centred, scaled x, by Householder QR) already gives the best fit; V0 is where the
cubic's slope vanishes with positive curvature, B0 = V d²E/dV² and B0′ = −1 − V E‴/E″ there.
Levenberg–Marquardt on (E0, V0, B0, B0′) then polishes those values and gives their standard
errors. 1 eV/Å³ = 160.21766208 GPa. A table with fewer than five points, or whose energies
have no minimum inside its volume range (not convex around the lowest point), gets a plain
message instead of a fit. The residuals come back as a dataset output.
"""

from __future__ import annotations

import math
from typing import Any

from ...dataset_columns import stored_column_name
from .base import ServiceCall, ServiceError
from .least_squares import FitError, levenberg_marquardt, linear_lstsq
from .spec import document, post_operation

ROUTE_NAME = "fit-equation-of-state"
METHOD = "POST"
PATH = "/materials/eos/fit"

EV_PER_A3_IN_GPA = 160.21766208
MIN_POINTS = 5
# A fit that explains less of the energy variation than this, or gives B0′ outside
# (0, MAX_B0_PRIME), describes scatter, not a solid (B0′ of real solids is about 3 to 8).
MIN_EXPLAINED = 0.95
MAX_B0_PRIME = 30.0
CURVE_POINTS = 81
METHOD_NOTE = (
    "Third-order Birch–Murnaghan equation of state, fitted by least squares to E(V); "
    "uncertainties are one standard error from the fit."
)


def birch_murnaghan(volume: float, e0: float, v0: float, b0: float, bp: float) -> float:
    """E(V) in eV for V in Å³ and B0 in eV/Å³."""
    eta = (v0 / volume) ** (2.0 / 3.0)
    d = eta - 1.0
    return e0 + 9.0 * v0 * b0 / 16.0 * (d**3 * bp + d**2 * (6.0 - 4.0 * eta))


def _jacobian_row(volume: float, p: list[float]) -> list[float]:
    e0, v0, b0, bp = p
    eta = (v0 / volume) ** (2.0 / 3.0)
    d = eta - 1.0
    g = d**3 * bp + d**2 * (6.0 - 4.0 * eta)
    dg = 3 * d**2 * bp + 2 * d * (6.0 - 4.0 * eta) - 4 * d**2
    k = 9.0 * b0 / 16.0
    return [1.0, k * (g + 2.0 / 3.0 * eta * dg), 9.0 * v0 / 16.0 * g, k * v0 * d**3]


class EosError(ServiceError):
    def __init__(self, message: str) -> None:
        super().__init__(422, message)


def _cubic_start(volumes: list[float], energies: list[float]) -> list[float]:
    """(E0, V0, B0 [eV/Å³], B0′) from the exact cubic-in-V^(−2/3) least-squares fit."""
    xs = [v ** (-2.0 / 3.0) for v in volumes]
    mid = (max(xs) + min(xs)) / 2
    half = (max(xs) - min(xs)) / 2
    ts = [(x - mid) / half for x in xs]
    try:
        c0, c1, c2, c3 = linear_lstsq([[1.0, t, t * t, t**3] for t in ts], energies)
    except FitError:
        raise EosError(
            "These volumes are too few or too alike to fit an equation of state; use at "
            "least five different volumes."
        ) from None
    # Stationary points: c1 + 2 c2 t + 3 c3 t² = 0, the minimum where 2 c2 + 6 c3 t > 0.
    roots: list[float] = []
    if abs(c3) > 1e-14 * (abs(c1) + abs(c2) + 1e-300):
        disc = 4 * c2 * c2 - 12 * c3 * c1
        if disc >= 0:
            roots = [(-2 * c2 + s * math.sqrt(disc)) / (6 * c3) for s in (1, -1)]
    elif abs(c2) > 0:
        roots = [-c1 / (2 * c2)]
    minima = [t for t in roots if 2 * c2 + 6 * c3 * t > 0 and -1.0 <= t <= 1.0]
    if not minima:
        raise EosError(
            "These energies have no minimum inside the volume range that an equation of "
            "state can describe (E(V) is not convex around its lowest point). Check the "
            "columns, or add volumes on both sides of the minimum."
        )
    t0 = minima[0]
    x0 = mid + half * t0
    v0 = x0 ** (-1.5)
    e0 = c0 + c1 * t0 + c2 * t0**2 + c3 * t0**3
    exx = (2 * c2 + 6 * c3 * t0) / half**2  # d²E/dx²
    exxx = 6 * c3 / half**3
    x1 = -2.0 / 3.0 * v0 ** (-5.0 / 3.0)
    x2 = 10.0 / 9.0 * v0 ** (-8.0 / 3.0)
    evv = exx * x1 * x1
    evvv = exxx * x1**3 + 3 * exx * x1 * x2
    b0 = v0 * evv
    bp = -1.0 - v0 * evvv / evv
    return [e0, v0, b0, bp]


def _points(body: dict[str, Any]) -> tuple[list[float], list[float], str, str]:
    dataset = body.get("dataset") or {}
    rows = dataset.get("data") if isinstance(dataset, dict) else None
    if not isinstance(rows, list):
        raise EosError("The dataset input has no rows.")
    columns = list((dataset.get("metadata") or {}).get("columns") or [])
    if not columns and rows and isinstance(rows[0], dict):
        columns = list(rows[0])
    wanted = []
    for field, default in (("volume_column", "volume"), ("energy_column", "energy")):
        given = body.get(field) or default
        name = stored_column_name(str(given))
        if name not in columns:
            shown = ", ".join(f"“{c}”" for c in columns) or "none"
            raise EosError(
                f"The dataset has no column “{given}”. Its columns are: {shown}. Set "
                f"“{field.replace('_', ' ').capitalize()}” to one of them."
            )
        wanted.append(name)
    vol_col, en_col = wanted
    volumes: list[float] = []
    energies: list[float] = []
    for number, row in enumerate(rows, start=1):
        v, e = row.get(vol_col), row.get(en_col)
        if v is None or e is None:
            continue  # an empty cell: that row is left out
        try:
            v, e = float(v), float(e)
        except (TypeError, ValueError):
            raise EosError(
                f"Row {number}: volume and energy must be numbers (got {v!r}, {e!r})."
            ) from None
        if not (math.isfinite(v) and math.isfinite(e)):
            continue
        if v <= 0:
            raise EosError(f"Row {number}: the volume must be positive (got {v:g} Å³).")
        volumes.append(v)
        energies.append(e)
    return volumes, energies, vol_col, en_col


def fit_eos(volumes: list[float], energies: list[float]) -> dict[str, Any]:
    """The fit as a dict of numbers (raises :class:`EosError` with a plain message)."""
    if len(volumes) < MIN_POINTS or len(set(volumes)) < MIN_POINTS:
        raise EosError(
            f"Fitting an equation of state needs at least {MIN_POINTS} points with different "
            f"volumes; this table has {len(set(volumes))}."
        )
    order = sorted(range(len(volumes)), key=lambda i: volumes[i])
    lowest = min(order, key=lambda i: energies[i])
    if lowest in (order[0], order[-1]):
        side = "smallest" if lowest == order[0] else "largest"
        raise EosError(
            f"The lowest energy is at the {side} volume, so the table does not bracket the "
            "minimum of E(V) (it is not convex around its lowest point). Add volumes on the "
            f"other side of {volumes[lowest]:g} Å³."
        )
    start = _cubic_start(volumes, energies)
    if start[2] <= 0:
        raise EosError("The fitted curvature at the minimum is not positive; no bulk modulus.")
    try:
        fit = levenberg_marquardt(
            lambda p: [birch_murnaghan(v, *p) for v in volumes],
            lambda p: [_jacobian_row(v, p) for v in volumes],
            energies,
            start,
        )
    except FitError:
        raise EosError("The Birch–Murnaghan fit did not converge on these points.") from None
    e0, v0, b0, bp = fit.params
    if b0 <= 0 or not all(math.isfinite(x) for x in fit.params):
        raise EosError("The fit gives no positive bulk modulus for these points.")
    n = len(volumes)
    mean = sum(energies) / n
    spread = sum((e - mean) ** 2 for e in energies)
    explained = 1 - sum(r * r for r in fit.residuals) / spread if spread > 0 else 0.0
    if explained < MIN_EXPLAINED:
        raise EosError(
            "These points do not follow an equation of state: the best Birch–Murnaghan "
            f"curve leaves them scattered (it explains {max(explained, 0):.0%} of the energy "
            "variation). Check that the columns hold volume and energy of the same structure."
        )
    if not 0 < bp < MAX_B0_PRIME:
        raise EosError(
            f"The fit gives B0′ = {bp:.3g}, which no solid has (it is about 3 to 8): this "
            "E(V) curve is not shaped like a solid's. Check that the columns hold volume "
            "(Å³) and energy (eV) of the same structure."
        )
    rms = math.sqrt(sum(r * r for r in fit.residuals) / n)
    return {
        "e0": e0,
        "v0": v0,
        "b0": b0,
        "bp": bp,
        "errors": fit.errors,
        "residuals": fit.residuals,
        "rms": rms,
    }


def _sig(value: float, digits: int = 6) -> float:
    return float(f"{value:.{digits}g}") if math.isfinite(value) else value


def _error(value: float) -> float | None:
    return _sig(value, 3) if math.isfinite(value) else None


async def handle(call: ServiceCall) -> dict[str, Any]:
    volumes, energies, vol_col, en_col = _points(call.body)
    fit = fit_eos(volumes, energies)
    e0, v0, b0, bp = fit["e0"], fit["v0"], fit["b0"], fit["bp"]
    err = fit["errors"]
    await call.log(f"Fitted {len(volumes)} points: V0 = {v0:.4f} Å³, B0 = {b0 * 160.2:.1f} GPa")
    lo, hi = min(volumes), max(volumes)
    curve = []
    for i in range(CURVE_POINTS):
        v = lo + (hi - lo) * i / (CURVE_POINTS - 1)
        curve.append({"volume_A3": _sig(v), "energy_eV": _sig(birch_murnaghan(v, e0, v0, b0, bp))})
    points = sorted(
        (
            {
                "volume_A3": v,
                "energy_eV": e,
                "fitted_energy_eV": _sig(e - r, 10),
                "residual_meV": _sig(r * 1000, 4),
            }
            for v, e, r in zip(volumes, energies, fit["residuals"], strict=True)
        ),
        key=lambda p: p["volume_A3"],
    )
    name = str((call.body.get("dataset") or {}).get("name") or "E(V) points")
    return {
        "V0_A3": _sig(v0),
        "E0_eV": _sig(e0, 8),
        "B0_GPa": _sig(b0 * EV_PER_A3_IN_GPA, 5),
        "B0_prime": _sig(bp, 4),
        "V0_error_A3": _error(err[1]),
        "E0_error_eV": _error(err[0]),
        "B0_error_GPa": _error(err[2] * EV_PER_A3_IN_GPA),
        "B0_prime_error": _error(err[3]),
        "rms_residual_meV": _sig(fit["rms"] * 1000, 3),
        "points_used": len(volumes),
        "volume_column": vol_col,
        "energy_column": en_col,
        "curve": curve,
        "points": points,
        "residuals": {
            "name": f"{name} – Birch–Murnaghan residuals",
            "description": (
                f"Measured minus fitted energy for each point of {name} "
                f"(V0 = {v0:.4f} Å³, B0 = {b0 * EV_PER_A3_IN_GPA:.2f} GPa)."
            ),
            "data": points,
        },
        "method": METHOD_NOTE,
    }


def _number(title: str, unit: str, description: str) -> dict[str, Any]:
    return {"type": "number", "title": title, "description": description, "x-unit": unit}


RESPONSE_MODEL = "EquationOfStateFit"
REQUEST_MODEL = "EquationOfStateRequest"
_POINT = {
    "type": "object",
    "properties": {
        "volume_A3": _number("Volume", "Å³", "Volume per cell."),
        "energy_eV": _number("Energy", "eV", "Energy per cell."),
        "fitted_energy_eV": _number("Fitted energy", "eV", "Birch–Murnaghan energy."),
        "residual_meV": _number("Residual", "meV", "Measured minus fitted energy."),
    },
}

OPENAPI: dict[str, Any] = document(
    title="Equation of state",
    description="Fit an equation of state to energy–volume points.",
    path=PATH,
    operation=post_operation(
        summary="Fit an equation of state",
        description=(
            "Fit the third-order Birch–Murnaghan equation of state to a table of volumes "
            "(Å³ per cell) and energies (eV per cell): equilibrium volume V0, energy E0, "
            "bulk modulus B0 (GPa) and its pressure derivative B0′, with the fitted curve "
            "and the residuals as a new dataset."
        ),
        operation_id="fit_materials_eos_fit_post",
        request_model=REQUEST_MODEL,
        extensions={
            "x-ouro-input-assets": {"dataset": {"asset_type": "dataset", "primary": True}},
            "x-ouro-output-assets": {
                "residuals": {"asset_type": "dataset", "primary": True, "role": "result"}
            },
            "x-ouro-execution-mode": "sync",
            "x-ouro-response-charts": [
                {
                    "data": "curve",
                    "title": "Birch–Murnaghan fit (B0 = {B0_GPa:1} GPa)",
                    "description": "V0 = {V0_A3:3} Å³, E0 = {E0_eV:4} eV",
                    "config": {
                        "type": "line",
                        "category": {"dataKey": "volume_A3"},
                        "series": [{"dataKey": "energy_eV", "name": "Fitted energy"}],
                    },
                },
                {
                    "data": "points",
                    "title": "Measured and fitted energies",
                    "config": {
                        "type": "line",
                        "category": {"dataKey": "volume_A3"},
                        # The measured points as markers over the fitted curve (as
                        # lines, the fit hid them: they lie on it within a meV).
                        "series": [
                            {"dataKey": "energy_eV", "name": "Measured", "type": "scatter"},
                            {"dataKey": "fitted_energy_eV", "name": "Fitted"},
                        ],
                    },
                },
            ],
            "x-ouro-properties": [
                {
                    "property": "bulk modulus",
                    "value": "B0_GPa",
                    "unit": "GPa",
                    "uncertainty": "B0_error_GPa",
                    "subject": {"input": "dataset"},
                    "method": "third-order Birch–Murnaghan fit",
                }
            ],
        },
    ),
    schemas={
        "DatasetMetadata": {
            "type": "object",
            "title": "DatasetMetadata",
            "properties": {"table_name": {"type": "string", "title": "Table Name"}},
            "required": ["table_name"],
        },
        "Dataset": {
            "type": "object",
            "title": "Dataset",
            "description": "An Ouro dataset, resolved by Ouro to its metadata and rows.",
            "properties": {
                "id": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Id"},
                "name": {"type": "string", "title": "Name"},
                "description": {
                    "anyOf": [{"type": "string"}, {"type": "null"}],
                    "title": "Description",
                },
                "metadata": {"$ref": "#/components/schemas/DatasetMetadata"},
                "data": {"type": "array", "title": "Data", "items": {"type": "object"}},
            },
            "required": ["name", "metadata", "data"],
        },
        REQUEST_MODEL: {
            "type": "object",
            "title": REQUEST_MODEL,
            "properties": {
                "dataset": {
                    "$ref": "#/components/schemas/Dataset",
                    "description": "A table with one row per structure: its volume and energy.",
                },
                "volume_column": {
                    "type": "string",
                    "title": "Volume column",
                    "description": "The column holding the volume per cell, in Å³.",
                    "default": "volume",
                },
                "energy_column": {
                    "type": "string",
                    "title": "Energy column",
                    "description": "The column holding the total energy per cell, in eV.",
                    "default": "energy",
                },
            },
            "required": ["dataset"],
        },
        RESPONSE_MODEL: {
            "type": "object",
            "title": RESPONSE_MODEL,
            "properties": {
                "V0_A3": _number("Equilibrium volume V0", "Å³", "Volume at the energy minimum."),
                "E0_eV": _number("Minimum energy E0", "eV", "Energy at the equilibrium volume."),
                "B0_GPa": _number("Bulk modulus B0", "GPa", "Bulk modulus at V0."),
                "B0_prime": {
                    "type": "number",
                    "title": "Pressure derivative B0′",
                    "description": "dB/dP at V0 (dimensionless).",
                },
                "V0_error_A3": _number("Uncertainty of V0", "Å³", "One standard error."),
                "E0_error_eV": _number("Uncertainty of E0", "eV", "One standard error."),
                "B0_error_GPa": _number("Uncertainty of B0", "GPa", "One standard error."),
                "B0_prime_error": {
                    "anyOf": [{"type": "number"}, {"type": "null"}],
                    "title": "Uncertainty of B0′",
                    "description": "One standard error.",
                },
                "rms_residual_meV": _number(
                    "RMS residual", "meV", "Root-mean-square of measured minus fitted energy."
                ),
                "points_used": {"type": "integer", "title": "Points used"},
                "volume_column": {"type": "string", "title": "Volume column"},
                "energy_column": {"type": "string", "title": "Energy column"},
                "curve": {"type": "array", "title": "Fitted curve", "items": _POINT},
                "points": {"type": "array", "title": "Points and residuals", "items": _POINT},
                "residuals": {"type": "object", "title": "Residuals (dataset)"},
                "method": {"type": "string", "title": "Method"},
            },
        },
    },
)
OPENAPI["paths"][PATH]["post"]["responses"]["200"]["content"]["application/json"]["schema"] = {
    "$ref": f"#/components/schemas/{RESPONSE_MODEL}"
}
