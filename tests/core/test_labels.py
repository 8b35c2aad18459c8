"""Labels from schema titles or humanised keys; sibling labels never identical."""

from __future__ import annotations

import pytest

from ouro_desktop.core.labels import (
    distinct_labels,
    humanise_key,
    in_words,
    is_generated_title,
    label_and_unit,
)


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("fermi_energy_eV", "Fermi energy"),
        ("dos_per_eV_per_cell", "DOS"),
        ("dos_at_fermi_level_per_eV_per_atom", "DOS at Fermi level"),
        ("n_atoms", "Number of atoms"),
        ("num_sites", "Number of sites"),
        ("a_A", "a"),
        ("alpha_deg", "α"),
        ("two_theta_deg", "2θ"),
        ("bandGap", "Band gap"),
        ("HOMO_energy_eV", "HOMO energy"),
        ("space_group", "Space group"),
        ("cif_url", "CIF URL"),
        ("hkl", "hkl"),
        ("pH", "pH"),
        ("debye_temperature_K", "Debye temperature"),
        ("estimatedTime", "Estimated time"),
        ("T", "T"),
    ],
)
def test_humanised_keys(key: str, label: str) -> None:
    assert humanise_key(key) == label


def test_pydantic_generated_titles_are_not_used() -> None:
    assert is_generated_title("Fermi Energy Ev", "fermi_energy_eV")
    assert is_generated_title("Steps", "steps")
    assert not is_generated_title("Fermi energy (eV)", "fermi_energy_eV")
    assert label_and_unit("fermi_energy_eV", {"title": "Fermi Energy Ev"}) == ("Fermi energy", "eV")


def test_a_real_title_wins_and_keeps_the_keys_unit() -> None:
    assert label_and_unit("e_f", {"title": "Fermi level (eV)"}) == ("Fermi level", "eV")
    assert label_and_unit("energy_eV", {"title": "Energy"}) == ("Energy", "eV")
    assert label_and_unit("energy_eV", {"title": "Energy", "x-unit": "meV"}) == ("Energy", "meV")
    # A title naming what is counted needs no "per cell" beside the number.
    assert label_and_unit("n_atoms_cell", {"title": "Atoms in the cell"}) == (
        "Atoms in the cell",
        "",
    )
    assert label_and_unit("starting_energy", None) == ("Starting energy", "")


def test_colliding_labels_get_the_words_that_tell_them_apart() -> None:
    entries = [
        ("dos_at_fermi_level_per_eV_per_atom", "DOS at Fermi level", "states/eV/atom"),
        ("dos_at_fermi_level_per_eV_per_cell", "DOS at Fermi level", "states/eV/cell"),
        ("formula", "Formula", ""),
    ]
    assert distinct_labels(entries) == [
        "DOS at Fermi level (per atom)",
        "DOS at Fermi level (per cell)",
        "Formula",
    ]


def test_labels_stay_distinct_even_when_keys_read_the_same() -> None:
    entries = [
        ("Name", "Name", ""),
        ("name", "Name", ""),
        ("NAME", "name", ""),
        ("x", "Name (2)", ""),
    ]
    labels = distinct_labels(entries)
    assert len({label.casefold() for label in labels}) == len(labels)


@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("MixtureComponent", "mixture component"),  # a class name
        ("mixture_component", "mixture component"),
        ("XRDPeak", "XRD peak"),
        ("Atom site", "atom site"),
        ("DOS curve", "DOS curve"),  # written that way on purpose
        ("NaCl", "NaCl"),  # a formula, not a class name
        ("MgO", "MgO"),
    ],
)
def test_a_schema_title_in_words_inside_a_sentence(title: str, words: str) -> None:
    assert in_words(title) == words
