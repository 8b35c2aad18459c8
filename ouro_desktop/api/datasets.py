"""Creating an Ouro dataset from rows, streamed in batches (ouro-protocol.md §13.5).

The wire is what ouro-py 2.20.0 sends: ``POST /datasets/create/from-schema`` with a
``CREATE TABLE`` text, the column list and the first rows as preview (and all rows inline
when they fit one request), then ``POST /datasets/{id}/data`` batches of ``{"rows": [...],
"mode": "append", "finalize": <last?>}``. Bodies of 2 KB or more go gzip-compressed. A
batch answered with 413 is split in half and both halves are sent (and later batches are
made smaller); a one-row batch that is still too large fails.

Unlike ouro-py, rows are never all in memory: they are pulled from a (blocking) iterator
in a worker thread, encoded to JSON and compressed there, at most a few batches ahead of
the network (:data:`DEFAULT_BATCH_BYTES` each). Reading the next batch overlaps sending
the current one. Column names are sent as stored names
(:func:`ouro_desktop.dataset_columns.stored_column_names`), so the SQL, the rows and later
reads agree. ``progress(rows_sent, total_rows)`` follows each stored batch; setting
``cancel`` stops the upload, deletes the half-made dataset and raises
:class:`~ouro_desktop.api.errors.UploadCancelled`. Any other failure also deletes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from ..dataset_columns import stored_column_names
from ._http import HttpSession
from .asset_models import DatasetAsset
from .errors import APIStatusError, OuroError, ResponseError, UploadCancelled

__all__ = [
    "COLUMN_TYPES",
    "DEFAULT_BATCH_BYTES",
    "ColumnSpec",
    "create_dataset",
    "create_table_sql",
]

RowsProgress = Callable[[int, int], None]

# JSON bytes per row batch. ouro-py aims at 6,000,000; smaller batches keep both the app
# and the in-process demo backend lean (each side holds a few batches at once) and cost
# little on a fast link.
DEFAULT_BATCH_BYTES = 1_000_000
INLINE_CREATE_BYTES = 6_000_000  # the whole create body, rows included, at most this (§13.5)
GZIP_MIN_BYTES = 2048
PREVIEW_ROWS = 12
MIN_BATCH_BYTES = 16 * 1024
# Column kinds (as the app's table reader infers them) and their SQL types (as ouro-py's).
COLUMN_TYPES = {
    "integer": "BIGINT",
    "number": "DOUBLE PRECISION",
    "boolean": "BOOLEAN",
    "date-time": "TIMESTAMP WITH TIME ZONE",
    "date": "DATE",
    "text": "TEXT",
}


@dataclass(frozen=True)
class ColumnSpec:
    """A column to create: its name (made a stored name on the way) and kind."""

    name: str
    kind: str = "text"  # a key of COLUMN_TYPES


def create_table_sql(names: Sequence[str], kinds: Sequence[str]) -> str:
    """The ``CREATE TABLE`` text ouro-py sends (the table name is a placeholder, §13.5)."""
    lines = ",\n  ".join(
        '"{}" {}'.format(n.replace('"', '""'), COLUMN_TYPES.get(k, "TEXT"))
        for n, k in zip(names, kinds, strict=True)
    )
    return f'CREATE TABLE IF NOT EXISTS datasets."dataset" (\n{lines}\n)'


def _gzip(data: bytes) -> bytes:
    """gzip at level 1, as ouro-py does (fast; JSON rows still shrink several times)."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def _body(rows: Sequence[bytes], last: bool) -> bytes:
    end = b'],"mode":"append","finalize":' + (b"true}" if last else b"false}")
    return b'{"rows":[' + b",".join(rows) + end


def _wire(body: bytes) -> tuple[bytes, dict[str, str]]:
    if len(body) >= GZIP_MIN_BYTES:
        return _gzip(body), {"Content-Encoding": "gzip"}
    return body, {}


