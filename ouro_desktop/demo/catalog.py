"""Read-side logic of the demo API: access checks, search, routes with metrics, stats.

Kept apart from the endpoint functions so the rules (who may read what, how search
ranks, what a route's metrics are) read as plain Python.
"""

from __future__ import annotations

import json
import re
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .errors import ApiError
from .execution import Executor
from .run_request import input_declarations
from .store import Store, parse_iso, seed_id

if TYPE_CHECKING:
    from .app import DemoBackend
    from .services.base import DemoService

PUBLIC = ("public", "monetized")
SORTS = {"relevant", "recent", "popular", "updated"}
SCOPES = {"personal", "org", "shared", "purchased", "global", "all"}


def parse_time(text: str) -> float:
    return parse_iso(text.strip().replace(" ", "+"))


def clean(asset: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in asset.items() if not k.startswith("_")}


def service_id_of(service: DemoService) -> str:
    return seed_id("service", service.key)


def is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def readable(
    backend: DemoBackend, user: dict[str, Any], asset_id: str, asset_type: str | None
) -> dict[str, Any]:
    asset = backend.store.asset(asset_id) if is_uuid(asset_id) else None
    if (
        asset is None
        or (asset_type and asset["asset_type"] != asset_type)
        or (asset["user_id"] != user["id"] and asset["visibility"] not in PUBLIC)
    ):
        kind = asset_type or "Asset"
        raise ApiError(404, f"{kind.capitalize()} {asset_id} not found", "asset_not_found")
    return asset


def route_of_service(
    backend: DemoBackend, user: dict[str, Any], params: Mapping[str, str]
) -> dict[str, Any]:
    route = readable(backend, user, params["rid"], "route")
    if route.get("parent_id") != params["sid"]:
        raise ApiError(404, "This route does not belong to that service.", "asset_not_found")
    return route


def own_action(backend: DemoBackend, user: dict[str, Any], action_id: str) -> dict[str, Any]:
    """The caller's action, without its ``response`` (its logs need only who owns it)."""
    action = backend.store.action_brief(action_id) if is_uuid(action_id) else None
    if action is None or action["user_id"] != user["id"]:
        raise ApiError(404, f"Action {action_id} not found", "action_not_found")
    return action


def by_name(backend: DemoBackend, entity: str, name: str, asset_type: str) -> dict[str, Any] | None:
    """``entity/slug`` → asset: the entity is a username, or a service id (§3.2)."""
    owner = backend.store.user_by_name(entity)
    key = owner["id"] if owner else entity
    return backend.store.asset_by_slug(key, name.strip().lower(), asset_type)


def _percentile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def metrics(backend: DemoBackend, route_id: str) -> dict[str, Any] | None:
    """Latency metrics from the route's recent finished runs (integers, as ouro-py wants)."""
    done, _ = backend.store.actions(
        route_id=route_id, statuses=["success"], limit=200, responses=False
    )
    completion, ack = [], []
    for action in done:
        created = parse_iso(action["created_at"])
        if action.get("finished_at"):
            completion.append(int((parse_iso(action["finished_at"]) - created) * 1000))
        if action.get("ack_at"):
            ack.append(int((parse_iso(action["ack_at"]) - created) * 1000))
    if not completion:
        return None
    return {
        "avg_ack_ms": int(sum(ack) / len(ack)) if ack else None,
        "p50_ack_ms": _percentile(ack, 0.5) if ack else None,
        "p95_ack_ms": _percentile(ack, 0.95) if ack else None,
        "avg_completion_ms": int(sum(completion) / len(completion)),
        "p50_completion_ms": _percentile(completion, 0.5),
        "p95_completion_ms": _percentile(completion, 0.95),
        "latency_sample_count": len(completion),
    }


def full_route(backend: DemoBackend, route: dict[str, Any]) -> dict[str, Any]:
    return {**clean(route), "metrics": metrics(backend, route["id"])}


def _popularity(backend: DemoBackend, asset_id: str, since: str | None = None) -> int:
    _, total = backend.store.actions(route_id=asset_id, since=since, limit=0)
    return total


def _json_param(params: Mapping[str, str], name: str) -> dict[str, Any]:
    raw = params.get(name)
    if not raw or raw in ("null", "None"):
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ApiError(400, f"'{name}' must be a JSON object.") from exc
    if not isinstance(value, dict):
        raise ApiError(400, f"'{name}' must be a JSON object.")
    return {k: v for k, v in value.items() if v not in (None, "", "null")}


