"""Shared by the upload benchmarks: the demo backend in its own process, big test files.

The server runs in a child process (so it does not share the client's GIL or memory)
on a free loopback port, with no upload size cap, and reports its URL and API key.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MB = 1024 * 1024

_SERVER = """
import asyncio, sys
import uvicorn
from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults

async def main():
    app = create_app(sys.argv[1], faults=Faults(upload_cap_bytes=None))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    print(f"http://127.0.0.1:{port}", flush=True)
    print(app.state.backend.api_key, flush=True)
    await task

asyncio.run(main())
"""


@contextlib.contextmanager
def demo_server(data_dir: Path) -> Iterator[tuple[str, str]]:
    """``(base_url, api_key)`` of a demo backend running in a child process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(data_dir)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        key = proc.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError("the demo server did not start")
        yield url, key
    finally:
        proc.terminate()
        proc.wait(10)


def make_file(path: Path, size_mb: int) -> Path:
    """A file of ``size_mb`` MiB of varied bytes, written 1 MiB at a time."""
    block = os.urandom(MB)
    with path.open("wb") as fh:
        for i in range(size_mb):
            cut = i * 4099 % MB
            fh.write(block[cut:] + block[:cut])
    return path
