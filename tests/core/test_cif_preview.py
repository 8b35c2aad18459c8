"""CIF preview: the demo's example structures, encodings (BOM, UTF-16) and broken files."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from ouro_desktop.core.cif_preview import CifPreviewError, preview_cif, reduced_formula

EXAMPLES = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples"


@pytest.mark.parametrize(
    "name, formula, n_atoms, space_group, number, a",
    [
        ("Cu", "Cu", 4, "Fm-3m", 225, 3.615),
        ("Al", "Al", 4, "Fm-3m", 225, 4.05),
        ("Na", "Na", 2, "Im-3m", 229, 4.29),
        ("NaCl", "NaCl", 8, "Fm-3m", 225, 5.64),
        ("Si", "Si", 8, "Fd-3m", 227, 5.431),
    ],
)
def test_example_cifs(
    name: str, formula: str, n_atoms: int, space_group: str, number: int, a: float
) -> None:
    preview = preview_cif(EXAMPLES / f"{name}.cif")
    assert preview.formula == formula
    assert preview.n_atoms == n_atoms
    assert preview.space_group == space_group
    assert preview.space_group_number == number
    assert (preview.a, preview.b, preview.c) == pytest.approx((a, a, a))
    assert (preview.alpha, preview.beta, preview.gamma) == (90.0, 90.0, 90.0)
    assert preview.volume == pytest.approx(a**3)
    assert preview.block_name == name
    assert preview.notes == ()


@pytest.mark.parametrize(
    "prefix, encoding",
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (b"", "utf-16-le"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
    ids=["utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le-no-bom", "utf32le-bom"],
)
def test_encodings(tmp_path: Path, prefix: bytes, encoding: str) -> None:
    text = (EXAMPLES / "NaCl.cif").read_text()
    path = tmp_path / "NaCl.cif"
    path.write_bytes(prefix + text.encode(encoding))
    preview = preview_cif(path)
    assert (preview.formula, preview.n_atoms, preview.space_group) == ("NaCl", 8, "Fm-3m")


def test_missing_symmetry_assumes_p1_and_missing_angles_are_90(tmp_path: Path) -> None:
    path = tmp_path / "p1.cif"
    path.write_text(
        "data_x\n_cell_length_a 4\n_cell_length_b 5\n_cell_length_c 6\n"
        "loop_\n_atom_site_label\n_atom_site_type_symbol\n_atom_site_fract_x\n"
        "_atom_site_fract_y\n_atom_site_fract_z\n"
        "Fe1 Fe 0 0 0\nO1 O 0.5 0.5 0.5\nO2 O 0.2 0.2 0.2\nFe2 Fe 0.1 0.6 0.3\n"
        "Fe3 Fe 0.7 0.1 0.9\n"
    )
    preview = preview_cif(path)
    assert preview.formula == "Fe3O2"
    assert (preview.a, preview.b, preview.c) == (4.0, 5.0, 6.0)
    assert (preview.alpha, preview.beta, preview.gamma) == (90.0, 90.0, 90.0)
    assert preview.volume == pytest.approx(120.0)
    assert (preview.space_group, preview.n_atoms) == ("P1", 5)
    assert preview.notes == ("No symmetry is given, so P1 is assumed.",)


def test_partial_occupancy_is_noted(tmp_path: Path) -> None:
    text = (EXAMPLES / "Cu.cif").read_text().replace("Cu1 Cu 0 0 0 1", "Cu1 Cu 0 0 0 0.5")
    assert "Cu1 Cu 0 0 0 0.5" in text
    path = tmp_path / "half.cif"
    path.write_text(text)
    preview = preview_cif(path)
    assert preview.n_atoms == 4 and preview.formula == "Cu"
    assert "Some sites are partially occupied." in preview.notes


def test_formula_conventions() -> None:
    assert reduced_formula({"Cl": 4, "Na": 4}) == "NaCl"
    assert reduced_formula({"O": 8, "Si": 4}) == "SiO2"
    assert reduced_formula({"O": 4, "P": 1, "Fe": 1, "Li": 1}) == "LiFePO4"
    assert reduced_formula({"H": 12, "C": 6, "O": 6}) == "CH2O"  # Hill order for organics
    assert reduced_formula({"H": 4, "C": 2, "Br": 2}) == "CH2Br"
    assert reduced_formula({"Fe": 0.9, "O": 1}) == "Fe0.9O"
    assert reduced_formula({}) == ""


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (bytes(range(256)) * 10, "binary data"),
        (b"data_x\n_cell_length_a 'unterminated\n", "can't be read as a CIF"),
        (b"hello, this is not a CIF\n", "can't be read as a CIF"),
        (b"data_x\n_cell_length_a 5\n", "no atom positions"),
        (
            b"data_x\nloop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n"
            b"_atom_site_fract_z\nC1 0 0 0\n",
            "no complete unit cell",
        ),
    ],
    ids=["empty", "blank", "binary", "bad-syntax", "prose", "no-atoms", "no-cell"],
)
def test_garbage_raises_preview_error(tmp_path: Path, data: bytes, fragment: str) -> None:
    path = tmp_path / "bad.cif"
    path.write_bytes(data)
    with pytest.raises(CifPreviewError) as info:
        preview_cif(path)
    assert fragment in info.value.message


def test_missing_file_raises_preview_error(tmp_path: Path) -> None:
    with pytest.raises(CifPreviewError, match="can't be read"):
        preview_cif(tmp_path / "nope.cif")
