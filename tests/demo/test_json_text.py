"""A service's answer kept as JSON text: checked without building its values or decoding
it whole, with the same verdict as ``json.loads``."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from ouro_desktop.demo import json_text
from ouro_desktop.demo.json_text import is_json_object


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.35:
        return rng.choice(
            [1, -2.5e-3, 'x"y\\z', "a,b},{c", "],[", None, True, False, "é\u2028😀", 10**20, ""]
        )
    if roll < 0.65:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 12))]
    return {f"k{rng.randint(0, 50)}": _value(rng, depth + 1) for _ in range(rng.randint(0, 8))}


def _strict_object(raw: bytes) -> bool:
    """The reference verdict: one JSON object, no NaN or Infinity."""

    def refuse(name: str) -> Any:
        raise ValueError(name)

    try:
        return isinstance(json.loads(raw, parse_constant=refuse), dict)
    except (ValueError, RecursionError):
        return False


def test_the_check_agrees_with_json_loads_on_valid_and_broken_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(json_text, "STEP_CHARS", 128)  # tiny steps: every path is taken
    rng = random.Random(11)
    for i in range(150):
        value = {"answer": _value(rng), "n": i}
        text = json.dumps(value, indent=2 if i % 3 == 0 else None, ensure_ascii=i % 2 == 0)
        raw = text.encode()
        assert is_json_object(raw), text
        # Broken copies: a character dropped, doubled or swapped somewhere.
        for _ in range(2):
            at = rng.randrange(len(raw))
            for broken in (
                raw[:at] + raw[at + 1 :],
                raw[:at] + raw[at : at + 1] * 2 + raw[at + 1 :],
                raw[:at] + b"," + raw[at + 1 :],
            ):
                assert is_json_object(broken) == _strict_object(broken), broken


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"[]",
        b'"text"',
        b"{}x",
        b'{"a":NaN}',
        b'{"a":[1,2,]}',
        b'{"a":1,}',
        b'{"a" 1}',
        b"{\xff}",
        b'{"a":[' + b"1," * 200 + b"]}",
        b'{"a":"' + b"x" * 500 + b"}",
    ],
)
def test_what_is_not_one_json_object_is_refused(
    monkeypatch: pytest.MonkeyPatch, raw: bytes
) -> None:
    monkeypatch.setattr(json_text, "STEP_CHARS", 64)
    assert not is_json_object(raw)


def test_a_long_answer_is_checked_without_building_its_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records = [{"energy_eV": i / 7, "label": f"p{i}, q"} for i in range(20_000)]
    raw = json.dumps({"points": len(records), "curve": records, "long": "z" * 200_000}).encode()
    decoded: list[int] = []
    real = json_text._DECODER.raw_decode

    class Spy:
        def raw_decode(self, text: str, pos: int = 0) -> Any:
            value, end = real(text, pos)
            decoded.append(end - pos)  # what one C call read
            return value, end

        def decode(self, text: str) -> Any:
            decoded.append(len(text))
            return json_text._DECODER_REAL.decode(text)

    monkeypatch.setattr(json_text, "_DECODER_REAL", json_text._DECODER, raising=False)
    monkeypatch.setattr(json_text, "_DECODER", Spy())
    assert is_json_object(raw)
    # No call read more than a step (the long string is decoded alone: it is one value).
    assert max(n for n in decoded if n != 200_002) <= json_text.STEP_CHARS + 2
    assert sum(n for n in decoded if n != 200_002) < 2 * len(raw)
