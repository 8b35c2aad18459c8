"""Make the README screenshots: a filled form with a CIF preview, a finished run read as
labelled values (its chart in the answer, its result card under Run), a run whose answer is
a picture, and two runs compared.

Runs the real window offscreen, signed into the offline demo, and drives it the way a
user would (drop a CIF, press Run, the new run is selected). Usage:

    QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py docs/screenshots
    OURO_DESKTOP_PALETTE=dark QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py out
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync  # noqa: E402
from PySide6.QtCore import QItemSelectionModel, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ouro_desktop.core.ledger import RunLedger  # noqa: E402
from ouro_desktop.core.secrets import MemoryStore  # noqa: E402
from ouro_desktop.core.session import Session  # noqa: E402
from ouro_desktop.core.settings import SettingsStore  # noqa: E402
from ouro_desktop.core.upload_cache import UploadCache  # noqa: E402
from ouro_desktop.demo.in_process import InProcessDemo  # noqa: E402
from ouro_desktop.ui.common.readable_style import install as install_style  # noqa: E402
from ouro_desktop.ui.results.outputs_view import OutputCard  # noqa: E402
from ouro_desktop.ui.shell.main_window import MainWindow  # noqa: E402
from ouro_desktop.ui.shell.workspace import build_workspace  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "ouro_desktop" / "demo" / "examples"


async def until(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit("the window did not get there in time")
        await asyncio.sleep(0.02)


async def scenario(out: Path, profile: Path) -> None:
    store = SettingsStore(profile / "settings.json")
    window = MainWindow(QSettings(str(profile / "w.ini"), QSettings.Format.IniFormat))
    window.resize(1500, 900)
    window.show()
    demo = InProcessDemo(profile / "demo")
    session = Session(store, store.load(), MemoryStore(), environ={}, demo=demo)
    ledger, _ = RunLedger.open(profile / "runs.sqlite3")
    workspace = build_workspace(
        window,
        session,
        ledger,
        UploadCache(profile / "uploads.sqlite3"),
        outputs_dir=profile / "outputs",
    )
    runs, controller = workspace.runs, workspace.controller

    finished: list[object] = []
    runs.run_finished.connect(finished.append)
    controller.start(demo=True)
    await until(lambda: runs.tracker is not None)
    demo.backend.faults.time_scale = 0.3
    # A few runs are listed here: the detail below them gets the room (the handle between
    # them moves it back).
    await asyncio.sleep(0.2)
    window.history_split.setSizes([150, 10_000])
    window.browser.search.setFocus()  # where a shown window starts (offscreen it is never
    # activated, and the focus had fallen on the runs pane's "This route")

    # 1. The DOS route with Cu.cif dropped in: the preview, the form, Run.
    await controller.open_route("demo/free-electron-dos-curve")
    zone = window.run_panel.inputs.zone("file")
    zone.files_dropped.emit("file", [str(EXAMPLES / "Cu.cif")])
    await until(lambda: zone.asset_id is not None)
    await asyncio.sleep(0.3)
    page = window.route_page
    page.scroll_area.ensureWidgetVisible(window.run_panel, 0, 0)
    page.scroll_area.verticalScrollBar().setValue(page.scroll_area.verticalScrollBar().maximum())
    await asyncio.sleep(0.3)
    window.grab().save(str(out / "form-with-cif-preview.png"))

    # 2. Run it: the new run is selected and read as labelled values (its chart drawn in
    #    the answer); its first values are under Run.
    window.run_panel.run_button.click()
    await until(lambda: finished)
    key = finished[-1].action_id  # type: ignore[attr-defined]
    detail = window.run_detail
    await until(lambda: detail.key() == key and detail.answer_view.view() is not None)
    await asyncio.sleep(0.8)
    window.grab().save(str(out / "run-result.png"))

    # 3. A route whose answer is a picture: the powder pattern of NaCl, shown in the app.
    await controller.open_route("demo/simulate-powder-xrd-pattern")
    zone = window.run_panel.inputs.zone("file")
    zone.files_dropped.emit("file", [str(EXAMPLES / "NaCl.cif")])
    await until(lambda: zone.asset_id is not None)
    count = len(finished)
    window.run_panel.run_button.click()
    await until(lambda: len(finished) > count)
    key = finished[-1].action_id  # type: ignore[attr-defined]
    await until(lambda: detail.key() == key and detail.answer_view.view() is not None)
    cards = detail.answer_view.findChildren(OutputCard)
    await until(lambda: bool(cards) and cards[0].preview is not None)
    await until(lambda: cards[0].preview.has_image())  # type: ignore[attr-defined]
    await asyncio.sleep(0.8)
    window.grab().save(str(out / "run-with-picture.png"))

    # 4. Two runs of formula-properties, one setting changed, compared.
    await controller.open_route("demo/formula-properties")
    form = window.run_panel.form
    for mass in (1.0, 2.5):
        body = form.value().body
        body.update(formula="CuSO4·5H2O", sample_mass_g=mass)
        form.set_value(body)
        count = len(finished)
        window.run_panel.run_button.click()
        await until(lambda: len(finished) > count)  # noqa: B023 - awaited at once
    keys = [r.action_id for r in finished[-2:]]  # type: ignore[attr-defined]
    pane = window.history
    await until(lambda: all(pane.model.row_of(k) >= 0 for k in keys))
    pane.view.clearSelection()
    selection = pane.view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for k in keys:
        selection.select(pane.model.index(pane.model.row_of(k), 0), flags)
    await until(lambda: pane.compare_button.isEnabled())
    pane.compare_button.click()
    history = workspace.history
    await until(
        lambda: (
            getattr(history, "last_dialog", None) is not None and not history.last_dialog.computing
        )  # type: ignore[attr-defined]
    )
    dialog = history.last_dialog
    dialog.resize(980, 360)
    dialog.only_differences.setChecked(True)  # the rows the changed mass moved, at a glance
    await asyncio.sleep(0.5)
    dialog.grab().save(str(out / "compare-runs.png"))
    dialog.close()

    await workspace.aclose()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    install_style(app)  # as the app does: readable muted text; OURO_DESKTOP_PALETTE=dark
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with tempfile.TemporaryDirectory() as profile:
            loop.run_until_complete(scenario(out, Path(profile)))
    finally:
        loop.close()  # stops qasync's worker threads before Qt tears down
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main()
