"""A yes/no field: a tick box that says what it means ("Yes" or "No")."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QWidget

from ouro_desktop.api.schema import Node
from ouro_desktop.ui.run.form.base import Build, Editor

__all__ = ["BooleanEditor"]


class BooleanEditor(Editor):
    """``true`` / ``false``. A value that is not a boolean (typed as raw JSON) is kept, so the
    form can say it would change it."""

    def __init__(self, node: Node, build: Build | None = None, parent: QWidget | None = None):
        super().__init__(node, parent)
        self.box = QCheckBox("No", self)
        self.box.setAccessibleName(self.accessible_title())
        self._foreign: Any = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addStretch(1)
        self.box.toggled.connect(self._on_box_toggled)

    def _on_box_toggled(self, checked: bool) -> None:
        self._foreign = None
        self.box.setText("Yes" if checked else "No")
        self.changed.emit()

    def value(self, path: str, problems: dict[str, str]) -> Any:
        return self._foreign if self._foreign is not None else self.box.isChecked()

    def set_value(self, value: Any) -> None:
        self.box.setChecked(value is True)
        self._foreign = value if not isinstance(value, bool) and value is not None else None
        self.changed.emit()

    def focus_target(self) -> QWidget:
        return self.box
