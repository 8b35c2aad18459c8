"""JSON kept as the text it arrived as: a service's answer stored and served as sent.

On the platform a service answers a run with an HTTP body; Ouro keeps that JSON and
hands it back when the action is read. A demo service may give its answer the same way,
as :class:`JsonText`, instead of as Python values: an answer of tens of megabytes is then
never turned into millions of Python objects and encoded back (in the app's own process,
which the in-app demo shares), only checked (:func:`is_json_object`) and stored.

:func:`is_json_object` checks the text without building its values: a container longer
than a step is read a run of members at a time (cut at a comma, the run decoded as a
container of its own and dropped at once), so at most a step's worth of values exists at
any moment and each C call is short (the window's thread gets the interpreter between
them). A run cut in the wrong place simply fails to decode and a shorter one is tried;
one that decodes is valid whatever the cut, since a comma joins two valid runs into one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["STEP_CHARS", "JsonText", "document_pieces", "is_json_object"]

STEP_CHARS: Final = 1 << 16  # characters one C call decodes, at most
_WS = re.compile(r"[ \t\n\r]*")
_LONG = frozenset('"[{')  # values that may be longer than a step
MAX_BACKOFF: Final = 1024  # members read singly before a run is tried again, at most


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
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    checker = _Checker(text)
    pos = checker.skip(0)
    if text[pos : pos + 1] != "{":
        return False
    try:
        end = checker.value(pos)
    except (ValueError, RecursionError):
        return False
    return checker.skip(end) == len(text)


class _Checker:
    def __init__(self, text: str) -> None:
        self.text = text

    def skip(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def value(self, pos: int, hint: int = STEP_CHARS) -> int:
        """Where the valid value starting at ``pos`` ends (ValueError if it is not one);
        a window of ``hint`` characters is tried first."""
        text = self.text
        first = text[pos : pos + 1]
        if first not in _LONG:  # a number or a literal: short, and read where it is
            return int(_DECODER.raw_decode(text, pos)[1])
        size = max(64, min(hint, STEP_CHARS))
        while True:
            window = text[pos : pos + size]
            try:
                # A string or container cut short never decodes: a success is the whole.
                return pos + int(_DECODER.raw_decode(window)[1])
            except ValueError:
                if len(window) < size:
                    raise  # the text ends inside the window: broken
                if size >= STEP_CHARS:
                    break
                size = min(STEP_CHARS, size * 16)
        if first == '"':
            return self.string(pos)
        return self.container(pos)

    def string(self, pos: int) -> int:
        """A string longer than a step: find its closing quote, then decode it alone."""
        text = self.text
        end = pos + 1
        while True:
            quote = text.find('"', end)
            if quote < 0:
                raise ValueError("unterminated string")
            slashes = 0
            while text[quote - 1 - slashes] == "\\":
                slashes += 1
            if slashes % 2 == 0:
                break
            end = quote + 1
        _DECODER.decode(text[pos : quote + 1])
        return quote + 1

    def container(self, pos: int) -> int:
        """A list or object longer than a step, checked a run of members at a time."""
        text = self.text
        opener = text[pos]
        closer = "]" if opener == "[" else "}"
        pos = self.skip(pos + 1)
        if text[pos : pos + 1] == closer:
            return pos + 1
        hint = 256
        wait, backoff = 0, 1  # members to read singly before the next run; its growth
        while True:
            if wait == 0:
                after_run = self.run(pos, opener, closer)
                if after_run is not None:
                    pos, backoff = after_run, 1
                    continue
                # Commas inside strings, or members longer than a step: go singly a while.
                wait, backoff = backoff, min(MAX_BACKOFF, backoff * 2)
            wait -= 1
            start = pos
            if opener == "{":
                if text[pos : pos + 1] != '"':
                    raise ValueError(f"expected a name at {pos}")
                pos = self.skip(self.value(pos, 256))
                if text[pos : pos + 1] != ":":
                    raise ValueError(f"expected ':' at {pos}")
                pos = self.skip(pos + 1)
            pos = self.skip(self.value(pos, hint))
            hint = 4 * (pos - start)
            mark = text[pos : pos + 1]
            if mark == closer:
                return pos + 1
            if mark != ",":
                raise ValueError(f"expected ',' or {closer!r} at {pos}")
            pos = self.skip(pos + 1)

    def run(self, pos: int, opener: str, closer: str) -> int | None:
        """Past the members from ``pos`` up to a comma within a step, if they decode as
        a container of their own (None when no such cut is found in three tries)."""
        text = self.text
        end = min(len(text), pos + STEP_CHARS)
        for _ in range(3):
            comma = text.rfind(",", pos, end)
            if comma <= pos:
                return None
            chunk = opener + text[pos:comma] + closer
            try:
                used = _DECODER.raw_decode(chunk)[1]
            except ValueError:
                used = -1
            if used == len(chunk):
                return self.skip(comma + 1)
            end = comma
        return None


def document_pieces(document: dict[str, Any]) -> list[bytes] | None:
    """``document`` as compact JSON in pieces, its :class:`JsonText` members spliced in
    as they are (not copied: each is one piece); None if it has no such member."""
    if not any(isinstance(v, JsonText) for v in document.values()):
        return None
    pieces: list[bytes] = []
    prefix = b"{"
    for key, value in document.items():
        name = prefix + json.dumps(str(key)).encode() + b":"
        if isinstance(value, JsonText):
            pieces += [name, value.body]
        else:
            pieces.append(name + json.dumps(value, separators=(",", ":")).encode())
        prefix = b","
    pieces.append(b"}")
    return pieces
