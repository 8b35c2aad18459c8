"""First-start seeding: the demo user and its API key, its team, and the demo services.

Services and routes are (re)imported from their OpenAPI documents on every start, the
way Ouro syncs a service spec, so code changes to a demo route reach existing data dirs;
ids are derived from names so they never change. The user's API key is made once per
data directory and kept.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from .openapi_import import route_definitions
from .rows import apply_pricing, base_asset, name_url_slug, route_block
from .services import demo_services
from .services.base import DemoService
from .store import Store, seed_id

DEMO_USERNAME = "demo"


@dataclass(frozen=True)
class RouteEntry:
    """What the executor needs to run a seeded route."""

    route_id: str
    service: DemoService
    method: str
    path: str


@dataclass(frozen=True)
class Seeded:
    user: dict[str, Any]
    team: dict[str, Any]
    api_key: str
    routes: dict[str, RouteEntry]


def make_user(store: Store, username: str, email: str, name: str) -> tuple[dict[str, Any], str]:
    """Create (or keep) a user and return it with its API key (a hex PAT, like Ouro's)."""
    user_id = seed_id("user", username)
    user = {"id": user_id, "user_id": user_id, "username": username, "email": email, "name": name}
    key = store.api_key_of(user_id) or secrets.token_hex(24)
    store.upsert_user(user, key, key_name=f"{username} demo key")
    return user, key


def seed(store: Store, services: list[DemoService] | None = None) -> Seeded:
    user, api_key = make_user(store, DEMO_USERNAME, "demo@ouro.local", "Demo User")
    team = {"id": seed_id("team", DEMO_USERNAME), "name": "demo"}
    now = store.now_iso()
    routes: dict[str, RouteEntry] = {}
    for service in services if services is not None else demo_services():
        service_id = seed_id("service", service.key)
        existing = store.asset(service_id)
        created = existing["created_at"] if existing else now
        svc = base_asset(
            asset_id=service_id,
            asset_type="service",
            name=service.name,
            description=service.description,
            user=user,
            team=team,
            visibility=service.visibility,
            created_at=created,
            last_updated=now,
        )
        svc["metadata"] = {
            "base_url": service.base_url,
            "authentication": "None",
            "version": str(service.openapi.get("info", {}).get("version", "1.0.0")),
            "spec_path": "/openapi.json",
        }
        store.put_asset(svc, f"{service.name} {service.description}")
        for definition in route_definitions(service.openapi, only=service.operations):
            method, path = definition["method"], definition["path"]
            route_id = seed_id("route", service.key, method, path)
            name = service.route_names.get((method, path), definition["name"])
            definition = {**definition, "name": name}
            old = store.asset(route_id)
            description = definition.get("description") or definition.get("summary") or ""
            route = base_asset(
                asset_id=route_id,
                asset_type="route",
                name=name,
                description=description,
                user=user,
                team=team,
                visibility="public",
                created_at=old["created_at"] if old else now,
                last_updated=now,
                parent_id=service_id,
            )
            route["name_url_slug"] = name_url_slug(name)
            route["metadata"] = {"service_id": service_id}
            route["route"] = route_block(
                definition,
                route_id=route_id,
                service_id=service_id,
                user_id=user["id"],
                updated=now,
            )
            apply_pricing(route, definition.get("pricing"))
            search = " ".join(
                str(x) for x in (name, definition.get("summary"), description, service.name) if x
            )
            store.put_asset(route, search)
            routes[route_id] = RouteEntry(route_id, service, method, path)
    return Seeded(user=user, team=team, api_key=api_key, routes=routes)
