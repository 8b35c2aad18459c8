"""Axis arithmetic for the charts (no Qt, no painting): "nice" ticks, their labels, and
which category labels to show.

Numeric axes end on multiples of 1, 2 or 5 × 10^n, so the first and last grid lines frame
the data; categorical x values sit at 0, 1, 2, ... with at most
:data:`MAX_CATEGORY_LABELS` labels. :mod:`ouro_desktop.ui.results.chart_plot` draws with
these.
"""

from __future__ import annotations

import math
import sys

from ouro_desktop.core.number_format import MINUS

__all__ = [
    "MAX_CATEGORY_LABELS",
    "category_ticks",
    "nice_step",
    "nice_ticks",
    "number_text",
    "tick_texts",
]

MAX_CATEGORY_LABELS = 12
_HALF_MAX = sys.float_info.max / 2


_FIXED_LOW = 1e-4  # ticks this small or ...
_FIXED_HIGH = 1e6  # ... this large read in the 1e+09 notation
_FIXED_MAX_DECIMALS = 6


def _minus(text: str) -> str:
    """A real minus sign, as every other number in the window has (not the exponent's)."""
    return MINUS + text[1:] if text.startswith("-") else text


def number_text(value: float) -> str:
    return "–" if math.isnan(value) else _minus(f"{value:.6g}")


def _fixed_texts(values: list[float]) -> list[str] | None:
    """The ticks with one number of decimals, the fewest that writes each exactly
    (``−3.62 … −3.70 … −3.74``, ``10.0, 10.5, 11.0``); None when they are too big or
    too small for that, or would need too many decimals."""
    biggest = max((abs(v) for v in values), default=0.0)
    if not all(math.isfinite(v) for v in values) or biggest >= _FIXED_HIGH:
        return None
    if 0 < biggest < _FIXED_LOW:
        return None
    for decimals in range(_FIXED_MAX_DECIMALS + 1):
        texts = [f"{v:.{decimals}f}" for v in values]
        exact = all(
            abs(float(t) - v) <= 1e-9 * max(1.0, abs(v)) for t, v in zip(texts, values, strict=True)
        )
        if exact and len(set(texts)) == len(texts):
            # "-0.0" is a rounding artefact of a tick at zero.
            return [_minus(t) if float(t) != 0 else t.lstrip("-") for t in texts]
    return None


def tick_texts(values: list[float]) -> list[str]:
    """Tick labels with one number of decimals per axis (:func:`_fixed_texts`); when
    that does not fit, ``:.6g`` with more digits only when that would repeat a label
    (ticks 1e-6 apart around 1e9 must not all read ``1e+09``)."""
    fixed = _fixed_texts(values)
    if fixed is not None:
        return fixed
    for digits in (6, 9, 12, 15):
        texts = [_minus(f"{v:.{digits}g}") for v in values]
        if len(set(texts)) == len(texts):
            return texts
    return texts


def _widen(lo: float, hi: float) -> tuple[float, float]:
    """A range with some width: a lone value (one point, all-equal values) gets ±10 % of
    itself (±1 around zero), so it sits mid-axis instead of on a zero-width axis."""
    if hi - lo > max(abs(lo), abs(hi)) * 1e-12:
        return lo, hi
    half = abs(lo) * 0.1 or 1.0
    return lo - half, hi + half


def nice_step(span: float, target: int) -> float:
    """The smallest step of 1, 2 or 5 × 10^n that cuts ``span`` into at most ``target``
    parts."""
    raw = span / max(1, target)
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 5.0):
        if raw <= factor * power * (1 + 1e-9):
            return factor * power
    return 10.0 * power


def nice_ticks(lo: float, hi: float, target: int = 5) -> list[float]:
    """Multiples of a nice step from at or below ``lo`` to at or above ``hi``.

    At most about ``target`` + 2 ticks. Ranges floats cannot split evenly (spanning more
    than the largest float, or too narrow for their magnitude) get just two ends.
    """
    lo, hi = _widen(lo, hi)
    try:
        step = nice_step(hi - lo, target)
        # the slack keeps float noise (0.6 / 0.2 = 2.9999999999999996) from adding a tick
        first = math.floor(lo / step + 1e-9)
        last = math.ceil(hi / step - 1e-9)
    except (ValueError, OverflowError, ZeroDivisionError):
        return _two_ends(lo, hi)
    if not 0 < last - first <= 4 * max(1, target):
        return _two_ends(lo, hi)
    # k * step rather than a running sum: no drift, and an exact 0.0 at k = 0
    ticks = [k * step for k in range(first, last + 1)]
    return ticks if _usable(ticks[0], ticks[-1]) else _two_ends(lo, hi)


def _usable(lo: float, hi: float) -> bool:
    """True for a range the mapping to pixels can divide by."""
    return math.isfinite(lo) and math.isfinite(hi) and math.isfinite(hi - lo) and hi > lo


def _two_ends(lo: float, hi: float) -> list[float]:
    # Past the largest float only the middle half of all floats is shown: data that far
    # out cannot come from a JSON response the chart declaration made sense of anyway.
    return [lo, hi] if _usable(lo, hi) else [-_HALF_MAX, _HALF_MAX]


def category_ticks(
    labels: list[float | str], limit: int = MAX_CATEGORY_LABELS
) -> list[tuple[float, str]]:
    """Every n-th category as (index, label), so that at most ``limit`` labels show."""
    step = max(1, math.ceil(len(labels) / max(1, limit)))
    return [(float(i), str(labels[i])) for i in range(0, len(labels), step)]
