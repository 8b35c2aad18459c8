"""A one-line notice across the top of a pane (a lost connection, a key kept for this session)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ouro_desktop.ui.common.theme import notice_colours


class Banner(QFrame):
    """A one-line notice across the top of a pane, coloured from the palette (the tooltip
    pair, checked to read at 4.5:1). Its text is plain text: it may come from a server."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.label, 1)
        self.close_button = QPushButton("Dismiss", self)
        self.close_button.setAccessibleName("Dismiss notice")
        self.close_button.clicked.connect(self._on_close_clicked)
        row.addWidget(self.close_button)
        self._apply_colours()
        self.hide()

    def colours(self) -> tuple[QColor, QColor]:
        """(background, text) as drawn."""
        palette = self.palette()
        return (
            palette.color(QPalette.ColorRole.ToolTipBase),
            self.label.palette().color(QPalette.ColorRole.ToolTipText),
        )

    def _apply_colours(self) -> None:
        back, text, _border = notice_colours(
            self.parentWidget().palette() if self.parentWidget() else self.palette()
        )
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.ToolTipBase, back)
        palette.setColor(QPalette.ColorRole.ToolTipText, text)
        self.setPalette(palette)
        self.label.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() in (QEvent.Type.ParentChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_colours()

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.setAccessibleName(text)
        self.show()

    def _on_close_clicked(self) -> None:
        self.hide()
        self.dismissed.emit()
