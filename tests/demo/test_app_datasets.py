"""Demo backend in-process: datasets as ouro-py creates and reads them (protocol §13.3, §13.5)."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx

from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults
from ouro_desktop.demo.samples import DATASET_ID as SAMPLE_DATASET
from ouro_desktop.demo.samples import POST_ID as SAMPLE_POST

from .helpers import Demo, data_of, drive, expect_error

SQL = (
    'CREATE TABLE IF NOT EXISTS datasets."dataset" (\n"Sample ID" TEXT,\n  "Temp (K)" BIGINT,\n'
    '  "ratio" DOUBLE PRECISION,\n  "ok" BOOLEAN,\n  "when" TIMESTAMP WITH TIME ZONE,\n'
    '  "tags" TEXT\n)'
)
COLUMNS = ["Sample ID", "Temp (K)", "ratio", "ok", "when", "tags"]


def sdk_rows(n: int, start: int = 0) -> list[dict[str, Any]]:
    """Rows keyed by the names as written, with the value kinds ouro-py sends."""
    return [
        {
            "Sample ID": f"s{i}",
            "Temp (K)": 300 + i,
            "ratio": None if i % 5 == 0 else i / 8,
            "ok": i % 2 == 0,
            "when": f"2024-01-{1 + i % 28:02d}T00:00:00",
            "tags": json.dumps([i]),
        }
        for i in range(start, start + n)
    ]


def create_body(rows: list[dict[str, Any]] | None, name: str = "My CSV") -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": name,
        "visibility": "private",
        "description": "from a drop",
        "schema": SQL,
        "source": "api",
        "asset_type": "dataset",
        "preview": sdk_rows(3),
        "metadata": {"schema": "datasets", "columns": COLUMNS},
        "attribution": {"originality": "original"},
    }
    if rows is not None:
        spec["rows"] = rows
    return {"dataset": spec}


async def post_json(demo: Demo, path: str, body: Any, *, gz: bool) -> httpx.Response:
    raw = json.dumps(body, separators=(",", ":")).encode()
    if not gz:
        return await demo.post(path, content=raw, headers={"Content-Type": "application/json"})
    return await demo.post(
        path,
        content=gzip.compress(raw, 1),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )


async def make_dataset(demo: Demo, rows: int = 30) -> dict[str, Any]:
    response = await post_json(
        demo, "/datasets/create/from-schema", create_body(sdk_rows(rows)), gz=True
    )
    return data_of(response)  # type: ignore[no-any-return]


def test_create_inline_stores_names_types_and_rows(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        response = await post_json(
            demo, "/datasets/create/from-schema", create_body(sdk_rows(30)), gz=True
        )
        body = response.json()
        assert body["row_ingest"] == {"inserted": 30, "skipped": 0}
        dataset = data_of(response)
        assert dataset["asset_type"] == "dataset" and dataset["name"] == "My CSV"
        assert dataset["description"]["text"] == "from a drop"
        meta = dataset["metadata"]
        names = ["sample_id", "temp_k", "ratio", "ok", "when", "tags"]
        assert meta["columns"] == names and meta["schema"] == "datasets"
        assert meta["table_name"] == "ds_" + dataset["id"].replace("-", "")
        assert dataset["preview"][0] == {
            "sample_id": "s0",
            "temp_k": 300,
            "ratio": None,
            "ok": True,
            "when": "2024-01-01T00:00:00",
            "tags": "[0]",
        }
        schema = data_of(await demo.get(f"/datasets/{dataset['id']}/schema"))
        assert [(c["column_name"], c["data_type"]) for c in schema] == [
            ("sample_id", "text"),
            ("temp_k", "bigint"),
            ("ratio", "double precision"),
            ("ok", "boolean"),
            ("when", "timestamp with time zone"),
            ("tags", "text"),
        ]
        stats = data_of(await demo.get(f"/datasets/{dataset['id']}/stats"))
        assert stats["count"] == 30 and stats["columnCount"] == 6 and stats["is_estimate"] is False
        again = data_of(await demo.get(f"/datasets/{dataset['id']}"))
        assert again["id"] == dataset["id"] and again["metadata"]["columns"] == names

    drive(demo_app, scenario)


def test_rows_page_by_offset_and_by_cursor(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        dataset = await make_dataset(demo, rows=25)
        path = f"/datasets/{dataset['id']}/data"
        first = (await demo.get(path, params={"limit": 10, "offset": 0})).json()
        assert [r["temp_k"] for r in first["data"]] == list(range(300, 310))
        assert first["data"][1]["ok"] is False and first["data"][2]["ratio"] == 0.25
        pag = first["pagination"]
        assert pag["hasMore"] is True and pag["total"] == 25 and pag["offset"] == 0
        cursor = pag["nextCursor"]["cursor"]
        second = (await demo.get(path, params={"limit": 10, "cursor": cursor})).json()
        assert [r["temp_k"] for r in second["data"]] == list(range(310, 320))
        last = (
            await demo.get(
                path, params={"limit": 10, "cursor": second["pagination"]["nextCursor"]["cursor"]}
            )
        ).json()
        assert [r["temp_k"] for r in last["data"]] == list(range(320, 325))
        assert last["pagination"]["hasMore"] is False and "nextCursor" not in last["pagination"]
        deep = (await demo.get(path, params={"limit": 10, "offset": 20})).json()
        assert len(deep["data"]) == 5 and deep["pagination"]["hasMore"] is False
        expect_error(await demo.get(path, params={"cursor": "nonsense"}), 400, "invalid_cursor")
        expect_error(await demo.get(path, params={"cursor": cursor, "offset": 3}), 400)

    drive(demo_app, scenario)


def test_append_overwrite_warnings_and_refusals(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        response = await post_json(
            demo, "/datasets/create/from-schema", create_body(None), gz=False
        )
        assert "row_ingest" not in response.json()
        dataset = data_of(response)
        path = f"/datasets/{dataset['id']}/data"
        stats = f"/datasets/{dataset['id']}/stats"
        appended = await post_json(
            demo, path, {"rows": sdk_rows(40), "mode": "append", "finalize": False}, gz=True
        )
        assert data_of(appended) == {"inserted": 40, "updated": 0, "skipped": 0}
        await post_json(
            demo, path, {"rows": sdk_rows(5, 40), "mode": "append", "finalize": True}, gz=False
        )
        assert data_of(await demo.get(stats))["count"] == 45

        extra = [dict(r, **{"Colour": "red"}) for r in sdk_rows(2)]
        warned = (await post_json(demo, path, {"rows": extra, "mode": "append"}, gz=False)).json()
        assert warned["data"]["inserted"] == 2
        assert warned["warning"]["ignored_columns"] == [{"column": "Colour", "count": 2}]

        replaced = await post_json(
            demo, path, {"rows": sdk_rows(3), "mode": "overwrite", "finalize": True}, gz=False
        )
        assert data_of(replaced)["inserted"] == 3
        assert data_of(await demo.get(stats))["count"] == 3

        bad = sdk_rows(3)
        bad[1]["Temp (K)"] = "warm"
        error = expect_error(await post_json(demo, path, {"rows": bad}, gz=False), 400)
        assert "Row 5" in error["message"] and "temp_k" in error["message"]
        assert data_of(await demo.get(stats))["count"] == 3  # the whole batch was refused
        expect_error(
            await post_json(demo, path, {"rows": sdk_rows(1), "mode": "upsert"}, gz=False),
            400,
            "no_primary_key",
        )
        expect_error(await post_json(demo, path, {"rows": "x"}, gz=False), 400)
        garbage = await demo.post(path, content=b"not gzip", headers={"Content-Encoding": "gzip"})
        expect_error(garbage, 400)

        other = await demo.other_user()
        expect_error(await post_json(other, path, {"rows": sdk_rows(1)}, gz=False), 404)

    drive(demo_app, scenario)


def test_a_body_above_the_cap_answers_413(tmp_path: Any) -> None:
    app = create_app(tmp_path / "d", faults=Faults(dataset_body_cap_bytes=20_000))

    async def scenario(demo: Demo) -> None:
        dataset = await make_dataset(demo, rows=5)
        path = f"/datasets/{dataset['id']}/data"
        rows = sdk_rows(200)  # ~27 KB of JSON, ~3 KB gzipped: the cap counts the JSON
        error = expect_error(await post_json(demo, path, {"rows": rows}, gz=True), 413)
        assert error["code"] == "payload_too_large" and error["limit_bytes"] == 20_000
        assert data_of(await post_json(demo, path, {"rows": rows[:100]}, gz=True))["inserted"]
        # A small body that inflates far past the cap is cut off, not inflated whole.
        bomb = gzip.compress(b'{"rows":[' + b" " * 50_000_000 + b"]}", 9)
        assert len(bomb) < 100_000
        expect_error(await demo.post(path, content=bomb, headers={"Content-Encoding": "gzip"}), 413)
        expect_error(await demo.post(path, content=b"{}", headers={"Content-Encoding": "br"}), 415)

    drive(app, scenario)


def test_sql_query_is_read_only_and_sees_one_table(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        dataset = await make_dataset(demo, rows=12)
        other = await make_dataset(demo, rows=3)
        path = f"/datasets/{dataset['id']}/query-custom"
        body = (
            await demo.post(
                path, json={"query": "SELECT count(*) AS n, max(temp_k) AS t FROM {{table}}"}
            )
        ).json()
        assert body["data"] == [{"n": 12, "t": 311}]
        assert dataset["metadata"]["table_name"] in body["query"]
        paged = (
            await demo.post(
                path,
                json={"query": "SELECT temp_k FROM {{table}}", "limit": 5, "offset": 10},
            )
        ).json()
        assert [r["temp_k"] for r in paged["data"]] == [310, 311]
        for sql in (
            "DELETE FROM {{table}}",
            "SELECT 1; DROP TABLE {{table}}",
            f"SELECT * FROM {other['metadata']['table_name']}",
            "SELECT * FROM registry",
        ):
            expect_error(await demo.post(path, json={"query": sql}), 400)
        expect_error(await demo.post(path, json={"prompt": "hot samples"}), 400)
        count = data_of(await demo.get(f"/datasets/{dataset['id']}/stats"))["count"]
        assert count == 12

    drive(demo_app, scenario)


def test_search_datasets_download_and_delete(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        dataset = await make_dataset(demo, rows=3)
        me = demo.backend.seeded.user["id"]
        hits = (
            await demo.get(
                "/search/assets",
                params={"filters": json.dumps({"asset_type": ["dataset", "post"], "user_id": me})},
            )
        ).json()
        # Newest first; the demo's samples were made when it started.
        assert [h["id"] for h in hits["data"]] == [dataset["id"], SAMPLE_POST, SAMPLE_DATASET]
        assert isinstance(hits["data"][0]["preview"], list)
        by_column = (
            await demo.get(
                "/search/assets",
                params={"query": "temp_k", "filters": json.dumps({"asset_type": "dataset"})},
            )
        ).json()
        assert [h["id"] for h in by_column["data"]] == [dataset["id"]]
        other = await demo.other_user()
        theirs = (
            await other.get(
                "/search/assets", params={"filters": json.dumps({"asset_type": "dataset"})}
            )
        ).json()
        assert theirs["data"] == []  # private to its owner
        expect_error(await other.get(f"/datasets/{dataset['id']}/data"), 404)

        csv = await demo.post(f"/assets/{dataset['id']}/download")
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        assert "filename*=UTF-8''My%20CSV.csv" in csv.headers["content-disposition"]
        lines = csv.text.splitlines()
        assert lines[0] == "sample_id,temp_k,ratio,ok,when,tags"
        assert lines[1] == "s0,300,,true,2024-01-01T00:00:00,[0]"
        link = data_of(await demo.post(f"/assets/{dataset['id']}/download-url", json={}))
        assert link["asset_type"] == "dataset" and link["file_name"] == "My CSV.csv"
        fetched = await demo.client.get(link["download_url"])  # no Ouro credentials
        assert fetched.status_code == 200 and fetched.text == csv.text

        gone = data_of(await demo.delete(f"/datasets/{dataset['id']}"))
        assert gone["dry_run"] is False
        expect_error(await demo.get(f"/datasets/{dataset['id']}"), 404, "asset_not_found")

    drive(demo_app, scenario)


def test_datasets_survive_a_restart(tmp_path: Any) -> None:
    data_dir = tmp_path / "d"
    made: dict[str, Any] = {}

    async def first(demo: Demo) -> None:
        made.update(await make_dataset(demo, rows=7))

    async def second(demo: Demo) -> None:
        rows = data_of(await demo.get(f"/datasets/{made['id']}/data", params={"limit": 100}))
        assert [r["sample_id"] for r in rows] == [f"s{i}" for i in range(7)]

    drive(create_app(data_dir), first)
    drive(create_app(data_dir), second)
