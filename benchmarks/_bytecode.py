"""Run the app in benchmarks as an installed copy runs: from compiled bytecode.

pip compiles a package's modules when it installs it, and the PyInstaller bundle ships
them compiled. A source checkout on a machine with ``PYTHONDONTWRITEBYTECODE=1`` (this
one sets it) would instead compile every module of the app at every start, which no
user's start does. :func:`precompile_app` writes the ``__pycache__`` files an ordinary
checkout would have (git ignores them); Python checks them against the sources, so an
edited module is still compiled afresh. The bare-window baseline imports only PySide6,
which is installed compiled.
"""

from __future__ import annotations

import compileall
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def precompile_app() -> None:
    if not compileall.compile_dir(str(REPO / "ouro_desktop"), quiet=1):
        raise SystemExit("could not compile ouro_desktop for the benchmark")
