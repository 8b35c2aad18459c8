"""Upload throughput: OuroClient.upload_file ÷ a plain streamed httpx PUT (target ≥ 0.8).

The demo backend runs in its own process on loopback. The same file is sent, in
alternating rounds, by

* **ours**: ``OuroClient.upload_file`` end to end (upload-url, the streamed PUT with
  progress and cancel support, complete, metadata, create), and
* **plain**: one bare ``httpx.AsyncClient.put`` of the file, streamed from disk by a
  trivial async generator, to a signed URL of the same server (the URL is fetched
  beforehand and not timed). The faster of 64 KiB and 1 MiB chunks is used, so the
  baseline is the best a plain PUT does here.

The medians give MiB/s for each and the ratio ours ÷ plain.

    python benchmarks/upload_throughput.py [--size-mb 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from _upload_common import MB, REPO, demo_server, make_file

sys.path.insert(0, str(REPO))

from ouro_desktop.api import OuroClient  # noqa: E402

TARGET = 0.8


async def plain_put(base: str, token: str, path: Path, chunk: int) -> float:
    """Seconds for one bare streamed PUT of ``path`` to a fresh signed upload URL."""
    size = path.stat().st_size
    async with httpx.AsyncClient(timeout=None) as http:
        ticket = await http.post(
            f"{base}/files/upload-url",
            json={"file_name": path.name, "visibility": "private"},
            headers={"Authorization": token},
        )
        ticket.raise_for_status()
        data = ticket.json()["data"]

        async def body() -> AsyncIterator[bytes]:
            with path.open("rb") as fh:
                while piece := fh.read(chunk):
                    yield piece

        started = time.perf_counter()
        response = await http.put(
            data["upload_url"],
            content=body(),
            headers={**data["headers"], "Content-Length": str(size)},
        )
        seconds = time.perf_counter() - started
        response.raise_for_status()
    return seconds


async def ours(client: OuroClient, path: Path) -> float:
    started = time.perf_counter()
    asset = await client.upload_file(path, progress=lambda done, total: None)
    seconds = time.perf_counter() - started
    assert asset.size == path.stat().st_size
    return seconds


async def measure(url: str, key: str, path: Path, rounds: int) -> dict[str, list[float]]:
    async with httpx.AsyncClient() as http:
        got = await http.post(f"{url}/users/get-token", json={"pat": key})
        token = got.json()["access_token"]
    times: dict[str, list[float]] = {"ours": [], "plain-64k": [], "plain-1m": []}
    async with OuroClient(url, key, upload_threshold=1024) as client:
        await client.sign_in()
        await ours(client, path)  # warm-up: page cache, connections, imports
        for _ in range(rounds):
            times["plain-64k"].append(await plain_put(url, token, path, 64 * 1024))
            times["ours"].append(await ours(client, path))
            times["plain-1m"].append(await plain_put(url, token, path, MB))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ouro-bench-") as tmp:
        work = Path(tmp)
        path = make_file(work / "big.cif", args.size_mb)
        with demo_server(work / "server") as (url, key):
            times = asyncio.run(measure(url, key, path, args.rounds))
    size_mib = args.size_mb
    rate = {name: size_mib / statistics.median(values) for name, values in times.items()}
    plain_name = max(("plain-64k", "plain-1m"), key=lambda n: rate[n])
    ratio = rate["ours"] / rate[plain_name]
    print(f"file size: {size_mib} MiB, {args.rounds} rounds each (median)")
    for name, values in times.items():
        shown = ", ".join(f"{v:.2f}" for v in values)
        print(f"{name:10s} {rate[name]:7.0f} MiB/s   runs (s): {shown}")
    print(f"ratio ours/{plain_name}: {ratio:.3f}   (target >= {TARGET})")
    print("PASS" if ratio >= TARGET else "FAIL")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
