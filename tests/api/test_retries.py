"""Retry policy: only safe requests, bounded tries, Retry-After, and a whole-call deadline."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from ouro_desktop.api import (
    ConnectError,
    InternalServerError,
    OuroClient,
    RateLimitError,
    RequestTimeout,
    ResponseError,
)

from .helpers import NoSleep, Recorder, asgi, client_for, envelope, fake_jwt, run

USER = envelope({"id": "u1", "username": "ann", "email": "a@example.org"})
ACTION = envelope({"id": "a1", "route_id": "r1", "status": "queued"})


def scripted(answers: list[httpx.Response | Exception]) -> tuple[httpx.MockTransport, list[str]]:
    """A server that answers the key exchange, then plays ``answers`` in order."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/users/get-token":
            return httpx.Response(200, json={"access_token": fake_jwt(), "refresh_token": "r"})
        calls.append(f"{request.method} {request.url.path}")
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handler), calls


def make(transport: httpx.AsyncBaseTransport, sleep: NoSleep, **kw: Any) -> OuroClient:
    return OuroClient(
        "https://api.example",
        "k" * 40,
        transport=transport,
        sleep=sleep,
        rng=random.Random(7),
        **kw,
    )


def test_get_is_retried_on_503_then_succeeds() -> None:
    sleep = NoSleep()
    wire, calls = scripted(
        [httpx.Response(503, content=b"<html>busy</html>")] * 3
        + [httpx.Response(200, content=ACTION)]
    )

    async def scenario() -> None:
        async with make(wire, sleep) as client:
            action = await client.get_action("a1")
        assert action.status == "queued"

    run(scenario())
    assert calls == ["GET /actions/a1"] * 4
    assert len(sleep.waits) == 3
    # Full jitter: each wait is within [0, min(8, 0.5 * 2**n)].
    for n, wait in enumerate(sleep.waits):
        assert 0 <= wait <= min(8.0, 0.5 * 2**n)


def test_at_most_four_tries() -> None:
    sleep = NoSleep()
    wire, calls = scripted([httpx.Response(502, json={"error": {"message": "Bad gateway"}})])

    async def scenario() -> None:
        async with make(wire, sleep) as client:
            with pytest.raises(InternalServerError) as info:
                await client.get_action("a1")
        assert info.value.status == 502 and "Bad gateway" in str(info.value)

    run(scenario())
    assert len(calls) == 4 and len(sleep.waits) == 3


@pytest.mark.parametrize("status", [408, 429, 500, 503, 504])
def test_retryable_statuses(status: int) -> None:
    sleep = NoSleep()
    wire, calls = scripted([httpx.Response(status), httpx.Response(200, content=USER)])

    async def scenario() -> None:
        async with make(wire, sleep) as client:
            assert (await client.sign_in()).username == "ann"

    run(scenario())
    assert len(calls) == 2


def test_retry_after_is_honoured() -> None:
    sleep = NoSleep()
    wire, calls = scripted(
        [
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(503, headers={"Retry-After": "1.5"}),
            httpx.Response(200, content=USER),
        ]
    )

    async def scenario() -> None:
        async with make(wire, sleep) as client:
            await client.sign_in()

    run(scenario())
    assert sleep.waits == [7.0, 1.5]


def test_retry_after_beyond_two_minutes_is_not_waited_for() -> None:
    sleep = NoSleep()
    wire, calls = scripted([httpx.Response(429, headers={"Retry-After": "600"})])

    async def scenario() -> None:
        async with make(wire, sleep) as client:
            with pytest.raises(RateLimitError) as info:
                await client.sign_in()
        assert info.value.retry_after == 600.0

    run(scenario())
    assert len(calls) == 1 and sleep.waits == []


def test_connect_errors_on_get_are_retried() -> None:
    sleep = NoSleep()
    refused = httpx.ConnectError("refused")
    wire, calls = scripted([refused, refused, httpx.Response(200, content=USER)])

    async def scenario() -> None:
        async with make(wire, sleep) as client:
            await client.sign_in()

    run(scenario())
    assert len(calls) == 3

    wire, calls = scripted([refused])

    async def never() -> None:
        async with make(wire, NoSleep()) as client:
            with pytest.raises(ConnectError):
                await client.sign_in()

    run(never())
    assert len(calls) == 4


@pytest.mark.parametrize(
    "call",
    [
        lambda c, p: c.upload_file(p),
        lambda c, p: c.get_route("alice/a-route"),  # name lookup is a safe POST
    ],
    ids=["upload-post", "name-to-id"],
)
def test_posts_are_only_retried_when_safe(call: Callable[..., Any], tmp_path: Path) -> None:
    sleep = NoSleep()
    wire, calls = scripted([httpx.Response(503)])
    path = tmp_path / "x.cif"
    path.write_bytes(b"data_x\n")

    async def scenario() -> None:
        async with make(wire, sleep) as client:
            with pytest.raises(InternalServerError):
                await call(client, path)

    run(scenario())
    if calls[0] == "POST /files/upload":
        assert calls == ["POST /files/upload"]
    else:
        assert calls == ["POST /elements/common/name-to-id"] * 4


def test_demo_rate_limit_is_retried_after_its_hint(demo_app: Any, faults: Any) -> None:
    faults.rate_limit_next = 2
    faults.retry_after_s = 0.25
    sleep = NoSleep()

    async def scenario() -> None:
        rec = Recorder(asgi(demo_app))
        async with client_for(demo_app, transport=rec, sleep=sleep) as client:
            await client.sign_in()  # the exchange itself is retried through the 429s
        assert rec.count("POST", "/users/get-token") == 3

    run(scenario())
    assert sleep.waits == [0.25, 0.25]


class Drip(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"data": {"id": "'
        while True:
            await asyncio.sleep(0.05)
            yield b"x"


def test_deadline_stops_a_drip_feeding_server() -> None:
    wire, calls = scripted([httpx.Response(200, stream=Drip())])

    async def scenario() -> None:
        async with make(wire, NoSleep(), deadline=0.6, timeout=5.0) as client:
            started = time.monotonic()
            with pytest.raises(RequestTimeout):
                await client.sign_in()
            return time.monotonic() - started

    elapsed = run(scenario())
    assert elapsed < 1.5
    assert len(calls) == 1  # no time was left for another try


def test_api_redirects_are_not_followed() -> None:
    wire, calls = scripted(
        [httpx.Response(302, headers={"Location": "https://elsewhere.example/"})]
    )

    async def scenario() -> None:
        async with make(wire, NoSleep()) as client:
            with pytest.raises(ResponseError, match="redirect"):
                await client.sign_in()

    run(scenario())
    assert calls == ["GET /user"]


def test_a_refused_run_says_how_long_to_wait(demo_app: Any, faults: Any) -> None:
    # The demo refuses with Ouro's error envelope: its Retry-After must still reach the
    # error (a batch told to wait 2 s waited the default 5 s when it did not).
    faults.retry_after_s = 2.0
    sleep = NoSleep()

    async def scenario() -> None:
        rec = Recorder(asgi(demo_app))
        async with client_for(demo_app, transport=rec, sleep=sleep) as client:
            route = await client.get_route("demo/formula-properties")
            faults.rate_limit_next = 1
            with pytest.raises(RateLimitError) as info:
                await client.execute(route, body={"formula": "Fe"}, idempotency_key="k-429")
            assert info.value.retry_after == 2.0
            assert rec.count("POST", f"{client._route_path(route)}/use") == 1  # noqa: SLF001

    run(scenario())
    assert sleep.waits == []
