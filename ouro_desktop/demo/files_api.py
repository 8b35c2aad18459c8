"""File and storage endpoints of the demo backend (ouro-protocol.md §8, §12.5).

Small files arrive as base64 JSON; large ones through a signed upload URL that is
streamed to disk in chunks. Downloads are signed URLs served without Ouro auth.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse
from starlette.routing import Route

from . import catalog
from .errors import ApiError
from .files import file_name_for_download
from .http import Caller, endpoint, json_body, ok

if TYPE_CHECKING:
    from .app import DemoBackend

_VISIBILITIES = {"public", "private", "organization", "monetized", "inherit"}


def _backend(request: Request) -> DemoBackend:
    return request.app.state.backend  # type: ignore[no-any-return]


def _check_cap(backend: DemoBackend, size: int) -> None:
    cap = backend.faults.upload_cap_bytes
    if cap is not None and size > cap:
        raise ApiError(413, "Payload too large", "payload_too_large", limit_bytes=cap)


def _visibility(value: object) -> str:
    text = str(value or "private")
    if text not in _VISIBILITIES:
        raise ApiError(400, f"Unknown visibility '{text}'.")
    return text


@endpoint()
async def upload_base64(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    length = request.headers.get("content-length")
    if length and length.isdigit():
        _check_cap(backend, int(length))
    body = await json_body(request)
    name, data64 = body.get("file_name"), body.get("file_base64")
    if not isinstance(name, str) or not name.strip() or not isinstance(data64, str):
        raise ApiError(400, "file_name and file_base64 are required.")
    try:
        data = base64.b64decode(data64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(400, "file_base64 is not valid base64.") from exc
    _check_cap(backend, len(data))
    obj = backend.files.store_bytes(
        caller.user["id"], name, data, _visibility(body.get("visibility")), body.get("content_type")
    )
    return ok(
        {
            "id": obj["id"],
            "bucket": obj["bucket"],
            "path": obj["path"],
            "fullPath": f"{obj['bucket']}/{obj['path']}",
        }
    )


@endpoint()
async def upload_url(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    body = await json_body(request)
    name = body.get("file_name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "file_name is required.")
    row = backend.files.create_upload(
        caller.user["id"], name, _visibility(body.get("visibility")), body.get("content_type")
    )
    return ok(
        {
            "upload_id": row["upload_id"],
            "upload_url": f"{backend.files.public_base}/storage/upload/{row['token']}",
            "method": "PUT",
            "headers": {"Content-Type": row["mime"]},
            "expires_in": 3600,
            "bucket": row["bucket"],
            "path": row["path"],
            "mime_type": row["mime"],
        }
    )


@endpoint(auth=False)
async def storage_put(request: Request) -> Response:
    """The signed upload target: no Ouro auth, the token in the URL is the permission."""
    backend = _backend(request)
    upload = backend.store.upload(token=request.path_params["token"])
    if upload is None or upload["expires"] < backend.store.clock():
        raise ApiError(403, "This upload link is invalid or has expired.", "invalid_signature")
    length = request.headers.get("content-length")
    if length and length.isdigit():
        _check_cap(backend, int(length))
    target = backend.store.blob_path(upload["bucket"], upload["path"])
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    size = 0
    try:
        with partial.open("wb") as fh:
            async for chunk in request.stream():
                size += len(chunk)
                _check_cap(backend, size)
                fh.write(chunk)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    backend.store.set_upload(upload["upload_id"], size=size)
    return ok({"size": size})


@endpoint()
async def upload_complete(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    body = await json_body(request)
    upload_id = body.get("upload_id")
    if not isinstance(upload_id, str):
        raise ApiError(400, "upload_id is required.")
    if body.get("download"):
        upload = backend.store.upload(upload_id=upload_id)
        if upload is None or upload["user_id"] != caller.user["id"] or upload["size"] is None:
            raise ApiError(404, "Upload not found.", "upload_not_found")
        return ok({"download_url": backend.files.signed_url(upload["bucket"], upload["path"])})
    obj = backend.files.complete_upload(caller.user["id"], upload_id, body.get("file_name"))
    return ok(
        {
            "id": obj["id"],
            "bucket": obj["bucket"],
            "path": obj["path"],
            "mime_type": obj["mime"],
            "size": obj["size"],
            "file_name": obj["file_name"],
        }
    )


@endpoint()
async def upload_discard(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    body = await json_body(request)
    upload = backend.store.upload(upload_id=str(body.get("upload_id")))
    if upload is None or upload["user_id"] != caller.user["id"]:
        raise ApiError(404, "Upload not found.", "upload_not_found")
    if upload["object_id"] is None:
        backend.store.blob_path(upload["bucket"], upload["path"]).unlink(missing_ok=True)
    backend.store.delete_upload(upload["upload_id"])
    return ok(None)


@endpoint()
async def file_metadata(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    obj = backend.files.object_for(caller.user["id"], request.path_params["id"])
    return ok(backend.files.object_metadata(obj))


@endpoint()
async def create_file(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    body = await json_body(request)
    spec = body.get("file")
    if not isinstance(spec, dict):
        raise ApiError(400, "A 'file' object is required.")
    spec["visibility"] = _visibility(spec.get("visibility"))
    return ok(backend.files.create_file_asset(caller.user, spec))


@endpoint()
async def get_file(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    return ok(catalog.clean(backend.files.readable_file(caller.user, request.path_params["id"])))


@endpoint()
async def update_file(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    asset = backend.files.readable_file(caller.user, request.path_params["id"])
    if asset["user_id"] != caller.user["id"]:
        raise ApiError(403, "Only the owner can change this file.")
    spec = (await json_body(request)).get("file") or {}
    for key in ("name", "visibility", "license_id"):
        if spec.get(key):
            asset[key] = _visibility(spec[key]) if key == "visibility" else spec[key]
    if isinstance(spec.get("description"), str):
        from .rows import rich_text

        asset["description"] = rich_text(spec["description"])
    asset["last_updated"] = backend.store.now_iso()
    backend.store.put_asset(asset, asset["name"])
    return ok(asset)


@endpoint()
async def delete_file(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    asset = backend.files.readable_file(caller.user, request.path_params["id"])
    if asset["user_id"] != caller.user["id"]:
        raise ApiError(403, "Only the owner can delete this file.")
    dry = request.query_params.get("dry_run", "false").lower() == "true"
    if not dry:
        backend.store.delete_asset(asset["id"])
    return ok(
        {
            "id": asset["id"],
            "name": asset["name"],
            "asset_type": "file",
            "deleted_children": [],
            "dry_run": dry,
        }
    )


@endpoint()
async def file_data(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    asset = backend.files.readable_file(caller.user, request.path_params["id"])
    return ok({"url": backend.files.asset_download_url(asset)})


@endpoint(auth=False)
async def storage_get(request: Request) -> Response:
    """A signed download: no Ouro auth, the HMAC and expiry in the URL are the permission."""
    backend = _backend(request)
    bucket, path = request.path_params["bucket"], request.path_params["path"]
    blob = backend.files.check_signed(
        bucket, path, request.query_params.get("expires", ""), request.query_params.get("token", "")
    )
    obj = backend.store.object_by_path(bucket, path)
    return FileResponse(blob, media_type=(obj or {}).get("mime") or "application/octet-stream")


def _post_format(body: dict[str, Any], default: str) -> str:
    fmt = str(body.get("format") or default).lower()
    if fmt not in ("markdown", "html"):
        raise ApiError(400, "A post downloads as 'markdown' or 'html'.")
    return fmt


@endpoint()
async def asset_download(request: Request, caller: Caller) -> Response:
    """A file's bytes, a dataset as CSV, or a post as HTML (or markdown with ``format``)."""
    backend = _backend(request)
    asset = catalog.readable(backend, caller.user, request.path_params["id"], None)
    name = str(asset.get("name") or asset["id"])
    if asset["asset_type"] == "dataset":
        return StreamingResponse(
            backend.datasets.csv_chunks(asset),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": backend.files.content_disposition(f"{name}.csv")},
        )
    if asset["asset_type"] == "post":
        body = await json_body(request, optional=True)
        data, mime, ext = backend.posts.export(asset, _post_format(body, "html"))
        return Response(
            data,
            media_type=mime,
            headers={"Content-Disposition": backend.files.content_disposition(f"{name}.{ext}")},
        )
    asset = backend.files.readable_file(caller.user, asset["id"])
    obj = backend.store.object(asset["id"])
    return FileResponse(
        backend.files.blob_of(asset),
        media_type=(asset.get("metadata") or {}).get("type") or "application/octet-stream",
        headers={
            "Content-Disposition": backend.files.content_disposition(
                file_name_for_download(asset, obj)
            )
        },
    )


