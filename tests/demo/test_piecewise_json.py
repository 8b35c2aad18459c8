"""The demo encodes long lists a member at a time: same bytes as Starlette's one call, but
no single C call that holds the interpreter (shared with the window) for long."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from ouro_desktop.demo import http


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 2 or roll < 0.3:
        return rng.choice([1, -2.5e-3, 'x"y\\z', None, True, "é😀\u2028", [], {}, 10**20])
    if roll < 0.65:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 90))]
    return {f"k{rng.randint(0, 50)}": _value(rng, depth + 1) for _ in range(rng.randint(0, 8))}


def _starlette(value: Any) -> bytes:
    return http.JSONResponse(value).body


def test_pieces_give_the_bytes_starlette_gives() -> None:
    rng = random.Random(3)
    for _ in range(300):
        value = {"data": _value(rng), "error": None, "pagination": {"offset": 0}}
        assert http.PiecewiseJSONResponse(value).body == _starlette(value)
    with pytest.raises(ValueError):
        http.ok([float("nan")] * 100)  # refused as Starlette refuses it


def test_a_long_page_is_encoded_a_member_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = http._encode

    def spy(value: Any) -> str:
        text = real(value)
        calls.append(len(text))
        return text

    monkeypatch.setattr(http, "_encode", spy)
    lines = [{"id": f"l{i}", "message": "step " * 20, "level": "info"} for i in range(2000)]
    body = http.paged(lines, 0, 2000, 5000).body
    assert json.loads(body)["data"] == lines
    assert len(calls) >= 2000
    assert max(calls) < 200  # no call encodes more than one line
