"""Demo backend in-process: every fault switch of :class:`Faults` (§12.6)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from ouro_desktop.demo.faults import Faults, InjectedResponse

from .helpers import DOS_FERMI, FORMULA, SUPERCELL, Demo, data_of, drive, expect_error


def test_one_shot_401(demo_app: Any, faults: Faults) -> None:
    async def scenario(demo: Demo) -> None:
        faults.unauthorized_next = 1
        error = expect_error(await demo.get("/user"), 401, "unauthorized")
        assert error["message"] == "Unauthorized"
        assert faults.unauthorized_next == 0
        assert (await demo.get("/user")).status_code == 200
        # Unauthenticated endpoints do not consume it.
        faults.unauthorized_next = 1
        assert (
            await demo.client.post("/users/get-token", json={"pat": demo.backend.api_key})
        ).status_code == 200
        assert faults.unauthorized_next == 1
        expect_error(await demo.get("/services"), 401)
        assert (await demo.get("/services")).status_code == 200

    drive(demo_app, scenario)


def test_one_shot_no_user_context(demo_app: Any, faults: Faults) -> None:
    async def scenario(demo: Demo) -> None:
        faults.no_user_context_next = 1
        response = await demo.get("/search/assets")
        assert response.status_code == 500
        body = response.json()
        assert body["data"] is None
        assert body["error"]["message"].lower() == "no user context"
        assert response.headers["x-request-id"]
        assert (await demo.get("/search/assets")).status_code == 200
        # A bad token is still a 401, not a 500, and does not consume the switch.
        faults.no_user_context_next = 1
        expect_error(await demo.client.get("/user"), 401)
        assert (await demo.get("/user")).status_code == 500
        assert (await demo.get("/user")).status_code == 200

    drive(demo_app, scenario)


def test_rate_limit_with_retry_after(demo_app: Any, faults: Faults) -> None:
    async def scenario(demo: Demo) -> None:
        faults.rate_limit_next = 2
        faults.retry_after_s = 3
        for _ in range(2):
            response = await demo.get("/services")
            error = expect_error(response, 429, "rate_limited")
            assert error["message"]
            assert response.headers["retry-after"] == "3"
        assert (await demo.get("/services")).status_code == 200
        # It applies to the token exchange too (no auth needed to be throttled).
        faults.rate_limit_next = 1
        faults.retry_after_s = 0.5
        throttled = await demo.client.post("/users/get-token", json={"pat": demo.backend.api_key})
        assert throttled.status_code == 429 and throttled.headers["retry-after"] == "0.5"

    drive(demo_app, scenario)


def test_route_latency_by_slug_and_by_id(demo_app: Any, faults: Faults) -> None:
    async def scenario(demo: Demo) -> None:
        faults.route_latency[FORMULA] = 0.3
        started = time.monotonic()
        response = await demo.use(FORMULA, body={"formula": "H2O"})
        elapsed = time.monotonic() - started
        assert response.status_code == 200 and elapsed >= 0.3
        faults.route_latency.clear()
        faults.route_latency[demo.route(FORMULA)["id"]] = 0.25
        started = time.monotonic()
        assert (await demo.use(FORMULA, body={"formula": "H2O"})).status_code == 200
        assert time.monotonic() - started >= 0.25
        faults.route_latency.clear()
        started = time.monotonic()
        assert (await demo.use(FORMULA, body={"formula": "H2O"})).status_code == 200
        assert time.monotonic() - started < 0.25

    drive(demo_app, scenario)


def test_route_failure_is_an_external_service_error(demo_app: Any, faults: Faults) -> None:
    async def scenario(demo: Demo) -> None:
        cu = await demo.upload("Cu.cif")
        for status, retryable in (
            (503, True),
            (429, True),
            (500, True),
            (404, False),
            (400, False),
        ):
            faults.route_failure[DOS_FERMI] = (status, f"upstream said {status}")
            response = await demo.use(DOS_FERMI, inputs={"file": cu["id"]})
            assert response.status_code == status, response.text
            body = response.json()
            assert body["data"] is None and body["metadata"] is None
            assert body["error"] == {"message": f"upstream said {status}", "status": status}
            action = body["action"]
            assert action["status"] == "error"
            assert action["upstream_status_code"] == status
            assert action["response"] == {
                "statusCode": status,
                "error": {
                    "type": "external_service_error",
                    "code": "external_service_error",
                    "message": f"upstream said {status}",
                    "status": status,
                    "upstreamStatus": status,
                    "retryable": retryable,
                },
            }
            logs = (await demo.get(f"/actions/{action['id']}/logs")).json()["data"]
            assert logs[0]["level"] == "error" and str(status) in logs[0]["message"]
        # By route id, and through the async path.
        faults.route_failure.clear()
        faults.route_failure[demo.route(SUPERCELL)["id"]] = (502, "bad gateway")
        accepted = await demo.use(SUPERCELL, inputs={"file": cu["id"]}, prefer_async=True)
        assert accepted.status_code == 202
        done = await demo.wait(accepted.json()["action"]["id"])
        assert done["status"] == "error"
        assert done["response"]["error"]["retryable"] is True
        assert done["response"]["statusCode"] == 502
        assert done["output_assets"] == []
        faults.route_failure.clear()
        assert (await demo.use(DOS_FERMI, inputs={"file": cu["id"]})).status_code == 200

    drive(demo_app, scenario)


def test_upload_cap_413_for_base64_and_put(demo_app: Any, faults: Faults) -> None:
    faults.upload_cap_bytes = 1000

    async def scenario(demo: Demo) -> None:
        small = await demo.upload("tiny.cif", b"data_tiny\n")
        assert small["id"]
        big = b"#" * 2000
        response = await demo.post(
            "/files/upload",
            json={"file_name": "big.cif", "file_base64": base64.b64encode(big).decode()},
        )
        error = expect_error(response, 413, "payload_too_large")
        assert error["message"] == "Payload too large" and error["limit_bytes"] == 1000

        issued = data_of(await demo.post("/files/upload-url", json={"file_name": "big.cif"}))
        put = await demo.client.put(issued["upload_url"], content=big)
        expect_error(put, 413, "payload_too_large")

        # A streamed body with no Content-Length is cut off while streaming.
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(4):
                yield b"#" * 400

        streamed = await demo.client.put(issued["upload_url"], content=chunks())
        expect_error(streamed, 413)
        blob = demo.backend.store.blob_path(issued["bucket"], issued["path"])
        assert not blob.exists() and not blob.with_name(blob.name + ".part").exists()
        expect_error(
            await demo.post("/files/upload/complete", json={"upload_id": issued["upload_id"]}),
            409,
        )
        ok = await demo.client.put(issued["upload_url"], content=b"data_ok\n")
        assert data_of(ok) == {"size": 8}
        faults.upload_cap_bytes = None
        assert (await demo.upload("big.cif", big))["metadata"]["size"] == 2000

    drive(demo_app, scenario)


def test_injected_response_before_processing(demo_app: Any, faults: Faults) -> None:
    async def scenario(demo: Demo) -> None:
        faults.injected.append(
            InjectedResponse(
                method="POST",
                path=r"/services/[^/]+/routes/[^/]+/use",
                status=503,
                body=json.dumps({"data": None, "error": {"message": "maintenance"}}).encode(),
                headers={"Content-Type": "application/json", "X-Injected": "yes"},
            )
        )
        response = await demo.use(FORMULA, body={"formula": "H2O"})
        assert response.status_code == 503
        assert response.json()["error"]["message"] == "maintenance"
        assert response.headers["x-injected"] == "yes"
        assert response.headers["x-request-id"]
        assert faults.injected == []
        # Nothing was processed: no action exists.
        assert (await demo.get("/actions")).json()["pagination"]["total"] == 0
        # Non-matching requests are untouched; a GET does not consume a POST injection.
        faults.injected.append(InjectedResponse("POST", r"/files/upload", 500, b"boom"))
        assert (await demo.get("/user")).status_code == 200
        assert len(faults.injected) == 1
        raw = await demo.post("/files/upload", json={"file_name": "a.cif", "file_base64": "AA=="})
        assert raw.status_code == 500 and raw.content == b"boom"
        # An injection applies even without a token (before auth).
        faults.injected.append(InjectedResponse("GET", r"/user", 418, b"teapot"))
        assert (await demo.client.get("/user")).status_code == 418
        assert (await demo.use(FORMULA, body={"formula": "H2O"})).status_code == 200

    drive(demo_app, scenario)


def test_injected_response_after_processing(demo_app: Any, faults: Faults) -> None:
    async def scenario(demo: Demo) -> None:
        faults.injected.append(
            InjectedResponse(
                method="POST",
                path=r"/services/.*/use",
                status=502,
                body=b"<html>Bad Gateway</html>",
                headers={"Content-Type": "text/html"},
                after_processing=True,
            )
        )
        response = await demo.use(FORMULA, body={"formula": "CO2"})
        assert response.status_code == 502
        assert response.text == "<html>Bad Gateway</html>"
        # The server did the work: the action exists and finished.
        actions = (await demo.get("/actions")).json()
        assert actions["pagination"]["total"] == 1
        [action] = actions["data"]
        assert action["status"] == "success"
        assert action["response"]["formula"] == "CO2"
        # Same for an upload: the object was stored though the client saw a failure.
        faults.injected.append(
            InjectedResponse("POST", r"/files/upload", 504, b"", after_processing=True)
        )
        lost = await demo.post(
            "/files/upload",
            json={"file_name": "x.cif", "file_base64": base64.b64encode(b"data_x").decode()},
        )
        assert lost.status_code == 504
        files = list((demo.backend.store.storage_dir / "files").rglob("*.cif"))
        assert len(files) == 1 and files[0].read_bytes() == b"data_x"

    drive(demo_app, scenario)
