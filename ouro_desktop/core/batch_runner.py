"""Running a folder batch: each file an ordinary run, a few at a time, safe across a kill.

:class:`BatchRunner` drives the batches of one signed-in account. For each file it checks
the file again (it may have changed since the plan), uploads it or reuses an earlier upload
of the same content (:func:`~ouro_desktop.core.upload_pipeline.upload_or_reuse`), and
submits it through the account's :class:`~ouro_desktop.core.runs.RunTracker` -- so every
file's run is in the ledger before it is sent, is sent once, and is in the history like
any other run. The run row carries the batch and the file's place
(:mod:`.batch_store`), which is what makes a restart after ``kill -9`` send exactly the
files not sent yet; the tracker's own resume follows the runs that were in flight.

* **Bounded**: at most ``concurrency`` files of a batch are being sent or running at once.
* **429**: a refused submission (``Retry-After``, else a few seconds) is not a failure: its
  ledger row is removed (Ouro never started it), the batch waits, then sends the file again.
* **Never reached Ouro**: a run the tracker's reconciliation proves was never received
  (the app was killed between recording it and sending it) is removed and its file sent
  again -- the one case a file is re-sent without being asked, because the server
  provably has no run of it. Every other failure waits for Retry failed.
* **Responsive**: while a batch is driven, threads hand the GIL over every 0.5 ms
  (:func:`~ouro_desktop.core.blocking.responsive_switching`), not every 5 ms.
* **Pause / resume / cancel the rest / retry failed** change what is sent next; runs
  already on Ouro carry on (and are followed) whatever happens.

Listeners (:meth:`BatchRunner.subscribe`) hear ``(batch_id, positions)`` whenever files
changed; they run on the event loop and should be cheap (the UI batches its repaints).
Qt-free.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from ouro_desktop.api.errors import OuroError, RateLimitError, UploadCancelled
from ouro_desktop.api.models import Action, Route

from .batch_plan import BatchPlan
from .batch_store import Batch, BatchItem, BatchState, BatchStore, ItemState, NewItem
from .blocking import off_thread, responsive_switching
from .error_text import friendly
from .file_checks import FileRejected, check_local_file
from .ledger import LedgerError, RunRecord, RunState
from .provenance import FileFact, submit_facts
from .route_facts import price_text
from .runs import NOT_STARTED_DETAIL, RunTracker
from .upload_cache import UploadCache
from .upload_pipeline import upload_or_reuse

__all__ = ["FAILED_RUN_STATES", "BatchRunner"]

log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER_S = 5.0
FAILED_RUN_STATES = frozenset({"error", "timed-out", "not-started"})
Listener = Callable[[str, list[int]], None]
NoticeListener = Callable[[str, str], None]


class _Drive:
    """In-memory state of one batch being driven."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.owed: deque[BatchItem] = deque()
        self.sending: dict[int, asyncio.Event] = {}  # place -> cancel (while uploading)
        self.running: set[int] = set()  # places whose run is unfinished on Ouro
        self.phase: dict[int, str] = {}  # place -> "checking" | "uploading" | "sending"
        self.wake = asyncio.Event()
        self.not_before = 0.0  # a 429 asked us to wait until then
        self.reload = True  # owed/running to be read again from the ledger
        self.task: asyncio.Task[None] | None = None


