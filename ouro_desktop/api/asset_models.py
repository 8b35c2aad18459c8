"""Typed views of the user's assets beyond files: datasets, posts, and any asset hit.

Same rules as :mod:`.models`: ``from_json`` ignores unknown fields, fills missing ones with a
neutral value, keeps the original dict as ``raw``, and raises
:class:`~ouro_desktop.api.errors.ResponseError` for a field of the wrong type. Shapes follow
ouro-protocol.md §13.1 (dataset and post rows), §13.3 (schema, stats, pages of rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import ResponseError
from .models import (
    JSON,
    FileAsset,
    _bad,
    _dict,
    _int,
    _list,
    _obj,
    _str,
    _text_of,
    _time,
)

__all__ = [
    "AnyAsset",
    "AssetSummary",
    "DatasetAsset",
    "DatasetColumn",
    "DatasetRows",
    "DatasetStats",
    "PostAsset",
    "asset_from_json",
]


def _owner(d: JSON, what: str) -> str:
    return _str(_dict(d, "user", what), "username", f"{what} owner") or ""


@dataclass(frozen=True)
class AssetSummary:
    """Any asset (a search hit of a type without its own model here)."""

    id: str
    asset_type: str
    name: str
    description: str
    visibility: str
    owner: str
    created_at: datetime | None
    last_updated: datetime | None
    raw: JSON = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> AssetSummary:
        d = _obj(raw, "asset")
        asset_id = _str(d, "id", "asset", required=True)
        assert asset_id is not None
        return cls(
            id=asset_id,
            asset_type=_str(d, "asset_type", "asset") or "",
            name=_str(d, "name", "asset") or "",
            description=_text_of(d.get("description")),
            visibility=_str(d, "visibility", "asset") or "",
            owner=_owner(d, "asset"),
            created_at=_time(d, "created_at", "asset"),
            last_updated=_time(d, "last_updated", "asset"),
            raw=d,
        )


@dataclass(frozen=True)
class DatasetAsset:
    """A dataset: its name, stored column names and the first rows the server keeps."""

    id: str
    name: str
    description: str
    visibility: str
    owner: str
    table_name: str | None
    columns: tuple[str, ...]
    preview: list[JSON]
    created_at: datetime | None
    last_updated: datetime | None
    # Set on the dataset an upload made: rows the server stored, and what it warned about.
    inserted: int | None = None
    warnings: tuple[str, ...] = ()
    raw: JSON = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> DatasetAsset:
        what = "dataset"
        d = _obj(raw, what)
        asset_id = _str(d, "id", what, required=True)
        assert asset_id is not None
        meta = _dict(d, "metadata", what)
        columns = _list(meta, "columns", what)
        if not all(isinstance(c, str) for c in columns):
            raise _bad(what, "columns", "a list of column names")
        preview = _list(d, "preview", what)
        if not all(isinstance(r, dict) for r in preview):
            raise _bad(what, "preview", "a list of rows")
        return cls(
            id=asset_id,
            name=_str(d, "name", what) or "",
            description=_text_of(d.get("description")),
            visibility=_str(d, "visibility", what) or "",
            owner=_owner(d, what),
            table_name=_str(meta, "table_name", what),
            columns=tuple(columns),
            preview=preview,
            created_at=_time(d, "created_at", what),
            last_updated=_time(d, "last_updated", what),
            raw=d,
        )


@dataclass(frozen=True)
class DatasetColumn:
    """One column of a dataset's table: its stored (lower-case) name and database type."""

    name: str
    type: str
    nullable: bool | None = None
    raw: JSON = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> DatasetColumn:
        what = "dataset column"
        d = _obj(raw, what)
        name = _str(d, "column_name", what) or _str(d, "name", what, required=True)
        kind = _str(d, "data_type", what) or _str(d, "type", what) or ""
        nullable = d.get("is_nullable")
        assert name is not None
        return cls(
            name=name,
            type=kind,
            nullable=nullable if isinstance(nullable, bool) else None,
            raw=d,
        )

    @property
    def kind(self) -> str:
        """``number``, ``integer``, ``boolean``, ``date-time``, ``date`` or ``text``."""
        t = self.type.lower()
        if "timestamp" in t:
            return "date-time"
        if t.startswith("date"):
            return "date"
        if "bool" in t:
            return "boolean"
        if "int" in t and "interval" not in t:
            return "integer"
        if any(w in t for w in ("double", "real", "float", "numeric", "decimal")):
            return "number"
        return "text"


