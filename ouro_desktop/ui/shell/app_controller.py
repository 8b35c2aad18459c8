"""Controllers: QObjects that call the async services and push results into the widgets.

Widgets stay synchronous; every network call starts here as a named task, so a newer
request of the same kind (another search, another route) cancels the older one. Expected
failures (:class:`OuroError`) are shown where the user is looking; anything else reaches
the error dialog through the task runner.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ouro_desktop.api.errors import AuthenticationError, NotFoundError, OuroError
from ouro_desktop.api.models import Route
from ouro_desktop.core.error_text import friendly
from ouro_desktop.core.route_list_cache import RouteListCache, source_key
from ouro_desktop.core.session import Session
from ouro_desktop.core.settings import RouteBookmark
from ouro_desktop.ui.common.tasks import TaskRunner
from ouro_desktop.ui.history.history_controller import HistoryController
from ouro_desktop.ui.run.run_controller import RunController
from ouro_desktop.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)
PAGE_SIZE = 30
# `ouro-desktop-demo-server` listens here by default; the in-app demo has no address.
DEMO_SERVER_URL = "http://127.0.0.1:8765"


class AppController(QObject):
    """Sign-in, the route browser and the route page, wired to one window."""

    signed_in = Signal()
    routes_loaded = Signal(int)  # how many results are shown
    route_shown = Signal(str)  # route id
    load_failed = Signal(str)
    sign_in_shown = Signal()  # nobody signed in: the welcome view is what the user sees

    def __init__(
        self,
        window: MainWindow,
        session: Session,
        tasks: TaskRunner,
        demo_dir: Path,
        runs: RunController | None = None,
        route_cache: RouteListCache | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.tasks = tasks
        self.demo_dir = demo_dir
        self._query = ("", session.settings.search_sort)
        self._offset = 0
        self._current: Route | None = None
        self.runs = runs
        self.route_cache = route_cache
        self.history: HistoryController | None = None
        self._pending_drop: list[str] = []
        self._startup_files: list[str] = []

        window.welcome.sign_in_requested.connect(self._on_welcome_sign_in_requested)
        window.welcome.demo_requested.connect(self._on_welcome_demo_requested)
        window.sign_out_requested.connect(self._on_window_sign_out_requested)
        browser = window.browser
        browser.search_requested.connect(self._on_browser_search_requested)
        browser.more_requested.connect(self._on_browser_more_requested)
        browser.route_selected.connect(self._on_browser_route_selected)
        browser.open_requested.connect(self._on_browser_open_requested)
        browser.favourite_toggled.connect(self._on_favourite_toggled)
        browser.retry_requested.connect(self._on_browser_retry_requested)
        window.route_page.favourite_toggled.connect(self._on_favourite_toggled)
        window.route_page.retry_requested.connect(self._on_page_retry_requested)
        window.browser_drops.files_dropped.connect(self._on_browser_files_dropped)
        window.window_drops.files_dropped.connect(self._on_window_files_dropped)

    # -- start-up and sign-in --------------------------------------------------------------
    def start(
        self, *, demo: bool, open_ref: str | None = None, files: list[str] | None = None
    ) -> None:
        """Sign in (or show the welcome view); then open ``open_ref`` and offer ``files``
        (a CIF opened with the app from the file manager) to the routes that take them."""
        self._startup_files = list(files or [])
        if open_ref is None:
            # A route clicked in the saved list painted before this controller existed.
            picked = self.window.browser.selected_route()
            open_ref = picked.route_id if picked is not None else None
        self.tasks.run("session", self._start(demo, open_ref))

    async def _start(self, demo: bool, open_ref: str | None) -> None:
        if demo:
            await self.session.start_demo(self.demo_dir)
        else:
            self.window.welcome.set_server(self.session.settings.base_url)
            try:
                account = await self.session.restore()
            except AuthenticationError:
                self.window.show_welcome(
                    "Ouro no longer accepts the saved API key (it may have been revoked). "
                    "Paste a new key to sign in again."
                )
                self.sign_in_shown.emit()
                return
            except OuroError as exc:
                self.window.show_welcome(f"Could not reach Ouro: {friendly(exc)}")
                self.load_failed.emit(friendly(exc))
                return
            if account is None:
                self.window.show_welcome()
                self.sign_in_shown.emit()
                return
        self._enter_workspace()
        if open_ref:
            self._on_browser_open_requested(open_ref)
        files, self._startup_files = self._startup_files, []
        if files:
            # Lists the routes that accept the file (instead of the plain route list: same
            # task name, so it replaces that search); choosing one puts it into the form.
            self.tasks.run("search", self._routes_for_files(files))

    def _enter_workspace(self) -> None:
        window = self.window
        window.set_account(self.session.account)
        window.show_workspace()
        if self.session.secret_notice and not (self.session.account and self.session.account.demo):
            window.banner.show_message(
                f"Your API key is kept for this session only: {self.session.secret_notice}"
            )
        else:
            window.banner.hide()
        window.browser.set_favourites(self.session.settings.favourites)
        window.browser.set_recent(self.session.settings.recent)
        self.signed_in.emit()
        self._search(*self._query)
        if self.runs is not None:
            self.tasks.run("runs", self._attach_runs())

    async def _attach_runs(self) -> None:
        assert self.runs is not None
        resumed = await self.runs.attach()
        tracker = self.runs.tracker
        if tracker is not None:
            tracker.subscribe(on_connection=self._on_tracker_connection)
            if self.history is not None:
                self.history.attach(tracker)
        if self.history is not None:
            self.history.reload()
        if resumed:
            plural = "s" if resumed != 1 else ""
            text = f"{resumed} run{plural} resumed"
            self.window.statusBar().showMessage(text, 10_000)
            self.window.history.show_status(text)

    def _on_tracker_connection(self, online: bool) -> None:
        """One banner while Ouro can't be reached; polling resumes by itself."""
        if online:
            self.window.banner.hide()
            self.window.statusBar().showMessage("Connected to Ouro again.", 8_000)
        else:
            self.window.banner.show_message(
                "Ouro can't be reached right now. Your runs keep going on Ouro; checking "
                "on them resumes by itself when the connection is back."
            )

    async def open_route(self, ref: str) -> Route | None:
        """Open a route as if chosen in the browser; the route, or None if it failed."""
        await self._open(ref)
        return (
            self._current
            if self._current and ref in (self._current.id, self._current.full_name)
            else self._current
        )

    def _on_welcome_sign_in_requested(self, key: str, server: str) -> None:
        self.tasks.run("session", self._sign_in(key, server))

    async def _sign_in(self, key: str, server: str) -> None:
        try:
            await self.session.sign_in(key, server)
        except AuthenticationError:
            self.window.welcome.show_error(
                "Ouro did not accept this key. Check that you copied all of it, or create a "
                "new one under Settings → API Keys. Nothing was saved."
            )
            return
        except OuroError as exc:
            self.window.welcome.show_error(f"Could not sign in: {friendly(exc)}")
            return
        self._enter_workspace()

    def _on_welcome_demo_requested(self) -> None:
        self.tasks.run("session", self._start(True, None))

    def _on_window_sign_out_requested(self) -> None:
        self.tasks.run("session", self._sign_out())

    async def _sign_out(self) -> None:
        if self.history is not None:
            self.history.detach()
        if self.runs is not None:
            await self.runs.detach()
        await self.session.sign_out()
        if self.route_cache is not None:
            self.route_cache.clear()  # the next person here needn't see this list
        self._current = None
        self.window.route_page.clear()
        self.window.show_welcome()

    # -- route browser ---------------------------------------------------------------------
    def _on_browser_search_requested(self, query: str, sort: str) -> None:
        if sort != self.session.settings.search_sort:
            self.session.settings.search_sort = sort
            self.session.settings_store.save(self.session.settings)
        self._search(query, sort)

    def _on_browser_retry_requested(self) -> None:
        self.window.browser.model.set_loading(False)
        self._search(*self._query)

    def _search(self, query: str, sort: str) -> None:
        self._query = (query, sort)
        self.tasks.run("search", self._load_page(reset=True))

    def _on_browser_more_requested(self) -> None:
        if not self.tasks.running("search"):
            self.tasks.run("search", self._load_page(reset=False))

    async def _load_page(self, *, reset: bool) -> None:
        client = self.session.client
        if client is None:
            return
        browser = self.window.browser
        offset = 0 if reset else self._offset
        query, sort = self._query
        browser.clear_error()
        browser.show_loading(True)
        try:
            page = await client.search_routes(query, sort=sort, limit=PAGE_SIZE, offset=offset)
        except OuroError as exc:
            browser.show_loading(False)
            browser.show_error(f"Could not load routes: {friendly(exc)}")
            self.load_failed.emit(friendly(exc))
            return
        browser.show_loading(False)
        self._offset = offset + len(page.items)
        if reset:
            browser.show_caption(None)
            browser.show_results(page.items, page.has_more)
            if not query:
                self._remember_route_list(sort, page.items)
        else:
            browser.append_results(page.items, page.has_more)
        self.window.set_connection_state(self.window.connection_label.text())
        self.routes_loaded.emit(self._offset)

    def _remember_route_list(self, sort: str, routes: list[Route]) -> None:
        """Keep the first page of the plain list for the next start's first paint."""
        account = self.session.account
        if self.route_cache is None or account is None:
            return
        source = source_key(demo=account.demo, base_url=account.base_url)
        self.route_cache.save(source, sort, [route.raw for route in routes])

    # -- route page ------------------------------------------------------------------------
    def _on_browser_route_selected(self, route_id: str) -> None:
        self.tasks.run("route", self._open(route_id))

    def _on_browser_open_requested(self, ref: str) -> None:
        self.tasks.run("route", self._open(ref))

    def _on_page_retry_requested(self) -> None:
        if self._current is not None:
            self.tasks.run("route", self._open(self._current.id))

    async def _open(self, ref: str) -> None:
        client = self.session.client
        if client is None:
            return
        page = self.window.route_page
        page.show_loading(f"Loading {ref}…")
        try:
            route = await client.get_route(ref)
        except NotFoundError:
            page.show_error(f"There is no route “{ref}”, or you don't have access to it.")
            self.load_failed.emit(ref)
            return
        except OuroError as exc:
            page.show_error(f"Could not load the route: {friendly(exc)}")
            self.load_failed.emit(friendly(exc))
            return
        self._current = route
        settings = self.session.settings
        settings.add_recent(RouteBookmark(route.id, route.full_name))
        self.session.settings_store.save(settings)
        self.window.browser.set_recent(settings.recent)
        self.window.browser.set_current_route(route.id, route.full_name)
        page.show_route(
            route, base_url=self._snippet_base(), is_favourite=settings.is_favourite(route.id)
        )
        if self.history is not None:
            self.history.set_route(route)
        if self.runs is not None:
            self.runs.show_route(route)
            pending, self._pending_drop = self._pending_drop, []
            if pending and route.input_assets:
                self.runs.drop_anywhere(pending)
        self.route_shown.emit(route.id)

    def _on_favourite_toggled(self, route_id: str, full_name: str) -> None:
        settings = self.session.settings
        starred = settings.toggle_favourite(RouteBookmark(route_id, full_name))
        self.session.settings_store.save(settings)
        self.window.browser.set_favourites(settings.favourites)
        if self._current is not None and self._current.id == route_id:
            self.window.browser.set_current_favourite(starred)
            self.window.route_page.show_route(
                self._current, base_url=self._snippet_base(), is_favourite=starred
            )

    def _snippet_base(self) -> str:
        """Where the "Use via API" snippets point: the demo runs as a standalone server there."""
        account = self.session.account
        if account is None:
            return ""
        return DEMO_SERVER_URL if account.demo else account.base_url

    # -- drop first, choose later ------------------------------------------------------------
    def _on_window_files_dropped(self, items: list[str]) -> None:
        if self.runs is not None and self._current is not None and self._current.input_assets:
            self.runs.drop_anywhere(items)
        else:
            self._on_browser_files_dropped(items)

    def _on_browser_files_dropped(self, items: list[str]) -> None:
        self.tasks.run("search", self._routes_for_files(items))

    async def _routes_for_files(self, items: list[str]) -> None:
        """List the routes whose declared file inputs accept the dropped file."""
        client = self.session.client
        if client is None:
            return
        first = Path(items[0])
        extension = first.suffix.lower().lstrip(".")
        browser = self.window.browser
        browser.clear_error()
        browser.show_loading(True)
        matches: list[Route] = []
        offset = 0
        try:
            while True:
                page = await client.search_routes("", sort="popular", limit=200, offset=offset)
                matches += [r for r in page.items if _accepts_extension(r, extension)]
                offset += len(page.items)
                if not page.has_more or not page.items or offset >= 2000:
                    break
        except OuroError as exc:
            browser.show_loading(False)
            browser.show_error(f"Could not look for routes: {friendly(exc)}")
            return
        browser.show_loading(False)
        self._pending_drop = list(items)
        name = first.name or items[0]
        browser.show_results(matches, False)
        browser.show_caption(
            f"Routes that accept “{name}” ({len(matches)}). Pick one: the file goes into its form."
            if matches
            else f"No route here accepts .{extension or '?'} files like “{name}”."
        )
        self.routes_loaded.emit(len(matches))


def _accepts_extension(route: Route, extension: str) -> bool:
    return any(
        decl.asset_type == "file" and extension in decl.file_extensions
        for decl in route.input_assets.values()
    )