def _export(
    backend: DemoBackend, user_id: str, file_name: str, chunks: Iterable[bytes], mime: str
) -> dict[str, Any]:
    """Write an export to storage (so a signed link can serve it) and record its object."""
    obj_id, bucket, path = backend.files.new_object_location(user_id, file_name, "private")
    target = backend.store.blob_path(bucket, path)
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with target.open("wb") as fh:
        for chunk in chunks:
            fh.write(chunk)
            size += len(chunk)
    return backend.store.put_object(
        object_id=obj_id,
        user_id=user_id,
        bucket=bucket,
        path=path,
        mime=mime,
        file_name=file_name,
        size=size,
    )


@endpoint()
async def asset_download_url(request: Request, caller: Caller) -> Response:
    backend = _backend(request)
    asset = catalog.readable(backend, caller.user, request.path_params["id"], None)
    name = str(asset.get("name") or asset["id"])
    if asset["asset_type"] in ("dataset", "post"):
        if asset["asset_type"] == "dataset":
            file_name, mime = f"{name}.csv", "text/csv"
            chunks: Iterable[bytes] = backend.datasets.csv_chunks(asset)
        else:
            body = await json_body(request, optional=True)
            data, mime, ext = backend.posts.export(asset, _post_format(body, "markdown"))
            file_name, chunks = f"{name}.{ext}", [data]
        obj = await asyncio.to_thread(_export, backend, caller.user["id"], file_name, chunks, mime)
        return ok(
            {
                "download_url": backend.files.signed_url(obj["bucket"], obj["path"]),
                "file_name": file_name,
                "content_type": mime,
                "expires_in": 3600,
                "asset_type": asset["asset_type"],
            }
        )
    asset = backend.files.readable_file(caller.user, asset["id"])
    obj = backend.store.object(asset["id"])
    return ok(
        {
            "download_url": backend.files.asset_download_url(asset),
            "file_name": file_name_for_download(asset, obj),
            "content_type": (asset.get("metadata") or {}).get("type"),
            "expires_in": 3600,
            "asset_type": "file",
        }
    )


FILE_ROUTES = [
    Route("/files/upload", upload_base64, methods=["POST"]),
    Route("/files/upload", upload_discard, methods=["DELETE"]),
    Route("/files/upload-url", upload_url, methods=["POST"]),
    Route("/files/upload/complete", upload_complete, methods=["POST"]),
    Route("/files/create", create_file, methods=["POST"]),
    Route("/files/{id}/metadata", file_metadata),
    Route("/files/{id}/data", file_data),
    Route("/files/{id}", get_file, methods=["GET"]),
    Route("/files/{id}", update_file, methods=["PUT"]),
    Route("/files/{id}", delete_file, methods=["DELETE"]),
    Route("/storage/upload/{token}", storage_put, methods=["PUT"]),
    Route("/storage/object/{bucket}/{path:path}", storage_get),
    Route("/assets/{id}/download", asset_download, methods=["POST"]),
    Route("/assets/{id}/download-url", asset_download_url, methods=["POST"]),
]
