"""Demo backend in-process: search, name-to-id, routes, services, compatible routes (§3)."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults

from .helpers import (
    DOS_CURVE,
    DOS_FERMI,
    EOS,
    FORMULA,
    GENERATE,
    POST_FACTS,
    RELAX,
    REPORT,
    REPORT_POST,
    SUPERCELL,
    XRD,
    Demo,
    data_of,
    drive,
    expect_error,
)

ROUTE_SLUGS = {
    DOS_FERMI,
    DOS_CURVE,
    SUPERCELL,
    REPORT,
    REPORT_POST,
    EOS,
    FORMULA,
    POST_FACTS,
    RELAX,
    GENERATE,
    XRD,
}
CIF_ROUTES = {DOS_FERMI, DOS_CURVE, SUPERCELL, REPORT, REPORT_POST, RELAX, XRD}
ASSET_REQUIRED = ("id", "user_id", "org_id", "team_id", "visibility", "asset_type", "created_at")


def search_params(**params: Any) -> dict[str, Any]:
    out = {}
    for key, value in params.items():
        out[key] = json.dumps(value) if isinstance(value, dict) else value
    return out


async def search(demo: Demo, **params: Any) -> dict[str, Any]:
    response = await demo.get("/search/assets", params=search_params(**params))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["error"] is None
    assert set(body["pagination"]) >= {"offset", "limit", "hasMore", "total"}
    return body  # type: ignore[no-any-return]


def test_search_pages_through_everything(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        everything = await search(demo, limit=200)
        total = everything["pagination"]["total"]
        # 4 services + 11 routes + the demo's sample dataset and post
        assert total == len(everything["data"]) == 17
        assert everything["pagination"]["hasMore"] is False
        for hit in everything["data"]:
            for key in ASSET_REQUIRED:
                assert hit[key], (key, hit)
            assert not any(k.startswith("_") for k in hit)

        seen: list[str] = []
        offset = 0
        while True:
            page = await search(demo, limit=4, offset=offset)
            pagination = page["pagination"]
            assert pagination == {
                "offset": offset,
                "limit": 4,
                "hasMore": offset + 4 < total,
                "total": total,
            }
            seen.extend(hit["id"] for hit in page["data"])
            if not pagination["hasMore"]:
                break
            offset += len(page["data"])
        assert seen == [hit["id"] for hit in everything["data"]]
        assert len(set(seen)) == total

        # The server caps limit at 200 and defaults to 20.
        assert (await search(demo, limit=5000))["pagination"]["limit"] == 200
        assert (await search(demo))["pagination"]["limit"] == 20
        past_end = await search(demo, offset=100)
        assert past_end["data"] == [] and past_end["pagination"]["hasMore"] is False

    drive(demo_app, scenario)


def test_the_next_pages_of_a_search_decode_only_their_own_routes(demo_app: Any) -> None:
    """Paging a search whose matches did not change reads only the page's assets (the
    ranking is kept), and gives the same pages as ranking again; a new asset or a new
    run (popularity ranks "relevant") changes the next page at once."""

    async def scenario(demo: Demo) -> None:
        store = demo.backend.store
        everything = await search(demo, limit=200, filters={"asset_type": "route"}, sort="relevant")
        listings: list[int] = []
        briefs = store.asset_briefs

        def counting(**kw: Any) -> Any:
            listings.append(1)
            return briefs(**kw)

        store.asset_briefs = counting
        try:
            seen: list[str] = []
            for offset in range(0, 11, 3):
                page = await search(
                    demo, limit=3, offset=offset, filters={"asset_type": "route"}, sort="relevant"
                )
                seen.extend(hit["id"] for hit in page["data"])
                assert page["pagination"]["total"] == 11
                assert not any(k.startswith("_") for hit in page["data"] for k in hit)
            assert seen == [hit["id"] for hit in everything["data"]]
            assert listings == []  # ranked once, by the first search (limit 200)

            # A run of the last route makes it the most relevant (no query: popularity).
            last = everything["data"][-1]
            slug = last["name_url_slug"]
            body = {"formula": "H2O"} if slug in (FORMULA, POST_FACTS) else None
            if body is None:
                cif = await demo.upload("Al.cif")
                used = await demo.use(slug, inputs={"file": cif["id"]})
            else:
                used = await demo.use(slug, body=body)
            assert used.status_code == 200
            page = await search(
                demo, limit=3, offset=0, filters={"asset_type": "route"}, sort="relevant"
            )
            assert page["data"][0]["id"] == last["id"]
            assert len(listings) == 1
            # A new file is found by the next page of a file search.
            files = await search(demo, limit=50, filters={"asset_type": "file"})
            added = await demo.upload("Na.cif")
            again = await search(demo, limit=50, filters={"asset_type": "file"})
            assert again["pagination"]["total"] == files["pagination"]["total"] + 1
            assert added["id"] in {f["id"] for f in again["data"]}
        finally:
            store.asset_briefs = briefs

    drive(demo_app, scenario)


def test_search_filters_metadata_filters_and_bad_params(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        routes = await search(demo, filters={"asset_type": "route"}, limit=50)
        assert {r["name_url_slug"] for r in routes["data"]} == ROUTE_SLUGS
        assert all(r["route"]["method"] for r in routes["data"])  # route hits may carry `route`
        both = await search(demo, filters={"asset_type": ["service", "file"]}, limit=50)
        assert {a["asset_type"] for a in both["data"]} == {"service"}
        assert both["pagination"]["total"] == 4
        monetized = await search(demo, filters={"asset_type": "route", "visibility": "monetized"})
        assert [r["name_url_slug"] for r in monetized["data"]] == [REPORT]
        # Blank filter values are ignored, as ouro-py strips them.
        blank = await search(demo, filters={"asset_type": "route", "org_id": "", "user_id": None})
        assert blank["pagination"]["total"] == 11

        cif = await demo.upload("Cu.cif")
        csv = await demo.upload("table.csv", b"a,b\n1,2\n3,4\n")
        files = await search(demo, filters={"asset_type": "file"})
        assert {f["id"] for f in files["data"]} == {cif["id"], csv["id"]}
        only_cif = await search(
            demo, filters={"asset_type": "file"}, metadata_filters={"extension": "cif"}
        )
        assert [f["id"] for f in only_cif["data"]] == [cif["id"]]
        listed = await search(
            demo, filters={"asset_type": "file"}, metadata_filters={"extension": ["csv", "xyz"]}
        )
        assert [f["id"] for f in listed["data"]] == [csv["id"]]
        by_type = await search(
            demo, filters={"asset_type": "file"}, metadata_filters={"file_type": "text"}
        )
        assert [f["id"] for f in by_type["data"]] == [csv["id"]]

        for params in (
            {"filters": "{not json"},
            {"filters": "[1]"},
            {"metadata_filters": "nope"},
            {"sort": "sideways"},
            {"scope": "galaxy"},
            {"limit": "many"},
        ):
            expect_error(await demo.get("/search/assets", params=params), 400)

    drive(demo_app, scenario)


def test_search_ranks_on_briefs_as_it_would_on_whole_documents(demo_app: Any) -> None:
    """Search ranks every match from a few fields SQLite reads out of each asset (not
    the whole document, which only the page shown is decoded from): what it finds and
    in which order must be what the whole documents give, for every filter it reads."""
    from ouro_desktop.demo import catalog

    async def scenario(demo: Demo) -> None:
        store = demo.backend.store
        await demo.upload("Cu.cif")
        await demo.upload("table.csv", b"a,b\n1,2\n")
        await demo.use(FORMULA, body={"formula": "H2O"})
        found = store.user_by_key(demo.backend.api_key)
        assert found is not None
        me = found[0]["id"]
        readable = (*catalog.PUBLIC, "inherit")
        cases = [
            {"query": "fermi"},
            {"query": "molar mass", "filters": {"asset_type": "route"}},
            {"query": "cu", "filters": {"asset_type": ["file", "route"]}},
            {"filters": {"asset_type": "file"}, "metadata_filters": {"file_type": "text"}},
            {"filters": {"asset_type": "file"}, "metadata_filters": {"extension": "cif"}},
            {"filters": {"asset_type": "route", "visibility": "monetized"}},
            {"filters": {"asset_type": "route"}, "sort": "relevant"},
            {"filters": {"asset_type": "route"}, "sort": "popular"},
            {"query": "structure", "scope": "personal"},
        ]
        for params in cases:
            hits = (await search(demo, limit=200, **params))["data"]
            whole = {a["id"]: a for a in store.assets()}
            filters = params.get("filters", {})
            meta = params.get("metadata_filters", {})
            terms = str(params.get("query", "")).lower().split()
            expected = {
                i
                for i, a in whole.items()
                if (a["user_id"] == me or a["visibility"] in readable)
                and a["asset_type"] in catalog._as_list(filters.get("asset_type", a["asset_type"]))
                and catalog._matches_filters(a, filters, meta)
                and (not terms or catalog._score(a, terms) >= 0)
                and (params.get("scope") != "personal" or a["user_id"] == me)
            }
            assert {h["id"] for h in hits} == expected, params
            assert expected, params  # each case finds something
            if terms:
                scores = [catalog._score(whole[h["id"]], terms) for h in hits]
                assert scores == sorted(scores, reverse=True), params

    drive(demo_app, scenario)


def test_search_query_sort_and_scope(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        hits = await search(demo, query="fermi")
        slugs = [h["name_url_slug"] for h in hits["data"]]
        assert slugs[0] == DOS_FERMI
        assert all("fermi" in json.dumps(h).lower() for h in hits["data"])
        assert (await search(demo, query="no-such-thing-anywhere"))["data"] == []
        multi = await search(demo, query="molar mass", filters={"asset_type": "route"})
        assert [h["name_url_slug"] for h in multi["data"]] == [FORMULA, POST_FACTS]
        # A UUID query is a direct lookup.
        dos = demo.route(DOS_FERMI)
        direct = await search(demo, query=dos["id"])
        assert [h["id"] for h in direct["data"]] == [dos["id"]]
        assert (await search(demo, query=str(uuid.uuid4())))["data"] == []

        # recent: newest first.
        first = await demo.upload("Al.cif")
        await asyncio.sleep(0.01)
        second = await demo.upload("Na.cif")
        recent = await search(demo, sort="recent", filters={"asset_type": "file"})
        assert [f["id"] for f in recent["data"]] == [second["id"], first["id"]]
        assert recent["data"][0]["created_at"] >= recent["data"][1]["created_at"]

        # popular: the most-run route first.
        for _ in range(2):
            assert (await demo.use(FORMULA, body={"formula": "H2O"})).status_code == 200
        assert (await demo.use(DOS_FERMI, inputs={"file": first["id"]})).status_code == 200
        popular = await search(demo, sort="popular", filters={"asset_type": "route"})
        assert [r["name_url_slug"] for r in popular["data"][:2]] == [FORMULA, DOS_FERMI]

        # scope: another user's public file is visible, but not in my personal scope; their
        # private file is invisible everywhere.
        alice = await demo.other_user("alice")
        public = await alice.upload("Si.cif", name="alice public", visibility="public")
        private = await alice.upload("NaCl.cif", name="alice private")
        files_all = await search(demo, filters={"asset_type": "file"}, scope="all")
        ids_all = {f["id"] for f in files_all["data"]}
        assert public["id"] in ids_all and private["id"] not in ids_all
        personal = await search(demo, filters={"asset_type": "file"}, scope="personal")
        assert {f["id"] for f in personal["data"]} == {first["id"], second["id"]}
        shared = await search(demo, filters={"asset_type": "file"}, scope="shared")
        assert [f["id"] for f in shared["data"]] == [public["id"]]
        assert (await search(demo, query=private["id"]))["data"] == []
        # "null" and blank scopes are dropped (browse everything).
        assert (await search(demo, scope="null", limit=200))["pagination"]["total"] == 20

    drive(demo_app, scenario)


def test_name_to_id_by_username_and_by_service_id(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        dos = demo.route(DOS_FERMI)
        by_user = await demo.post(
            "/elements/common/name-to-id",
            json={"name": DOS_FERMI, "assetType": "route", "entityName": "demo"},
        )
        assert data_of(by_user) == {"id": dos["id"]}
        by_service = await demo.post(
            "/elements/common/name-to-id",
            json={"name": DOS_FERMI, "assetType": "route", "entityName": dos["parent_id"]},
        )
        assert data_of(by_service) == {"id": dos["id"]}
        relax = demo.route(RELAX)
        assert data_of(
            await demo.post(
                "/elements/common/name-to-id",
                json={"name": RELAX, "assetType": "route", "entityName": "demo"},
            )
        ) == {"id": relax["id"]}
        for body in (
            {"name": "no-such-route", "assetType": "route", "entityName": "demo"},
            {"name": DOS_FERMI, "assetType": "route", "entityName": "nobody"},
            {"name": DOS_FERMI, "assetType": "route", "entityName": relax["parent_id"]},
            {"name": DOS_FERMI, "assetType": "file", "entityName": "demo"},
        ):
            error = expect_error(
                await demo.post("/elements/common/name-to-id", json=body), 404, "asset_not_found"
            )
            assert body["name"] in error["message"]

    drive(demo_app, scenario)


def _has_ref(value: Any) -> bool:
    if isinstance(value, dict):
        return "$ref" in value or any(_has_ref(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_ref(v) for v in value)
    return False


def _check_route_block(route: dict[str, Any]) -> None:
    block = route["route"]
    assert block["security"] is None
    assert isinstance(block["parameters"], list)
    assert block["method"] == "POST" and block["path"].startswith("/")
    assert block["execution_mode"] in ("sync", "async")
    assert not _has_ref(block), route["name"]
    schema = block["request_body"]["content"]["application/json"]["schema"]
    assert schema["type"] == "object" and schema["properties"]
    for decl in (block.get("input_assets") or {}).values():
        assert decl["asset_type"] in ("file", "dataset", "post")
    for decl in (block.get("output_assets") or {}).values():
        assert decl["asset_type"] in ("file", "dataset", "post")


def test_get_route_block_and_metrics(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        dos = demo.route(DOS_FERMI)
        route = data_of(await demo.get(f"/routes/{dos['id']}"))
        assert route["id"] == dos["id"] and route["parent_id"] == dos["parent_id"]
        assert route["asset_type"] == "route"
        _check_route_block(route)
        assert route["route"]["input_assets"]["file"]["file_extensions"] == ["cif"]
        assert route["route"]["input_assets"]["file"]["primary"] is True
        assert route["metrics"] is None

        # A real imported spec keeps its ouro-* header parameters and has refs inlined.
        relax = data_of(await demo.get(f"/routes/{demo.route(RELAX)['id']}"))
        _check_route_block(relax)
        names = {p["name"] for p in relax["route"]["parameters"]}
        assert any(n.startswith("ouro-") for n in names)
        assert "file" in relax["route"]["output_assets"]
        curve = data_of(await demo.get(f"/routes/{demo.route(DOS_CURVE)['id']}"))
        assert curve["route"]["execution_mode"] == "async"
        assert curve["route"]["response_charts"]

        cu = await demo.upload("Cu.cif")
        for _ in range(2):
            assert (await demo.use(DOS_FERMI, inputs={"file": cu["id"]})).status_code == 200
        metrics = data_of(await demo.get(f"/routes/{dos['id']}"))["metrics"]
        assert metrics["latency_sample_count"] == 2
        for key in ("avg_completion_ms", "p50_completion_ms", "p95_completion_ms", "avg_ack_ms"):
            assert isinstance(metrics[key], int) and metrics[key] >= 0, key

        expect_error(await demo.get(f"/routes/{uuid.uuid4()}"), 404, "asset_not_found")
        expect_error(await demo.get("/routes/not-a-uuid"), 404, "asset_not_found")
        # A service id is not a route.
        expect_error(await demo.get(f"/routes/{dos['parent_id']}"), 404, "asset_not_found")
        # A file id is not a route either.
        expect_error(await demo.get(f"/routes/{cu['id']}"), 404, "asset_not_found")

    drive(demo_app, scenario)


def test_services_routes_and_spec(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        response = await demo.get("/services")
        body = response.json()
        assert "pagination" not in body and body["error"] is None
        services = body["data"]
        assert len(services) == 4
        for service in services:
            assert service["asset_type"] == "service"
            assert service["metadata"]["base_url"]
            assert service["metadata"]["authentication"] == "None"
        dos = demo.route(DOS_FERMI)
        service = data_of(await demo.get(f"/services/{dos['parent_id']}"))
        assert service["id"] == dos["parent_id"] and service["name"] == "Demo materials tools"

        routes_body = (await demo.get(f"/services/{dos['parent_id']}/routes")).json()
        assert "pagination" not in routes_body
        routes = routes_body["data"]
        assert {r["name_url_slug"] for r in routes} == {
            DOS_FERMI,
            DOS_CURVE,
            SUPERCELL,
            REPORT,
            REPORT_POST,
            EOS,
            XRD,
        }
        for route in routes:
            assert route["parent_id"] == dos["parent_id"]
            _check_route_block(route)
            assert "metrics" in route

        spec = data_of(await demo.get(f"/services/{dos['parent_id']}/spec"))
        assert spec["openapi"].startswith("3.")
        assert set(spec["paths"]) == {
            "/materials/dos/fermi-level",
            "/materials/dos/curve",
            "/materials/structure/supercell",
            "/materials/structure/report",
            "/materials/structure/report/post",
            "/materials/eos/fit",
            "/materials/xrd/powder-pattern",
        }
        relax_spec = data_of(await demo.get(f"/services/{demo.route(RELAX)['parent_id']}/spec"))
        assert "/materials/structure/relax" in relax_spec["paths"]

        children = data_of(await demo.get(f"/assets/{dos['parent_id']}/children"))
        assert {c["id"] for c in children} == {r["id"] for r in routes}
        assert data_of(await demo.get(f"/assets/{dos['id']}/type")) == {"asset_type": "route"}
        assert data_of(await demo.get(f"/assets/{dos['parent_id']}/type")) == {
            "asset_type": "service"
        }
        view = await demo.post(
            f"/assets/{dos['id']}/view",
            json={"source": "api", "type": "full", "pathname": f"/assets/{dos['id']}"},
        )
        assert data_of(view) is None

        expect_error(await demo.get(f"/services/{dos['id']}"), 404, "asset_not_found")
        expect_error(await demo.get(f"/services/{uuid.uuid4()}/routes"), 404, "asset_not_found")
        expect_error(await demo.get(f"/assets/{uuid.uuid4()}/type"), 404, "asset_not_found")

    drive(demo_app, scenario)


def test_compatible_routes(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        cu = await demo.upload("Cu.cif")
        body = (await demo.get(f"/assets/{cu['id']}/compatible-routes")).json()
        assert body["error"] is None
        slugs = {r["name_url_slug"] for r in body["data"]}
        assert slugs == CIF_ROUTES
        assert (
            body["pagination"]["total"] == len(CIF_ROUTES)
            and body["pagination"]["hasMore"] is False
        )
        for route in body["data"]:
            _check_route_block(route)

        page = (
            await demo.get(
                f"/assets/{cu['id']}/compatible-routes",
                params={"limit": 2, "offset": 0, "sort": "popular"},
            )
        ).json()
        assert len(page["data"]) == 2
        assert page["pagination"] == {
            "offset": 0,
            "limit": 2,
            "hasMore": True,
            "total": len(CIF_ROUTES),
        }
        rest = (
            await demo.get(
                f"/assets/{cu['id']}/compatible-routes",
                params={"limit": 2, "offset": len(CIF_ROUTES) - 1},
            )
        ).json()
        assert len(rest["data"]) == 1 and rest["pagination"]["hasMore"] is False

        query = (
            await demo.get(f"/assets/{cu['id']}/compatible-routes", params={"query": "supercell"})
        ).json()
        assert [r["name_url_slug"] for r in query["data"]] == [SUPERCELL]
        outputs = (
            await demo.get(
                f"/assets/{cu['id']}/compatible-routes", params={"output_asset_type": "file"}
            )
        ).json()
        assert {r["name_url_slug"] for r in outputs["data"]} == {SUPERCELL, RELAX, XRD}

        # popular: a route that was run comes first.
        assert (await demo.use(DOS_FERMI, inputs={"file": cu["id"]})).status_code == 200
        popular = (
            await demo.get(f"/assets/{cu['id']}/compatible-routes", params={"sort": "popular"})
        ).json()
        assert popular["data"][0]["name_url_slug"] == DOS_FERMI

        csv = await demo.upload("t.csv", b"x,y\n1,2\n")
        none = (await demo.get(f"/assets/{csv['id']}/compatible-routes")).json()
        assert none["data"] == [] and none["pagination"]["total"] == 0
        expect_error(
            await demo.get(f"/assets/{uuid.uuid4()}/compatible-routes"), 404, "asset_not_found"
        )

    drive(demo_app, scenario)


def test_stats_and_cost(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        dos = demo.route(DOS_FERMI)
        stats = data_of(await demo.get(f"/routes/{dos['id']}/stats"))
        assert stats == {
            "access": "public",
            "total": 0,
            "userTotal": 0,
            "inProgress": [],
            "monetization": None,
        }
        cu = await demo.upload("Cu.cif")
        assert (await demo.use(DOS_FERMI, inputs={"file": cu["id"]})).status_code == 200
        demo.backend.faults.route_latency[DOS_FERMI] = 30.0
        pending = await demo.use(DOS_FERMI, inputs={"file": cu["id"]}, prefer_async=True)
        assert pending.status_code == 202
        await asyncio.sleep(0.05)
        stats = data_of(await demo.get(f"/routes/{dos['id']}/stats"))
        assert stats["total"] == 2 and stats["userTotal"] == 2
        assert [a["id"] for a in stats["inProgress"]] == [pending.json()["action"]["id"]]
        assert stats["inProgress"][0]["status"] in ("queued", "in-progress")

        report = demo.route(REPORT)
        money = data_of(await demo.get(f"/routes/{report['id']}/stats"))["monetization"]
        assert money["monetization"] == "pay-per-use"
        assert money["price_currency"] == "usd" and money["unit_cost"] == 0.05

        cost = data_of(
            await demo.get(
                f"/services/{report['parent_id']}/routes/{report['id']}/cost",
                params={"file_id": cu["id"]},
            )
        )["cost"]
        assert cost["unit_cost"] == 0.05 and cost["total_cost"] == 0.05
        assert cost["currency"] == "usd" and cost["quantity"] == 1
        free = data_of(await demo.get(f"/services/{dos['parent_id']}/routes/{dos['id']}/cost"))
        assert free["cost"]["total_cost"] == 0

        # The route must belong to the service named in the path.
        expect_error(
            await demo.get(
                f"/services/{report['parent_id']}/routes/{demo.route(FORMULA)['id']}/cost"
            ),
            404,
            "asset_not_found",
        )
        expect_error(await demo.get(f"/routes/{uuid.uuid4()}/stats"), 404, "asset_not_found")

    drive(demo_app, scenario)


def test_popular_counts_runs_inside_the_time_window_of_the_backend_clock(tmp_path: Path) -> None:
    now = [1_700_000_000.0]
    faults = Faults(time_scale=0.01, token_ttl=10**7)
    app = create_app(tmp_path / "d", faults=faults, clock=lambda: now[0])

    async def scenario(demo: Demo) -> None:
        for _ in range(2):
            assert (await demo.use(FORMULA, body={"formula": "H2O"})).status_code == 200
        now[0] += 2 * 86400
        cu = await demo.upload("Cu.cif")
        assert (await demo.use(DOS_FERMI, inputs={"file": cu["id"]})).status_code == 200

        async def top(window: str) -> list[str]:
            body = await search(
                demo, sort="popular", time_window=window, filters={"asset_type": "route"}
            )
            return [r["name_url_slug"] for r in body["data"][:2]]

        assert (await top("day"))[0] == DOS_FERMI
        assert await top("week") == [FORMULA, DOS_FERMI]
        assert await top("month") == [FORMULA, DOS_FERMI]
        assert await top("all") == [FORMULA, DOS_FERMI]

    drive(app, scenario)
