"""The main window: composes the panes, menus, shortcuts and status bar.

No HTTP and no keyring here: controllers call the services and push results into the
panes. Layout: route browser | route page (form below it) | runs (the table above the
selected run's detail), in splitters with visible handles whose sizes, like the window
geometry, are remembered in QSettings.

The first window fits the screen it opens on (its available area, 1280×720 and up, with
nothing cut off), and a remembered geometry is brought back inside the screen if the
screen got smaller. The runs table starts tall enough for nine runs. Every shortcut is
bound from the one table in :mod:`~ouro_desktop.ui.common.shortcuts`.

The window is built in two steps so the first paint is fast: the shell (menus, status
bar, the route browser, and empty places for the other panes) imports little, and
:meth:`MainWindow.build_panes` builds the route page, the form and the history (whose
modules take most of the import time) after the shell is on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QByteArray, QRect, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop import __version__
from ouro_desktop.ui.common.activation import skip_same_look_repaints
from ouro_desktop.ui.common.banner import Banner
from ouro_desktop.ui.common.file_drop import FileDropCatcher
from ouro_desktop.ui.common.focus_order import chain_by_position
from ouro_desktop.ui.common.shortcuts import shortcut_keys
from ouro_desktop.ui.common.splitter import GripSplitter
from ouro_desktop.ui.routes.browser import RouteBrowser

if TYPE_CHECKING:  # the session module loads the HTTP client: not before the first paint
    from ouro_desktop.core.route_naming import RouteNames
    from ouro_desktop.core.session import Account
    from ouro_desktop.ui.history.detail import RunDetail
    from ouro_desktop.ui.history.pane import HistoryPane
    from ouro_desktop.ui.run.route_page import RoutePage
    from ouro_desktop.ui.run.run_panel import RunPanel
    from ouro_desktop.ui.shell.welcome import WelcomeView

APP_TITLE = "Ouro Desktop"
# The first window: this size where the screen allows (a 1280×720 screen gets all of it).
PREFERRED_SIZE = (1440, 900)
# Room for the window manager's title bar and borders around the window itself.
FRAME_ALLOWANCE = (16, 48)
# Shares of the width: route browser | route page | runs.
PANE_SHARES = (0.20, 0.35, 0.45)
RUNS_ROWS = 9  # the runs table starts with room for this many runs


class MainWindow(QMainWindow):
    sign_out_requested = Signal()
    closing = Signal()  # the user asked to close the window (or quit)

    route_page: RoutePage
    run_panel: RunPanel
    history: HistoryPane
    run_detail: RunDetail

    def __init__(
        self,
        settings: QSettings,
        *,
        build_panes: bool = True,
        screen_area: Callable[[], QRect] | None = None,
    ) -> None:
        """The window; with ``build_panes=False`` only the shell, until :meth:`build_panes`.
        ``screen_area`` gives the usable area of the screen (tests pass a fake one)."""
        super().__init__()
        self._qsettings = settings
        self._screen_area = screen_area
        self._default_sizes = True  # no pane sizes saved: they are set once shown
        self._sized = False
        self.setWindowTitle(APP_TITLE)
        self.setAccessibleName(APP_TITLE)
        self.keyring_backend = "none"
        self._close_held = False
        # Where the profile keeps data and logs (set by the app; Help uses them).
        self.data_dir: Path | None = None
        self.log_file: Path | None = None
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl
        self.route_names: RouteNames | None = None  # titles known at the first paint
        self.last_dialog: QDialog | None = None

        self.stack = QStackedWidget(self)
        self._welcome: WelcomeView | None = None  # built when first needed

        self.workspace = QWidget(self.stack)
        column = QVBoxLayout(self.workspace)
        column.setContentsMargins(0, 0, 0, 0)
        self.banner = Banner(self.workspace)
        column.addWidget(self.banner)
        self.splitter = GripSplitter(Qt.Orientation.Horizontal, self.workspace)
        self.splitter.setAccessibleName("Panes")
        self.browser = RouteBrowser(self.splitter)
        # Places for the route page and the history, filled by build_panes().
        QWidget(self.splitter)
        QWidget(self.splitter)
        self.panes_built = False
        # Files dropped on the browser ask "which routes take this?"; anywhere else in the
        # window they go to the open route's matching input.
        self.browser_drops = FileDropCatcher(self.browser)
        self.window_drops = FileDropCatcher(self)
        for index, stretch in enumerate((0, 1, 0)):
            self.splitter.setStretchFactor(index, stretch)
        column.addWidget(self.splitter, 1)
        self.stack.addWidget(self.workspace)
        self.setCentralWidget(self.stack)

        self._build_menus()
        self.connection_label = QLabel("Not signed in", self)
        self.connection_label.setTextFormat(Qt.TextFormat.PlainText)  # names the account
        self.connection_label.setAccessibleName("Connection state")
        self.statusBar().addPermanentWidget(self.connection_label)
        self._restore_layout()
        if build_panes:
            self.stack.setCurrentWidget(self.welcome)  # until someone signs in
            self.build_panes()

    @property
    def welcome(self) -> WelcomeView:
        """The sign-in view; built on first use, as a signed-in start may never need it."""
        if self._welcome is None:
            from ouro_desktop.ui.shell.welcome import WelcomeView

            self._welcome = WelcomeView(self.stack)
            self.stack.insertWidget(0, self._welcome)
        return self._welcome

    def build_panes(self) -> None:
        """Build the route page (with the form) and the history into their places."""
        if self.panes_built:
            return
        from ouro_desktop.ui.history.detail import RunDetail
        from ouro_desktop.ui.history.pane import HistoryPane
        from ouro_desktop.ui.run.route_page import RoutePage
        from ouro_desktop.ui.run.run_panel import RunPanel

        sizes = self.splitter.sizes()
        self.route_page = RoutePage()
        self.run_panel = RunPanel(self.route_page.form_area)
        self.route_page.form_layout.addWidget(self.run_panel)
        # Right: the runs table above the selected run's detail.
        self.history_split = GripSplitter(Qt.Orientation.Vertical)
        self.history_split.setAccessibleName("Runs and the selected run")
        self.history = HistoryPane(self.history_split)
        self.run_detail = RunDetail(self.history_split)
        self.history_split.setStretchFactor(0, 1)
        self.history_split.setStretchFactor(1, 1)
        for index, pane in ((1, self.route_page), (2, self.history_split)):
            old = self.splitter.replaceWidget(index, pane)
            if old is not None:
                old.deleteLater()
        self.splitter.setSizes(sizes)
        history = self._qsettings.value("window/history_splitter")
        self.panes_built = True
        # Tab through the route page in reading order, again whenever it changes.
        self._order_timer = QTimer(self)
        self._order_timer.setSingleShot(True)
        self._order_timer.setInterval(0)
        self._order_timer.timeout.connect(self.order_route_page_focus)
        self.run_panel.inputs.changed.connect(self._order_timer.start)
        self.run_panel.attention_needed.connect(self.reveal_in_route_page)
        self.run_panel.form.fields_changed.connect(self._order_timer.start)
        if isinstance(history, QByteArray) and not history.isEmpty():
            self.history_split.restoreState(history)
        elif self._default_sizes and self._sized:
            self.workspace.layout().activate()
            self._apply_default_sizes()
        self._bind_pane_shortcuts()
        # A dialog opening over the window repaints no list that would look the same.
        skip_same_look_repaints(self)

    # -- menus and shortcuts ----------------------------------------------------------------
    def _action(self, text: str, shortcut_id: str | None, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self)
        if shortcut_id is not None:
            action.setShortcuts(shortcut_keys(shortcut_id))
        action.triggered.connect(slot)
        self.addAction(action)  # its keys work wherever the focus is in the window
        return action

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self._action("Find a route…", "find", self.browser.focus_search))
        file_menu.addAction(
            self._action("Open a route by name…", "open_by_name", self.browser.focus_open_field)
        )
        file_menu.addSeparator()
        file_menu.addAction(self._action("Open my data folder", None, self.open_data_folder))
        file_menu.addSeparator()
        file_menu.addAction(self._action("Quit", "quit", self.close))

        self.view_menu = self.menuBar().addMenu("&View")
        self.view_menu.addAction(self._action("Routes", "routes", self.browser.focus_list))

        self.account_menu = self.menuBar().addMenu("&Account")
        self.account_user = self.account_menu.addAction("Not signed in")
        self.account_server = self.account_menu.addAction("")
        self.account_key = self.account_menu.addAction("")
        for action in (self.account_user, self.account_server, self.account_key):
            action.setEnabled(False)
        self.account_menu.addSeparator()
        self.sign_out_action = self.account_menu.addAction("Sign out")
        self.sign_out_action.triggered.connect(self.sign_out_requested)
        self.sign_out_action.setEnabled(False)

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self._action("Getting started", "help", self.show_getting_started))
        help_menu.addAction(self._action("Keyboard shortcuts", "shortcuts", self.show_shortcuts))
        help_menu.addSeparator()
        help_menu.addAction(self._action("Open my data folder", None, self.open_data_folder))
        help_menu.addAction(self._action("Report a problem…", None, self.report_problem))
        help_menu.addSeparator()
        about = help_menu.addAction("About Ouro Desktop")
        about.triggered.connect(self.show_about)

    def _bind_pane_shortcuts(self) -> None:
        """The keys that go to the panes built later (the form, the runs)."""
        self.view_menu.addAction(self._action("Route form", "form", self.focus_form))
        self.view_menu.addAction(self._action("Runs", "runs", self.focus_runs))

    def focus_form(self) -> None:
        """Ctrl+2: the open route's form -- the first empty input's Browse… (or, for a
        post, its "Choose one of my posts…"), else the first setting, else Run."""
        if not self.panes_built or not self.route_page.is_showing_route:
            return
        panel = self.run_panel
        target: QWidget | None = None
        for zone in panel.inputs.zones().values():
            if zone.holds_file:
                continue
            buttons = (zone.target.browse_button, zone.target.remote_button)
            target = next((b for b in buttons if b.isVisibleTo(panel)), None)
            if target is not None:
                break
        target = target or panel.form.first_field() or panel.run_button
        self.route_page.scroll_area.ensureWidgetVisible(target)
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_run_button(self) -> None:
        """A re-run filled the form: Run, and the note under it, in view and Run focused
        (the page opened at its top, the filled form and the note below the fold)."""
        if not self.panes_built or not self.route_page.is_showing_route:
            return
        panel = self.run_panel
        self.reveal_in_route_page(panel.status_label)
        panel.run_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def reveal_in_route_page(self, widget: QWidget) -> None:
        """Scroll the route page so Run and ``widget`` (what the run panel just said, or
        the setting to fix) are in view; ``widget`` wins if both do not fit."""
        if not self.panes_built or not self.route_page.is_showing_route:
            return
        area = self.route_page.scroll_area
        self.run_panel.layout().activate()  # just shown or filled: placed before scrolling
        area.widget().layout().activate()
        area.ensureWidgetVisible(self.run_panel.run_button)
        area.ensureWidgetVisible(widget)

    def order_route_page_focus(self) -> list[QWidget]:
        """Chain the route page's controls top to bottom, from the browser's last control
        to the runs pane's first (its form and drop zones are built per route)."""
        if not self.panes_built:
            return []
        content = self.route_page.scroll_area.widget()
        return chain_by_position(
            content,
            after=self.route_page.scroll_area,
            before=self.history.first_control(),
        )

    def focus_runs(self) -> None:
        """Ctrl+3: the runs table (its current row)."""
        if self.panes_built:
            self.history.focus_table()

    def show_route_title(self, title: str) -> None:
        """The open route's title in the window's title (and so in the task switcher)."""
        base = f"{title} — {APP_TITLE}" if title else APP_TITLE
        self.setProperty("baseTitle", base)
        self.setWindowTitle(base + str(self.property("runningSuffix") or ""))

    # -- help ------------------------------------------------------------------------------
    def show_getting_started(self) -> None:
        from ouro_desktop.ui.shell.help import GettingStartedDialog

        self._show_dialog(GettingStartedDialog(self))

    def show_shortcuts(self) -> None:
        from ouro_desktop.ui.shell.help import ShortcutsDialog

        self._show_dialog(ShortcutsDialog(self))

    def _show_dialog(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()  # non-modal: no nested event loop under qasync
        self.last_dialog = dialog

    def open_data_folder(self) -> None:
        """Open the folder holding this profile's runs, drafts and downloads."""
        if self.data_dir is None:
            self.statusBar().showMessage("This window has no data folder.", 8_000)
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.open_url(QUrl.fromLocalFile(str(self.data_dir)))
        self.statusBar().showMessage(f"Opened {self.data_dir}", 8_000)

    def report_problem(self) -> str:
        """Copy a problem report (version, platform, last log lines, no keys) to paste."""
        from ouro_desktop.ui.shell.help import report_text

        text = report_text(self.log_file)
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage(
            "Copied: the app's version, your platform and the last lines of its log (keys "
            "and tokens removed). Paste it into a message to whoever helps you.",
            15_000,
        )
        return text

    # -- states ----------------------------------------------------------------------------
    def show_welcome(self, message: str | None = None) -> None:
        self.welcome.reset()
        if message:
            self.welcome.show_error(message)
        self.stack.setCurrentWidget(self.welcome)
        self.set_account(None)

    def show_workspace(self) -> None:
        # _welcome, not welcome: a start straight into the workspace never builds it.
        leaving_welcome = self._welcome is not None and self.stack.currentWidget() is self._welcome
        self.stack.setCurrentWidget(self.workspace)
        if leaving_welcome:
            # The welcome's button went with it: the keys start in the route search, not on
            # whatever came next in the focus chain (the runs pane's "This route").
            self.browser.search.setFocus(Qt.FocusReason.OtherFocusReason)

    def set_account(self, account: Account | None) -> None:
        if account is None:
            self.account_user.setText("Not signed in")
            self.account_server.setText("")
            self.account_key.setText("")
            self.sign_out_action.setEnabled(False)
            self.connection_label.setText("Not signed in")
            return
        name = account.user.name or account.user.username
        label = "offline demo" if account.demo else account.base_url
        self.account_user.setText(f"Signed in as {name} ({account.user.username})")
        self.account_server.setText(f"Server: {label}")
        kept = account.key_source if account.persistent else f"{account.key_source} — not saved"
        self.account_key.setText(f"Key kept in: {kept}")
        self.sign_out_action.setEnabled(True)
        self.sign_out_action.setText("Leave the demo" if account.demo else "Sign out")
        self.connection_label.setText(f"Connected to {label} as {account.user.username}")

    def set_connection_state(self, text: str) -> None:
        self.connection_label.setText(text)

    def show_about(self) -> None:
        import platform

        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            "About Ouro Desktop",
            f"<b>Ouro Desktop {__version__}</b><br>Run Ouro routes without programming."
            f"<br><br>Python {platform.python_version()} · Qt for Python {pyside_version}"
            f" · {platform.system()}<br>Keyring in use: {self.keyring_backend}",
        )

    # -- window habits ---------------------------------------------------------------------
    def available_area(self) -> QRect:
        """The usable part of the screen the window is on (without panels and docks)."""
        if self._screen_area is not None:
            return self._screen_area()
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 768)

    def _restore_layout(self) -> None:
        geometry = self._qsettings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
            self.fit_to_screen()
        else:
            self._first_geometry()
        sizes = self._qsettings.value("window/splitter")
        self._default_sizes = not (isinstance(sizes, QByteArray) and not sizes.isEmpty())
        if not self._default_sizes:
            self.splitter.restoreState(sizes)

    def _apply_default_sizes(self) -> None:
        """The panes' first sizes, as shares of the width the splitter really has (known
        once the window is shown), and a runs table tall enough for :data:`RUNS_ROWS`."""
        width = self.splitter.width()
        self.splitter.setSizes([round(width * share) for share in PANE_SHARES])
        if self.panes_built:
            table = self.history.height_for_rows(RUNS_ROWS)
            height = self.history_split.height()
            self.history_split.setSizes([table, max(120, height - table)])

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._default_sizes and not self._sized:
            self._sized = True
            self.workspace.layout().activate()
            self._apply_default_sizes()

    def _first_geometry(self) -> None:
        area = self.available_area()
        width = min(PREFERRED_SIZE[0], area.width() - FRAME_ALLOWANCE[0])
        height = min(PREFERRED_SIZE[1], area.height() - FRAME_ALLOWANCE[1])
        self.resize(width, height)
        # move() places the frame (title bar included): centred, the frame inside the area.
        spare_x = area.width() - width - FRAME_ALLOWANCE[0]
        spare_y = area.height() - height - FRAME_ALLOWANCE[1]
        self.move(area.left() + max(0, spare_x // 2), area.top() + max(0, spare_y // 2))

    def fit_to_screen(self) -> None:
        """Bring the window inside the screen's usable area: a geometry saved on a bigger
        screen (or a screen that is gone) would otherwise open partly out of sight."""
        area = self.available_area()
        width = min(self.width(), area.width() - FRAME_ALLOWANCE[0])
        height = min(self.height(), area.height() - FRAME_ALLOWANCE[1])
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        right = area.left() + area.width() - width - FRAME_ALLOWANCE[0]
        bottom = area.top() + area.height() - height - FRAME_ALLOWANCE[1]
        x = min(max(self.x(), area.left()), max(area.left(), right))
        y = min(max(self.y(), area.top()), max(area.top(), bottom))
        if (x, y) != (self.x(), self.y()):
            self.move(x, y)

    def save_layout(self) -> None:
        self._qsettings.setValue("window/geometry", self.saveGeometry())
        self._qsettings.setValue("window/splitter", self.splitter.saveState())
        if self.panes_built:
            self._qsettings.setValue("window/history_splitter", self.history_split.saveState())
        self._qsettings.sync()

    def bring_to_front(self) -> None:
        """Show the window above the others (another start of the app handed it work)."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def hold_close(self, held: bool) -> None:
        """While held, closing the window (its close button, File → Quit, Ctrl+Q) only
        emits :attr:`closing`: the app says what it must and cleans up, then closes it."""
        self._close_held = held

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.save_layout()
        self.closing.emit()
        if self._close_held:
            event.ignore()
            return
        super().closeEvent(event)
