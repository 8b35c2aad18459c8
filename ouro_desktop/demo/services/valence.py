"""Valence electron counts for the free-electron (Sommerfeld) model.

Convention: the number each atom gives to the free-electron gas, i.e. its *conduction*
electrons, as in the free-electron tables of Ashcroft & Mermin (ch. 1–2) and Kittel (ch. 6):

* alkali metals (Li, Na, K, Rb, Cs) and the coinage metals (Cu, Ag, Au): 1 — one s electron
  outside a closed shell (for Cu/Ag/Au the filled d shell is treated as core);
* alkaline-earth metals (Be, Mg, Ca, Sr, Ba) and Zn, Cd, Hg: 2;
* group 13 (B, Al, Ga, In, Tl): 3;
* group 14 (C, Si, Ge, Sn, Pb): 4;
* group 15 (N, P, As, Sb, Bi): 5;
* other d-block metals: 2, their nominal s² count (the value Ashcroft & Mermin list for Fe and
  Mn); the model is a poor description of d-band metals and this is only a baseline;
* lanthanides (and Sc, Y, La): 3, the trivalent metallic state; Eu and Yb are divalent: 2;
* non-metals get their s+p (group) count — H 1, O/S/Se/Te 6, halogens 7 — so the numbers can be
  computed for any common compound, but a free-electron Fermi level of an insulator has no
  physical meaning.

Noble gases, most actinides and the synthetic heavy elements are deliberately missing: there is
no sensible free-electron count for them, and the services refuse such structures by name.
"""

from __future__ import annotations

VALENCE_ELECTRONS: dict[str, int] = {
    # s-block
    "H": 1,
    "Li": 1, "Na": 1, "K": 1, "Rb": 1, "Cs": 1,
    "Be": 2, "Mg": 2, "Ca": 2, "Sr": 2, "Ba": 2,
    # coinage metals and group 12
    "Cu": 1, "Ag": 1, "Au": 1,
    "Zn": 2, "Cd": 2, "Hg": 2,
    # p-block
    "B": 3, "Al": 3, "Ga": 3, "In": 3, "Tl": 3,
    "C": 4, "Si": 4, "Ge": 4, "Sn": 4, "Pb": 4,
    "N": 5, "P": 5, "As": 5, "Sb": 5, "Bi": 5,
    "O": 6, "S": 6, "Se": 6, "Te": 6,
    "F": 7, "Cl": 7, "Br": 7, "I": 7,
    # trivalent group 3
    "Sc": 3, "Y": 3, "La": 3,
    # other d-block metals: nominal s^2
    "Ti": 2, "V": 2, "Cr": 2, "Mn": 2, "Fe": 2, "Co": 2, "Ni": 2,
    "Zr": 2, "Nb": 2, "Mo": 2, "Tc": 2, "Ru": 2, "Rh": 2, "Pd": 2,
    "Hf": 2, "Ta": 2, "W": 2, "Re": 2, "Os": 2, "Ir": 2, "Pt": 2,
    # lanthanides: trivalent metals, except divalent Eu and Yb
    "Ce": 3, "Pr": 3, "Nd": 3, "Pm": 3, "Sm": 3, "Eu": 2, "Gd": 3, "Tb": 3,
    "Dy": 3, "Ho": 3, "Er": 3, "Tm": 3, "Yb": 2, "Lu": 3,
    # the one actinide with a clean count
    "Th": 4,
}  # fmt: skip
