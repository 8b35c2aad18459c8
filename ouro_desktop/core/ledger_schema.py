"""The run ledger's file: schema, migrations, opening, and what to do with a damaged one.

Durability: WAL journal with ``synchronous=FULL``. A committed row survives ``kill -9``
with any mode (it is in the OS page cache); FULL additionally fsyncs the WAL on every
commit so it survives power loss too -- what never losing a paid submission needs.
Status updates (``attach_action``, ``update_status``), which a folder batch makes
dozens a second, commit with ``synchronous=NORMAL`` instead (no wait for the disk on
the UI thread): only a power cut could lose one, and resuming re-learns it from Ouro.

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

How much checking an open does depends on how the previous session ended.
``PRAGMA quick_check`` reads the whole file (about 60 ms for 100,000 runs, 50 MB; the
``N`` in ``quick_check(N)`` only caps the number of errors *reported*, the whole file
is still read), which is too slow for every start-up. So:

* **Clean shutdown marker.** When a writable ledger is closed, the last connection has
  checkpointed and deleted the WAL, and the session saw no damage, :func:`mark_clean`
  writes ``<name>-clean`` next to the file (atomically: a temporary file, then
  ``os.replace``). It records the file's size, ``st_mtime_ns`` and inode as left by that
  close. It is not fsynced: losing it only costs one full check.
* **Open.** :func:`connect` *consumes* the marker (deletes it before opening, so a crash
  in this session leaves none) and trusts it only if it parses, matches the file's size,
  mtime and inode now, and no non-empty ``-wal`` or ``-journal`` is lying next to the
  file. Then the open does only a cheap check: read ``user_version`` and the schema
  (``sqlite_master``), which still rejects "not a database", a damaged first page or
  schema, and a truncated file (SQLite compares the header's page count with the file
  size, and the size is in the marker anyway). Otherwise -- first open, ``kill -9``, a
  crash, power loss, another instance still open, the file changed, copied or restored
  since it was closed -- the open runs the full ``quick_check`` as before.
* **Damage seen later.** A read or write that hits ``SQLITE_CORRUPT``/``SQLITE_NOTADB``
  marks the session as damaged, so its close writes no marker and the next start runs
  the full check (and moves the file aside).

The trade-off: a page that rots silently *after* a clean close (same size, mtime and
inode) is not found at open; it is found by the next full check, or as soon as a read
touches it, as above. Damage after a crash -- the case quick_check is really for -- is
still caught at the next open. :attr:`RunLedger.integrity_checked
<ouro_desktop.core.ledger.RunLedger.integrity_checked>` tells which check an open ran.

:func:`connect` takes the migrations and the busy timeout as arguments: ``RunLedger``
passes its module's ``MIGRATIONS`` and ``_BUSY_TIMEOUT_S``, so they can be overridden
at :mod:`ouro_desktop.core.ledger` (the tests do). This module is part of
``ouro_desktop.core`` and imports no Qt.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from .ledger_errors import LedgerDamagedError, LedgerUnavailableError

__all__ = [
    "BUSY_TIMEOUT_S",
    "CLEAN_MARKER_SUFFIX",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Opened",
    "clean_marker_path",
    "connect",
    "is_corruption",
    "is_damage",
    "mark_clean",
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
    (
        # What a citation needs that the first schema did not keep (route version and
        # author, each input file's size and SHA-256, the app version), as one JSON object.
        "ALTER TABLE runs ADD COLUMN provenance TEXT",
        # A run started as part of a folder batch: the batch and the file's place in it.
        # Written in the same INSERT as the run, so a kill can never leave a file's run
        # without its place (which would send the file again on restart).
        "ALTER TABLE runs ADD COLUMN batch_id TEXT",
        "ALTER TABLE runs ADD COLUMN batch_item INTEGER",
        "CREATE INDEX runs_batch ON runs (batch_id, batch_item)",
        """
        CREATE TABLE batches (
            batch_id        TEXT PRIMARY KEY NOT NULL,
            route_id        TEXT NOT NULL,
            route_name      TEXT NOT NULL,
            base_url        TEXT NOT NULL,
            account         TEXT NOT NULL DEFAULT '',
            input_key       TEXT NOT NULL,
            settings        TEXT NOT NULL DEFAULT '{}',
            state           TEXT NOT NULL,
            concurrency     INTEGER NOT NULL DEFAULT 4,
            price_confirmed TEXT,
            created_at      REAL NOT NULL,
            updated_at      REAL NOT NULL
        )
        """,
        """
        CREATE TABLE batch_items (
            batch_id  TEXT NOT NULL,
            position  INTEGER NOT NULL,
            path      TEXT NOT NULL,
            name      TEXT NOT NULL,
            size      INTEGER NOT NULL,
            state     TEXT NOT NULL DEFAULT 'pending',
            attempts  INTEGER NOT NULL DEFAULT 1,
            detail    TEXT,
            PRIMARY KEY (batch_id, position)
        )
        """,
        # Output files saved from a run: their SHA-256 for the provenance record.
        """
        CREATE TABLE run_outputs (
            local_id  TEXT NOT NULL,
            asset_id  TEXT NOT NULL,
            name      TEXT NOT NULL,
            size      INTEGER,
            sha256    TEXT NOT NULL,
            path      TEXT,
            saved_at  REAL NOT NULL,
            PRIMARY KEY (local_id, asset_id)
        )
        """,
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
# Primary result codes that say the file itself is damaged (seen during a session).
_CORRUPTION_CODES = frozenset({11, 26})  # SQLITE_CORRUPT, SQLITE_NOTADB

# The clean-shutdown marker: "<name>-clean" next to the database (see module docs).
CLEAN_MARKER_SUFFIX = "-clean"
_MARKER_FORMAT = 1


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


def is_corruption(error: BaseException) -> bool:
    """True if ``error`` is SQLite saying the file is corrupt or not a database.

    Narrower than :func:`is_damage`, for errors during a session, where a constraint
    violation or a busy lock must not count as damage.
    """
    if not isinstance(error, sqlite3.DatabaseError):
        return False
    return _primary_code(error) in _CORRUPTION_CODES


# --------------------------------------------------------------------------- clean marker


def clean_marker_path(path: Path) -> Path:
    return path.with_name(path.name + CLEAN_MARKER_SUFFIX)


def _fingerprint(path: Path) -> dict[str, int]:
    st = path.stat()
    return {
        "format": _MARKER_FORMAT,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "inode": st.st_ino,
    }


def _has_leftovers(path: Path) -> bool:
    """True if a non-empty WAL or rollback journal lies next to ``path``.

    The last connection to close deletes the WAL; one left behind with content means a
    session did not close (crash, ``kill -9``) or is still open in another process.
    """
    for suffix in ("-wal", "-journal"):
        try:
            if path.with_name(path.name + suffix).stat().st_size > 0:
                return True
        except FileNotFoundError:
            continue
        except OSError:
            return True
    return False


def mark_clean(path: Path) -> bool:
    """Record that ``path`` was closed cleanly, as it is now; True if the marker was written.

    Call after closing the connection. Writes nothing while a non-empty WAL remains
    (another process still has the file open, or the final checkpoint did not finish):
    that process's exit decides. Failures are ignored -- no marker just means the next
    open runs the full check.
    """
    if _has_leftovers(path):
        return False
    marker = clean_marker_path(path)
    temp = marker.with_name(f"{marker.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(json.dumps(_fingerprint(path)), encoding="utf-8")
        os.replace(temp, marker)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()
        return False
    return True


def _take_clean_marker(path: Path) -> bool:
    """Consume the marker; True if it vouches for ``path`` as the file is now."""
    marker = clean_marker_path(path)
    try:
        text = marker.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    except (OSError, UnicodeDecodeError):
        text = ""
    try:
        # Gone before the file is opened: if this session crashes, the next open does
        # the full check. FileNotFoundError: another instance took it first.
        marker.unlink()
    except OSError:
        return False
    try:
        recorded = json.loads(text)
        current = _fingerprint(path)
    except (ValueError, OSError):
        return False
    return bool(recorded == current) and not _has_leftovers(path)


# --------------------------------------------------------------------------- opening


class Opened(NamedTuple):
    """What :func:`connect` returns."""

    conn: sqlite3.Connection
    read_only: bool  # a newer app's file: opened read-only
    integrity_checked: bool  # the full quick_check ran (no valid clean-shutdown marker)


def connect(path: Path, *, migrations: Sequence[Sequence[str]], busy_timeout_s: float) -> Opened:
    """Open the ledger at ``path``, migrating it to ``len(migrations)``.

    Runs the full ``quick_check`` unless a clean-shutdown marker vouches for the file
    (see module docs); the marker is consumed either way. Raises
    :class:`LedgerDamagedError` or :class:`LedgerUnavailableError` (see module docs).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LedgerUnavailableError(
            f"Could not create the folder for your run history ({path.parent}): "
            f"{error.strerror or error}"
        ) from error
    full_check = not _take_clean_marker(path)
    conn: sqlite3.Connection | None = None
    try:
        conn = _raw_connect(path, read_only=False, busy_timeout_s=busy_timeout_s)
        version = _check(conn, full=full_check)
        if version > len(migrations):
            # Do not touch a newer app's file: no WAL switch, no migration.
            conn.close()
            conn = _raw_connect(path, read_only=True, busy_timeout_s=busy_timeout_s)
            return Opened(conn, True, full_check)
        # journal_mode persists in the file; synchronous is per connection.
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        conn.execute("PRAGMA synchronous=FULL")
        _migrate(conn, version, migrations)
        return Opened(conn, False, full_check)
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


def _check(conn: sqlite3.Connection, *, full: bool) -> int:
    """Return the file's schema version; raise LedgerDamagedError if it is unusable.

    ``full``: run ``PRAGMA quick_check`` (reads every page). Otherwise only page 1 and
    the schema are read; both raise ``sqlite3.DatabaseError`` for a file that is not a
    database, has a damaged header or schema, or is shorter than its header says.
    """
    row = conn.execute("PRAGMA user_version").fetchone()
    version = int(row[0])
    if full:
        problems = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise LedgerDamagedError("; ".join(problems[:5]))
    else:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
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
        # connect() consumed any marker already; a stray one must not vouch for the
        # fresh file that replaces this one.
        with contextlib.suppress(OSError):
            clean_marker_path(path).unlink()
    except OSError as error:
        raise LedgerUnavailableError(
            f"Your run history file ({path}) is damaged and could not be moved aside: "
            f"{error.strerror or error}"
        ) from error
    return aside
