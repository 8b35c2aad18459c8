"""Catching files dragged from the desktop onto any widget (the window, the browser).

An event filter, so a widget gains drop support without subclassing: it accepts drags
that carry local file URLs (nothing else) and emits the paths as strings.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QObject, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QWidget


def dropped_items(mime: QMimeData) -> list[str]:
    """Local paths of dropped files, and other URLs as text (so they can be refused
    with a reason rather than silently ignored)."""
    items: list[str] = []
    for url in mime.urls():
        # file://otherhost/… is "local" to Qt but names another computer: keep the URL,
        # so the check can say so (a path would only be "no longer there").
        here = url.isLocalFile() and url.host().lower() in ("", "localhost")
        items.append(url.toLocalFile() if here else url.toString())
    return [item for item in items if item]


class FileDropCatcher(QObject):
    files_dropped = Signal(list)  # list[str]

    def __init__(self, target: QWidget) -> None:
        super().__init__(target)
        target.setAcceptDrops(True)
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, (QDragEnterEvent, QDragMoveEvent))
            if event.mimeData().hasUrls():
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            items = dropped_items(event.mimeData())
            if items:
                event.acceptProposedAction()
                self.files_dropped.emit(items)
                return True
        return False
