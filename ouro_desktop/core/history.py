"""The run history as the history pane shows it: one :class:`HistoryEntry` per run.

Entries come from two places -- the local run ledger (:class:`~.run_record.RunRecord`,
so a run started here shows at once, even before the server answered) and the server's
actions (:class:`~ouro_desktop.api.models.Action`, so runs started elsewhere show too).
:func:`merge` joins them into one newest-first list without duplicates.

Also here, because they are plain text and worth testing without Qt: the words for each
state (:data:`STATUS_WORDS`) and the duration / start-time texts of the table's cells.

Part of ``ouro_desktop.core``: no Qt here. Every function is pure and linear (plus one
sort), so 100,000 entries merge in well under a second.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from ouro_desktop.api.models import Action

from .run_given import given_from_action, given_from_record
from .run_policy import epoch
from .run_record import STATE_RANK, UNFINISHED_STATES, RunRecord, RunState, summarize_result

__all__ = [
    "FAILED_STATES",
    "GIVEN_SEPARATOR",
    "STATUS_WORDS",
    "HistoryEntry",
    "entry_from_action",
    "entry_from_record",
    "expected_seconds",
    "format_clock",
    "format_duration",
    "format_running",
    "format_started",
    "merge",
    "route_cell_text",
    "route_label",
    "summary_text",
]

LOCAL_KEY_PREFIX = "local:"
SUMMARY_MAX_CHARS = 120

# The word shown for each state; "Checking" is a run whose POST got no answer yet.
STATUS_WORDS: dict[RunState, str] = {
    RunState.SUBMITTING: "Sending",
    RunState.UNKNOWN: "Checking",
    RunState.QUEUED: "Queued",
    RunState.IN_PROGRESS: "Running",
    RunState.SUCCESS: "Succeeded",
    RunState.ERROR: "Failed",
    RunState.TIMED_OUT: "Timed out",
    RunState.NOT_STARTED: "Not started",
}
FAILED_STATES = frozenset({RunState.ERROR, RunState.TIMED_OUT, RunState.NOT_STARTED})


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One row of the history: a run, wherever it is known from."""

    key: str  # the action id when known, else "local:" + local_id
    action_id: str | None
    local_id: str | None
    route_id: str
    route_name: str
    status: RunState
    started_at: float  # epoch seconds
    finished_at: float | None
    expected_s: float | None  # the route's typical duration, for "0:12 of ~0:30"
    summary: str  # short text: the result's first fields, or the input file names
    error: str | None  # plain-language reason for a failed / timed-out / not-started run
    given: str = ""  # what the run was given: "Cu.cif", "CuSO4·5H2O" (see .run_given)

    @property
    def is_running(self) -> bool:
        """Not finished yet: its duration cell counts up."""
        return self.status in UNFINISHED_STATES

    @property
    def status_word(self) -> str:
        return STATUS_WORDS.get(self.status, "Checking")

    def duration_s(self, now: float | None = None) -> float | None:
        """Seconds taken, or so far for a running run; None if a finished run has no end."""
        if self.finished_at is not None:
            return max(0.0, self.finished_at - self.started_at)
        if self.is_running:
            return max(0.0, (time.time() if now is None else now) - self.started_at)
        return None


# --------------------------------------------------------------------------- building


def expected_seconds(metrics: Mapping[str, Any] | None) -> float | None:
    """A route's typical run time from its metrics (median, else mean), in seconds."""
    for key in ("p50_completion_ms", "avg_completion_ms"):
        value = (metrics or {}).get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value) / 1000.0
    return None


def _scalar_text(value: Any) -> str:
    if type(value) is int:
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return " ".join(str(value).split())


def summary_text(result: Mapping[str, Any] | None, max_chars: int = SUMMARY_MAX_CHARS) -> str:
    """``"energy 1.234, atoms 8"``: a result summary's first fields on one short line."""
    if not result:
        return ""
    parts: list[str] = []
    size = 0
    for key, value in result.items():
        if key.startswith("_") or value is None or isinstance(value, dict | list):
            continue
        part = f"{key} {_scalar_text(value)}" if key != "value" else _scalar_text(value)
        parts.append(part)
        size += len(part) + 2
        if size > max_chars:
            break
    text = ", ".join(parts)
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def _file_names(input_files: Mapping[str, Any]) -> str:
    names = []
    for value in input_files.values():
        name = value.get("name") if isinstance(value, dict) else None
        if isinstance(name, str) and name:
            names.append(name)
    return ", ".join(names)


