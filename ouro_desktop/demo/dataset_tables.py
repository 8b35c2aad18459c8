"""The rows of the demo's datasets: one SQLite table per dataset, in its own database file.

On Ouro a dataset is a PostgreSQL table in schema ``datasets`` (ouro-protocol.md §13). The
demo keeps each one as a table ``ds_<uuid hex>`` in ``<data_dir>/datasets.sqlite3``, apart
from the main store so a long batch insert never holds the lock other endpoints need. Rows
are read and written a page or a batch at a time, never a whole table in memory.

Column types are the PostgreSQL names ouro-py writes in its ``CREATE TABLE`` (``bigint``,
``double precision``, ``boolean``, ``timestamp with time zone``, ``date``, ``text``,
``jsonb``). A value that does not fit its column refuses the whole batch, as a database
would; booleans are stored as 0/1 and read back as ``true``/``false``. Every method blocks:
the endpoints call them in a worker thread.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .errors import ApiError

Column = tuple[str, str]  # (stored name, PostgreSQL type name)

TYPES = ("bigint", "double precision", "boolean", "timestamp with time zone", "date", "text")
# The first entry whose word the type name contains wins ("interval" is text, not "int").
_TYPE_WORDS = (
    (("interval",), "text"),
    (("timestamp",), "timestamp with time zone"),
    (("date",), "date"),
    (("bool",), "boolean"),
    (("int", "serial"), "bigint"),
    (("double", "real", "float", "numeric", "decimal"), "double precision"),
    (("json",), "jsonb"),
)
_SQLITE_TYPE = {"bigint": "INTEGER", "double precision": "REAL", "boolean": "INTEGER"}
_INT_TEXT = re.compile(r"[+-]?\d+")
_WORDS = {
    "bigint": "whole numbers",
    "double precision": "numbers",
    "boolean": "true or false",
    "timestamp with time zone": "dates and times (ISO 8601)",
    "date": "dates (ISO 8601)",
}
QUERY_TIMEOUT_S = 10.0


def canonical_type(sql_type: str) -> str:
    """A column type as the demo reports it, from whatever SQL type name it was given."""
    text = sql_type.strip().lower()
    for words, name in _TYPE_WORDS:
        if any(w in text for w in words):
            return name
    return "text"


def type_of_value(value: Any) -> str:
    """The column type a JSON value suggests (for route outputs, which send no schema)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, float):
        return "double precision"
    return "text"


def merge_types(a: str | None, b: str) -> str:
    if a is None or a == b:
        return b
    if {a, b} == {"bigint", "double precision"}:
        return "double precision"
    return "text"


class _Bad(Exception):
    def __init__(self, kind: str) -> None:
        self.kind = kind


def _to_int(v: Any) -> Any:
    if v is None or (type(v) is int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and _INT_TEXT.fullmatch(v.strip()):
        return int(v)
    raise _Bad("bigint")


def _to_float(v: Any) -> Any:
    if v is None or type(v) is float:
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, str):
        try:
            number = float(v)
        except ValueError:
            raise _Bad("double precision") from None
        return number if math.isfinite(number) else None
    raise _Bad("double precision")


def _to_bool(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int) and v in (0, 1):
        return v
    if isinstance(v, str) and v.strip().lower() in ("true", "t", "1", "false", "f", "0"):
        return int(v.strip().lower() in ("true", "t", "1"))
    raise _Bad("boolean")


def _to_time(kind: str) -> Callable[[Any], Any]:
    def convert(v: Any) -> Any:
        if v is None:
            return None
        if isinstance(v, str):
            try:
                (date if kind == "date" else datetime).fromisoformat(v.replace("Z", "+00:00"))
            except ValueError:
                raise _Bad(kind) from None
            return v
        raise _Bad(kind)

    return convert


def _to_text(v: Any) -> Any:
    if v is None or type(v) is str:
        return v
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _to_json(v: Any) -> Any:
    return None if v is None else json.dumps(v, ensure_ascii=False)


