"""The raw JSON editor keeps every character, both ways (hypothesis).

Qt's text editor turns no-break spaces into plain ones when read with ``toPlainText()``,
holds U+2029 as its own line break and U+FDD0/U+FDD1 as block markers; the editor must
still give back exactly the JSON it was given, and the form must switch back from JSON to
its fields with every character of every text field intact.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ouro_desktop.api.schema import same_json
from ouro_desktop.ui.run.form import RequestForm
from ouro_desktop.ui.run.form.raw_json import RawJsonEditor, dump_body, parse_body
from tests.ui.form_schemas import route_for

# The characters Qt's editors treat specially, mixed into any text.
TRICKY = '\u00a0\u2028\u2029\ufdd0\ufdd1\ufeff\r\n\t\x00\x85\u200b\U0001f600"\\'
TEXT = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(TRICKY)), max_size=40)
# What a text field can hold: anything but lone surrogates (not text; Qt drops them).
FIELD_TEXT = st.text(
    alphabet=st.one_of(st.characters(exclude_categories=["Cs"]), st.sampled_from(TRICKY)),
    max_size=40,
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@pytest.fixture
def editor(qtbot: Any) -> RawJsonEditor:
    widget = RawJsonEditor()
    qtbot.addWidget(widget)
    return widget


def test_editor_gives_back_any_json_exactly(editor: RawJsonEditor) -> None:
    @EXAMPLES
    @given(st.dictionaries(TEXT, JSON_VALUES, max_size=5))
    def check(body: dict[str, Any]) -> None:
        editor.set_body(body)
        parsed, error = parse_body(editor.text())
        assert error is None, (error, editor.text())
        assert same_json(parsed, body), (parsed, body)

    check()


def test_lone_surrogates_and_paragraph_separators_are_escaped() -> None:
    text = dump_body({"a": "x\u2029y\ud800z\ufdd0"})
    assert "\\u2029" in text and "\\ud800" in text and "\\ufdd0" in text
    assert parse_body(text)[0] == {"a": "x\u2029y\ud800z\ufdd0"}


def test_typed_no_break_space_is_kept(editor: RawJsonEditor) -> None:
    editor.editor.setPlainText('{"unit": "eV\u00a0per\u00a0atom"}')
    assert parse_body(editor.text())[0] == {"unit": "eV\u00a0per\u00a0atom"}


@pytest.fixture
def form(qtbot: Any) -> RequestForm:
    widget = RequestForm()
    qtbot.addWidget(widget)
    schema = {
        "body": {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "tags": {"type": "array", "items": {"type": "string"}},
                "notes": {"type": "string", "x-multiline": True},
            },
            "required": ["title"],
        }
    }
    widget.set_route(route_for(schema, "text-fields"))
    return widget


def test_switching_to_json_and_back_keeps_every_character(form: RequestForm) -> None:
    @EXAMPLES
    @given(FIELD_TEXT, st.lists(FIELD_TEXT, max_size=3), FIELD_TEXT)
    def check(title: str, tags: list[str], notes: str) -> None:
        # A multi-line box holds line breaks as Qt does (\r, U+2029 and Qt's own block
        # markers U+FDD0/U+FDD1 read back as \n); every other character is kept.
        for mark in "\r\u2029\ufdd0\ufdd1":
            notes = notes.replace(mark, "")
        body = {"title": title, "tags": tags, "notes": notes}
        form.set_value(body)
        assert form.set_raw_mode(True)
        assert same_json(parse_body(form.raw_editor.text())[0], form.value().body)
        assert form.set_raw_mode(False), form.raw_editor.errors.text()
        assert same_json(form.value().body, body), (form.value().body, body)
        # And text typed in the JSON editor reaches the fields unchanged.
        assert form.set_raw_mode(True)
        form.raw_editor.set_body({"title": title[::-1], "tags": tags[::-1]})
        assert form.set_raw_mode(False), form.raw_editor.errors.text()
        assert same_json(form.value().body, {"title": title[::-1], "tags": tags[::-1]})

    check()
