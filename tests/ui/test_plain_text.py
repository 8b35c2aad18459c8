"""Text from a server or a file is shown literally, never as markup (issue 15, item 4).

HTML goes in through each path a server's or a file's words take to the window -- a
route's name and its schema's titles and descriptions, a failed run's message (the run
panel's banner, the history), a sign-in error, the window-wide banner, an unexpected
error's dialog, a dropped file's name (its card and the "routes that accept" caption),
the status bar's connection label -- and then every label and tooltip in the app is
checked: wherever the markup appears, Qt must not be reading it as rich text.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from ouro_desktop.api.models import Route
from ouro_desktop.ui.common.labels import ElidedLabel
from ouro_desktop.ui.shell import error_dialog

from .app_harness import EXAMPLES, App

MARKUP = "<b>bold</b><a href='http://evil.example/'>click</a>"
FILE_MARKUP = "<i>copper<i>"  # a file name cannot hold "/"


@pytest.fixture
def app(qtbot: Any, aio: Any, tmp_path: Path) -> Any:
    instance = App(qtbot, aio, tmp_path)
    yield instance
    instance.close()


def _hostile(value: Any) -> Any:
    """``value`` with every title and description replaced by markup."""
    if isinstance(value, dict):
        return {
            k: MARKUP if k in ("title", "description") and isinstance(v, str) else _hostile(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_hostile(v) for v in value]
    return value


def _shown_as_markup(format_: Qt.TextFormat, text: str) -> bool:
    if format_ == Qt.TextFormat.PlainText:
        return False
    return format_ == Qt.TextFormat.RichText or QtGui.Qt.mightBeRichText(text)


def _interpreting_widgets(marker: str) -> list[str]:
    """Every label or tooltip that holds ``marker`` and would render it as HTML."""
    found = []
    for widget in QApplication.allWidgets():
        if isinstance(widget, QLabel) and marker in widget.text():
            if _shown_as_markup(widget.textFormat(), widget.text()):
                found.append(f"label {widget.accessibleName() or widget.objectName()!r}")
        tip = widget.toolTip()
        if marker in tip and QtGui.Qt.mightBeRichText(tip):
            found.append(f"tooltip of {type(widget).__name__} {widget.accessibleName()!r}")
    return found


def _displayed(tip: str) -> str:
    """What a tooltip shows: its text as Qt reads it (rich text rendered to plain)."""
    if QtGui.Qt.mightBeRichText(tip):
        return QtGui.QTextDocumentFragment.fromHtml(tip).toPlainText()
    return tip


def _labels_with(marker: str) -> list[QLabel]:
    return [w for w in QApplication.allWidgets() if isinstance(w, QLabel) and marker in w.text()]


def _check(stage: str, marker: str = MARKUP, at_least: int = 1) -> None:
    reached = _labels_with(marker)
    assert len(reached) >= at_least, f"{stage}: the markup reached {len(reached)} label(s)"
    assert _interpreting_widgets(marker) == [], stage


def test_server_and_file_text_is_never_read_as_markup(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = app.window
    # A route whose name, titles and descriptions are markup: the page and its form.
    real = app.open("demo/formula-properties")
    row = copy.deepcopy(real.raw)
    row["name"] = MARKUP
    row["route"] = _hostile(row["route"])
    hostile = Route.from_json(row)
    client = app.session.client
    assert client is not None
    real_get = client.get_route

    async def get_route(ref: str) -> Route:
        return hostile if ref in (real.id, "hostile") else await real_get(ref)

    monkeypatch.setattr(client, "get_route", get_route)
    app.open("hostile")
    assert window.run_panel.route is hostile
    assert MARKUP in window.route_page.title_label.text()
    _check("the route page and its form", at_least=3)  # the title, field titles and help
    # Its run fails with the service's message in markup: the run panel's banner.
    app.backend.faults.route_failure["formula-properties"] = (500, MARKUP)
    body = window.run_panel.form.value().body
    body["formula"] = "NaCl"
    window.run_panel.form.set_value(body)
    failed = app.run()
    assert failed.state == "error" and MARKUP in (failed.status_detail or "")
    card = window.run_panel.result_card  # the failure in one sentence, under Run
    app.aio.wait_until(lambda: MARKUP in card.message_label.text())
    _check("a failed run's message")
    # ... and in the history: the run's detail, and the list's tooltips.
    app.aio.wait_until(lambda: window.history.select_run(failed.action_id))
    app.aio.wait_until(lambda: MARKUP in window.run_detail.error_label.text())
    _check("the run's detail")
    model = window.history.model
    tips = [
        model.data(model.index(row_, col), Qt.ItemDataRole.ToolTipRole)
        for row_ in range(model.rowCount())
        for col in range(model.columnCount())
    ]
    with_markup = [t for t in tips if isinstance(t, str) and "bold" in t]
    assert with_markup
    assert all(MARKUP in _displayed(t) for t in with_markup)  # shown as written
    # A dropped file whose name is markup: its card, and the "routes that accept" list.
    named = tmp_path / f"{FILE_MARKUP}.cif"
    named.write_bytes((EXAMPLES / "Cu.cif").read_bytes())
    app.open("demo/predict-electronic-dos-at-fermi-level")
    app.drop("file", named)
    app.controller.routes.find_routes_for([str(named)])
    app.aio.wait_until(lambda: FILE_MARKUP in window.browser.caption_label.text())
    _check("a file's name", FILE_MARKUP)  # the caption
    # The card draws the name itself (elided), with the full name as its tooltip.
    cards = [w for w in QApplication.allWidgets() if isinstance(w, ElidedLabel)]
    named_cards = [w for w in cards if FILE_MARKUP in w.text()]
    assert named_cards
    assert all(FILE_MARKUP in _displayed(w.toolTip()) for w in named_cards)
    # The other sinks of a server's words.
    for sink, say in (
        ("the window's banner", lambda t: window.banner.show_message(f"Ouro said: {t}")),
        ("the status bar", lambda t: window.set_connection_state(f"Connected as {t}")),
        ("sign-in", lambda t: window.welcome.show_error(f"Could not sign in: {t}")),
        (
            "the error dialog",
            lambda t: error_dialog.show_unexpected_error(RuntimeError, RuntimeError(t), None),
        ),
    ):
        marker = f"<b>{sink}</b>"
        say(marker)
        _check(sink, marker)


def test_the_window_banner_shows_markup_literally(qtbot: Any) -> None:
    from ouro_desktop.ui.common.banner import Banner

    banner = Banner()
    qtbot.addWidget(banner)
    banner.show_message(MARKUP)
    assert banner.label.text() == MARKUP
    assert banner.label.textFormat() == Qt.TextFormat.PlainText
    assert isinstance(banner, QWidget)
