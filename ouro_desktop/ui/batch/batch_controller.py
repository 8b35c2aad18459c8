"""The batch controller: from a dropped folder to the plan, then the batch window, live.

It owns the account's :class:`~ouro_desktop.core.batch_runner.BatchRunner` (built on the
run controller's tracker when the shell attaches it, which also picks up batches a quit or
a crash left open) and the batch window. Changes from the runner are collected and applied
to the table at most every :data:`FLUSH_MS`, reading only the rows that changed and at
most :data:`ROWS_PER_TURN` of them in one turn, so a thousand runs finishing never stall
the window.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from ouro_desktop.api.models import Route
from ouro_desktop.core.atomic_file import write_text_atomic
from ouro_desktop.core.batch_outputs import batch_provenance, save_batch_outputs
from ouro_desktop.core.batch_plan import BatchPlan, BatchRequest, plan_batch
from ouro_desktop.core.batch_runner import BatchRunner
from ouro_desktop.core.batch_store import Batch, BatchItem, BatchState, BatchStore, ItemState
from ouro_desktop.core.batch_table import (
    BatchRow,
    batch_counts,
    csv_text,
    make_row,
    result_columns,
)
from ouro_desktop.core.error_text import friendly
from ouro_desktop.core.ledger import LedgerError, RunLedger, RunState
from ouro_desktop.core.route_naming import RouteNames
from ouro_desktop.core.runs import RunTracker
from ouro_desktop.core.session import Session
from ouro_desktop.core.upload_cache import UploadCache
from ouro_desktop.ui.batch.batch_view import BatchView
from ouro_desktop.ui.batch.plan_dialog import BatchPlanDialog, settings_text
from ouro_desktop.ui.common.tasks import TaskRunner, off_thread

__all__ = ["BatchController"]

log = logging.getLogger(__name__)
FLUSH_MS = 250
# Rows rebuilt in one turn of the loop, at most (a finished file's row reads its answer
# through the result view, ~1 ms, twice that while the demo's thread wants the GIL): a
# burst of changes goes in over a few turns, each leaving the window free to paint within
# a frame, instead of in one turn of 20-30 ms.
ROWS_PER_TURN = 6


def _ask_save_path(parent: QWidget, suggested: str) -> Path | None:
    """Where to save the table (.csv) or the provenance record (.json), the dialog saying
    which it is (it said only "Save", for all files)."""
    if suggested.endswith(".csv"):
        caption, kinds = "Export the table as CSV", "CSV table (*.csv);;All files (*)"
    else:
        caption, kinds = "Save the provenance of every run", "JSON record (*.json);;All files (*)"
    path, _filter = QFileDialog.getSaveFileName(parent, caption, suggested, kinds)
    return Path(path) if path else None


def _ask_folder(parent: QWidget) -> Path | None:
    folder = QFileDialog.getExistingDirectory(parent, "Save the output files into")
    return Path(folder) if folder else None


class BatchController(QObject):
    batch_started = Signal(str)  # batch id
    batch_finished = Signal(str)  # route id: the batch shown is over (its facts changed)
    run_activated = Signal(str)  # local id of a file's run (show it in the history)

    def __init__(
        self,
        parent: QWidget,
        session: Session,
        tasks: TaskRunner,
        ledger: RunLedger,
        uploads: UploadCache,
        *,
        names: RouteNames | None = None,
        ask_save_path: Callable[[QWidget, str], Path | None] = _ask_save_path,
        ask_folder: Callable[[QWidget], Path | None] = _ask_folder,
    ) -> None:
        super().__init__(parent)
        self.parent_widget, self.session, self.tasks = parent, session, tasks
        self.ledger, self.uploads = ledger, uploads
        self.names = names or RouteNames(None)
        self.ask_save_path, self.ask_folder = ask_save_path, ask_folder
        self.store = BatchStore(ledger)
        self.runner: BatchRunner | None = None
        self.view = BatchView(None)
        self.plan_dialog: BatchPlanDialog | None = None
        self.batch: Batch | None = None
        self.route: Route | None = None
        self._pending: set[int] = set()
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(FLUSH_MS)
        self._flush.timeout.connect(self._flush_some)
        self._unsubscribe: Callable[[], None] | None = None
        view = self.view
        view.pause_requested.connect(self._on_view_pause_requested)
        view.resume_requested.connect(self._on_view_resume_requested)
        view.cancel_requested.connect(self._on_view_cancel_requested)
        view.retry_requested.connect(self._on_view_retry_requested)
        view.export_requested.connect(self._on_view_export_requested)
        view.outputs_requested.connect(self._on_view_outputs_requested)
        view.provenance_requested.connect(self._on_view_provenance_requested)
        view.run_activated.connect(self.run_activated)
        view.quit_requested.connect(parent.close)  # as Quit in the main window

    # -- the account -----------------------------------------------------------------------
    def attach(self, tracker: RunTracker) -> list[Batch]:
        """Run batches on ``tracker``; pick up those left open. Returns them."""
        client, account = self.session.client, self.session.account
        if client is None or account is None:
            return []
        self.runner = BatchRunner(
            tracker,
            client,
            self.store,
            self.uploads,
            base_url=account.base_url,
            account=account.user.username,
        )
        self._unsubscribe = self.runner.subscribe(self._on_runner_change, self._on_runner_notice)
        try:
            resumed = self.runner.resume_open()
        except LedgerError as exc:
            log.warning("could not resume batches: %s", exc)
            return []
        if resumed:
            self.tasks.run("batch-show", self.show_batch(resumed[-1].batch_id))
        return resumed

    async def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.runner is not None:
            await self.runner.aclose()
            self.runner = None
        if shiboken6.isValid(self._flush):  # gone with the window when it was deleted first
            self._flush.stop()
        self.batch = None
        self.view.close()

    # -- planning --------------------------------------------------------------------------
    def plan(self, request: BatchRequest) -> None:
        """A folder or several files for a route (a ``BatchRequest`` from the run panel)."""
        self.tasks.run("batch-plan", self._plan(request))

    async def _plan(self, request: BatchRequest) -> None:
        route = request.route
        concurrency = max(1, int(self.session.settings.batch_concurrency))
        try:
            plan = await off_thread(
                plan_batch,
                route,
                request.items,
                input_key=request.input_key,
                concurrency=concurrency,
            )
        except (OSError, ValueError) as exc:
            self.view.show_notice(str(exc))
            return
        settings = settings_text(request.body, request.query, request.path_params, route)
        dialog = BatchPlanDialog(plan, self.names.title(route), settings, self.parent_widget)
        dialog.start_requested.connect(lambda n: self._start(plan, request, n))
        self.plan_dialog = dialog
        dialog.open()

    def _start(self, plan: BatchPlan, request: BatchRequest, concurrency: int) -> None:
        if self.runner is None:
            return
        settings = self.session.settings
        if settings.batch_concurrency != concurrency:
            settings.batch_concurrency = concurrency
            self.session.settings_store.save(settings)
        plan = replace(plan, concurrency=concurrency)
        try:
            batch = self.runner.start(
                plan,
                body=request.body,
                query=request.query,
                path_params=request.path_params,
                input_assets=request.input_assets,
                price_confirmed=plan.price_text() if plan.total_price is not None else None,
            )
        except LedgerError as exc:
            self.view.show_notice(f"The batch was not started: {friendly(exc)}")
            self.view.show()
            return
        self.route = plan.route
        self.batch_started.emit(batch.batch_id)
        self.tasks.run("batch-show", self.show_batch(batch.batch_id))

    # -- the batch window ------------------------------------------------------------------
    async def show_batch(self, batch_id: str) -> None:
        batch = self.store.get(batch_id)
        if batch is None or self.runner is None:
            return
        if self.route is None or self.route.id != batch.route_id:
            try:
                self.route = await self.runner.route_for(batch.route_id)
            except Exception as exc:  # offline: the rows still read from the ledger
                self.view.show_notice(f"Could not open the route: {friendly(exc)}")
                return
        self.batch = batch
        route = self.route
        items = self.store.items(batch_id)
        runs = self.store.runs(batch_id)
        counts = self.store.run_counts(batch_id)
        rows = [
            make_row(
                route,
                item,
                runs.get(item.position),
                self.runner.phase(batch_id, item.position),
                owed=self._owed(item, counts),
            )
            for item in items
        ]
        columns = result_columns(
            route, (r.result_summary for r in runs.values() if r.state is RunState.SUCCESS)
        )
        self.view.model.set_rows(rows, columns)
        self.view.set_title(f"{self.names.title(route)} on {len(items)} files")
        self.view.show_notice("")
        self._show_counts()
        if not self.view.isVisible():
            self.view.place_over(self.parent_widget)
        self.view.fit_columns()
        self.view.show()
        self.view.raise_()

    @staticmethod
    def _owed(item: BatchItem, counts: dict[int, int]) -> bool:
        """A retry is due: the file has a run, but fewer than it is owed."""
        sent = counts.get(item.position, 0)
        return item.state is ItemState.PENDING and 0 < sent < item.attempts

    def _on_runner_change(self, batch_id: str, positions: list[int]) -> None:
        if self.batch is None or batch_id != self.batch.batch_id:
            return
        self._pending.update(positions)
        if not self._flush.isActive():
            self._flush.start(FLUSH_MS)

    def _on_runner_notice(self, batch_id: str, text: str) -> None:
        if self.batch is not None and batch_id == self.batch.batch_id:
            self.view.show_notice(text)

    def flush(self) -> None:
        """Apply every collected change to the table now (only the rows that changed)."""
        self._flush.stop()
        self._apply(set(self._pending))

    def _flush_some(self) -> None:
        """Apply :data:`ROWS_PER_TURN` of the collected changes; the rest next turn."""
        ordered = sorted(self._pending)
        if len(ordered) > ROWS_PER_TURN:
            self._flush.start(0)
        self._apply(set(ordered[:ROWS_PER_TURN]))

    def _apply(self, positions: set[int]) -> None:
        batch, route, runner = self.batch, self.route, self.runner
        if batch is None or route is None or runner is None:
            return
        self._pending -= positions
        if positions:
            bid = batch.batch_id
            items = self.store.items_at(bid, positions)
            runs = self.store.runs_at(bid, positions)
            counts = self.store.run_counts(bid) if any(i.attempts > 1 for i in items) else {}
            rows = [
                make_row(
                    route,
                    item,
                    runs.get(item.position),
                    runner.phase(bid, item.position),
                    owed=self._owed(item, counts),
                )
                for item in items
            ]
            model = self.view.model
            first_columns = False
            if not model.columns():
                columns = result_columns(
                    route,
                    (r.result_summary for r in runs.values() if r.state is RunState.SUCCESS),
                )
                if columns:
                    model.set_columns(columns)
                    first_columns = True
            model.update_rows(rows)
            if first_columns:
                # Fitted to the first answers, once they are in the rows (fitted before,
                # "Fm-3m (No. 225)" was cut to the width of its header).
                self.view.fit_columns()
        self.batch = self.store.get(batch.batch_id) or batch
        if batch.state is not BatchState.DONE and self.batch.state is BatchState.DONE:
            self.batch_finished.emit(self.batch.route_id)
        self._show_counts()

    def _show_counts(self) -> None:
        if self.batch is None:
            return
        rows = self.view.model.rows()
        self.view.show_counts(batch_counts(rows), self.batch.state, len(rows))

    def rows(self) -> list[BatchRow]:
        return self.view.model.rows()

    # -- buttons ---------------------------------------------------------------------------
    def _act(self, action: Callable[[str], object], what: str) -> None:
        if self.batch is None or self.runner is None:
            return
        try:
            action(self.batch.batch_id)
        except LedgerError as exc:
            self.view.show_notice(f"Could not {what}: {friendly(exc)}")
            return
        self._pending.update(range(len(self.view.model.rows())))
        self._flush_some()  # (a thousand rows: over a few turns)

    def _on_view_pause_requested(self) -> None:
        if self.runner is not None:
            self._act(self.runner.pause, "pause the batch")

    def _on_view_resume_requested(self) -> None:
        if self.runner is not None:
            self._act(self.runner.resume, "resume the batch")

    def _on_view_cancel_requested(self) -> None:
        if self.runner is not None:
            self._act(self.runner.cancel_rest, "cancel the rest")

    def _on_view_retry_requested(self) -> None:
        if self.runner is not None:
            self._act(self.runner.retry_failed, "retry the failed files")

    def _suggested(self, suffix: str) -> str:
        """A file name next to the batch's input files (where the user will look)."""
        slug = self.route.slug if self.route is not None else "batch"
        name = f"{slug}-batch{suffix}"
        items = self.store.items_at(self.batch.batch_id, [0]) if self.batch else []
        return str(Path(items[0].path).parent / name) if items else name

    def _on_view_export_requested(self) -> None:
        target = self.ask_save_path(self.view, self._suggested(".csv"))
        if target is None:
            return
        text = csv_text(self.view.model.rows(), self.view.model.columns())
        try:
            write_text_atomic(target, text, private=False)
        except OSError as exc:
            self.view.show_notice(f"Could not save the table: {exc}")
            return
        self.view.show_notice(f"Table saved to {target}.")

    def _on_view_provenance_requested(self) -> None:
        if self.batch is None:
            return
        target = self.ask_save_path(self.view, self._suggested("-provenance.json"))
        if target is None:
            return
        try:
            record = batch_provenance(self.store, self.batch.batch_id)
            write_text_atomic(
                target, json.dumps(record, indent=2, ensure_ascii=False) + "\n", private=False
            )
        except (OSError, LedgerError) as exc:
            self.view.show_notice(f"Could not save the record: {exc}")
            return
        self.view.show_notice(f"Provenance of every run saved to {target}.")

    def _on_view_outputs_requested(self) -> None:
        if self.batch is None or self.session.client is None:
            return
        folder = self.ask_folder(self.view)
        if folder is not None:
            self.tasks.run("batch-outputs", self._save_outputs(self.batch.batch_id, folder))

    async def _save_outputs(self, batch_id: str, folder: Path) -> None:
        client = self.session.client
        if client is None:
            return
        self.view.show_notice("Saving the output files…")
        saved = await save_batch_outputs(
            client,
            self.store,
            batch_id,
            folder,
            progress=lambda done, total: self.view.show_notice(
                f"Saving the output files… {done} of {total} runs"
            ),
        )
        n = len(saved.files)
        text = f"{n} output file{'s' if n != 1 else ''} saved to {folder}."
        if not saved.files and not saved.problems:
            text = "These runs returned no output files (their values are in the table)."
        if saved.problems:
            text += " Not saved: " + "; ".join(saved.problems[:5])
        self.view.show_notice(text)
