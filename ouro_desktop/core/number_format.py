"""Numbers as a scientist reads them, and the exact value kept beside them (no Qt).

:func:`format_number` rounds for reading:

* integers (JSON integers, and floats that are whole and below a million) are exact:
  ``12``, ``602214076000000000000000``;
* other values between 0.001 and a million that were written with at most six significant
  digits are shown as written (``298.15``, ``1.5406``, ``0.1 + 0.2`` as ``0.3``: rounding
  would drop digits someone chose; "written" is the value's shortest text to 15 digits, so
  binary noise does not count), and so are values written with at most four decimals
  (``159.6874``, ``123456.789``: a route that rounds its answer to a few decimal places,
  often at the user's request, chose those digits); longer ones get four significant
  figures, never fewer than their integer digits: ``47.241633375000006`` → ``47.24``,
  ``−14.900383`` → ``−14.90``, ``0.0012345678`` → ``0.001235``;
* smaller and larger ones are written in scientific notation with three significant
  figures (again as written when they have at most three): ``2.412e+21`` → ``2.41 × 10²¹``,
  ``1.6e-19`` → ``1.6 × 10⁻¹⁹``;
* a rounded value keeps its trailing zeros: they are significant figures, so
  ``−14.900383`` reads ``−14.90``, not ``−14.9`` (which would claim less than was sent),
  and ``1.6022e-19`` reads ``1.60 × 10⁻¹⁹``;
* NaN, infinity and minus infinity are words; negatives use a real minus sign (−).

A value that comes with its uncertainty is rounded to the uncertainty instead
(:mod:`ouro_desktop.core.uncertainty`, using :func:`format_fixed`).

:func:`exact_text` is the value as the server sent it (shortest round-trip text for a
float, ``NaN``/``Infinity`` as JSON writers spell them): what hover, Copy and the JSON view
show.
"""

from __future__ import annotations

import math
from typing import Any, Final

__all__ = [
    "MINUS",
    "NOT_A_NUMBER",
    "exact_text",
    "format_fixed",
    "format_number",
    "is_number",
    "scientific",
]

MINUS: Final = "\u2212"
NOT_A_NUMBER: Final = "not a number"
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_PLAIN_LOW: Final = 1e-3
_PLAIN_HIGH: Final = 1e6
_KEEP_DIGITS: Final = 6
_KEEP_DECIMALS: Final = 4
_SCIENTIFIC_DIGITS: Final = 3


def is_number(value: Any) -> bool:
    """True for a JSON number (an int or float, not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _strip_zeros(text: str) -> str:
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _signed(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def _written(value: float) -> str:
    """The value's shortest text to 15 significant digits (``0.1 + 0.2`` → ``0.3``)."""
    return f"{value:.15g}"


def _digits_written(text: str) -> int:
    """Significant digits of a ``%g`` text (its mantissa without leading zeros)."""
    mantissa = text.lower().partition("e")[0].lstrip("-").replace(".", "").lstrip("0")
    return max(1, len(mantissa))


def _decimals_written(text: str) -> int:
    """Decimal places of a plain ``%g`` text (``159.6874`` → 4)."""
    return len(text.partition(".")[2])


def scientific(value: float, digits: int = _SCIENTIFIC_DIGITS, keep_zeros: bool = False) -> str:
    """``value`` as ``m × 10ⁿ`` with ``digits`` significant figures (trailing zeros
    dropped unless ``keep_zeros``)."""
    mantissa, _, exponent = f"{value:.{max(1, digits) - 1}e}".partition("e")
    power = str(int(exponent)).translate(_SUPERSCRIPT)
    shown = mantissa if keep_zeros else _strip_zeros(mantissa)
    return f"{_signed(shown)} × 10{power}"


def _scientific_for_reading(value: float) -> str:
    written = _digits_written(_written(value))
    if written <= _SCIENTIFIC_DIGITS:
        return scientific(value, written)  # as written: 1.6 × 10⁻¹⁹
    return scientific(value, _SCIENTIFIC_DIGITS, keep_zeros=True)


def format_number(value: int | float, digits: int = 4) -> str:
    """``value`` rounded for reading (rules in the module docstring)."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return _signed(str(value))
    if math.isnan(value):
        return NOT_A_NUMBER
    if math.isinf(value):
        return "infinity" if value > 0 else f"{MINUS}infinity"
    if value == 0:
        return "0"
    size = abs(value)
    if size.is_integer() and size < _PLAIN_HIGH:
        return _signed(str(int(value)))
    if not _PLAIN_LOW <= size < _PLAIN_HIGH:
        return _scientific_for_reading(value)
    written = _written(value)
    if "e" not in written and (
        _digits_written(written) <= _KEEP_DIGITS or _decimals_written(written) <= _KEEP_DECIMALS
    ):
        return _signed(written)  # a value given with few digits (298.15, 159.6874) stays whole
    decimals = max(0, digits - 1 - math.floor(math.log10(size)))
    text = f"{value:.{decimals}f}"  # trailing zeros kept: they are significant
    if float(text) == 0 or abs(float(text)) >= _PLAIN_HIGH:
        return _scientific_for_reading(value)
    return _signed(text)


def format_fixed(value: float, decimals: int) -> str:
    """``value`` rounded to ``decimals`` places, zeros kept (``decimals`` < 0 rounds to
    tens, hundreds...): ``format_fixed(-14.900383, 5)`` → ``−14.90038``."""
    if decimals >= 0:
        text = f"{value:.{decimals}f}"
    else:
        text = str(int(round(value, decimals)))
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")  # no "−0.000"
    return _signed(text)


def exact_text(value: Any) -> str:
    """The exact text of a JSON scalar: ``47.241633375000006``, ``true``, ``null``, a string
    as it is."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    return str(value)