def _converter(kind: str) -> Callable[[Any], Any]:
    if kind == "bigint":
        return _to_int
    if kind == "double precision":
        return _to_float
    if kind == "boolean":
        return _to_bool
    if kind in ("timestamp with time zone", "date"):
        return _to_time(kind)
    if kind == "jsonb":
        return _to_json
    return _to_text


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class DatasetTables:
    """Thread-safe access to the dataset tables (one connection behind its own lock)."""

    def __init__(self, path: Path) -> None:
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS registry (table_name TEXT PRIMARY KEY,"
            " columns TEXT NOT NULL, key_map TEXT NOT NULL DEFAULT '{}',"
            " row_count INTEGER NOT NULL DEFAULT 0)"
        )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- tables ----------------------------------------------------------------------------
    def create(self, table: str, columns: Sequence[Column], key_map: dict[str, str]) -> None:
        """A new empty table; ``key_map`` maps the names a client writes to stored names."""
        cols = ", ".join(
            f"{_quote(name)} {_SQLITE_TYPE.get(kind, 'TEXT')}" for name, kind in columns
        )
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.execute(f"CREATE TABLE {_quote(table)} ({cols})")
                self._db.execute(
                    "INSERT INTO registry(table_name, columns, key_map) VALUES (?, ?, ?)",
                    (table, json.dumps([list(c) for c in columns]), json.dumps(key_map)),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def columns(self, table: str) -> list[Column]:
        return self._registered(table)[0]

    def _registered(self, table: str) -> tuple[list[Column], dict[str, str]]:
        with self._lock:
            row = self._db.execute(
                "SELECT columns, key_map FROM registry WHERE table_name=?", (table,)
            ).fetchone()
        if row is None:
            raise ApiError(404, "This dataset has no table.", "asset_not_found")
        return [(str(n), str(k)) for n, k in json.loads(row[0])], json.loads(row[1])

    def count(self, table: str) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT row_count FROM registry WHERE table_name=?", (table,)
            ).fetchone()
        return int(row[0]) if row else 0

    def size_bytes(self, table: str) -> int | None:
        try:
            with self._lock:
                row = self._db.execute(
                    "SELECT SUM(pgsize) FROM dbstat WHERE name=?", (table,)
                ).fetchone()
        except sqlite3.Error:  # dbstat is an optional SQLite build feature
            return None
        return int(row[0]) if row and row[0] is not None else None

    def drop(self, table: str) -> None:
        with self._lock:
            self._db.execute(f"DROP TABLE IF EXISTS {_quote(table)}")
            self._db.execute("DELETE FROM registry WHERE table_name=?", (table,))

    # -- writing ---------------------------------------------------------------------------
    def insert(
        self,
        table: str,
        rows: Sequence[dict[str, Any]],
        *,
        truncate: bool = False,
        first_row_number: int = 1,
    ) -> tuple[int, dict[str, int]]:
        """Store ``rows`` (keys as the client wrote them, or stored names), all or none.

        Returns ``(inserted, ignored)``: how many rows went in, and how often each key
        that names no column was seen (those values are dropped, as Ouro does).
        """
        columns, key_map = self._registered(table)
        names = [n for n, _ in columns]
        index = {n: i for i, n in enumerate(names)}
        convert = [_converter(k) for _, k in columns]
        kinds = [k for _, k in columns]
        # Where each row key goes, worked out once per key (a batch repeats the same keys).
        slots: dict[str, int] = {}
        ignored: dict[str, int] = {}
        values: list[list[Any]] = []
        width = len(names)
        for number, row in enumerate(rows, start=first_row_number):
            if not isinstance(row, dict):
                raise ApiError(400, f"Row {number:,} is not an object of column values.")
            out: list[Any] = [None] * width
            for key, value in row.items():
                i = slots.get(key)
                if i is None:
                    i = slots[key] = index.get(key_map.get(key, key), -1)
                if i < 0:
                    ignored[key] = ignored.get(key, 0) + 1
                    continue
                try:
                    out[i] = convert[i](value)
                except _Bad:
                    shown = json.dumps(value, ensure_ascii=False)[:40]
                    raise ApiError(
                        400,
                        f"Row {number:,}: column “{names[i]}” takes "
                        f"{_WORDS.get(kinds[i], 'text')}, not {shown}.",
                        "invalid_row",
                    ) from None
            values.append(out)
        marks = ", ".join("?" * width)
        sql = f"INSERT INTO {_quote(table)} VALUES ({marks})"
        with self._lock:
            self._db.execute("BEGIN")
            try:
                if truncate:
                    self._db.execute(f"DELETE FROM {_quote(table)}")
                    self._db.execute("UPDATE registry SET row_count=0 WHERE table_name=?", (table,))
                if width:
                    self._db.executemany(sql, values)
                self._db.execute(
                    "UPDATE registry SET row_count=row_count+? WHERE table_name=?",
                    (len(values), table),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return len(values), ignored

    # -- reading ---------------------------------------------------------------------------
    def page(
        self, table: str, *, limit: int, offset: int = 0, after: int | None = None
    ) -> tuple[list[dict[str, Any]], int | None]:
        """Up to ``limit`` rows in insertion order, from ``offset`` or after row id ``after``;
        and the row id of the last one (the next cursor)."""
        columns = self.columns(table)
        select = ", ".join(_quote(n) for n, _ in columns)
        booleans = [i for i, (_, k) in enumerate(columns) if k == "boolean"]
        jsons = [i for i, (_, k) in enumerate(columns) if k == "jsonb"]
        sql = f"SELECT rowid{', ' + select if select else ''} FROM {_quote(table)}"
        if after is not None:
            sql += " WHERE rowid > ? ORDER BY rowid LIMIT ?"
            args: tuple[int, ...] = (after, limit)
        else:
            sql += " ORDER BY rowid LIMIT ? OFFSET ?"
            args = (limit, offset)
        with self._lock:
            fetched = self._db.execute(sql, args).fetchall()
        names = [n for n, _ in columns]
        rows = []
        for raw in fetched:
            values = list(raw[1:])
            for i in booleans:
                if values[i] is not None:
                    values[i] = bool(values[i])
            for i in jsons:
                if values[i] is not None:
                    values[i] = json.loads(values[i])
            rows.append(dict(zip(names, values, strict=True)))
        return rows, (fetched[-1][0] if fetched else None)

    def iter_rows(self, table: str, page_size: int = 2000) -> Iterator[list[dict[str, Any]]]:
        """Every row, a page at a time (for CSV export and service bodies)."""
        after = 0
        while True:
            rows, last = self.page(table, limit=page_size, after=after)
            if not rows or last is None:
                return
            yield rows
            after = last

    def query(
        self, table: str, sql: str, *, limit: int | None, offset: int
    ) -> tuple[list[dict[str, Any]], str]:
        """A read-only SQL query over ``{{table}}`` (only that table may be read)."""
        ran = sql.replace("{{table}}", _quote(table)).strip().rstrip(";")
        if ";" in ran:
            raise ApiError(400, "Only one SQL statement can run at a time.")
        wrapped = f"SELECT * FROM ({ran})"
        if limit is not None:
            wrapped += f" LIMIT {int(limit)} OFFSET {int(offset)}"

        def authorise(action: int, arg1: Any, arg2: Any, _db: Any, _trigger: Any) -> int:
            if action == sqlite3.SQLITE_READ:
                return sqlite3.SQLITE_OK if arg1 == table else sqlite3.SQLITE_DENY
            if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION):
                return sqlite3.SQLITE_OK
            return sqlite3.SQLITE_DENY

        deadline = time.monotonic() + QUERY_TIMEOUT_S
        with self._lock:
            self._db.set_authorizer(authorise)
            self._db.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
            try:
                cur = self._db.execute(wrapped)
                names = [d[0] for d in cur.description or ()]
                rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
            except sqlite3.Error as exc:
                raise ApiError(400, f"The query failed: {exc}.", "invalid_query") from None
            finally:
                self._db.set_authorizer(None)
                self._db.set_progress_handler(None, 0)
        return rows, ran
