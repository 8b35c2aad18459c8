"""The history controller: fills the runs table, follows live runs, and acts on a run.

The table merges the server's actions with the local run ledger, so a run started here
shows at once and a run started elsewhere shows too; a run just started is selected
(:meth:`HistoryController.follow_run`). The tracker's callbacks keep rows and the open
detail live (status, logs). A run's outputs (fetch, save, open, preview, export, page)
are handled by :class:`~ouro_desktop.ui.history.output_actions.OutputActions`, which the
controller owns, and Show code and Compare by :class:`~.run_tools.RunTools`. The
detail's buttons also re-run with the same inputs (nothing re-uploaded) and save the
provenance record.

Heavy runs: a run's answer is fetched when it is opened (lists leave answers out), read
off the event loop, and a run already shown and finished is not fetched again when it is
selected again. An answer too large to read is offered for saving to a file instead. A
finished run's log is read page by page to its last line; live lines that arrive
meanwhile (from the moment the run is opened) wait until it is read, so the log stays in
order; they come with their place in the log, so the view skips those it has read.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from ouro_desktop.api.errors import OuroError, ResponseTooLarge
from ouro_desktop.api.models import Action, ActionLog, Route
from ouro_desktop.core.atomic_file import write_text_atomic
from ouro_desktop.core.error_text import friendly
from ouro_desktop.core.history import LOCAL_KEY_PREFIX, HistoryEntry, expected_seconds, merge
from ouro_desktop.core.history_diff import run_inputs
from ouro_desktop.core.history_pages import HistoryPager
from ouro_desktop.core.ledger import RunLedger, RunRecord
from ouro_desktop.core.letting_go import replace_in
from ouro_desktop.core.output_cache import OutputCache
from ouro_desktop.core.provenance import (
    Provenance,
    build_provenance,
    saved_outputs,
)
from ouro_desktop.core.route_naming import RouteNames
from ouro_desktop.core.run_context import lacks_response
from ouro_desktop.core.runs import RunTracker
from ouro_desktop.core.session import Session
from ouro_desktop.ui.common.dialogs import ask_save_path
from ouro_desktop.ui.common.tasks import TaskRunner
from ouro_desktop.ui.history.detail import RunDetail
from ouro_desktop.ui.history.output_actions import OutputActions
from ouro_desktop.ui.history.pane import HistoryPane
from ouro_desktop.ui.history.run_notifier import RunNotifier
from ouro_desktop.ui.history.run_tools import RunTools

log = logging.getLogger(__name__)
# How long a batch run's change may wait to be shown with others: two repaints of the
# runs table a second, and a run's new status is on screen within half a second.
HOLD_MS = 500
LOG_PAGE = 500  # log lines a request, the most a page may hold


async def _ask_save_path(parent: QWidget, suggested: str) -> Path | None:
    return await ask_save_path(parent, "Save the output file", suggested)


def _open_file(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class HistoryController(QObject):
    # "Re-run" on a run: (route id, its inputs as :func:`run_inputs` gives them). The
    # window opens that route and fills its form; this pane does not own the form.
    rerun_requested = Signal(str, object)

    def __init__(
        self,
        pane: HistoryPane,
        detail: RunDetail,
        session: Session,
        tasks: TaskRunner,
        ledger: RunLedger,
        notifier: RunNotifier,
        outputs_dir: Path,
        *,
        ask_save_path: Callable[[QWidget, str], Path | None | Awaitable[Path | None]] = (
            _ask_save_path
        ),
        open_file: Callable[[Path], None] = _open_file,
        names: RouteNames | None = None,
    ) -> None:
        super().__init__(pane)
        self.pane, self.detail, self.session, self.tasks = pane, detail, session, tasks
        self.ledger = ledger
        self.notifier, self.outputs_dir = notifier, outputs_dir
        self.cache = OutputCache(outputs_dir)
        self.ask_save_path, self.open_file = ask_save_path, open_file
        self.route: Route | None = None
        self.routes: dict[str, Route] = {}
        self.pager = HistoryPager(ledger)
        # Runs are listed under their routes' readable titles, as far as they are known.
        self.names = names or RouteNames(None)
        self.pager.names.update(self.names.titles)
        self._selected: str | None = None
        self._shown_done: str | None = None  # a finished run shown whole in the detail
        self._log_reading: str | None = None  # the run whose log is being read page by page
        # Its live lines (with the place of each page's first), added once it is read.
        self._held_logs: list[tuple[int, list[ActionLog]]] = []
        self._actions: dict[str, Action] = {}
        self._unsubscribe: Callable[[], None] | None = None
        self.tracker = None
        self._held: dict[str, tuple[RunRecord, Action | None]] = {}
        self._hold_timer = QTimer(self)
        self._hold_timer.setSingleShot(True)
        self._hold_timer.setInterval(HOLD_MS)
        self._hold_timer.timeout.connect(self._apply_held)
        pane.scope_changed.connect(self._on_pane_scope_changed)
        pane.more_requested.connect(self._on_pane_more_requested)
        pane.retry_requested.connect(self.reload)
        pane.run_selected.connect(self._on_pane_run_selected)
        detail.rerun_requested.connect(self._on_detail_rerun_requested)
        detail.provenance_save_requested.connect(self._on_detail_provenance_save_requested)
        notifier.run_clicked.connect(self._on_notifier_run_clicked)
        self.tools = RunTools(
            pane,
            detail,
            session,
            tasks,
            self._actions,
            inputs=self._inputs,
            route_for=self._route_for,
        )
        self.outputs = OutputActions(
            detail,
            session,
            tasks,
            ledger,
            self.cache,
            ask_save_path=ask_save_path,
            open_file=open_file,
            record_for=self._record_for,
            saved=self._output_saved,
        )

    # -- following the tracker -------------------------------------------------------------
    def attach(self, tracker: RunTracker) -> None:
        self.detach()
        self.tracker: RunTracker | None = tracker
        self._unsubscribe = tracker.subscribe(
            on_update=self._on_tracker_update,
            on_logs=self._on_tracker_logs,
            logs_for=self._shows_run,
            on_finished=self._on_tracker_finished,
        )
        self.notifier.set_running(len(tracker.watching))

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _entry(self, record: RunRecord, action: Action | None) -> HistoryEntry:
        expected = self._expected()
        rows = merge([record], [action] if action else [], self.pager.names, expected)
        return rows[0]

    def _expected(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for route_id, route in self.routes.items():
            seconds = expected_seconds(route.metrics)
            if seconds is not None:
                out[route_id] = seconds
        return out

    def _shows(self, route_id: str) -> bool:
        return self.pane.scope() == "all" or (self.route is not None and self.route.id == route_id)

    def _on_tracker_update(self, record: RunRecord, action: Action | None) -> None:
        if action is not None and (record.batch_id is None or action.id == self._selected):
            # (a batch's thousand answers are not kept)
            replace_in(self._actions, action.id, action)
        if self.tracker is not None:
            self.notifier.set_running(len(self.tracker.watching))
        if not self._shows(record.route_id):
            return
        if record.batch_id is not None and not self._is_selected(record):
            # A folder batch changes many rows a second: they are applied together a few
            # times a second, so the table repaints a few times, not once per change.
            # (Not ``self._selected not in (record.action_id, …)``: with nothing selected
            # and no action id yet -- a run's first sight -- None matched None, and every
            # new run of the batch was inserted on its own, ~10 repaints a second.)
            self._held[record.local_id] = (record, action)
            if not self._hold_timer.isActive():
                self._hold_timer.start()
            return
        self._show_update(record, action)

    def select(self, key: str) -> bool:
        """Show the run ``key`` in the list and the detail (changes held back first)."""
        self._apply_held()
        return self.pane.select_run(key)

    def _apply_held(self) -> None:
        self._hold_timer.stop()
        held, self._held = self._held, {}
        selected = [(r, a) for r, a in held.values() if self._is_selected(r)]
        self.pane.model.upsert_many(
            [
                (self._entry(record, action), LOCAL_KEY_PREFIX + record.local_id)
                for record, action in held.values()
                if not self._is_selected(record)
            ]
        )
        for record, action in selected:  # (selected meanwhile: its detail follows it)
            self._show_update(record, action)

    def _is_selected(self, record: RunRecord) -> bool:
        return self._selected is not None and self._selected in (
            record.action_id,
            LOCAL_KEY_PREFIX + record.local_id,
        )

    def _show_update(self, record: RunRecord, action: Action | None) -> None:
        entry = self._entry(record, action)
        old_key = LOCAL_KEY_PREFIX + record.local_id
        # Once the server's action id is known it replaces the local key: one row stays.
        self.pane.model.upsert(entry, replaces=old_key)
        if self._selected in (entry.key, old_key):
            self._selected = entry.key
            self.pane.select_run(entry.key)
            self._show_detail(entry.key, record, action)
            if action is not None and action.is_terminal and not lacks_response(action):
                # Followed to its end, answer and all: selecting it again (inserting the
                # next run's row re-selects it) has nothing new to fetch.
                self._shown_done = entry.key

    def follow_run(self, record: RunRecord) -> None:
        """A run just started here: list it (in either scope, if it belongs there) and
        select it, so its detail is what the user sees and it follows the run live."""
        key = record.action_id or LOCAL_KEY_PREFIX + record.local_id
        if not self._shows(record.route_id):
            self.pane.set_scope("all")
            self.reload()
        self._selected = key
        self.pane.model.upsert(self._entry(record, self._actions.get(record.action_id or "")))
        if not self.pane.select_run(key):
            return
        self._show_detail(key, record, self._actions.get(record.action_id or ""))

    def _shows_run(self, local_id: str) -> bool:
        """Whether the detail shows the run ``local_id`` (its live lines are wanted)."""
        record = self.ledger.get(local_id)
        return record is not None and self._selected in (
            record.action_id,
            LOCAL_KEY_PREFIX + local_id,
        )

    def _on_tracker_logs(self, local_id: str, lines: list[ActionLog], first: int) -> None:
        if self._shows_run(local_id):
            if self._log_reading == self._selected:
                self._held_logs.append((first, lines))  # after the pages before them
            else:
                self.detail.append_logs(lines, first=first)

    def _on_tracker_finished(self, record: RunRecord) -> None:
        self._on_tracker_update(record, self._actions.get(record.action_id or ""))
        key = record.action_id or LOCAL_KEY_PREFIX + record.local_id
        self.notifier.run_finished(record, key)

    # -- loading the table -----------------------------------------------------------------
    def set_route(self, route: Route, title: str = "") -> None:
        self.route = route
        self.routes[route.id] = route
        self.pager.names[route.id] = title or self.names.title(route)
        self.pane.set_route_scope_enabled(True)
        if self.pane.scope() == "route":
            self.reload()

    def update_route(self, route: Route) -> None:
        """A fresher copy of a route (its metrics changed): typical durations follow it."""
        self.routes[route.id] = route

    def reload(self) -> None:
        self.tasks.run("history", self._load(reset=True))

    def _on_pane_scope_changed(self, _scope: str) -> None:
        self.reload()

    def _on_pane_more_requested(self) -> None:
        if not self.tasks.running("history"):
            self.tasks.run("history", self._load(reset=False))

    async def _load(self, *, reset: bool) -> None:
        client, account = self.session.client, self.session.account
        if client is None or account is None:
            return
        route = self.route if self.pane.scope() == "route" else None
        self.pane.clear_error()
        self.pane.set_loading(True)
        page = await self.pager.load(
            client, base_url=account.base_url, route=route, reset=reset, expected=self._expected()
        )
        for action in page.actions:
            replace_in(self._actions, action.id, action)
        self.pane.set_loading(False)
        if page.error is not None:
            self.pane.show_error(f"Could not load the runs from Ouro: {page.error}")
        elif page.note is not None:
            self.pane.show_error(page.note)
        if reset:
            self.pane.model.set_entries(page.entries, page.more)
        else:
            self.pane.model.append_entries(page.entries, page.more)

    # -- the detail ------------------------------------------------------------------------
    def _on_pane_run_selected(self, key: str) -> None:
        if key == self._shown_done and self.detail.key() == key:
            self._selected = key
            return  # finished and shown whole: nothing new to fetch
        self._selected = key
        self.tasks.run("history-detail", self._load_detail(key))

    def _record_for(self, key: str) -> RunRecord | None:
        if key.startswith(LOCAL_KEY_PREFIX):
            return self.ledger.get(key[len(LOCAL_KEY_PREFIX) :])
        return self.ledger.by_action_id(key)

    async def _route_for(self, route_id: str) -> Route | None:
        client = self.session.client
        if route_id in self.routes or client is None:
            return self.routes.get(route_id)
        try:
            route = await client.get_route(route_id)
        except OuroError:
            return None
        self.routes[route_id] = route
        self.pager.names[route_id] = self.names.title(route)
        return route

    async def _load_detail(self, key: str) -> None:
        client = self.session.client
        record = self._record_for(key)
        action_id = record.action_id if record else (None if key.startswith("local:") else key)
        self._shown_done = None
        reads_log = client is not None and bool(action_id)
        if reads_log:
            # Live lines wait from now on: shown before the pages read from the start,
            # they would come first, or (skipped by their place) hide those pages.
            self._log_reading, self._held_logs = key, []
        try:
            await self._load_detail_of(key, record, action_id)
        finally:
            if reads_log:
                self._add_held_logs(key)

    async def _load_detail_of(
        self, key: str, record: RunRecord | None, action_id: str | None
    ) -> None:
        client = self.session.client
        action: Action | None = None
        answer, size = "", None
        if client is not None and action_id:
            known = self._actions.get(action_id)
            if self.detail.key() != key:  # what is known at once; the answer follows
                self._show_detail(key, record, known, answer=RunDetail.LOADING)
                self.detail.set_logs([], loading=True)
            try:
                action = await client.get_action(action_id)
            except ResponseTooLarge as exc:
                action, answer, size = known, RunDetail.TOO_LARGE, exc.size
            except OuroError as exc:
                self.pane.show_status(f"Could not load this run from Ouro: {friendly(exc)}")
        if action is not None and not answer:
            replace_in(self._actions, action.id, action)
        route_id = record.route_id if record else (action.route_id if action else "")
        route = await self._route_for(route_id) if route_id else None
        if self._selected != key:
            return
        self._show_detail(key, record, action, route, answer=answer, size=size)
        if action is not None and action.is_terminal and not answer:
            self._shown_done = key
        if client is not None and action_id:
            await self._read_log(key, action_id)
        else:
            self.detail.set_logs([])

    async def _read_log(self, key: str, action_id: str) -> None:
        """The run's log, page after page to its last line (live lines wait meanwhile:
        see _load_detail)."""
        client = self.session.client
        assert client is not None
        offset = 0
        try:
            while True:
                page = await client.action_logs(action_id, offset=offset, limit=LOG_PAGE)
                if self._selected != key:
                    return
                more = page.has_more and bool(page.items)
                if offset == 0:
                    self.detail.set_logs(page.items, total=page.total, loading=more)
                else:
                    self.detail.append_logs(
                        page.items, first=offset, total=page.total, loading=more
                    )
                offset += len(page.items)
                if not more:
                    break
        except OuroError as exc:
            if self._selected == key:
                self.detail.logs_view.set_loading(False)
                self.pane.show_status(f"Could not read all of this run's log: {friendly(exc)}")

    def _add_held_logs(self, key: str) -> None:
        """The live lines that waited while the run ``key`` was opened, after the rest."""
        if self._log_reading != key:
            return
        held, self._log_reading, self._held_logs = self._held_logs, None, []
        if self._selected == key:
            for first, lines in held:
                self.detail.append_logs(lines, first=first)

    def _show_detail(
        self,
        key: str,
        record: RunRecord | None,
        action: Action | None,
        route: Route | None = None,
        *,
        answer: str = "",
        size: int | None = None,
    ) -> None:
        route = route or self.routes.get(record.route_id if record else "")
        entry = self.pane.model.entry_for(key)
        status = str(entry.status) if entry else (action.status if action else "unknown")
        name = self.pager.names.get(route.id if route else "", "") or (
            record.route_name if record else ""
        )
        self.detail.show_run(
            key,
            route_name=name,
            status=status,
            action=action,
            record=record,
            route=route,
            entry=entry,  # the runs list's start and duration: list and detail agree
            answer=answer,
            answer_size=size,
        )
        self.detail.set_provenance(self._provenance(record, action))

    def _provenance(self, record: RunRecord | None, action: Action | None) -> Provenance | None:
        if record is None:
            return None
        try:
            saved = saved_outputs(self.ledger, record.local_id)
        except Exception:  # a read error must not hide the rest of the run
            log.exception("could not read the saved outputs of run %s", record.local_id)
            saved = []
        return build_provenance(
            record, outputs=saved, action_outputs=action.output_assets if action else None
        )

    def _output_saved(self, record: RunRecord) -> None:
        """An output of the shown run was saved: its record now lists the file's hash."""
        self.detail.set_provenance(
            self._provenance(record, self._actions.get(record.action_id or ""))
        )

    def _on_detail_provenance_save_requested(self, key: str) -> None:
        record = self._record_for(key)
        if record is None:
            return
        action = self._actions.get(record.action_id or "")
        provenance = self._provenance(record, action)
        assert provenance is not None
        target = self.ask_save_path(
            self.detail, f"provenance-{record.action_id or record.local_id}.json"
        )
        if target is None:
            return
        try:
            write_text_atomic(target, provenance.json_text(), private=False)
        except OSError as exc:
            self.pane.show_status(f"Could not save the record: {exc}")
            return
        self.pane.show_status(f"Provenance record saved to {target}.")

    # -- re-run (code and compare are RunTools') ---------------------------------------------
    @property
    def last_dialog(self) -> QWidget | None:
        """The code or compare dialog shown last (tests and benchmarks read it)."""
        return self.tools.last_dialog

    def _inputs(self, key: str) -> tuple[RunRecord | None, Action | None, dict[str, object]]:
        record = self._record_for(key)
        action = self._actions.get(record.action_id if record and record.action_id else key)
        return record, action, run_inputs(action, record)

    def _on_detail_rerun_requested(self, key: str) -> None:
        self.tasks.run("rerun", self._rerun(key))

    async def _rerun(self, key: str) -> None:
        record, action, inputs = self._inputs(key)
        route_id = record.route_id if record else (action.route_id if action else None)
        if route_id is not None:
            self.rerun_requested.emit(route_id, inputs)

    def _on_notifier_run_clicked(self, key: str) -> None:
        self.pane.set_scope("all")
        self.reload()
        self._selected = key
        self.pane.select_run(key)
        self.tasks.run("history-detail", self._load_detail(key))
