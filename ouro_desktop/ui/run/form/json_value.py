"""A field for any JSON value, typed as JSON text.

Used where the schema allows several kinds of value (``anyOf [integer, string]``, a list
of types), or any value at all (``{}``, a free-form object). Numbers keep their exact text
through Python's ``json`` (shortest round-trip floats); text that is not JSON is reported at
the field.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QWidget

from ouro_desktop.api.schema import MISSING, Node
from ouro_desktop.ui.common.qt_text import exact
from ouro_desktop.ui.run.form.base import Build, Editor

__all__ = ["JsonEditor"]


class JsonEditor(Editor):
    def __init__(self, node: Node, build: Build | None = None, parent: QWidget | None = None):
        super().__init__(node, parent)
        self.line = QLineEdit(self)
        self.line.setMaxLength(2**31 - 1)
        self.line.setAccessibleName(self.accessible_title())
        self.line.setPlaceholderText('JSON, e.g. 42, "text", [1, 2] or {"key": "value"}')
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line)
        self.line.textChanged.connect(self.changed)

    def value(self, path: str, problems: dict[str, str]) -> Any:
        text = self.line.text()
        if not text.strip():
            return MISSING
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as exc:
            problems[path] = f"is not valid JSON ({exc})"
            return text

    def set_value(self, value: Any) -> None:
        text = "" if value is MISSING else json.dumps(value, ensure_ascii=False)
        if text != self.line.text():
            self.line.setText(exact(text))

    def focus_target(self) -> QWidget:
        return self.line
