"""Building compact lists while the parser reads a long list (see :mod:`.compact`).

:class:`ListBuilder` takes the members of one list as the stepped parser reads them (a run
at a time, or one by one) and keeps them as columns while every member fits: all numbers
(or nulls), or all objects with the same keys in the same order holding numbers (or
nulls), each column able to hold its values exactly (ints within 64 bits, or within 2**53
where they mix with floats). The first member that does not fit turns what was read into
a plain list (a page at a time, pausing as the parser does) and the rest follows as usual.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any, Final

from .compact import (
    COMPACT_MIN,
    DECODED_NAN,
    EXACT_INT,
    FLOAT,
    INT,
    MAX_KEYS,
    NAN,
    NULL,
    ROWS_AT_ONCE,
    Column,
    CompactList,
    NumberColumn,
    RecordColumns,
)

__all__ = ["ColumnBuilder", "ListBuilder"]

_KIND_OF: Final[Mapping[type, int]] = {float: FLOAT, int: INT, type(None): NULL}
_NUMBER_TYPES: Final = frozenset(_KIND_OF)
_DICT: Final = frozenset({dict})
_INT64 = 2**63


class ColumnBuilder:
    """One column being filled, a run of values at a time (see :class:`ListBuilder`)."""

    __slots__ = ("kinds", "values")

    def __init__(self) -> None:
        self.values: array[Any] | None = None
        self.kinds: bytearray | None = None

    def __len__(self) -> int:
        return 0 if self.values is None else len(self.values)

    def add(self, part: Sequence[Any]) -> bool:
        """Append ``part`` (numbers or nulls); False (nothing appended) when this column
        cannot hold them exactly."""
        if not part:
            return True
        types = set(map(type, part))
        if types == {float}:
            return self._add_floats(part)
        if types == {int}:
            return self._add_ints(part)
        if types <= _NUMBER_TYPES:
            return self._add_mixed(part, types)
        return False

    def _add_floats(self, part: Sequence[Any]) -> bool:
        if self.values is None:
            self.values = array("d")
        elif self.values.typecode == "q" and not self._to_doubles():
            return False
        start = len(self.values)
        self.values.extend(part)
        if self.kinds is not None:
            self.kinds.extend(bytes(len(part)))
        if DECODED_NAN in part:  # identity first: the decoder's NaN object
            self._mark_nans(part, start)
        return True

    def _add_ints(self, part: Sequence[Any]) -> bool:
        if self.values is None:
            self.values = array("q")
        if self.values.typecode == "q":
            if max(part) >= _INT64 or min(part) < -_INT64:
                return False
            self.values.extend(part)
            return True
        if max(part) > EXACT_INT or min(part) < -EXACT_INT:
            return False
        kinds = self._kinds()  # made before the values grow: marks what is there
        self.values.extend(part)
        kinds.extend(bytes([INT]) * len(part))
        return True

    def _add_mixed(self, part: Sequence[Any], types: set[type]) -> bool:
        if int in types:
            ints = [v for v in part if type(v) is int]
            if max(ints) > EXACT_INT or min(ints) < -EXACT_INT:
                return False
        if self.values is None:
            self.values = array("d")
        elif self.values.typecode == "q" and not self._to_doubles():
            return False
        start = len(self.values)
        kinds = self._kinds()  # made before the values grow: marks what is there
        self.values.extend([0.0 if v is None else v for v in part])
        kinds.extend(bytes([_KIND_OF[type(v)] for v in part]))
        if float in types and DECODED_NAN in part:
            self._mark_nans(part, start)
        return True

    def _kinds(self) -> bytearray:
        if self.kinds is None:
            assert self.values is not None
            self.kinds = bytearray(len(self.values))  # every value so far is of its array's kind
        return self.kinds

    def _to_doubles(self) -> bool:
        """An int column about to take floats: kept exactly only while its ints are."""
        values = self.values
        assert values is not None and values.typecode == "q"
        if values and (max(values) > EXACT_INT or min(values) < -EXACT_INT):
            return False
        self.values = array("d", values)
        self.kinds = bytearray(bytes([INT]) * len(values))
        return True

    def _mark_nans(self, part: Sequence[Any], start: int) -> None:
        kinds = self._kinds()
        for index, value in enumerate(part):
            if value is DECODED_NAN:
                kinds[start + index] = NAN

    def column(self) -> Column:
        return Column(self.values if self.values is not None else array("d"), self.kinds)


Pause = Callable[[int], None]


class ListBuilder:
    """The members of one long list as the parser reads them (runs or single members):
    kept as columns while every member fits (see the module doc), else as a plain list."""

    __slots__ = ("_columns", "_count", "_getters", "_items", "_keys", "_pause", "_shape")

    def __init__(self, pause: Pause) -> None:
        self._pause = pause
        self._shape: str | None = None  # "numbers", "records", "plain"
        self._items: list[Any] = []
        self._keys: tuple[str, ...] = ()
        self._getters: list[Callable[[dict[str, Any]], Any]] = []
        self._columns: list[ColumnBuilder] = []
        self._count = 0

    def append(self, item: Any) -> None:
        self.extend([item])

    def extend(self, members: list[Any]) -> bool:
        """Take ``members``; True when they went into columns (so each is a number, a
        null or a flat object of them: nothing nests deeper)."""
        if not members:
            return self._shape not in (None, "plain")
        if self._shape is None:
            self._shape = _shape_of(members[0])
            if self._shape == "records":
                self._keys = tuple(members[0])
                self._getters = [itemgetter(key) for key in self._keys]
                self._columns = [ColumnBuilder() for _ in self._keys]
            elif self._shape == "numbers":
                self._columns = [ColumnBuilder()]
        if self._shape == "plain":
            self._items.extend(members)
            return False
        if self._add(members):
            self._count += len(members)
            return True
        self._items = self._made_plain()
        self._items.extend(members)
        self._shape = "plain"
        self._columns = []
        return False

    def _add(self, members: list[Any]) -> bool:
        if self._shape == "numbers":
            return self._columns[0].add(members)
        keys = self._keys
        # Every member a dict with these keys in this order (all at C speed).
        if set(map(type, members)) != _DICT or set(map(len, members)) != {len(keys)}:
            return False
        if not all(map(keys.__eq__, map(tuple, members))):
            return False
        columns = self._columns
        for index, (column, getter) in enumerate(zip(columns, self._getters, strict=True)):
            if not column.add(list(map(getter, members))):
                for done in columns[:index]:  # undo this run in the columns before
                    _truncate(done, self._count)
                return False
        return True

    def _made_plain(self) -> list[Any]:
        """The members kept as columns so far, as a plain list (a page at a time, pausing
        between pages as the parser does)."""
        compact = self._compact()
        items: list[Any] = []
        for start in range(0, len(compact), ROWS_AT_ONCE):
            items.extend(compact.rows(start, start + ROWS_AT_ONCE))
            self._pause(ROWS_AT_ONCE * 16)
        return items

    def _compact(self) -> CompactList:
        columns = [c.column() for c in self._columns]
        if self._shape == "records":
            return RecordColumns(self._keys, columns)
        return NumberColumn(columns[0])

    def result(self) -> list[Any] | CompactList:
        if self._shape in (None, "plain"):
            return self._items
        compact = self._compact()
        if self._count < COMPACT_MIN:
            return compact.to_list()
        return compact


def _truncate(column: ColumnBuilder, length: int) -> None:
    if column.values is not None:
        del column.values[length:]
    if column.kinds is not None:
        del column.kinds[length:]


def _shape_of(first: Any) -> str:
    if first is None or type(first) in (int, float):
        return "numbers"
    if type(first) is dict and 0 < len(first) <= MAX_KEYS:
        return "records"
    return "plain"
