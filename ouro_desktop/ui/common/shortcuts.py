"""Every keyboard shortcut of the app, in one table.

The window binds its shortcuts from :data:`SHORTCUTS` (menu actions and ``QShortcut``\\ s
are made from it, never typed elsewhere), and Help → Keyboard shortcuts lists the same
table, so the list can't fall out of date. Rows marked ``built_in`` are keys Qt already
handles (Tab, arrows); they are listed for the reader and not bound again.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QKeySequence

__all__ = ["SHORTCUTS", "Shortcut", "shortcut", "shortcut_keys", "shortcut_text"]


@dataclass(frozen=True)
class Shortcut:
    id: str
    keys: tuple[str, ...]  # portable text ("Ctrl+K": Cmd+K on a Mac)
    words: str  # what it does, as the list says it
    built_in: bool = False  # handled by Qt itself: listed, not bound


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("find", ("Ctrl+K",), "Find a route: put the cursor in the search field"),
    Shortcut("open_by_name", ("Ctrl+L",), "Open a route by its name or a link"),
    Shortcut("routes", ("Ctrl+1",), "Go to the list of routes"),
    Shortcut("form", ("Ctrl+2",), "Go to the open route's form (its first field)"),
    Shortcut("runs", ("Ctrl+3",), "Go to the list of runs"),
    Shortcut("run", ("Ctrl+Return", "Ctrl+Enter"), "Run the route with what the form holds"),
    Shortcut("help", ("F1",), "Getting started"),
    Shortcut("shortcuts", ("Ctrl+/",), "This list of keyboard shortcuts"),
    Shortcut("quit", ("Ctrl+Q",), "Quit (runs keep going on Ouro)"),
    Shortcut("next", ("Tab", "Shift+Tab"), "Next / previous control", built_in=True),
    Shortcut(
        "open_row", ("Return",), "In a list of routes: open it and go to its form", built_in=True
    ),
    Shortcut(
        "move",
        ("Up", "Down"),
        "Move in a list (routes, runs); Down in the search field goes to the routes found",
        built_in=True,
    ),
    Shortcut("press", ("Space",), "Press the button or tick the box that has focus", built_in=True),
)
_BY_ID = {s.id: s for s in SHORTCUTS}


def shortcut(shortcut_id: str) -> Shortcut:
    return _BY_ID[shortcut_id]


def shortcut_keys(shortcut_id: str) -> list[QKeySequence]:
    """The key sequences bound to ``shortcut_id``."""
    return [QKeySequence(keys) for keys in _BY_ID[shortcut_id].keys]


def shortcut_text(shortcut_id: str) -> str:
    """The keys as a person reads them on this platform (``Ctrl+K``, ``⌘K``)."""
    return " or ".join(
        QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
        for keys in _BY_ID[shortcut_id].keys
    )
