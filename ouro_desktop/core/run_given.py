"""What a run was given, in a few words, for the runs list: ``Cu.cif``, ``CuSO4·5H2O``.

Six runs of one route read the same in the runs list unless it says what each was given:
the scientist ran the DOS route on Cu, Al and Si, not "predict-electronic-dos-at-fermi-
level" three times. The rule, kept short and predictable:

1. the names of its input files, in input order (a dataset or post input by its name on
   Ouro, as the ledger keeps it);
2. a run given no file: the first top-level text value of its request body (a formula,
   a short prompt) -- the first, because a form lists what a route needs before its
   settings, and later texts are mostly settings left at their defaults ("g/mol"); a
   value that is an asset id (a UUID) or the body field of an input is passed over;
3. numbers, booleans, lists and groups are never shown: they are usually settings kept
   the same across runs, and "1.5406" says less than a file name.

File names are joined with ", " and cut to :data:`GIVEN_MAX_CHARS` with "…", a text to
:data:`TEXT_MAX_CHARS`. The same words come from a ledger record
(:func:`given_from_record`) and from a run the server reported
(:func:`given_from_action`: its ``input_assets`` rows and its stored body), so a run
reads the same wherever it is known from.

Part of ``ouro_desktop.core``: no Qt here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "GIVEN_MAX_CHARS",
    "TEXT_MAX_CHARS",
    "given_from_action",
    "given_from_record",
    "given_text",
]

GIVEN_MAX_CHARS = 60
TEXT_MAX_CHARS = 40  # a text value (a prompt) is cut sooner than a list of file names
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def given_text(
    names: Iterable[str], body: Mapping[str, Any] | None, skip: Iterable[str] = ()
) -> str:
    """The short words: file ``names``, else ``body``'s first top-level text value.

    ``skip``: body keys not to read (the fields that carry an input asset).
    """
    parts = [" ".join(n.split()) for n in names if isinstance(n, str) and n.strip()]
    if parts:
        return _cut(", ".join(dict.fromkeys(parts)), GIVEN_MAX_CHARS)
    skipped = set(skip)
    for key, value in (body or {}).items():
        if key in skipped or not isinstance(value, str):
            continue
        text = " ".join(value.split())
        if text and not _UUID.match(text):
            return _cut(text, TEXT_MAX_CHARS)
    return ""


def given_from_record(input_files: Mapping[str, Any], body: Mapping[str, Any] | None) -> str:
    """The words for a ledger record (its ``input_files`` and ``body``)."""
    names = [info.get("name") for info in input_files.values() if isinstance(info, dict)]
    return given_text([n for n in names if isinstance(n, str)], body, skip=input_files)


def given_from_action(input_assets: Iterable[Any], metadata: Mapping[str, Any] | None) -> str:
    """The words for a run the server reported: its ``input_assets`` rows (each holding
    the input's key as ``name`` and the asset, with its own ``name``) and the body kept in
    its ``metadata``."""
    names: list[str] = []
    keys: list[str] = []
    for row in input_assets:
        if not isinstance(row, dict):
            continue
        asset = row.get("asset")
        name = asset.get("name") if isinstance(asset, dict) else None
        if isinstance(name, str):
            names.append(name)
        if isinstance(row.get("name"), str):
            keys.append(row["name"])
    body = (metadata or {}).get("body")
    return given_text(names, body if isinstance(body, dict) else None, skip=keys)
