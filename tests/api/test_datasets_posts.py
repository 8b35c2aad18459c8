"""OuroClient with datasets and posts, against the demo backend in-process (protocol §13)."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ouro_desktop.api import (
    DatasetAsset,
    FileAsset,
    OuroClient,
    PayloadTooLargeError,
    PostAsset,
    UploadCancelled,
)
from ouro_desktop.api.datasets import ColumnSpec, create_table_sql
from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults
from ouro_desktop.demo.samples import DATASET_ID as SAMPLE_DATASET
from ouro_desktop.demo.samples import POST_ID as SAMPLE_POST

from .helpers import EXAMPLES, asgi, run

COLUMNS = [
    ColumnSpec("Volume (A3)", "number"),
    ColumnSpec("Energy", "number"),
    ColumnSpec("label", "text"),
    ColumnSpec("ok", "boolean"),
]


def json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def rows(n: int, start: int = 0) -> Iterator[tuple[Any, ...]]:
    for i in range(start, start + n):
        yield (10.0 + i / 1000, -3.5 + i / 1e6, f"row {i} “quoted”", i % 2 == 0)


class Wire(httpx.AsyncBaseTransport):
    """Forwards to the demo and keeps each request's method, path, headers and JSON body."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.seen: list[tuple[str, str, dict[str, str], Any, int]] = []
        self.gate: asyncio.Event | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raw = await request.aread()
        gz = request.headers.get("content-encoding") == "gzip"
        body = json.loads(gzip.decompress(raw) if gz else raw) if raw else None
        self.seen.append((request.method, request.url.path, dict(request.headers), body, len(raw)))
        if self.gate is not None and request.url.path.endswith("/data"):
            await self.gate.wait()
        return await self.inner.handle_async_request(request)

    def posts(self, suffix: str) -> list[tuple[dict[str, str], Any, int]]:
        return [(h, b, n) for m, p, h, b, n in self.seen if m == "POST" and p.endswith(suffix)]


def client_with(app: Any) -> tuple[OuroClient, Wire]:
    wire = Wire(asgi(app))
    return OuroClient("http://demo.test", app.state.backend.api_key, transport=wire), wire


def test_a_small_table_is_one_request_with_stored_names(demo_app: Any) -> None:
    async def scenario() -> None:
        client, wire = client_with(demo_app)
        async with client:
            await client.sign_in()
            seen: list[tuple[int, int]] = []
            made = await client.create_dataset(
                "E(V) of Cu",
                COLUMNS,
                rows(20),
                description="from a drop",
                progress=lambda a, b: seen.append((a, b)),
            )
        assert isinstance(made, DatasetAsset) and made.inserted == 20 and seen == [(20, 20)]
        assert made.columns == ("volume_a3", "energy", "label", "ok")
        assert wire.posts("/data") == []
        ((headers, body, _),) = wire.posts("/from-schema")
        assert headers["content-encoding"] == "gzip"  # ≥ 2 KB of JSON
        spec = body["dataset"]
        assert spec["metadata"] == {"schema": "datasets", "columns": list(made.columns)}
        assert spec["schema"] == create_table_sql(
            made.columns, ["number", "number", "text", "boolean"]
        )
        assert '"volume_a3" DOUBLE PRECISION' in spec["schema"]
        assert len(spec["preview"]) == 12 and len(spec["rows"]) == 20
        assert spec["rows"][1] == {
            "volume_a3": 10.001,
            "energy": -3.499999,
            "label": "row 1 “quoted”",
            "ok": False,
        }
        assert spec["attribution"] == {"originality": "original"} and spec["source"] == "api"
        assert made.preview[0]["label"] == "row 0 “quoted”"  # as the server stored it

    run(scenario())


def test_a_big_table_streams_in_bounded_gzip_batches(demo_app: Any) -> None:
    async def scenario() -> None:
        client, wire = client_with(demo_app)
        async with client:
            await client.sign_in()
            seen: list[int] = []
            made = await client.create_dataset(
                "big",
                COLUMNS,
                rows(30_000),
                total_rows=30_000,
                batch_bytes=200_000,
                progress=lambda a, b: seen.append(a),
            )
            stats = await client.dataset_stats(made.id)
            tail = await client.dataset_rows(made.id, limit=2, offset=29_998)
        creates = wire.posts("/from-schema")
        assert len(creates) == 1 and "rows" not in creates[0][1]["dataset"]
        batches = wire.posts("/data")
        assert len(batches) >= 10
        assert all(h["content-encoding"] == "gzip" for h, _, _ in batches)
        assert all(json_size(b["rows"]) <= 200_000 for _, b, _ in batches)
        assert [b["finalize"] for _, b, _ in batches] == [False] * (len(batches) - 1) + [True]
        assert {b["mode"] for _, b, _ in batches} == {"append"}
        assert sum(len(b["rows"]) for _, b, _ in batches) == 30_000
        assert all(n < 0.5 * 200_000 for _, _, n in batches)  # compressed on the wire
        assert seen == sorted(seen) and seen[-1] == 30_000 == made.inserted == stats.count
        assert [r["label"] for r in tail.rows] == ["row 29998 “quoted”", "row 29999 “quoted”"]

    run(scenario())


