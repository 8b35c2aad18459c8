"""Long lists of numbers and number records kept as columns: the same values as
``json.loads`` (item by item, types included) and the same JSON text written back."""

from __future__ import annotations

import copy
import json
import math
import pickle
import random
from typing import Any

import pytest

from ouro_desktop.api import _wire
from ouro_desktop.api._json import STEP_CHARS, JsonTooDeep, loads_in_steps
from ouro_desktop.api.compact import (
    COMPACT_MIN,
    CompactList,
    NumberColumn,
    RecordColumns,
    dumps,
    first_items,
    is_list,
    iter_json,
    json_default,
    json_default_str,
    plain,
)

N = 4000  # records: above COMPACT_MIN, and longer than a parse step as text
M = 5 * N  # numbers (shorter as text than records)
RESPONSE = ("response", "responseData")


def _same_value(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down; NaN is the decoder's NaN object."""
    if isinstance(a, float) and math.isnan(a):
        return b is a
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same_value(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return bool(a == b)


OPTIONS: list[dict[str, Any]] = [
    {},
    {"separators": (",", ":")},
    {"indent": 2},
    {"indent": 0},
    {"indent": "\t", "sort_keys": True},
    {"indent": 2, "ensure_ascii": False, "sort_keys": True},
    {"ensure_ascii": False, "separators": (",", ":")},
]


def _parse(doc: Any, key: str = "response") -> tuple[Any, Any, str]:
    """``doc`` under an action's ``key`` as sent, parsed both ways, and the text."""
    text = json.dumps({"data": {"id": "a1", key: doc}}, separators=(",", ":"))
    assert len(json.dumps(doc)) > STEP_CHARS  # read in runs, as a big answer is
    expected = json.loads(text)
    got = loads_in_steps(text, 200, RESPONSE)
    return got["data"][key], expected["data"][key], text


def _check(got: Any, expected: Any) -> None:
    assert got == expected
    assert expected == got
    assert not (got != expected)
    rows = got.to_list() if isinstance(got, CompactList) else got
    assert _same_value(expected, rows)
    for item_got, item_expected in zip(got, expected, strict=True):
        assert _same_value(item_expected, item_got)
    for options in OPTIONS:
        wanted = json.dumps(expected, **options)
        assert json.dumps(got, default=json_default, **options) == wanted
        assert dumps(got, **options) == wanted
        assert dumps({"a": [1, {"b": got}], "c": "é"}, **options) == json.dumps(
            {"a": [1, {"b": expected}], "c": "é"}, **options
        )


def _records(make: Any, keys: tuple[str, ...] = ("energy_eV", "dos_per_eV")) -> list[Any]:
    return [{key: make(i, j) for j, key in enumerate(keys)} for i in range(N)]


COMPACT_CASES: dict[str, list[Any]] = {
    "floats": _records(lambda i, j: round(i * 0.0125 + j, 6)),
    "ints": _records(lambda i, j: i * (j + 1) - 2000),
    "big ints in an int column": _records(lambda i, j: 2**63 - 1 - i if j else -(2**63) + i),
    "ints and floats mixed": _records(lambda i, j: i if (i + j) % 3 else i + 0.5),
    "1.0 and 1": _records(lambda i, j: 1.0 if i % 2 else 1),
    "nulls": _records(lambda i, j: None if i % 7 == j else i / 8),
    "nulls and ints": _records(lambda i, j: None if i % 5 == 0 else i),
    "negative zero and extremes": _records(
        lambda i, j: (-0.0, 0.0, 1e308, -1e308, 5e-324, 2.2250738585072014e-308, 2**53)[(i + j) % 7]
    ),
    "NaN and infinities": _records(
        lambda i, j: (math.nan, math.inf, -math.inf, 1.5)[(i + j) % 4] if i > 100 else 0.25
    ),
    "one key": _records(lambda i, j: i / 3, ("x",)),
    "many keys": _records(lambda i, j: i * j + 0.5, tuple(f"k{n}" for n in range(30))),
    "numbers": [i / 7 for i in range(M)],
    "int numbers": [i * 1000003 for i in range(-N, N)],
    "numbers with nulls and NaN": [
        None if i % 11 == 0 else math.nan if i % 13 == 0 else i / 3 for i in range(2 * N)
    ],
    "null first": [None] + [i / 3 for i in range(2 * N)],
    "floats then ints": [i / 3 for i in range(M)] + list(range(M)),
    "ints then floats": list(range(M)) + [i / 3 for i in range(M)],
}

PLAIN_CASES: dict[str, list[Any]] = {
    "booleans": _records(lambda i, j: bool(i % 2)),
    "a text value late": _records(lambda i, j: i / 2) + [{"energy_eV": "x", "dos_per_eV": 1}],
    "keys in another order late": _records(lambda i, j: i / 2)
    + [{"dos_per_eV": 1.0, "energy_eV": 2.0}],
    "a key missing late": _records(lambda i, j: i / 2) + [{"energy_eV": 1.0}],
    "a key more late": _records(lambda i, j: i / 2)
    + [{"energy_eV": 1.0, "dos_per_eV": 2.0, "x": 3.0}],
    "nested": _records(lambda i, j: [i, j]),
    "an int beyond 64 bits late": _records(lambda i, j: i)
    + [{"energy_eV": 2**64, "dos_per_eV": 1}],
    "an inexact int among floats late": _records(lambda i, j: i / 2)
    + [{"energy_eV": 2**53 + 1, "dos_per_eV": 1.0}],
    "floats after inexact ints": [2**60 + i for i in range(M)] + [0.5],
    "numbers then a text": [i / 3 for i in range(M)] + ["x"],
    "numbers then a bool": [i / 3 for i in range(M)] + [True],
    "texts": [str(i) for i in range(M)],
    "empty objects": [{} for _ in range(M)],
    "lists": [[i, i] for i in range(M)],
}


@pytest.mark.parametrize("name", list(COMPACT_CASES))
def test_a_long_list_of_numbers_or_number_records_is_kept_as_columns(name: str) -> None:
    got, expected, _ = _parse(COMPACT_CASES[name])
    assert isinstance(got, CompactList)
    assert is_list(got)
    _check(got, expected)


@pytest.mark.parametrize("name", list(PLAIN_CASES))
def test_a_list_that_does_not_fit_columns_stays_a_plain_list(name: str) -> None:
    got, expected, _ = _parse(PLAIN_CASES[name])
    assert type(got) is list
    assert _same_value(expected, got)


def test_a_short_list_stays_plain_and_only_the_response_is_compacted() -> None:
    short = [{"x": i / 2, "y": i} for i in range(COMPACT_MIN - 1)]
    long = [{"x": i / 2, "y": i} for i in range(N)]
    doc = {
        "data": {
            "response": {"short": short, "long": long, "deep": {"deeper": {"list": long}}},
            "responseData": long,
            "metadata": {"body": {"response": long, "values": long}},
            "other": long,
        }
    }
    text = json.dumps(doc)
    got = loads_in_steps(text, 200, RESPONSE)["data"]
    assert type(got["response"]["short"]) is list
    assert isinstance(got["response"]["long"], RecordColumns)
    assert isinstance(got["response"]["deep"]["deeper"]["list"], RecordColumns)
    assert isinstance(got["responseData"], RecordColumns)
    # A request body that happens to have a member named "response" is left alone.
    assert type(got["metadata"]["body"]["response"]) is list
    assert type(got["other"]) is list
    assert got == json.loads(text)["data"]
    assert type(loads_in_steps(text, 200)["data"]["response"]["long"]) is list


def test_a_list_of_actions_has_each_response_compacted() -> None:
    long = [{"x": i / 2, "y": i} for i in range(N)]
    page = {"data": [{"id": "a", "response": {"curve": long}}, {"id": "b", "response": long}]}
    got = loads_in_steps(json.dumps(page), 200, RESPONSE)
    assert isinstance(got["data"][0]["response"]["curve"], RecordColumns)
    assert isinstance(got["data"][1]["response"], RecordColumns)
    assert got == page


def test_random_documents_decode_the_same_both_ways() -> None:
    rng = random.Random(13)

    def number() -> Any:
        return rng.choice(
            [
                rng.random() * 10 ** rng.randint(-300, 300),
                -rng.random(),
                rng.randint(-(2**70), 2**70),
                rng.randint(-5, 5),
                0.0,
                -0.0,
                float(rng.randint(0, 9)),
                None,
                math.inf,
                math.nan,
            ]
        )

    for trial in range(12):
        keys = tuple(rng.sample(["a", "b", "é", "x y", 'q"', "n"], rng.randint(1, 4)))
        shaped = rng.random() < 0.5
        size = rng.choice([N, N + 1, 3 * N]) if shaped else rng.choice([M, M + 1])
        values: list[Any] = []
        for _ in range(size):
            values.append({k: number() for k in keys} if shaped else number())
        if trial % 3 == 0:  # something that breaks the shape, somewhere
            values[rng.randrange(size)] = rng.choice([{"z": 1}, "text", [1], True, {}])
        got, expected, _ = _parse({"curve": values, "n": size})
        assert _same_value(expected, plain(got))
        assert got == expected
        for options in OPTIONS:
            assert dumps(got, **options) == json.dumps(expected, **options)


def test_parse_text_and_api_response_take_the_members_to_compact() -> None:
    long = {"curve": [{"x": i / 2, "y": i} for i in range(3 * N)]}
    body = json.dumps({"data": {"response": long}}).encode()
    assert len(body) > _wire.STEPPED_PARSE_BYTES
    parsed = _wire.parse_json(body, compact_under=RESPONSE)
    assert isinstance(parsed["data"]["response"]["curve"], RecordColumns)
    assert type(_wire.parse_json(body)["data"]["response"]["curve"]) is list
    resp = _wire.ApiResponse(200, body, {}, compact_under=RESPONSE)
    assert isinstance(resp.json()["data"]["response"]["curve"], RecordColumns)
    assert resp.json() == json.loads(body)


def test_a_compact_list_behaves_as_a_read_only_list() -> None:
    expected = [{"x": i / 4, "n": i} for i in range(N)]
    got, _, _ = _parse(expected)
    assert isinstance(got, RecordColumns)
    assert got.keys == ("x", "n")
    assert len(got) == N
    assert got[0] == {"x": 0.0, "n": 0} and got[-1] == expected[-1]
    assert got[5] is not got[5]  # a fresh dict each time: changing one changes nothing
    assert got[10:20] == expected[10:20] and type(got[10:20]) is list
    assert got[::500] == expected[::500]
    assert got[-3:] == expected[-3:]
    assert got[N:] == [] and got[5:2] == []
    with pytest.raises(IndexError):
        got[N]
    with pytest.raises(IndexError):
        got[-N - 1]
    assert list(got) == expected
    assert list(reversed(got))[:2] == expected[::-1][:2]
    assert expected[7] in got
    assert first_items(got, 3) == expected[:3]
    assert got != expected[:-1] and got != [*expected[:-1], {"x": 0.0, "n": 1}]
    assert got != "text" and got != {"x": 1}
    assert copy.copy(got) is got and copy.deepcopy({"a": got})["a"] is got
    assert pickle.loads(pickle.dumps(got)) == expected
    column = got.column("x")
    assert isinstance(column, NumberColumn) and column == [r["x"] for r in expected]
    assert got.column("nope") is None
    with pytest.raises(TypeError):
        hash(got)


def test_two_compact_lists_compare_by_value() -> None:
    values = [{"x": i / 4, "n": i} for i in range(N)]
    a, _, _ = _parse(values)
    b, _, _ = _parse(values)
    c, _, _ = _parse([*values[:-1], {"x": 0.5, "n": 1}])
    as_floats, _, _ = _parse([{"x": i / 4, "n": float(i)} for i in range(N)])
    assert a == b and not a != b
    assert a != c
    assert a == as_floats  # 1 == 1.0, as for lists
    nan_a, _, _ = _parse([math.nan] * M)
    nan_b, _, _ = _parse([math.nan] * M)
    assert nan_a == nan_b  # the decoder's one NaN object, as for lists


def test_writing_out_in_pieces_never_makes_every_row_at_once() -> None:
    got, expected, _ = _parse([{"x": i / 4, "n": i} for i in range(N)])
    pieces = iter_json({"curve": got}, indent=2)
    start = "".join(next(pieces) for _ in range(4))
    assert json.dumps({"curve": expected}, indent=2).startswith(start)
    assert json_default_str(got) == expected and json_default_str(3j) == "3j"
    with pytest.raises(TypeError):
        json.dumps({"a": object()}, default=json_default)


def test_nesting_is_limited_as_before_around_a_list_kept_as_columns() -> None:
    records = json.dumps([{"x": i / 2, "y": i} for i in range(N)])
    for levels in range(193, 201):
        text = '{"data": {"response": ' + "[" * levels + records + "]" * levels + "}}"
        outcomes = []
        for compact in ((), RESPONSE):
            try:
                outcomes.append(loads_in_steps(text, 200, compact))
            except JsonTooDeep:
                outcomes.append("too deep")
        assert outcomes[0] == outcomes[1], levels
        assert (outcomes[0] == "too deep") == (levels > 196), levels