@dataclass(frozen=True)
class DatasetStats:
    count: int
    is_estimate: bool
    column_count: int
    columns: tuple[str, ...]
    size_bytes: int | None
    raw: JSON = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> DatasetStats:
        what = "dataset statistics"
        d = _obj(raw, what)
        count = _int(d, "count", what)
        columns = _list(d, "columns", what)
        column_count = _int(d, "columnCount", what)
        if column_count is None:
            column_count = _int(d, "column_count", what)
        if count is None:
            raise ResponseError("The server's dataset statistics have no row count.")
        return cls(
            count=count,
            is_estimate=d.get("is_estimate") is True,
            column_count=column_count if column_count is not None else len(columns),
            columns=tuple(str(c) for c in columns),
            size_bytes=_int(d, "size_bytes", what),
            raw=d,
        )


@dataclass(frozen=True)
class DatasetRows:
    """One page of a dataset's rows (plain objects keyed by stored column names)."""

    rows: list[JSON]
    offset: int | None
    limit: int
    has_more: bool
    total: int | None
    next_cursor: str | None

    @classmethod
    def from_json(cls, body: object, *, offset: int | None) -> DatasetRows:
        what = "page of rows"
        d = _obj(body, what)
        data = d.get("data")
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ResponseError("The server sent rows that are not a list of objects.")
        pag = _dict(d, "pagination", what)
        has_more = pag.get("hasMore", pag.get("has_more", False))
        if not isinstance(has_more, bool):
            raise _bad(what, "hasMore", "true or false")
        cursor = pag.get("nextCursor", pag.get("next_cursor"))
        if isinstance(cursor, dict):
            cursor = cursor.get("cursor")
        got_offset = _int(pag, "offset", what)
        limit = _int(pag, "limit", what)
        return cls(
            rows=data,
            offset=got_offset if got_offset is not None else offset,
            limit=limit if limit is not None else len(data),
            has_more=has_more,
            total=_int(pag, "total", what),
            next_cursor=cursor if isinstance(cursor, str) and cursor else None,
        )


@dataclass(frozen=True)
class PostAsset:
    """A post: its title, its text (markdown) and, when the server sent it, the rich doc."""

    id: str
    name: str
    description: str
    visibility: str
    owner: str
    text: str
    doc: JSON | None
    created_at: datetime | None
    last_updated: datetime | None
    raw: JSON = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> PostAsset:
        what = "post"
        d = _obj(raw, what)
        asset_id = _str(d, "id", what, required=True)
        assert asset_id is not None
        content = d.get("content")
        text, doc = "", None
        if isinstance(content, str):  # older records: plain text (§13.4)
            text = content
        elif isinstance(content, dict):
            text = _str(content, "text", what) or ""
            doc = content.get("json") if isinstance(content.get("json"), dict) else None
        elif content is not None:
            raise _bad(what, "content", "text or rich text")
        if not text and doc is None:
            text = _doc_text(d.get("preview")).strip()
        return cls(
            id=asset_id,
            name=_str(d, "name", what) or "",
            description=_text_of(d.get("description")),
            visibility=_str(d, "visibility", what) or "",
            owner=_owner(d, what),
            text=text,
            doc=doc,
            created_at=_time(d, "created_at", what),
            last_updated=_time(d, "last_updated", what),
            raw=d,
        )

    def first_lines(self, count: int = 3, width: int = 120) -> list[str]:
        """The first non-empty lines of the text, markdown marks left as typed, each cut to
        ``width`` characters (for a picker)."""
        lines = []
        for line in self.text.splitlines():
            line = line.strip()
            if line:
                lines.append(line if len(line) <= width else line[: width - 1] + "…")
            if len(lines) >= count:
                break
        return lines


def _doc_text(node: Any) -> str:
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        text = node.get("text")
        return text if isinstance(text, str) else ""
    inner = "".join(_doc_text(c) for c in node.get("content") or [] if isinstance(c, dict))
    return inner + ("\n" if node.get("type") in ("paragraph", "heading") else "")


AnyAsset = FileAsset | DatasetAsset | PostAsset | AssetSummary


def asset_from_json(raw: object) -> AnyAsset:
    """The typed model for an asset row, chosen by its ``asset_type``."""
    d = _obj(raw, "asset")
    kind = d.get("asset_type")
    if kind == "file":
        return FileAsset.from_json(d)
    if kind == "dataset":
        return DatasetAsset.from_json(d)
    if kind == "post":
        return PostAsset.from_json(d)
    return AssetSummary.from_json(d)
