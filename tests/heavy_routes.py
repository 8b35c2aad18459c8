"""Demo services with heavy content, for the heavy-content tests and benchmarks.

Not part of the app's demo: tests and ``benchmarks/heavy_content.py`` add them to an
in-process backend (``create_app(..., services=demo_services() + heavy_services())``).

* ``demo/large-answer``: answers a curve of ``{energy_eV, dos_per_eV}`` records about
  ``megabytes`` MB long as compact JSON; ``variant`` changes every 50th value a little,
  so two runs of it differ all along the curve (what Compare has to cope with). It
  plays a remote service: its answer is JSON text (:func:`answer_json`), written
  without building the records as Python values in the app's process, or written
  beforehand (:func:`prepare_answer`) and received, as an HTTP body arrives;
* ``demo/chatty-run``: logs ``lines`` numbered lines at ``per_second`` and answers
  ``{"lines": n}``;
* ``demo/wide-form-<n>``: a request body of ``n`` top-level settings (numbers,
  integers, text, switches, choices); ``demo/grouped-form-<n>`` the same in groups of 20;
* :func:`many_routes_service` makes a service with ``n`` small routes (a big catalogue).
"""

from __future__ import annotations

import asyncio
import io
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from ouro_desktop.demo.services import DemoService, JsonText, ServiceCall, merge_documents
from ouro_desktop.demo.services.spec import document, post_operation

RECORD_BYTES = 48  # {"energy_eV":12.345678,"dos_per_eV":0.123456789}, plus the comma


def answer_records(megabytes: float, variant: int = 0) -> list[dict[str, float]]:
    """About ``megabytes`` MB of curve records (as compact JSON)."""
    n = max(1, int(megabytes * 1_000_000 / RECORD_BYTES))
    step = 50.0 / n
    return [
        {
            "energy_eV": round(i * step, 6),
            "dos_per_eV": round(
                (1.0 + (0.01 * variant if i % 50 == 0 else 0.0))
                * math.sqrt(i * step)
                * (1.0 + 0.1 * math.sin(i)),
                9,
            ),
        }
        for i in range(n)
    ]


def answer_json(megabytes: float, variant: int = 0) -> bytes:
    """The large answer as the compact JSON text the service sends: the same as
    ``json.dumps({"points": n, "variant": variant, "curve": answer_records(...)},
    separators=(",", ":"))``, written a record at a time (never as Python records)."""
    n = max(1, int(megabytes * 1_000_000 / RECORD_BYTES))
    step = 50.0 / n
    out = io.BytesIO()
    out.write(b'{"points":%d,"variant":%d,"curve":[' % (n, variant))
    batch: list[str] = []
    for i in range(n):
        x = i * step
        scale = 1.0 + (0.01 * variant if i % 50 == 0 else 0.0)
        dos = round(scale * math.sqrt(x) * (1.0 + 0.1 * math.sin(i)), 9)
        batch.append(f'{{"energy_eV":{round(x, 6)!r},"dos_per_eV":{dos!r}}}')
        if len(batch) == 4096:
            out.write((",".join(batch) + ",").encode())
            batch.clear()
    out.write(",".join(batch).encode() if batch else b"")
    if not batch:  # the last batch left a comma behind
        out.seek(-1, io.SEEK_END)
    out.write(b"]}")
    out.truncate()
    return out.getvalue()


_PREPARED: dict[tuple[float, int], Path] = {}


def prepare_answer(megabytes: float, variant: int = 0) -> None:
    """Write the large answer's text now, for the next run asking for it (a benchmark
    does this before it measures). That run then receives it as an HTTP answer arrives
    from a remote service: read from a file (the kernel copies it in while other threads
    run, as from a socket), with none of the service's own work in the app's process."""
    fd, name = tempfile.mkstemp(prefix="large-answer-", suffix=".json")
    with os.fdopen(fd, "wb") as out:
        out.write(answer_json(megabytes, variant))
    _PREPARED[(float(megabytes), int(variant))] = Path(name)


def _receive(path: Path) -> bytes:
    try:
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


async def _large_answer(call: ServiceCall) -> JsonText:
    # A real service sends its answer as an HTTP body: this one gives the JSON text too
    # (a remote service's Python records would not live in the app's process either).
    megabytes = float(call.body.get("megabytes") or 1.0)
    variant = int(call.body.get("variant") or 0)
    prepared = _PREPARED.pop((megabytes, variant), None)
    if prepared is not None:
        return JsonText(await asyncio.to_thread(_receive, prepared))
    return JsonText(await asyncio.to_thread(answer_json, megabytes, variant))


async def _chatty(call: ServiceCall) -> dict[str, Any]:
    lines = int(call.body.get("lines") or 100)
    per_second = float(call.body.get("per_second") or 0)
    batch = 50
    for i in range(1, lines + 1):
        level = "warning" if i % 97 == 0 else "info"
        await call.log(f"line {i} of {lines}: step done", level=level)
        if per_second > 0 and i % batch == 0:
            await asyncio.sleep(batch / per_second)
    return {"lines": lines}