def entry_from_record(record: RunRecord, expected_s: float | None = None) -> HistoryEntry:
    """The history row of a run from the local ledger."""
    failed = record.state in FAILED_STATES
    summary = summary_text(record.result_summary) or _file_names(record.input_files)
    if not failed and not summary and record.status_detail:
        summary = record.status_detail
    return HistoryEntry(
        key=record.action_id or LOCAL_KEY_PREFIX + record.local_id,
        action_id=record.action_id,
        local_id=record.local_id,
        route_id=record.route_id,
        route_name=record.route_name,
        status=record.state,
        started_at=record.started_at,
        finished_at=record.finished_at,
        expected_s=expected_s,
        summary=summary,
        error=(record.status_detail or STATUS_WORDS[record.state]) if failed else None,
        given=given_from_record(record.input_files, record.body),
    )


_ACTION_STATES: dict[str, RunState] = {}  # server spelling -> state, filled as met


def _action_state(status: str) -> RunState:
    state = _ACTION_STATES.get(status)
    if state is None:
        try:
            state = RunState.parse(status)
        except ValueError:
            state = RunState.UNKNOWN
        # The server only speaks of runs it has; it cannot be "sending" one.
        if state is RunState.SUBMITTING:
            state = RunState.UNKNOWN
        if len(_ACTION_STATES) < 64:  # a bound, should a server invent statuses
            _ACTION_STATES[status] = state
    return state


def entry_from_action(
    action: Action, route_name: str, expected_s: float | None = None
) -> HistoryEntry:
    """The history row of a run the server reported."""
    state = _action_state(action.status)
    started = epoch(action.started_at) or epoch(action.created_at) or 0.0
    summary = ""
    if state is RunState.SUCCESS and action.response is not None:
        summary = summary_text(summarize_result(action.response))
    return HistoryEntry(
        key=action.id,
        action_id=action.id,
        local_id=None,
        route_id=action.route_id,
        route_name=route_name,
        status=state,
        started_at=started,
        finished_at=epoch(action.finished_at) if state.is_terminal else None,
        expected_s=expected_s,
        summary=summary,
        error=action.error_message,
        given=given_from_action(action.input_assets, action.metadata),
    )


def _combine(local: HistoryEntry, server: HistoryEntry) -> HistoryEntry:
    """One row for a run known to both: the further-along state wins, server on a tie.

    The local start time is kept so a run started here does not jump when the server
    answers; everything else comes from whichever side has the fresher state.
    """
    fresher, other = (
        (local, server) if STATE_RANK[local.status] > STATE_RANK[server.status] else (server, local)
    )
    return replace(
        fresher,
        key=server.key,
        action_id=server.action_id,
        local_id=local.local_id,
        route_name=local.route_name or server.route_name,
        started_at=local.started_at or server.started_at,
        finished_at=fresher.finished_at if fresher.finished_at is not None else other.finished_at,
        expected_s=server.expected_s if server.expected_s is not None else local.expected_s,
        summary=fresher.summary or other.summary,
        error=fresher.error if fresher.status in FAILED_STATES else None,
        given=local.given or server.given,
    )


