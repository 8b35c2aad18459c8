"""Demo route ``structure-report``: a paid (per-call) crystallographic summary of a CIF.

Reports the formula, the declared space group, the cell, the density and the nearest-neighbour
distances. Its ``x-ouro-pricing`` makes it the demo's monetized route, so the app's cost
preview and confirmation can be exercised offline.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from typing import TYPE_CHECKING, Any

from ...lazy import LazyModule
from .base import ServiceCall
from .spec import (
    cell_parameter_fields,
    document,
    field,
    file_input_declaration,
    file_input_schema,
    post_operation,
    response_model,
)
from .structure import AMU_PER_A3_TO_G_PER_CM3, Structure, hill_formula, load_structure

if TYPE_CHECKING:
    import gemmi
else:
    gemmi = LazyModule("gemmi")  # CIF parsing: imported when first used

ROUTE_NAME = "structure-report"
METHOD = "POST"
PATH = "/materials/structure/report"

PRICING = {"model": "per_call", "unit_cost": 0.05, "currency": "usd", "unit_cost_usd": 0.05}

# Neighbours within this much of a site's nearest distance count towards its first shell (Å).
SHELL_TOLERANCE_A = 0.1
# Above this many distance evaluations the neighbour analysis is skipped (keeps the demo snappy).
MAX_DISTANCE_EVALUATIONS = 3_000_000
# Sites listed individually in the report.
MAX_LISTED_SITES = 50


def space_group_info(structure: Structure) -> dict[str, Any]:
    """The space group as the CIF declares it (by name or by its symmetry operations)."""
    small = structure.small
    group = small.spacegroup
    source = "declared"
    if group is None and small.symops:
        try:
            ops = gemmi.GroupOps([gemmi.Op(triplet) for triplet in small.symops])
            group = gemmi.find_spacegroup_by_ops(ops)
            source = "from symmetry operations"
        except (ValueError, RuntimeError):
            group = None
    if group is None:
        return {
            "space_group": "P 1",
            "space_group_number": 1,
            "crystal_system": "triclinic",
            "space_group_source": "none declared; P 1 assumed",
        }
    return {
        "space_group": group.xhm(),
        "space_group_number": group.number,
        "crystal_system": group.crystal_system_str(),
        "space_group_source": source,
    }


def density_g_cm3(structure: Structure) -> float:
    mass_amu = sum(site.occ * site.element.weight for site in structure.sites)
    return mass_amu / structure.volume * AMU_PER_A3_TO_G_PER_CM3


def nearest_neighbours(structure: Structure) -> list[dict[str, Any]] | None:
    """For each symmetry-unique site: nearest distance, first-shell size and its elements.

    An exact periodic search: every cell site in every lattice translation that can lie within
    min(a, b, c) of the site (no atom's nearest neighbour is farther than its own image along
    the shortest cell edge). Returns None when the cell is too big for a quick answer.
    """
    cell = structure.small.cell
    orth = cell.orth.mat.tolist()
    frac = cell.frac.mat.tolist()
    cutoff = min(cell.a, cell.b, cell.c) + SHELL_TOLERANCE_A
    reach = [math.ceil(cutoff * math.hypot(*row) + 0.5) for row in frac]
    shifts = [
        (i, j, k)
        for i in range(-reach[0], reach[0] + 1)
        for j in range(-reach[1], reach[1] + 1)
        for k in range(-reach[2], reach[2] + 1)
    ]
    centres = list(structure.small.sites)
    others = [(s.element.name, s.fract.x, s.fract.y, s.fract.z) for s in structure.sites]
    if len(centres) * len(others) * len(shifts) > MAX_DISTANCE_EVALUATIONS:
        return None
    cutoff_sq = cutoff * cutoff
    report = []
    for centre in centres:
        found: list[tuple[float, str]] = []
        cx, cy, cz = centre.fract.x, centre.fract.y, centre.fract.z
        for element, x, y, z in others:
            dx, dy, dz = x - cx, y - cy, z - cz
            dx, dy, dz = dx - round(dx), dy - round(dy), dz - round(dz)
            for i, j, k in shifts:
                fx, fy, fz = dx + i, dy + j, dz + k
                ox = orth[0][0] * fx + orth[0][1] * fy + orth[0][2] * fz
                oy = orth[1][0] * fx + orth[1][1] * fy + orth[1][2] * fz
                oz = orth[2][0] * fx + orth[2][1] * fy + orth[2][2] * fz
                d_sq = ox * ox + oy * oy + oz * oz
                if 1e-6 < d_sq <= cutoff_sq:
                    found.append((math.sqrt(d_sq), element))
        nearest = min(d for d, _ in found)
        shell = [el for d, el in found if d <= nearest + SHELL_TOLERANCE_A]
        report.append(
            {
                "label": centre.label,
                "element": centre.element.name,
                "nearest_distance_A": round(nearest, 4),
                "coordination_number": len(shell),
                "first_shell": hill_formula(dict(Counter(shell)), reduce=False),
            }
        )
    return report


def build_report(structure: Structure) -> dict[str, Any]:
    neighbours = nearest_neighbours(structure)
    report: dict[str, Any] = {
        "formula": structure.formula,
        "cell_formula": hill_formula(structure.counts, reduce=False),
        "n_atoms": structure.n_atoms,
        "n_unique_sites": len(structure.small.sites),
        **space_group_info(structure),
        **structure.cell_parameters(),
        "volume_A3": round(structure.volume, 4),
        "density_g_cm3": round(density_g_cm3(structure), 4),
    }
    if neighbours:
        closest = min(neighbours, key=lambda site: site["nearest_distance_A"])
        report["nearest_neighbour_distance_A"] = closest["nearest_distance_A"]
        report["nearest_neighbour_site"] = closest["label"]
        report["sites"] = neighbours[:MAX_LISTED_SITES]
    else:
        report["nearest_neighbour_distance_A"] = None
        report["nearest_neighbour_site"] = None
        report["sites"] = []
        report["note"] = "The cell is too large for the quick neighbour analysis."
    return report


async def handle(call: ServiceCall) -> dict[str, Any]:
    structure = await load_structure(call)
    return await asyncio.to_thread(build_report, structure)


REQUEST_MODEL = "StructureReportRequest"
RESPONSE_MODEL = "StructureReportResponse"

RESPONSE_SCHEMA = response_model(
    RESPONSE_MODEL,
    "A crystallographic summary of the structure.",
    {
        "formula": field("string", "Formula", "Reduced chemical formula (Hill order)."),
        "cell_formula": field("string", "Cell contents", "Every atom of the unit cell."),
        "n_atoms": field(["integer", "number"], "Atoms in the cell", "Atoms in the unit cell."),
        "n_unique_sites": field(
            "integer", "Distinct sites", "Sites listed in the CIF (before symmetry)."
        ),
        "space_group": field("string", "Space group", "Hermann–Mauguin symbol."),
        "space_group_number": field(
            "integer", "Space group number", "International Tables number."
        ),
        "crystal_system": field("string", "Crystal system", "From the space group."),
        "space_group_source": field(
            "string", "Space group from", "Whether the CIF names it or only lists its operations."
        ),
        **cell_parameter_fields(),
        "volume_A3": field("number", "Cell volume", "Volume of the unit cell.", "Å³"),
        "density_g_cm3": field(
            "number", "Density", "Mass density from the cell contents.", "g/cm³"
        ),
        "nearest_neighbour_distance_A": field(
            ["number", "null"], "Shortest interatomic distance", "Across all sites.", "Å"
        ),
        "nearest_neighbour_site": field(
            ["string", "null"], "Site with the shortest distance", "Its label in the CIF."
        ),
        "sites": {
            "type": "array",
            "title": "Sites",
            "description": "Nearest neighbours of each distinct site.",
            "items": {
                "type": "object",
                "properties": {
                    "label": field("string", "Site", "Label in the CIF."),
                    "element": field("string", "Element", "Chemical element."),
                    "nearest_distance_A": field(
                        "number", "Nearest neighbour", "Distance to the closest atom.", "Å"
                    ),
                    "coordination_number": field(
                        "integer", "Coordination", "Atoms in the first shell."
                    ),
                    "first_shell": field(
                        "string", "First shell", "Atoms within 0.1 Å of the nearest."
                    ),
                },
            },
        },
        "note": field("string", "Note", "Why part of the report is missing."),
    },
)

OPENAPI: dict[str, Any] = document(
    title="Structure report",
    description="A crystallographic summary of a crystal structure.",
    path=PATH,
    operation=post_operation(
        summary="Crystal structure report",
        description=(
            "Formula, space group, unit cell, density and nearest-neighbour distances of a "
            "crystal structure. A paid route: each call costs $0.05."
        ),
        operation_id="report_materials_structure_report_post",
        request_model=REQUEST_MODEL,
        response_model=RESPONSE_MODEL,
        extensions={
            "x-ouro-input-assets": file_input_declaration(),
            "x-ouro-execution-mode": "sync",
            "x-ouro-pricing": dict(PRICING),
            "x-ouro-properties": [
                {
                    "property": "density",
                    "value": "density_g_cm3",
                    "unit": "g/cm^3",
                    "subject": {"input": "file"},
                    "method": "from the CIF cell and contents",
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
            "properties": {"file": {"$ref": "#/components/schemas/File"}},
            "required": ["file"],
        },
    },
)