def _object(title: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "title": title, "properties": properties}


def _field(i: int) -> dict[str, Any]:
    """One setting of a wide form: the kinds a real request model mixes."""
    kind = i % 5
    title = f"Setting {i}"
    if kind == 0:
        return {"type": "number", "title": f"{title} (eV)", "default": 0.5, "minimum": 0}
    if kind == 1:
        return {"type": "integer", "title": title, "default": 3, "minimum": 1, "maximum": 99}
    if kind == 2:
        return {"type": "string", "title": title, "default": "auto"}
    if kind == 3:
        return {"type": "boolean", "title": title, "default": i % 2 == 0}
    return {"type": "string", "title": title, "enum": ["fast", "normal", "precise"]}


def _form_doc(route: str, n: int, groups: int) -> tuple[str, dict[str, Any]]:
    path = f"/heavy/{route}"
    model = "".join(part.title() for part in route.split("-")) + "Request"
    schemas: dict[str, Any] = {}
    if groups:
        per = n // groups
        properties = {}
        for g in range(groups):
            name = f"Group{g:03d}"
            schemas[name] = _object(
                f"Group {g}", {f"s{g:03d}_{j:02d}": _field(g * per + j) for j in range(per)}
            )
            properties[f"group_{g:03d}"] = {"$ref": f"#/components/schemas/{name}"}
    else:
        properties = {f"s{i:04d}": _field(i) for i in range(n)}
    schemas[model] = _object(model, properties)
    op = post_operation(
        summary=f"A form of {n:,} settings",
        description=f"Takes {n:,} settings and answers how many were given.",
        operation_id=route.replace("-", "_"),
        request_model=model,
        extensions={"x-ouro-execution-mode": "sync"},
    )
    return path, document(title=route, description=route, path=path, operation=op, schemas=schemas)


async def _count_settings(call: ServiceCall) -> dict[str, Any]:
    return {"settings": len(call.body)}


def _curve_doc(path: str, model: str, properties: dict[str, Any], summary: str) -> dict[str, Any]:
    op = post_operation(
        summary=summary,
        description=summary,
        operation_id=model.lower(),
        request_model=model,
        extensions={"x-ouro-execution-mode": "async"},
    )
    return document(
        title=summary,
        description=summary,
        path=path,
        operation=op,
        schemas={model: _object(model, properties)},
    )


def heavy_services(*, forms: bool = True) -> list[DemoService]:
    """The heavy demo routes (see the module docstring), as one service; ``forms=False``
    leaves the wide forms out (their specs make the route list about 450 KB)."""
    docs = [
        _curve_doc(
            "/heavy/answer",
            "LargeAnswerRequest",
            {
                "megabytes": {"type": "number", "title": "Size (MB)", "default": 1.0},
                "variant": {"type": "integer", "title": "Variant", "default": 0},
            },
            "A large answer",
        ),
        _curve_doc(
            "/heavy/logs",
            "ChattyRequest",
            {
                "lines": {"type": "integer", "title": "Lines", "default": 100},
                "per_second": {"type": "number", "title": "Lines a second", "default": 0},
            },
            "A run that logs a lot",
        ),
    ]
    handlers = {("POST", "/heavy/answer"): _large_answer, ("POST", "/heavy/logs"): _chatty}
    names = {("POST", "/heavy/answer"): "large-answer", ("POST", "/heavy/logs"): "chatty-run"}
    wide = (
        ("wide-form-500", 500, 0),
        ("wide-form-2000", 2000, 0),
        ("grouped-form-2000", 2000, 100),
    )
    for route, n, groups in wide if forms else ():
        path, doc = _form_doc(route, n, groups)
        docs.append(doc)
        handlers[("POST", path)] = _count_settings
        names[("POST", path)] = route
    return [
        DemoService(
            key="demo-heavy",
            name="Heavy content",
            description="Routes with large answers, long logs and wide forms.",
            base_url="demo://heavy",
            openapi=merge_documents("Heavy content", "Heavy content", docs),
            handlers=handlers,
            route_names=names,
        )
    ]


def many_routes_service(n: int) -> DemoService:
    """A service of ``n`` small routes (number ``i`` adds ``i`` to a value)."""
    paths: dict[str, Any] = {}
    for i in range(n):
        paths[f"/many/{i}"] = {
            "post": {
                "summary": f"Catalogue route {i}: shift a value by {i}",
                "description": f"Adds {i} to the value given; one of {n:,} catalogue routes.",
                "operationId": f"many_{i}",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": _object(
                                "Value", {"value": {"type": "number", "title": "Value"}}
                            )
                        }
                    },
                },
                "responses": {"200": {"description": "OK"}},
            }
        }
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "Catalogue", "description": "Many routes", "version": "1.0.0"},
        "paths": paths,
    }
    return DemoService(
        key="demo-catalogue",
        name="Catalogue",
        description=f"{n:,} small routes.",
        base_url="demo://catalogue",
        openapi=doc,
    )
