"""Contract fixtures: the official ouro-py 2.20.0, unchanged, against the demo over loopback.

The main checklist runs against the *standalone* server (``python -m ouro_desktop.demo``
in a subprocess, as a user would start it); the token-refresh paths use an in-test uvicorn
server built with fault switches. Every client is made with the working directory in an
empty temporary folder and with no ``OURO_*`` variables, so no stray ``.env`` or shell
setting can point the SDK somewhere else.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 30.0


# ``ouro.config`` loads a ``.env`` found from the working directory when ``ouro`` is first
# imported: make that first import happen in an empty folder, with no OURO_* variables.
with tempfile.TemporaryDirectory(prefix="ouro-contract-import-") as _empty:
    _before = os.getcwd()
    _saved = {k: os.environ.pop(k) for k in [k for k in os.environ if k.startswith("OURO_")]}
    os.chdir(_empty)
    try:
        import ouro  # noqa: F401
        from dotenv import find_dotenv
    finally:
        os.chdir(_before)
        os.environ.update(_saved)


@dataclass
class DemoServer:
    url: str
    api_key: str
    data_dir: Path
    process: subprocess.Popen[str]
    stderr_path: Path

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""


def _server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OURO_")}
    # Works whether or not the project is pip-installed into this interpreter.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@contextlib.contextmanager
def run_demo_server(data_dir: Path, workdir: Path) -> Iterator[DemoServer]:
    """Start ``python -m ouro_desktop.demo --port 0 --data-dir DIR``; stop it on exit."""
    workdir.mkdir(parents=True, exist_ok=True)
    stderr_path = workdir / f"server-{time.monotonic_ns()}.stderr"
    with stderr_path.open("w") as stderr_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ouro_desktop.demo",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--data-dir",
                str(data_dir),
            ],
            cwd=workdir,
            env=_server_env(),
            stdout=subprocess.PIPE,
            stderr=stderr_file,
            text=True,
        )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:  # keeps draining stdout so the server never blocks on a full pipe
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    found: dict[str, str] = {}
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    try:
        while not {"OURO_BACKEND_URL", "OURO_API_KEY"} <= found.keys():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError("the demo server did not print its OURO_ lines in time")
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError(
                    f"the demo server exited early (code {process.wait()}):\n"
                    + stderr_path.read_text(errors="replace")
                )
            key, sep, value = line.strip().partition("=")
            if sep and key.startswith("OURO_"):
                found[key] = value
        yield DemoServer(
            url=found["OURO_BACKEND_URL"],
            api_key=found["OURO_API_KEY"],
            data_dir=data_dir,
            process=process,
            stderr_path=stderr_path,
        )
    finally:
        stop_process(process)


def stop_process(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def sdk_workdir(path: Path) -> Iterator[Path]:
    """cwd in an empty folder with no ``.env`` above it, and no OURO_* variables set."""
    path.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("OURO_")]:
            mp.delenv(key)
        mp.chdir(path)
        assert find_dotenv(usecwd=True) == "", "a .env is reachable from the SDK's cwd"
        yield path


def make_client(url: str, api_key: str) -> Any:
    from ouro import Ouro

    return Ouro(api_key=api_key, base_url=url)


# Package scope: the working-directory change and the server end with this package.
@pytest.fixture(scope="package")
def contract_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("contract")


@pytest.fixture(scope="package")
def demo_server(contract_tmp: Path) -> Iterator[DemoServer]:
    """The standalone demo server, shared by the checklist tests (``--port 0``)."""
    with run_demo_server(contract_tmp / "data", contract_tmp / "server-cwd") as server:
        yield server


@pytest.fixture(scope="package")
def ouro_client(demo_server: DemoServer, contract_tmp: Path) -> Iterator[Any]:
    """``Ouro(api_key=..., base_url=...)`` made and used from an empty working directory."""
    with sdk_workdir(contract_tmp / "sdk-cwd"):
        client = make_client(demo_server.url, demo_server.api_key)
        yield client
        client._raw_client.close()


@pytest.fixture
def sdk_cwd(tmp_path: Path) -> Iterator[Path]:
    with sdk_workdir(tmp_path / "sdk-cwd") as path:
        yield path


@pytest.fixture(scope="session")
def examples() -> Path:
    return REPO_ROOT / "ouro_desktop" / "demo" / "examples"
