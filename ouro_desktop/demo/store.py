"""The demo backend's state: SQLite (WAL) plus a blob folder, in one data directory.

Rows are kept as JSON documents in the shapes the API returns (assets, actions, logs),
with the few columns that queries filter or sort on pulled out beside them. Blobs live
under ``<data_dir>/storage/<bucket>/<path>``. Everything survives a restart.

An action's answer can be tens of megabytes, so an action is also kept as its ``brief``
(the same document without ``response``) for lists and statistics, and its whole text
can be read without decoding it (:meth:`Store.action_pieces`) to be sent as it is. An
answer a service gave as JSON text (:class:`~.json_text.JsonText`) is kept as it is, in
its own table (``answers``), beside the action's brief; other documents are encoded by
:func:`dumps`, which writes big ones in small steps: the demo shares the app's process,
and one long C-level ``json.dumps`` holds the interpreter (and so the window) for its
whole length.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .asset_rows import BRIEF_COLUMNS, brief, where_clause
from .json_text import JsonText

ZERO_UUID = "00000000-0000-0000-0000-000000000000"
# Seeded ids are derived from names, so they stay the same across restarts and machines.
_SEED_NAMESPACE = uuid.UUID("5b0a3c52-6f0e-4c8e-9a8e-0d2f6a1b7c11")

TERMINAL_STATUSES = frozenset({"success", "error", "timed-out"})
ACTION_STATUSES = frozenset({"queued", "in-progress"}) | TERMINAL_STATUSES

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY, username TEXT UNIQUE NOT NULL, api_key TEXT UNIQUE NOT NULL,
    key_name TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS assets (
    id TEXT PRIMARY KEY, asset_type TEXT NOT NULL, user_id TEXT NOT NULL, parent_id TEXT,
    slug TEXT, visibility TEXT NOT NULL, created_at TEXT NOT NULL, last_updated TEXT NOT NULL,
    search_text TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS assets_type ON assets(asset_type, created_at);
CREATE INDEX IF NOT EXISTS assets_parent ON assets(parent_id);
CREATE TABLE IF NOT EXISTS actions (
    id TEXT PRIMARY KEY, route_id TEXT NOT NULL, user_id TEXT NOT NULL, status TEXT NOT NULL,
    created_at TEXT NOT NULL, data TEXT NOT NULL, brief TEXT);
CREATE INDEX IF NOT EXISTS actions_route ON actions(route_id, created_at);
CREATE INDEX IF NOT EXISTS actions_user ON actions(user_id, created_at);
CREATE INDEX IF NOT EXISTS actions_status ON actions(status);
CREATE TABLE IF NOT EXISTS answers (id TEXT PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS logs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, action_id TEXT NOT NULL,
    level TEXT, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS logs_action ON logs(action_id, seq);
CREATE TABLE IF NOT EXISTS objects (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, bucket TEXT NOT NULL, path TEXT NOT NULL,
    mime TEXT NOT NULL, file_name TEXT NOT NULL, size INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS uploads (
    upload_id TEXT PRIMARY KEY, token TEXT UNIQUE NOT NULL, user_id TEXT NOT NULL,
    bucket TEXT NOT NULL, path TEXT NOT NULL, mime TEXT NOT NULL, file_name TEXT NOT NULL,
    expires REAL NOT NULL, size INTEGER, object_id TEXT);
"""


_PIECES_PER_JOIN = 4096
_BLOB_STEP = 1 << 20  # bytes written into a blob at a time


def dumps(value: Any) -> str:
    """``json.dumps(value)``, written by the pure-Python encoder a piece at a time.

    Slower than the C encoder, but the interpreter can switch threads between pieces;
    the pieces are joined in batches so no single join copies the whole text twice.
    """
    parts: list[str] = []
    batch: list[str] = []
    for piece in json.JSONEncoder().iterencode(value):
        batch.append(piece)
        if len(batch) >= _PIECES_PER_JOIN:
            parts.append("".join(batch))
            batch = []
    parts.append("".join(batch))
    return parts[0] if len(parts) == 1 else "".join(parts)


def _brief(action: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in action.items() if k != "response"})


