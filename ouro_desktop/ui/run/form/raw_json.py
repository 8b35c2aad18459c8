"""The raw JSON editor: the request body as text, for people who prefer it and for schemas
the form cannot show.

It only edits text and reports parse errors (with line and column) under the editor; the
form decides what the text means and lists validation errors here too, since in JSON mode
there are no fields to show them at. A note above the editor explains why it is there
when the form could not be built.

The text is exact both ways. The editor is read through its document's raw text, because
``toPlainText()`` turns no-break spaces into plain ones; Qt's paragraph separator (U+2029)
is a line break. Characters the editor itself cannot hold as typed -- U+2029 (it *is* the
editor's line break), U+FDD0 and U+FDD1 (Qt's own block markers) and lone surrogates --
are written as JSON escapes (``\\u2029``), which parse back to the same character.
"""

from __future__ import annotations

import json
import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QFontMetrics
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ouro_desktop.ui.run.form.base import error_label

__all__ = ["RawJsonEditor", "dump_body", "parse_body"]


# Inside JSON text these only occur in strings (everything else json.dumps writes is ASCII).
_UNSHOWABLE = re.compile(r"[\u2029\ufdd0\ufdd1\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def dump_body(body: Any) -> str:
    try:
        text = json.dumps(body, indent=2, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return "{}"
    return _UNSHOWABLE.sub(_escape, text)


def parse_body(text: str) -> tuple[Any, str | None]:
    """(the parsed JSON, or ``None``; a plain-language error, or ``None``)."""
    if not text.strip():
        return None, "the settings are empty: write {} for none"
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"this is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    except RecursionError:
        return None, "this JSON is nested too deeply"


class RawJsonEditor(QWidget):
    text_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        self.note = QLabel(self)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.hide()
        column.addWidget(self.note)
        self.editor = QPlainTextEdit(self)
        self.editor.setAccessibleName("Settings as JSON")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(QFontMetrics(self.editor.font()).lineSpacing() * 12)
        column.addWidget(self.editor, 1)
        self.errors = error_label(self)
        self.errors.setAccessibleName("Problems in the JSON")
        column.addWidget(self.errors)
        self.editor.textChanged.connect(self.text_changed)

    def set_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def text(self) -> str:
        return self.editor.document().toRawText().replace("\u2029", "\n")

    def set_body(self, body: Any) -> None:
        text = dump_body(body)
        if text != self.text():
            self.editor.setPlainText(text)

    def show_errors(self, lines: list[str]) -> None:
        self.errors.setText("\n".join(f"⚠ {line}" for line in lines))
        self.errors.setVisible(bool(lines))
