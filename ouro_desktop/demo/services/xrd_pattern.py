"""Demo route ``simulate-powder-xrd-pattern``: the powder X-ray diffraction pattern of a CIF.

Peak positions from the cell (Bragg's law), intensities from structure factors with
multiplicity and the Lorentz-polarisation factor (:mod:`.xrd`). The answer is a peak list
(2θ, d, hkl, relative intensity) that the route's chart draws, and the pattern as a picture:
an SVG file output (:mod:`.xrd_svg`), so a run of this route shows an image.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from . import params
from .base import ServiceCall, ServiceError, file_payload
from .spec import (
    document,
    field,
    file_input_declaration,
    file_input_schema,
    output_file_schema,
    post_operation,
    response_model,
)
from .structure import Structure, file_input, file_stem, load_structure
from .xrd import CU_K_ALPHA1_A, Peak, peaks, reflections, space_group
from .xrd_svg import pattern_svg

ROUTE_NAME = "simulate-powder-xrd-pattern"
METHOD = "POST"
PATH = "/materials/xrd/powder-pattern"

SVG_MIME = "image/svg+xml"
# Isotropic displacement given to sites whose CIF gives none: a typical room-temperature value.
DEFAULT_B_A2 = 0.5
METHOD_NOTE = (
    "Kinematic powder diffraction: Bragg positions from the unit cell; intensities "
    "m·|F|²·Lp with X-ray structure factors (International Tables form factors), the "
    "multiplicity m and the Lorentz-polarisation factor of an unpolarised beam, "
    "(1 + cos²2θ)/(sin²θ·cosθ). No absorption, preferred orientation or Kα2."
)


def hkl_text(hkl: tuple[int, int, int]) -> str:
    """``(111)`` for small non-negative indices, ``(1 −1 0)`` or ``(10 0 2)`` otherwise."""
    if all(0 <= i < 10 for i in hkl):
        return "({}{}{})".format(*hkl)
    return "(" + " ".join(str(i).replace("-", "−") for i in hkl) + ")"


def _set_displacement(structure: Structure, b_iso: float) -> None:
    u_iso = b_iso / (8 * math.pi**2)
    for site in structure.small.sites:
        if site.u_iso == 0 and not site.aniso.nonzero():
            site.u_iso = u_iso


def simulate(
    structure: Structure, wavelength: float, lo: float, hi: float, b_iso: float
) -> list[Peak]:
    """The peaks of ``structure`` (blocking: run in a thread)."""
    _set_displacement(structure, b_iso)
    return peaks(reflections(structure, wavelength, lo, hi))


def peak_rows(found: list[Peak]) -> list[dict[str, Any]]:
    return [
        {
            "two_theta_deg": round(p.two_theta_deg, 4),
            "d_A": round(p.d_A, 5),
            "hkl": hkl_text(p.hkl),
            "h": p.hkl[0],
            "k": p.hkl[1],
            "l": p.hkl[2],
            "multiplicity": p.multiplicity,
            "relative_intensity_pct": round(p.relative_pct, 2),
        }
        for p in found
    ]


async def handle(call: ServiceCall) -> dict[str, Any]:
    body = call.body
    wavelength = params.number(body, "wavelength_A", CU_K_ALPHA1_A, minimum=0.1, maximum=5.0)
    lo = params.number(body, "two_theta_min_deg", 10.0, minimum=0.5, maximum=170)
    hi = params.number(body, "two_theta_max_deg", 90.0, minimum=1, maximum=175)
    fwhm = params.number(body, "fwhm_deg", 0.15, minimum=0.01, maximum=5)
    b_iso = params.number(body, "displacement_B_A2", DEFAULT_B_A2, minimum=0, maximum=20)
    if hi <= lo:
        raise ServiceError(422, "'two_theta_max_deg' must be greater than 'two_theta_min_deg'.")
    ref = file_input(call)
    structure = await load_structure(call)
    found = await asyncio.to_thread(simulate, structure, wavelength, lo, hi, b_iso)
    if not found:
        raise ServiceError(
            422,
            f"{structure.formula} has no reflections between 2θ = {lo:g}° and {hi:g}° at "
            f"λ = {wavelength:g} Å; widen the range or use a shorter wavelength.",
        )
    group = space_group(structure)
    symbol = f"{group.short_name()} (No. {group.number})"  # as a chemist writes it: Fm-3m
    title = f"{structure.formula}: powder pattern, λ = {wavelength:g} Å"
    svg = await asyncio.to_thread(
        pattern_svg,
        [(p.two_theta_deg, p.relative_pct, hkl_text(p.hkl)) for p in found],
        two_theta_min=lo,
        two_theta_max=hi,
        fwhm=fwhm,
        title=title,
    )
    strongest = max(found, key=lambda p: p.relative_pct)
    await call.log(
        f"{structure.formula} ({symbol}): {len(found)} peaks between {lo:g}° and {hi:g}°, "
        f"strongest {hkl_text(strongest.hkl)} at 2θ = {strongest.two_theta_deg:.2f}°",
        level="info",
    )
    return {
        "pattern": file_payload(
            f"{file_stem(ref)}_xrd",
            svg.encode("utf-8"),
            "svg",
            SVG_MIME,
            description=f"Simulated powder X-ray diffraction pattern of {structure.formula}.",
        ),
        "formula": structure.formula,
        "space_group": symbol,
        "wavelength_A": wavelength,
        "two_theta_min_deg": lo,
        "two_theta_max_deg": hi,
        "n_peaks": len(found),
        "strongest_peak_hkl": hkl_text(strongest.hkl),
        "strongest_peak_two_theta_deg": round(strongest.two_theta_deg, 4),
        "strongest_peak_d_A": round(strongest.d_A, 5),
        "peaks": peak_rows(found),
        "method": METHOD_NOTE,
    }


REQUEST_MODEL = "PowderPatternRequest"
RESPONSE_MODEL = "PowderPatternResponse"

_PEAK = {
    "type": "object",
    "properties": {
        "two_theta_deg": field("number", "2θ", "Diffraction angle of the peak.", "°"),
        "d_A": field("number", "d-spacing", "Interplanar spacing, from Bragg's law.", "Å"),
        "hkl": field("string", "hkl", "Miller indices of the strongest reflection family."),
        "h": field("integer", "h", "First Miller index."),
        "k": field("integer", "k", "Second Miller index."),
        "l": field("integer", "l", "Third Miller index."),
        "multiplicity": field(
            "integer", "Multiplicity", "Symmetry-equivalent reflections in the peak."
        ),
        "relative_intensity_pct": field(
            "number", "Relative intensity", "Integrated intensity; the strongest is 100.", "%"
        ),
    },
}

RESPONSE_SCHEMA = response_model(
    RESPONSE_MODEL,
    "The simulated powder pattern: the peaks and a picture of the pattern.",
    {
        "pattern": output_file_schema(
            "Diffraction pattern (picture)", "The simulated pattern drawn as an SVG image."
        ),
        "formula": field("string", "Formula", "Reduced chemical formula (Hill order)."),
        "space_group": field("string", "Space group", "Used for the reflection conditions."),
        "wavelength_A": field("number", "Wavelength", "X-ray wavelength.", "Å"),
        "two_theta_min_deg": field("number", "Lowest 2θ", "Start of the simulated range.", "°"),
        "two_theta_max_deg": field("number", "Highest 2θ", "End of the simulated range.", "°"),
        "n_peaks": field("integer", "Number of peaks", "Peaks in the range (those above 0.05 %)."),
        "strongest_peak_hkl": field("string", "Strongest peak", "Its Miller indices."),
        "strongest_peak_two_theta_deg": field(
            "number", "Strongest peak position", "2θ of the strongest peak.", "°"
        ),
        "strongest_peak_d_A": field(
            "number", "Strongest peak d-spacing", "Interplanar spacing of the strongest peak.", "Å"
        ),
        "peaks": {
            "type": "array",
            "title": "Peaks",
            "description": "Every peak in the range, by increasing 2θ.",
            "items": _PEAK,
        },
        "method": field("string", "Method", "The model behind the pattern."),
    },
)

OPENAPI: dict[str, Any] = document(
    title="Powder X-ray diffraction",
    description="Simulate the powder X-ray diffraction pattern of a crystal structure.",
    path=PATH,
    operation=post_operation(
        summary="Simulate a powder X-ray diffraction pattern",
        description=(
            "Compute the powder XRD pattern of a crystal structure (CIF): peak positions from "
            "the unit cell, intensities from X-ray structure factors, multiplicities and the "
            "Lorentz-polarisation factor. Returns the peak list and the pattern as a picture. "
            "Cu Kα1 (1.5406 Å) by default."
        ),
        operation_id="powder_pattern_materials_xrd_powder_pattern_post",
        request_model=REQUEST_MODEL,
        response_model=RESPONSE_MODEL,
        extensions={
            "x-ouro-input-assets": file_input_declaration(),
            "x-ouro-output-assets": {
                "pattern": {
                    "asset_type": "file",
                    "primary": True,
                    "file_extensions": ["svg"],
                    "role": "result",
                }
            },
            "x-ouro-execution-mode": "sync",
            "x-ouro-properties": [
                {
                    "property": "strongest_xrd_peak_two_theta",
                    "value": "strongest_peak_two_theta_deg",
                    "unit": "deg",
                    "subject": {"input": "file"},
                    "method": "kinematic powder diffraction (simulated)",
                    "conditions": {"wavelength_A": "{wavelength_A}"},
                }
            ],
            "x-ouro-response-charts": [
                {
                    "data": "peaks",
                    "title": "Powder pattern of {formula}",
                    "description": "λ = {wavelength_A} Å; strongest peak {strongest_peak_hkl} "
                    "at 2θ = {strongest_peak_two_theta_deg:2}°",
                    "config": {
                        "type": "bar",
                        "category": {"dataKey": "two_theta_deg", "type": "number"},
                        "series": [{"dataKey": "relative_intensity_pct"}],
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
                "file": {
                    "$ref": "#/components/schemas/File",
                    "description": "The crystal structure (CIF).",
                },
                "wavelength_A": {
                    "type": "number",
                    "title": "Wavelength (Å)",
                    "description": "X-ray wavelength; Cu Kα1 is 1.5406 Å, Mo Kα1 0.7093 Å.",
                    "default": CU_K_ALPHA1_A,
                    "minimum": 0.1,
                    "maximum": 5.0,
                },
                "two_theta_min_deg": {
                    "type": "number",
                    "title": "Lowest 2θ (°)",
                    "description": "Start of the simulated range.",
                    "default": 10.0,
                    "minimum": 0.5,
                    "maximum": 170,
                },
                "two_theta_max_deg": {
                    "type": "number",
                    "title": "Highest 2θ (°)",
                    "description": "End of the simulated range; must be above the lowest 2θ.",
                    "default": 90.0,
                    "minimum": 1,
                    "maximum": 175,
                },
                "fwhm_deg": {
                    "type": "number",
                    "title": "Peak width (°)",
                    "description": "Full width at half maximum of each peak in the picture.",
                    "default": 0.15,
                    "minimum": 0.01,
                    "maximum": 5,
                },
                "displacement_B_A2": {
                    "type": "number",
                    "title": "Displacement parameter B (Å²)",
                    "description": "Isotropic thermal displacement for atoms whose CIF gives "
                    "none; about 0.5 Å² at room temperature, 0 for a static lattice.",
                    "default": DEFAULT_B_A2,
                    "minimum": 0,
                    "maximum": 20,
                },
            },
            "required": ["file"],
        },
    },
)
