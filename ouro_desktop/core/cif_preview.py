"""A quick look inside a CIF before it is uploaded: formula, cell, space group, atom count.

:func:`preview_cif` reads the file's bytes, decodes them with
:func:`~ouro_desktop.core.text_bytes.decode_text` (so a UTF-8 BOM or a UTF-16 file previews
like any other), parses the text with gemmi and expands the symmetry to the full unit cell.
Anything it can't make sense of raises :class:`CifPreviewError` with a message for the user.
It is blocking and may take a moment on big files: run it in an executor. Qt-free; it shares
nothing with the demo's CIF reader on purpose (the demo is a stand-in server, not a library).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..cif_blocks import cell_parameters, structure_block
from ..lazy import LazyModule
from .text_bytes import decode_text

if TYPE_CHECKING:
    import gemmi
else:
    gemmi = LazyModule("gemmi")  # CIF parsing: imported when first used

__all__ = [
    "MAX_PREVIEW_BYTES",
    "PREVIEW_EXTENSIONS",
    "CifPreview",
    "CifPreviewError",
    "preview_cif",
    "reduced_formula",
]

PREVIEW_EXTENSIONS = frozenset({"cif", "mcif"})
MAX_PREVIEW_BYTES = 64 * 1024**2
# Expanding more sites than this is slow and says nothing a person can check by eye.
MAX_EXPANDED_SITES = 2_000_000

# Pauling electronegativities: inorganic formulas list the most electropositive element
# first (NaCl, SiO2, LiFePO4), the convention of pymatgen and the ICSD. Noble gases last.
_EN_TABLE = """
H 2.20 Li 0.98 Be 1.57 B 2.04 C 2.55 N 3.04 O 3.44 F 3.98 Na 0.93 Mg 1.31 Al 1.61 Si 1.90
P 2.19 S 2.58 Cl 3.16 K 0.82 Ca 1.00 Sc 1.36 Ti 1.54 V 1.63 Cr 1.66 Mn 1.55 Fe 1.83 Co 1.88
Ni 1.91 Cu 1.90 Zn 1.65 Ga 1.81 Ge 2.01 As 2.18 Se 2.55 Br 2.96 Kr 3.00 Rb 0.82 Sr 0.95
Y 1.22 Zr 1.33 Nb 1.60 Mo 2.16 Tc 1.90 Ru 2.20 Rh 2.28 Pd 2.20 Ag 1.93 Cd 1.69 In 1.78
Sn 1.96 Sb 2.05 Te 2.10 I 2.66 Xe 2.60 Cs 0.79 Ba 0.89 La 1.10 Ce 1.12 Pr 1.13 Nd 1.14
Pm 1.13 Sm 1.17 Eu 1.20 Gd 1.20 Tb 1.10 Dy 1.22 Ho 1.23 Er 1.24 Tm 1.25 Yb 1.10 Lu 1.27
Hf 1.30 Ta 1.50 W 2.36 Re 1.90 Os 2.20 Ir 2.20 Pt 2.28 Au 2.54 Hg 2.00 Tl 1.62 Pb 2.33
Bi 2.02 Po 2.00 At 2.20 Rn 2.20 Fr 0.70 Ra 0.90 Ac 1.10 Th 1.30 Pa 1.50 U 1.38 Np 1.36
Pu 1.28 Am 1.30 Cm 1.30 Bk 1.30 Cf 1.30 Es 1.30 Fm 1.30 Md 1.30 No 1.30 Lr 1.30
"""
_TOKENS = _EN_TABLE.split()
ELECTRONEGATIVITY = {_TOKENS[i]: float(_TOKENS[i + 1]) for i in range(0, len(_TOKENS), 2)}


class CifPreviewError(Exception):
    """The file can't be previewed as a crystal structure; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CifPreview:
    """What a person checks to know they picked the right structure."""

    formula: str
    a: float
    b: float
    c: float
    alpha: float
    beta: float
    gamma: float
    space_group: str
    n_atoms: int
    volume: float
    space_group_number: int | None = None
    block_name: str = ""
    notes: tuple[str, ...] = ()


