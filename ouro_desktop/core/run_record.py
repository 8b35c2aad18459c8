"""One run as the ledger stores it: its states, the record, and the row codec.

* :class:`RunState` -- where a run stands, with the forward-only order the ledger
  enforces (:data:`STATE_RANK`), and the :data:`TERMINAL_STATES` /
  :data:`UNFINISHED_STATES` sets.
* :class:`RunRecord` -- one row of the ``runs`` table, as a frozen dataclass.
* :func:`summarize_result` -- the small JSON summary of a response kept with a run.
* :func:`record_from_row` / :func:`record_params` / :data:`INSERT_SQL` -- turning a
  ``runs`` row into a record and back. Decoding is tolerant: junk JSON reads as ``{}``
  and a state this version does not know reads as ``unknown``.

:mod:`ouro_desktop.core.ledger` re-exports the public names; import them from there.
This module is part of ``ouro_desktop.core`` and imports no Qt.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "INSERT_SQL",
    "RESULT_SUMMARY_MAX_BYTES",
    "STATE_RANK",
    "TERMINAL_STATES",
    "UNFINISHED_STATES",
    "JsonDict",
    "RunRecord",
    "RunState",
    "cap_summary",
    "dumps_json",
    "record_from_row",
    "record_params",
    "summarize_result",
]

JsonDict = dict[str, Any]

# Result summaries are for the history list, not for storing outputs; keep rows small.
RESULT_SUMMARY_MAX_BYTES = 4096
# A single long string (e.g. a base64 payload that slipped through) must not eat the cap.
_SUMMARY_MAX_STRING = 512


class RunState(StrEnum):
    """Where a run stands, as far as this app knows."""

    SUBMITTING = "submitting"  # written before the POST; the request may not have left
    UNKNOWN = "unknown"  # the POST was sent but no answer came back
    QUEUED = "queued"
    IN_PROGRESS = "in-progress"
    SUCCESS = "success"
    ERROR = "error"
    TIMED_OUT = "timed-out"
    NOT_STARTED = "not-started"  # reconciled: the server never got the request

    @classmethod
    def parse(cls, value: str | RunState) -> RunState:
        """Accept server spellings (``in_progress``, ``Timed-Out``); raise ValueError."""
        if isinstance(value, RunState):
            return value
        normalized = str(value).strip().lower().replace("_", "-")
        try:
            return cls(normalized)
        except ValueError:
            raise ValueError(f"unknown run state: {value!r}") from None

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATES

    @property
    def is_unfinished(self) -> bool:
        return self in UNFINISHED_STATES


TERMINAL_STATES = frozenset(
    {RunState.SUCCESS, RunState.ERROR, RunState.TIMED_OUT, RunState.NOT_STARTED}
)
UNFINISHED_STATES = frozenset(
    {RunState.SUBMITTING, RunState.UNKNOWN, RunState.QUEUED, RunState.IN_PROGRESS}
)

# States only move forward along this order; all terminal states share the top rank so
# one terminal state can never replace another (a late "error" must not undo "success").
STATE_RANK: dict[RunState, int] = {
    RunState.SUBMITTING: 0,
    RunState.UNKNOWN: 1,
    RunState.QUEUED: 2,
    RunState.IN_PROGRESS: 3,
    RunState.SUCCESS: 4,
    RunState.ERROR: 4,
    RunState.TIMED_OUT: 4,
    RunState.NOT_STARTED: 4,
}


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One run as stored in the ledger. Treat the dict fields as read-only."""

    local_id: str
    idempotency_key: str
    route_id: str
    service_id: str
    route_name: str
    base_url: str
    account: str
    body: JsonDict
    query: JsonDict
    path_params: JsonDict
    input_assets: JsonDict  # input key -> asset id
    input_files: JsonDict  # input key -> {"name": original file name, "asset_id": ...}
    state: RunState
    started_at: float
    updated_at: float
    action_id: str | None = None
    status_detail: str | None = None  # plain-language message, e.g. the error
    finished_at: float | None = None
    duration_s: float | None = None
    result_summary: JsonDict | None = None
    price_shown: str | None = None  # the price the user confirmed, for paid routes
    # Facts kept for the run's provenance record (see :mod:`.provenance`), or None for a
    # run recorded before this was kept.
    provenance: JsonDict | None = None
    batch_id: str | None = None  # the folder batch this run belongs to, if any
    batch_item: int | None = None  # the file's place in that batch

    @property
    def is_terminal(self) -> bool:
        return self.state.is_terminal

    @property
    def is_unfinished(self) -> bool:
        return self.state.is_unfinished


# --------------------------------------------------------------------------- JSON


