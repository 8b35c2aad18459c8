"""An optional field: a "set / not set" tick box in front of the real editor.

The tick box carries the field's title (the row puts it where the title goes), so an
optional field costs no extra line. Ticked: the inner editor is enabled and its value is
sent. Not ticked: the inner editor is greyed out (it keeps what was typed, for when it is
ticked again) and the key is left out -- or sent as ``null`` when the schema needs the key
present (required but nullable) or when leaving it out would mean a non-null default
(:attr:`~ouro_desktop.api.schema.OptionalNode.unset`). This is not a type picker: the
choice is only "this value" or "none".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from ouro_desktop.api.schema import MISSING, Node, OptionalNode, initial_value
from ouro_desktop.ui.run.form.base import Build, Editor, ErrorSlot

__all__ = ["OptionalEditor"]


class OptionalEditor(Editor):
    def __init__(self, node: Node, build: Build, parent: QWidget | None = None) -> None:
        super().__init__(node, parent)
        assert isinstance(node, OptionalNode)
        self.toggle = QCheckBox(node.title or "Set", self)
        font = self.toggle.font()
        font.setBold(True)
        self.toggle.setFont(font)
        self.toggle.setAccessibleName(f"Set {node.title}" if node.title else "Set")
        leave = "send no value (null)" if node.unset == "null" else "leave it out"
        self.toggle.setStatusTip(f"Tick to send this setting; untick to {leave}.")
        self.toggle.setAccessibleDescription(self.toggle.statusTip())
        self.inner = build(node.inner, self)
        self.inner.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.inner)
        self.toggle.toggled.connect(self._on_toggle_toggled)
        self.inner.changed.connect(self.changed)
        self.inner.reset()

    def _on_toggle_toggled(self, checked: bool) -> None:
        self.inner.setEnabled(checked)
        self.changed.emit()

    @property
    def is_set(self) -> bool:
        return self.toggle.isChecked()

    def value(self, path: str, problems: dict[str, str]) -> Any:
        assert isinstance(self.node, OptionalNode)
        if not self.toggle.isChecked():
            return MISSING if self.node.unset == "omit" else None
        value = self.inner.value(path, problems)
        if value is MISSING:
            undo = "send no value" if self.node.unset == "null" else "leave it out"
            problems.setdefault(path, f"enter a value, or untick it to {undo}")
        return value

    def set_value(self, value: Any) -> None:
        if value is MISSING or value is None:
            self.toggle.setChecked(False)
            return
        self.inner.set_value(value)
        self.toggle.setChecked(True)

    def reset(self) -> None:
        self.inner.reset()
        self.set_value(initial_value(self.node))

    def rows(self, path: str) -> Iterator[tuple[str, ErrorSlot]]:
        return self.inner.rows(path)

    def focus_target(self) -> QWidget:
        return self.inner.focus_target() if self.toggle.isChecked() else self.toggle
