"""Output files fetched once and kept under the profile's cache (no Qt).

:class:`OutputCache` keeps each output asset in its own folder, ``<root>/<asset id>/<name>``,
written whole or not at all (the client's download writes a ``.part`` file and renames it).
:meth:`OutputCache.fetch` downloads an asset the first time it is asked for and answers from
the folder afterwards; two requests for the same asset while it downloads share the one
download. Derived files (a scaled picture for the preview) live beside it as dot files, so
they are never mistaken for the output itself.

:func:`text_head` reads the first :data:`TEXT_HEAD_BYTES` of a file as text for a preview,
never the whole file.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ouro_desktop.api.client import OuroClient
from ouro_desktop.core.blocking import off_thread

__all__ = ["TEXT_HEAD_BYTES", "OutputCache", "TextHead", "safe_file_name", "text_head"]

TEXT_HEAD_BYTES: Final = 64 * 1024
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9._-]+")
_NAME_UNSAFE: Final = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')

Progress = Callable[[int, int], None]


def safe_file_name(name: str, extension: str | None = None, fallback: str = "output") -> str:
    """A file name that stays inside its folder on every system, with ``extension``."""
    base = _NAME_UNSAFE.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    base = base[:120] or fallback
    ext = (extension or "").lower().lstrip(".")
    if ext and _UNSAFE.sub("", ext) == ext and not base.lower().endswith(f".{ext}"):
        base = f"{base}.{ext}"
    return base


class OutputCache:
    """Output assets on disk, one folder each, fetched at most once."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._pending: dict[str, asyncio.Future[Path]] = {}

    def folder(self, asset_id: str) -> Path:
        safe = _UNSAFE.sub("_", asset_id).strip("._") or "asset"
        return self.root / safe[:100]

    def cached(self, asset_id: str) -> Path | None:
        """The asset's file when it is already here (complete), else None."""
        folder = self.folder(asset_id)
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            return None
        for entry in entries:
            if not entry.name.startswith(".") and entry.is_file():
                return entry
        return None

    def derived(self, asset_id: str, name: str) -> Path:
        """A file made from the asset (a scaled picture): a dot file in its folder."""
        return self.folder(asset_id) / f".{_UNSAFE.sub('_', name)}"

    async def fetch(
        self, client: OuroClient, asset_id: str, progress: Progress | None = None
    ) -> Path:
        """The asset's file, downloaded now unless it is here already (or on its way)."""
        found = self.cached(asset_id)
        if found is not None:
            return found
        pending = self._pending.get(asset_id)
        if pending is not None:
            return await asyncio.shield(pending)
        loop = asyncio.get_event_loop()
        future: asyncio.Future[Path] = loop.create_future()
        self._pending[asset_id] = future
        try:
            path = await self._download(client, asset_id, progress)
        except BaseException as exc:
            if not future.done():
                future.set_exception(exc)
                future.exception()  # retrieved: a lone failure is not "never retrieved"
            raise
        else:
            future.set_result(path)
            return path
        finally:
            self._pending.pop(asset_id, None)

    async def _download(self, client: OuroClient, asset_id: str, progress: Progress | None) -> Path:
        asset = await client.get_file(asset_id)
        folder = self.folder(asset_id)
        await off_thread(folder.mkdir, parents=True, exist_ok=True)
        target = folder / safe_file_name(asset.name, asset.extension, fallback=asset_id)
        return await client.download_file(asset_id, target, progress=progress)


@dataclass(frozen=True)
class TextHead:
    """The start of a text file: ``text`` (whole lines), whether there is more, the size."""

    text: str
    truncated: bool
    size: int


def text_head(path: Path, limit: int = TEXT_HEAD_BYTES) -> TextHead:
    """The first ``limit`` bytes of ``path`` as text (UTF-8, unreadable bytes replaced),
    cut at the last whole line when the file goes on. Blocking: call off the UI thread."""
    with open(path, "rb") as handle:
        head = handle.read(limit + 1)
        size = handle.seek(0, 2)
    truncated = len(head) > limit
    head = head[:limit]
    if truncated and b"\n" in head:
        head = head[: head.rindex(b"\n")]
    text = head.decode("utf-8", errors="replace")
    if truncated and text.endswith("\ufffd"):
        text = text.rstrip("\ufffd")  # a character cut in two at the limit
    return TextHead(text, truncated, size)
