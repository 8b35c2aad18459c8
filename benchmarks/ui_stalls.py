"""UI stalls: the longest event-loop stall while the app polls runs, pages history and uploads.

A ``QTimer`` heartbeat (``--interval`` ms, precise timer) on the app's qasync loop
records the moment of every tick; a gap between two ticks longer than the interval means
the loop was busy (or blocked) for that long. The *stall* is the longest gap minus the
interval; the p99 is over all tick gaps. Targets (absolute, from the issue): longest
stall < 50 ms and p99 tick gap < 16 ms (one frame at 60 Hz).

The app is the real one, offscreen (``QT_QPA_PLATFORM=offscreen``): the same window,
controllers and services as ``ouro_desktop.app`` (see ``benchmarks/_app_harness.py``),
signed into the in-process demo backend, with the DOS route
(``demo/predict-electronic-dos-at-fermi-level``) open. Before the heartbeat starts the
profile's run ledger gets ``--history`` finished runs (``RunLedger.bulk_insert``) and a
``--upload-mb`` CIF file is written (a real CIF header, then a long comment block).
Then, all at the same time (or one after another with ``--sequential``):

* **runs**: ``--runs`` runs of ``demo/formula-properties`` submitted through the
  ``RunTracker`` (``runs.tracker.submit``) one after another, ``--submit-gap`` apart
  (as repeated clicks on Run would; ``0`` submits all in one turn of the loop), the
  service answering after ``--latency`` seconds, so they overlap; the tracker polls
  them until every one has finished;
* **history**: the history pane switched to "This route" and back to "All my runs"
  (the scope buttons), then paged with ``fetchMore`` (scrolled to the bottom each
  time) until every run in the ledger is listed (``--pages`` caps the pages);
* **upload**: the file dropped on the DOS route's ``file`` zone
  (``zone.files_dropped``), so ``RunController`` checks, previews, hashes and uploads
  it (signed-URL PUT streamed to the demo backend); its upload cap is lifted for this.

Baseline: the same heartbeat, for the same duration, on an idle bare ``QMainWindow``
(same size, same qasync loop) in a fresh subprocess. Printed: longest stall and p99 for
both, the ratios app ÷ bare, the phases with their longest gap, the longest gaps with
the phases they fell in, and PASS/FAIL. ``--why`` adds a watchdog thread that samples
the UI thread's stack while a tick is overdue and prints where each long stall was, and
times garbage collections (``gc.callbacks``; a collection holds the GIL, so the sampler
cannot see it) and marks the gaps they fell in.

    python benchmarks/ui_stalls.py [--runs 50] [--history 10000] [--upload-mb 200]
                                   [--latency 3] [--sequential] [--why]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import faulthandler
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _app_harness import (  # noqa: E402
    REPO,
    AppUnderTest,
    fill_ledger,
    make_loop,
    qt_environment,
    wait_until,
)
from _bytecode import precompile_app  # noqa: E402

MAX_STALL_MS = 50.0
P99_MS = 16.0
DOS_ROUTE = "demo/predict-electronic-dos-at-fermi-level"
RUN_ROUTE = "demo/formula-properties"
EXAMPLES = REPO / "ouro_desktop" / "demo" / "examples"


# --------------------------------------------------------------------------- the heartbeat


class Heartbeat:
    """A precise QTimer on the running loop; ``ticks`` are ``time.perf_counter()`` stamps."""

    def __init__(self, interval_ms: int) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.interval_ms = interval_ms
        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        self.ticks.append(time.perf_counter())

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.ticks.append(time.perf_counter())  # a stall at the very end counts too

    def gaps(self) -> list[tuple[float, float]]:
        """``(start, length)`` of every gap between ticks, in seconds."""
        t = self.ticks
        return [(t[i - 1], t[i] - t[i - 1]) for i in range(1, len(t))]


@dataclass
class Stats:
    ticks: int
    duration_s: float
    max_gap_ms: float
    max_stall_ms: float
    p99_ms: float
    p50_ms: float
    over_16: int
    over_50: int

    @classmethod
    def of(cls, gaps_s: list[float], interval_ms: float) -> Stats:
        ms = sorted(g * 1000.0 for g in gaps_s)
        p99 = ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]
        return cls(
            ticks=len(ms),
            duration_s=sum(gaps_s),
            max_gap_ms=ms[-1],
            max_stall_ms=max(0.0, ms[-1] - interval_ms),
            p99_ms=p99,
            p50_ms=statistics.median(ms),
            over_16=sum(1 for g in ms if g > 16.0),
            over_50=sum(1 for g in ms if g > 50.0),
        )


class StallWatchdog:
    """Samples the UI thread's stack whenever the heartbeat is overdue by ``after_ms``."""

    def __init__(self, beat: Heartbeat, after_ms: float, every_ms: float = 3.0) -> None:
        self.beat = beat
        self.after_s = after_ms / 1000.0
        self.every_s = every_ms / 1000.0
        self.main_id = threading.main_thread().ident or 0
        # tick stamp the stall began at -> sampled stacks (innermost last)
        self.samples: dict[float, list[tuple[str, ...]]] = collections.defaultdict(list)
        # Garbage collections: (start, end, generation). A collection holds the GIL, so
        # the sampler cannot see it; it is timed through gc.callbacks instead.
        self.collections: list[tuple[float, float, int]] = []
        self._gc_started = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="stall-watchdog", daemon=True)

    def start(self) -> None:
        gc.callbacks.append(self._on_gc)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.collections.append((self._gc_started, time.perf_counter(), info["generation"]))

    def gc_during(self, start: float, end: float) -> str:
        """The garbage collections inside a gap, e.g. "gc gen2 31.0 ms"."""
        inside = [(b - a, g) for a, b, g in self.collections if a < end and b > start]
        return ", ".join(f"gc gen{g} {d * 1000:.1f} ms" for d, g in inside if d > 0.001)

    def _watch(self) -> None:
        while not self._stop.wait(self.every_s):
            ticks = self.beat.ticks
            if not ticks:
                continue
            last = ticks[-1]
            if time.perf_counter() - last < self.after_s:
                continue
            every = os.environ.get("STALL_ALL_THREADS") == "1"
            where = thread_stacks(None if every else (self.main_id,))
            if self.main_id not in where:
                continue
            stack = tuple(
                f"{_short_path(f)}:{line} {name}" for f, line, name in where[self.main_id]
            )
            if every:
                # Where the other threads are: the UI thread waiting in native code is
                # often waiting for the interpreter lock one of them holds.
                names = {t.ident: t.name for t in threading.enumerate()}
                for ident, inner in where.items():
                    if ident in (self.main_id, threading.get_ident()):
                        continue
                    who = names.get(ident, str(ident))
                    stack = (
                        tuple(
                            f"  [{who}] {_short_path(f)}:{line} {name}"
                            for f, line, name in inner[-3:]
                        )
                        + stack
                    )
            self.samples[last].append(stack)


