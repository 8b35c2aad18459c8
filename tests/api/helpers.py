"""Helpers for the client tests: run coroutines, record and fault the wire, build clients.

pytest-asyncio is not used; each test runs its scenario with :func:`run`. The transports
here wrap a real one (the demo in-process through ``httpx.ASGITransport``, or a real
socket) so the tests can count what was sent and break the answer after the server has
done the work.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from ouro_desktop.api import OuroClient

T = TypeVar("T")
BASE_URL = "http://demo.test"
EXAMPLES = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples"
FORMULA = "demo/formula-properties"
DOS_CURVE = "demo/free-electron-dos-curve"  # the async route
REPORT = "demo/structure-report"  # a paid route taking a .cif file
SUPERCELL = "demo/build-supercell"  # a file in, a file out


def run(coro: Coroutine[Any, Any, T], timeout: float = 60.0) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout)

    return asyncio.run(bounded())


@dataclass
class Seen:
    method: str
    path: str
    host: str
    headers: dict[str, str]


@dataclass
class Recorder(httpx.AsyncBaseTransport):
    """Passes requests to ``inner`` and remembers each one (headers lower-cased)."""

    inner: httpx.AsyncBaseTransport
    seen: list[Seen] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(
            Seen(
                request.method,
                request.url.path,
                request.url.host,
                {k.lower(): v for k, v in request.headers.items()},
            )
        )
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def count(self, method: str, path_suffix: str = "") -> int:
        return sum(1 for s in self.seen if s.method == method and s.path.endswith(path_suffix))


Hook = Callable[[httpx.Request], Awaitable[httpx.Response | None]]


@dataclass
class Faulty(httpx.AsyncBaseTransport):
    """Runs ``before`` (may answer instead), forwards, then runs ``after`` on the answer.

    ``after`` may raise (a reset or time-out after the server did the work) or return a
    replacement answer.
    """

    inner: httpx.AsyncBaseTransport
    match: Callable[[httpx.Request], bool] = lambda request: False
    before: Callable[[httpx.Request], httpx.Response | None] | None = None
    after: Callable[[httpx.Request, httpx.Response], httpx.Response] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.match(request) and self.before is not None:
            replaced = self.before(request)
            if replaced is not None:
                return replaced
        response = await self.inner.handle_async_request(request)
        if self.match(request) and self.after is not None:
            await response.aread()
            return self.after(request, response)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def asgi(app: Any) -> httpx.AsyncBaseTransport:
    return httpx.ASGITransport(app=app)


def client_for(
    app: Any,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    base_url: str = BASE_URL,
    api_key: str | None = None,
    **kwargs: Any,
) -> OuroClient:
    return OuroClient(
        base_url,
        api_key if api_key is not None else app.state.backend.api_key,
        transport=transport if transport is not None else asgi(app),
        **kwargs,
    )


async def wait_done(client: OuroClient, action_id: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        action = await client.get_action(action_id)
        if action.is_terminal:
            return action
        if time.monotonic() > deadline:
            raise AssertionError(f"action {action_id} still {action.status}")
        await asyncio.sleep(0.02)


def envelope(data: Any, **extra: Any) -> bytes:
    return json.dumps({"data": data, "error": None, **extra}).encode()


def fake_jwt(ttl: float = 3600, iat: float | None = None) -> str:
    import base64

    def b64(obj: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    now = time.time() if iat is None else iat
    return f"{b64({'alg': 'none'})}.{b64({'iat': int(now), 'exp': int(now + ttl)})}.sig"


class NoSleep:
    """An injectable sleep that records the waits and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)
