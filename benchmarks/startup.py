"""Start-up time: ``ouro-desktop --demo`` ÷ a bare PySide6 ``QMainWindow`` (target ≤ 2.0×).

Each run is a fresh subprocess of this Python with ``QT_QPA_PLATFORM=offscreen``; the
two kinds alternate (app, bare, app, bare, …) so drift on the machine hits both alike.

* **app**: ``python -m ouro_desktop --demo --profile-dir <fresh dir> --screenshot
  <tmp.png>`` with ``OURO_DESKTOP_REPORT_READY=1``. Once the route list has loaded, the
  app paints its window and prints ``ready <time.monotonic()>`` (see
  ``ouro_desktop.app._report_ready``), then saves the PNG and exits.
* **bare**: a minimal script that creates a ``QApplication`` and a ``QMainWindow`` of the
  same size, shows it, paints it on the first turn of the event loop, prints ``ready
  <time.monotonic()>``, saves a PNG and exits.

The monotonic clock is system-wide on Linux, so *ready* = the child's printed time minus
the parent's clock just before ``Popen``: process start (interpreter start-up included)
to the window painted with its content. *exit* is the wall time from ``Popen`` to the
process having exited (for the app this includes the screenshot's 150 ms settle delay
and shutdown). The verdict uses the ratio of the median *ready* times.

    python benchmarks/startup.py [--runs 7] [--target 2.0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = 2.0
TIMEOUT_S = 120

BARE = r"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1360, 820)
window.show()

def ready():
    window.repaint()
    print(f"ready {time.monotonic():.6f}", flush=True)
    window.grab().save(sys.argv[1], "PNG")
    app.quit()

QTimer.singleShot(0, ready)
sys.exit(app.exec())
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OURO_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        OURO_DESKTOP_REPORT_READY="1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    )
    return env


def run_once(kind: str) -> tuple[float, float]:
    """Start one fresh process; return (seconds to ready, seconds to exit)."""
    with tempfile.TemporaryDirectory(prefix=f"ouro-startup-{kind}-") as tmp:
        png = Path(tmp) / "shot.png"
        if kind == "app":
            cmd = [
                sys.executable,
                "-m",
                "ouro_desktop",
                "--demo",
                "--profile-dir",
                str(Path(tmp) / "profile"),
                "--screenshot",
                str(png),
            ]
        else:
            cmd = [sys.executable, "-c", BARE, str(png)]
        started = time.monotonic()
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
            cwd=tmp,
        )
        out, err = proc.communicate(timeout=TIMEOUT_S)
        exited = time.monotonic() - started
        if proc.returncode != 0:
            raise SystemExit(f"{kind} run failed (exit {proc.returncode}):\n{err}")
        marks = [line.split() for line in out.splitlines() if line.startswith("ready ")]
        if not marks:
            raise SystemExit(f"{kind} run printed no ready line:\n{out}\n{err}")
        if not png.exists():
            raise SystemExit(f"{kind} run wrote no PNG:\n{err}")
        return float(marks[0][1]) - started, exited


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each kind (default 7)")
    parser.add_argument("--target", type=float, default=TARGET, help="maximum ratio")
    args = parser.parse_args()

    # One untimed pair first, so both start from a warm file cache.
    run_once("app")
    run_once("bare")
    results: dict[str, list[tuple[float, float]]] = {"app": [], "bare": []}
    print(f"{'run':>4} {'kind':>5} {'ready s':>9} {'exit s':>9}")
    for i in range(1, args.runs + 1):
        for kind in ("app", "bare"):
            ready, exited = run_once(kind)
            results[kind].append((ready, exited))
            print(f"{i:>4} {kind:>5} {ready:>9.3f} {exited:>9.3f}", flush=True)

    med = {
        kind: (
            statistics.median(r for r, _ in rows),
            statistics.median(e for _, e in rows),
        )
        for kind, rows in results.items()
    }
    print()
    print(f"median app : ready {med['app'][0]:.3f} s, exit {med['app'][1]:.3f} s")
    print(f"median bare: ready {med['bare'][0]:.3f} s, exit {med['bare'][1]:.3f} s")
    ratio = med["app"][0] / med["bare"][0]
    exit_ratio = med["app"][1] / med["bare"][1]
    print(f"ratio (ready, app ÷ bare): {ratio:.2f}×   [exit-time ratio {exit_ratio:.2f}×]")
    verdict = "PASS" if ratio <= args.target else "FAIL"
    print(f"{verdict}: target ≤ {args.target:.1f}×")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
