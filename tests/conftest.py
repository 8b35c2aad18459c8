"""Shared test setup: offscreen Qt, the demo backend in-process and over real loopback."""

from __future__ import annotations

import os

# Before anything imports Qt or qasync.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import contextlib  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
import uvicorn  # noqa: E402

from ouro_desktop.api.models import Route  # noqa: E402
from ouro_desktop.demo.app import create_app  # noqa: E402
from ouro_desktop.demo.faults import Faults  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "ouro_desktop" / "demo" / "examples"


@pytest.fixture(scope="session")
def demo_routes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Route]:
    """Every seeded demo route (the real specs included) as the client sees it, by slug."""
    app = create_app(tmp_path_factory.mktemp("demo-routes"))
    rows = app.state.backend.store.assets(asset_types=["route"])
    return {row["name_url_slug"]: Route.from_json(row) for row in rows}


@pytest.fixture
def faults() -> Faults:
    return Faults(time_scale=0.01)


@pytest.fixture
def demo_app(tmp_path: Path, faults: Faults) -> Any:
    return create_app(tmp_path / "demo-data", faults=faults)


@contextlib.contextmanager
def serve_on_loopback(app: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn on 127.0.0.1 (free port) in a thread; yield its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def loopback(demo_app: Any) -> Iterator[str]:
    with serve_on_loopback(demo_app) as url:
        yield url
