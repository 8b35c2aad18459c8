"""The Help menu's pages: Getting started, Keyboard shortcuts, and the text of a problem
report. Short, in the app's own words, and built from the same tables the window uses
(the shortcut list is :data:`~ouro_desktop.ui.common.shortcuts.SHORTCUTS`)."""

from __future__ import annotations

import platform
from html import escape
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop import __version__
from ouro_desktop.core.problem_report import last_lines, problem_report
from ouro_desktop.ui.common.shortcuts import SHORTCUTS, shortcut_text

__all__ = ["GettingStartedDialog", "ShortcutsDialog", "getting_started_html", "report_text"]


def getting_started_html() -> str:
    find, run, form = shortcut_text("find"), shortcut_text("run"), shortcut_text("form")
    steps = [
        (
            "Find a route",
            f"Type in the search box at the top left ({find}) — a material, a property, a "
            "model's name. Press Enter on a route, or click it, to open its page. A route you "
            "know by name (<i>user/route-name</i>) or by link opens with <b>Open by name</b>.",
        ),
        (
            "Fill in its form",
            f"Under <b>Run this route</b> ({form}) are the settings the route asks for, with "
            "its own words and defaults. What you type is kept: come back to the route, or "
            "restart the app, and it is still there. <b>Clear form</b> starts afresh (and can "
            "be undone).",
        ),
        (
            "Drop your file",
            "Drag a file (a .cif, say) onto the box that asks for it, or press "
            "<b>Browse…</b> to pick it. While you drag, the box says whether it will take "
            "the file; a file it refuses never replaces the one already there. A file "
            "dropped on the list of routes shows the routes that take it.",
        ),
        (
            "Run",
            f"Press <b>Run</b> ({run}). A paid route shows its price and asks first. Runs "
            "keep going on Ouro even if you close the app.",
        ),
        (
            "Read the result",
            "The run appears in <b>Runs</b> on the right. Select it to see its response, "
            "charts, logs and output files; <b>Re-run</b> fills the form with its inputs "
            "again, and two selected runs can be compared.",
        ),
    ]
    items = "".join(f"<li><p><b>{escape(t)}.</b> {body}</p></li>" for t, body in steps)
    return (
        "<h2>Getting started</h2>"
        "<p>Ouro Desktop runs <i>routes</i>: tools and models others have published on Ouro, "
        "each with a page saying what it needs and what it gives back.</p>"
        f"<ol>{items}</ol>"
        "<p>Everything can be done from the keyboard: Help → Keyboard shortcuts lists the "
        "keys.</p>"
    )


class GettingStartedDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Getting started")
        self.resize(560, 520)
        self.text = QTextBrowser(self)
        self.text.setOpenExternalLinks(False)
        self.text.setHtml(getting_started_html())
        self.text.setAccessibleName("Getting started")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)


class ShortcutsDialog(QDialog):
    """Every shortcut, from the one table the window binds its keys from."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QTableWidget(len(SHORTCUTS), 2, self)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Keys", "What they do"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        for row, entry in enumerate(SHORTCUTS):
            keys = QTableWidgetItem(shortcut_text(entry.id))
            words = QTableWidgetItem(entry.words)
            for item in (keys, words):
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self.table.setItem(row, 0, keys)
            self.table.setItem(row, 1, words)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        rows = self.table.rowCount() * self.table.verticalHeader().defaultSectionSize()
        # Every row in sight without scrolling (up to a height any screen has).
        self.resize(600, min(700, rows + header.sizeHint().height() + 80))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def rows(self) -> list[tuple[str, str]]:
        out = []
        for row in range(self.table.rowCount()):
            keys, words = self.table.item(row, 0), self.table.item(row, 1)
            out.append((keys.text() if keys else "", words.text() if words else ""))
        return out


def report_text(log_file: Path | None, lines: int = 60) -> str:
    """Version, platform and the log's last lines, with keys and tokens removed."""
    where = (
        f"{platform.system()} {platform.release()} ({platform.machine()}) · "
        f"Python {platform.python_version()} · Qt for Python {pyside_version}"
    )
    log = last_lines(log_file, lines) if log_file is not None else []
    return problem_report(version=__version__, platform=where, log_lines=log)
