"""Reading a dropped CSV or TSV table, for a dataset input (no Qt; blocking file I/O).

:func:`read_table` looks at a table file without loading it: the text encoding (a BOM,
else UTF-8, else Windows-1252), the delimiter (comma, tab, semicolon or bar: the one that
splits the first lines into the most equal, widest rows; ``.tsv`` prefers tab), whether the
first row is a header, each column's kind inferred from a sample (the first rows plus a few
stretches from the middle and the end of the file), the first rows as a preview, and an
estimate of the row count from the sample's bytes per row. :class:`TableRows` then streams
every row as typed values, one row in memory at a time, counting the bytes read for a
progress bar. A value that does not fit its column's kind stops the stream with a
:class:`TableError` naming the row and column: a dataset's column types are fixed when it is
created, so guessing on would store a wrong table.

Kinds: ``integer`` (no leading zeros, so ``007`` stays text; within 64 bits), ``number``,
``boolean`` (true/false), ``date`` and ``date-time`` (ISO 8601), else ``text``. An empty cell
is null; in a column that is not text, ``NA``, ``N/A``, ``NaN``, ``null``, ``None`` and
``#N/A`` are null too, as spreadsheet exports write them (text columns keep them as text).
Column names become stored names (:func:`ouro_desktop.dataset_columns.header_column_names`),
accents and super/subscripts made plain first (`Volume (Å³)` → `volume_a3`).

Spreadsheets (.xlsx, .xls, .ods) are refused with a plain way out (save as CSV): the readers
that fit the bundle are pure Python and far too slow for the big tables CSV handles here.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from operator import call
from pathlib import Path
from typing import IO, Any

from ouro_desktop.api.datasets import ColumnSpec
from ouro_desktop.dataset_columns import header_column_names

from .file_checks import display_name
from .text_bytes import decode_text

__all__ = [
    "KINDS",
    "TableColumn",
    "TableError",
    "TablePreview",
    "TableRows",
    "read_table",
]

KINDS = ("integer", "number", "boolean", "date", "date-time", "text")
DELIMITERS = (",", "\t", ";", "|")
HEAD_BYTES = 256 * 1024
SAMPLE_ROWS = 2000
STRETCH_BYTES = 64 * 1024  # each of the stretches sampled from the middle and the end
PREVIEW_ROWS = 20
SPREADSHEETS = {"xlsx", "xlsm", "xls", "ods", "numbers"}
NULLS = frozenset({"", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "#N/A"})
_INTEGER = re.compile(r"[+-]?(?:0|[1-9]\d*)")
_LEADING_ZERO = re.compile(r"[+-]?0\d+(?:\.\d*)?")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|Infinity)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_BOOL = {"true": True, "false": False}
_INT64 = 2**63 - 1
_ONE = {
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "date": "a date (YYYY-MM-DD)",
    "date-time": "a date and time (ISO 8601)",
}
_WORDS = {
    "integer": "whole numbers",
    "number": "numbers",
    "boolean": "true or false",
    "date": "dates (YYYY-MM-DD)",
    "date-time": "dates and times (ISO 8601)",
    "text": "text",
}


class TableError(Exception):
    """The table cannot be read or used; ``message`` says why, in words for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TableColumn:
    header: str  # as the file names it (or "Column 3" without a header row)
    name: str  # the stored name the dataset will have
    kind: str  # one of KINDS
    empty: int  # empty cells in the sample

    @property
    def kind_text(self) -> str:
        return _WORDS[self.kind]


@dataclass(frozen=True)
class TablePreview:
    path: Path
    size: int
    encoding: str
    delimiter: str
    has_header: bool
    columns: tuple[TableColumn, ...]
    rows: tuple[tuple[str, ...], ...]  # the first rows, cells as written
    sample_rows: int
    estimated_rows: int
    complete: bool  # the sample is the whole file (estimated_rows is exact)

    @property
    def delimiter_name(self) -> str:
        return {",": "comma", "\t": "tab", ";": "semicolon", "|": "vertical bar"}[self.delimiter]

    def column_specs(self) -> list[ColumnSpec]:
        return [ColumnSpec(c.name, c.kind) for c in self.columns]


# -- values -------------------------------------------------------------------------------------
def _kind_of(cell: str) -> str | None:
    """The narrowest kind a non-empty cell fits (None for an empty one)."""
    text = cell.strip()
    if not text:
        return None
    if _LEADING_ZERO.fullmatch(text):
        return "text"  # an identifier like 007 or 0123.4: numbers would lose the zeros
    if _INTEGER.fullmatch(text):
        return "integer" if abs(int(text)) <= _INT64 else "number"
    if _NUMBER.fullmatch(text):
        return "number"
    if text.lower() in _BOOL:
        return "boolean"
    if _DATE.fullmatch(text) and _valid(date.fromisoformat, text):
        return "date"
    if _DATETIME.fullmatch(text) and _valid(datetime.fromisoformat, text.replace("Z", "+00:00")):
        return "date-time"
    return "text"


