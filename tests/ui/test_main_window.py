"""The main window against the demo backend: sign-in, keyring, browsing, favourites, recent.

The server is the demo backend over real loopback HTTP; the keyring is the real Secret
Service where one is running (CI), and a stand-in memory store otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings

from ouro_desktop.api.models import Route
from ouro_desktop.core.ledger import RunLedger
from ouro_desktop.core.route_list_cache import RouteListCache
from ouro_desktop.core.secrets import KeyringStore, MemoryStore, SecretStoreUnavailable
from ouro_desktop.core.session import Session
from ouro_desktop.core.settings import SettingsStore
from ouro_desktop.core.upload_cache import UploadCache
from ouro_desktop.demo.in_process import InProcessDemo
from ouro_desktop.ui.shell.main_window import MainWindow
from ouro_desktop.ui.shell.workspace import build_workspace


class Harness:
    """One window + controller on a profile folder, like one start of the app."""

    def __init__(
        self,
        qtbot: Any,
        aio: Any,
        profile: Path,
        secrets: Any,
        notice: str | None = None,
        base_url: str | None = None,
        route_cache: RouteListCache | None = None,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.aio = aio
        self.settings_store = SettingsStore(profile / "settings.json")
        settings = self.settings_store.load()
        if base_url:
            settings.base_url = base_url
        self.window = MainWindow(QSettings(str(profile / "window.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(self.window)
        self.session = Session(
            self.settings_store,
            settings,
            secrets,
            secret_notice=notice,
            environ=environ or {},
            demo=InProcessDemo(profile / "demo"),
        )
        ledger, _ = RunLedger.open(profile / "runs.sqlite3")
        self.workspace = build_workspace(
            self.window,
            self.session,
            ledger,
            UploadCache(profile / "uploads.sqlite3"),
            outputs_dir=profile / "outputs",
            route_cache=route_cache,
        )
        self.tasks = self.workspace.tasks
        self.controller = self.workspace.controller
        self.loaded: list[int] = []
        self.shown: list[str] = []
        self.controller.routes_loaded.connect(self.loaded.append)
        self.controller.route_shown.connect(self.shown.append)

    def start(self, demo: bool = False) -> None:
        self.controller.start(demo=demo)

    def close(self) -> None:
        self.aio.run(self.workspace.aclose())
        self.window.close()

    @property
    def on_welcome(self) -> bool:
        return self.window.stack.currentWidget() is self.window.welcome


async def _real_keyring() -> KeyringStore:
    import keyring.backends.SecretService as ss

    return await KeyringStore.open(ss.Keyring())


@pytest.fixture
def keyring_store(aio: Any) -> Any:
    """The real Secret Service when reachable; CI requires it."""
    try:
        return aio.run(_real_keyring())
    except (SecretStoreUnavailable, Exception) as exc:  # noqa: BLE001 - any failure means "absent"
        if os.environ.get("OURO_REQUIRE_SECRET_SERVICE") == "1":
            raise
        pytest.skip(f"no Secret Service here: {exc}")


def _api_key(demo_app: Any) -> str:
    return demo_app.state.backend.api_key


def test_sign_in_with_good_key_stores_it_in_the_keyring(
    qtbot: Any, aio: Any, tmp_path: Path, demo_app: Any, loopback: str, keyring_store: Any
) -> None:
    account = Session.account_key(loopback)
    aio.run(keyring_store.delete(account))
    h = Harness(qtbot, aio, tmp_path, keyring_store, base_url=loopback)
    h.start()
    aio.wait_until(lambda: h.on_welcome)
    h.window.welcome.key_field.setText(_api_key(demo_app))
    h.window.welcome.set_server(loopback)
    h.window.welcome.sign_in_button.click()
    aio.wait_until(lambda: h.loaded)
    assert not h.on_welcome
    assert aio.run(keyring_store.get(account)) == _api_key(demo_app)
    assert "demo" in h.window.account_user.text()
    assert "Secret Service" in h.window.account_key.text()
    assert not (tmp_path / "settings.json").read_text().count(_api_key(demo_app))
    h.close()

    # A second start signs in from the keyring without asking.
    again = Harness(qtbot, aio, tmp_path, keyring_store)
    again.start()
    aio.wait_until(lambda: again.loaded)
    assert not again.on_welcome

    # Sign out removes the key.
    again.window.sign_out_action.trigger()
    aio.wait_until(lambda: again.on_welcome)
    assert aio.run(keyring_store.get(account)) is None
    again.close()


def test_bad_key_stores_nothing_and_says_so(
    qtbot: Any, aio: Any, tmp_path: Path, loopback: str
) -> None:
    store = MemoryStore()
    h = Harness(qtbot, aio, tmp_path, store, base_url=loopback)
    h.start()
    aio.wait_until(lambda: h.on_welcome)
    h.window.welcome.key_field.setText("0123456789abcdef-not-a-key")
    h.window.welcome.sign_in_button.click()
    aio.wait_until(lambda: h.window.welcome.error_label.isVisibleTo(h.window.welcome))
    assert "did not accept this key" in h.window.welcome.error_label.text()
    assert aio.run(store.get(Session.account_key(loopback))) is None
    assert h.on_welcome
    h.close()


def test_no_secure_keyring_keeps_key_for_session_with_banner(
    qtbot: Any, aio: Any, tmp_path: Path, demo_app: Any, loopback: str
) -> None:
    notice = "No secure keyring found: install and unlock GNOME Keyring or KWallet"
    h = Harness(qtbot, aio, tmp_path, MemoryStore(), notice=notice, base_url=loopback)
    h.start()
    aio.wait_until(lambda: h.on_welcome)
    h.window.welcome.key_field.setText(_api_key(demo_app))
    h.window.welcome.sign_in_button.click()
    aio.wait_until(lambda: h.loaded)
    assert h.window.banner.isVisibleTo(h.window)
    assert "this session only" in h.window.banner.label.text()
    assert "GNOME Keyring" in h.window.banner.label.text()
    assert "not saved" in h.window.account_key.text()
    h.close()


def test_the_session_only_warning_stays_after_a_reconnect(
    qtbot: Any, aio: Any, tmp_path: Path, demo_app: Any, loopback: str
) -> None:
    notice = "No secure keyring found: install and unlock GNOME Keyring or KWallet"
    h = Harness(qtbot, aio, tmp_path, MemoryStore(), notice=notice, base_url=loopback)
    h.start()
    aio.wait_until(lambda: h.on_welcome)
    h.window.welcome.key_field.setText(_api_key(demo_app))
    h.window.welcome.sign_in_button.click()
    aio.wait_until(lambda: h.loaded and h.workspace.runs.tracker is not None)
    tracker = h.workspace.runs.tracker
    assert tracker is not None
    banner = h.window.banner
    tracker._events.connection(False)  # Ouro can't be reached ...
    assert "can't be reached" in banner.label.text()
    tracker._events.connection(True)  # ... and is back
    assert banner.isVisibleTo(h.window)
    assert "this session only" in banner.label.text()
    h.close()


def test_a_key_from_the_environment_is_not_called_session_only(
    qtbot: Any, aio: Any, tmp_path: Path, demo_app: Any, loopback: str
) -> None:
    """OURO_API_KEY is read, never kept: no keyring does not make it "session only"."""
    notice = "No secure keyring found: install and unlock GNOME Keyring or KWallet"
    h = Harness(
        qtbot,
        aio,
        tmp_path,
        MemoryStore(),
        notice=notice,
        base_url=loopback,
        environ={"OURO_API_KEY": _api_key(demo_app)},
    )
    h.start()
    aio.wait_until(lambda: h.loaded)
    assert not h.on_welcome
    assert "from environment" in h.window.account_key.text()
    assert not h.window.banner.isVisibleTo(h.window)
    assert "session only" not in h.window.banner.label.text()
    h.close()


def test_revoked_key_leads_back_to_sign_in(
    qtbot: Any, aio: Any, tmp_path: Path, loopback: str
) -> None:
    store = MemoryStore()
    aio.run(store.set(Session.account_key(loopback), "revoked-key"))
    h = Harness(qtbot, aio, tmp_path, store, base_url=loopback)
    h.start()
    aio.wait_until(lambda: h.on_welcome and h.window.welcome.error_label.text())
    assert "no longer accepts" in h.window.welcome.error_label.text()
    assert aio.run(store.get(Session.account_key(loopback))) is None
    h.close()


def test_demo_browse_open_by_name_and_link_favourites_and_recent_survive_restart(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    h = Harness(qtbot, aio, tmp_path, MemoryStore())
    h.start(demo=True)
    aio.wait_until(lambda: h.loaded)
    model = h.window.browser.model
    names = {model.route_at(i).full_name for i in range(model.rowCount())}
    assert "demo/predict-electronic-dos-at-fermi-level" in names

    h.window.browser.open_requested.emit("demo/free-electron-dos-curve")
    aio.wait_until(lambda: h.shown)
    h.window.browser.open_requested.emit(
        "https://ouro.foundation/routes/demo/predict-electronic-dos-at-fermi-level"
    )
    aio.wait_until(lambda: len(h.shown) == 2)
    dos_id = h.shown[-1]
    h.window.route_page.favourite_toggled.emit(dos_id, "demo/predict-electronic-dos-at-fermi-level")
    h.window.browser.open_requested.emit("demo/no-such-route")
    aio.wait_until(
        lambda: (
            "no route"
            in h.window.route_page.findChild(
                type(h.window.route_page.error_label), "route_page_error"
            ).text()
            if hasattr(h.window.route_page, "error_label")
            else True
        )
    )
    h.close()

    again = Harness(qtbot, aio, tmp_path, MemoryStore())
    settings = again.session.settings
    assert [b.full_name for b in settings.favourites] == [
        "demo/predict-electronic-dos-at-fermi-level"
    ]
    assert [b.full_name for b in settings.recent][:2] == [
        "demo/predict-electronic-dos-at-fermi-level",
        "demo/free-electron-dos-curve",
    ]
    again.start(demo=True)
    aio.wait_until(lambda: again.loaded)
    again.close()


def test_the_plain_route_list_is_kept_for_the_next_start_and_forgotten_at_sign_out(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    cache = RouteListCache(tmp_path / "cache" / "route-list.json")
    h = Harness(qtbot, aio, tmp_path, MemoryStore(), route_cache=cache)
    h.start(demo=True)
    aio.wait_until(lambda: h.loaded)
    model = h.window.browser.model
    shown = [model.route_at(i).id for i in range(model.rowCount())]
    assert [r["id"] for r in cache.load("demo", "relevant")] == shown

    # A search result is not "the list": the saved one stays the plain list.
    h.window.browser.search_requested.emit("fermi", "relevant")
    aio.wait_until(lambda: model.rowCount() == 1)
    assert [r["id"] for r in cache.load("demo", "relevant")] == shown

    h.close()

    # The next start: a route picked in the saved list, before anyone is signed in, is the
    # route the window opens once the session is up.
    again = Harness(qtbot, aio, tmp_path, MemoryStore(), route_cache=cache)
    saved = [Route.from_json(raw) for raw in cache.load("demo", "relevant")]
    browser = again.window.browser
    browser.show_results(saved, False)
    view = browser.results_view
    view.selectionModel().setCurrentIndex(
        browser.model.index(2, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    assert again.shown == []
    again.start(demo=True)
    aio.wait_until(lambda: again.shown)
    assert again.shown == [saved[2].id]

    again.window.sign_out_action.trigger()  # "Leave the demo"
    aio.wait_until(lambda: again.on_welcome)
    assert not cache.path.exists()
    again.close()


def test_search_sort_and_paging(qtbot: Any, aio: Any, tmp_path: Path) -> None:
    from ouro_desktop.ui.routes import routes_controller as controllers

    h = Harness(qtbot, aio, tmp_path, MemoryStore())
    old = controllers.PAGE_SIZE
    controllers.PAGE_SIZE = 3
    try:
        h.start(demo=True)
        aio.wait_until(lambda: h.loaded)
        model = h.window.browser.model
        assert model.rowCount() == 3
        assert model.canFetchMore()
        model.fetchMore()
        aio.wait_until(lambda: model.rowCount() == 6)
        h.window.browser.search_requested.emit("fermi", "relevant")
        aio.wait_until(lambda: model.rowCount() == 1)
        assert model.route_at(0).slug == "predict-electronic-dos-at-fermi-level"
        h.window.browser.search_requested.emit("", "recent")
        aio.wait_until(lambda: model.rowCount() == 3 and h.session.settings.search_sort == "recent")
    finally:
        controllers.PAGE_SIZE = old
        h.close()
