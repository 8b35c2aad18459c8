"""How the app speaks of a route's file inputs in sentences, in the route's own words.

"Choose a file for File" and "Add a file for: file." read like code. A generic title
("File", "Input") says nothing, so the sentence names the kind of file instead ("a .cif
file (atomic structure)"); a real title is quoted with what it takes ("“Structure”
(.cif — atomic structure)"). Qt-free.
"""

from __future__ import annotations

from collections.abc import Iterable

from ouro_desktop.api.models import InputDeclaration, Route

from .file_checks import FILTER_EXTENSIONS, accepted_types_text
from .route_fields import asset_input_label

__all__ = ["input_phrase", "inputs_phrase", "missing_files_text"]

_GENERIC = {"file", "files", "input", "inputs", "input file", "asset", "upload", "data"}


def _kind(decl: InputDeclaration) -> str:
    exts = decl.file_extensions or FILTER_EXTENSIONS.get(decl.input_filter or "", ())
    if decl.asset_type != "file":
        return f"an Ouro {decl.asset_type}"
    if not exts:
        return f"a file ({decl.input_filter})" if decl.input_filter else "a file"
    names = " or ".join(f".{e}" for e in exts[:4])
    what = f" ({decl.input_filter})" if decl.input_filter else ""
    return f"a {names} file{what}"


def input_phrase(title: str, decl: InputDeclaration) -> str:
    """``a .cif file (atomic structure)`` for a generic title, else ``“Structure” (.cif —
    atomic structure)``."""
    if title.strip().lower() in _GENERIC or not title.strip():
        return _kind(decl)
    return f"“{title.strip()}” ({accepted_types_text(decl)})"


def inputs_phrase(route: Route, keys: Iterable[str]) -> str:
    """Several inputs of ``route`` in one phrase: ``a .cif file and “Mask” (.png)``."""
    parts = [
        input_phrase(asset_input_label(route, key)[0], route.input_assets[key])
        for key in keys
        if key in route.input_assets
    ]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def missing_files_text(route: Route, keys: Iterable[str]) -> str:
    """``Add a .cif file (atomic structure) before running.``"""
    phrase = inputs_phrase(route, keys)
    return f"Add {phrase} before running." if phrase else ""
