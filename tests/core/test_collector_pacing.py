"""Full collections spaced out while a batch runs (core/collector_pacing.py)."""

from __future__ import annotations

import gc

import pytest

from ouro_desktop.core.collector_pacing import FULL_EVERY, full_collections_spaced


def test_full_collections_come_rarely_inside_and_as_before_after() -> None:
    before = gc.get_threshold()
    with full_collections_spaced():
        first, second, third = gc.get_threshold()
        assert (first, second) == before[:2]  # the young generations as usual
        assert third == max(before[2], FULL_EVERY)
        with full_collections_spaced():  # a second batch at the same time shares it
            assert gc.get_threshold()[2] == third
        assert gc.get_threshold()[2] == third  # still one going
    assert gc.get_threshold() == before


def test_the_threshold_comes_back_when_a_job_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), full_collections_spaced():
        raise RuntimeError("the batch stopped")
    assert gc.get_threshold() == before


def test_a_higher_threshold_set_before_is_kept() -> None:
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], FULL_EVERY * 3)
    try:
        with full_collections_spaced():
            assert gc.get_threshold()[2] == FULL_EVERY * 3  # never sooner than otherwise
    finally:
        gc.set_threshold(*before)
