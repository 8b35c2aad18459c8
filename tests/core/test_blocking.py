"""``responsive_switching``: the fast GIL hand-over lasts exactly as long as its users."""

from __future__ import annotations

import sys
import threading

import pytest

from ouro_desktop.core.blocking import FAST_SWITCH_S, responsive_switching


def test_nested_and_concurrent_uses_restore_the_interval_once_all_end() -> None:
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        with responsive_switching():
            assert sys.getswitchinterval() == pytest.approx(FAST_SWITCH_S, abs=2e-6)
            inner_done = threading.Event()

            def other_user() -> None:
                with responsive_switching():
                    assert sys.getswitchinterval() == pytest.approx(FAST_SWITCH_S, abs=2e-6)
                inner_done.set()

            worker = threading.Thread(target=other_user)
            worker.start()
            worker.join()
            assert inner_done.is_set()
            assert sys.getswitchinterval() == pytest.approx(FAST_SWITCH_S, abs=2e-6)  # one still in
        assert sys.getswitchinterval() == pytest.approx(0.005, abs=2e-6)
    finally:
        sys.setswitchinterval(before)


def test_it_never_slows_a_faster_interval_and_restores_after_an_error() -> None:
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.0001)
        try:
            with responsive_switching():
                assert sys.getswitchinterval() == pytest.approx(0.0001, abs=2e-6)
                raise KeyError("boom")
        except KeyError:
            pass
        assert sys.getswitchinterval() == pytest.approx(0.0001, abs=2e-6)
    finally:
        sys.setswitchinterval(before)
