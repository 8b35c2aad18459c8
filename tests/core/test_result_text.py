"""The whole result as text for Copy: exact values with units, groups indented, tables as
tab-separated rows; bounded for huge answers."""

from __future__ import annotations

from ouro_desktop.core.result_text import item_text, result_text
from ouro_desktop.core.result_view import build_view, view_for_route
from tests.core.test_result_view import demo_answer


def test_the_formula_answer_as_text() -> None:
    route, answer = demo_answer("formula-properties")
    text = result_text(view_for_route(route, answer))
    lines = text.splitlines()
    assert "Molar mass: 249.685 g/mol" in lines
    assert "Formula units: 2.4119e+21" in lines  # exact, not "2.41 × 10²¹"
    assert "Charge: —" in lines
    assert "Conditions:" in lines and "  Temperature: 298.15 K" in lines
    header = lines.index("Elements:") + 1
    assert lines[header].split("\t")[:3] == ["  Element", "Count", "Atomic weight (g/mol)"]
    assert lines[header + 1].split("\t")[:2] == ["  H", "10"]
    assert "Notes:\n    weighed twice\n    second time after drying" in text
    assert "None" not in text and "molar_mass" not in text


def test_exact_values_and_units() -> None:
    view = build_view({"volume_A3": 47.241633375000006, "angle_deg": 90.0, "ok": True})
    volume, angle, ok = view.items
    assert item_text(volume) == "47.241633375000006 Å³"
    assert item_text(angle) == "90.0°"
    assert item_text(ok) == "Yes"


def test_a_huge_answer_is_cut_with_a_count() -> None:
    view = build_view({"many": {f"k{i}": i for i in range(5000)}, "curve": list(range(50_000))})
    text = result_text(view, max_rows=100, max_items=1000)
    # the group and 999 of its values fill the budget; the rest, and the curve, are counted
    assert text.endswith("  K998: 998\n  … 4001 more\n… 1 more")
    curve = build_view({"curve": list(range(50_000))})
    assert result_text(curve, max_rows=100).endswith("\n  99\n  … 49900 more rows")
