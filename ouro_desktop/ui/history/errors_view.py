"""The Errors tab of a run: what went wrong, in plain language, and Ouro's raw answer.

:func:`explain` turns a run's status, action and ledger record into an
:class:`Explanation` (ouro-protocol.md §7.5: the action's error message, the upstream
status, whether trying again may help; a ``timed-out`` run is Ouro giving up on a silent
service, and its charge is released). :class:`ErrorsView` shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from ouro_desktop.api.models import Action
from ouro_desktop.core.history_diff import pretty_json
from ouro_desktop.core.run_record import RunRecord
from ouro_desktop.ui.common.collapsible import CollapsibleSection
from ouro_desktop.ui.common.labels import plain_label

__all__ = [
    "NOT_STARTED_TEXT",
    "PROBLEM_STATUSES",
    "TIMED_OUT_TEXT",
    "UNKNOWN_TEXT",
    "ErrorsView",
    "Explanation",
    "explain",
    "normal_status",
    "status_word",
]

TIMED_OUT_TEXT = "Ouro stopped waiting for the service; nothing was charged."
NOT_STARTED_TEXT = (
    "This run never reached Ouro. Nothing ran and nothing was charged — run it again."
)
UNKNOWN_TEXT = "Checking with Ouro whether this run was received…"
_STATUS_WORDS = {
    "submitting": "Sending…",
    "unknown": "Checking…",
    "queued": "Queued",
    "in-progress": "Running",
    "success": "Succeeded",
    "error": "Failed",
    "timed-out": "Timed out",
    "not-started": "Not started",
}
PROBLEM_STATUSES = frozenset({"error", "timed-out", "not-started", "unknown"})


def normal_status(status: str) -> str:
    return (status or "").strip().lower().replace("_", "-")


def status_word(status: str) -> str:
    """The word a person reads for a run status (``in-progress`` → ``Running``)."""
    key = normal_status(status)
    return _STATUS_WORDS.get(key, key.replace("-", " ").capitalize() or "Unknown")


@dataclass(frozen=True)
class Explanation:
    """What went wrong with a run, in plain language: a headline and notes."""

    headline: str
    notes: list[str] = field(default_factory=list)
    raw: Any = None  # what Ouro sent back, for the curious
    status_code: int | None = None  # the service's HTTP status: with the raw answer, not read first


def explain(status: str, action: Action | None, record: RunRecord | None) -> Explanation | None:
    """The Errors tab's text for a run, or None when nothing went wrong."""
    status = normal_status(status)
    raw = action.response if action is not None and action.response is not None else None
    if status == "timed-out":
        notes = ["The service did not answer in time. Running it again may work."]
        return Explanation(TIMED_OUT_TEXT, notes, raw)
    if status == "not-started":
        return Explanation(NOT_STARTED_TEXT)
    if status == "unknown":
        return Explanation(UNKNOWN_TEXT)
    if status != "error":
        return None
    message = (action.error_message if action is not None else None) or (
        record.status_detail if record is not None else None
    )
    notes = []
    code = action.error_status if action is not None else None
    if action is not None:
        notes += [f"{name}: {text}" for name, text in action.field_errors.items()]
        if action.retryable:
            notes.append("This looks temporary: running it again may work.")
        elif code is not None and 400 <= code < 500:
            notes.append("Running it again with the same inputs will likely fail the same way.")
    return Explanation(message or "The run failed.", notes, raw, code)


class ErrorsView(QWidget):
    """The plain-language explanation, then Ouro's raw answer behind a toggle."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headline = plain_label(self, name="What went wrong")
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.headline.setFont(font)
        self.notes = plain_label(self, name="Details")
        self.notes.setWordWrap(True)
        self.raw_text = QPlainTextEdit(self)
        self.raw_text.setReadOnly(True)
        self.raw_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw = CollapsibleSection("What Ouro sent back", self.raw_text, parent=self)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.headline)
        self._layout.addWidget(self.notes)
        self._layout.addWidget(self.raw)
        self._layout.addStretch(1)
        self.raw.toggled.connect(self._on_raw_toggled)

    def _on_raw_toggled(self, expanded: bool) -> None:
        # Collapsed, the toggle sits under the text; expanded, the raw answer takes the room.
        self._layout.setStretch(2, 1 if expanded else 0)
        self._layout.setStretch(3, 0 if expanded else 1)

    def show_explanation(self, explanation: Explanation) -> None:
        self.headline.setText(explanation.headline)
        self.notes.setText("\n".join(explanation.notes))
        self.notes.setVisible(bool(explanation.notes))
        # An HTTP status is for whoever reads the raw answer, not the first thing said.
        code = explanation.status_code
        parts = [f"The service answered with status {code}."] if code is not None else []
        if explanation.raw:
            parts.append(pretty_json(explanation.raw))
        self.raw.setVisible(explanation.raw is not None or code is not None)
        self.raw_text.setPlainText("\n\n".join(parts))

    def text(self) -> str:
        return "\n".join(t for t in (self.headline.text(), self.notes.text()) if t)
