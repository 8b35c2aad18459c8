"""Units of result values: every supported key suffix, schema keywords, titles, descriptions."""

from __future__ import annotations

import pytest

from ouro_desktop.core.units import (
    looks_like_unit,
    normalise_unit,
    schema_unit,
    split_key_unit,
    split_title_unit,
    unit_for,
    with_unit,
)

# One row per suffix of the table in ouro_desktop/core/units.py: key, its stem, its unit.
SUFFIXES = [
    ("fermi_energy_eV", "fermi_energy", "eV"),
    ("band_gap_ev", "band_gap", "eV"),
    ("phonon_energy_meV", "phonon_energy", "meV"),
    ("edge_keV", "edge", "keV"),
    ("total_energy_Ha", "total_energy", "Ha"),
    ("total_energy_hartree", "total_energy", "Ha"),
    ("total_energy_Ry", "total_energy", "Ry"),
    ("work_J", "work", "J"),
    ("enthalpy_kJ", "enthalpy", "kJ"),
    ("heat_kcal", "heat", "kcal"),
    ("a_A", "a", "Å"),
    ("bond_length_angstrom", "bond_length", "Å"),
    ("radius_Ang", "radius", "Å"),
    ("surface_area_A2", "surface_area", "Å²"),
    ("volume_A3", "volume", "Å³"),
    ("volume_angstrom3", "volume", "Å³"),
    ("cutoff_bohr", "cutoff", "bohr"),
    ("radius_pm", "radius", "pm"),
    ("wavelength_nm", "wavelength", "nm"),
    ("grain_size_um", "grain_size", "µm"),
    ("thickness_mm", "thickness", "mm"),
    ("length_cm", "length", "cm"),
    ("distance_km", "distance", "km"),
    ("pore_volume_nm3", "pore_volume", "nm³"),
    ("volume_cm3", "volume", "cm³"),
    ("temperature_K", "temperature", "K"),
    ("melting_point_degC", "melting_point", "°C"),
    ("stress_Pa", "stress", "Pa"),
    ("pressure_kPa", "pressure", "kPa"),
    ("yield_strength_MPa", "yield_strength", "MPa"),
    ("bulk_modulus_GPa", "bulk_modulus", "GPa"),
    ("shear_modulus_gpa", "shear_modulus", "GPa"),
    ("pressure_bar", "pressure", "bar"),
    ("stress_kbar", "stress", "kbar"),
    ("pressure_atm", "pressure", "atm"),
    ("base_pressure_Torr", "base_pressure", "Torr"),
    ("alpha_deg", "alpha", "°"),
    ("tilt_degrees", "tilt", "°"),
    ("phase_rad", "phase", "rad"),
    ("sample_mass_g", "sample_mass", "g"),
    ("dose_mg", "dose", "mg"),
    ("mass_kg", "mass", "kg"),
    ("amount_mol", "amount", "mol"),
    ("amount_mmol", "amount", "mmol"),
    ("ideal_gas_volume_L", "ideal_gas_volume", "L"),
    ("solvent_mL", "solvent", "mL"),
    ("elapsed_s", "elapsed", "s"),
    ("latency_ms", "latency", "ms"),
    ("pulse_us", "pulse", "µs"),
    ("lifetime_ns", "lifetime", "ns"),
    ("timestep_ps", "timestep", "ps"),
    ("timestep_fs", "timestep", "fs"),
    ("timeout_sec", "timeout", "s"),
    ("runtime_seconds", "runtime", "s"),
    ("duration_min", "duration", "min"),
    ("duration_minutes", "duration", "min"),
    ("walltime_hours", "walltime", "h"),
    ("frequency_Hz", "frequency", "Hz"),
    ("sampling_kHz", "sampling", "kHz"),
    ("larmor_MHz", "larmor", "MHz"),
    ("clock_GHz", "clock", "GHz"),
    ("phonon_THz", "phonon", "THz"),
    ("voltage_V", "voltage", "V"),
    ("overpotential_mV", "overpotential", "mV"),
    ("power_W", "power", "W"),
    ("power_kW", "power", "kW"),
    ("magnetic_moment_muB", "magnetic_moment", "µB"),
    ("moment_uB", "moment", "µB"),
    ("mass_amu", "mass", "u"),
    ("mass_Da", "mass", "Da"),
    ("mass_kDa", "mass", "kDa"),
    ("yield_pct", "yield", "%"),
    ("porosity_percent", "porosity", "%"),
    ("density_g_cm3", "density", "g/cm³"),
    ("density_kg_m3", "density", "kg/m³"),
    ("molar_mass_g_mol", "molar_mass", "g/mol"),
    ("molar_mass_g_per_mol", "molar_mass", "g/mol"),
    ("formation_energy_eV_per_atom", "formation_energy", "eV/atom"),
    ("valence_electrons_per_cell", "valence_electrons", "per cell"),
    ("magnetisation_per_atom", "magnetisation", "per atom"),
    ("charge_per_site", "charge", "per site"),
    ("electrons_per_fu", "electrons", "per f.u."),
    ("dipoles_per_molecule", "dipoles", "per molecule"),
    ("electron_density_per_A3", "electron_density", "Å⁻³"),
    ("wavenumber_per_cm", "wavenumber", "cm⁻¹"),
    ("rate_per_s", "rate", "s⁻¹"),
    ("dos_per_eV_per_cell", "dos", "states/eV/cell"),
    ("dos_at_fermi_level_per_eV_per_atom", "dos_at_fermi_level", "states/eV/atom"),
    ("valence_electrons_cell", "valence_electrons", "per cell"),
    ("n_atoms_cell", "n_atoms", "per cell"),
]


