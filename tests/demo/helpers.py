"""Shared helpers for the in-process demo backend tests (httpx over ``ASGITransport``).

pytest-asyncio is not used: each test defines an ``async def`` scenario taking a
:class:`Demo` session and hands it to :func:`drive`, which runs it with ``asyncio.run``,
signs in first and shuts the backend's background work down afterwards.
"""

from __future__ import annotations

import asyncio
import base64
import json
import mimetypes
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ouro_desktop.demo.seed import make_user

EXAMPLES = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples"
BASE_URL = "http://demo.test"
TERMINAL = {"success", "error", "timed-out"}

DOS_FERMI = "predict-electronic-dos-at-fermi-level"
DOS_CURVE = "free-electron-dos-curve"
SUPERCELL = "build-supercell"
REPORT = "structure-report"
FORMULA = "formula-properties"
RELAX = "post-materials-structure-relax"
EOS = "fit-equation-of-state"
REPORT_POST = "write-structure-report"
POST_FACTS = "read-post-facts"
GENERATE = "post-generate"
XRD = "simulate-powder-xrd-pattern"


def example(name: str = "Cu.cif") -> bytes:
    return (EXAMPLES / name).read_bytes()


def new_client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)


async def get_token(client: httpx.AsyncClient, api_key: str) -> str:
    response = await client.post("/users/get-token", json={"pat": api_key})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def jwt_payload(token: str, segment: int = 1) -> dict[str, Any]:
    """A JWT's payload (or, with ``segment=0``, its header), decoded without verifying."""
    parts = token.split(".")
    assert len(parts) == 3, token
    text = parts[segment] + "=" * (-len(parts[segment]) % 4)
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(text))
    return decoded


def expect_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert Ouro's error envelope: HTTP ``status``, ``error.status`` and ``error.code``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["data"] is None
    error = body["error"]
    assert isinstance(error, dict), body
    assert isinstance(error["message"], str) and error["message"]
    assert error["status"] == status
    if code is not None:
        assert error["code"] == code, error
    assert response.headers.get("x-request-id")
    return error


def data_of(response: httpx.Response, status: int = 200) -> Any:
    """Assert the success envelope ``{data, error: null}`` and return ``data``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] is None, body
    assert "data" in body
    return body["data"]


@dataclass
class Demo:
    """A signed-in session against one in-process demo app."""

    app: Any
    client: httpx.AsyncClient
    token: str = ""
    extra_headers: dict[str, str] = field(default_factory=dict)

    @property
    def backend(self) -> Any:
        return self.app.state.backend

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": self.token, **self.extra_headers}

    async def sign_in(self) -> None:
        self.token = await get_token(self.client, self.backend.api_key)

    async def other_user(self, username: str = "alice") -> Demo:
        """A second user (created in the store), signed in on the same app and client."""
        _, api_key = make_user(
            self.backend.store, username, f"{username}@ouro.local", username.title()
        )
        return Demo(self.app, self.client, await get_token(self.client, api_key))

    async def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return await self.client.request(method, path, headers=headers, **kw)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("POST", path, **kw)

    async def put(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("PUT", path, **kw)

    async def delete(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kw)

    # -- catalog ---------------------------------------------------------------------------
    def route(self, slug: str) -> dict[str, Any]:
        """The seeded route with this slug, read straight from the store."""
        for route_id in self.backend.seeded.routes:
            route = self.backend.store.asset(route_id)
            if route and route["name_url_slug"] == slug:
                return route  # type: ignore[no-any-return]
        raise KeyError(slug)

    def use_path(self, slug: str) -> str:
        route = self.route(slug)
        return f"/services/{route['parent_id']}/routes/{route['id']}/use"

    # -- files -----------------------------------------------------------------------------
    async def upload(
        self,
        file_name: str = "Cu.cif",
        data: bytes | None = None,
        *,
        name: str | None = None,
        visibility: str = "private",
        content_type: str | None = None,
    ) -> dict[str, Any]:
        """Base64 upload + metadata + create, as ouro-py's ``files.create`` does."""
        data = example(file_name) if data is None else data
        up = data_of(
            await self.post(
                "/files/upload",
                json={
                    "file_name": file_name,
                    "file_base64": base64.b64encode(data).decode(),
                    "visibility": visibility,
                    # As ouro-py: the guessed type, else octet-stream (e.g. for .cif).
                    "content_type": content_type
                    or mimetypes.guess_type(file_name)[0]
                    or "application/octet-stream",
                },
            )
        )
        meta = data_of(await self.get(f"/files/{up['id']}/metadata"))["metadata"]
        return await self.create_file(up, meta, name or file_name.rsplit(".", 1)[0], visibility)

    async def create_file(
        self, up: dict[str, Any], meta: dict[str, Any], name: str, visibility: str = "private"
    ) -> dict[str, Any]:
        file_meta = {
            "id": up["id"],
            "name": up["path"].rsplit("/", 1)[-1],
            "bucket": up["bucket"],
            "path": up["path"],
            "type": meta.get("type"),
            "mimeType": meta.get("mimeType"),
            "extension": meta.get("extension"),
            "size": meta.get("size"),
        }
        created = data_of(
            await self.post(
                "/files/create",
                json={
                    "file": {
                        "id": up["id"],
                        "name": name,
                        "visibility": visibility,
                        "description": "uploaded by a test",
                        "source": "api",
                        "asset_type": "file",
                        "attribution": {"originality": "original"},
                        "metadata": file_meta,
                        "preview": None,
                    }
                },
            )
        )
        return created  # type: ignore[no-any-return]

    # -- runs ------------------------------------------------------------------------------
    async def use(
        self,
        slug: str,
        *,
        body: dict[str, Any] | None = None,
        inputs: dict[str, str] | None = None,
        prefer_async: bool = False,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """``POST …/use`` with the body exactly as ouro-py 2.20.0 sends it."""
        config = {
            "body": body,
            "query": None,
            "parameters": None,
            "params": None,
            "output": None,
            "input_assets": {k: {"assetId": v} for k, v in inputs.items()} if inputs else None,
        }
        extra = dict(headers or {})
        if prefer_async:
            extra["Prefer"] = "respond-async"
        return await self.post(
            self.use_path(slug), json={"config": config, "currency": "usd"}, headers=extra
        )

    async def action(self, action_id: str) -> dict[str, Any]:
        return data_of(await self.get(f"/actions/{action_id}"))  # type: ignore[no-any-return]

    async def wait(self, action_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Poll ``GET /actions/{id}`` until the action is terminal."""
        deadline = time.monotonic() + timeout
        while True:
            action = await self.action(action_id)
            if action["status"] in TERMINAL:
                return action
            assert time.monotonic() < deadline, f"action still {action['status']}"
            await asyncio.sleep(0.02)


Scenario = Callable[[Demo], Awaitable[None]]


async def session(app: Any, scenario: Scenario, *, sign_in: bool = True) -> None:
    async with new_client(app) as client:
        demo = Demo(app, client)
        try:
            if sign_in:
                await demo.sign_in()
            await scenario(demo)
        finally:
            await app.state.backend.aclose()


def drive(app: Any, scenario: Scenario, *, sign_in: bool = True) -> None:
    """Run ``scenario`` against ``app`` in a fresh event loop, signed in as the demo user."""
    asyncio.run(session(app, scenario, sign_in=sign_in))