def merge(
    records: Iterable[RunRecord],
    actions: Iterable[Action],
    route_names: Mapping[str, str],
    expected: Mapping[str, float],
) -> list[HistoryEntry]:
    """Server actions and ledger records as one history, newest first, without duplicates.

    A record and an action are the same run when the record has the action's id, or --
    for a record whose POST got no answer, so it has no id yet -- when the action carries
    the record's idempotency key. Such a pair becomes one row (see :func:`_combine`);
    every other record or action is a row of its own. Repeated actions (pages that
    shifted) and repeated records count once. ``route_names`` and ``expected`` are keyed
    by route id; a record's own route name is used when ``route_names`` lacks it.
    """
    with _gc_paused():
        return _merge(records, actions, route_names, expected)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building many small objects that form no cycles.

    With 100,000 records and actions alive, each allocation burst otherwise triggers
    full collections that find nothing -- about a third of the merge's time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _merge(
    records: Iterable[RunRecord],
    actions: Iterable[Action],
    route_names: Mapping[str, str],
    expected: Mapping[str, float],
) -> list[HistoryEntry]:
    by_key: dict[str, HistoryEntry] = {}
    by_idempotency: dict[str, str] = {}  # idempotency key -> key of the record's row
    for record in records:
        entry = entry_from_record(record, expected.get(record.route_id))
        name = route_names.get(record.route_id)
        if name and name != entry.route_name:
            entry = replace(entry, route_name=name)
        previous = by_key.get(entry.key)
        if previous is None or STATE_RANK[entry.status] > STATE_RANK[previous.status]:
            by_key[entry.key] = entry
        if record.action_id is None and record.idempotency_key:
            by_idempotency[record.idempotency_key] = entry.key
    for action in actions:
        name = route_names.get(action.route_id, action.route_id)
        entry = entry_from_action(action, name, expected.get(action.route_id))
        local_key = entry.key if entry.key in by_key else None
        if local_key is None and action.idempotency_key:
            local_key = by_idempotency.pop(action.idempotency_key, None)
        local = by_key.get(local_key) if local_key is not None else None
        if local_key is None or local is None:
            by_key[entry.key] = entry
            continue
        if local_key != entry.key:
            del by_key[local_key]
        if local.local_id is None:  # the same action listed twice: keep the further one
            if STATE_RANK[entry.status] >= STATE_RANK[local.status]:
                by_key[entry.key] = entry
            continue
        by_key[entry.key] = _combine(local, entry)
    # A stable sort on the start time alone keeps equal-time rows in a fixed order.
    return sorted(by_key.values(), key=_started, reverse=True)


def _started(entry: HistoryEntry) -> float:
    return entry.started_at


# --------------------------------------------------------------------------- cell texts


def format_clock(seconds: float) -> str:
    """``0:12``, ``12:05``, ``1:02:03``: elapsed time as a clock."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_duration(seconds: float | None) -> str:
    """``0.4 s``, ``3.2 s``, ``42 s``, ``1 min 05 s``, ``2 h 03 min``; empty if unknown."""
    if seconds is None:
        return ""
    seconds = max(0.0, seconds)
    if seconds < 0.05:
        return "under 0.1 s"  # not "0.0 s": it did take some time
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{int(seconds)} s"
    total = int(seconds)
    if total < 3600:
        minutes, secs = divmod(total, 60)
        return f"{minutes} min {secs:02d} s"
    hours, rest = divmod(total, 3600)
    return f"{hours} h {rest // 60:02d} min"


def format_running(elapsed: float, expected: float | None) -> str:
    """``0:12 of ~0:30`` while a run goes on (just ``0:12`` without an expectation)."""
    text = format_clock(elapsed)
    if expected is not None and expected > 0:
        text += f" of ~{format_clock(max(1.0, expected))}"
    return text


def format_started(started_at: float, today: date | None = None) -> str:
    """Local time: ``today 14:03``, ``yesterday 09:12``, ``12 Mar 14:03``, ``12 Mar 2023``."""
    if started_at <= 0:
        return ""
    when = datetime.fromtimestamp(started_at)
    today = today or date.today()
    day = when.date()
    clock = f"{when.hour:02d}:{when.minute:02d}"
    if day == today:
        return f"today {clock}"
    if day == today - timedelta(days=1):
        return f"yesterday {clock}"
    month = when.strftime("%b")
    if day.year == today.year:
        return f"{day.day} {month} {clock}"
    return f"{day.day} {month} {day.year}"


def route_label(entry: HistoryEntry) -> str:
    """The route column: its title; a bare ``owner/route-name`` loses the owner part (the
    table is narrow, and "demo/…" says nothing). The tooltip has the full name."""
    name = entry.route_name or entry.route_id
    owner, slash, rest = name.partition("/")
    if slash and rest and " " not in name and "/" not in rest and owner:
        return rest
    return name


GIVEN_SEPARATOR = " · "


def route_cell_text(entry: HistoryEntry) -> str:
    """The route column's text: the route, then what the run was given, so runs of one
    route read apart ("predict-electronic-dos-at-fermi-level · Cu.cif")."""
    label = route_label(entry)
    return f"{label}{GIVEN_SEPARATOR}{entry.given}" if entry.given else label
