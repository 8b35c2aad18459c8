"""Compare cost: the table of :func:`ouro_desktop.core.run_compare.compare_runs` against the
old unified JSON diff, on two answers of 2, 5 and 20 MB that differ in one value: a DOS-like
``long`` list of records, and a ``wide`` object of many labelled numbers.

Printed per size: seconds and peak Python memory (tracemalloc) for

* ``json``: pretty-printing both answers once (``json.dumps(indent=2, sort_keys=True)``), the
  floor any text diff pays before it starts: the baseline measured in the same run;
* ``table``: ``compare_runs`` (labels, units, chunked list comparison);
* ``text diff``: the old ``difflib.unified_diff`` of the pretty JSON (what Compare ran on the
  UI thread). It is quadratic in the worst case, so it only runs up to ``--diff-max`` MB.

Then ``table ÷ json``: the target is ≤ 1 (the table costs less than writing the JSON out).

    python benchmarks/compare_cost.py [--sizes 2 5 20] [--diff-max 2]
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ouro_desktop.core.run_compare import RunSide, compare_runs  # noqa: E402

BYTES_PER_POINT = 64  # {"energy_eV": ..., "dos_per_eV_per_cell": ...} as JSON, about


def wide(megabytes: float, changed: bool) -> dict[str, Any]:
    count = int(megabytes * 1_000_000 / 24)  # "value_12345_eV": 1.2345, about
    values = {f"value_{i}_eV": i * 1.0001 for i in range(count)}
    if changed:
        values[f"value_{count * 3 // 4}_eV"] = -1.0
    return {"formula": "Cu", "values": values}


def answer(megabytes: float, changed: bool) -> dict[str, Any]:
    points = int(megabytes * 1_000_000 / BYTES_PER_POINT)
    curve = [
        {"energy_eV": round(i * 1e-4, 6), "dos_per_eV_per_cell": (i % 977) * 0.0137}
        for i in range(points)
    ]
    if changed:
        curve[points * 3 // 4]["dos_per_eV_per_cell"] = -1.0
    return {"formula": "Cu", "fermi_energy_eV": 7.03, "curve": curve}


def measure(work: Callable[[], Any]) -> tuple[float, float]:
    """Seconds (a plain run) and peak traced MB (a second run under tracemalloc, which
    slows Python down too much to time it)."""
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[2, 5, 20])
    parser.add_argument("--diff-max", type=float, default=2, help="largest size for the text diff")
    args = parser.parse_args()
    compare_runs(RunSide({}, answer(0.01, False)), RunSide({}, answer(0.01, True)))  # warm up
    print(f"{'size':>6} {'shape':>5} {'what':>10} {'seconds':>9} {'peak MB':>9}")
    cases = [(size, shape) for size in args.sizes for shape in ("long", "wide")]
    for size, shape in cases:
        make = answer if shape == "long" else wide
        a, b = make(size, False), make(size, True)
        actual = len(json.dumps(a)) / 1e6
        tag = f"{actual:5.1f}M {shape:>5}"

        def pretty(a: dict[str, Any] = a, b: dict[str, Any] = b) -> tuple[str, str]:
            return (
                json.dumps(a, indent=2, sort_keys=True),
                json.dumps(b, indent=2, sort_keys=True),
            )

        def table(a: dict[str, Any] = a, b: dict[str, Any] = b) -> None:
            comparison = compare_runs(RunSide({}, a), RunSide({}, b))
            assert comparison.differing == 1, comparison.differing_rows

        def text_diff(a: dict[str, Any] = a, b: dict[str, Any] = b) -> None:
            left, right = pretty(a, b)
            list(difflib.unified_diff(left.splitlines(), right.splitlines(), lineterm=""))

        base_s, base_mb = measure(pretty)
        table_s, table_mb = measure(table)
        print(f"{tag} {'json':>10} {base_s:9.3f} {base_mb:9.1f}")
        print(f"{tag} {'table':>10} {table_s:9.3f} {table_mb:9.1f}")
        if size <= args.diff_max:
            diff_s, diff_mb = measure(text_diff)
            print(f"{tag} {'text diff':>10} {diff_s:9.3f} {diff_mb:9.1f}")
        print(
            f"{tag} table ÷ json: {table_s / base_s:.2f}× time, "
            f"{table_mb / max(base_mb, 1e-9):.2f}× memory"
        )


if __name__ == "__main__":
    main()
