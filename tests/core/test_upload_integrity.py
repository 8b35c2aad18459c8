"""What is uploaded is what was checked (issue 15, item 1), against the demo backend.

Each race is made deterministic with a hook that exists whatever the pipeline does
inside: the upload cache's ``lookup`` (called once the content is known, before any
upload) and the ``progress`` callback (called as the streamed upload advances). The
stored bytes are read back through the API (a download), not from the pipeline.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from ouro_desktop.api.errors import FileChangedError
from ouro_desktop.core.file_checks import check_local_file
from ouro_desktop.core.upload_cache import UploadCache
from ouro_desktop.core.upload_pipeline import changed_since_upload, upload_or_reuse
from tests.api.helpers import BASE_URL, EXAMPLES, client_for, run

DOS = "demo/predict-electronic-dos-at-fermi-level"
CU = (EXAMPLES / "Cu.cif").read_bytes()
AL = (EXAMPLES / "Al.cif").read_bytes()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_assets(app: Any) -> int:
    return len(app.state.backend.store.assets(asset_types=["file"]))


class Rewriting(UploadCache):
    """An upload cache whose lookup first rewrites the file: the file changes after its
    content was read and before anything is uploaded."""

    def __init__(self, path: Path, target: Path, new: bytes) -> None:
        super().__init__(path)
        self.target, self.new = target, new

    def lookup(self, *args: Any, **kwargs: Any) -> Any:
        if self.new is not None:
            self.target.write_bytes(self.new)
            self.new = None  # type: ignore[assignment]
        return super().lookup(*args, **kwargs)


async def _upload(client: Any, cache: UploadCache, checked: Any, **kw: Any) -> Any:
    return await upload_or_reuse(
        client,
        cache,
        checked,
        base_url=BASE_URL,
        account="demo",
        cancel=asyncio.Event(),
        **kw,
    )


async def _download(client: Any, asset_id: str, dest: Path) -> bytes:
    return (await client.download_file(asset_id, dest)).read_bytes()


def test_a_small_file_changed_before_its_upload_sends_the_checked_bytes(
    demo_app: Any, tmp_path: Path
) -> None:
    """Cu was checked; the file became Al before the upload. Ouro must get Cu, the cache
    must say Cu, and the later Al content must not be "already on Ouro" as Cu."""
    path = tmp_path / "structure.cif"
    path.write_bytes(CU)
    cache = Rewriting(tmp_path / "uploads.sqlite3", path, AL)

    async def scenario() -> tuple[Any, bytes, Any]:
        async with client_for(demo_app) as client:
            decl = (await client.get_route(DOS)).input_assets["file"]
            checked = check_local_file(path, decl)
            first = await _upload(client, cache, checked)
            stored = await _download(client, first.asset_id, tmp_path / "back.cif")
            # The file now holds Al: checked afresh, it is new content, not the Cu asset.
            again = await _upload(client, cache, check_local_file(path, decl))
            return first, stored, again

    first, stored, again = run(scenario())
    assert stored == CU
    assert first.sha256 == _sha(CU)
    assert cache.lookup(BASE_URL, "demo", _sha(CU), len(CU)).asset_id == first.asset_id  # type: ignore[union-attr]
    assert not again.reused and again.asset_id != first.asset_id
    assert again.sha256 == _sha(AL)
    cache.close()


def test_a_small_file_emptied_before_its_upload_is_not_stored_empty(
    demo_app: Any, tmp_path: Path
) -> None:
    path = tmp_path / "structure.cif"
    path.write_bytes(CU)
    cache = Rewriting(tmp_path / "uploads.sqlite3", path, b"")

    async def scenario() -> bytes:
        async with client_for(demo_app) as client:
            decl = (await client.get_route(DOS)).input_assets["file"]
            outcome = await _upload(client, cache, check_local_file(path, decl))
            return await _download(client, outcome.asset_id, tmp_path / "back.cif")

    assert run(scenario()) == CU  # the checked 4 KB, never 0 bytes
    cache.close()


def test_a_file_changed_between_its_check_and_its_upload_is_refused(
    demo_app: Any, tmp_path: Path
) -> None:
    path = tmp_path / "structure.cif"
    path.write_bytes(CU)
    cache = UploadCache(tmp_path / "uploads.sqlite3")

    async def scenario() -> None:
        async with client_for(demo_app) as client:
            decl = (await client.get_route(DOS)).input_assets["file"]
            checked = check_local_file(path, decl)
            path.write_bytes(AL)  # after the check (what the preview showed), before upload
            await _upload(client, cache, checked)

    before = _file_assets(demo_app)
    with pytest.raises(FileChangedError):
        run(scenario())
    assert _file_assets(demo_app) == before
    cache.close()


def test_a_large_file_rewritten_mid_stream_is_not_stored(demo_app: Any, tmp_path: Path) -> None:
    """Same size, other bytes, in the middle of the streamed PUT: no File asset, and no
    cache entry claiming the checked content is on Ouro."""
    demo_app.state.backend.faults.upload_cap_bytes = None
    size = 3 * 1024 * 1024 + 5
    original = b"# CIF\n" + os.urandom(size // 2).hex().encode()[: size - 6]
    path = tmp_path / "big.cif"
    path.write_bytes(original)
    cache = UploadCache(tmp_path / "uploads.sqlite3")
    state = {"done": False}

    def progress(sent: int, total: int) -> None:
        if sent > 0 and not state["done"]:
            state["done"] = True
            with open(path, "r+b") as handle:  # rewrite the rest in place, same size
                handle.seek(sent)
                handle.write(b"x" * (total - sent))

    async def scenario() -> None:
        async with client_for(demo_app) as client:
            client.upload_threshold = 1024 * 1024  # the signed-URL, streamed road
            decl = (await client.get_route(DOS)).input_assets["file"]
            await _upload(client, cache, check_local_file(path, decl), progress=progress)

    before = _file_assets(demo_app)
    with pytest.raises(FileChangedError):
        run(scenario())
    assert state["done"]
    assert _file_assets(demo_app) == before
    assert cache.lookup(BASE_URL, "demo", _sha(original), size) is None
    cache.close()


def test_a_large_file_records_the_hash_of_the_bytes_it_streamed(
    demo_app: Any, tmp_path: Path
) -> None:
    demo_app.state.backend.faults.upload_cap_bytes = None
    data = b"# CIF\n" + os.urandom(1024 * 1024).hex().encode()
    path = tmp_path / "big.cif"
    path.write_bytes(data)
    cache = UploadCache(tmp_path / "uploads.sqlite3")

    async def scenario() -> tuple[Any, bytes]:
        async with client_for(demo_app) as client:
            client.upload_threshold = 1024 * 1024
            decl = (await client.get_route(DOS)).input_assets["file"]
            outcome = await _upload(client, cache, check_local_file(path, decl))
            return outcome, await _download(client, outcome.asset_id, tmp_path / "back.cif")

    outcome, stored = run(scenario())
    assert stored == data and outcome.sha256 == _sha(data) and not outcome.snapshot
    assert cache.lookup(BASE_URL, "demo", _sha(data), len(data)).asset_id == outcome.asset_id  # type: ignore[union-attr]
    cache.close()


def test_changed_since_upload_sees_size_time_and_small_files_content(
    demo_app: Any, tmp_path: Path
) -> None:
    path = tmp_path / "structure.cif"
    path.write_bytes(CU)
    cache = UploadCache(tmp_path / "uploads.sqlite3")

    async def scenario() -> Any:
        async with client_for(demo_app) as client:
            decl = (await client.get_route(DOS)).input_assets["file"]
            return await _upload(client, cache, check_local_file(path, decl))

    outcome = run(scenario())
    assert changed_since_upload(path, outcome) is None
    stamp = path.stat()
    # Same size, same modification time (a copy that kept the time), other content.
    path.write_bytes(CU.replace(b"Cu", b"Zn"))
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert path.stat().st_size == len(CU)
    assert changed_since_upload(path, outcome) is not None
    path.write_bytes(AL)
    assert changed_since_upload(path, outcome) is not None
    path.unlink()  # gone: what is on Ouro is still the version that was checked
    assert changed_since_upload(path, outcome) is None
    cache.close()
