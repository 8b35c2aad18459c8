"""The run ledger's file: schema, migrations, opening, and what to do with a damaged one.

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
that cannot be migrated) makes :func:`connect` raise :class:`LedgerDamagedError`;
:meth:`RunLedger.open <ouro_desktop.core.ledger.RunLedger.open>` then moves it aside as
``<name>.corrupt-<timestamp>`` (with its ``-wal``, see :func:`move_aside`) and starts a
fresh ledger. Problems that are *not* damage (disk full, no permission, locked by
another process) raise :class:`LedgerUnavailableError` -- moving a healthy file aside
because it was briefly locked would lose history for nothing.

:func:`connect` takes the migrations and the busy timeout as arguments: ``RunLedger``
passes its module's ``MIGRATIONS`` and ``_BUSY_TIMEOUT_S``, so they can be overridden
at :mod:`ouro_desktop.core.ledger` (the tests do). This module is part of
``ouro_desktop.core`` and imports no Qt.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

from .ledger_errors import LedgerDamagedError, LedgerUnavailableError

__all__ = [
    "BUSY_TIMEOUT_S",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "connect",
    "is_damage",
    "move_aside",
]

# Waiting longer would freeze the event loop; another app instance holds the write lock
# only for a single short transaction.
BUSY_TIMEOUT_S = 2.0

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


# --------------------------------------------------------------------------- damage or not


def _primary_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_damage(error: sqlite3.Error) -> bool:
    """True if ``error`` means the file is damaged, not merely unusable right now."""
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    code = _primary_code(error)
    return code is None or code not in _UNAVAILABLE_CODES


# --------------------------------------------------------------------------- opening


def connect(
    path: Path, *, migrations: Sequence[Sequence[str]], busy_timeout_s: float
) -> tuple[sqlite3.Connection, bool]:
    """Open the ledger at ``path``, migrating it to ``len(migrations)``.

    Returns the connection and whether it is read-only (a newer app's file). Raises
    :class:`LedgerDamagedError` or :class:`LedgerUnavailableError` (see module docs).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LedgerUnavailableError(
            f"Could not create the folder for your run history ({path.parent}): "
            f"{error.strerror or error}"
        ) from error
    conn: sqlite3.Connection | None = None
    try:
        conn = _raw_connect(path, read_only=False, busy_timeout_s=busy_timeout_s)
        version = _check(conn)
        if version > len(migrations):
            # Do not touch a newer app's file: no WAL switch, no migration.
            conn.close()
            conn = _raw_connect(path, read_only=True, busy_timeout_s=busy_timeout_s)
            return conn, True
        # journal_mode persists in the file; synchronous is per connection.
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        conn.execute("PRAGMA synchronous=FULL")
        _migrate(conn, version, migrations)
        return conn, False
    except sqlite3.Error as error:
        if conn is not None:
            conn.close()
        if is_damage(error):
            raise LedgerDamagedError(str(error)) from error
        raise LedgerUnavailableError(
            f"Could not open your run history file ({path}): {error}"
        ) from error
    except LedgerDamagedError:
        if conn is not None:
            conn.close()
        raise


def _raw_connect(path: Path, *, read_only: bool, busy_timeout_s: float) -> sqlite3.Connection:
    if read_only:
        conn = sqlite3.connect(
            path.resolve().as_uri() + "?mode=ro",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
            timeout=busy_timeout_s,
        )
    else:
        # isolation_level=None: no implicit transactions; each statement commits on
        # its own unless we say BEGIN, so writes are exactly as long as we make them.
        conn = sqlite3.connect(
            str(path),
            isolation_level=None,
            check_same_thread=False,
            timeout=busy_timeout_s,
        )
    conn.row_factory = sqlite3.Row
    return conn


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


def _migrate(conn: sqlite3.Connection, current: int, migrations: Sequence[Sequence[str]]) -> None:
    # One transaction per version, so a crash mid-upgrade leaves a consistent file
    # at the previous version that simply migrates again next time.
    for version in range(current + 1, len(migrations) + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in migrations[version - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version:d}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


# --------------------------------------------------------------------------- moving aside


def move_aside(path: Path) -> Path:
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