class _RowEncoder:
    """Rows (sequences aligned with the columns) as compact JSON objects."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self._dumps = json.JSONEncoder(
            ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode

    def encode(self, row: Sequence[Any]) -> bytes:
        try:
            record = dict(zip(self.names, row, strict=True))
        except ValueError:
            raise ValueError(f"a row has {len(row)} values for {len(self.names)} columns") from None
        try:
            return self._dumps(record).encode("utf-8")
        except ValueError:  # NaN or infinity: JSON has no such number, Ouro stores null
            clean = {
                k: None if isinstance(v, float) and not math.isfinite(v) else v
                for k, v in record.items()
            }
            return self._dumps(clean).encode("utf-8")


@dataclass
class _Batch:
    rows: list[bytes]
    last: bool
    size: int  # JSON bytes of the rows, commas included
    wire: bytes = b""
    headers: dict[str, str] | None = None


class _Producer:
    """Pulls rows and makes batches in a worker thread, one row of look-ahead so each
    batch knows whether it is the last (``finalize``)."""

    def __init__(self, rows: Iterable[Sequence[Any]], encoder: _RowEncoder, limit: int) -> None:
        self._rows: Iterator[Sequence[Any]] = iter(rows)
        self._encoder = encoder
        self.limit = limit  # lowered after a 413; read at the start of each batch
        self._held: bytes | None = None
        self._done = False
        self.stop = threading.Event()

    def _next_row(self) -> bytes | None:
        if self._held is not None:
            row, self._held = self._held, None
            return row
        if self._done:
            return None
        try:
            return self._encoder.encode(next(self._rows))
        except StopIteration:
            self._done = True
            return None

    def batch(self, *, compress: bool = True) -> _Batch | None:
        """The next batch (``None`` at the end); blocking, for a worker thread."""
        limit = self.limit
        rows: list[bytes] = []
        size = 0
        if self._held is not None:
            rows.append(self._held)
            size = len(self._held) + 1
            self._held = None
        encode = self._encoder.encode
        stop = self.stop
        if not self._done:
            # The hot loop of big uploads: locals only, the stop flag looked at now and then.
            for count, row in enumerate(self._rows):
                data = encode(row)
                if rows and size + len(data) + 1 > limit:
                    self._held = data
                    break
                rows.append(data)
                size += len(data) + 1
                if count % 1024 == 1023 and stop.is_set():
                    return None
            else:
                self._done = True
        if stop.is_set() or not rows:
            return None
        last = self._held is None and self._next_row_is_end()
        batch = _Batch(rows, last, size)
        if compress:
            batch.wire, batch.headers = _wire(_body(rows, last))
        return batch

    def _next_row_is_end(self) -> bool:
        row = self._next_row()
        if row is None:
            return True
        self._held = row
        return False


async def create_dataset(
    http: HttpSession,
    *,
    name: str,
    columns: Sequence[ColumnSpec],
    rows: Iterable[Sequence[Any]],
    description: str = "",
    visibility: str = "private",
    total_rows: int = 0,
    progress: RowsProgress | None = None,
    cancel: asyncio.Event | None = None,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
) -> DatasetAsset:
    """Create a dataset and stream ``rows`` into it; returns the dataset as stored."""
    if not columns:
        raise ValueError("a dataset needs at least one column")
    names = stored_column_names([c.name for c in columns])
    kinds = [c.kind if c.kind in COLUMN_TYPES else "text" for c in columns]
    producer = _Producer(rows, _RowEncoder(names), max(MIN_BATCH_BYTES, batch_bytes))
    _check_cancel(cancel)
    first = await asyncio.to_thread(producer.batch, compress=False)
    if first is None:
        raise ValueError("a dataset needs at least one row")
    preview = [json.loads(r) for r in first.rows[:PREVIEW_ROWS]]
    spec: dict[str, Any] = {
        "name": name,
        "visibility": visibility,
        "description": description or None,
        "schema": create_table_sql(names, kinds),
        "source": "api",
        "asset_type": "dataset",
        "preview": preview,
        "metadata": {"schema": "datasets", "columns": names},
        "attribution": {"originality": "original"},
    }
    spec = {k: v for k, v in spec.items() if v is not None}
    head = json.dumps({"dataset": spec}, ensure_ascii=False, separators=(",", ":")).encode()
    inline = first.last and len(head) + first.size + len(b',"rows":[]') <= INLINE_CREATE_BYTES
    if inline:
        body = head[:-2] + b',"rows":[' + b",".join(first.rows) + b"]}}"
    else:
        body = head
    wire, headers = await asyncio.to_thread(_wire, body)
    created = await http.call(
        "POST", "/datasets/create/from-schema", content=wire, headers=headers, retry=False
    )
    dataset = DatasetAsset.from_json(created.get("data"))
    warnings: list[str] = []
    _note_warning(created, warnings)
    try:
        if inline:
            ingest = created.get("row_ingest")
            inserted = _count(ingest, "inserted") if isinstance(ingest, dict) else len(first.rows)
            if progress is not None:
                progress(inserted, max(total_rows, inserted))
        else:
            first.wire, first.headers = await asyncio.to_thread(
                _wire, _body(first.rows, first.last)
            )
            inserted = await _stream(
                http, dataset.id, producer, first, total_rows, progress, cancel, warnings
            )
        stored = await http.call("GET", f"/datasets/{quote(dataset.id, safe='')}")
    except BaseException:
        producer.stop.set()
        await _discard(http, dataset.id)
        raise
    return replace(
        DatasetAsset.from_json(stored.get("data")), inserted=inserted, warnings=tuple(warnings)
    )


async def _stream(
    http: HttpSession,
    dataset_id: str,
    producer: _Producer,
    first: _Batch,
    total_rows: int,
    progress: RowsProgress | None,
    cancel: asyncio.Event | None,
    warnings: list[str],
) -> int:
    """Send ``first`` and every later batch; the next batch is made while one is sent."""
    path = f"/datasets/{quote(dataset_id, safe='')}/data"
    queue: asyncio.Queue[_Batch | Exception | None] = asyncio.Queue(maxsize=1)

    async def produce() -> None:
        while True:
            try:
                batch = await asyncio.to_thread(producer.batch)
            except Exception as exc:  # a row the reader could not read: the sender raises it
                await queue.put(exc)
                return
            await queue.put(batch)
            if batch is None or batch.last:
                return

    maker = asyncio.ensure_future(produce()) if not first.last else None
    sent = 0
    try:
        batch: _Batch | None = first
        while batch is not None:
            pending = [batch]
            while pending:
                _check_cancel(cancel)
                part = pending.pop(0)
                try:
                    answer = await _send(http, path, part, cancel)
                except APIStatusError as exc:
                    if exc.status != 413 or len(part.rows) == 1:
                        raise
                    # Too large for the server: this batch in halves, later ones smaller.
                    producer.limit = max(MIN_BATCH_BYTES, part.size // 2)
                    pending[0:0] = await asyncio.to_thread(_halves, part)
                    continue
                _note_warning(answer, warnings)
                data = answer.get("data")
                ingest = answer.get("row_ingest", data)
                sent += _count(ingest, "inserted") if isinstance(ingest, dict) else len(part.rows)
                if progress is not None:
                    progress(sent, max(total_rows, sent))
            if batch.last or maker is None:
                break
            item = await queue.get()
            if isinstance(item, Exception):
                raise item
            batch = item
    finally:
        producer.stop.set()
        if maker is not None:
            maker.cancel()
            with contextlib.suppress(asyncio.CancelledError, OuroError):
                await maker
    return sent


def _halves(batch: _Batch) -> list[_Batch]:
    mid = len(batch.rows) // 2
    out = []
    for rows, last in ((batch.rows[:mid], False), (batch.rows[mid:], batch.last)):
        wire, headers = _wire(_body(rows, last))
        out.append(_Batch(rows, last, sum(len(r) + 1 for r in rows), wire, headers))
    return out


async def _send(
    http: HttpSession, path: str, batch: _Batch, cancel: asyncio.Event | None
) -> dict[str, Any]:
    # Never retried: an append that reached the server would be stored twice.
    send = asyncio.ensure_future(
        http.call("POST", path, content=batch.wire, headers=batch.headers, retry=False)
    )
    if cancel is None:
        return await send
    waiter = asyncio.ensure_future(cancel.wait())
    try:
        done, _ = await asyncio.wait({send, waiter}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        send.cancel()
        raise
    finally:
        waiter.cancel()
    if send in done:
        return send.result()
    send.cancel()
    with contextlib.suppress(asyncio.CancelledError, OuroError):
        await send
    raise UploadCancelled("The upload was cancelled.")


def _check_cancel(cancel: asyncio.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise UploadCancelled("The upload was cancelled.")


def _count(ingest: dict[str, Any], key: str) -> int:
    value = ingest.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ResponseError("The server's answer does not say how many rows it stored.")
    return value


def _note_warning(body: dict[str, Any], into: list[str]) -> None:
    warning = body.get("warning")
    message = warning.get("message") if isinstance(warning, dict) else warning
    if isinstance(message, str) and message and message not in into:
        into.append(message)


async def _discard(http: HttpSession, dataset_id: str) -> None:
    """Delete a dataset whose upload did not finish (best effort: it may be unreachable)."""
    with contextlib.suppress(OuroError, asyncio.CancelledError):
        await asyncio.shield(
            http.request(
                "DELETE",
                f"/datasets/{quote(dataset_id, safe='')}",
                params={"delete_children": "false", "dry_run": "false"},
            )
        )
