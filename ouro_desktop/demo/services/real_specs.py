"""Services built from two real Ouro wrapper specs, whose models do not exist offline.

The OpenAPI documents in ``ouro_desktop/demo/specs/`` are the specs of the materials
(structure relaxation with Orb) and CrystaLLM (structure generation) services from the public
``ourofoundation/wrappers`` repository, MIT licence, Copyright (c) 2024 Ouro. They are shipped
as package data so the demo shows real-world route forms. Only their POST operation becomes a
route, and it has no handler: the store turns a run of it into a failed action ("this model is
not available in the offline demo"). Their base URLs are never contacted.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from .base import DemoService

SPECS_PACKAGE = "ouro_desktop.demo"


def load_spec(filename: str) -> dict[str, Any]:
    """A spec shipped in ``ouro_desktop/demo/specs/`` (works from a wheel or a bundle)."""
    text = resources.files(SPECS_PACKAGE).joinpath("specs").joinpath(filename).read_text("utf-8")
    spec: dict[str, Any] = json.loads(text)
    return spec


def materials_service() -> DemoService:
    doc = load_spec("materials-relax.openapi.json")
    return DemoService(
        key="materials-api",
        name="Materials API",
        description=doc["info"].get("description") or doc["info"]["title"],
        base_url="https://ouro--materials-api.modal.run",
        openapi=doc,
        operations={("POST", "/materials/structure/relax")},
    )


def crystallm_service() -> DemoService:
    doc = load_spec("crystallm-generate.openapi.json")
    return DemoService(
        key="crystallm",
        name="CrystaLLM",
        description=doc["info"].get("description") or doc["info"]["title"],
        base_url="https://ouro--crystallm-api.modal.run",
        openapi=doc,
        operations={("POST", "/generate")},
    )


def real_spec_services() -> list[DemoService]:
    return [materials_service(), crystallm_service()]
