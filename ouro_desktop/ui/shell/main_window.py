"""The main window: composes the panes, menus, shortcuts and status bar.

No HTTP and no keyring here: controllers call the services and push results into the
panes. Layout: route browser | route page (form below it) | run history, inside one
splitter whose sizes, like the window geometry, are remembered in QSettings.

The window is built in two steps so the first paint is fast: the shell (menus, status
bar, the route browser, and empty places for the other panes) imports little, and
:meth:`MainWindow.build_panes` builds the route page, the form and the history (whose
modules take most of the import time) after the shell is on screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop import __version__
from ouro_desktop.ui.common.banner import Banner
from ouro_desktop.ui.common.file_drop import FileDropCatcher
from ouro_desktop.ui.routes.browser import RouteBrowser

if TYPE_CHECKING:  # the session module loads the HTTP client: not before the first paint
    from ouro_desktop.core.session import Account
    from ouro_desktop.ui.history.detail import RunDetail
    from ouro_desktop.ui.history.pane import HistoryPane
    from ouro_desktop.ui.run.route_page import RoutePage
    from ouro_desktop.ui.run.run_panel import RunPanel
    from ouro_desktop.ui.shell.welcome import WelcomeView

APP_TITLE = "Ouro Desktop"


class MainWindow(QMainWindow):
    sign_out_requested = Signal()
    closing = Signal()  # the user asked to close the window (or quit)

    route_page: RoutePage
    run_panel: RunPanel
    history: HistoryPane
    run_detail: RunDetail

    def __init__(self, settings: QSettings, *, build_panes: bool = True) -> None:
        """The window; with ``build_panes=False`` only the shell, until :meth:`build_panes`."""
        super().__init__()
        self._qsettings = settings
        self.setWindowTitle(APP_TITLE)
        self.setAccessibleName(APP_TITLE)
        self.keyring_backend = "none"
        self._close_held = False

        self.stack = QStackedWidget(self)
        self._welcome: WelcomeView | None = None  # built when first needed

        self.workspace = QWidget(self.stack)
        column = QVBoxLayout(self.workspace)
        column.setContentsMargins(0, 0, 0, 0)
        self.banner = Banner(self.workspace)
        column.addWidget(self.banner)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self.workspace)
        self.splitter.setChildrenCollapsible(False)
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
        self.history_split = QSplitter(Qt.Orientation.Vertical)
        self.history = HistoryPane(self.history_split)
        self.run_detail = RunDetail(self.history_split)
        self.history_split.setStretchFactor(0, 1)
        self.history_split.setStretchFactor(1, 2)
        for index, pane in ((1, self.route_page), (2, self.history_split)):
            old = self.splitter.replaceWidget(index, pane)
            if old is not None:
                old.deleteLater()
        self.splitter.setSizes(sizes)
        history = self._qsettings.value("window/history_splitter")
        if isinstance(history, QByteArray) and not history.isEmpty():
            self.history_split.restoreState(history)
        self.panes_built = True

    # -- menus -----------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        find = QAction("Find a route…", self)
        find.setShortcut(QKeySequence("Ctrl+K"))
        find.triggered.connect(self.browser.focus_search)
        file_menu.addAction(find)
        file_menu.addSeparator()
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

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
        about = help_menu.addAction("About Ouro Desktop")
        about.triggered.connect(self.show_about)

    # -- states ----------------------------------------------------------------------------
    def show_welcome(self, message: str | None = None) -> None:
        self.welcome.reset()
        if message:
            self.welcome.show_error(message)
        self.stack.setCurrentWidget(self.welcome)
        self.set_account(None)

    def show_workspace(self) -> None:
        self.stack.setCurrentWidget(self.workspace)

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
    def _restore_layout(self) -> None:
        geometry = self._qsettings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1360, 820)
        sizes = self._qsettings.value("window/splitter")
        if isinstance(sizes, QByteArray) and not sizes.isEmpty():
            self.splitter.restoreState(sizes)
        else:
            self.splitter.setSizes([320, 620, 420])

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
