"""The packaging scripts are loaded from ``packaging/`` by module name (``deb_depends``
imports ``elf_needs``); the folder is appended to the path, so nothing else is shadowed
("packaging" itself is a PyPI package's name)."""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
if str(PACKAGING) not in sys.path:
    sys.path.append(str(PACKAGING))
