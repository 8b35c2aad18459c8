"""A new file beside the one it will replace, with the permissions the person's new files get.

``tempfile.mkstemp`` makes owner-only files: right for the profile, wrong for what the
person saves for others (a table, a record, an answer): moved into place, such a file in
a shared folder could not be opened by colleagues. Shared by ``api`` (downloads) and
``core`` (atomic text writes), which cannot import each other both ways.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

__all__ = ["create_beside"]

_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
)


def create_beside(folder: Path, prefix: str, suffix: str) -> tuple[int, str]:
    """Create ``folder/<prefix><random><suffix>`` (never an existing file), open for
    writing with the umask's permissions; its descriptor and name."""
    while True:
        name = str(folder / f"{prefix}{secrets.token_hex(6)}{suffix}")
        try:
            return os.open(name, _FLAGS, 0o666), name
        except FileExistsError:
            continue
