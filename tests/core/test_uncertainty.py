"""A value and its uncertainty found among siblings and rounded together."""

from __future__ import annotations

import pytest

from ouro_desktop.core.number_format import format_number
from ouro_desktop.core.result_view import build_view, view_for_route
from ouro_desktop.core.uncertainty import rounded_pair, uncertainty_pairs
from tests.core.test_result_view import demo_answer


@pytest.mark.parametrize(
    ("value", "uncertainty", "texts"),
    [
        (-14.900383, 0.000176, ("−14.90038", "0.00018")),
        (47.2501, 0.00657, ("47.2501", "0.0066")),
        (140.7, 0.344, ("140.70", "0.34")),  # the zero is a figure the fit determined
        (4.88, 0.164, ("4.88", "0.16")),
        (1.23456, 0.0996, ("1.23", "0.10")),  # 0.0996 rounds up to two figures: 0.10
        (12345.6, 140.0, ("12350", "140")),
        (2.412e21, 3.1e19, ("2.412 × 10²¹", "3.1 × 10¹⁹")),
        (6.0e-12, 4.4e-14, ("6.000 × 10⁻¹²", "4.4 × 10⁻¹⁴")),
        (-12.5, 1.1e-16, None),  # float noise of an exact fit: not an uncertainty
    ],
)
def test_rounded_to_the_second_figure_of_the_uncertainty(
    value: float, uncertainty: float, texts: tuple[str, str] | None
) -> None:
    assert rounded_pair(value, uncertainty) == texts


def test_an_uncertainty_that_says_nothing_rounds_nothing() -> None:
    assert rounded_pair(1.0, 0.0) is None
    assert rounded_pair(1.0, -0.1) is None
    assert rounded_pair(1.0, float("nan")) is None


def test_pairs_by_key_by_title_and_as_declared() -> None:
    fields = [
        ("E0_eV", "Minimum energy E0", "eV", -14.9),
        ("E0_error_eV", "Uncertainty of E0", "eV", 1e-4),
        ("V0_A3", "Equilibrium volume V0", "Å³", 47.2),
        ("sigma_V0_A3", "Spread", "Å³", 0.01),
        ("gap", "Band gap", "eV", 1.1),
        ("gap_unc", "Gap", "eV", 0.05),
        ("lattice", "Lattice parameter", "Å", 3.6),
        ("spread", "Standard deviation of the lattice parameter", "Å", 0.02),
        ("B0", "Bulk modulus", "GPa", 140.0),
        ("B0_error_pct", "Error of B0", "%", 0.2),  # relative: another unit, no pair
        ("T", "Temperature", "K", 300.0),
        ("dT", "How far", "K", 0.5),
        ("name_error", "Error", "", "text"),
    ]
    assert uncertainty_pairs(fields, {"T": "dT"}) == {
        "T": "dT",
        "E0_eV": "E0_error_eV",
        "V0_A3": "sigma_V0_A3",
        "gap": "gap_unc",
        "lattice": "spread",
    }
    # A value is no one's uncertainty; two words of uncertainty are no clear pair.
    assert uncertainty_pairs([("x", "X", "", 1.0), ("x_std_error", "", "", 0.1)]) == {}


def test_the_eos_answer_reads_with_the_digits_its_fit_determined() -> None:
    route, answer = demo_answer("fit-equation-of-state")
    # The walk's fit (cu_ev.csv): E0 = −14.900383 eV ± 1.76 × 10⁻⁴ eV.
    answer.update(E0_eV=-14.900383, E0_error_eV=0.000176, B0_GPa=140.7, B0_error_GPa=0.344)
    items = {item.key: item for item in view_for_route(route, answer).items}
    assert items["E0_eV"].display == "−14.90038 eV"
    assert items["E0_error_eV"].display == "0.00018 eV"
    assert items["B0_GPa"].display == "140.70 GPa"  # declared in x-ouro-properties
    assert items["E0_eV"].exact == "-14.900383"  # hover and Copy: as sent
    # Nested objects pair too, without a route.
    nested = build_view({"fit": {"E0_eV": -14.900383, "E0_error_eV": 0.000176}})
    (group,) = nested.items
    assert [c.display for c in group.children] == ["−14.90038 eV", "0.00018 eV"]


def test_an_exact_fit_is_not_shown_to_twenty_figures() -> None:
    route, answer = demo_answer("fit-equation-of-state")  # points from known parameters
    items = {item.key: item for item in view_for_route(route, answer).items}
    assert answer["E0_error_eV"] < 1e-12
    assert items["E0_eV"].text == format_number(answer["E0_eV"])
