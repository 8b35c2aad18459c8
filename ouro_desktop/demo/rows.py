"""Builders for the JSON rows the demo API returns, in the shapes ouro-py validates.

Every asset carries the fields the SDK requires (id, user_id, org_id, team_id, visibility,
asset_type, created_at, last_updated) and only values its enums accept (see
ouro-protocol.md §4.4): state in queued/in-progress/success/error, source in web/api.
"""

from __future__ import annotations

import re
from typing import Any

from .store import ZERO_UUID

FRONTEND_URL = "https://ouro.foundation"
PERSONAL_ORG = {"id": ZERO_UUID, "name": "all"}


def rich_text(text: str) -> dict[str, Any]:
    """A description as Ouro stores it: a TipTap document plus its plain text."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    doc = {
        "type": "doc",
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": p}]} for p in paragraphs
        ],
    }
    return {"json": doc, "text": "\n\n".join(paragraphs)}


def name_url_slug(name: str) -> str:
    """Ouro's slug for a name: lower case, spaces/slashes/underscores to '-', symbols dropped."""
    slug = re.sub(r"[\s/_]+", "-", name.strip().lower())
    slug = re.sub(r"[^a-z0-9-]", "", slug)
    return re.sub(r"-{2,}", "-", slug).strip("-")


def user_ref(user: dict[str, Any]) -> dict[str, Any]:
    return {
        "user_id": user["id"],
        "username": user["username"],
        "avatar_path": None,
        "is_agent": False,
        "plan_type": "free",
    }


def base_asset(
    *,
    asset_id: str,
    asset_type: str,
    name: str,
    description: str,
    user: dict[str, Any],
    team: dict[str, Any],
    visibility: str,
    created_at: str,
    last_updated: str,
    source: str = "api",
    parent_id: str | None = None,
) -> dict[str, Any]:
    slug = name_url_slug(name)
    kind = {
        "route": "routes",
        "service": "services",
        "file": "files",
        "dataset": "datasets",
        "post": "posts",
    }.get(asset_type, "assets")
    return {
        "id": asset_id,
        "asset_type": asset_type,
        "name": name,
        "name_url_slug": slug,
        "slug": f"/{kind}/{user['username']}/{slug}",
        "url": f"{FRONTEND_URL}/{kind}/{user['username']}/{slug}",
        "description": rich_text(description),
        "user_id": user["id"],
        "user": user_ref(user),
        "org_id": ZERO_UUID,
        "organization": dict(PERSONAL_ORG),
        "team_id": team["id"],
        "team": dict(team),
        "parent_id": parent_id,
        "visibility": visibility,
        "license_id": "MIT",
        "attribution": {"originality": "original"},
        "monetization": "none",
        "price": 0,
        "price_currency": "usd",
        "price_usd": None,
        "price_sats": None,
        "unit_cost": 0,
        "unit_cost_usd": None,
        "unit_cost_sats": None,
        "cost_accounting": None,
        "cost_unit": None,
        "max_billable_seconds": None,
        "preview": None,
        "state": "success",
        "source": source,
        "created_at": created_at,
        "last_updated": last_updated,
        "metadata": None,
    }


def apply_pricing(asset: dict[str, Any], pricing: dict[str, Any] | None) -> None:
    """Map an ``x-ouro-pricing`` block onto the route's price fields (§4.3, §10)."""
    if not pricing or pricing.get("model") in (None, "free"):
        return
    currency = pricing.get("currency", "usd")
    unit_cost = float(pricing.get("unit_cost") or 0)
    asset.update(
        monetization="pay-per-use",
        visibility="monetized",
        price=unit_cost,
        unit_cost=unit_cost,
        price_currency=currency,
        price_usd=pricing.get("unit_cost_usd", unit_cost if currency == "usd" else None),
        unit_cost_usd=pricing.get("unit_cost_usd", unit_cost if currency == "usd" else None),
        price_sats=pricing.get("unit_cost_sats"),
        unit_cost_sats=pricing.get("unit_cost_sats"),
        cost_accounting="runtime" if pricing.get("model") == "per_second" else "fixed",
        cost_unit="second" if pricing.get("model") == "per_second" else "call",
        max_billable_seconds=pricing.get("max_billable_seconds"),
    )


def route_block(
    definition: dict[str, Any], *, route_id: str, service_id: str, user_id: str, updated: str
) -> dict[str, Any]:
    """``route.route``: the endpoint definition as Ouro stores it (refs already inlined)."""
    keys = (
        "name",
        "summary",
        "description",
        "method",
        "path",
        "parameters",
        "request_body",
        "responses",
        "input_assets",
        "input_type",
        "input_filter",
        "input_file_extension",
        "input_file_extensions",
        "output_assets",
        "output_type",
        "output_file_extension",
        "properties",
        "response_charts",
        "capabilities",
        "execution_mode",
    )
    block = {k: definition.get(k) for k in keys}
    block.update(
        id=route_id,
        service_id=service_id,
        user_id=user_id,
        security=None,
        rate_limit=None,
        observed_execution_mode=None,
        last_updated=updated,
    )
    block["execution_mode"] = block["execution_mode"] or "sync"
    block["parameters"] = block["parameters"] or []
    return block


def file_metadata(obj: dict[str, Any], extension: str) -> dict[str, Any]:
    """Storage-object metadata in the strict shape ouro-py's FileMetadata accepts."""
    return {
        "id": obj["id"],
        "name": obj["path"].rsplit("/", 1)[-1],
        "bucket": obj["bucket"],
        "path": obj["path"],
        "fullPath": f"{obj['bucket']}/{obj['path']}",
        "type": obj["mime"],
        "mimeType": obj["mime"],
        "extension": extension,
        "size": obj["size"],
    }


def action_asset_row(name: str, primary: bool, asset: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "is_primary": primary,
        "asset_id": asset["id"],
        "asset_type": asset["asset_type"],
        "asset": asset,
    }


def asset_ref(asset: dict[str, Any]) -> dict[str, Any]:
    return {"id": asset["id"], "asset_type": asset["asset_type"], "name": asset.get("name")}
