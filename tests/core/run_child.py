"""Child process for the N6 test in test_runs.py: submit one run, say so, wait to be killed.

Usage: ``run_child.py <base_url> <ledger_path> <kill_at>`` with the API key in
``OURO_API_KEY``. It uploads Cu.cif, submits ``demo/free-electron-dos-curve`` through a
RunTracker and prints ``<kill_at> <local_id>`` at the moment the parent should SIGKILL it:

* ``ledger-written``: the ledger row is committed, the request not sent yet (the child
  then blocks for a while so the kill lands before the POST);
* ``answer-lost``: the POST reached the server, the answer has not been read;
* ``submitted``: submit() returned (the run is queued on the server);
* ``running``: the tracker has polled the run at least once more.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from ouro_desktop.api.client import OuroClient
from ouro_desktop.api.models import Action
from ouro_desktop.core.ledger import RunLedger, RunRecord
from ouro_desktop.core.runs import RunTracker

CIF = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples" / "Cu.cif"


class StallAfterSend(httpx.AsyncBaseTransport):
    """Lets POST …/use reach the server, then never hands the answer back."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.local_id = ""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/use"):
            await response.aread()  # the server has answered: it certainly got the run
            print(f"answer-lost {self.local_id}", flush=True)
            await asyncio.sleep(3600)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def main(base_url: str, ledger_path: Path, kill_at: str) -> None:
    ledger, _ = RunLedger.open(ledger_path)
    stall = StallAfterSend() if kill_at == "answer-lost" else None
    original = ledger.record_submission

    def record_submission(**kw: Any) -> RunRecord:
        record = original(**kw)
        if stall is not None:
            stall.local_id = record.local_id
        if kill_at == "ledger-written":
            print(f"ledger-written {record.local_id}", flush=True)
            time.sleep(5)  # block the loop: the kill comes before anything is sent
        return record

    ledger.record_submission = record_submission  # type: ignore[method-assign]
    client = OuroClient(base_url, os.environ["OURO_API_KEY"], transport=stall)
    await client.sign_in()
    route = await client.get_route("demo/free-electron-dos-curve")
    asset = await client.upload_file(CIF)
    tracker = RunTracker(client, ledger, base_url=base_url, account="demo")
    polled = asyncio.Event()

    def on_update(record: RunRecord, action: Action | None) -> None:
        if action is not None and record.state.value == "in-progress":
            polled.set()

    tracker.subscribe(on_update=on_update)
    record = await tracker.submit(route, body={"steps": 4}, input_assets={"file": asset.id})
    if kill_at == "submitted":
        print(f"submitted {record.local_id}", flush=True)
    await polled.wait()
    print(f"running {record.local_id}", flush=True)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3]))
