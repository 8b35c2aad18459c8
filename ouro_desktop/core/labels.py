"""Labels a scientist reads, from a schema ``title`` or, without one, from the key.

* :func:`humanise_key` -- ``fermi_energy_eV`` → "Fermi energy" (the unit is split off by
  :mod:`ouro_desktop.core.units`), ``n_atoms`` → "Number of atoms", ``dos`` → "DOS",
  ``alpha_deg`` → "α", ``two_theta_deg`` → "2θ", ``bandGap`` → "Band gap".
* :func:`is_generated_title` -- pydantic writes ``"Fermi Energy Ev"`` as the title of a field
  ``fermi_energy_eV`` when the author gave none; such a title says nothing the key does not,
  and loses the unit, so the key is humanised instead.
* :func:`label_and_unit` -- the label and unit of one value from its key and schema.
* :func:`distinct_labels` -- sibling labels made unique: two keys that shorten to the same
  words get the words that tell them apart, never the same label twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from ouro_desktop.core.units import schema_unit, split_key_unit, split_title_unit

__all__ = [
    "distinct_labels",
    "humanise_key",
    "in_words",
    "is_generated_title",
    "label_and_unit",
]

# Words written in capitals (or a fixed way) wherever they stand.
_FIXED: Final[Mapping[str, str]] = {
    "dos": "DOS",
    "pdos": "PDOS",
    "id": "ID",
    "ids": "IDs",
    "url": "URL",
    "uri": "URI",
    "cif": "CIF",
    "xrd": "XRD",
    "hkl": "hkl",
    "fwhm": "FWHM",
    "pdf": "PDF",
    "json": "JSON",
    "csv": "CSV",
    "api": "API",
    "dft": "DFT",
    "mae": "MAE",
    "rmse": "RMSE",
    "mape": "MAPE",
    "ml": "ML",
    "uuid": "UUID",
    "smiles": "SMILES",
    "inchi": "InChI",
    "ph": "pH",
    "vbm": "VBM",
    "cbm": "CBM",
    "homo": "HOMO",
    "lumo": "LUMO",
    "pbe": "PBE",
    "gga": "GGA",
    "lda": "LDA",
    "hse": "HSE",
    "xyz": "XYZ",
    "2d": "2D",
    "3d": "3D",
    "ev": "eV",
    "sg": "space group",
    "hm": "H-M",
    "iupac": "IUPAC",
    "cas": "CAS",
}
# Names of people and things that keep their capital inside a sentence.
_PROPER: Final = frozenset(
    {
        "fermi",
        "debye",
        "bader",
        "wyckoff",
        "bravais",
        "miller",
        "bragg",
        "lorentz",
        "gaussian",
        "lorentzian",
        "boltzmann",
        "hubbard",
        "hill",
        "pauling",
        "mulliken",
        "voronoi",
        "kohn",
        "sham",
        "fourier",
        "poisson",
        "young",
        "vegard",
        "sommerfeld",
        "scherrer",
        "rietveld",
        "avogadro",
        "coulomb",
        "kelvin",
        "celsius",
        "planck",
        "helmholtz",
        "gibbs",
    }
)
# A whole stem that is a symbol.
_SYMBOLS: Final[Mapping[str, str]] = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "theta": "θ",
    "two_theta": "2θ",
    "2theta": "2θ",
    "twotheta": "2θ",
    "lambda": "λ",
    "sigma": "σ",
    "mu": "µ",
    "e_f": "E_F",
    "ef": "E_F",
}
_KEEP_LOWER: Final = frozenset({"hkl", "pH", "eV"})
_COUNT_PREFIXES: Final = ("n", "num", "number", "nb")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _words(key: str) -> list[str]:
    parts: list[str] = []
    for chunk in re.split(r"[_\-\s.]+", key):
        if chunk:
            parts.extend(w for w in _CAMEL.split(chunk) if w)
    return parts


def _word(word: str) -> str:
    lower = word.lower()
    if lower in _FIXED:
        return _FIXED[lower]
    if lower in _PROPER:
        return lower.capitalize()
    if len(word) > 1 and word.isupper():
        return word  # an acronym the table does not know (HOMO, GW, ...)
    if any(c.isupper() for c in word[1:]):
        return word  # mixed case on purpose: eV, MgO, pKa
    return lower


def humanise_key(key: str) -> str:
    """A key as words in sentence case, without its unit suffix."""
    stem = split_key_unit(key).stem or key
    if stem.lower() in _SYMBOLS:
        return _SYMBOLS[stem.lower()]
    if stem.lower() in _FIXED:  # before splitting camel case: "pH" is one word
        fixed = _FIXED[stem.lower()]
        return fixed if fixed in _KEEP_LOWER else fixed[0].upper() + fixed[1:]
    words = _words(stem)
    if not words:
        return key
    if len(words) == 1 and len(words[0]) == 1:
        return words[0]  # a cell length "a" stays lower case, a "T" stays upper
    prefix = ""
    if len(words) > 1 and words[0].lower() in _COUNT_PREFIXES:
        prefix, words = "Number of", words[1:]
    text = " ".join(_word(w) for w in words)
    if prefix:
        return f"{prefix} {text}"
    first = text[0]
    # "hkl" and "pH" stay as they are; other words start the sentence with a capital.
    if _word(words[0]) in _KEEP_LOWER or words[0] != words[0].lower() and first.isupper():
        return text
    return first.upper() + text[1:]


# A class name: two or more capitalised words of three letters or more (or an acronym)
# run together -- not a formula like NaCl or MgO.
_CLASS_NAME = re.compile(r"^(?:[A-Z][a-z0-9]{2,}|[A-Z]{2,}(?=[A-Z][a-z]|$)){2,}$")
_SNAKE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+$")


def in_words(title: str) -> str:
    """A schema title as words inside a sentence ("a list of …"): a class or field name
    (``MixtureComponent``, ``mixture_component``) becomes words, and the first word loses
    its capital unless it is written that way on purpose (``DOS``, ``CIF``, ``MgO``):
    ``"mixture component"``, ``"atom site"``, ``"DOS curve"``."""
    text = " ".join(title.split())
    if _CLASS_NAME.match(text) or _SNAKE.match(text):
        text = humanise_key(text)
    first, space, rest = text.partition(" ")
    if first[:1].isupper() and first[1:] == first[1:].lower() and first.lower() not in _FIXED:
        first = first.lower()
    return first + space + rest


def is_generated_title(title: str, key: str) -> bool:
    """True for the title pydantic makes from a field name (``"Fermi Energy Ev"``)."""
    if not key:
        return False
    candidates = {
        key.replace("_", " ").title(),
        key.title().replace("_", " "),
        " ".join(w.capitalize() for w in key.split("_") if w),
        key,
    }
    return title.strip() in candidates


def label_and_unit(key: str, schema: Mapping[str, Any] | None) -> tuple[str, str]:
    """The label and unit of the value at ``key`` described by ``schema`` (may be None).

    A real title wins (its unit in parentheses split off); a generated or missing title
    gives the humanised key. The unit comes from the schema, else from the key.
    """
    schema = schema or {}
    title = schema.get("title")
    unit = schema_unit(schema)
    if isinstance(title, str) and title.strip() and not is_generated_title(title, key):
        split = split_title_unit(title)
        label = split.stem
        if not unit:
            unit = split_key_unit(key).unit
            if unit.startswith("per ") and unit.removeprefix("per ") in label.lower():
                unit = ""  # "Atoms in the cell" already says what "per cell" would
        return label, unit
    return humanise_key(key) if key else "", unit or split_key_unit(key).unit


def _distinguishing(keys: Sequence[str]) -> list[str]:
    """The humanised words of each key (unit suffix included) that differ among them."""
    word_lists = [[_word(w) for w in _words(k)] for k in keys]
    for words in word_lists:
        if len(words) > 1 and words[0].lower() in _COUNT_PREFIXES:
            words[:1] = ["number", "of"]
    # Drop the words every key shares at the start; what is left tells them apart.
    shared = 0
    while all(len(w) > shared for w in word_lists) and len({w[shared] for w in word_lists}) == 1:
        shared += 1
    if shared and all(w[shared - 1] == "per" for w in word_lists):
        shared -= 1  # "per atom" / "per cell", not "atom" / "cell"
    return [" ".join(w[shared:]) for w in word_lists]


def distinct_labels(entries: Sequence[tuple[str, str, str]]) -> list[str]:
    """Sibling labels, unique: ``entries`` are ``(key, label, unit)``.

    Labels that clash (same text, case aside) get the words of their keys that tell them
    apart in parentheses (``"DOS at Fermi level (per eV per atom)"``); if even the keys
    read the same, a number.
    """
    labels = [label for _, label, _ in entries]
    groups: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label.casefold(), []).append(index)
    for indices in groups.values():
        if len(indices) < 2:
            continue
        tails = _distinguishing([entries[i][0] for i in indices])
        for i, tail in zip(indices, tails, strict=True):
            if tail:
                labels[i] = f"{labels[i]} ({tail})"
    used: set[str] = set()
    for index, label in enumerate(labels):
        candidate, number = label, 1
        while candidate.casefold() in used:
            number += 1
            candidate = f"{label} ({number})"
        used.add(candidate.casefold())
        labels[index] = candidate
    return labels
