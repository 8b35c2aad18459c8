"""One run with a huge answer never hides the others from the runs list."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx

from ouro_desktop.api.client import OuroClient
from ouro_desktop.api.models import Action, Route
from ouro_desktop.core.history_pages import HistoryPager
from ouro_desktop.core.ledger import RunLedger
from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults
from ouro_desktop.demo.services import demo_services
from tests.heavy_routes import heavy_services

CAP = 400_000  # the client's answer cap for these tests (the app's is 50 MB)


class IgnoresIncludeResponse(httpx.AsyncBaseTransport):
    """A server that sends every answer in its lists, whatever it is asked."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.pages: list[tuple[int, int]] = []  # (offset, limit) of each list asked for

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/actions":
            params = request.url.params
            self.pages.append((int(params.get("offset", 0)), int(params.get("limit", 20))))
            request.url = request.url.copy_remove_param("include_response")
        return await self.inner.handle_async_request(request)


async def _runs(client: OuroClient, backend: Any) -> tuple[Route, list[Action]]:
    route = await client.get_route("demo/large-answer")
    sizes = [0.01, 0.01, 1.0, 0.01, 0.01]  # one answer of 1 MB, far over the cap
    done = []
    for megabytes in sizes:
        started = await client.execute(
            route, body={"megabytes": megabytes}, idempotency_key=str(uuid.uuid4())
        )
        for _ in range(2000):
            if backend.store.action(started.action.id)["status"] == "success":
                break
            await asyncio.sleep(0.01)
        done.append(started.action)
    return route, done


def _setup(tmp_path: Path) -> tuple[Any, Any]:
    app = create_app(
        tmp_path / "demo",
        faults=Faults(time_scale=0.01),
        services=demo_services() + heavy_services(),
    )
    return app, app.state.backend


def test_the_list_leaves_answers_out_and_lists_every_run(tmp_path: Path) -> None:
    app, backend = _setup(tmp_path)
    ledger = RunLedger(tmp_path / "runs.sqlite3")

    async def main() -> None:
        transport = httpx.ASGITransport(app=app)
        async with OuroClient(
            "http://demo.test", backend.api_key, transport=transport, max_response_bytes=CAP
        ) as client:
            await client.sign_in()
            route, runs = await _runs(client, backend)
            pager = HistoryPager(ledger, page_size=3)
            keys: list[str] = []
            for reset in (True, False):
                page = await pager.load(
                    client, base_url="http://demo.test", route=None, reset=reset, expected={}
                )
                assert page.error is None and page.note is None
                keys += [e.key for e in page.entries]
                assert all("response" not in a.raw for a in page.actions)
            assert sorted(keys) == sorted(a.id for a in runs)
            route_page = await pager.load(
                client, base_url="http://demo.test", route=route, reset=True, expected={}
            )
            assert len(route_page.entries) == 3 and route_page.error is None
        await backend.aclose()

    asyncio.run(main())
    ledger.close()


def test_a_server_sending_answers_anyway_still_lists_every_other_run(tmp_path: Path) -> None:
    app, backend = _setup(tmp_path)
    ledger = RunLedger(tmp_path / "runs.sqlite3")

    async def main() -> None:
        transport = IgnoresIncludeResponse(httpx.ASGITransport(app=app))
        async with OuroClient(
            "http://demo.test", backend.api_key, transport=transport, max_response_bytes=CAP
        ) as client:
            await client.sign_in()
            _route, runs = await _runs(client, backend)
            pager = HistoryPager(ledger, page_size=8)
            page = await pager.load(
                client, base_url="http://demo.test", route=None, reset=True, expected={}
            )
            huge = runs[2].id
            listed = {e.key for e in page.entries}
            assert listed == {a.id for a in runs} - {huge}  # every other run is listed
            assert page.error is None
            assert page.note is not None and "1 run could not be listed" in page.note
            assert "too large" in page.note
            # The page was asked for again in halves, down to the one run alone.
            assert (0, 8) in transport.pages and (2, 1) in transport.pages
            more = await pager.load(
                client, base_url="http://demo.test", route=None, reset=False, expected={}
            )
            assert not {e.key for e in more.entries} & listed  # the next page goes on after it
        await backend.aclose()

    asyncio.run(main())
    ledger.close()
