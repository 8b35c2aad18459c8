"""One named field: its title (or the "set / not set" tick), help text, editor and error.

::

    Title *                                   [reset]
    muted description
    ⓘ note (only when the schema needs explaining, e.g. an unusable default)
    [ editor ................................. ]
    ⚠ error (only when there is one)

Required fields carry a ``*``. An optional field's title *is* its tick box (see
:mod:`~ouro_desktop.ui.run.form.optional`). The reset button appears when the schema has a
default and puts the field back to it.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStyle, QToolButton, QVBoxLayout, QWidget

from ouro_desktop.api.schema import Node, OptionalNode
from ouro_desktop.ui.common.focus_order import TAB_AFTER
from ouro_desktop.ui.common.labels import plain_tip
from ouro_desktop.ui.run.form.base import Editor, error_label, muted_label

__all__ = ["FieldRow", "describe"]


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"


def describe(node: Node) -> str:
    """The tooltip of a field: its description, then its default."""
    parts = [node.description] if node.description else []
    if node.has_default and node.default is not None:
        parts.append(f"Default: {_short(node.default)}")
    return "\n".join(parts)


class FieldRow(QWidget):
    """A titled field around one editor; errors are shown with :meth:`show_error`."""

    def __init__(self, node: Node, editor: Editor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node = node
        self.editor = editor
        self.setAccessibleName(node.title)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 3, 0, 3)
        column.setSpacing(2)
        header = QHBoxLayout()
        header.setSpacing(6)
        help_text = describe(node)
        toggle = getattr(editor, "toggle", None)
        if isinstance(node, OptionalNode) and isinstance(toggle, QWidget):
            self.title: QWidget = toggle
        else:
            label = QLabel(f"{node.title} *" if node.required else node.title, self)
            label.setTextFormat(Qt.TextFormat.PlainText)  # the schema's title
            label.setBuddy(editor.focus_target())
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            if node.required:
                label.setAccessibleDescription("required")
            self.title = label
        self.title.setToolTip(plain_tip(help_text))
        header.addWidget(self.title, 1)
        self.reset_button: QToolButton | None = None
        if node.has_default:
            button = QToolButton(self)
            button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload))
            button.setAutoRaise(True)
            button.setIconSize(QSize(14, 14))
            shown = "not set" if node.default is None else _short(node.default)
            button.setToolTip(plain_tip(f"Reset to the default ({shown})"))
            button.setAccessibleName(f"Reset {node.title} to its default")
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(editor.reset)
            setattr(button, TAB_AFTER, editor)  # Tab: the value first, then its reset
            header.addWidget(button, 0, Qt.AlignmentFlag.AlignRight)
            self.reset_button = button
        column.addLayout(header)
        self.description_label = None
        if node.description:
            self.description_label = muted_label(node.description, self)
            column.addWidget(self.description_label)
        self.note_label = None
        if node.note:  # e.g. the schema's default was not one of its choices
            self.note_label = QLabel(f"ⓘ {node.note}", self)
            self.note_label.setWordWrap(True)
            self.note_label.setTextFormat(Qt.TextFormat.PlainText)
            self.note_label.setAccessibleName(f"Note about {node.title}")
            column.addWidget(self.note_label)
        column.addWidget(editor)
        self.error_label = error_label(self)
        self.error_label.setAccessibleName(f"Problem with {node.title}")
        column.addWidget(self.error_label)
        editor.setToolTip(plain_tip(help_text))
        # For screen readers: the field's title and the schema's words about it.
        if not editor.focus_target().accessibleName():
            editor.set_accessible_title(node.title)
        said = [node.description.strip()] if node.description.strip() else []
        said.append("required" if node.required else "optional")
        if node.has_default and node.default is not None:
            said.append(f"default {_short(node.default)}")
        editor.set_accessible_description(", ".join(said))

    def show_error(self, message: str | None) -> None:
        if message:
            self.error_label.setText(f"⚠ {message}")
            self.error_label.show()
        else:
            self.error_label.clear()
            self.error_label.hide()

    @property
    def error(self) -> str:
        return "" if self.error_label.isHidden() else self.error_label.text().removeprefix("⚠ ")
