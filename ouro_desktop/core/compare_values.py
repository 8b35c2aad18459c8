"""Sameness and cell text for comparing two runs (no Qt), used by
:mod:`ouro_desktop.core.run_compare`.

* :func:`same` -- deep equality where 2 and 2.0 are the same number and NaN is the same
  as NaN, checking for cancellation on big values; :func:`first_difference` compares two
  lists a chunk at a time at C speed and says where they part.
* :func:`cell_text` / :func:`change_text` / :func:`count_text` -- what a cell reads:
  ``"298.15 K"``, ``"+51.85 K"`` and ``"+17.4 %"``, ``"60 values"``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from ouro_desktop.api.compact import CompactList, first_items, is_list, json_default
from ouro_desktop.core.number_format import MINUS, exact_text, format_number, is_number
from ouro_desktop.core.result_table import EMPTY, summary_text
from ouro_desktop.core.units import with_unit

__all__ = [
    "ABSENT",
    "Absent",
    "Checker",
    "CompareCancelled",
    "cell_text",
    "change_text",
    "count_text",
    "first_difference",
    "same",
    "same_scalar",
]


class CompareCancelled(Exception):
    """The caller's ``cancel`` asked to stop."""


class Absent:
    """A key one run has and the other does not."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = Absent()


class Checker:
    """Calls ``cancel`` now and then; raises :class:`CompareCancelled` when it says stop."""

    def __init__(self, cancel: Callable[[], bool] | None, chunk: int = 4096) -> None:
        self.cancel = cancel
        self.chunk = max(1, chunk)
        self.steps = 0

    def check(self) -> None:
        """Cheap: asks ``cancel`` every 64th call (between small values)."""
        self.steps += 1
        if self.cancel is not None and self.steps % 64 == 0 and self.cancel():
            raise CompareCancelled

    def check_now(self) -> None:
        """Asks ``cancel`` (between chunks of a long list)."""
        if self.cancel is not None and self.cancel():
            raise CompareCancelled


def same_scalar(a: Any, b: Any) -> bool:
    if is_number(a) and is_number(b):
        return bool(a == b) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return type(a) is type(b) and bool(a == b)


def same(a: Any, b: Any, checker: Checker) -> bool:
    """Deep equality that treats NaN as the same and checks for cancellation."""
    if is_list(a) and is_list(b):
        return first_difference(a, b, checker) is None
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if a.keys() != b.keys():
            return False
        checker.check()
        return all(same(a[k], b[k], checker) for k in a)
    if is_list(a) or is_list(b) or isinstance(a, Mapping) or isinstance(b, Mapping):
        return False
    return same_scalar(a, b)


COMPACT_PIECE: Final = 64  # rows of two compact lists made at once where their columns differ


def first_difference(a: Sequence[Any], b: Sequence[Any], checker: Checker) -> int | None:
    """The first index where two lists differ (the shorter length if one is a prefix of the
    other), or None; compared ``checker.chunk`` items at a time at C speed.

    Two compact lists are compared column by column; where a chunk's columns differ, its
    rows are made :data:`COMPACT_PIECE` at a time, only in the pieces whose columns differ
    (making a whole chunk's rows of both was several milliseconds between two checks)."""
    shortest = min(len(a), len(b))
    step = checker.chunk
    columns_same: Callable[[int, int], bool] | None = None
    if isinstance(a, CompactList) and isinstance(b, CompactList):
        other = b

        def columns_same(low: int, high: int) -> bool:
            return a.same_span(other, low, high)

    piece = step if columns_same is None else COMPACT_PIECE
    for start in range(0, shortest, step):
        checker.check_now()
        stop = min(start + step, shortest)
        for low in range(start, stop, piece):
            high = min(low + piece, stop)
            if columns_same is not None:
                if columns_same(low, high):
                    continue  # the same values, compared column by column (no rows made)
                checker.check_now()
            if a[low:high] == b[low:high]:
                continue
            for index in range(low, high):
                if not same(a[index], b[index], checker):
                    return index
    return None if len(a) == len(b) else shortest


def cell_text(value: Any, unit: str, text_chars: int = 200) -> tuple[str, str]:
    """A value as a cell reads it (unit included, "—" for nothing), and its exact text."""
    if value is ABSENT or value is None:
        return EMPTY, "" if value is ABSENT else "null"
    if (is_list(value) or isinstance(value, Mapping)) and not value:
        return EMPTY, json.dumps(value)  # an empty list or group reads as nothing, not as ""
    if isinstance(value, bool):
        return ("Yes" if value else "No"), exact_text(value)
    if is_number(value):
        return with_unit(format_number(value), unit), exact_text(value)
    if isinstance(value, str):
        shown = value if len(value) <= text_chars else value[:text_chars] + "…"
        return shown, value
    if is_list(value) and all(is_number(v) for v in value):
        text = ", ".join(format_number(v) for v in value)
        return with_unit(text, unit), json.dumps(value, default=json_default)
    return summary_text(value), ""


def _signed(value: float) -> str:
    text = format_number(value)
    if text.startswith(MINUS) or value == 0:
        return text
    return "+" + text


def change_text(a: Any, b: Any, unit: str) -> tuple[str, str]:
    """``b − a`` with its unit, and relative to ``a`` in percent (none when ``a`` is 0)."""
    if not (is_number(a) and is_number(b)) or isinstance(a, bool) or isinstance(b, bool):
        return "", ""
    if not (math.isfinite(a) and math.isfinite(b)):
        return "", ""
    delta = b - a
    if isinstance(delta, float) and not math.isfinite(delta):
        return "", ""
    absolute = with_unit(_signed(delta), unit)
    if a == 0:
        return absolute, ""
    percent = delta / abs(a) * 100
    return absolute, f"{_signed(float(f'{percent:.3g}'))} %"


def count_text(values: Sequence[Any]) -> str:
    """``"60 values"`` for numbers, ``"12 items"`` otherwise, "—" when empty."""
    count = len(values)
    noun = "value" if all(is_number(v) for v in first_items(values, 50)) else "item"
    return f"{count} {noun}{'s' if count != 1 else ''}" if count else EMPTY
