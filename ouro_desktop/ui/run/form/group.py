"""A nested object: its properties as titled rows, in a frame when it is not the body itself.

Keys the schema does not list (typed in the raw JSON editor) are kept and sent back
unchanged, so switching between the form and the JSON never drops them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from ouro_desktop.api.schema import MISSING, Node, ObjectNode, join_path
from ouro_desktop.ui.run.form.base import Build, Editor, ErrorSlot
from ouro_desktop.ui.run.form.row import FieldRow

__all__ = ["GroupEditor"]


class GroupEditor(Editor):
    def __init__(
        self, node: Node, build: Build, parent: QWidget | None = None, *, framed: bool = True
    ) -> None:
        super().__init__(node, parent)
        assert isinstance(node, ObjectNode)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.frame = QFrame(self)
        if framed:
            self.frame.setFrameShape(QFrame.Shape.StyledPanel)
            self.frame.setAccessibleName(node.title)
        outer.addWidget(self.frame)
        column = QVBoxLayout(self.frame)
        column.setContentsMargins(*((10, 4, 10, 6) if framed else (0, 0, 0, 0)))
        column.setSpacing(4)
        self.fields: list[FieldRow] = []
        for child in node.children:
            row = FieldRow(child, build(child, None), self.frame)
            row.editor.changed.connect(self.changed)
            column.addWidget(row)
            self.fields.append(row)
        self._column = column
        self._keys = {child.key for child in node.children}
        self._extra: dict[str, Any] = {}

    def set_framed(self, framed: bool) -> None:
        """Drop the frame (a list item already has one)."""
        shape = QFrame.Shape.StyledPanel if framed else QFrame.Shape.NoFrame
        self.frame.setFrameShape(shape)
        self._column.setContentsMargins(*((10, 4, 10, 6) if framed else (0, 0, 0, 0)))

    def value(self, path: str, problems: dict[str, str]) -> Any:
        out: dict[str, Any] = {}
        for row in self.fields:
            value = row.editor.value(join_path(path, row.node.key), problems)
            if value is not MISSING:
                out[row.node.key] = value
        out.update(self._extra)
        return out

    def set_value(self, value: Any) -> None:
        given: dict[str, Any] = value if isinstance(value, dict) else {}
        self._extra = {k: v for k, v in given.items() if k not in self._keys}
        for row in self.fields:
            row.editor.set_value(given.get(row.node.key, MISSING))

    def reset(self) -> None:
        if self.node.has_default:
            self.set_value(self.node.default)
            return
        self._extra = {}
        for row in self.fields:
            row.editor.reset()

    def rows(self, path: str) -> Iterator[tuple[str, ErrorSlot]]:
        for row in self.fields:
            child = join_path(path, row.node.key)
            yield child, row
            yield from row.editor.rows(child)

    def focus_target(self) -> QWidget:
        return self.fields[0].editor.focus_target() if self.fields else self
