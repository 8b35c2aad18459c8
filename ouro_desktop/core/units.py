"""The unit of a result value: from the route's schema when it says, else from the key.

Where a unit comes from, first match wins (:func:`unit_for`):

1. the schema's own unit keyword: ``x-unit``, ``x-units``, ``unit``, ``units`` or
   ``x-ouro-unit`` (a string);
2. a unit in parentheses or brackets at the end of the schema ``title``
   (``"Lowest energy (eV)"``, ``"Volume [Å^3]"``); the title without it is the label;
3. a unit in parentheses at the end of the ``description`` (``"Force convergence (eV/Å)."``);
4. the key's suffix (:func:`split_key_unit`, table below).

Only text that reads as a unit counts in 2 and 3 (``"Structure (CIF)"`` keeps its
parentheses): every part between ``/``, ``·``, ``*`` and spaces must be a known unit symbol or
a count noun, possibly with a power (:func:`looks_like_unit`).

Key suffixes (tokens between underscores, read from the end of the key):

=============================== ===========================================
suffix                          unit
=============================== ===========================================
``_eV`` ``_ev``                 eV
``_meV`` ``_keV`` ``_Ha`` ``_Ry`` meV, keV, Ha, Ry
``_J`` ``_kJ`` ``_kcal``        J, kJ, kcal
``_A`` ``_angstrom`` ``_Ang``   Å
``_A2`` ``_A3``                 Å², Å³
``_bohr``                       bohr
``_pm`` ``_nm`` ``_um`` ``_mm`` ``_cm`` ``_km``  pm, nm, µm, mm, cm, km
``_nm3`` ``_cm3``               nm³, cm³
``_K`` ``_degC``                K, °C
``_Pa`` ``_kPa`` ``_MPa`` ``_GPa`` Pa, kPa, MPa, GPa
``_bar`` ``_kbar`` ``_atm`` ``_Torr`` bar, kbar, atm, Torr
``_deg`` ``_degrees`` ``_rad``  °, rad
``_g`` ``_mg`` ``_kg``          g, mg, kg
``_mol`` ``_mmol``              mol, mmol
``_L`` ``_mL``                  L, mL
``_s`` ``_ms`` ``_us`` ``_ns`` ``_ps`` ``_fs``  s, ms, µs, ns, ps, fs
``_seconds`` ``_min`` ``_minutes`` ``_hours``   s, min, min, h
``_Hz`` ``_kHz`` ``_MHz`` ``_GHz`` ``_THz``     Hz, kHz, MHz, GHz, THz
``_V`` ``_mV`` ``_W`` ``_kW``   V, mV, W, kW
``_muB`` ``_uB``                µB
``_amu`` ``_Da`` ``_kDa``       u, Da, kDa
``_pct`` ``_percent``           %
``_g_cm3``                      g/cm³
``_kg_m3``                      kg/m³
``_g_mol``                      g/mol
``_X_per_Y`` (X a unit)         X/Y, e.g. ``_g_per_mol`` g/mol, ``_eV_per_atom`` eV/atom
``_per_Y`` (Y a count noun)     per Y: ``_per_cell``, ``_per_atom``, ``_per_site``,
                                ``_per_fu`` (per f.u.), ``_per_molecule``
``_per_Y`` (Y a unit)           Y⁻¹: ``_per_A3`` Å⁻³, ``_per_cm`` cm⁻¹, ``_per_eV`` eV⁻¹
``..._per_Y_per_Z``             chains: ``dos_per_eV_per_cell`` states/eV/cell
``_<plural>_cell``              per cell (also ``_atom``, ``_site``, ``_fu``,
                                ``_molecule``): ``valence_electrons_cell``, ``n_atoms_cell``
=============================== ===========================================

A key whose words name a density of states (``dos``) and that has only ``per`` parts
counts states: ``dos_per_eV_per_cell`` is "DOS" in states/eV/cell. A unit suffix never
makes the whole key (a key ``s`` or ``eV`` is a name, not a unit).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "COUNT_NOUNS",
    "TOKEN_UNITS",
    "UnitSplit",
    "looks_like_unit",
    "normalise_unit",
    "schema_unit",
    "split_key_unit",
    "split_title_unit",
    "unbroken_units",
    "unit_for",
    "with_unit",
]

# One key token -> the unit it names. Case matters: "A" is ångström, "a" is a cell length.
TOKEN_UNITS: Final[Mapping[str, str]] = {
    "eV": "eV",
    "ev": "eV",
    "meV": "meV",
    "keV": "keV",
    "Ha": "Ha",
    "hartree": "Ha",
    "Ry": "Ry",
    "J": "J",
    "kJ": "kJ",
    "kcal": "kcal",
    "A": "Å",
    "angstrom": "Å",
    "Ang": "Å",
    "A2": "Å²",
    "A3": "Å³",
    "angstrom2": "Å²",
    "angstrom3": "Å³",
    "bohr": "bohr",
    "pm": "pm",
    "nm": "nm",
    "um": "µm",
    "mm": "mm",
    "cm": "cm",
    "km": "km",
    "nm2": "nm²",
    "nm3": "nm³",
    "cm2": "cm²",
    "cm3": "cm³",
    "m3": "m³",
    "K": "K",
    "degC": "°C",
    "Pa": "Pa",
    "kPa": "kPa",
    "MPa": "MPa",
    "GPa": "GPa",
    "gpa": "GPa",
    "mpa": "MPa",
    "bar": "bar",
    "kbar": "kbar",
    "atm": "atm",
    "Torr": "Torr",
    "deg": "°",
    "degrees": "°",
    "rad": "rad",
    "g": "g",
    "mg": "mg",
    "kg": "kg",
    "mol": "mol",
    "mmol": "mmol",
    "L": "L",
    "mL": "mL",
    "s": "s",
    "ms": "ms",
    "us": "µs",
    "ns": "ns",
    "ps": "ps",
    "fs": "fs",
    "sec": "s",
    "seconds": "s",
    "min": "min",
    "minutes": "min",
    "hours": "h",
    "Hz": "Hz",
    "kHz": "kHz",
    "MHz": "MHz",
    "GHz": "GHz",
    "THz": "THz",
    "V": "V",
    "mV": "mV",
    "W": "W",
    "kW": "kW",
    "muB": "µB",
    "uB": "µB",
    "amu": "u",
    "Da": "Da",
    "kDa": "kDa",
    "pct": "%",
    "percent": "%",
}

# Two-token suffixes read as one unit (a density or molar quantity written without "per").
_PAIR_UNITS: Final[Mapping[tuple[str, str], str]] = {
    ("g", "cm3"): "g/cm³",
    ("kg", "m3"): "kg/m³",
    ("g", "mol"): "g/mol",
    ("kg", "mol"): "kg/mol",
}

# Things counted "per": a key ``..._per_cell`` reads "per cell".
COUNT_NOUNS: Final[Mapping[str, str]] = {
    "cell": "cell",
    "atom": "atom",
    "site": "site",
    "fu": "f.u.",
    "formula_unit": "f.u.",
    "molecule": "molecule",
    "electron": "electron",
    "spin": "spin",
}

# Count nouns that end a key without "per" after a plural: ``n_atoms_cell`` is per cell.
_BARE_COUNTS: Final = frozenset({"cell", "atom", "fu", "site", "molecule"})
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SCHEMA_UNIT_KEYS: Final = ("x-unit", "x-units", "unit", "units", "x-ouro-unit")
_TRAILING_GROUP = re.compile(r"\s*[(\[]([^()\[\]]{1,40})[)\]]\s*[.:]?\s*$")
_POWER = re.compile(
    r"^(?P<base>[^\d^⁻⁰¹²³⁴⁵⁶⁷⁸⁹()-]+)(?:\^?\(?(?P<pow>-?\d)\)?|(?P<sup>⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))$"
)
# Unit spellings people write in titles and descriptions, mapped to their symbols.
_WRITTEN: Final[Mapping[str, str]] = {
    "A": "Å",
    "Å": "Å",
    "Ang": "Å",
    "angstrom": "Å",
    "Angstrom": "Å",
    "ångström": "Å",
    "deg": "°",
    "degree": "°",
    "degrees": "°",
    "°": "°",
    "°C": "°C",
    "uB": "µB",
    "muB": "µB",
    "μB": "µB",
    "µB": "µB",
    "um": "µm",
    "μm": "µm",
    "µm": "µm",
    "us": "µs",
    "μs": "µs",
    "µs": "µs",
    "%": "%",
    "percent": "%",
    "states": "states",
    "f.u.": "f.u.",
    "1": "1",
}
_KNOWN_SYMBOLS: Final = frozenset(TOKEN_UNITS.values()) | frozenset(
    {"m", "h", "d", "u", "e", "T", "Ω", "N", "cal", "states"}
)


@dataclass(frozen=True)
class UnitSplit:
    """A key or title parted into the name and the unit it carries (``""``: none)."""

    stem: str
    unit: str


def _superscript(power: str) -> str:
    return power.translate(_SUPERSCRIPT)


def _base_symbol(base: str) -> str | None:
    if base in _WRITTEN:
        return _WRITTEN[base]
    if base in _KNOWN_SYMBOLS:
        return base
    return TOKEN_UNITS.get(base)


def _part_symbol(part: str) -> str | None:
    """One factor of a unit (``Å^3``, ``cm-1``, ``eV``, ``cell``) as its symbol, or None."""
    if part in COUNT_NOUNS:
        return COUNT_NOUNS[part]
    if part in COUNT_NOUNS.values():
        return part
    symbol = _base_symbol(part)
    if symbol is not None:
        return symbol
    match = _POWER.match(part)
    if match is None:
        return None
    base = _base_symbol(match.group("base"))
    if base is None:
        return None
    if match.group("pow"):
        return base + _superscript(match.group("pow"))
    return base + match.group("sup")


def normalise_unit(text: str) -> str | None:
    """``text`` as unit symbols (``A^3`` → ``Å³``, ``g/cm3`` → ``g/cm³``), or None when some
    part of it is not a unit."""
    text = text.strip()
    if not text or len(text) > 40:
        return None
    if text in _WRITTEN:
        return _WRITTEN[text]
    tokens = re.split(r"(\s*/\s*|\s*·\s*|\s*\*\s*|\s+)", text)
    out: list[str] = []
    for index, token in enumerate(tokens):
        if index % 2:  # a separator
            sep = token.strip()
            out.append("/" if sep == "/" else "·" if sep in ("·", "*") else " ")
            continue
        if not token:
            return None
        symbol = _part_symbol(token)
        if symbol is None:
            return None
        out.append(symbol)
    return "".join(out)


def looks_like_unit(text: str) -> bool:
    """True when every part of ``text`` is a known unit symbol or count noun."""
    return normalise_unit(text) is not None


def split_title_unit(title: str) -> UnitSplit:
    """``"Lowest energy (eV)"`` → (``"Lowest energy"``, ``"eV"``); titles without a unit in
    a trailing group are returned whole."""
    match = _TRAILING_GROUP.search(title)
    if match:
        unit = normalise_unit(match.group(1))
        stem = title[: match.start()].strip()
        if unit is not None and stem:
            return UnitSplit(stem, unit)
    return UnitSplit(title.strip(), "")


def schema_unit(schema: Mapping[str, Any] | None) -> str:
    """The unit a schema declares by keyword, title or description; ``""`` if none."""
    if not schema:
        return ""
    for key in _SCHEMA_UNIT_KEYS:
        value = schema.get(key)
        if isinstance(value, str) and value.strip():
            return normalise_unit(value) or value.strip()
    title = schema.get("title")
    if isinstance(title, str) and (unit := split_title_unit(title).unit):
        return unit
    description = schema.get("description")
    if isinstance(description, str):
        first_line = description.strip().splitlines()[0] if description.strip() else ""
        return split_title_unit(first_line).unit
    return ""


def _inverse(unit: str) -> str:
    if unit and unit[-1] in "²³" and unit[:-1]:
        return unit[:-1] + "⁻" + unit[-1]
    return unit + "⁻¹"


def split_key_unit(key: str) -> UnitSplit:
    """A key's stem and the unit its suffix names (table in the module docstring)."""
    tokens = [t for t in key.split("_") if t]
    denominators: list[str] = []
    counts_only = True
    while len(tokens) >= 3 and tokens[-2] == "per":
        last = tokens[-1]
        if last in COUNT_NOUNS:
            denominators.insert(0, COUNT_NOUNS[last])
        elif last in TOKEN_UNITS:
            denominators.insert(0, TOKEN_UNITS[last])
            counts_only = False
        else:
            break
        tokens = tokens[:-2]
    numerator = ""
    if len(tokens) >= 3 and (tokens[-2], tokens[-1]) in _PAIR_UNITS:
        numerator = _PAIR_UNITS[(tokens[-2], tokens[-1])]
        tokens = tokens[:-2]
    elif len(tokens) >= 2 and tokens[-1] in TOKEN_UNITS:
        numerator = TOKEN_UNITS[tokens[-1]]
        tokens = tokens[:-1]
    if (
        not denominators
        and not numerator
        and len(tokens) >= 2
        and tokens[-1] in _BARE_COUNTS
        and tokens[-2].endswith("s")
    ):
        # "valence_electrons_cell", "n_atoms_cell": a plural count, then what it counts in
        return UnitSplit("_".join(tokens[:-1]), f"per {COUNT_NOUNS[tokens[-1]]}")
    stem = "_".join(tokens)
    if not denominators:
        return UnitSplit(stem if numerator else key, numerator)
    if numerator:
        return UnitSplit(stem, "/".join([numerator, *denominators]))
    if "dos" in (t.lower() for t in tokens):
        return UnitSplit(stem, "/".join(["states", *denominators]))
    if counts_only:
        return UnitSplit(stem, " ".join(f"per {d}" for d in denominators))
    return UnitSplit(stem, " ".join(_inverse(d) for d in denominators))


def unit_for(key: str, schema: Mapping[str, Any] | None) -> str:
    """The unit of the value at ``key``: the schema's if it has one, else the key's."""
    return schema_unit(schema) or split_key_unit(key).unit


def with_unit(text: str, unit: str) -> str:
    """A value and its unit as read: ``"47.24 Å³"``, ``"90°"`` (no space before a degree)."""
    if not unit or not text:
        return text
    if unit == "°":
        return text + unit
    return f"{text} {unit}"


WORD_JOINER: Final = "\u2060"
_SLASH_INSIDE = re.compile(r"(?<=\S)/(?=\S)")


def unbroken_units(text: str) -> str:
    """``text`` for a label that wraps: a line may break after a slash, and a unit read
    "g/" at one line's end and "mol" at the next; a word joiner after a slash inside a
    word keeps "g/mol" whole. For display only (not for text that is copied)."""
    return _SLASH_INSIDE.sub("/" + WORD_JOINER, text)
