"""Runs the real app (``ouro_desktop.app.main``, offline demo) and quits it one way, for
the quit tests, which run this in a subprocess and check its exit code and its profile.

    python -m tests.ui.quit_driver PROFILE HOW

``HOW`` is ``menu`` (File → Quit), ``close`` (the window's close button, as Qt delivers
it), ``sigterm``, ``sigint``, ``app-quit`` (a session manager quitting Qt), or -- under a
real X server (``xvfb-run``, ``QT_QPA_PLATFORM=xcb``) -- ``x11-ctrl-q`` (Ctrl+Q typed
through XTEST by ``xdotool``) and ``x11-close`` (the window manager's close request, a
``WM_DELETE_WINDOW`` client message sent through libX11). ``serve:TEXT`` stays open
(printing ``opened <route>``, ``input <key>: <file>`` and ``browser: <caption>`` as
they change) until a printed
line contains TEXT, then quits from the menu: for the single-instance test.
Lines printed: ``ready``, every new text of the window's banner (``banner: …``) and
``window closed`` when the window is hidden, so the test can check what the user saw
and in which order.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication


def main() -> int:
    profile, how = sys.argv[1], sys.argv[2]
    app = QApplication(sys.argv[:1])
    state: dict[str, object] = {
        "ready": False,
        "banner": "",
        "shown": False,
        "route": "",
        "caption": "",
        "quitting": False,
    }
    until = how.split(":", 1)[1] if how.startswith("serve:") else None

    def say(line: str) -> None:
        print(line, flush=True)
        if until is not None and until in line and state["ready"] and not state["quitting"]:
            state["quitting"] = True
            QTimer.singleShot(200, lambda: quit_by(window(), "menu"))

    def window() -> object | None:
        from ouro_desktop.ui.shell.main_window import MainWindow

        for widget in app.topLevelWidgets():
            if isinstance(widget, MainWindow):
                return widget
        return None

    def watch() -> None:
        win = window()
        if win is None:
            return
        banner = win.banner.label.text() if win.banner.isVisible() else ""  # type: ignore[attr-defined]
        if banner and banner != state["banner"]:
            say(f"banner: {banner}")
        state["banner"] = banner
        if getattr(win, "panes_built", False):
            route = win.run_panel.route  # type: ignore[attr-defined]
            name = route.full_name if route is not None else ""
            if name != state["route"]:
                state["route"] = name
                say(f"opened {name}")
            for key, zone in win.run_panel.inputs.zones().items():  # type: ignore[attr-defined]
                held = zone.uploaded_name if zone.asset_id is not None else ""
                if held and held != state.get(f"input {key}"):
                    say(f"input {key}: {held}")
                state[f"input {key}"] = held
        caption = win.browser.caption_label.text()  # type: ignore[attr-defined]
        if caption != state["caption"]:
            state["caption"] = caption
            say(f"browser: {caption}")
        if win.isVisible():  # type: ignore[attr-defined]
            state["shown"] = True
        elif state["shown"]:
            print("window closed", flush=True)
            state["shown"] = False
        connected = win.connection_label.text().startswith("Connected")  # type: ignore[attr-defined]
        if not state["ready"] and connected:
            state["ready"] = True
            print(f"ready {int(win.winId())}", flush=True)  # type: ignore[attr-defined]
            if until is None:
                QTimer.singleShot(300, lambda: quit_by(win, how))

    def quit_by(win: object, how: str) -> None:
        if how == "menu":
            (action,) = [a for a in win.findChildren(QAction) if a.text() == "Quit"]  # type: ignore[attr-defined]
            action.trigger()
        elif how == "close":
            win.windowHandle().close()  # type: ignore[attr-defined]
        elif how == "sigterm":
            os.kill(os.getpid(), signal.SIGTERM)
        elif how == "sigint":
            os.kill(os.getpid(), signal.SIGINT)
        elif how == "app-quit":
            app.quit()
        elif how == "x11-ctrl-q":
            wid = str(int(win.winId()))  # type: ignore[attr-defined]
            subprocess.run(["xdotool", "windowfocus", "--sync", wid], check=True, timeout=10)
            subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+q"], check=True, timeout=10)
        elif how == "x11-close":
            send_wm_delete(int(win.winId()))  # type: ignore[attr-defined]

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(watch)
    timer.start()
    from ouro_desktop import app as ouro_app

    code = ouro_app.main(["--demo", "--profile-dir", profile])
    watch()
    print(f"exit {code}", flush=True)
    return code


class _ClientMessage(ctypes.Structure):
    _fields_ = [  # noqa: RUF012 - the layout of XClientMessageEvent
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class _XEvent(ctypes.Union):
    _fields_ = [("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]  # noqa: RUF012


def send_wm_delete(window_id: int) -> None:
    """Ask the window to close as a window manager does (its close button)."""
    x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_int,
        ctypes.c_long,
        ctypes.POINTER(_XEvent),
    ]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    if not display:
        raise RuntimeError("no X display")
    event = _XEvent()
    event.xclient.type = 33  # ClientMessage
    event.xclient.window = window_id
    event.xclient.message_type = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
    event.xclient.format = 32
    event.xclient.data[0] = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
    event.xclient.data[1] = 0  # CurrentTime
    x11.XSendEvent(display, window_id, 0, 0, ctypes.byref(event))
    x11.XFlush(display)
    x11.XCloseDisplay(display)


if __name__ == "__main__":
    raise SystemExit(main())
