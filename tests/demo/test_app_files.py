"""Demo backend in-process: uploads, file assets, signed URLs, downloads (§8, §12.5)."""

from __future__ import annotations

import base64
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.auth import sign_blob_url
from ouro_desktop.demo.faults import Faults

from .helpers import BASE_URL, Demo, data_of, drive, example, expect_error


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"


def test_base64_upload_metadata_create_get_and_signed_data_url(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        data = example("Cu.cif")
        response = await demo.post(
            "/files/upload",
            json={
                "file_name": "Cu.cif",
                "file_base64": base64.b64encode(data).decode(),
                "visibility": "private",
                "content_type": "application/octet-stream",
            },
        )
        up = data_of(response)
        user_id = demo.backend.seeded.user["id"]
        assert set(up) == {"id", "bucket", "path", "fullPath"}
        assert up["bucket"] == "files"
        assert up["path"] == f"{user_id}/{up['id']}.cif"
        assert up["fullPath"] == f"files/{up['path']}"

        info = data_of(await demo.get(f"/files/{up['id']}/metadata"))
        assert info["preview"] is None
        meta = info["metadata"]
        assert meta["extension"] == "cif"
        assert meta["size"] == meta["contentLength"] == len(data)
        assert meta["type"] == meta["mimeType"] == "application/octet-stream"
        assert meta["lastModified"]

        created = await demo.create_file(up, meta, "Copper")
        assert created["id"] == up["id"] and created["asset_type"] == "file"
        assert created["name"] == "Copper" and created["visibility"] == "private"
        assert created["user_id"] == user_id and created["org_id"] and created["team_id"]
        assert created["state"] == "success" and created["source"] == "api"
        assert created["attribution"] == {"originality": "original"}
        assert created["metadata"]["bucket"] == "files"
        assert created["metadata"]["path"] == up["path"]
        assert created["metadata"]["name"] == f"{up['id']}.cif"  # the storage basename

        fetched = data_of(await demo.get(f"/files/{up['id']}"))
        assert fetched["id"] == up["id"] and fetched["name"] == "Copper"
        assert data_of(await demo.get(f"/assets/{up['id']}/type")) == {"asset_type": "file"}

        url = data_of(await demo.get(f"/files/{up['id']}/data"))["url"]
        assert url.startswith(BASE_URL + "/storage/object/files/")
        blob = await demo.client.get(url)  # no Authorization header
        assert blob.status_code == 200 and blob.content == data

        # Tampered or expired signatures are refused.
        token = parse_qs(urlsplit(url).query)["token"][0]
        tampered = _with_query(url, token=("A" if token[0] != "A" else "B") + token[1:])
        expect_error(await demo.client.get(tampered), 403, "invalid_signature")
        past = int(demo.backend.store.clock()) - 10
        resigned = sign_blob_url(demo.backend.store.secret, f"files/{up['path']}", past)
        expect_error(
            await demo.client.get(_with_query(url, expires=str(past), token=resigned)),
            403,
            "invalid_signature",
        )
        later = str(int(time.time()) + 7200)
        expect_error(await demo.client.get(_with_query(url, expires=later)), 403)
        expect_error(await demo.client.get(url.split("?")[0]), 403)

        # Creating twice, or from an unknown upload, is refused.
        expect_error(
            await demo.post("/files/create", json={"file": {"id": up["id"], "name": "again"}}),
            409,
        )
        expect_error(
            await demo.post("/files/create", json={"file": {"id": str(uuid.uuid4())}}), 404
        )
        expect_error(await demo.post("/files/create", json={"file": "nope"}), 400)
        expect_error(await demo.get(f"/files/{uuid.uuid4()}"), 404, "asset_not_found")
        expect_error(await demo.get(f"/files/{uuid.uuid4()}/metadata"), 404)

    drive(demo_app, scenario)


def test_public_upload_csv_preview_and_bad_uploads(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        csv = b"energy,dos\n0.0,0.0\n1.0,0.5\n"
        up = data_of(
            await demo.post(
                "/files/upload",
                json={
                    "file_name": "dos.csv",
                    "file_base64": base64.b64encode(csv).decode(),
                    "visibility": "public",
                    "content_type": "text/csv",
                },
            )
        )
        assert up["bucket"] == "public-files"
        info = data_of(await demo.get(f"/files/{up['id']}/metadata"))
        assert info["metadata"]["type"] == "text/csv"
        assert info["preview"] == [
            {"energy": "0.0", "dos": "0.0"},
            {"energy": "1.0", "dos": "0.5"},
        ]

        for body in (
            {"file_name": "x.cif"},
            {"file_base64": "AAAA"},
            {"file_name": "x.cif", "file_base64": "not base64!!"},
            {"file_name": "x.cif", "file_base64": "AAAA", "visibility": "everyone"},
        ):
            expect_error(await demo.post("/files/upload", json=body), 400)

        # Another user cannot read my private file's metadata or data.
        private = await demo.upload("Cu.cif")
        alice = await demo.other_user("alice")
        expect_error(await alice.get(f"/files/{private['id']}"), 404)
        expect_error(await alice.get(f"/files/{private['id']}/metadata"), 404)
        expect_error(await alice.get(f"/files/{private['id']}/data"), 404)
        expect_error(await alice.post(f"/assets/{private['id']}/download"), 404)

    drive(demo_app, scenario)


def test_signed_upload_url_put_complete_create(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        data = example("NaCl.cif")
        issued = data_of(
            await demo.post(
                "/files/upload-url",
                json={"file_name": "NaCl.cif", "visibility": "private"},
            )
        )
        assert issued["method"] == "PUT" and issued["expires_in"] == 3600
        assert issued["headers"] == {"Content-Type": "chemical/x-cif"}
        assert issued["mime_type"] == "chemical/x-cif" and issued["bucket"] == "files"
        assert issued["upload_url"].startswith(BASE_URL + "/storage/upload/")
        upload_id = issued["upload_id"]

        # Completing before anything was PUT is a conflict.
        expect_error(
            await demo.post("/files/upload/complete", json={"upload_id": upload_id}),
            409,
            "upload_incomplete",
        )

        put = await demo.client.put(issued["upload_url"], content=data, headers=issued["headers"])
        assert put.status_code == 200, put.text
        assert data_of(put) == {"size": len(data)}

        # Reading the bytes back before completing.
        back = data_of(
            await demo.post(
                "/files/upload/complete", json={"upload_id": upload_id, "download": True}
            )
        )
        assert (await demo.client.get(back["download_url"])).content == data

        done = data_of(
            await demo.post(
                "/files/upload/complete", json={"upload_id": upload_id, "file_name": "salt.cif"}
            )
        )
        assert done == {
            "id": upload_id,
            "bucket": "files",
            "path": issued["path"],
            "mime_type": "chemical/x-cif",
            "size": len(data),
            "file_name": "salt.cif",
        }
        meta = data_of(await demo.get(f"/files/{done['id']}/metadata"))["metadata"]
        assert meta["size"] == len(data) and meta["extension"] == "cif"
        created = await demo.create_file(done, meta, "Rock salt")
        assert created["id"] == upload_id
        url = data_of(await demo.get(f"/files/{upload_id}/data"))["url"]
        assert (await demo.client.get(url)).content == data

        # A bad upload token, an unknown upload id.
        bad = issued["upload_url"].rsplit("/", 1)[0] + "/not-a-token"
        expect_error(await demo.client.put(bad, content=b"x"), 403, "invalid_signature")
        expect_error(
            await demo.post("/files/upload/complete", json={"upload_id": str(uuid.uuid4())}),
            404,
            "upload_not_found",
        )
        expect_error(await demo.post("/files/upload/complete", json={}), 400)
        expect_error(await demo.post("/files/upload-url", json={"visibility": "private"}), 400)

    drive(demo_app, scenario)


def test_upload_url_expires_on_the_backend_clock(tmp_path: Path) -> None:
    now = [time.time()]
    app = create_app(tmp_path / "d", faults=Faults(token_ttl=10**6), clock=lambda: now[0])

    async def scenario(demo: Demo) -> None:
        issued = data_of(await demo.post("/files/upload-url", json={"file_name": "a.cif"}))
        now[0] += 3601
        response = await demo.client.put(issued["upload_url"], content=b"data_x\n")
        expect_error(response, 403, "invalid_signature")

    drive(app, scenario)


def test_signed_download_url_expires_on_the_backend_clock(tmp_path: Path) -> None:
    now = [time.time()]
    app = create_app(tmp_path / "d", faults=Faults(token_ttl=10**6), clock=lambda: now[0])

    async def scenario(demo: Demo) -> None:
        asset = await demo.upload("Na.cif")
        url = data_of(await demo.get(f"/files/{asset['id']}/data"))["url"]
        link = data_of(await demo.post(f"/assets/{asset['id']}/download-url"))["download_url"]
        assert (await demo.client.get(url)).status_code == 200
        now[0] += 3599
        assert (await demo.client.get(link)).status_code == 200
        now[0] += 2
        expect_error(await demo.client.get(url), 403, "invalid_signature")
        expect_error(await demo.client.get(link), 403, "invalid_signature")
        # A fresh link works again.
        fresh = data_of(await demo.get(f"/files/{asset['id']}/data"))["url"]
        assert (await demo.client.get(fresh)).content == example("Na.cif")

    drive(app, scenario)


def test_discard_an_upload(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        issued = data_of(await demo.post("/files/upload-url", json={"file_name": "Al.cif"}))
        put = await demo.client.put(issued["upload_url"], content=example("Al.cif"))
        assert put.status_code == 200
        blob = demo.backend.store.blob_path(issued["bucket"], issued["path"])
        assert blob.is_file()
        discarded = await demo.delete("/files/upload", json={"upload_id": issued["upload_id"]})
        assert data_of(discarded) is None
        assert not blob.exists()
        expect_error(
            await demo.post("/files/upload/complete", json={"upload_id": issued["upload_id"]}),
            404,
        )
        expect_error(
            await demo.delete("/files/upload", json={"upload_id": issued["upload_id"]}), 404
        )
        # The PUT URL is dead too.
        expect_error(await demo.client.put(issued["upload_url"], content=b"x"), 403)

    drive(demo_app, scenario)


def test_download_download_url_update_and_delete(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        data = example("Si.cif")
        asset = await demo.upload(
            "Silizium-ä.cif", data, name="Silicon", content_type="chemical/x-cif"
        )
        response = await demo.post(f"/assets/{asset['id']}/download")
        assert response.status_code == 200
        assert response.content == data
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert f"filename*=UTF-8''{quote('Silizium-ä.cif')}" in disposition
        assert 'filename="Silizium-?.cif"' in disposition
        assert response.headers["x-request-id"]
        with_body = await demo.post(
            f"/assets/{asset['id']}/download", json={"asset_type": "file", "format": None}
        )
        assert with_body.content == data

        link = data_of(await demo.post(f"/assets/{asset['id']}/download-url"))
        assert link["file_name"] == "Silizium-ä.cif"
        assert link["asset_type"] == "file" and link["expires_in"] == 3600
        assert link["content_type"] == "chemical/x-cif"
        fetched = await demo.client.get(link["download_url"])
        assert fetched.content == data
        assert fetched.headers["content-type"].startswith("chemical/x-cif")

        renamed = data_of(
            await demo.put(
                f"/files/{asset['id']}",
                json={"file": {"id": asset["id"], "name": "Si (diamond)", "description": "d"}},
            )
        )
        assert renamed["name"] == "Si (diamond)"
        assert renamed["description"]["text"] == "d"
        assert data_of(await demo.get(f"/files/{asset['id']}"))["name"] == "Si (diamond)"

        dry = data_of(await demo.delete(f"/files/{asset['id']}", params={"dry_run": "true"}))
        assert dry == {
            "id": asset["id"],
            "name": "Si (diamond)",
            "asset_type": "file",
            "deleted_children": [],
            "dry_run": True,
        }
        assert (await demo.get(f"/files/{asset['id']}")).status_code == 200
        gone = data_of(
            await demo.delete(
                f"/files/{asset['id']}", params={"delete_children": "false", "dry_run": "false"}
            )
        )
        assert gone["dry_run"] is False
        expect_error(await demo.get(f"/files/{asset['id']}"), 404, "asset_not_found")
        expect_error(await demo.post(f"/assets/{asset['id']}/download"), 404)
        expect_error(await demo.post(f"/assets/{asset['id']}/download-url"), 404)
        expect_error(await demo.delete(f"/files/{asset['id']}"), 404)

    drive(demo_app, scenario)
