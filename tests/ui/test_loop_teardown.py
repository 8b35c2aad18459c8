"""The UI-test crash, at its root: a test's qasync loop, once ended by the harness, leaves
no Qt timer behind for a garbage collection on another thread to free.

The child process repeats, five times, what happened between two UI tests: a loop with
callbacks still scheduled is ended by :func:`loop_harness.end_loop`, sits in a reference
cycle, and is collected on a worker thread (as the loopback server's or an executor's
thread did); Qt then keeps delivering timer events. Freed off the GUI thread, the loop's
timers used to fire into freed memory: the child died of SIGSEGV every time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import asyncio, gc, threading, time
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication
    from tests.ui.loop_harness import end_loop, start_loop

    app = QApplication([])
    for _ in range(5):
        runner = start_loop(app)
        loop = runner.loop

        async def work():
            for _ in range(3):
                loop.call_later(0.1, lambda: None)  # still scheduled when the test ends
            await asyncio.sleep(0.01)

        runner.run(work())
        end_loop(runner)
        loop.cycle = loop  # as in the tests: only a collection frees it
        del loop, runner
        collector = threading.Thread(target=gc.collect)
        collector.start()
        collector.join()
        until = time.monotonic() + 0.3
        while time.monotonic() < until:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    print("survived")
    """
)


def test_an_ended_loop_freed_on_another_thread_does_not_crash_qt() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "survived" in done.stdout
    assert "Timers cannot be stopped from another thread" not in done.stderr