def dumps_json(value: Any) -> str:
    # default=str: a stray Path or datetime in a body must not stop the run being recorded.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _loads_dict(text: Any) -> JsonDict:
    """Parse a stored JSON object; junk yields ``{}`` rather than an exception."""
    if not isinstance(text, str | bytes):
        return {}
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def cap_summary(summary: JsonDict, max_bytes: int = RESULT_SUMMARY_MAX_BYTES) -> JsonDict:
    """Keep leading entries of ``summary`` while the JSON stays under ``max_bytes``."""
    out: JsonDict = {}
    size = 2  # the braces
    for key, value in summary.items():
        if isinstance(value, str) and len(value) > _SUMMARY_MAX_STRING:
            value = value[: _SUMMARY_MAX_STRING - 1] + "…"
        if isinstance(value, float) and not math.isfinite(value):
            value = str(value)  # NaN/inf are not valid JSON for other readers
        item = len(dumps_json({str(key): value}).encode("utf-8")) - 1  # minus braces, plus comma
        if size + item > max_bytes - 20:  # leave room for the truncation marker
            out["_truncated"] = True
            break
        out[str(key)] = value
        size += item
    return out


def summarize_result(response: Any, max_bytes: int = RESULT_SUMMARY_MAX_BYTES) -> JsonDict:
    """A small JSON summary of a route's response: its first-level scalar fields.

    Nested objects and lists (outputs, base64 files) are skipped; the result is capped
    at about ``max_bytes`` of JSON.
    """
    if isinstance(response, dict):
        scalars = {str(k): v for k, v in response.items() if _is_scalar(v)}
    elif _is_scalar(response):
        scalars = {"value": response}
    else:
        scalars = {}
    return cap_summary(scalars, max_bytes)


# --------------------------------------------------------------------------- row codec


def _float_or_none(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _state_from_db(value: Any) -> RunState:
    try:
        return RunState.parse(value) if isinstance(value, str) else RunState.UNKNOWN
    except ValueError:
        # A state this version does not know (newer file): "outcome not known here" is
        # the honest reading, and it keeps the run visible as unfinished.
        return RunState.UNKNOWN


def record_from_row(row: sqlite3.Row) -> RunRecord:
    """Decode a ``runs`` row by column name; columns a newer version added are ignored."""
    data = {key: row[key] for key in row.keys()}
    summary_text = data.get("result_summary")
    return RunRecord(
        local_id=str(data.get("local_id", "")),
        idempotency_key=str(data.get("idempotency_key") or ""),
        route_id=str(data.get("route_id") or ""),
        service_id=str(data.get("service_id") or ""),
        route_name=str(data.get("route_name") or ""),
        base_url=str(data.get("base_url") or ""),
        account=str(data.get("account") or ""),
        body=_loads_dict(data.get("body")),
        query=_loads_dict(data.get("query")),
        path_params=_loads_dict(data.get("path_params")),
        input_assets=_loads_dict(data.get("input_assets")),
        input_files=_loads_dict(data.get("input_files")),
        state=_state_from_db(data.get("state")),
        started_at=_float_or_none(data.get("started_at")) or 0.0,
        updated_at=_float_or_none(data.get("updated_at")) or 0.0,
        action_id=_str_or_none(data.get("action_id")),
        status_detail=_str_or_none(data.get("status_detail")),
        finished_at=_float_or_none(data.get("finished_at")),
        duration_s=_float_or_none(data.get("duration_s")),
        result_summary=None if summary_text is None else _loads_dict(summary_text),
        price_shown=_str_or_none(data.get("price_shown")),
        provenance=None if data.get("provenance") is None else _loads_dict(data["provenance"]),
        batch_id=_str_or_none(data.get("batch_id")),
        batch_item=_int_or_none(data.get("batch_item")),
    )


_INSERT_COLUMNS = (
    "local_id",
    "idempotency_key",
    "route_id",
    "service_id",
    "route_name",
    "base_url",
    "account",
    "body",
    "query",
    "path_params",
    "input_assets",
    "input_files",
    "state",
    "action_id",
    "status_detail",
    "result_summary",
    "price_shown",
    "started_at",
    "updated_at",
    "finished_at",
    "duration_s",
    "provenance",
    "batch_id",
    "batch_item",
)
INSERT_SQL = (
    f"INSERT INTO runs ({', '.join(_INSERT_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in _INSERT_COLUMNS)})"
)


def record_params(record: RunRecord) -> dict[str, Any]:
    """The named parameters of :data:`INSERT_SQL` for ``record``."""
    return {
        "local_id": record.local_id,
        "idempotency_key": record.idempotency_key,
        "route_id": record.route_id,
        "service_id": record.service_id,
        "route_name": record.route_name,
        "base_url": record.base_url,
        "account": record.account,
        "body": dumps_json(record.body),
        "query": dumps_json(record.query),
        "path_params": dumps_json(record.path_params),
        "input_assets": dumps_json(record.input_assets),
        "input_files": dumps_json(record.input_files),
        "state": record.state.value,
        "action_id": record.action_id,
        "status_detail": record.status_detail,
        "result_summary": (
            None
            if record.result_summary is None
            else dumps_json(cap_summary(record.result_summary))
        ),
        "price_shown": record.price_shown,
        "started_at": record.started_at,
        "updated_at": record.updated_at,
        "finished_at": record.finished_at,
        "duration_s": record.duration_s,
        "provenance": None if record.provenance is None else dumps_json(record.provenance),
        "batch_id": record.batch_id,
        "batch_item": record.batch_item,
    }
