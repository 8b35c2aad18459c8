"""Demo route ``formula-properties``: molar mass and composition of a chemical formula.

No file input; its request schema deliberately uses every construct the app's request form
supports (pattern string, bounded number and integer, boolean, enum, string formats,
multi-line text, a nested object and an array of objects behind ``$ref``, an array of numbers,
a nullable ``anyOf``, defaults, titles and descriptions). The answer is real: the formula is
parsed (parentheses, brackets, hydrates like ``CuSO4·5H2O``, decimal counts) and weighed with
standard atomic weights.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from ...lazy import LazyModule
from . import params
from .base import ServiceCall, ServiceError
from .spec import document, field, post_operation, response_model
from .structure import hill_formula, tidy_number

if TYPE_CHECKING:
    import gemmi
else:
    gemmi = LazyModule("gemmi")  # CIF parsing: imported when first used

ROUTE_NAME = "formula-properties"
METHOD = "POST"
PATH = "/chemistry/formula/properties"

AVOGADRO = 6.02214076e23  # mol^-1, exact (SI 2019)
GAS_CONSTANT_L_ATM = 0.0820573661  # L·atm/(mol·K)
FORMULA_PATTERN = r"^[A-Z0-9(\[][A-Za-z0-9().\[\]·*\s]*$"
_HYDRATE_SEPARATORS = re.compile(r"[·*•]")
_TOKEN = re.compile(r"\s*(?:([A-Z][a-z]{0,2})|([(\[])|([)\]])|(\d+(?:\.\d+)?))")


class _FormulaParser:
    """Recursive-descent parser for one formula part: elements, groups and counts."""

    def __init__(self, text: str, whole: str) -> None:
        self.text = text
        self.whole = whole
        self.pos = 0

    def error(self, message: str) -> ServiceError:
        return ServiceError(422, f"Cannot read the formula '{self.whole}': {message}.")

    def parse(self) -> dict[str, float]:
        counts = self._group(closing=None)
        if self.text[self.pos :].strip():
            raise self.error(f"unexpected '{self.text[self.pos :].strip()[0]}'")
        return counts

    def _count(self) -> float:
        match = re.match(r"\s*(\d+(?:\.\d+)?)", self.text[self.pos :])
        if not match:
            return 1.0
        self.pos += match.end()
        return float(match.group(1))

    def _group(self, closing: str | None) -> dict[str, float]:
        counts: dict[str, float] = defaultdict(float)
        while True:
            rest = self.text[self.pos :]
            if not rest.strip():
                if closing is not None:
                    raise self.error(f"a '{closing}' is missing")
                return counts
            match = _TOKEN.match(rest)
            if not match:
                char = rest.strip()[0]
                if char.islower():
                    raise self.error(
                        f"unexpected '{char}' (element symbols start with a capital letter, "
                        "e.g. Co, not co)"
                    )
                raise self.error(f"unexpected '{char}'")
            symbol, opening, close, number = match.groups()
            if close:
                if close != closing:
                    raise self.error(f"'{close}' has no matching opening bracket")
                self.pos += match.end()
                return counts
            self.pos += match.end()
            if symbol:
                element = _element(symbol, self)
                counts[element] += self._count()
            elif opening:
                inner = self._group(")" if opening == "(" else "]")
                if not inner:
                    raise self.error("empty brackets")
                multiplier = self._count()
                for element, n in inner.items():
                    counts[element] += n * multiplier
            else:
                raise self.error(f"the number {number} does not follow an element or bracket")


def _element(symbol: str, parser: _FormulaParser) -> str:
    """``symbol`` if it is a real element symbol (exact case), else a 422 naming it."""
    element = gemmi.Element(symbol)
    if element.atomic_number > 0 and element.name == symbol:
        return symbol
    raise ServiceError(422, f"Unknown element symbol '{symbol}' in the formula '{parser.whole}'.")


def parse_formula(formula: str) -> dict[str, float]:
    """Element → count for a formula like ``Ca(OH)2``, ``[Cu(NH3)4]SO4`` or ``CuSO4·5H2O``."""
    text = formula.strip()
    if not text:
        raise ServiceError(422, "Enter a chemical formula, for example Ca(OH)2.")
    total: dict[str, float] = defaultdict(float)
    for part in _HYDRATE_SEPARATORS.split(text):
        match = re.match(r"\s*(\d+(?:\.\d+)?)(?=\s*[A-Z(\[])", part)
        multiplier = float(match.group(1)) if match else 1.0
        body = part[match.end() :] if match else part
        if not body.strip():
            raise ServiceError(422, f"Cannot read the formula '{formula}': an empty part.")
        for element, n in _FormulaParser(body, formula).parse().items():
            total[element] += n * multiplier
    if not total or sum(total.values()) <= 0:
        raise ServiceError(422, f"The formula '{formula}' contains no atoms.")
    return dict(total)


def molar_mass(counts: dict[str, float]) -> float:
    """g/mol, from gemmi's standard atomic weights."""
    return sum(gemmi.Element(el).weight * n for el, n in counts.items())


