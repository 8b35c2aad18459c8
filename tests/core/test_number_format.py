"""Numbers rounded for reading, exact text kept for hover and Copy."""

from __future__ import annotations

import math

import pytest

from ouro_desktop.core.number_format import exact_text, format_number, scientific


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (47.241633375000006, "47.24"),
        (2.412e21, "2.41 × 10²¹"),
        (6.02214076e23, "6.02 × 10²³"),
        (1.602176634e-19, "1.6 × 10⁻¹⁹"),
        (1e-20, "1 × 10⁻²⁰"),
        (0.0012345678, "0.001235"),
        (0.08466666666, "0.08467"),
        (123456.789, "123457"),
        (999999.95, "1 × 10⁶"),
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


def test_scientific_digits() -> None:
    assert scientific(12345.0, digits=2) == "1.2 × 10⁴"
    assert scientific(-2.5e-7) == "−2.5 × 10⁻⁷"
