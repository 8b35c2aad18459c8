"""Folder batch: UI stalls, memory and requests per run while 1,000 small CIFs run.

The real app, offscreen (``benchmarks/_app_harness.py``), signed into the in-process demo
backend with ``demo/predict-electronic-dos-at-fermi-level`` open. A counting ASGI layer in
front of the demo backend counts requests by kind. Steps, all on the app's qasync loop
with a ``QTimer`` heartbeat (as ``benchmarks/ui_stalls.py``):

1. **single runs (baseline for requests)**: ``--single`` runs of one CIF each, started
   one at a time through the run controller's ``RunTracker`` as the Run button does
   (each waited for), the service answering after ``--latency`` s: requests per finished
   run (``POST …/use`` plus every ``/actions`` request -- what ``polling_cost.py``
   counts for a single run).
2. **the batch**: a folder of ``--files`` distinct small CIFs dropped on the route's file
   input (``zone.batch_dropped``): planning (every file checked off the UI thread), the
   plan dialog's Start with ``--concurrency`` runs at once, uploads (hash, upload), the
   submissions, the polling and the table filling until the batch is done.

Printed: the longest stall and the p99 tick gap during the batch (targets < 50 ms and
< 16 ms) and the same for an idle bare ``QMainWindow`` measured in a subprocess for the
same time (ratios app ÷ bare); resident memory growth from before the drop to the end
(target ≤ 50 MB); requests per finished run of the batch and of the single runs (ratio,
target ≤ 1.0×), uploads per file; the time taken; the load average of the machine.

``--why`` attributes every gap over 16 ms (see :class:`CpuWatch`): a sampler thread
reads, every 2 ms, the scheduler's clocks of the UI thread (time on a core, time
runnable but waiting for a core) and the demo backend's thread, and the UI thread's
stack while a tick is overdue. Each gap goes to what took most of the UI thread's time:
*working* (its stack says where: a stack ending in qasync's ``run_forever`` is Qt's own
C++ -- painting, layout), *waiting for a core* (the 2 cores busy: other processes, or
this one's other threads), or blocked -- *waiting for the disk* when the stack is in
the ledger, else *waiting for the GIL* (held by the demo backend or a worker). Garbage
collections are timed too.

    python benchmarks/batch.py [--files 1000] [--concurrency 8] [--latency 0.3]
                               [--single 20] [--why]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _app_harness import AppUnderTest, make_loop, qt_environment, wait_until  # noqa: E402
from _bytecode import precompile_app  # noqa: E402
from ui_stalls import Heartbeat, Stats, _short_path, baseline, thread_stacks  # noqa: E402

ROUTE = "demo/predict-electronic-dos-at-fermi-level"
EXAMPLES = Path(__file__).resolve().parents[1] / "ouro_desktop" / "demo" / "examples"


class CountingApp:
    """ASGI layer counting the demo backend's requests by kind (``take`` reads and resets)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = app.state  # InProcessDemo.backend reads it
        self.counts: Counter[str] = Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            method, path = scope["method"], scope["path"]
            if method == "POST" and path.endswith("/use"):
                self.counts["use"] += 1
            elif path.startswith("/actions") and path.endswith("/logs"):
                self.counts["logs"] += 1
            elif path == "/actions":
                self.counts["list"] += 1
            elif path.startswith("/actions/"):
                self.counts["get"] += 1
            elif path.startswith("/files") or path.startswith("/storage"):
                self.counts["files"] += 1
            else:
                self.counts["other"] += 1
        await self.app(scope, receive, send)

    def take(self) -> Counter[str]:
        counts, self.counts = self.counts, Counter()
        return counts


def per_run(counts: Counter[str], runs: int) -> float:
    return (counts["use"] + counts["get"] + counts["list"] + counts["logs"]) / max(1, runs)


