"""`ouro-desktop --screenshot`: the real entry point, in a subprocess, offscreen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OURO_")}
    environ.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "ouro_desktop", "--profile-dir", str(tmp_path / "profile"), *args],
        capture_output=True,
        text=True,
        timeout=90,
        env=environ,
        cwd=tmp_path,
    )


def test_demo_screenshot_of_a_route_page(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    done = _run(
        ["--demo", "--route", "demo/free-electron-dos-curve", "--screenshot", str(out)], tmp_path
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert not image.isNull()
    assert image.width() >= 800 and image.height() >= 500
    # The demo's data lives in the profile, so its runs are still there next time.
    assert (tmp_path / "profile" / "data" / "demo-backend" / "demo.sqlite3").exists()


def test_screenshot_exits_non_zero_when_loading_fails(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    # Port 9 on loopback: nothing listens, so signing in with the environment key fails.
    done = _run(
        ["--base-url", "http://127.0.0.1:9", "--screenshot", str(out)],
        tmp_path,
        OURO_API_KEY="some-key",
    )
    assert done.returncode != 0
    assert "loading failed" in done.stderr or "Could not" in done.stderr
    assert not out.exists()


def test_version(tmp_path: Path) -> None:
    done = _run(["--version"], tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("ouro-desktop ")


def test_opening_a_cif_with_the_app(tmp_path: Path) -> None:
    """What the file manager does for a .cif (Exec=ouro-desktop %f): the app starts and
    lists the routes that accept the file."""
    out = tmp_path / "shot.png"
    cif = ROOT / "ouro_desktop" / "demo" / "examples" / "Cu.cif"
    done = _run(["--demo", "--screenshot", str(out), str(cif)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert not QImage(str(out)).isNull()
