"""A dataset batch's body is parsed a row at a time (so the in-app demo does not hold the
GIL for a whole megabyte); it must read exactly what ``json.loads`` reads, and refuse what
it refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ouro_desktop.demo.errors import ApiError
from ouro_desktop.demo.http import parse_rows_object

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.text(max_size=4), JSON, max_size=4),
    st.lists(st.dictionaries(st.text(max_size=3), JSON, max_size=3), max_size=5),
    st.sampled_from([None, 1, 2]),
)
def test_reads_what_json_loads_reads(extra: dict[str, Any], rows: list[Any], indent: Any) -> None:
    body = {**extra, "rows": rows}
    raw = json.dumps(body, indent=indent, ensure_ascii=indent is None).encode()
    assert parse_rows_object(raw) == json.loads(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"  ",
        b"[1]",
        b'{"rows":[1,}',
        b'{"rows":[1] x',
        b'{"a":1,}',
        b"{",
        b'{"rows":[1 2]}',
        b'{"rows":[1]}{}',
        b"\xff",
    ],
)
def test_refuses_what_is_not_one_json_object(raw: bytes) -> None:
    with pytest.raises(ApiError) as caught:
        parse_rows_object(raw)
    assert caught.value.status == 400