class CpuWatch:
    """Samples, every ``every_ms``, the scheduler's clocks of the UI thread and of the demo
    backend's thread (``/proc/self/task/<tid>/schedstat``: time on a core, time waiting
    for one) and the process's CPU time, and the UI thread's stack while the heartbeat is
    overdue; :meth:`attribute` says, for one gap, where the UI thread's time went (see
    the module docstring)."""

    def __init__(self, beat: Heartbeat, every_ms: float = 2.0, overdue_ms: float = 12.0) -> None:
        self.beat = beat
        self.every_s, self.overdue_s = every_ms / 1000.0, overdue_ms / 1000.0
        main = threading.main_thread()
        self.main_ident = main.ident or 0
        self.main_stat = f"/proc/self/task/{main.native_id}/schedstat"
        self.demo_stat: str | None = None
        # (wall, ui on-core, ui waiting for a core, demo on-core, process cpu)
        self.samples: list[tuple[float, float, float, float, float]] = []
        self.stacks: dict[float, list[tuple[str, ...]]] = {}  # gap start -> UI stacks
        self.collections: list[tuple[float, float]] = []
        self._gc_started = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="cpu-watch", daemon=True)

    def start(self) -> None:
        for thread in threading.enumerate():
            if thread.name == "ouro-demo-backend":
                self.demo_stat = f"/proc/self/task/{thread.native_id}/schedstat"
        gc.callbacks.append(self._on_gc)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.collections.append((self._gc_started, time.perf_counter()))

    @staticmethod
    def _sched(path: str | None) -> tuple[float, float]:
        if path is None:
            return 0.0, 0.0
        with open(path, "rb") as fh:
            on_core, waiting, _slices = fh.read().split()
        return int(on_core) / 1e9, int(waiting) / 1e9

    def _watch(self) -> None:
        while not self._stop.wait(self.every_s):
            now = time.perf_counter()
            ui_run, ui_wait = self._sched(self.main_stat)
            demo_run, _ = self._sched(self.demo_stat)
            self.samples.append((now, ui_run, ui_wait, demo_run, time.process_time()))
            ticks = self.beat.ticks
            if ticks and now - ticks[-1] > self.overdue_s:
                # (no frame kept: see ui_stalls.thread_stacks)
                where = thread_stacks((self.main_ident,)).get(self.main_ident)
                if where:
                    stack = tuple(f"{_short_path(f)}:{line} {name}" for f, line, name in where)
                    self.stacks.setdefault(ticks[-1], []).append(stack)

    def _at(self, t: float) -> tuple[float, ...]:
        """The clocks at ``t`` (the last sample at or before it)."""
        samples = self.samples
        lo, hi = 0, len(samples)
        while lo < hi:
            mid = (lo + hi) // 2
            if samples[mid][0] <= t:
                lo = mid + 1
            else:
                hi = mid
        return samples[max(0, lo - 1)]

    def attribute(self, start: float, length: float) -> dict[str, Any]:
        a, b = self._at(start), self._at(start + length)
        span = max(1e-6, b[0] - a[0])
        ui, queued, demo, proc = b[1] - a[1], b[2] - a[2], b[3] - a[3], b[4] - a[4]
        blocked = max(0.0, span - ui - queued)
        others = max(0.0, proc - ui - demo)
        gc_s = sum(
            min(e, start + length) - max(s, start)
            for s, e in self.collections
            if s < start + length and e > start
        )
        where = _app_frames(self.stacks.get(start, []))
        if gc_s > 0.5 * length:
            kind = "garbage collection"
        elif ui >= max(queued, blocked):
            kind = "UI thread working"
        elif queued >= blocked:
            kind = "waiting for a core"
        elif "ledger" in where or "batch_store" in where or "sqlite" in where:
            kind = "waiting for the disk"
        else:
            kind = "waiting for the GIL"
        return {
            "kind": kind,
            "ui": ui / span,
            "queued": queued / span,
            "blocked": blocked / span,
            "demo": demo / span,
            "others": others / span,
            "gc_ms": gc_s * 1000,
            "where": where,
        }


def _app_frames(stacks: list[tuple[str, ...]], depth: int = 4) -> str:
    """The UI thread's most common stack in a gap: its innermost frames of the app (a
    stack ending in qasync's ``run_forever`` is in Qt's C++: painting, layout, events)."""
    if not stacks:
        return "(no sample)"
    common = Counter(stacks).most_common(1)[0][0]
    inner = [f for f in common if "ouro_desktop/" in f or "qasync" in f][-depth:]
    shown = [f"{f.split(' ', 1)[1]} ({f.split(':')[0].split('/')[-1]})" for f in inner]
    return " > ".join(shown) or common[-1]


