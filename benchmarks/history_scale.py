"""History scale: time to first paint of the history pane, 100,000 runs ÷ 100 runs.

Builds two run ledgers with ``RunLedger.bulk_insert`` -- one with ``--small`` runs
(default 100), one with ``--large`` runs (default 100,000) -- then measures, each time
in a fresh offscreen subprocess (cold Python objects, warm OS file cache):

    open the ledger -> first page (``ledger.list(limit=--page)``) -> history entries
    -> HistoryPane with its model filled -> shown -> painted (``grab()``)

Interpreter start-up, imports and the QApplication are the same for both sizes and are
left out of the timing (they are printed for reference). Opening the ledger runs the full
``PRAGMA quick_check`` only after an unclean shutdown (the benchmark's ledgers were closed
cleanly); the ratio without the open step is printed as well. The pane loads only the first
page; the rest comes through ``fetchMore`` as the user scrolls, so the ratio should stay
near 1. Sizes alternate (small, large, large, small, ...) and the median of ``--repeats``
runs per size is compared; the target is ≤ 1.5×.

    python benchmarks/history_scale.py [--repeats 9] [--small 100] [--large 100000]
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
from collections.abc import Iterator
from pathlib import Path

from _bytecode import precompile_app

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET = 1.5
PHASES = ("open", "query", "entries", "pane", "total")


# --------------------------------------------------------------------------- building


def fake_records(n: int) -> Iterator[object]:
    from ouro_desktop.core.ledger import RunRecord, RunState

    states = list(RunState)
    now = time.time()
    for i in range(n):
        state = states[i % len(states)]
        started = now - (n - i) * 60.0  # one run a minute, the last one just now
        yield RunRecord(
            local_id=f"00000000-0000-4000-8000-{i:012d}",  # ordered: a fast bulk insert
            idempotency_key=f"key-{i:012d}",
            route_id=f"route-{i % 40}",
            service_id=f"svc-{i % 7}",
            route_name=f"demo/route-number-{i % 40}",
            base_url="https://api.ouro.foundation",
            account="alice",
            body={"i": i, "temperature": 300},
            query={},
            path_params={},
            input_assets={"structure": f"asset-{i}"},
            input_files={"structure": {"name": f"s{i}.cif", "asset_id": f"asset-{i}"}},
            state=state,
            started_at=started,
            updated_at=started,
            action_id=None if state in (RunState.SUBMITTING, RunState.UNKNOWN) else f"a-{i}",
            finished_at=started + 12.0 if state.is_terminal else None,
            duration_s=12.0 if state.is_terminal else None,
            status_detail="The service said: bad input" if state is RunState.ERROR else None,
            result_summary={"energy": -1.5 * i, "atoms": 8} if state is RunState.SUCCESS else None,
        )


def build_ledger(path: Path, n: int) -> float:
    from ouro_desktop.core.ledger import RunLedger

    started = time.perf_counter()
    ledger = RunLedger(path)
    try:
        assert ledger.bulk_insert(fake_records(n)) == n  # type: ignore[arg-type]
    finally:
        ledger.close()
    return time.perf_counter() - started


# --------------------------------------------------------------------------- one measurement


def child(path: Path, page: int) -> None:
    """Runs in the subprocess: time the pane's first paint over the ledger at ``path``."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    t_import = time.perf_counter()
    from PySide6.QtWidgets import QApplication

    from ouro_desktop.core.history import merge
    from ouro_desktop.core.ledger import RunLedger
    from ouro_desktop.ui.history import HistoryPane

    app = QApplication([])
    setup = time.perf_counter() - t_import

    t0 = time.perf_counter()
    ledger, _notice = RunLedger.open(path)
    t1 = time.perf_counter()
    records = ledger.list(limit=page)
    t2 = time.perf_counter()
    # The same path as the app: ledger rows merged (here with no server actions yet).
    entries = merge(records, [], {}, {})
    t3 = time.perf_counter()
    pane = HistoryPane()
    pane.resize(640, 560)
    pane.model.set_entries(entries, has_more=len(records) == page)
    pane.show()
    app.processEvents()
    image = pane.grab()
    t4 = time.perf_counter()
    assert not image.isNull()
    shown = pane.model.rowCount()
    ledger.close()
    print(
        json.dumps(
            {
                "open": t1 - t0,
                "query": t2 - t1,
                "entries": t3 - t2,
                "pane": t4 - t3,
                "total": t4 - t0,
                "setup": setup,
                "rows": shown,
            }
        )
    )


def measure(path: Path, page: int) -> dict[str, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--page", str(page)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"measurement failed:\n{done.stderr}")
    last = done.stdout.strip().splitlines()[-1]
    result: dict[str, float] = json.loads(last)
    return result


# --------------------------------------------------------------------------- main


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=200)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.page)
        return 0
    precompile_app()  # as installed (see _bytecode.py)

    sizes = (args.small, args.large)
    with tempfile.TemporaryDirectory(prefix="history-scale-") as tmp:
        paths = {n: Path(tmp) / f"runs-{n}.sqlite3" for n in sizes}
        for n, path in paths.items():
            took = build_ledger(path, n)
            size_mb = path.stat().st_size / 1e6
            print(f"ledger with {n:>7,} runs: built in {took:5.1f} s, {size_mb:6.1f} MB")
        for path in paths.values():
            measure(path, args.page)  # warm-up: OS file cache, .pyc files

        results: dict[int, list[dict[str, float]]] = {n: [] for n in sizes}
        for i in range(args.repeats):
            order = sizes if i % 2 == 0 else sizes[::-1]
            for n in order:
                results[n].append(measure(paths[n], args.page))

    print(f"\nfirst paint of the history pane (median of {args.repeats}, page {args.page}):")
    print(f"{'runs in ledger':>16} " + " ".join(f"{p:>10}" for p in PHASES) + "  rows shown")
    medians: dict[int, dict[str, float]] = {}
    for n in sizes:
        medians[n] = {p: statistics.median(r[p] for r in results[n]) for p in PHASES}
        rows = int(results[n][0]["rows"])
        cells = " ".join(ms(medians[n][p]) for p in PHASES)
        print(f"{n:>16,} {cells}  {rows:>10,}")
    setup = statistics.median(r["setup"] for n in sizes for r in results[n])
    print(f"(same for both, not timed: imports + QApplication ≈ {setup * 1000:.0f} ms)")
    small, large = medians[args.small], medians[args.large]
    ratio = large["total"] / small["total"]
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(
        f"\nratio {args.large:,} ÷ {args.small:,} runs, open ledger → painted: {ratio:.2f}× "
        f"(target ≤ {TARGET}×) {verdict}"
    )
    # After an unclean shutdown opening runs PRAGMA quick_check, whose cost grows with the
    # file; the app opens the ledger once at start-up, so show the pane's share alone too.
    pane_ratio = (large["total"] - large["open"]) / (small["total"] - small["open"])
    pane_verdict = "PASS" if pane_ratio <= TARGET else "FAIL"
    print(
        f"ratio without opening the ledger (first page → painted): {pane_ratio:.2f}× "
        f"{pane_verdict}; opening alone: {ms(small['open']).strip()} → "
        f"{ms(large['open']).strip()}"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
