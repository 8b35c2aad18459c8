"""Reading CIF inputs for the materials demo routes (shared by every structure route).

A CIF arrives as bytes (what the real service downloads from the file's URL); gemmi parses it
into a small-molecule/inorganic structure and expands the symmetry to the full unit cell.
Every failure becomes a ``ServiceError(422, ...)`` with a message a non-programmer can act on.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...cif_blocks import cell_parameters, structure_block
from ...lazy import LazyModule
from .base import ServiceCall, ServiceError

if TYPE_CHECKING:
    import gemmi
else:
    gemmi = LazyModule("gemmi")  # CIF parsing: imported when first used

CIF_MIME = "chemical/x-cif"
# 1 amu/Å^3 in g/cm^3: 1.66053906660e-24 g / 1e-24 cm^3 (CODATA 2018 atomic mass constant).
AMU_PER_A3_TO_G_PER_CM3 = 1.66053906660
# Refuse inputs that would make a demo route crawl.
MAX_CELL_SITES = 5000


@dataclass
class Structure:
    """A parsed CIF: the gemmi structure and its sites expanded to the whole unit cell."""

    small: gemmi.SmallStructure
    sites: list[gemmi.SmallStructure.Site]
    source: str

    @property
    def volume(self) -> float:
        """Unit-cell volume in Å^3."""
        return float(self.small.cell.volume)

    @property
    def counts(self) -> dict[str, float]:
        """Occupancy-weighted number of atoms of each element in the unit cell."""
        counts: dict[str, float] = defaultdict(float)
        for site in self.sites:
            counts[site.element.name] += site.occ
        return dict(counts)

    @property
    def n_atoms(self) -> float | int:
        """Atoms in the cell (an int unless partial occupancies make it fractional)."""
        return tidy_number(sum(self.counts.values()))

    @property
    def formula(self) -> str:
        return hill_formula(self.counts, reduce=True)

    def cell_parameters(self) -> dict[str, float]:
        cell = self.small.cell
        return {
            "a_A": round(cell.a, 6),
            "b_A": round(cell.b, 6),
            "c_A": round(cell.c, 6),
            "alpha_deg": round(cell.alpha, 6),
            "beta_deg": round(cell.beta, 6),
            "gamma_deg": round(cell.gamma, 6),
        }


def tidy_number(value: float) -> float | int:
    """``value`` as an int when it is one (within rounding), else unchanged."""
    nearest = round(value)
    return int(nearest) if abs(value - nearest) < 1e-6 else value


def hill_formula(counts: dict[str, float], reduce: bool = True) -> str:
    """A Hill-order formula (C, H, then alphabetical; all alphabetical without C).

    With ``reduce``, integer counts are divided by their greatest common divisor, so a
    four-atom fcc cell of copper is ``Cu`` and the rock-salt cell is ``ClNa``.
    """
    counts = {el: n for el, n in counts.items() if n > 1e-9}
    if not counts:
        return ""
    tidy = {el: tidy_number(n) for el, n in counts.items()}
    if reduce and all(isinstance(n, int) for n in tidy.values()):
        integers = {el: int(n) for el, n in tidy.items()}
        divisor = math.gcd(*integers.values())
        tidy = {el: n // divisor for el, n in integers.items()}
    if "C" in tidy:
        order = ["C"] + (["H"] if "H" in tidy else [])
        order += sorted(el for el in tidy if el not in ("C", "H"))
    else:
        order = sorted(tidy)
    parts = []
    for el in order:
        n = tidy[el]
        if n == 1:
            parts.append(el)
        elif isinstance(n, int):
            parts.append(f"{el}{n}")
        else:
            parts.append(f"{el}{n:.4g}")
    return "".join(parts)


def decode_cif_text(data: bytes) -> str:
    """The text of a CIF file: UTF-8 (a byte-order mark is dropped), else Latin-1."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parse_cif(data: bytes, source: str = "the file") -> Structure:
    """Parse CIF bytes into a :class:`Structure` (blocking: run big files in a thread)."""
    if not data or not data.strip():
        raise ServiceError(422, f"{source} is empty; choose a CIF file with a crystal structure.")
    text = decode_cif_text(data)
    if "\x00" in text:
        raise ServiceError(422, f"{source} is a binary file, not a CIF text file.")
    try:
        document = gemmi.cif.read_string(text)
    except (ValueError, RuntimeError) as exc:
        raise ServiceError(
            422, f"{source} could not be read as a CIF file ({_short(exc)})."
        ) from None
    block = structure_block(document)
    if block is None:
        raise ServiceError(
            422,
            f"{source} has no atom positions: a CIF needs an _atom_site_ loop with "
            "fractional coordinates (_atom_site_fract_x/y/z).",
        )
    cell = cell_parameters(block)
    if cell is None:
        raise ServiceError(
            422, f"{source} has no complete unit cell (_cell_length_a, _b and _c are needed)."
        )
    try:
        small = gemmi.make_small_structure_from_block(block)
    except (ValueError, RuntimeError) as exc:
        raise ServiceError(422, f"{source} has an invalid structure ({_short(exc)}).") from None
    if any(abs(x - y) > 1e-9 for x, y in zip(small.cell.parameters, cell, strict=True)):
        # gemmi keeps a 1 Å cube when an angle is missing; CIF's default angle is 90°.
        small.cell = gemmi.UnitCell(*cell)
        small.setup_cell_images()
    if not small.sites:
        raise ServiceError(422, f"{source} lists no atoms.")
    if not small.cell.volume > 0:
        raise ServiceError(422, f"{source} has a unit cell with zero or invalid volume.")
    unknown = sorted(
        {site.type_symbol or site.label for site in small.sites if site.element.atomic_number == 0}
    )
    if unknown:
        raise ServiceError(422, f"{source} has atoms of unknown element(s): {', '.join(unknown)}.")
    sites = list(small.get_all_unit_cell_sites())
    if len(sites) > MAX_CELL_SITES:
        raise ServiceError(
            422,
            f"{source} has {len(sites)} atoms in the unit cell; the demo handles at most "
            f"{MAX_CELL_SITES}.",
        )
    return Structure(small=small, sites=sites, source=source)


def file_input(call: ServiceCall, key: str = "file") -> dict[str, Any]:
    """The resolved file object Ouro put in the body under ``key``."""
    ref = call.body.get(key)
    if not isinstance(ref, dict) or not (ref.get("url") or ref.get("id")):
        raise ServiceError(422, f"Choose a CIF file for the '{key}' input.")
    return ref


async def load_structure(call: ServiceCall, key: str = "file") -> Structure:
    """Download the CIF input ``key`` and parse it off the event loop."""
    ref = file_input(call, key)
    source = f"'{ref.get('filename') or ref.get('name') or key}'"
    data = await call.read_file(ref)
    return await asyncio.to_thread(parse_cif, data, source)


def file_stem(ref: dict[str, Any], fallback: str = "structure") -> str:
    """A file-name-safe stem for an output derived from the input file."""
    name = str(ref.get("filename") or ref.get("name") or fallback)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_") or fallback


def _short(exc: Exception) -> str:
    """gemmi's first error line, with its "string:LINE:COL(N):" prefix made readable."""
    message = str(exc).strip() or type(exc).__name__
    message = message.splitlines()[0]
    message = re.sub(r"^string:(\d+):\d+(\(\d+\))?:?\s*", r"line \1: ", message)
    return message[:200]
