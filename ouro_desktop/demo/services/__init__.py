"""The demo route services the embedded backend offers.

Two services with working offline routes (each route a small module with its own OpenAPI
document and handler; among them routes that take or make datasets and posts), and two
services imported from real wrapper specs whose models are not available offline.
"""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

from . import (
    dos_curve,
    dos_fermi,
    eos_fit,
    formula_properties,
    post_facts,
    report_post,
    structure_report,
    supercell,
    xrd_pattern,
)
from .base import DemoService, Handler, JsonText, ServiceCall, ServiceError, file_payload
from .real_specs import crystallm_service, materials_service

__all__ = [
    "DemoService",
    "Handler",
    "JsonText",
    "ServiceCall",
    "ServiceError",
    "demo_services",
    "file_payload",
    "merge_documents",
]

MATERIALS_MODULES: tuple[ModuleType, ...] = (
    dos_fermi,
    dos_curve,
    supercell,
    structure_report,
    xrd_pattern,
    report_post,
    eos_fit,
)
CHEMISTRY_MODULES: tuple[ModuleType, ...] = (formula_properties, post_facts)


def merge_documents(title: str, description: str, docs: list[dict[str, Any]]) -> dict[str, Any]:
    """One OpenAPI document with the paths and component schemas of ``docs``.

    A component name shared by two documents must mean the same schema (e.g. ``File``).
    """
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "description": description, "version": "1.0.0"},
        "paths": {},
        "components": {"schemas": {}},
    }
    for doc in docs:
        for path, item in doc["paths"].items():
            target = merged["paths"].setdefault(path, {})
            for method, operation in item.items():
                if method in target:
                    raise ValueError(f"two demo routes define {method.upper()} {path}")
                target[method] = copy.deepcopy(operation)
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            existing = merged["components"]["schemas"].get(name)
            if existing is not None and existing != schema:
                raise ValueError(f"demo component schema {name!r} is defined twice, differently")
            merged["components"]["schemas"][name] = copy.deepcopy(schema)
    return merged


def _service(key: str, name: str, description: str, modules: tuple[ModuleType, ...]) -> DemoService:
    return DemoService(
        key=key,
        name=name,
        description=description,
        base_url=f"demo://{key.removeprefix('demo-')}",
        openapi=merge_documents(name, description, [m.OPENAPI for m in modules]),
        handlers={(m.METHOD, m.PATH): m.handle for m in modules},
        route_names={(m.METHOD, m.PATH): m.ROUTE_NAME for m in modules},
    )


def demo_services() -> list[DemoService]:
    """Every service of the offline demo, freshly built (callers may mutate them)."""
    return [
        _service(
            "demo-materials",
            "Demo materials tools",
            "Quick materials-science calculations on crystal structures (CIF files): "
            "free-electron density of states, supercells, a structure report (also as a "
            "post), a simulated powder X-ray diffraction pattern, and equation-of-state fits "
            "to energy–volume tables.",
            MATERIALS_MODULES,
        ),
        _service(
            "demo-chemistry",
            "Demo chemistry tools",
            "Molar mass and composition of chemical formulas, and the formulas and quantities "
            "in a post's text.",
            CHEMISTRY_MODULES,
        ),
        materials_service(),
        crystallm_service(),
    ]
