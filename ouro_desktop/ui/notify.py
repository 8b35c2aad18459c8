"""How the app tells the user things: banners, status-bar messages, the error-details dialog.

Expected problems (a rejected key, no keyring, an offline server) become a banner where
the user is looking; unexpected exceptions reach :func:`install_excepthook`, are logged
with their traceback and shown in one non-modal dialog (never a pile of them).
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from ..core.ledger import RunRecord

log = logging.getLogger(__name__)


def friendly(exc: Exception) -> str:
    """An error's plain message, with the server's request id when there is one."""
    text = getattr(exc, "message", None) or str(exc)
    request_id = getattr(exc, "request_id", None)
    return f"{text} (request id {request_id})" if request_id else text


class Banner(QFrame):
    """A one-line notice across the top of a pane, coloured from the palette."""

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
        self.label.setWordWrap(True)
        self.label.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.label, 1)
        self.close_button = QPushButton("Dismiss", self)
        self.close_button.setAccessibleName("Dismiss notice")
        self.close_button.clicked.connect(self._on_close_clicked)
        row.addWidget(self.close_button)
        self.hide()

    def show_message(self, text: str) -> None:
        self.label.setText(text)
        self.setAccessibleName(text)
        self.show()

    def _on_close_clicked(self) -> None:
        self.hide()
        self.dismissed.emit()


class ErrorDialog(QDialog):
    """Details of an unexpected error: what happened, and the traceback to copy."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Something went wrong")
        self.setModal(False)
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
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
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        show_unexpected_error(exc_type, exc, tb)

    sys.excepthook = hook


class RunNotifier(QObject):
    """Tells the user when a long run ends while they are elsewhere, and how many run.

    A desktop notification (system-tray message) when the tray exists; otherwise the
    window asks for attention. Clicking the notification shows that run.
    """

    run_clicked = Signal(str)  # the run's history key

    def __init__(self, window: QWidget, *, threshold_s: float = 10.0) -> None:
        super().__init__(window)
        self.window = window
        self.threshold_s = threshold_s
        self.sent: list[tuple[str, str, str]] = []  # (title, message, key), for tests too
        self._last_key: str | None = None
        self._title = window.windowTitle()
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            icon = window.windowIcon()
            if icon.isNull():
                icon = window.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.setToolTip(self._title)
            self.tray.messageClicked.connect(self._on_tray_message_clicked)
            self.tray.activated.connect(lambda _reason: self._raise_window())
            self.tray.show()

    def run_finished(self, record: RunRecord, key: str, now: float | None = None) -> bool:
        """Notify if the run took long and the window is not in front; True when sent."""
        end = record.finished_at or (now if now is not None else time.time())
        took = end - record.started_at
        if took < self.threshold_s or self.window.isActiveWindow():
            return False
        ok = record.state == "success"
        title = f"{record.route_name}: {'finished' if ok else 'did not succeed'}"
        detail = "Click to see the result." if ok else (record.status_detail or str(record.state))
        message = f"The run took {int(took)} s. {detail}"
        self.sent.append((title, message, key))
        self._last_key = key
        if self.tray is not None:
            kind = (
                QSystemTrayIcon.MessageIcon.Information
                if ok
                else QSystemTrayIcon.MessageIcon.Warning
            )
            self.tray.showMessage(title, message, kind, 15_000)
        else:
            QApplication.alert(self.window)
        return True

    def set_running(self, count: int) -> None:
        """The in-progress indicator: window title and tray tooltip."""
        suffix = f" — {count} run{'s' if count != 1 else ''} in progress" if count else ""
        self.window.setWindowTitle(self._title + suffix)
        if self.tray is not None:
            self.tray.setToolTip(self._title + suffix)

    def _raise_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def _on_tray_message_clicked(self) -> None:
        self._raise_window()
        if self._last_key:
            self.run_clicked.emit(self._last_key)
