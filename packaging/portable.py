"""The portable Linux archive: the one-folder bundle as ``ouro-desktop/`` in a .tar.gz.

For systems without dpkg (or people who would rather not install anything): unpack it
anywhere, double-click ``ouro-desktop/ouro-desktop``, and run
``ouro-desktop/install-desktop-integration.sh`` for a menu entry and "Open with" for .cif
files. Entries are owned by root:root (uid 0) and keep their modes and symlinks, so what
unpacks is the same for everyone.
"""

from __future__ import annotations

import platform
import tarfile
from pathlib import Path

FOLDER = "ouro-desktop"


def archive_name(version: str, machine: str | None = None) -> str:
    return f"ouro-desktop-{version}-linux-{machine or platform.machine()}.tar.gz"


def build(bundle: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")

    def owned_by_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    # Level 6: a few MB larger than 9 and about twice as fast on a 140 MB bundle.
    with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=FOLDER, filter=owned_by_root)
    partial.replace(target)
    return target