def _round(value: float, decimals: int) -> float:
    return round(value, decimals)


def _optional_formats(body: dict[str, Any]) -> dict[str, Any]:
    """The free-text record fields, checked against their declared formats."""
    record: dict[str, Any] = {}
    label = params.string(body, "label")
    if label:
        record["label"] = label
    email = params.string(body, "contact_email")
    if email:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise ServiceError(422, f"'{email}' is not an e-mail address.")
        record["contact_email"] = email
    measured_on = params.string(body, "measured_on")
    if measured_on:
        try:
            record["measured_on"] = date.fromisoformat(measured_on).isoformat()
        except ValueError:
            raise ServiceError(
                422, f"'measured_on' must be a date like 2024-05-31 (got '{measured_on}')."
            ) from None
    url = params.string(body, "reference_url")
    if url:
        if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$", url):
            raise ServiceError(422, f"'{url}' is not a web address (URL).")
        record["reference_url"] = url
    notes = params.string(body, "notes")
    if notes:
        record["notes"] = notes
        record["notes_lines"] = len(notes.splitlines())
    return record


async def handle(call: ServiceCall) -> dict[str, Any]:
    body = call.body
    formula = params.string(body, "formula")
    if not formula:
        raise ServiceError(422, "Enter a chemical formula, for example Ca(OH)2.")
    sample_mass = params.number(body, "sample_mass_g", 1.0, exclusive_minimum=0, maximum=1e6)
    decimals = params.integer(body, "decimals", 4, minimum=0, maximum=10)
    include_fractions = params.boolean(body, "include_fractions", True)
    unit = params.string(body, "mass_unit", "g/mol")
    if unit not in ("g/mol", "kg/mol"):
        raise ServiceError(422, "'mass_unit' must be g/mol or kg/mol.")
    charge = body.get("charge")
    if charge is not None and (isinstance(charge, bool) or not isinstance(charge, int)):
        raise ServiceError(422, "'charge' must be a whole number or empty.")

    counts = parse_formula(formula)
    mass = molar_mass(counts)
    scale = 1.0 if unit == "g/mol" else 1e-3
    total_atoms = sum(counts.values())
    elements = []
    for element in sorted(counts, key=lambda el: gemmi.Element(el).atomic_number):
        n = counts[element]
        weight = gemmi.Element(element).weight
        entry: dict[str, Any] = {
            "element": element,
            "count": tidy_number(n),
            "atomic_weight": weight,
        }
        if include_fractions:
            entry["mass_fraction"] = _round(weight * n / mass, decimals)
            entry["atom_fraction"] = _round(n / total_atoms, decimals)
        elements.append(entry)

    amount = sample_mass / mass
    result: dict[str, Any] = {
        "formula": hill_formula(counts, reduce=False),
        "input_formula": formula,
        "molar_mass": _round(mass * scale, decimals + (3 if scale != 1.0 else 0)),
        "molar_mass_unit": unit,
        "molar_mass_g_per_mol": _round(mass, decimals),
        "atoms_per_formula_unit": tidy_number(total_atoms),
        "elements": elements,
        "sample_mass_g": sample_mass,
        "amount_mol": float(f"{amount:.{max(decimals, 1)}e}"),
        "formula_units": float(f"{amount * AVOGADRO:.{max(decimals, 1)}e}"),
    }

    electrons = sum(gemmi.Element(el).atomic_number * n for el, n in counts.items())
    result["charge"] = charge
    result["electron_count"] = tidy_number(electrons - (charge or 0))

    shifts = body.get("isotope_shifts") or []
    if not isinstance(shifts, list) or not all(
        isinstance(s, int | float) and not isinstance(s, bool) and math.isfinite(s) for s in shifts
    ):
        raise ServiceError(422, "'isotope_shifts' must be a list of numbers (g/mol).")
    if shifts:
        result["labelled_molar_mass_g_per_mol"] = _round(mass + sum(shifts), decimals)

    conditions = body.get("conditions") or {}
    if not isinstance(conditions, dict):
        raise ServiceError(422, "'conditions' must be an object with temperature and pressure.")
    temperature = params.number(conditions, "temperature_K", 298.15, exclusive_minimum=0)
    pressure = params.number(conditions, "pressure_atm", 1.0, exclusive_minimum=0)
    result["conditions"] = {"temperature_K": temperature, "pressure_atm": pressure}
    result["ideal_gas_volume_L"] = _round(
        amount * GAS_CONSTANT_L_ATM * temperature / pressure, decimals
    )

    result["mixture"] = _mixture(body.get("mixture") or [], decimals)
    result["record"] = _optional_formats(body)
    return result


