"""Unexpected errors: logged with their traceback and shown in one non-modal dialog.

Expected problems (a rejected key, no keyring, an offline server) are shown where the user
is looking instead; only what nobody planned for reaches :func:`install_excepthook`, and
it opens one dialog (never a pile of them).
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)


class ErrorDialog(QDialog):
    """Details of an unexpected error: what happened, and the traceback to copy."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Something went wrong")
        self.setModal(False)
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # an error's words, maybe a server's
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Error details")
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = buttons.addButton("Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self._on_copy_clicked)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.resize(640, 360)

    def add_error(self, summary: str, details: str) -> None:
        self.summary.setText(
            f"{summary}\n\nThe app keeps running. If this repeats, copy the details into a "
            "bug report."
        )
        self.details.appendPlainText(details)

    def _on_copy_clicked(self) -> None:
        QApplication.clipboard().setText(self.details.toPlainText())


_dialog: ErrorDialog | None = None


def show_unexpected_error(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    global _dialog
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    log.error("unexpected error:\n%s", text)
    if QApplication.instance() is None:
        return
    if _dialog is None:
        parent = QApplication.activeWindow()
        _dialog = ErrorDialog(parent)
    _dialog.add_error(f"Unexpected error: {exc_type.__name__}: {exc}", text)
    _dialog.show()
    _dialog.raise_()


def install_excepthook() -> None:
    """Route uncaught exceptions (qasync sends async-slot failures here) to the dialog."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        try:
            if issubclass(exc_type, KeyboardInterrupt):
                sys.__excepthook__(exc_type, exc, tb)
                return
            show_unexpected_error(exc_type, exc, tb)
        finally:
            forget_last_error()

    sys.excepthook = hook


def forget_last_error() -> None:
    """Let go of the error Python keeps as the last one printed (``sys.last_traceback``).

    An error raised in a paint (a style's or delegate's Python override) is printed from
    Qt's call, and Python keeps it with the frames it went through, and so their locals:
    wrappers of the style option and painter Qt made on its stack for that call. Shiboken
    hands such a wrapper out again for whatever Qt builds at that address next (a spin
    box's option arrived in the style as a QRect), so once the error is shown, it goes.
    """
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            delattr(sys, name)
