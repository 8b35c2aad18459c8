"""Upload memory: peak RSS increase ÷ file size for a large upload (target ≤ 0.1).

The demo backend runs in its own process. A fresh child process signs in, does a small
warm-up upload (so imports and first-use buffers are paid for), reads its peak resident
set size (``VmHWM`` in ``/proc/self/status``), uploads the big file through
``OuroClient.upload_file`` (the signed-URL path, streamed from disk) and reads the peak
again. The increase divided by the file size is the figure; a client that read the file
into memory would score ≥ 1.

    python benchmarks/upload_memory.py [--size-mb 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _upload_common import MB, REPO, demo_server, make_file

TARGET = 0.1


def vm_hwm_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("VmHWM not available (Linux only)")


async def child(url: str, key: str, path: Path, warm: Path) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from ouro_desktop.api import OuroClient

    async with OuroClient(url, key, upload_threshold=1024) as client:
        await client.sign_in()
        await client.upload_file(warm)  # warm-up through the same signed-URL path
        before = vm_hwm_bytes()
        started = time.perf_counter()
        asset = await client.upload_file(path)
        seconds = time.perf_counter() - started
        after = vm_hwm_bytes()
    assert asset.size == path.stat().st_size, "the upload is incomplete"
    return {"before": before, "after": after, "seconds": seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, key, path, warm = args.child
        print(json.dumps(asyncio.run(child(url, key, Path(path), Path(warm)))))
        return 0

    with tempfile.TemporaryDirectory(prefix="ouro-bench-") as tmp:
        work = Path(tmp)
        big = make_file(work / "big.cif", args.size_mb)
        warm = make_file(work / "warm.cif", 2)
        with demo_server(work / "server") as (url, key):
            out = subprocess.run(
                [sys.executable, __file__, "--child", url, key, str(big), str(warm)],
                check=True,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONPATH": str(REPO)},
            )
        figures = json.loads(out.stdout.strip().splitlines()[-1])
    size = args.size_mb * MB
    increase = max(0, figures["after"] - figures["before"])
    ratio = increase / size
    print(f"file size:            {size / MB:8.1f} MiB")
    print(f"peak RSS before:      {figures['before'] / MB:8.1f} MiB")
    print(f"peak RSS after:       {figures['after'] / MB:8.1f} MiB")
    print(f"peak RSS increase:    {increase / MB:8.1f} MiB")
    print(
        f"upload time:          {figures['seconds']:8.2f} s "
        f"({size / MB / figures['seconds']:.0f} MiB/s)"
    )
    print(f"ratio increase/size:  {ratio:8.4f}   (target <= {TARGET})")
    print("PASS" if ratio <= TARGET else "FAIL")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
