"""The SQL of the run ledger's list queries: filters and paging order.

Used by :class:`~ouro_desktop.core.ledger.RunLedger` for ``list``, ``count`` and
``explain_list``. Every value goes in as a parameter; only fixed SQL is concatenated.
This module is part of ``ouro_desktop.core`` and imports no Qt.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .run_record import RunState

__all__ = ["page_sql", "where_sql"]


# A damaged JSON column reads as empty here, as record_from_row reads it.
_TEXT_MATCH = (
    "(route_name LIKE ? ESCAPE '\\'"
    " OR EXISTS (SELECT 1 FROM json_each("
    "CASE WHEN json_valid(input_files) THEN input_files ELSE '{}' END) AS f"
    " WHERE json_extract(CASE WHEN f.type = 'object' THEN f.value ELSE '{}' END, '$.name')"
    " LIKE ? ESCAPE '\\')"
    " OR EXISTS (SELECT 1 FROM json_each("
    "CASE WHEN json_valid(body) THEN body ELSE '{}' END) AS b"
    " WHERE b.type = 'text' AND b.value LIKE ? ESCAPE '\\')"
    " OR action_id = ? OR local_id = ?)"
)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def where_sql(
    *,
    base_url: str | None,
    route_id: str | None,
    states: Iterable[RunState | str] | None,
    text: str | None,
) -> tuple[str, list[Any]]:
    """The ``WHERE`` clause (empty if no filter) and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    if base_url is not None:
        clauses.append("base_url = ?")
        params.append(base_url)
    if route_id is not None:
        clauses.append("route_id = ?")
        params.append(route_id)
    if states is not None:
        wanted = sorted({RunState.parse(s).value for s in states})
        if not wanted:
            clauses.append("0")
        else:
            clauses.append(f"state IN ({', '.join('?' * len(wanted))})")
            params.extend(wanted)
    if text is not None and text.strip():
        needle = text.strip()
        like = f"%{_escape_like(needle)}%"
        # LIKE is case-insensitive for ASCII, which covers route names. What the run was
        # given, as the runs list shows it (core.run_given), is matched too: its files'
        # names and its body's top-level texts -- values only, not keys ("name" or
        # "formula" would match every run).
        clauses.append(_TEXT_MATCH)
        params.extend([like, like, like, needle, needle])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def page_sql(
    base_url: str | None,
    route_id: str | None,
    states: Iterable[RunState | str] | None,
    text: str | None,
    limit: int,
    offset: int,
) -> tuple[str, list[Any]]:
    """A page of runs matching the filters, newest first; ``limit=-1`` means no limit."""
    where, params = where_sql(base_url=base_url, route_id=route_id, states=states, text=text)
    # rowid breaks ties between equal start times; it is the implicit last column of
    # every index, so ordering by it does not defeat the started_at indexes.
    sql = "SELECT * FROM runs" + where + " ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?"
    params.extend([int(limit), max(0, int(offset))])
    return sql, params
