"""Start-up time: ``ouro-desktop --demo`` ÷ a bare PySide6 ``QMainWindow`` (target ≤ 2.0×).

Each run is a fresh subprocess of this Python with ``QT_QPA_PLATFORM=offscreen``; the
kinds alternate (app, bare, first, app, bare, first, …) so drift on the machine hits all
alike.

* **app**: the usual start: ``python -m ouro_desktop --demo --profile-dir <profile>
  --screenshot <tmp.png>`` with ``OURO_DESKTOP_REPORT_READY=1``, on a profile that has
  been used once before (one untimed run prepares it, as a user's first start would).
  The app prints ``painted <time.monotonic()>`` when its window is painted with the route
  list (the list as last seen, see ``ouro_desktop.core.route_list_cache``), and ``ready
  <time.monotonic()>`` once the live list from the backend is painted (see
  ``ouro_desktop.app._report_ready``).
* **first**: the very first start, on a fresh profile: the demo backend creates and seeds
  its database, and there is no saved list, so only ``ready`` is printed. Reported for
  information.
* **bare**: a minimal script that creates a ``QApplication`` and a ``QMainWindow`` of the
  same size, shows it, paints it on the first turn of the event loop, prints ``ready
  <time.monotonic()>``, saves a PNG and exits.

The monotonic clock is system-wide on Linux, so a time = the child's printed time minus
the parent's clock just before ``Popen``: process start (interpreter start-up included)
to the window painted. *exit* is the wall time from ``Popen`` to the process having
exited (for the app this includes the screenshot's 150 ms settle delay and shutdown).

The app's modules are compiled to bytecode first, as in an installed copy (see
``_bytecode.py``). The verdict uses the median time to the window painted with the route
list (``app`` *painted*) over the median bare ``ready``; the live-list and first-start ratios are
printed beside it.

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

from _bytecode import precompile_app

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


def run_once(kind: str, profile: Path | None = None) -> dict[str, float]:
    """Start one fresh process; return its marks (seconds from start) and ``exit``."""
    with tempfile.TemporaryDirectory(prefix=f"ouro-startup-{kind}-") as tmp:
        png = Path(tmp) / "shot.png"
        if kind == "bare":
            cmd = [sys.executable, "-c", BARE, str(png)]
        else:
            cmd = [
                sys.executable,
                "-m",
                "ouro_desktop",
                "--demo",
                "--profile-dir",
                str(profile or Path(tmp) / "profile"),
                "--screenshot",
                str(png),
            ]
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
        marks = {"exit": time.monotonic() - started}
        if proc.returncode != 0:
            raise SystemExit(f"{kind} run failed (exit {proc.returncode}):\n{err}")
        for line in out.splitlines():
            name, _, value = line.partition(" ")
            if name in ("painted", "ready") and name not in marks:
                marks[name] = float(value) - started
        if "ready" not in marks:
            raise SystemExit(f"{kind} run printed no ready line:\n{out}\n{err}")
        if kind == "app" and "painted" not in marks:
            raise SystemExit(f"the app did not paint the saved route list:\n{out}\n{err}")
        if not png.exists():
            raise SystemExit(f"{kind} run wrote no PNG:\n{err}")
        return marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each kind (default 7)")
    parser.add_argument("--target", type=float, default=TARGET, help="maximum ratio")
    args = parser.parse_args()
    precompile_app()  # as installed (see _bytecode.py)

    with tempfile.TemporaryDirectory(prefix="ouro-startup-profile-") as profile_dir:
        profile = Path(profile_dir)
        # Untimed: the first start on this profile (seeds the demo, saves the list), and
        # one bare run, so every kind then starts from a warm file cache.
        run_once("first", profile)
        run_once("bare")
        kinds = ("app", "bare", "first")
        results: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
        print(f"{'run':>4} {'kind':>5} {'painted s':>10} {'ready s':>9} {'exit s':>9}")
        for i in range(1, args.runs + 1):
            for kind in kinds:
                marks = run_once(kind, profile if kind == "app" else None)
                results[kind].append(marks)
                painted = f"{marks['painted']:.3f}" if "painted" in marks else "–"
                print(
                    f"{i:>4} {kind:>5} {painted:>10} {marks['ready']:>9.3f} {marks['exit']:>9.3f}",
                    flush=True,
                )

    def median(kind: str, mark: str) -> float:
        return statistics.median(m[mark] for m in results[kind])

    bare = median("bare", "ready")
    painted, live, first = (
        median("app", "painted"),
        median("app", "ready"),
        median("first", "ready"),
    )
    print()
    print(f"median bare ready                          : {bare:.3f} s")
    print(f"median app: painted with the route list    : {painted:.3f} s  ({painted / bare:.2f}×)")
    print(f"median app: live list from the demo painted: {live:.3f} s  ({live / bare:.2f}×)")
    print(f"median first start (fresh profile), live   : {first:.3f} s  ({first / bare:.2f}×)")
    exit_ratio = median("app", "exit") / median("bare", "exit")
    print(f"[exit-time ratio, app ÷ bare: {exit_ratio:.2f}×]")
    ratio = painted / bare
    verdict = "PASS" if ratio <= args.target else "FAIL"
    print(f"ratio (window painted with the route list, app ÷ bare): {ratio:.2f}×")
    print(f"{verdict}: target ≤ {args.target:.1f}×")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
