"""The batch as a table: one row per file, its status in words, the main result values as
labelled columns with units, and failures in plain words; and the same table as CSV.

Columns come from the route's answer as the result view reads it
(:func:`~ouro_desktop.core.result_view.build_view` with the route's response schema): the
top-level numbers and short texts of a finished run's summary, labelled from the schema
(``Fermi energy`` with unit ``eV``). Cells show the rounded value; the CSV keeps the exact
one, with the unit in the header. Qt-free.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ouro_desktop.api.models import Route

from .batch_store import BatchItem, ItemState
from .response_schema import response_schema
from .result_view import ResultItem, build_view
from .run_record import RunRecord, RunState

__all__ = [
    "BatchRow",
    "ResultColumn",
    "ValueCell",
    "batch_counts",
    "csv_text",
    "make_row",
    "result_columns",
    "status_words",
]

MAX_COLUMNS = 8
_PHASE_WORDS = {"checking": "Checking the file…", "uploading": "Uploading…", "sending": "Sending…"}
_RUN_WORDS = {
    RunState.SUBMITTING: "Sending…",
    RunState.UNKNOWN: "Checking with Ouro…",
    RunState.QUEUED: "Queued",
    RunState.IN_PROGRESS: "Running…",
    RunState.SUCCESS: "Done",
    RunState.ERROR: "Failed",
    RunState.TIMED_OUT: "Timed out",
    RunState.NOT_STARTED: "Not started",
}


@dataclass(frozen=True)
class ResultColumn:
    key: str  # the answer's top-level key
    label: str
    unit: str

    @property
    def header(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label


@dataclass(frozen=True, slots=True)
class ValueCell:
    """One value of a row, as read (``text``, rounded) and as sent (``exact``); small,
    because a batch keeps a row per file."""

    text: str
    exact: str
    kind: str  # the result view's kind: "number", "text", "boolean", ...


@dataclass(frozen=True)
class BatchRow:
    position: int
    name: str
    status: str  # in words
    kind: str  # "waiting" | "active" | "done" | "failed" | "cancelled"
    problem: str = ""
    values: Mapping[str, ValueCell] = field(default_factory=dict)
    local_id: str | None = None
    action_id: str | None = None

    def cell(self, column: ResultColumn) -> str:
        item = self.values.get(column.key)
        return "" if item is None else item.text

    def exact(self, column: ResultColumn) -> str:
        item = self.values.get(column.key)
        return "" if item is None else item.exact or item.text


def _top_items(route: Route, summary: Mapping[str, Any]) -> tuple[ResultItem, ...]:
    view = build_view(dict(summary), schema=response_schema(route))
    return view.items


def result_columns(
    route: Route, summaries: Iterable[Mapping[str, Any] | None]
) -> list[ResultColumn]:
    """The columns for the first finished summary: its numbers and short texts, in order."""
    for summary in summaries:
        if not summary:
            continue
        columns = []
        for item in _top_items(route, summary):
            if item.kind in ("number", "text", "boolean") and not item.wrap:
                columns.append(ResultColumn(item.key, item.label, item.unit))
            if len(columns) == MAX_COLUMNS:
                break
        return columns
    return []


def status_words(item: BatchItem, run: RunRecord | None, phase: str | None) -> tuple[str, str]:
    """``(words, kind)`` for a file: its phase on the way, else its run, else its item."""
    if phase is not None:
        return _PHASE_WORDS.get(phase, "Sending…"), "active"
    if item.state is ItemState.FAILED:
        return "Failed", "failed"
    if run is not None:
        words = _RUN_WORDS.get(run.state, run.state.value)
        if run.state is RunState.SUCCESS:
            return words, "done"
        if run.is_terminal:
            return words, "failed"
        return words, "active"
    if item.state is ItemState.CANCELLED:
        return "Cancelled", "cancelled"
    return "Waiting", "waiting"


def make_row(
    route: Route,
    item: BatchItem,
    run: RunRecord | None,
    phase: str | None,
    *,
    owed: bool = False,
) -> BatchRow:
    """The row of one file. ``owed``: a retry is due (the old run's outcome is history)."""
    if owed and phase is None:
        return BatchRow(item.position, item.name, "Waiting (retry)", "waiting")
    status, kind = status_words(item, run, phase)
    problem = ""
    if kind == "failed":
        problem = item.detail or (run.status_detail if run is not None else "") or ""
        if not problem and run is not None and run.state is RunState.TIMED_OUT:
            problem = "Ouro stopped waiting for the service; nothing was charged."
    values: dict[str, ValueCell] = {}
    if run is not None and run.state is RunState.SUCCESS and run.result_summary:
        values = {
            i.key: ValueCell(i.text, i.exact, i.kind)
            for i in _top_items(route, run.result_summary)
            if i.is_scalar
        }
    return BatchRow(
        item.position,
        item.name,
        status,
        kind,
        problem,
        values,
        run.local_id if run else None,
        run.action_id if run else None,
    )


def batch_counts(rows: Iterable[BatchRow]) -> dict[str, int]:
    counts = {"waiting": 0, "active": 0, "done": 0, "failed": 0, "cancelled": 0}
    for row in rows:
        counts[row.kind] = counts.get(row.kind, 0) + 1
    return counts


def csv_text(rows: Sequence[BatchRow], columns: Sequence[ResultColumn]) -> str:
    """The table as CSV: File, Status, the result columns (exact values), Problem, Action id."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["File", "Status", *(c.header for c in columns), "Problem", "Action id"])
    for row in rows:
        writer.writerow(
            [
                row.name,
                row.status,
                *(row.exact(c) for c in columns),
                row.problem,
                row.action_id or "",
            ]
        )
    return out.getvalue()
