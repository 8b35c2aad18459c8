"""Big buffers are returned to the system once freed, also after an earlier big one (which
would otherwise raise glibc's threshold and leave the next ones in the heap)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

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
