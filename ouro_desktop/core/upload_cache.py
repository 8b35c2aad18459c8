"""Remembering what this profile already uploaded, so the same file is reused, not re-sent.

A file is known by its content: (server base URL, account, SHA-256, size). :func:`file_sha256`
hashes a file in 1 MiB chunks (never whole in memory; blocking, so run it in an executor).
:class:`UploadCache` is a small SQLite table mapping that key to the asset id the upload
created. It is only a cache: a damaged file is moved aside and started afresh, and a cached
id the server no longer knows is dropped with :meth:`UploadCache.forget`. Qt-free.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..api.errors import FileChangedError
from ..api.files import FileStamp
from .file_checks import display_name

__all__ = ["CachedUpload", "UploadCache", "file_sha256"]

CHUNK_BYTES = 1024 * 1024
_SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    base_url    TEXT NOT NULL,
    account     TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    asset_id    TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    PRIMARY KEY (base_url, account, sha256, size)
);
CREATE INDEX IF NOT EXISTS uploads_asset ON uploads (asset_id);
"""


def file_sha256(
    path: str | os.PathLike[str],
    chunk: int | None = None,
    *,
    cancelled: Callable[[], bool] | None = None,
    expect: FileStamp | None = None,
) -> str:
    """The hex SHA-256 of the file at ``path``, read in ``chunk``-byte pieces.

    ``cancelled`` is polled between chunks; when it returns true, ``InterruptedError``
    is raised (the user removed the file, or quit, while a big file hashed). With
    ``expect``, a file that is not that version, or changes while it is read, raises
    :class:`FileChangedError`: the hash would not be of the file that was checked.
    """
    size = CHUNK_BYTES if chunk is None else chunk
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        if expect is not None and FileStamp.of(os.fstat(handle.fileno())) != expect:
            raise _changed(path)
        while block := handle.read(size):
            if cancelled is not None and cancelled():
                raise InterruptedError("hashing was cancelled")
            digest.update(block)
        if expect is not None and FileStamp.of(os.fstat(handle.fileno())) != expect:
            raise _changed(path)
    return digest.hexdigest()


def _changed(path: str | os.PathLike[str]) -> FileChangedError:
    return FileChangedError(
        f"“{display_name(Path(path).name)}” changed after it was checked (it may still be being "
        "written); nothing was uploaded."
    )


@dataclass(frozen=True)
class CachedUpload:
    asset_id: str
    file_name: str
    uploaded_at: datetime


def _norm_base(base_url: str) -> str:
    return base_url.strip().rstrip("/").lower()


class UploadCache:
    """``(base_url, account, sha256, size) → (asset_id, file_name, uploaded_at)``.

    Thread-safe (one connection behind a lock), so hashing threads and the UI loop may
    both call it. Every call is one short statement.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._connect()
        except sqlite3.DatabaseError:
            # A cache is disposable: keep the damaged file for inspection, start afresh.
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            with contextlib.suppress(OSError):
                os.replace(self.path, aside)
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            db.executescript(_SCHEMA)
            db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    @contextlib.contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    def lookup(self, base_url: str, account: str, sha256: str, size: int) -> CachedUpload | None:
        """The earlier upload of this exact content to this account, if any."""
        with self._locked() as db:
            row = db.execute(
                "SELECT asset_id, file_name, uploaded_at FROM uploads "
                "WHERE base_url = ? AND account = ? AND sha256 = ? AND size = ?",
                (_norm_base(base_url), account, sha256.lower(), size),
            ).fetchone()
        if row is None:
            return None
        return CachedUpload(
            asset_id=str(row[0]),
            file_name=str(row[1]),
            uploaded_at=datetime.fromisoformat(str(row[2])),
        )

    def remember(
        self,
        base_url: str,
        account: str,
        sha256: str,
        size: int,
        asset_id: str,
        file_name: str,
        uploaded_at: datetime | None = None,
    ) -> None:
        """Record a finished upload (replacing an older entry for the same content)."""
        when = (uploaded_at or datetime.now(UTC)).isoformat()
        with self._locked() as db:
            db.execute(
                "INSERT OR REPLACE INTO uploads VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_norm_base(base_url), account, sha256.lower(), size, asset_id, file_name, when),
            )

    def content_of(self, asset_id: str) -> tuple[str, int] | None:
        """The SHA-256 and size of the content uploaded as ``asset_id`` from here, if known
        (a file reused by its asset id still gets its hash in the run's record)."""
        with self._locked() as db:
            row = db.execute(
                "SELECT sha256, size FROM uploads WHERE asset_id = ? LIMIT 1", (asset_id,)
            ).fetchone()
        return None if row is None else (str(row[0]), int(row[1]))

    def forget(self, asset_id: str) -> int:
        """Drop every entry pointing at ``asset_id`` (deleted or gone on the server)."""
        with self._locked() as db:
            return db.execute("DELETE FROM uploads WHERE asset_id = ?", (asset_id,)).rowcount

    def close(self) -> None:
        with self._locked() as db:
            db.close()
