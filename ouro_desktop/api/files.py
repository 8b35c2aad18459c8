"""Moving file bytes: uploads into Ouro and downloads out of it (ouro-protocol.md §8).

Small files go as base64 in ``POST /files/upload``. Larger ones take the signed-URL road:
``POST /files/upload-url``, a PUT **streamed from disk in chunks** (never the whole file
in memory) with progress and cancel, then ``POST /files/upload/complete``. Either way
the storage object becomes a File asset through ``GET /files/{id}/metadata`` and
``POST /files/create``. Downloads stream a signed URL into a temporary file that is
renamed into place only when complete. Disk work runs in threads, off the event loop.

What is uploaded is exactly what was read, and known: a small file is read once into a
private snapshot (or the caller passes the bytes it already checked) and those bytes are
sent; a large one is hashed chunk by chunk as it streams. :func:`upload_file_checked`
returns the SHA-256 of the bytes sent. Given the :class:`FileStamp` (size and
modification time) the caller checked, a file that no longer matches it -- before the
read, or by the end of it (changed or emptied while being read) -- raises
:class:`FileChangedError` and nothing is turned into a File asset.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import mimetypes
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from ouro_desktop.new_files import create_beside

from ._http import HttpSession
from .errors import FileChangedError, OuroError, ResponseError, UploadCancelled
from .models import FileAsset

Progress = Callable[[int, int], None]

CHUNK_BYTES = 1024 * 1024
DEFAULT_UPLOAD_THRESHOLD = 4 * 1024 * 1024
# A download slower than this on average is given up (only when the size is known).
MIN_DOWNLOAD_RATE = 32 * 1024
# Python's table lacks the structure formats this app lives on (§8.1: never a null type).
_EXTRA_TYPES = {
    "cif": "chemical/x-cif",
    "mcif": "chemical/x-cif",
    "pdb": "chemical/x-pdb",
    "xyz": "chemical/x-xyz",
    "sdf": "chemical/x-mdl-sdfile",
    "mol": "chemical/x-mdl-molfile",
    "poscar": "text/plain",
}


@dataclass(frozen=True)
class FileStamp:
    """A file's version as cheaply known: its size and modification time (ns)."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, info: os.stat_result) -> FileStamp:
        return cls(info.st_size, info.st_mtime_ns)


@dataclass(frozen=True)
class SentFile:
    """A finished upload: the File asset and the SHA-256 and size of the bytes sent."""

    asset: FileAsset
    sha256: str
    size: int


def _changed(name: str) -> FileChangedError:
    return FileChangedError(
        f"“{name}” changed after it was checked (it may still be being written); "
        "nothing was uploaded."
    )


def _check_stamp(handle: IO[bytes], expect: FileStamp | None, name: str) -> FileStamp:
    stamp = FileStamp.of(os.fstat(handle.fileno()))
    if expect is not None and stamp != expect:
        raise _changed(name)
    return stamp


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_snapshot(path: Path, expect: FileStamp | None = None) -> tuple[bytes, FileStamp]:
    """The whole file, read once, and its stamp (blocking; for small files).

    Raises :class:`FileChangedError` if the file does not match ``expect`` or changed
    while it was read, and ``OSError`` if it can't be read.
    """
    path = Path(path)
    with path.open("rb") as handle:
        before = _check_stamp(handle, expect, path.name)
        data = handle.read()
        after = FileStamp.of(os.fstat(handle.fileno()))
    if after != before or len(data) != before.size:
        raise _changed(path.name)
    return data, before


def content_type_for(name: str) -> str:
    ext = Path(name).suffix.lower().lstrip(".")
    return _EXTRA_TYPES.get(ext) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _data(body: dict[str, Any], what: str) -> dict[str, Any]:
    data = body.get("data")
    if not isinstance(data, dict):
        raise ResponseError(f"The server's answer to {what} is not usable.")
    return data


