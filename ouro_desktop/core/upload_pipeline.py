"""Getting a checked local file onto Ouro: reuse an earlier upload of the same content, or
upload it.

The use case behind a drop zone, without the zone: hash the file (off the loop), look the
content up in the profile's :class:`UploadCache`, check that a cached asset still exists
on the server, else upload and remember it. The caller shows progress and the outcome.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from ..api.client import OuroClient
from ..api.errors import NotFoundError, OuroError
from .blocking import off_thread
from .file_checks import CheckedFile
from .upload_cache import UploadCache, file_sha256

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class UploadOutcome:
    asset_id: str
    reused: bool  # True: an earlier upload of the same content, nothing sent
    sha256: str = ""  # the content's hash, for the run's provenance record
    size: int = 0


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

    Raises ``OSError`` (or ``InterruptedError`` once ``cancel`` is set) when the file
    can't be read, :class:`UploadCancelled` when the upload is cancelled and
    :class:`OuroError` when Ouro refuses it.
    """
    digest = await off_thread(file_sha256, checked.path, cancelled=cancel.is_set)
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
            return UploadOutcome(cached.asset_id, True, digest, checked.size)
    if progress is not None:
        progress(0, checked.size)
    asset = await client.upload_file(
        checked.path, name=checked.name, progress=progress, cancel=cancel
    )
    await off_thread(
        uploads.remember, base_url, account, digest, checked.size, asset.id, checked.name
    )
    return UploadOutcome(asset.id, False, digest, checked.size)
