"""Who hears about runs: the callbacks registered with :meth:`RunTracker.subscribe`.

:class:`RunEvents` keeps the four lists of plain callables (the UI adapts them to
signals) and calls them on the event loop. A callback that raises is logged and
skipped: one broken listener must never stop the tracker or the other listeners.
See :meth:`RunEvents.subscribe` for what each callback receives.

Part of ``ouro_desktop.core``: no Qt here.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from ouro_desktop.api.models import Action, ActionLog

from .ledger import RunRecord

__all__ = [
    "FinishedCallback",
    "LogsCallback",
    "NoticeCallback",
    "RunEvents",
    "UpdateCallback",
]

log = logging.getLogger(__name__)

UpdateCallback = Callable[[RunRecord, Action | None], None]
LogsCallback = Callable[[str, list[ActionLog], int], None]
FinishedCallback = Callable[[RunRecord], None]
NoticeCallback = Callable[[str], None]
ConnectionCallback = Callable[[bool], None]


class RunEvents:
    """The subscribers of one tracker, and the safe way to call them."""

    def __init__(self) -> None:
        self._on_update: list[UpdateCallback] = []
        self._on_logs: list[LogsCallback] = []
        # For each log listener, which runs it shows (None: all of them).
        self._logs_for: list[tuple[LogsCallback, Callable[[str], bool] | None]] = []
        self._on_finished: list[FinishedCallback] = []
        self._on_notice: list[NoticeCallback] = []
        self._on_connection: list[ConnectionCallback] = []
        # Whether the last request to Ouro got through; only changes are reported.
        self._online = True

    def subscribe(
        self,
        *,
        on_update: UpdateCallback | None = None,
        on_logs: LogsCallback | None = None,
        on_finished: FinishedCallback | None = None,
        on_notice: NoticeCallback | None = None,
        on_connection: ConnectionCallback | None = None,
        logs_for: Callable[[str], bool] | None = None,
    ) -> Callable[[], None]:
        """Register callbacks; returns a function that unregisters them.

        ``on_update(record, action)``: a run's ledger row changed (``action`` is the
        server's view when there is one). ``on_logs(local_id, lines, first)``: new log lines,
        in order, ``first`` the place of the first one in the run's log (the offset its
        page was read from: a listener that read some of the log itself skips the lines
        it has). ``on_finished(record)``: the run reached a final state (including
        ``not-started``). ``on_notice(text)``: something the user should read.
        ``on_connection(online)``: Ouro became unreachable (False) or reachable again
        (True); polling backs off meanwhile and resumes by itself.
        ``logs_for(local_id)``: whether ``on_logs`` shows that run now (by default every
        run); the rest of a finished run's log is read only for a run someone shows.
        """
        pairs: list[tuple[list[Any], Any]] = [
            (self._on_update, on_update),
            (self._on_logs, on_logs),
            (self._on_finished, on_finished),
            (self._on_notice, on_notice),
            (self._on_connection, on_connection),
        ]
        added = [(registry, cb) for registry, cb in pairs if cb is not None]
        for registry, cb in added:
            registry.append(cb)
        reader = (on_logs, logs_for) if on_logs is not None else None
        if reader is not None:
            self._logs_for.append(reader)

        def unsubscribe() -> None:
            for registry, cb in added:
                with contextlib.suppress(ValueError):
                    registry.remove(cb)
            if reader is not None:
                with contextlib.suppress(ValueError):
                    self._logs_for.remove(reader)

        return unsubscribe

    @property
    def wants_logs(self) -> bool:
        """Whether anyone listens for log lines (logs are fetched only then)."""
        return bool(self._on_logs)

    def wants_logs_of(self, local_id: str) -> bool:
        """Whether a log listener shows the run ``local_id`` now."""
        for _listener, shows in self._logs_for:
            try:
                if shows is None or shows(local_id):
                    return True
            except Exception:  # a broken listener must not stop the tracker
                log.exception("a log listener failed to say which runs it shows")
        return False

    def update(self, record: RunRecord, action: Action | None) -> None:
        self._emit(self._on_update, record, action)

    def logs(self, local_id: str, lines: list[ActionLog], first: int) -> None:
        self._emit(self._on_logs, local_id, lines, first)

    def finished(self, record: RunRecord) -> None:
        self._emit(self._on_finished, record)

    def notice(self, text: str) -> None:
        self._emit(self._on_notice, text)

    def connection(self, online: bool) -> None:
        if online != self._online:
            self._online = online
            self._emit(self._on_connection, online)

    @property
    def online(self) -> bool:
        return self._online

    @staticmethod
    def _emit(registry: list[Callable[..., None]], *args: Any) -> None:
        # A copy, so a callback may unsubscribe while being called.
        for callback in list(registry):
            try:
                callback(*args)
            except Exception:
                log.exception("a run tracker callback failed")
