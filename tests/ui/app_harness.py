"""The whole window on one profile, signed into the in-process demo (for UI flow tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QSettings

from ouro_desktop.core.form_memory import FormMemory
from ouro_desktop.core.ledger import RunLedger
from ouro_desktop.core.route_naming import RouteNames
from ouro_desktop.core.secrets import MemoryStore
from ouro_desktop.core.session import Session
from ouro_desktop.core.settings import SettingsStore
from ouro_desktop.core.upload_cache import UploadCache
from ouro_desktop.demo.in_process import InProcessDemo
from ouro_desktop.demo.services import demo_services
from ouro_desktop.ui.shell.main_window import MainWindow
from ouro_desktop.ui.shell.workspace import build_workspace

EXAMPLES = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples"


class App:
    """The window, its controllers and services on one profile, signed into the demo."""

    def __init__(
        self,
        qtbot: Any,
        aio: Any,
        profile: Path,
        *,
        time_scale: float = 0.01,
        notify_after_s: float = 10.0,
        real_dialogs: bool = False,
        services: list[Any] | None = None,
        secrets: Any = None,
        demo_routes: bool = True,
        client_factory: Any = None,
    ) -> None:
        """``real_dialogs``: the app's own questions (price, which file, where to save)
        instead of the stand-ins that answer at once; ``services``: demo services besides
        the demo's own (only them with ``demo_routes=False``); ``client_factory``: how the
        session makes its client (e.g. with a smaller answer cap)."""
        self.aio = aio
        store = SettingsStore(profile / "settings.json")
        self.window = MainWindow(QSettings(str(profile / "w.ini"), QSettings.Format.IniFormat))
        # The workspace ends before pytest-qt closes and deletes the window, as the app
        # ends it before its window goes: a task finishing meanwhile would otherwise
        # touch a deleted widget (a test that never called ``close``).
        self._closed = False
        qtbot.addWidget(self.window, before_close_func=lambda _window: self.close())
        self.window.show()
        if services and demo_routes:  # test routes beside the demo's own
            services = demo_services() + services
        extra = {"client_factory": client_factory} if client_factory is not None else {}
        self.session = Session(
            store,
            store.load(),
            secrets or MemoryStore(),
            environ={},
            demo=InProcessDemo(profile / "demo", services=services),
            **extra,
        )
        self.confirmations: list[str] = []
        self.confirm_answer = True
        self.saved: list[Path] = []
        self.opened: list[Path] = []
        ledger, _ = RunLedger.open(profile / "runs.sqlite3")
        self.workspace = build_workspace(
            self.window,
            self.session,
            ledger,
            UploadCache(profile / "uploads.sqlite3"),
            outputs_dir=profile / "outputs",
            notify_after_s=notify_after_s,
            forms=FormMemory(profile / "forms.json"),
            names=RouteNames(profile / "route-names.json"),
            run_options=None
            if real_dialogs
            else {"confirm": self._confirm, "choose": lambda _p, _t, items: items[0]},
            history_options={"open_file": self.opened.append}
            if real_dialogs
            else {
                "ask_save_path": lambda _w, name: self._save_path(profile, name),
                "open_file": self.opened.append,
            },
            batch_options={
                "ask_save_path": lambda _w, name: self._save_path(profile, name),
                "ask_folder": lambda _w: self._save_path(profile, "outputs-folder"),
            },
        )
        w = self.workspace
        self.tasks, self.ledger, self.uploads = w.tasks, w.ledger, w.uploads
        self.batches = w.batches
        self.runs, self.history, self.notifier, self.controller = (
            w.runs,
            w.history,
            w.notifier,
            w.controller,
        )
        self.finished: list[Any] = []
        self.runs.run_finished.connect(self.finished.append)
        self.shown: list[str] = []
        self.controller.route_shown.connect(self.shown.append)
        loaded: list[int] = []
        self.controller.routes_loaded.connect(loaded.append)
        self.controller.start(demo=True)
        aio.wait_until(lambda: loaded and self.runs.tracker is not None)
        self.backend.faults.time_scale = time_scale

    def _save_path(self, profile: Path, name: str) -> Path:
        target = profile / "saved" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        self.saved.append(target)
        return target

    def _confirm(self, _parent: Any, route: Any) -> bool:
        self.confirmations.append(route.full_name)
        return self.confirm_answer

    @property
    def backend(self) -> Any:
        return self.session.demo.backend  # type: ignore[union-attr]

    def open(self, ref: str) -> Any:
        count = len(self.shown)
        self.window.browser.open_requested.emit(ref)
        self.aio.wait_until(lambda: len(self.shown) > count)
        return self.window.run_panel.route

    def drop(self, key: str, path: Path) -> str:
        zone = self.window.run_panel.inputs.zone(key)
        zone.files_dropped.emit(key, [str(path)])
        # The zone may still show a file remembered from an earlier visit: wait for this
        # one's check and upload to end.
        self.aio.wait_until(
            lambda: not self.tasks.running(f"file:{key}") and zone.asset_id is not None
        )
        return str(zone.asset_id)

    def run(self) -> Any:
        count = len(self.finished)
        self.window.run_panel.run_button.click()
        self.aio.wait_until(lambda: len(self.finished) > count, timeout=20)
        return self.finished[-1]

    def compare(self, first: str, second: str, timeout: float = 10.0) -> Any:
        """The runs ``first`` and ``second`` selected in the runs list and Compare pressed,
        as a person does; the Compare dialog once it has worked the comparison out."""
        pane = self.window.history
        self.aio.wait_until(lambda: pane.select_run(first))
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        pane.view.selectionModel().select(pane.model.index(pane.model.row_of(second), 0), flags)
        self.aio.wait_until(lambda: pane.compare_button.isEnabled())
        pane.compare_button.click()
        self.aio.wait_until(
            lambda: (
                getattr(self.history, "last_dialog", None) is not None
                and not self.history.last_dialog.computing
            ),
            timeout=timeout,
        )
        return self.history.last_dialog

    def actions(self, route_id: str) -> list[dict[str, Any]]:
        items, _total = self.backend.store.actions(route_id=route_id)
        return items

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.aio.run(self.workspace.aclose())
