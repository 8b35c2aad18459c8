"""Datasets in the demo backend: creating them from rows, reading them, and their use in runs.

Follows what ouro-py 2.20.0 sends and reads (ouro-protocol.md §13.1, §13.3, §13.5, §13.7,
§13.8): a dataset is an asset row (kept in the main store) plus a table of rows (kept in
:class:`.dataset_tables.DatasetTables`). Column names arrive as the client wrote them
(``"Temp (K)"``) and are stored normalised (``temp_k``) by
:func:`ouro_desktop.dataset_columns.stored_column_names`; row keys are mapped the same way.
Types come from the client's ``CREATE TABLE`` text, else from the JSON values themselves.
Everything here blocks (SQLite): the endpoints and the executor call it in worker threads.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

from ..dataset_columns import stored_column_names
from .dataset_tables import Column, DatasetTables, canonical_type, merge_types, type_of_value
from .errors import ApiError
from .rows import base_asset
from .store import Store, uuid7

PREVIEW_ROWS = 12
MODES = ("append", "overwrite", "upsert", "update")
_VISIBILITIES = {"public", "private", "organization", "monetized", "inherit"}
_READABLE = ("public", "monetized")  # visibilities anyone may read
_COLUMN_LINE = re.compile(r'^\s*(?:"((?:[^"]|"")*)"|([A-Za-z_][\w$]*))\s+(.+?)\s*$', re.S)


def text_of(description: Any) -> str:
    """A description sent as markdown text or as rich text ``{json, text}``."""
    if isinstance(description, dict):
        text = description.get("text")
        return text if isinstance(text, str) else ""
    return description if isinstance(description, str) else ""


def columns_from_sql(sql: str) -> list[tuple[str, str]]:
    """``(name as written, SQL type)`` of each column of a ``CREATE TABLE`` statement."""
    start, end = sql.find("("), sql.rfind(")")
    if start < 0 or end <= start:
        return []
    body, parts, depth, quoted, current = sql[start + 1 : end], [], 0, False, []
    for ch in body:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0 and ch == ",":
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    out = []
    for part in parts:
        match = _COLUMN_LINE.match(part)
        if not match:
            continue
        name = match.group(1).replace('""', '"') if match.group(1) is not None else match.group(2)
        if name.upper() in ("PRIMARY", "CONSTRAINT", "UNIQUE", "FOREIGN", "CHECK"):
            continue
        out.append((name, match.group(3)))
    return out


class DatasetService:
    def __init__(self, store: Store, tables: DatasetTables, team: dict[str, Any]) -> None:
        self.store = store
        self.tables = tables
        self.team = team

    # -- access --------------------------------------------------------------------------
    def readable(self, user: dict[str, Any], dataset_id: str) -> dict[str, Any]:
        asset = self.store.asset(dataset_id)
        if (
            asset is None
            or asset["asset_type"] != "dataset"
            or (asset["user_id"] != user["id"] and asset["visibility"] not in _READABLE)
        ):
            raise ApiError(404, f"Dataset {dataset_id} not found", "asset_not_found")
        return asset

    def owned(self, user: dict[str, Any], dataset_id: str) -> dict[str, Any]:
        asset = self.readable(user, dataset_id)
        if asset["user_id"] != user["id"]:
            raise ApiError(403, "Only the owner can change this dataset.", "forbidden")
        return asset

    @staticmethod
    def table_of(asset: dict[str, Any]) -> str:
        return str((asset.get("metadata") or {}).get("table_name"))

    # -- creating ------------------------------------------------------------------------
    def create(
        self,
        user: dict[str, Any],
        spec: dict[str, Any],
        team_id: str | None = None,
        *,
        asset_id: str | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]:
        """``POST /datasets/create/from-schema``: (the asset, row_ingest, warning).
        ``asset_id`` is for seeding only (a fixed id); requests always get a new one."""
        name = spec.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "A dataset needs a name.")
        visibility = str(spec.get("visibility") or "private")
        if visibility not in _VISIBILITIES:
            raise ApiError(400, f"Unknown visibility '{visibility}'.")
        rows = spec.get("rows")
        if rows is not None and not isinstance(rows, list):
            raise ApiError(400, "rows must be a list of row objects.")
        preview = spec.get("preview") if isinstance(spec.get("preview"), list) else []
        written = self._written_columns(spec, rows or preview)
        if not written:
            raise ApiError(400, "A dataset needs at least one column.")
        stored = stored_column_names([n for n, _ in written])
        columns: list[Column] = [(s, k) for s, (_, k) in zip(stored, written, strict=True)]
        key_map = {original: s for (original, _), s in zip(written, stored, strict=True)}
        dataset_id = asset_id or uuid7(self.store.clock())
        table = "ds_" + dataset_id.replace("-", "")
        self.tables.create(table, columns, key_map)
        now = self.store.now_iso()
        description = text_of(spec.get("description"))
        asset = base_asset(
            asset_id=dataset_id,
            asset_type="dataset",
            name=name.strip(),
            description=description,
            user=user,
            team=self._team(team_id),
            visibility=visibility,
            created_at=now,
            last_updated=now,
            source="web" if spec.get("source") == "web" else "api",
        )
        asset["metadata"] = {
            "table_name": table,
            "schema": "datasets",
            "columns": stored,
            "refs": None,
            "enum_columns": None,
        }
        asset["preview"] = [
            {key_map.get(k, k): v for k, v in r.items()}
            for r in preview[:PREVIEW_ROWS]
            if isinstance(r, dict)
        ]
        for key in ("license_id", "attribution"):
            if spec.get(key):
                asset[key] = spec[key]
        self._save(asset)
        if rows is None:
            return self.public(asset), None, None
        try:
            inserted, warning = self._insert(asset, rows, truncate=False)
        except BaseException:
            self.delete(asset)
            raise
        fresh = self.store.asset(dataset_id) or asset
        return self.public(fresh), {"inserted": inserted, "skipped": 0}, warning

    def _written_columns(self, spec: dict[str, Any], sample: list[Any]) -> list[tuple[str, str]]:
        """The columns as the client named them, with their types."""
        from_sql = columns_from_sql(spec["schema"]) if isinstance(spec.get("schema"), str) else []
        meta = spec.get("metadata") if isinstance(spec.get("metadata"), dict) else {}
        listed = [str(c) for c in meta.get("columns") or [] if isinstance(c, str | int | float)]
        types = {name: canonical_type(t) for name, t in from_sql}
        names = listed or [n for n, _ in from_sql]
        if not names:
            names = list(dict.fromkeys(k for r in sample if isinstance(r, dict) for k in r))
        inferred: dict[str, str | None] = {n: None for n in names}
        if any(n not in types for n in names):
            for row in sample:
                if isinstance(row, dict):
                    for n in names:
                        if row.get(n) is not None:
                            inferred[n] = merge_types(inferred[n], type_of_value(row[n]))
        return [(n, types.get(n) or inferred[n] or "text") for n in names]

    def _team(self, team_id: str | None) -> dict[str, Any]:
        if team_id and team_id != self.team["id"]:
            return {"id": team_id, "name": self.team["name"]}
        return dict(self.team)

    def _save(self, asset: dict[str, Any]) -> None:
        meta = asset.get("metadata") or {}
        text = " ".join(
            [asset["name"], text_of(asset.get("description")), *meta.get("columns", [])]
        )
        self.store.put_asset(asset, text)

    @staticmethod
    def public(asset: dict[str, Any]) -> dict[str, Any]:
        """The row as the API returns it (without the store's search bookkeeping)."""
        return {k: v for k, v in asset.items() if not k.startswith("_")}

    # -- writing rows --------------------------------------------------------------------
    def ingest(
        self, user: dict[str, Any], dataset_id: str, body: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """``POST /datasets/{id}/data``: ({inserted, updated, skipped}, warning)."""
        asset = self.owned(user, dataset_id)
        rows = body.get("rows")
        if not isinstance(rows, list):
            raise ApiError(400, "rows must be a list of row objects.")
        mode = body.get("mode") or "append"
        if mode not in MODES:
            raise ApiError(400, f"Unknown mode '{mode}'; use one of {', '.join(MODES)}.")
        if mode in ("upsert", "update"):
            raise ApiError(
                400,
                f"Mode '{mode}' matches rows by their primary key, and this dataset has none.",
                "no_primary_key",
            )
        inserted, warning = self._insert(asset, rows, truncate=mode == "overwrite")
        return {"inserted": inserted, "updated": 0, "skipped": 0}, warning

    def _insert(
        self, asset: dict[str, Any], rows: list[Any], *, truncate: bool
    ) -> tuple[int, dict[str, Any] | None]:
        table = self.table_of(asset)
        first = 1 if truncate else self.tables.count(table) + 1
        inserted, ignored = self.tables.insert(
            table, rows, truncate=truncate, first_row_number=first
        )
        if not asset.get("preview") or truncate:
            asset["preview"], _ = self.tables.page(table, limit=PREVIEW_ROWS)
        asset["last_updated"] = self.store.now_iso()
        self._save(asset)
        if not ignored:
            return inserted, None
        names = ", ".join(f"“{k}”" for k in list(ignored)[:5])
        return inserted, {
            "message": f"Values for columns this dataset does not have were ignored: {names}.",
            "ignored_columns": [{"column": k, "count": n} for k, n in list(ignored.items())[:20]],
        }

    def update(self, user: dict[str, Any], dataset_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        """``PUT /datasets/{id}``: name, description, visibility, licence."""
        asset = self.owned(user, dataset_id)
        if isinstance(spec.get("name"), str) and spec["name"].strip():
            asset["name"] = spec["name"].strip()
        if spec.get("visibility") in _VISIBILITIES:
            asset["visibility"] = spec["visibility"]
        if "description" in spec:
            from .rows import rich_text

            asset["description"] = rich_text(text_of(spec["description"]))
        if isinstance(spec.get("license_id"), str):
            asset["license_id"] = spec["license_id"]
        asset["last_updated"] = self.store.now_iso()
        self._save(asset)
        return self.public(asset)

    def delete(self, asset: dict[str, Any]) -> None:
        self.store.delete_asset(asset["id"])
        self.tables.drop(self.table_of(asset))

    # -- reading -------------------------------------------------------------------------
    def schema(self, asset: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"column_name": name, "data_type": kind, "is_nullable": True}
            for name, kind in self.tables.columns(self.table_of(asset))
        ]

    def stats(self, asset: dict[str, Any]) -> dict[str, Any]:
        table = self.table_of(asset)
        columns = [n for n, _ in self.tables.columns(table)]
        size = self.tables.size_bytes(table)
        return {
            "count": self.tables.count(table),
            "is_estimate": False,
            "columnCount": len(columns),
            "columns": columns,
            "table_name": table,
            "schema": "datasets",
            "size_bytes": size,
            "table_size": size,
        }

    def rows_page(
        self, asset: dict[str, Any], *, limit: int, offset: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """One page of rows and its ``pagination`` (with ``nextCursor`` while there are more)."""
        table = self.table_of(asset)
        total = self.tables.count(table)
        after = _cursor_position(cursor) if cursor else None
        rows, last = self.tables.page(table, limit=limit, offset=offset, after=after)
        if after is None:
            has_more = offset + len(rows) < total
        else:
            has_more = (
                bool(rows)
                and len(rows) == limit
                and bool(self.tables.page(table, limit=1, after=last)[0])
            )
        pagination: dict[str, Any] = {"limit": limit, "hasMore": has_more, "total": total}
        if after is None:
            pagination["offset"] = offset
        if has_more and last is not None:
            pagination["nextCursor"] = {"cursor": f"r{last}"}
        return rows, pagination

    def csv_chunks(self, asset: dict[str, Any]) -> Iterator[bytes]:
        """The table as CSV (a header row in column order, empty cells for null)."""
        table = self.table_of(asset)
        names = [n for n, _ in self.tables.columns(table)]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        for rows in self.tables.iter_rows(table):
            for row in rows:
                writer.writerow(["" if row[n] is None else _csv_cell(row[n]) for n in names])
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():
            yield buffer.getvalue().encode("utf-8")

    # -- runs ----------------------------------------------------------------------------
    def service_object(self, asset: dict[str, Any], row_cap: int) -> dict[str, Any]:
        """What a service receives for a dataset input (§13.7): metadata and every row."""
        table = self.table_of(asset)
        count = self.tables.count(table)
        if count > row_cap:
            raise ApiError(
                413,
                f"The dataset “{asset.get('name')}” has {count:,} rows; the demo sends at most "
                f"{row_cap:,} rows to a service.",
                "dataset_too_large",
            )
        data: list[dict[str, Any]] = []
        for rows in self.tables.iter_rows(table):
            data.extend(rows)
        meta = asset.get("metadata") or {}
        return {
            "id": asset["id"],
            "name": asset.get("name"),
            "description": text_of(asset.get("description")),
            "metadata": {
                "table_name": table,
                "schema": "datasets",
                "columns": list(meta.get("columns") or []),
            },
            "data": data,
            "org_id": asset["org_id"],
            "team_id": asset["team_id"],
            "visibility": asset["visibility"],
        }

    def create_output(
        self, user: dict[str, Any], payload: dict[str, Any], team_id: str | None
    ) -> dict[str, Any] | None:
        """A dataset from a service's output ``{name, description, data: [records]}``; None
        for no rows (the helper's ``null``)."""
        data = payload.get("data")
        if not isinstance(data, list) or not data:
            return None
        spec = {
            "name": payload.get("name") or "Route output",
            "description": text_of(payload.get("description")),
            "visibility": payload.get("visibility")
            if payload.get("visibility") in _VISIBILITIES
            else "private",
            "rows": data,
            "source": "api",
        }
        for key in ("license_id", "attribution"):
            if payload.get(key):
                spec[key] = payload[key]
        asset, _, _ = self.create(user, spec, team_id)
        return asset


def _cursor_position(cursor: str) -> int:
    text = cursor.strip()
    if not (text.startswith("r") and text[1:].isdigit()):
        raise ApiError(400, "That cursor is not one this server gave out.", "invalid_cursor")
    return int(text[1:])


def _csv_cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)
