"""ouro-py 2.20.0 reads answers the demo keeps as their services sent them (JSON text,
never turned into Python values in the demo): a big curve, odd spacing and escapes, on
async and sync routes, alone and in the route's list of actions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ouro_desktop.demo.app import backend_of, create_app
from ouro_desktop.demo.faults import Faults
from ouro_desktop.demo.services import demo_services
from tests.answer_text_routes import answer_text_services
from tests.conftest import serve_on_loopback
from tests.heavy_routes import answer_json, heavy_services

from .conftest import make_client

pytestmark = pytest.mark.timeout(120)

TEXT = (
    '{ "e" : [1, 2.5e-3, "\\u00e9 é \\"q\\""],\n "note": "a, b}, {c", "big": 12345678901234567890 }'
)


@pytest.fixture
def sdk(tmp_path: Path, sdk_cwd: Path) -> Iterator[Any]:
    services = demo_services() + heavy_services(forms=False) + answer_text_services()
    app = create_app(tmp_path / "data", faults=Faults(time_scale=0.01), services=services)
    with serve_on_loopback(app) as url:
        client = make_client(url, backend_of(app).api_key)
        yield client
        client._raw_client.close()


def test_a_big_answer_reaches_the_sdk_as_the_service_sent_it(sdk: Any) -> None:
    action = sdk.routes.execute(
        "demo/large-answer", body={"megabytes": 2, "variant": 1}, poll_interval=0.2
    )
    assert action.status == "success"
    sent = json.loads(answer_json(2, 1))
    assert action.response == sent
    assert len(action.response["curve"]) == sent["points"] > 40_000
    again = sdk.routes.retrieve_action(str(action.id))
    assert again.response == sent


def test_text_answers_keep_their_values_on_async_and_sync_routes(sdk: Any) -> None:
    done = sdk.routes.execute("demo/answer-text-async", body={"json": TEXT}, poll_interval=0.2)
    assert done.status == "success" and done.response == json.loads(TEXT)
    sync = sdk.routes.execute("demo/answer-text-sync", body={"json": TEXT})
    assert sync.status == "success" and sync.response == json.loads(TEXT)
    listed = sdk.routes.list_actions(str(sync.route_id))
    assert [a.response for a in listed] == [json.loads(TEXT)]
