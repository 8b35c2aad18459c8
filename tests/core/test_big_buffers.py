"""Big buffers are returned to the system once freed, also after an earlier big one (which
would otherwise raise glibc's threshold and leave the next ones in the heap); the free
memory smaller blocks leave in the heap goes back when trimmed, on a worker thread."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from ouro_desktop.core import big_buffers

SCRIPT = textwrap.dedent(
    """
    import os, sys
    from ouro_desktop.core.big_buffers import return_big_buffers

    def rss():
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    if sys.argv[1] == "on":
        assert return_big_buffers()
    first = b"a" * 30_000_000  # freed: glibc would now serve 30 MB from its heap
    del first
    before = rss()
    answer = b"b" * 20_000_000
    grown = rss() - before
    del answer
    print(grown, rss() - before)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_a_freed_answer_sized_buffer_goes_back_to_the_system() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, "on"], capture_output=True, text=True, check=True
    )
    grown, kept = (int(n) for n in done.stdout.split())
    assert grown > 15_000_000  # the buffer was there ...
    assert kept < 2_000_000  # ... and once freed, its memory is the system's again


TRIM_SCRIPT = textwrap.dedent(
    """
    import os
    from ouro_desktop.core.big_buffers import return_big_buffers, trim_heap

    def rss():
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    assert return_big_buffers()  # as the app: blocks under 1 MB come from the heap
    before = rss()
    pages = [bytes([i % 251]) * 300_000 for i in range(150)]  # a long log's pages
    kept = b"k" * 200_000  # still in use, above them: the heap cannot shrink past it
    del pages
    freed = rss() - before
    assert trim_heap()
    print(freed, rss() - before)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_the_free_memory_a_let_go_left_in_the_heap_goes_back_when_trimmed() -> None:
    done = subprocess.run(
        [sys.executable, "-c", TRIM_SCRIPT], capture_output=True, text=True, check=True
    )
    freed, trimmed = (int(n) for n in done.stdout.split())
    assert freed > 30_000_000  # freed, and still the process's: below a block in use
    assert trimmed < 5_000_000  # given back


def test_trimming_does_nothing_where_the_allocator_is_not_glibc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert big_buffers.trim_heap() is False
    assert big_buffers.trim_heap_soon() is False
    assert big_buffers.return_big_buffers() is False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_trims_asked_for_together_are_one_made_on_a_worker_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The window's thread asks (a log let go of, a full collection) and goes on; the
    trim happens on another thread once the requests stop."""
    made: list[str] = []
    done = threading.Event()

    def trim() -> bool:
        made.append(threading.current_thread().name)
        done.set()
        return True

    monkeypatch.setattr(big_buffers, "trim_heap", trim)
    monkeypatch.setattr(big_buffers, "TRIM_DELAY_S", 0.05)
    for _ in range(5):
        assert big_buffers.trim_heap_soon()
    assert done.wait(10)
    assert big_buffers.trim_heap_soon()  # a later request: a later trim
    threading.Event().wait(0.5)
    assert made == ["heap-trimmer", "heap-trimmer"]