def _valid(parse: Any, text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


def _merge(a: str | None, b: str) -> str:
    if a is None or a == b:
        return b
    if {a, b} == {"integer", "number"}:
        return "number"
    if {a, b} == {"date", "date-time"}:
        return "date-time"
    return "text"


class _Bad(Exception):
    pass


def _converter(kind: str) -> Any:
    """A cell → value function for a column of ``kind`` (raises ``_Bad`` for a misfit).

    Built for speed (called for every cell of big tables): the common case is one builtin
    call; null markers are looked at only when that fails.
    """
    if kind == "text":
        return _text_value
    if kind == "integer":
        return _int_value
    if kind == "number":
        return _float_value
    if kind == "boolean":
        return _bool_value
    return _date_value if kind == "date" else _datetime_value


def _text_value(s: str) -> str | None:
    return s if s else None


def _int_value(s: str) -> int | None:
    try:
        return int(s)
    except ValueError:
        if s.strip() in NULLS:
            return None
        raise _Bad from None


def _float_value(s: str) -> float | None:
    try:
        value = float(s)
    except ValueError:
        if s.strip() in NULLS:
            return None
        raise _Bad from None
    return value if value - value == 0 else None  # NaN and ±inf: no JSON number, null


def _bool_value(s: str) -> bool | None:
    value = _BOOL.get(s.strip().lower())
    if value is None:
        if s.strip() in NULLS:
            return None
        raise _Bad
    return value


def _date_value(s: str) -> str | None:
    t = s.strip()
    if t in NULLS:
        return None
    if _kind_of(t) != "date":
        raise _Bad
    return t


def _datetime_value(s: str) -> str | None:
    t = s.strip()
    if t in NULLS:
        return None
    if _kind_of(t) not in ("date", "date-time"):
        raise _Bad
    return t.replace(" ", "T", 1)


# -- sniffing ------------------------------------------------------------------------------------
def _encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(head, False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _rows(text: str, delimiter: str, limit: int) -> list[list[str]]:
    out: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if row and any(c.strip() for c in row):
                out.append(row)
            if len(out) >= limit:
                break
    except csv.Error:
        pass
    return out


def _delimiter(text: str, extension: str) -> str:
    """The delimiter that splits the first lines into the most equal, widest rows."""
    best, best_score = "\t" if extension == "tsv" else ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        rows = _rows(text, delimiter, 50)
        if not rows:
            continue
        widths = [len(r) for r in rows]
        common = max(set(widths), key=widths.count)
        if common < 2:
            continue
        score = (widths.count(common) / len(widths), common)
        preferred = (delimiter == "\t") == (extension == "tsv")
        if score > best_score or (score == best_score and preferred):
            best, best_score = delimiter, score
    return best


def _looks_like_header(first: list[str], body: list[list[str]]) -> bool:
    if not first or any(not c.strip() for c in first) or not body:
        return bool(first) and not body and all(_kind_of(c) == "text" for c in first)
    if any(_kind_of(c) != "text" for c in first):
        return False
    for i, cell in enumerate(first):
        column = [r[i] for r in body if i < len(r)]
        kinds = {_kind_of(c) for c in column} - {None}
        if kinds and kinds != {"text"}:
            return True  # a text label above numbers, dates...
        if cell in column:
            return False  # the first row repeats below: it is data
    return len({c.strip() for c in first}) == len(first)


def _sample_stretches(path: Path, size: int, encoding: str, delimiter: str) -> list[list[str]]:
    """Rows from the middle and the end of a big file (each stretch starts after a newline)."""
    if encoding in ("utf-16", "utf-32"):
        return []  # byte offsets do not land on characters reliably
    rows: list[list[str]] = []
    with path.open("rb") as handle:
        for fraction in (0.25, 0.5, 0.75, 1.0):
            start = max(HEAD_BYTES, int(size * fraction) - STRETCH_BYTES)
            if start >= size:
                continue
            handle.seek(start)
            chunk = handle.read(STRETCH_BYTES)
            cut = chunk.find(b"\n")
            end = chunk.rfind(b"\n")
            if cut < 0 or end <= cut:
                continue
            text = chunk[cut + 1 : end].decode(encoding, errors="replace")
            rows.extend(_rows(text, delimiter, 10_000))
    return rows


def read_table(
    path: Path | str,
    *,
    has_header: bool | None = None,
    delimiter: str | None = None,
    preview_rows: int = PREVIEW_ROWS,
    sample_rows: int = SAMPLE_ROWS,
) -> TablePreview:
    """Look at a table file: layout, columns with their kinds, first rows, size."""
    path = Path(path)
    shown = f"“{display_name(path.name)}”"
    extension = path.suffix.lower().lstrip(".")
    if extension in SPREADSHEETS:
        raise TableError(
            f"{shown} is a spreadsheet. Save it as CSV (in Excel or LibreOffice: File → Save "
            "As → CSV UTF-8) and drop the CSV file here."
        )
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        raise TableError(f"{shown} can't be read ({exc.strerror or type(exc).__name__}).") from None
    if not head.strip():
        raise TableError(f"{shown} is empty.")
    encoding = _encoding(head)
    try:
        text = decode_text(head, partial=True)
    except ValueError:
        raise TableError(f"{shown} is not a text table: it contains binary data.") from None
    whole = len(head) >= size
    if not whole:  # a row cut at the end of the head is not sampled
        text = text[: max(text.rfind("\n"), 0)]
    chosen = delimiter or _delimiter(text, extension)
    rows = _rows(text, chosen, sample_rows + 1)
    if not rows:
        raise TableError(f"{shown} has no rows.")
    header = _looks_like_header(rows[0], rows[1:]) if has_header is None else has_header
    body = rows[1:] if header else rows
    widths = [len(r) for r in rows[:200]]
    width = len(rows[0]) if header else max(set(widths), key=widths.count)
    if width < 1:
        raise TableError(f"{shown} has no columns.")
    titles = (
        [
            (rows[0][i].strip() if i < len(rows[0]) else "") or f"Column {i + 1}"
            for i in range(width)
        ]
        if header
        else [f"Column {i + 1}" for i in range(width)]
    )
    sample = body + ([] if whole else _sample_stretches(path, size, encoding, chosen))
    kinds: list[str | None] = [None] * width
    empty = [0] * width
    for row in sample:
        for i in range(width):
            cell = row[i] if i < len(row) else ""
            kind = _kind_of(cell) if cell.strip() not in NULLS or kinds[i] == "text" else None
            if kind is None:
                empty[i] += 1
            else:
                kinds[i] = _merge(kinds[i], kind)
    names = header_column_names(titles)
    columns = tuple(
        TableColumn(t, n, k or "text", e)
        for t, n, k, e in zip(titles, names, kinds, empty, strict=True)
    )
    if whole and len(rows) <= sample_rows:
        estimate = len(body)
    else:  # rows in the head, scaled by the file's size over the head's
        in_head = len(_rows(text, chosen, 10**9)) - (1 if header else 0)
        used = len(text.encode(encoding if encoding != "utf-8-sig" else "utf-8", errors="replace"))
        estimate = max(in_head, round(in_head * size / max(used, 1)))
    return TablePreview(
        path=path,
        size=size,
        encoding=encoding,
        delimiter=chosen,
        has_header=header,
        columns=columns,
        rows=tuple(tuple(r) for r in body[:preview_rows]),
        sample_rows=len(sample),
        estimated_rows=estimate,
        complete=whole and len(body) <= sample_rows,
    )


class TableRows:
    """Every data row of a previewed table as a tuple of typed values (an iterator).

    Blocking (run it in a worker thread, as ``OuroClient.create_dataset`` does). ``rows``
    and ``bytes_read`` grow as it goes; :class:`TableError` names the first bad cell.
    """

    def __init__(self, table: TablePreview) -> None:
        self.table = table
        self.rows = 0
        self._raw: IO[bytes] | None = None
        self._iter = self._generate()

    @property
    def bytes_read(self) -> int:
        raw = self._raw
        try:
            return raw.tell() if raw is not None and not raw.closed else self.table.size
        except (OSError, ValueError):
            return self.table.size

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return self

    def __next__(self) -> tuple[Any, ...]:
        return next(self._iter)

    def close(self) -> None:
        self._iter.close()

    def _generate(self) -> Generator[tuple[Any, ...], None, None]:
        table = self.table
        columns = table.columns
        width = len(columns)
        convert = [_converter(c.kind) for c in columns]
        encoding = table.encoding
        with table.path.open("rb") as raw:
            self._raw = raw
            text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
            reader = csv.reader(text, delimiter=table.delimiter)
            line = 0
            skip = table.has_header
            try:
                for row in reader:
                    line += 1
                    if not row or not any(c.strip() for c in row):
                        continue
                    if skip:
                        skip = False
                        continue
                    if len(row) != width:
                        if len(row) > width and not any(c.strip() for c in row[width:]):
                            row = row[:width]
                        elif len(row) < width:
                            row = row + [""] * (width - len(row))
                        else:
                            raise TableError(
                                f"Line {line:,} has {len(row)} values but the table has "
                                f"{width} columns. Check the delimiter or quoting there."
                            )
                    try:
                        values = tuple(map(call, convert, row))
                    except _Bad:
                        raise self._bad_cell(row, convert, line) from None
                    self.rows += 1
                    yield values
            except csv.Error as exc:
                raise TableError(f"Line {line + 1:,} can't be read as CSV ({exc}).") from None
            finally:
                self._raw = None

    def _bad_cell(self, row: list[str], convert: list[Any], line: int) -> TableError:
        for column, fn, cell in zip(self.table.columns, convert, row, strict=True):
            try:
                fn(cell)
            except _Bad:
                shown = cell if len(cell) <= 40 else cell[:39] + "…"
                return TableError(
                    f"Line {line:,}, column “{column.header}”: “{shown}” is not "
                    f"{_ONE.get(column.kind, 'text')}, as the rest of the column is. Fix that "
                    "cell (or make it empty) and try again."
                )
        return TableError(f"Line {line:,} can't be read.")