def _as_list(value: Any) -> list[str]:
    return [str(v).lower() for v in (value if isinstance(value, list) else [value])]


def _matches_filters(asset: dict[str, Any], filters: dict[str, Any], meta: dict[str, Any]) -> bool:
    for key in ("user_id", "org_id", "team_id", "visibility", "source"):
        if key in filters and str(asset.get(key)).lower() not in _as_list(filters[key]):
            return False
    if filters.get("top_level_only") and asset.get("parent_id") and asset["asset_type"] != "route":
        return False
    metadata = asset.get("metadata") or {}
    if "extension" in meta and str(metadata.get("extension", "")).lower() not in _as_list(
        meta["extension"]
    ):
        return False
    if "file_type" in meta:
        mime = str(metadata.get("type") or "")
        if mime.split("/")[0] not in _as_list(meta["file_type"]) and mime not in _as_list(
            meta["file_type"]
        ):
            return False
    return True


def _score(asset: dict[str, Any], terms: list[str]) -> int:
    name = str(asset.get("name") or "").lower()
    text = asset.get("_search_text", "")
    if not all(t in text or t in name for t in terms):
        return -1
    return sum(3 * name.count(t) + text.count(t) for t in terms)


def ranked_ids(backend: DemoBackend, user: dict[str, Any], params: Mapping[str, str]) -> list[str]:
    """``GET /search/assets``: the id of every match, ranked; the endpoint pages the list.

    Ranks on each asset's brief (:meth:`Store.asset_briefs`), not its whole document: only
    the page shown is decoded whole.
    """
    filters = _json_param(params, "filters")
    meta = _json_param(params, "metadata_filters")
    query = (params.get("query") or "").strip()
    sort = params.get("sort") or ("relevant" if query else "recent")
    if sort not in SORTS:
        raise ApiError(400, f"Unknown sort '{sort}'.")
    scope = params.get("scope") or "all"
    if scope in ("", "null"):
        scope = "all"
    if scope not in SCOPES:
        raise ApiError(400, f"Unknown scope '{scope}'.")
    if query and is_uuid(query):
        asset = backend.store.asset(query)
        ok = asset is not None and (asset["user_id"] == user["id"] or asset["visibility"] in PUBLIC)
        return [query] if ok else []
    types = _as_list(filters["asset_type"]) if "asset_type" in filters else None
    candidates = backend.store.asset_briefs(
        asset_types=types,
        readable_by=user["id"],
        owner=user["id"] if scope in ("personal", "org") else None,
    )
    if scope in ("purchased", "shared"):
        candidates = [a for a in candidates if a["user_id"] != user["id"]]
    terms = [t for t in re.split(r"\s+", query.lower()) if t]
    scored = []
    for asset in candidates:
        if not _matches_filters(asset, filters, meta):
            continue
        score = _score(asset, terms) if terms else 0
        if score >= 0:
            scored.append((score, asset))
    if sort == "recent":
        scored.sort(key=lambda p: p[1]["created_at"], reverse=True)
    elif sort == "updated":
        scored.sort(key=lambda p: p[1]["last_updated"], reverse=True)
    else:
        window = params.get("time_window") or "month"
        since = _window_start(window, backend.store.clock()) if sort == "popular" else None
        runs = backend.store.action_counts(since)
        if sort == "popular":
            scored.sort(key=lambda p: (runs.get(p[1]["id"], 0), p[1]["created_at"]), reverse=True)
        else:
            scored.sort(
                key=lambda p: (p[0], runs.get(p[1]["id"], 0), p[1]["created_at"]), reverse=True
            )
    return [a["id"] for _, a in scored]


_RANKINGS_KEPT = 8  # searches whose ranking is kept for their next pages
_PAGING = ("offset", "limit")
_rankings: weakref.WeakKeyDictionary[Store, OrderedDict[Any, tuple[int, list[str]]]] = (
    weakref.WeakKeyDictionary()
)


