"""UI stalls while a big CIF is previewed: the worker process against a worker thread.

The real window (``benchmarks/_app_harness.py``, offscreen, signed into the in-process
demo, the DOS route open) previews a P1 CIF of ``--mb`` MiB (default 62: about 1.7
million atom sites) the way the run controller does when a file is dropped on its input
-- ``preview_cif_async`` (a worker process for files of 1 MiB and up), then the zone's
card -- while a precise ``QTimer`` heartbeat (``--interval`` ms) on the app's qasync
loop records every tick; the longest gap minus the interval is the longest stall.

Baseline, measured in the same run on the same file: the preview as it was before, in
a worker *thread* (``off_thread(preview_cif, …)``): gemmi holds the GIL while it parses,
so the window's thread waits. Printed: the longest stall and p99 gap of each, the ratio,
and PASS when the worker process keeps the longest stall under 50 ms.

    python benchmarks/cif_preview_stall.py [--mb 62] [--interval 5] [--repeat 2]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _app_harness import AppUnderTest, make_loop, qt_environment  # noqa: E402
from _bytecode import precompile_app  # noqa: E402

MAX_STALL_MS = 50.0
DOS_ROUTE = "demo/predict-electronic-dos-at-fermi-level"


def write_p1_cif(path: Path, megabytes: int) -> int:
    """A P1 cell full of Na, Cl, Si and O sites up to ``megabytes`` MiB; the site count."""
    rnd = random.Random(7)
    head = (
        "data_big\n_cell_length_a 100.0\n_cell_length_b 100.0\n_cell_length_c 100.0\n"
        "_cell_angle_alpha 90\n_cell_angle_beta 90\n_cell_angle_gamma 90\n"
        "_symmetry_space_group_name_H-M 'P 1'\nloop_\n_atom_site_label\n"
        "_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n"
        "_atom_site_fract_z\n_atom_site_occupancy\n"
    )
    target = megabytes * 1024 * 1024
    sites = 0
    with path.open("w", encoding="ascii") as fh:
        fh.write(head)
        size = len(head)
        while size < target:
            el = ("Na", "Cl", "Si", "O")[sites % 4]
            x, y, z = rnd.random(), rnd.random(), rnd.random()
            line = f"{el}{sites} {el} {x:.5f} {y:.5f} {z:.5f} 1\n"
            fh.write(line)
            size += len(line)
            sites += 1
    return sites


class GcTimes:
    """Garbage collections (start, length) while on: a collection holds the GIL."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, float, int]] = []
        self._start = 0.0

    def __enter__(self) -> GcTimes:
        gc.callbacks.append(self._on_gc)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.spans.append((self._start, time.perf_counter() - self._start, info["generation"]))

    def longest(self) -> str:
        if not self.spans:
            return "none"
        start, length, gen = max(self.spans, key=lambda s: s[1])
        return f"{len(self.spans)}, longest {length * 1000:.1f} ms (generation {gen})"


async def preview_once(
    aut: AppUnderTest, path: Path, how: str, interval_ms: int
) -> tuple[list[float], str]:
    """Preview ``path`` as a drop would (``how``: process or thread); the tick gaps, s."""
    from ui_stalls import Heartbeat

    from ouro_desktop.core.blocking import off_thread
    from ouro_desktop.core.cif_preview import preview_cif
    from ouro_desktop.core.cif_process import preview_cif_async
    from ouro_desktop.core.file_checks import check_local_file

    route = aut.window.run_panel.route
    assert route is not None
    checked = check_local_file(path, route.input_assets["file"])
    zone = aut.window.run_panel.inputs.zone("file")
    beat = Heartbeat(interval_ms)
    await asyncio.sleep(0.3)  # let the window settle
    with GcTimes() as collections:
        beat.start()
        await asyncio.sleep(0.2)
        if how == "process":
            preview = await preview_cif_async(path)
        else:
            preview = await off_thread(preview_cif, path)
        zone.show_preview(checked, preview)
        await asyncio.sleep(0.3)
        beat.stop()
    return [g for _s, g in beat.gaps()], collections.longest()


async def scenario(aut: AppUnderTest, path: Path, interval_ms: int, repeat: int) -> dict:
    await aut.start(open_ref=DOS_ROUTE)
    results: dict[str, list[tuple[list[float], str]]] = {"process": [], "thread": []}
    for _ in range(repeat):
        for how in ("process", "thread"):
            results[how].append(await preview_once(aut, path, how, interval_ms))
    await aut.aclose()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=62, help="size of the CIF, MiB (default 62)")
    parser.add_argument("--interval", type=int, default=5, help="heartbeat interval, ms")
    parser.add_argument("--repeat", type=int, default=2, help="previews of each kind")
    args = parser.parse_args()
    precompile_app()
    qt_environment()
    from ui_stalls import Stats

    with tempfile.TemporaryDirectory(prefix="ouro-cif-stall-") as tmp:
        root = Path(tmp)
        big = root / "big-p1.cif"
        t = time.perf_counter()
        sites = write_p1_cif(big, args.mb)
        print(
            f"setup: a {big.stat().st_size / 1024**2:.1f} MiB P1 CIF with {sites:,} sites "
            f"in {time.perf_counter() - t:.1f} s",
            flush=True,
        )
        _app, loop = make_loop()
        aut = AppUnderTest(root / "profile")
        try:
            results = loop.run_until_complete(scenario(aut, big, args.interval, args.repeat))
        finally:
            loop.close()
    if aut.errors:
        print(f"FAIL: {len(aut.errors)} background task(s) failed (see above)")
        return 1
    print(f"\nheartbeat every {args.interval} ms, {args.repeat} preview(s) of each kind:")
    print(f"{'preview in':<22} {'max stall':>10} {'p99 gap':>9} {'>50 ms':>7} {'ticks':>7}")
    # (A collection holds the GIL; the old way allocates 1.7 million site objects.)
    worst: dict[str, float] = {}
    for how, label in (("process", "worker process (new)"), ("thread", "worker thread (old)")):
        stats = [Stats.of(gaps, args.interval) for gaps, _gc in results[how]]
        for st, (_gaps, collections) in zip(stats, results[how], strict=True):
            print(
                f"{label:<22} {st.max_stall_ms:>7.1f} ms {st.p99_ms:>6.1f} ms "
                f"{st.over_50:>7} {st.ticks:>7}   collections: {collections}"
            )
        worst[how] = max(st.max_stall_ms for st in stats)
    ratio = worst["thread"] / max(worst["process"], 0.1)
    print(
        f"\nlongest stall: worker process {worst['process']:.1f} ms, worker thread "
        f"{worst['thread']:.1f} ms ({ratio:.0f}× shorter in a process)"
    )
    ok = worst["process"] < MAX_STALL_MS
    print(f"{'PASS' if ok else 'FAIL'}: longest stall < {MAX_STALL_MS:.0f} ms with the preview")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
