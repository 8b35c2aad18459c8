"""Inputs that are Ouro assets chosen or made in the window: datasets, posts, and the
"Choose from my Ouro …" picker for every input.

* **A table dropped on a dataset input** is read off the UI thread
  (:func:`~ouro_desktop.core.table_files.read_table`: layout, column kinds, first rows);
  its columns are checked against what the route reads
  (:func:`~ouro_desktop.core.table_columns.check_columns`): a column field still at its
  default is set to the column it most likely means, and what is still missing is said.
  **Create as an Ouro dataset** streams the rows (:class:`~ouro_desktop.core.table_files.
  TableRows`, read and encoded in a worker thread by ``OuroClient.create_dataset``) with
  rows-stored progress and Cancel (which deletes the half-made dataset).
* **Choose one of my …** searches the input's own asset type with its kind filter and
  extensions (:attr:`~ouro_desktop.core.asset_inputs.InputNeed.search`), lists them in a
  non-blocking picker, and refuses a pick that does not fit, with the reason
  (:func:`~ouro_desktop.core.asset_inputs.asset_fits`), before any run. A chosen dataset is
  previewed (first rows, columns, row count) and checked like a dropped table; a chosen
  post shows its text.
* **Write a short text** on a post input saves it as a private post.

The zone then holds the asset id, which Run sends in ``input_assets``.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from ouro_desktop.api.asset_models import AnyAsset, DatasetAsset, PostAsset
from ouro_desktop.api.errors import OuroError, UploadCancelled
from ouro_desktop.api.models import FileAsset, Route
from ouro_desktop.core.asset_inputs import InputNeed, asset_fits, input_needs
from ouro_desktop.core.blocking import responsive_switching
from ouro_desktop.core.error_text import friendly
from ouro_desktop.core.file_checks import display_name
from ouro_desktop.core.session import Session
from ouro_desktop.core.table_columns import check_columns, column_fields
from ouro_desktop.core.table_files import TableError, TablePreview, TableRows, read_table
from ouro_desktop.ui.common.tasks import TaskRunner, off_thread
from ouro_desktop.ui.run.asset_picker import AssetPicker, choose_asset
from ouro_desktop.ui.run.form.asset_zones import DatasetZone, PostZone
from ouro_desktop.ui.run.run_panel import RunPanel

log = logging.getLogger(__name__)

__all__ = ["AssetInputController", "Chooser"]

PREVIEW_ROWS = 20
PICKER_LIMIT = 200
STATS_AT_ONCE = 4
# JSON bytes of rows per request: a quarter of the client's default, so each batch the
# server parses (in the in-app demo: in this process) holds the GIL for a short while.
BATCH_BYTES = 1024 * 1024
Chooser = Callable[
    [QWidget, InputNeed, Sequence[AnyAsset]], "tuple[AssetPicker, asyncio.Future[AnyAsset | None]]"
]
_NOUNS = {"file": "files", "dataset": "datasets", "post": "posts"}


@dataclass
class _Making:
    """A dataset being made from a dropped table (until it is created or removed)."""

    table: TablePreview
    cancel: asyncio.Event = field(default_factory=asyncio.Event)


class AssetInputController(QObject):
    def __init__(
        self,
        panel: RunPanel,
        session: Session,
        tasks: TaskRunner,
        *,
        choose: Chooser = choose_asset,
    ) -> None:
        super().__init__(panel)
        self.panel = panel
        self.session = session
        self.tasks = tasks
        self.choose = choose
        self.picker: AssetPicker | None = None  # the picker open now, if any
        self._making: dict[str, _Making] = {}

    # -- the route ------------------------------------------------------------------------
    def route_shown(self, route: Route) -> None:
        """Connect the new route's dataset and post zones; forget the last route's work."""
        self.forget()
        for zone in self.panel.inputs.zones().values():
            if isinstance(zone, DatasetZone):
                zone.create_requested.connect(self._on_zone_create_requested)
            elif isinstance(zone, PostZone):
                zone.write_requested.connect(self._on_zone_write_requested)

    def forget(self) -> None:
        for making in self._making.values():
            making.cancel.set()
        self._making.clear()

    def handles(self, key: str) -> bool:
        """Whether ``key``'s drops, cancels and retries are this controller's (a dataset)."""
        zones = self.panel.inputs.zones()
        return isinstance(zones.get(key), DatasetZone)

    def _need(self, route: Route, key: str) -> InputNeed | None:
        return next((n for n in input_needs(route) if n.key == key), None)

    # -- a dropped table ------------------------------------------------------------------
    def table_dropped(self, key: str, items: list[str]) -> None:
        route = self.panel.route
        zone = self.panel.inputs.zones().get(key)
        if route is None or not isinstance(zone, DatasetZone):
            return
        if len(items) != 1:
            zone.show_rejected(f"This input takes one table; {len(items)} were dropped.")
            return
        self.tasks.run(f"file:{key}", self._read_table(route, key, zone, items[0]))

    async def _read_table(self, route: Route, key: str, zone: DatasetZone, item: str) -> None:
        old = self._making.pop(key, None)
        if old is not None:
            old.cancel.set()
        if "://" in item and not item.startswith("file:"):
            zone.show_rejected("Only tables on this computer can be used; save it first.")
            return
        zone.show_checking(Path(item).name)
        try:
            with responsive_switching():  # the reader thread must not starve the window
                table = await off_thread(read_table, item)
        except TableError as exc:
            if _alive(zone):
                zone.show_rejected(exc.message)
            return
        if not _alive(zone):
            return
        notes = self._check_columns(
            route,
            key,
            {c.name: c.kind for c in table.columns},
            headers={c.name: c.header for c in table.columns},
        )
        self._making[key] = _Making(table)
        zone.show_table(table, notes)

    def _check_columns(
        self,
        route: Route,
        key: str,
        columns: dict[str, str],
        headers: dict[str, str] | None = None,
    ) -> list[str]:
        """Set column fields still at their default to the column they most likely mean;
        the notes to show (what was set, what is still missing). ``headers``: a dropped
        table's own column titles by stored name, so a note names the column as the file
        does."""
        form = self.panel.form
        fields = column_fields(route)
        if not fields and not columns:
            return []
        value = form.value()
        body = copy.deepcopy(value.body)
        check = check_columns(columns, route, key, body)
        notes: list[str] = []
        changed = False
        for fld in fields:
            guess = check.suggestions.get(fld.dotted)
            current = _value_at(body, fld.path)
            if guess is None or not (current in (None, "") or current == fld.default):
                continue
            if current != guess:
                _set_at(body, fld.path, guess)
                changed = True
                header = (headers or {}).get(guess, guess)
                where = (
                    f"the table's “{display_name(header)}” column"
                    if header != guess
                    else "a column of this table"
                )
                notes.append(f"✓ “{fld.title}” is now “{guess}”, {where}.")
        if changed:
            form.set_value(body, value.query or None, value.path_params or None)
            check = check_columns(columns, route, key, body)
        notes += [f"⚠ {problem}" for problem in check.problems]
        if fields and check.ok and not changed:
            notes.append("✓ The table has the columns this route reads.")
        return notes

    # -- creating the dataset -------------------------------------------------------------
    def _on_zone_create_requested(self, key: str) -> None:
        making = self._making.get(key)
        route = self.panel.route
        if making is None or route is None:
            return
        making.cancel = asyncio.Event()
        self.tasks.run(f"file:{key}", self._create(key, making))

    async def _create(self, key: str, making: _Making) -> None:
        client = self.session.client
        zone = self.panel.inputs.zones().get(key)
        if client is None or not isinstance(zone, DatasetZone):
            return
        table = making.table
        zone.show_progress(0, table.estimated_rows)
        rows = TableRows(table)
        try:
            with responsive_switching():  # rows are read and encoded in a worker thread
                dataset = await client.create_dataset(
                    table.path.stem,
                    table.column_specs(),
                    rows,
                    description=f"Made by Ouro Desktop from {display_name(table.path.name)}.",
                    total_rows=table.estimated_rows,
                    progress=zone.show_progress,
                    cancel=making.cancel,
                    batch_bytes=BATCH_BYTES,
                )
        except UploadCancelled:
            if self._making.get(key) is making:
                zone.show_table(table)  # back to the preview: Create can be pressed again
                zone.status_label.setText("Cancelled: nothing was kept on Ouro.")
            return
        except TableError as exc:
            zone.show_upload_error(f"The table could not be read to the end: {exc.message}")
            return
        except OuroError as exc:
            zone.show_upload_error(f"The dataset was not created: {friendly(exc)}")
            return
        except (OSError, ValueError) as exc:
            zone.show_upload_error(f"The table could not be read: {exc}")
            return
        finally:
            rows.close()
        if self._making.get(key) is not making:
            return  # removed, or another table dropped, meanwhile
        del self._making[key]
        columns = [(c.header, c.kind) for c in table.columns]
        stored = dataset.inserted if dataset.inserted is not None else rows.rows
        zone.show_uploaded(dataset.id, dataset.name, reused=False)
        notes = [f"⚠ {w}" for w in dataset.warnings]
        zone.show_dataset(dataset.name, columns, table.rows, total_rows=stored, notes=notes)

    def cancel(self, key: str) -> None:
        making = self._making.get(key)
        if making is not None:
            making.cancel.set()

    def retry(self, key: str) -> None:
        self._on_zone_create_requested(key)

    def removed(self, key: str) -> None:
        making = self._making.pop(key, None)
        if making is not None:
            making.cancel.set()

    # -- writing a post -------------------------------------------------------------------
    def _on_zone_write_requested(self, key: str, title: str, text: str) -> None:
        self.tasks.run(f"file:{key}", self._write(key, title, text))

    async def _write(self, key: str, title: str, text: str) -> None:
        client = self.session.client
        zone = self.panel.inputs.zones().get(key)
        if client is None or not isinstance(zone, PostZone):
            return
        name = title.strip() or _first_line(text)
        zone.show_saving()
        try:
            post = await client.create_post(name, text)
        except OuroError as exc:
            if _alive(zone):
                zone.show_upload_error(f"The text was not saved as a post: {friendly(exc)}")
            return
        if not _alive(zone):
            return  # another route was opened (or the window closed) meanwhile
        zone.show_post(post.name or name, post.text or text)
        zone.show_uploaded(post.id, post.name or name, reused=False)

    # -- choosing on Ouro -----------------------------------------------------------------
    def choose_remote(self, key: str) -> None:
        route = self.panel.route
        need = self._need(route, key) if route is not None else None
        if route is None or need is None:
            return
        self.tasks.run(f"file:{key}", self._choose(route, need))

    async def _choose(self, route: Route, need: InputNeed) -> None:
        client = self.session.client
        zone = self.panel.inputs.zone(need.key)
        if client is None:
            return
        noun = _NOUNS.get(need.asset_type, f"{need.asset_type}s")
        try:
            page = await client.search_assets(**need.search, limit=PICKER_LIMIT)
        except OuroError as exc:
            zone.show_upload_error(f"Could not list your {noun}: {friendly(exc)}")
            return
        picker, chosen = self.choose(self.panel, need, page.items)
        self.picker = picker
        counting = None
        if need.asset_type == "dataset" and page.items:
            counting = asyncio.ensure_future(self._count_rows(picker, page.items))
        try:
            asset = await chosen
        finally:
            self.picker = None
            if counting is not None:
                counting.cancel()
        if asset is None:
            return
        fit = asset_fits(need, asset)
        if not fit.ok:  # the picker greys these out; never take one anyway
            zone.show_rejected(fit.reason)
            return
        await self._use(route, need, asset)

    async def _count_rows(self, picker: AssetPicker, assets: Sequence[AnyAsset]) -> None:
        client = self.session.client
        if client is None:
            return
        gate = asyncio.Semaphore(STATS_AT_ONCE)

        async def one(asset: AnyAsset) -> None:
            async with gate:
                try:
                    stats = await client.dataset_stats(asset.id)
                except OuroError:
                    picker.set_rows(asset.id, None)
                    return
                picker.set_rows(asset.id, stats.count)

        await asyncio.gather(*(one(a) for a in assets[:50]))

    async def _use(self, route: Route, need: InputNeed, asset: AnyAsset) -> None:
        zone = self.panel.inputs.zone(need.key)
        self._making.pop(need.key, None)
        if isinstance(zone, DatasetZone) and isinstance(asset, DatasetAsset):
            zone.show_uploaded(asset.id, asset.name, reused=True)
            await self._preview_dataset(route, need.key, zone, asset)
        elif isinstance(zone, PostZone) and isinstance(asset, PostAsset):
            zone.show_uploaded(asset.id, asset.name, reused=True)
            await self._preview_post(zone, asset)
        else:
            name = asset.name or asset.id
            if isinstance(asset, FileAsset) and asset.extension and "." not in name:
                name = f"{name}.{asset.extension}"
            zone.show_uploaded(asset.id, name, True)

    async def _preview_dataset(
        self, route: Route, key: str, zone: DatasetZone, dataset: DatasetAsset
    ) -> None:
        client = self.session.client
        if client is None:
            return
        try:
            schema, page, stats = await asyncio.gather(
                client.dataset_schema(dataset.id),
                client.dataset_rows(dataset.id, limit=PREVIEW_ROWS),
                client.dataset_stats(dataset.id),
            )
        except OuroError as exc:
            if not _alive(zone):
                return
            zone.show_dataset(
                dataset.name,
                [(c, "") for c in dataset.columns],
                [],
                total_rows=None,
                notes=[f"⚠ Its rows could not be read: {friendly(exc)}"],
            )
            return
        if not _alive(zone) or zone.asset_id != dataset.id:
            return  # something else was chosen meanwhile
        columns = [(c.name, c.kind) for c in schema]
        rows = [[row.get(name) for name, _kind in columns] for row in page.rows]
        notes = self._check_columns(route, key, {c.name: c.kind for c in schema})
        zone.show_dataset(
            dataset.name,
            columns,
            rows,
            total_rows=stats.count,
            updated=_when(dataset.last_updated or dataset.created_at),
            notes=notes,
        )

    async def _preview_post(self, zone: PostZone, post: PostAsset) -> None:
        text = post.text
        client = self.session.client
        if not text and client is not None:
            try:
                text = (await client.get_post(post.id)).text
            except OuroError as exc:
                text = f"(Its text could not be read: {friendly(exc)})"
        if _alive(zone) and zone.asset_id == post.id:
            zone.show_post(post.name or post.id, text)

    # -- an earlier run's inputs ----------------------------------------------------------
    def restore(self, key: str, asset_id: str, name: str) -> None:
        """A re-run put ``asset_id`` in a dataset or post zone: show what it holds."""
        route = self.panel.route
        zone = self.panel.inputs.zones().get(key)
        if route is None or not isinstance(zone, DatasetZone | PostZone):
            return
        self.tasks.run(f"file:{key}", self._restore(route, key, zone, asset_id, name))

    async def _restore(
        self, route: Route, key: str, zone: DatasetZone | PostZone, asset_id: str, name: str
    ) -> None:
        client = self.session.client
        if client is None:
            return
        try:
            asset = (
                await client.get_dataset(asset_id)
                if isinstance(zone, DatasetZone)
                else await client.get_post(asset_id)
            )
        except OuroError as exc:
            log.info("could not read input %s again: %s", key, type(exc).__name__)
            return
        if not _alive(zone):
            return
        if isinstance(zone, DatasetZone) and isinstance(asset, DatasetAsset):
            await self._preview_dataset(route, key, zone, asset)
        elif isinstance(zone, PostZone) and isinstance(asset, PostAsset):
            zone.show_post(asset.name or name, asset.text)


def _alive(zone: QWidget) -> bool:
    """False once the zone's page was replaced (another route) or the window closed while
    Ouro was answering: what came back has nowhere to go."""
    return shiboken6.isValid(zone)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= 80 else line[:79] + "…"
    return "A short text"


def _when(moment: Any) -> str:
    if moment is None:
        return ""
    local = moment.astimezone() if getattr(moment, "tzinfo", None) is not None else moment
    return str(local.strftime("%Y-%m-%d"))


def _value_at(body: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = body
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _set_at(body: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = body
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[path[-1]] = value
