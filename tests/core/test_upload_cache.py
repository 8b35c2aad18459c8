"""Upload cache: streamed hashing, lookup by (server, account, content), forget, damage."""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

import ouro_desktop.core.upload_cache as uc
from ouro_desktop.core.upload_cache import CachedUpload, UploadCache, file_sha256

BASE = "https://api.ouro.foundation"
SHA = "a" * 64


def test_file_sha256_streams_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()
    reads: list[int] = []
    real_open = open

    class Spy:
        def __init__(self, handle: object) -> None:
            self.handle = handle

        def __enter__(self) -> Spy:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()  # type: ignore[attr-defined]

        def read(self, n: int) -> bytes:
            reads.append(n)
            return self.handle.read(n)  # type: ignore[attr-defined, no-any-return]

    monkeypatch.setattr(uc, "open", lambda p, m: Spy(real_open(p, m)), raising=False)
    assert file_sha256(path, chunk=1024 * 1024) == hashlib.sha256(data).hexdigest()
    assert reads and set(reads) == {1024 * 1024}  # never the whole file at once
    assert len(reads) == 5  # 3 full chunks, the tail, and the empty read at EOF


def test_file_sha256_can_be_cancelled(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 10)
    with pytest.raises(InterruptedError):
        file_sha256(path, chunk=4, cancelled=lambda: True)


def test_remember_and_lookup(tmp_path: Path) -> None:
    cache = UploadCache(tmp_path / "cache" / "uploads.sqlite3")
    assert cache.lookup(BASE, "alice", SHA, 10) is None
    when = datetime(2025, 7, 14, 12, 0, tzinfo=UTC)
    cache.remember(BASE, "alice", SHA, 10, "asset-1", "Cu.cif", when)
    assert cache.lookup(BASE + "/", "alice", SHA.upper(), 10) == CachedUpload(
        asset_id="asset-1", file_name="Cu.cif", uploaded_at=when
    )
    # Another account, server or size is a different key.
    assert cache.lookup(BASE, "bob", SHA, 10) is None
    assert cache.lookup("http://127.0.0.1:8765", "alice", SHA, 10) is None
    assert cache.lookup(BASE, "alice", SHA, 11) is None
    # Re-uploading the same content replaces the entry.
    cache.remember(BASE, "alice", SHA, 10, "asset-2", "copy.cif")
    found = cache.lookup(BASE, "alice", SHA, 10)
    assert found is not None and found.asset_id == "asset-2"
    assert found.uploaded_at.tzinfo is not None
    cache.close()
    # It survives a restart.
    again = UploadCache(tmp_path / "cache" / "uploads.sqlite3")
    found = again.lookup(BASE, "alice", SHA, 10)
    assert found is not None and found.file_name == "copy.cif"


def test_forget_drops_every_entry_for_an_asset(tmp_path: Path) -> None:
    cache = UploadCache(tmp_path / "uploads.sqlite3")
    cache.remember(BASE, "alice", SHA, 10, "gone", "a.cif")
    cache.remember(BASE, "alice", "b" * 64, 10, "gone", "b.cif")
    cache.remember(BASE, "alice", "c" * 64, 10, "kept", "c.cif")
    assert cache.forget("gone") == 2
    assert cache.lookup(BASE, "alice", SHA, 10) is None
    assert cache.lookup(BASE, "alice", "c" * 64, 10) is not None
    assert cache.forget("never-there") == 0


def test_damaged_file_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "uploads.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    cache = UploadCache(path)
    cache.remember(BASE, "alice", SHA, 10, "asset-1", "Cu.cif")
    assert cache.lookup(BASE, "alice", SHA, 10) is not None
    assert [p.name.startswith("uploads.sqlite3.corrupt-") for p in tmp_path.iterdir()].count(
        True
    ) == 1


def test_threads_share_one_cache(tmp_path: Path) -> None:
    cache = UploadCache(tmp_path / "uploads.sqlite3")

    def work(n: int) -> None:
        for i in range(50):
            cache.remember(BASE, "alice", f"{n:02d}{i:062d}", i, f"a{n}-{i}", "f.cif")
            assert cache.lookup(BASE, "alice", f"{n:02d}{i:062d}", i) is not None

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    found = cache.lookup(BASE, "alice", f"07{49:062d}", 49)
    assert found is not None and found.asset_id == "a7-49"
