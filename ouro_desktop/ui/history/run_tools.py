"""Show code and Compare for runs in the history.

"Show code" writes a script that runs the same request again with the official SDK,
uploading the real input files when this computer still has them. "Compare" puts two
runs side by side: the earlier run first, each answer fetched if the list left it out,
the table (and, for small answers, a JSON text diff) worked out in a worker thread, which
the dialog's Cancel stops. The history controller owns one :class:`RunTools`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from ouro_desktop.api.errors import OuroError
from ouro_desktop.api.models import Action, Route
from ouro_desktop.core.history import LOCAL_KEY_PREFIX, HistoryEntry
from ouro_desktop.core.history_diff import response_diff, run_inputs
from ouro_desktop.core.ledger import RunRecord
from ouro_desktop.core.letting_go import replace_in
from ouro_desktop.core.run_compare import CompareCancelled, Comparison, compare_runs
from ouro_desktop.core.run_compare import RunSide as CompareSide
from ouro_desktop.core.run_context import lacks_response
from ouro_desktop.core.session import Session
from ouro_desktop.core.snippets import run_snippet
from ouro_desktop.ui.common.tasks import TaskRunner, off_thread
from ouro_desktop.ui.history.compare import CompareDialog
from ouro_desktop.ui.history.detail import CodeDialog, RunDetail
from ouro_desktop.ui.history.pane import HistoryPane

RunInputs = tuple[RunRecord | None, Action | None, dict[str, object]]


def _run_label(entry: HistoryEntry | None, key: str) -> str:
    """A run as the compare dialog names it: its route and when it started."""
    if entry is None:
        return f"Run {key[:8]}"
    when = ""
    if entry.started_at > 0:
        when = " " + datetime.fromtimestamp(entry.started_at).strftime("%H:%M:%S")
    return f"{entry.route_name}{when}"


WORK_S = 0.0005  # the comparing worker's work between two pauses, at most
BREATH_S = 0.0002  # and its pause then


def _breathing(stop: threading.Event) -> Callable[[], bool]:
    """``stop.is_set`` for :func:`compare_runs`, which asks it between values and chunks of
    long lists; after every :data:`WORK_S` of work it pauses for :data:`BREATH_S` first.
    Without the pause the window's thread, whenever Qt calls into Python (a repaint of
    the dialog makes hundreds of calls), waits for the worker to hand over the
    interpreter (see ``ouro_desktop/api/_json.py``); paused, it has it at once."""
    since = time.perf_counter()

    def cancel() -> bool:
        nonlocal since
        if time.perf_counter() - since > WORK_S:
            time.sleep(BREATH_S)
            since = time.perf_counter()
        return stop.is_set()

    return cancel


def _compare_runs(
    a: CompareSide, b: CompareSide, route: Route | None, stop: threading.Event
) -> tuple[Comparison, list[str]]:
    """In a worker: the table, then (for small answers) the JSON text diff."""
    comparison = compare_runs(a, b, route=route, cancel=_breathing(stop))
    if stop.is_set():
        raise CompareCancelled
    return comparison, response_diff(a.response, b.response, labels=(a.label, b.label))


def _input_files(files: dict[str, Any], record: RunRecord | None) -> dict[str, dict[str, Any]]:
    """Each input file's name, asset id and, for a run started here, the local path it was
    read from (kept in the ledger at submit), so the code can upload the real file."""
    out: dict[str, dict[str, Any]] = {}
    for key, info in files.items():
        entry = dict(info) if isinstance(info, dict) else {}
        kept = record.input_files.get(key) if record is not None else None
        if isinstance(kept, dict):
            for field in ("name", "path"):
                if isinstance(kept.get(field), str) and kept[field]:
                    entry.setdefault(field, kept[field])
        out[str(key)] = entry
    return out


class RunTools:
    """Shows a run's code and compares two runs; the controller says what a key's run,
    action and inputs are (``inputs``) and finds routes (``route_for``)."""

    def __init__(
        self,
        pane: HistoryPane,
        detail: RunDetail,
        session: Session,
        tasks: TaskRunner,
        actions: dict[str, Action],
        *,
        inputs: Callable[[str], RunInputs],
        route_for: Callable[[str], Awaitable[Route | None]],
    ) -> None:
        self.pane, self.detail, self.session, self.tasks = pane, detail, session, tasks
        self._actions = actions  # the controller's: a fetched answer is kept for it too
        self._inputs, self._route_for = inputs, route_for
        self.last_dialog: QWidget | None = None
        detail.show_code_requested.connect(self._on_detail_show_code_requested)
        pane.compare_requested.connect(self._on_pane_compare_requested)

    def _on_detail_show_code_requested(self, key: str) -> None:
        self.tasks.run("show-code", self._show_code(key))

    async def _show_code(self, key: str) -> None:
        record, action, inputs = self._inputs(key)
        route_id = record.route_id if record else (action.route_id if action else "")
        route = await self._route_for(route_id) if route_id else None
        if route is None:
            return
        files = inputs.get("files") or {}
        assert isinstance(files, dict)
        account = self.session.account
        demo = account is not None and account.demo
        base = account.base_url if account and not demo else "http://127.0.0.1:8765"
        code = run_snippet(
            route,
            body=dict(inputs.get("body") or {}),
            query=dict(inputs.get("query") or {}),
            path_params=dict(inputs.get("path") or {}),
            input_assets={k: str(v.get("asset_id")) for k, v in files.items()},
            base_url=base,
            input_files=_input_files(files, record),
            demo=demo,
        )
        dialog = CodeDialog(
            code, title=f"Code for this run of {route.full_name}", parent=self.detail
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.last_dialog = dialog

    def _on_pane_compare_requested(self, key_a: str, key_b: str) -> None:
        self.tasks.run("compare", self._compare(key_a, key_b))

    async def _compare(self, key_a: str, key_b: str) -> None:
        # The earlier run first: changes read as "from the first run to the later one".
        entries = [self.pane.model.entry_for(k) for k in (key_a, key_b)]
        if all(entries) and entries[0].started_at > entries[1].started_at:  # type: ignore[union-attr]
            key_a, key_b = key_b, key_a
        client = self.session.client
        sides: list[CompareSide] = []
        route_ids = set()
        for key in (key_a, key_b):
            record, action, inputs = self._inputs(key)
            missing = action is None or lacks_response(action)
            if missing and client is not None and not key.startswith(LOCAL_KEY_PREFIX):
                try:  # lists leave answers out: fetch this one's (read off the loop)
                    action = await client.get_action(action.id if action else key)
                except OuroError:
                    pass
                else:
                    replace_in(self._actions, action.id, action)
            entry = self.pane.model.entry_for(key)
            label = _run_label(entry, key)
            route_ids.add(record.route_id if record else (action.route_id if action else ""))
            inputs = run_inputs(action, record)
            sides.append(CompareSide(inputs, action.response if action else None, label))
        if sides[0].label == sides[1].label:
            sides = [replace(sides[0], label="Run A"), replace(sides[1], label="Run B")]
        route_id = route_ids.pop() if len(route_ids) == 1 else ""
        route = await self._route_for(route_id) if route_id else None
        dialog = CompareDialog((sides[0].label, sides[1].label), parent=self.pane)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        stop = threading.Event()
        dialog.cancel_requested.connect(stop.set)
        dialog.show()
        self.last_dialog = dialog
        try:
            comparison, diff = await off_thread(_compare_runs, sides[0], sides[1], route, stop)
        except CompareCancelled:
            if shiboken6.isValid(dialog):  # closed (and deleted) meanwhile: nothing to say
                dialog.show_cancelled()
            return
        if shiboken6.isValid(dialog):
            dialog.show_comparison(comparison, diff)