def test_a_413_halves_the_batch_and_shrinks_the_next_ones(tmp_path: Path) -> None:
    app = create_app(tmp_path / "d", faults=Faults(dataset_body_cap_bytes=60_000))

    async def scenario() -> None:
        client, wire = client_with(app)
        async with client:
            await client.sign_in()
            made = await client.create_dataset("halved", COLUMNS, rows(20_000), batch_bytes=200_000)
            count = (await client.dataset_stats(made.id)).count
            table = [r async for page in client.iter_dataset_rows(made.id) for r in page]
        sizes = [
            len(json.dumps(b["rows"], separators=(",", ":"))) for _, b, _ in wire.posts("/data")
        ]
        assert sizes[0] > 60_000  # refused
        assert count == 20_000 == made.inserted
        assert [r["label"] for r in table] == [f"row {i} “quoted”" for i in range(20_000)]
        # After a 413 the reader makes smaller batches: only the batches already made when
        # the first 413 comes back (the one sent, the one queued and the one being read: at
        # most 3) meet a 413, each up to 3 times (~214 KB, then both ~107 KB halves), not
        # all ~9 batches of the upload. (The demo now answers a batch's 413 after
        # gunzipping it off its loop, so on a busy machine the third batch is often made.)
        refused = [s for s in sizes if s > 60_000]
        assert len(refused) <= 9 and all(s <= 60_000 for s in sizes[-10:]), sizes

    run(scenario())


def test_a_single_row_too_big_fails_and_leaves_no_dataset(tmp_path: Path) -> None:
    app = create_app(tmp_path / "d", faults=Faults(dataset_body_cap_bytes=30_000))

    async def scenario() -> None:
        client, _ = client_with(app)
        async with client:
            await client.sign_in()
            huge = [(1.0, 2.0, "x" * 40_000, True)] * 2 + [(1.0, 2.0, "y", True)] * 2
            with pytest.raises(PayloadTooLargeError):
                await client.create_dataset("huge", COLUMNS, huge, batch_bytes=100_000)
            # Only the demo's own sample table is left.
            assert [d.id for d in (await client.search_datasets()).items] == [SAMPLE_DATASET]

    run(scenario())


def test_cancel_and_a_bad_row_stop_the_upload_and_delete_the_dataset(demo_app: Any) -> None:
    async def scenario() -> None:
        client, wire = client_with(demo_app)
        async with client:
            await client.sign_in()
            cancel = asyncio.Event()

            def stop_early(done: int, total: int) -> None:
                if done >= 3000:
                    cancel.set()

            with pytest.raises(UploadCancelled):
                await client.create_dataset(
                    "cancelled",
                    COLUMNS,
                    rows(50_000),
                    batch_bytes=100_000,
                    progress=stop_early,
                    cancel=cancel,
                )

            def broken() -> Iterator[tuple[Any, ...]]:
                yield from rows(5000)
                raise ValueError("row 5,001 of the file could not be read")

            with pytest.raises(ValueError, match="5,001"):
                await client.create_dataset("broken", COLUMNS, broken(), batch_bytes=100_000)
            # Only the demo's own sample table is left.
            assert [d.id for d in (await client.search_datasets()).items] == [SAMPLE_DATASET]
        deletes = [p for m, p, _, _, _ in wire.seen if m == "DELETE"]
        assert len(deletes) == 2 and all(p.startswith("/datasets/") for p in deletes)

    run(scenario())


def test_rows_are_read_only_a_few_batches_ahead_of_the_network(demo_app: Any) -> None:
    """Bounded memory: while the server has not answered, the reader is not drained."""
    pulled = 0

    def counted() -> Iterator[tuple[Any, ...]]:
        nonlocal pulled
        for row in rows(100_000):
            pulled += 1
            yield row

    async def scenario() -> None:
        client, wire = client_with(demo_app)
        wire.gate = asyncio.Event()
        async with client:
            await client.sign_in()
            upload = asyncio.ensure_future(
                client.create_dataset("gated", COLUMNS, counted(), batch_bytes=50_000)
            )
            while not wire.posts("/data"):
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.3)  # time enough to read far ahead, were it allowed
            per_batch = len(wire.posts("/data")[0][1]["rows"])
            assert pulled <= 4 * per_batch + 1, (pulled, per_batch)
            wire.gate.set()
            made = await upload
        assert made.inserted == 100_000 == pulled

    run(scenario())


