"""Text fields: one line, several lines, e-mail, link, password, date and date-time.

Every variant keeps the exact text (Qt's line edit is given room for more than its default
32,767 characters). A multi-line box reads its document's raw text, because
``toPlainText()`` would turn no-break spaces into plain ones; it only turns ``\\r\\n``,
``\\r`` and the paragraph separator U+2029 into ``\\n``, as every text box people type in
does. Dates are typed (``YYYY-MM-DD``) or picked from a calendar; a
date-time field has a "Now" button (UTC).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from ouro_desktop.api.schema import MISSING, Node, StringNode
from ouro_desktop.ui.common.qt_text import exact
from ouro_desktop.ui.run.form.base import Build, Editor

__all__ = ["DateEditor", "DateTimeEditor", "LineEditor", "MultilineEditor"]

_LONGEST = 2**31 - 1
_PLACEHOLDERS = {
    "email": "name@example.org",
    "uri": "https://example.org/…",
    "date": "YYYY-MM-DD",
    "date-time": "YYYY-MM-DDThh:mm:ssZ",
}


def _as_text(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class LineEditor(Editor):
    """A one-line text field (plain, e-mail, link, password)."""

    def __init__(self, node: Node, build: Build | None = None, parent: QWidget | None = None):
        super().__init__(node, parent)
        self.line = QLineEdit(self)
        self.line.setMaxLength(_LONGEST)
        self.line.setAccessibleName(self.accessible_title())
        fmt = node.format if isinstance(node, StringNode) else "plain"
        self.line.setPlaceholderText(_placeholder(node, fmt))
        if fmt == "password":
            self.line.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.line, 1)
        self.line.textChanged.connect(self.changed)

    def value(self, path: str, problems: dict[str, str]) -> Any:
        return self.line.text()

    def set_value(self, value: Any) -> None:
        text = _as_text(value)
        if text != self.line.text():
            self.line.setText(exact(text))

    def focus_target(self) -> QWidget:
        return self.line


def _placeholder(node: Node, fmt: str) -> str:
    if node.examples and isinstance(node.examples[0], str):
        return f"e.g. {node.examples[0]}"
    return _PLACEHOLDERS.get(fmt, "")


class MultilineEditor(Editor):
    """A few lines of free text (``x-multiline``, ``contentMediaType: text/plain``, or a long
    ``maxLength``); Tab moves on to the next field rather than typing a tab."""

    def __init__(self, node: Node, build: Build | None = None, parent: QWidget | None = None):
        super().__init__(node, parent)
        self.box = QPlainTextEdit(self)
        self.box.setAccessibleName(self.accessible_title())
        self.box.setTabChangesFocus(True)
        self.box.setPlaceholderText(_placeholder(node, "multiline"))
        lines = QFontMetrics(self.box.font()).lineSpacing()
        self.box.setFixedHeight(lines * 5 + 12)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        self.box.textChanged.connect(self.changed)

    def text(self) -> str:
        return self.box.document().toRawText().replace("\u2029", "\n")

    def value(self, path: str, problems: dict[str, str]) -> Any:
        return self.text()

    def set_value(self, value: Any) -> None:
        text = _as_text(value)
        if text != self.text():
            self.box.setPlainText(exact(text))

    def focus_target(self) -> QWidget:
        return self.box


class DateEditor(LineEditor):
    """A ``YYYY-MM-DD`` field with a calendar to pick from."""

    def __init__(self, node: Node, build: Build | None = None, parent: QWidget | None = None):
        super().__init__(node, build, parent)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.calendar.setMinimumDate(QDate(1, 1, 1))
        self.calendar.clicked.connect(self._on_calendar_clicked)
        menu = QMenu(self)
        action = QWidgetAction(menu)
        action.setDefaultWidget(self.calendar)
        menu.addAction(action)
        menu.aboutToShow.connect(self._on_menu_about_to_show)
        self.pick_button = QToolButton(self)
        self.pick_button.setText("Calendar")
        self.pick_button.setAccessibleName(f"Pick {self.accessible_title()} from a calendar")
        self.pick_button.clicked.connect(self._on_pick_button_clicked)
        self.row.addWidget(self.pick_button)
        self._menu = menu

    def _on_pick_button_clicked(self) -> None:
        self._menu.popup(self.pick_button.mapToGlobal(self.pick_button.rect().bottomLeft()))

    def _on_menu_about_to_show(self) -> None:
        chosen = QDate.fromString(self.line.text().strip(), Qt.DateFormat.ISODate)
        if chosen.isValid():
            self.calendar.setSelectedDate(chosen)

    def _on_calendar_clicked(self, day: QDate) -> None:
        self.line.setText(day.toString(Qt.DateFormat.ISODate))
        self._menu.hide()


class DateTimeEditor(LineEditor):
    """An RFC 3339 date-time field with a "Now" button (UTC, whole seconds)."""

    def __init__(self, node: Node, build: Build | None = None, parent: QWidget | None = None):
        super().__init__(node, build, parent)
        self.now_button = QToolButton(self)
        self.now_button.setText("Now")
        self.now_button.setAccessibleName(f"Set {self.accessible_title()} to now")
        self.now_button.clicked.connect(self._on_now_clicked)
        self.row.addWidget(self.now_button)

    def _on_now_clicked(self) -> None:
        now = datetime.now(UTC).replace(microsecond=0)
        self.line.setText(now.isoformat().replace("+00:00", "Z"))
