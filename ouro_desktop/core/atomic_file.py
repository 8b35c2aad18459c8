"""Writing a small profile file so that a crash mid-write leaves the previous version.

The text goes to a temporary file in the same folder, is flushed to disk, then replaces
the target in one ``os.replace``. Temporary files left by an earlier crash (a kill
between ``mkstemp`` and ``replace``) are removed on the next write. Qt-free.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

__all__ = ["write_text_atomic"]

# A temporary file older than this is a crash's leftover, not another writer's file.
_STALE_S = 60.0


def write_text_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) atomically; the folder is created if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{path.name}-"
    _remove_stale(path.parent, prefix)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
