"""The short result card beside the Run button: the answer where the user is looking.

After a run it shows the first few values worth a glance
(:func:`~ouro_desktop.core.result_summary.headline_items`: the route's recorded
properties first, then numbers with units), labelled and rounded like the result view,
the exact value on hover; the outputs by name and kind; and a line saying the whole
answer is in the run's detail. A failed run reads as one plain sentence with what to do
(:func:`~ouro_desktop.core.run_outcome.failure_sentence`). Colours come from the palette.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.core.result_view import ResultItem
from ouro_desktop.core.units import unbroken_units, with_unit

__all__ = ["ResultCard", "scroll_to"]


def _label(parent: QWidget, text: str = "", *, selectable: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ResultCard(QFrame):
    """A few labelled values of the last run, or why it failed; hidden until there is one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAccessibleName("Result of the last run")
        self.title_label = _label(self)
        bold = QFont(self.title_label.font())
        bold.setBold(True)
        self.title_label.setFont(bold)
        self.grid_widget = QWidget(self)
        self.grid = QGridLayout(self.grid_widget)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(2)
        self.grid.setColumnStretch(1, 1)
        self.message_label = _label(self, selectable=True)
        self.message_label.setWordWrap(True)
        self.message_label.setAccessibleName("What happened")
        self.footer_label = _label(self)
        self.footer_label.setWordWrap(True)
        self.footer_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        # A refusal about a field far up a long form: one click takes the user there.
        self.go_button = QPushButton(self)
        self.go_button.clicked.connect(self._on_go_button_clicked)
        self._go_to: Callable[[], None] | None = None
        go_row = QHBoxLayout()
        go_row.setContentsMargins(0, 0, 0, 0)
        go_row.addWidget(self.go_button)
        go_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(4)
        layout.addWidget(self.title_label)
        layout.addWidget(self.grid_widget)
        layout.addWidget(self.message_label)
        layout.addWidget(self.footer_label)
        layout.addLayout(go_row)
        self._values: list[tuple[str, str]] = []
        self.clear()

    def clear(self) -> None:
        self._set_values([])
        self.title_label.clear()
        self.message_label.clear()
        self.message_label.hide()
        self.footer_label.clear()
        self.footer_label.hide()
        self._set_go_to(None)
        self.hide()

    def show_values(
        self, title: str, items: list[ResultItem], outputs: list[str], footer: str
    ) -> None:
        """A finished run: ``items`` as label and value; ``outputs`` as "name · kind"."""
        self.title_label.setText(title)
        self._set_values(items)
        lines = [f"Output: {text}" for text in outputs]
        self.message_label.setText("\n".join(lines))
        self.message_label.setVisible(bool(lines))
        self.footer_label.setText(footer)
        self.footer_label.setVisible(bool(footer))
        self._set_go_to(None)
        self.setAccessibleDescription(self.text())
        self._appear()

    def show_failure(
        self,
        title: str,
        sentence: str,
        go_to: Callable[[], None] | None = None,
        go_text: str = "",
    ) -> None:
        """A failed run, in one plain sentence with what to do; ``go_to`` (with its button
        text, "Show “Formula”") takes the user to the field the refusal is about."""
        self.title_label.setText(title)
        self._set_values([])
        self.message_label.setText(sentence)
        self.message_label.show()
        self.footer_label.hide()
        self._set_go_to(go_to, go_text)
        self.setAccessibleDescription(sentence)
        self._appear()

    def _set_go_to(self, go_to: Callable[[], None] | None, text: str = "") -> None:
        self._go_to = go_to
        self.go_button.setText(text)
        self.go_button.setVisible(go_to is not None)

    def _on_go_button_clicked(self) -> None:
        if self._go_to is not None:
            self._go_to()

    def _appear(self) -> None:
        """Show the card, scrolled into view (Ctrl+Enter may have run it from the top)."""
        self.show()
        QTimer.singleShot(0, self._scroll_into_view)

    def _scroll_into_view(self) -> None:
        if self.isVisible():
            scroll_to(self)

    def values(self) -> list[tuple[str, str]]:
        """The (label, value as read) pairs shown."""
        return list(self._values)

    def text(self) -> str:
        """Everything the card says (for tests and screen readers)."""
        parts = [self.title_label.text()]
        parts += [f"{label}: {value}" for label, value in self._values]
        for label in (self.message_label, self.footer_label):
            if not label.isHidden() and label.text():
                parts.append(label.text())
        return "\n".join(p for p in parts if p)

    def _set_values(self, items: list[ResultItem]) -> None:
        while self.grid.count():
            taken = self.grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        self._values = []
        for row, item in enumerate(items):
            name = _label(self.grid_widget, unbroken_units(item.label))  # not "g/" + "mol"
            name.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            name.setToolTip(item.help)
            value = _label(self.grid_widget, item.display, selectable=True)
            value.setAccessibleName(item.label)
            # A long sentence (a post's opening line) wraps: unwrapped it widened the route
            # page past its view, which has no side scroll bar, and cut the page's left edge.
            name.setWordWrap(True)
            value.setWordWrap(True)
            if item.exact and item.exact not in (item.text, item.display):
                exact = item.exact[:400]
                unit = item.unit if item.kind == "number" else ""
                value.setToolTip(f"Exact value: {with_unit(exact, unit)}")
            self.grid.addWidget(name, row, 0)
            self.grid.addWidget(value, row, 1)
            self._values.append((item.label, item.display))
        self.grid_widget.setVisible(bool(items))


def scroll_to(widget: QWidget, margin: int = 8) -> None:
    """Scroll the nearest scroll area holding ``widget`` so that it is in view."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if isinstance(parent, QScrollArea):
        parent.ensureWidgetVisible(widget, 0, margin)
