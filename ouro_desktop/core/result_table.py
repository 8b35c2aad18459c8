"""Lists in an answer as compact tables (no Qt): columns labelled with units, rows formatted
on demand, so a list of a million numbers costs nothing until rows are shown.

Three shapes become tables (:func:`table_for`):

* a list of numbers: one column named like the list (``curve_eV`` → "Curve", eV);
* a list of equal-length number rows (a matrix): columns 1, 2, 3, ...;
* a list of objects (records) whose values are mostly plain: one column per key, labelled
  from the item schema or the key, with units (``energy_eV`` → "Energy", eV).

Whether a list is one of these is judged from its first :data:`SAMPLE` items; a cell that
does not fit its column (a nested object in a record) reads as a short summary.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Final, Literal

from ouro_desktop.api.compact import RecordColumns, first_items, is_list, json_default_str
from ouro_desktop.core.json_size import json_size_exceeds
from ouro_desktop.core.labels import distinct_labels, label_and_unit
from ouro_desktop.core.number_format import exact_text, format_number, is_number
from ouro_desktop.core.response_schema import item_schema, property_schema

__all__ = [
    "SAMPLE",
    "Cell",
    "ResultTable",
    "TableColumn",
    "cell_for",
    "summary_text",
    "table_for",
]

SAMPLE: Final = 50
MAX_COLUMNS: Final = 40
EMPTY: Final = "—"
EXACT_CHARS: Final = 65536  # a nested cell's JSON is kept for Copy up to this size


@dataclass(frozen=True)
class TableColumn:
    """One column: ``key`` is the record key (or the position, for a matrix)."""

    key: str
    label: str
    unit: str = ""
    help: str = ""

    @property
    def header(self) -> str:
        """``"Energy (eV)"``: the label with its unit, for a column header or an axis."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


@dataclass(frozen=True)
class Cell:
    """A formatted cell: ``text`` to read, ``exact`` for hover and Copy."""

    text: str
    exact: str
    number: float | None = None


def summary_text(value: Any) -> str:
    """A nested value in one short phrase: "3 values", "12 items", "—"."""
    if value is None:
        return EMPTY
    if isinstance(value, Mapping):
        name = value.get("name") or value.get("filename")
        if isinstance(name, str) and name:
            return name
        count = len(value)
        return f"{count} value{'s' if count != 1 else ''}" if count else EMPTY
    if is_list(value):
        count = len(value)
        return f"{count} item{'s' if count != 1 else ''}" if count else EMPTY
    return str(value)


def cell_for(value: Any) -> Cell:
    """A cell of any JSON value."""
    if value is None:
        return Cell(EMPTY, "null")
    if isinstance(value, bool):
        return Cell("Yes" if value else "No", exact_text(value))
    if is_number(value):
        return Cell(format_number(value), exact_text(value), float(value))
    if isinstance(value, str):
        return Cell(value, value)
    if json_size_exceeds(value, EXACT_CHARS):
        return Cell(summary_text(value), "")  # too big to hover or copy from one cell
    return Cell(
        summary_text(value), json.dumps(value, ensure_ascii=False, default=json_default_str)
    )


TableMode = Literal["numbers", "rows", "records"]
_ABSENT: Final = object()


@dataclass(frozen=True, eq=False)
class ResultTable:
    """A list shown as a table; cells are formatted when asked for, never all at once."""

    columns: tuple[TableColumn, ...]
    row_count: int
    mode: TableMode
    source: Sequence[Any] = field(repr=False)

    def cell(self, row: int, column: int) -> Cell:
        source = self.source
        if self.mode == "records" and isinstance(source, RecordColumns):
            # Straight from the column: no record made for one cell.
            found = source.value_at(row, self.columns[column].key, _ABSENT)
            return Cell(EMPTY, "") if found is _ABSENT else cell_for(found)
        item = source[row]
        if self.mode == "numbers":
            return cell_for(item)
        if self.mode == "rows":
            if is_list(item) and column < len(item):
                return cell_for(item[column])
            return Cell(EMPTY, "null")
        if isinstance(item, Mapping):
            key = self.columns[column].key
            return cell_for(item.get(key)) if key in item else Cell(EMPTY, "")
        return Cell(summary_text(item), exact_text(item))

    def rows(self, start: int = 0, stop: int | None = None) -> list[list[Cell]]:
        """Rows ``start`` to ``stop`` (exclusive), each a list of cells."""
        stop = self.row_count if stop is None else min(stop, self.row_count)
        width = len(self.columns)
        return [[self.cell(r, c) for c in range(width)] for r in range(max(0, start), stop)]

    def numbers(self, column: int) -> list[float | None]:
        """A column as numbers (None where a cell is not one), e.g. for a chart."""
        return [self.cell(r, column).number for r in range(self.row_count)]


def _sample(values: Sequence[Any]) -> list[Any]:
    return first_items(values, SAMPLE)


def _is_plain(value: Any) -> bool:
    return value is None or isinstance(value, str | bool | int | float)


def table_for(
    values: Sequence[Any],
    *,
    label: str,
    unit: str,
    schema: Mapping[str, Any] | None,
) -> ResultTable | None:
    """The table a list reads as, or None when it is not one of the three shapes."""
    sample = _sample(values)
    if not sample:
        return None
    if all(v is None or is_number(v) for v in sample) and any(is_number(v) for v in sample):
        column = TableColumn("", label, unit)
        return ResultTable((column,), len(values), "numbers", values)
    if all(is_list(v) for v in sample):
        widths = {len(v) for v in sample}
        if len(widths) == 1 and 0 < (width := widths.pop()) <= 12:
            if all(is_number(x) or x is None for row in sample for x in row):
                columns = tuple(TableColumn(str(i), str(i + 1), unit) for i in range(width))
                return ResultTable(columns, len(values), "rows", values)
        return None
    if not all(isinstance(v, Mapping) for v in sample):
        return None
    keys: dict[str, None] = {}
    plain = total = 0
    for record in sample:
        for key, item in record.items():
            keys.setdefault(str(key), None)
            total += 1
            plain += _is_plain(item)
    if not keys or plain < 0.6 * total:
        return None
    records_schema = item_schema(schema)
    entries: list[tuple[str, str, str, str]] = []
    for key in islice(keys, MAX_COLUMNS):
        sub = property_schema(records_schema, key)
        name, column_unit = label_and_unit(key, sub)
        description = sub.get("description")
        entries.append(
            (key, name, column_unit, description if isinstance(description, str) else "")
        )
    names = distinct_labels([(k, n, u) for k, n, u, _ in entries])
    columns = tuple(
        TableColumn(key, name, column_unit, text)
        for (key, _, column_unit, text), name in zip(entries, names, strict=True)
    )
    return ResultTable(columns, len(values), "records", values)
