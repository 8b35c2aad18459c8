"""Demo route ``predict-electronic-dos-at-fermi-level``: the free-electron DOS at E_F.

The Sommerfeld model puts the cell's conduction electrons in a box of the cell's volume:
n = N_val / V, E_F = ħ²(3π²n)^(2/3) / 2mₑ, and the density of states at the Fermi level is
g(E_F) = 3 N_val / (2 E_F). It is the textbook baseline for simple (s/p) metals such as Na, Al
or Cu, and says nothing reliable about transition metals, semiconductors or insulators.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .base import ServiceCall, ServiceError
from .spec import (
    document,
    field,
    file_input_declaration,
    file_input_schema,
    post_operation,
    response_model,
)
from .structure import Structure, load_structure, tidy_number
from .valence import VALENCE_ELECTRONS

ROUTE_NAME = "predict-electronic-dos-at-fermi-level"
METHOD = "POST"
PATH = "/materials/dos/fermi-level"

# CODATA 2018 exact/recommended values (SI).
HBAR_J_S = 1.054571817e-34
ELECTRON_MASS_KG = 9.1093837015e-31
ELEMENTARY_CHARGE_C = 1.602176634e-19
ANGSTROM_M = 1e-10

METHOD_NOTE = (
    "Free-electron (Sommerfeld) baseline: the cell's conduction electrons are treated as a "
    "uniform electron gas, which is meaningful for simple s/p metals only, not for transition "
    "metals, semiconductors or insulators."
)


@dataclass(frozen=True)
class FreeElectronGas:
    valence_electrons: float  # conduction electrons per unit cell
    volume_A3: float
    density_per_A3: float
    fermi_energy_eV: float


def valence_electrons(structure: Structure) -> float:
    """Conduction electrons in the cell, from :data:`VALENCE_ELECTRONS`."""
    counts = structure.counts
    missing = sorted(el for el in counts if el not in VALENCE_ELECTRONS)
    if missing:
        raise ServiceError(
            422,
            "The free-electron model has no valence electron count for "
            f"{', '.join(missing)}; it covers s/p metals and common elements only.",
        )
    return sum(VALENCE_ELECTRONS[el] * n for el, n in counts.items())


def fermi_energy_eV(density_per_A3: float) -> float:
    """E_F = ħ²(3π²n)^(2/3) / 2mₑ for an electron density in Å^-3."""
    n_per_m3 = density_per_A3 / ANGSTROM_M**3
    energy_j: float = HBAR_J_S**2 * (3 * math.pi**2 * n_per_m3) ** (2 / 3) / (2 * ELECTRON_MASS_KG)
    return energy_j / ELEMENTARY_CHARGE_C


def free_electron_gas(structure: Structure) -> FreeElectronGas:
    n_val = valence_electrons(structure)
    volume = structure.volume
    density = n_val / volume
    return FreeElectronGas(
        valence_electrons=n_val,
        volume_A3=volume,
        density_per_A3=density,
        fermi_energy_eV=fermi_energy_eV(density),
    )


async def handle(call: ServiceCall) -> dict[str, Any]:
    structure = await load_structure(call)
    gas = free_electron_gas(structure)
    dos_cell = 3 * gas.valence_electrons / (2 * gas.fermi_energy_eV)
    n_atoms = structure.n_atoms
    return {
        "formula": structure.formula,
        "n_atoms_cell": n_atoms,
        "volume_A3": gas.volume_A3,
        "valence_electrons_cell": tidy_number(gas.valence_electrons),
        "electron_density_per_A3": gas.density_per_A3,
        "fermi_energy_eV": gas.fermi_energy_eV,
        "dos_at_fermi_level_per_eV_per_atom": dos_cell / n_atoms,
        "dos_at_fermi_level_per_eV_per_cell": dos_cell,
        "method": METHOD_NOTE,
    }


REQUEST_MODEL = "FermiLevelDosRequest"
RESPONSE_MODEL = "FermiLevelDosResponse"

FORMULA_FIELD = field(
    "string", "Formula", "Reduced chemical formula of the structure (Hill order)."
)
METHOD_FIELD = field("string", "Method", "The model behind the numbers, and where it holds.")
VALENCE_FIELD = field(
    "number",
    "Valence electrons in the cell",
    "Conduction electrons counted for the unit cell (from each element's valence).",
)
VOLUME_FIELD = field("number", "Cell volume", "Volume of the unit cell.", "Å³")
FERMI_FIELD = field(
    "number", "Fermi energy (eV)", "Free-electron Fermi energy, above the band bottom."
)


def response_schema() -> dict[str, Any]:
    return response_model(
        RESPONSE_MODEL,
        "Free-electron estimate of the Fermi level and the density of states there.",
        {
            "formula": FORMULA_FIELD,
            "n_atoms_cell": field(
                ["integer", "number"], "Atoms in the cell", "Atoms in the unit cell."
            ),
            "volume_A3": VOLUME_FIELD,
            "valence_electrons_cell": VALENCE_FIELD,
            "electron_density_per_A3": field(
                "number",
                "Conduction-electron density",
                "Valence electrons per unit volume.",
                "Å⁻³",
            ),
            "fermi_energy_eV": FERMI_FIELD,
            "dos_at_fermi_level_per_eV_per_atom": field(
                "number",
                "DOS at the Fermi level, per atom",
                "Electronic density of states at the Fermi energy, per atom.",
                "states/eV/atom",
            ),
            "dos_at_fermi_level_per_eV_per_cell": field(
                "number",
                "DOS at the Fermi level, per cell",
                "Electronic density of states at the Fermi energy, for the whole cell.",
                "states/eV/cell",
            ),
            "method": METHOD_FIELD,
        },
    )


OPENAPI: dict[str, Any] = document(
    title="Free-electron DOS at the Fermi level",
    description="Estimate the electronic density of states at the Fermi level of a crystal.",
    path=PATH,
    operation=post_operation(
        summary="Predict the electronic DOS at the Fermi level",
        description=(
            "Free-electron (Sommerfeld) estimate of the Fermi energy and of the density of "
            "states at the Fermi level, from the structure's unit cell and valence electron "
            "counts. A quick baseline for simple metals."
        ),
        operation_id="dos_fermi_level_materials_dos_fermi_level_post",
        request_model=REQUEST_MODEL,
        response_model=RESPONSE_MODEL,
        extensions={
            "x-ouro-input-assets": file_input_declaration(),
            "x-ouro-execution-mode": "sync",
            "x-ouro-properties": [
                {
                    "property": "free_electron_fermi_energy",
                    "value": "fermi_energy_eV",
                    "unit": "eV",
                    "subject": {"input": "file"},
                    "method": "free-electron (Sommerfeld) model",
                },
                {
                    "property": "free_electron_dos_at_fermi_level",
                    "value": "dos_at_fermi_level_per_eV_per_atom",
                    "unit": "states/eV/atom",
                    "subject": {"input": "file"},
                    "method": "free-electron (Sommerfeld) model",
                },
            ],
        },
    ),
    schemas={
        "File": file_input_schema(),
        RESPONSE_MODEL: response_schema(),
        REQUEST_MODEL: {
            "type": "object",
            "title": REQUEST_MODEL,
            "properties": {
                "file": {
                    "$ref": "#/components/schemas/File",
                    "description": "The crystal structure (CIF).",
                }
            },
            "required": ["file"],
        },
    },
)
