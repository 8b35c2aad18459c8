"""Long lists of numbers, and of flat records of numbers, kept as columns (no Qt).

Parsed into Python, ``[{"energy_eV": 0.1, "dos_per_eV": 2.3}, ...]`` costs a dict and two
floats a record -- about 230 bytes for 48 bytes of text -- so a 45 MB answer took four to
five times its size in memory. When the stepped parser (:mod:`._json`) reads a long list
(at least :data:`COMPACT_MIN` members, longer than a parse step) in an action's response
(the members named by the caller: :data:`~.client.RESPONSE_MEMBERS`) whose members are all
numbers, or all objects with the same keys in the same order holding only numbers (or
``null``), it keeps the list as columns instead: 8 bytes a value (one more where ints,
floats and nulls mix in a column), as

* :class:`RecordColumns`: a read-only sequence whose items are fresh dicts, made on demand;
* :class:`NumberColumn`: a read-only sequence of the numbers.

Both are equal to the list ``json.loads`` gives (``==``, item by item, and item types: an
int stays an int, ``1.0`` a float, ``-0.0`` keeps its sign, NaN is the decoder's own NaN
object) and write out as the same JSON text: :func:`json_default` for ``json.dumps``
(it hands the encoder a real list), :func:`iter_json` / :func:`dumps` to write a big value
out without making every row at once. Code that asks "is this a list?" of an answer's
values asks :func:`is_list`; :data:`LIST_TYPES` serves ``isinstance``.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, Final, TypeGuard, overload

__all__ = [
    "COMPACT_MIN",
    "LIST_TYPES",
    "CompactList",
    "NumberColumn",
    "RecordColumns",
    "dumps",
    "first_items",
    "has_compact",
    "is_list",
    "iter_json",
    "json_default",
    "json_default_str",
    "plain",
]

COMPACT_MIN: Final = 2048  # members a list needs to be kept as columns
MAX_KEYS: Final = 64  # records with more keys than this stay dicts
ROWS_AT_ONCE: Final = 1024  # rows made per step when a compact list is walked whole
EXACT_INT: Final = 2**53  # ints up to this size are exact as a double
DECODED_NAN: Final[float] = json.loads("NaN")  # the one object json gives for every NaN

# What a value in a column is, where a column mixes them (``Column.kinds``).
FLOAT, INT, NULL, NAN = 0, 1, 2, 3


class Column:
    """One column of numbers: ``values`` (``array('q')`` when every value is an int that
    fits 64 bits, else ``array('d')``) and, where kinds mix, ``kinds`` (one byte a value:
    :data:`FLOAT`, :data:`INT` (exact as a double), :data:`NULL` or :data:`NAN`)."""

    __slots__ = ("kinds", "values")

    def __init__(self, values: array[Any], kinds: bytearray | None = None) -> None:
        self.values = values
        self.kinds = kinds

    def __len__(self) -> int:
        return len(self.values)

    def item(self, index: int) -> Any:
        value = self.values[index]
        kinds = self.kinds
        if kinds is None or not kinds[index]:
            return value
        return _as_kind(value, kinds[index])

    def part(self, start: int, stop: int) -> list[Any]:
        """Values ``start`` to ``stop`` as Python numbers (and None), at C speed where the
        column holds one kind."""
        values = self.values[start:stop].tolist()
        kinds = self.kinds
        if kinds is not None:
            marks = kinds[start:stop]
            if marks.count(FLOAT) != len(marks):
                for index, kind in enumerate(marks):
                    if kind:
                        values[index] = _as_kind(values[index], kind)
        return values

    def same_as(self, other: Column) -> bool:
        """Equal values of the same kinds (NaN is never equal here: callers compare the
        items when this says no)."""
        return len(self) == len(other) and self.same_span(other, 0, len(self))

    def same_span(self, other: Column, start: int, stop: int) -> bool:
        """Values ``start`` to ``stop`` equal, and of the same kinds, in both columns."""
        if self.values.typecode != other.values.typecode:
            return False
        if (self.kinds is None) != (other.kinds is None):
            return False
        if self.kinds is not None and other.kinds is not None:
            if self.kinds[start:stop] != other.kinds[start:stop]:
                return False
        return self.values[start:stop] == other.values[start:stop]


def _as_kind(value: float | int, kind: int) -> Any:
    if kind == INT:
        return int(value)
    if kind == NULL:
        return None
    if kind == NAN:
        return DECODED_NAN
    return value


class CompactList(Sequence[Any]):
    """A read-only list kept as columns (see the module doc); slices are plain lists."""

    __slots__ = ("_length",)

    def __init__(self, length: int) -> None:
        self._length = length

    def __len__(self) -> int:
        return self._length

    def rows(self, start: int = 0, stop: int | None = None) -> list[Any]:
        """Items ``start`` to ``stop`` as a plain list, made now."""
        raise NotImplementedError

    def _item(self, index: int) -> Any:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            if step == 1:
                return self.rows(start, max(start, stop))
            return [self._item(i) for i in range(start, stop, step)]
        length = self._length
        position = index.__index__()
        if position < 0:
            position += length
        if not 0 <= position < length:
            raise IndexError("list index out of range")
        return self._item(position)

    def __iter__(self) -> Iterator[Any]:
        for start in range(0, self._length, ROWS_AT_ONCE):
            yield from self.rows(start, start + ROWS_AT_ONCE)

    def chunks(self, size: int = ROWS_AT_ONCE) -> Iterator[list[Any]]:
        """The items as plain lists of up to ``size``."""
        for start in range(0, self._length, max(1, size)):
            yield self.rows(start, start + size)

    def to_list(self) -> list[Any]:
        return self.rows(0, self._length)

    def _same_columns(self, other: CompactList) -> bool:
        return False

    def same_span(self, other: CompactList, start: int, stop: int) -> bool:
        """True when items ``start`` to ``stop`` of both are the same values of the same
        kinds, told column by column without making them; False when they differ or
        cannot be told apart this way (compare the items then: NaN, say)."""
        return False

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, list | CompactList):
            return NotImplemented
        if len(other) != self._length:
            return False
        if isinstance(other, CompactList) and self._same_columns(other):
            return True
        step = ROWS_AT_ONCE
        return all(
            self.rows(start, start + step) == other[start : start + step]
            for start in range(0, self._length, step)
        )

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = None  # type: ignore[assignment]  # like a list

    def __copy__(self) -> CompactList:
        return self  # read-only: a copy would be the same

    def __deepcopy__(self, memo: dict[int, Any]) -> CompactList:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (self.to_list(),))  # pickled as the list it stands for


class NumberColumn(CompactList):
    """A long list of numbers (and nulls), kept as one column."""

    __slots__ = ("column",)

    def __init__(self, column: Column) -> None:
        super().__init__(len(column))
        self.column = column

    def __repr__(self) -> str:
        return f"<NumberColumn of {self._length} numbers>"

    def _item(self, index: int) -> Any:
        return self.column.item(index)

    def rows(self, start: int = 0, stop: int | None = None) -> list[Any]:
        stop = self._length if stop is None else min(stop, self._length)
        return self.column.part(max(0, start), stop) if stop > start else []

    def _same_columns(self, other: CompactList) -> bool:
        return isinstance(other, NumberColumn) and self.column.same_as(other.column)

    def same_span(self, other: CompactList, start: int, stop: int) -> bool:
        return isinstance(other, NumberColumn) and self.column.same_span(other.column, start, stop)


class RecordColumns(CompactList):
    """A long list of flat records (``{key: number or null}``, the same keys in the same
    order in each), kept as one column a key; each item is a new dict."""

    __slots__ = ("_at", "_columns", "keys")

    def __init__(self, keys: Sequence[str], columns: Sequence[Column]) -> None:
        super().__init__(len(columns[0]) if columns else 0)
        self.keys: tuple[str, ...] = tuple(keys)
        self._columns: tuple[Column, ...] = tuple(columns)
        self._at = {key: index for index, key in enumerate(self.keys)}

    def __repr__(self) -> str:
        return f"<RecordColumns of {self._length} records: {', '.join(self.keys)}>"

    def _item(self, index: int) -> dict[str, Any]:
        return {
            key: column.item(index) for key, column in zip(self.keys, self._columns, strict=True)
        }

    def rows(self, start: int = 0, stop: int | None = None) -> list[Any]:
        stop = self._length if stop is None else min(stop, self._length)
        start = max(0, start)
        if stop <= start:
            return []
        keys = self.keys
        parts = [column.part(start, stop) for column in self._columns]
        return [dict(zip(keys, values, strict=True)) for values in zip(*parts, strict=True)]

    def value_at(self, index: int, key: str, default: Any = None) -> Any:
        """``self[index].get(key, default)``, without making the record."""
        at = self._at.get(key)
        if at is None:
            return default
        if not -self._length <= index < self._length:
            raise IndexError("list index out of range")
        return self._columns[at].item(index)

    def column(self, key: str) -> NumberColumn | None:
        """The values of one key, as a list of numbers (shares this list's memory)."""
        at = self._at.get(key)
        return None if at is None else NumberColumn(self._columns[at])

    def _same_columns(self, other: CompactList) -> bool:
        if not isinstance(other, RecordColumns) or other.keys != self.keys:
            return False
        return all(a.same_as(b) for a, b in zip(self._columns, other._columns, strict=True))

    def same_span(self, other: CompactList, start: int, stop: int) -> bool:
        if not isinstance(other, RecordColumns) or other.keys != self.keys:
            return False
        pairs = zip(self._columns, other._columns, strict=True)
        return all(a.same_span(b, start, stop) for a, b in pairs)


LIST_TYPES: Final = (list, CompactList)


def is_list(value: object) -> TypeGuard[Sequence[Any]]:
    """Whether ``value`` is a JSON list: a ``list`` or a compact one."""
    return isinstance(value, list | CompactList)


def json_default(value: Any) -> Any:
    """``json.dumps(..., default=json_default)``: a compact list is written as the list
    it stands for."""
    if isinstance(value, CompactList):
        return value.to_list()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def json_default_str(value: Any) -> Any:
    """As :func:`json_default`, and anything else that JSON has no form for as its text
    (``default=str``)."""
    if isinstance(value, CompactList):
        return value.to_list()
    return str(value)


def plain(value: Any) -> Any:
    """``value`` with every compact list in it made a plain list (a copy where needed)."""
    if isinstance(value, CompactList):
        return value.to_list()
    if isinstance(value, dict) and has_compact(value):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list) and has_compact(value):
        return [plain(item) for item in value]
    return value


def has_compact(value: Any) -> bool:
    """Whether a compact list is anywhere in ``value`` (a walk of its containers)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, CompactList):
            return True
        if isinstance(item, dict):
            stack.extend(v for v in item.values() if isinstance(v, dict | list | CompactList))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, dict | list | CompactList))
    return False


def first_items(values: Iterable[Any], count: int) -> list[Any]:
    """The first ``count`` items of any list (a compact one makes only those)."""
    if isinstance(values, CompactList):
        return values.rows(0, count)
    return list(islice(values, count))


def iter_json(value: Any, **options: Any) -> Iterator[str]:
    """The text ``json.dumps(value, **options)`` gives, in pieces: compact lists are
    written a chunk of rows at a time (never every row at once), everything without one
    in it by ``json.dumps`` itself."""
    from ._compact_json import Writer

    return Writer(options.pop("indent", None), options.pop("separators", None), **options).write(
        value, 0
    )


def dumps(value: Any, **options: Any) -> str:
    """``json.dumps(value, **options)``, compact lists written a chunk at a time."""
    if not isinstance(value, dict | list | CompactList):
        return json.dumps(value, **options)
    return "".join(iter_json(value, **options))
