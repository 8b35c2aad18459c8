"""Composition root: parse options, make the QApplication and qasync loop, build the
services, show the window, and shut everything down cleanly.

Start-up is ordered for a fast first paint: the QApplication, then the window's shell
(menus, status bar, the route browser showing the route list as last seen), painted at
once; only then asyncio and qasync, httpx, the session and the demo backend, the other
panes, and the live route list, which replaces the saved one. ``--version`` and
``--help`` import none of it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from ouro_desktop import __version__

APP_ID = "foundation.ouro.OuroDesktop"
log = logging.getLogger("ouro_desktop")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ouro-desktop", description="Run Ouro routes from a window, without programming."
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use the offline demo backend (no account or network needed)",
    )
    parser.add_argument(
        "--base-url", help="the Ouro API server (default https://api.ouro.foundation)"
    )
    parser.add_argument(
        "--profile-dir",
        type=Path,
        help="keep settings, caches, run history and logs in this folder",
    )
    parser.add_argument("--route", metavar="USER/ROUTE", help="open this route at start")
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="files to use as inputs (e.g. a .cif): the app lists the routes that take them",
    )
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="PNG",
        help="start, wait until data is shown, save a PNG of the window, exit",
    )
    parser.add_argument("--screenshot-timeout", type=float, default=30.0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check the keyring, Qt plugins and a demo run without opening a window, then exit",
    )
    parser.add_argument(
        "--require-keyring",
        action="store_true",
        help="with --self-test: fail when no secure keyring works",
    )
    parser.add_argument("--version", action="version", version=f"ouro-desktop {__version__}")
    return parser.parse_args(argv)


def _setup_logging(log_file: Path) -> None:
    import logging.handlers

    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # httpx logs every URL at INFO; URLs carry no secrets, but signed links are noise.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    if given[:1] == ["--make-thumbnail"]:
        # The bundle's picture helper (ui/results/thumbnail.py): a big output picture is
        # decoded in this short-lived process, never in the window's.
        from ouro_desktop.ui.results.thumbnail import main as make_thumbnail

        return make_thumbnail(given[1:])
    args = parse_args(argv)
    os.environ.setdefault("QT_API", "pyside6")
    if args.self_test:
        from ouro_desktop import selftest

        return selftest.run(require_keyring=args.require_keyring)
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    from ouro_desktop.paths import Paths

    paths = Paths.for_profile(args.profile_dir)
    QGuiApplication.setDesktopFileName(APP_ID)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Ouro Desktop")
    app.setOrganizationName("Ouro")
    app.setApplicationVersion(__version__)
    files = [str(Path(f).expanduser().resolve()) for f in args.files]
    instance = None
    if not args.screenshot:  # a screenshot run is a tool: it never hands over
        from ouro_desktop.ui.shell.single_instance import claim_profile, hand_over

        instance = claim_profile(paths.data, app)
        if instance is None:
            # This profile's app is already open: give it the files and route, and go.
            if hand_over(paths.data, args.route, files):
                return 0
            print(
                "ouro-desktop: Ouro Desktop is already running with this profile but did "
                "not answer; close it (or end it) and try again.",
                file=sys.stderr,
            )
            return 1
    icon = _app_icon(QIcon)
    if not icon.isNull():
        app.setWindowIcon(icon)
    from ouro_desktop.ui.common.readable_style import install as install_readable_style

    install_readable_style(app)  # radio buttons, check boxes and focus rings you can see
    from ouro_desktop.core.settings import SettingsStore

    qsettings = QSettings(str(paths.config / "window.ini"), QSettings.Format.IniFormat)
    # Read once, for the shell and the session: a second read would also miss the notice
    # the first one gives when it sets an unreadable file aside.
    settings_store = SettingsStore(paths.settings_file)
    settings = settings_store.load()
    window = _show_shell(args, paths, qsettings, settings)
    _setup_logging(paths.log_file)  # after the first paint: logging.handlers is not free
    # Only now the event loop's modules: asyncio and qasync cost a visible part of a start.
    import asyncio

    import qasync

    from ouro_desktop.ui.common.collector import install as collect_on_this_thread
    from ouro_desktop.ui.common.qt_loop import release_loop, run_to_end

    # Garbage cycles are collected on this (the window's) thread only, from a timer:
    # never in a worker, where freeing a Qt object crashes Qt later.
    collect_on_this_thread(app)
    # The app decides when to quit (after its cleanup), not Qt when the window closes.
    app.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        return run_to_end(
            loop, _run(app, args, paths, window, settings_store, settings, files, instance)
        )
    finally:
        release_loop(loop)
        asyncio.set_event_loop(None)
        if instance is not None:
            instance.close()


def _show_shell(
    args: argparse.Namespace, paths: object, qsettings: object, settings: object
) -> object:
    """Show the window's shell, with the route list as last seen from this source, and
    paint it now: the user has something to read while the rest loads."""
    from ouro_desktop.api.errors import OuroError
    from ouro_desktop.api.models import Route
    from ouro_desktop.core.route_list_cache import RouteListCache, source_key
    from ouro_desktop.core.settings import Settings
    from ouro_desktop.paths import Paths
    from ouro_desktop.ui.shell.main_window import MainWindow

    assert isinstance(paths, Paths)
    assert isinstance(settings, Settings)
    from ouro_desktop.core.route_naming import RouteNames

    window = MainWindow(qsettings, build_panes=False)  # type: ignore[arg-type]
    window.data_dir, window.log_file = paths.data, paths.log_file
    browser = window.browser
    names = RouteNames(paths.route_names_file)
    browser.model.titler = names.title  # the saved list, named as it will be once live
    for bookmarks in (browser.favourites, browser.recent):
        bookmarks.titler = names.title_for
    window.route_names = names
    browser.set_sort(settings.search_sort)
    # Someone was signed in (or it's the demo): the workspace is what comes next, so
    # show it now rather than flashing the welcome view.
    if args.demo or settings.account:
        window.show_workspace()
        window.set_connection_state("Connecting…")
        browser.set_favourites(settings.favourites)
        browser.set_recent(settings.recent)
        routes: list[Route] = []
        if not args.files:  # with files, the list shows the routes that take them
            source = source_key(demo=args.demo, base_url=args.base_url or settings.base_url)
            for raw in RouteListCache(paths.route_list_file).load(source, settings.search_sort):
                try:
                    routes.append(Route.from_json(raw))
                except OuroError:
                    continue
        if routes:
            browser.show_results(routes, False)
        else:
            browser.show_loading(True)
    else:
        window.show_welcome()
    window.show()
    window.repaint()
    if _routes_shown(window) and os.environ.get("OURO_DESKTOP_REPORT_READY") == "1":
        print(f"painted {time.monotonic():.6f}", flush=True)
    return window


def _routes_shown(window: object) -> bool:
    """True when the window's route list has rows (for the start-up benchmark's hook)."""
    return bool(window.browser.model.rowCount())  # type: ignore[attr-defined]


def _app_icon(qicon: type) -> object:
    """The packaged app icon (``ui/assets``), else the theme's science icon."""
    from importlib import resources

    icon = qicon()
    assets = resources.files("ouro_desktop.ui").joinpath("assets")
    for name in ("icon.svg", "icon-256.png"):
        try:
            path = assets.joinpath(name)
            if path.is_file():
                icon.addFile(str(path))
        except (OSError, TypeError):
            continue
    if icon.isNull():
        icon = qicon.fromTheme("applications-science")  # type: ignore[attr-defined]
    return icon


