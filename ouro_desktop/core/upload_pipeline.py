"""Getting a checked local file onto Ouro: reuse an earlier upload of the same content, or
upload it -- exactly the version that was checked.

The use case behind a drop zone, without the zone. The file must still be the version
that was checked (:attr:`CheckedFile.stamp`: size and modification time); otherwise
:class:`FileChangedError` and nothing is stored. A small file (up to the client's
single-request size) is read once into a private snapshot: that snapshot is hashed,
looked up and, if need be, sent -- a change to the file afterwards cannot reach the
upload. A large file is hashed first (off the loop, cancellable), then hashed again as
it streams; the two must agree, so the bytes sent are the bytes hashed. The upload cache
records the hash of what was sent. :func:`changed_since_upload` tells, before a run,
whether the file on disk is still what went to Ouro.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..api.client import OuroClient
from ..api.errors import NotFoundError, OuroError
from ..api.files import FileStamp, read_snapshot, sha256_of
from .blocking import off_thread
from .file_checks import CheckedFile
from .upload_cache import UploadCache, file_sha256

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class UploadOutcome:
    asset_id: str
    reused: bool  # True: an earlier upload of the same content, nothing sent
    sha256: str  # the content now on Ouro
    stamp: FileStamp  # the version of the file whose bytes these are
    snapshot: bool  # True: a small file, read whole (its content is cheap to compare)
    size: int = 0  # bytes on Ouro, for the run's provenance record


def _snapshot_and_hash(path: Path, expect: FileStamp) -> tuple[bytes, str]:
    data, _stamp = read_snapshot(path, expect)
    return data, sha256_of(data)


async def upload_or_reuse(
    client: OuroClient,
    uploads: UploadCache,
    checked: CheckedFile,
    *,
    base_url: str,
    account: str,
    cancel: asyncio.Event,
    progress: Progress | None = None,
) -> UploadOutcome:
    """The asset id for ``checked``'s content on ``base_url``.

    Raises :class:`FileChangedError` when the file is no longer the checked version (or
    changes while it is read), ``OSError`` (or ``InterruptedError`` once ``cancel`` is
    set) when it can't be read, :class:`UploadCancelled` when the upload is cancelled
    and :class:`OuroError` when Ouro refuses it.
    """
    stamp = checked.stamp
    data: bytes | None = None
    snapshot = checked.size <= client.upload_threshold
    if snapshot:
        data, digest = await off_thread(_snapshot_and_hash, checked.path, stamp)
    else:
        digest = await off_thread(file_sha256, checked.path, cancelled=cancel.is_set, expect=stamp)
    # The cache is a small SQLite file whose commits wait for the disk: off the loop.
    cached = await off_thread(uploads.lookup, base_url, account, digest, checked.size)
    if cached is not None:
        try:
            await client.get_file(cached.asset_id)
        except NotFoundError:
            await off_thread(uploads.forget, cached.asset_id)
        except OuroError:
            pass  # can't check now: upload again rather than guess
        else:
            return UploadOutcome(cached.asset_id, True, digest, stamp, snapshot, checked.size)
    if progress is not None:
        progress(0, checked.size)
    sent = await client.upload_file_checked(
        checked.path,
        expect=stamp,
        data=data,
        expect_sha256=digest,
        name=checked.name,
        progress=progress,
        cancel=cancel,
    )
    await off_thread(
        uploads.remember, base_url, account, sent.sha256, sent.size, sent.asset.id, checked.name
    )
    return UploadOutcome(sent.asset.id, False, sent.sha256, stamp, snapshot, sent.size)


def changed_since_upload(path: Path, outcome: UploadOutcome) -> FileStamp | None:
    """The file's current stamp if it is no longer what ``outcome`` put on Ouro, else None.

    Size or modification time differ, or -- for a small file, whose content is cheap to
    read -- the content does (a copy that kept the old time). A file that is gone is not
    "changed": what is on Ouro is still the version that was checked. Blocking.
    """
    try:
        stamp = FileStamp.of(os.stat(path))
    except OSError:
        return None
    if stamp != outcome.stamp:
        return stamp
    if outcome.snapshot:
        try:
            data, stamp = read_snapshot(path)
        except (OSError, OuroError):
            return stamp
        if sha256_of(data) != outcome.sha256:
            return stamp
    return None
