"""Help: Getting started, every shortcut from one table, the data folder, a problem report
that never carries a key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from ouro_desktop import __version__
from ouro_desktop.ui.common.shortcuts import SHORTCUTS, shortcut_text
from ouro_desktop.ui.shell.help import GettingStartedDialog, ShortcutsDialog
from ouro_desktop.ui.shell.main_window import MainWindow


def _window(qtbot: Any, tmp_path: Path) -> MainWindow:
    window = MainWindow(QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show_workspace()
    window.show()
    return window


def _bound(window: MainWindow) -> set[str]:
    keys: set[str] = set()
    for action in window.findChildren(QAction):
        keys |= {k.toString() for k in action.shortcuts() if not k.isEmpty()}
    for shortcut in window.findChildren(QShortcut):
        if not shortcut.key().isEmpty():
            keys.add(shortcut.key().toString())
    return keys


def test_every_shortcut_comes_from_the_one_table(qtbot: Any, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    table = {
        QKeySequence(keys).toString()
        for entry in SHORTCUTS
        if not entry.built_in
        for keys in entry.keys
    }
    assert _bound(window) == table  # all of the table is bound, and nothing else
    dialog = ShortcutsDialog()
    qtbot.addWidget(dialog)
    rows = dialog.rows()
    assert len(rows) == len(SHORTCUTS)
    for entry, (keys, words) in zip(SHORTCUTS, rows, strict=True):
        assert keys == shortcut_text(entry.id) and words == entry.words
    assert ("Ctrl+Return or Ctrl+Enter", "Run the route with what the form holds") in rows


def test_f1_opens_getting_started(qtbot: Any, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    QTest.keyClick(window.browser.search, Qt.Key.Key_F1)
    assert isinstance(window.last_dialog, GettingStartedDialog)
    text = window.last_dialog.text.toPlainText()
    for step in ("Find a route", "Fill in its form", "Drop your file", "Run", "Read the result"):
        assert step in text
    assert shortcut_text("find") in text and "Clear form" in text


def test_open_my_data_folder(qtbot: Any, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    opened: list[QUrl] = []
    window.open_url = opened.append
    window.data_dir = tmp_path / "data"
    window.open_data_folder()
    assert opened == [QUrl.fromLocalFile(str(tmp_path / "data"))]
    assert (tmp_path / "data").is_dir()


def test_report_a_problem_copies_what_helps_and_no_key(qtbot: Any, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path)
    key = "ouro_live_8f2c1d9e7a6b5c4d3e2f1a0b9c8d7e6f"
    log = tmp_path / "ouro-desktop.log"
    log.write_text(
        "2026-01-01 INFO ouro_desktop: started\n"
        f"2026-01-01 WARNING ouro_desktop.api: refused key={key} for demo\n"
        "2026-01-01 INFO ouro_desktop: run 3da397cf-2bff-5819-85c8-75b7d649691d finished\n"
    )
    window.log_file = log
    text = window.report_problem()
    copied = QGuiApplication.clipboard().text()
    assert copied == text
    assert f"Ouro Desktop {__version__}" in copied and "Python" in copied
    assert "run 3da397cf-2bff-5819-85c8-75b7d649691d finished" in copied
    assert key not in copied and key[10:30] not in copied
    assert "Copied" in window.statusBar().currentMessage()
