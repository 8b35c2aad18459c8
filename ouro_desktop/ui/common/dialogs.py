"""Questions to the user that a task can await without stopping every other task.

A modal ``exec()`` (``QMessageBox.question``, ``QInputDialog.getItem``) started inside a
task runs a nested Qt event loop while that task is still "executing"; qasync then
refuses to resume any other task (run polling, uploads, the demo's clock) until the
dialog closes. These helpers show the dialog with ``open()`` -- window-modal, but the
event loop keeps running -- and resolve a future from its ``finished`` signal. A task
cancelled while its dialog is up closes the dialog.

Text shown here often holds a file's or a route's name: it is always plain text.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Sequence
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox, QWidget

__all__ = ["ask_buttons", "ask_item", "ask_save_path", "resolved"]

TITLE = "Ouro Desktop"
T = TypeVar("T")


async def resolved(value: T | Awaitable[T]) -> T:
    """``value``, awaited if it is awaitable (stand-ins in tests may answer at once)."""
    if inspect.isawaitable(value):
        return await value
    return value


async def _answer(dialog: QDialog, read: object) -> object:
    """Open ``dialog`` and wait for it to finish; ``read(code)`` gives the answer."""
    future: asyncio.Future[object] = asyncio.get_event_loop().create_future()

    def on_finished(code: int) -> None:
        if not future.done():
            future.set_result(read(code))  # type: ignore[operator]

    dialog.finished.connect(on_finished)
    dialog.open()
    try:
        return await future
    except asyncio.CancelledError:
        dialog.reject()
        raise
    finally:
        dialog.deleteLater()


async def ask_item(parent: QWidget, prompt: str, items: Sequence[str]) -> str | None:
    """One of ``items``, or None if the user cancels."""
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(TITLE)
    dialog.setLabelText(prompt)
    dialog.setComboBoxItems(list(items))
    dialog.setComboBoxEditable(False)

    def read(code: int) -> str | None:
        return dialog.textValue() if code == QDialog.DialogCode.Accepted.value else None

    answer = await _answer(dialog, read)
    return answer if isinstance(answer, str) else None


async def ask_buttons(
    parent: QWidget,
    title: str,
    text: str,
    buttons: Sequence[tuple[str, str, QMessageBox.ButtonRole]],
    *,
    default: str | None = None,
    detail: str = "",
) -> str | None:
    """The key of the button pressed, from ``(key, label, role)`` triples; None if the
    dialog was closed another way (Escape picks the button with the reject role)."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setIcon(QMessageBox.Icon.Question)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    if detail:
        box.setInformativeText(detail)
        informative = box.findChild(QWidget, "qt_msgbox_informativelabel")
        if informative is not None and hasattr(informative, "setTextFormat"):
            informative.setTextFormat(Qt.TextFormat.PlainText)
    keys = {}
    for key, label, role in buttons:
        button = box.addButton(label, role)
        keys[button] = key
        if key == default:
            box.setDefaultButton(button)

    def read(_code: int) -> str | None:
        return keys.get(box.clickedButton())

    answer = await _answer(box, read)
    return answer if isinstance(answer, str) else None


async def ask_save_path(parent: QWidget, caption: str, suggested: str) -> Path | None:
    """Where to save a file, or None if the user cancels."""
    dialog = QFileDialog(parent, caption, suggested)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.selectFile(suggested)

    def read(code: int) -> Path | None:
        files = dialog.selectedFiles()
        return Path(files[0]) if code == QDialog.DialogCode.Accepted.value and files else None

    answer = await _answer(dialog, read)
    return answer if isinstance(answer, Path) else None
