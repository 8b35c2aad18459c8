"""The "Run this route" panel under the route page: file inputs, the request form, Run.

Synchronous widget. It shows the price of a paid route before anything else, keeps Run
disabled while a submission is in flight, and has one status line for the run just
started (the history pane shows every run).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ouro_desktop.api.models import Route
from ouro_desktop.core.route_facts import price_text
from ouro_desktop.ui.common.banner import Banner
from ouro_desktop.ui.run.form.drop_zone import FileInputs
from ouro_desktop.ui.run.form.form import RequestForm


class RunPanel(QWidget):
    run_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("run_panel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        title = QLabel("Run this route", self)
        font = QFont(title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        title.setFont(font)
        layout.addWidget(title)

        self.price_label = QLabel(self)
        self.price_label.setTextFormat(Qt.TextFormat.RichText)  # the price itself escaped
        self.price_label.setWordWrap(True)
        self.price_label.setAccessibleName("Price of a run")
        self.price_label.hide()
        layout.addWidget(self.price_label)

        self.inputs = FileInputs(self)
        layout.addWidget(self.inputs)
        self.form = RequestForm(self)
        layout.addWidget(self.form)

        self.error_banner = Banner(self)
        layout.addWidget(self.error_banner)

        row = QHBoxLayout()
        self.status_label = QLabel(self)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)  # a result's own values
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Run status")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.status_label, 1)
        self.run_button = QPushButton("Run", self)
        self.run_button.setAccessibleName("Run the route")
        self.run_button.setToolTip("Run this route with these inputs (Ctrl+Enter)")
        self.run_button.setMinimumWidth(120)
        self.run_button.clicked.connect(self._on_run_clicked)
        row.addWidget(self.run_button)
        layout.addLayout(row)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self._on_run_clicked)
        self._submitting = False
        self._route: Route | None = None

    @property
    def route(self) -> Route | None:
        return self._route

    def set_route(self, route: Route) -> None:
        self._route = route
        self.inputs.set_declarations(dict(route.input_assets))
        self.form.set_route(route)
        if route.is_paid:
            self.price_label.setText(
                f"<b>Paid route:</b> {html.escape(price_text(route))}. You will be asked to "
                "confirm before each run; nothing is charged for a failed run."
            )
            self.price_label.show()
        else:
            self.price_label.hide()
        self.run_button.setText(f"Run ({price_text(route)})" if route.is_paid else "Run")
        self.clear_messages()
        self.set_submitting(False)

    def _on_run_clicked(self) -> None:
        if self._submitting or self._route is None or not self.isVisible():
            return
        self.run_requested.emit()

    def set_submitting(self, submitting: bool, label: str = "Sending…") -> None:
        """Run off (its button saying ``label``) while a run is sent or its fate is looked up."""
        self._submitting = submitting
        self.run_button.setEnabled(not submitting)
        if submitting:
            self.run_button.setText(label)
        elif self._route is not None:
            self.run_button.setText(
                f"Run ({price_text(self._route)})" if self._route.is_paid else "Run"
            )

    @property
    def submitting(self) -> bool:
        return self._submitting

    def show_status(self, text: str) -> None:
        self.status_label.setText(text)

    def show_error(self, text: str) -> None:
        self.error_banner.show_message(text)

    def clear_messages(self) -> None:
        self.status_label.clear()
        self.error_banner.hide()
