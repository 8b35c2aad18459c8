"""A dataset output's column titles: the route's words, else the stored name read."""

from __future__ import annotations

import pytest

from ouro_desktop.core.dataset_titles import column_title, number_cell, schema_column_titles
from ouro_desktop.core.response_schema import response_schema
from tests.core.test_result_view import ROUTES


@pytest.mark.parametrize(
    ("stored", "title"),
    [
        ("volume_a3", "Volume (Å³)"),  # Ouro lower-cases the names: the suffix still reads
        ("fitted_energy_ev", "Fitted energy (eV)"),
        ("residual_mev", "Residual (meV)"),
        ("pressure_gpa", "Pressure (GPa)"),
        ("dos_per_ev_per_cell", "DOS (states/eV/cell)"),
        ("lattice_a", "Lattice a"),  # one letter: a name (the cell length), not ångström
        ("structure", "Structure"),
    ],
)
def test_a_stored_name_read_as_a_title(stored: str, title: str) -> None:
    assert column_title(stored) == title


def test_the_routes_own_titles_win() -> None:
    route, _service = ROUTES["fit-equation-of-state"]
    titles = schema_column_titles(response_schema(route))
    assert titles["residual_mev"] == ("Residual", "meV")
    assert column_title("volume_a3", titles) == "Volume (Å³)"
    custom = {"type": "object", "properties": {"T_K": {"type": "number", "title": "Furnace"}}}
    assert column_title("t_k", schema_column_titles(custom)) == "Furnace (K)"


def test_number_cells_round_like_the_answer() -> None:
    assert number_cell(-14.74318199) == ("−14.74", "-14.74318199")
    assert number_cell(12) == ("12", "12")
    assert number_cell("Cu") is None and number_cell(True) is None
