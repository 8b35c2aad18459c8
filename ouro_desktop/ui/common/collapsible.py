"""A section with a clickable arrow header that shows or hides its body."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSizePolicy, QToolButton, QVBoxLayout, QWidget

__all__ = ["CollapsibleSection"]


class CollapsibleSection(QWidget):
    """``title`` as an arrow button; ``body`` is shown only while the section is expanded."""

    toggled = Signal(bool)

    def __init__(
        self, title: str, body: QWidget, *, expanded: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.body = body
        self.toggle_button = QToolButton(self)
        self.toggle_button.setText(title)
        self.toggle_button.setCheckable(True)
        self.toggle_button.setAutoRaise(True)
        self.toggle_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        font = self.toggle_button.font()
        font.setBold(True)
        self.toggle_button.setFont(font)
        self.toggle_button.setAccessibleName(title)
        self.toggle_button.toggled.connect(self._on_toggle_button_toggled)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.toggle_button)
        layout.addWidget(body)
        self.set_expanded(expanded)
        self._sync(expanded)

    def is_expanded(self) -> bool:
        return self.toggle_button.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        self.toggle_button.setChecked(expanded)

    def _sync(self, expanded: bool) -> None:
        arrow = Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow
        self.toggle_button.setArrowType(arrow)
        self.toggle_button.setAccessibleDescription("expanded" if expanded else "collapsed")
        self.body.setVisible(expanded)

    def _on_toggle_button_toggled(self, checked: bool) -> None:
        self._sync(checked)
        self.toggled.emit(checked)
