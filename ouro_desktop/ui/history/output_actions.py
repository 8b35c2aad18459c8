"""A run's outputs in the history detail: fetch, save, open, preview, export, page.

A file output is fetched once into the profile's cache
(:class:`~ouro_desktop.core.output_cache.OutputCache`) and previewed from there off the UI
thread; Save… copies the cached file, Open opens it. A dataset or post output is read
from Ouro instead (a page of rows at a time, the post's text) and saved as Ouro exports it
(CSV, markdown text), streamed to where the user chose. A saved file's SHA-256 is kept for
the run's provenance record; the whole answer of a run can be saved as JSON too.
The history controller owns one and hands it the detail's requests.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget

from ouro_desktop.api.errors import OuroError
from ouro_desktop.core.error_text import friendly
from ouro_desktop.core.ledger import LedgerError, RunLedger, RunRecord
from ouro_desktop.core.output_cache import OutputCache
from ouro_desktop.core.provenance import record_output
from ouro_desktop.core.session import Session
from ouro_desktop.ui.common.dialogs import resolved
from ouro_desktop.ui.common.tasks import TaskRunner, off_thread
from ouro_desktop.ui.history.detail import RunDetail
from ouro_desktop.ui.results.previews import PREVIEWS, PreviewFailed

log = logging.getLogger(__name__)

AskSavePath = Callable[[QWidget, str], Path | None | Awaitable[Path | None]]


class OutputActions:
    """Acts on the detail's output requests; the controller says which run a key is
    (``record_for``) and refreshes its provenance once an output is saved (``saved``)."""

    def __init__(
        self,
        detail: RunDetail,
        session: Session,
        tasks: TaskRunner,
        ledger: RunLedger,
        cache: OutputCache,
        *,
        ask_save_path: AskSavePath,
        open_file: Callable[[Path], None],
        record_for: Callable[[str], RunRecord | None],
        saved: Callable[[RunRecord], None],
    ) -> None:
        self.detail, self.session, self.tasks = detail, session, tasks
        self.ledger, self.cache = ledger, cache
        self.ask_save_path, self.open_file = ask_save_path, open_file
        self._record_for, self._saved = record_for, saved
        detail.download_requested.connect(self._on_detail_download_requested)
        detail.open_requested.connect(self._on_detail_open_requested)
        detail.preview_requested.connect(self._on_detail_preview_requested)
        detail.page_requested.connect(self._on_detail_page_requested)
        detail.save_answer_requested.connect(self._on_detail_save_answer_requested)

    def _on_detail_download_requested(self, asset_id: str, suggested: str) -> None:
        self.tasks.run(f"download:{asset_id}", self._save_as(asset_id, suggested))

    async def _save_as(self, asset_id: str, suggested: str) -> None:
        target = await resolved(self.ask_save_path(self.detail, suggested))
        if target is not None:
            await self._save(asset_id, target, self.detail.key())

    def _on_detail_open_requested(self, asset_id: str) -> None:
        self.tasks.run(f"open:{asset_id}", self._open(asset_id))

    def _on_detail_preview_requested(self, asset_id: str, family: str) -> None:
        self.tasks.run(f"preview:{asset_id}", self._preview(asset_id, family))

    async def _fetch(self, asset_id: str) -> Path | None:
        """The output's file from the cache (downloaded the first time), or None after
        saying why at its card."""
        client = self.session.client
        if client is None:
            return None
        board = self.detail.outputs
        try:
            path = await self.cache.fetch(
                client,
                asset_id,
                progress=lambda done, total: board.set_progress(asset_id, done, total),
            )
        except OuroError as exc:
            board.set_failed(asset_id, f"Download failed: {friendly(exc)}")
            return None
        board.set_fetched(asset_id)
        return path

    async def _save(self, asset_id: str, target: Path, key: str | None = None) -> None:
        item = self.detail.outputs.item(asset_id)
        if item is not None and not item.is_file:
            await self._export(asset_id, target)
            return
        path = await self._fetch(asset_id)
        if path is None:
            return
        try:
            await off_thread(shutil.copyfile, path, target)
        except OSError as exc:
            self.detail.set_download_failed(
                asset_id, f"Could not save {target.name}: {exc.strerror or exc}"
            )
            return
        self.detail.set_download_done(asset_id, str(target))
        await self._remember_output(key, asset_id, target)
        if target.suffix.lower() == ".cif" and self.detail.outputs.state(asset_id).preview is None:
            await self._preview(asset_id, "structure")

    async def _remember_output(self, key: str | None, asset_id: str, path: Path) -> None:
        """Keep the saved output's SHA-256 for the run's provenance record."""
        record = self._record_for(key) if key else None
        if record is None:
            return
        try:
            await off_thread(record_output, self.ledger, record.local_id, asset_id, path.name, path)
        except (OSError, LedgerError) as exc:
            log.warning("could not record the saved output %s: %s", path, exc)
            return
        if self.detail.key() == key:
            self._saved(record)

    async def _export(self, asset_id: str, target: Path) -> None:
        """A dataset (as CSV) or a post (as markdown text) streamed from Ouro to ``target``:
        exported afresh each time, so it is never kept in the cache."""
        client = self.session.client
        if client is None:
            return
        board = self.detail.outputs
        try:
            await client.download_asset(
                asset_id,
                target,
                progress=lambda done, total: board.set_progress(asset_id, done, total),
            )
        except OuroError as exc:
            board.set_failed(asset_id, f"Could not save {target.name}: {friendly(exc)}")
            return
        self.detail.set_download_done(asset_id, str(target))

    async def _open(self, asset_id: str) -> None:
        path = await self._fetch(asset_id)
        if path is not None:
            self.open_file(path)

    def _on_detail_save_answer_requested(self, key: str) -> None:
        record = self._record_for(key)
        action_id = record.action_id if record else (None if key.startswith("local:") else key)
        if action_id is None:
            return
        target = self.ask_save_path(self.detail, f"run-{action_id[:8]}.json")
        if target is not None:
            self.tasks.run(f"save-answer:{action_id}", self._save_answer(action_id, target))

    async def _save_answer(self, action_id: str, target: Path) -> None:
        client = self.session.client
        if client is None:
            return
        try:
            path = await client.save_action(
                action_id, target, progress=lambda done, _total: self.detail.set_save_progress(done)
            )
        except OuroError as exc:
            self.detail.set_save_failed(f"Could not save the answer: {friendly(exc)}")
            return
        self.detail.set_save_done(str(path))

    async def _preview(self, asset_id: str, family: str) -> None:
        kind = PREVIEWS.get(family)
        client = self.session.client
        if kind is None or client is None:
            return
        if kind.load_asset is not None:  # read from Ouro, not from a downloaded file
            try:
                remote = await kind.load_asset(client, asset_id)
            except (OuroError, PreviewFailed) as exc:
                message = friendly(exc) if isinstance(exc, OuroError) else str(exc)
                self.detail.show_output_preview_failed(asset_id, message)
                return
            self.detail.show_output_preview(asset_id, remote)
            return
        path = await self._fetch(asset_id)
        if path is None:
            return
        thumb = self.cache.derived(asset_id, "preview.png")
        try:
            payload: Any = await off_thread(kind.load, path, thumb)
        except PreviewFailed as exc:
            self.detail.show_output_preview_failed(asset_id, str(exc))
            return
        self.detail.show_output_preview(asset_id, payload)

    def _on_detail_page_requested(self, asset_id: str, family: str, offset: int) -> None:
        self.tasks.run(f"page:{asset_id}", self._page(asset_id, family, offset))

    async def _page(self, asset_id: str, family: str, offset: int) -> None:
        """Another page of a paged preview (a dataset's rows), read alone from Ouro."""
        kind = PREVIEWS.get(family)
        client = self.session.client
        if kind is None or kind.load_more is None or client is None:
            return
        shown = self.detail.outputs.state(asset_id).preview
        try:
            payload = await kind.load_more(client, asset_id, shown, offset)
        except (OuroError, PreviewFailed) as exc:
            message = friendly(exc) if isinstance(exc, OuroError) else str(exc)
            self.detail.show_output_preview_failed(
                asset_id, f"Those rows could not be read: {message}"
            )
            return
        self.detail.show_output_preview(asset_id, payload)
