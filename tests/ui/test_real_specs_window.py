"""Every route of the five real specs, filled in and run from the window.

The specs are registered in the in-process demo the way ``tests/real_specs`` does (every
operation a route, a test service that checks each body against the operation's own
schema and records what it received). For each route the test does what a person does
in the window: opens it, fills what the form still lacks (the field's own example or a
plausible value), drops an image, a CIF or a CSV table on the input zones (the table made
a dataset with its button), writes a text for a post input, types the service's key in
its masked header field, and presses Run. Every run must succeed, and the service must
have received the inputs and the key. The key is then looked for in every file the app
wrote (ledger, caches, settings, the log) and in the code shown for the run: it is in
none of them, only in the secret store. The picker refuses a crystal structure for an
image input, with the reason, before any run.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLineEdit

from ouro_desktop.api.models import Route
from ouro_desktop.core.header_secrets import header_account
from ouro_desktop.core.secrets import MemoryStore
from ouro_desktop.ui.run.form.asset_zones import DatasetZone, PostZone
from ouro_desktop.ui.run.form.drop_zone import ZoneState
from ouro_desktop.ui.run.form.row import FieldRow
from tests import real_specs

from .app_harness import EXAMPLES, App

KEY = "Bearer nixtla-secret-7f3a9c"


@pytest.fixture
def app(qtbot: Any, aio: Any, tmp_path: Path) -> Any:
    real_specs.SEEN.clear()
    instance = App(
        qtbot,
        aio,
        tmp_path,
        services=real_specs.real_spec_services(),
        demo_routes=False,  # only the real specs' routes
        secrets=MemoryStore(),
    )
    yield instance
    instance.close()


def _routes(app: App) -> list[Route]:
    return [Route.from_json(r) for r in app.backend.store.assets(asset_types=["route"])]


def _fill_form(app: App) -> None:
    form = app.window.run_panel.form
    spec = form.spec
    assert spec is not None
    if spec.body is not None:
        value = form.value()
        body = real_specs.fill_required(spec.body, value.body)
        form.set_value(body, value.query or None, value.path_params or None)


def _type_key(app: App) -> None:
    row = app.window.run_panel.form.slots()["header:authorization"]
    assert isinstance(row, FieldRow)
    toggle = getattr(row.editor, "toggle", None)
    if toggle is not None:
        toggle.setChecked(True)
    line = row.editor.findChild(QLineEdit)
    assert line is not None and line.echoMode() != QLineEdit.EchoMode.Normal
    line.setText(KEY)


def _give_inputs(app: App, tmp_path: Path) -> None:
    png = tmp_path / "sketch.png"
    png.write_bytes(real_specs.tiny_png())
    table = tmp_path / "sales.csv"
    table.write_text(
        "ds,y,store\n" + "".join(f"2024-01-{d:02d},{100 + 3 * d},A\n" for d in range(1, 29))
    )
    for key, zone in app.window.run_panel.inputs.zones().items():
        if isinstance(zone, DatasetZone):
            zone.files_dropped.emit(key, [str(table)])
            app.aio.wait_until(lambda z=zone: z.state is ZoneState.PREVIEW)
            zone.create_button.click()
        elif isinstance(zone, PostZone):
            zone.write_button.click()
            zone.text_edit.setPlainText("# Copper\nCu is a metal. It melts at 1358 K.")
            zone.save_button.click()
        else:
            picture = zone.decl.input_filter == "image"
            zone.files_dropped.emit(key, [str(png if picture else EXAMPLES / "Cu.cif")])
        app.aio.wait_until(lambda z=zone: z.asset_id is not None, timeout=20)


def _files_text(root: Path) -> bytes:
    blobs = []
    for path in root.rglob("*"):
        if path.is_file():
            blobs.append(path.read_bytes())
    return b"\n".join(blobs)


def test_every_real_route_runs_from_the_window(app: App, tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "app.log"
    log_file.parent.mkdir()
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        routes = _routes(app)
        assert len(routes) == 18
        for route in routes:
            app.open(route.id)
            _give_inputs(app, tmp_path)  # a table first: its columns fill the column fields
            _fill_form(app)
            if app.window.run_panel.form.spec.headers is not None:  # type: ignore[union-attr]
                _type_key(app)
            record = app.run()
            assert record.state == "success", (route.name, record.status_detail)
            (action,) = app.actions(route.id)
            declared = {d["asset_type"] for d in route.output_assets.values()}
            assert {o["asset_type"] for o in action["output_assets"]} == declared, route.name
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()

    seen = dict(real_specs.SEEN)
    assert len(seen) == 18
    for name in ("nixtla-timegpt /forecast", "nixtla-timegpt /forecast/report"):
        call = seen[name]
        assert call.headers["authorization"] == KEY
        assert call.body["config"]["date_column"] == "ds"  # set from the table's columns
        assert call.body["config"]["value_column"] == "y"
        assert len(call.body["dataset"]["data"]) == 28
    speech = seen["openai /speech/from-post"]
    assert speech.body["post"]["content"]["text"].startswith("# Copper")
    sketch = seen["stability /stable-image/control/sketch"]
    assert sketch.body["file"]["type"] == "image/png" and sketch.body["prompt"]
    relax = seen["materials-relax /materials/structure/relax"]
    assert relax.body["file"]["extension"] == "cif"
    assert seen["stability /3d/stable-fast-3d"].body["texture_resolution"] == "1024"

    # The key is in the secret store, and nowhere else the app writes.
    forecast = next(r for r in _routes(app) if r.name == "POST /forecast")
    account = app.session.account
    assert account is not None
    stored = app.aio.run(
        app.session.secrets.get(header_account(account.base_url, forecast, "authorization"))
    )
    assert stored == KEY
    assert log_file.stat().st_size > 0  # the log was written (and holds no key, below)
    assert KEY.encode() not in _files_text(tmp_path)
    runs = app.ledger.list(route_id=forecast.id)
    assert runs and all(KEY not in repr(r) for r in runs)
    detail = app.window.run_detail
    app.aio.wait_until(lambda: app.window.history.select_run(runs[0].action_id))
    detail.show_code_requested.emit(runs[0].action_id)
    app.aio.wait_until(lambda: getattr(app.history, "last_dialog", None) is not None)
    code = app.history.last_dialog.text()  # type: ignore[attr-defined]
    assert "forecast" in code.lower() and KEY not in code

    # Opening the route again fills the key from the store (still masked).
    app.open(next(r.id for r in _routes(app) if r.name == "GET /materials"))
    app.open(forecast.id)
    app.aio.wait_until(
        lambda: app.window.run_panel.form.value().headers.get("authorization") == KEY
    )


def test_picker_refuses_a_structure_for_an_image_input(app: App, tmp_path: Path) -> None:
    sketch = next(r for r in _routes(app) if r.name == "POST /stable-image/control/sketch")
    client = app.session.client
    assert client is not None
    cif = app.aio.run(client.upload_file(EXAMPLES / "Cu.cif"))
    png_path = tmp_path / "sketch.png"
    png_path.write_bytes(real_specs.tiny_png())
    png = app.aio.run(client.upload_file(png_path))
    searches: list[dict[str, Any]] = []
    search = client.search_assets

    async def ignoring_filters(*args: Any, **kwargs: Any) -> Any:
        # A server that does not narrow by kind: the picker must still refuse the CIF.
        searches.append(dict(kwargs))
        kwargs.pop("file_type", None)
        kwargs.pop("extensions", None)
        return await search(*args, **kwargs)

    client.search_assets = ignoring_filters  # type: ignore[method-assign]
    app.open(sketch.id)
    zone = app.window.run_panel.inputs.zone("file")
    zone.target.remote_button.click()
    app.aio.wait_until(lambda: app.runs.assets.picker is not None)
    picker = app.runs.assets.picker
    assert picker is not None
    assert searches[-1]["asset_type"] == "file" and searches[-1]["file_type"] == "image"
    assert {a.id for a in picker.assets} >= {cif.id, png.id}
    picker.select(cif.id)
    assert not picker.use_button.isEnabled()
    assert picker.reason_label.text() == (
        "⚠ “Cu.cif” is a crystal structure (.cif), but “File” takes an image."
    )
    picker.use_button.click()  # refused: nothing chosen, the dialog stays
    assert picker.isVisible() and picker.chosen is None
    picker.select(png.id)
    assert picker.use_button.isEnabled() and not picker.reason_label.isVisibleTo(picker)
    picker.use_button.click()
    app.aio.wait_until(lambda: zone.asset_id == png.id)
    record = app.run()
    assert record.state == "success", record.status_detail
    (action,) = app.actions(sketch.id)
    assert action["metadata"]["input_assets"] == {"file": {"assetId": png.id}}