_DUMP = tempfile.TemporaryFile()  # where faulthandler writes the stacks (see thread_stacks)
_THREAD = re.compile(rb"^(?:Current thread|Thread) (0x[0-9a-f]+)")
_FRAME = re.compile(rb'^  File "(.*)", line (\d+) in (.*)$')


def thread_stacks(idents: tuple[int, ...] | None = None) -> dict[int, list[tuple[str, int, str]]]:
    """Where threads are (``idents``, or all): (file, line, function), outermost first
    (faulthandler's innermost 100 frames a thread).

    Read by ``faulthandler``, in C, without making a frame object. A frame object that a
    sampler still holds when its function returns keeps that function's locals alive; in
    a Qt override those are wrappers of C++ objects on the UI thread's stack (a style
    option, its ``rect``, the painter). Shiboken keeps such a wrapper registered under its
    object's address and hands it out for whatever is built there next: with
    ``traceback.extract_stack`` here, a spin box's option arrived in
    ``ReadableStyle.drawComplexControl`` as a QRect in some ``--why`` runs of run-20mb
    (1 of 26 on 3 December; the option kept was a check box's), and some runs crashed.
    """
    _DUMP.seek(0)
    _DUMP.truncate()
    faulthandler.dump_traceback(_DUMP, all_threads=True)
    _DUMP.seek(0)
    out: dict[int, list[tuple[str, int, str]]] = {}
    stack: list[tuple[str, int, str]] | None = None
    for line in _DUMP.read().splitlines():
        thread = _THREAD.match(line)
        if thread is not None:
            ident = int(thread.group(1), 16)
            stack = [] if idents is None or ident in idents else None
            if stack is not None:
                out[ident] = stack
            continue
        frame = _FRAME.match(line) if stack is not None else None
        if frame is not None and stack is not None:
            name = frame.group(3).decode(errors="replace")
            stack.append((frame.group(1).decode(errors="replace"), int(frame.group(2)), name))
    for stack in out.values():
        stack.reverse()  # (faulthandler writes the innermost frame first)
    return out