class BatchRunner:
    """Drives folder batches for one account; see the module docstring."""

    def __init__(
        self,
        tracker: RunTracker,
        client: Any,
        store: BatchStore,
        uploads: UploadCache,
        *,
        base_url: str,
        account: str,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.tracker, self.client, self.store, self.uploads = tracker, client, store, uploads
        self.base_url, self.account = base_url, account
        self._clock, self._sleep = clock, sleep
        self._drives: dict[str, _Drive] = {}
        self._routes: dict[str, Route] = {}
        self._listeners: list[Listener] = []
        self._notices: list[NoticeListener] = []
        self._closed = False
        self._unsubscribe = tracker.subscribe(
            on_update=self._on_run_update, on_finished=self._on_run_finished
        )

    # -- public API ------------------------------------------------------------------------
    def subscribe(
        self, on_change: Listener | None = None, on_notice: NoticeListener | None = None
    ) -> Callable[[], None]:
        if on_change is not None:
            self._listeners.append(on_change)
        if on_notice is not None:
            self._notices.append(on_notice)

        def unsubscribe() -> None:
            if on_change in self._listeners:
                self._listeners.remove(on_change)
            if on_notice in self._notices:
                self._notices.remove(on_notice)

        return unsubscribe

    def start(
        self,
        plan: BatchPlan,
        *,
        body: dict[str, Any] | None,
        query: dict[str, Any] | None = None,
        path_params: dict[str, Any] | None = None,
        input_assets: dict[str, str] | None = None,
        price_confirmed: str | None = None,
    ) -> Batch:
        """Record the batch (raises :class:`LedgerError`, nothing sent) and start it.
        A paid route's batch needs ``price_confirmed``: the total the user agreed to."""
        route = plan.route
        if route.is_paid and not price_confirmed:
            raise ValueError("a paid route's batch needs its total price confirmed")
        settings = {
            "body": body,
            "query": query or {},
            "path_params": path_params or {},
            "input_assets": {k: v for k, v in (input_assets or {}).items() if k != plan.input_key},
        }
        batch = self.store.create(
            route_id=route.id,
            route_name=route.full_name,
            base_url=self.base_url,
            account=self.account,
            input_key=plan.input_key,
            settings=settings,
            items=[NewItem(str(f.path), f.name, f.size) for f in plan.files],
            concurrency=plan.concurrency,
            price_confirmed=price_confirmed,
        )
        self._routes[route.id] = route
        self._launch(batch)
        return batch

    def resume_open(self) -> list[Batch]:
        """Pick up every running or paused batch of this account (after a restart)."""
        batches = self.store.open_batches(self.base_url, self.account)
        for batch in batches:
            if batch.batch_id not in self._drives:
                self._launch(batch)
        return batches

    def is_driving(self, batch_id: str) -> bool:
        drive = self._drives.get(batch_id)
        return drive is not None and drive.task is not None and not drive.task.done()

    def phase(self, batch_id: str, position: int) -> str | None:
        """``checking`` / ``uploading`` / ``sending`` while this file is on its way."""
        drive = self._drives.get(batch_id)
        return None if drive is None else drive.phase.get(position)

    def waiting_s(self, batch_id: str) -> float:
        """Seconds left of a 429's wait (0 when not waiting)."""
        drive = self._drives.get(batch_id)
        return 0.0 if drive is None else max(0.0, drive.not_before - self._clock())

    def pause(self, batch_id: str) -> None:
        self.store.set_state(batch_id, BatchState.PAUSED)
        self._poke(batch_id)

    def resume(self, batch_id: str) -> None:
        self.store.set_state(batch_id, BatchState.RUNNING)
        self._ensure(batch_id)

    def cancel_rest(self, batch_id: str) -> list[int]:
        """Files not sent yet are never sent; runs on Ouro carry on. Returns their places."""
        positions = self.store.cancel_rest(batch_id)
        drive = self._drives.get(batch_id)
        if drive is not None:
            for position, cancel in drive.sending.items():
                if drive.phase.get(position) != "sending":
                    cancel.set()  # still checking or uploading: stop it
            drive.reload = True
        self._poke(batch_id)
        self._emit(batch_id, positions)
        return positions

    def failed_positions(self, batch_id: str) -> list[int]:
        runs = self.store.runs(batch_id)
        failed = []
        for item in self.store.items(batch_id):
            run = runs.get(item.position)
            if item.state is ItemState.FAILED or (
                run is not None
                and run.state.value in FAILED_RUN_STATES
                and item.state is ItemState.PENDING
            ):
                failed.append(item.position)
        return failed

    def retry_failed(self, batch_id: str) -> list[int]:
        """Send every failed file once more (a new run each); returns their places."""
        positions = self.failed_positions(batch_id)
        if positions:
            self.store.retry(batch_id, positions)
            self._ensure(batch_id)
            self._emit(batch_id, positions)
        return positions

    async def aclose(self) -> None:
        """Stop driving (files on their way are cancelled before sending where possible;
        the ledger keeps everything for the next start)."""
        self._closed = True
        self._unsubscribe()
        tasks = [d.task for d in self._drives.values() if d.task is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._drives.clear()

    # -- driving ---------------------------------------------------------------------------
    def _launch(self, batch: Batch) -> None:
        drive = _Drive(batch)
        self._drives[batch.batch_id] = drive
        drive.task = asyncio.get_event_loop().create_task(self._drive(drive))
        drive.task.add_done_callback(self._done)

    def _ensure(self, batch_id: str) -> None:
        """Drive the batch again if its task ended (done, cancelled), else wake it."""
        if self.is_driving(batch_id):
            drive = self._drives[batch_id]
            drive.reload = True
            drive.wake.set()
            return
        batch = self.store.get(batch_id)
        if batch is not None and not self._closed:
            self._launch(batch)

    def _poke(self, batch_id: str) -> None:
        """The batch changed in the ledger (state, files): read it again and look."""
        drive = self._drives.get(batch_id)
        if drive is not None:
            drive.reload = True
            drive.wake.set()

    @staticmethod
    def _done(task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("a batch stopped", exc_info=task.exception())

    async def route_for(self, route_id: str) -> Route:
        """The route of a batch (fetched once, then kept)."""
        return await self._route(route_id)

    async def _route(self, route_id: str) -> Route:
        route = self._routes.get(route_id)
        if route is None:
            route = await self.client.get_route(route_id)
            self._routes[route_id] = route
        return route

    def _refresh(self, drive: _Drive) -> None:
        batch_id = drive.batch.batch_id
        self.store.discard_unsent(batch_id, NOT_STARTED_DETAIL)
        drive.batch = self.store.get(batch_id) or drive.batch
        drive.owed = deque(
            item for item in self.store.to_send(batch_id) if item.position not in drive.sending
        )
        drive.running = {
            position for position, run in self.store.runs(batch_id).items() if run.is_unfinished
        }
        drive.reload = False

    async def _drive(self, drive: _Drive) -> None:
        # Checks, hashes and the in-app demo's answers run in other threads all the time
        # a batch goes: they hand the GIL back to the UI thread quickly (blocking.py).
        with responsive_switching():
            await self._drive_batch(drive)

    async def _drive_batch(self, drive: _Drive) -> None:
        batch_id = drive.batch.batch_id
        route: Route | None = None
        delay = 1.0
        while route is None:
            try:
                route = await self._route(drive.batch.route_id)
            except OuroError as exc:  # offline at start-up: keep trying, say so once
                if delay == 1.0:
                    self._notice(batch_id, f"Could not open the route: {friendly(exc)}")
                await self._sleep(delay)
                delay = min(30.0, delay * 2)
        while not self._closed:
            drive.wake.clear()
            if drive.reload:
                self._refresh(drive)
            state = drive.batch.state
            active = len(drive.running | set(drive.sending))
            if state is BatchState.RUNNING and not drive.owed and not active:
                self.store.set_state(batch_id, BatchState.DONE)
                drive.batch = self.store.get(batch_id) or drive.batch
                self._emit(batch_id, [])
                return
            if state in (BatchState.DONE, BatchState.CANCELLED) and not drive.sending:
                return
            wait: float | None = None
            if state is BatchState.RUNNING:
                left = drive.not_before - self._clock()
                if left > 0:
                    wait = left
                else:
                    while drive.owed and active < drive.batch.concurrency:
                        item = drive.owed.popleft()
                        drive.sending[item.position] = asyncio.Event()
                        drive.phase[item.position] = "checking"
                        active += 1
                        task = asyncio.get_event_loop().create_task(self._send(drive, route, item))
                        task.add_done_callback(self._done)
                        self._emit(batch_id, [item.position])
            if wait is None:
                await drive.wake.wait()
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(drive.wake.wait(), wait)

    async def _send(self, drive: _Drive, route: Route, item: BatchItem) -> None:
        batch = drive.batch
        batch_id, position = batch.batch_id, item.position
        cancel = drive.sending[position]
        try:
            await self._send_one(drive, route, item, cancel)
        except LedgerError as exc:
            # The run could not be recorded, so it was not sent: stop sending more.
            self._notice(batch_id, f"The batch was paused: {exc}")
            with contextlib.suppress(LedgerError):
                self.store.set_state(batch_id, BatchState.PAUSED)
            drive.reload = True
        finally:
            drive.sending.pop(position, None)
            drive.phase.pop(position, None)
            drive.wake.set()
            self._emit(batch_id, [position])

    async def _send_one(
        self, drive: _Drive, route: Route, item: BatchItem, cancel: asyncio.Event
    ) -> None:
        batch = drive.batch
        batch_id, position = batch.batch_id, item.position
        decl = route.input_assets.get(batch.input_key)
        if decl is None:
            self.store.fail_item(batch_id, position, "The route no longer has this file input.")
            return
        try:
            checked = await off_thread(check_local_file, item.path, decl)
        except FileRejected as exc:
            self.store.fail_item(batch_id, position, exc.message)
            return
        drive.phase[position] = "uploading"
        self._emit(batch_id, [position])
        try:
            upload = await upload_or_reuse(
                self.client,
                self.uploads,
                checked,
                base_url=self.base_url,
                account=self.account,
                cancel=cancel,
            )
        except UploadCancelled:
            return  # the rest was cancelled: the item says so
        except RateLimitError as exc:
            self._back_off(drive, item, exc)
            return
        except OuroError as exc:
            self.store.fail_item(batch_id, position, f"Upload failed: {friendly(exc)}")
            return
        except OSError as exc:
            if not cancel.is_set():
                self.store.fail_item(batch_id, position, f"Could not read the file: {exc}")
            return
        if cancel.is_set() or self._closed:
            return
        # The last look before sending: the rest may have been cancelled meanwhile.
        current = self.store.get(batch_id)
        if current is None or current.state in (BatchState.CANCELLED, BatchState.DONE):
            return
        drive.phase[position] = "sending"
        self._emit(batch_id, [position])
        settings = batch.settings
        assets = {**settings.get("input_assets", {}), batch.input_key: upload.asset_id}
        facts = {
            batch.input_key: FileFact(checked.name, checked.size, upload.sha256, upload.asset_id)
        }
        try:
            record = await self.tracker.submit(
                route,
                body=settings.get("body"),
                query=settings.get("query") or None,
                path_params=settings.get("path_params") or None,
                input_assets=assets,
                input_files={batch.input_key: {"name": checked.name, "asset_id": upload.asset_id}},
                price_shown=batch.price_confirmed or (price_text(route) if route.is_paid else None),
                provenance=submit_facts(route, facts),
                batch=(batch_id, position),
            )
        except RateLimitError as exc:
            self.store.discard_refused(batch_id, position)
            self._back_off(drive, item, exc)
            return
        except OuroError:
            return  # not started: the run says why, and Retry failed sends it again
        current_run = self.tracker_row(record)
        if current_run.is_unfinished:
            drive.running.add(position)

    def tracker_row(self, record: RunRecord) -> RunRecord:
        return self.store.ledger.get(record.local_id) or record

    def _back_off(self, drive: _Drive, item: BatchItem, exc: RateLimitError) -> None:
        wait = exc.retry_after if exc.retry_after and exc.retry_after > 0 else None
        drive.not_before = max(drive.not_before, self._clock() + (wait or DEFAULT_RETRY_AFTER_S))
        drive.owed.appendleft(item)

    # -- tracker events --------------------------------------------------------------------
    def _on_run_update(self, record: RunRecord, _action: Action | None) -> None:
        if record.batch_id is not None and record.batch_item is not None:
            self._emit(record.batch_id, [record.batch_item])

    def _on_run_finished(self, record: RunRecord) -> None:
        if record.batch_id is None or record.batch_item is None:
            return
        drive = self._drives.get(record.batch_id)
        if drive is not None:
            drive.running.discard(record.batch_item)
            if record.state is RunState.NOT_STARTED and record.status_detail == NOT_STARTED_DETAIL:
                drive.reload = True  # never reached Ouro (a kill before sending): send again
            drive.wake.set()
        self._emit(record.batch_id, [record.batch_item])

    def _emit(self, batch_id: str, positions: list[int]) -> None:
        for listener in list(self._listeners):
            try:
                listener(batch_id, positions)
            except Exception:
                log.exception("a batch listener failed")

    def _notice(self, batch_id: str, text: str) -> None:
        for listener in list(self._notices):
            try:
                listener(batch_id, text)
            except Exception:
                log.exception("a batch notice listener failed")
