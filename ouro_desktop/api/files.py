"""Moving file bytes: uploads into Ouro and downloads out of it (ouro-protocol.md §8).

Small files go as base64 in ``POST /files/upload``. Larger ones take the signed-URL road:
``POST /files/upload-url``, a PUT **streamed from disk in chunks** (never the whole file
in memory) with progress and cancel, then ``POST /files/upload/complete``. Either way
the storage object becomes a File asset through ``GET /files/{id}/metadata`` and
``POST /files/create``. Downloads stream a signed URL into a temporary file that is
renamed into place only when complete. Disk work runs in threads, off the event loop.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import mimetypes
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from ._http import HttpSession
from .errors import OuroError, ResponseError, UploadCancelled
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


async def _read_chunks(
    path: Path, size: int, progress: Progress | None, cancel: asyncio.Event | None
) -> AsyncIterator[bytes]:
    """The file in ``CHUNK_BYTES`` pieces, read in a worker thread, with progress."""
    handle: IO[bytes] = await asyncio.to_thread(path.open, "rb")
    sent = 0
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise UploadCancelled("The upload was cancelled.")
            chunk = await asyncio.to_thread(handle.read, CHUNK_BYTES)
            if not chunk:
                break
            sent += len(chunk)
            if sent > size:
                raise ResponseError("The file grew while it was being uploaded; try again.")
            yield chunk
            if progress is not None:
                progress(sent, size)
    finally:
        await asyncio.to_thread(handle.close)
    if sent != size:
        raise ResponseError("The file changed while it was being uploaded; try again.")


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
    http: HttpSession, path: Path, file_name: str, visibility: str, mime: str
) -> dict[str, Any]:
    def encode() -> str:
        return base64.b64encode(path.read_bytes()).decode("ascii")

    encoded = await asyncio.to_thread(encode)
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
    data = _data(body, "the upload")
    return {
        "id": _text(data, "id", "the upload"),
        "bucket": _text(data, "bucket", "the upload"),
        "path": _text(data, "path", "the upload"),
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
            content=lambda: _read_chunks(path, size, progress, cancel),
            size=size,
        )
    )
    try:
        await _until_cancelled(send, cancel)
    except UploadCancelled:
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
    path = Path(path)
    try:
        size = (await asyncio.to_thread(path.stat)).st_size
    except OSError as exc:
        raise OuroError(f"Cannot read {path.name}: {exc.strerror or exc}.") from exc
    # An undecodable byte in a file name (surrogate-escaped by Python) can't go into JSON:
    # send the name with such bytes replaced, keeping its extension.
    file_name = path.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    mime = content_type_for(file_name)
    if cancel is not None and cancel.is_set():
        raise UploadCancelled("The upload was cancelled.")
    try:
        if size <= threshold:
            stored = await _store_small(http, path, file_name, visibility, mime)
            if progress is not None:
                progress(size, size)
        else:
            stored = await _store_large(
                http, path, size, file_name, visibility, mime, progress, cancel
            )
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
    return FileAsset.from_json(created.get("data"))


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
    try:
        fd, tmp_name = await asyncio.to_thread(
            tempfile.mkstemp, prefix=f".{dest.name}.", suffix=".part", dir=dest.parent
        )
    except OSError as exc:
        raise OuroError(f"Cannot save into {dest.parent}: {exc.strerror or exc}.") from exc
    handle = os.fdopen(fd, "wb")
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

    try:
        await http.stream_get(
            url,
            on_start=on_start,
            on_chunk=on_chunk,
            max_bytes=size,
            deadline=None if size is None else http.deadline + size / MIN_DOWNLOAD_RATE,
        )
        await asyncio.to_thread(handle.close)
        await asyncio.to_thread(os.replace, tmp_name, dest)
    except OSError as exc:
        _discard(handle, tmp_name)
        raise OuroError(f"Cannot save {dest.name}: {exc.strerror or exc}.") from exc
    except BaseException:
        _discard(handle, tmp_name)
        raise
    return dest


async def save_api_answer(
    http: HttpSession, path: str, dest: Path, progress: Progress | None
) -> Path:
    """Stream the answer of ``GET path`` (no size cap) into ``dest``, whole or not at all."""
    try:
        fd, tmp_name = await asyncio.to_thread(
            tempfile.mkstemp, prefix=f".{dest.name}.", suffix=".part", dir=dest.parent
        )
    except OSError as exc:
        raise OuroError(f"Cannot save into {dest.parent}: {exc.strerror or exc}.") from exc
    handle = os.fdopen(fd, "wb")
    received = 0

    async def on_chunk(chunk: bytes) -> None:
        nonlocal received
        await asyncio.to_thread(handle.write, chunk)
        received += len(chunk)
        if progress is not None:
            progress(received, 0)

    try:
        # Time enough for the biggest answers at a slow rate.
        await http.stream_api_get(path, on_chunk=on_chunk, deadline=http.deadline * 10)
        await asyncio.to_thread(handle.close)
        await asyncio.to_thread(os.replace, tmp_name, dest)
    except OSError as exc:
        _discard(handle, tmp_name)
        raise OuroError(f"Cannot save {dest.name}: {exc.strerror or exc}.") from exc
    except BaseException:
        _discard(handle, tmp_name)
        raise
    return dest


def _discard(handle: IO[bytes], tmp_name: str) -> None:
    handle.close()
    with contextlib.suppress(OSError):
        os.unlink(tmp_name)
