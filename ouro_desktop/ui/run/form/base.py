"""What every form editor is: a widget for one schema node that reads and writes a JSON value.

An :class:`Editor` edits one :class:`~ouro_desktop.api.schema.Node`. ``value(path, problems)``
returns its JSON value (or :data:`~ouro_desktop.api.schema.MISSING`) and records anything the
schema cannot catch itself -- text in a number field, an optional field ticked but left
empty -- in ``problems`` under its path. ``set_value`` takes any JSON value; one the editor
cannot show comes back unchanged where possible (a word in a number field), so the raw JSON
editor can tell when the form would lose something. ``changed`` fires on every edit.

Containers (groups, lists) build their children through a ``Build`` callable handed in by
:mod:`~ouro_desktop.ui.run.form.builder`, so no widget module imports the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette, QWheelEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from ouro_desktop.api.schema import Node, initial_value

__all__ = [
    "Build",
    "Editor",
    "ErrorSlot",
    "error_label",
    "muted_label",
    "wheel_only_when_focused",
]


class Editor(QWidget):
    """Base of all field editors (see the module docstring)."""

    changed = Signal()

    def __init__(self, node: Node, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node = node

    def value(self, path: str, problems: dict[str, str]) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        """Back to the schema's default (or the empty value of the type)."""
        self.set_value(initial_value(self.node))

    def rows(self, path: str) -> Iterator[tuple[str, ErrorSlot]]:
        """The field rows inside this editor, with their paths (groups and lists have some)."""
        return iter(())

    def focus_target(self) -> QWidget:
        return self

    def accessible_title(self) -> str:
        return self.node.title or "Value"

    def set_accessible_title(self, name: str) -> None:
        """Name the input (and a spin box's line edit) for screen readers."""
        target = self.focus_target()
        target.setAccessibleName(name)
        for line in target.findChildren(QLineEdit):
            if line.window() is target.window():
                line.setAccessibleName(name)

    def set_accessible_description(self, text: str) -> None:
        """What a screen reader says after the name: the schema's description, whether the
        field is required, its default."""
        target = self.focus_target()
        target.setAccessibleDescription(text)
        for line in target.findChildren(QLineEdit):
            if line.window() is target.window():
                line.setAccessibleDescription(text)


Build = Callable[[Node, QWidget | None], Editor]


class ErrorSlot(Protocol):
    """Where a field's error is shown: a titled row, or a list item."""

    editor: Editor

    def show_error(self, message: str | None) -> None: ...

    @property
    def error(self) -> str: ...


def wheel_only_when_focused(widget: QWidget, event: QWheelEvent) -> bool:
    """For spin and combo boxes: ignore (so the page scrolls) a wheel the box has not
    focused; ``True`` when the box should handle it."""
    if widget.hasFocus():
        return True
    event.ignore()
    return False


def muted_label(text: str, parent: QWidget | None = None) -> QLabel:
    """Help text under a title: word-wrapped, in the palette's placeholder colour."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def error_label(parent: QWidget | None = None) -> QLabel:
    """A field's error: a small callout in the palette's tooltip colours (a pair made to read
    well together in light and dark themes), hidden until there is something to say."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setAutoFillBackground(True)
    label.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
    label.setForegroundRole(QPalette.ColorRole.ToolTipText)
    label.setMargin(3)
    label.hide()
    return label
