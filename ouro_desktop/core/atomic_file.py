"""Writing a small profile file so that a crash mid-write leaves the previous version.

The text goes to a temporary file in the same folder, is flushed to disk, then replaces
the target in one ``os.replace``. Temporary files left by an earlier crash (a kill
between ``mkstemp`` and ``replace``) are removed on the next write, or when a reader
calls :func:`remove_stale_temps`. Qt-free.

:func:`write_text_atomic_later` does the same in one background thread, in the order the
writes were asked for: the flush to disk (``fsync``) took 2-30 ms, on a busy disk 100 ms,
of the turn of the event loop that opened a route (its "recent" list and its title).
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ouro_desktop.new_files import create_beside

__all__ = ["remove_stale_temps", "write_text_atomic", "write_text_atomic_later"]

log = logging.getLogger(__name__)

# A temporary file older than this is a crash's leftover, not another writer's file.
_STALE_S = 60.0


def write_text_atomic(path: Path, text: str, *, private: bool = True) -> None:
    """Replace ``path`` with ``text`` (UTF-8) atomically; the folder is created if needed.

    A profile file is ``private`` (only its owner reads it); a file the person saves for
    others (an export, a record) gets the permissions any new file of theirs gets (the
    umask): a temporary file is owner-only, so colleagues could not open such a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = _prefix(path)
    _remove_stale(path.parent, prefix)
    if private:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    else:
        fd, tmp = create_beside(path.parent, prefix, ".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_writer: ThreadPoolExecutor | None = None
_writer_lock = threading.Lock()


def write_text_atomic_later(path: Path, text: str) -> Future[None]:
    """:func:`write_text_atomic` in a background thread; every such write runs in the one
    thread, in the order asked, so an older text never lands after a newer one. Wait on
    the future for the outcome (an ``OSError`` is also logged); the writes left are done
    before the process exits."""
    global _writer
    with _writer_lock:
        if _writer is None:
            _writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="profile-writes")
        future = _writer.submit(write_text_atomic, path, text)
    future.add_done_callback(_log_failure)
    return future


def _log_failure(future: Future[None]) -> None:
    exc = future.exception()
    if exc is not None:
        log.warning("could not write a profile file: %s", exc)


def remove_stale_temps(path: Path, prefix: str | None = None) -> None:
    """Remove the temporary files a crash left while writing ``path`` (those named with
    ``prefix``, by default the one :func:`write_text_atomic` uses); a younger one may be
    another process's write in progress and stays."""
    _remove_stale(path.parent, prefix or _prefix(path))


def _prefix(path: Path) -> str:
    return f".{path.name}-"


def _remove_stale(folder: Path, prefix: str) -> None:
    now = time.time()
    try:
        leftovers = [p for p in folder.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return
    for leftover in leftovers:
        try:
            if leftover.suffix == ".tmp" and now - leftover.stat().st_mtime > _STALE_S:
                leftover.unlink()
        except OSError:
            continue