def why_report(watch: CpuWatch, beat: Heartbeat) -> None:
    """The gaps over 16 ms by where the UI thread's time went; the longest ten in detail."""
    gaps = [(length, start) for start, length in beat.gaps() if length > 0.016]
    by_kind: Counter[str] = Counter()
    time_kind: Counter[str] = Counter()
    by_where: Counter[tuple[str, str]] = Counter()
    notes = []
    for length, start in gaps:
        facts = watch.attribute(start, length)
        by_kind[facts["kind"]] += 1
        time_kind[facts["kind"]] += length
        by_where[(facts["kind"], facts["where"])] += 1
        notes.append((length, facts))
    print(f"\nthe {len(gaps)} gaps over 16 ms, by where the UI thread's time went:")
    for kind, n in by_kind.most_common():
        print(f"  {kind:<20} {n:>5} gaps, {time_kind[kind]:6.2f} s in all")
    print("where the UI thread was (most common first):")
    for (kind, where), n in by_where.most_common(12):
        print(f"  {n:>5}  {kind:<20} {where}")
    print(
        "the longest gaps (share of the gap: UI thread on a core, waiting for one, blocked;"
        " demo thread and our other threads on a core):"
    )
    for length, f in sorted(notes, key=lambda x: -x[0])[:10]:
        print(
            f"  {length * 1000:6.1f} ms {f['kind']:<20} ui {f['ui']:.0%} queued "
            f"{f['queued']:.0%} blocked {f['blocked']:.0%}; demo {f['demo']:.0%} threads "
            f"{f['others']:.0%}; gc {f['gc_ms']:.0f} ms\n             {f['where']}"
        )


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def write_cifs(folder: Path, n: int) -> None:
    folder.mkdir(parents=True)
    sources = [p.read_text() for p in sorted(EXAMPLES.glob("*.cif"))]
    for i in range(n):
        (folder / f"s{i:04d}.cif").write_text(sources[i % len(sources)] + f"\n# sample {i}\n")


