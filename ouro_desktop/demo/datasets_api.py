"""Dataset and post endpoints of the demo backend (ouro-protocol.md §13.3–13.6, §13.9).

Bodies may arrive gzipped (ouro-py compresses dataset writes of 2 KB or more); a dataset
body above :attr:`.faults.Faults.dataset_body_cap_bytes` answers 413, which ouro-py meets
by halving its batch. Table work runs in a worker thread so a big batch never stalls the
event loop the app's window shares with the in-process demo.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import ApiError
from .http import Caller, body_bytes, endpoint, int_param, json_body, ok, parse_json_object
from .posts import markdown_doc

if TYPE_CHECKING:
    from .app import DemoBackend


def _backend(request: Request) -> DemoBackend:
    return request.app.state.backend  # type: ignore[no-any-return]


async def _dataset_body(request: Request) -> dict[str, Any]:
    backend = _backend(request)
    raw = await body_bytes(request, backend.faults.dataset_body_cap_bytes)
    return await asyncio.to_thread(parse_json_object, raw)


# -- datasets --------------------------------------------------------------------------------
@endpoint()
async def create_dataset(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    body = await _dataset_body(request)
    spec = body.get("dataset")
    if not isinstance(spec, dict):
        raise ApiError(400, "A 'dataset' object is required.")
    team_id = spec.get("team_id") if isinstance(spec.get("team_id"), str) else None
    asset, ingest, warning = await asyncio.to_thread(
        backend.datasets.create, caller.user, spec, team_id
    )
    extra: dict[str, Any] = {}
    if ingest is not None:
        extra["row_ingest"] = ingest
    if warning is not None:
        extra["warning"] = warning
    return ok(asset, **extra)


@endpoint()
async def add_rows(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    body = await _dataset_body(request)
    counts, warning = await asyncio.to_thread(
        backend.datasets.ingest, caller.user, request.path_params["id"], body
    )
    return ok(counts, **({"warning": warning} if warning else {}))


@endpoint()
async def get_dataset(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    asset = backend.datasets.readable(caller.user, request.path_params["id"])
    return ok(backend.datasets.public(asset))


@endpoint()
async def update_dataset(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    spec = (await json_body(request)).get("dataset") or {}
    if not isinstance(spec, dict):
        raise ApiError(400, "A 'dataset' object is required.")
    return ok(backend.datasets.update(caller.user, request.path_params["id"], spec))


@endpoint()
async def delete_dataset(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    asset = backend.datasets.owned(caller.user, request.path_params["id"])
    dry = request.query_params.get("dry_run", "false").lower() == "true"
    if not dry:
        await asyncio.to_thread(backend.datasets.delete, asset)
    return ok(_deleted(asset, dry))


@endpoint()
async def dataset_schema(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    asset = backend.datasets.readable(caller.user, request.path_params["id"])
    return ok(await asyncio.to_thread(backend.datasets.schema, asset))


@endpoint()
async def dataset_stats(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    asset = backend.datasets.readable(caller.user, request.path_params["id"])
    return ok(await asyncio.to_thread(backend.datasets.stats, asset))


@endpoint()
async def dataset_rows(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    asset = backend.datasets.readable(caller.user, request.path_params["id"])
    limit = int_param(request, "limit", 100, 1, 1000) or 100
    offset = int_param(request, "offset", 0) or 0
    cursor = request.query_params.get("cursor") or None
    if cursor and request.query_params.get("offset"):
        raise ApiError(400, "Page with a cursor or with an offset, not both.")
    rows, pagination = await asyncio.to_thread(
        backend.datasets.rows_page, asset, limit=limit, offset=offset, cursor=cursor
    )
    return ok(rows, pagination=pagination)


@endpoint()
async def dataset_query(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    asset = backend.datasets.readable(caller.user, request.path_params["id"])
    body = await json_body(request)
    sql = body.get("query")
    if not isinstance(sql, str) or not sql.strip():
        if body.get("prompt"):
            raise ApiError(
                400, "The demo cannot write SQL from a description; send the SQL as 'query'."
            )
        raise ApiError(400, "Send the SQL to run as 'query'.")
    limit = body.get("limit") if isinstance(body.get("limit"), int) else None
    offset = body.get("offset") if isinstance(body.get("offset"), int) else 0
    rows, ran = await asyncio.to_thread(
        backend.datasets.tables.query,
        backend.datasets.table_of(asset),
        sql,
        limit=limit,
        offset=offset,
    )
    extra: dict[str, Any] = {"query": ran}
    if limit is not None:
        extra["pagination"] = {
            "offset": offset,
            "limit": limit,
            "hasMore": len(rows) == limit,
        }
    return ok(rows, **extra)


@endpoint()
async def dataset_views(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    backend.datasets.readable(caller.user, request.path_params["id"])
    return ok([])


# -- posts -----------------------------------------------------------------------------------
@endpoint()
async def create_post(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    body = await json_body(request)
    spec = body.get("post")
    if not isinstance(spec, dict):
        raise ApiError(400, "A 'post' object is required.")
    team_id = spec.get("team_id") if isinstance(spec.get("team_id"), str) else None
    return ok(backend.posts.create(caller.user, spec, body.get("content"), team_id))


@endpoint()
async def get_post(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    return ok(backend.posts.readable(caller.user, request.path_params["id"]))


@endpoint()
async def update_post(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    body = await json_body(request)
    spec = body.get("post") if isinstance(body.get("post"), dict) else {}
    return ok(
        backend.posts.update(caller.user, request.path_params["id"], spec, body.get("content"))
    )


@endpoint()
async def delete_post(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    asset = backend.posts.owned(caller.user, request.path_params["id"])
    dry = request.query_params.get("dry_run", "false").lower() == "true"
    if not dry:
        backend.store.delete_asset(asset["id"])
    return ok(_deleted(asset, dry))


@endpoint()
async def convert_markdown(request: Request, caller: Caller) -> Response:
    """``POST /utilities/convert/from-markdown``: top-level ``{json, markdown}``, no envelope."""
    body = await json_body(request)
    markdown = body.get("markdown")
    if not isinstance(markdown, str):
        raise ApiError(400, "Send the text as 'markdown'.")
    return JSONResponse({"json": markdown_doc(markdown), "markdown": markdown})


def _deleted(asset: dict[str, Any], dry: bool) -> dict[str, Any]:
    return {
        "id": asset["id"],
        "name": asset.get("name"),
        "asset_type": asset["asset_type"],
        "deleted_children": [],
        "dry_run": dry,
    }


DATASET_ROUTES = [
    Route("/datasets/create/from-schema", create_dataset, methods=["POST"]),
    Route("/datasets/{id}/data", add_rows, methods=["POST"]),
    Route("/datasets/{id}/data", dataset_rows, methods=["GET"]),
    Route("/datasets/{id}/schema", dataset_schema),
    Route("/datasets/{id}/stats", dataset_stats),
    Route("/datasets/{id}/query-custom", dataset_query, methods=["POST"]),
    Route("/datasets/{id}/visualizations", dataset_views),
    Route("/datasets/{id}", get_dataset, methods=["GET"]),
    Route("/datasets/{id}", update_dataset, methods=["PUT"]),
    Route("/datasets/{id}", delete_dataset, methods=["DELETE"]),
    Route("/posts/create", create_post, methods=["POST"]),
    Route("/posts/{id}", get_post, methods=["GET"]),
    Route("/posts/{id}", update_post, methods=["PUT"]),
    Route("/posts/{id}", delete_post, methods=["DELETE"]),
    Route("/utilities/convert/from-markdown", convert_markdown, methods=["POST"]),
]