def test_search_assets_by_type_rows_posts_and_downloads(demo_app: Any, tmp_path: Path) -> None:
    async def scenario() -> None:
        client, _ = client_with(demo_app)
        async with client:
            await client.sign_in()
            cif = tmp_path / "Cu.cif"
            cif.write_bytes((EXAMPLES / "Cu.cif").read_bytes())
            file = await client.upload_file(cif)
            table = await client.create_dataset("table", COLUMNS, rows(250))
            post = await client.create_post(
                "Copper note",
                "# Copper\nCu melts at **1358 K**.\n\nSecond paragraph.",
                description="a short note",
            )
            mixed = await client.search_assets(asset_type=["file", "dataset", "post"])
            kinds = {a.id: type(a).__name__ for a in mixed.items}
            assert kinds == {
                file.id: "FileAsset",
                table.id: "DatasetAsset",
                post.id: "PostAsset",
                SAMPLE_DATASET: "DatasetAsset",  # the demo's samples
                SAMPLE_POST: "PostAsset",
            }
            only_cif = await client.search_assets(asset_type="file", extensions=["cif"])
            assert [a.id for a in only_cif.items] == [file.id]
            assert (await client.search_assets(asset_type="file", file_type="image")).items == []
            assert [d.id for d in (await client.search_datasets()).items] == [
                table.id,
                SAMPLE_DATASET,
            ]
            found = (await client.search_posts("copper")).items
            # The sample post (about copper, mentioned more often) ranks first.
            assert [p.id for p in found] == [SAMPLE_POST, post.id]
            assert found[1].first_lines() == [
                "# Copper",
                "Cu melts at **1358 K**.",
                "Second paragraph.",
            ]

            assert isinstance(await client.get_asset(file.id), FileAsset)
            assert isinstance(await client.get_asset(table.id), DatasetAsset)
            read = await client.get_asset(post.id)
            assert isinstance(read, PostAsset) and read.doc is not None
            assert read.description == "a short note"
            schema = await client.dataset_schema(table.id)
            assert [(c.name, c.kind) for c in schema] == [
                ("volume_a3", "number"),
                ("energy", "number"),
                ("label", "text"),
                ("ok", "boolean"),
            ]
            first = await client.dataset_rows(table.id, limit=100)
            assert first.has_more and first.total == 250 and first.next_cursor
            second = await client.dataset_rows(table.id, limit=100, cursor=first.next_cursor)
            assert second.rows[0]["label"] == "row 100 “quoted”" and second.offset is None
            pages = [len(p) async for p in client.iter_dataset_rows(table.id, page_size=100)]
            assert pages == [100, 100, 50]

            csv_path = await client.download_asset(table.id, tmp_path / "table.csv")
            lines = csv_path.read_text(encoding="utf-8").splitlines()
            assert lines[0] == "volume_a3,energy,label,ok" and len(lines) == 251
            md = await client.download_asset(post.id, tmp_path / "note.md")
            assert md.read_text() == "# Copper\nCu melts at **1358 K**.\n\nSecond paragraph."
            if os.name == "posix":
                # Saved like any file of the person's (umask 022 here): a colleague can
                # open it in a shared folder (it was owner-only, as a temporary file is).
                assert csv_path.stat().st_mode & 0o777 == 0o644
                assert md.stat().st_mode & 0o777 == 0o644
                assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    old_umask = os.umask(0o022)
    try:
        run(scenario())
    finally:
        os.umask(old_umask)


def test_search_sends_ouro_py_shaped_filters(demo_app: Any) -> None:
    async def scenario() -> None:
        seen: list[httpx.URL] = []

        class Spy(httpx.AsyncBaseTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                seen.append(request.url)
                return await asgi(demo_app).handle_async_request(request)

        async with OuroClient(
            "http://demo.test", demo_app.state.backend.api_key, transport=Spy()
        ) as client:
            me = await client.sign_in()
            await client.search_assets("cu", asset_type=["dataset", "post"])
            await client.search_assets(asset_type="file", extensions=[".CIF"], file_type="image")
        first, second = (u.params for u in seen if u.path == "/search/assets")
        assert json.loads(first["filters"]) == {"asset_type": ["dataset", "post"], "user_id": me.id}
        assert first["query"] == "cu" and first["scope"] == "all" and "sort" not in first
        assert json.loads(second["metadata_filters"]) == {
            "extension": ["cif"],
            "file_type": "image",
        }
        assert second["sort"] == "recent"

    run(scenario())


def test_execute_sends_header_parameters_as_config_headers(demo_app: Any) -> None:
    async def scenario() -> None:
        bodies: list[Any] = []

        class Spy(httpx.AsyncBaseTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                if request.url.path.endswith("/use"):
                    bodies.append(json.loads(await request.aread()))
                return await asgi(demo_app).handle_async_request(request)

        async with OuroClient(
            "http://demo.test", demo_app.state.backend.api_key, transport=Spy()
        ) as client:
            route = await client.get_route("demo/formula-properties")
            await client.execute(
                route,
                body={"formula": "NaCl"},
                headers={"authorization": "Bearer k"},
                idempotency_key=str(uuid.uuid4()),
            )
            await client.execute(route, body={"formula": "NaCl"}, idempotency_key=str(uuid.uuid4()))
        assert bodies[0]["config"]["headers"] == {"authorization": "Bearer k"}
        assert "headers" not in bodies[1]["config"]

    run(scenario())