async def _run(
    app: object,
    args: argparse.Namespace,
    paths: object,
    window: object,
    settings_store: object,
    settings: object,
    files: list[str],
    instance: object,
) -> int:
    import asyncio

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ouro_desktop.core.big_buffers import return_big_buffers
    from ouro_desktop.core.form_memory import FormMemory
    from ouro_desktop.core.ledger import RunLedger
    from ouro_desktop.core.route_list_cache import RouteListCache
    from ouro_desktop.core.secrets import open_secret_store
    from ouro_desktop.core.session import Session
    from ouro_desktop.core.settings import Settings, SettingsStore
    from ouro_desktop.core.upload_cache import UploadCache
    from ouro_desktop.demo.in_process import InProcessDemo
    from ouro_desktop.paths import Paths
    from ouro_desktop.ui.shell.error_dialog import install_excepthook
    from ouro_desktop.ui.shell.main_window import MainWindow
    from ouro_desktop.ui.shell.quit_signals import QuitSignals
    from ouro_desktop.ui.shell.workspace import build_workspace

    assert isinstance(paths, Paths)
    assert isinstance(window, MainWindow)
    install_excepthook()
    return_big_buffers()  # a big answer's buffers are returned to the system once freed
    assert isinstance(settings_store, SettingsStore)
    assert isinstance(settings, Settings)
    if args.base_url:
        settings.base_url = args.base_url.rstrip("/")
    window.build_panes()
    if args.demo:
        # The demo keeps no key, so it needs no keyring: skip the probe (and its delay).
        from ouro_desktop.core.secrets import MemoryStore

        secrets, notice = MemoryStore(), None
    else:
        secrets, notice = await open_secret_store()
    window.keyring_backend = secrets.backend_name
    session = Session(
        settings_store,
        settings,
        secrets,
        secret_notice=notice,
        demo=InProcessDemo(paths.demo_data),
    )
    ledger, ledger_notice = RunLedger.open(paths.ledger_file)
    workspace = build_workspace(
        window,
        session,
        ledger,
        UploadCache(paths.data / "uploads.sqlite3"),
        outputs_dir=paths.cache / "outputs",
        route_cache=RouteListCache(paths.route_list_file),
        forms=FormMemory(paths.forms_file),
        names=window.route_names,
    )
    controller = workspace.controller
    if ledger_notice:
        window.banner.show_message(ledger_notice)
    done: asyncio.Future[int] = asyncio.get_event_loop().create_future()

    def finish(code: int) -> None:
        if not done.done():
            done.set_result(code)

    # Every way out -- File → Quit, Ctrl+Q, the close button, SIGTERM/SIGINT, a session
    # manager quitting Qt -- ends here, then in the same cleanup below.
    window.hold_close(True)
    window.closing.connect(lambda: finish(0))
    signals = QuitSignals(window)
    signals.received.connect(lambda _signum: finish(0))
    app_obj = QApplication.instance()
    if app_obj is not None:
        app_obj.aboutToQuit.connect(lambda: finish(0))
    if args.screenshot:
        _arm_screenshot(window, controller, args, finish)
        QTimer.singleShot(int(args.screenshot_timeout * 1000), lambda: _timed_out(finish))
    # Start-up leaves tens of thousands of long-lived objects (Qt wrappers, modules); once
    # the first data is shown, move them out of the collector's way so later full
    # collections (while thousands of runs load) don't stall the window.
    controller.routes_loaded.connect(
        lambda _count: QTimer.singleShot(1500, _freeze_startup_objects)
    )
    if instance is not None:  # later starts on this profile hand their files over here
        instance.requested.connect(  # type: ignore[attr-defined]
            lambda request: controller.handle_request(request.route, request.files)
        )
    controller.start(demo=args.demo, open_ref=args.route, files=files)
    code = await done
    try:
        await _shut_down(window, workspace)
    finally:
        signals.close()
    return code


