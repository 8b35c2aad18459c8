"""Opening a run with a big answer, and one with a 20-megapixel picture: UI stalls and memory.

The app is the real one, offscreen (``benchmarks/_app_harness.py``), signed into the
in-process demo with the test routes of ``tests/output_routes.py`` added. Each case runs in
a process of its own (so one's memory does not count in the other's):

* **json**: ``demo/big-answer`` is run once (setup, not measured) answering about
  ``--answer-mb`` MB of ``{energy_eV, dos_per_eV}`` records. Measured: selecting that run in
  the history, until its result view is built (the detail fetches the run from the
  backend, parses it, builds the labelled view with the curve as a paged table); then
  showing the already fetched run in the detail again (the result view's own cost).
* **png**: ``demo/make-outputs`` is run once answering a PNG of ``--megapixels`` million
  pixels (left half red, right half blue, a third of the rows noise, so the file has a
  realistic size). Measured: selecting the run until the picture is on screen (the output
  is fetched into the profile's cache, decoded scaled by the helper process, shown).

A ``QTimer`` heartbeat (``--interval`` ms) on the app's loop measures stalls (as
``benchmarks/ui_stalls.py``); a thread samples the resident memory (``/proc/self/statm``)
every 2 ms, and the peak increase over the phase's start is compared with the answer's
size (the JSON as sent, or the PNG file). Baseline: the same heartbeat on an idle bare
``QMainWindow`` for as long, in a fresh process. Targets (issue 13): longest stall < 50 ms,
p99 < 16 ms, peak memory increase ≤ 3× the answer's size.

    python benchmarks/result_view.py [--answer-mb 50] [--megapixels 20] [--case json|png]

Finding causes: ``RESULT_VIEW_WHY=1`` prints where the UI thread was in the longest
stalls (``STALL_ALL_THREADS=1`` adds the other threads: a UI thread "in" Qt is often
waiting for the interpreter another thread holds); ``BENCH_PAUSE=FILE`` writes the pid to
FILE and waits 3 s before opening the run, time to attach ``py-spy record --native``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _app_harness import REPO, AppUnderTest, make_loop, qt_environment, wait_until  # noqa: E402
from ui_stalls import (  # noqa: E402
    MAX_STALL_MS,
    P99_MS,
    Heartbeat,
    StallWatchdog,
    Stats,
    _where,
    baseline,
)

from ouro_desktop.api.compact import json_default  # noqa: E402

MEMORY_RATIO = 3.0
PAGE = os.sysconf("SC_PAGE_SIZE")


class MemorySampler:
    """The peak resident memory while it runs, sampled by a thread."""

    def __init__(self, every_s: float = 0.002) -> None:
        self.every_s = every_s
        self.start_rss = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="rss-sampler")

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * PAGE

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> MemorySampler:
        self.start_rss = self.peak = self._rss()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(1)
        self.peak = max(self.peak, self._rss())

    @property
    def increase(self) -> int:
        return self.peak - self.start_rss


WHY = os.environ.get("RESULT_VIEW_WHY") == "1"


async def _measure(name: str, interval: int, work: Any) -> dict[str, Any]:
    """Run ``work()`` under the heartbeat and the memory sampler."""
    gc.collect()
    await asyncio.sleep(0.3)
    beat = Heartbeat(interval)
    watchdog = StallWatchdog(beat, 20.0) if WHY else None
    with MemorySampler() as memory:
        beat.start()
        if watchdog:
            watchdog.start()
        started = time.perf_counter()
        note = await work()
        took = time.perf_counter() - started
        await asyncio.sleep(0.3)  # what the work left queued (paints, layouts) counts too
        beat.stop()
        if watchdog:
            watchdog.stop()
    stats = Stats.of([g for _s, g in beat.gaps()], interval)
    if watchdog:
        for start, stacks in sorted(watchdog.samples.items(), key=lambda kv: -len(kv[1]))[:6]:
            print(f"{name}: stall at {start:.2f}, {len(stacks)} samples", file=sys.stderr)
            for frame in _where(stacks, 12):
                print(f"    {frame}", file=sys.stderr)
    return {
        "name": name,
        "took_s": took,
        "gaps": [g for _s, g in beat.gaps()],
        "stall_ms": stats.max_stall_ms,
        "p99_ms": stats.p99_ms,
        "rss_increase": memory.increase,
        "note": note,
    }


async def _run_route(aut: AppUnderTest, ref: str, body: dict[str, Any]) -> Any:
    route = await aut.open_route(ref) if hasattr(aut, "open_route") else None
    client = aut.session.client
    assert client is not None and aut.runs.tracker is not None
    route = route or await client.get_route(ref)
    count = len(aut.finished)
    record = await aut.runs.tracker.submit(route, body=body)
    await wait_until(lambda: len(aut.finished) > count, 600, f"the {ref} run")
    return record, route


async def _select(aut: AppUnderTest, key: str) -> None:
    pane = aut.window.history
    await wait_until(lambda: pane.select_run(key), 60, "the run's row")


async def case_json(aut: AppUnderTest, args: argparse.Namespace) -> list[dict[str, Any]]:
    record, route = await _run_route(aut, "demo/big-answer", {"megabytes": args.answer_mb})
    key = record.action_id
    client = aut.session.client
    assert client is not None
    action = await client.get_action(key)
    size = len(json.dumps(action.response, separators=(",", ":"), default=json_default))
    detail = aut.window.run_detail
    pane = aut.window.history
    aut.history.reload()
    await wait_until(lambda: pane.model.entry_for(key) is not None, 60, "the history row")
    pane.view.clearSelection()
    detail.clear()
    del action
    results = []

    async def open_run() -> str:
        await _select(aut, key)
        await wait_until(
            lambda: detail.key() == key and detail.answer_view.view() is not None, 300, "view"
        )
        shown = detail.answer_view.shown_values()
        return f"shows {shown.get('Fermi energy')} and {shown.get('Points')} points"

    if os.environ.get("BENCH_PAUSE"):
        Path(os.environ["BENCH_PAUSE"]).write_text(str(os.getpid()))
        await asyncio.sleep(3)
    results.append(await _measure("open the run (fetch, parse, show)", args.interval, open_run))
    results[-1]["size"] = size
    fetched = aut.history._actions[key]  # noqa: SLF001 - the action the detail holds

    async def show_again() -> str:
        detail.clear()
        await asyncio.sleep(0)
        detail.show_run(
            key,
            route_name=route.full_name,
            status="success",
            action=fetched,
            record=None,
            route=route,
        )
        await asyncio.sleep(0)
        return f"{detail.answer_view.view().root.count:,} values at the top"  # type: ignore[union-attr]

    results.append(await _measure("show it in the detail (view only)", args.interval, show_again))
    results[-1]["size"] = size
    return results


async def case_png(aut: AppUnderTest, args: argparse.Namespace) -> list[dict[str, Any]]:
    width = int((args.megapixels * 1e6 * 3 / 2) ** 0.5)
    height = int(args.megapixels * 1e6 / width)
    body = {"width": width, "height": height, "noise": 0.33, "text_kb": 4}
    record, _route = await _run_route(aut, "demo/make-outputs", body)
    key = record.action_id
    detail = aut.window.run_detail
    pane = aut.window.history
    aut.history.reload()
    await wait_until(lambda: pane.model.entry_for(key) is not None, 60, "the history row")
    pane.view.clearSelection()
    detail.clear()
    from ouro_desktop.ui.results.outputs_view import OutputCard

    def picture() -> Any:
        cards = detail.answer_view.findChildren(OutputCard)
        return next((c for c in cards if c.item.name == "red and blue"), None)

    async def open_run() -> str:
        await _select(aut, key)
        await wait_until(
            lambda: (card := picture()) is not None and card.preview.has_image(), 300, "picture"
        )
        card = picture()
        return f"picture shown at {card.preview.pixmap().width()} px wide ({width} × {height})"

    result = await _measure("open the run (fetch, decode, show)", args.interval, open_run)
    cached = aut.history.cache.cached(picture().item.asset_id)
    assert cached is not None
    result["size"] = cached.stat().st_size
    return [result]


async def scenario(aut: AppUnderTest, args: argparse.Namespace) -> list[dict[str, Any]]:
    from ouro_desktop.demo.app import create_app
    from ouro_desktop.demo.services import demo_services
    from tests.output_routes import output_services

    aut.session.demo.app = create_app(  # type: ignore[union-attr]
        aut.paths.demo_data, services=demo_services() + output_services()
    )
    await aut.start()
    aut.backend.faults.upload_cap_bytes = None
    await asyncio.sleep(0.5)
    try:
        if args.case == "json":
            return await case_json(aut, args)
        return await case_png(aut, args)
    finally:
        await aut.aclose()


def run_case(args: argparse.Namespace) -> int:
    """One case, in this process: prints its results as one JSON line."""
    qt_environment()
    with tempfile.TemporaryDirectory(prefix="ouro-result-view-") as tmp:
        _app, loop = make_loop()
        aut = AppUnderTest(Path(tmp) / "profile")
        try:
            results = loop.run_until_complete(scenario(aut, args))
        finally:
            loop.close()
    if aut.errors:
        print(json.dumps({"errors": aut.errors}))
        return 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"results": results, "process_peak": peak}))
    return 0


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answer-mb", type=float, default=50.0)
    parser.add_argument("--megapixels", type=float, default=20.0)
    parser.add_argument("--interval", type=int, default=5, help="heartbeat interval, ms")
    parser.add_argument("--case", choices=("json", "png"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        return run_case(args)

    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    rows: list[dict[str, Any]] = []
    for case in ("json", "png"):
        command = [sys.executable, __file__, "--case", case, "--interval", str(args.interval)]
        command += ["--answer-mb", str(args.answer_mb), "--megapixels", str(args.megapixels)]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            print(f"case {case} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
            return 1
        rows += json.loads(lines[-1])["results"]

    longest = max(sum(r["gaps"]) for r in rows)
    bare = Stats.of(baseline(longest, args.interval), args.interval)
    print(
        f"\nheartbeat every {args.interval} ms; bare QMainWindow for {longest:.1f} s: "
        f"max stall {bare.max_stall_ms:.1f} ms, p99 gap {bare.p99_ms:.1f} ms\n"
    )
    header = (
        f"{'what':<40} {'took':>7} {'max stall':>10} {'p99 gap':>8} {'× bare':>7} "
        f"{'answer':>9} {'+memory':>9} {'× answer':>8}"
    )
    print(header)
    ok = True
    for r in rows:
        ratio = r["rss_increase"] / max(r["size"], 1)
        stall_x = r["stall_ms"] / max(bare.max_stall_ms, 0.1)
        print(
            f"{r['name']:<40} {r['took_s']:>5.2f} s {r['stall_ms']:>7.1f} ms {r['p99_ms']:>5.1f} ms"
            f" {stall_x:>6.1f}× {_mb(r['size']):>9} {_mb(r['rss_increase']):>9} {ratio:>7.2f}×"
        )
        print(f"{'':<40} {r['note']}")
        ok &= r["stall_ms"] < MAX_STALL_MS and r["p99_ms"] < P99_MS and ratio <= MEMORY_RATIO
    verdict = "PASS" if ok else "FAIL"
    print(
        f"\n{verdict}: targets max stall < {MAX_STALL_MS:.0f} ms, p99 gap < {P99_MS:.0f} ms, "
        f"memory increase ≤ {MEMORY_RATIO:.0f}× the answer"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
