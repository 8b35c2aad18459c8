"""`ouro-desktop --screenshot`: the real entry point, in a subprocess, offscreen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from ouro_desktop.api.models import Route

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The app, offscreen, on a 1366×768 screen (a common laptop's)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OURO_")}
    screen = tmp_path / "screen.json"
    screen.write_text(
        json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768}]})
    )
    environ.update(QT_QPA_PLATFORM=f"offscreen:configfile={screen}", PYTHONPATH=str(ROOT), **env)
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
    assert 800 <= image.width() <= 1366 and 500 <= image.height() <= 768  # fits the screen
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


SHELL_PROBE = """
import sys
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from ouro_desktop import app
from ouro_desktop.core.settings import SettingsStore
from ouro_desktop.paths import Paths

args = app.parse_args(["--demo", "--profile-dir", sys.argv[1]])
paths = Paths.for_profile(args.profile_dir)
qapp = QApplication([])
ini = QSettings(str(paths.config / "window.ini"), QSettings.Format.IniFormat)
window = app._show_shell(args, paths, ini, SettingsStore(paths.settings_file).load())
model = window.browser.model
print("rows", model.rowCount())
print("first", model.route_at(0).full_name if model.rowCount() else "-")
print("workspace", window.stack.currentWidget() is window.workspace)
print("panes", window.panes_built)
heavy = ("asyncio", "qasync", "httpx", "starlette", "ouro_desktop.demo",
         "ouro_desktop.core.session", "ouro_desktop.ui.run.route_page", "ouro_desktop.ui.history",
         "ouro_desktop.ui.run.form", "ouro_desktop.ui.shell.welcome", "logging.handlers")
print("loaded", sorted(m for m in heavy if m in sys.modules))
"""


def test_a_second_start_paints_the_saved_route_list_before_the_network_stack(
    tmp_path: Path,
) -> None:
    first = _run(["--demo", "--screenshot", str(tmp_path / "one.png")], tmp_path)
    assert first.returncode == 0, first.stderr
    saved = tmp_path / "profile" / "cache" / "route-list.json"
    routes = json.loads(saved.read_text())["routes"]
    assert len(routes) >= 5

    # The shell alone: the saved list is in the window, and nothing heavy has loaded.
    environ = {k: v for k, v in os.environ.items() if not k.startswith("OURO_")}
    environ.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    probe = subprocess.run(
        [sys.executable, "-c", SHELL_PROBE, str(tmp_path / "profile")],
        capture_output=True,
        text=True,
        timeout=90,
        env=environ,
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    lines = dict(line.split(" ", 1) for line in probe.stdout.splitlines())
    assert lines["rows"] == str(len(routes))
    assert lines["first"] == Route.from_json(routes[0]).full_name
    assert lines["workspace"] == "True" and lines["panes"] == "False"
    assert lines["loaded"] == "[]"

    # The whole app: the saved list is painted first, then the live one replaces it.
    second = _run(
        ["--demo", "--screenshot", str(tmp_path / "two.png")],
        tmp_path,
        OURO_DESKTOP_REPORT_READY="1",
    )
    assert second.returncode == 0, second.stderr
    marks = [line.split()[0] for line in second.stdout.splitlines()]
    assert marks == ["painted", "ready"]


def test_a_first_start_has_no_saved_list_to_paint(tmp_path: Path) -> None:
    done = _run(
        ["--demo", "--screenshot", str(tmp_path / "one.png")],
        tmp_path,
        OURO_DESKTOP_REPORT_READY="1",
    )
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()] == ["ready"]
