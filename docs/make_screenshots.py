"""Make the README screenshots: a filled form with a CIF preview, and the history with a chart.

Runs the real window offscreen, signed into the offline demo, and drives it the way a
user would (drop a CIF, press Run, pick the run). Usage:

    QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py docs/screenshots
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
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ouro_desktop.core.ledger import RunLedger  # noqa: E402
from ouro_desktop.core.secrets import MemoryStore  # noqa: E402
from ouro_desktop.core.session import Session  # noqa: E402
from ouro_desktop.core.settings import SettingsStore  # noqa: E402
from ouro_desktop.core.upload_cache import UploadCache  # noqa: E402
from ouro_desktop.demo.in_process import InProcessDemo  # noqa: E402
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

    # 2. Run it; pick the run in the history; look at its chart.
    window.run_panel.run_button.click()
    await until(lambda: finished)
    key = finished[-1].action_id  # type: ignore[attr-defined]
    await until(lambda: window.history.select_run(key))
    await until(lambda: "Charts" in window.run_detail.tab_titles())
    window.run_detail.select_tab("Charts")
    await asyncio.sleep(0.8)
    window.grab().save(str(out / "history-with-chart.png"))

    await workspace.aclose()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
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
