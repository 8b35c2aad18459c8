"""Child process for the kill -9 test in test_batch.py: start a folder batch, say how far it
got, wait to be killed.

Usage: ``batch_child.py <base_url> <ledger> <uploads> <folder> <kill_after>`` with the API
key in ``OURO_API_KEY``. It plans the folder for the demo DOS route and starts the batch
(concurrency 3); once ``kill_after`` runs have been recorded in the ledger it prints
``recorded <batch_id>`` and carries on until the parent SIGKILLs it (so the kill lands with
requests in flight).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from ouro_desktop.api.client import OuroClient
from ouro_desktop.core.batch_plan import plan_batch
from ouro_desktop.core.batch_runner import BatchRunner
from ouro_desktop.core.batch_store import BatchStore
from ouro_desktop.core.ledger import RunLedger, RunRecord
from ouro_desktop.core.runs import RunTracker
from ouro_desktop.core.upload_cache import UploadCache


async def main(base_url: str, ledger_path: Path, uploads_path: Path, folder: Path, n: int) -> None:
    ledger, _ = RunLedger.open(ledger_path)
    uploads = UploadCache(uploads_path)
    client = OuroClient(base_url, os.environ["OURO_API_KEY"])
    await client.sign_in()
    route = await client.get_route("demo/predict-electronic-dos-at-fermi-level")
    tracker = RunTracker(client, ledger, base_url=base_url, account="demo")
    runner = BatchRunner(
        tracker, client, BatchStore(ledger), uploads, base_url=base_url, account="demo"
    )
    plan = plan_batch(route, [folder], input_key="file", concurrency=3)
    recorded: list[str] = []
    said = asyncio.Event()

    def on_update(record: RunRecord, _action: object) -> None:
        if record.batch_id and record.local_id not in recorded:
            recorded.append(record.local_id)
            if len(recorded) >= n and not said.is_set():
                said.set()
                print(f"recorded {record.batch_id}", flush=True)

    tracker.subscribe(on_update=on_update)
    runner.start(plan, body={})
    await asyncio.sleep(3600)


if __name__ == "__main__":
    base, ledger_file, uploads_file, folder_arg, kill_after = sys.argv[1:6]
    asyncio.run(
        main(base, Path(ledger_file), Path(uploads_file), Path(folder_arg), int(kill_after))
    )
