"""What a drop of a URL of another computer says (issue 15, item 7)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QMimeData, QUrl

from ouro_desktop.api.models import InputDeclaration
from ouro_desktop.core.file_checks import FileRejected, check_local_file
from ouro_desktop.ui.common.file_drop import dropped_items


def _reason(item: str) -> str:
    decl = InputDeclaration.from_json("file", {"asset_type": "file", "file_extensions": ["cif"]})
    try:
        check_local_file(item, decl)
    except FileRejected as exc:
        return exc.message
    raise AssertionError("accepted")


def test_a_file_on_another_computer_says_so(qapp: Any) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl("file://labserver/home/ann/Cu.cif"), QUrl("file:///tmp/here.cif")])
    far, near = dropped_items(mime)
    assert near == "/tmp/here.cif"
    message = _reason(far)
    assert "on another computer (labserver)" in message
    assert "no longer there" not in message
