"""A value and its uncertainty, rounded together (no Qt).

Four significant figures suit most results, but not a value whose uncertainty is known:
an equation-of-state fit sends ``E0_eV = -14.900383`` with ``E0_error_eV = 0.000176``,
and "−14.90 eV" beside "1.76 × 10⁻⁴ eV" throws away the very digits the fit determined.
The usual rule of metrology (GUM §7.2.6, and every physics lab course) applies instead:

* the uncertainty is shown with **two significant figures**: ``0.000176`` → ``0.00018``;
* its value is shown to the **same decimal place**: ``−14.900383`` → ``−14.90038``
  (``47.2501 ± 0.00657`` → ``47.2501`` and ``0.0066``; ``140.7 ± 0.344`` → ``140.70`` and
  ``0.34``).

Only values that come with an uncertainty are rounded this way, and only while the value
then needs at most 12 significant figures: no measured quantity is known better (the
best-known constants have about 12), so a smaller uncertainty -- an exact fit's
``1e-16`` -- is rounding noise, not a measurement's, and the usual rule applies.

Other values keep the rule of :mod:`ouro_desktop.core.number_format` (four significant
figures, trailing zeros kept): without an uncertainty the app cannot know which digits
matter, so it does not guess (an absolute energy of −14.900383 eV alone reads
−14.90 eV). The exact value is always on hover, in Copy and in the JSON view.

Which field is whose uncertainty (:func:`uncertainty_pairs`), among the fields of one
object -- a number field U is the uncertainty of a sibling number field V when

1. the route says so: an ``x-ouro-properties`` entry ``{"value": V, "uncertainty": U}``;
2. or U's key is V's key with one uncertainty word added among its words, the unit suffix
   aside (``E0_error_eV`` / ``E0_eV``, ``E0_uncertainty_eV``, ``sigma_E0_eV``,
   ``B0_prime_error`` / ``B0_prime``); the words are those of :data:`UNCERTAINTY_WORDS`;
3. or U's title reads "Uncertainty of X" (also "Error of", "Standard error of",
   "Standard deviation of", "σ of", "± X", "X uncertainty", "X error") and X is V's title,
   the end of V's title ("Minimum energy E0" ends in "E0"), or V's key without its unit;

and both have the same unit (or neither has one): a relative uncertainty in % never
pairs with a value in eV. A value with two candidate uncertainties takes the first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from ouro_desktop.api.models import Route
from ouro_desktop.core.number_format import format_fixed, is_number, scientific
from ouro_desktop.core.units import split_key_unit

__all__ = [
    "UNCERTAINTY_WORDS",
    "declared_uncertainties",
    "declared_within",
    "rounded_pair",
    "uncertainty_pairs",
]

UNCERTAINTY_WORDS: Final = frozenset(
    {"error", "err", "uncertainty", "unc", "std", "stdev", "stddev", "stderr", "sigma", "sd"}
)
_TITLE_BEFORE = re.compile(
    r"^(?:(?:one\s+)?(?:standard\s+)?(?:uncertainty|error|deviation)|std|σ|±|\+/-)"
    r"\s*(?:of|in|on|for)?\s+(?P<x>.+)$",
    re.IGNORECASE,
)
_TITLE_AFTER = re.compile(
    r"^(?P<x>.+?)\s+(?:standard\s+)?(?:uncertainty|error|deviation)$", re.IGNORECASE
)
_MAX_FIXED_DECIMALS: Final = 12
_MAX_FIGURES: Final = 12  # more than any measured value has: the rest is rounding noise
_PLAIN_HIGH: Final = 1e6
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _words(key: str) -> list[str]:
    stem = split_key_unit(key).stem or key
    words: list[str] = []
    for chunk in re.split(r"[_\-\s.]+", stem):
        words.extend(w.lower() for w in _CAMEL.split(chunk) if w)
    return words


def _key_match(value_key: str, uncertainty_key: str) -> bool:
    words = _words(uncertainty_key)
    marks = [w for w in words if w in UNCERTAINTY_WORDS]
    if len(marks) != 1:
        return False
    words.remove(marks[0])
    return bool(words) and words == _words(value_key)


def _named(title: str) -> str | None:
    """The X of "Uncertainty of X" / "X uncertainty", or None."""
    title = " ".join(title.split())
    match = _TITLE_BEFORE.match(title) or _TITLE_AFTER.match(title)
    if not match:
        return None
    named = match.group("x").strip(" :")
    return named[4:] if named.lower().startswith("the ") else named


def _title_match(value_key: str, value_title: str, uncertainty_title: str) -> bool:
    named = _named(uncertainty_title)
    if not named:
        return False
    x = named.casefold()
    title = " ".join(value_title.split()).casefold()
    stem = (split_key_unit(value_key).stem or value_key).casefold()
    return x in (title, stem) or title.endswith(" " + x)


def uncertainty_pairs(
    fields: Sequence[tuple[str, str, str, Any]], declared: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Value key → uncertainty key among sibling ``fields`` ``(key, title, unit, value)``
    (rules in the module docstring); ``declared`` pairs value keys with uncertainty keys
    as the route declares them."""
    numbers = {key: (title, unit) for key, title, unit, value in fields if is_number(value)}
    pairs: dict[str, str] = {}
    taken: set[str] = set()

    def pair(value_key: str, uncertainty_key: str) -> None:
        if value_key in pairs or uncertainty_key in taken or value_key in taken:
            return
        if numbers[value_key][1] != numbers[uncertainty_key][1]:
            return  # different units: not rounded together
        pairs[value_key] = uncertainty_key
        taken.update((uncertainty_key, value_key))

    for value_key, uncertainty_key in (declared or {}).items():
        if value_key in numbers and uncertainty_key in numbers and value_key != uncertainty_key:
            pair(value_key, uncertainty_key)
    for u_key, (u_title, _unit) in numbers.items():
        for v_key, (v_title, _v_unit) in numbers.items():
            if v_key == u_key or v_key in taken or u_key in taken:
                continue
            if _key_match(v_key, u_key) or _title_match(v_key, v_title, u_title):
                pair(v_key, u_key)
    return pairs


