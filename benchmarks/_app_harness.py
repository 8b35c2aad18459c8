"""Shared by the UI benchmarks: the whole app on one profile, composed without the CLI.

:class:`AppUnderTest` builds the same objects, wired the same way, as
``ouro_desktop.app._run`` (the composition root): the real ``MainWindow``, a ``Session``
with a ``MemoryStore``, the ``TaskRunner``, the run ledger (``RunLedger.open``), the
``UploadCache``, ``RunController``, ``AppController``, ``HistoryController`` and
``RunNotifier``, then ``controller.start(demo=True)`` signs into the in-process demo
backend. Only the error dialog hook is left out: a background failure is collected in
:attr:`AppUnderTest.errors` (and printed) instead of opening a dialog nobody can close.

Call :func:`qt_environment` before anything imports Qt, then :func:`make_loop`.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DEMO_BASE_URL = "http://demo.localhost"  # ouro_desktop.core.session.DEMO_BASE_URL
DEMO_ACCOUNT = "demo"  # ouro_desktop.demo.seed.DEMO_USERNAME


def qt_environment() -> None:
    """Offscreen Qt and qasync on PySide6; call before Qt is imported."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["QT_API"] = "pyside6"


def make_loop() -> tuple[Any, asyncio.AbstractEventLoop]:
    """The QApplication (collecting garbage on its thread) and a qasync loop on it, set
    as the current loop (as the app does)."""
    import qasync
    from PySide6.QtWidgets import QApplication

    from ouro_desktop.ui.common.readable_style import ReadableStyle
    from ouro_desktop.ui.common.readable_style import install as install_readable_style

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Ouro Desktop")
    app.setOrganizationName("Ouro")
    if not isinstance(app.style(), ReadableStyle):
        # As the app does: the style it paints with calls into Python for each element
        # drawn, so leaving it out would make painting look cheaper than in the window.
        install_readable_style(app)
    try:  # as the app does: garbage cycles collected on the window's thread only
        from ouro_desktop.ui.common.collector import install as collect_on_this_thread
    except ImportError:  # a version before it: CPython's automatic collection
        pass
    else:
        collect_on_this_thread(app)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    return app, loop


async def wait_until(predicate: Callable[[], Any], timeout: float, what: str) -> None:
    """Yield to the loop until ``predicate()`` is true; raise TimeoutError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not done within {timeout:.0f} s")
        await asyncio.sleep(0.02)


def finished_records(
    n: int, *, base_url: str = DEMO_BASE_URL, account: str = DEMO_ACCOUNT
) -> Iterator[Any]:
    """``n`` finished runs of this account (the shape of tests/ui/test_history_pane.py).

    Only final states: an unfinished row would be resumed (polled) by the tracker at
    sign-in, which is a different scenario from "a long history".
    """
    from ouro_desktop.core.ledger import RunRecord, RunState

    states = [s for s in RunState if s.is_terminal]
    now = time.time()
    for i in range(n):
        state = states[i % len(states)]
        started = now - (n - i) * 60.0 - 3600.0  # one a minute, ending an hour ago
        yield RunRecord(
            local_id=f"00000000-0000-4000-8000-{i:012d}",
            idempotency_key=f"bench-key-{i:012d}",
            route_id=f"route-{i % 40}",
            service_id=f"svc-{i % 7}",
            route_name=f"demo/route-number-{i % 40}",
            base_url=base_url,
            account=account,
            body={"i": i, "formula": "NaCl"},
            query={},
            path_params={},
            input_assets={},
            input_files={},
            state=state,
            started_at=started,
            updated_at=started + 12.0,
            action_id=None if state is RunState.NOT_STARTED else f"bench-action-{i}",
            finished_at=started + 12.0,
            duration_s=12.0,
            status_detail="The service said: bad input" if state is RunState.ERROR else None,
            result_summary={"molar_mass": 58.44, "i": i} if state is RunState.SUCCESS else None,
        )


def fill_ledger(path: Path, n: int) -> None:
    """Put ``n`` finished runs into the ledger file at ``path`` (closed cleanly after)."""
    from ouro_desktop.core.ledger import RunLedger

    path.parent.mkdir(parents=True, exist_ok=True)
    ledger = RunLedger(path)
    try:
        inserted = ledger.bulk_insert(finished_records(n))
        if inserted != n:
            raise RuntimeError(f"bulk_insert stored {inserted} of {n} runs")
    finally:
        ledger.close()


def demo_for(data_dir: Path, services: list[Any] | None) -> Any:
    """The in-process demo on ``data_dir``, with ``services`` added to the demo's own."""
    from ouro_desktop.demo.in_process import InProcessDemo

    if not services:
        return InProcessDemo(data_dir)
    from ouro_desktop.demo.services import demo_services

    everything = demo_services() + list(services)
    try:
        return InProcessDemo(data_dir, services=everything)
    except TypeError:  # a version whose demo takes no services: build its app up front
        from ouro_desktop.demo.app import create_app

        demo = InProcessDemo(data_dir)
        demo.app = create_app(data_dir, services=everything)
        return demo


