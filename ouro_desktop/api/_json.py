"""Reading JSON of any size in small steps, and a cheap check of how deeply it nests.

Why steps: ``json.loads`` is one C call that holds the interpreter lock until it is
done -- 0.3 s for 20 MB -- so even in a worker thread it freezes the window for that
long. :func:`loads_in_steps` decodes the same JSON to the same values, but no single
step reads more than :data:`STEP_CHARS` characters: a list or object longer than that is
read a run of members at a time (cut where one member ends and the next begins; a cut in
the wrong place cannot decode, so every run is checked by decoding it), or a member at a
time where no cut fits; a very long string is read in slices. Between steps the
interpreter switches threads, so a big answer parsed in a worker leaves the window
responsive. A worker also pauses for a moment after every step (:data:`BREATH_S`): left
to the interpreter's own switching, the window's thread waits up to its switch interval
(5 ms) for the lock each time Qt calls into Python, and one repaint makes many such calls
-- tens of milliseconds. Paused, the worker hands the lock over at once and waits its turn.

Why bytes: a big answer is usually ASCII (JSON writers escape everything else), and one
``bytes.decode`` of tens of megabytes is itself a C call that holds the lock (25-60 ms for
45 MB, most of it the kernel mapping the new string's pages). :class:`AsciiText` lets the
reader take such an answer's text from its bytes instead, a slice at a time, decoded as
each slice is read: no single call copies the whole answer, and it is never in memory
twice (bytes and text).

Why the depth check is on text: walking every container of a decoded answer in Python
cost 85 % of the parse time. :func:`nesting_over` measures nesting on the text instead:
strings are cut out, everything but brackets dropped, and the innermost ``[]`` pairs
removed once per level (each pass one C-speed ``str.replace``) -- at most ``limit``
passes over a string that shrinks with every pass.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Collection
from typing import Any, Final

from ._compact_build import ListBuilder

__all__ = [
    "COMPACT_KEY_DEPTH",
    "STEP_CHARS",
    "AsciiText",
    "JsonTooDeep",
    "Text",
    "loads_in_steps",
    "nesting_over",
    "skip_space",
]

STEP_CHARS: Final = 1 << 16  # characters one C call reads, at most (well under a ms)
MAX_BACKOFF: Final = 1024  # members read singly before trying a run again, at most
BREATH_S: Final = 0.0002  # a worker's pause after each step (see the module doc)
COMPACT_KEY_DEPTH: Final = 3  # objects this deep (the top is 1) may name compact members

_DECODER = json.JSONDecoder()
_DecodeError = json.JSONDecodeError
_WS = re.compile(r"[ \t\n\r]*")
_WS_BYTES = re.compile(rb"[ \t\n\r]*")
_SCALAR_END = re.compile(rb"[^,:\]}\[{\" \t\n\r]*")  # a number or literal: up to a delimiter
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = str.maketrans("{}", "[]")
_NOT_BRACKET = re.compile(r"[^\[\]]+")
_CONTROL = re.compile(r"[\x00-\x1f]")
_SHORT = frozenset("-0123456789tfnNI")  # numbers and literals: always short


class JsonTooDeep(ValueError):
    """The JSON nests more levels than allowed."""


class AsciiText:
    """ASCII bytes read as text a slice at a time (see the module doc): what the reader
    asks of a ``str`` -- its length, slices and characters (decoded as they are taken),
    ``find``/``rfind``/``count`` -- with no decode of the whole."""

    __slots__ = ("raw",)

    def __init__(self, raw: bytes | bytearray) -> None:
        self.raw = raw  # callers check ``raw.isascii()``

    def __repr__(self) -> str:
        return f"<AsciiText {len(self.raw):,} bytes>"

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, index: int | slice) -> str:
        if isinstance(index, slice):
            return self.raw[index].decode("ascii")
        return chr(self.raw[index])

    def find(self, sub: str, start: int | None = None, end: int | None = None) -> int:
        return self.raw.find(sub.encode("ascii"), start, end)

    def rfind(self, sub: str, start: int | None = None, end: int | None = None) -> int:
        return self.raw.rfind(sub.encode("ascii"), start, end)

    def count(self, sub: str, start: int | None = None, end: int | None = None) -> int:
        return self.raw.count(sub.encode("ascii"), start, end)


Text = str | AsciiText


def nesting_over(text: str, limit: int, start: int = 0, end: int | None = None) -> bool:
    """Whether ``text[start:end]`` (valid JSON) nests more than ``limit`` levels deep."""
    stop = len(text) if end is None else end
    if text.count("[", start, stop) + text.count("{", start, stop) <= limit:
        return False  # too few containers to be that deep
    part = text[start:stop] if start or stop != len(text) else text
    if '"' in part:
        part = _STRING.sub("", part)
    brackets = _NOT_BRACKET.sub("", part.translate(_BRACKETS))
    for _ in range(limit):
        if not brackets:
            return False
        brackets = brackets.replace("[]", "")  # every innermost pair: one level less
    return bool(brackets)


def loads_in_steps(text: Text, max_depth: int, compact_under: Collection[str] = frozenset()) -> Any:
    """``json.loads(text)`` in steps of at most :data:`STEP_CHARS` (see the module doc).

    A long list anywhere in the value of a member named in ``compact_under`` (a member
    of an object at most :data:`COMPACT_KEY_DEPTH` levels down, such as an action's
    ``response``) is kept as columns where its members allow (:mod:`.compact`).

    ``text`` is a ``str``, or an :class:`AsciiText` (ASCII bytes, read a slice at a time).

    Raises ``ValueError`` (``json.JSONDecodeError``) for text that is not JSON and
    :class:`JsonTooDeep` for nesting deeper than ``max_depth``.
    """
    reader = _Reader(text, max_depth, frozenset(compact_under))
    value, end = reader.value(skip_space(text, 0), 1, STEP_CHARS)
    if skip_space(text, end) != len(text):
        raise _error("Extra data", text, end)
    return value


def skip_space(text: Text, pos: int) -> int:
    """The position of the first character at or after ``pos`` that is not JSON space."""
    match = _WS.match(text, pos) if isinstance(text, str) else _WS_BYTES.match(text.raw, pos)
    return match.end() if match else pos


def _error(message: str, text: Text, pos: int) -> json.JSONDecodeError:
    """A decoding error at ``pos`` (with the text around it, when it is read from bytes)."""
    if isinstance(text, str):
        return _DecodeError(message, text, pos)
    start = max(0, pos - 80)
    return _DecodeError(message, text[start : pos + 80], pos - start)


def _cut_marks(last: str, following: str) -> tuple[str, str | None]:
    """Where one member ends and the next starts: the text before the comma, and the
    first character of the next member (None: any; numbers start differently)."""
    mark = (last + ",") if last in ']}"' else ","
    return mark, following if following in '[{"' else None


def _finished(out: Any) -> Any:
    return out.result() if isinstance(out, ListBuilder) else out


class _Reader:
    def __init__(self, text: Text, max_depth: int, compact_under: frozenset[str]) -> None:
        self.text = text
        self.max_depth = max_depth
        self.compact_under = compact_under
        # Only a worker pauses: on the window's own thread a pause is just lost time.
        self.pauses = threading.current_thread() is not threading.main_thread()
        self.read_since_pause = 0

    def stepped(self, chars: int) -> None:
        """Count ``chars`` read by one C call; after a step's worth (runs are cut short of
        a step where a member ends: half a step counts), let other threads run."""
        self.read_since_pause += chars
        if self.pauses and self.read_since_pause >= STEP_CHARS // 2:
            self.read_since_pause = 0
            time.sleep(BREATH_S)

    def _levels(self, depth: int) -> int:
        return self.max_depth - depth + 1

    def value(self, pos: int, depth: int, hint: int, compact: bool = False) -> tuple[Any, int]:
        """The value starting at ``pos`` (a window of ``hint`` characters first) and the
        position after it; ``compact``: a long list in it may be kept as columns."""
        text = self.text
        if depth > self.max_depth:
            raise JsonTooDeep
        first = text[pos : pos + 1]
        if first in _SHORT:
            if isinstance(text, str):
                return _DECODER.raw_decode(text, pos)
            match = _SCALAR_END.match(text.raw, pos)
            token = text[pos : match.end() if match else pos + 1]
            value, used = _DECODER.raw_decode(token)
            return value, pos + used
        size = max(64, min(hint, STEP_CHARS))
        while True:
            window = text[pos : pos + size]
            try:
                value, end = _DECODER.raw_decode(window)
            except RecursionError:
                raise JsonTooDeep from None
            except _DecodeError:
                if len(window) < size:
                    raise  # the text ends inside it: not JSON
                if size >= STEP_CHARS:
                    break  # longer than a step (or broken further on)
                size = min(STEP_CHARS, size * 16)
                continue
            if nesting_over(window, self._levels(depth), 0, end):
                raise JsonTooDeep
            self.stepped(end)
            return value, pos + end
        if first == '"':
            return self.long_string(pos)
        return self.container(pos, depth, compact)

    def long_string(self, pos: int) -> tuple[str, int]:
        """A string longer than a step: find its end, then decode it in slices."""
        text = self.text
        end = pos + 1
        while True:
            quote = text.find('"', end)
            if quote < 0:
                raise _error("Unterminated string", text, pos)
            slashes = 0
            while text[quote - 1 - slashes] == "\\":
                slashes += 1
            if slashes % 2 == 0:
                break
            end = quote + 1
        body = text[pos + 1 : quote]
        if "\\" not in body:
            bad = _CONTROL.search(body)
            if bad is not None:
                raise _error("Invalid control character", text, pos + 1 + bad.start())
            return body, quote + 1
        parts = []
        start = 0
        while start < len(body):
            cut = min(len(body), start + STEP_CHARS)
            if cut < len(body):
                # Never inside an escape, nor between the halves of a surrogate pair.
                tail = body.find("\\", max(start, cut - 12), cut)
                if tail >= 0:
                    cut = tail
                while cut > start and body[cut - 1] == "\\":
                    cut -= 1
                if cut == start:  # backslashes all the way: the rest in one piece
                    cut = len(body)
            parts.append(_DECODER.decode('"' + body[start:cut] + '"'))
            self.stepped(cut - start)
            start = cut
        return "".join(parts), quote + 1

    def container(self, pos: int, depth: int, compact: bool = False) -> tuple[Any, int]:
        """A list or object longer than a step, read a run of members at a time; a list
        may be kept as columns when ``compact`` (:class:`.compact.ListBuilder`)."""
        text = self.text
        is_list = text[pos] == "["
        opener, closer = ("[", "]") if is_list else ("{", "}")
        out: Any = ([] if not compact else ListBuilder(self.stepped)) if is_list else {}
        # An object's members named in compact_under (and anything in a compact member).
        names = self.compact_under if not is_list and depth <= COMPACT_KEY_DEPTH else ()
        pos = skip_space(text, pos + 1)
        if text[pos : pos + 1] == closer:
            return _finished(out), pos + 1
        marks: tuple[str, str | None] | None = None
        hint = 256
        wait, backoff = 0, 1  # members to read singly before the next run; its growth
        while True:
            if marks is not None and wait == 0:
                sink = out if isinstance(out, ListBuilder) else None
                found = self.run(pos, depth, opener, closer, marks, sink)
                if found is not None:
                    members, pos = found
                    if sink is not None:
                        pass  # taken by the builder in run()
                    elif is_list:
                        out.extend(members)
                    else:
                        out.update(members)
                    backoff = 1
                    continue
                wait, backoff = backoff, min(MAX_BACKOFF, backoff * 2)
            elif wait:
                wait -= 1
            start = pos
            if is_list:
                item, pos = self.value(pos, depth + 1, hint, compact)
                out.append(item)
            else:
                if text[pos : pos + 1] != '"':
                    raise _error("Expecting property name", text, pos)
                key, pos = self.value(pos, depth + 1, 256)
                pos = skip_space(text, pos)
                if text[pos : pos + 1] != ":":
                    raise _error("Expecting ':' delimiter", text, pos)
                inner = compact or key in names
                item, pos = self.value(skip_space(text, pos + 1), depth + 1, hint, inner)
                out[key] = item
            hint = 4 * (pos - start)
            last = text[pos - 1]
            pos = skip_space(text, pos)
            mark = text[pos : pos + 1]
            if mark == closer:
                return _finished(out), pos + 1
            if mark != ",":
                raise _error(f"Expecting ',' or '{closer}' delimiter", text, pos)
            pos = skip_space(text, pos + 1)
            marks = _cut_marks(last, text[pos : pos + 1])

    def run(
        self,
        pos: int,
        depth: int,
        opener: str,
        closer: str,
        marks: tuple[str, str | None],
        sink: ListBuilder | None = None,
    ) -> tuple[Any, int] | None:
        """Members from ``pos`` to a cut before a step's end, and where the next starts;
        None when no cut within the step decodes. With a ``sink``, the members go to it
        (and their nesting needs no check when it keeps them as columns: flat)."""
        text = self.text
        mark, first = marks
        end = min(len(text), pos + STEP_CHARS)
        decodes = 0
        for _ in range(64):
            hit = text.rfind(mark, pos, end)
            if hit <= pos:
                return None
            comma = hit + len(mark) - 1
            following = skip_space(text, comma + 1)
            if first is not None and text[following : following + 1] != first:
                end = hit  # not where a member starts: look further back
                continue
            chunk = opener + text[pos:comma] + closer
            decodes += 1
            try:
                members, used = _DECODER.raw_decode(chunk)
            except RecursionError:
                raise JsonTooDeep from None
            except _DecodeError:
                used = -1
            if used == len(chunk):
                flat = sink is not None and sink.extend(members) and self._levels(depth) >= 2
                if not flat and nesting_over(chunk, self._levels(depth)):
                    raise JsonTooDeep
                self.stepped(len(chunk))
                return members, following
            if decodes == 3:
                return None
            end = hit
        return None
