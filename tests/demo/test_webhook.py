"""The async-service webhook: POST /actions/{id}/response completes a running action."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults


async def _start_async_run(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    found = await client.post(
        "/elements/common/name-to-id",
        json={"name": "formula-properties", "assetType": "route", "entityName": "demo"},
        headers=headers,
    )
    route = (await client.get(f"/routes/{found.json()['data']['id']}", headers=headers)).json()
    route = route["data"]
    answer = await client.post(
        f"/services/{route['parent_id']}/routes/{route['id']}/use",
        json={"config": {"body": {"formula": "NaCl"}}},
        headers={**headers, "Prefer": "respond-async"},
    )
    assert answer.status_code == 202
    return answer.json()["action"]


def test_webhook_completes_and_then_refuses_late_answers(tmp_path: Any) -> None:
    # A long service latency keeps the in-process run busy, so only the webhook can finish it.
    app = create_app(tmp_path, faults=Faults(route_latency={"formula-properties": 30.0}))
    backend = app.state.backend

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as client:
            token = (await client.post("/users/get-token", json={"pat": backend.api_key})).json()
            headers = {"Authorization": token["access_token"]}
            action = await _start_async_run(client, headers)
            # formula-properties is sync, so no webhook token was issued for it.
            assert action["webhook_token"] is None
            # Make it look like an async-mode service run to exercise the webhook.
            stored = backend.store.action(action["id"])
            stored["webhook_token"] = "tok-123"
            backend.store.put_action(stored)
            url = f"/actions/{action['id']}/response"
            body = {"status": "completed", "response": {"molar_mass": 58.44}}
            wrong = await client.post(url, json=body, headers={"Authorization": "Bearer nope"})
            assert wrong.status_code == 401
            done = await client.post(url, json=body, headers={"X-Ouro-Webhook-Token": "tok-123"})
            assert done.status_code == 200, done.text
            assert done.json()["data"]["status"] == "success"
            assert done.json()["data"]["response"] == {"molar_mass": 58.44}
            late = await client.post(
                url, content=json.dumps({"status": "failed"}), headers={"Authorization": "tok-123"}
            )
            assert late.status_code == 409
            polled = (await client.get(f"/actions/{action['id']}", headers=headers)).json()
            assert polled["data"]["status"] == "success"
        await backend.aclose()

    asyncio.run(scenario())