def reduced_formula(counts: dict[str, float]) -> str:
    """A reduced formula: Hill order for organics (C, H, …), else by electronegativity."""
    counts = {el: n for el, n in counts.items() if n > 1e-9}
    if not counts:
        return ""
    tidy: dict[str, float] = {}
    for el, n in counts.items():
        nearest = round(n)
        tidy[el] = float(nearest) if abs(n - nearest) < 1e-6 else n
    if all(n.is_integer() for n in tidy.values()):
        divisor = math.gcd(*(int(n) for n in tidy.values()))
        tidy = {el: n / divisor for el, n in tidy.items()}
    if "C" in tidy and "H" in tidy:
        order = ["C", "H"] + sorted(el for el in tidy if el not in ("C", "H"))
    else:
        order = sorted(tidy, key=lambda el: (ELECTRONEGATIVITY.get(el, math.inf), el))
    parts = []
    for el in order:
        n = tidy[el]
        if n == 1:
            parts.append(el)
        elif n.is_integer():
            parts.append(f"{el}{int(n)}")
        else:
            parts.append(f"{el}{n:.4g}")
    return "".join(parts)


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_PREVIEW_BYTES:
            raise CifPreviewError(
                f"This CIF is too large to preview ({size // 1024**2} MB); it can still be "
                "uploaded."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise CifPreviewError(
            f"The file can't be read for a preview ({exc.strerror or type(exc).__name__})."
        ) from None
    if not data.strip():
        raise CifPreviewError("The file is empty.")
    try:
        return decode_text(data)
    except ValueError:
        raise CifPreviewError("This is not a CIF text file: it contains binary data.") from None


def _short(exc: Exception) -> str:
    """gemmi's first error line, its ``string:LINE:COL`` prefix made readable."""
    message = (str(exc).strip() or type(exc).__name__).splitlines()[0]
    message = re.sub(r"^string:(\d+):\d+(\(\d+\))?:?\s*", r"line \1: ", message)
    return message[:200]


def preview_cif(path: Path) -> CifPreview:
    """Parse the CIF at ``path`` into a :class:`CifPreview` (blocking)."""
    text = _read_text(Path(path))
    try:
        document = gemmi.cif.read_string(text)
    except (ValueError, RuntimeError) as exc:
        raise CifPreviewError(f"This file can't be read as a CIF ({_short(exc)}).") from None
    block = structure_block(document)
    if block is None:
        raise CifPreviewError(
            "This CIF has no atom positions (an _atom_site_ loop with _atom_site_fract_x/y/z), "
            "so there is no crystal structure to preview."
        )
    cell = cell_parameters(block)
    if cell is None:
        raise CifPreviewError("This CIF has no complete unit cell (_cell_length_a, _b and _c).")
    try:
        small = gemmi.make_small_structure_from_block(block)
    except (ValueError, RuntimeError) as exc:
        raise CifPreviewError(f"This CIF has an invalid structure ({_short(exc)}).") from None
    if tuple(small.cell.parameters) != cell:
        small.cell = gemmi.UnitCell(*cell)
        small.setup_cell_images()
    if not small.sites:
        raise CifPreviewError("This CIF lists no atoms.")
    if not small.cell.volume > 0:
        raise CifPreviewError("This CIF's unit cell has zero or invalid volume.")
    notes: list[str] = []
    group = small.spacegroup
    number: int | None
    if group is None and len(small.symops) > 1:
        space_group, number = "non-standard", None
        notes.append(
            "The symmetry operations match no standard space group; atoms are counted "
            "without applying them."
        )
        n_ops = 1
    elif group is None:
        space_group, number = "P1", 1
        notes.append("No symmetry is given, so P1 is assumed.")
        n_ops = 1
    else:
        space_group, number = group.short_name(), group.number
        n_ops = len(group.operations())
    if len(small.sites) * n_ops > MAX_EXPANDED_SITES:
        raise CifPreviewError(
            f"This structure is too big to preview ({len(small.sites)} sites × {n_ops} "
            "symmetry operations); it can still be uploaded."
        )
    sites = small.get_all_unit_cell_sites()
    counts: dict[str, float] = defaultdict(float)
    unknown = set()
    for site in sites:
        if site.element.atomic_number == 0:
            unknown.add(site.type_symbol or site.label)
        counts[site.element.name] += site.occ
    if unknown:
        notes.append(f"Unknown element symbols: {', '.join(sorted(unknown))}.")
    if any(site.occ < 1 - 1e-6 for site in sites):
        notes.append("Some sites are partially occupied.")
    return CifPreview(
        formula=reduced_formula(dict(counts)),
        a=cell[0],
        b=cell[1],
        c=cell[2],
        alpha=cell[3],
        beta=cell[4],
        gamma=cell[5],
        space_group=space_group,
        n_atoms=len(sites),
        volume=float(small.cell.volume),
        space_group_number=number,
        block_name=block.name,
        notes=tuple(notes),
    )
