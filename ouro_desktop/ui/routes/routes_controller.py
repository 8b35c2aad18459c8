"""The route browser's controller: search and paging, favourites and recent routes, the
route list kept for the next start, and "which routes take this file?".

It owns the browser and nothing else: opening a route is the window's business, asked for
through :attr:`RoutesController.open_requested`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ouro_desktop.api.errors import OuroError
from ouro_desktop.api.models import Route
from ouro_desktop.core.error_text import friendly
from ouro_desktop.core.route_finder import file_extension, routes_taking
from ouro_desktop.core.route_list_cache import RouteListCache, source_key
from ouro_desktop.core.route_naming import RouteNames
from ouro_desktop.core.session import Session
from ouro_desktop.core.settings import RouteBookmark
from ouro_desktop.ui.common.tasks import TaskRunner
from ouro_desktop.ui.routes.browser import RouteBrowser

log = logging.getLogger(__name__)
PAGE_SIZE = 30


class RoutesController(QObject):
    open_requested = Signal(str)  # a route id or user/name the user chose
    routes_loaded = Signal(int)  # how many results are shown
    load_failed = Signal(str)
    favourite_changed = Signal(str, bool)  # route id, starred

    def __init__(
        self,
        browser: RouteBrowser,
        session: Session,
        tasks: TaskRunner,
        route_cache: RouteListCache | None = None,
        names: RouteNames | None = None,
    ) -> None:
        super().__init__(browser)
        self.browser = browser
        self.session = session
        self.tasks = tasks
        self.route_cache = route_cache
        self.names = names or RouteNames(None)
        browser.model.titler = self.names.title
        for bookmarks in (browser.favourites, browser.recent):
            bookmarks.titler = self.names.title_for
        self._query = ("", session.settings.search_sort)
        self._offset = 0
        # Files dropped on the list: each route picked from the routes that take them gets
        # them in its form, until the list shows something else.
        self.pending_drop: list[str] = []
        self._drop_matches: set[str] = set()
        browser.search_requested.connect(self._on_browser_search_requested)
        browser.more_requested.connect(self._on_browser_more_requested)
        browser.route_selected.connect(self.open_requested)
        browser.open_requested.connect(self.open_requested)
        browser.favourite_toggled.connect(self.toggle_favourite)
        browser.retry_requested.connect(self._on_browser_retry_requested)

    # -- the list ----------------------------------------------------------------------------
    def show_account_lists(self) -> None:
        """Favourites and recent routes of the signed-in profile, and the first page."""
        settings = self.session.settings
        self.browser.set_favourites(settings.favourites)
        self.browser.set_recent(settings.recent)
        self._search(*self._query)

    def _on_browser_search_requested(self, query: str, sort: str) -> None:
        settings = self.session.settings
        if sort != settings.search_sort:
            settings.search_sort = sort
            self.session.settings_store.save(settings)
        self._search(query, sort)

    def _on_browser_retry_requested(self) -> None:
        self.browser.model.set_loading(False)
        self._search(*self._query)

    def _search(self, query: str, sort: str) -> None:
        self._query = (query, sort)
        self.pending_drop, self._drop_matches = [], set()
        self.tasks.run("search", self._load_page(reset=True))

    def _on_browser_more_requested(self) -> None:
        if not self.tasks.running("search"):
            self.tasks.run("search", self._load_page(reset=False))

    async def _load_page(self, *, reset: bool) -> None:
        client = self.session.client
        if client is None:
            return
        browser = self.browser
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
        self.routes_loaded.emit(self._offset)
        self.learn_service_names(page.items)

    def learn_service_names(self, routes: list[Route]) -> None:
        """Look up the services of routes named after their endpoint, so the list can call
        them "Generate a crystal structure — CrystaLLM" rather than "POST /generate"."""
        wanted = {sid for sid in map(self.names.needs_service, routes) if sid}
        if wanted:
            self.tasks.run("service-names", self._learn_services(sorted(wanted)))

    async def _learn_services(self, service_ids: list[str]) -> None:
        client = self.session.client
        if client is None:
            return
        for service_id in service_ids:
            try:
                self.names.learn_service(service_id, await client.service_name(service_id))
            except OuroError as exc:  # the list keeps the route's own name
                log.info("no name for service %s: %s", service_id, friendly(exc))
        self.names.flush()
        self.browser.model.refresh_titles()

    async def ensure_service_name(self, route: Route) -> None:
        """Learn ``route``'s service name now, if its title needs it (opening a route)."""
        client, service_id = self.session.client, self.names.needs_service(route)
        if client is None or service_id is None:
            return
        try:
            self.names.learn_service(service_id, await client.service_name(service_id))
        except OuroError as exc:
            log.info("no name for service %s: %s", service_id, friendly(exc))

    def _remember_route_list(self, sort: str, routes: list[Route]) -> None:
        """Keep the first page of the plain list for the next start's first paint."""
        account = self.session.account
        if self.route_cache is None or account is None:
            return
        source = source_key(demo=account.demo, base_url=account.base_url)
        self.route_cache.save(source, sort, [route.raw for route in routes])

    def forget_account(self) -> None:
        """Signed out: the next person here needn't see this list."""
        if self.route_cache is not None:
            self.route_cache.clear()
        self.pending_drop, self._drop_matches = [], set()

    # -- the open route ----------------------------------------------------------------------
    def show_opened(self, route: Route) -> str:
        """``route`` was opened: it is recent now and the list's current row. Its title."""
        title = self.names.title(route)
        # Written in the background: flushing them to disk held the turn that opened the
        # route 2-30 ms (100 ms on a busy disk).
        self.names.flush(wait=False)
        settings = self.session.settings
        settings.add_recent(RouteBookmark(route.id, route.full_name))
        self.session.settings_store.save(settings, wait=False)
        self.browser.set_recent(settings.recent)
        self.browser.set_current_route(route.id, route.full_name)
        self.browser.model.refresh_titles()
        return title

    def is_favourite(self, route_id: str) -> bool:
        return self.session.settings.is_favourite(route_id)

    def toggle_favourite(self, route_id: str, full_name: str) -> None:
        settings = self.session.settings
        starred = settings.toggle_favourite(RouteBookmark(route_id, full_name))
        self.session.settings_store.save(settings)
        self.browser.set_favourites(settings.favourites)
        self.favourite_changed.emit(route_id, starred)

    def show_current_favourite(self, starred: bool) -> None:
        self.browser.set_current_favourite(starred)

    # -- drop first, choose later ------------------------------------------------------------
    def find_routes_for(self, items: list[str]) -> None:
        """List the routes that take the dropped file (replaces the plain list's search)."""
        self.tasks.run("search", self._routes_for_files(items))

    async def _routes_for_files(self, items: list[str]) -> None:
        client = self.session.client
        if client is None:
            return
        browser = self.browser
        browser.clear_error()
        browser.show_loading(True)
        try:
            matches = await routes_taking(client, items[0])
        except OuroError as exc:
            browser.show_loading(False)
            browser.show_error(f"Could not look for routes: {friendly(exc)}")
            return
        browser.show_loading(False)
        self.pending_drop = list(items)
        self._drop_matches = {route.id for route in matches}
        name = Path(items[0]).name or items[0]
        browser.show_results(matches, False)
        browser.show_caption(
            f"Routes that accept “{name}” ({len(matches)}). Pick one: the file goes into its form."
            if matches
            else f"No route here accepts .{file_extension(items[0]) or '?'} files like “{name}”."
        )
        self.routes_loaded.emit(len(matches))
        self.learn_service_names(matches)

    def files_for(self, route_id: str) -> list[str]:
        """The files dropped on the list, if ``route_id`` is one of the routes it offered
        for them (every pick gets them, not only the first)."""
        return list(self.pending_drop) if route_id in self._drop_matches else []
