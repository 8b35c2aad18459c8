"""Files and storage for the demo backend (ouro-protocol.md §8, §12.5).

Storage objects (uploaded bytes) are separate from file assets, as on Ouro: an upload
gives an object id, ``POST /files/create`` turns it into a File asset with that id.
Signed URLs carry an HMAC and an expiry and are served without Ouro auth.
"""

from __future__ import annotations

import asyncio
import csv
import mimetypes
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .auth import sign_blob_url
from .errors import ApiError
from .rows import base_asset, file_metadata
from .store import Store, uuid7

SIGNED_URL_TTL = 3600
# .cif is missing from Python's table; the demo's own outputs use the chemical MIME type.
_EXTRA_MIME = {"cif": "chemical/x-cif", "xyz": "chemical/x-xyz", "pdb": "chemical/x-pdb"}


def guess_mime(file_name: str) -> str:
    ext = Path(file_name).suffix.lower().lstrip(".")
    return _EXTRA_MIME.get(ext) or mimetypes.guess_type(file_name)[0] or "application/octet-stream"


def extension_of(file_name: str) -> str:
    return Path(file_name).suffix.lower().lstrip(".")


class FileService:
    def __init__(self, store: Store, team: dict[str, Any]) -> None:
        self.store = store
        self.team = team
        # Where clients reach us; refreshed from every request so signed URLs point back here.
        self.public_base = "http://127.0.0.1"

    # -- objects -------------------------------------------------------------------------
    def new_object_location(
        self, user_id: str, file_name: str, visibility: str
    ) -> tuple[str, str, str]:
        object_id = uuid7(self.store.clock())
        ext = extension_of(file_name)
        bucket = "public-files" if visibility == "public" else "files"
        path = f"{user_id}/{object_id}" + (f".{ext}" if ext else "")
        return object_id, bucket, path

    def store_bytes(
        self, user_id: str, file_name: str, data: bytes, visibility: str, mime: str | None
    ) -> dict[str, Any]:
        object_id, bucket, path = self.new_object_location(user_id, file_name, visibility)
        target = self.store.blob_path(bucket, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return self.store.put_object(
            object_id=object_id,
            user_id=user_id,
            bucket=bucket,
            path=path,
            mime=mime or guess_mime(file_name),
            file_name=file_name,
            size=len(data),
        )

    def create_upload(
        self, user_id: str, file_name: str, visibility: str, mime: str | None
    ) -> dict[str, Any]:
        object_id, bucket, path = self.new_object_location(user_id, file_name, visibility)
        row = {
            "upload_id": object_id,
            "token": secrets.token_urlsafe(24),
            "user_id": user_id,
            "bucket": bucket,
            "path": path,
            "mime": mime or guess_mime(file_name),
            "file_name": file_name,
            # Checked against the store's clock on PUT, so issued on it too.
            "expires": self.store.clock() + SIGNED_URL_TTL,
        }
        self.store.add_upload(row)
        return row

    def complete_upload(
        self, user_id: str, upload_id: str, file_name: str | None
    ) -> dict[str, Any]:
        upload = self.store.upload(upload_id=upload_id)
        if upload is None or upload["user_id"] != user_id:
            raise ApiError(404, "Upload not found.", "upload_not_found")
        if upload["size"] is None:
            raise ApiError(409, "Nothing was uploaded to this URL yet.", "upload_incomplete")
        name = file_name or upload["file_name"]
        obj = self.store.put_object(
            object_id=upload_id,
            user_id=user_id,
            bucket=upload["bucket"],
            path=upload["path"],
            mime=upload["mime"],
            file_name=name,
            size=upload["size"],
        )
        self.store.set_upload(upload_id, object_id=upload_id, file_name=name)
        return obj

    def object_for(self, user_id: str, object_id: str) -> dict[str, Any]:
        obj = self.store.object(object_id)
        if obj is None or obj["user_id"] != user_id:
            raise ApiError(404, f"File {object_id} not found.", "asset_not_found")
        return obj

    def object_metadata(self, obj: dict[str, Any]) -> dict[str, Any]:
        """``GET /files/{id}/metadata``: what storage knows, plus a CSV preview."""
        path = self.store.blob_path(obj["bucket"], obj["path"])
        stat = path.stat()
        meta = {
            "type": obj["mime"],
            "mimeType": obj["mime"],
            "contentType": obj["mime"],
            "extension": extension_of(obj["file_name"]) or extension_of(obj["path"]) or None,
            "size": obj["size"],
            "contentLength": obj["size"],
            "lastModified": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stat.st_mtime)),
        }
        preview = None
        if meta["extension"] == "csv":
            with path.open(newline="", encoding="utf-8", errors="replace") as fh:
                rows = []
                for i, row in enumerate(csv.DictReader(fh)):
                    if i >= 10:
                        break
                    rows.append(row)
                preview = rows
        return {"metadata": meta, "preview": preview}

    # -- file assets ---------------------------------------------------------------------
    def create_file_asset(self, user: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
        object_id = spec.get("id")
        if not isinstance(object_id, str):
            raise ApiError(400, "file.id (the uploaded object id) is required.")
        obj = self.object_for(user["id"], object_id)
        if self.store.asset(object_id) is not None:
            raise ApiError(409, "A file asset already exists for this upload.", "already_exists")
        now = self.store.now_iso()
        description = spec.get("description")
        text = (
            description.get("text", "") if isinstance(description, dict) else str(description or "")
        )
        asset = base_asset(
            asset_id=object_id,
            asset_type="file",
            name=str(spec.get("name") or obj["file_name"]),
            description=text,
            user=user,
            team=self.team,
            visibility=str(spec.get("visibility") or "private"),
            created_at=now,
            last_updated=now,
            source="api" if spec.get("source", "api") == "api" else "web",
        )
        meta = spec.get("metadata") if isinstance(spec.get("metadata"), dict) else None
        ext = (meta or {}).get("extension") or extension_of(obj["file_name"])
        asset["metadata"] = {**file_metadata(obj, ext), **(meta or {})}
        asset["preview"] = spec.get("preview") if isinstance(spec.get("preview"), list) else None
        for key in ("license_id", "attribution"):
            if spec.get(key):
                asset[key] = spec[key]
        self.store.put_asset(asset, f"{asset['name']} {text} {ext}")
        return asset

    def create_output_file(
        self, user: dict[str, Any], payload: dict[str, Any], data: bytes, team_id: str | None
    ) -> dict[str, Any]:
        """A File asset from a service's output payload ``{name, base64, extension, type}``."""
        ext = str(payload.get("extension") or "").lstrip(".") or "bin"
        file_name = payload.get("filename") or f"{payload.get('name') or 'output'}.{ext}"
        visibility = str(payload.get("visibility") or "private")
        obj = self.store_bytes(user["id"], file_name, data, visibility, payload.get("type"))
        asset = self.create_file_asset(
            user,
            {
                "id": obj["id"],
                "name": payload.get("name") or file_name,
                "visibility": visibility,
                "description": payload.get("description") or "",
                "metadata": file_metadata(obj, ext),
            },
        )
        if team_id:
            asset["team_id"] = team_id
            asset["team"] = {"id": team_id, "name": self.team["name"]}
            self.store.put_asset(asset, asset["name"])
        return asset

    def readable_file(self, user: dict[str, Any], file_id: str) -> dict[str, Any]:
        asset = self.store.asset(file_id)
        if (
            asset is None
            or asset["asset_type"] != "file"
            or (
                asset["user_id"] != user["id"]
                and asset["visibility"] not in ("public", "monetized")
            )
        ):
            raise ApiError(404, f"File {file_id} not found.", "asset_not_found")
        return asset

    # -- signed URLs ---------------------------------------------------------------------
    def signed_url(self, bucket: str, path: str, ttl: int = SIGNED_URL_TTL) -> str:
        expires = int(self.store.clock()) + ttl
        token = sign_blob_url(self.store.secret, f"{bucket}/{path}", expires)
        return (
            f"{self.public_base}/storage/object/{bucket}/{quote(path)}"
            f"?expires={expires}&token={token}"
        )

    def check_signed(self, bucket: str, path: str, expires: str, token: str) -> Path:
        try:
            exp = int(expires)
        except ValueError:
            exp = 0
        good = sign_blob_url(self.store.secret, f"{bucket}/{path}", exp)
        if exp < self.store.clock() or not secrets.compare_digest(good, token):
            raise ApiError(
                403, "This download link is invalid or has expired.", "invalid_signature"
            )
        try:
            blob = self.store.blob_path(bucket, path)
        except ValueError as exc:
            raise ApiError(404, "Not found.") from exc
        if not blob.is_file():
            raise ApiError(404, "Not found.")
        return blob

    def asset_download_url(self, asset: dict[str, Any]) -> str:
        meta = asset.get("metadata") or {}
        return self.signed_url(meta["bucket"], meta["path"])

    # -- what a service sees -------------------------------------------------------------
    def service_file_object(self, asset: dict[str, Any]) -> dict[str, Any]:
        meta = asset.get("metadata") or {}
        obj = self.store.object(asset["id"]) or {}
        description = asset.get("description")
        return {
            "url": self.asset_download_url(asset),
            "filename": obj.get("file_name") or meta.get("name"),
            "type": meta.get("type") or obj.get("mime"),
            "id": asset["id"],
            "name": asset.get("name"),
            "description": description.get("text")
            if isinstance(description, dict)
            else description,
            "org_id": asset["org_id"],
            "team_id": asset["team_id"],
            "visibility": asset["visibility"],
            "extension": meta.get("extension"),
        }

    async def read_service_file(self, file_object: dict[str, Any]) -> bytes:
        asset = self.store.asset(str(file_object.get("id")))
        if asset is None:
            raise FileNotFoundError("the input file no longer exists")
        meta = asset["metadata"]
        path = self.store.blob_path(meta["bucket"], meta["path"])
        return await asyncio.to_thread(path.read_bytes)

    def blob_of(self, asset: dict[str, Any]) -> Path:
        meta = asset.get("metadata") or {}
        return self.store.blob_path(meta["bucket"], meta["path"])

    @staticmethod
    def content_disposition(name: str) -> str:
        ascii_name = name.encode("ascii", "replace").decode().replace('"', "'")
        return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def file_name_for_download(asset: dict[str, Any], obj: dict[str, Any] | None) -> str:
    if obj and obj.get("file_name"):
        return str(obj["file_name"])
    ext = (asset.get("metadata") or {}).get("extension")
    return f"{asset.get('name') or asset['id']}" + (f".{ext}" if ext else "")
