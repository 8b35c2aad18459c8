"""Demo backend in-process: token exchange, identity, auth failures, envelopes (§1.4–1.5, §2)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults

from .helpers import Demo, drive, expect_error, get_token, jwt_payload


def test_token_exchange_is_top_level_with_a_real_jwt(tmp_path: Path) -> None:
    now = [1_750_000_000.0]
    app = create_app(tmp_path / "d", faults=Faults(token_ttl=120), clock=lambda: now[0])

    async def scenario(demo: Demo) -> None:
        response = await demo.client.post("/users/get-token", json={"pat": demo.backend.api_key})
        assert response.status_code == 200
        assert response.headers["x-request-id"]
        body = response.json()
        assert "data" not in body
        assert body["error"] is None
        assert body["api_key_org_id"] is None
        assert isinstance(body["refresh_token"], str) and body["refresh_token"]
        assert body["api_key_name"] == "demo demo key"
        token = body["access_token"]
        payload = jwt_payload(token)
        assert payload["exp"] == int(now[0] + 120)
        assert payload["iat"] == int(now[0])
        assert payload["sub"] == demo.backend.seeded.user["id"]
        header = jwt_payload(token, segment=0)
        assert header["alg"] == "HS256" and header["typ"] == "JWT"

        # Unlimited re-exchanges, each a fresh token; the old Authorization is not rejected.
        again = await demo.client.post(
            "/users/get-token",
            json={"pat": demo.backend.api_key},
            headers={"Authorization": token},
        )
        assert again.status_code == 200
        assert again.json()["access_token"] != token

    drive(app, scenario, sign_in=False)


def test_unknown_or_missing_api_key_is_401(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        error = expect_error(
            await demo.client.post("/users/get-token", json={"pat": "0" * 48}), 401
        )
        assert error["message"] == "Invalid API key"
        expect_error(await demo.client.post("/users/get-token", json={}), 401)
        expect_error(await demo.client.post("/users/get-token"), 401)

    drive(demo_app, scenario, sign_in=False)


def test_user_and_profile(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        response = await demo.get("/user")
        assert response.status_code == 200
        assert response.headers["x-request-id"]
        body = response.json()
        assert body["error"] is None
        user = body["data"]
        assert user["id"] == user["user_id"] == demo.backend.seeded.user["id"]
        assert user["username"] == "demo"
        assert user["email"] and user["name"]

        # A "Bearer " prefix is tolerated.
        bearer = await demo.client.get("/user", headers={"Authorization": f"Bearer {demo.token}"})
        assert bearer.json()["data"]["id"] == user["id"]

        profile = (await demo.get("/user/profile")).json()["data"]
        assert profile["user_id"] == user["id"]
        assert profile["username"] == "demo"

    drive(demo_app, scenario)


def test_missing_garbage_and_foreign_tokens_are_401(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        for headers in (
            {},
            {"Authorization": ""},
            {"Authorization": "garbage"},
            {"Authorization": "Bearer not.a.jwt"},
            {"Authorization": "a.b.c"},
        ):
            response = await demo.client.get("/user", headers=headers)
            error = expect_error(response, 401, "unauthorized")
            assert error["message"] == "Unauthorized"
        # A token with a tampered payload fails its signature check.
        head, _, sig = demo.token.split(".")
        forged = head + "." + demo.token.split(".")[1][:-2] + "AA." + sig
        expect_error(await demo.client.get("/user", headers={"Authorization": forged}), 401)
        # Other endpoints are guarded the same way.
        expect_error(await demo.client.get("/search/assets"), 401)
        expect_error(await demo.client.get("/actions"), 401)
        expect_error(await demo.client.post("/files/upload", json={}), 401)

    drive(demo_app, scenario)


def test_expired_token_is_401_then_a_new_exchange_works(tmp_path: Path) -> None:
    now = [time.time()]
    app = create_app(tmp_path / "d", faults=Faults(token_ttl=60), clock=lambda: now[0])

    async def scenario(demo: Demo) -> None:
        assert (await demo.get("/user")).status_code == 200
        now[0] += 59
        assert (await demo.get("/user")).status_code == 200
        now[0] += 2
        expect_error(await demo.get("/user"), 401, "unauthorized")
        demo.token = await get_token(demo.client, demo.backend.api_key)
        assert jwt_payload(demo.token)["exp"] == int(now[0] + 60)
        assert (await demo.get("/user")).status_code == 200

    drive(app, scenario)


def test_tiny_token_ttl_expires_in_real_time(tmp_path: Path) -> None:
    app = create_app(tmp_path / "d", faults=Faults(token_ttl=1))

    async def scenario(demo: Demo) -> None:
        payload = jwt_payload(demo.token)
        assert payload["exp"] - payload["iat"] == 1
        while time.time() < payload["exp"]:
            time.sleep(0.05)
        expect_error(await demo.get("/user"), 401)

    drive(app, scenario)


def test_invalid_json_body_is_400(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        response = await demo.post(
            "/elements/common/name-to-id",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
        error = expect_error(response, 400, "bad_request")
        assert "JSON" in error["message"]
        # A JSON value that is not an object is refused too.
        expect_error(await demo.post("/elements/common/name-to-id", json=[1, 2]), 400)
        expect_error(await demo.post("/files/upload", content=b""), 400)

    drive(demo_app, scenario)


def test_every_response_has_its_own_request_id(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        ids = set()
        for path in ("/user", "/services", "/search/assets", "/routes/nope", "/actions"):
            response = await demo.get(path)
            ids.add(response.headers["x-request-id"])
        assert len(ids) == 5

    drive(demo_app, scenario)


def test_unknown_paths_and_methods_answer_in_the_error_envelope(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        error = expect_error(await demo.get("/no/such/endpoint"), 404, "not_found")
        assert error["message"] == "Not Found"
        expect_error(await demo.client.get("/no/such/endpoint"), 404)
        response = await demo.delete("/user")
        expect_error(response, 405)
        assert "GET" in response.headers["allow"]

    drive(demo_app, scenario)
