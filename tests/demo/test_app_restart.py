"""Demo backend in-process: state survives stopping and restarting on the same data dir."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults

from .helpers import (
    DOS_CURVE,
    DOS_FERMI,
    SUPERCELL,
    Demo,
    data_of,
    example,
    get_token,
    new_client,
)


async def first_run(app: Any) -> dict[str, Any]:
    backend = app.state.backend
    async with new_client(app) as client:
        demo = Demo(app, client)
        await demo.sign_in()
        cu = await demo.upload("Cu.cif")
        sync = await demo.use(SUPERCELL, inputs={"file": cu["id"]}, body={"na": 1, "nb": 1})
        assert sync.status_code == 200
        output = sync.json()["action"]["output_asset_id"]
        pending = await demo.use(DOS_FERMI, inputs={"file": cu["id"]}, prefer_async=True)
        assert pending.status_code == 202
        slow = await demo.use(DOS_CURVE, inputs={"file": cu["id"]}, body={"steps": 3})
        assert slow.status_code == 202
        pending_id = pending.json()["action"]["id"]
        slow_id = slow.json()["action"]["id"]
        await asyncio.sleep(0.1)
        assert (await demo.action(pending_id))["status"] == "in-progress"
        assert (await demo.action(slow_id))["status"] == "in-progress"
        state = {
            "api_key": backend.api_key,
            "token": demo.token,
            "routes": sorted(backend.seeded.routes),
            "services": sorted(s["id"] for s in data_of(await demo.get("/services"))),
            "file": cu["id"],
            "output": output,
            "sync": sync.json()["action"],
            "pending": pending_id,
            "slow": slow_id,
        }
    # Stop mid-run: the background tasks are cancelled, the actions stay open in the store.
    await backend.aclose()
    return state


def test_state_survives_a_restart_and_open_runs_resume(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo-data"
    slow = Faults(time_scale=0.01, route_latency={DOS_FERMI: 60.0, DOS_CURVE: 60.0})
    before = asyncio.run(first_run(create_app(data_dir, faults=slow)))

    app = create_app(data_dir, faults=Faults(time_scale=0.01))
    backend = app.state.backend
    assert backend.api_key == before["api_key"]
    assert sorted(backend.seeded.routes) == before["routes"]
    stored = backend.store.action(before["pending"])
    assert stored is not None and stored["status"] == "in-progress"

    async def second_run() -> None:
        async with new_client(app) as client:
            # The old token is still valid (same signing secret), and the same key signs in.
            demo = Demo(app, client, before["token"])
            assert (await demo.get("/user")).status_code == 200
            demo.token = await get_token(client, before["api_key"])
            assert (
                sorted(s["id"] for s in data_of(await demo.get("/services")))
                == (before["services"])
            )
            for route_id in before["routes"]:
                assert data_of(await demo.get(f"/routes/{route_id}"))["id"] == route_id

            # Files and their bytes.
            assert data_of(await demo.get(f"/files/{before['file']}"))["name"] == "Cu"
            url = data_of(await demo.get(f"/files/{before['file']}/data"))["url"]
            assert (await client.get(url)).content == example("Cu.cif")
            output_url = data_of(await demo.get(f"/files/{before['output']}/data"))["url"]
            assert b"_cell_length_a" in (await client.get(output_url)).content

            # The finished run is unchanged.
            assert await demo.action(before["sync"]["id"]) == before["sync"]

            # The open runs were resumed from their stored request and complete.
            pending = await demo.wait(before["pending"])
            assert pending["status"] == "success", pending["response"]
            assert pending["response"]["formula"] == "Cu"
            curve = await demo.wait(before["slow"])
            assert curve["status"] == "success", curve["response"]
            assert len(curve["response"]["curve"]) == 60
            messages = [
                r["message"]
                for r in data_of(
                    await demo.get(
                        f"/actions/{before['pending']}/logs", params={"sort_order": "asc"}
                    )
                )
            ]
            assert messages.count("Run started.") == 2
            assert messages[-1] == "Run finished: success."

            everything = (await demo.get("/actions")).json()
            assert everything["pagination"]["total"] == 3
            assert {a["status"] for a in everything["data"]} == {"success"}
        await backend.aclose()

    asyncio.run(second_run())


def test_a_resumed_run_that_stays_silent_is_swept(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo-data"
    slow = Faults(time_scale=0.01, route_latency={DOS_FERMI: 60.0, DOS_CURVE: 60.0})
    before = asyncio.run(first_run(create_app(data_dir, faults=slow)))

    # Still a silent service after the restart, and a short time-out this time.
    still_slow = Faults(
        time_scale=0.01, route_latency={DOS_FERMI: 60.0, DOS_CURVE: 60.0}, action_timeout_s=0.2
    )
    app = create_app(data_dir, faults=still_slow)

    async def second_run() -> None:
        async with new_client(app) as client:
            demo = Demo(app, client)
            await demo.sign_in()
            for action_id in (before["pending"], before["slow"]):
                action = await demo.wait(action_id, timeout=5)
                assert action["status"] == "timed-out"
                assert action["response"]["error"]["status"] == 504
            assert (await demo.action(before["sync"]["id"]))["status"] == "success"
        await app.state.backend.aclose()

    asyncio.run(second_run())
