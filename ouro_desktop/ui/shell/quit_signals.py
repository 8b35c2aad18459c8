"""SIGTERM and SIGINT (a logout, ``kill``, Ctrl+C in a terminal) as a normal quit.

Python runs its signal handlers only between bytecodes, and while Qt's event loop waits
in C++ no bytecode runs: a plain ``signal.signal`` handler would wait for the next
mouse move. So the C-level handler writes the signal number to a socket
(``signal.set_wakeup_fd``) that a :class:`QSocketNotifier` watches; the notifier wakes
Qt's loop at once and :attr:`QuitSignals.received` is emitted from there, on the GUI
thread, never from inside whatever Python code the signal interrupted.
"""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, Signal

__all__ = ["QuitSignals"]

HANDLED = (signal.SIGTERM, signal.SIGINT)


class QuitSignals(QObject):
    """Turns SIGTERM/SIGINT into :attr:`received` (the signal number) while installed."""

    received = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._old: dict[int, Callable[..., Any] | int | None] = {}
        for signum in HANDLED:
            # The Python-level handler has nothing to do: the wake-up byte carries it.
            self._old[signum] = signal.signal(signum, _ignore)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_notifier_activated)

    def _on_notifier_activated(self) -> None:
        try:
            data = self._reader.recv(64)
        except (BlockingIOError, InterruptedError):
            return
        for signum in data:
            if signum in HANDLED:
                self.received.emit(int(signum))

    def close(self) -> None:
        """Give the signals back to what handled them before; harmless to call twice."""
        if self._notifier is None:
            return
        self._notifier.setEnabled(False)
        self._notifier = None  # type: ignore[assignment]
        with contextlib.suppress(ValueError):  # not the main thread: nothing was installed
            signal.set_wakeup_fd(self._old_fd)
            for signum, old in self._old.items():
                signal.signal(signum, old if old is not None else signal.SIG_DFL)
        self._reader.close()
        self._writer.close()


def _ignore(_signum: int, _frame: object) -> None:
    return None
