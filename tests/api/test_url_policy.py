"""URL policy: https only (http just for this computer), no credentials, no auth elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from ouro_desktop.api import InsecureURLError, OuroClient, OuroError
from ouro_desktop.api._wire import check_url

from .helpers import envelope, fake_jwt, run

ALLOWED = [
    "https://api.ouro.foundation",
    "https://api.ouro.foundation:8443/v1",
    "http://127.0.0.1:8003",
    "http://127.8.9.10",
    "http://[::1]:8000",
    "http://localhost:8003",
    "http://LOCALHOST",
    "http://demo.test",
    "http://api.demo.localhost",
]
REFUSED = [
    "http://api.ouro.foundation",
    "http://192.168.1.5:8003",
    "http://10.0.0.1",
    "http://[::2]",
    "http://localhost.evil.com",
    "http://127.0.0.1.nip.io",
    "ftp://api.ouro.foundation",
    "file:///etc/passwd",
    "api.ouro.foundation",
    "https://",
    "https://user:hunter2secret@api.ouro.foundation",
    "https://token@api.ouro.foundation",
    "http://user:pw@127.0.0.1",
    "https://api.ouro.foundation:99999",
]


@pytest.mark.parametrize("url", ALLOWED)
def test_allowed(url: str) -> None:
    assert check_url(url) == url
    OuroClient(url, "k")  # constructing is enough; nothing is sent


@pytest.mark.parametrize("url", REFUSED)
def test_refused(url: str) -> None:
    with pytest.raises(InsecureURLError) as info:
        OuroClient(url, "k")
    assert "hunter2secret" not in str(info.value) and "pw" not in str(info.value).split()


def storage_server(upload_url: str, download_url: str) -> tuple[httpx.MockTransport, list[Any]]:
    seen: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path = request.url.path
        if path == "/users/get-token":
            token = {"access_token": fake_jwt(), "refresh_token": "r", "api_key_name": "lab key"}
            return httpx.Response(200, json=token)
        if path == "/files/upload-url":
            ticket = {"upload_id": "u1", "upload_url": upload_url, "method": "PUT", "headers": {}}
            return httpx.Response(200, content=envelope(ticket))
        if path == "/files/f1":
            return httpx.Response(200, content=envelope({"id": "f1", "name": "f"}))
        if path == "/files/f1/data":
            return httpx.Response(200, content=envelope({"url": download_url}))
        if request.url.host == "storage.example":
            if request.method == "GET" and path == "/hop":
                return httpx.Response(302, headers={"Location": "http://evil.example/steal"})
            return httpx.Response(200, content=b"bytes")
        return httpx.Response(404)

    return httpx.MockTransport(handler), seen


def test_insecure_signed_urls_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 100)

    async def scenario() -> None:
        wire, seen = storage_server("http://storage.example/up", "http://storage.example/f")
        async with OuroClient(
            "https://api.example", "k" * 40, transport=wire, upload_threshold=10
        ) as client:
            with pytest.raises(InsecureURLError):
                await client.upload_file(big)
            with pytest.raises(InsecureURLError):
                await client.download_file("f1", tmp_path / "out.bin")
        assert not [r for r in seen if r.url.host == "storage.example"]
        assert not (tmp_path / "out.bin").exists() and not list(tmp_path.glob("*.part"))

    run(scenario())


def test_redirect_to_an_insecure_host_is_refused(tmp_path: Path) -> None:
    async def scenario() -> None:
        wire, seen = storage_server("https://storage.example/up", "https://storage.example/hop")
        async with OuroClient("https://api.example", "k" * 40, transport=wire) as client:
            with pytest.raises(InsecureURLError):
                await client.download_file("f1", tmp_path / "out.bin")
        assert not [r for r in seen if r.url.host == "evil.example"]

    run(scenario())


def test_authorization_never_goes_to_another_host(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 100)

    async def scenario() -> None:
        wire, seen = storage_server("https://storage.example/up", "https://storage.example/f")
        async with OuroClient(
            "https://api.example", "k" * 40, transport=wire, upload_threshold=10
        ) as client:
            # The upload fails later (the fake has no /complete); the PUT is what matters.
            with pytest.raises(OuroError):
                await client.upload_file(big)
            await client.download_file("f1", tmp_path / "out.bin")
        storage = [r for r in seen if r.url.host == "storage.example"]
        assert {r.method for r in storage} == {"PUT", "GET"}
        assert all("authorization" not in r.headers for r in storage)
        assert all(
            "authorization" in r.headers
            for r in seen
            if r.url.host == "api.example" and r.url.path != "/users/get-token"
        )
        assert (tmp_path / "out.bin").read_bytes() == b"bytes"

    run(scenario())


def test_ouro_only_headers_never_go_to_storage_hosts(tmp_path: Path) -> None:
    """The key's name (and the client header) are for the API: a signed upload or
    download URL on a storage host gets neither, nor the sign-in token."""
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 100)

    async def scenario() -> None:
        wire, seen = storage_server("https://storage.example/up", "https://storage.example/f")
        async with OuroClient(
            "https://api.example", "k" * 40, transport=wire, upload_threshold=10
        ) as client:
            with pytest.raises(OuroError):
                await client.upload_file(big)  # the fake has no /complete: the PUT counts
            await client.download_file("f1", tmp_path / "out.bin")
        storage = [r for r in seen if r.url.host == "storage.example"]
        api = [r for r in seen if r.url.host == "api.example"]
        assert {r.method for r in storage} == {"PUT", "GET"}
        for request in storage:
            sent = {k.lower() for k in request.headers}
            assert not sent & {"x-ouro-key-name", "x-ouro-client", "authorization"}, sent
        after_exchange = [r for r in api if r.url.path != "/users/get-token"]
        assert after_exchange
        assert all(r.headers.get("x-ouro-key-name") == "lab key" for r in after_exchange)
        assert all(r.headers.get("x-ouro-client", "").startswith("ouro-desktop/") for r in api)

    run(scenario())