# An action's answer kept as sent, if it has one (a column of a query on ``actions``).
_ANSWER = "(SELECT body FROM answers WHERE answers.id = actions.id)"


def _whole(data: str | bytes, answer: bytes | None) -> dict[str, Any]:
    """An action's document, with its answer kept as sent if it has one."""
    document: dict[str, Any] = json.loads(data)
    if answer is not None:
        document["response"] = json.loads(answer)
    return document


def seed_id(*parts: str) -> str:
    return str(uuid.uuid5(_SEED_NAMESPACE, "/".join(parts)))


def uuid7(now: float | None = None) -> str:
    """A time-ordered UUIDv7, as Ouro uses for new rows (stdlib has none before 3.14)."""
    ms = int((time.time() if now is None else now) * 1000)
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")


def parse_iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Store:
    """Thread-safe access to the demo database (one connection behind a lock)."""

    def __init__(self, data_dir: Path, clock: Callable[[], float] = time.time) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.storage_dir = self.data_dir / "storage"
        self.storage_dir.mkdir(exist_ok=True)
        self.clock = clock
        # Counts the writes that change what a search finds or how it ranks (assets and
        # new actions): a cached ranking is good while it is unchanged (catalog.search_page).
        self.generation = 0
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.data_dir / "demo.sqlite3", check_same_thread=False, isolation_level=None
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(actions)")}
        if "brief" not in columns:  # a data directory from before briefs: filled as read
            self._db.execute("ALTER TABLE actions ADD COLUMN brief TEXT")
        secret = self.get_meta("jwt_secret")
        if secret is None:
            secret = secrets.token_hex(32)
            self.set_meta("jwt_secret", secret)
        self.secret = bytes.fromhex(secret)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def now_iso(self) -> str:
        return iso(self.clock())

    # -- low level ---------------------------------------------------------------------
    def _exec(self, sql: str, args: Iterable[Any] | Mapping[str, Any] = ()) -> sqlite3.Cursor:
        # A mapping binds named placeholders; tuple() of it would bind its keys instead.
        params = args if isinstance(args, Mapping) else tuple(args)
        with self._lock:
            return self._db.execute(sql, params)

    def _rows(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    def get_meta(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self._exec("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # -- users ---------------------------------------------------------------------------
    def upsert_user(self, user: dict[str, Any], api_key: str, key_name: str) -> None:
        self._exec(
            "INSERT INTO users(id, username, api_key, key_name, data) VALUES (?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET data=excluded.data",
            (user["id"], user["username"], api_key, key_name, json.dumps(user)),
        )

    def user_by_key(self, api_key: str) -> tuple[dict[str, Any], str] | None:
        rows = self._rows("SELECT data, key_name FROM users WHERE api_key=?", (api_key,))
        return (json.loads(rows[0][0]), rows[0][1]) if rows else None

    def user(self, user_id: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT data FROM users WHERE id=?", (user_id,))
        return json.loads(rows[0][0]) if rows else None

    def user_by_name(self, username: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT data FROM users WHERE username=?", (username,))
        return json.loads(rows[0][0]) if rows else None

    def api_key_of(self, user_id: str) -> str | None:
        rows = self._rows("SELECT api_key FROM users WHERE id=?", (user_id,))
        return rows[0][0] if rows else None

    # -- assets --------------------------------------------------------------------------
    def put_asset(self, asset: dict[str, Any], search_text: str = "") -> None:
        self.generation += 1
        self._exec(
            "INSERT INTO assets(id, asset_type, user_id, parent_id, slug, visibility, created_at,"
            " last_updated, search_text, data) VALUES (?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET asset_type=excluded.asset_type,"
            " parent_id=excluded.parent_id, slug=excluded.slug, visibility=excluded.visibility,"
            " last_updated=excluded.last_updated, search_text=excluded.search_text,"
            " data=excluded.data, deleted=0",
            (
                asset["id"],
                asset["asset_type"],
                asset["user_id"],
                asset.get("parent_id"),
                asset.get("name_url_slug"),
                asset.get("visibility", "private"),
                asset["created_at"],
                asset["last_updated"],
                search_text.lower(),
                json.dumps(asset),
            ),
        )

    def asset(self, asset_id: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT data FROM assets WHERE id=? AND deleted=0", (asset_id,))
        return json.loads(rows[0][0]) if rows else None

    def delete_asset(self, asset_id: str) -> None:
        self.generation += 1
        self._exec("UPDATE assets SET deleted=1 WHERE id=?", (asset_id,))

    def assets(
        self,
        *,
        asset_types: list[str] | None = None,
        parent_id: str | None = None,
        readable_by: str | None = None,
        owner: str | None = None,
    ) -> list[dict[str, Any]]:
        """Assets matching the filters, newest first (the caller sorts and pages further)."""
        clause, args = where_clause(asset_types, parent_id, readable_by, owner)
        rows = self._rows(
            f"SELECT data, search_text FROM assets WHERE {clause} ORDER BY created_at DESC", args
        )
        out = []
        for data, text in rows:
            row = json.loads(data)
            row["_search_text"] = text
            out.append(row)
        return out

    def asset_briefs(
        self,
        *,
        asset_types: list[str] | None = None,
        readable_by: str | None = None,
        owner: str | None = None,
    ) -> list[dict[str, Any]]:
        """As :meth:`assets`, but each asset as the brief search ranks on (see
        :mod:`.asset_rows`), not its whole document."""
        clause, args = where_clause(asset_types, None, readable_by, owner)
        rows = self._rows(
            f"SELECT search_text, {BRIEF_COLUMNS} FROM assets WHERE {clause}"
            " ORDER BY created_at DESC",
            args,
        )
        return [brief(text, values) for text, *values in rows]

    def action_counts(self, since: str | None = None) -> dict[str, int]:
        """How many actions each route has (since a time): search's popularity, one query."""
        where, args = ("WHERE created_at>=?", [since]) if since is not None else ("", [])
        sql = f"SELECT route_id, COUNT(*) FROM actions {where} GROUP BY route_id"
        return dict(self._rows(sql, args))

    def asset_by_slug(self, user_id: str, slug: str, asset_type: str) -> dict[str, Any] | None:
        rows = self._rows(
            "SELECT data FROM assets WHERE deleted=0 AND slug=? AND asset_type=? AND"
            " (user_id=? OR parent_id=?)",
            (slug, asset_type, user_id, user_id),
        )
        return json.loads(rows[0][0]) if rows else None

    # -- actions -------------------------------------------------------------------------
    def put_action(self, action: dict[str, Any]) -> None:
        self.generation += 1
        self._save_action(action, only_if_open=False)

    def update_action_if_open(self, action: dict[str, Any]) -> bool:
        """Write a new state unless the action already ended (a late answer can't revive it)."""
        return self._save_action(action, only_if_open=True)

    def _save_action(self, action: dict[str, Any], *, only_if_open: bool) -> bool:
        """Write ``action``; whether it was (``only_if_open``: not if it already ended).

        An answer kept as sent (:class:`~.json_text.JsonText`) goes into ``answers`` as
        it is, written a piece at a time straight from the service's bytes (no joined
        copy, none bound as a parameter: SQLite would copy it while holding the
        interpreter), and the action's document is its brief. Only a run that finishes
        gets one, and a finished action is never written again.
        """
        answer = action.get("response")
        brief = _brief(action)
        data = brief if isinstance(answer, JsonText) else dumps(action)
        if only_if_open:
            sql = (
                "UPDATE actions SET status=?, data=?, brief=? WHERE id=? AND status"
                " NOT IN ('success','error','timed-out')"
            )
            args: tuple[Any, ...] = (action["status"], data, brief, action["id"])
        else:
            sql = (
                "INSERT INTO actions(id, route_id, user_id, status, created_at, data, brief)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
                " status=excluded.status, data=excluded.data, brief=excluded.brief"
            )
            args = (
                action["id"],
                action["route_id"],
                action["user_id"],
                action["status"],
                action["created_at"],
                data,
                brief,
            )
        with self._lock:
            if not isinstance(answer, JsonText):
                return self._db.execute(sql, args).rowcount == 1
            self._db.execute("BEGIN IMMEDIATE")
            try:
                written = self._db.execute(sql, args).rowcount == 1
                if written:
                    self._put_answer(action["id"], answer.body)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return written

    def _put_answer(self, action_id: str, body: bytes) -> None:
        """``body`` into the (zeroed) blob of the action's ``answers`` row, a piece at a
        time. The blob is its row's last column, so SQLite keeps the zeros implicit."""
        cur = self._db.execute(
            "INSERT OR REPLACE INTO answers(id, body) VALUES (?, zeroblob(?))",
            (action_id, len(body)),
        )
        with self._db.blobopen("answers", "body", cur.lastrowid) as blob:
            view = memoryview(body)
            for at in range(0, len(view), _BLOB_STEP):
                blob.write(view[at : at + _BLOB_STEP])

    def action(self, action_id: str) -> dict[str, Any] | None:
        rows = self._rows(f"SELECT data, {_ANSWER} FROM actions WHERE id=?", (action_id,))
        return _whole(*rows[0]) if rows else None

    def action_brief(self, action_id: str) -> dict[str, Any] | None:
        """The action without its ``response``: a big answer is never decoded for it (one
        ``json.loads`` of 20 MB holds the interpreter, so the window, for ~0.5 s)."""
        rows = self._rows("SELECT brief FROM actions WHERE id=?", (action_id,))
        if not rows:
            return None
        if rows[0][0] is not None:
            return dict(json.loads(rows[0][0]))
        data = self._rows("SELECT data FROM actions WHERE id=?", (action_id,))
        return dict(self._decode_brief(action_id, None, data[0][0] if data else None))

    def action_pieces(self, action_id: str) -> tuple[str, list[bytes]] | None:
        """``(owner's user id, the action's JSON as UTF-8 pieces)``, nothing decoded:
        joined once by the caller, they are the document (an answer kept as sent comes
        last, as it was sent). Read as blobs, straight into bytes objects (a SELECT
        copies a big one twice, the second time holding the interpreter)."""
        with self._lock:
            row = self._db.execute(
                "SELECT rowid, user_id, (SELECT rowid FROM answers WHERE answers.id ="
                " actions.id) FROM actions WHERE id=?",
                (action_id,),
            ).fetchone()
            if row is None:
                return None
            rowid, user_id, answer_rowid = row
            with self._db.blobopen("actions", "data", rowid, readonly=True) as blob:
                data = blob.read()
            if answer_rowid is None:
                return user_id, [data]
            with self._db.blobopen("answers", "body", answer_rowid, readonly=True) as blob:
                body = blob.read()
        return user_id, [data[:-1], b',"response":', body, b"}"]

    def _decode_brief(self, action_id: str, brief: str | None, data: str | None) -> Any:
        if brief is not None:
            return json.loads(brief)
        full = json.loads(data or "{}")  # a row written before briefs: make its brief now
        full.pop("response", None)
        self._exec("UPDATE actions SET brief=? WHERE id=?", (json.dumps(full), action_id))
        return full

    def actions(
        self,
        *,
        route_id: str | None = None,
        user_id: str | None = None,
        exclude_user: str | None = None,
        statuses: list[str] | None = None,
        since: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        responses: bool = True,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of actions, newest first, and the total that match; without each
        action's ``response`` unless ``responses``."""
        where, args = ["1=1"], []
        for column, value in (("route_id", route_id), ("user_id", user_id)):
            if value is not None:
                where.append(f"{column}=?")
                args.append(value)
        if exclude_user is not None:
            where.append("user_id<>?")
            args.append(exclude_user)
        if statuses:
            where.append(f"status IN ({','.join('?' * len(statuses))})")
            args.extend(statuses)
        if since is not None:
            where.append("created_at>=?")
            args.append(since)
        clause = " AND ".join(where)
        total = self._rows(f"SELECT COUNT(*) FROM actions WHERE {clause}", args)[0][0]
        if limit == 0:
            return [], total
        order = "ORDER BY created_at DESC, id DESC"
        if limit is not None:
            order += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        if responses:
            sql = f"SELECT data, {_ANSWER} FROM actions WHERE {clause} {order}"
            return [_whole(data, answer) for data, answer in self._rows(sql, args)], total
        # The whole document only for rows that have no brief yet (written before them).
        sql = (
            f"SELECT id, brief, CASE WHEN brief IS NULL THEN data END FROM actions"
            f" WHERE {clause} {order}"
        )
        rows = self._rows(sql, args)
        return [self._decode_brief(i, brief, data) for i, brief, data in rows], total

    def action_ids_with_status(self, statuses: Iterable[str]) -> list[str]:
        statuses = list(statuses)
        rows = self._rows(
            f"SELECT id FROM actions WHERE status IN ({','.join('?' * len(statuses))})", statuses
        )
        return [r[0] for r in rows]

    # -- logs ----------------------------------------------------------------------------
    def add_log(self, log: dict[str, Any]) -> None:
        self._exec(
            "INSERT INTO logs(id, action_id, level, data) VALUES (?,?,?,?)",
            (log["id"], log["action_id"], log.get("level"), json.dumps(log)),
        )

    def log_texts(
        self, action_id: str, *, level: str | None, ascending: bool, limit: int, offset: int
    ) -> tuple[list[str], int]:
        """A page of an action's log lines as their stored JSON texts (to be sent as they
        are: a page of 500 lines decoded and encoded again took 30-100 ms), and how many
        lines there are."""
        where, args = "action_id=?", [action_id]
        if level:
            where += " AND level=?"
            args.append(level)
        total = self._rows(f"SELECT COUNT(*) FROM logs WHERE {where}", args)[0][0]
        order = "ASC" if ascending else "DESC"
        rows = self._rows(
            f"SELECT data FROM logs WHERE {where} ORDER BY seq {order} LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        return [r[0] for r in rows], total

    # -- blobs ---------------------------------------------------------------------------
    def blob_path(self, bucket: str, path: str) -> Path:
        full = (self.storage_dir / bucket / path).resolve()
        if not full.is_relative_to(self.storage_dir.resolve()):
            raise ValueError("path escapes the storage folder")
        return full

    def put_object(
        self,
        *,
        object_id: str,
        user_id: str,
        bucket: str,
        path: str,
        mime: str,
        file_name: str,
        size: int,
    ) -> dict[str, Any]:
        self._exec(
            "INSERT OR REPLACE INTO objects(id, user_id, bucket, path, mime, file_name, size,"
            " created_at) VALUES (?,?,?,?,?,?,?,?)",
            (object_id, user_id, bucket, path, mime, file_name, size, self.now_iso()),
        )
        return self.object(object_id) or {}

    def object(self, object_id: str) -> dict[str, Any] | None:
        rows = self._rows(
            "SELECT id, user_id, bucket, path, mime, file_name, size, created_at FROM objects"
            " WHERE id=?",
            (object_id,),
        )
        if not rows:
            return None
        keys = ("id", "user_id", "bucket", "path", "mime", "file_name", "size", "created_at")
        return dict(zip(keys, rows[0], strict=True))

    def object_by_path(self, bucket: str, path: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT id FROM objects WHERE bucket=? AND path=?", (bucket, path))
        return self.object(rows[0][0]) if rows else None

    # -- signed uploads ------------------------------------------------------------------
    def add_upload(self, row: dict[str, Any]) -> None:
        self._exec(
            "INSERT INTO uploads(upload_id, token, user_id, bucket, path, mime, file_name, expires)"
            " VALUES (:upload_id,:token,:user_id,:bucket,:path,:mime,:file_name,:expires)",
            row,
        )

    def upload(
        self, *, upload_id: str | None = None, token: str | None = None
    ) -> dict[str, Any] | None:
        column, value = ("upload_id", upload_id) if upload_id else ("token", token)
        with self._lock:
            cur = self._db.execute(f"SELECT * FROM uploads WHERE {column}=?", (value,))
            row = cur.fetchone()
            if row is None:
                return None
            return dict(zip([d[0] for d in cur.description], row, strict=True))

    def set_upload(self, upload_id: str, **fields: Any) -> None:
        sets = ", ".join(f"{k}=?" for k in fields)
        self._exec(f"UPDATE uploads SET {sets} WHERE upload_id=?", [*fields.values(), upload_id])

    def delete_upload(self, upload_id: str) -> None:
        self._exec("DELETE FROM uploads WHERE upload_id=?", (upload_id,))
