"""A field with a fixed list of choices (``enum``, ``const``, ``oneOf`` of titled ``const``s).

Up to :data:`~ouro_desktop.api.schema.LARGE_ENUM` choices: a combo box showing each choice's
label (its ``title`` when the schema gives one). More than that -- an enum of 100,000 would
make a combo box slow to build and useless to scroll -- a text field with completion: type
a few letters, pick from the matching choices; anything else typed is reported at the
field ("must be one of the listed choices"). Values are matched as JSON does (``2.0`` is
the choice ``2``, ``true`` is not ``1``), and a value that is not a choice is kept, not
silently replaced.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QComboBox, QCompleter, QHBoxLayout, QLineEdit, QWidget

from ouro_desktop.api.schema import MISSING, EnumNode, Node
from ouro_desktop.ui.run.form.base import Build, Editor, wheel_only_when_focused

__all__ = ["ChoiceEditor", "SearchChoiceEditor", "value_key"]


def value_key(value: Any) -> str:
    """A dictionary key that tells ``1``, ``1.0`` and ``true`` apart."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _same_number_key(value: Any) -> str | None:
    """The key of the integer a whole float equals (JSON has one number ``2`` = ``2.0``)."""
    if isinstance(value, float) and value.is_integer():
        return value_key(int(value))
    return None


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else value_key(value)


class _Combo(QComboBox):
    def wheelEvent(self, event: QWheelEvent) -> None:
        if wheel_only_when_focused(self, event):
            super().wheelEvent(event)


class ChoiceEditor(Editor):
    """A combo box of the choices; none chosen until there is a default."""

    def __init__(self, node: Node, build: Build | None = None, parent: QWidget | None = None):
        super().__init__(node, parent)
        assert isinstance(node, EnumNode)
        self.options = node.options
        self._index = {value_key(o.value): i for i, o in enumerate(node.options)}
        self._foreign: Any = MISSING
        self.combo = _Combo(self)
        self.combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.combo.setAccessibleName(self.accessible_title())
        self.combo.setPlaceholderText("Choose…")
        self.combo.addItems([o.label for o in node.options])
        self.combo.setMaxVisibleItems(20)
        self.combo.setCurrentIndex(-1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addStretch(1)
        self.combo.currentIndexChanged.connect(self._on_combo_current_index_changed)

    def _on_combo_current_index_changed(self, index: int) -> None:
        if index >= 0:
            self._foreign = MISSING
        self.changed.emit()

    def value(self, path: str, problems: dict[str, str]) -> Any:
        index = self.combo.currentIndex()
        return self.options[index].value if index >= 0 else self._foreign

    def set_value(self, value: Any) -> None:
        index = -1 if value is MISSING else self._index.get(value_key(value), -1)
        if index < 0 and (key := _same_number_key(value)) is not None:
            index = self._index.get(key, -1)
        self._foreign = value if index < 0 else MISSING
        if index != self.combo.currentIndex():
            self.combo.setCurrentIndex(index)
        else:
            self.changed.emit()

    def focus_target(self) -> QWidget:
        return self.combo


class SearchChoiceEditor(Editor):
    """A text field with completion over a very long list of choices."""

    def __init__(self, node: Node, build: Build | None = None, parent: QWidget | None = None):
        super().__init__(node, parent)
        assert isinstance(node, EnumNode)
        self._by_label = {o.label: o.value for o in node.options}
        self._label_of = {value_key(o.value): o.label for o in node.options}
        self.line = QLineEdit(self)
        self.line.setMaxLength(2**31 - 1)
        self.line.setAccessibleName(self.accessible_title())
        self.line.setPlaceholderText(f"Type to search {len(node.options):,} choices")
        model = QStringListModel([o.label for o in node.options], self)
        self.completer = QCompleter(model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setMaxVisibleItems(15)
        self.line.setCompleter(self.completer)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line)
        self.line.textChanged.connect(self.changed)
        self._foreign: Any = MISSING

    def value(self, path: str, problems: dict[str, str]) -> Any:
        text = self.line.text()
        if not text:
            return MISSING
        if text in self._by_label:
            return self._by_label[text]
        if self._foreign is not MISSING and text == _shown(self._foreign):
            return self._foreign
        return text

    def set_value(self, value: Any) -> None:
        if value is MISSING:
            text, self._foreign = "", MISSING
        elif value_key(value) in self._label_of:
            text, self._foreign = self._label_of[value_key(value)], MISSING
        else:
            text, self._foreign = _shown(value), value
        if text != self.line.text():
            self.line.setText(text)
        else:
            self.changed.emit()

    def focus_target(self) -> QWidget:
        return self.line
