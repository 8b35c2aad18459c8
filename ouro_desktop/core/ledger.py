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

The ledger is split over five modules; this one holds :class:`RunLedger` (opening,
writes, reads) and re-exports everything callers need, so import from here:

* :mod:`~ouro_desktop.core.run_record` -- :class:`RunState`, :class:`RunRecord`,
  :func:`summarize_result` and the row codec;
* :mod:`~ouro_desktop.core.ledger_schema` -- the schema and ``MIGRATIONS``, durability
  (WAL, ``synchronous=FULL``), versioning (a newer app's file opens **read-only**), and
  damage handling (a damaged file is moved aside and a fresh ledger started;
  :meth:`RunLedger.open` returns a plain-language notice instead of raising);
* :mod:`~ouro_desktop.core.ledger_queries` -- the SQL of the list filters and paging;
* :mod:`~ouro_desktop.core.ledger_errors` -- the errors, each with a message for users.

Damage checks at open: the full ``PRAGMA quick_check`` reads the whole file (~60 ms
for 100,000 runs), so it runs only when the previous session did not close cleanly
(crash, ``kill -9``, another instance still open) or the file changed since. After a
clean :meth:`RunLedger.close` a ``<name>-clean`` marker next to the file -- its size,
mtime and inode as that close left it, consumed by the next open -- lets the open read
only the header and the schema, which still rejects a file that is not a database or
is truncated. A read or write that hits corruption during a session suppresses the
marker, so the next start runs the full check. The details and the trade-off are in
:mod:`~ouro_desktop.core.ledger_schema`; :attr:`RunLedger.integrity_checked` says
which check an open ran. Call :meth:`RunLedger.close` on the way out to keep start-up
fast.

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
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .ledger_errors import (
    LedgerDamagedError,
    LedgerError,
    LedgerReadOnlyError,
    LedgerUnavailableError,
    LedgerWriteError,
)
from .ledger_queries import page_sql, where_sql
from .ledger_schema import (
    BUSY_TIMEOUT_S,
    MIGRATIONS,
    SCHEMA_VERSION,
    connect,
    is_corruption,
    mark_clean,
)
from .ledger_schema import move_aside as _move_aside
from .run_record import (
    INSERT_SQL,
    RESULT_SUMMARY_MAX_BYTES,
    STATE_RANK,
    TERMINAL_STATES,
    UNFINISHED_STATES,
    JsonDict,
    RunRecord,
    RunState,
    cap_summary,
    dumps_json,
    record_from_row,
    record_params,
    summarize_result,
)

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

# RunLedger passes this module's MIGRATIONS and _BUSY_TIMEOUT_S to ledger_schema.connect
# each time it opens a file, so both can be overridden here (the tests patch them).
_BUSY_TIMEOUT_S = BUSY_TIMEOUT_S

# Anything unrecognised ranks as terminal: never overwrite a state we do not understand.
_RANK_SQL = (
    "(CASE state "
    + " ".join(f"WHEN '{s.value}' THEN {r}" for s, r in STATE_RANK.items() if r < 4)
    + " ELSE 4 END)"
)
_TERMINAL_SQL = "(" + ", ".join(f"'{s.value}'" for s in sorted(TERMINAL_STATES)) + ")"
_UNFINISHED = tuple(sorted(UNFINISHED_STATES))


# --------------------------------------------------------------------------- the ledger


class RunLedger:
    """The run history database. Use :meth:`open` from the app; see the module docstring.

    ``RunLedger(path)`` opens strictly: a damaged file raises :class:`LedgerDamagedError`
    instead of being moved aside, and other problems raise
    :class:`LedgerUnavailableError`. Opening after an unclean shutdown runs ``PRAGMA
    quick_check`` (tens of ms for a large history), so open once at startup, not per
    call, and :meth:`close` on the way out.
    """

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._lock = threading.Lock()
        self._conn, self._read_only, self._integrity_checked = connect(
            self._path, migrations=MIGRATIONS, busy_timeout_s=_BUSY_TIMEOUT_S
        )
        self._damage_seen = False
        self._closed = False
        self._waits_for_disk = True  # the connection's synchronous mode (FULL at open)

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

    # ----------------------------------------------------------------- basics

    @property
    def path(self) -> Path:
        return self._path

    @property
    def read_only(self) -> bool:
        """True when the file came from a newer app version; writes then raise."""
        return self._read_only

    @property
    def integrity_checked(self) -> bool:
        """True if opening ran the full ``PRAGMA quick_check``.

        False when the previous session closed cleanly and only the cheap check ran
        (see the module docstring).
        """
        return self._integrity_checked

    @property
    def schema_version(self) -> int:
        with self._reading() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        """Close the file; a writable ledger that saw no damage is marked as closed cleanly.

        The marker lets the next open skip the full ``quick_check``. Closing twice is
        harmless.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if not self._read_only:
                # Cheap, and keeps the planner's statistics sensible as the file grows.
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("PRAGMA optimize")
            self._conn.close()
            if not self._read_only and not self._damage_seen:
                mark_clean(self._path)

    def __enter__(self) -> RunLedger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _writing(self, what: str, *, flush: bool = True) -> Iterator[sqlite3.Connection]:
        """Serialize a write and turn SQLite failures into a plain LedgerWriteError.

        ``flush=False`` commits without waiting for the disk (``synchronous=NORMAL``):
        for status updates Ouro can tell again. The row still survives ``kill -9``; only
        a power cut could lose it, and then ``resume()`` re-learns it from Ouro. Other
        writes wait for the disk (the mode is per connection: set back each time)."""
        if self._read_only:
            raise LedgerReadOnlyError(
                "Your run history was saved by a newer version of Ouro Desktop and is "
                "read-only here; update Ouro Desktop to start new runs."
            )
        with self._lock:
            if flush is not self._waits_for_disk:
                self._conn.execute(f"PRAGMA synchronous={'FULL' if flush else 'NORMAL'}")
                self._waits_for_disk = flush
            try:
                yield self._conn
            except sqlite3.Error as error:
                if is_corruption(error):
                    self._damage_seen = True
                if self._conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                raise LedgerWriteError(
                    f"Could not save {what} to your run history: {error}"
                ) from error

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """Serialize a read; errors propagate unchanged, corruption is remembered."""
        with self._lock:
            try:
                yield self._conn
            except sqlite3.Error as error:
                if is_corruption(error):
                    self._damage_seen = True
                raise

    @contextlib.contextmanager
    def write(self, what: str) -> Iterator[sqlite3.Connection]:
        """One write transaction for the ledger's other tables (batches, saved outputs):
        the connection, committed on leaving, rolled back and raised as
        :class:`LedgerWriteError` (``what`` names it for the user) on failure."""
        with self._writing(what) as conn, self._transaction(conn):
            yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection for a read of the ledger's other tables (rows by column name)."""
        with self._reading() as conn:
            yield conn

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
        provenance: JsonDict | None = None,
        batch_id: str | None = None,
        batch_item: int | None = None,
        wait_for_disk: bool = True,
    ) -> RunRecord:
        """Record a run about to be sent; it is committed when this returns.

        Call this *before* sending the request and do not send if it raises
        :class:`LedgerWriteError` -- an unrecorded paid run is what the ledger exists
        to prevent. ``wait_for_disk=False``: committed (it survives ``kill -9``) but
        not yet on the disk; call :meth:`sync` -- in a worker thread -- before sending.
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
            provenance=None if provenance is None else dict(provenance),
            batch_id=batch_id,
            batch_item=batch_item,
        )
        with self._writing("the new run", flush=wait_for_disk) as conn:
            conn.execute(INSERT_SQL, record_params(record))
        return record

    def sync(self) -> None:
        """Wait until every commit so far is on the disk, as ``synchronous=FULL`` would:
        sync the write-ahead log (the commits not yet copied into the database; a copy
        syncs itself) holding no lock, so other threads go on while the disk (up to
        ~100 ms) catches up. For a worker thread; raises :class:`LedgerWriteError`."""
        fd = -1
        try:
            if not self._read_only:
                fd = os.open(f"{self._path}-wal", os.O_RDWR | getattr(os, "O_BINARY", 0))
                os.fsync(fd)
        except FileNotFoundError:  # no log: everything was copied and synced already
            pass
        except OSError as error:
            raise LedgerWriteError(f"Could not save the new run: {error}") from error
        finally:
            if fd >= 0:
                os.close(fd)

    def bulk_insert(self, records: Iterable[RunRecord]) -> int:
        """Insert finished records in one transaction (imports, tests); returns count."""
        with self._writing("the imported runs") as conn, self._transaction(conn):
            cursor = conn.executemany(INSERT_SQL, (record_params(r) for r in records))
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

    def discard_refused(self, local_id: str) -> bool:
        """Remove a run Ouro provably never started (``not-started``, no action id) that
        is being sent again, e.g. after a 429: the retry is the file's run. True if removed."""
        with self._writing("the run history") as conn:
            cursor = conn.execute(
                "DELETE FROM runs WHERE local_id = ? AND state = ? AND action_id IS NULL",
                (local_id, RunState.NOT_STARTED.value),
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
        with self._writing("the run's action", flush=False) as conn, self._transaction(conn):
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
        with self._writing("the run's status", flush=False) as conn:
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
        summary = None if result_summary is None else dumps_json(cap_summary(result_summary))
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
                "rank": STATE_RANK[state],
            },
        )
        return cursor.rowcount > 0

    # ----------------------------------------------------------------- reads

    def get(self, local_id: str) -> RunRecord | None:
        with self._reading() as conn:
            found = conn.execute("SELECT * FROM runs WHERE local_id = ?", (local_id,)).fetchone()
        return None if found is None else record_from_row(found)

    def by_action_id(self, action_id: str, *, base_url: str | None = None) -> RunRecord | None:
        """The run with this server action id (newest if several servers reused it)."""
        sql = "SELECT * FROM runs WHERE action_id = ?"
        params: builtins.list[Any] = [action_id]
        if base_url is not None:
            sql += " AND base_url = ?"
            params.append(base_url)
        with self._reading() as conn:
            found = conn.execute(sql + " ORDER BY started_at DESC LIMIT 1", params).fetchone()
        return None if found is None else record_from_row(found)

    def by_idempotency_key(self, key: str) -> RunRecord | None:
        with self._reading() as conn:
            found = conn.execute("SELECT * FROM runs WHERE idempotency_key = ?", (key,)).fetchone()
        return None if found is None else record_from_row(found)

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
        sql, params = page_sql(base_url, route_id, states, text, limit, offset)
        with self._reading() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [record_from_row(row) for row in rows]

    def count(
        self,
        *,
        base_url: str | None = None,
        route_id: str | None = None,
        states: Iterable[RunState | str] | None = None,
        text: str | None = None,
    ) -> int:
        where, params = where_sql(base_url=base_url, route_id=route_id, states=states, text=text)
        with self._reading() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM runs" + where, params).fetchone()[0])

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
        sql, params = page_sql(base_url, route_id, states, text, limit, offset)
        with self._reading() as conn:
            rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        return [str(row["detail"]) for row in rows]
