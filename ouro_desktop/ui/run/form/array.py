"""A list: add, remove and reorder items, within the schema's ``minItems``/``maxItems``.

Items of a simple kind (text, number, choice, yes/no) sit on one line each with their
buttons; items that are groups (objects, nested lists, long text) get a small frame with a
header. Reordering swaps values, so every kind of item moves the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.schema import MISSING, ArrayNode, Node, initial_value, join_path
from ouro_desktop.ui.run.form.base import Build, Editor, ErrorSlot, error_label, muted_label

__all__ = ["ArrayEditor", "ItemRow"]


class ItemRow(QFrame):
    """One list item: its number, its editor, up / down / remove, and its error."""

    move_requested = Signal(int, int)  # from, to
    remove_requested = Signal(int)

    def __init__(self, editor: Editor, title: str, *, compact: bool, parent: QWidget) -> None:
        super().__init__(parent)
        self.editor = editor
        self.index = 0
        self._title = title
        self._compact = compact
        if not compact:
            self.setFrameShape(QFrame.Shape.StyledPanel)
        column = QVBoxLayout(self)
        column.setContentsMargins(*((0, 0, 0, 0) if compact else (8, 4, 8, 6)))
        column.setSpacing(3)
        header = QHBoxLayout()
        header.setSpacing(4)
        self.number = QLabel(self)
        self.number.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.number.setMinimumWidth(self.number.fontMetrics().horizontalAdvance("00.") + 4)
        header.addWidget(self.number)
        toggle = getattr(editor, "toggle", None)
        if isinstance(toggle, QWidget):
            header.addWidget(toggle)
        if compact:
            header.addWidget(editor, 1)
        else:
            header.addStretch(1)
        self.up = self._button(header, "Move up", Qt.ArrowType.UpArrow)
        self.down = self._button(header, "Move down", Qt.ArrowType.DownArrow)
        self.remove = self._button(header, "Remove", None)
        self.up.clicked.connect(lambda: self.move_requested.emit(self.index, self.index - 1))
        self.down.clicked.connect(lambda: self.move_requested.emit(self.index, self.index + 1))
        self.remove.clicked.connect(lambda: self.remove_requested.emit(self.index))
        column.addLayout(header)
        if not compact:
            column.addWidget(editor)
        self.error_label = error_label(self)
        column.addWidget(self.error_label)

    def _button(self, row: QHBoxLayout, name: str, arrow: Qt.ArrowType | None) -> QToolButton:
        button = QToolButton(self)
        button.setAutoRaise(True)
        if arrow is not None:
            button.setArrowType(arrow)
        else:
            button.setText(name)  # text follows the palette; a stock icon may not
        button.setToolTip(name)
        row.addWidget(button)
        return button

    def set_index(self, index: int, count: int, *, can_remove: bool) -> None:
        self.index = index
        self.number.setText(f"{index + 1}.")
        self.up.setEnabled(index > 0)
        self.down.setEnabled(index < count - 1)
        self.remove.setEnabled(can_remove)
        item = f"{self._title}, item {index + 1}"
        for button, verb in (
            (self.up, "Move up"),
            (self.down, "Move down"),
            (self.remove, "Remove"),
        ):
            button.setAccessibleName(f"{verb} {item}")
        if self._compact:
            self.editor.set_accessible_title(item)

    def show_error(self, message: str | None) -> None:
        self.error_label.setText(f"⚠ {message}" if message else "")
        self.error_label.setVisible(bool(message))

    @property
    def error(self) -> str:
        return "" if self.error_label.isHidden() else self.error_label.text().removeprefix("⚠ ")


class ArrayEditor(Editor):
    def __init__(self, node: Node, build: Build, parent: QWidget | None = None) -> None:
        super().__init__(node, parent)
        assert isinstance(node, ArrayNode)
        self.array = node
        self.build = build
        self.compact = node.variant == "primitive"
        self.items: list[ItemRow] = []
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        self.list_layout = QVBoxLayout()
        self.list_layout.setSpacing(4)
        column.addLayout(self.list_layout)
        footer = QHBoxLayout()
        self.add_button = QPushButton("Add item", self)
        self.add_button.setAccessibleName(f"Add an item to {self.accessible_title()}")
        self.add_button.clicked.connect(self._on_add_clicked)
        footer.addWidget(self.add_button)
        self.limits = muted_label(self._limits_text(), self)
        footer.addWidget(self.limits, 1)
        column.addLayout(footer)
        self._refresh()

    def _limits_text(self) -> str:
        low, high = self.array.min_items, self.array.max_items
        if high is not None:
            return f"{low}–{high} items" if low else f"up to {high} items"
        return f"at least {low} items" if low else ""

    def _new_row(self) -> ItemRow:
        editor = self.build(self.array.items, None)
        frameless = getattr(editor, "set_framed", None)
        if callable(frameless):
            frameless(False)
        row = ItemRow(editor, self.accessible_title(), compact=self.compact, parent=self)
        editor.changed.connect(self.changed)
        row.move_requested.connect(self._on_item_move_requested)
        row.remove_requested.connect(self._on_item_remove_requested)
        self.list_layout.addWidget(row)
        self.items.append(row)
        return row

    def _refresh(self) -> None:
        count = len(self.items)
        for index, row in enumerate(self.items):
            row.set_index(index, count, can_remove=count > self.array.min_items)
        high = self.array.max_items
        self.add_button.setEnabled(high is None or count < high)

    def _on_add_clicked(self) -> None:
        row = self._new_row()
        row.editor.reset()
        self._refresh()
        row.editor.focus_target().setFocus()
        self.changed.emit()

    def _on_item_remove_requested(self, index: int) -> None:
        row = self.items.pop(index)
        self.list_layout.removeWidget(row)
        row.deleteLater()
        self._refresh()
        self.changed.emit()

    def _on_item_move_requested(self, source: int, target: int) -> None:
        if not 0 <= target < len(self.items):
            return
        scratch: dict[str, str] = {}
        first, second = self.items[source].editor, self.items[target].editor
        a, b = first.value("", scratch), second.value("", scratch)
        first.set_value(b)
        second.set_value(a)
        self.items[target].editor.focus_target().setFocus()

    def value(self, path: str, problems: dict[str, str]) -> Any:
        out = []
        for index, row in enumerate(self.items):
            where = join_path(path, index)
            value = row.editor.value(where, problems)
            if value is MISSING:
                problems.setdefault(where, "enter a value, or remove this item")
                value = None
            out.append(value)
        return out

    def set_value(self, value: Any) -> None:
        values = value if isinstance(value, list) else []
        while len(self.items) > len(values):
            row = self.items.pop()
            self.list_layout.removeWidget(row)
            row.deleteLater()
        while len(self.items) < len(values):
            self._new_row()
        for row, item in zip(self.items, values, strict=True):
            row.editor.set_value(item)
        self._refresh()
        self.changed.emit()

    def reset(self) -> None:
        self.set_value(initial_value(self.node))

    def rows(self, path: str) -> Iterator[tuple[str, ErrorSlot]]:
        for index, row in enumerate(self.items):
            where = join_path(path, index)
            yield where, row
            yield from row.editor.rows(where)

    def focus_target(self) -> QWidget:
        return self.items[0].editor.focus_target() if self.items else self.add_button
