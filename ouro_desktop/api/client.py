"""``OuroClient``: the app's one way to talk to Ouro (or to the embedded demo backend).

Async, Qt-free and safe by construction: every failure is an
:class:`~ouro_desktop.api.errors.OuroError`, a run request is never sent twice, and the
API key never shows up in logs, errors or reprs. HTTP details (auth, retries, limits,
URL policy) live in :mod:`._http`; file transfers in :mod:`.files`.

    async with OuroClient("https://api.ouro.foundation", api_key) as ouro:
        me = await ouro.sign_in()
        page = await ouro.search_routes("relax")
        result = await ouro.execute(page.items[0], body={...}, idempotency_key=key)
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .. import __version__
from . import files
from ._body import MAX_RESPONSE_BYTES
from ._http import DEFAULT_DEADLINE_S, HttpSession, Transport
from .assets import AssetCalls
from .errors import (
    InvalidRouteReference,
    OuroError,
    ResponseError,
    SubmissionUnknown,
)
from .models import Action, ActionLog, ExecuteResult, FileAsset, Page, Route, User

__all__ = ["OuroClient"]

Progress = Callable[[int, int], None]
SEARCH_LIMIT_MAX = 200
# Where an action's answer sits in what the server sends (the action's ``response``, or
# ``data.responseData`` beside it when a run answers at once): long number lists there
# are kept as columns (:mod:`.compact`); every reader of an answer knows them.
RESPONSE_MEMBERS: Collection[str] = frozenset({"response", "responseData"})


def _seg(value: str) -> str:
    """An id as one safe path segment (nothing can climb out of the path)."""
    if not isinstance(value, str) or not value:
        raise InvalidRouteReference("An empty id was given.")
    return quote(value, safe="")


def _flag(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def _canonical_uuid(text: str) -> str | None:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def parse_route_ref(ref: str) -> tuple[str, str] | str:
    """A route id, or ``(entity, slug)`` from ``entity/slug`` or a pasted route link."""
    text = (ref or "").strip()
    if not text:
        raise InvalidRouteReference("Enter a route id, a name like user/route, or a route link.")
    if text.lower().startswith(("http://", "https://")):
        path = [unquote(p) for p in urlsplit(text).path.split("/") if p]
        if len(path) >= 2 and path[0] == "routes":
            if len(path) == 2 and _canonical_uuid(path[1]):
                return _canonical_uuid(path[1]) or path[1]
            if len(path) >= 3:
                return path[1], path[2]
        raise InvalidRouteReference("That link does not point to an Ouro route.")
    as_id = _canonical_uuid(text)
    if as_id is not None and len(text) in (32, 36):
        return as_id
    entity, sep, slug = text.partition("/")
    if not sep or not entity.strip() or not slug.strip() or "/" in slug.strip("/"):
        raise InvalidRouteReference(
            f"'{text[:80]}' is not a route id, a name like user/route, or a route link."
        )
    return entity.strip(), slug.strip().strip("/")


class OuroClient(AssetCalls):
    """The Ouro REST API, typed. Use ``async with`` or call :meth:`aclose`.

    Datasets, posts and searching assets of any type come from :class:`.assets.AssetCalls`.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        access_token: str | None = None,
        transport: Transport | None = None,
        timeout: float = 30.0,
        client_name: str = f"ouro-desktop/{__version__}",
        deadline: float = DEFAULT_DEADLINE_S,
        upload_threshold: int = files.DEFAULT_UPLOAD_THRESHOLD,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._http = HttpSession(
            base_url,
            api_key=api_key,
            access_token=access_token,
            transport=transport,
            timeout=timeout,
            client_name=client_name,
            deadline=deadline,
            sleep=sleep,
            rng=rng,
            max_response_bytes=max_response_bytes,
        )
        self.upload_threshold = upload_threshold
        self._user: User | None = None

    def __repr__(self) -> str:
        who = self._user.username if self._user else None
        return f"<OuroClient {self._http.base_url} user={who!r}>"

    async def __aenter__(self) -> OuroClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def user(self) -> User | None:
        """Who we are signed in as (after :meth:`sign_in`)."""
        return self._user

    @property
    def key_name(self) -> str | None:
        """The API key's name, as the token exchange reported it."""
        return self._http.key_name

    @property
    def exchanges(self) -> int:
        """How many key exchanges this client has made (for diagnostics and tests)."""
        return self._http.exchanges

    async def _data(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        compact_under: Collection[str] = (),
    ) -> Any:
        body = await self._http.call(
            method, path, params=params, json_body=json, compact_under=compact_under
        )
        if "data" not in body:
            raise ResponseError("The server's answer has no data in it.")
        return body["data"]

    async def _object(
        self,
        path: str,
        params: dict[str, Any] | None = None,
        compact_under: Collection[str] = (),
    ) -> dict[str, Any]:
        data = await self._data("GET", path, params=params, compact_under=compact_under)
        if not isinstance(data, dict):
            raise ResponseError("The server sent something other than the expected object.")
        return data

    async def _page(
        self,
        path: str,
        params: dict[str, Any],
        parse: Callable[[object], Any],
        offset: int,
        compact_under: Collection[str] = (),
        *,
        off_loop: bool = False,
    ) -> Any:
        """A list page; ``off_loop``: its items are made in a worker thread (hundreds of
        them a page, page after page: a long log's lines cost the loop ms each page)."""
        if not off_loop:
            body = await self._http.call("GET", path, params=params, compact_under=compact_under)
            return Page.from_json(body, parse, offset=offset)
        resp = await self._http.request("GET", path, params=params, compact_under=compact_under)

        def read() -> Any:
            return Page.from_json(self._http.envelope(resp), parse, offset=offset)

        return await asyncio.get_event_loop().run_in_executor(None, read)

    # -- auth --------------------------------------------------------------------------------
    async def sign_in(self) -> User:
        """Exchange the API key (when given) and fetch who we are."""
        if self._http.can_refresh and not self._http.has_token:
            await self._http.token()
        self._user = User.from_json(await self._object("/user"))
        return self._user

    # -- routes ------------------------------------------------------------------------------
    async def search_routes(
        self,
        query: str = "",
        *,
        sort: str | None = None,
        scope: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> Page[Route]:
        params = {
            "query": query.strip() or None,
            "filters": json.dumps({"asset_type": "route"}),
            "sort": sort or None,
            "scope": scope or None,
            "limit": max(1, min(SEARCH_LIMIT_MAX, limit)),
            "offset": max(0, offset),
        }
        page: Page[Route] = await self._page(
            "/search/assets", params, Route.from_json, max(0, offset)
        )
        return page

    async def search_files(
        self,
        query: str = "",
        *,
        extensions: list[str] | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[FileAsset]:
        """The signed-in user's own files, optionally only these extensions (no dots)."""
        exts = [e.lower().lstrip(".") for e in extensions or [] if e.strip(".")]
        params = {
            "query": query.strip() or None,
            "filters": json.dumps({"asset_type": "file"}),
            "metadata_filters": json.dumps({"extension": exts}) if exts else None,
            "scope": "personal",
            "sort": "recent" if not query.strip() else None,
            "limit": max(1, min(SEARCH_LIMIT_MAX, limit)),
            "offset": max(0, offset),
        }
        page: Page[FileAsset] = await self._page(
            "/search/assets", params, FileAsset.from_json, max(0, offset)
        )
        return page

    async def get_route(self, ref: str) -> Route:
        """A route by id, by ``user/route-name``, or from a pasted route link."""
        parsed = parse_route_ref(ref)
        if isinstance(parsed, tuple):
            entity, slug = parsed
            found = await self._http.call(
                "POST",
                "/elements/common/name-to-id",
                json_body={"name": slug, "assetType": "route", "entityName": entity},
                retry=True,
            )
            data = found.get("data")
            route_id = data.get("id") if isinstance(data, dict) else None
            if not isinstance(route_id, str) or not route_id:
                raise ResponseError("The server did not say which route that name is.")
        else:
            route_id = parsed
        return Route.from_json(await self._object(f"/routes/{_seg(route_id)}"))

    async def service_name(self, service_id: str) -> str:
        """The name of the service a route belongs to (e.g. "CrystaLLM"); ``""`` if unnamed."""
        data = await self._object(f"/services/{_seg(service_id)}")
        name = data.get("name")
        return " ".join(name.split()) if isinstance(name, str) else ""

    async def service_routes(self, service_id: str) -> list[Route]:
        data = await self._data("GET", f"/services/{_seg(service_id)}/routes")
        if not isinstance(data, list):
            raise ResponseError("The server sent something other than a list of routes.")
        return [Route.from_json(item) for item in data]

    async def compatible_routes(
        self,
        asset_id: str,
        *,
        query: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> Page[Route]:
        params: dict[str, Any] = {"query": (query or "").strip() or None}
        if limit is not None:
            params.update(limit=max(1, min(SEARCH_LIMIT_MAX, limit)), offset=max(0, offset))
        page: Page[Route] = await self._page(
            f"/assets/{_seg(asset_id)}/compatible-routes",
            params,
            Route.from_json,
            max(0, offset) if limit is not None else 0,
        )
        return page

    async def route_stats(self, route_id: str) -> dict[str, Any]:
        return await self._object(f"/routes/{_seg(route_id)}/stats")

    async def route_cost(
        self, route: Route, asset_id: str, currency: str | None = None
    ) -> dict[str, Any]:
        """The price preview for running ``route`` on ``asset_id`` (the ``cost`` object)."""
        data = await self._object(
            f"{self._route_path(route)}/cost", {"input": asset_id, "currency": currency}
        )
        cost = data.get("cost", data)
        if not isinstance(cost, dict):
            raise ResponseError("The server's price preview is not usable.")
        return cost

    @staticmethod
    def _route_path(route: Route) -> str:
        if not route.service_id:
            raise InvalidRouteReference(
                "This route does not say which service it belongs to; reload it and try again."
            )
        return f"/services/{_seg(route.service_id)}/routes/{_seg(route.id)}"

    # -- running -----------------------------------------------------------------------------
    async def execute(
        self,
        route: Route,
        *,
        body: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        path_params: dict[str, Any] | None = None,
        input_assets: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        idempotency_key: str,
    ) -> ExecuteResult:
        """Start a run. Sent exactly once: never retried, whatever happens.

        Raises :class:`ConnectError` when nothing was sent (safe to submit again),
        :class:`SubmissionUnknown` when it was sent but the outcome is unknown (look it up,
        do not resend), or a typed status error when the server refused it (nothing ran).
        A failed run that the server recorded comes back as a finished ``error`` action.

        ``headers`` are the route's own header parameters (not ``ouro-*``), for the
        service; they travel as ``config.headers``, as ouro-py's extra ``execute``
        keywords do (how Ouro forwards them is inferred, ouro-protocol.md §5.1).
        """
        key_ok = (
            isinstance(idempotency_key, str)
            and 0 < len(idempotency_key) <= 255
            and idempotency_key.isascii()
            and idempotency_key.isprintable()
            and idempotency_key.strip() == idempotency_key
        )
        if not key_ok:
            raise ValueError(
                "execute() needs an idempotency_key (printable ASCII, generated before sending)"
            )
        path = f"{self._route_path(route)}/use"
        payload = {
            "config": {
                "body": body,
                "query": query,
                "parameters": path_params,
                "params": path_params,
                "output": None,
                "input_assets": (
                    {key: {"assetId": value} for key, value in input_assets.items()}
                    if input_assets
                    else None
                ),
            }
        }
        if headers:
            payload["config"]["headers"] = dict(headers)

        def unknown(exc: OuroError) -> OuroError:
            return SubmissionUnknown(
                f"The run of {route.name or 'this route'} was sent, but no answer came back "
                f"({exc.message}). It may be running: check your recent runs before "
                "running it again.",
                idempotency_key=idempotency_key,
                route_id=route.id,
                request_id=exc.request_id,
            )

        resp = await self._http.request(
            "POST",
            path,
            json_body=payload,
            headers={"Prefer": "respond-async", "Idempotency-Key": idempotency_key},
            retry=False,
            on_unknown=unknown,
            compact_under=RESPONSE_MEMBERS,
        )
        try:
            envelope = resp.json()
        except ResponseError as exc:
            exc.request_id = resp.request_id
            if 400 <= resp.status < 500:
                raise self._http.error_of(resp) from None
            raise self._http.scrub(unknown(exc)) from None
        raw_action = envelope.get("action") if isinstance(envelope, dict) else None
        if isinstance(raw_action, dict):
            action_raw = dict(raw_action)
            data = envelope.get("data")
            if "response" not in action_raw and isinstance(data, dict):
                action_raw["response"] = data.get("responseData", data)
            try:
                action = Action.from_json(action_raw, route_id=route.id)
            except ResponseError as exc:
                raise self._http.scrub(unknown(exc)) from None
            metadata = envelope.get("metadata")
            polling = isinstance(metadata, dict) and metadata.get("requiresPolling") is True
            inline = resp.status == 200 and not polling and action.is_terminal
            return ExecuteResult(action=action, inline=inline)
        status = resp.status
        if isinstance(envelope, dict) and envelope.get("error"):
            # Retry-After too: a batch refused with a 429 waits as long as it is told.
            error = self._http.error_from(status, envelope, resp.request_id, resp.retry_after)
            if 400 <= error.status < 500:
                raise error
        elif 400 <= status < 500:
            raise self._http.error_of(resp)
        raise self._http.scrub(
            unknown(
                ResponseError(f"HTTP {status} without a run record", request_id=resp.request_id)
            )
        )

    # -- actions -----------------------------------------------------------------------------
    async def get_action(self, action_id: str) -> Action:
        data = await self._object(f"/actions/{_seg(action_id)}", compact_under=RESPONSE_MEMBERS)
        return Action.from_json(data)

    async def list_route_actions(
        self,
        route: Route,
        *,
        status: list[str] | None = None,
        limit: int = 20,
        offset: int = 0,
        include_response: bool | None = None,
    ) -> Page[Action]:
        """My runs of ``route``, newest first. ``include_response=False`` asks the server
        to leave each run's answer out (a list needs only the runs; one answer can be
        huge); a server may send it anyway."""
        params = {
            "global": "false",
            "status": ",".join(status) if status else None,
            "limit": max(1, min(SEARCH_LIMIT_MAX, limit)),
            "offset": max(0, offset),
            "include_response": _flag(include_response),
        }
        page: Page[Action] = await self._page(
            f"{self._route_path(route)}/actions",
            params,
            lambda raw: Action.from_json(raw, route_id=route.id),
            max(0, offset),
            RESPONSE_MEMBERS,
        )
        return page

    async def list_my_actions(
        self,
        *,
        status: list[str] | None = None,
        since: datetime | None = None,
        limit: int = 20,
        offset: int = 0,
        include_response: bool | None = None,
    ) -> Page[Action]:
        """My runs across routes, newest first; ``since`` (naive = local time) filters;
        ``include_response`` as for :meth:`list_route_actions`."""
        params = {
            "status": ",".join(status) if status else None,
            "since": since.astimezone(UTC).isoformat(timespec="milliseconds") if since else None,
            "limit": max(1, min(SEARCH_LIMIT_MAX, limit)),
            "offset": max(0, offset),
            "include_response": _flag(include_response),
        }
        page: Page[Action] = await self._page(
            "/actions", params, Action.from_json, max(0, offset), RESPONSE_MEMBERS
        )
        return page

    async def action_logs(
        self, action_id: str, *, offset: int = 0, limit: int = 100
    ) -> Page[ActionLog]:
        """Log lines oldest first, from ``offset``: pass the count seen to get only new ones."""
        params = {"sort_order": "asc", "offset": max(0, offset), "limit": max(1, min(500, limit))}
        page: Page[ActionLog] = await self._page(
            f"/actions/{_seg(action_id)}/logs",
            params,
            ActionLog.from_json,
            max(0, offset),
            off_loop=True,
        )
        return page

    async def save_action(
        self, action_id: str, dest: Path, *, progress: Progress | None = None
    ) -> Path:
        """The run's whole record (its answer included) as the server sends it, JSON,
        streamed to ``dest`` (written whole or not at all): for an answer too large to
        read into memory."""
        return await files.save_api_answer(
            self._http, f"/actions/{_seg(action_id)}", Path(dest), progress
        )

    # -- files -------------------------------------------------------------------------------
    async def upload_file(
        self,
        path: Path,
        *,
        name: str | None = None,
        visibility: str = "private",
        progress: Progress | None = None,
        cancel: asyncio.Event | None = None,
    ) -> FileAsset:
        """Upload a local file as a File asset (streamed from disk when large)."""
        return await files.upload_file(
            self._http,
            Path(path),
            name=name,
            visibility=visibility,
            progress=progress,
            cancel=cancel,
            threshold=self.upload_threshold,
        )

    async def upload_file_checked(
        self,
        path: Path,
        *,
        expect: files.FileStamp | None,
        data: bytes | None = None,
        expect_sha256: str | None = None,
        name: str | None = None,
        visibility: str = "private",
        progress: Progress | None = None,
        cancel: asyncio.Event | None = None,
    ) -> files.SentFile:
        """Upload exactly the checked version of a file; see :func:`files.upload_file_checked`."""
        return await files.upload_file_checked(
            self._http,
            Path(path),
            name=name,
            visibility=visibility,
            progress=progress,
            cancel=cancel,
            threshold=self.upload_threshold,
            expect=expect,
            data=data,
            expect_sha256=expect_sha256,
        )

    async def get_file(self, file_id: str) -> FileAsset:
        return FileAsset.from_json(await self._object(f"/files/{_seg(file_id)}"))

    async def download_file(
        self, file_id: str, dest: Path, *, progress: Progress | None = None
    ) -> Path:
        """Stream a file asset's bytes to ``dest`` (written whole or not at all)."""
        return await files.download_file(self._http, file_id, Path(dest), progress)
