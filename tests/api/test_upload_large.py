"""A 200 MB file through the signed-URL path over real loopback arrives byte-identical."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import httpx

from ouro_desktop.api import OuroClient

from .helpers import Recorder, run

SIZE_MB = 200
MB = 1024 * 1024


def write_file(path: Path, size_mb: int) -> str:
    """A file of distinct pseudo-random chunks (so reordering would show); its sha256."""
    digest = hashlib.sha256()
    block = os.urandom(MB)
    with path.open("wb") as fh:
        for i in range(size_mb):
            chunk = block[i * 4099 % MB :] + block[: i * 4099 % MB]
            digest.update(chunk)
            fh.write(chunk)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(4 * MB):
            digest.update(chunk)
    return digest.hexdigest()


def test_200_mb_upload_and_download_are_byte_identical(
    demo_app: Any, faults: Any, loopback: str, tmp_path: Path
) -> None:
    faults.upload_cap_bytes = None
    source = tmp_path / "big.cif"
    expected = write_file(source, SIZE_MB)
    reports: list[int] = []

    async def scenario() -> Any:
        rec = Recorder(httpx.AsyncHTTPTransport())
        async with OuroClient(loopback, demo_app.state.backend.api_key, transport=rec) as client:
            asset = await client.upload_file(
                source, progress=lambda done, total: reports.append(done)
            )
            back = await client.download_file(asset.id, tmp_path / "back.cif")
        assert rec.count("PUT") == 1 and rec.count("POST", "/files/upload") == 0
        return asset, back

    asset, back = run(scenario(), timeout=120)
    assert asset.size == SIZE_MB * MB
    assert reports[-1] == SIZE_MB * MB and len(reports) >= SIZE_MB  # one report per chunk
    stored = demo_app.state.backend.store.blob_path(asset.bucket, asset.path)
    assert sha256_of(stored) == expected
    assert sha256_of(back) == expected
