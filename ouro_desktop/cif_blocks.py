"""Reading the parts of a CIF both the app's preview and the demo's services need.

Shared by ``core.cif_preview`` (what the user dropped) and ``demo.services.structure``
(what a demo route computes on), so the two always agree on the cell a file describes.
No Qt; gemmi is imported when first used.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .lazy import LazyModule

if TYPE_CHECKING:
    import gemmi
else:
    gemmi = LazyModule("gemmi")

_CELL_TAGS = (
    ("_cell_length_a", None),
    ("_cell_length_b", None),
    ("_cell_length_c", None),
    ("_cell_angle_alpha", 90.0),
    ("_cell_angle_beta", 90.0),
    ("_cell_angle_gamma", 90.0),
)


def structure_block(document: gemmi.cif.Document) -> gemmi.cif.Block | None:
    """The first data block that lists atom sites."""
    for block in document:
        if block.find_values("_atom_site_fract_x"):
            return block
    return None


def cell_parameters(block: gemmi.cif.Block) -> tuple[float, ...] | None:
    """a, b, c, alpha, beta, gamma; a missing angle is 90° (the CIF default), a missing
    length means there is no cell (None)."""
    values = []
    for tag, default in _CELL_TAGS:
        raw = block.find_value(tag)
        value = gemmi.cif.as_number(raw) if raw is not None else math.nan
        if math.isnan(value):
            if default is None:
                return None
            value = default
        values.append(float(value))
    return tuple(values)