def search_page(
    backend: DemoBackend,
    user: dict[str, Any],
    params: Mapping[str, str],
    offset: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    """A page of :func:`search` and how many match in all.

    The ids in ranked order are kept (the last few searches) while the store's
    ``generation`` is unchanged -- no asset written or deleted, no new action (popularity)
    -- so the next page decodes only its own rows: each page of 5,000 routes decoded every
    route's JSON again, ~0.4-0.6 s on the demo's thread, which shares the interpreter with
    the window it demonstrates (scrolling the route list stuttered). "popular" ranks by a
    window of time that moves with the clock: never kept.
    """
    store = backend.store
    key = (user["id"], tuple(sorted((k, v) for k, v in params.items() if k not in _PAGING)))
    kept = _rankings.setdefault(store, OrderedDict())
    found = kept.get(key)
    if found is not None and found[0] == store.generation:
        kept.move_to_end(key)
        ids = found[1]
    else:
        generation = store.generation
        ids = ranked_ids(backend, user, params)
        if params.get("sort") != "popular":
            kept[key] = (generation, ids)
            kept.move_to_end(key)
            while len(kept) > _RANKINGS_KEPT:
                kept.popitem(last=False)
    page = [store.asset(asset_id) for asset_id in ids[offset : offset + limit]]
    return [clean(a) for a in page if a is not None], len(ids)


def _window_start(window: str, now: float) -> str | None:
    """Start of a popularity window on the backend's clock (action times use it too)."""
    days = {"day": 1, "week": 7, "month": 30}.get(window)
    if days is None:
        return None
    start = datetime.fromtimestamp(now, UTC) - timedelta(days=days)
    return start.isoformat(timespec="milliseconds")


def compatible(
    backend: DemoBackend, user: dict[str, Any], asset: dict[str, Any], params: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Routes with an input declaration this asset satisfies (§3.5)."""
    out = []
    query_terms = [t for t in (params.get("query") or "").lower().split() if t]
    for route in backend.store.assets(asset_types=["route"], readable_by=user["id"]):
        decls = input_declarations(route)
        fits = False
        for key, decl in decls.items():
            try:
                Executor._check_declaration(key, decl, asset)
                fits = True
                break
            except ApiError:
                continue
        if not fits or (query_terms and _score(route, query_terms) < 0):
            continue
        block = route["route"]
        outs = block.get("output_assets") or {}
        if params.get("output_type") and params["output_type"] != block.get("output_type"):
            continue
        if params.get("output_asset_type") and not any(
            d.get("asset_type") == params["output_asset_type"] for d in outs.values()
        ):
            continue
        ext = params.get("output_file_extension")
        if (
            ext
            and ext != block.get("output_file_extension")
            and not any(ext in (d.get("file_extensions") or []) for d in outs.values())
        ):
            continue
        out.append(route)
    if query_terms:
        out.sort(key=lambda r: _score(r, query_terms), reverse=True)
    else:
        out.sort(key=lambda r: _popularity(backend, r["id"]), reverse=True)
    return [full_route(backend, r) for r in out]


def stats(backend: DemoBackend, route: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    _, total = backend.store.actions(route_id=route["id"], limit=0)
    _, mine = backend.store.actions(route_id=route["id"], user_id=user["id"], limit=0)
    running, _ = backend.store.actions(
        route_id=route["id"],
        user_id=user["id"],
        statuses=["queued", "in-progress"],
        limit=50,
        responses=False,
    )
    money = None
    if route.get("monetization") not in (None, "none"):
        money = {
            k: route.get(k)
            for k in (
                "monetization",
                "price",
                "price_currency",
                "unit_cost",
                "cost_unit",
                "cost_accounting",
            )
        }
    return {
        "access": "public" if route["visibility"] in PUBLIC else "private",
        "total": total,
        "userTotal": mine,
        "inProgress": running,
        "monetization": money,
    }


def response_data(action: dict[str, Any]) -> Any:
    """The upstream JSON with each output key replaced by the asset created from it (§5.2)."""
    data = dict(action.get("response") or {})
    for row in action.get("output_assets") or []:
        data[row["name"]] = row["asset"]
    return data


def side_effect_metadata(action: dict[str, Any]) -> dict[str, Any]:
    outputs = action.get("output_assets") or []
    meta: dict[str, Any] = {"outputAssets": outputs}
    primary = next((o for o in outputs if o["is_primary"]), outputs[0] if outputs else None)
    if primary:
        meta["sideEffect"] = {
            "object": primary["asset_type"],
            primary["asset_type"]: primary["asset"],
        }
    return meta