@pytest.mark.parametrize(("key", "stem", "unit"), SUFFIXES)
def test_every_supported_key_suffix(key: str, stem: str, unit: str) -> None:
    split = split_key_unit(key)
    assert (split.stem, split.unit) == (stem, unit)
    assert unit_for(key, None) == unit


@pytest.mark.parametrize(
    "key", ["s", "eV", "A", "formula", "n_atoms", "primitive_cell", "space_group", "name_per_x"]
)
def test_keys_without_a_unit(key: str) -> None:
    split = split_key_unit(key)
    assert split.unit == "" and split.stem == key


@pytest.mark.parametrize(
    ("schema", "unit"),
    [
        ({"x-unit": "eV"}, "eV"),
        ({"unit": "A^3"}, "Å³"),
        ({"x-units": "g/cm3"}, "g/cm³"),
        ({"units": "a.u."}, "a.u."),  # an unknown unit the route names is still its unit
        ({"x-ouro-unit": "K"}, "K"),
        ({"title": "Lowest energy (eV)"}, "eV"),
        ({"title": "Cell volume [Å^3]"}, "Å³"),
        ({"title": "Force convergence", "description": "Largest force (eV/Å)."}, "eV/Å"),
        ({"title": "Structure (CIF)"}, ""),
        ({"title": "Points", "description": "How many (at most 500)."}, ""),
        ({}, ""),
    ],
)
def test_units_from_the_schema(schema: dict[str, str], unit: str) -> None:
    assert schema_unit(schema) == unit


def test_schema_unit_wins_over_the_key() -> None:
    assert unit_for("energy_eV", {"x-unit": "meV"}) == "meV"
    assert unit_for("energy_eV", {"title": "Energy"}) == "eV"


@pytest.mark.parametrize(
    ("title", "stem", "unit"),
    [
        ("Lowest energy (eV)", "Lowest energy", "eV"),
        ("DOS (states/eV/cell)", "DOS", "states/eV/cell"),
        ("Rate (s^-1)", "Rate", "s⁻¹"),
        ("Wavenumber (cm-1)", "Wavenumber", "cm⁻¹"),
        ("Temperature (°C)", "Temperature", "°C"),
        ("Repeats (a × b × c)", "Repeats (a × b × c)", ""),
        ("Option (optional)", "Option (optional)", ""),
    ],
)
def test_title_units(title: str, stem: str, unit: str) -> None:
    split = split_title_unit(title)
    assert (split.stem, split.unit) == (stem, unit)


def test_unit_text_is_normalised_or_refused() -> None:
    assert normalise_unit("L·atm") == "L·atm"
    assert normalise_unit("eV / atom") == "eV/atom"
    assert looks_like_unit("states/eV/f.u.")
    assert not looks_like_unit("CIF") and not looks_like_unit("") and not looks_like_unit("x" * 50)


def test_with_unit_spacing() -> None:
    assert with_unit("47.24", "Å³") == "47.24 Å³"
    assert with_unit("90", "°") == "90°"
    assert with_unit("—", "") == "—" and with_unit("", "eV") == ""
