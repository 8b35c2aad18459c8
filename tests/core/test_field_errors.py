"""Where a refusal belongs in the form: FastAPI ``detail`` items, parameters, and messages that
quote a field or use its name."""

from __future__ import annotations

from ouro_desktop.core.field_errors import (
    field_errors_from_items,
    fields_in_message,
    form_field_errors,
)

FIELDS = [
    "formula",
    "mass_unit",
    "conditions",
    "conditions.temperature",
    "conditions.pressure",
    "mixture",
    "query:limit",
    "path:material_id",
]


def test_detail_items_name_body_fields_and_parameters() -> None:
    detail = [
        {"loc": ["body", "conditions", "temperature"], "msg": "must be above 0 K"},
        {"loc": ["query", "limit"], "msg": "at most 100"},
        {"loc": ["path", "material_id"], "msg": "unknown material"},
        {"loc": ["body", "formula"], "msg": "first message"},
        {"loc": ["body", "formula"], "msg": "second message is dropped"},
        {"msg": "no loc: not placed"},
        "not an item",
    ]
    assert field_errors_from_items(detail, FIELDS) == {
        "conditions.temperature": "must be above 0 K",
        "query:limit": "at most 100",
        "path:material_id": "unknown material",
        "formula": "first message",
    }


def test_a_parameter_the_form_lacks_is_named_bare() -> None:
    # A query parameter the form does not show as "query:…" is still placed by name.
    assert field_errors_from_items([{"loc": ["query", "page"], "msg": "x"}], ["page"]) == {
        "page": "x"
    }
    assert field_errors_from_items({"loc": ["body", "mixture", 0], "msg": "y"}) == {
        "mixture.0": "y"
    }


def test_quoted_field_names_are_placed() -> None:
    message = "'mass_unit' must be g/mol or kg/mol."
    assert fields_in_message(message, FIELDS) == ["mass_unit"]
    assert form_field_errors(None, message, FIELDS) == {"mass_unit": message}
    # quotes of every kind, a leaf named by its last part, a parameter by its name
    assert fields_in_message("“temperature” is too low", FIELDS) == ["conditions.temperature"]
    assert fields_in_message("`limit` must be at most 100", FIELDS) == ["query:limit"]


def test_a_field_named_as_a_word_is_placed_when_it_is_the_only_one() -> None:
    message = "Unknown element symbol 'Xx' in the formula 'Xx2'."
    assert fields_in_message(message, FIELDS) == ["formula"]
    assert fields_in_message("The mass unit is not known.", FIELDS) == ["mass_unit"]
    # two fields named: neither is guessed
    assert fields_in_message("formula and mixture disagree", FIELDS) == []
    # nothing known named: nothing placed, the message stays the run's error
    assert form_field_errors(None, "The model server is down", FIELDS) == {}


def test_detail_items_win_over_the_message() -> None:
    detail = [{"loc": ["body", "formula"], "msg": "not a formula"}]
    assert form_field_errors(detail, "'mass_unit' is wrong", FIELDS) == {"formula": "not a formula"}
