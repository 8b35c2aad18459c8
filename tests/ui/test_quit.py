"""Quitting the real app, every way, in a subprocess (issue 15, item 2): exit code 0, and
the cleanup done -- the run ledger closed cleanly (its clean marker written, no WAL left),
the upload cache closed -- with a word in the window first when runs are still going.

Offscreen for File → Quit, the close button as Qt delivers it, SIGTERM, SIGINT and Qt
being quit by someone else; under a real X server (``xvfb-run``) for Ctrl+Q typed on the
keyboard and the window manager's close request. The driver is ``tests/ui/quit_driver.py``.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ouro_desktop.core.ledger import RunLedger
from ouro_desktop.core.session import DEMO_BASE_URL

REPO = Path(__file__).resolve().parents[2]


def _quit(profile: Path, how: str, *, x11: bool = False) -> tuple[int, list[str]]:
    env = dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="xcb" if x11 else "offscreen")
    command = [sys.executable, "-m", "tests.ui.quit_driver", str(profile), how]
    if x11:
        # A free display from a number of each test worker's own (pytest-xdist): two
        # `xvfb-run -a` looking from the same number at the same time can pick the same.
        worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
        command = ["xvfb-run", "-a", "-n", str(99 + 100 * worker), *command]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert "ready" in done.stdout, done.stderr[-3000:]
    return done.returncode, lines


def _assert_cleaned_up(profile: Path) -> None:
    data = profile / "data"
    assert (data / "runs.sqlite3-clean").exists()  # the ledger closed cleanly
    assert not (data / "runs.sqlite3-wal").exists()  # checkpointed
    ledger, notice = RunLedger.open(data / "runs.sqlite3")
    try:
        assert notice is None and not ledger.integrity_checked  # the fast open, next time
    finally:
        ledger.close()
    with sqlite3.connect(data / "uploads.sqlite3") as db:
        assert db.execute("PRAGMA quick_check").fetchone() == ("ok",)
    assert not (data / "uploads.sqlite3-journal").exists()


@pytest.mark.parametrize("how", ["menu", "close", "sigterm", "sigint", "app-quit"])
def test_every_quit_exits_0_after_the_cleanup(tmp_path: Path, how: str) -> None:
    code, lines = _quit(tmp_path / "profile", how)
    assert code == 0, lines
    assert lines[-2:] == ["window closed", "exit 0"]
    _assert_cleaned_up(tmp_path / "profile")


@pytest.mark.parametrize("how", ["x11-ctrl-q", "x11-close"])
def test_quit_from_the_keyboard_and_the_window_manager(tmp_path: Path, how: str) -> None:
    code, lines = _quit(tmp_path / "profile", how, x11=True)
    assert code == 0, lines
    assert lines[-2:] == ["window closed", "exit 0"]
    _assert_cleaned_up(tmp_path / "profile")


def test_a_quit_with_runs_in_flight_says_they_continue(tmp_path: Path) -> None:
    """A run still going when the user quits: the window says it continues on Ouro and
    is picked up next time, before it closes; the run stays unfinished in the ledger."""
    profile = tmp_path / "profile"
    (profile / "data").mkdir(parents=True)
    ledger, _ = RunLedger.open(profile / "data" / "runs.sqlite3")
    pending = ledger.record_submission(
        route_id="r",
        service_id="s",
        route_name="demo/formula-properties",
        base_url=DEMO_BASE_URL,
        account="demo",
        body={"formula": "NaCl"},
        started_at=time.time(),
    )
    ledger.close()
    code, lines = _quit(profile, "menu")
    assert code == 0, lines
    said = [i for i, line in enumerate(lines) if "still going on Ouro" in line]
    assert said and said[0] < lines.index("window closed"), lines
    assert "picks it up the next time it starts" in lines[said[0]]
    _assert_cleaned_up(profile)
    ledger, _ = RunLedger.open(profile / "data" / "runs.sqlite3")
    try:
        row = ledger.get(pending.local_id)
        assert row is not None and row.state.is_unfinished
    finally:
        ledger.close()
