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


# ------------------------------------- test workers (pytest-xdist, as scripts/test runs them)

_crashed_workers: list[str] = []


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object | None) -> None:
    """In the process that shares the tests out: a worker that died instead of finishing
    (killed by a signal, say). xdist fails the test the worker was running; one that
    died between or after its tests failed none, so :func:`pytest_sessionfinish` fails
    the run, as the crash of the one process running every test failed it before."""
    if error is not None:
        _crashed_workers.append(f"{getattr(node.gateway, 'id', node)} ({error})")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _crashed_workers and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for worker in _crashed_workers:
        terminalreporter.write_line(
            f"!! the test worker {worker} was killed (a crash, not a failing test)"
        )
