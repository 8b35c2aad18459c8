"""The use cases taken out of the controllers, tested without Qt against the demo backend:
uploading a checked file (or reusing an earlier upload), finding the routes that take a
file, the runs list a page at a time, and whether an asset input is required."""

from __future__ import annotations

import asyncio
import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

from ouro_desktop.api.errors import UploadCancelled
from ouro_desktop.api.models import Route
from ouro_desktop.core.file_checks import check_local_file
from ouro_desktop.core.history_pages import HistoryPager
from ouro_desktop.core.ledger import RunLedger
from ouro_desktop.core.route_fields import asset_input_required
from ouro_desktop.core.route_finder import accepts_extension, routes_taking
from ouro_desktop.core.upload_cache import UploadCache
from ouro_desktop.core.upload_pipeline import upload_or_reuse
from ouro_desktop.demo.faults import Faults, InjectedResponse
from tests.api.helpers import BASE_URL, EXAMPLES, client_for, run, wait_done

DOS = "demo/predict-electronic-dos-at-fermi-level"


def _uploads(app: Any) -> list[dict[str, Any]]:
    return [row for row in app.state.backend.store.assets(asset_types=["file"])]


def test_upload_then_reuse_by_content(demo_app: Any, tmp_path: Path) -> None:
    cache = UploadCache(tmp_path / "uploads.sqlite3")
    copy = tmp_path / "copy of Cu.cif"
    shutil.copy(EXAMPLES / "Cu.cif", copy)

    async def scenario() -> tuple[Any, Any, list[tuple[int, int]]]:
        async with client_for(demo_app) as client:
            route = await client.get_route(DOS)
            decl = route.input_assets["file"]
            seen: list[tuple[int, int]] = []
            first = await upload_or_reuse(
                client,
                cache,
                check_local_file(EXAMPLES / "Cu.cif", decl),
                base_url=BASE_URL,
                account="demo",
                cancel=asyncio.Event(),
                progress=lambda done, total: seen.append((done, total)),
            )
            # The same bytes under another name: nothing is sent again.
            second = await upload_or_reuse(
                client,
                cache,
                check_local_file(copy, decl),
                base_url=BASE_URL,
                account="demo",
                cancel=asyncio.Event(),
            )
            return first, second, seen

    before = len(_uploads(demo_app))
    first, second, seen = run(scenario())
    assert not first.reused and second.reused
    assert second.asset_id == first.asset_id
    assert len(_uploads(demo_app)) == before + 1
    assert seen[0] == (0, (EXAMPLES / "Cu.cif").stat().st_size)
    cache.close()


def test_a_cached_asset_the_server_lost_is_uploaded_again(demo_app: Any, tmp_path: Path) -> None:
    cache = UploadCache(tmp_path / "uploads.sqlite3")

    async def scenario() -> tuple[Any, Any]:
        async with client_for(demo_app) as client:
            decl = (await client.get_route(DOS)).input_assets["file"]
            checked = check_local_file(EXAMPLES / "Al.cif", decl)
            kwargs: dict[str, Any] = {"base_url": BASE_URL, "account": "demo"}
            first = await upload_or_reuse(client, cache, checked, cancel=asyncio.Event(), **kwargs)
            demo_app.state.backend.store.delete_asset(first.asset_id)
            again = await upload_or_reuse(client, cache, checked, cancel=asyncio.Event(), **kwargs)
            return first, again

    first, again = run(scenario())
    assert not again.reused and again.asset_id != first.asset_id
    cache.close()


def test_a_cancelled_upload_sends_nothing(demo_app: Any, tmp_path: Path) -> None:
    cache = UploadCache(tmp_path / "uploads.sqlite3")
    cancel = asyncio.Event()
    cancel.set()

    async def scenario() -> None:
        async with client_for(demo_app) as client:
            decl = (await client.get_route(DOS)).input_assets["file"]
            await upload_or_reuse(
                client,
                cache,
                check_local_file(EXAMPLES / "Si.cif", decl),
                base_url=BASE_URL,
                account="demo",
                cancel=cancel,
            )

    before = len(_uploads(demo_app))
    with pytest.raises((InterruptedError, UploadCancelled)):
        run(scenario())
    assert len(_uploads(demo_app)) == before
    cache.close()


def test_routes_taking_a_file(demo_app: Any, demo_routes: dict[str, Route]) -> None:
    async def scenario(name: str) -> list[str]:
        async with client_for(demo_app) as client:
            return [route.full_name for route in await routes_taking(client, name)]

    cif = run(scenario("/somewhere/NaCl.CIF"))
    expected = {r.full_name for r in demo_routes.values() if accepts_extension(r, "cif")}
    assert set(cif) == expected
    assert DOS in cif and "demo/formula-properties" not in cif
    assert run(scenario("/somewhere/notes.docx")) == []


def test_history_pages_merge_ledger_and_server(demo_app: Any, tmp_path: Path) -> None:
    ledger, _ = RunLedger.open(tmp_path / "runs.sqlite3")

    async def scenario() -> tuple[Any, Any, Any]:
        async with client_for(demo_app) as client:
            route = await client.get_route("demo/formula-properties")
            for formula in ("H2O", "NaCl", "CO2"):
                started = await client.execute(
                    route, body={"formula": formula}, idempotency_key=f"test-{formula}"
                )
                await wait_done(client, started.action.id)
            pager = HistoryPager(ledger, page_size=2)
            first = await pager.load(
                client, base_url=BASE_URL, route=route, reset=True, expected={}
            )
            second = await pager.load(
                client, base_url=BASE_URL, route=route, reset=False, expected={}
            )
            return first, second, pager

    first, second, pager = run(scenario())
    assert len(first.entries) == 2 and first.more
    assert len(second.entries) == 1 and not second.more
    keys = {e.key for e in first.entries} | {e.key for e in second.entries}
    assert len(keys) == 3  # no run twice across pages
    assert set(pager.names) == {first.entries[0].route_id}
    ledger.close()


def test_history_page_says_why_the_server_runs_are_missing(
    tmp_path: Path, demo_app: Any, faults: Faults
) -> None:
    ledger, _ = RunLedger.open(tmp_path / "runs.sqlite3")

    async def scenario() -> Any:
        async with client_for(demo_app) as client:
            route = await client.get_route("demo/formula-properties")
            faults.injected.append(
                InjectedResponse("GET", r".*actions.*", 403, b'{"error": {"message": "No."}}')
            )
            return await HistoryPager(ledger).load(
                client, base_url=BASE_URL, route=route, reset=True, expected={}
            )

    page = run(scenario())
    assert page.entries == [] and not page.more
    assert page.error and "No." in page.error
    ledger.close()


def test_asset_input_required_follows_a_top_level_ref(demo_routes: dict[str, Route]) -> None:
    plain = demo_routes["predict-electronic-dos-at-fermi-level"]
    raw = copy.deepcopy(plain.raw)
    media = raw["route"]["request_body"]["content"]["application/json"]
    # The same body schema behind a top-level $ref, as OpenAPI importers may write it.
    media["schema"] = {"$ref": "#/$defs/Body", "$defs": {"Body": media["schema"]}}
    behind_ref = Route.from_json(raw)
    assert "properties" not in (behind_ref.request_schema or {})
    assert asset_input_required(plain, "file")
    assert asset_input_required(behind_ref, "file")
