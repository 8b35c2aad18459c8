"""Running a route: POST …/use, from validation to a finished action (protocol §5, §6, §12.3).

The executor checks the inputs, records a queued action, resolves input assets into the
body the service sees, calls the demo service, turns declared output payloads into file
assets and records the outcome. Runs that outlive a restart are resumed from the stored
request; runs that outlive ``action_timeout_s`` end as ``timed-out`` and a late answer is
refused.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import secrets
from typing import Any

from .datasets import DatasetService
from .errors import ApiError
from .faults import Faults
from .files import FileService
from .json_text import JsonText, is_json_object
from .posts import PostService
from .rows import action_asset_row, asset_ref, user_ref
from .run_failures import NOT_OFFLINE, detail_message, failure_response
from .run_request import (
    FILTER_MIME,
    fill_defaults,
    input_declarations,
    request_schema,
    service_headers,
    validation_detail,
)
from .seed import Seeded
from .service_warmup import import_service_libraries
from .services.base import ServiceCall, ServiceError
from .store import TERMINAL_STATUSES, Store, parse_iso, uuid7

log = logging.getLogger(__name__)

NOT_JSON = "The service answered with something that is not JSON."


class Executor:
    """The lifecycle of every run: validate and record, run, finish, time out, resume."""

    def __init__(
        self,
        store: Store,
        seeded: Seeded,
        faults: Faults,
        files: FileService,
        datasets: DatasetService,
        posts: PostService,
    ) -> None:
        self.store = store
        self.seeded = seeded
        self.faults = faults
        self.files = files
        self.datasets = datasets
        self.posts = posts
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        # Headers a caller set for the service (``config.headers``), by action id. Kept in
        # memory only: they may hold the caller's own key for the upstream, which must not
        # be written into the stored action (so a run resumed after a restart has none).
        self._headers: dict[str, dict[str, str]] = {}
        self._resumed = False

    # -- 1..3: validate and record -------------------------------------------------------
    def create_action(
        self,
        route: dict[str, Any],
        payload: dict[str, Any],
        user: dict[str, Any],
        client_headers: dict[str, str],
    ) -> dict[str, Any]:
        # JSON null means "not given"; any other non-object is malformed (not "empty").
        config = payload.get("config")
        config = {} if config is None else config
        if not isinstance(config, dict):
            raise ApiError(400, "config must be an object")
        body = config.get("body")
        body = {} if body is None else body
        if not isinstance(body, dict):
            raise ApiError(400, "config.body must be a JSON object")
        currency = payload.get("currency")
        if (
            currency
            and route.get("monetization") != "none"
            and currency != route.get("price_currency")
        ):
            raise ApiError(400, f"This route is not sold in {currency}.", "currency_not_offered")
        inputs = self._resolve_inputs(route, config, user)
        headers = service_headers(config.get("headers"))
        now = self.store.now_iso()
        decls = input_declarations(route)
        input_rows = [
            action_asset_row(key, bool(decls.get(key, {}).get("primary")), asset)
            for key, asset in inputs.items()
        ]
        primary = next(
            (r for r in input_rows if r["is_primary"]), input_rows[0] if input_rows else None
        )
        action = {
            "id": uuid7(self.store.clock()),
            "route_id": route["id"],
            "user_id": user["id"],
            "run_id": None,
            "status": "queued",
            "metadata": {
                "body": body,
                "query": config.get("query") or {},
                "parameters": config.get("parameters") or config.get("params") or {},
                "input_assets": {k: {"assetId": a["id"]} for k, a in inputs.items()},
                "output": config.get("output"),
                "header_names": sorted(headers),
                "side_effects": bool(route["route"].get("output_assets")),
                "client": client_headers.get("x-ouro-client"),
                "idempotency_key": client_headers.get("idempotency-key"),
            },
            "response": None,
            "side_effects": bool(route["route"].get("output_assets")),
            "input_asset_id": primary["asset_id"] if primary else None,
            "input_asset": asset_ref(primary["asset"]) if primary else None,
            "input_assets": input_rows,
            "output_asset_id": None,
            "output_asset": None,
            "output_assets": [],
            "route": {"id": route["id"], "name": route["name"]},
            "user": user_ref(user),
            "created_at": now,
            "started_at": None,
            "ack_at": None,
            "upstream_status_code": None,
            "finished_at": None,
            "last_updated": now,
            # Where an async service posts its result (§6); the token proves it is the service.
            "webhook_url": None,
            "webhook_token": secrets.token_urlsafe(24)
            if route["route"].get("execution_mode") == "async"
            else None,
            "usage_record": None,
            "btc_charges": [],
        }
        self.store.put_action(action)
        if headers:
            self._headers[action["id"]] = headers
        return action

    def _resolve_inputs(
        self, route: dict[str, Any], config: dict[str, Any], user: dict[str, Any]
    ) -> dict[str, dict[str, Any]]:
        decls = input_declarations(route)
        given = dict(config.get("input_assets") or {})
        legacy = config.get("input_asset")
        if legacy and not given and decls:
            primary = next((k for k, d in decls.items() if d.get("primary")), next(iter(decls)))
            given[primary] = legacy
        resolved = {}
        for key, value in given.items():
            if key not in decls:
                raise ApiError(400, f"This route has no input named '{key}'.", "unknown_input")
            asset_id = value.get("assetId") if isinstance(value, dict) else value
            if not isinstance(asset_id, str):
                raise ApiError(400, f"Input '{key}' needs an asset id.", "invalid_input")
            asset = self.store.asset(asset_id)
            if asset is None or (
                asset["user_id"] != user["id"]
                and asset["visibility"] not in ("public", "monetized")
            ):
                raise ApiError(
                    404, f"Input '{key}': asset {asset_id} not found.", "asset_not_found"
                )
            self._check_declaration(key, decls[key], asset)
            resolved[key] = asset
        for key, decl in decls.items():
            if key not in resolved and self._required_input(route, key):
                kind = str(decl.get("asset_type") or "file")
                raise ApiError(
                    422, f"This route needs an input {kind} for '{key}'.", "missing_input"
                )
        return resolved

    @staticmethod
    def _required_input(route: dict[str, Any], key: str) -> bool:
        schema = request_schema(route) or {}
        return key in (schema.get("required") or [])

    @staticmethod
    def _check_declaration(key: str, decl: dict[str, Any], asset: dict[str, Any]) -> None:
        allowed_types = decl.get("asset_types") or [decl.get("asset_type")]
        if asset["asset_type"] not in allowed_types:
            raise ApiError(
                422,
                f"Input '{key}' must be a {decl.get('asset_type')}, not a {asset['asset_type']}.",
                "input_type_mismatch",
            )
        meta = asset.get("metadata") or {}
        ext = str(meta.get("extension") or "").lower().lstrip(".")
        exts = [e.lower().lstrip(".") for e in decl.get("file_extensions") or []]
        if exts:
            if ext not in exts:
                raise ApiError(
                    422,
                    f"Input '{key}' must be a {' or '.join('.' + e for e in exts)} file; "
                    f"got {'.' + ext if ext else 'a file without an extension'}.",
                    "input_extension_mismatch",
                )
        elif decl.get("input_filter"):
            mime = str(meta.get("type") or "")
            group = FILTER_MIME.get(decl["input_filter"])
            ok = mime in group if group else mime.split("/")[0] == decl["input_filter"]
            if not ok:
                raise ApiError(
                    422, f"Input '{key}' must be {decl['input_filter']}.", "input_filter_mismatch"
                )

    # -- 4..8: run -----------------------------------------------------------------------
    def start_background(self, action_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self.run(action_id))
        self._tasks[action_id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(action_id, None))

    async def run(self, action_id: str) -> dict[str, Any]:
        action = self.store.action(action_id)
        assert action is not None
        route = self.store.asset(action["route_id"])
        entry = self.seeded.routes.get(action["route_id"])
        if route is None or entry is None:
            return self._finish_error(action, 404, "This route no longer exists.")
        action.update(status="in-progress", started_at=self.store.now_iso())
        action["last_updated"] = action["started_at"]
        if route["route"].get("execution_mode") == "async":
            # An async service acknowledges with 202 and completes later (§6).
            action.update(ack_at=action["started_at"], upstream_status_code=202)
        if not self.store.update_action_if_open(action):
            return self.store.action(action_id) or action
        self._system_log(action, route, "info", "Run started.")
        try:
            response = await self._call_service(action, route, entry)
        except ServiceError as exc:
            extra: dict[str, Any] = {"detail": exc.detail} if isinstance(exc.detail, list) else {}
            message = detail_message(exc.detail)
            return self._finish_error(action, exc.status, message, **extra)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug in a demo service is still a failed run, not a 500
            log.exception("demo service crashed")
            return self._finish_error(action, 500, f"The service crashed: {exc}")
        return await self._finish_success(action, route, response)

    async def _call_service(
        self, action: dict[str, Any], route: dict[str, Any], entry: Any
    ) -> dict[str, Any] | JsonText:
        await import_service_libraries()
        latency = self._fault_for(self.faults.route_latency, route)
        if latency:
            await asyncio.sleep(latency)
        failure = self._fault_for(self.faults.route_failure, route)
        if failure:
            raise ServiceError(failure[0], failure[1])
        handler = entry.service.handlers.get((entry.method, entry.path))
        if handler is None:
            raise ServiceError(501, NOT_OFFLINE)
        meta = action["metadata"]
        schema = request_schema(route)
        body = dict(meta.get("body") or {})
        for key, ref in (meta.get("input_assets") or {}).items():
            asset = self.store.asset(ref["assetId"])
            if asset is None:
                raise ServiceError(404, f"Input '{key}' was deleted before the run started.")
            body[key] = await self._service_input(asset)
        if schema:
            # As the service's own request model would: the body as sent is checked, then
            # defaults fill what is missing (pydantic does not validate defaults).
            detail = validation_detail(schema, body)
            if detail:
                raise ServiceError(422, detail)  # type: ignore[arg-type]
        body = fill_defaults(schema, body)
        call = ServiceCall(
            body=body,
            headers={
                **self._headers.get(action["id"], {}),
                "ouro-action-id": action["id"],
                "ouro-route-id": route["id"],
                "ouro-route-org-id": route["org_id"],
                "ouro-route-team-id": route["team_id"],
                "ouro-user-id": action["user_id"],
                **(
                    {
                        "ouro-webhook-url": (
                            f"{self.files.public_base}/actions/{action['id']}/response"
                        ),
                        "ouro-webhook-token": action["webhook_token"],
                    }
                    if action.get("webhook_token")
                    else {}
                ),
            },
            query=dict(meta.get("query") or {}),
            path_params=dict(meta.get("parameters") or {}),
            read_file=self.files.read_service_file,
            log=lambda message, level="info": self._service_log(action, route, message, level),
            time_scale=self.faults.time_scale,
        )
        result = await entry.service.handlers[(entry.method, entry.path)](call)
        if isinstance(result, JsonText):
            result = await self._answer_as_sent(route, result)
        if not isinstance(result, dict | JsonText):
            raise ServiceError(502, NOT_JSON)
        return result

    @staticmethod
    async def _answer_as_sent(route: dict[str, Any], answer: JsonText) -> Any:
        """An answer given as JSON text: kept as it is once checked (in a worker, a run
        of members at a time), unless output files are to be made from its values."""
        if route["route"].get("output_assets"):
            try:
                return await asyncio.to_thread(answer.value)
            except ValueError:
                raise ServiceError(502, NOT_JSON) from None
        if not await asyncio.to_thread(is_json_object, answer.body):
            raise ServiceError(502, NOT_JSON)
        return answer

    async def _service_input(self, asset: dict[str, Any]) -> dict[str, Any]:
        """An input asset as the service receives it (§6, §13.7)."""
        if asset["asset_type"] == "dataset":
            try:
                return await asyncio.to_thread(
                    self.datasets.service_object, asset, self.faults.dataset_input_rows_cap
                )
            except ApiError as exc:
                raise ServiceError(exc.status, exc.message) from None
        if asset["asset_type"] == "post":
            return self.posts.service_object(asset)
        return self.files.service_file_object(asset)

    @staticmethod
    def _fault_for(table: dict[str, Any], route: dict[str, Any]) -> Any:
        return table.get(route["id"]) or table.get(route.get("name_url_slug") or "")

    async def _finish_success(
        self, action: dict[str, Any], route: dict[str, Any], response: dict[str, Any] | JsonText
    ) -> dict[str, Any]:
        """Record a success. An answer kept as sent (:class:`JsonText`: a route that
        makes no output files) is stored as it is, and the action returned holds it so."""
        if isinstance(response, JsonText):
            stored: dict[str, Any] | JsonText = response
            outputs: list[dict[str, Any]] = []
        else:
            try:
                stored, outputs = await self._make_outputs(action, route, response)
            except ServiceError as exc:
                return self._finish_error(action, exc.status, str(exc.detail))
        now = self.store.now_iso()
        primary = next((o for o in outputs if o["is_primary"]), outputs[0] if outputs else None)
        action.update(
            status="success",
            response=stored,
            output_assets=outputs,
            output_asset=asset_ref(primary["asset"]) if primary else None,
            output_asset_id=primary["asset_id"] if primary else None,
            finished_at=now,
            last_updated=now,
        )
        action["ack_at"] = action["ack_at"] or now
        if action["upstream_status_code"] is None:
            action["upstream_status_code"] = 200
        self._headers.pop(action["id"], None)
        if self.store.update_action_if_open(action):
            self._system_log(action, route, "info", "Run finished: success.")
            return action  # as stored: no need to read (and decode) it back
        return self.store.action(action["id"]) or action

    async def _make_outputs(
        self, action: dict[str, Any], route: dict[str, Any], response: dict[str, Any]
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The answer as stored (each declared output replaced by what is kept of it) and
        the output assets made from it; ServiceError if one cannot be made."""
        # Only top-level output keys are replaced below: a shallow copy keeps the service's
        # answer as it was without copying what may be megabytes of it.
        stored = dict(response)
        outputs = []
        user = self.store.user(action["user_id"]) or {}
        team_id = (action["metadata"].get("output") or {}).get("team_id")
        declared = route["route"].get("output_assets") or {}
        made: dict[str, dict[str, Any]] = {}
        for key, decl in declared.items():
            payload = response.get(key)
            if not isinstance(payload, dict):
                continue  # a null output is skipped (§13.8)
            kind = decl.get("asset_type") or "file"
            asset, kept = await self._create_output(user, kind, key, payload, team_id)
            if asset is None:
                continue
            made[key] = asset
            outputs.append(action_asset_row(key, bool(decl.get("primary")), asset))
            stored[key] = kept | {"id": asset["id"]}
        for key, decl in declared.items():
            host = made.get(str(decl.get("embedded_in") or ""))
            if key in made and host is not None and host["asset_type"] == "post":
                # An output placed in a post is that post's supporting material (§13.8).
                made[key].update(parent_id=host["id"], lineage_role="supporting")
                made[key]["source_id"] = host["id"]
                self.store.put_asset(made[key], made[key].get("name") or "")
        return stored, outputs

    async def _create_output(
        self,
        user: dict[str, Any],
        kind: str,
        key: str,
        payload: dict[str, Any],
        team_id: str | None,
    ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """The asset made from one output payload, and what the stored response keeps of it."""
        if kind == "dataset":
            if not isinstance(payload.get("data"), list):
                raise ServiceError(502, f"The service's '{key}' output has no rows ('data').")
            try:
                asset = await asyncio.to_thread(self.datasets.create_output, user, payload, team_id)
            except ApiError as exc:
                why = f"The '{key}' output could not be stored: {exc.message}"
                raise ServiceError(502, why) from None
            rows = len(payload["data"])
            kept = {k: v for k, v in payload.items() if k != "data"} | {"rows": rows}
            return (self.datasets.public(asset) if asset else None), kept
        if kind == "post":
            try:
                asset = self.posts.create_output(user, payload, team_id)
            except ApiError as exc:
                why = f"The '{key}' output could not be stored: {exc.message}"
                raise ServiceError(502, why) from None
            return asset, {k: v for k, v in payload.items() if k != "content"}
        if "base64" not in payload:
            return None, payload
        try:
            data = base64.b64decode(payload["base64"], validate=True)
        except (binascii.Error, ValueError):
            raise ServiceError(502, f"The service sent a broken '{key}' file.") from None
        asset = self.files.create_output_file(user, payload, data, team_id)
        return asset, {k: v for k, v in payload.items() if k != "base64"}

    def _finish_error(
        self, action: dict[str, Any], status: int, message: str, **extra: Any
    ) -> dict[str, Any]:
        now = self.store.now_iso()
        action.update(
            status="error",
            response=failure_response(status, message, **extra),
            upstream_status_code=status,
            finished_at=now,
            last_updated=now,
        )
        self._headers.pop(action["id"], None)
        if self.store.update_action_if_open(action):
            route = self.store.asset(action["route_id"]) or {"id": action["route_id"], "name": ""}
            self._system_log(action, route, "error", f"Run failed: {message}")
        return self.store.action(action["id"]) or action

    async def complete_from_webhook(
        self, action: dict[str, Any], payload: dict[str, Any]
    ) -> dict[str, Any]:
        """An async service reporting its outcome (``POST /actions/{id}/response``)."""
        task = self._tasks.pop(action["id"], None)
        if task is not None:
            task.cancel()
        route = self.store.asset(action["route_id"])
        response = payload.get("response")
        if payload.get("status") == "completed" and route is not None:
            return await self._finish_success(
                action, route, response if isinstance(response, dict) else {}
            )
        body = response if isinstance(response, dict) else {}
        raw_error = body.get("error")
        error: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
        status = int(error.get("status") or body.get("statusCode") or 500)
        message = detail_message(
            error.get("message") or body.get("detail") or "The service reported a failure."
        )
        return self._finish_error(action, status, message)

    # -- logs ----------------------------------------------------------------------------
    async def _service_log(
        self, action: dict[str, Any], route: dict[str, Any], message: str, level: str = "info"
    ) -> None:
        self.add_log(action, route, message, level, origin="service", client="demo-service")

    def _system_log(
        self, action: dict[str, Any], route: dict[str, Any], level: str, msg: str
    ) -> None:
        self.add_log(action, route, msg, level, origin="ouro", client="ouro")

    def add_log(
        self,
        action: dict[str, Any],
        route: dict[str, Any],
        message: str,
        level: str,
        *,
        origin: str,
        client: str | None,
        sdk: str | None = None,
        key_name: str | None = None,
    ) -> dict[str, Any]:
        user = self.store.user(action["user_id"]) or {"id": action["user_id"], "username": None}
        row = {
            "id": uuid7(self.store.clock()),
            "action_id": action["id"],
            "user_id": action["user_id"],
            "asset_id": route["id"],
            "event_type": "log",
            "level": level if level in ("info", "warning", "error", "debug") else "info",
            "message": str(message),
            "origin": origin,
            "source": "api",
            "client": client,
            "sdk": sdk,
            "api_key_name": key_name,
            "metadata": None,
            "created_at": self.store.now_iso(),
            "user": user_ref(user),
            "asset": {"id": route["id"], "name": route.get("name"), "asset_type": "route"},
        }
        self.store.add_log(row)
        return row

    # -- time-outs and restarts ----------------------------------------------------------
    def sweep(self) -> None:
        """End runs the service never answered (Ouro's own time-out, not the client's)."""
        now = self.store.clock()
        for action_id in self.store.action_ids_with_status(["queued", "in-progress"]):
            action = self.store.action(action_id)
            if action is None:
                continue
            begun = parse_iso(action.get("started_at") or action["created_at"])
            if now - begun < self.faults.action_timeout_s:
                continue
            task = self._tasks.pop(action_id, None)
            if task is not None:
                task.cancel()
            stamp = self.store.now_iso()
            action.update(
                status="timed-out",
                finished_at=stamp,
                last_updated=stamp,
                response={
                    "error": {
                        "message": "Timed out waiting for the service",
                        "status": 504,
                        "code": "timed_out",
                    }
                },
            )
            if self.store.update_action_if_open(action):
                route = self.store.asset(action["route_id"]) or {"id": action["route_id"]}
                self._system_log(
                    action, route, "error", "Run timed out: the service never answered."
                )

    def resume_orphans(self) -> None:
        """Restart runs a previous process left unfinished (their request is stored)."""
        if self._resumed:
            return
        self._resumed = True
        for action_id in self.store.action_ids_with_status(["queued", "in-progress"]):
            if action_id not in self._tasks:
                self.start_background(action_id)

    def is_terminal(self, status: str) -> bool:
        return status in TERMINAL_STATUSES

    async def aclose(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
