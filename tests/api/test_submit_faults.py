"""N1: whatever goes wrong around ``POST …/use``, a submit sends exactly one POST.

Each fault runs 20 times. Faults after the server did the work (reset, time-out, a
gateway page, a truncated answer) must be reported as ``SubmissionUnknown`` and the demo
must hold exactly one run for the idempotency key; refusals (429, 4xx) are typed errors
and nothing ran; a connection that never opened is a ``ConnectError``.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from ouro_desktop.api import (
    BadRequestError,
    ConnectError,
    ExecuteResult,
    NotFoundError,
    OuroClient,
    RateLimitError,
    Route,
    SubmissionUnknown,
)
from ouro_desktop.demo.faults import InjectedResponse

from ..conftest import serve_on_loopback
from .helpers import FORMULA, Faulty, Recorder, asgi, run

TRIALS = 20
USE = r"/services/[^/]+/routes/[^/]+/use"
RESET_LINGER = (1).to_bytes(4, "little") + (0).to_bytes(4, "little")  # linger on, 0 s: RST
HTML = b"<html><head><title>%d</title></head><body>Bad gateway</body></html>"


def is_use(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/use")


@dataclass
class Fault:
    """How to break one submit, what the client must raise, and whether the run exists."""

    arm: Callable[[Any, Faulty], None]
    expected: type[Exception] | None
    processed: bool
    deadline: float = 30.0


def inject(status: int, body: bytes, after: bool = True, **headers: str) -> Callable[..., None]:
    def arm(app: Any, wire: Faulty) -> None:
        app.state.backend.faults.injected.append(
            InjectedResponse("POST", USE, status, body, dict(headers), after_processing=after)
        )

    return arm


def raise_after(exc: Exception) -> Callable[..., None]:
    def arm(app: Any, wire: Faulty) -> None:
        def after(request: httpx.Request, response: httpx.Response) -> httpx.Response:
            raise exc

        wire.after = after

    return arm


def raise_before(exc: Exception) -> Callable[..., None]:
    def arm(app: Any, wire: Faulty) -> None:
        def before(request: httpx.Request) -> httpx.Response:
            raise exc

        wire.before = before

    return arm


class Drip(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"data": null, "action": {"id": "'
        while True:
            await asyncio.sleep(0.02)
            yield b"0"


def drip_after(app: Any, wire: Faulty) -> None:
    wire.after = lambda request, response: httpx.Response(202, stream=Drip())


def rate_limited(app: Any, wire: Faulty) -> None:
    app.state.backend.faults.rate_limit_next = 1


def failed_run(app: Any, wire: Faulty) -> None:
    action = {"id": str(uuid.uuid4()), "status": "error", "response": {"detail": "boom"}}
    body = json.dumps({"data": None, "action": action, "error": {"message": "boom"}}).encode()
    inject(503, body, after=False)(app, wire)


FAULTS: dict[str, Fault] = {
    "reset-after-send": Fault(
        raise_after(httpx.ReadError("[Errno 104] Connection reset by peer")),
        SubmissionUnknown,
        True,
    ),
    "disconnect-after-send": Fault(
        raise_after(httpx.RemoteProtocolError("Server disconnected without a response")),
        SubmissionUnknown,
        True,
    ),
    "read-timeout": Fault(raise_after(httpx.ReadTimeout("timed out")), SubmissionUnknown, True),
    "drip-feed-deadline": Fault(drip_after, SubmissionUnknown, True, deadline=0.2),
    **{
        f"{status}-html": Fault(
            inject(status, HTML % status, **{"content-type": "text/html"}),
            SubmissionUnknown,
            True,
        )
        for status in (502, 503, 504)
    },
    **{
        f"{status}-json": Fault(
            inject(status, b'{"data": null, "error": {"message": "Upstream gone"}}'),
            SubmissionUnknown,
            True,
        )
        for status in (500, 502, 503, 504)
    },
    "truncated-json": Fault(
        inject(202, b'{"data": null, "action": {"id": "0198'), SubmissionUnknown, True
    ),
    "html-200": Fault(inject(200, HTML % 200), SubmissionUnknown, True),
    "empty-202": Fault(inject(202, b""), SubmissionUnknown, True),
    "action-not-an-object": Fault(
        inject(202, b'{"data": null, "action": 12}'), SubmissionUnknown, True
    ),
    "429-refused": Fault(rate_limited, RateLimitError, False),
    "400-refused": Fault(
        inject(400, b'{"data": null, "error": {"message": "No", "status": 400}}', after=False),
        BadRequestError,
        False,
    ),
    "200-with-error-status-404": Fault(
        inject(200, b'{"data": null, "error": {"message": "Gone", "status": 404}}', after=False),
        NotFoundError,
        False,
    ),
    "connect-error": Fault(raise_before(httpx.ConnectError("refused")), ConnectError, False),
    "failed-run-in-503": Fault(failed_run, None, False),
}


def runs_with_key(app: Any, key: str) -> int:
    backend = app.state.backend
    items, _ = backend.store.actions(user_id=backend.seeded.user["id"], limit=10_000)
    return sum(1 for a in items if (a.get("metadata") or {}).get("idempotency_key") == key)


@pytest.mark.parametrize("name", list(FAULTS))
def test_one_post_per_submit_in_process(name: str, demo_app: Any) -> None:
    fault = FAULTS[name]

    async def scenario() -> None:
        wire = Faulty(asgi(demo_app), match=is_use)
        rec = Recorder(wire)
        async with OuroClient(
            "http://demo.test",
            demo_app.state.backend.api_key,
            transport=rec,
            deadline=fault.deadline,
        ) as client:
            route = await client.get_route(FORMULA)
            for trial in range(TRIALS):
                key = f"{name}-{trial}-{uuid.uuid4()}"
                wire.before = wire.after = None
                fault.arm(demo_app, wire)
                posts = rec.count("POST", "/use")
                if fault.expected is None:
                    result = await client.execute(
                        route, body={"formula": "Fe"}, idempotency_key=key
                    )
                    assert isinstance(result, ExecuteResult)
                    assert result.action.status == "error" and result.action.error_message
                else:
                    with pytest.raises(fault.expected) as info:
                        await client.execute(route, body={"formula": "Fe"}, idempotency_key=key)
                    if isinstance(info.value, SubmissionUnknown):
                        assert info.value.idempotency_key == key
                        assert info.value.route_id == route.id
                        assert "check your recent runs" in str(info.value)
                assert rec.count("POST", "/use") == posts + 1
                assert runs_with_key(demo_app, key) == (1 if fault.processed else 0)
            assert not demo_app.state.backend.faults.injected

    run(scenario())


def test_truncated_answer_over_loopback(demo_app: Any) -> None:
    """A real socket closed mid-body after the run was recorded: unknown, one POST."""

    async def scenario(url: str) -> None:
        rec = Recorder(httpx.AsyncHTTPTransport())
        async with OuroClient(url, demo_app.state.backend.api_key, transport=rec) as client:
            route = await client.get_route(FORMULA)
            for trial in range(TRIALS):
                key = f"trunc-{trial}"
                inject(202, b'{"data": null, "action": {"id"', **{"content-length": "4000"})(
                    demo_app, Faulty(asgi(demo_app))
                )
                with pytest.raises(SubmissionUnknown):
                    await client.execute(route, body={"formula": "Fe"}, idempotency_key=key)
                assert rec.count("POST", "/use") == trial + 1
                assert runs_with_key(demo_app, key) == 1

    with serve_on_loopback(demo_app) as url:
        run(scenario(url))


@pytest.fixture
def resetting_server() -> Iterator[tuple[str, list[bytes]]]:
    """A socket server that reads one whole request, then resets the connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                while len(body) < length:
                    body += conn.recv(65536)
                received.append(head.split(b"\r\n")[0])
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_LINGER)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", received
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def test_connection_reset_by_a_real_socket(resetting_server: tuple[str, list[bytes]]) -> None:
    url, received = resetting_server
    route = Route.from_json(
        {"id": str(uuid.uuid4()), "parent_id": str(uuid.uuid4()), "name": "r", "route": {}}
    )

    async def scenario() -> None:
        async with OuroClient(url, access_token="opaque-token") as client:
            for trial in range(TRIALS):
                with pytest.raises(SubmissionUnknown):
                    await client.execute(route, body={"n": trial}, idempotency_key=f"k{trial}")
                assert len(received) == trial + 1

    run(scenario())
    assert all(line.startswith(b"POST /services/") for line in received)
