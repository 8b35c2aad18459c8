"""How the demo store reads its ``assets`` table: the filters' ``WHERE`` clause, and the
brief of an asset that search ranks on.

Search ranks the whole catalogue on every keystroke. Decoding each asset's whole JSON
document for it made ~23 objects an asset (114,000 for 5,000 routes) that the window's
collector then walked: a 41-86 ms gap while typing. A brief is the few fields search
filters, scores and sorts on, read out of the JSON by SQLite: one small dict an asset.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

__all__ = ["BRIEF_COLUMNS", "brief", "where_clause"]

# What catalog.ranked_ids reads of an asset (its filters, _score and sorts).
_FIELDS: Final = (
    "id",
    "asset_type",
    "name",
    "user_id",
    "org_id",
    "team_id",
    "visibility",
    "source",
    "parent_id",
    "created_at",
    "last_updated",
)
_METADATA_FIELDS: Final = ("extension", "type")
BRIEF_COLUMNS: Final = ", ".join(
    [f"json_extract(data, '$.{key}')" for key in _FIELDS]
    + [f"json_extract(data, '$.metadata.{key}')" for key in _METADATA_FIELDS]
)


def brief(search_text: str, values: Sequence[Any]) -> dict[str, Any]:
    """An asset's brief from its ``search_text`` and the :data:`BRIEF_COLUMNS` read
    (a field that is missing or null is left out, as a missing key reads ``None``)."""
    top, meta = values[: len(_FIELDS)], values[len(_FIELDS) :]
    out = {key: value for key, value in zip(_FIELDS, top, strict=True) if value is not None}
    out["metadata"] = {
        key: value for key, value in zip(_METADATA_FIELDS, meta, strict=True) if value is not None
    }
    out["_search_text"] = search_text
    return out


def where_clause(
    asset_types: list[str] | None,
    parent_id: str | None,
    readable_by: str | None,
    owner: str | None,
) -> tuple[str, list[Any]]:
    """The ``WHERE`` clause of the live assets matching these filters, and its arguments."""
    where, args = ["deleted=0"], []
    if asset_types:
        where.append(f"asset_type IN ({','.join('?' * len(asset_types))})")
        args.extend(asset_types)
    if parent_id is not None:
        where.append("parent_id=?")
        args.append(parent_id)
    if owner is not None:
        where.append("user_id=?")
        args.append(owner)
    if readable_by is not None:
        where.append("(visibility IN ('public','monetized','inherit') OR user_id=?)")
        args.append(readable_by)
    return " AND ".join(where), args
