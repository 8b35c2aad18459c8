"""The plan of a folder batch, shown before anything is sent.

How many files fit the input and which are skipped (each with its reason), the settings
every run shares, how many run at once, the time it should take, and -- for a paid route --
the total price, which must be agreed to (one tick for the whole batch) before Start is
enabled. Start emits :attr:`BatchPlanDialog.start_requested` with the concurrency chosen.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.models import Route
from ouro_desktop.core.asset_inputs import input_needs
from ouro_desktop.core.batch_plan import BatchPlan
from ouro_desktop.core.number_format import format_number, is_number
from ouro_desktop.core.route_fields import body_fields, user_parameters
from ouro_desktop.ui.common.labels import muted, plain_label

__all__ = ["BatchPlanDialog", "input_title", "settings_text"]

MAX_CONCURRENCY = 16


def _setting_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if is_number(value) or isinstance(value, bool):
        return format_number(value)
    if value is None:
        return "—"
    return json.dumps(value, ensure_ascii=False)


def settings_text(
    body: Any, query: dict[str, Any], path_params: dict[str, Any], route: Route | None = None
) -> str:
    """The shared settings in one line each, by the titles the route gives them ("Wavelength
    (Å): 1.5406", not "wavelength_A: 1.5406"), or a sentence when there are none."""
    titles: dict[str, str] = {}
    if route is not None:
        titles = {f.key: f.title for f in (*body_fields(route), *user_parameters(route))}
    lines = []
    for part in (body if isinstance(body, dict) else {}, query, path_params):
        for key, value in part.items():
            lines.append(f"{titles.get(key) or key}: {_setting_value(value)}")
    return "\n".join(lines) if lines else "The route's defaults (nothing set in the form)."


def input_title(route: Route, key: str) -> str:
    """The title of the route's input ``key`` ("File"), as its form shows it."""
    return next((need.title for need in input_needs(route) if need.key == key), key)


class BatchPlanDialog(QDialog):
    start_requested = Signal(int)  # the concurrency chosen

    def __init__(
        self, plan: BatchPlan, title: str, settings: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle("Run on each file")
        self.setMinimumWidth(520)
        n = plan.count
        heading = plain_label(self, name="Plan")
        heading.setWordWrap(True)
        font = heading.font()
        font.setBold(True)
        heading.setFont(font)
        if n:
            heading.setText(
                f"Run “{title}” on {n} file{'s' if n != 1 else ''} "
                f"(input “{input_title(plan.route, plan.input_key)}”), one run each."
            )
        else:
            heading.setText("No file here fits this route's input: nothing to run.")
        self.heading = heading

        self.skipped_label = plain_label(self, name="Skipped")
        self.skipped_label.setWordWrap(True)
        self.skipped_view = QPlainTextEdit(self)
        self.skipped_view.setReadOnly(True)
        self.skipped_view.setAccessibleName("Skipped files and why")
        skipped = plan.skipped
        if skipped:
            self.skipped_label.setText(f"{len(skipped)} skipped (not sent):")
            self.skipped_view.setPlainText("\n".join(reason for _name, reason in skipped))
            # As tall as its lines, up to six (one reason had a box of seven blank lines).
            view = self.skipped_view
            margins = 2 * (view.frameWidth() + int(view.document().documentMargin())) + 2
            lines = min(6, len(skipped))
            view.setFixedHeight(view.fontMetrics().lineSpacing() * lines + margins)
        else:
            self.skipped_label.setText("No file skipped.")
            self.skipped_view.hide()

        self.settings_view = plain_label(self, settings, name="Settings for every run")
        self.settings_view.setWordWrap(True)
        self.concurrency = QSpinBox(self)
        self.concurrency.setRange(1, MAX_CONCURRENCY)
        self.concurrency.setValue(max(1, min(MAX_CONCURRENCY, plan.concurrency)))
        self.concurrency.setAccessibleName("Runs at once")
        self.concurrency.setSuffix(" at once")
        self.concurrency.valueChanged.connect(self._on_concurrency_changed)
        self.estimate_label = plain_label(self, name="Time")
        self.price_label = plain_label(self, plan.price_text(), name="Price")
        self.price_label.setWordWrap(True)
        self.agree = QCheckBox(self)
        self.agree.setVisible(plan.total_price is not None and n > 0)
        if plan.total_price is not None:
            self.agree.setText(f"I agree to pay {plan.price_text()}")
        self.agree.toggled.connect(self._update_start)

        form = QFormLayout()
        form.addRow("Settings:", self.settings_view)
        form.addRow("Price:", self.price_label)
        form.addRow("", self.agree)
        form.addRow("Runs:", self.concurrency)
        form.addRow("Time:", self.estimate_label)
        note = muted(
            plain_label(
                self,
                "Each file is an ordinary run in your history. You can pause, cancel the rest "
                "or retry failed files while it runs; quitting loses nothing.",
            )
        )
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.start_button = self.buttons.addButton(
            f"Start {n} run{'s' if n != 1 else ''}", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.skipped_label)
        layout.addWidget(self.skipped_view)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        form.setRowVisible(self.agree, plan.total_price is not None and n > 0)
        self._on_concurrency_changed(self.concurrency.value())
        self._update_start()
        # As tall as the wrapped text needs at the width shown: sized from its size hint,
        # worked out for a narrower dialog, the labels got more lines' height than their
        # text takes (a blank gap under the heading and under "No file skipped.").
        width = max(self.minimumWidth(), self.sizeHint().width())
        self.resize(width, layout.totalHeightForWidth(width))

    def _on_concurrency_changed(self, value: int) -> None:
        self.plan = replace(self.plan, concurrency=value)
        self.estimate_label.setText(self.plan.estimate_text())

    def _update_start(self) -> None:
        paid_ok = self.plan.total_price is None or self.agree.isChecked()
        self.start_button.setEnabled(self.plan.count > 0 and paid_ok)

    def _on_start(self) -> None:
        if not self.start_button.isEnabled():
            return
        self.start_requested.emit(self.concurrency.value())
        self.accept()
