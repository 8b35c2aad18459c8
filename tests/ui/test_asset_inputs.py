"""Dataset and post inputs in the window, against the in-process demo backend.

A CSV of E(V) points dropped on the equation-of-state route is previewed, checked against
the route's column fields, created as a dataset and fitted (B0 with its chart); choosing
that dataset instead gives the same answer; the post route runs with a chosen post and
with a text written in the window; the picker refuses what does not fit, with the reason;
a required asset input says "required". Assertions are on what the backend received.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from ouro_desktop.demo.samples import DATASET_ID as SAMPLE_DATASET
from ouro_desktop.demo.samples import DATASET_NAME as SAMPLE_DATASET_NAME
from ouro_desktop.demo.samples import EV_TABLE
from ouro_desktop.demo.samples import POST_ID as SAMPLE_POST
from ouro_desktop.demo.samples import POST_NAME as SAMPLE_POST_NAME
from ouro_desktop.demo.services.eos_fit import EV_PER_A3_IN_GPA, birch_murnaghan
from ouro_desktop.ui.results.post_text import PostText
from ouro_desktop.ui.results.rows_table import PagedRows
from ouro_desktop.ui.run.asset_picker import AssetPicker
from ouro_desktop.ui.run.form.asset_zones import DatasetZone, PostZone
from ouro_desktop.ui.run.form.drop_zone import ZoneState

from .app_harness import EXAMPLES, App

EOS = "demo/fit-equation-of-state"
B0_GPA, V0, E0, BP = 95.0, 40.0, -12.5, 4.4


@pytest.fixture
def app(qtbot: Any, aio: Any, tmp_path: Path) -> Any:
    instance = App(qtbot, aio, tmp_path)
    yield instance
    instance.close()


def ev_csv(path: Path) -> Path:
    """E(V) points from known Birch–Murnaghan parameters, as a lab exports them."""
    b0 = B0_GPA / EV_PER_A3_IN_GPA
    lines = ["Volume_A3,Energy_eV,structure"]
    for i in range(11):
        v = V0 * (0.88 + 0.024 * i)
        lines.append(f"{v:.4f},{birch_murnaghan(v, E0, V0, b0, BP):.8f},fcc-{i}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _texts(widget: Any) -> str:
    return "\n".join(
        label.text() for label in widget.findChildren(QLabel) if label.isVisibleTo(widget)
    )


def _picker(app: App) -> AssetPicker:
    app.aio.wait_until(
        lambda: app.runs.assets.picker is not None and app.runs.assets.picker.isVisible()
    )
    picker = app.runs.assets.picker
    assert picker is not None
    return picker


def _select(app: App, key: str) -> None:
    app.aio.wait_until(lambda: app.window.history.select_run(key))
    app.aio.wait_until(lambda: app.window.run_detail.key() == key)


def _fit(app: App, route_id: str) -> dict[str, Any]:
    record = app.run()
    assert record.state == "success", record.status_detail
    action = app.actions(route_id)[0]
    return {"action": action, "record": record}


def test_dropped_csv_is_previewed_created_and_fitted(app: App, tmp_path: Path) -> None:
    route = app.open(EOS)
    zone = app.window.run_panel.inputs.zone("dataset")
    assert isinstance(zone, DatasetZone)
    assert zone.required_label.isVisibleTo(zone)
    zone.files_dropped.emit("dataset", [str(ev_csv(tmp_path / "copper E(V).csv"))])
    app.aio.wait_until(lambda: zone.state is ZoneState.PREVIEW)
    # The preview: first rows, column kinds in words, the column check.
    assert zone.rows_table.rows_model.column_headers() == [
        "Volume_A3\nnumbers",
        "Energy_eV\nnumbers",
        "structure\ntext",
    ]
    assert zone.rows_table.rows_model.cell(0, 2) == "fcc-0"
    shown = _texts(zone)
    assert "11 rows · 3 columns · comma-separated" in shown
    assert "“Volume column” is now “volume_a3”, the table's “Volume_A3” column." in shown
    assert "“Energy column” is now “energy_ev”" in shown
    body = app.window.run_panel.form.value().body
    assert body == {"volume_column": "volume_a3", "energy_column": "energy_ev"}
    # Run before the dataset exists: told what to do, nothing sent.
    app.window.run_panel.run_button.click()
    assert "Create the dataset" in app.window.run_panel.error_banner.label.text()
    assert app.actions(route.id) == []

    zone.create_button.click()
    app.aio.wait_until(lambda: zone.asset_id is not None)
    dataset_id = zone.asset_id
    assert "Created on Ouro" in zone.status_label.text()
    stored = app.backend.store.asset(dataset_id)
    assert stored["asset_type"] == "dataset" and stored["name"] == "copper E(V)"

    record = app.run()
    assert record.state == "success", record.status_detail
    (action,) = app.actions(route.id)
    assert action["metadata"]["input_assets"] == {"dataset": {"assetId": dataset_id}}
    answer = action["response"]
    assert abs(answer["B0_GPa"] - B0_GPA) / B0_GPA < 0.01
    assert abs(answer["V0_A3"] - V0) / V0 < 0.01
    assert answer["points_used"] == 11
    _select(app, record.action_id)
    detail = app.window.run_detail
    app.aio.wait_until(lambda: "Charts" in detail.tab_titles())
    detail.select_tab(detail.CHARTS)  # charts are drawn when their tab is first shown
    charts = detail.charts_view.charts()
    titles = [chart.title for chart in charts]
    assert any("B0 = 95" in t for t in titles), titles
    # Axes in the units a chemist reads (not "Fitted E (V)", which reads as volts).
    fit = next(chart for chart in charts if "B0 = 95" in chart.title)
    assert (fit.x_label, fit.y_label or fit.series[0][0]) == ("Volume (Å³)", "Fitted energy (eV)")


def test_choosing_an_existing_dataset_gives_the_same_answer(app: App, tmp_path: Path) -> None:
    route = app.open(EOS)
    zone = app.window.run_panel.inputs.zone("dataset")
    assert isinstance(zone, DatasetZone)
    zone.files_dropped.emit("dataset", [str(ev_csv(tmp_path / "ev.csv"))])
    app.aio.wait_until(lambda: zone.state is ZoneState.PREVIEW)
    zone.create_button.click()
    app.aio.wait_until(lambda: zone.asset_id is not None)
    made = zone.asset_id
    first = app.run()
    assert first.state == "success"

    app.open("demo/formula-properties")
    route = app.open(EOS)
    zone = app.window.run_panel.inputs.zone("dataset")
    assert isinstance(zone, DatasetZone)
    # The form is as it was left: the dataset is back, with its first rows.
    app.aio.wait_until(
        lambda: zone.asset_id == made and zone.rows_table.rows_model.rowCount() == 11
    )
    assert "“ev” · 11 rows · 3 columns" in _texts(zone)
    app.window.run_panel.clear_button.click()
    assert zone.asset_id is None
    assert app.window.run_panel.form.value().body["volume_column"] == "volume"  # a fresh form
    zone.target.remote_button.click()
    picker = _picker(app)
    assert picker.windowTitle() == "Choose one of your datasets"
    names = {a.id: a.name for a in picker.assets}
    # The first fit's residuals are a dataset too, and the demo's sample table is there.
    assert made in names and SAMPLE_DATASET in names and len(names) == 3
    assert any("residuals" in n for n in names.values())
    app.aio.wait_until(lambda: picker.row_text(made)[1] == "11")
    assert picker.row_text(made)[0] == "ev" and picker.row_text(made)[2] == "3"
    picker.select(made)
    picker.use_button.click()
    app.aio.wait_until(
        lambda: zone.asset_id == made and zone.rows_table.rows_model.rowCount() == 11
    )
    assert "“ev” · 11 rows · 3 columns" in _texts(zone)
    assert app.window.run_panel.form.value().body["volume_column"] == "volume_a3"

    second = app.run()
    assert second.state == "success"
    actions = app.actions(route.id)
    assert len(actions) == 2
    assert actions[0]["metadata"]["input_assets"] == actions[1]["metadata"]["input_assets"]
    assert actions[0]["response"]["B0_GPa"] == actions[1]["response"]["B0_GPa"]


POST_FACTS = "demo/read-post-facts"
NOTE = "# Copper notes\n\nCu melts at 1358 K. Cu2O forms at 300 °C; the cell is 3.615 Å."


def test_post_route_runs_with_a_written_text(app: App) -> None:
    route = app.open(POST_FACTS)
    zone = app.window.run_panel.inputs.zone("post")
    assert isinstance(zone, PostZone)
    assert zone.required_label.isVisibleTo(zone)
    assert not zone.target.browse_button.isVisibleTo(zone)
    zone.write_button.click()
    assert zone.writer.isVisibleTo(zone) and not zone.save_button.isEnabled()
    # Tab goes title → text → Cancel → Save: a space typed after Tab never saves half a text.
    assert zone.title_edit.nextInFocusChain() is zone.text_edit
    after_text = zone.text_edit.nextInFocusChain()
    while after_text not in (zone.discard_button, zone.save_button):
        after_text = after_text.nextInFocusChain()
    assert after_text is zone.discard_button
    zone.text_edit.setPlainText(NOTE)
    zone.save_button.click()
    app.aio.wait_until(lambda: zone.asset_id is not None)
    post_id = zone.asset_id
    stored = app.backend.store.asset(post_id)
    assert stored["asset_type"] == "post" and stored["name"] == "Copper notes"
    assert zone.post_view.text() == NOTE and "Saved as a post" in zone.status_label.text()
    record = app.run()
    assert record.state == "success", record.status_detail
    (action,) = app.actions(route.id)
    assert action["metadata"]["input_assets"] == {"post": {"assetId": post_id}}
    facts = action["response"]
    assert facts["title"] == "Copper notes"
    assert {f["formula"] for f in facts["formulas"]} >= {"Cu", "Cu2O"}
    assert {(q["value"], q["unit"]) for q in facts["quantities"]} >= {(1358.0, "K"), (3.615, "Å")}


def test_post_route_runs_with_a_chosen_post(app: App) -> None:
    route = app.open(POST_FACTS)
    client = app.session.client
    assert client is not None
    post = app.aio.run(client.create_post("Lab notes", NOTE))
    zone = app.window.run_panel.inputs.zone("post")
    assert isinstance(zone, PostZone)
    zone.target.remote_button.click()
    picker = _picker(app)
    assert picker.windowTitle() == "Choose one of your posts"
    assert picker.tree.headerItem().text(1) == "First lines"
    assert picker.row_text(post.id)[:2] == [
        "Lab notes",
        "# Copper notes · Cu melts at 1358 K. Cu2O forms at 300 °C; the cell is 3.615 Å.",
    ]
    picker.select(post.id)
    picker.use_button.click()
    app.aio.wait_until(lambda: zone.asset_id == post.id and bool(zone.post_view.text()))
    assert zone.post_title.text() == "Lab notes"
    assert "Cu melts at 1358 K" in zone.post_view.toPlainText()
    record = app.run()
    assert record.state == "success", record.status_detail
    (action,) = app.actions(route.id)
    assert action["metadata"]["input_assets"] == {"post": {"assetId": post.id}}
    assert action["response"]["title"] == "Lab notes"

    # Back on the route later: the post is there again, with its text; writing a new one
    # is the person's change, so "entries from last time" is no longer said.
    app.open(EOS)
    app.open(POST_FACTS)
    zone = app.window.run_panel.inputs.zone("post")
    assert isinstance(zone, PostZone)
    app.aio.wait_until(lambda: zone.asset_id == post.id and "1358 K" in zone.post_view.text())
    status = app.window.run_panel.status_label
    assert "from last time" in status.text()
    zone.remove_button.click()
    assert "from last time" not in status.text()  # the form is the person's again
    zone.write_button.click()
    zone.text_edit.setPlainText("Fe melts at 1811 K.")
    zone.save_button.click()
    assert "from last time" not in status.text()


def test_run_without_a_required_post_says_what_to_do(app: App) -> None:
    route = app.open(POST_FACTS)
    needs = app.window.route_page.inputs_label.text()  # the page says how it can be given
    assert "<i>Inputs</i>" in needs and "<i>Files</i>" not in needs
    assert "a post from Ouro, or a short text you write" in needs
    app.window.run_panel.run_button.click()
    text = app.window.run_panel.error_banner.label.text()
    assert "Choose one of your posts, or write a short text, for “Post”" in text
    assert app.actions(route.id) == []


def test_run_with_a_written_but_unsaved_text_says_to_save_it(app: App) -> None:
    # Seen at 1366×768: the text typed in the window, Run pressed before "Save as a post",
    # and the notice asked to "write a short text" as if nothing had been written.
    route = app.open(POST_FACTS)
    zone = app.window.run_panel.inputs.zone("post")
    assert isinstance(zone, PostZone)
    zone.write_button.click()
    zone.text_edit.setPlainText(NOTE)
    app.window.run_panel.run_button.click()
    text = app.window.run_panel.error_banner.label.text()
    assert "Save your text for “Post” first (“Save as a post” under it), then Run." in text
    assert "write a short text" not in text
    assert zone.text_edit.toPlainText() == NOTE  # nothing typed is lost
    assert app.actions(route.id) == []


def test_create_and_save_pressed_from_the_keyboard_keep_the_keys_in_the_input(
    app: App, tmp_path: Path
) -> None:
    # Seen at 1366×768: Create's focus fell on "Reset to defaults" (a Space reset the form)
    # and Save's on the route search box at the top of the window.
    app.open(EOS)
    zone = app.window.run_panel.inputs.zone("dataset")
    assert isinstance(zone, DatasetZone)
    zone.files_dropped.emit("dataset", [str(ev_csv(tmp_path / "copper E(V).csv"))])
    app.aio.wait_until(lambda: zone.state is ZoneState.PREVIEW)
    zone.create_button.setFocus()
    app.aio.wait_until(zone.create_button.hasFocus)
    zone.create_button.click()
    app.aio.wait_until(lambda: zone.asset_id is not None)
    assert not zone.create_button.isVisible()
    assert QApplication.focusWidget() is zone.remove_button

    app.open(POST_FACTS)
    post = app.window.run_panel.inputs.zone("post")
    assert isinstance(post, PostZone)
    post.write_button.click()
    post.text_edit.setPlainText(NOTE)
    post.save_button.setFocus()
    app.aio.wait_until(post.save_button.hasFocus)
    post.save_button.click()
    app.aio.wait_until(lambda: post.asset_id is not None)
    assert not post.writer.isVisible()
    assert QApplication.focusWidget() is post.remove_button


def test_cancelling_the_picker_changes_nothing(app: App) -> None:
    app.open(EOS)
    zone = app.window.run_panel.inputs.zone("dataset")
    backend = app.backend  # an account without the demo's sample table
    backend.datasets.delete(backend.store.asset(SAMPLE_DATASET))
    zone.target.remote_button.click()
    picker = _picker(app)
    assert picker.empty_label.isVisibleTo(picker)  # no datasets yet: how to make one
    assert "drop a table (CSV or TSV) on the input" in picker.empty_label.text()
    picker.reject()
    app.aio.wait_until(lambda: app.runs.assets.picker is None)
    assert zone.state is ZoneState.EMPTY and zone.asset_id is None


def test_a_bad_table_is_refused_with_the_line_and_nothing_is_created(
    app: App, tmp_path: Path
) -> None:
    app.open(EOS)
    zone = app.window.run_panel.inputs.zone("dataset")
    sheet = tmp_path / "points.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    zone.files_dropped.emit("dataset", [str(sheet)])
    app.aio.wait_until(lambda: zone.state is ZoneState.REJECTED)
    assert "Save it as CSV" in zone.message_label.text()
    bad = tmp_path / "bad.csv"
    rows = [f"{30 + i / 1000},{-1 - i / 10000}" for i in range(40_000)]
    rows[5000] = "35.0,oops"  # past the rows sampled for the column kinds
    bad.write_text("volume,energy\n" + "\n".join(rows) + "\n")
    zone.files_dropped.emit("dataset", [str(bad)])
    app.aio.wait_until(lambda: zone.state is ZoneState.PREVIEW)
    datasets = len(app.backend.store.assets(asset_types=["dataset"]))
    zone.create_button.click()
    app.aio.wait_until(lambda: zone.state is ZoneState.ERROR)
    assert "Line 5,002" in zone.message_label.text() and "oops" in zone.message_label.text()
    assert len(app.backend.store.assets(asset_types=["dataset"])) == datasets  # deleted again


def _outputs(app: App, key: str) -> Any:
    _select(app, key)
    detail = app.window.run_detail
    app.aio.wait_until(lambda: "Outputs" in detail.tab_titles())
    detail.select_tab("Outputs")
    return detail.outputs_view


def test_dataset_output_is_shown_a_page_at_a_time_and_saved_as_csv(
    app: App, tmp_path: Path
) -> None:
    app.open(EOS)
    zone = app.window.run_panel.inputs.zone("dataset")
    b0 = B0_GPA / EV_PER_A3_IN_GPA
    lines = ["volume,energy"] + [
        f"{v:.6f},{birch_murnaghan(v, E0, V0, b0, BP):.9f}"
        for v in (V0 * (0.9 + 0.2 * i / 119) for i in range(120))
    ]
    table = tmp_path / "fine.csv"
    table.write_text("\n".join(lines) + "\n")
    zone.files_dropped.emit("dataset", [str(table)])
    app.aio.wait_until(lambda: zone.state is ZoneState.PREVIEW)
    zone.create_button.click()
    app.aio.wait_until(lambda: zone.asset_id is not None)
    client = app.session.client
    assert client is not None
    reads: list[tuple[str, str]] = []  # (what, dataset id)
    for name in ("dataset_schema", "dataset_stats", "dataset_rows"):
        method = getattr(client, name)

        def counted(
            asset_id: str, *a: Any, _method: Any = method, _name: str = name, **kw: Any
        ) -> Any:
            reads.append((_name, asset_id))
            return _method(asset_id, *a, **kw)

        setattr(client, name, counted)
    record = app.run()
    assert record.state == "success", record.status_detail
    view = _outputs(app, record.action_id)
    (item,) = view.items()
    assert item.is_dataset and item.family == "dataset"
    assert item.suggested_name.endswith(".csv")
    card = view.card(item.asset_id)
    assert card is not None and isinstance(card.preview, PagedRows)
    assert card.details_label.text() == "dataset (table)"
    assert card.save_button.text() == "Save as CSV…" and not card.open_button.isVisibleTo(card)
    rows = card.preview
    app.aio.wait_until(lambda: rows.range_label.text() == "Rows 1–50 of 120")
    model = rows.table.rows_model
    assert model.rowCount() == 50  # one page in memory, never the whole table
    headers = model.column_headers()
    assert headers[0] == "Volume (Å³)" and "Residual (meV)" in headers  # titles, units

    def exact(row: int, column: int) -> float:  # the cell rounded, the exact one on hover
        return float(model.index(row, column).data(Qt.ItemDataRole.ToolTipRole))

    assert exact(0, 0) == pytest.approx(V0 * 0.9, rel=1e-6)
    rows.next_button.click()
    app.aio.wait_until(lambda: rows.range_label.text() == "Rows 51–100 of 120")
    assert exact(0, 0) == pytest.approx(V0 * (0.9 + 0.2 * 50 / 119), rel=1e-6)
    rows.next_button.click()
    app.aio.wait_until(lambda: rows.range_label.text() == "Rows 101–120 of 120")
    assert not rows.next_button.isEnabled() and model.rowCount() == 20
    # The result view and the Outputs tab show one board: the columns and count were read
    # once, then one page of rows per page shown.
    output_reads = [what for what, asset_id in reads if asset_id == item.asset_id]
    assert output_reads.count("dataset_schema") == output_reads.count("dataset_stats") == 1
    assert output_reads.count("dataset_rows") == 3
    rows.previous_button.click()
    app.aio.wait_until(lambda: rows.range_label.text() == "Rows 51–100 of 120")
    card.save_button.click()
    app.aio.wait_until(lambda: app.saved and app.saved[-1].exists())
    app.aio.wait_until(lambda: card.status_label.text().startswith("Saved to "))
    saved = app.saved[-1].read_text("utf-8").splitlines()
    assert len(saved) == 121 and "volume_a3" in saved[0] and "residual_mev" in saved[0]


def test_post_output_shows_its_text(app: App) -> None:
    route = app.open("demo/write-structure-report")
    app.drop("file", EXAMPLES / "NaCl.cif")
    record = app.run()
    assert record.state == "success", record.status_detail
    (action,) = app.actions(route.id)
    post_id = next(o["asset_id"] for o in action["output_assets"] if o["asset_type"] == "post")
    view = _outputs(app, record.action_id)
    card = view.card(post_id)
    assert card is not None and isinstance(card.preview, PostText)
    text = card.preview
    app.aio.wait_until(lambda: bool(text.text()))
    stored = app.backend.store.asset(post_id)
    assert "NaCl" in text.toPlainText() and "#" not in text.toPlainText()  # markdown, rendered
    assert card.save_button.text() == "Save as text…" and not card.open_button.isVisibleTo(card)
    assert card.details_label.text() == "post (text)" and stored["asset_type"] == "post"
    assert card.item.suggested_name.endswith(".md")
    card.save_button.click()
    app.aio.wait_until(lambda: app.saved and app.saved[-1].exists())
    assert app.saved[-1].read_text("utf-8").strip() == text.text().strip()


# -- the demo's samples ----------------------------------------------------------------------
SAMPLE_FIT = ("V0_A3", "E0_eV", "B0_GPa", "B0_prime", "rms_residual_meV", "points_used")


def test_the_sample_table_is_chosen_and_fits_as_the_shipped_file_dropped(app: App) -> None:
    # A first start of the demo: "Choose one of my datasets…" offers the sample E(V) table;
    # it fits to the same answer as the example file dropped on the input and created.
    route = app.open(EOS)
    zone = app.window.run_panel.inputs.zone("dataset")
    assert isinstance(zone, DatasetZone)
    zone.target.remote_button.click()
    picker = _picker(app)
    assert not picker.empty_label.isVisibleTo(picker)
    assert [a.id for a in picker.assets] == [SAMPLE_DATASET]
    app.aio.wait_until(lambda: picker.row_text(SAMPLE_DATASET)[1] == "9")
    assert picker.row_text(SAMPLE_DATASET)[0] == SAMPLE_DATASET_NAME
    assert picker.row_text(SAMPLE_DATASET)[2] == "2"
    picker.select(SAMPLE_DATASET)
    picker.use_button.click()
    app.aio.wait_until(
        lambda: zone.asset_id == SAMPLE_DATASET and zone.rows_table.rows_model.rowCount() == 9
    )
    assert f"“{SAMPLE_DATASET_NAME}” · 9 rows · 2 columns" in _texts(zone)
    assert zone.rows_table.rows_model.column_headers() == [
        "volume_a3\nnumbers",
        "energy_ev\nnumbers",
    ]
    body = app.window.run_panel.form.value().body
    assert body == {"volume_column": "volume_a3", "energy_column": "energy_ev"}
    chosen = app.run()
    assert chosen.state == "success", chosen.status_detail
    (action,) = app.actions(route.id)
    assert action["metadata"]["input_assets"] == {"dataset": {"assetId": SAMPLE_DATASET}}
    from_sample = action["response"]
    assert abs(from_sample["B0_GPa"] - 140.0) / 140.0 < 0.01  # what the points were made from
    assert abs(from_sample["V0_A3"] - 11.81) / 11.81 < 0.01

    app.window.run_panel.clear_button.click()
    zone.files_dropped.emit("dataset", [str(EXAMPLES / EV_TABLE)])
    app.aio.wait_until(lambda: zone.state is ZoneState.PREVIEW)
    assert zone.rows_table.rows_model.column_headers() == [
        "volume (Å³)\nnumbers",
        "energy (eV)\nnumbers",
    ]
    assert app.window.run_panel.form.value().body == body  # the same columns
    zone.create_button.click()
    app.aio.wait_until(lambda: zone.asset_id is not None)
    made = zone.asset_id
    assert made != SAMPLE_DATASET
    dropped = app.run()
    assert dropped.state == "success", dropped.status_detail
    latest = app.actions(route.id)[0]
    assert latest["metadata"]["input_assets"] == {"dataset": {"assetId": made}}
    from_drop = latest["response"]
    assert {k: from_drop[k] for k in SAMPLE_FIT} == {k: from_sample[k] for k in SAMPLE_FIT}
    _select(app, dropped.action_id)
    detail = app.window.run_detail
    app.aio.wait_until(lambda: "Charts" in detail.tab_titles())
    detail.select_tab(detail.CHARTS)
    titles = [chart.title for chart in detail.charts_view.charts()]
    assert any("B0 = 14" in t for t in titles), titles  # B0 with its chart


def test_the_sample_post_is_offered_and_read(app: App) -> None:
    route = app.open(POST_FACTS)
    zone = app.window.run_panel.inputs.zone("post")
    assert isinstance(zone, PostZone)
    zone.target.remote_button.click()
    picker = _picker(app)
    assert [a.id for a in picker.assets] == [SAMPLE_POST]
    title, first_lines = picker.row_text(SAMPLE_POST)[:2]
    assert title == SAMPLE_POST_NAME
    assert first_lines.startswith("# Copper at a glance · Metallic Cu crystallises")
    # The long first lines leave the title readable (it was cut to "Sample: note…").
    title_width = picker.tree.fontMetrics().horizontalAdvance(SAMPLE_POST_NAME)
    assert picker.tree.columnWidth(0) > title_width
    picker.select(SAMPLE_POST)
    picker.use_button.click()
    app.aio.wait_until(lambda: zone.asset_id == SAMPLE_POST and bool(zone.post_view.text()))
    assert zone.post_title.text() == SAMPLE_POST_NAME
    assert "melts at 1358 K" in zone.post_view.toPlainText()
    record = app.run()
    assert record.state == "success", record.status_detail
    (action,) = app.actions(route.id)
    assert action["metadata"]["input_assets"] == {"post": {"assetId": SAMPLE_POST}}
    facts = action["response"]
    assert [f["formula"] for f in facts["formulas"]] == ["Cu", "Cu2O", "CuSO4·5H2O"]
    assert (140.0, "GPa") in {(q["value"], q["unit"]) for q in facts["quantities"]}


def test_the_post_picker_without_posts_says_how_to_make_one(app: App) -> None:
    app.open(POST_FACTS)
    app.backend.store.delete_asset(SAMPLE_POST)  # an account without the demo's sample post
    zone = app.window.run_panel.inputs.zone("post")
    zone.target.remote_button.click()
    picker = _picker(app)
    assert picker.assets == [] and picker.empty_label.isVisibleTo(picker)
    assert picker.empty_label.text().startswith("You have no posts on Ouro yet.")
    picker.reject()


def test_a_file_chosen_on_ouro_is_named_in_the_record_and_the_citation(app: App) -> None:
    # A CIF chosen with "Choose from my Ouro files…" was kept without its name: the run's
    # record and its citation named the input by its asset id.
    from ouro_desktop.core.provenance import build_provenance

    app.open("demo/predict-electronic-dos-at-fermi-level")
    asset_id = app.drop("file", EXAMPLES / "Cu.cif")
    route = app.open("demo/write-structure-report")
    zone = app.window.run_panel.inputs.zone("file")
    zone.target.remote_button.click()
    picker = _picker(app)
    name, kind, _size, updated = picker.row_text(asset_id)
    assert (name, kind) == ("Cu.cif", "a crystal structure (.cif)")
    assert updated != "—"  # when it was uploaded (the column was always empty for files)
    picker.select(asset_id)
    picker.use_button.click()
    app.aio.wait_until(lambda: zone.asset_id == asset_id)
    record = app.run()
    assert record.state == "success", record.status_detail
    assert record.input_files["file"]["name"] == "Cu.cif"
    citation = build_provenance(record).citation()
    assert "Input: Cu.cif (SHA-256" in citation
    assert asset_id not in citation.split("Input:")[1]
    assert app.actions(route.id)[0]["metadata"]["input_assets"] == {"file": {"assetId": asset_id}}
