"""Every operation of the five real route specs, filled in and run through OuroClient.

The specs are registered in the demo backend the way the demo registers its own, with a
test service that checks each body against the operation's own schema (``tests/real_specs``).
For each route the test does what the window will: build the form, fill what is required
from the form's own hints, check the column fields against the table, pick or make the
input assets the route declares (an image for image inputs, a CSV table made a dataset, a
post), refuse an asset that does not fit, and run it. Every run must succeed, with the
declared outputs.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from ouro_desktop.api import OuroClient, Route
from ouro_desktop.api.schema import (
    MISSING,
    FormValue,
    ObjectNode,
    OptionalNode,
    build_form_spec,
    default_value,
    validate,
)
from ouro_desktop.core.asset_inputs import asset_fits, input_needs
from ouro_desktop.core.route_fields import example_value, user_parameters
from ouro_desktop.core.table_columns import check_columns, column_fields
from ouro_desktop.core.table_files import TableRows, read_table
from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults
from tests import real_specs

from .helpers import EXAMPLES, asgi, run

pytestmark = pytest.mark.timeout(120)

EXPECTED_ROUTES = {
    "GET /materials",
    "POST /materials/structure/relax",
    "GET /",
    "POST /generate",
    "POST /stable-image/generate/ultra",
    "POST /stable-image/generate/core",
    "POST /stable-image/generate/sd3",
    "POST /stable-image/control/sketch",
    "POST /3d/stable-fast-3d",
    "POST /image-to-video",
    "POST /images/generations/dalle3",
    "POST /images/generations/dalle2",
    "POST /images/variations",
    "POST /images/analyze",
    "POST /speech/generate",
    "POST /speech/from-post",
    "POST /forecast",
    "POST /forecast/report",
}


def _fill(node: Any, value: Any) -> Any:
    """What a person types where the form still lacks a required value: the field's own
    example, default or a plausible value (the same hints the snippets use)."""
    if isinstance(node, ObjectNode):
        out = dict(value) if isinstance(value, dict) else {}
        for child in node.children:
            filled = _fill(child, out.get(child.key, MISSING))
            if filled is not MISSING:
                out[child.key] = filled
        return out
    if isinstance(node, OptionalNode):
        return value
    if value is not MISSING and value not in ("", None):
        return value
    kind = {"number": "number", "boolean": "boolean", "enum": "string"}.get(node.kind, node.kind)
    if node.kind == "number":
        kind = "integer" if node.variant == "integer" else "number"
    from ouro_desktop.core.route_fields import FieldInfo

    info = FieldInfo(
        key=node.key,
        title=node.title,
        type=kind,
        required=True,
        examples=node.examples,
        description=node.description,
        minimum=getattr(node, "minimum", None),
        maximum=getattr(node, "maximum", None),
    )
    guess = example_value(info)
    return "a red bicycle" if guess == "..." else guess


def _set(body: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        body = body.setdefault(part, {})
    body[path[-1]] = value


async def wait(client: OuroClient, action_id: str) -> Any:
    deadline = time.monotonic() + 30
    while True:
        action = await client.get_action(action_id)
        if action.is_terminal:
            return action
        assert time.monotonic() < deadline, action.status
        await __import__("asyncio").sleep(0.02)


def test_every_real_operation_runs_end_to_end(tmp_path: Path) -> None:
    real_specs.SEEN.clear()
    app = create_app(
        tmp_path / "demo",
        faults=Faults(time_scale=0.01),
        services=real_specs.real_spec_services(),
    )
    png = tmp_path / "sketch.png"
    png.write_bytes(real_specs.tiny_png())
    cif = tmp_path / "Cu.cif"
    cif.write_bytes((EXAMPLES / "Cu.cif").read_bytes())
    csv = tmp_path / "sales.csv"
    csv.write_text(
        "ds,y,store\n" + "".join(f"2024-01-{d:02d},{100 + 3 * d},A\n" for d in range(1, 29))
    )

    async def scenario() -> None:
        async with OuroClient(
            "http://demo.test", app.state.backend.api_key, transport=asgi(app)
        ) as client:
            await client.sign_in()
            image = await client.upload_file(png)
            structure = await client.upload_file(cif)
            table_file = read_table(csv)
            table = await client.create_dataset(
                "sales",
                table_file.column_specs(),
                TableRows(table_file),
                total_rows=table_file.estimated_rows,
            )
            note = await client.create_post(
                "Copper", "# Copper\nCu is a metal. It melts at 1358 K."
            )
            columns = {c.name: c.kind for c in await client.dataset_schema(table.id)}
            routes: list[Route] = []
            services = await client.search_assets(asset_type="service", mine=False, limit=50)
            for service in services.items:
                routes += await client.service_routes(service.id)
            assert {r.name for r in routes} == EXPECTED_ROUTES

            for route in routes:
                spec = build_form_spec(route)
                assert isinstance(spec.body, ObjectNode | type(None)), route.name
                value = default_value(spec)
                body = value.body
                for fld in column_fields(route):  # the window offers the table's columns
                    key = next(iter(route.input_assets))
                    check = check_columns(columns, route, key, body)
                    _set(body, fld.path, check.suggestions[fld.dotted])
                body = _fill(spec.body, body) if spec.body is not None else {}
                headers = {}
                if spec.headers is not None:
                    assert spec.secret_headers == {"authorization"}, route.name
                    headers = {"authorization": "Bearer nixtla-key"}
                form = FormValue(body, value.query, value.path_params, headers)
                checked = validate(spec, form)
                assert checked.ok and not checked.problems, (route.name, checked)
                assert not [p for p in user_parameters(route) if p.location in ("query", "path")]

                inputs = {}
                for need in input_needs(route):
                    pick = {"dataset": table, "post": note}.get(need.asset_type)
                    if pick is None:
                        pick = image if need.kind_filter == "image" else structure
                        other = structure if pick is image else image
                        refused = asset_fits(need, other)
                        assert not refused.ok and refused.reason, route.name
                    fit = asset_fits(need, pick)
                    assert fit.ok, (route.name, fit.reason)
                    inputs[need.key] = pick.id
                started = await client.execute(
                    route,
                    body=body,
                    input_assets=inputs or None,
                    headers={k: v for k, v in form.headers.items() if v} or None,
                    idempotency_key=str(uuid.uuid4()),
                )
                done = await wait(client, started.action.id)
                assert done.status == "success", (route.name, done.error_message)
                declared = {d["asset_type"] for d in route.output_assets.values()}
                made = {row["asset_type"] for row in done.output_assets}
                assert made == declared, (route.name, made, declared)

            seen = {name: call for name, call in real_specs.SEEN}
            forecast = seen["nixtla-timegpt /forecast"]
            assert forecast.headers["authorization"] == "Bearer nixtla-key"
            assert forecast.body["dataset"]["metadata"]["table_name"] == table.table_name
            assert forecast.body["config"]["date_column"] == "ds"
            assert forecast.body["config"]["value_column"] == "y"
            assert len(forecast.body["dataset"]["data"]) == 28
            speech = seen["openai /speech/from-post"]
            assert speech.body["post"]["content"]["text"].startswith("# Copper")
            assert speech.body["voice"] == "alloy"
            sketch = seen["stability /stable-image/control/sketch"]
            assert sketch.body["file"]["type"] == "image/png" and sketch.body["prompt"]
            fast3d = seen["stability /3d/stable-fast-3d"]
            assert fast3d.body["texture_resolution"] == "1024"  # the nearest valid choice

    run(scenario(), timeout=110)


def test_a_body_that_breaks_the_operation_schema_fails_the_run_visibly(tmp_path: Path) -> None:
    """The checking service is real: a wrong body is a failed run naming the field."""
    app = create_app(tmp_path / "demo", services=real_specs.real_spec_services())

    async def scenario() -> None:
        async with OuroClient(
            "http://demo.test", app.state.backend.api_key, transport=asgi(app)
        ) as client:
            await client.sign_in()
            found = []
            for service in (await client.search_assets(asset_type="service", mine=False)).items:
                found += await client.service_routes(service.id)
            route = next(r for r in found if r.name == "POST /images/generations/dalle3")
            started = await client.execute(
                route, body={"prompt": "x", "size": "3x3"}, idempotency_key=str(uuid.uuid4())
            )
            done = await wait(client, started.action.id)
            assert done.status == "error" and "size" in (done.error_message or "")

    run(scenario())
