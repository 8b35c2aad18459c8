"""Comparing two runs: inputs row by row with differences marked, responses as a diff."""

from __future__ import annotations

import asyncio
import math
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from ouro_desktop.api.client import OuroClient
from ouro_desktop.api.models import Action
from ouro_desktop.core.history_diff import (
    MISSING,
    Row,
    compare_inputs,
    display_value,
    flatten,
    response_diff,
    run_inputs,
)
from ouro_desktop.core.ledger import RunRecord, RunState
from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults


async def _formula_runs(data_dir: Path, bodies: list[dict[str, Any]]) -> list[Action]:
    app = create_app(data_dir, faults=Faults(time_scale=0.01))
    transport = httpx.ASGITransport(app=app)
    async with OuroClient(
        "http://demo.test", api_key=app.state.backend.api_key, transport=transport
    ) as client:
        await client.sign_in()
        route = await client.get_route("demo/formula-properties")
        actions = []
        for body in bodies:
            result = await client.execute(route, body=body, idempotency_key=str(uuid.uuid4()))
            action = result.action
            while not action.is_terminal:
                await asyncio.sleep(0.02)
                action = await client.get_action(action.id)
            actions.append(action)
        return actions


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> list[Action]:
    bodies = [
        {"formula": "H2O", "decimals": 3, "conditions": {"temperature_K": 300}},
        {"formula": "NH3", "decimals": 3, "conditions": {"temperature_K": 350}},
    ]
    return asyncio.run(_formula_runs(tmp_path_factory.mktemp("demo"), bodies))


def test_two_formula_runs_differ_in_formula_not_in_decimals(two_runs: list[Action]) -> None:
    first, second = two_runs
    assert first.status == second.status == "success"
    rows = {
        row.key: row for row in compare_inputs(run_inputs(first, None), run_inputs(second, None))
    }
    assert rows["body.formula"] == Row("body.formula", "H2O", "NH3", True)
    assert rows["body.decimals"].differs is False
    assert rows["body.conditions.temperature_K"].differs is True
    diff = response_diff(first.response, second.response, labels=("run 1", "run 2"))
    assert diff[0] == "--- run 1" and diff[1] == "+++ run 2"
    removed = [line for line in diff[2:] if line.startswith("-")]
    added = [line for line in diff[2:] if line.startswith("+")]
    assert removed and added
    assert any('"H2O"' in line for line in removed)
    assert any('"NH3"' in line for line in added)
    assert response_diff(first.response, first.response) == []


def test_flatten_and_missing_keys() -> None:
    a = {"body": {"x": 1, "opts": {"m": "fast", "empty": {}}, "list": [1, 2]}}
    b = {"body": {"x": 1.0, "opts": {"m": "slow"}, "list": [1, 2], "new": True}}
    assert flatten(a) == {
        "body.x": 1,
        "body.opts.m": "fast",
        "body.opts.empty": {},
        "body.list": [1, 2],
    }
    rows = compare_inputs(a, b)
    assert [r.key for r in rows] == [
        "body.x",
        "body.opts.m",
        "body.opts.empty",
        "body.list",
        "body.new",
    ]
    by_key = {r.key: r for r in rows}
    assert by_key["body.x"].differs is False  # 1 and 1.0 are the same number
    assert by_key["body.opts.m"].differs is True
    assert by_key["body.opts.empty"].b is MISSING and by_key["body.opts.empty"].differs
    assert by_key["body.new"].a is MISSING and by_key["body.new"].differs
    assert by_key["body.list"].differs is False
    assert display_value(MISSING) == "—" and display_value([1, "a"]) == '[1, "a"]'


def test_bool_is_not_a_number_and_nan_matches_nan() -> None:
    rows = compare_inputs({"a": True, "n": math.nan}, {"a": 1, "n": math.nan})
    assert [r.differs for r in rows] == [True, False]


def test_run_inputs_merges_the_ledger_record_and_file_names(two_runs: list[Action]) -> None:
    record = RunRecord(
        local_id="l1",
        idempotency_key="k",
        route_id="r",
        service_id="s",
        route_name="demo/build-supercell",
        base_url="http://demo.test",
        account="demo",
        body={"na": 2},
        query={"q": "1"},
        path_params={},
        input_assets={"file": "asset-1"},
        input_files={"file": {"name": "NaCl.cif", "asset_id": "asset-1"}},
        state=RunState.QUEUED,
        started_at=1.0,
        updated_at=1.0,
    )
    assert run_inputs(None, record) == {
        "body": {"na": 2},
        "query": {"q": "1"},
        "files": {"file": {"name": "NaCl.cif", "asset_id": "asset-1"}},
    }
    server = Action.from_json(
        {
            "id": "a",
            "route_id": "r",
            "status": "success",
            "metadata": {"body": {"na": 3}, "input_assets": {"file": {"assetId": "asset-9"}}},
            "input_assets": [
                {
                    "name": "file",
                    "asset_id": "asset-9",
                    "asset": {"id": "asset-9", "name": "Si.cif"},
                }
            ],
        }
    )
    # What the server recorded wins; names come from its input asset rows.
    assert run_inputs(server, None) == {
        "body": {"na": 3},
        "files": {"file": {"asset_id": "asset-9", "name": "Si.cif"}},
    }
    assert run_inputs(None, None) == {}
