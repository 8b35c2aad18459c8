"""Messages tell the truth now: each notice goes when its cause does, one duration, the
offline state, the route opened is the one selected, words from the route's schema."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import QLabel

from ouro_desktop.ui.history.model import HistoryTableModel

from .app_harness import EXAMPLES, App

DOS = "demo/predict-electronic-dos-at-fermi-level"


def test_add_a_file_goes_when_the_file_is_there(app_for: Any) -> None:
    app: App = app_for
    app.open(DOS)
    panel = app.window.run_panel
    panel.run_button.click()
    banner = panel.error_banner
    app.aio.wait_until(lambda: banner.isVisible())
    text = banner.label.text()
    assert text == "Add a .cif file (atomic structure) before running."
    assert "file." not in text.lower().split("add")[0] and "for: file" not in text
    app.drop("file", EXAMPLES / "Cu.cif")
    assert not banner.isVisible()  # the cause is gone, so is the notice
    # The Browse dialog and the zone speak of the input in the schema's words.
    zone = panel.inputs.zone("file")
    assert zone.title_label.text() == "File"
    assert "The crystal structure (CIF)." in zone.accessibleDescription()


def test_fix_the_settings_goes_when_they_are_fixed(app_for: Any) -> None:
    app: App = app_for
    app.open("demo/formula-properties")
    panel = app.window.run_panel
    panel.run_button.click()  # the formula is required and empty
    app.aio.wait_until(lambda: panel.error_banner.isVisible())
    assert "Fix the highlighted settings" in panel.error_banner.label.text()
    field = panel.form.slots()["formula"].editor.focus_target()
    field.setText("NaCl")  # type: ignore[attr-defined]
    app.aio.wait_until(lambda: not panel.error_banner.isVisible())


def test_list_and_detail_give_one_duration(app_for: Any) -> None:
    app: App = app_for
    route = app.open(DOS)
    page = app.window.route_page
    assert "no runs yet" in page.facts_label.text()
    app.drop("file", EXAMPLES / "Cu.cif")
    record = app.run()
    key = record.action_id
    app.aio.wait_until(lambda: app.window.history.select_run(key))
    detail = app.window.run_detail
    app.aio.wait_until(lambda: detail.key() == key and "took" in detail.timing_label.text())
    row = app.window.history.model.row_of(key)
    listed = app.window.history.model.index(row, HistoryTableModel.DURATION).data()
    took = re.search(r"took (.+)$", detail.timing_label.text())
    assert took is not None and took.group(1) == listed
    # "Expected duration: no runs yet" is not left standing after a run.
    app.aio.wait_until(lambda: "no runs yet" not in page.facts_label.text())
    assert page.route is not None and page.route.id == route.id


def test_the_status_bar_says_offline_when_offline(app_for: Any) -> None:
    app: App = app_for
    label = app.window.connection_label
    assert label.text().startswith("Connected to")
    app.controller._on_tracker_connection(False)
    assert "Offline" in label.text() and app.window.banner.isVisible()
    assert "Connected" not in label.text()
    app.controller._on_tracker_connection(True)
    assert label.text().startswith("Connected to") and not app.window.banner.isVisible()


def _selected_slug(app: App) -> str | None:
    browser = app.window.browser
    rows = browser.results_view.selectionModel().selectedRows()
    return browser.model.route_at(rows[0].row()).slug if rows else None


def test_opening_a_route_by_any_path_selects_it_in_the_list(app_for: Any) -> None:
    app: App = app_for
    app.open("demo/formula-properties")  # by name
    assert _selected_slug(app) == "formula-properties"
    app.open(DOS)
    assert _selected_slug(app) == "predict-electronic-dos-at-fermi-level"
    # From Recent: the row there is selected too.
    assert app.window.browser.recent.selected_route_id() == app.window.run_panel.route.id
    app.open("demo/build-supercell")
    assert _selected_slug(app) == "build-supercell"


def test_a_file_dropped_on_the_list_goes_to_every_route_picked(app_for: Any) -> None:
    app: App = app_for
    app.window.browser_drops.files_dropped.emit([str(EXAMPLES / "Cu.cif")])
    browser = app.window.browser
    app.aio.wait_until(lambda: "accept" in browser.caption_label.text())
    picked = []
    for slug in ("predict-electronic-dos-at-fermi-level", "build-supercell", "structure-report"):
        row = next(
            i for i in range(browser.model.rowCount()) if browser.model.route_at(i).slug == slug
        )
        count = len(app.shown)
        browser.results_view.setCurrentIndex(browser.model.index(row, 0))  # a click
        app.aio.wait_until(lambda c=count: len(app.shown) > c)  # type: ignore[misc]
        zone = app.window.run_panel.inputs.zone("file")
        app.aio.wait_until(lambda z=zone: z.asset_id is not None)  # type: ignore[misc]
        picked.append(zone.card.name_label.text())
    assert picked == ["Cu.cif", "Cu.cif", "Cu.cif"]
    # A new search ends it: the next route opened starts empty.
    browser.search.setText("formula")
    browser.search.returnPressed.emit()
    app.aio.wait_until(lambda: not browser.caption_label.isVisible())
    app.open("demo/free-electron-dos-curve")
    assert app.window.run_panel.inputs.zone("file").asset_id is None


def test_route_and_file_given_at_start_fill_that_routes_form(app_for: Any) -> None:
    app: App = app_for
    count = len(app.shown)
    app.controller.open_route_with_files(DOS, [str(EXAMPLES / "Al.cif")])
    app.aio.wait_until(lambda: len(app.shown) > count)
    zone = app.window.run_panel.inputs.zone("file")
    app.aio.wait_until(lambda: zone.asset_id is not None)
    assert zone.card.name_label.text() == "Al.cif"
    assert app.window.run_panel.route.slug == "predict-electronic-dos-at-fermi-level"


def test_an_endpoint_named_route_reads_as_its_summary_and_service(app_for: Any) -> None:
    app: App = app_for
    title = "Generate a crystal structure — CrystaLLM"
    model = app.window.browser.model
    app.aio.wait_until(
        lambda: any(model.index(i).data(model.NameRole) == title for i in range(model.rowCount()))
    )
    app.open("demo/post-generate")
    page = app.window.route_page
    assert page.title_label.text() == title
    assert "POST /generate" in page.byline_label.text()  # the real name is still there
    assert app.window.windowTitle().startswith(title)


def test_the_demo_offers_its_copy_of_a_real_route(app_for: Any) -> None:
    app: App = app_for
    count = len(app.shown)
    # As the README says: ouro-desktop --route mmoderwell/predict-… NaCl.cif
    app.controller.open_route_with_files(
        "mmoderwell/predict-electronic-dos-at-fermi-level", [str(EXAMPLES / "NaCl.cif")]
    )
    page = app.window.route_page
    app.aio.wait_until(lambda: page.offer_button.isVisible())
    assert "demo/predict-electronic-dos-at-fermi-level" in page.error_label.text()
    page.offer_button.click()
    app.aio.wait_until(lambda: len(app.shown) > count)
    assert app.window.run_panel.route.full_name == "demo/predict-electronic-dos-at-fermi-level"
    zone = app.window.run_panel.inputs.zone("file")
    app.aio.wait_until(lambda: zone.asset_id is not None)  # the file came along
    assert zone.card.name_label.text() == "NaCl.cif"
    assert all(label.text() != "" for label in [page.title_label]) and isinstance(
        page.title_label, QLabel
    )
