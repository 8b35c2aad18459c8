"""The app controller: sign-in and the connection, and the use cases that span features
(opening a route, re-running an earlier run, files given at start or dropped anywhere).

Each feature's own controller owns its widgets (the browser, the run panel, the history);
this one asks them, and shows the route page and the window-wide notices. Every network
call starts as a named task, so a newer request of the same kind (another route) cancels
the older one. Expected failures (:class:`OuroError`) are shown where the user is
looking; anything else reaches the error dialog through the task runner.
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QObject, QTimer, Signal

from ouro_desktop.api.errors import AuthenticationError, NotFoundError, OuroError
from ouro_desktop.api.models import Route
from ouro_desktop.api.schema import build_form_spec, default_value, validate
from ouro_desktop.core.blocking import off_thread, responsive_switching
from ouro_desktop.core.error_text import friendly
from ouro_desktop.core.route_fields import body_fields
from ouro_desktop.core.route_naming import search_words
from ouro_desktop.core.session import Session
from ouro_desktop.core.snippets import route_snippets
from ouro_desktop.ui.batch.batch_controller import BatchController
from ouro_desktop.ui.common.collector import installed as installed_collector
from ouro_desktop.ui.common.tasks import TaskRunner
from ouro_desktop.ui.history.history_controller import HistoryController
from ouro_desktop.ui.routes.routes_controller import RoutesController
from ouro_desktop.ui.run.run_controller import RunController
from ouro_desktop.ui.run.run_panel import RunPanel
from ouro_desktop.ui.shell.main_window import MainWindow

log = logging.getLogger(__name__)
# `ouro-desktop-demo-server` listens here by default; the in-app demo has no address.
DEMO_SERVER_URL = "http://127.0.0.1:8765"
# Between two steps of showing a wide route's page: the step's layout and painting run,
# and anything waiting (a key, a timer) after them, before the next step (with no pause,
# two steps and their painting often ran as one turn of 20-30 ms).
PAGE_STEP_PAUSE_S = 0.002
WIDE_FOCUS_ORDER_DELAY_MS = 10


def prepare_route(route: Route, base_url: str) -> None:
    """Work out (and so remember) a route's fields, form spec, the check of its form at
    its defaults, and snippets: in a worker."""
    body_fields(route)
    RunPanel.form_is_wide(route)  # (its sections worked out, if it is)
    spec = build_form_spec(route)
    for part in ("body", "query", "path"):
        spec.compiled(part)
    validate(spec, default_value(spec))
    route_snippets(route, base_url)


class AppController(QObject):
    """Sign-in, and the features of one window wired together."""

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
        routes: RoutesController,
        runs: RunController,
        history: HistoryController,
        batches: BatchController | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.tasks = tasks
        self.routes = routes
        self.runs = runs
        self.history = history
        self.batches = batches
        if batches is not None:
            batches.batch_finished.connect(self._refresh_facts_of)
            batches.run_activated.connect(self._on_batches_run_activated)
        self._current: Route | None = None
        self._failed_ref = ""  # the route whose loading failed (what Retry tries again)
        self._startup_files: list[str] = []
        self._startup_route: str | None = None
        self._standing_notice: str | None = None  # the banner's text while nothing else
        self._focus_form_for: str | None = None  # Enter on a route: its form gets the keys
        self._offered_files: list[str] = []  # files that were for a route offered instead

        window.welcome.sign_in_requested.connect(self._on_welcome_sign_in_requested)
        window.welcome.demo_requested.connect(self._on_welcome_demo_requested)
        window.sign_out_requested.connect(self._on_window_sign_out_requested)
        window.route_page.favourite_toggled.connect(routes.toggle_favourite)
        window.route_page.retry_requested.connect(self._on_page_retry_requested)
        window.route_page.offer_accepted.connect(self._on_page_offer_accepted)
        window.route_page.search_offered.connect(window.browser.search_for)
        window.browser_drops.files_dropped.connect(self._on_browser_files_dropped)
        window.browser.route_activated.connect(self._on_browser_route_activated)
        window.window_drops.files_dropped.connect(self._on_window_files_dropped)
        routes.open_requested.connect(self._on_routes_open_requested)
        routes.favourite_changed.connect(self._on_routes_favourite_changed)
        routes.routes_loaded.connect(self.routes_loaded)
        routes.load_failed.connect(self.load_failed)
        history.rerun_requested.connect(self._on_history_rerun_requested)
        runs.run_finished.connect(self._on_runs_run_finished)

    # -- another start of the app on this profile ----------------------------------------
    def handle_request(self, route: str | None, files: list[str]) -> None:
        """A later start handed over its ``--route`` and files: come to the front and take
        them exactly as ``ouro-desktop --route X FILE`` would (:meth:`open_route_with_files`),
        after the sign-in if nobody is signed in yet."""
        self.window.bring_to_front()
        if self.session.client is None:  # not signed in yet: after the sign-in
            self._startup_files += files
            self._startup_route = route or self._startup_route
            return
        self.open_route_with_files(route, files)

    def _take_pending(self) -> tuple[str | None, list[str]]:
        route, self._startup_route = self._startup_route, None
        files, self._startup_files = self._startup_files, []
        return route, files

    # -- start-up and sign-in --------------------------------------------------------------
    def start(
        self, *, demo: bool, open_ref: str | None = None, files: list[str] | None = None
    ) -> None:
        """Sign in (or show the welcome view); then open ``open_ref`` and offer ``files``
        (a CIF opened with the app from the file manager) to the routes that take them."""
        if open_ref is None:
            # A route clicked in the saved list painted before this controller existed.
            picked = self.window.browser.selected_route()
            open_ref = picked.route_id if picked is not None else None
        # Kept until someone is signed in (the welcome view may come first).
        self._startup_route, self._startup_files = open_ref, list(files or [])
        self.tasks.run("session", self._start(demo, None))

    async def _start(self, demo: bool, open_ref: str | None) -> None:
        if demo:
            await self.session.start_demo()
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
        pending_route, files = self._take_pending()
        open_ref = open_ref or pending_route
        if open_ref or files:
            self.open_route_with_files(open_ref, files)

    def _enter_workspace(self) -> None:
        window = self.window
        window.set_account(self.session.account)
        window.show_workspace()
        account = self.session.account
        # Said for as long as it is true (a reconnect does not clear it), and only when it
        # is: a key from OURO_API_KEY was never this app's to keep.
        self._standing_notice = (
            f"Your API key is kept for this session only: {self.session.secret_notice}"
            if self.session.secret_notice and account and account.key_kept_for_session_only
            else None
        )
        self._show_standing_notice()
        self.signed_in.emit()
        self.routes.show_account_lists()
        self.tasks.run("runs", self._attach_runs())

    async def _attach_runs(self) -> None:
        resumed = await self.runs.attach()
        tracker = self.runs.tracker
        if tracker is not None:
            tracker.subscribe(on_connection=self._on_tracker_connection)
            self.history.attach(tracker)
            if self.batches is not None:
                open_batches = self.batches.attach(tracker)
                if open_batches:
                    self.window.statusBar().showMessage(
                        "A folder batch left running was picked up where it stopped.", 10_000
                    )
        self.history.reload()
        if resumed:
            plural = "s" if resumed != 1 else ""
            text = f"{resumed} run{plural} resumed"
            self.window.statusBar().showMessage(text, 10_000)
            self.window.history.show_status(text)

    def _on_batches_run_activated(self, local_id: str) -> None:
        """A file's run double-clicked in the batch window: show it in the history."""
        record = self.history.ledger.get(local_id)
        if record is None:
            return
        key = record.action_id or f"local:{local_id}"
        self.window.activateWindow()
        self.window.raise_()
        self.history.select(key)

    def _show_standing_notice(self) -> None:
        if self._standing_notice:
            self.window.banner.show_message(self._standing_notice)
        else:
            self.window.banner.hide()

    def say_runs_continue(self, count: int) -> str:
        """At quit: runs still going keep going on Ouro and are picked up next time."""
        text = (
            f"{count} run{'s are' if count != 1 else ' is'} still going on Ouro. "
            f"{'They continue' if count != 1 else 'It continues'} there, and Ouro Desktop "
            f"picks {'them' if count != 1 else 'it'} up the next time it starts."
        )
        self.window.banner.show_message(text)
        self.window.statusBar().showMessage(text)
        return text

    def _on_tracker_connection(self, online: bool) -> None:
        """One banner while Ouro can't be reached, and the status bar says so too;
        polling resumes by itself."""
        if online:
            self._show_standing_notice()
            self.window.set_account(self.session.account)  # "Connected to …" again
            self.window.statusBar().showMessage("Connected to Ouro again.", 8_000)
        else:
            self.window.set_connection_state("Offline: Ouro can't be reached")
            self.window.banner.show_message(
                "Ouro can't be reached right now. Your runs keep going on Ouro; checking "
                "on them resumes by itself when the connection is back."
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
        route, files = self._take_pending()  # given while nobody was signed in
        if route or files:
            self.open_route_with_files(route, files)

    def _on_welcome_demo_requested(self) -> None:
        self.tasks.run("session", self._start(True, None))

    def _on_window_sign_out_requested(self) -> None:
        self.tasks.run("session", self._sign_out())

    async def _sign_out(self) -> None:
        self.history.detach()
        if self.batches is not None:
            await self.batches.detach()
        await self.runs.detach()
        self.runs.forget_account()
        await self.session.sign_out()
        self.routes.forget_account()
        self._current = None
        self.window.route_page.clear()
        self.window.show_welcome()

    # -- opening a route -------------------------------------------------------------------
    def open_route_with_files(self, ref: str | None, files: list[str]) -> None:
        """Open ``ref`` and put ``files`` into its form (each into the input that takes it).
        With no route, list the routes that take the files; picking one fills its form.
        ``ouro-desktop --route X FILE`` and a second start handing over its arguments both
        come here."""
        files = list(files)
        if ref:
            self.tasks.run("route", self._open(ref, files))
        elif files:
            # The routes that accept the file replace the plain list (the same task name);
            # choosing one puts it into the form.
            self.routes.find_routes_for(files)

    async def open_route(self, ref: str) -> Route | None:
        """Open a route as if chosen in the browser; the route ``ref`` names, or None if
        it could not be loaded (never the route that happened to be open before)."""
        route = await self._open(ref)
        if route is None or ref not in (route.id, route.full_name):
            return None
        return route

    def _on_routes_open_requested(self, ref: str) -> None:
        self.tasks.run("route", self._open(ref))

    def _on_page_retry_requested(self) -> None:
        # The route that failed, not the one open before it (which was none at all when
        # the first route opened by name failed: Retry did nothing).
        ref = self._failed_ref or (self._current.id if self._current is not None else "")
        if ref:
            self.tasks.run("route", self._open(ref))

    async def _open(self, ref: str, files: list[str] | None = None) -> Route | None:
        """Load and show the route ``ref`` (``files`` go into its form); the route, or
        None if loading failed."""
        client = self.session.client
        if client is None:
            return None
        page = self.window.route_page
        page.show_loading(f"Loading {ref}…")
        self._failed_ref = ""
        try:
            route = await client.get_route(ref)
        except NotFoundError:
            offer = await self._demo_copy_of(ref)
            self._offered_files = list(files or [])
            page.show_error(
                f"There is no route “{ref}”, or you don't have access to it."
                + (f" The demo has its own copy: {offer}." if offer else ""),
                offer=(f"Open {offer}", offer) if offer else None,
                search="" if offer else search_words(ref),
                retry=False,
            )
            self.load_failed.emit(ref)
            return None
        except OuroError as exc:
            self._failed_ref = ref
            page.show_error(f"Could not load the route: {friendly(exc)}")
            self.load_failed.emit(friendly(exc))
            return None
        # What the page and the form are built from, worked out in a worker thread (a route
        # of 2,000 settings takes a while); the page and the form then find it done.
        with responsive_switching():  # the worker must not keep the window waiting
            await off_thread(prepare_route, route, self._snippet_base())
        wide = self.runs.panel.form_is_wide(route)
        collector = installed_collector()
        if wide and collector is not None:
            # What the worker made for a wide form (15,000 objects for 2,000 settings)
            # is walked once by the collector now, in a turn of its own (4-5 ms), not
            # by its next youngest and middle collections in the page's turns.
            collector.collect(1)
            await asyncio.sleep(PAGE_STEP_PAUSE_S)
        self._current = route
        await self.routes.ensure_service_name(route)
        title = self.routes.show_opened(route)
        self.window.show_route_title(title)
        page.show_route(
            route,
            base_url=self._snippet_base(),
            is_favourite=self.routes.is_favourite(route.id),
            title=title,
            lists_later=wide,
        )
        self.history.set_route(route, title)
        if wide:
            # A wide form takes a while to build, and its page to lay out: the page's
            # words are written out of sight, the form built out of sight (no last
            # route's form under the new title) a turn of the event loop later, then the
            # page drawn, each paragraph laid out out of sight and shown, the form laid
            # out out of sight, a turn each, and the form shown (its rows then grow a few
            # a turn). No turn holds the window for long: each of these was 15-25 ms,
            # two at once 30-50 ms.
            page.form_area.hide()
            form = self.runs.panel.form
            try:
                await asyncio.sleep(PAGE_STEP_PAUSE_S)
                self.runs.show_route(route)
                form.hold_growing(True)  # its rows a turn at a time once it is shown
                for step in page.later_steps():
                    await asyncio.sleep(PAGE_STEP_PAUSE_S)
                    step()
                await asyncio.sleep(PAGE_STEP_PAUSE_S)
            finally:
                page.show_page()
                page.show_lists()
                page.form_area.show()
                form.hold_growing(False)
                self._release_page_when_whole(route)
        else:
            self.runs.show_route(route)
        dropped = list(files or []) or self.routes.files_for(route.id)
        if dropped and route.input_assets:
            self.runs.drop_anywhere(dropped)
        elif files:
            self.runs.panel.show_problem("drop", "This route takes no files.")
        # After the event loop's next turn (the new form's widgets are shown then): Tab
        # follows the page, and Enter on a route puts the keyboard in its form. A wide
        # form's page a moment later, not in the turn that draws its form (the two held
        # the window 10 ms).
        order_after = WIDE_FOCUS_ORDER_DELAY_MS if wide else 0
        QTimer.singleShot(order_after, self.window.order_route_page_focus)
        if self._focus_form_for == route.id:
            self._focus_form_for = None
            QTimer.singleShot(0, self.window.focus_form)
        self.route_shown.emit(route.id)
        return route

    def _release_page_when_whole(self, route: Route) -> None:
        """Let the page's width and scroll bar go (held while a wide route's page comes
        in steps) once its form has all its rows and headers, unless another route is
        shown."""
        page, form = self.window.route_page, self.runs.panel.form

        def check() -> None:
            editor = form.body_editor
            if page.route is not route:
                form.fields_changed.disconnect(check)
            elif editor is None or not editor.growing:
                form.fields_changed.disconnect(check)
                page.release_page()

        form.fields_changed.connect(check)
        check()

    def _on_browser_route_activated(self, route_id: str) -> None:
        """Enter on a route in a list: once it is open, the keyboard goes to its form."""
        self._focus_form_for = route_id

    def _on_page_offer_accepted(self, ref: str) -> None:
        """The route offered instead of one that could not be opened: it gets the files
        that were meant for that one."""
        files, self._offered_files = self._offered_files, []
        self.tasks.run("route", self._open(ref, files))

    async def _demo_copy_of(self, ref: str) -> str | None:
        """In the demo, a real route's name (as in the README) whose copy is ``demo/…``."""
        client, account = self.session.client, self.session.account
        if client is None or account is None or not account.demo or "/" not in ref:
            return None
        owner, _, slug = ref.strip().strip("/").rpartition("/")
        owner = owner.rsplit("/", 1)[-1]
        if not slug or owner == account.user.username:
            return None
        copy = f"{account.user.username}/{slug}"
        try:
            await client.get_route(copy)
        except OuroError:
            return None
        return copy

    def _on_runs_run_finished(self, record: object) -> None:
        if getattr(record, "batch_id", None) is not None:
            return  # a batch's runs: the facts are refreshed once, when it is over
        self._refresh_facts_of(getattr(record, "route_id", None))

    def _refresh_facts_of(self, route_id: object) -> None:
        current = self._current
        if current is not None and route_id == current.id:
            # Its typical duration ("Expected duration") now counts this run too.
            self.tasks.run("route-facts", self._refresh_facts(current.id))

    async def _refresh_facts(self, route_id: str) -> None:
        client = self.session.client
        if client is None:
            return
        try:
            route = await client.get_route(route_id)
        except OuroError:
            return  # the page keeps what it showed
        if self._current is None or self._current.id != route.id:
            return
        self._current = route
        self.window.route_page.update_facts(route)  # (not the whole page: the form stays)
        self.history.update_route(route)

    def _on_routes_favourite_changed(self, route_id: str, starred: bool) -> None:
        if self._current is not None and self._current.id == route_id:
            self.routes.show_current_favourite(starred)
            page = self.window.route_page
            page.show_route(
                self._current, base_url=self._snippet_base(), is_favourite=starred, title=page.title
            )

    def _snippet_base(self) -> str:
        """Where the "Use via API" snippets point: the demo runs as a standalone server there."""
        account = self.session.account
        if account is None:
            return ""
        return DEMO_SERVER_URL if account.demo else account.base_url

    # -- re-run ------------------------------------------------------------------------------
    def _on_history_rerun_requested(self, route_id: str, inputs: dict[str, object]) -> None:
        self.tasks.run("rerun", self._rerun(route_id, inputs))

    async def _rerun(self, route_id: str, inputs: dict[str, object]) -> None:
        route = await self.open_route(route_id)
        # Only the run's own route takes its inputs; if it could not be opened, the page
        # says why and no other route's form is touched.
        if route is not None and route.id == route_id:
            self.runs.fill_from_run(route, inputs)
            self.window.focus_run_button()

    # -- drop first, choose later ------------------------------------------------------------
    def _on_window_files_dropped(self, items: list[str]) -> None:
        if self._current is not None and self._current.input_assets:
            self.runs.drop_anywhere(items)
        else:
            self._on_browser_files_dropped(items)

    def _on_browser_files_dropped(self, items: list[str]) -> None:
        self.routes.find_routes_for(items)
