"""The demo backend's ASGI app: Ouro's REST surface for auth, discovery, runs and actions.

``create_app(data_dir)`` builds it; the same app serves the offline demo in the window
(in-process through httpx's ASGI transport) and the tests (in-process and over loopback).
Files and storage endpoints live in :mod:`.files_api`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import catalog
from .auth import issue_token
from .collector import collector_paused
from .dataset_tables import DatasetTables
from .datasets import DatasetService
from .datasets_api import DATASET_ROUTES
from .errors import ApiError
from .execution import Executor
from .faults import Faults
from .files import FileService
from .files_api import FILE_ROUTES
from .http import (
    Caller,
    bool_param,
    endpoint,
    int_param,
    json_body,
    list_param,
    ok,
    paged,
    paged_texts,
)
from .json_text import JsonText
from .posts import PostService
from .samples import seed_samples
from .seed import Seeded, seed
from .services.base import DemoService
from .store import Store, iso

SWEEP_INTERVAL_S = 1.0


class DemoBackend:
    """Everything behind the endpoints, reachable as ``app.state.backend`` in tests."""

    def __init__(self, store: Store, seeded: Seeded, faults: Faults) -> None:
        self.store = store
        self.seeded = seeded
        self.faults = faults
        self.files = FileService(store, seeded.team)
        self.tables = DatasetTables(store.data_dir / "datasets.sqlite3")
        self.datasets = DatasetService(store, self.tables, seeded.team)
        self.posts = PostService(store, seeded.team)
        seed_samples(store, seeded.user, self.datasets, self.posts)  # once per data dir
        self.executor = Executor(store, seeded, faults, self.files, self.datasets, self.posts)
        self.services: dict[str, DemoService] = {
            e.service.key: e.service for e in seeded.routes.values()
        }
        self._sweeper: asyncio.Task[None] | None = None

    @property
    def api_key(self) -> str:
        return self.seeded.api_key

    def on_request(self) -> None:
        """Start background work lazily: an in-process ASGI transport sends no lifespan events."""
        self.executor.resume_orphans()
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())

    async def _sweep_forever(self) -> None:
        while True:
            self.executor.sweep()
            await asyncio.sleep(min(SWEEP_INTERVAL_S, max(self.faults.action_timeout_s / 4, 0.05)))

    async def aclose(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await self.executor.aclose()
        self.tables.close()
        self.store.close()


# -- auth and identity -----------------------------------------------------------------------
@endpoint(auth=False)
async def get_token(request: Request) -> Response:
    backend: DemoBackend = request.app.state.backend
    body = await json_body(request, optional=True)
    pat = body.get("pat")
    found = backend.store.user_by_key(pat) if isinstance(pat, str) and pat else None
    if found is None:
        raise ApiError(401, "Invalid API key", "invalid_api_key")
    user, key_name = found
    token = issue_token(
        backend.store.secret, user["id"], key_name, backend.faults.token_ttl, backend.store.clock()
    )
    return JSONResponse(
        {
            "access_token": token,
            "refresh_token": "demo-refresh-" + token[-12:],
            "api_key_org_id": None,
            "api_key_name": key_name,
            "error": None,
        }
    )


@endpoint()
async def get_user(request: Request, caller: Caller) -> Response:
    return ok(dict(caller.user))


@endpoint()
async def get_profile(request: Request, caller: Caller) -> Response:
    user = caller.user
    return ok(
        {
            "user_id": user["id"],
            "username": user["username"],
            "name": user.get("name"),
            "avatar_path": None,
            "bio": None,
            "actor_type": "base",
            "plan_type": "free",
        }
    )


# -- discovery -------------------------------------------------------------------------------
@endpoint()
async def search_assets(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    limit = int_param(request, "limit", 20, 1, 200) or 20
    offset = int_param(request, "offset", 0) or 0
    with collector_paused():  # every route row is decoded: no full collection over them
        page, total = catalog.search_page(backend, caller.user, request.query_params, offset, limit)
    return paged(page, offset, limit, total)


@endpoint()
async def name_to_id(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    body = await json_body(request)
    asset = catalog.by_name(
        backend,
        str(body.get("entityName") or ""),
        str(body.get("name") or ""),
        str(body.get("assetType") or "route"),
    )
    if asset is None:
        raise ApiError(
            404,
            f"No {body.get('assetType') or 'asset'} named "
            f"{body.get('entityName')}/{body.get('name')}",
            "asset_not_found",
        )
    return ok({"id": asset["id"]})


@endpoint()
async def get_route(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    return ok(
        catalog.full_route(
            backend, catalog.readable(backend, caller.user, request.path_params["id"], "route")
        )
    )


@endpoint()
async def route_stats(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    route = catalog.readable(backend, caller.user, request.path_params["id"], "route")
    return ok(catalog.stats(backend, route, caller.user))


@endpoint()
async def list_services(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    return ok(
        backend.store.assets(asset_types=["service"], readable_by=caller.user["id"])
        and [
            catalog.clean(s)
            for s in backend.store.assets(asset_types=["service"], readable_by=caller.user["id"])
        ]
    )


@endpoint()
async def get_service(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    return ok(catalog.readable(backend, caller.user, request.path_params["id"], "service"))


@endpoint()
async def service_routes(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    service = catalog.readable(backend, caller.user, request.path_params["id"], "service")
    routes = backend.store.assets(
        asset_types=["route"], parent_id=service["id"], readable_by=caller.user["id"]
    )
    return ok([catalog.full_route(backend, catalog.clean(r)) for r in routes])


@endpoint()
async def service_spec(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    service = catalog.readable(backend, caller.user, request.path_params["id"], "service")
    demo = next(
        (s for s in backend.services.values() if catalog.service_id_of(s) == service["id"]), None
    )
    return ok(demo.openapi if demo else None)


@endpoint()
async def compatible_routes(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    asset = catalog.readable(backend, caller.user, request.path_params["id"], None)
    routes = catalog.compatible(backend, caller.user, asset, request.query_params)
    limit = int_param(request, "limit", None, 1, 200)
    offset = (int_param(request, "offset", 0) or 0) if limit is not None else 0
    page = routes[offset : offset + limit] if limit is not None else routes
    return paged(page, offset, limit, len(routes))


@endpoint()
async def asset_type(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    asset = catalog.readable(backend, caller.user, request.path_params["id"], None)
    return ok({"asset_type": asset["asset_type"]})


@endpoint()
async def asset_view(request: Request, caller: Caller) -> Response:
    return ok(None)


@endpoint()
async def asset_children(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    asset = catalog.readable(backend, caller.user, request.path_params["id"], None)
    children = backend.store.assets(parent_id=asset["id"], readable_by=caller.user["id"])
    return ok([catalog.clean(c) for c in children])


@endpoint()
async def route_cost(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    route = catalog.route_of_service(backend, caller.user, request.path_params)
    currency = request.query_params.get("currency") or route.get("price_currency") or "usd"
    unit = float(route.get("unit_cost") or 0)
    return ok(
        {
            "cost": {
                "cost_accounting": route.get("cost_accounting") or "fixed",
                "cost_unit": route.get("cost_unit") or "call",
                "unit_cost": unit,
                "currency": currency,
                "quantity": 1,
                "total_cost": unit,
            }
        }
    )


# -- execution and actions -------------------------------------------------------------------
@endpoint()
async def use_route(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    route = catalog.route_of_service(backend, caller.user, request.path_params)
    payload = await json_body(request, optional=True)
    headers = {k.lower(): v for k, v in request.headers.items()}
    action = backend.executor.create_action(route, payload, caller.user, headers)
    prefer_async = "respond-async" in headers.get("prefer", "").lower()
    if prefer_async or route["route"].get("execution_mode") == "async":
        backend.executor.start_background(action["id"])
        return JSONResponse(
            {"data": None, "action": action, "metadata": {"requiresPolling": True}, "error": None},
            202,
        )
    done = await backend.executor.run(action["id"])
    if isinstance(done.get("response"), JsonText):  # kept as sent; this envelope has values
        done = {**done, "response": done["response"].value()}
    if done["status"] != "success":
        error = (done.get("response") or {}).get("error") or {}
        status = int(error.get("status") or 500)
        return JSONResponse(
            {
                "data": None,
                "action": done,
                "metadata": None,
                "error": {"message": error.get("message"), "status": status},
            },
            status,
        )
    return JSONResponse(
        {
            "data": {"responseData": catalog.response_data(done)},
            "action": done,
            "metadata": catalog.side_effect_metadata(done),
            "error": None,
        }
    )


@endpoint()
async def get_action(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    backend.executor.sweep()
    action_id = request.path_params["id"]
    found = backend.store.action_pieces(action_id) if catalog.is_uuid(action_id) else None
    if found is None or found[0] != caller.user["id"]:
        raise ApiError(404, f"Action {action_id} not found", "action_not_found")
    # The stored text as it is, in the envelope: an answer of tens of megabytes is
    # neither decoded nor encoded again for this.
    body = b"".join((b'{"data":', *found[1], b',"error":null}'))
    return Response(body, media_type="application/json")


@endpoint()
async def route_actions(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    route = catalog.route_of_service(backend, caller.user, request.path_params)
    everyone = bool_param(request, "global")
    limit = int_param(request, "limit", 20, 1, 200)
    offset = int_param(request, "offset", 0) or 0
    items, total = backend.store.actions(
        route_id=route["id"],
        user_id=None if everyone else caller.user["id"],
        exclude_user=caller.user["id"] if bool_param(request, "exclude_self") else None,
        statuses=list_param(request, "status"),
        limit=limit,
        offset=offset,
        responses=bool_param(request, "include_response", default=True),
    )
    return paged(items, offset, limit, total)


@endpoint()
async def my_actions(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    backend.executor.sweep()
    limit = int_param(request, "limit", 20, 1, 200)
    offset = int_param(request, "offset", 0) or 0
    since = request.query_params.get("since")
    if since:
        try:
            since = iso(catalog.parse_time(since))
        except ValueError as exc:
            raise ApiError(400, "'since' must be an ISO-8601 time.") from exc
    items, total = backend.store.actions(
        user_id=caller.user["id"],
        statuses=list_param(request, "status"),
        since=since,
        limit=limit,
        offset=offset,
        responses=bool_param(request, "include_response", default=True),
    )
    return paged(items, offset, limit, total)


@endpoint()
async def action_logs(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    action = catalog.own_action(backend, caller.user, request.path_params["id"])
    limit = int_param(request, "limit", 100, 1, 500) or 100
    offset = int_param(request, "offset", 0) or 0
    order = request.query_params.get("sort_order", "desc").lower()
    level = request.query_params.get("level")
    level = "warning" if level == "warn" else level
    texts, total = backend.store.log_texts(
        action["id"], level=level, ascending=order == "asc", limit=limit, offset=offset
    )
    return paged_texts(texts, offset, limit, total)


@endpoint()
async def post_action_log(request: Request, caller: Caller) -> Response:
    backend: DemoBackend = request.app.state.backend
    action = backend.store.action(request.path_params["id"])
    route = backend.store.asset(action["route_id"]) if action else None
    if (
        action is None
        or route is None
        or caller.user["id"] not in (action["user_id"], route["user_id"])
    ):
        raise ApiError(404, "Action not found.", "action_not_found")
    body = await json_body(request)
    message = body.get("message")
    if not isinstance(message, str) or not message:
        raise ApiError(400, "A log needs a message.")
    row = backend.executor.add_log(
        action,
        route,
        message,
        str(body.get("level") or "info"),
        origin="api",
        client=caller.client,
        sdk=caller.sdk,
        key_name=caller.key_name,
    )
    return ok(row)


@endpoint(auth=False)
async def action_webhook(request: Request) -> Response:
    """Where an async service posts its result; the per-action token is the permission."""
    backend: DemoBackend = request.app.state.backend
    action = backend.store.action(request.path_params["id"])
    raw = request.headers.get("authorization", "").strip()
    token = request.headers.get("x-ouro-webhook-token") or (
        raw[7:].strip() if raw.lower().startswith("bearer ") else raw
    )
    if action is None or not action.get("webhook_token") or token != action["webhook_token"]:
        raise ApiError(401, "Unknown action or wrong webhook token.", "invalid_webhook_token")
    if backend.executor.is_terminal(action["status"]):
        raise ApiError(409, f"This action already ended ({action['status']}).", "action_finished")
    payload = await json_body(request)
    if payload.get("status") not in ("completed", "failed"):
        raise ApiError(400, "status must be 'completed' or 'failed'.")
    return ok(await backend.executor.complete_from_webhook(action, payload))


def _routes() -> list[Route]:
    svc = "/services/{sid}/routes/{rid}"
    return [
        Route("/users/get-token", get_token, methods=["POST"]),
        Route("/user", get_user),
        Route("/user/profile", get_profile),
        Route("/search/assets", search_assets),
        Route("/elements/common/name-to-id", name_to_id, methods=["POST"]),
        Route("/routes/{id}", get_route),
        Route("/routes/{id}/stats", route_stats),
        Route("/services", list_services),
        Route("/services/{id}", get_service),
        Route("/services/{id}/routes", service_routes),
        Route("/services/{id}/spec", service_spec),
        Route(svc + "/use", use_route, methods=["POST"]),
        Route(svc + "/actions", route_actions),
        Route(svc + "/cost", route_cost),
        Route("/assets/{id}/compatible-routes", compatible_routes),
        Route("/assets/{id}/type", asset_type),
        Route("/assets/{id}/view", asset_view, methods=["POST"]),
        Route("/assets/{id}/children", asset_children),
        Route("/actions", my_actions),
        Route("/actions/{id}", get_action),
        Route("/actions/{id}/logs", action_logs),
        Route("/actions/{id}/log", post_action_log, methods=["POST"]),
        Route("/actions/{id}/response", action_webhook, methods=["POST"]),
        *FILE_ROUTES,
        *DATASET_ROUTES,
    ]


async def _routing_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods answer in Ouro's error envelope too, with a request id."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "Internal server error"
    headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
    headers["x-request-id"] = str(uuid.uuid4())
    return JSONResponse(ApiError(status, str(detail)).envelope(), status, headers=headers)


def create_app(
    data_dir: Path | str,
    *,
    faults: Faults | None = None,
    clock: Callable[[], float] = time.time,
    services: list[DemoService] | None = None,
) -> Starlette:
    """The demo backend on ``data_dir`` (created and seeded if new, reused otherwise)."""
    store = Store(Path(data_dir), clock=clock)
    backend = DemoBackend(store, seed(store, services), faults or Faults())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await backend.aclose()

    app = Starlette(
        routes=_routes(),
        lifespan=lifespan,
        exception_handlers={HTTPException: _routing_error},
    )
    app.state.backend = backend
    return app


def backend_of(app: Any) -> DemoBackend:
    return app.state.backend  # type: ignore[no-any-return]
