"""OuroClient end to end against the demo backend, in-process and over real loopback."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from ouro_desktop.api import (
    AuthenticationError,
    ExecuteResult,
    InvalidRouteReference,
    NotFoundError,
    OuroClient,
    Route,
    UploadCancelled,
)
from ouro_desktop.api.datasets import ColumnSpec
from ouro_desktop.demo.services.eos_fit import birch_murnaghan

from ..conftest import serve_on_loopback
from .helpers import (
    DOS_CURVE,
    EXAMPLES,
    FORMULA,
    REPORT,
    SUPERCELL,
    Recorder,
    asgi,
    envelope,
    run,
    wait_done,
)


def got_progress(into: list[int]) -> Any:
    return lambda done, total: into.append(done)


@pytest.fixture(params=["asgi", "loopback"])
def make_client(request: pytest.FixtureRequest, demo_app: Any) -> Iterator[Any]:
    """A factory of clients on the demo, in-process or through a real socket."""
    key = demo_app.state.backend.api_key
    if request.param == "asgi":

        def factory(**kwargs: Any) -> tuple[OuroClient, Recorder]:
            rec = Recorder(asgi(demo_app))
            return OuroClient("http://demo.test", key, transport=rec, **kwargs), rec

        yield factory
        return
    with serve_on_loopback(demo_app) as url:

        def factory(**kwargs: Any) -> tuple[OuroClient, Recorder]:
            rec = Recorder(httpx.AsyncHTTPTransport())
            return OuroClient(url, key, transport=rec, **kwargs), rec

        yield factory


def test_sign_in_sends_identity_and_raw_token(make_client: Any) -> None:
    async def scenario() -> None:
        client, rec = make_client()
        async with client:
            user = await client.sign_in()
            assert user.username == "demo" and user.email
            assert client.user == user
            assert client.key_name == "demo demo key"
            await client.search_routes(limit=1)
        exchange, me, search = rec.seen
        assert exchange.path == "/users/get-token" and "authorization" not in exchange.headers
        for seen in (me, search):
            assert not seen.headers["authorization"].lower().startswith("bearer")
            assert seen.headers["authorization"].count(".") == 2
            assert seen.headers["x-ouro-key-name"] == "demo demo key"
        for seen in rec.seen:
            assert seen.headers["user-agent"].startswith("ouro-desktop/")
            assert seen.headers["x-ouro-client"] == seen.headers["user-agent"]

    run(scenario())


def test_wrong_key_is_a_plain_authentication_error(demo_app: Any) -> None:
    async def scenario() -> None:
        async with OuroClient("http://demo.test", "0" * 48, transport=asgi(demo_app)) as client:
            with pytest.raises(AuthenticationError) as info:
                await client.sign_in()
        assert "API key" in str(info.value) and info.value.status == 401

    run(scenario())


def test_search_pages_and_sorts(make_client: Any) -> None:
    async def scenario() -> None:
        client, _ = make_client()
        async with client:
            first = await client.search_routes(limit=4)
            assert len(first.items) == 4 and first.has_more and first.total == 11
            second = await client.search_routes(limit=4, offset=4)
            last = await client.search_routes(limit=4, offset=8)
            ids = [r.id for r in first.items + second.items + last.items]
            assert len(set(ids)) == 11 and not last.has_more
            assert all(isinstance(r, Route) and r.owner == "demo" for r in first.items)
            hits = await client.search_routes("supercell")
            assert [r.slug for r in hits.items][0] == "build-supercell"
            for sort in ("recent", "updated", "popular", "relevant"):
                page = await client.search_routes(sort=sort, scope="all")
                assert page.total == 11
            assert (await client.search_routes("no-such-thing-anywhere")).items == []

    run(scenario())


def test_get_route_by_id_name_and_link(make_client: Any) -> None:
    async def scenario() -> None:
        client, _ = make_client()
        async with client:
            by_name = await client.get_route(SUPERCELL)
            by_id = await client.get_route(by_name.id)
            by_upper = await client.get_route(by_name.id.upper())
            link = await client.get_route(f"https://ouro.foundation/routes/{SUPERCELL}")
            assert by_name.id == by_id.id == by_upper.id == link.id
            assert by_id.full_name == SUPERCELL and by_id.has_definition
            assert by_id.method == "POST" and by_id.path and by_id.service_id
            decl = by_id.input_assets["file"]
            assert decl.asset_type == "file" and decl.file_extensions == ("cif",)
            assert by_id.request_schema is not None and by_id.output_assets
            paid = await client.get_route(REPORT)
            assert paid.is_paid and paid.price == pytest.approx(0.05)
            assert not by_id.is_paid
            assert (await client.get_route(DOS_CURVE)).is_async
            with pytest.raises(NotFoundError):
                await client.get_route("demo/no-such-route")
            with pytest.raises(NotFoundError):
                await client.get_route(str(uuid.uuid4()))
            with pytest.raises(InvalidRouteReference):
                await client.get_route("just words")
            routes = await client.service_routes(by_id.service_id or "")
            assert by_id.id in {r.id for r in routes}
            stats = await client.route_stats(by_id.id)
            assert "total" in stats

    run(scenario())


def test_execute_every_demo_route_and_follow_it(make_client: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        client, rec = make_client()
        async with client:
            await client.sign_in()
            cif = tmp_path / "NaCl.cif"
            cif.write_bytes((EXAMPLES / "NaCl.cif").read_bytes())
            asset = await client.upload_file(cif)
            table = await client.create_dataset(
                "E(V)",
                [ColumnSpec("volume", "number"), ColumnSpec("energy", "number")],
                [(v, birch_murnaghan(v, -10.8, 40.9, 0.61, 4.2)) for v in range(36, 47)],
            )
            note = await client.create_post("Note", "NaCl melts at 1074 K.")
            by_type = {"file": asset.id, "dataset": table.id, "post": note.id}
            page = await client.search_routes(limit=50)
            outcomes = {}
            for hit in page.items:
                route = await client.get_route(hit.id)
                key = str(uuid.uuid4())
                inputs = {k: by_type[d.asset_type] for k, d in route.input_assets.items()}
                body = {"formula": "NaCl"} if route.slug == "formula-properties" else None
                if route.slug == "post-generate":
                    body = {"composition": "NaCl"}
                before = rec.count("POST", "/use")
                result = await client.execute(
                    route, body=body, input_assets=inputs or None, idempotency_key=key
                )
                assert rec.count("POST", "/use") == before + 1
                sent = [s for s in rec.seen if s.path.endswith("/use")][-1]
                assert sent.headers["prefer"] == "respond-async"
                assert sent.headers["idempotency-key"] == key
                assert isinstance(result, ExecuteResult) and result.action.route_id == route.id
                done = await wait_done(client, result.action.id)
                assert done.idempotency_key == key
                outcomes[route.slug] = done
            for slug in (
                "formula-properties",
                "build-supercell",
                "free-electron-dos-curve",
                "fit-equation-of-state",
                "write-structure-report",
                "read-post-facts",
            ):
                assert outcomes[slug].status == "success", outcomes[slug].error_message
                assert outcomes[slug].error_message is None
            assert outcomes["build-supercell"].output_file_ids
            (fit_out,) = outcomes["fit-equation-of-state"].output_refs
            assert fit_out[:2] == ("residuals", "dataset")
            assert (await client.dataset_stats(fit_out[2])).count == 11
            (report,) = outcomes["write-structure-report"].output_refs
            assert report[1] == "post" and (await client.get_post(report[2])).text
            # The two real-model routes cannot run offline: a finished error, in words.
            assert outcomes["post-generate"].status == "error"
            assert "offline" in (outcomes["post-generate"].error_message or "")

    run(scenario())


def test_inline_result_is_used_when_the_server_sends_one(demo_app: Any) -> None:
    """A server may answer a finished run at once (200): no polling needed."""
    action = {
        "id": str(uuid.uuid4()),
        "status": "success",
        "created_at": "2025-07-14T12:49:18.24+00:00",
    }

    async def scenario() -> None:
        inner = asgi(demo_app)

        class Inline(httpx.AsyncBaseTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                if request.url.path.endswith("/use"):
                    body = envelope({"responseData": {"energy": -1.5}}, action=action)
                    return httpx.Response(200, content=body)
                return await inner.handle_async_request(request)

        async with OuroClient(
            "http://demo.test", demo_app.state.backend.api_key, transport=Inline()
        ) as client:
            route = await client.get_route(FORMULA)
            result = await client.execute(route, body={"formula": "Si"}, idempotency_key="k")
        assert result.inline and result.action.is_terminal
        assert result.action.route_id == route.id
        assert result.action.response == {"energy": -1.5}

    run(scenario())


def test_validation_failure_maps_field_errors(make_client: Any) -> None:
    async def scenario() -> None:
        client, _ = make_client()
        async with client:
            route = await client.get_route(FORMULA)
            result = await client.execute(
                route, body={"formula": "NaCl", "decimals": "many"}, idempotency_key="v1"
            )
            done = await wait_done(client, result.action.id)
        assert done.status == "error"
        assert "decimals" in done.field_errors, done.response
        assert done.error_status == 422 and not done.retryable
        assert done.error_message

    run(scenario())


def test_logs_are_fetched_incrementally(make_client: Any) -> None:
    async def scenario() -> None:
        client, _ = make_client()
        async with client:
            route = await client.get_route(DOS_CURVE)
            cif = EXAMPLES / "Cu.cif"
            asset = await client.upload_file(cif)
            result = await client.execute(
                route, input_assets={"file": asset.id}, idempotency_key="logs"
            )
            seen: list[str] = []
            ids: set[str] = set()
            while True:
                action = await client.get_action(result.action.id)
                page = await client.action_logs(action.id, offset=len(seen))
                assert not ids & {line.id for line in page.items}, "a line came twice"
                ids |= {line.id for line in page.items}
                seen += [line.message for line in page.items]
                if action.is_terminal and not page.has_more:
                    break
                await asyncio.sleep(0.02)
            everything = await client.action_logs(action.id)
        assert seen == [line.message for line in everything.items]
        assert seen[0] == "Run started." and seen[-1].startswith("Run finished")
        stamps = [line.created_at for line in everything.items]
        assert stamps == sorted(stamps)  # oldest first

    run(scenario())


def test_my_actions_since_and_route_actions(make_client: Any) -> None:
    async def scenario() -> None:
        client, _ = make_client()
        async with client:
            route = await client.get_route(FORMULA)
            first = await client.execute(route, body={"formula": "Si"}, idempotency_key="a")
            await wait_done(client, first.action.id)
            await asyncio.sleep(0.05)
            mark = datetime.now(UTC)
            second = await client.execute(route, body={"formula": "Cu"}, idempotency_key="b")
            await wait_done(client, second.action.id)
            recent = await client.list_my_actions(since=mark - timedelta(milliseconds=10))
            assert [a.id for a in recent.items] == [second.action.id]
            everything = await client.list_my_actions()
            assert {first.action.id, second.action.id} <= {a.id for a in everything.items}
            done = await client.list_my_actions(status=["success"], limit=1)
            assert len(done.items) == 1 and done.has_more
            per_route = await client.list_route_actions(route, status=["success", "error"])
            assert {a.id for a in per_route.items} == {first.action.id, second.action.id}
            assert all(a.route_id == route.id for a in per_route.items)
            paged = await client.list_route_actions(route, limit=1, offset=1)
            assert paged.offset == 1 and len(paged.items) == 1

    run(scenario())


def test_upload_small_and_large_then_download_identical(
    make_client: Any, tmp_path: Path, demo_app: Any
) -> None:
    async def scenario() -> None:
        client, rec = make_client(upload_threshold=2048)
        async with client:
            small = tmp_path / "Si.cif"
            small.write_bytes((EXAMPLES / "Si.cif").read_bytes()[:1500])
            large = tmp_path / "big.cif"
            large.write_bytes(bytes(range(256)) * 4000 + b"\nend\n")
            reports: list[tuple[int, int]] = []
            a = await client.upload_file(small, name="small one")
            assert rec.count("POST", "/files/upload") == 1
            b = await client.upload_file(
                large, progress=lambda done, total: reports.append((done, total))
            )
            assert rec.count("POST", "/files/upload-url") == 1
            put = [s for s in rec.seen if s.method == "PUT"]
            assert len(put) == 1 and "authorization" not in put[0].headers
            assert put[0].headers["content-type"] == "chemical/x-cif"
            assert reports[-1] == (large.stat().st_size, large.stat().st_size)
            assert [d for d, _ in reports] == sorted(d for d, _ in reports)
            assert a.name == "small one" and a.extension == "cif" and a.mime == "chemical/x-cif"
            assert b.size == large.stat().st_size
            assert (await client.get_file(b.id)).id == b.id
            for asset, source in ((a, small), (b, large)):
                target = tmp_path / f"out-{asset.id}.cif"
                got: list[int] = []
                path = await client.download_file(asset.id, target, progress=got_progress(got))
                assert path == target and target.read_bytes() == source.read_bytes()
                assert got[-1] == source.stat().st_size
            storage = [s for s in rec.seen if "/storage/" in s.path]
            assert storage and all("authorization" not in s.headers for s in storage)
            assert not list(tmp_path.glob("*.part"))
            fits = await client.compatible_routes(a.id)
            assert "build-supercell" in {r.slug for r in fits.items}
            one = await client.compatible_routes(a.id, query="supercell", limit=1)
            assert [r.slug for r in one.items] == ["build-supercell"]
            cost = await client.route_cost(await client.get_route(REPORT), a.id)
            assert cost["total_cost"] == pytest.approx(0.05)
        blob = hashlib.sha256(large.read_bytes()).hexdigest()
        store = demo_app.state.backend.store
        stored = store.blob_path(b.bucket, b.path).read_bytes()
        assert hashlib.sha256(stored).hexdigest() == blob

    run(scenario())


def test_upload_cancel_stops_and_discards(demo_app: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        rec = Recorder(asgi(demo_app))
        big = tmp_path / "big.bin"
        big.write_bytes(b"x" * (5 * 1024 * 1024))
        cancel = asyncio.Event()

        def progress(done: int, total: int) -> None:
            cancel.set()  # cancel after the first chunk

        async with OuroClient(
            "http://demo.test", demo_app.state.backend.api_key, transport=rec, upload_threshold=1
        ) as client:
            with pytest.raises(UploadCancelled):
                await client.upload_file(big, progress=progress, cancel=cancel)
        assert rec.count("POST", "/files/upload/complete") == 0
        assert rec.count("POST", "/files/create") == 0
        assert rec.count("DELETE", "/files/upload") == 1

    run(scenario())


def test_search_files_lists_own_files_by_extension(
    make_client: Any, tmp_path: Path, demo_app: Any
) -> None:
    async def scenario() -> None:
        client, _rec = make_client()
        async with client:
            cif = await client.upload_file(EXAMPLES / "Cu.cif", name="copper")
            table = tmp_path / "table.csv"
            table.write_text("a,b\n1,2\n")
            csv_file = await client.upload_file(table, name="a table")
            cifs = await client.search_files(extensions=[".CIF"])
            assert [f.id for f in cifs.items] == [cif.id]
            assert cifs.items[0].extension == "cif"
            everything = await client.search_files()
            assert {f.id for f in everything.items} == {cif.id, csv_file.id}
            named = await client.search_files("table")
            assert [f.id for f in named.items] == [csv_file.id]

    run(scenario())


def test_upload_file_with_undecodable_name(make_client: Any, tmp_path: Path) -> None:
    import os
    import shutil

    odd = Path(os.fsdecode(os.fsencode(str(tmp_path)) + b"/caf\xe9.cif"))
    shutil.copy(EXAMPLES / "Cu.cif", odd)

    async def scenario() -> None:
        client, _rec = make_client()
        async with client:
            asset = await client.upload_file(odd)
            assert asset.extension == "cif"
            assert asset.name == "caf\ufffd.cif"

    run(scenario())
