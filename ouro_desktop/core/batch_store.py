"""Folder batches in the run ledger: the batch, its files, and which file's run is which.

A batch is one route run on many files with the same settings. It lives in the ledger
(tables ``batches`` and ``batch_items``, schema v2) next to its runs, which are ordinary
runs carrying ``batch_id`` and ``batch_item`` (the file's place). That pairing is written
in the run's own INSERT, so it is the single source of truth for "this file was sent": an
item needs a run while it is ``pending`` and has fewer runs than its ``attempts`` (one at
first; Retry failed adds one). A kill at any moment therefore never sends a file twice,
nor forgets one. Qt-free.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .ledger import RunLedger, RunRecord, RunState
from .run_record import dumps_json, record_from_row

__all__ = ["Batch", "BatchItem", "BatchState", "BatchStore", "ItemState", "NewItem"]


class BatchState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    CANCELLED = "cancelled"  # the rest was cancelled; runs already sent finish
    DONE = "done"


class ItemState(StrEnum):
    PENDING = "pending"  # sent (or to be sent) as the batch goes
    CANCELLED = "cancelled"  # never sent: the rest of the batch was cancelled
    FAILED = "failed"  # could not be sent (file gone, upload refused): ``detail`` says why


@dataclass(frozen=True)
class NewItem:
    path: str
    name: str
    size: int


@dataclass(frozen=True)
class BatchItem:
    position: int
    path: str
    name: str
    size: int
    state: ItemState
    attempts: int
    detail: str | None = None


@dataclass(frozen=True)
class Batch:
    batch_id: str
    route_id: str
    route_name: str
    base_url: str
    account: str
    input_key: str
    settings: dict[str, Any]  # {"body", "query", "path_params", "input_assets"}
    state: BatchState
    concurrency: int
    price_confirmed: str | None
    created_at: float


def _loads(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _state(enum: type[StrEnum], value: Any, default: StrEnum) -> Any:
    try:
        return enum(value)
    except ValueError:
        return default


class BatchStore:
    """Reads and writes batches in ``ledger`` (see the module docstring)."""

    def __init__(self, ledger: RunLedger) -> None:
        self.ledger = ledger

    # -- writes ------------------------------------------------------------------------------
    def create(
        self,
        *,
        route_id: str,
        route_name: str,
        base_url: str,
        account: str,
        input_key: str,
        settings: dict[str, Any],
        items: Sequence[NewItem],
        concurrency: int,
        price_confirmed: str | None = None,
    ) -> Batch:
        """Record a new batch and its files in one transaction; nothing is sent yet."""
        now = time.time()
        batch = Batch(
            str(uuid.uuid4()),
            route_id,
            route_name,
            base_url,
            account,
            input_key,
            dict(settings),
            BatchState.RUNNING,
            max(1, int(concurrency)),
            price_confirmed,
            now,
        )
        with self.ledger.write("the new batch") as conn:
            conn.execute(
                "INSERT INTO batches (batch_id, route_id, route_name, base_url, account, "
                "input_key, settings, state, concurrency, price_confirmed, created_at, "
                "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    batch.batch_id,
                    route_id,
                    route_name,
                    base_url,
                    account,
                    input_key,
                    dumps_json(batch.settings),
                    batch.state.value,
                    batch.concurrency,
                    price_confirmed,
                    now,
                    now,
                ),
            )
            conn.executemany(
                "INSERT INTO batch_items (batch_id, position, path, name, size) VALUES (?,?,?,?,?)",
                [(batch.batch_id, i, it.path, it.name, it.size) for i, it in enumerate(items)],
            )
        return batch

    def set_state(self, batch_id: str, state: BatchState) -> None:
        with self.ledger.write("the batch's state") as conn:
            conn.execute(
                "UPDATE batches SET state = ?, updated_at = ? WHERE batch_id = ?",
                (state.value, time.time(), batch_id),
            )

    def set_concurrency(self, batch_id: str, concurrency: int) -> None:
        with self.ledger.write("the batch's setting") as conn:
            conn.execute(
                "UPDATE batches SET concurrency = ? WHERE batch_id = ?",
                (max(1, int(concurrency)), batch_id),
            )

    def fail_item(self, batch_id: str, position: int, detail: str) -> None:
        with self.ledger.write("the file's state") as conn:
            conn.execute(
                "UPDATE batch_items SET state = ?, detail = ? WHERE batch_id = ? AND position = ?",
                (ItemState.FAILED.value, detail, batch_id, position),
            )

    def cancel_rest(self, batch_id: str) -> list[int]:
        """Every file not sent yet is cancelled; returns their places."""
        with self.ledger.write("the cancelled files") as conn:
            rows = conn.execute(
                "SELECT i.position FROM batch_items i WHERE i.batch_id = ? AND i.state = ? AND "
                "(SELECT COUNT(*) FROM runs r WHERE r.batch_id = i.batch_id "
                "AND r.batch_item = i.position) < i.attempts",
                (batch_id, ItemState.PENDING.value),
            ).fetchall()
            positions = [int(r[0]) for r in rows]
            conn.executemany(
                "UPDATE batch_items SET state = ? WHERE batch_id = ? AND position = ?",
                [(ItemState.CANCELLED.value, batch_id, p) for p in positions],
            )
            conn.execute(
                "UPDATE batches SET state = ?, updated_at = ? WHERE batch_id = ?",
                (BatchState.CANCELLED.value, time.time(), batch_id),
            )
        return positions

    def retry(self, batch_id: str, positions: Iterable[int]) -> None:
        """Send these files once more: one more attempt each, pending again."""
        with self.ledger.write("the files to retry") as conn:
            for position in positions:
                count = conn.execute(
                    "SELECT COUNT(*) FROM runs WHERE batch_id = ? AND batch_item = ?",
                    (batch_id, position),
                ).fetchone()[0]
                conn.execute(
                    "UPDATE batch_items SET state = ?, detail = NULL, attempts = ? "
                    "WHERE batch_id = ? AND position = ?",
                    (ItemState.PENDING.value, int(count) + 1, batch_id, position),
                )
            conn.execute(
                "UPDATE batches SET state = ?, updated_at = ? WHERE batch_id = ? AND state != ?",
                (BatchState.RUNNING.value, time.time(), batch_id, BatchState.PAUSED.value),
            )

    def discard_unsent(self, batch_id: str, detail: str) -> int:
        """Remove the batch's runs that reconciliation proved never reached Ouro (``detail``
        is its verdict): the app stopped between recording and sending them, so the file
        is owed its run again. Returns how many."""
        with self.ledger.write("the run history") as conn:
            return conn.execute(
                "DELETE FROM runs WHERE batch_id = ? AND state = ? AND action_id IS NULL "
                "AND status_detail = ?",
                (batch_id, RunState.NOT_STARTED.value, detail),
            ).rowcount

    def discard_refused(self, batch_id: str, position: int) -> int:
        """Remove the item's runs Ouro provably never started (a 429 before a resend)."""
        with self.ledger.write("the run history") as conn:
            return conn.execute(
                "DELETE FROM runs WHERE batch_id = ? AND batch_item = ? AND state = ? "
                "AND action_id IS NULL",
                (batch_id, position, RunState.NOT_STARTED.value),
            ).rowcount

    # -- reads -------------------------------------------------------------------------------
    def get(self, batch_id: str) -> Batch | None:
        with self.ledger.read() as conn:
            row = conn.execute("SELECT * FROM batches WHERE batch_id = ?", (batch_id,)).fetchone()
        return None if row is None else self._batch(row)

    def open_batches(self, base_url: str, account: str) -> list[Batch]:
        """Batches of this server and account that are not over (running or paused)."""
        with self.ledger.read() as conn:
            rows = conn.execute(
                "SELECT * FROM batches WHERE base_url = ? AND account = ? AND state IN (?, ?) "
                "ORDER BY created_at",
                (base_url, account, BatchState.RUNNING.value, BatchState.PAUSED.value),
            ).fetchall()
        return [self._batch(r) for r in rows]

    def latest(self, base_url: str, account: str, route_id: str | None = None) -> Batch | None:
        sql = "SELECT * FROM batches WHERE base_url = ? AND account = ?"
        params: list[Any] = [base_url, account]
        if route_id is not None:
            sql += " AND route_id = ?"
            params.append(route_id)
        with self.ledger.read() as conn:
            row = conn.execute(sql + " ORDER BY created_at DESC LIMIT 1", params).fetchone()
        return None if row is None else self._batch(row)

    def items(self, batch_id: str) -> list[BatchItem]:
        with self.ledger.read() as conn:
            rows = conn.execute(
                "SELECT * FROM batch_items WHERE batch_id = ? ORDER BY position", (batch_id,)
            ).fetchall()
        return [self._item(r) for r in rows]

    def runs(self, batch_id: str) -> dict[int, RunRecord]:
        """The latest run of each file that has one, by place."""
        with self.ledger.read() as conn:
            rows = conn.execute(
                "SELECT * FROM runs WHERE batch_id = ? ORDER BY started_at, rowid", (batch_id,)
            ).fetchall()
        latest: dict[int, RunRecord] = {}
        for row in rows:
            record = record_from_row(row)
            if record.batch_item is not None:
                latest[record.batch_item] = record
        return latest

    def items_at(self, batch_id: str, positions: Iterable[int]) -> list[BatchItem]:
        """The files at these places (a few rows changed: no need to read them all)."""
        wanted = sorted(set(positions))
        found: list[BatchItem] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            with self.ledger.read() as conn:
                rows = conn.execute(
                    f"SELECT * FROM batch_items WHERE batch_id = ? AND position IN "
                    f"({', '.join('?' * len(chunk))}) ORDER BY position",
                    (batch_id, *chunk),
                ).fetchall()
            found.extend(self._item(r) for r in rows)
        return found

    def runs_at(self, batch_id: str, positions: Iterable[int]) -> dict[int, RunRecord]:
        """The latest run of each of these files that has one, by place."""
        wanted = sorted(set(positions))
        latest: dict[int, RunRecord] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            with self.ledger.read() as conn:
                rows = conn.execute(
                    f"SELECT * FROM runs WHERE batch_id = ? AND batch_item IN "
                    f"({', '.join('?' * len(chunk))}) ORDER BY started_at, rowid",
                    (batch_id, *chunk),
                ).fetchall()
            for row in rows:
                record = record_from_row(row)
                if record.batch_item is not None:
                    latest[record.batch_item] = record
        return latest

    def run_counts(self, batch_id: str) -> dict[int, int]:
        with self.ledger.read() as conn:
            rows = conn.execute(
                "SELECT batch_item, COUNT(*) FROM runs WHERE batch_id = ? GROUP BY batch_item",
                (batch_id,),
            ).fetchall()
        return {int(r[0]): int(r[1]) for r in rows if r[0] is not None}

    def to_send(self, batch_id: str) -> list[BatchItem]:
        """Files still owed a run, in order (pending, fewer runs than attempts)."""
        counts = self.run_counts(batch_id)
        return [
            item
            for item in self.items(batch_id)
            if item.state is ItemState.PENDING and counts.get(item.position, 0) < item.attempts
        ]

    def unfinished_runs(self, batch_id: str) -> int:
        states = sorted(s.value for s in RunState if s.is_unfinished)
        with self.ledger.read() as conn:
            return int(
                conn.execute(
                    f"SELECT COUNT(*) FROM runs WHERE batch_id = ? "
                    f"AND state IN ({', '.join('?' * len(states))})",
                    (batch_id, *states),
                ).fetchone()[0]
            )

    @staticmethod
    def _item(r: Any) -> BatchItem:
        return BatchItem(
            int(r["position"]),
            str(r["path"]),
            str(r["name"]),
            int(r["size"]),
            _state(ItemState, r["state"], ItemState.PENDING),
            int(r["attempts"]),
            r["detail"],
        )

    @staticmethod
    def _batch(row: Any) -> Batch:
        return Batch(
            str(row["batch_id"]),
            str(row["route_id"]),
            str(row["route_name"]),
            str(row["base_url"]),
            str(row["account"]),
            str(row["input_key"]),
            _loads(row["settings"]),
            _state(BatchState, row["state"], BatchState.PAUSED),
            int(row["concurrency"]),
            row["price_confirmed"],
            float(row["created_at"]),
        )
