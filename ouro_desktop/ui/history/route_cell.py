"""The runs table's Route text: the route's name elided before what the run was given.

The cell reads "predict-electronic-dos-at-fermi-level · Cu.cif". When the column is too
narrow for both, a plain right elision would cut "· Cu.cif" first -- the part that tells
six runs of one route apart. :func:`fitted_route_text` cuts the route's name instead and
keeps the given part whole, up to :data:`GIVEN_SHARE` of the cell (beyond that it is
elided too); :class:`~.cells.RunCellsDelegate` draws the cell with it.
"""

from __future__ import annotations

from typing import Protocol

from ouro_desktop.ui.history.model import GIVEN_SEPARATOR

__all__ = ["GIVEN_SHARE", "Measure", "fitted_route_text"]

GIVEN_SHARE = 0.5  # the given part may take up to this share of the cell


class Measure(Protocol):
    """Measuring and eliding text in one font."""

    def width(self, text: str) -> int: ...

    def elide(self, text: str, width: int) -> str: ...


def fitted_route_text(route: str, given: str, width: int, measure: Measure) -> str:
    """``route · given`` fitted in ``width`` pixels, the route's name cut first."""
    full = f"{route}{GIVEN_SEPARATOR}{given}" if given else route
    if measure.width(full) <= width:
        return full
    if not given:
        return measure.elide(full, width)
    tail = measure.elide(f"{GIVEN_SEPARATOR}{given}", int(width * GIVEN_SHARE))
    return measure.elide(route, max(0, width - measure.width(tail))) + tail