def _mixture(items: Any, decimals: int) -> dict[str, Any] | None:
    """Mole-fraction-weighted average molar mass of the listed components."""
    if not isinstance(items, list):
        raise ServiceError(422, "'mixture' must be a list of components.")
    if not items:
        return None
    if len(items) > 10:
        raise ServiceError(422, "A mixture can have at most 10 components.")
    components = []
    for index, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("formula"), str):
            raise ServiceError(422, f"Mixture component {index} needs a formula.")
        fraction = params.number(item, "fraction", 0.0, minimum=0, maximum=1)
        mass = molar_mass(parse_formula(item["formula"]))
        components.append((item["formula"], fraction, mass))
    total = sum(fraction for _, fraction, _ in components)
    if total <= 0:
        raise ServiceError(422, "The mixture fractions add up to zero.")
    average = sum(fraction * mass for _, fraction, mass in components) / total
    return {
        "components": [
            {
                "formula": formula,
                "mole_fraction": _round(fraction / total, decimals),
                "molar_mass_g_per_mol": _round(mass, decimals),
            }
            for formula, fraction, mass in components
        ],
        "fractions_normalised": not math.isclose(total, 1.0, abs_tol=1e-9),
        "average_molar_mass_g_per_mol": _round(average, decimals),
    }


REQUEST_MODEL = "FormulaPropertiesRequest"
RESPONSE_MODEL = "FormulaPropertiesResponse"

