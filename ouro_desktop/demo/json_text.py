"""JSON kept as the text it arrived as: a service's answer stored and served as sent.

On the platform a service answers a run with an HTTP body; Ouro keeps that JSON and
hands it back when the action is read. A demo service may give its answer the same way,
as :class:`JsonText`, instead of as Python values: an answer of tens of megabytes is then
never turned into millions of Python objects and encoded back (in the app's own process,
which the in-app demo shares), only checked (:func:`is_json_object`) and stored.

:func:`is_json_object` checks the bytes without building their values, nor decoding them
whole (one C call over tens of megabytes holds the interpreter, so the window, for tens
of milliseconds): a container longer than a step is read a run of members at a time (cut
at a comma, the run decoded as a container of its own and dropped at once), numbers and
literals are matched by their grammar, and only a step's worth is decoded at once. A run
cut in the wrong place simply fails to decode and a shorter one is tried; one that
decodes is valid whatever the cut, since a comma joins two valid runs into one (and a
comma is never inside a UTF-8 sequence). In a worker, the check pauses after each step,
so the window's thread gets the interpreter at once (as :mod:`ouro_desktop.api._json`).
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["STEP_CHARS", "JsonText", "is_json_object"]

STEP_CHARS: Final = 1 << 16  # bytes one C call decodes, at most
BREATH_S: Final = 0.0002  # a worker's pause after each step (see the module doc)
MAX_BACKOFF: Final = 1024  # members read singly before a run is tried again, at most
_WS = re.compile(rb"[ \t\n\r]*")
_SCALAR = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null")
_LONG = frozenset((b'"', b"[", b"{"))  # values that may be longer than a step
_BACKSLASH = ord("\\")


@dataclass(frozen=True, eq=False)
class JsonText:
    """A JSON value as UTF-8 text, kept as it is (a service's answer as it sent it)."""

    body: bytes

    def __repr__(self) -> str:
        return f"<JsonText {len(self.body):,} bytes>"

    def value(self) -> Any:
        """The decoded value (for the few places that need it as Python values)."""
        return json.loads(self.body)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def is_json_object(raw: bytes) -> bool:
    """Whether ``raw`` is one JSON object in UTF-8 (strict: no NaN or Infinity)."""
    checker = _Checker(raw)
    pos = checker.skip(0)
    if raw[pos : pos + 1] != b"{":
        return False
    try:
        end = checker.value(pos)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return False
    return checker.skip(end) == len(raw)


class _Checker:
    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        # Only a worker pauses: on the window's own thread a pause is just lost time.
        self.pauses = threading.current_thread() is not threading.main_thread()
        self.since_pause = 0

    def stepped(self, size: int) -> None:
        self.since_pause += size
        if self.pauses and self.since_pause >= STEP_CHARS // 2:
            self.since_pause = 0
            time.sleep(BREATH_S)

    def skip(self, pos: int) -> int:
        match = _WS.match(self.raw, pos)
        return match.end() if match else pos

    def value(self, pos: int, hint: int = STEP_CHARS) -> int:
        """Where the valid value starting at ``pos`` ends (ValueError if it is not one);
        a window of ``hint`` bytes is tried first."""
        raw = self.raw
        first = raw[pos : pos + 1]
        if first not in _LONG:  # a number or a literal: its grammar says where it ends
            match = _SCALAR.match(raw, pos)
            if match is None:
                raise ValueError(f"no JSON value at {pos}")
            return match.end()
        size = max(64, min(hint, STEP_CHARS))
        while True:
            window = raw[pos : pos + size]
            try:
                # A string or container cut short never decodes: a success is the whole.
                text = window.decode("utf-8")
                end = int(_DECODER.raw_decode(text)[1])
            except ValueError:
                if len(window) < size:
                    raise  # the text ends inside the window: broken
                if size >= STEP_CHARS:
                    break
                size = min(STEP_CHARS, size * 16)
                continue
            self.stepped(end)
            return pos + (end if window.isascii() else len(text[:end].encode("utf-8")))
        if first == b'"':
            return self.string(pos)
        return self.container(pos)

    def string(self, pos: int) -> int:
        """A string longer than a step: find its closing quote, then decode it alone."""
        raw = self.raw
        end = pos + 1
        while True:
            quote = raw.find(b'"', end)
            if quote < 0:
                raise ValueError("unterminated string")
            slashes = 0
            while raw[quote - 1 - slashes] == _BACKSLASH:
                slashes += 1
            if slashes % 2 == 0:
                break
            end = quote + 1
        _DECODER.decode(raw[pos : quote + 1].decode("utf-8"))
        return quote + 1

    def container(self, pos: int) -> int:
        """A list or object longer than a step, checked a run of members at a time."""
        raw = self.raw
        is_list = raw[pos : pos + 1] == b"["
        closer = b"]" if is_list else b"}"
        pos = self.skip(pos + 1)
        if raw[pos : pos + 1] == closer:
            return pos + 1
        hint = 256
        wait, backoff = 0, 1  # members to read singly before the next run; its growth
        while True:
            if wait == 0:
                after_run = self.run(pos, is_list)
                if after_run is not None:
                    pos, backoff = after_run, 1
                    continue
                # Commas inside strings, or members longer than a step: go singly a while.
                wait, backoff = backoff, min(MAX_BACKOFF, backoff * 2)
            wait -= 1
            start = pos
            if not is_list:
                if raw[pos : pos + 1] != b'"':
                    raise ValueError(f"expected a name at {pos}")
                pos = self.skip(self.value(pos, 256))
                if raw[pos : pos + 1] != b":":
                    raise ValueError(f"expected ':' at {pos}")
                pos = self.skip(pos + 1)
            pos = self.skip(self.value(pos, hint))
            hint = 4 * (pos - start)
            mark = raw[pos : pos + 1]
            if mark == closer:
                return pos + 1
            if mark != b",":
                raise ValueError(f"expected ',' or {closer!r} at {pos}")
            pos = self.skip(pos + 1)

    def run(self, pos: int, is_list: bool) -> int | None:
        """Past the members from ``pos`` up to a comma within a step, if they decode as
        a container of their own (None when no such cut is found in three tries)."""
        raw = self.raw
        opener, closer = ("[", "]") if is_list else ("{", "}")
        end = min(len(raw), pos + STEP_CHARS)
        for _ in range(3):
            comma = raw.rfind(b",", pos, end)
            if comma <= pos:
                return None
            try:
                chunk = opener + raw[pos:comma].decode("utf-8") + closer
                whole = _DECODER.raw_decode(chunk)[1] == len(chunk)
            except ValueError:
                whole = False
            if whole:
                self.stepped(comma - pos)
                return self.skip(comma + 1)
            end = comma
        return None
