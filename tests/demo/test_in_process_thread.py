"""The in-app demo backend serves on its own thread and loop: a route that holds the
demo's loop never holds the caller's (the window's) loop."""

from __future__ import annotations

import asyncio
import threading
import uuid
from pathlib import Path
from typing import Any

from ouro_desktop.api.client import OuroClient
from ouro_desktop.demo.faults import Faults
from ouro_desktop.demo.in_process import InProcessDemo
from ouro_desktop.demo.services import DemoService, ServiceCall, demo_services, merge_documents
from ouro_desktop.demo.services.spec import document, post_operation


def _blocking_service(seen: dict[str, Any], released: threading.Event) -> DemoService:
    """``demo/blocks``: its handler blocks its loop until ``released`` is set."""
    operation = post_operation(
        summary="Blocks",
        description="Holds its loop until released.",
        operation_id="blocks",
        request_model="BlockRequest",
        extensions={"x-ouro-execution-mode": "sync"},
    )
    schema = {"type": "object", "title": "BlockRequest", "properties": {}}
    doc = document(
        title="Blocks",
        description="Blocks",
        path="/block",
        operation=operation,
        schemas={"BlockRequest": schema},
    )

    async def handler(call: ServiceCall) -> dict[str, Any]:
        seen["thread"] = threading.current_thread()
        seen["released"] = released.wait(10)  # a blocking wait: nothing else runs on this loop
        return {"ok": True}

    return DemoService(
        key="demo-blocks",
        name="Blocks",
        description="A route that holds its loop.",
        base_url="demo://blocks",
        openapi=merge_documents("Blocks", "Blocks", [doc]),
        handlers={("POST", "/block"): handler},
        route_names={("POST", "/block"): "blocks"},
    )


def test_a_route_holding_the_demo_loop_leaves_the_callers_loop_free(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}
    released = threading.Event()
    demo = InProcessDemo(
        tmp_path / "demo",
        services=[*demo_services(), _blocking_service(seen, released)],
        faults=Faults(time_scale=0.01),  # no simulated queueing before the route runs
    )

    async def main() -> None:
        transport, key = await demo.connect()
        try:
            async with OuroClient("http://demo.test", key, transport=transport) as client:
                await client.sign_in()
                route = await client.get_route("demo/blocks")
                run = asyncio.create_task(
                    client.execute(route, body={}, idempotency_key=str(uuid.uuid4()))
                )
                # The run goes on in the demo, where its handler holds the demo's loop;
                # this loop still runs, sees it and releases it (were the demo on this
                # loop, it could never get here).
                for _ in range(1000):
                    if "thread" in seen:
                        break
                    await asyncio.sleep(0.01)
                released.set()
                await run
                for _ in range(1000):
                    if "released" in seen:
                        break
                    await asyncio.sleep(0.01)
        finally:
            await demo.aclose()

    asyncio.run(main())
    assert seen["released"], "the caller's loop was held while the demo's route ran"
    assert seen["thread"] is not threading.main_thread()
    assert seen["thread"].name == "ouro-demo-backend"


def test_an_answer_read_through_the_transport_is_held_by_its_reader_alone(
    tmp_path: Path,
) -> None:
    """The transport keeps no copy of an answer once it is read (a big one would then be
    in memory twice while the client decodes it)."""
    import sys

    import httpx

    demo = InProcessDemo(tmp_path / "demo", faults=Faults(time_scale=0.01))

    async def scenario() -> None:
        transport, api_key = await demo.connect()
        try:
            request = httpx.Request(
                "POST", "http://demo.localhost/users/get-token", json={"pat": api_key}
            )
            response = await transport.handle_async_request(request)
            chunks = [chunk async for chunk in response.stream]
            assert len(chunks) == 1 and b"access_token" in chunks[0]
            body = chunks.pop()
            assert sys.getrefcount(body) == 2  # `body`, and getrefcount's argument
            assert [chunk async for chunk in response.stream] == []  # read once
        finally:
            await demo.aclose()

    asyncio.run(scenario())
