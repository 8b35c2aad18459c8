"""Demo backend in-process: POST …/use, actions, logs, the sweeper (§5, §7, §12.3–12.4)."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx

from ouro_desktop.demo.faults import Faults
from ouro_desktop.demo.store import iso

from .helpers import (
    DOS_CURVE,
    DOS_FERMI,
    FORMULA,
    GENERATE,
    RELAX,
    REPORT,
    SUPERCELL,
    Demo,
    data_of,
    drive,
    expect_error,
)

DOS_FIELDS = {
    "formula",
    "n_atoms_cell",
    "volume_A3",
    "valence_electrons_cell",
    "electron_density_per_A3",
    "fermi_energy_eV",
    "dos_at_fermi_level_per_eV_per_atom",
    "dos_at_fermi_level_per_eV_per_cell",
    "method",
}


async def actions_total(demo: Demo) -> int:
    body = (await demo.get("/actions")).json()
    return int(body["pagination"]["total"])


def test_sync_run_envelope(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        cu = await demo.upload("Cu.cif")
        response = await demo.use(DOS_FERMI, inputs={"file": cu["id"]})
        assert response.status_code == 200, response.text
        assert response.headers["x-request-id"]
        body = response.json()
        assert set(body) == {"data", "action", "metadata", "error"}
        assert body["error"] is None
        result = body["data"]["responseData"]
        assert set(result) == DOS_FIELDS
        assert result["formula"] == "Cu" and result["n_atoms_cell"] == 4
        assert abs(result["fermi_energy_eV"] - 7.0) / 7.0 < 0.02
        assert result["dos_at_fermi_level_per_eV_per_atom"] == 1.5 / result["fermi_energy_eV"]

        action = body["action"]
        route = demo.route(DOS_FERMI)
        assert action["status"] == "success"
        assert action["response"] == result  # never null next to responseData
        assert action["route_id"] == route["id"]
        assert action["user_id"] == demo.backend.seeded.user["id"]
        assert action["user"]["user_id"] == action["user_id"]
        assert action["metadata"]["input_assets"] == {"file": {"assetId": cu["id"]}}
        assert action["input_asset_id"] == cu["id"]
        [row] = action["input_assets"]
        assert row["name"] == "file" and row["is_primary"] is True
        assert row["asset_id"] == cu["id"] and row["asset"]["id"] == cu["id"]
        assert action["output_assets"] == [] and action["output_asset"] is None
        assert action["created_at"] <= action["started_at"] <= action["finished_at"]
        assert action["upstream_status_code"] == 200 and action["ack_at"]
        assert body["metadata"] == {"outputAssets": []}

        # The stored action reads back the same.
        assert await demo.action(action["id"]) == action

    drive(demo_app, scenario)


def test_sync_run_with_an_output_file(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        cu = await demo.upload("Cu.cif")
        response = await demo.use(
            SUPERCELL, inputs={"file": cu["id"]}, body={"na": 1, "nb": 1, "nc": 2}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        result = body["data"]["responseData"]
        asset = result["file"]
        assert asset["asset_type"] == "file" and asset["id"]
        assert asset["metadata"]["extension"] == "cif"
        assert asset["user_id"] == demo.backend.seeded.user["id"]
        assert result["n_atoms"] == 8 and result["supercell"] == [1, 1, 2]

        action = body["action"]
        stored = action["response"]["file"]
        assert "base64" not in stored and stored["id"] == asset["id"]
        assert stored["extension"] == "cif"
        assert action["output_asset_id"] == asset["id"]
        assert action["output_asset"]["id"] == asset["id"]
        assert action["side_effects"] is True

        meta = body["metadata"]
        [out] = meta["outputAssets"]
        assert out["name"] == "file" and out["is_primary"] is True
        assert out["asset_id"] == asset["id"] and out["asset_type"] == "file"
        assert out["asset"]["id"] == asset["id"]
        assert meta["sideEffect"]["object"] == "file"
        assert meta["sideEffect"]["file"]["id"] == asset["id"]

        # The output is an ordinary file: readable and downloadable.
        assert data_of(await demo.get(f"/files/{asset['id']}"))["id"] == asset["id"]
        url = data_of(await demo.get(f"/files/{asset['id']}/data"))["url"]
        cif = await demo.client.get(url)
        assert cif.status_code == 200
        assert "7.23" in cif.text and "_cell_length_c" in cif.text

    drive(demo_app, scenario)


def test_prefer_respond_async_on_a_sync_route(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        cu = await demo.upload("Cu.cif")
        response = await demo.use(DOS_FERMI, inputs={"file": cu["id"]}, prefer_async=True)
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["data"] is None and body["error"] is None
        assert body["metadata"] == {"requiresPolling": True}
        action = body["action"]
        assert action["status"] == "queued"
        assert action["response"] is None and action["id"]
        assert action["metadata"]["body"] == {}
        done = await demo.wait(action["id"])
        assert done["status"] == "success"
        assert set(done["response"]) == DOS_FIELDS
        assert done["finished_at"]

    drive(demo_app, scenario)


def test_async_route_and_logs(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        cu = await demo.upload("Cu.cif")
        # An async-mode route answers 202 even without Prefer.
        response = await demo.use(DOS_CURVE, inputs={"file": cu["id"]}, body={"steps": 4})
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["metadata"]["requiresPolling"] is True
        action_id = body["action"]["id"]
        done = await demo.wait(action_id)
        assert done["status"] == "success", done["response"]
        assert done["upstream_status_code"] == 202 and done["ack_at"]
        assert len(done["response"]["curve"]) == 60
        assert done["response"]["formula"] == "Cu"

        logs = (await demo.get(f"/actions/{action_id}/logs")).json()
        assert logs["error"] is None
        messages = [row["message"] for row in logs["data"]]
        assert logs["pagination"] == {"offset": 0, "limit": 100, "hasMore": False, "total": 6}
        assert messages[0] == "Run finished: success."  # newest first by default
        assert messages[-1] == "Run started."
        assert sum(m.startswith("Step ") for m in messages) == 4
        row = logs["data"][0]
        for key in ("id", "action_id", "user_id", "asset_id", "level", "created_at", "user"):
            assert row[key] is not None, key
        assert row["action_id"] == action_id and row["asset_id"] == demo.route(DOS_CURVE)["id"]
        assert row["user"]["user_id"] == demo.backend.seeded.user["id"]

        asc = (await demo.get(f"/actions/{action_id}/logs", params={"sort_order": "asc"})).json()
        assert [r["message"] for r in asc["data"]] == messages[::-1]

        paged: list[str] = []
        offset = 0
        while True:
            page = (
                await demo.get(
                    f"/actions/{action_id}/logs",
                    params={"sort_order": "asc", "limit": 4, "offset": offset},
                )
            ).json()
            assert page["pagination"]["hasMore"] is (offset + 4 < 6)
            paged.extend(r["id"] for r in page["data"])
            if not page["pagination"]["hasMore"]:
                break
            offset += len(page["data"])
        assert paged == [r["id"] for r in asc["data"]]

        posted = await demo.post(
            f"/actions/{action_id}/log",
            json={"message": "checked by hand", "level": "warning", "asset_id": done["route_id"]},
            headers={"X-Ouro-Client": "tests", "User-Agent": "ouro-py/2.20.0"},
        )
        row = data_of(posted)
        assert row["message"] == "checked by hand" and row["level"] == "warning"
        assert row["client"] == "tests" and row["sdk"] == "ouro-py/2.20.0"
        assert row["api_key_name"] == "demo demo key" and row["origin"] == "api"
        newest = (await demo.get(f"/actions/{action_id}/logs", params={"limit": 1})).json()
        assert newest["data"][0]["id"] == row["id"]
        assert newest["pagination"]["hasMore"] is True and newest["pagination"]["total"] == 7
        warnings = (await demo.get(f"/actions/{action_id}/logs", params={"level": "warn"})).json()
        assert [r["id"] for r in warnings["data"]] == [row["id"]]
        # A page is the stored lines spliced as they are: any text comes back unchanged.
        odd = 'Énergie "ε" = 3 eV\n\tnext line, 中文, \\ and </script>'
        await demo.post(f"/actions/{action_id}/log", json={"message": odd})
        newest = (await demo.get(f"/actions/{action_id}/logs", params={"limit": 1})).json()
        assert newest["data"][0]["message"] == odd and newest["pagination"]["total"] == 8

        expect_error(await demo.post(f"/actions/{action_id}/log", json={"message": ""}), 400)
        missing = f"/actions/{uuid.uuid4()}"
        expect_error(await demo.post(missing + "/log", json={"message": "x"}), 404)
        expect_error(await demo.get(missing + "/logs"), 404, "action_not_found")
        expect_error(await demo.get(missing), 404, "action_not_found")

    drive(demo_app, scenario)


def test_the_body_the_service_sees_is_validated(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        good = await demo.use(FORMULA, body={"formula": "H2O"})
        assert good.status_code == 200
        assert abs(good.json()["data"]["responseData"]["molar_mass_g_per_mol"] - 18.015) < 0.01

        for body, loc in (
            ({"formula": "H2O", "decimals": 99}, ["body", "decimals"]),
            ({"decimals": 2}, ["body", "formula"]),
            (
                {"formula": "H2O", "conditions": {"temperature_K": -5}},
                ["body", "conditions", "temperature_K"],
            ),
            ({"formula": "H2O", "mass_unit": "lb/mol"}, ["body", "mass_unit"]),
        ):
            response = await demo.use(FORMULA, body=body)
            assert response.status_code == 422, response.text
            payload = response.json()
            assert payload["data"] is None and payload["metadata"] is None
            assert payload["error"]["status"] == 422
            action = payload["action"]
            assert action["status"] == "error"
            assert action["response"]["statusCode"] == 422
            error = action["response"]["error"]
            assert error["type"] == "external_service_error" and error["retryable"] is False
            assert loc in [item["loc"] for item in error["detail"]], error["detail"]
            assert loc[-1] in error["message"]
            assert (await demo.action(action["id"]))["status"] == "error"

    drive(demo_app, scenario)


def test_a_real_spec_route_fails_plainly_offline(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        cu = await demo.upload("Cu.cif")
        for slug, kwargs in (
            (RELAX, {"inputs": {"file": cu["id"]}}),
            (GENERATE, {"body": {}}),
        ):
            response = await demo.use(slug, **kwargs)
            assert response.status_code == 501, response.text
            action = response.json()["action"]
            assert action["status"] == "error"
            assert action["response"]["statusCode"] == 501
            message = action["response"]["error"]["message"]
            assert "not available in the offline demo" in message
            assert action["response"]["error"]["type"] == "external_service_error"

    drive(demo_app, scenario)


def test_inputs_are_checked_before_any_action_exists(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        cu = await demo.upload("Cu.cif")
        xyz = await demo.upload("Cu.xyz", b"1\nCu\nCu 0 0 0\n")
        error = expect_error(
            await demo.use(DOS_FERMI, inputs={"file": xyz["id"]}), 422, "input_extension_mismatch"
        )
        assert ".cif" in error["message"] and ".xyz" in error["message"]
        expect_error(
            await demo.use(DOS_FERMI, inputs={"structure": cu["id"]}), 400, "unknown_input"
        )
        expect_error(await demo.use(DOS_FERMI), 422, "missing_input")
        expect_error(
            await demo.use(DOS_FERMI, inputs={"file": str(uuid.uuid4())}), 404, "asset_not_found"
        )
        # A route is not a file.
        expect_error(
            await demo.use(DOS_FERMI, inputs={"file": demo.route(FORMULA)["id"]}),
            422,
            "input_type_mismatch",
        )
        # Another user's private file is invisible.
        hidden = await (await demo.other_user("alice")).upload("Al.cif")
        expect_error(await demo.use(DOS_FERMI, inputs={"file": hidden["id"]}), 404)
        # The route must belong to the service in the path.
        dos, formula = demo.route(DOS_FERMI), demo.route(FORMULA)
        wrong = f"/services/{formula['parent_id']}/routes/{dos['id']}/use"
        expect_error(await demo.post(wrong, json={"config": {}}), 404, "asset_not_found")
        expect_error(
            await demo.post(f"/services/{dos['parent_id']}/routes/{uuid.uuid4()}/use", json={}),
            404,
        )
        # A currency the route is not sold in is refused.
        report = demo.route(REPORT)
        expect_error(
            await demo.post(
                f"/services/{report['parent_id']}/routes/{report['id']}/use",
                json={"config": {"input_assets": {"file": cu["id"]}}, "currency": "btc"},
            ),
            400,
            "currency_not_offered",
        )
        expect_error(await demo.post(demo.use_path(FORMULA), json={"config": []}), 400)
        expect_error(await demo.post(demo.use_path(FORMULA), json={"config": {"body": 3}}), 400)
        assert await actions_total(demo) == 0

        # Legacy config.input_asset, extra config keys and unknown top-level keys are accepted.
        legacy = await demo.post(
            demo.use_path(DOS_FERMI),
            json={
                "config": {"input_asset": {"assetId": cu["id"], "assetType": "file"}, "x": 1},
                "async": False,
            },
        )
        assert legacy.status_code == 200, legacy.text
        assert legacy.json()["action"]["input_asset_id"] == cu["id"]
        # A bare id works too, and the monetized route runs in its own currency.
        paid = await demo.post(
            f"/services/{report['parent_id']}/routes/{report['id']}/use",
            json={"config": {"input_assets": {"file": cu["id"]}}, "currency": "usd"},
        )
        assert paid.status_code == 200, paid.text
        assert await actions_total(demo) == 2

    drive(demo_app, scenario)


def test_sweeper_times_out_a_silent_async_run(demo_app: Any, faults: Faults) -> None:
    faults.action_timeout_s = 0.2
    faults.route_latency[DOS_FERMI] = 30.0

    async def scenario(demo: Demo) -> None:
        cu = await demo.upload("Cu.cif")
        response = await demo.use(DOS_FERMI, inputs={"file": cu["id"]}, prefer_async=True)
        assert response.status_code == 202
        started = time.monotonic()
        action = await demo.wait(response.json()["action"]["id"], timeout=5)
        assert time.monotonic() - started < 3
        assert action["status"] == "timed-out"
        assert action["finished_at"]
        assert action["response"]["error"]["status"] == 504
        assert "Timed out" in action["response"]["error"]["message"]
        logs = (await demo.get(f"/actions/{action['id']}/logs")).json()["data"]
        assert "timed out" in logs[0]["message"]
        # The route's stats no longer list it as running.
        stats = data_of(await demo.get(f"/routes/{action['route_id']}/stats"))
        assert stats["inProgress"] == []

    drive(demo_app, scenario)


def test_a_late_result_does_not_overwrite_timed_out(demo_app: Any, faults: Faults) -> None:
    faults.action_timeout_s = 0.1
    faults.route_latency[DOS_FERMI] = 0.6

    async def scenario(demo: Demo) -> None:
        cu = await demo.upload("Cu.cif")
        # A blocking sync call: the sweeper gives up while the service is still working; the
        # service's answer then arrives and must be refused.
        response = await demo.use(DOS_FERMI, inputs={"file": cu["id"]})
        assert response.status_code == 504, response.text
        action = response.json()["action"]
        assert action["status"] == "timed-out"
        await asyncio.sleep(0.05)
        stored = await demo.action(action["id"])
        assert stored["status"] == "timed-out"
        assert "fermi_energy_eV" not in (stored["response"] or {})
        messages = [
            r["message"] for r in (await demo.get(f"/actions/{action['id']}/logs")).json()["data"]
        ]
        assert "Run finished: success." not in messages

        # The same through the executor directly: a late success for a timed-out run is ignored.
        route = demo.backend.store.asset(action["route_id"])
        late = await demo.backend.executor._finish_success(
            dict(stored), route, {"fermi_energy_eV": 1.0}
        )
        assert late["status"] == "timed-out"
        assert (await demo.action(action["id"]))["status"] == "timed-out"

    drive(demo_app, scenario)


def test_my_actions_with_status_and_since(demo_app: Any, faults: Faults) -> None:
    faults.route_latency[DOS_FERMI] = 30.0

    async def scenario(demo: Demo) -> None:
        ok = await demo.use(FORMULA, body={"formula": "NaCl"})
        assert ok.status_code == 200
        await asyncio.sleep(0.01)
        cutoff = demo.backend.store.now_iso()
        await asyncio.sleep(0.01)
        bad = await demo.use(FORMULA, body={"formula": "NaCl", "decimals": -1})
        assert bad.status_code == 422
        cu = await demo.upload("Cu.cif")
        running = await demo.use(DOS_FERMI, inputs={"file": cu["id"]}, prefer_async=True)
        assert running.status_code == 202
        ids = {
            "success": ok.json()["action"]["id"],
            "error": bad.json()["action"]["id"],
            "running": running.json()["action"]["id"],
        }

        everything = (await demo.get("/actions")).json()
        assert everything["error"] is None
        assert [a["id"] for a in everything["data"]] == [
            ids["running"],
            ids["error"],
            ids["success"],
        ]
        assert everything["pagination"] == {
            "offset": 0,
            "limit": 20,
            "hasMore": False,
            "total": 3,
        }

        async def listed(**params: Any) -> list[str]:
            body = (await demo.get("/actions", params=params)).json()
            assert body["error"] is None
            return [a["id"] for a in body["data"]]

        assert await listed(status="error") == [ids["error"]]
        assert await listed(status="success,error") == [ids["error"], ids["success"]]
        assert await listed(status="queued,in-progress") == [ids["running"]]
        assert await listed(since=cutoff) == [ids["running"], ids["error"]]
        assert await listed(since=cutoff.replace("+00:00", "Z"), status="error") == [ids["error"]]
        assert await listed(since=iso(time.time() + 3600)) == []
        assert await listed(limit=1, offset=1) == [ids["error"]]
        page = (await demo.get("/actions", params={"limit": 2})).json()["pagination"]
        assert page["hasMore"] is True and page["total"] == 3
        expect_error(await demo.get("/actions", params={"since": "yesterday"}), 400)

    drive(demo_app, scenario)


def test_route_actions_mine_and_global(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        route = demo.route(FORMULA)
        path = f"/services/{route['parent_id']}/routes/{route['id']}/actions"
        mine = [(await demo.use(FORMULA, body={"formula": f})) for f in ("H2O", "CO2", "CH4-bad!")]
        assert [r.status_code for r in mine] == [200, 200, 422]
        my_ids = [r.json()["action"]["id"] for r in mine]

        alice = await demo.other_user("alice")
        theirs = await alice.use(FORMULA, body={"formula": "NH3"})
        assert theirs.status_code == 200
        their_id = theirs.json()["action"]["id"]
        # Another user's action is not readable by id.
        expect_error(await demo.get(f"/actions/{their_id}"), 404, "action_not_found")
        expect_error(await alice.get(f"/actions/{my_ids[0]}/logs"), 404)

        async def listed(**params: Any) -> tuple[list[str], dict[str, Any]]:
            body = (await demo.get(path, params=params)).json()
            assert body["error"] is None
            return [a["id"] for a in body["data"]], body["pagination"]

        ids, page = await listed(**{"global": "false"})
        assert ids == my_ids[::-1] and page["total"] == 3
        ids, page = await listed(**{"global": "true"})
        assert ids == [their_id, *my_ids[::-1]] and page["total"] == 4
        ids, _ = await listed(**{"global": "true", "exclude_self": "true"})
        assert ids == [their_id]
        ids, _ = await listed(**{"global": "false", "status": "error"})
        assert ids == [my_ids[2]]
        ids, page = await listed(**{"global": "true", "limit": 2, "offset": 2})
        assert ids == my_ids[1::-1] and page["hasMore"] is False and page["offset"] == 2
        ids, page = await listed(**{"global": "true", "limit": 2})
        assert page["hasMore"] is True
        # Mine across routes does not include alice's.
        assert their_id not in [a["id"] for a in (await demo.get("/actions")).json()["data"]]
        other_route = demo.route(DOS_FERMI)
        other = f"/services/{other_route['parent_id']}/routes/{other_route['id']}/actions"
        assert (await demo.get(other, params={"global": "true"})).json()["data"] == []

    drive(demo_app, scenario)


def test_use_is_not_reachable_without_a_token(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        response = await demo.client.post(demo.use_path(FORMULA), json={"config": {}})
        expect_error(response, 401)
        assert "action" not in response.json()
        assert isinstance(response, httpx.Response)

    drive(demo_app, scenario)
