"""Powder X-ray diffraction from a crystal structure: reflections, intensities, peaks.

For each reflection family {hkl} with d ≥ λ / (2 sin θ_max):

* the position from Bragg's law, 2θ = 2 asin(λ / 2d), with d from the cell (gemmi);
* one representative per family: the reciprocal-space asymmetric unit of the Laue class
  (``gemmi.ReciprocalAsu``), the multiplicity m the size of the family's orbit under the
  point group plus Friedel's law (I(hkl) = I(−h−k−l) without anomalous scattering);
* reflections forbidden by lattice centring, screw axes or glide planes are dropped
  (``GroupOps.is_systematically_absent``);
* the structure factor F from gemmi's ``StructureFactorCalculatorX`` (International Tables
  X-ray form factors, each site's isotropic displacement if the CIF gives one). gemmi sums
  every symmetry image of each site, so a site on a special position (which coincides with
  k of its images) is weighted 1/k, making F the sum over the distinct atoms of the cell;
* the integrated intensity I = m · |F|² · Lp, with the Lorentz-polarisation factor of an
  unpolarised beam on a Bragg–Brentano powder diffractometer,
  Lp = (1 + cos² 2θ) / (sin² θ · cos θ).

Families that coincide in 2θ (cubic (333) and (511)) are one peak; intensities are then
scaled to 100 for the strongest peak. Pure Python and gemmi, no numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...lazy import LazyModule
from .base import ServiceError
from .structure import Structure

if TYPE_CHECKING:
    import gemmi
else:
    gemmi = LazyModule("gemmi")

CU_K_ALPHA1_A = 1.5406
# Families whose peaks are closer than this in 2θ (degrees) are one peak.
MERGE_DEG = 0.002
# Peaks weaker than this percentage of the strongest are left out of the list.
MIN_RELATIVE_PCT = 0.05
# Work limits: a huge cell over a wide range would make the demo crawl.
MAX_INDICES = 400_000
MAX_FAMILIES = 4_000


@dataclass(frozen=True)
class Reflection:
    """One family {hkl}: ``hkl`` is its representative (the largest index triple)."""

    hkl: tuple[int, int, int]
    d_A: float
    two_theta_deg: float
    multiplicity: int
    f_squared: float
    intensity: float


@dataclass(frozen=True)
class Peak:
    """What the diffractometer sees at one 2θ: one or more coinciding families."""

    two_theta_deg: float
    d_A: float
    families: tuple[Reflection, ...]
    intensity: float
    relative_pct: float

    @property
    def hkl(self) -> tuple[int, int, int]:
        """The strongest family's indices."""
        return max(self.families, key=lambda r: r.intensity).hkl

    @property
    def multiplicity(self) -> int:
        return sum(r.multiplicity for r in self.families)


def space_group(structure: Structure) -> gemmi.SpaceGroup:
    """The declared space group, else the one its symmetry operations form, else P 1."""
    small = structure.small
    if small.spacegroup is not None:
        return small.spacegroup
    if small.symops:
        try:
            ops = gemmi.GroupOps([gemmi.Op(triplet) for triplet in small.symops])
            found = gemmi.find_spacegroup_by_ops(ops)
            if found is not None:
                return found
        except (ValueError, RuntimeError):
            pass
    return gemmi.find_spacegroup_by_name("P 1")


def lorentz_polarisation(two_theta_deg: float) -> float:
    theta = math.radians(two_theta_deg / 2)
    return (1 + math.cos(2 * theta) ** 2) / (math.sin(theta) ** 2 * math.cos(theta))


def _orbit(hkl: tuple[int, int, int], rotations: list[gemmi.Op]) -> set[tuple[int, int, int]]:
    orbit: set[tuple[int, int, int]] = set()
    for op in rotations:
        h, k, l = op.apply_to_hkl(list(hkl))  # noqa: E741 - Miller indices
        orbit.add((h, k, l))
        orbit.add((-h, -k, -l))
    return orbit


def _special_position_weights(structure: Structure) -> None:
    """Scale each site's occupancy by 1/k, k the images that coincide with it (see module)."""
    small = structure.small
    for site in small.sites:
        overlaps = small.cell.is_special_position(site.fract, 0.05)
        if overlaps:
            site.occ = site.occ / (overlaps + 1)


def reflections(
    structure: Structure,
    wavelength_A: float,
    two_theta_min_deg: float,
    two_theta_max_deg: float,
) -> list[Reflection]:
    """Every allowed reflection family in the 2θ range, by increasing 2θ.

    Changes the occupancies of ``structure.small`` (the special-position weights): use a
    structure parsed for this call only.
    """
    cell = structure.small.cell
    sin_max = min(1.0, math.sin(math.radians(two_theta_max_deg / 2)))
    d_min = wavelength_A / (2 * sin_max)
    limits = [math.floor(length / d_min) for length in (cell.a, cell.b, cell.c)]
    if math.prod(2 * n + 1 for n in limits) > MAX_INDICES:
        raise ServiceError(
            422,
            f"This cell is too large to simulate up to 2θ = {two_theta_max_deg:g}° in the demo; "
            "choose a smaller highest 2θ.",
        )
    group = space_group(structure)
    ops = group.operations()
    rotations = list(ops.sym_ops)
    asu = gemmi.ReciprocalAsu(group)
    _special_position_weights(structure)
    calculator = gemmi.StructureFactorCalculatorX(cell)
    found: list[Reflection] = []
    hmax, kmax, lmax = limits
    for h in range(-hmax, hmax + 1):
        for k in range(-kmax, kmax + 1):
            for l in range(-lmax, lmax + 1):  # noqa: E741 - Miller index
                if (h, k, l) == (0, 0, 0) or not asu.is_in([h, k, l]):
                    continue
                d = cell.calculate_d([h, k, l])
                if d < d_min:
                    continue
                two_theta = 2 * math.degrees(math.asin(min(1.0, wavelength_A / (2 * d))))
                if not two_theta_min_deg <= two_theta <= two_theta_max_deg:
                    continue
                if ops.is_systematically_absent([h, k, l]):
                    continue
                orbit = _orbit((h, k, l), rotations)
                f = calculator.calculate_sf_from_small_structure(structure.small, [h, k, l])
                f_squared = abs(f) ** 2
                intensity = len(orbit) * f_squared * lorentz_polarisation(two_theta)
                found.append(Reflection(max(orbit), d, two_theta, len(orbit), f_squared, intensity))
                if len(found) > MAX_FAMILIES:
                    raise ServiceError(
                        422,
                        "This structure has too many reflections in that range for the demo; "
                        "choose a narrower 2θ range.",
                    )
    found.sort(key=lambda r: r.two_theta_deg)
    return found


def peaks(found: list[Reflection]) -> list[Peak]:
    """Coinciding families merged, intensities relative to the strongest (100), and the
    peaks below :data:`MIN_RELATIVE_PCT` dropped."""
    groups: list[list[Reflection]] = []
    for reflection in found:
        if groups and reflection.two_theta_deg - groups[-1][0].two_theta_deg < MERGE_DEG:
            groups[-1].append(reflection)
        else:
            groups.append([reflection])
    totals = [sum(r.intensity for r in group) for group in groups]
    strongest = max(totals, default=0.0)
    if strongest <= 0:
        return []
    out = []
    for group, total in zip(groups, totals, strict=True):
        relative = 100 * total / strongest
        if relative < MIN_RELATIVE_PCT:
            continue
        first = group[0]
        ordered = tuple(sorted(group, key=lambda r: -r.intensity))
        out.append(Peak(first.two_theta_deg, first.d_A, ordered, total, relative))
    return out