_MOLAR_MASS = "g/mol"
RESPONSE_SCHEMA = response_model(
    RESPONSE_MODEL,
    "Molar mass, composition and amount of substance of the formula.",
    {
        "formula": field("string", "Formula (Hill order)", "The formula as parsed."),
        "input_formula": field("string", "Formula as entered", "What was asked for."),
        "molar_mass": field("number", "Molar mass", "In the unit chosen (see the next line)."),
        "molar_mass_unit": field("string", "Molar mass unit", "The unit chosen for it."),
        "molar_mass_g_per_mol": field(
            "number", "Molar mass in g/mol", "Always in grams per mole.", _MOLAR_MASS
        ),
        "atoms_per_formula_unit": field(["integer", "number"], "Atoms per formula unit", ""),
        "elements": {
            "type": "array",
            "title": "Elements",
            "description": "Each element's count and share of the formula.",
            "items": {
                "type": "object",
                "properties": {
                    "element": field("string", "Element", "Chemical symbol."),
                    "count": field(["integer", "number"], "Count", "Atoms per formula unit."),
                    "atomic_weight": field(
                        "number", "Atomic weight", "Standard atomic weight.", _MOLAR_MASS
                    ),
                    "mass_fraction": field("number", "Mass fraction", "Share of the mass."),
                    "atom_fraction": field("number", "Atom fraction", "Share of the atoms."),
                },
            },
        },
        "sample_mass_g": field("number", "Sample mass", "As given.", "g"),
        "amount_mol": field("number", "Amount of substance", "In the sample.", "mol"),
        "formula_units": field(
            "number", "Formula units", "In the sample (Avogadro's number × amount)."
        ),
        "charge": field(["integer", "null"], "Charge", "Net charge, if one was given."),
        "electron_count": field(
            ["integer", "number"], "Electrons", "Per formula unit, net of charge."
        ),
        "labelled_molar_mass_g_per_mol": field(
            "number", "Molar mass with isotope shifts", "With the given shifts added.", _MOLAR_MASS
        ),
        "conditions": {
            "type": "object",
            "title": "Conditions",
            "description": "For the ideal-gas volume.",
            "properties": {
                "temperature_K": field("number", "Temperature", "Absolute temperature.", "K"),
                "pressure_atm": field("number", "Pressure", "In standard atmospheres.", "atm"),
            },
        },
        "ideal_gas_volume_L": field(
            "number", "Ideal-gas volume", "Of the sample as an ideal gas at the conditions.", "L"
        ),
        "mixture": {
            "anyOf": [
                {
                    "type": "object",
                    "properties": {
                        "components": {
                            "type": "array",
                            "title": "Components",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "formula": field("string", "Formula", ""),
                                    "mole_fraction": field(
                                        "number", "Mole fraction", "Normalised."
                                    ),
                                    "molar_mass_g_per_mol": field(
                                        "number", "Molar mass", "", _MOLAR_MASS
                                    ),
                                },
                            },
                        },
                        "fractions_normalised": field(
                            "boolean", "Fractions normalised", "The fractions did not add up to 1."
                        ),
                        "average_molar_mass_g_per_mol": field(
                            "number", "Average molar mass", "Mole-fraction weighted.", _MOLAR_MASS
                        ),
                    },
                },
                {"type": "null"},
            ],
            "title": "Mixture",
            "description": "The mixture's average molar mass, when a mixture was given.",
        },
        "record": {
            "type": "object",
            "title": "Sample record",
            "description": "The free-text fields, as checked.",
            "properties": {
                "label": field("string", "Sample label", ""),
                "contact_email": field("string", "Contact e-mail", ""),
                "measured_on": field("string", "Measured on", ""),
                "reference_url": field("string", "Reference URL", ""),
                "notes": field("string", "Notes", ""),
                "notes_lines": field("integer", "Lines of notes", ""),
            },
        },
    },
)

_FORMULA_STRING = {
    "type": "string",
    "pattern": FORMULA_PATTERN,
    "minLength": 1,
    "maxLength": 200,
}