async def scenario(aut: AppUnderTest, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    counting: CountingApp = aut.session.demo.app  # type: ignore[union-attr]
    await aut.start(open_ref=ROUTE)
    faults = aut.backend.faults
    faults.time_scale = 1.0
    faults.route_latency[ROUTE.split("/")[1]] = args.latency
    runs, batches = aut.runs, aut.workspace.batches
    tracker = runs.tracker
    assert tracker is not None
    route = aut.window.run_panel.route
    out: dict[str, Any] = {}

    # 1. single runs, one at a time (the file uploaded once, as a re-run would reuse it)
    from ouro_desktop.core.file_checks import check_local_file
    from ouro_desktop.core.upload_pipeline import upload_or_reuse

    checked = check_local_file(EXAMPLES / "Cu.cif", route.input_assets["file"])
    account = aut.session.account
    upload = await upload_or_reuse(
        aut.session.client,
        aut.uploads,
        checked,
        base_url=account.base_url,
        account=account.user.username,
        cancel=asyncio.Event(),
    )
    counting.take()
    for _ in range(args.single):
        done = asyncio.Event()
        record = await tracker.submit(route, body={}, input_assets={"file": upload.asset_id})
        local_id = record.local_id

        def finished(r: Any, lid: str = local_id, ev: asyncio.Event = done) -> None:
            if r.local_id == lid:
                ev.set()

        unsubscribe = tracker.subscribe(on_finished=finished)
        if not (aut.ledger.get(local_id) or record).is_terminal:
            await asyncio.wait_for(done.wait(), 60)
        unsubscribe()
    out["single"] = counting.take()

    # 2. the batch
    gc.collect()
    out["rss_before"] = rss_mb()
    beat = Heartbeat(args.interval)
    beat.start()
    watchdog = CpuWatch(beat) if args.why else None
    if watchdog is not None:
        watchdog.start()
    out["watchdog"] = watchdog
    t0 = time.perf_counter()
    zone = aut.window.run_panel.inputs.zone("file")
    zone.batch_dropped.emit("file", [str(folder)])
    await wait_until(lambda: batches.plan_dialog is not None, 120, "the plan")
    dialog = batches.plan_dialog
    out["plan_s"] = time.perf_counter() - t0
    out["planned"] = dialog.plan.count
    dialog.concurrency.setValue(args.concurrency)
    dialog.start_button.click()
    await wait_until(lambda: batches.batch is not None, 30, "the batch start")
    batch_id = batches.batch.batch_id
    store = batches.store

    def done() -> bool:
        b = store.get(batch_id)
        return b is not None and b.state.value == "done"

    await wait_until(done, args.timeout, "the batch")
    await asyncio.sleep(0.5)  # the last table update
    beat.stop()
    if watchdog is not None:
        watchdog.stop()
    out["batch_s"] = time.perf_counter() - t0
    out["batch"] = counting.take()
    out["rss_after"] = rss_mb()
    out["beat"] = beat
    out["rows_done"] = sum(1 for r in batches.rows() if r.kind == "done")
    out["runs"] = len(store.runs(batch_id))
    await aut.aclose()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.3, help="service latency, s")
    parser.add_argument("--single", type=int, default=20, help="single runs (baseline)")
    parser.add_argument("--interval", type=int, default=5, help="heartbeat interval, ms")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--why", action="store_true", help="sample the UI stack in stalls")
    args = parser.parse_args()
    precompile_app()
    qt_environment()
    with tempfile.TemporaryDirectory(prefix="ouro-batch-") as tmp:
        root = Path(tmp)
        folder = root / "cifs"
        write_cifs(folder, args.files)
        _app, loop = make_loop()
        aut = AppUnderTest(root / "profile")
        from ouro_desktop.demo.app import create_app

        demo = aut.session.demo
        demo.app = CountingApp(create_app(demo.data_dir))  # type: ignore[union-attr]
        try:
            out = loop.run_until_complete(scenario(aut, args, folder))
        finally:
            loop.close()
        if aut.errors:
            print(f"FAIL: {len(aut.errors)} background task(s) failed (see above)")
            return 1

    beat: Heartbeat = out["beat"]
    app_stats = Stats.of([g for _s, g in beat.gaps()], args.interval)
    bare_stats = Stats.of(baseline(app_stats.duration_s, args.interval), args.interval)
    single, batch = out["single"], out["batch"]
    single_req = per_run(single, args.single)
    batch_req = per_run(batch, out["runs"])
    growth = out["rss_after"] - out["rss_before"]

    print(
        f"\n{args.files} CIFs on {ROUTE}: {out['planned']} planned in {out['plan_s']:.2f} s, "
        f"{out['runs']} runs ({out['rows_done']} done) in {out['batch_s']:.1f} s, "
        f"{args.concurrency} at once, service latency {args.latency} s"
    )
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"\nheartbeat every {args.interval} ms for {app_stats.duration_s:.1f} s "
        f"(load average {' '.join(load)} on {os.cpu_count()} cores):"
    )
    print(f"{'':<18} {'max stall':>10} {'p99 gap':>9} {'p50 gap':>9} {'>16 ms':>7} {'>50 ms':>7}")
    for label, st in (("app (batch)", app_stats), ("bare QMainWindow", bare_stats)):
        print(
            f"{label:<18} {st.max_stall_ms:>7.1f} ms {st.p99_ms:>6.1f} ms {st.p50_ms:>6.1f} ms "
            f"{st.over_16:>7} {st.over_50:>7}"
        )
    print(
        f"ratio app ÷ bare: max stall "
        f"{app_stats.max_stall_ms / max(bare_stats.max_stall_ms, 0.1):.1f}×, "
        f"p99 gap {app_stats.p99_ms / bare_stats.p99_ms:.2f}×"
    )
    print(
        f"\nmemory: {out['rss_before']:.0f} MB before the drop, {out['rss_after']:.0f} MB after "
        f"the batch: growth {growth:+.1f} MB"
    )
    detail = ", ".join(f"{k} {v}" for k, v in sorted(batch.items()))
    print(f"\nrequests per finished run: batch {batch_req:.2f} ({detail})")
    detail = ", ".join(f"{k} {v}" for k, v in sorted(single.items()))
    print(f"                           single runs {single_req:.2f} ({detail})")
    print(f"ratio batch ÷ single: {batch_req / max(single_req, 1e-9):.2f}× (target ≤ 1.0×)")
    files_per = batch["files"] / max(1, out["runs"])
    print(f"file requests per file (hash lookup, upload): {files_per:.2f}")
    watchdog = out.get("watchdog")
    if watchdog is not None:
        why_report(watchdog, beat)
    ok = (
        app_stats.max_stall_ms < 50
        and app_stats.p99_ms < 16
        and growth <= 50
        and batch_req <= single_req
        and out["runs"] == out["planned"] == args.files
    )
    print("\nPASS" if ok else "\nFAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
