"""Idle memory: RSS of ``ouro-desktop --demo`` with a route open ÷ a bare PySide6 window.

Each measurement is a fresh subprocess of this Python with ``QT_QPA_PLATFORM=offscreen``;
the two kinds alternate (app, bare, app, bare, …) and the verdict compares the medians
of ``--runs`` runs each (default 3). Target ≤ 2.0×.

* **app**: ``python -m ouro_desktop --demo --profile-dir <fresh dir> --route
  demo/predict-electronic-dos-at-fermi-level``: signed into the in-process demo
  backend, the route list loaded, the DOS route's page and form shown, the run history
  attached. It counts as loaded once the route has been opened (the app records it among
  the recent routes in ``<profile>/config/settings.json``).
* **bare**: a minimal script that creates a ``QApplication`` and a ``QMainWindow`` of the
  same size, shows it and prints ``ready`` after its first paint.

The app's modules are compiled to bytecode first, as in an installed copy (see
``_bytecode.py``). Once loaded, ``VmRSS`` in ``/proc/<pid>/status`` is sampled every
100 ms until it has stayed within 1 % for ``--settle`` seconds (default 3); the last
sample is the idle RSS. Then the process is terminated (the app does not exit by
itself). ``VmHWM`` (the peak) is printed for reference.

``--why`` runs the app once more under ``tracemalloc`` and ``-X importtime`` and prints
the Python allocations by top-level package and the heaviest imports.

    python benchmarks/idle_memory.py [--runs 3] [--settle 3] [--target 2.0] [--why]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _bytecode import precompile_app

REPO = Path(__file__).resolve().parents[1]
TARGET = 2.0
ROUTE = "demo/predict-electronic-dos-at-fermi-level"
LOAD_TIMEOUT_S = 90.0

BARE = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1360, 820)
window.show()

def ready():
    window.repaint()
    print("ready", flush=True)

QTimer.singleShot(0, ready)
sys.exit(app.exec())
"""

# Run inside the app process for --why: the app with tracemalloc on; once the route is
# shown and things settle, print allocations grouped by top-level package, then exit.
TRACED = r"""
import json, os, sys, threading, time, tracemalloc
tracemalloc.start(1)
profile, route, settle = sys.argv[1], sys.argv[2], float(sys.argv[3])
settings = os.path.join(profile, "config", "settings.json")

def report():
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if route.split("/")[-1] in open(settings, encoding="utf-8").read():
                break
        except OSError:
            pass
        time.sleep(0.1)
    time.sleep(settle)
    snap = tracemalloc.take_snapshot()
    by_pkg = {}
    for stat in snap.statistics("filename"):
        name = stat.traceback[0].filename
        parts = name.replace(os.sep, "/").split("/")
        if "site-packages" in parts:
            key = parts[parts.index("site-packages") + 1]
        elif "ouro_desktop" in parts:
            i = parts.index("ouro_desktop")
            key = "/".join(parts[i : i + 2])
        elif name.startswith("<"):
            key = name
        else:
            key = "stdlib:" + parts[-1]
        by_pkg[key] = by_pkg.get(key, 0) + stat.size
    total = sum(by_pkg.values())
    top = sorted(by_pkg.items(), key=lambda kv: -kv[1])[:25]
    print("TRACED " + json.dumps({"total": total, "by": top}), flush=True)
    os._exit(0)

threading.Thread(target=report, daemon=True).start()
sys.argv = ["ouro-desktop", "--demo", "--profile-dir", profile, "--route", route]
from ouro_desktop.app import main
sys.exit(main())
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OURO_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    )
    return env


def _status(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of ``pid`` in KiB."""
    out: dict[str, int] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    return out


