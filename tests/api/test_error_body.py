"""A huge refusal from a server costs little memory (issue 15, item 7): its body is read
for a message only, so one of 40 MB is dropped rather than held (it used to cost about
4.4 times its size), and the refusal is still reported by its status."""

from __future__ import annotations

import tracemalloc
from collections.abc import AsyncIterator

import httpx
import pytest

from ouro_desktop.api import InternalServerError, OuroClient

from .helpers import fake_jwt, run

ERROR_MB = 40


async def _huge_body() -> AsyncIterator[bytes]:
    chunk = b'{"error": {"message": "' + b"x" * (64 * 1024 - 30) + b"\n"
    for _ in range(ERROR_MB * 16):
        yield chunk


def _server(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/users/get-token":
        return httpx.Response(200, json={"access_token": fake_jwt(), "refresh_token": "r"})
    return httpx.Response(500, content=_huge_body())


def test_a_40_mb_error_body_is_not_held_in_memory() -> None:
    async def scenario() -> int:
        async with OuroClient(
            "https://api.example", "k" * 40, transport=httpx.MockTransport(_server)
        ) as client:
            tracemalloc.start()
            try:
                with pytest.raises(InternalServerError):
                    await client._http.call("POST", "/anything", json_body={}, retry=False)
                return tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()

    peak = run(scenario())
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1024**2:.1f} MB for a {ERROR_MB} MB body"
