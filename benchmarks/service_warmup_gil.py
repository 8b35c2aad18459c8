"""How long the demo's warm-up of its services' libraries holds the interpreter lock.

The in-app demo imports ``jsonschema`` and ``gemmi`` in a worker thread before the first
run (``ouro_desktop/demo/service_warmup.py``). Loading a compiled module (``dlopen``, its
relocations, its init) is one C call that holds the interpreter lock; when its file is not
in the system's page cache, the disk reads happen inside it, and every other thread that
runs Python -- the window's -- waits. In ``heavy_content.py run-20mb`` that was one
180 ms gap, at the start of the run, in a run where the system had dropped ``gemmi_ext``
(perf: the worker in ``_dl_relocate_object`` → ``filemap_fault`` → ``ext4_mpage_readpages``,
the window's thread waiting for the lock).

Each run is a fresh process importing private copies of the libraries' packages (made once
in a temporary folder: a file another process has mapped cannot be dropped from the cache);
their compiled files are first dropped from the page cache (``posix_fadvise(DONTNEED)``;
the share still cached is printed), then a thread ticks every 0.5 ms while a worker warms the
libraries, either as before this change (**import**: the imports alone) or as now
(**warm**: ``service_warmup._warm``, the compiled files read first, then the imports).
Figure: the ticking thread's longest gap during the warm-up, i.e. the longest time the
lock was held against it. Modes alternate; ``--warm-cache`` skips the dropping (the usual
case, for comparison).

    python benchmarks/service_warmup_gil.py [--runs 5] [--warm-cache]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import mmap
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _resident_share(paths: list[str]) -> float:
    """The share of these files' pages in the page cache (``mincore``), 0..1."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int]
    libc.mmap.argtypes += [ctypes.c_int, ctypes.c_long]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    page = mmap.PAGESIZE
    resident = total = 0
    for path in paths:
        size = os.path.getsize(path)
        pages = (size + page - 1) // page
        fd = os.open(path, os.O_RDONLY)
        try:
            base = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
            vec = (ctypes.c_ubyte * pages)()
            libc.mincore(base, size, vec)
            libc.munmap(base, size)
        finally:
            os.close(fd)
        resident += sum(v & 1 for v in vec)
        total += pages
    return resident / total if total else 1.0


def private_copies(folder: Path) -> None:
    """Copies of the packages with compiled parts the warm-up loads, synced to disk."""
    import importlib.util
    import shutil

    sys.path.insert(0, str(ROOT))
    from ouro_desktop.demo import service_warmup

    for parts in service_warmup.COMPILED_PARTS.values():
        for name in parts:
            spec = importlib.util.find_spec(name)
            assert spec is not None and spec.submodule_search_locations
            shutil.copytree(spec.submodule_search_locations[0], folder / name)
    os.sync()


def child(mode: str, drop: bool, copies: str) -> None:
    sys.path[:0] = [copies, str(ROOT)]
    from ouro_desktop.demo import service_warmup
    from ouro_desktop.lazy import compiled_parts

    files = [
        f for n in service_warmup.COMPILED_PARTS.values() for p in n for f in compiled_parts(p)
    ]
    if drop:
        for path in files:
            fd = os.open(path, os.O_RDONLY)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.close(fd)
    cached = _resident_share(files)
    missing = [n for n in service_warmup.SERVICE_LIBRARIES if n not in sys.modules]
    ticks: list[float] = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.0005)

    def work() -> None:
        if mode == "warm":
            service_warmup._warm(missing)
        else:
            import importlib

            for name in missing:
                importlib.import_module(name)

    ticker = threading.Thread(target=tick)
    ticker.start()
    time.sleep(0.05)
    worker = threading.Thread(target=work)
    start = time.perf_counter()
    worker.start()
    worker.join()
    end = time.perf_counter()
    stop.set()
    ticker.join()
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False) if b > start and a < end]
    print(
        json.dumps(
            {"cached": cached, "seconds": end - start, "held_ms": max(gaps, default=0) * 1000}
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warm-cache", action="store_true", help="do not drop the files first")
    parser.add_argument("--child", choices=["import", "warm"], help=argparse.SUPPRESS)
    parser.add_argument("--copies", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, not args.warm_cache, args.copies)
        return 0
    with tempfile.TemporaryDirectory(prefix="warmup-gil-") as tmp:
        private_copies(Path(tmp))
        return measure(args, tmp)


def measure(args: argparse.Namespace, copies: str) -> int:
    results: dict[str, list[dict[str, float]]] = {"import": [], "warm": []}
    for _ in range(args.runs):
        for mode in ("import", "warm"):
            cmd = [sys.executable, __file__, "--child", mode, "--copies", copies]
            if args.warm_cache:
                cmd.append("--warm-cache")
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            results[mode].append(json.loads(out.splitlines()[-1]))
    print(f"{'mode':<8} {'lock held, longest (ms)':<40} {'warm-up (ms)':<34} cached before")
    for mode, rs in results.items():
        held = [r["held_ms"] for r in rs]
        took = [r["seconds"] * 1000 for r in rs]
        held_all = " ".join(f"{h:.0f}" for h in held)
        cached = [f"{r['cached']:.0%}" for r in rs]
        print(
            f"{mode:<8} median {statistics.median(held):6.1f} ({held_all})"
            f"{'':<4} median {statistics.median(took):6.1f} ({' '.join(f'{t:.0f}' for t in took)})"
            f"  {' '.join(cached)}"
        )
    before, after = (
        statistics.median(r["held_ms"] for r in results[m]) for m in ("import", "warm")
    )
    print(
        f"\nlock held, median: {before:.1f} ms before -> {after:.1f} ms now ({before / after:.1f}x)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
