"""Which form field a refusal is about (no Qt), so it can be shown at that field.

A refusal names fields in one of two ways:

* FastAPI-style ``detail`` items, ``[{"loc": ["body", "conditions", "temperature"], "msg":
  ...}]`` (Ouro's own 422 at submit, or the service's validation inside a failed run);
  a parameter's ``loc`` starts with ``query``, ``path`` or ``header``, and the form names
  those fields ``query:limit``;
* a sentence that mentions a field: quoted (``'mass_unit' must be g/mol or kg/mol.``), or,
  when no quoted name fits, the one field name the sentence uses as a word (``Unknown
  element symbol 'Xx' in the formula 'Xx2'.`` is about ``formula``).

:func:`form_field_errors` answers ``{field path: message}`` for the paths a form has;
a message it cannot place is left out (the caller shows it as the run's error).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Final

__all__ = ["field_errors_from_items", "fields_in_message", "form_field_errors"]

_PARAMETER_PARTS: Final = ("query", "path", "header")
_QUOTED: Final = re.compile(r"""['"`‘“]([^'"`’”\n]{1,80})['"`’”]""")
_MIN_WORD: Final = 4  # a field named as a bare word must be at least this long


def _place(parts: list[str], fields: Collection[str]) -> str:
    """The form path for a ``loc`` (without its leading ``body``)."""
    if parts and parts[0] in _PARAMETER_PARTS and len(parts) > 1:
        tagged = f"{parts[0]}:{'.'.join(parts[1:])}"
        if tagged in fields or not fields:
            return tagged
        parts = parts[1:]
    elif parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts)


def field_errors_from_items(detail: object, fields: Collection[str] = ()) -> dict[str, str]:
    """``{path: message}`` from FastAPI-style ``detail`` items (a list, or one item)."""
    items = detail if isinstance(detail, list) else [detail]
    out: dict[str, str] = {}
    for item in items:
        if not isinstance(item, Mapping):
            continue
        message, loc = item.get("msg") or item.get("message"), item.get("loc")
        if not isinstance(message, str) or not isinstance(loc, list | tuple):
            continue
        parts = [str(p) for p in loc if isinstance(p, str | int) and not isinstance(p, bool)]
        path = _place(parts, fields)
        if path:
            out.setdefault(path, message)
    return out


def _names(fields: Iterable[str]) -> dict[str, str]:
    """Every way a field can be named: its path, its last part, its parameter name."""
    names: dict[str, str] = {}
    leaves: dict[str, list[str]] = {}
    for path in fields:
        names.setdefault(path, path)
        bare = path.split(":", 1)[-1]
        names.setdefault(bare, path)
        leaves.setdefault(bare.rsplit(".", 1)[-1], []).append(path)
    for leaf, paths in leaves.items():
        if len(paths) == 1:  # a leaf shared by two fields names neither
            names.setdefault(leaf, paths[0])
    return names


def fields_in_message(message: str, fields: Collection[str]) -> list[str]:
    """The form fields a message names: quoted ones first; else the one field name it uses
    as a word (none when it uses several)."""
    names = _names(fields)
    quoted = [names[q.strip()] for q in _QUOTED.findall(message) if q.strip() in names]
    if quoted:
        return list(dict.fromkeys(quoted))
    used = []
    for name, path in names.items():
        if len(name) < _MIN_WORD:
            continue
        words = re.escape(name).replace("_", "[_ ]")
        if re.search(rf"(?<![\w.]){words}(?![\w])", message, flags=re.IGNORECASE):
            used.append(path)
    used = list(dict.fromkeys(used))
    return used if len(used) == 1 else []


def form_field_errors(
    detail: object, message: str | None, fields: Collection[str]
) -> dict[str, str]:
    """Where a refusal belongs in a form with ``fields``: from ``detail`` items when they
    name a field, else from the fields ``message`` names (each gets the whole message)."""
    placed = field_errors_from_items(detail, fields) if detail is not None else {}
    if placed:
        return placed
    if message:
        return {path: message for path in fields_in_message(message, fields)}
    return {}
