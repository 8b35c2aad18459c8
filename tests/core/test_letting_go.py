"""A big answer let go of is released by a worker a slice at a time; what is still held
elsewhere stays whole."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from ouro_desktop.api.models import Action
from ouro_desktop.core import letting_go


class Sentinel:
    """Records the thread it is freed in."""

    freed: list[str] = []  # noqa: RUF012 - shared on purpose

    def __del__(self) -> None:
        Sentinel.freed.append(threading.current_thread().name)


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    Sentinel.freed = []
    yield
    assert letting_go.wait_idle()


def _answer(n: int) -> dict[str, Any]:
    return {"points": n, "curve": [{"x": i, "tag": Sentinel()} for i in range(n)]}


def test_a_big_answer_is_freed_by_the_worker_in_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    pauses: list[int] = []
    real_pause = letting_go._pause
    monkeypatch.setattr(
        letting_go, "_pause", lambda: (pauses.append(len(Sentinel.freed)), real_pause())
    )
    n = 5 * letting_go.SLICE
    letting_go.let_go(_answer(n))
    assert letting_go.wait_idle()
    assert len(Sentinel.freed) == n
    assert set(Sentinel.freed) == {"letting-go"}, "freed on the caller's thread"
    # a pause after each slice: never more than a slice freed in one go
    steps = [b - a for a, b in zip([0, *pauses], pauses, strict=False)]
    assert len(pauses) >= 5 and max(steps) <= letting_go.SLICE


def test_a_value_still_held_elsewhere_is_left_whole() -> None:
    kept = _answer(3000)
    letting_go.let_go(kept)
    assert letting_go.wait_idle()
    assert len(kept["curve"]) == 3000 and Sentinel.freed == []

    answer = _answer(3000)
    curve = answer["curve"]  # a part shown somewhere else (a table of the curve)
    letting_go.let_go(answer)
    del answer
    assert letting_go.wait_idle()
    assert len(curve) == 3000 and Sentinel.freed == []


def test_an_action_is_taken_apart_through_its_attributes() -> None:
    response = _answer(4 * letting_go.SLICE)
    raw = {"id": "a1", "route_id": "r1", "status": "success", "response": response}
    action = Action.from_json(raw)
    assert action.response is response
    del raw, response
    letting_go.let_go(action)
    del action
    assert letting_go.wait_idle()
    assert len(Sentinel.freed) == 4 * letting_go.SLICE
    assert set(Sentinel.freed) == {"letting-go"}


def test_an_action_whose_answer_is_shown_keeps_it() -> None:
    raw = {"id": "a1", "route_id": "r1", "status": "success", "response": _answer(3000)}
    action = Action.from_json(raw)
    shown = action.response
    del raw
    letting_go.let_go(action)
    del action
    assert letting_go.wait_idle()
    assert len(shown["curve"]) == 3000 and Sentinel.freed == []


def test_replacing_a_cached_answer_lets_the_old_one_go_in_the_worker() -> None:
    cache: dict[str, Any] = {"a1": _answer(3000)}
    fresh = {"points": 0}
    letting_go.replace_in(cache, "a1", fresh)
    assert cache == {"a1": fresh}
    assert letting_go.wait_idle()
    assert len(Sentinel.freed) == 3000 and set(Sentinel.freed) == {"letting-go"}

    Sentinel.freed = []
    same = cache["a1"] = _answer(100)
    letting_go.replace_in(cache, "a1", same)  # the same value again: nothing let go
    assert letting_go.wait_idle()
    assert cache["a1"] is same and len(same["curve"]) == 100 and Sentinel.freed == []


def test_the_first_value_let_go_of_never_waits_for_the_worker_to_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # threading.Thread.start() waits until the new thread has run: on a busy machine the
    # window's thread stood still 5-15 ms the first time a big answer was let go of.
    def no_waiting_start(self: threading.Thread) -> None:
        raise AssertionError("a thread started with Thread.start() on the caller's thread")

    monkeypatch.setattr(threading.Thread, "start", no_waiting_start)
    monkeypatch.setattr(letting_go, "_started", False)  # as in a fresh process
    letting_go.let_go(_answer(3 * letting_go.SLICE))
    assert letting_go.wait_idle()
    assert len(Sentinel.freed) == 3 * letting_go.SLICE
    assert set(Sentinel.freed) == {"letting-go"}


def test_once_a_value_is_taken_apart_the_heap_is_trimmed_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the answer's parts left free in glibc's heap goes back to the system (see
    big_buffers.trim_heap_soon): asked for by the worker, once per batch it released."""
    asked: list[str] = []
    monkeypatch.setattr(
        letting_go, "trim_heap_soon", lambda: asked.append(threading.current_thread().name)
    )
    letting_go.let_go(_answer(3000))
    assert letting_go.wait_idle()
    assert asked == ["letting-go"]
    kept = _answer(10)
    letting_go.let_go(kept)  # held elsewhere: nothing released, nothing to trim
    assert letting_go.wait_idle()
    assert asked == ["letting-go"]
