"""The run ledger: a local SQLite record of every run started from this app.

The ledger is the source of truth that lets runs survive an app restart and keeps a
paid route from being run twice by accident. The protocol callers follow is:

1. ``record_submission(...)`` -- the row is committed (state ``submitting``) *before*
   the request is sent, so a crash mid-send still leaves a trace.
2. If the request was sent but no answer came back, ``mark_sent_unknown(...)``; a later
   reconciliation either finds the server's action (``attach_action``) or concludes the
   server never got it (``mark_not_started``).
3. ``attach_action(...)`` once the server answered with an action id, then
   ``update_status(...)`` as polling reports progress.

Durability: WAL journal with ``synchronous=FULL``. A committed row survives ``kill -9``
with any mode (it is in the OS page cache); FULL additionally fsyncs the WAL on every
commit so it survives power loss too. Writes are rare (a handful per run), so the
fsync cost is irrelevant next to the value of never losing a paid submission.

Schema versioning: ``PRAGMA user_version`` counts applied entries of ``MIGRATIONS``
(an ordered list; later versions append entries, e.g. ``ALTER TABLE ... ADD COLUMN``).
A file written by a *newer* app (user_version > what this code knows) is opened
**read-only**: the history stays visible (including runs that may still be going, which
is what prevents an accidental second paid run), the file is left untouched for the
newer app, and every write raises :class:`LedgerReadOnlyError` -- the UI must not start
runs from a read-only ledger and tells the user to update. Reads select ``*`` and map
columns by name, so columns a newer version added are ignored.

A damaged file (not a database, malformed, failing ``PRAGMA quick_check``, or a schema
that cannot be migrated) is moved aside as ``<name>.corrupt-<timestamp>`` (with its
``-wal``) and a fresh ledger is started; :meth:`RunLedger.open` returns a plain-language
notice instead of raising. Problems that are *not* damage (disk full, no permission,
locked by another process) raise :class:`LedgerUnavailableError` -- moving a healthy
file aside because it was briefly locked would lose history for nothing.

Threading: one connection, guarded by a lock, so calls may come from the asyncio thread
or a worker thread (``check_same_thread=False``). Every write is one short transaction
and point reads use indexes, so they are fine to call directly on the event loop; the
paged ``list``/``count`` may touch many index entries with large offsets, so callers
may wrap them in ``asyncio.to_thread``.

This module is part of ``ouro_desktop.core`` and imports no Qt.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import math
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = [
    "MIGRATIONS",
    "RESULT_SUMMARY_MAX_BYTES",
    "SCHEMA_VERSION",
    "TERMINAL_STATES",
    "UNFINISHED_STATES",
    "LedgerDamagedError",
    "LedgerError",
    "LedgerReadOnlyError",
    "LedgerUnavailableError",
    "LedgerWriteError",
    "RunLedger",
    "RunRecord",
    "RunState",
    "summarize_result",
]

JsonDict = dict[str, Any]

# Result summaries are for the history list, not for storing outputs; keep rows small.
RESULT_SUMMARY_MAX_BYTES = 4096
# A single long string (e.g. a base64 payload that slipped through) must not eat the cap.
_SUMMARY_MAX_STRING = 512

# Waiting longer would freeze the event loop; another app instance holds the write lock
# only for a single short transaction.
_BUSY_TIMEOUT_S = 2.0


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
_RANK = {
    RunState.SUBMITTING: 0,
    RunState.UNKNOWN: 1,
    RunState.QUEUED: 2,
    RunState.IN_PROGRESS: 3,
    RunState.SUCCESS: 4,
    RunState.ERROR: 4,
    RunState.TIMED_OUT: 4,
    RunState.NOT_STARTED: 4,
}
# Anything unrecognised ranks as terminal: never overwrite a state we do not understand.
_RANK_SQL = (
    "(CASE state "
    + " ".join(f"WHEN '{s.value}' THEN {r}" for s, r in _RANK.items() if r < 4)
    + " ELSE 4 END)"
)
_TERMINAL_SQL = "(" + ", ".join(f"'{s.value}'" for s in sorted(TERMINAL_STATES)) + ")"
_UNFINISHED = tuple(sorted(UNFINISHED_STATES))


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

    @property
    def is_terminal(self) -> bool:
        return self.state.is_terminal

    @property
    def is_unfinished(self) -> bool:
        return self.state.is_unfinished


# --------------------------------------------------------------------------- schema

# Each entry is one schema version: the statements that take the file from version N to
# N+1. Never edit a released entry; append a new one (ALTER TABLE ... ADD COLUMN, new
# indexes). Reads map columns by name, so added columns need no change elsewhere until
# the code wants them.
MIGRATIONS: Sequence[Sequence[str]] = (
    (
        """
        CREATE TABLE runs (
            local_id        TEXT PRIMARY KEY NOT NULL,
            idempotency_key TEXT NOT NULL,
            route_id        TEXT NOT NULL,
            service_id      TEXT NOT NULL,
            route_name      TEXT NOT NULL,
            base_url        TEXT NOT NULL,
            account         TEXT NOT NULL DEFAULT '',
            body            TEXT NOT NULL DEFAULT '{}',
            query           TEXT NOT NULL DEFAULT '{}',
            path_params     TEXT NOT NULL DEFAULT '{}',
            input_assets    TEXT NOT NULL DEFAULT '{}',
            input_files     TEXT NOT NULL DEFAULT '{}',
            state           TEXT NOT NULL,
            action_id       TEXT,
            status_detail   TEXT,
            result_summary  TEXT,
            price_shown     TEXT,
            started_at      REAL NOT NULL,
            updated_at      REAL NOT NULL,
            finished_at     REAL,
            duration_s      REAL
        )
        """,
        "CREATE UNIQUE INDEX runs_idempotency_key ON runs (idempotency_key)",
        # Every page query orders by started_at; the composite indexes let a filtered
        # page walk the index in order instead of sorting all matching rows.
        "CREATE INDEX runs_started_at ON runs (started_at)",
        "CREATE INDEX runs_base_url_started ON runs (base_url, started_at)",
        "CREATE INDEX runs_route_started ON runs (route_id, started_at)",
        "CREATE INDEX runs_state_started ON runs (state, started_at)",
        "CREATE INDEX runs_action_id ON runs (action_id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

# Primary SQLite result codes that mean "cannot use the file right now", not "the file
# is damaged". See https://www.sqlite.org/rescode.html.
_UNAVAILABLE_CODES = frozenset(
    {
        3,  # SQLITE_PERM
        5,  # SQLITE_BUSY
        6,  # SQLITE_LOCKED
        7,  # SQLITE_NOMEM
        8,  # SQLITE_READONLY
        9,  # SQLITE_INTERRUPT
        10,  # SQLITE_IOERR
        13,  # SQLITE_FULL
        14,  # SQLITE_CANTOPEN
        15,  # SQLITE_PROTOCOL
        23,  # SQLITE_AUTH
    }
)


# --------------------------------------------------------------------------- errors


class LedgerError(Exception):
    """Base class; ``str(error)`` is a plain-language message for the user."""


class LedgerUnavailableError(LedgerError):
    """The ledger file could not be opened for a reason other than damage."""


class LedgerReadOnlyError(LedgerError):
    """The ledger was written by a newer app version and is open read-only."""


class LedgerWriteError(LedgerError):
    """A write failed; for ``record_submission`` this means: do not send the request."""


class LedgerDamagedError(LedgerError):
    """The file is not a usable ledger; :meth:`RunLedger.open` moves it aside."""


def _primary_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _is_damage(error: sqlite3.Error) -> bool:
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    code = _primary_code(error)
    return code is None or code not in _UNAVAILABLE_CODES


# --------------------------------------------------------------------------- JSON helpers


def _dumps(value: Any) -> str:
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


def _cap_summary(summary: JsonDict, max_bytes: int = RESULT_SUMMARY_MAX_BYTES) -> JsonDict:
    """Keep leading entries of ``summary`` while the JSON stays under ``max_bytes``."""
    out: JsonDict = {}
    size = 2  # the braces
    for key, value in summary.items():
        if isinstance(value, str) and len(value) > _SUMMARY_MAX_STRING:
            value = value[: _SUMMARY_MAX_STRING - 1] + "…"
        if isinstance(value, float) and not math.isfinite(value):
            value = str(value)  # NaN/inf are not valid JSON for other readers
        item = len(_dumps({str(key): value}).encode("utf-8")) - 1  # minus braces, plus comma
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
    return _cap_summary(scalars, max_bytes)


def _float_or_none(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _state_from_db(value: Any) -> RunState:
    try:
        return RunState.parse(value) if isinstance(value, str) else RunState.UNKNOWN
    except ValueError:
        # A state this version does not know (newer file): "outcome not known here" is
        # the honest reading, and it keeps the run visible as unfinished.
        return RunState.UNKNOWN


def _record_from_row(row: sqlite3.Row) -> RunRecord:
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
)
_INSERT_SQL = (
    f"INSERT INTO runs ({', '.join(_INSERT_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in _INSERT_COLUMNS)})"
)


def _record_params(record: RunRecord) -> dict[str, Any]:
    return {
        "local_id": record.local_id,
        "idempotency_key": record.idempotency_key,
        "route_id": record.route_id,
        "service_id": record.service_id,
        "route_name": record.route_name,
        "base_url": record.base_url,
        "account": record.account,
        "body": _dumps(record.body),
        "query": _dumps(record.query),
        "path_params": _dumps(record.path_params),
        "input_assets": _dumps(record.input_assets),
        "input_files": _dumps(record.input_files),
        "state": record.state.value,
        "action_id": record.action_id,
        "status_detail": record.status_detail,
        "result_summary": (
            None if record.result_summary is None else _dumps(_cap_summary(record.result_summary))
        ),
        "price_shown": record.price_shown,
        "started_at": record.started_at,
        "updated_at": record.updated_at,
        "finished_at": record.finished_at,
        "duration_s": record.duration_s,
    }


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(
    *,
    base_url: str | None,
    route_id: str | None,
    states: Iterable[RunState | str] | None,
    text: str | None,
) -> tuple[str, builtins.list[Any]]:
    clauses: builtins.list[str] = []
    params: builtins.list[Any] = []
    if base_url is not None:
        clauses.append("base_url = ?")
        params.append(base_url)
    if route_id is not None:
        clauses.append("route_id = ?")
        params.append(route_id)
    if states is not None:
        wanted = sorted({RunState.parse(s).value for s in states})
        if not wanted:
            clauses.append("0")
        else:
            clauses.append(f"state IN ({', '.join('?' * len(wanted))})")
            params.extend(wanted)
    if text is not None and text.strip():
        needle = text.strip()
        # LIKE is case-insensitive for ASCII, which covers route names.
        clauses.append("(route_name LIKE ? ESCAPE '\\' OR action_id = ? OR local_id = ?)")
        params.extend([f"%{_escape_like(needle)}%", needle, needle])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


# --------------------------------------------------------------------------- the ledger


class RunLedger:
    """The run history database. Use :meth:`open` from the app; see the module docstring.

    ``RunLedger(path)`` opens strictly: a damaged file raises :class:`LedgerDamagedError`
    instead of being moved aside, and other problems raise
    :class:`LedgerUnavailableError`. Opening runs ``PRAGMA quick_check`` (tens of ms
    for a large history), so open once at startup, not per call.
    """

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._lock = threading.Lock()
        self._read_only = False
        self._conn = self._connect()

    # ----------------------------------------------------------------- opening

    @classmethod
    def open(cls, path: Path) -> tuple[RunLedger, str | None]:
        """Open (creating if needed) the ledger at ``path``; never fails on damage.

        Returns the ledger and a plain-language notice for the user, or ``None`` when
        there is nothing to say. Raises :class:`LedgerUnavailableError` only when the
        file cannot be used at all for a reason other than damage (see module docs).
        """
        path = Path(path)
        try:
            ledger = cls(path)
        except LedgerDamagedError:
            aside = _move_aside(path)
            try:
                ledger = cls(path)
            except LedgerDamagedError as error:  # a brand-new file cannot be damaged
                raise LedgerUnavailableError(
                    f"Could not start a new run history file at {path}: {error}"
                ) from error
            return ledger, (
                f"Your run history file was damaged; it was kept as “{aside.name}” and a "
                "new one started. Runs from before this are not listed here — if one "
                "might still be running, check it on the Ouro website before starting "
                "it again."
            )
        if ledger.read_only:
            return ledger, (
                "Your run history was saved by a newer version of Ouro Desktop. It is "
                "shown read-only and new runs cannot be started until you update "
                "Ouro Desktop."
            )
        return ledger, None

    def _connect(self) -> sqlite3.Connection:
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise LedgerUnavailableError(
                f"Could not create the folder for your run history ({self._path.parent}): "
                f"{error.strerror or error}"
            ) from error
        conn: sqlite3.Connection | None = None
        try:
            conn = self._raw_connect(read_only=False)
            version = self._check(conn)
            if version > len(MIGRATIONS):
                # Do not touch a newer app's file: no WAL switch, no migration.
                conn.close()
                conn = self._raw_connect(read_only=True)
                self._read_only = True
                return conn
            # journal_mode persists in the file; synchronous is per connection.
            conn.execute("PRAGMA journal_mode=WAL").fetchone()
            conn.execute("PRAGMA synchronous=FULL")
            self._migrate(conn, version)
            return conn
        except sqlite3.Error as error:
            if conn is not None:
                conn.close()
            if _is_damage(error):
                raise LedgerDamagedError(str(error)) from error
            raise LedgerUnavailableError(
                f"Could not open your run history file ({self._path}): {error}"
            ) from error
        except LedgerDamagedError:
            if conn is not None:
                conn.close()
            raise

    def _raw_connect(self, *, read_only: bool) -> sqlite3.Connection:
        if read_only:
            conn = sqlite3.connect(
                self._path.resolve().as_uri() + "?mode=ro",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
                timeout=_BUSY_TIMEOUT_S,
            )
        else:
            # isolation_level=None: no implicit transactions; each statement commits on
            # its own unless we say BEGIN, so writes are exactly as long as we make them.
            conn = sqlite3.connect(
                str(self._path),
                isolation_level=None,
                check_same_thread=False,
                timeout=_BUSY_TIMEOUT_S,
            )
        conn.row_factory = sqlite3.Row
        return conn

    @staticmethod
    def _check(conn: sqlite3.Connection) -> int:
        """Return the file's schema version; raise LedgerDamagedError if it is unusable."""
        row = conn.execute("PRAGMA user_version").fetchone()
        version = int(row[0])
        problems = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise LedgerDamagedError("; ".join(problems[:5]))
        if version < 0:
            raise LedgerDamagedError(f"invalid schema version {version}")
        return version

    @staticmethod
    def _migrate(conn: sqlite3.Connection, current: int) -> None:
        # One transaction per version, so a crash mid-upgrade leaves a consistent file
        # at the previous version that simply migrates again next time.
        for version in range(current + 1, len(MIGRATIONS) + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[version - 1]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version:d}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    # ----------------------------------------------------------------- basics

    @property
    def path(self) -> Path:
        return self._path

    @property
    def read_only(self) -> bool:
        """True when the file came from a newer app version; writes then raise."""
        return self._read_only

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if not self._read_only:
                # Cheap, and keeps the planner's statistics sensible as the file grows.
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("PRAGMA optimize")
            self._conn.close()

    def __enter__(self) -> RunLedger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _writing(self, what: str) -> Iterator[sqlite3.Connection]:
        """Serialize a write and turn SQLite failures into a plain LedgerWriteError."""
        if self._read_only:
            raise LedgerReadOnlyError(
                "Your run history was saved by a newer version of Ouro Desktop and is "
                "read-only here; update Ouro Desktop to start new runs."
            )
        with self._lock:
            try:
                yield self._conn
            except sqlite3.Error as error:
                if self._conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                raise LedgerWriteError(
                    f"Could not save {what} to your run history: {error}"
                ) from error

    @contextlib.contextmanager
    def _transaction(self, conn: sqlite3.Connection) -> Iterator[None]:
        # IMMEDIATE takes the write lock up front, so a read-then-write sequence cannot
        # interleave with another app instance writing the same row.
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    # ----------------------------------------------------------------- writes

    def record_submission(
        self,
        *,
        route_id: str,
        service_id: str,
        route_name: str,
        base_url: str,
        account: str = "",
        body: JsonDict | None = None,
        query: JsonDict | None = None,
        path_params: JsonDict | None = None,
        input_assets: JsonDict | None = None,
        input_files: JsonDict | None = None,
        price_shown: str | None = None,
        idempotency_key: str | None = None,
        started_at: float | None = None,
    ) -> RunRecord:
        """Record a run about to be sent; it is committed when this returns.

        Call this *before* sending the request and do not send if it raises
        :class:`LedgerWriteError` -- an unrecorded paid run is what the ledger exists
        to prevent.
        """
        now = time.time()
        record = RunRecord(
            local_id=str(uuid.uuid4()),
            idempotency_key=idempotency_key or str(uuid.uuid4()),
            route_id=route_id,
            service_id=service_id,
            route_name=route_name,
            base_url=base_url,
            account=account,
            body=dict(body or {}),
            query=dict(query or {}),
            path_params=dict(path_params or {}),
            input_assets=dict(input_assets or {}),
            input_files=dict(input_files or {}),
            state=RunState.SUBMITTING,
            started_at=now if started_at is None else started_at,
            updated_at=now,
            price_shown=price_shown,
        )
        with self._writing("the new run") as conn:
            conn.execute(_INSERT_SQL, _record_params(record))
        return record

    def bulk_insert(self, records: Iterable[RunRecord]) -> int:
        """Insert finished records in one transaction (imports, tests); returns count."""
        with self._writing("the imported runs") as conn, self._transaction(conn):
            cursor = conn.executemany(_INSERT_SQL, (_record_params(r) for r in records))
            return cursor.rowcount

    def mark_sent_unknown(self, local_id: str, detail: str | None = None) -> bool:
        """The request left but no answer came: the outcome is unknown. True if applied."""
        with self._writing("the run's status") as conn:
            cursor = conn.execute(
                "UPDATE runs SET state = ?, status_detail = COALESCE(?, status_detail), "
                "updated_at = ? WHERE local_id = ? AND state = ? AND action_id IS NULL",
                (RunState.UNKNOWN.value, detail, time.time(), local_id, RunState.SUBMITTING),
            )
            return cursor.rowcount > 0

    def mark_not_started(self, local_id: str, detail: str | None = None) -> bool:
        """Reconciliation found the server never got the request. True if applied.

        Only a run without an action id can be "not started": once the server gave an
        id, it certainly got the request.
        """
        now = time.time()
        with self._writing("the run's status") as conn:
            cursor = conn.execute(
                "UPDATE runs SET state = ?, status_detail = COALESCE(?, status_detail), "
                "finished_at = ?, duration_s = MAX(0.0, ? - started_at), updated_at = ? "
                "WHERE local_id = ? AND state IN (?, ?) AND action_id IS NULL",
                (
                    RunState.NOT_STARTED.value,
                    detail,
                    now,
                    now,
                    now,
                    local_id,
                    RunState.SUBMITTING.value,
                    RunState.UNKNOWN.value,
                ),
            )
            return cursor.rowcount > 0

    def attach_action(
        self,
        local_id: str,
        action_id: str,
        status: RunState | str,
        *,
        detail: str | None = None,
        finished_at: float | None = None,
        result_summary: JsonDict | None = None,
    ) -> bool:
        """The server answered with ``action_id``; record it and its status.

        Returns False if the run is unknown or already has a *different* action id.
        The status follows the same forward-only rule as :meth:`update_status`, with
        one exception: a run reconciled as ``not-started`` is revived, because an
        action id from the server is proof that it did start.
        """
        state = RunState.parse(status)
        now = time.time()
        with self._writing("the run's action") as conn, self._transaction(conn):
            conn.execute(
                "UPDATE runs SET action_id = ?, updated_at = ? "
                "WHERE local_id = ? AND action_id IS NULL",
                (action_id, now, local_id),
            )
            matched = conn.execute(
                "SELECT 1 FROM runs WHERE local_id = ? AND action_id = ?",
                (local_id, action_id),
            ).fetchone()
            if matched is None:
                return False
            conn.execute(
                "UPDATE runs SET state = ?, finished_at = NULL, duration_s = NULL, "
                "updated_at = ? WHERE local_id = ? AND state = ?",
                (RunState.UNKNOWN.value, now, local_id, RunState.NOT_STARTED.value),
            )
            if state not in (RunState.SUBMITTING, RunState.UNKNOWN, RunState.NOT_STARTED):
                self._advance(conn, local_id, state, detail, finished_at, result_summary, now)
            return True

    def update_status(
        self,
        local_id: str,
        status: RunState | str,
        *,
        detail: str | None = None,
        finished_at: float | None = None,
        result_summary: JsonDict | None = None,
    ) -> bool:
        """Record a status reported by the server. Returns True if the row changed.

        States only move forward (submitting → unknown → queued → in-progress →
        terminal). A terminal state is never replaced -- a late "in-progress" poll
        cannot overwrite "success" -- but repeating the same state may fill in
        ``detail``/``result_summary``. ``finished_at`` defaults to now for terminal
        states and, once set, is kept.
        """
        state = RunState.parse(status)
        if state in (RunState.SUBMITTING, RunState.UNKNOWN, RunState.NOT_STARTED):
            raise ValueError(
                f"use record_submission/mark_sent_unknown/mark_not_started for {state.value!r}"
            )
        with self._writing("the run's status") as conn:
            return self._advance(
                conn, local_id, state, detail, finished_at, result_summary, time.time()
            )

    @staticmethod
    def _advance(
        conn: sqlite3.Connection,
        local_id: str,
        state: RunState,
        detail: str | None,
        finished_at: float | None,
        result_summary: JsonDict | None,
        now: float,
    ) -> bool:
        terminal = state.is_terminal
        finished = (finished_at if finished_at is not None else now) if terminal else None
        summary = None if result_summary is None else _dumps(_cap_summary(result_summary))
        # The WHERE clause is the guard: terminal rows are frozen (except for refreshing
        # the same state) and non-terminal rows only move up the rank order. SET
        # expressions see the row's old values, so COALESCE keeps a first finished_at.
        cursor = conn.execute(
            "UPDATE runs SET state = :state, "
            "status_detail = COALESCE(:detail, status_detail), "
            "result_summary = COALESCE(:summary, result_summary), "
            "finished_at = CASE WHEN :terminal THEN COALESCE(finished_at, :finished) END, "
            "duration_s = CASE WHEN :terminal "
            "THEN MAX(0.0, COALESCE(finished_at, :finished) - started_at) END, "
            "updated_at = :now "
            "WHERE local_id = :local_id AND (state = :state OR "
            f"(state NOT IN {_TERMINAL_SQL} AND {_RANK_SQL} < :rank))",
            {
                "state": state.value,
                "detail": detail,
                "summary": summary,
                "terminal": terminal,
                "finished": finished,
                "now": now,
                "local_id": local_id,
                "rank": _RANK[state],
            },
        )
        return cursor.rowcount > 0

    # ----------------------------------------------------------------- reads

    def get(self, local_id: str) -> RunRecord | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM runs WHERE local_id = ?", (local_id,))
            found = row.fetchone()
        return None if found is None else _record_from_row(found)

    def by_action_id(self, action_id: str, *, base_url: str | None = None) -> RunRecord | None:
        """The run with this server action id (newest if several servers reused it)."""
        sql = "SELECT * FROM runs WHERE action_id = ?"
        params: builtins.list[Any] = [action_id]
        if base_url is not None:
            sql += " AND base_url = ?"
            params.append(base_url)
        with self._lock:
            found = self._conn.execute(sql + " ORDER BY started_at DESC LIMIT 1", params).fetchone()
        return None if found is None else _record_from_row(found)

    def by_idempotency_key(self, key: str) -> RunRecord | None:
        with self._lock:
            found = self._conn.execute(
                "SELECT * FROM runs WHERE idempotency_key = ?", (key,)
            ).fetchone()
        return None if found is None else _record_from_row(found)

    def unfinished(self, base_url: str | None = None) -> builtins.list[RunRecord]:
        """Runs whose outcome is not settled yet (to reconcile or resume), newest first."""
        return self.list(base_url=base_url, states=_UNFINISHED, limit=-1)

    def list(
        self,
        *,
        base_url: str | None = None,
        route_id: str | None = None,
        states: Iterable[RunState | str] | None = None,
        text: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[RunRecord]:
        """A page of runs, newest first. ``limit=-1`` means no limit."""
        sql, params = self._list_sql(base_url, route_id, states, text, limit, offset)
        with self._lock:
            rows = self._conn.execute(sql, params).fetchall()
        return [_record_from_row(row) for row in rows]

    def count(
        self,
        *,
        base_url: str | None = None,
        route_id: str | None = None,
        states: Iterable[RunState | str] | None = None,
        text: str | None = None,
    ) -> int:
        where, params = _where(base_url=base_url, route_id=route_id, states=states, text=text)
        with self._lock:
            return int(
                self._conn.execute("SELECT COUNT(*) FROM runs" + where, params).fetchone()[0]
            )

    def explain_list(
        self,
        *,
        base_url: str | None = None,
        route_id: str | None = None,
        states: Iterable[RunState | str] | None = None,
        text: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[str]:
        """SQLite's query plan for :meth:`list` with these filters (diagnostics, tests)."""
        sql, params = self._list_sql(base_url, route_id, states, text, limit, offset)
        with self._lock:
            rows = self._conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        return [str(row["detail"]) for row in rows]

    @staticmethod
    def _list_sql(
        base_url: str | None,
        route_id: str | None,
        states: Iterable[RunState | str] | None,
        text: str | None,
        limit: int,
        offset: int,
    ) -> tuple[str, builtins.list[Any]]:
        where, params = _where(base_url=base_url, route_id=route_id, states=states, text=text)
        # rowid breaks ties between equal start times; it is the implicit last column of
        # every index, so ordering by it does not defeat the started_at indexes.
        sql = (
            "SELECT * FROM runs" + where + " ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?"
        )
        params.extend([int(limit), max(0, int(offset))])
        return sql, params


def _move_aside(path: Path) -> Path:
    """Rename a damaged ledger (and its WAL) out of the way; return the new path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while aside.exists():
        counter += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    try:
        os.replace(path, aside)
        # Keep the WAL with its database (it may hold the newest committed rows); the
        # shared-memory index is rebuilt from the WAL, so it can simply go.
        for suffix in ("-wal", "-journal"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
        shm = path.with_name(path.name + "-shm")
        if shm.exists():
            shm.unlink()
    except OSError as error:
        raise LedgerUnavailableError(
            f"Your run history file ({path}) is damaged and could not be moved aside: "
            f"{error.strerror or error}"
        ) from error
    return aside