OPENAPI: dict[str, Any] = document(
    title="Formula properties",
    description="Molar mass and composition of chemical formulas.",
    path=PATH,
    operation=post_operation(
        summary="Formula properties",
        description=(
            "Parse a chemical formula and compute its molar mass, element mass fractions, the "
            "amount of substance in a sample and, optionally, a mixture's average molar mass."
        ),
        operation_id="formula_properties_chemistry_formula_properties_post",
        request_model=REQUEST_MODEL,
        response_model=RESPONSE_MODEL,
        extensions={"x-ouro-execution-mode": "sync"},
    ),
    schemas={
        RESPONSE_MODEL: RESPONSE_SCHEMA,
        "Conditions": {
            "type": "object",
            "title": "Conditions",
            "description": "Conditions for the ideal-gas volume of the sample.",
            "properties": {
                "temperature_K": {
                    "type": "number",
                    "title": "Temperature (K)",
                    "description": "Absolute temperature.",
                    "exclusiveMinimum": 0,
                    "default": 298.15,
                },
                "pressure_atm": {
                    "type": "number",
                    "title": "Pressure (atm)",
                    "description": "Pressure in standard atmospheres.",
                    "exclusiveMinimum": 0,
                    "default": 1.0,
                },
            },
        },
        "MixtureComponent": {
            "type": "object",
            "title": "MixtureComponent",
            "description": "One component of a mixture and its mole fraction.",
            "properties": {
                "formula": {
                    **_FORMULA_STRING,
                    "title": "Formula",
                    "description": "Chemical formula of the component.",
                },
                "fraction": {
                    "type": "number",
                    "title": "Mole fraction",
                    "description": "Between 0 and 1; fractions are normalised if they do not "
                    "add up to 1.",
                    "minimum": 0,
                    "maximum": 1,
                },
            },
            "required": ["formula", "fraction"],
        },
        REQUEST_MODEL: {
            "type": "object",
            "title": REQUEST_MODEL,
            "properties": {
                "formula": {
                    **_FORMULA_STRING,
                    "title": "Formula",
                    "description": "Chemical formula, e.g. Ca(OH)2, [Cu(NH3)4]SO4 or CuSO4·5H2O.",
                    "examples": ["Ca(OH)2"],
                },
                "sample_mass_g": {
                    "type": "number",
                    "title": "Sample mass (g)",
                    "description": "Mass of the sample, for its amount of substance.",
                    "exclusiveMinimum": 0,
                    "maximum": 1000000,
                    "default": 1.0,
                },
                "decimals": {
                    "type": "integer",
                    "title": "Decimals",
                    "description": "Decimal places in the results.",
                    "minimum": 0,
                    "maximum": 10,
                    "default": 4,
                },
                "include_fractions": {
                    "type": "boolean",
                    "title": "Include fractions",
                    "description": "Report each element's mass and atom fraction.",
                    "default": True,
                },
                "mass_unit": {
                    "type": "string",
                    "enum": ["g/mol", "kg/mol"],
                    "title": "Molar mass unit",
                    "description": "Unit of the reported molar mass.",
                    "default": "g/mol",
                },
                "label": {
                    "type": "string",
                    "title": "Sample label",
                    "description": "A name for this sample, echoed in the result.",
                    "maxLength": 100,
                },
                "contact_email": {
                    "type": "string",
                    "format": "email",
                    "title": "Contact e-mail",
                    "description": "Who to ask about this sample (optional).",
                },
                "measured_on": {
                    "type": "string",
                    "format": "date",
                    "title": "Measured on",
                    "description": "Date the sample was weighed (optional).",
                },
                "reference_url": {
                    "type": "string",
                    "format": "uri",
                    "title": "Reference URL",
                    "description": "A link to a data sheet or paper (optional).",
                },
                "notes": {
                    "type": "string",
                    "title": "Notes",
                    "description": "Free-form notes; several lines allowed.",
                    "contentMediaType": "text/plain",
                    "x-multiline": True,
                    "maxLength": 5000,
                },
                "conditions": {
                    "$ref": "#/components/schemas/Conditions",
                    "default": {"temperature_K": 298.15, "pressure_atm": 1.0},
                },
                "isotope_shifts": {
                    "type": "array",
                    "items": {"type": "number"},
                    "title": "Isotope mass shifts (g/mol)",
                    "description": "Extra mass per formula unit from isotopic labelling, e.g. "
                    "1.0063 for each H replaced by D; their sum is added to the molar mass.",
                    "maxItems": 20,
                    "default": [],
                },
                "mixture": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/MixtureComponent"},
                    "title": "Mixture",
                    "description": "Optional mixture whose average molar mass is computed.",
                    "minItems": 0,
                    "maxItems": 10,
                    "default": [],
                },
                "charge": {
                    "anyOf": [{"type": "integer"}, {"type": "null"}],
                    "title": "Charge",
                    "description": "Net charge of the species, for its electron count "
                    "(leave empty for a neutral formula).",
                    "default": None,
                },
            },
            "required": ["formula"],
        },
    },
)
