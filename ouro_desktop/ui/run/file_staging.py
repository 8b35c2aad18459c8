"""Local files for a route's inputs: dropped, checked, previewed and uploaded.

Checks and hashing run in an executor and a big CIF's parsing in a worker process, so
the window never waits on them; uploads are async tasks. A file already uploaded from
this profile (same content hash) is reused. What is uploaded is the version that was
checked (:mod:`~ouro_desktop.core.upload_pipeline`); a file that changes before its
upload is checked again, up to :data:`MAX_RESTAGES` times (one that keeps changing is
still being written). Tables for dataset inputs, and remote choices, go to the
:class:`~.asset_input_controller.AssetInputController`. The run controller owns one
:class:`FileStaging` and reads what was uploaded from it when it submits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QWidget

from ouro_desktop.api.errors import FileChangedError, OuroError, UploadCancelled
from ouro_desktop.api.files import FileStamp
from ouro_desktop.api.models import Route
from ouro_desktop.core.asset_inputs import TABLE_EXTENSIONS, input_needs
from ouro_desktop.core.cif_preview import CifPreview, CifPreviewError
from ouro_desktop.core.cif_process import preview_cif_async
from ouro_desktop.core.error_text import friendly
from ouro_desktop.core.file_checks import (
    CheckedFile,
    FileRejected,
    check_local_file,
    check_many,
)
from ouro_desktop.core.session import Session
from ouro_desktop.core.upload_cache import UploadCache
from ouro_desktop.core.upload_pipeline import UploadOutcome, upload_or_reuse
from ouro_desktop.ui.common.dialogs import resolved
from ouro_desktop.ui.common.tasks import TaskRunner, off_thread
from ouro_desktop.ui.run.asset_input_controller import AssetInputController
from ouro_desktop.ui.run.run_panel import RunPanel
from ouro_desktop.ui.run.run_words import Choice

CIF_EXTENSIONS = {"cif", "mcif"}
# A file that keeps changing while it is checked and uploaded is being written: give up.
MAX_RESTAGES = 3


@dataclass
class Staged:
    """A checked local file waiting for (or done with) its upload."""

    checked: CheckedFile
    cancel: asyncio.Event
    outcome: UploadOutcome | None = None  # what is on Ouro for it, once uploaded
    kept: FileStamp | None = None  # a later version the user chose not to upload
    restages: int = 0  # times it was checked again because it changed


class FileStaging:
    """The staged file of each input key, from drop to upload; cancelled when the form goes."""

    def __init__(
        self,
        panel: RunPanel,
        session: Session,
        tasks: TaskRunner,
        uploads: UploadCache,
        assets: AssetInputController,
        choose: Callable[[QWidget, str, list[str]], Choice],
    ) -> None:
        self.panel, self.session, self.tasks = panel, session, tasks
        self.uploads, self.assets, self.choose = uploads, assets, choose
        self.staged: dict[str, Staged] = {}
        inputs = panel.inputs
        inputs.files_dropped.connect(self._on_inputs_files_dropped)
        inputs.cancel_requested.connect(self._on_inputs_cancel_requested)
        inputs.retry_requested.connect(self._on_inputs_retry_requested)
        inputs.removed.connect(self._on_inputs_removed)
        inputs.choose_remote_requested.connect(self._on_inputs_choose_remote_requested)

    def cancel_all(self) -> None:
        """Stop every check, hash and upload now."""
        for staged in self.staged.values():
            staged.cancel.set()

    def reset(self) -> None:
        """The form is going: stop its files' work and forget them."""
        self.cancel_all()
        self.staged.clear()

    def drop_anywhere(self, items: list[str]) -> None:
        """Files dropped on the window: each goes to the input that accepts it."""
        route = self.panel.route
        if route is None or not route.input_assets:
            self.panel.show_problem("drop", "This route takes no files.")
            return
        self.panel.clear_problem("drop")
        if any(Path(item).is_absolute() and Path(item).is_dir() for item in items):
            if self._folder_dropped(route, items):
                return
        self.tasks.run("drop", self._route_drop(route, items))

    def _folder_dropped(self, route: Route, items: list[str]) -> bool:
        """A folder on the window: a batch on the route's one file input, as if dropped
        there; with several file inputs (or none) the person is told where to drop it.
        False when batches are off here (the drop is checked as files, and refused)."""
        needs = [n for n in input_needs(route) if n.asset_type == "file"]
        if len(needs) > 1:
            names = " or ".join(f"“{n.title}”" for n in needs)
            self.panel.show_problem(
                "drop",
                f"This route takes {len(needs)} files. To run it on each file of the folder, "
                f"drop the folder on the input it is for: {names}.",
            )
            return True
        if not needs:
            self.panel.show_problem(
                "drop", "This route takes no file from your computer: a folder cannot run on it."
            )
            return True
        zone = self.panel.inputs.zone(needs[0].key)
        if not zone.is_batch(items):
            return False
        self.panel.inputs.batch_dropped.emit(zone.key, items)  # as the zone's own drop
        return True

    async def _route_drop(self, route: Route, items: list[str]) -> None:
        taken = set(self.panel.inputs.filled_keys())
        # A table goes to the first dataset input still free (check_many knows files only).
        tables = [i for i in items if Path(i).suffix.lower().lstrip(".") in TABLE_EXTENSIONS]
        free = [
            n.key for n in input_needs(route) if n.asset_type == "dataset" and n.key not in taken
        ]
        for item in tables[: len(free)]:
            table_key = free.pop(0)
            self.assets.table_dropped(table_key, [item])
            items = [i for i in items if i != item]
            taken.add(table_key)
        if not items:
            return
        accepted, rejected, ambiguous = await off_thread(
            check_many, items, route.input_assets, taken=taken
        )
        for key, checked in accepted:
            self.stage(key, checked)
        for checked, keys in ambiguous:
            key = await resolved(
                self.choose(self.panel, f"Which input is “{checked.name}” for?", keys)
            )
            if key and key in keys:
                self.stage(key, checked)
        if rejected:
            self.panel.show_problem("drop", "\n".join(message for _item, message in rejected))

    def _on_inputs_files_dropped(self, key: str, items: list[str]) -> None:
        route = self.panel.route
        if route is None or key not in route.input_assets:
            return
        if self.assets.handles(key):  # a table for a dataset input
            self.assets.table_dropped(key, items)
            return
        if len(items) > 1:
            self.panel.inputs.zone(key).show_rejected(
                f"This input takes one file; {len(items)} were dropped. Drop just one."
            )
            return
        self.tasks.run(f"file:{key}", self._check_then_stage(key, items[0], route))

    async def _check_then_stage(self, key: str, item: str, route: Route) -> None:
        zone = self.panel.inputs.zone(key)
        zone.show_checking(Path(item).name)
        try:
            checked = await off_thread(check_local_file, item, route.input_assets[key])
        except FileRejected as exc:
            zone.show_rejected(exc.message)
            return
        self.stage(key, checked)

    def stage(self, key: str, checked: CheckedFile, restages: int = 0) -> None:
        old = self.staged.pop(key, None)
        if old is not None:
            old.cancel.set()
        staged = Staged(checked, asyncio.Event(), restages=restages)
        self.staged[key] = staged
        self.tasks.run(f"file:{key}", self._preview_and_upload(key, staged))

    async def check_again(self, key: str, staged: Staged) -> None:
        """The file changed since it was checked: check, preview and upload it afresh."""
        route = self.panel.route
        if route is None or key not in route.input_assets:
            return
        zone = self.panel.inputs.zone(key)
        zone.show_checking(staged.checked.name)
        try:
            checked = await off_thread(
                check_local_file, str(staged.checked.path), route.input_assets[key]
            )
        except FileRejected as exc:
            zone.show_rejected(exc.message)
            return
        self.stage(key, checked, staged.restages + 1)

    async def _preview_and_upload(self, key: str, staged: Staged) -> None:
        zone = self.panel.inputs.zone(key)
        checked = staged.checked
        preview: CifPreview | None = None
        problem: str | None = None
        if checked.extension in CIF_EXTENSIONS:
            try:
                preview = await preview_cif_async(checked.path)
            except CifPreviewError as exc:
                problem = exc.message
        zone.show_preview(checked, preview, problem)
        await self._upload(key, staged)

    async def _upload(self, key: str, staged: Staged) -> None:
        client, account = self.session.client, self.session.account
        if client is None or account is None:
            return
        zone = self.panel.inputs.zone(key)
        checked = staged.checked
        try:
            outcome = await upload_or_reuse(
                client,
                self.uploads,
                checked,
                base_url=account.base_url,
                account=account.user.username,
                cancel=staged.cancel,
                progress=zone.show_progress,
            )
        except UploadCancelled:
            zone.clear()
            return
        except FileChangedError as exc:
            # Not the version that was checked and previewed: check it again, unless it
            # keeps changing (still being written).
            if staged.cancel.is_set():
                return
            if staged.restages < MAX_RESTAGES and self.staged.get(key) is staged:
                await self.check_again(key, staged)
            else:
                zone.show_upload_error(f"Upload failed: {friendly(exc)}")
            return
        except OuroError as exc:
            zone.show_upload_error(f"Upload failed: {friendly(exc)}")
            return
        except OSError as exc:  # InterruptedError too: hashing stopped on cancel
            if not staged.cancel.is_set():
                zone.show_upload_error(f"Could not read the file: {exc}")
            return
        staged.outcome = outcome
        zone.show_uploaded(outcome.asset_id, checked.name, outcome.reused)

    def _on_inputs_cancel_requested(self, key: str) -> None:
        if self.assets.handles(key):
            self.assets.cancel(key)
            return
        staged = self.staged.get(key)
        if staged is not None:
            staged.cancel.set()

    def _on_inputs_retry_requested(self, key: str) -> None:
        if self.assets.handles(key):
            self.assets.retry(key)
            return
        staged = self.staged.get(key)
        if staged is not None:
            staged.cancel = asyncio.Event()
            self.tasks.run(f"file:{key}", self._upload(key, staged))

    def _on_inputs_removed(self, key: str) -> None:
        self.assets.removed(key)
        self.drop(key)

    def _on_inputs_choose_remote_requested(self, key: str) -> None:
        self.staged.pop(key, None)
        self.assets.choose_remote(key)

    def drop(self, key: str) -> None:
        staged = self.staged.pop(key, None)
        if staged is not None:
            staged.cancel.set()

    def _input_name(self, key: str) -> str | None:
        if key in self.staged:
            return self.staged[key].checked.name
        zone = self.panel.inputs.zone(key)
        # A file chosen from the user's Ouro files has no staged file: its name on Ouro
        # (without it the record and the citation named the input by its asset id).
        name = getattr(zone, "asset_name", "") or zone.uploaded_name
        return name or None

    def file_record(self, key: str, asset_id: str) -> dict[str, str | None]:
        """What the ledger keeps of an input file: its name, asset id and the local path it
        was read from (so "Show code" can upload the real file again)."""
        staged = self.staged.get(key)
        if staged is None:  # chosen on Ouro (a file, dataset or post): the name it has there
            return {"name": self._input_name(key), "asset_id": asset_id}
        return {"name": staged.checked.name, "asset_id": asset_id, "path": str(staged.checked.path)}
