"""A second start's ``--route`` and files (issue 15, item 11) are taken exactly as
``ouro-desktop --route X FILE`` takes them: through AppController.open_route_with_files,
also when they arrive before anyone has signed in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ouro_desktop.core.secrets import MemoryStore

from .app_harness import EXAMPLES, App
from .test_main_window import Harness, _api_key

DOS = "demo/predict-electronic-dos-at-fermi-level"


def _spy(controller: Any) -> list[tuple[str | None, list[str]]]:
    calls: list[tuple[str | None, list[str]]] = []
    real = controller.open_route_with_files

    def spy(ref: str | None, files: list[str]) -> None:
        calls.append((ref, list(files)))
        real(ref, files)

    controller.open_route_with_files = spy
    return calls


def test_a_handed_over_route_and_file_fill_that_routes_form(app_for: Any) -> None:
    app: App = app_for
    calls = _spy(app.controller)
    count = len(app.shown)
    app.controller.handle_request(DOS, [str(EXAMPLES / "Al.cif")])
    app.aio.wait_until(lambda: len(app.shown) > count)
    zone = app.window.run_panel.inputs.zone("file")
    app.aio.wait_until(lambda: zone.asset_id is not None)
    assert calls == [(DOS, [str(EXAMPLES / "Al.cif")])]
    assert zone.card.name_label.text() == "Al.cif"
    assert app.window.run_panel.route.full_name == DOS  # type: ignore[union-attr]


def test_a_handed_over_file_alone_lists_the_routes_that_take_it(app_for: Any) -> None:
    app: App = app_for
    calls = _spy(app.controller)
    app.controller.handle_request(None, [str(EXAMPLES / "Cu.cif")])
    caption = app.window.browser.caption_label
    app.aio.wait_until(lambda: "Cu.cif" in caption.text())
    assert calls == [(None, [str(EXAMPLES / "Cu.cif")])]
    assert caption.text().startswith("Routes that accept “Cu.cif”")


def test_what_is_handed_over_before_sign_in_is_opened_after_it(
    qtbot: Any, aio: Any, tmp_path: Path, demo_app: Any, loopback: str
) -> None:
    h = Harness(qtbot, aio, tmp_path, MemoryStore(), base_url=loopback)
    h.start()
    aio.wait_until(lambda: h.on_welcome)
    calls = _spy(h.controller)
    h.controller.handle_request(DOS, [str(EXAMPLES / "Al.cif")])
    assert calls == []  # nobody to run it for yet
    assert h.on_welcome
    h.window.welcome.key_field.setText(_api_key(demo_app))
    h.window.welcome.sign_in_button.click()
    aio.wait_until(lambda: bool(h.shown))
    assert calls == [(DOS, [str(EXAMPLES / "Al.cif")])]
    zone = h.window.run_panel.inputs.zone("file")
    aio.wait_until(lambda: zone.asset_id is not None)
    assert zone.card.name_label.text() == "Al.cif"
    assert h.window.run_panel.route.full_name == DOS  # type: ignore[union-attr]
    h.close()