def _text(data: dict[str, Any], key: str, what: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ResponseError(f"The server's answer to {what} has no usable '{key}'.")
    return value


class _Digest:
    """The SHA-256 of one attempt's bytes (restarted when a PUT is retried from the start),
    and why reading the file failed, if it did."""

    def __init__(self) -> None:
        self.hasher = hashlib.sha256()
        self.size = 0
        # A failure while reading (a changed file, a cancel) is kept here: a server may
        # turn the aborted body into a 5xx -- which would be retried -- or even a 2xx.
        self.failure: OuroError | None = None

    def restart(self) -> None:
        self.hasher = hashlib.sha256()
        self.size = 0


def _read_and_hash(handle: IO[bytes], digest: _Digest) -> bytes:
    chunk = handle.read(CHUNK_BYTES)
    digest.hasher.update(chunk)  # in the worker thread: hashing never stalls the loop
    digest.size += len(chunk)
    return chunk


def _chunks_of(
    path: Path,
    size: int,
    progress: Progress | None,
    cancel: asyncio.Event | None,
    expect: FileStamp | None,
    digest: _Digest,
) -> AsyncIterator[bytes]:
    """A fresh body for one PUT attempt; none once reading the file has failed."""
    if digest.failure is not None:
        raise digest.failure
    return _read_chunks(path, size, progress, cancel, expect, digest)


async def _read_chunks(
    path: Path,
    size: int,
    progress: Progress | None,
    cancel: asyncio.Event | None,
    expect: FileStamp | None = None,
    digest: _Digest | None = None,
) -> AsyncIterator[bytes]:
    """The file in ``CHUNK_BYTES`` pieces, read (and hashed) in a worker thread."""
    digest = digest or _Digest()
    digest.restart()
    try:
        handle: IO[bytes] = await asyncio.to_thread(path.open, "rb")
        sent = 0
        try:
            before = await asyncio.to_thread(_check_stamp, handle, expect, path.name)
            while True:
                if cancel is not None and cancel.is_set():
                    raise UploadCancelled("The upload was cancelled.")
                chunk = await asyncio.to_thread(_read_and_hash, handle, digest)
                if not chunk:
                    break
                sent += len(chunk)
                if sent > size:
                    raise ResponseError("The file grew while it was being uploaded; try again.")
                yield chunk
                if progress is not None:
                    progress(sent, size)
            after = await asyncio.to_thread(_check_stamp, handle, None, path.name)
        finally:
            await asyncio.to_thread(handle.close)
        if sent != size or after != before:
            raise FileChangedError(
                f"“{path.name}” changed while it was being uploaded; it was not stored. "
                "Try again once it is saved."
            )
    except OuroError as exc:
        digest.failure = exc
        raise


async def _until_cancelled(work: asyncio.Future[Any], cancel: asyncio.Event | None) -> Any:
    """Await ``work``; if ``cancel`` is set first, stop it and raise UploadCancelled."""
    if cancel is None:
        return await work
    waiter = asyncio.ensure_future(cancel.wait())
    try:
        done, _ = await asyncio.wait({work, waiter}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        work.cancel()
        raise
    finally:
        waiter.cancel()
    if work in done:
        return work.result()
    work.cancel()
    with contextlib.suppress(asyncio.CancelledError, OuroError):
        await work
    raise UploadCancelled("The upload was cancelled.")


async def _store_small(
    http: HttpSession, data: bytes, file_name: str, visibility: str, mime: str
) -> dict[str, Any]:
    encoded = await asyncio.to_thread(lambda: base64.b64encode(data).decode("ascii"))
    body = await http.call(
        "POST",
        "/files/upload",
        json_body={
            "file_name": file_name,
            "file_base64": encoded,
            "visibility": visibility,
            "content_type": mime,
        },
    )
    answer = _data(body, "the upload")
    return {
        "id": _text(answer, "id", "the upload"),
        "bucket": _text(answer, "bucket", "the upload"),
        "path": _text(answer, "path", "the upload"),
    }


async def _store_large(
    http: HttpSession,
    path: Path,
    size: int,
    file_name: str,
    visibility: str,
    mime: str,
    progress: Progress | None,
    cancel: asyncio.Event | None,
    expect: FileStamp | None,
    expect_sha256: str | None,
    digest: _Digest,
) -> dict[str, Any]:
    what = "the upload request"
    ticket = _data(
        await http.call(
            "POST",
            "/files/upload-url",
            json_body={"file_name": file_name, "visibility": visibility, "content_type": mime},
        ),
        what,
    )
    upload_id = _text(ticket, "upload_id", what)
    url = _text(ticket, "upload_url", what)
    method = str(ticket.get("method") or "PUT").upper()
    if method not in ("PUT", "POST"):
        raise ResponseError(f"The server asked for an unsupported upload method ({method}).")
    raw_headers = ticket.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raise ResponseError("The server's upload instructions are not usable.")
    headers = {str(k): str(v) for k, v in raw_headers.items()}
    send = asyncio.ensure_future(
        http.put_stream(
            url,
            method=method,
            headers=headers,
            content=lambda: _chunks_of(path, size, progress, cancel, expect, digest),
            size=size,
        )
    )
    try:
        try:
            await _until_cancelled(send, cancel)
        except OuroError:
            if digest.failure is not None:
                raise digest.failure from None
            raise
        if digest.failure is not None:
            raise digest.failure
        if expect_sha256 is not None and digest.hasher.hexdigest() != expect_sha256.lower():
            # Same size and time, other bytes (or a torn read): not the file that was checked.
            raise FileChangedError(
                f"“{path.name}” changed while it was being uploaded; it was not stored. "
                "Try again once it is saved."
            )
    except (UploadCancelled, FileChangedError):
        with contextlib.suppress(OuroError):
            await http.request("DELETE", "/files/upload", json_body={"upload_id": upload_id})
        raise
    done = _data(
        await http.call(
            "POST",
            "/files/upload/complete",
            json_body={"upload_id": upload_id, "file_name": file_name},
        ),
        "the upload completion",
    )
    return {
        "id": _text(done, "id", "the upload completion"),
        "bucket": _text(done, "bucket", "the upload completion"),
        "path": _text(done, "path", "the upload completion"),
    }


async def upload_file(
    http: HttpSession,
    path: Path,
    *,
    name: str | None,
    visibility: str,
    progress: Progress | None,
    cancel: asyncio.Event | None,
    threshold: int,
) -> FileAsset:
    sent = await upload_file_checked(
        http,
        path,
        name=name,
        visibility=visibility,
        progress=progress,
        cancel=cancel,
        threshold=threshold,
    )
    return sent.asset


async def upload_file_checked(
    http: HttpSession,
    path: Path,
    *,
    name: str | None,
    visibility: str,
    progress: Progress | None,
    cancel: asyncio.Event | None,
    threshold: int,
    expect: FileStamp | None = None,
    data: bytes | None = None,
    expect_sha256: str | None = None,
) -> SentFile:
    """Upload ``path`` (or ``data``, its bytes as already read) as a File asset.

    ``expect`` is the file's stamp as checked: a file that no longer matches it, or
    changes while it is read, raises :class:`FileChangedError`, as does a streamed file
    whose bytes do not hash to ``expect_sha256``. Returns the asset and the SHA-256 of
    the bytes that were sent.
    """
    path = Path(path)
    # An undecodable byte in a file name (surrogate-escaped by Python) can't go into JSON:
    # send the name with such bytes replaced, keeping its extension.
    file_name = path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    mime = content_type_for(file_name)
    if cancel is not None and cancel.is_set():
        raise UploadCancelled("The upload was cancelled.")
    try:
        if data is None:
            size = (await asyncio.to_thread(path.stat)).st_size
            if size <= threshold:
                data, _stamp = await asyncio.to_thread(read_snapshot, path, expect)
        else:
            size = len(data)
    except OSError as exc:
        raise OuroError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    digest = _Digest()
    try:
        if data is not None:
            size = len(data)
            sha256 = await asyncio.to_thread(sha256_of, data)
            if expect_sha256 is not None and sha256 != expect_sha256.lower():
                raise _changed(path.name)
            stored = await _store_small(http, data, file_name, visibility, mime)
            if progress is not None:
                progress(size, size)
        else:
            stored = await _store_large(
                http,
                path,
                size,
                file_name,
                visibility,
                mime,
                progress,
                cancel,
                expect,
                expect_sha256,
                digest,
            )
            sha256 = digest.hasher.hexdigest()
    except OSError as exc:
        raise OuroError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    file_id = stored["id"]
    meta_body = await http.call("GET", f"/files/{quote(file_id, safe='')}/metadata")
    server = _data(meta_body, "the file details")
    server_meta = server.get("metadata") if isinstance(server.get("metadata"), dict) else {}
    assert isinstance(server_meta, dict)
    preview = server.get("preview") if isinstance(server.get("preview"), list) else None
    extension = Path(file_name).suffix.lower().lstrip(".") or None
    metadata = {
        "id": file_id,
        "name": stored["path"].rsplit("/", 1)[-1],
        "bucket": stored["bucket"],
        "path": stored["path"],
        "type": server_meta.get("type") or mime,
        "mimeType": server_meta.get("mimeType") or server_meta.get("type") or mime,
        "extension": server_meta.get("extension") or extension,
        "size": server_meta.get("size") or size,
    }
    created = await http.call(
        "POST",
        "/files/create",
        json_body={
            "file": {
                "id": file_id,
                "name": name or file_name,
                "visibility": visibility,
                "source": "api",
                "asset_type": "file",
                "attribution": {"originality": "original"},
                "metadata": metadata,
                "preview": preview,
            }
        },
    )
    return SentFile(FileAsset.from_json(created.get("data")), sha256, size)


async def download_file(
    http: HttpSession, file_id: str, dest: Path, progress: Progress | None
) -> Path:
    segment = quote(file_id, safe="")
    asset = FileAsset.from_json((await http.call("GET", f"/files/{segment}")).get("data"))
    body = await http.call("GET", f"/files/{segment}/data")
    url = _text(_data(body, "the download request"), "url", "the download request")
    size = asset.size if asset.size is not None and asset.size >= 0 else None
    return await save_url(http, url, Path(dest), size, progress)


async def save_url(
    http: HttpSession, url: str, dest: Path, size: int | None, progress: Progress | None
) -> Path:
    """Stream a signed URL into ``dest`` (written whole or not at all)."""
    dest = Path(dest)
    state = {"received": 0, "total": size or 0}

    async def on_start(length: int | None) -> None:
        await asyncio.to_thread(handle.seek, 0)
        await asyncio.to_thread(handle.truncate)
        state["received"] = 0
        state["total"] = length or size or 0

    async def on_chunk(chunk: bytes) -> None:
        await asyncio.to_thread(handle.write, chunk)
        state["received"] += len(chunk)
        if progress is not None:
            progress(state["received"], max(state["total"], state["received"]))

    async with _whole_or_nothing(dest) as handle:
        await http.stream_get(
            url,
            on_start=on_start,
            on_chunk=on_chunk,
            max_bytes=size,
            deadline=None if size is None else http.deadline + size / MIN_DOWNLOAD_RATE,
        )
    return dest


async def save_api_answer(
    http: HttpSession, path: str, dest: Path, progress: Progress | None
) -> Path:
    """Stream the answer of ``GET path`` (no size cap) into ``dest``, whole or not at all."""
    received = 0

    async def on_chunk(chunk: bytes) -> None:
        nonlocal received
        await asyncio.to_thread(handle.write, chunk)
        received += len(chunk)
        if progress is not None:
            progress(received, 0)

    async with _whole_or_nothing(dest) as handle:
        # Time enough for the biggest answers at a slow rate.
        await http.stream_api_get(path, on_chunk=on_chunk, deadline=http.deadline * 10)
    return dest


@contextlib.asynccontextmanager
async def _whole_or_nothing(dest: Path) -> AsyncIterator[IO[bytes]]:
    """A file to stream ``dest`` into, moved into place only when everything was written:
    a failure or a cancel leaves no partial file (an OSError becomes an OuroError)."""
    try:
        fd, tmp_name = await asyncio.to_thread(
            create_beside, dest.parent, f".{dest.name}.", ".part"
        )
    except OSError as exc:
        raise OuroError(f"Cannot save into {dest.parent}: {exc.strerror or exc}.") from exc
    handle = os.fdopen(fd, "wb")
    try:
        yield handle
        await asyncio.to_thread(handle.close)
        await asyncio.to_thread(os.replace, tmp_name, dest)
    except OSError as exc:
        _discard(handle, tmp_name)
        raise OuroError(f"Cannot save {dest.name}: {exc.strerror or exc}.") from exc
    except BaseException:
        _discard(handle, tmp_name)
        raise


def _discard(handle: IO[bytes], tmp_name: str) -> None:
    handle.close()
    with contextlib.suppress(OSError):
        os.unlink(tmp_name)
