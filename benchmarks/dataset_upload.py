"""Dataset upload: a big CSV streamed into an Ouro dataset, against a plain upload of the rows.

A 1,000,000-row × 20-column CSV is written to a temporary folder and the demo backend runs
in its own process on loopback. Two fresh child processes then each put the same rows into
a new dataset:

* **baseline** ("a plain streamed upload of the same rows"): the same CSV reader and value
  conversion (:class:`~ouro_desktop.core.table_files.TableRows`), then the simplest loop:
  a list of row dicts per batch, ``json.dumps``, gzip, ``POST /datasets/{id}/data`` with a
  plain ``httpx.Client``, one request after another; no progress, no cancel, no 413 care;
* **app**: what the window will do: ``read_table`` + ``TableRows`` fed to
  ``OuroClient.create_dataset`` (rows read and encoded in a worker thread, a few batches
  ahead of the network, with progress and cancel).

Each child reads its peak resident set size (``VmHWM``) after a warm-up upload of 20,000
rows (imports and the pipeline's first buffers paid for, as ``upload_memory`` does) and
again at the end, and its own CPU time. The two alternate for ``--rounds`` rounds (the
machine is shared: the best time of each is compared). Printed: the file size, the times,
throughput app ÷ baseline (target ≥ 0.8) and the app's peak RSS increase ÷ file size
(target ≤ 0.2).

    python benchmarks/dataset_upload.py [--rows 1000000] [--columns 20] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _upload_common import MB, REPO, demo_server

THROUGHPUT_TARGET = 0.8
MEMORY_TARGET = 0.2
WARM_ROWS = 20_000  # a few batches: the pipeline's buffers are paid for before measuring


def vm_hwm_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("VmHWM not available (Linux only)")


def make_csv(path: Path, rows: int, columns: int) -> None:
    """Measurements as a lab exports them: ids, counts, readings, a few labels."""
    rng = random.Random(7)
    names = ["sample_id", "run"] + [f"reading_{i} (eV)" for i in range(columns - 4)]
    names += ["phase", "ok"]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(names) + "\n")
        readings = columns - 4
        for i in range(rows):
            values = [f"S{i:07d}", str(i % 97)]
            values += [f"{rng.gauss(0, 3):.6f}" for _ in range(readings)]
            values += ["fcc" if i % 3 else "bcc", "true" if i % 2 else "false"]
            fh.write(",".join(values) + "\n")


async def child_app(url: str, key: str, csv: Path, warm: Path) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from ouro_desktop.api import OuroClient
    from ouro_desktop.core.table_files import TableRows, read_table

    async with OuroClient(url, key, deadline=3600) as client:
        await client.sign_in()
        warm_table = read_table(warm)
        await client.create_dataset("warm", warm_table.column_specs(), TableRows(warm_table))
        before = vm_hwm_bytes()
        started, cpu = time.perf_counter(), time.process_time()
        table = read_table(csv)
        reader = TableRows(table)
        seen: list[int] = []
        made = await client.create_dataset(
            "big",
            table.column_specs(),
            reader,
            total_rows=table.estimated_rows,
            progress=lambda done, total: seen.append(done),
            cancel=asyncio.Event(),
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        after = vm_hwm_bytes()
    return {
        "before": before,
        "after": after,
        "seconds": seconds,
        "cpu": cpu,
        "rows": made.inserted or 0,
    }


def child_baseline(url: str, key: str, csv: Path, warm: Path) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    import httpx

    from ouro_desktop.api.datasets import DEFAULT_BATCH_BYTES, create_table_sql
    from ouro_desktop.core.table_files import TableRows, read_table

    token = httpx.post(f"{url}/users/get-token", json={"pat": key}).json()["access_token"]
    client = httpx.Client(base_url=url, headers={"Authorization": token}, timeout=3600)

    def upload(path: Path) -> int:
        table = read_table(path)
        names = [c.name for c in table.columns]
        spec = {
            "name": path.stem,
            "visibility": "private",
            "schema": create_table_sql(names, [c.kind for c in table.columns]),
            "metadata": {"schema": "datasets", "columns": names},
            "source": "api",
            "asset_type": "dataset",
        }
        made = client.post("/datasets/create/from-schema", json={"dataset": spec}).json()["data"]
        first = next(iter(TableRows(table)))
        row_bytes = len(json.dumps(dict(zip(names, first, strict=True))))
        per_batch = max(1, DEFAULT_BATCH_BYTES // row_bytes)
        sent, batch = 0, []

        def send(rows: list[dict[str, object]], last: bool) -> int:
            body = json.dumps({"rows": rows, "mode": "append", "finalize": last}).encode()
            answer = client.post(
                f"/datasets/{made['id']}/data",
                content=gzip.compress(body, 1),
                headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
            )
            answer.raise_for_status()
            return int(answer.json()["data"]["inserted"])

        for row in TableRows(table):
            batch.append(dict(zip(names, row, strict=True)))
            if len(batch) >= per_batch:
                sent += send(batch, False)
                batch = []
        sent += send(batch, True)
        return sent

    upload(warm)
    before = vm_hwm_bytes()
    started, cpu = time.perf_counter(), time.process_time()
    rows = upload(csv)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "before": before,
        "after": vm_hwm_bytes(),
        "seconds": seconds,
        "cpu": cpu,
        "rows": rows,
    }


def run_child(mode: str, url: str, key: str, csv: Path, warm: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, url, key, str(csv), str(warm)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, url, key, csv, warm = args.child
        if mode == "app":
            result = asyncio.run(child_app(url, key, Path(csv), Path(warm)))
        else:
            result = child_baseline(url, key, Path(csv), Path(warm))
        print(json.dumps(result))
        return 0

    with tempfile.TemporaryDirectory(prefix="ouro-bench-") as tmp:
        work = Path(tmp)
        csv, warm = work / "big.csv", work / "warm.csv"
        started = time.perf_counter()
        make_csv(csv, args.rows, args.columns)
        make_csv(warm, WARM_ROWS, args.columns)
        print(f"wrote the CSV in {time.perf_counter() - started:.1f} s", flush=True)
        bases, apps = [], []
        with demo_server(work / "server") as (url, key):
            for _ in range(max(1, args.rounds)):
                bases.append(run_child("baseline", url, key, csv, warm))
                apps.append(run_child("app", url, key, csv, warm))
        size = csv.stat().st_size
    assert all(r["rows"] == args.rows for r in bases + apps)
    base = min(bases, key=lambda r: r["seconds"])
    app = min(apps, key=lambda r: r["seconds"])
    throughput = base["seconds"] / app["seconds"]
    increase = max(max(0.0, r["after"] - r["before"]) for r in apps)
    memory = increase / size
    base_increase = max(0.0, base["after"] - base["before"])
    print(
        "all times (s):             baseline "
        + ", ".join(f"{r['seconds']:.1f}" for r in bases)
        + " | app "
        + ", ".join(f"{r['seconds']:.1f}" for r in apps)
    )
    print(f"rows x columns:            {args.rows:,} x {args.columns}")
    print(f"CSV file size:             {size / MB:8.1f} MiB")
    print(
        f"baseline (plain loop):     {base['seconds']:8.2f} s  "
        f"({args.rows / base['seconds']:,.0f} rows/s, client CPU {base['cpu']:.1f} s, "
        f"peak RSS +{base_increase / MB:.1f} MiB)"
    )
    print(
        f"app (create_dataset):      {app['seconds']:8.2f} s  "
        f"({args.rows / app['seconds']:,.0f} rows/s, client CPU {app['cpu']:.1f} s, "
        f"peak RSS +{increase / MB:.1f} MiB)"
    )
    print(f"throughput app/baseline:   {throughput:8.3f}   (target >= {THROUGHPUT_TARGET})")
    print(f"peak RSS increase / size:  {memory:8.4f}   (target <= {MEMORY_TARGET})")
    ok = throughput >= THROUGHPUT_TARGET and memory <= MEMORY_TARGET
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
