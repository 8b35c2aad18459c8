"""One app per profile (issue 15, item 11): a second start hands its ``--route`` and files
to the running window and exits 0; a profile whose app died can be opened again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .app_harness import EXAMPLES

REPO = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")


def _start_driver(profile: Path, how: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.ui.quit_driver", str(profile), how],
        cwd=REPO,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _read_until(proc: subprocess.Popen[str], prefix: str, seen: list[str]) -> None:
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line.rstrip("\n"))
        if line.startswith(prefix):
            return
    raise AssertionError(f"no {prefix!r} in {seen}")


def test_a_second_start_hands_its_route_and_file_to_the_running_window(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    first = _start_driver(profile, "serve:: Cu.cif")
    seen: list[str] = []
    try:
        _read_until(first, "ready", seen)
        started = time.monotonic()
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "ouro_desktop",
                "--demo",
                "--profile-dir",
                str(profile),
                "--route",
                "demo/predict-electronic-dos-at-fermi-level",
                str(EXAMPLES / "Cu.cif"),
            ],
            cwd=REPO,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 0, second.stderr[-2000:]
        assert time.monotonic() - started < 30  # it handed over; it did not start an app
        _read_until(first, "exit", seen)
        assert first.wait(30) == 0
    finally:
        if first.poll() is None:
            first.kill()
    # As ``ouro-desktop --route demo/predict-electronic-dos-at-fermi-level Cu.cif`` would:
    # the route opens and the file goes into its form (uploaded, ready to run).
    assert "opened demo/predict-electronic-dos-at-fermi-level" in seen, seen
    opened = seen.index("opened demo/predict-electronic-dos-at-fermi-level")
    assert any(line.startswith("input ") and line.endswith(": Cu.cif") for line in seen[opened:])
    assert seen[-1] == "exit 0"


def test_a_profile_whose_app_was_killed_opens_again(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    dead = _start_driver(profile, "serve:never")
    seen: list[str] = []
    _read_until(dead, "ready", seen)
    dead.send_signal(signal.SIGKILL)  # its lock and socket stay behind
    dead.wait(30)
    again = _start_driver(profile, "menu")
    out, _ = again.communicate(timeout=90)
    assert again.returncode == 0
    assert out.splitlines()[-1] == "exit 0"
