"""UI stalls while a big CSV dropped on a dataset input is read, previewed and uploaded.

The app is the real one, offscreen (the same window, controllers and services as
``ouro_desktop.app``, see ``_app_harness.py``), signed into the in-process demo backend
with the equation-of-state route (``demo/fit-equation-of-state``) open. A ``--rows`` ×
``--columns`` CSV (default 1,000,000 × 20, the table of ``dataset_upload.py``) is written
first. Then, under a ``QTimer`` heartbeat on the app's qasync loop (``--interval`` ms,
precise timer; as ``ui_stalls.py``):

* **drop**: the file is dropped on the dataset input (``zone.files_dropped``): the
  controller reads its layout, column kinds and first rows off the UI thread, checks the
  columns against the route's column fields and shows the preview;
* **create**: "Create as an Ouro dataset" is clicked: the rows are streamed into a new
  dataset (read, typed and encoded in a worker thread, gzip batches sent to the demo
  backend, which parses and stores them off its loop) while the zone shows rows stored;
* **settle**: one more second of the idle window with the preview and the dataset shown.

Baseline: the same heartbeat for the same duration on an idle bare ``QMainWindow`` (same
qasync loop) in a fresh subprocess (``ui_stalls.baseline``), in the same run. Printed: the
file, the phases with their longest gap, longest stall and p99 for both, the ratio app ÷
bare, the longest gaps with their phase, and PASS/FAIL against the issue's target (longest
stall < 50 ms). ``--why`` samples the UI thread's stack in long gaps.

    python benchmarks/dataset_drop_stalls.py [--rows 1000000] [--columns 20] [--why]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _app_harness import AppUnderTest, make_loop, qt_environment, wait_until  # noqa: E402
from _bytecode import precompile_app  # noqa: E402
from _upload_common import demo_server  # noqa: E402
from dataset_upload import make_csv  # noqa: E402
from ui_stalls import (  # noqa: E402
    MAX_STALL_MS,
    Heartbeat,
    Phases,
    StallWatchdog,
    Stats,
    _where,
    baseline,
)

ROUTE = "demo/fit-equation-of-state"


async def scenario(
    aut: AppUnderTest, csv: Path, args: argparse.Namespace
) -> tuple[Heartbeat, Phases, StallWatchdog | None, dict[str, Any]]:
    from ouro_desktop.ui.run.form.asset_zones import DatasetZone
    from ouro_desktop.ui.run.form.drop_zone import ZoneState

    if args.server_url:  # the demo backend in its own process, as a real server would be
        await aut.session.sign_in(args.server_key, args.server_url)
        await aut.start(open_ref=ROUTE, demo=False)
    else:
        await aut.start(open_ref=ROUTE)
    zone = aut.window.run_panel.inputs.zone("dataset")
    assert isinstance(zone, DatasetZone)
    beat = Heartbeat(args.interval)
    watchdog = StallWatchdog(beat, args.why_after) if args.why else None
    ph = Phases()
    facts: dict[str, Any] = {}
    progress: list[tuple[float, str]] = []
    zone.progress.valueChanged.connect(
        lambda _v: progress.append((time.perf_counter(), zone.progress.format()))
    )
    await asyncio.sleep(0.5)  # the window settles before the heartbeat starts
    beat.start()
    if watchdog is not None:
        watchdog.start()
    ph.t0 = time.perf_counter()
    try:
        await asyncio.sleep(0.5)
        start = time.perf_counter()
        zone.files_dropped.emit("dataset", [str(csv)])
        await wait_until(
            lambda: zone.state in (ZoneState.PREVIEW, ZoneState.REJECTED),
            args.timeout,
            "reading and previewing the table",
        )
        if zone.state is not ZoneState.PREVIEW:
            raise RuntimeError(f"the table was refused: {zone.message_label.text()}")
        ph.add("drop: read, check and preview", start, time.perf_counter())
        facts["summary"] = zone.summary_label.text()
        facts["notes"] = zone.notes_label.text()
        start = time.perf_counter()
        zone.create_button.click()
        await wait_until(
            lambda: zone.asset_id is not None or zone.state is ZoneState.ERROR,
            args.timeout,
            "creating the dataset",
        )
        if zone.asset_id is None:
            raise RuntimeError(f"the dataset was not created: {zone.message_label.text()}")
        ph.add("create: stream the rows into a dataset", start, time.perf_counter())
        facts["created_s"] = time.perf_counter() - start
        facts["dataset"] = zone.asset_id
        facts["stored"] = zone.summary_label.text()
        facts["progress_updates"] = len(progress)
        start = time.perf_counter()
        await asyncio.sleep(1.0)
        ph.add("settle: idle with the preview shown", start, time.perf_counter())
    finally:
        beat.stop()
        if watchdog is not None:
            watchdog.stop()
    count = await aut.session.client.dataset_stats(facts["dataset"])  # type: ignore[union-attr]
    facts["rows_on_ouro"] = count.count
    await aut.aclose()
    return beat, ph, watchdog, facts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--interval", type=int, default=5, help="heartbeat interval, ms")
    parser.add_argument("--timeout", type=float, default=900.0, help="per phase, s")
    parser.add_argument("--why", action="store_true", help="sample the UI stack in stalls")
    parser.add_argument("--why-after", type=float, default=20.0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--backend",
        choices=("in-process", "loopback"),
        default="in-process",
        help="the in-app demo (its ingest shares this process) or a demo server process",
    )
    parser.add_argument("--switch-ms", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.switch_ms:
        sys.setswitchinterval(args.switch_ms / 1000)
    precompile_app()

    qt_environment()
    with tempfile.TemporaryDirectory(prefix="ouro-dataset-drop-") as tmp:
        root = Path(tmp)
        csv = root / "measurements.csv"
        t = time.perf_counter()
        make_csv(csv, args.rows, args.columns)
        size = csv.stat().st_size
        print(
            f"setup: {args.rows:,} × {args.columns} CSV, {size / 1e6:.0f} MB, written in "
            f"{time.perf_counter() - t:.1f} s",
            flush=True,
        )
        _app, loop = make_loop()
        aut = AppUnderTest(root / "profile")
        with contextlib.ExitStack() as stack:
            args.server_url = args.server_key = None
            if args.backend == "loopback":
                url, key = stack.enter_context(demo_server(root / "server"))
                args.server_url, args.server_key = url, key
            try:
                beat, ph, watchdog, facts = loop.run_until_complete(scenario(aut, csv, args))
            finally:
                loop.close()
        if aut.errors:
            print(f"FAIL: {len(aut.errors)} background task(s) failed (see above)")
            return 1

    gaps = beat.gaps()
    app_stats = Stats.of([g for _s, g in gaps], args.interval)
    bare_stats = Stats.of(baseline(app_stats.duration_s, args.interval), args.interval)

    print(f"\npreview: {facts['summary']}")
    for line in str(facts["notes"]).splitlines():
        print(f"  {line}")
    print(
        f"created: {facts['rows_on_ouro']:,} rows on Ouro in {facts['created_s']:.1f} s "
        f"({facts['rows_on_ouro'] / facts['created_s']:,.0f} rows/s, "
        f"{size / 1e6 / facts['created_s']:.1f} MB/s of CSV), "
        f"{facts['progress_updates']} progress updates"
    )
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
    for label, st in (("app (drop+create)", app_stats), ("bare QMainWindow", bare_stats)):
        print(
            f"{label:<18} {st.max_stall_ms:>7.1f} ms {st.max_gap_ms:>6.1f} ms {st.p99_ms:>6.1f} ms "
            f"{st.p50_ms:>6.1f} ms {st.over_16:>7} {st.over_50:>7} {st.ticks:>7}"
        )
    ratio = app_stats.max_stall_ms / max(bare_stats.max_stall_ms, 0.1)
    print(
        f"ratio app ÷ bare: max stall {ratio:.1f}×, "
        f"p99 gap {app_stats.p99_ms / bare_stats.p99_ms:.2f}×"
    )
    worst = sorted(gaps, key=lambda sg: sg[1], reverse=True)[:8]
    print("\nlongest gaps (when, how long, during):")
    for s, g in worst:
        during = ", ".join(ph.active(s, s + g)) or "-"
        collected = watchdog.gc_during(s, s + g) if watchdog is not None else ""
        extra = f"  [{collected}]" if collected else ""
        print(f"  t={s - ph.t0:7.2f} s  {g * 1000:7.1f} ms  {during}{extra}")
    if watchdog is not None:
        print(f"\nwhere the UI thread was during gaps > {args.why_after:.0f} ms:")
        for start, stacks in sorted(watchdog.samples.items(), key=lambda kv: -len(kv[1]))[:6]:
            length = next((g for s, g in gaps if s == start), 0.0)
            print(f"  t={start - ph.t0:7.2f} s  gap {length * 1000:.1f} ms, {len(stacks)} samples:")
            for frame in _where(stacks):
                print(f"      {frame}")

    ok = app_stats.max_stall_ms < MAX_STALL_MS and facts["rows_on_ouro"] == args.rows
    print(
        f"\n{'PASS' if ok else 'FAIL'}: longest UI stall {app_stats.max_stall_ms:.1f} ms while "
        f"a {args.rows:,}-row CSV was read, previewed and uploaded (target < "
        f"{MAX_STALL_MS:.0f} ms); {facts['rows_on_ouro']:,} of {args.rows:,} rows stored"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
