"""Writing JSON with compact lists in it exactly as ``json.dumps`` writes the lists they
stand for, a chunk of rows at a time (see :func:`.compact.iter_json`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from .compact import ROWS_AT_ONCE, CompactList, has_compact

__all__ = ["Writer"]


class Writer:
    """``json.dumps`` options, and the container framing it writes with them."""

    def __init__(
        self, indent: int | str | None, separators: tuple[str, str] | None, **options: Any
    ):
        self.indent = (
            (" " * indent if isinstance(indent, int) else indent) if indent is not None else None
        )
        self.options = {"indent": indent, "separators": separators, **options}
        if separators is None:
            separators = (",", ": ") if indent is not None else (", ", ": ")
        self.item_sep, self.key_sep = separators
        self.sort_keys = bool(options.get("sort_keys"))
        self.key_options = {
            k: v for k, v in options.items() if k in ("ensure_ascii", "allow_nan", "skipkeys")
        }

    def text(self, value: Any, level: int) -> str:
        text = json.dumps(value, **self.options)
        if self.indent and level and "\n" in text:
            text = text.replace("\n", "\n" + self.indent * level)  # JSON text has no raw line end
        return text

    def key(self, key: Any) -> str:
        if not isinstance(key, str):  # as json writes keys that are not text
            if key is None or isinstance(key, bool | float):
                key = json.dumps(key)
            elif isinstance(key, int):
                key = str(int(key))
            else:
                raise TypeError(f"keys must be str, int, float, bool or None, not {type(key)}")
        return json.dumps(key, **self.key_options)

    def opening(self, bracket: str, level: int) -> str:
        return bracket + ("\n" + self.indent * (level + 1) if self.indent is not None else "")

    def between(self, level: int) -> str:
        if self.indent is None:
            return self.item_sep
        return self.item_sep + "\n" + self.indent * (level + 1)

    def closing(self, bracket: str, level: int) -> str:
        return ("\n" + self.indent * level if self.indent is not None else "") + bracket

    def write(self, value: Any, level: int) -> Iterator[str]:
        if isinstance(value, CompactList):
            yield from self.compact(value, level)
        elif isinstance(value, dict) and value and has_compact(value):
            pairs: Iterable[tuple[Any, Any]] = value.items()
            if self.sort_keys:
                pairs = sorted(pairs, key=lambda pair: pair[0])
            yield self.opening("{", level)
            for index, (key, item) in enumerate(pairs):
                if index:
                    yield self.between(level)
                yield self.key(key) + self.key_sep
                yield from self.write(item, level + 1)
            yield self.closing("}", level)
        elif isinstance(value, list) and value and has_compact(value):
            yield self.opening("[", level)
            for index, item in enumerate(value):
                if index:
                    yield self.between(level)
                yield from self.write(item, level + 1)
            yield self.closing("]", level)
        else:
            yield self.text(value, level)

    def compact(self, value: CompactList, level: int) -> Iterator[str]:
        if not len(value):
            yield "[]"
            return
        yield self.opening("[", level)
        size, start = 16, 0  # small first: a caller that wants only the start stops early
        while start < len(value):
            rows = value.rows(start, start + size)
            if start:
                yield self.between(level)
            # The chunk as a list at this level, its own brackets and framing cut off.
            text = self.text(rows, level)
            head = len(self.opening("[", level))
            tail = len(self.closing("]", level))
            yield text[head:-tail]
            start += size
            size = min(ROWS_AT_ONCE * 4, size * 4)
        yield self.closing("]", level)