class AppUnderTest:
    """The window, its controllers and services on one profile (see the module docstring)."""

    def __init__(self, profile: Path, *, services: list[Any] | None = None) -> None:
        from PySide6.QtCore import QSettings

        from ouro_desktop.core.ledger import RunLedger
        from ouro_desktop.core.secrets import MemoryStore
        from ouro_desktop.core.session import Session
        from ouro_desktop.core.settings import SettingsStore
        from ouro_desktop.core.upload_cache import UploadCache
        from ouro_desktop.paths import Paths
        from ouro_desktop.ui.shell.main_window import MainWindow
        from ouro_desktop.ui.shell.workspace import build_workspace

        self.errors: list[str] = []
        sys.excepthook = self._excepthook
        try:  # as app._run does (a version without it: the allocator's own way)
            from ouro_desktop.core.big_buffers import return_big_buffers

            return_big_buffers()
        except ImportError:
            pass
        self.paths = paths = Paths.for_profile(profile)
        qsettings = QSettings(str(paths.config / "window.ini"), QSettings.Format.IniFormat)
        store = SettingsStore(paths.settings_file)
        self.window = window = MainWindow(qsettings)
        window.show()
        self.session = Session(
            store, store.load(), MemoryStore(), environ={}, demo=demo_for(paths.demo_data, services)
        )
        ledger, _notice = RunLedger.open(paths.ledger_file)
        self.workspace = w = build_workspace(
            window,
            self.session,
            ledger,
            UploadCache(paths.data / "uploads.sqlite3"),
            outputs_dir=paths.cache / "outputs",
        )
        self.tasks, self.ledger, self.uploads = w.tasks, w.ledger, w.uploads
        self.runs, self.history, self.controller = w.runs, w.history, w.controller
        self.finished: list[Any] = []
        self.runs.run_finished.connect(self.finished.append)
        self._loaded: list[int] = []
        self._shown: list[str] = []
        self._failed: list[str] = []
        self.controller.routes_loaded.connect(self._loaded.append)
        self.controller.route_shown.connect(self._shown.append)
        self.controller.load_failed.connect(self._failed.append)

    def _excepthook(self, kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        text = "".join(traceback.format_exception(kind, exc, tb))
        self.errors.append(text)
        print(f"background failure:\n{text}", file=sys.stderr, flush=True)
        # As the app's hook does: Python keeps the last error printed with its frames, and
        # in them wrappers of what Qt had on its stack.
        from ouro_desktop.ui.shell.error_dialog import forget_last_error

        forget_last_error()

    async def start(
        self, open_ref: str | None = None, timeout: float = 60.0, *, demo: bool = True
    ) -> None:
        """Sign into the demo (or, ``demo=False``, the server the session signed into),
        list routes, open ``open_ref``, attach runs, load history."""
        self.controller.start(demo=demo, open_ref=open_ref)
        await wait_until(
            lambda: self._failed or (self._loaded and (open_ref is None or self._shown)),
            timeout,
            "signing into the demo",
        )
        if self._failed:
            raise RuntimeError(f"loading failed: {self._failed[0]}")
        await wait_until(lambda: self.runs.tracker is not None, timeout, "attaching the tracker")
        await wait_until(
            lambda: not self.tasks.running("runs") and not self.tasks.running("history"),
            timeout,
            "the first history page",
        )
        # As the app does once its first data is shown: start-up's long-lived objects
        # leave the collector's view, so later full collections stay short.
        from ouro_desktop.app import _freeze_startup_objects

        _freeze_startup_objects()

    @property
    def backend(self) -> Any:
        """The in-process demo backend (for its fault switches)."""
        return self.session.demo.backend  # type: ignore[union-attr]

    async def aclose(self) -> None:
        """Shut down in the order ``ouro_desktop.app`` does."""
        await self.workspace.aclose()
        self.window.hide()