def rounded_pair(value: float, uncertainty: float) -> tuple[str, str] | None:
    """``value`` and ``uncertainty`` as read: the uncertainty to two significant figures,
    the value to the same decimal place (``(-14.900383, 0.000176)`` → ``("−14.90038",
    "0.00018")``); None when the uncertainty says nothing (zero, negative, not finite, or
    so small next to the value that it would need more than 12 figures: rounding noise)."""
    if not (math.isfinite(value) and math.isfinite(uncertainty)) or uncertainty <= 0:
        return None
    place = math.floor(math.log10(uncertainty)) - 1  # the place of its second figure
    if round(uncertainty, -place) >= 10.0 ** (place + 2):
        place += 1  # 0.0996 rounds to 0.10: two figures are then one place up
    exponent = math.floor(math.log10(abs(value))) if value else place
    figures = max(1, exponent - place + 1)
    if figures > _MAX_FIGURES:
        return None
    decimals = -place
    if max(abs(value), uncertainty) < _PLAIN_HIGH and decimals <= _MAX_FIXED_DECIMALS:
        return format_fixed(value, decimals), format_fixed(uncertainty, decimals)
    # Too large or too small for plain decimals: the same figures in scientific notation.
    return scientific(value, figures, keep_zeros=True), scientific(uncertainty, 2, True)


def declared_uncertainties(route: Route | None) -> dict[str, str]:
    """Value path → uncertainty path, as the route's ``x-ouro-properties`` declares them."""
    block = route.raw.get("route") if route is not None else None
    declared = block.get("properties") if isinstance(block, Mapping) else None
    pairs: dict[str, str] = {}
    for entry in declared if isinstance(declared, list) else []:
        if not isinstance(entry, Mapping):
            continue
        value, uncertainty = entry.get("value"), entry.get("uncertainty")
        if isinstance(value, str) and isinstance(uncertainty, str):
            pairs[value.strip(". ")] = uncertainty.strip(". ")
    return pairs


def declared_within(declared: Mapping[str, str], path: str) -> dict[str, str]:
    """The pairs of ``declared`` (paths from the answer's root) among the fields of the
    object at ``path``, by their own keys."""
    prefix = f"{path}." if path else ""
    return {
        v[len(prefix) :]: u[len(prefix) :]
        for v, u in declared.items()
        if v.startswith(prefix) and u.startswith(prefix)
    }
