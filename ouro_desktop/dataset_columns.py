"""How a table's column names become a dataset's stored column names (no Qt, no I/O).

Ouro stores dataset columns in lower-case snake_case and normalises the names it is sent
(ouro-protocol.md §13.1, §13.5). The rule is the one ouro-py applied to table names before
2.20.0, which matched the backend's: trim; runs of spaces or ``-`` become ``_``; anything
outside ``[A-Za-z0-9_]`` is dropped; a ``_`` goes in front when the name does not start with
a letter or ``_``; lower case; at most 63 characters. The demo backend and the app apply the
same function, so the names a CSV header turns into, the rows sent and later reads agree.

Two rules of our own settle what the protocol leaves open (§13.10 q1): a name that
normalises to nothing becomes ``column_<n>`` (its 1-based position), and a name that
collides with an earlier one gets ``_2``, ``_3``, ... (cut so the result stays ≤ 63).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "MAX_NAME",
    "header_column_names",
    "plain_letters",
    "stored_column_name",
    "stored_column_names",
]

MAX_NAME = 63  # PostgreSQL's identifier length
_SEPARATORS = re.compile(r"[\s\-]+")
_DROPPED = re.compile(r"[^A-Za-z0-9_]")


def stored_column_name(name: str) -> str:
    """``name`` as a stored column name; ``""`` when nothing usable is left."""
    text = _SEPARATORS.sub("_", str(name).strip())
    text = _DROPPED.sub("", text)
    if text and not (text[0].isalpha() or text[0] == "_"):
        text = "_" + text
    return text.lower()[:MAX_NAME]


def stored_column_names(names: Iterable[str]) -> list[str]:
    """The stored name of each column in order: empty ones named, duplicates numbered."""
    out: list[str] = []
    taken: set[str] = set()
    for position, name in enumerate(names, start=1):
        base = stored_column_name(name) or f"column_{position}"
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            suffix = f"_{n}"
            candidate = base[: MAX_NAME - len(suffix)] + suffix
        taken.add(candidate)
        out.append(candidate)
    return out


def plain_letters(title: str) -> str:
    """``Volume (Å³)`` → ``Volume (A3)``: accents and super/subscripts made plain before
    the stored name drops what is not ASCII (``volume_a3``, not ``volume_``)."""
    folded = unicodedata.normalize("NFKD", title)
    return "".join(c for c in folded if not unicodedata.combining(c))


def header_column_names(titles: Iterable[str]) -> list[str]:
    """The stored names the app gives a table file's header row (letters made plain first);
    the demo's seeded sample table is named by the same rule."""
    return stored_column_names(plain_letters(t) for t in titles)