def _wait(proc: subprocess.Popen[str], ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while not ready():
        if proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            raise SystemExit(f"{what} exited early (code {proc.returncode}):\n{err}")
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not load within {LOAD_TIMEOUT_S:.0f} s")
        time.sleep(0.05)


def _settled_rss(pid: int, settle_s: float) -> dict[str, int]:
    """Sample until RSS stayed within 1 % for ``settle_s``; the last sample."""
    window: list[tuple[float, int]] = []
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while True:
        now = time.monotonic()
        status = _status(pid)
        window.append((now, status["VmRSS"]))
        window = [(t, r) for t, r in window if t >= now - settle_s]
        rss = [r for _t, r in window]
        spanned = now - window[0][0] >= settle_s - 0.25
        if (spanned and max(rss) - min(rss) <= 0.01 * max(rss)) or now > deadline:
            return status
        time.sleep(0.1)


def measure(kind: str, settle_s: float) -> dict[str, float]:
    """Start one fresh process, wait until loaded and settled; its RSS figures in MiB."""
    with tempfile.TemporaryDirectory(prefix=f"ouro-idle-{kind}-") as tmp:
        profile = Path(tmp) / "profile"
        if kind == "app":
            cmd = [
                sys.executable,
                "-m",
                "ouro_desktop",
                "--demo",
                "--profile-dir",
                str(profile),
                "--route",
                ROUTE,
            ]
        else:
            cmd = [sys.executable, "-c", BARE]
        started = time.monotonic()
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
            cwd=tmp,
        )
        try:
            if kind == "app":
                settings = profile / "config" / "settings.json"
                slug = ROUTE.split("/")[-1]

                def loaded() -> bool:
                    try:
                        return slug in settings.read_text(encoding="utf-8")
                    except OSError:
                        return False

                _wait(proc, loaded, "the app")
            else:
                assert proc.stdout is not None
                line = proc.stdout.readline()
                if line.strip() != "ready":
                    raise SystemExit(f"bare window printed {line!r}")
            loaded_s = time.monotonic() - started
            status = _settled_rss(proc.pid, settle_s)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        return {
            "rss": status["VmRSS"] / 1024,
            "hwm": status["VmHWM"] / 1024,
            "loaded": loaded_s,
        }


def why(settle_s: float) -> None:
    """Where the app's memory goes: Python allocations by package, heaviest imports."""
    with tempfile.TemporaryDirectory(prefix="ouro-idle-why-") as tmp:
        profile = str(Path(tmp) / "profile")
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", TRACED, profile, ROUTE, str(settle_s)],
            capture_output=True,
            text=True,
            env=_env(),
            cwd=tmp,
            timeout=LOAD_TIMEOUT_S + 60,
            check=False,
        )
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("TRACED ")]
    if not lines:
        print(f"--why run failed:\n{done.stderr[-3000:]}")
        return
    traced = json.loads(lines[-1][len("TRACED ") :])
    print(f"\nPython heap (tracemalloc) once idle: {traced['total'] / 1024**2:.1f} MiB, by origin:")
    for key, size in traced["by"]:
        print(f"  {size / 1024**2:7.2f} MiB  {key}")
    # -X importtime: "import time: self [us] | cumulative | imported package"
    tops: dict[str, int] = {}
    for ln in done.stderr.splitlines():
        if not ln.startswith("import time:") or "cumulative" in ln:
            continue
        _self, cumulative, name = (p.strip() for p in ln[len("import time:") :].split("|"))
        if not name.startswith(" ") and "." not in name.strip():
            top = name.strip()
            tops[top] = max(tops.get(top, 0), int(cumulative))
    modules = sum(
        1 for ln in done.stderr.splitlines() if ln.startswith("import time:") and "|" in ln
    )
    print(f"\nmodules imported: {modules - 1}; slowest top-level imports (cumulative):")
    for name, us in sorted(tops.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {us / 1000:8.1f} ms  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each kind (default 3)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds RSS must hold")
    parser.add_argument("--target", type=float, default=TARGET, help="maximum ratio")
    parser.add_argument("--why", action="store_true", help="where the app's memory goes")
    args = parser.parse_args()
    precompile_app()  # as installed (see _bytecode.py)

    results: dict[str, list[dict[str, float]]] = {"app": [], "bare": []}
    print(f"{'run':>4} {'kind':>5} {'idle RSS':>10} {'peak RSS':>10} {'loaded':>8}")
    for i in range(1, args.runs + 1):
        for kind in ("app", "bare"):
            r = measure(kind, args.settle)
            results[kind].append(r)
            print(
                f"{i:>4} {kind:>5} {r['rss']:>6.1f} MiB {r['hwm']:>6.1f} MiB {r['loaded']:>6.2f} s",
                flush=True,
            )
    med = {k: statistics.median(r["rss"] for r in rows) for k, rows in results.items()}
    hwm = {k: statistics.median(r["hwm"] for r in rows) for k, rows in results.items()}
    print()
    print(f"median app : idle RSS {med['app']:.1f} MiB (peak {hwm['app']:.1f} MiB)")
    print(f"median bare: idle RSS {med['bare']:.1f} MiB (peak {hwm['bare']:.1f} MiB)")
    ratio = med["app"] / med["bare"]
    print(
        f"ratio (idle RSS, app ÷ bare): {ratio:.2f}×   [peak ratio {hwm['app'] / hwm['bare']:.2f}×]"
    )
    verdict = "PASS" if ratio <= args.target else "FAIL"
    print(f"{verdict}: target ≤ {args.target:.1f}×")
    if args.why:
        why(args.settle)
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
