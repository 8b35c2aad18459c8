"""Telling the user a long run has ended while they were elsewhere, and how many still run."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon, QWidget

if TYPE_CHECKING:
    from ouro_desktop.core.ledger import RunRecord


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
        # The window's own title (it names the open route) stays; the count follows it.
        self.window.setProperty("runningSuffix", suffix)
        base = self.window.property("baseTitle") or self._title
        self.window.setWindowTitle(str(base) + suffix)
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
