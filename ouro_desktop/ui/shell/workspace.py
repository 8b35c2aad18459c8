"""The window's features built and wired together, once: by the app, its tests and the
benchmarks alike, so none of them repeats (or drifts from) the wiring."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ouro_desktop.core.form_memory import FormMemory
from ouro_desktop.core.ledger import RunLedger
from ouro_desktop.core.route_list_cache import RouteListCache
from ouro_desktop.core.route_naming import RouteNames
from ouro_desktop.core.session import Session
from ouro_desktop.core.upload_cache import UploadCache
from ouro_desktop.ui.common.tasks import TaskRunner
from ouro_desktop.ui.history.history_controller import HistoryController
from ouro_desktop.ui.history.run_notifier import RunNotifier
from ouro_desktop.ui.routes.routes_controller import RoutesController
from ouro_desktop.ui.run.run_controller import RunController
from ouro_desktop.ui.shell.app_controller import AppController
from ouro_desktop.ui.shell.main_window import MainWindow


@dataclass
class Workspace:
    window: MainWindow
    session: Session
    tasks: TaskRunner
    ledger: RunLedger
    uploads: UploadCache
    routes: RoutesController
    runs: RunController
    history: HistoryController
    notifier: RunNotifier
    controller: AppController
    names: RouteNames

    async def aclose(self) -> None:
        """Stop following runs, end every task, close the session and the local stores."""
        self.runs.flush_memory()
        self.names.flush()
        self.history.detach()
        await self.runs.detach()
        await self.tasks.aclose()
        await self.session.aclose()
        self.ledger.close()
        self.uploads.close()


def build_workspace(
    window: MainWindow,
    session: Session,
    ledger: RunLedger,
    uploads: UploadCache,
    *,
    outputs_dir: Path,
    route_cache: RouteListCache | None = None,
    tasks: TaskRunner | None = None,
    notify_after_s: float = 10.0,
    run_options: dict[str, Any] | None = None,
    history_options: dict[str, Callable[..., Any]] | None = None,
    forms: FormMemory | None = None,
    names: RouteNames | None = None,
) -> Workspace:
    """Every controller of ``window``; ``run_options`` and ``history_options`` pass the
    dialogs' stand-ins (``confirm``, ``choose``, ``ask_save_path``, ``open_file``) in tests.
    ``forms`` keeps what was typed per route; ``names`` the routes' readable titles."""
    window.build_panes()
    tasks = tasks or TaskRunner()
    names = names or RouteNames(None)
    routes = RoutesController(window.browser, session, tasks, route_cache, names)
    runs = RunController(
        window.run_panel, session, tasks, ledger, uploads, memory=forms, **(run_options or {})
    )
    notifier = RunNotifier(window, threshold_s=notify_after_s)
    history = HistoryController(
        window.history,
        window.run_detail,
        session,
        tasks,
        ledger,
        notifier,
        outputs_dir,
        names=names,
        **(history_options or {}),
    )
    # A run just started becomes the selected one: its detail shows it live, then its answer.
    runs.run_submitted.connect(history.follow_run)
    controller = AppController(window, session, tasks, routes, runs, history)
    return Workspace(
        window, session, tasks, ledger, uploads, routes, runs, history, notifier, controller, names
    )
