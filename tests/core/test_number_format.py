"""Numbers rounded for reading, exact text kept for hover and Copy."""

from __future__ import annotations

import math

import pytest

from ouro_desktop.core.number_format import exact_text, format_fixed, format_number, scientific


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (47.241633375000006, "47.24"),
        (2.412e21, "2.41 × 10²¹"),
        (6.02214076e23, "6.02 × 10²³"),
        (1.602176634e-19, "1.60 × 10⁻¹⁹"),  # rounded: the significant zero stays
        (1.6e-19, "1.6 × 10⁻¹⁹"),  # written with two figures: as written
        (1e-20, "1 × 10⁻²⁰"),
        (0.0012345678, "0.001235"),
        (0.08466666666, "0.08467"),
        (123456.789, "123456.789"),  # three decimals: as written
        (159.6874, "159.6874"),  # a molar mass the route rounded to four decimals
        (-1234.56789, "−1235"),  # five decimals: rounded
        (999999.95, "999999.95"),
        (999999.95123, "1.00 × 10⁶"),
        (-14.900383, "−14.90"),  # not −14.9: the zero is a significant figure
        (2.0000001, "2.000"),
        (298.15, "298.15"),  # written with few digits: kept whole
        (1.5406, "1.5406"),
        (0.1 + 0.2, "0.3"),
        (12.0, "12"),
        (1e20, "1 × 10²⁰"),
        (-3.5, "−3.5"),
        (-0.0, "0"),
        (0.0, "0"),
        (5, "5"),
        (-7, "−7"),
        (602214076000000000000000, "602214076000000000000000"),  # integers stay exact
        (math.nan, "not a number"),
        (math.inf, "infinity"),
        (-math.inf, "−infinity"),
        (True, "Yes"),
    ],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


def test_exact_text_is_the_value_as_sent() -> None:
    assert exact_text(47.241633375000006) == "47.241633375000006"
    assert float(exact_text(2.412e21)) == 2.412e21
    assert exact_text(7) == "7" and exact_text(None) == "null" and exact_text(False) == "false"
    assert exact_text(math.nan) == "NaN" and exact_text(-math.inf) == "-Infinity"
    assert exact_text("Å") == "Å"


def test_format_fixed_keeps_zeros_and_rounds_to_tens() -> None:
    assert format_fixed(-14.900383, 5) == "−14.90038"
    assert format_fixed(140.7, 2) == "140.70"
    assert format_fixed(12345.6, -2) == "12300"
    assert format_fixed(-0.00001, 3) == "0.000"  # never "−0.000"


def test_scientific_digits() -> None:
    assert scientific(12345.0, digits=2) == "1.2 × 10⁴"
    assert scientific(-2.5e-7) == "−2.5 × 10⁻⁷"
