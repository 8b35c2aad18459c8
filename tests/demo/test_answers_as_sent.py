"""A service that answers with JSON text: the demo checks it, stores it and serves it as
sent (the same bytes), on async and sync routes, in lists, and after a restart; broken
text is a failed run; a route that makes output files still makes them."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults
from ouro_desktop.demo.services import demo_services
from tests.answer_text_routes import answer_text_services

from .helpers import Demo, data_of, drive

# Spacing, escapes, non-ASCII text and a big integer: kept exactly as the service wrote them.
TEXT = (
    '{ "curve" : [1, 2.5e-3, {"e":"\\u00e9 é \\"q\\""}],\n'
    '  "note": "a, b}, {c", "big": 12345678901234567890, "empty": {} }'
)


def _app(data_dir: Path) -> Any:
    services = demo_services() + answer_text_services()
    return create_app(data_dir, faults=Faults(time_scale=0.01), services=services)


def test_an_answer_given_as_text_is_served_as_sent(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    async def scenario(demo: Demo) -> None:
        started = data_of(await demo.use("answer-text-async", body={"json": TEXT}), 202)
        assert started is None
        action_id = (await demo.get("/actions?limit=1")).json()["data"][0]["id"]
        done = await demo.wait(action_id)
        assert done["status"] == "success"
        assert done["response"] == json.loads(TEXT)
        raw = (await demo.get(f"/actions/{action_id}")).content
        assert TEXT.encode() in raw  # the very bytes the service sent
        listed = data_of(await demo.get("/actions?include_response=true"))
        assert listed[0]["response"] == json.loads(TEXT)
        brief = data_of(await demo.get("/actions?include_response=false"))
        assert "response" not in brief[0] and brief[0]["status"] == "success"
        seen.update(action_id=action_id, raw=raw)

    drive(_app(tmp_path / "data"), scenario)

    async def after_restart(demo: Demo) -> None:
        assert (await demo.get(f"/actions/{seen['action_id']}")).content == seen["raw"]

    drive(_app(tmp_path / "data"), after_restart)


def test_a_sync_route_answering_text_has_it_in_the_envelope(tmp_path: Path) -> None:
    async def scenario(demo: Demo) -> None:
        response = await demo.use("answer-text-sync", body={"json": TEXT})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["data"]["responseData"] == json.loads(TEXT)
        assert body["action"]["response"] == json.loads(TEXT)
        stored = await demo.action(body["action"]["id"])
        assert stored["response"] == json.loads(TEXT)

    drive(_app(tmp_path / "data"), scenario)


def test_output_files_are_made_from_an_answer_given_as_text(tmp_path: Path) -> None:
    payload = {
        "name": "notes",
        "extension": "txt",
        "type": "text/plain",
        "base64": base64.b64encode(b"hello").decode(),
    }
    text = json.dumps({"file": payload, "lines": 1})

    async def scenario(demo: Demo) -> None:
        body = data_of(await demo.use("answer-text-file", body={"json": text}))
        answer = body["responseData"]
        assert answer["lines"] == 1
        file_id = answer["file"]["id"]
        assert demo.backend.store.asset(file_id)["asset_type"] == "file"
        listed = data_of(await demo.get("/actions?limit=1"))
        stored = await demo.action(listed[0]["id"])
        assert "base64" not in stored["response"]["file"]
        assert stored["output_assets"][0]["asset_id"] == file_id

    drive(_app(tmp_path / "data"), scenario)


@pytest.mark.parametrize(
    "text", ["[1, 2]", '{"a": NaN}', '{"a": 1', '{"a": 1} {"b": 2}', "", '{"a": "\x01"}']
)
def test_text_that_is_not_one_json_object_fails_the_run(tmp_path: Path, text: str) -> None:
    async def scenario(demo: Demo) -> None:
        data_of(await demo.use("answer-text-async", body={"json": text}), 202)
        action_id = (await demo.get("/actions?limit=1")).json()["data"][0]["id"]
        done = await demo.wait(action_id)
        assert done["status"] == "error"
        assert done["response"]["error"]["message"] == (
            "The service answered with something that is not JSON."
        )
        assert done["response"]["error"]["status"] == 502

    drive(_app(tmp_path / "data"), scenario)
