"""Demo route ``build-supercell``: repeat a crystal's unit cell na × nb × nc times.

The symmetry of the input is expanded to the whole cell (gemmi), every site is translated
into each of the na·nb·nc sub-cells, and the result is written as a P 1 CIF: a new file
output, like the real structure wrappers return.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from . import params
from .base import ServiceCall, ServiceError, file_payload
from .spec import (
    cell_parameter_fields,
    document,
    field,
    file_input_declaration,
    file_input_schema,
    output_file_schema,
    post_operation,
    response_model,
)
from .structure import (
    CIF_MIME,
    Structure,
    file_input,
    file_stem,
    hill_formula,
    load_structure,
    tidy_number,
)

ROUTE_NAME = "build-supercell"
METHOD = "POST"
PATH = "/materials/structure/supercell"

MAX_SUPERCELL_ATOMS = 20000


def _fraction(value: float) -> float:
    """A fractional coordinate wrapped into [0, 1), with rounding noise removed."""
    value = round(value % 1.0, 10)
    return 0.0 if value >= 1.0 else value + 0.0  # + 0.0 turns -0.0 into 0.0


def supercell_cif(structure: Structure, na: int, nb: int, nc: int, name: str) -> str:
    """The na × nb × nc supercell of ``structure`` as CIF text (space group P 1)."""
    cell = structure.small.cell
    sites = structure.sites
    with_u = any(site.u_iso for site in sites)
    block = re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "supercell"
    lines = [
        "# Written by the Ouro Desktop demo route build-supercell.",
        f"data_{block}",
        "_audit_creation_method 'Ouro Desktop demo: build-supercell'",
        f"_cell_length_a {cell.a * na:.6f}",
        f"_cell_length_b {cell.b * nb:.6f}",
        f"_cell_length_c {cell.c * nc:.6f}",
        f"_cell_angle_alpha {cell.alpha:.6f}",
        f"_cell_angle_beta {cell.beta:.6f}",
        f"_cell_angle_gamma {cell.gamma:.6f}",
        f"_cell_volume {cell.volume * na * nb * nc:.6f}",
        "_space_group_name_H-M_alt 'P 1'",
        "_space_group_IT_number 1",
        "",
        "loop_",
        "_space_group_symop_id",
        "_space_group_symop_operation_xyz",
        "1 'x, y, z'",
        "",
        "loop_",
        "_atom_site_label",
        "_atom_site_type_symbol",
        "_atom_site_fract_x",
        "_atom_site_fract_y",
        "_atom_site_fract_z",
        "_atom_site_occupancy",
    ]
    if with_u:
        lines.append("_atom_site_U_iso_or_equiv")
    counter: dict[str, int] = {}
    for i in range(na):
        for j in range(nb):
            for k in range(nc):
                for site in sites:
                    element = site.element.name
                    counter[element] = counter.get(element, 0) + 1
                    x = _fraction((site.fract.x % 1.0 + i) / na)
                    y = _fraction((site.fract.y % 1.0 + j) / nb)
                    z = _fraction((site.fract.z % 1.0 + k) / nc)
                    symbol = site.type_symbol or element
                    row = (
                        f"{element}{counter[element]} {symbol} "
                        f"{x:.8f} {y:.8f} {z:.8f} {site.occ:.4f}"
                    )
                    if with_u:
                        row += f" {site.u_iso:.5f}"
                    lines.append(row)
    return "\n".join(lines) + "\n"


async def handle(call: ServiceCall) -> dict[str, Any]:
    na = params.integer(call.body, "na", 2, minimum=1, maximum=6)
    nb = params.integer(call.body, "nb", 2, minimum=1, maximum=6)
    nc = params.integer(call.body, "nc", 2, minimum=1, maximum=6)
    ref = file_input(call)
    structure = await load_structure(call)
    multiplicity = na * nb * nc
    total_sites = len(structure.sites) * multiplicity
    if total_sites > MAX_SUPERCELL_ATOMS:
        raise ServiceError(
            422,
            f"A {na}×{nb}×{nc} supercell would have {total_sites} atoms; the demo builds at "
            f"most {MAX_SUPERCELL_ATOMS}. Choose smaller repeats.",
        )
    name = f"{file_stem(ref)}_supercell_{na}x{nb}x{nc}"
    text = await asyncio.to_thread(supercell_cif, structure, na, nb, nc, name)
    counts = {el: n * multiplicity for el, n in structure.counts.items()}
    cell = structure.small.cell
    return {
        "file": file_payload(
            name,
            text.encode("utf-8"),
            "cif",
            CIF_MIME,
            description=(
                f"{na}×{nb}×{nc} supercell of {structure.formula} "
                f"({total_sites} atoms, space group P 1)."
            ),
        ),
        "n_atoms": tidy_number(sum(counts.values())),
        "formula": structure.formula,
        "cell_formula": hill_formula(counts, reduce=False),
        "supercell": [na, nb, nc],
        "a_A": round(cell.a * na, 6),
        "b_A": round(cell.b * nb, 6),
        "c_A": round(cell.c * nc, 6),
        "alpha_deg": round(cell.alpha, 6),
        "beta_deg": round(cell.beta, 6),
        "gamma_deg": round(cell.gamma, 6),
        "volume_A3": cell.volume * multiplicity,
    }


REQUEST_MODEL = "SupercellRequest"
RESPONSE_MODEL = "SupercellResponse"

RESPONSE_SCHEMA = response_model(
    RESPONSE_MODEL,
    "The supercell as a new CIF file, with its size and cell.",
    {
        "file": output_file_schema("Supercell", "The supercell as a CIF file (space group P 1)."),
        "n_atoms": field(["integer", "number"], "Atoms in the supercell", "Atoms in the new cell."),
        "formula": field("string", "Formula", "Reduced chemical formula (Hill order)."),
        "cell_formula": field("string", "Supercell formula", "Every atom of the new cell."),
        "supercell": {
            "type": "array",
            "items": {"type": "integer"},
            "title": "Repeats (a × b × c)",
            "description": "How many times the cell was repeated along a, b and c.",
        },
        **cell_parameter_fields("supercell"),
        "volume_A3": field("number", "Supercell volume", "Volume of the new cell.", "Å³"),
    },
)


def _repeat(axis: str) -> dict[str, Any]:
    return {
        "type": "integer",
        "title": f"Repeats along {axis}",
        "description": f"How many times the cell is repeated along the {axis} axis.",
        "default": 2,
        "minimum": 1,
        "maximum": 6,
    }


OPENAPI: dict[str, Any] = document(
    title="Supercell builder",
    description="Build supercells of crystal structures.",
    path=PATH,
    operation=post_operation(
        summary="Build a supercell",
        description=(
            "Repeat the unit cell of a crystal structure na × nb × nc times and return the "
            "result as a new CIF file (space group P 1)."
        ),
        operation_id="supercell_materials_structure_supercell_post",
        request_model=REQUEST_MODEL,
        response_model=RESPONSE_MODEL,
        extensions={
            "x-ouro-input-assets": file_input_declaration(),
            "x-ouro-output-assets": {
                "file": {
                    "asset_type": "file",
                    "primary": True,
                    "file_extensions": ["cif"],
                    "role": "result",
                }
            },
            "x-ouro-execution-mode": "sync",
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
                "na": _repeat("a"),
                "nb": _repeat("b"),
                "nc": _repeat("c"),
            },
            "required": ["file"],
        },
    },
)
