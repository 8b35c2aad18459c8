"""Build the one-folder Ouro Desktop bundle: ``python packaging/build.py``.

Installs PyInstaller when it is missing, regenerates nothing else (the icons in
``resources/`` are committed; ``python resources/make_icons.py`` redraws them), and
builds ``packaging/ouro-desktop.spec`` into ``dist/ouro-desktop/`` at the repository
root. Extra arguments go to PyInstaller (e.g. ``--log-level WARN``).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "ouro-desktop.spec"


def main(argv: list[str]) -> int:
    if importlib.util.find_spec("PyInstaller") is None:
        print("== installing PyInstaller", flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "pyinstaller>=6.10"], check=True
        )
    started = time.monotonic()
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--distpath",
        str(ROOT / "dist"),
        "--workpath",
        str(ROOT / "build" / "pyinstaller"),
        *argv,
        str(SPEC),
    ]
    print("== " + " ".join(cmd), flush=True)
    code = subprocess.run(cmd, cwd=ROOT).returncode
    if code == 0:
        print(f"== built {ROOT / 'dist' / 'ouro-desktop'} in {time.monotonic() - started:.0f} s")
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