def _short_path(filename: str) -> str:
    path = Path(filename)
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        parts = path.parts
        if "site-packages" in parts:
            return "/".join(parts[parts.index("site-packages") + 1 :])
        return "/".join(parts[-2:])


def _where(stacks: list[tuple[str, ...]], depth: int = 7) -> list[str]:
    """The most common stack among the samples: its innermost ``depth`` frames."""
    common, _n = collections.Counter(stacks).most_common(1)[0]
    others = [frame for frame in common if frame.startswith("  [")]  # STALL_ALL_THREADS
    return others + [frame for frame in common if not frame.startswith("  [")][-depth:]


# --------------------------------------------------------------------------- the scenario


@dataclass
class Phases:
    t0: float = 0.0
    spans: list[tuple[str, float, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, name: str, start: float, end: float) -> None:
        self.spans.append((name, start, end))

    def active(self, start: float, end: float) -> list[str]:
        return [n for n, a, b in self.spans if a < end and b > start]


def write_big_cif(path: Path, megabytes: int) -> None:
    """A real CIF (NaCl) followed by a comment block up to ``megabytes`` MiB."""
    header = (EXAMPLES / "NaCl.cif").read_bytes()
    line = b"# " + b"padding comment line for the upload benchmark " * 2 + b"\n"
    block = line * (1024 * 1024 // len(line) + 1)
    target = megabytes * 1024 * 1024
    with path.open("wb") as fh:
        fh.write(header if header.endswith(b"\n") else header + b"\n")
        written = fh.tell()
        while written < target:
            piece = block[: target - written]
            fh.write(piece)
            written += len(piece)


async def phase_runs(
    aut: AppUnderTest, route: Any, n: int, gap_s: float, timeout: float, ph: Phases
) -> None:
    tracker = aut.runs.tracker
    assert tracker is not None
    start = time.perf_counter()
    if gap_s > 0:
        # One after another, as the Run button allows (it is disabled while a submission
        # is in flight); each submission starts in its own turn of the loop.
        records = []
        for _ in range(n):
            records.append(await tracker.submit(route, body={"formula": "NaCl"}))
            await asyncio.sleep(gap_s)
    else:  # all in the same turn of the loop (not possible from the window)
        submits = [tracker.submit(route, body={"formula": "NaCl"}) for _ in range(n)]
        records = list(await asyncio.gather(*submits))
    submitted = time.perf_counter()
    ph.add(f"runs: submit {n}", start, submitted)
    ids = {r.local_id for r in records}

    def finished() -> set[str]:
        return ids & {r.local_id for r in aut.finished}

    await wait_until(lambda: len(finished()) == len(ids), timeout, f"{n} runs finishing")
    end = time.perf_counter()
    ph.add("runs: polled until all finished", submitted, end)
    states = collections.Counter(str(r.state) for r in aut.finished if r.local_id in ids)
    ph.notes.append(
        f"runs: {n} finished in {end - start:.1f} s ({dict(states)}); service latency "
        f"{aut.backend.faults.route_latency}"
    )


async def phase_history(
    aut: AppUnderTest, expected_rows: int, max_pages: int | None, timeout: float, ph: Phases
) -> None:
    from PySide6.QtCore import QModelIndex

    pane = aut.window.history
    model = pane.model

    def idle() -> bool:
        return not aut.tasks.running("history") and not model.loading

    start = time.perf_counter()
    pane.scope_buttons["route"].click()  # "This route" (the DOS route) ...
    await wait_until(idle, timeout, "the route's history")
    pane.scope_buttons["all"].click()  # ... and back to "All my runs"
    await wait_until(lambda: idle() and model.rowCount() > 0, timeout, "the first page")
    first = time.perf_counter()
    ph.add("history: switch scope, first page", start, first)
    pages = 1
    while model.canFetchMore(QModelIndex()) and (max_pages is None or pages < max_pages):
        pane.view.scrollToBottom()  # the view may ask for the next page itself ...
        model.fetchMore(QModelIndex())  # ... or this does (a no-op if already asked)
        await wait_until(idle, timeout, f"history page {pages + 1}")
        pages += 1
    pane.view.scrollToBottom()
    end = time.perf_counter()
    ph.add(f"history: {pages - 1} more pages (fetchMore)", first, end)
    ph.notes.append(
        f"history: {model.rowCount():,} rows listed in {pages} pages, {end - start:.1f} s "
        f"(ledger holds {expected_rows:,} older runs)"
    )


async def phase_upload(aut: AppUnderTest, path: Path, timeout: float, ph: Phases) -> None:
    from ouro_desktop.ui.run.form.drop_zone import ZoneState

    zone = aut.window.run_panel.inputs.zone("file")
    done_states = {ZoneState.UPLOADED, ZoneState.ERROR, ZoneState.REJECTED}
    start = time.perf_counter()
    zone.files_dropped.emit("file", [str(path)])
    # Follow the zone's states to time the steps: checking -> preview (hashing) ->
    # uploading -> uploaded.
    state, since = None, start
    deadline = start + timeout
    while True:
        now = time.perf_counter()
        current = zone.state
        if current is not state:
            if state is not None:
                label = {ZoneState.EMPTY: "dropped", ZoneState.PREVIEW: "hashing"}.get(
                    state, str(state)
                )
                ph.add(f"upload: {label}", since, now)
            state, since = current, now
        if current in done_states:
            break
        if now > deadline:
            raise TimeoutError(f"upload: not done within {timeout:.0f} s (state {current})")
        await asyncio.sleep(0.01)
    end = time.perf_counter()
    size_mb = path.stat().st_size / 1024**2
    if zone.state is not ZoneState.UPLOADED:
        raise RuntimeError(f"upload ended {zone.state}: {zone.message_label.text()}")
    ph.notes.append(
        f"upload: {size_mb:.0f} MiB checked, hashed and uploaded in {end - start:.1f} s "
        f"({size_mb / (end - start):.0f} MiB/s), asset {zone.asset_id}"
    )


async def scenario(
    aut: AppUnderTest, args: argparse.Namespace, big: Path
) -> tuple[Heartbeat, Phases, StallWatchdog | None]:
    await aut.start(open_ref=DOS_ROUTE)
    faults = aut.backend.faults
    faults.route_latency["formula-properties"] = args.latency
    faults.time_scale = 0.01
    faults.upload_cap_bytes = None  # the demo's 64 MiB cap would refuse the file (413)
    client = aut.session.client
    assert client is not None
    route = await client.get_route(RUN_ROUTE)
    await asyncio.sleep(0.5)  # let start-up work drain

    beat = Heartbeat(args.interval)
    watchdog = StallWatchdog(beat, args.why_after) if args.why else None
    ph = Phases()
    beat.start()
    if watchdog:
        watchdog.start()
    ph.t0 = beat.ticks[0]
    steps: list[Callable[[], Awaitable[None]]] = [
        lambda: phase_runs(aut, route, args.runs, args.submit_gap, args.timeout, ph),
        lambda: phase_history(aut, args.history, args.pages, args.timeout, ph),
        lambda: phase_upload(aut, big, args.timeout, ph),
    ]
    try:
        if args.sequential:
            for step in steps:
                await step()
        else:
            await asyncio.gather(*(step() for step in steps))
        await asyncio.sleep(0.2)
    finally:
        beat.stop()
        if watchdog:
            watchdog.stop()
    await aut.aclose()
    return beat, ph, watchdog


# --------------------------------------------------------------------------- the baseline

BASELINE = r"""
import asyncio, json, sys, time
sys.path.insert(0, sys.argv[3])
from _app_harness import make_loop, qt_environment
qt_environment()
app, loop = make_loop()
from PySide6.QtWidgets import QMainWindow
from ui_stalls import Heartbeat
window = QMainWindow()
window.setWindowTitle("bare")
window.resize(1360, 820)
window.show()

async def idle():
    await asyncio.sleep(0.5)
    beat = Heartbeat(int(sys.argv[2]))
    beat.start()
    await asyncio.sleep(float(sys.argv[1]))
    beat.stop()
    return [g for _s, g in beat.gaps()]

print(json.dumps(loop.run_until_complete(idle())))
"""


def baseline(seconds: float, interval_ms: int) -> list[float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_API": "pyside6"}
    here = str(Path(__file__).resolve().parent)
    done = subprocess.run(
        [sys.executable, "-c", BASELINE, f"{seconds:.3f}", str(interval_ms), here],
        capture_output=True,
        text=True,
        env=env,
        timeout=seconds + 120,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"baseline run failed:\n{done.stderr}")
    gaps: list[float] = json.loads(done.stdout.strip().splitlines()[-1])
    return gaps


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="runs polled (default 50)")
    parser.add_argument("--history", type=int, default=10_000, help="runs in the ledger")
    parser.add_argument("--pages", type=int, default=None, help="cap on history pages")
    parser.add_argument("--upload-mb", type=int, default=200, help="size of the upload, MiB")
    parser.add_argument("--latency", type=float, default=3.0, help="service latency, s")
    parser.add_argument(
        "--submit-gap",
        type=float,
        default=0.02,
        help="seconds between submissions; 0 = all in one turn of the loop (default 0.02)",
    )
    parser.add_argument("--interval", type=int, default=5, help="heartbeat interval, ms")
    parser.add_argument("--timeout", type=float, default=180.0, help="per phase, s")
    parser.add_argument("--sequential", action="store_true", help="phases one after another")
    parser.add_argument("--why", action="store_true", help="sample the UI stack in stalls")
    parser.add_argument("--why-after", type=float, default=20.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    precompile_app()  # as installed (see _bytecode.py)

    qt_environment()
    with tempfile.TemporaryDirectory(prefix="ouro-ui-stalls-") as tmp:
        root = Path(tmp)
        profile = root / "profile"
        t = time.perf_counter()
        fill_ledger(profile / "data" / "runs.sqlite3", args.history)
        big = root / "big-structure.cif"
        write_big_cif(big, args.upload_mb)
        print(
            f"setup: ledger with {args.history:,} runs and a {args.upload_mb} MiB CIF in "
            f"{time.perf_counter() - t:.1f} s",
            flush=True,
        )
        _app, loop = make_loop()
        aut = AppUnderTest(profile)
        try:
            beat, ph, watchdog = loop.run_until_complete(scenario(aut, args, big))
        finally:
            loop.close()
        if aut.errors:
            print(f"FAIL: {len(aut.errors)} background task(s) failed (see above)")
            return 1

    gaps = beat.gaps()
    app_stats = Stats.of([g for _s, g in gaps], args.interval)
    bare_stats = Stats.of(baseline(app_stats.duration_s, args.interval), args.interval)

    mode = "one after another" if args.sequential else "all at once"
    print(
        f"\nscenario ({mode}): {args.runs} runs of {RUN_ROUTE} polled to the end, "
        f"{args.history:,} runs paged into the history, a {args.upload_mb} MiB CIF uploaded"
    )
    for note in ph.notes:
        print(f"  {note}")
    print(f"\n{'phase':<42} {'start s':>8} {'end s':>8} {'longest gap':>12}")
    for name, a, b in ph.spans:
        inside = [g for s, g in gaps if s < b and s + g > a]
        longest = max(inside) * 1000 if inside else 0.0
        print(f"{name:<42} {a - ph.t0:>8.2f} {b - ph.t0:>8.2f} {longest:>9.1f} ms")

    print(f"\nheartbeat every {args.interval} ms for {app_stats.duration_s:.1f} s:")
    print(
        f"{'':<18} {'max stall':>10} {'max gap':>9} {'p99 gap':>9} {'p50 gap':>9} "
        f"{'>16 ms':>7} {'>50 ms':>7} {'ticks':>7}"
    )
    for label, st in (("app (scenario)", app_stats), ("bare QMainWindow", bare_stats)):
        print(
            f"{label:<18} {st.max_stall_ms:>7.1f} ms {st.max_gap_ms:>6.1f} ms {st.p99_ms:>6.1f} ms "
            f"{st.p50_ms:>6.1f} ms {st.over_16:>7} {st.over_50:>7} {st.ticks:>7}"
        )
    stall_ratio = app_stats.max_stall_ms / max(bare_stats.max_stall_ms, 0.1)
    p99_ratio = app_stats.p99_ms / bare_stats.p99_ms
    print(f"ratio app ÷ bare: max stall {stall_ratio:.1f}×, p99 gap {p99_ratio:.2f}×")

    worst = sorted(gaps, key=lambda sg: sg[1], reverse=True)[:10]
    print("\nlongest gaps (when, how long, during):")
    for s, g in worst:
        during = ", ".join(ph.active(s, s + g)) or "-"
        collected = watchdog.gc_during(s, s + g) if watchdog is not None else ""
        print(
            f"  t={s - ph.t0:7.2f} s  {g * 1000:7.1f} ms  {during}"
            + (f"  [{collected}]" if collected else "")
        )
    if watchdog is not None:
        print(f"\nwhere the UI thread was during stalls > {args.why_after:.0f} ms:")
        long_ones = sorted(watchdog.samples.items(), key=lambda kv: -len(kv[1]))
        for start, stacks in long_ones[:8]:
            length = next((g for s, g in gaps if s == start), 0.0)
            print(f"  t={start - ph.t0:7.2f} s  gap {length * 1000:.1f} ms, {len(stacks)} samples:")
            for frame in _where(stacks):
                print(f"      {frame}")

    ok_stall = app_stats.max_stall_ms < MAX_STALL_MS
    ok_p99 = app_stats.p99_ms < P99_MS
    verdict = "PASS" if ok_stall and ok_p99 else "FAIL"
    print(
        f"\n{verdict}: max stall {app_stats.max_stall_ms:.1f} ms (target < {MAX_STALL_MS:.0f} ms"
        f" {'ok' if ok_stall else 'MISSED'}), p99 gap {app_stats.p99_ms:.1f} ms (target < "
        f"{P99_MS:.0f} ms {'ok' if ok_p99 else 'MISSED'})"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    raise SystemExit(main())