# How long the window stays up saying that runs continue on Ouro, and the most the
# cleanup may take before the local stores are closed regardless.
QUIT_NOTICE_S = 2.0
SHUTDOWN_LIMIT_S = 10.0


async def _shut_down(window: object, workspace: object) -> None:
    """Stop uploads, say what keeps running, then close the tracker, tasks, session,
    ledger (its clean marker written) and upload cache, and only then the window."""
    import asyncio

    from ouro_desktop.ui.shell.main_window import MainWindow
    from ouro_desktop.ui.shell.workspace import Workspace

    assert isinstance(window, MainWindow)
    assert isinstance(workspace, Workspace)
    workspace.runs.cancel_uploads()  # a hash of a big file must not hold the quit
    in_flight = workspace.runs.runs_in_flight()
    if in_flight and window.isVisible():
        text = workspace.controller.say_runs_continue(in_flight)
        log.info("quitting with runs in flight: %s", text)
        window.repaint()
        await asyncio.sleep(QUIT_NOTICE_S)  # the loop keeps running meanwhile
    try:
        async with asyncio.timeout(SHUTDOWN_LIMIT_S):
            await workspace.aclose()
    except TimeoutError:
        log.warning("the cleanup took longer than %.0f s; closing the stores", SHUTDOWN_LIMIT_S)
        workspace.ledger.close()
        workspace.uploads.close()
    window.hold_close(False)
    window.close()


def _freeze_startup_objects(_count: int = 0) -> None:
    import gc

    if not getattr(_freeze_startup_objects, "done", False):
        _freeze_startup_objects.done = True  # type: ignore[attr-defined]
        gc.collect()
        gc.freeze()


def _timed_out(finish: object) -> None:
    print("ouro-desktop: the window did not finish loading in time", file=sys.stderr)
    finish(3)  # type: ignore[operator]


def _report_ready(window: object) -> None:
    """Paint the window with its data now and print ``ready <time.monotonic()>``.

    A hook for ``benchmarks/startup.py``, on with ``OURO_DESKTOP_REPORT_READY=1`` and
    ``--screenshot``. The monotonic clock is system-wide on Linux, so the benchmark
    subtracts the moment it started this process.
    """
    window.repaint()  # type: ignore[attr-defined]
    print(f"ready {time.monotonic():.6f}", flush=True)


def _arm_screenshot(
    window: object, controller: object, args: argparse.Namespace, finish: object
) -> None:
    """Save the window once the data the user would see is there, then exit."""
    from PySide6.QtCore import QTimer

    state = {"routes": False, "route": args.route is None}

    def take() -> None:
        if not (state["routes"] and state["route"]):
            return
        if os.environ.get("OURO_DESKTOP_REPORT_READY") == "1":
            QTimer.singleShot(0, lambda: _report_ready(window))
        # One more turn of the loop so the last layout and paint land in the grab.
        QTimer.singleShot(150, grab)

    def grab() -> None:
        args.screenshot.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(args.screenshot), "PNG")  # type: ignore[attr-defined]
        if not ok:
            print(f"ouro-desktop: could not write {args.screenshot}", file=sys.stderr)
        finish(0 if ok else 2)  # type: ignore[operator]

    def on_routes(_count: int) -> None:
        state["routes"] = True
        take()

    def on_route(_route_id: str) -> None:
        state["route"] = True
        take()

    def on_failure(message: str) -> None:
        print(f"ouro-desktop: loading failed: {message}", file=sys.stderr)
        finish(2)  # type: ignore[operator]

    def on_sign_in() -> None:
        state["routes"] = state["route"] = True
        take()

    controller.sign_in_shown.connect(on_sign_in)  # type: ignore[attr-defined]
    controller.routes_loaded.connect(on_routes)  # type: ignore[attr-defined]
    controller.route_shown.connect(on_route)  # type: ignore[attr-defined]
    controller.load_failed.connect(on_failure)  # type: ignore[attr-defined]


if __name__ == "__main__":
    raise SystemExit(main())
