"""Handing Python text to Qt exactly.

PySide6 drops one leading U+FEFF (a byte-order mark) when it turns a Python string into
Qt's: ``QLineEdit.setText("\\ufeffa")`` shows ``"a"``. A field that must keep every
character passes its text through :func:`exact` first (the mark is doubled, so exactly one
is dropped). Reading text back from Qt keeps it.
"""

from __future__ import annotations

__all__ = ["exact"]

_BOM = "\ufeff"


def exact(text: str) -> str:
    """``text`` as it must be given to a Qt text setter to arrive unchanged."""
    return _BOM + text if text.startswith(_BOM) else text
