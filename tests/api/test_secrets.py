"""The API key and the tokens issued for it never show in logs, errors or reprs.

A sentinel key drives a whole session (exchange, runs, logs, uploads both ways, a
download, refused and failing calls, a server that echoes secrets back) with every
logger at DEBUG, httpx and httpcore included, in-process and over real loopback.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ouro_desktop.api import OuroClient, OuroError
from ouro_desktop.demo.store import seed_id

from ..conftest import serve_on_loopback
from .helpers import EXAMPLES, FORMULA, SUPERCELL, Recorder, asgi, run, wait_done

SENTINEL = "sentinel" + uuid.uuid4().hex + "KEY"


class Echo(httpx.AsyncBaseTransport):
    """Forwards to the real transport, but answers /user/profile by echoing the secrets."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/user/profile":
            said = f"token {request.headers.get('authorization')} for key {SENTINEL} is bad"
            return httpx.Response(403, json={"data": {"you": said}, "error": {"message": said}})
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def add_sentinel_user(app: Any) -> None:
    user_id = seed_id("user", "sentinel")
    user = {"id": user_id, "user_id": user_id, "username": "sentinel", "email": "s@x", "name": "S"}
    app.state.backend.store.upsert_user(user, SENTINEL, key_name="sentinel laptop")


@pytest.fixture(params=["asgi", "loopback"])
def wire(request: pytest.FixtureRequest, demo_app: Any) -> Iterator[tuple[str, Recorder]]:
    add_sentinel_user(demo_app)
    if request.param == "asgi":
        yield "http://demo.test", Recorder(Echo(asgi(demo_app)))
        return
    with serve_on_loopback(demo_app) as url:
        yield url, Recorder(Echo(httpx.AsyncHTTPTransport()))


def test_sentinel_never_leaks(
    wire: tuple[str, Recorder], faults: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url, rec = wire
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "ouro_desktop", "uvicorn", "asyncio"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    errors: list[BaseException] = []
    shown: list[str] = []

    async def expect_failure(coro: Any) -> None:
        try:
            await coro
        except OuroError as exc:
            errors.append(exc)
        else:
            raise AssertionError("expected a failure")

    async def scenario() -> None:
        client = OuroClient(url, SENTINEL, transport=rec, upload_threshold=4096)
        shown.append(repr(client))
        async with client:
            user = await client.sign_in()
            assert user.username == "sentinel"
            route = await client.get_route(FORMULA)
            result = await client.execute(route, body={"formula": "NaCl"}, idempotency_key="s1")
            done = await wait_done(client, result.action.id)
            logs = await client.action_logs(done.id)
            small = await client.upload_file(EXAMPLES / "NaCl.cif")
            big_path = tmp_path / "big.cif"
            big_path.write_bytes((EXAMPLES / "NaCl.cif").read_bytes() * 4)
            big = await client.upload_file(big_path)
            await client.download_file(big.id, tmp_path / "back.cif")
            supercell = await client.get_route(SUPERCELL)
            run2 = await client.execute(
                supercell, input_assets={"file": small.id}, idempotency_key="s2"
            )
            await wait_done(client, run2.action.id)
            faults.unauthorized_next = 1  # a renewal mid-session
            page = await client.list_my_actions()
            shown.extend(repr(x) for x in (user, route, result, done, logs, small, big, page))
            shown.append(repr(client._http))
            await expect_failure(client.get_route("sentinel/no-such-route"))
            await expect_failure(
                client.execute(route, input_assets={"nope": small.id}, idempotency_key="s3")
            )
            await expect_failure(client._http.call("GET", "/user/profile"))
            faults.unauthorized_next = 2  # refused even after renewing
            await expect_failure(client.search_routes())
        async with OuroClient(url, SENTINEL + "x", transport=rec) as wrong:
            await expect_failure(wrong.sign_in())

    run(scenario())

    tokens = {s.headers["authorization"] for s in rec.seen if "authorization" in s.headers}
    assert len(tokens) >= 2  # the first token and at least one renewal
    secrets = {SENTINEL, *tokens}
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    texts = [formatter.format(record) for record in caplog.records]
    texts += [repr(record.args) for record in caplog.records]
    for exc in errors:
        texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
        texts.append(repr(getattr(exc, "body", None)))
    texts += shown
    assert len(caplog.records) > 20, "DEBUG logging was not captured"
    assert any("[redacted]" in str(exc) for exc in errors), "the echo case did not run"
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"secret leaked into: {text[:300]}"
