"""Token exchange, renewal before expiry and after refusals, and N12 (single flight)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from ouro_desktop.api import (
    AuthenticationError,
    ConnectError,
    InternalServerError,
    OuroClient,
    ResponseError,
    SubmissionUnknown,
)

from .helpers import FORMULA, NoSleep, Recorder, asgi, client_for, envelope, fake_jwt, run


class Revoking(httpx.AsyncBaseTransport):
    """The demo, except that tokens in ``revoked`` are answered 401 (a revoked session)."""

    def __init__(self, app: Any) -> None:
        self.inner = asgi(app)
        self.revoked: set[str] = set()
        self.exchanges = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/users/get-token":
            self.exchanges += 1
            await asyncio.sleep(0.01)  # a slow exchange widens the race window
        if request.headers.get("authorization") in self.revoked:
            await asyncio.sleep(0.001)
            return httpx.Response(
                401, content=b'{"data":null,"error":{"message":"Unauthorized","status":401}}'
            )
        return await self.inner.handle_async_request(request)


def test_n12_twenty_concurrent_401s_share_one_exchange(demo_app: Any) -> None:
    async def scenario() -> None:
        wire = Revoking(demo_app)
        rec = Recorder(wire)
        async with client_for(demo_app, transport=rec) as client:
            await client.sign_in()
            first = rec.seen[-1].headers["authorization"]
            wire.revoked.add(first)
            before = wire.exchanges
            pages = await asyncio.gather(*(client.search_routes(limit=1) for _ in range(20)))
            assert all(p.items for p in pages)
            assert wire.exchanges - before == 1
            refused = [s for s in rec.seen if s.headers.get("authorization") == first]
            assert len(refused) == 1 + 20  # /user, then the 20 refused calls
            fresh = {s.headers.get("authorization") for s in rec.seen[-20:]}
            assert fresh.isdisjoint({first}) and len(fresh) == 1

    run(scenario())


class Gate(httpx.AsyncBaseTransport):
    """The first ``n`` searches reach the demo together and are answered together."""

    def __init__(self, app: Any, n: int) -> None:
        self.inner = asgi(app)
        self.n = n
        self.arrived = 0
        self.answered = 0
        self.all_in = asyncio.Event()
        self.all_out = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/search/assets" or self.arrived >= self.n:
            return await self.inner.handle_async_request(request)
        self.arrived += 1
        if self.arrived == self.n:
            self.all_in.set()
        await self.all_in.wait()
        response = await self.inner.handle_async_request(request)
        self.answered += 1
        if self.answered == self.n:
            self.all_out.set()
        await self.all_out.wait()
        return response


def test_n12_with_the_demo_fault_switch(demo_app: Any, faults: Any) -> None:
    """The demo answers the next 20 calls 401: all 20 share one renewal, then succeed."""

    async def scenario() -> None:
        rec = Recorder(Gate(demo_app, 20))
        async with client_for(demo_app, transport=rec) as client:
            await client.sign_in()
            faults.unauthorized_next = 20
            results = await asyncio.gather(*(client.search_routes(limit=1) for _ in range(20)))
        assert all(r.items for r in results)
        assert faults.unauthorized_next == 0
        assert rec.count("POST", "/users/get-token") == 2  # sign-in plus ONE renewal
        assert rec.count("GET", "/search/assets") == 40  # 20 refused, 20 replayed

    run(scenario())


def test_concurrent_first_calls_share_the_first_exchange(demo_app: Any) -> None:
    async def scenario() -> None:
        rec = Recorder(asgi(demo_app))
        async with client_for(demo_app, transport=rec) as client:
            await asyncio.gather(*(client.get_route(FORMULA) for _ in range(10)))
        assert rec.count("POST", "/users/get-token") == 1

    run(scenario())


def test_one_401_renews_once_and_replays(demo_app: Any, faults: Any) -> None:
    async def scenario() -> None:
        rec = Recorder(asgi(demo_app))
        async with client_for(demo_app, transport=rec) as client:
            await client.sign_in()
            faults.unauthorized_next = 1
            route = await client.get_route(FORMULA)
            assert route.slug == "formula-properties"
            assert rec.count("POST", "/users/get-token") == 2
            # A token refused twice in a row is a real sign-in problem, not a loop.
            faults.unauthorized_next = 2
            with pytest.raises(AuthenticationError):
                await client.get_route(FORMULA)
            assert rec.count("POST", "/users/get-token") == 3

    run(scenario())


def test_no_user_context_renews_once(demo_app: Any, faults: Any) -> None:
    async def scenario() -> None:
        rec = Recorder(asgi(demo_app))
        async with client_for(demo_app, transport=rec) as client:
            await client.sign_in()
            faults.no_user_context_next = 1
            assert (await client.search_routes(limit=2)).items
        assert rec.count("POST", "/users/get-token") == 2
        assert rec.count("GET", "/search/assets") == 2

    run(scenario())


def test_token_is_renewed_before_it_expires(demo_app: Any, faults: Any) -> None:
    faults.token_ttl = 2.0

    async def scenario() -> None:
        rec = Recorder(asgi(demo_app))
        async with client_for(demo_app, transport=rec) as client:
            await client.sign_in()
            await asyncio.sleep(1.8)  # past exp - ttl/5, before exp
            await client.search_routes(limit=1)
        assert rec.count("POST", "/users/get-token") == 2
        # No call was refused: the renewal came first.
        assert rec.count("GET", "/search/assets") == 1

    run(scenario())


def test_access_token_only_client_cannot_renew(demo_app: Any, faults: Any) -> None:
    async def scenario() -> None:
        rec = Recorder(asgi(demo_app))
        async with httpx.AsyncClient(transport=asgi(demo_app)) as raw:
            got = await raw.post(
                "http://demo.test/users/get-token", json={"pat": demo_app.state.backend.api_key}
            )
        access = got.json()["access_token"]
        async with OuroClient("http://demo.test", access_token=access, transport=rec) as client:
            assert (await client.sign_in()).username == "demo"
            faults.unauthorized_next = 1
            with pytest.raises(AuthenticationError):
                await client.search_routes()
        assert rec.count("POST", "/users/get-token") == 0

    run(scenario())


def test_exchange_answers_are_checked() -> None:
    """A 200 with an error, or without a token, is a refused key, not a crash."""

    def transport(body: dict[str, Any]) -> httpx.MockTransport:
        return httpx.MockTransport(lambda request: httpx.Response(200, json=body))

    async def scenario() -> None:
        for body in (
            {"access_token": None, "refresh_token": "r", "error": None},
            {"error": "No user found for this API key"},
            {"access_token": "has spaces in it", "refresh_token": "r"},
            {"access_token": 42},
        ):
            async with OuroClient("https://api.example", "k" * 40, transport=transport(body)) as c:
                with pytest.raises(AuthenticationError):
                    await c.sign_in()

    run(scenario())


@pytest.mark.parametrize(
    ("status", "content", "expected"),
    [
        (
            401,
            b'{"data":null,"error":{"message":"Invalid API key","status":401}}',
            AuthenticationError,
        ),
        (403, b"", AuthenticationError),
        (500, b'{"error":{"message":"database down"}}', InternalServerError),
        (502, b"<html>Bad gateway</html>", InternalServerError),
        (200, b"<html>captive portal</html>", ResponseError),
        (307, b"", ResponseError),
    ],
)
def test_a_failing_exchange_is_not_always_a_bad_key(
    status: int, content: bytes, expected: type[Exception]
) -> None:
    """Only 401/403 (or an error in the answer) mean the key was refused."""
    wire = httpx.MockTransport(lambda request: httpx.Response(status, content=content))

    async def scenario() -> None:
        async with OuroClient(
            "https://api.example", "k" * 40, transport=wire, sleep=NoSleep()
        ) as c:
            with pytest.raises(expected) as info:
                await c.sign_in()
        if expected is AuthenticationError:
            assert "API key" in str(info.value)
        else:
            assert "API key" not in str(info.value)

    run(scenario())


def test_refresh_timing_trusts_server_lifetime_over_a_skewed_clock() -> None:
    """A token whose exp is already past by our clock (iat too) is not renewed every call."""
    exchanges = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal exchanges
        if request.url.path == "/users/get-token":
            exchanges += 1
            token = fake_jwt(ttl=3600, iat=time.time() - 7200)  # server clock 2 h behind
            return httpx.Response(200, json={"access_token": token, "refresh_token": "r"})
        return httpx.Response(200, content=envelope({"id": "u", "username": "x"}))

    async def scenario() -> None:
        async with OuroClient(
            "https://api.example", "k" * 40, transport=httpx.MockTransport(handler)
        ) as client:
            for _ in range(5):
                await client.sign_in()

    run(scenario())
    assert exchanges == 1


def test_a_failed_exchange_is_shared_by_waiters_but_not_remembered() -> None:
    """Concurrent callers share one failing exchange; a later call tries again."""
    state = {"exchanges": 0, "down": True}

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/users/get-token":
            state["exchanges"] += 1
            await asyncio.sleep(0.01)
            if state["down"]:
                raise httpx.ConnectError("network is unreachable")
            return httpx.Response(200, json={"access_token": fake_jwt(), "refresh_token": "r"})
        return httpx.Response(200, content=envelope({"id": "u", "username": "ann"}))

    sleep = NoSleep()

    async def scenario() -> None:
        async with OuroClient(
            "https://api.example", "k" * 40, transport=httpx.MockTransport(handler), sleep=sleep
        ) as client:
            results = await asyncio.gather(
                *(client.sign_in() for _ in range(10)), return_exceptions=True
            )
            assert all(isinstance(r, ConnectError) for r in results)
            assert state["exchanges"] == 4  # one exchange (with its 4 tries) for all ten
            state["down"] = False
            assert (await client.sign_in()).username == "ann"
            assert state["exchanges"] == 5

    run(scenario())


def test_a_run_refused_for_its_sign_in_is_sent_once_and_looked_up(demo_app: Any) -> None:
    """A 401 (or "No user context") answer to POST …/use is never followed by a second
    POST, even after a renewal: the run's fate is unknown, to be looked up."""

    async def scenario() -> None:
        rec = Recorder(asgi(demo_app))
        async with client_for(demo_app, transport=rec, sleep=NoSleep()) as client:
            route = await client.get_route(FORMULA)
            for fault in ("unauthorized_next", "no_user_context_next"):
                before = rec.count("POST", "/use")
                setattr(demo_app.state.backend.faults, fault, 50)  # every call refused
                with pytest.raises(SubmissionUnknown) as caught:
                    await client.execute(route, body={"formula": "Fe"}, idempotency_key=fault)
                assert rec.count("POST", "/use") == before + 1, fault
                assert caught.value.idempotency_key == fault
                setattr(demo_app.state.backend.faults, fault, 0)
            # The next call renews the sign-in first and works.
            assert (await client.get_route(FORMULA)).id == route.id
        items, _ = demo_app.state.backend.store.actions(limit=100)
        assert items == []

    run(scenario())
