"""RunTracker: start route runs, watch them to their end, pick them up again after a restart.

Promises, and how they are kept:

* **A run is recorded before it is sent.** :meth:`RunTracker.submit` commits the ledger
  row first; if that write fails nothing is sent. Then exactly one ``/use`` request goes
  out with a fresh ``Idempotency-Key`` -- it is never retried here (the client does not
  retry it either).
* **A run is never lost.** A lost answer leaves the row ``unknown``; the tracker then
  *reconciles*: it looks for the server's action carrying our key (rules in
  :mod:`.run_policy`) and adopts it, or -- only once ``reconcile_settle_s`` have passed
  since the start, so a slow request cannot still land -- marks the run ``not-started``
  ("not started — run again?"). :meth:`RunTracker.resume` does the same at start-up for
  every unfinished row of this server and account, and polls the ones with an action id.
* **Transient trouble never ends a run.** Network errors, time-outs, 429 (honouring
  ``Retry-After``), 5xx, unreadable answers and even 4xx answers back off (up to 30 s)
  and poll again. A rejected sign-in pauses all polling and says so through
  ``on_notice`` until :meth:`RunTracker.resume_polling`.
* **Polling is cheap.** Each run follows the adaptive ramp of :mod:`.run_policy`
  (0.5 s, doubling, capped by the route's average duration, jitter only shortening). When two or
  more runs are being watched, a due poll becomes *one* ``GET /actions?since=…`` that
  refreshes every watched run at once (ouro-protocol.md §7.4); a run the list does not
  show, or shows finished without its response, falls back to ``GET /actions/{id}``.
  At most ``max_in_flight`` requests are in flight (a semaphore). Statuses the app does
  not know are polled at the cap.
* **Logs are incremental**: while anyone is subscribed to ``on_logs``, a running run's
  due poll is followed by ``GET /actions/{id}/logs?offset=<seen>``, and a finished run
  gets one last fetch.

Callbacks are plain callables (the UI adapts them to signals) registered with
:meth:`RunTracker.subscribe`; they run on the event loop and an exception in one is
logged, never allowed to stop the tracker. One scheduler task drives all watched runs;
every task is kept in a set (strong references) and failures are logged from their
done-callbacks. The tracker owns neither the client nor the ledger: close those yourself
after :meth:`RunTracker.aclose`.

Part of ``ouro_desktop.core``: no Qt here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from ouro_desktop.api.errors import (
    APIStatusError,
    AuthenticationError,
    ConnectError,
    InsecureURLError,
    InvalidRouteReference,
    OuroError,
    RateLimitError,
)
from ouro_desktop.api.models import Action, ActionLog, ExecuteResult, Page, Route

from .ledger import LedgerError, RunLedger, RunRecord, RunState, summarize_result
from .run_policy import (
    CLOCK_SKEW_S,
    POLL_START_S,
    backoff,
    epoch,
    match_submission,
    next_wait,
    poll_cap,
)
from .run_scheduler import Watch, WatchScheduler

__all__ = [
    "NOT_STARTED_DETAIL",
    "RunClient",
    "RunTracker",
]

log = logging.getLogger(__name__)

NOT_STARTED_DETAIL = "not started — run again?"
RECONCILE_SETTLE_S = 30.0
LIST_PAGE = 100
RECONCILE_MAX_PAGES = 10
LOG_PAGE = 100
LOG_MAX_PAGES = 20  # per fetch; the rest comes with the next one

JsonDict = dict[str, Any]
T = TypeVar("T")
UpdateCallback = Callable[[RunRecord, Action | None], None]
LogsCallback = Callable[[str, list[ActionLog]], None]
FinishedCallback = Callable[[RunRecord], None]
NoticeCallback = Callable[[str], None]


class RunClient(Protocol):
    """The part of :class:`~ouro_desktop.api.client.OuroClient` the tracker uses."""

    async def get_route(self, ref: str) -> Route: ...

    async def execute(
        self,
        route: Route,
        *,
        body: JsonDict | None = None,
        query: JsonDict | None = None,
        path_params: JsonDict | None = None,
        input_assets: dict[str, str] | None = None,
        idempotency_key: str,
    ) -> ExecuteResult: ...

    async def get_action(self, action_id: str) -> Action: ...

    async def list_my_actions(
        self,
        *,
        status: list[str] | None = None,
        since: datetime | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> Page[Action]: ...

    async def action_logs(
        self, action_id: str, *, offset: int = 0, limit: int = 100
    ) -> Page[ActionLog]: ...


def _parse_state(status: str) -> RunState | None:
    try:
        state = RunState.parse(status)
    except ValueError:
        return None
    # Only server statuses count; "unknown" or "not-started" from a server means nothing.
    return state if state in _SERVER_STATES else None


_SERVER_STATES = frozenset(
    {RunState.QUEUED, RunState.IN_PROGRESS, RunState.SUCCESS, RunState.ERROR, RunState.TIMED_OUT}
)


def _utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


class RunTracker:
    """Submits runs and follows them to the end; see the module docstring."""

    def __init__(
        self,
        client: RunClient,
        ledger: RunLedger,
        *,
        base_url: str,
        account: str,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
        max_in_flight: int = 4,
        batch_polls: bool = True,
        reconcile_settle_s: float = RECONCILE_SETTLE_S,
    ) -> None:
        self._client = client
        self._ledger = ledger
        self._base_url = base_url
        self._account = account
        self._clock = clock
        self._rng = rng
        self._slots = asyncio.Semaphore(max_in_flight)
        self._batch = batch_polls
        self._settle_s = reconcile_settle_s
        self._runs = WatchScheduler(self._dispatch, clock=clock, sleep=sleep)
        self._submitting: set[str] = set()
        self._claimed: set[str] = set()  # action ids adopted by reconciliation
        self._caps: dict[str, float] = {}
        self._on_update: list[UpdateCallback] = []
        self._on_logs: list[LogsCallback] = []
        self._on_finished: list[FinishedCallback] = []
        self._on_notice: list[NoticeCallback] = []

    # ------------------------------------------------------------------ public API

    def subscribe(
        self,
        *,
        on_update: UpdateCallback | None = None,
        on_logs: LogsCallback | None = None,
        on_finished: FinishedCallback | None = None,
        on_notice: NoticeCallback | None = None,
    ) -> Callable[[], None]:
        """Register callbacks; returns a function that unregisters them.

        ``on_update(record, action)``: a run's ledger row changed (``action`` is the
        server's view when there is one). ``on_logs(local_id, lines)``: new log lines,
        in order. ``on_finished(record)``: the run reached a final state (including
        ``not-started``). ``on_notice(text)``: something the user should read.
        """
        pairs: list[tuple[list[Any], Any]] = [
            (self._on_update, on_update),
            (self._on_logs, on_logs),
            (self._on_finished, on_finished),
            (self._on_notice, on_notice),
        ]
        added = [(registry, cb) for registry, cb in pairs if cb is not None]
        for registry, cb in added:
            registry.append(cb)

        def unsubscribe() -> None:
            for registry, cb in added:
                with contextlib.suppress(ValueError):
                    registry.remove(cb)

        return unsubscribe

    @property
    def watching(self) -> frozenset[str]:
        """Local ids of the runs being followed right now."""
        return frozenset(self._runs.watches)

    @property
    def paused(self) -> bool:
        return self._runs.paused

    async def submit(
        self,
        route: Route,
        *,
        body: JsonDict | None,
        query: JsonDict | None = None,
        path_params: JsonDict | None = None,
        input_assets: dict[str, str] | None = None,
        input_files: JsonDict | None = None,
        price_shown: str | None = None,
    ) -> RunRecord:
        """Record the run, send it once, and start following it.

        Raises :class:`~ouro_desktop.core.ledger.LedgerError` if the run could not be
        recorded (nothing was sent). When the request provably did not run --
        :class:`~ouro_desktop.api.errors.ConnectError` or a 4xx refusal -- the row is
        marked ``not-started`` and the error is re-raised for the form to show. Any
        other outcome returns the row: ``queued``/``in-progress`` (being followed),
        finished (an inline answer), or ``unknown`` (sent, answer lost: reconciling).
        """
        if self._runs.closed:
            raise RuntimeError("the run tracker is closed")
        record = self._ledger.record_submission(
            route_id=route.id,
            service_id=route.service_id or "",
            route_name=route.full_name,
            base_url=self._base_url,
            account=self._account,
            body=body,
            query=query,
            path_params=path_params,
            input_assets=input_assets,
            input_files=input_files,
            price_shown=price_shown,
            started_at=self._clock(),
        )
        local_id = record.local_id
        self._submitting.add(local_id)
        self._emit_update(record, None)
        cap = poll_cap(route.metrics)
        self._caps.setdefault(route.id, cap)
        try:
            result = await self._client.execute(
                route,
                body=body,
                query=query,
                path_params=path_params,
                input_assets=input_assets,
                idempotency_key=record.idempotency_key,
            )
        except ConnectError as exc:
            self._not_started(record, f"not started — Ouro could not be reached: {exc}")
            raise
        except (InvalidRouteReference, InsecureURLError) as exc:  # refused before sending
            self._not_started(record, f"not started — {exc}")
            raise
        except APIStatusError as exc:
            if exc.status < 500 and exc.status != 408:
                self._not_started(record, f"not started — Ouro refused the run: {exc}")
                raise
            self._sent_unknown(record, cap, str(exc))
            return self._row(local_id, record)
        except OuroError as exc:  # SubmissionUnknown, time-outs, unreadable answers
            self._sent_unknown(record, cap, str(exc))
            return self._row(local_id, record)
        except BaseException:
            # Cancelled or a bug mid-send: the request may have left. Reconcile later.
            self._sent_unknown(record, cap, "the app stopped waiting for the answer")
            raise
        finally:
            self._submitting.discard(local_id)
        return await self._accepted(record, cap, result)

    async def resume(self) -> int:
        """Follow every unfinished run of this server again; returns how many.

        Runs with an action id are polled; ``submitting``/``unknown`` rows without one
        are reconciled. Rows of another account are left alone.
        """
        records = sorted(self._ledger.unfinished(self._base_url), key=lambda r: r.started_at)
        count = 0
        for record in records:
            if record.local_id in self._runs.watches or record.local_id in self._submitting:
                continue
            if self._account and record.account and record.account != self._account:
                continue
            cap = await self._cap_for(record.route_id)
            self._runs.add(
                Watch(
                    record=record,
                    cap=cap,
                    action_id=record.action_id,
                    reconcile=record.action_id is None,
                    due=self._clock(),
                )
            )
            count += 1
        return count

    def cancel_watch(self, local_id: str) -> bool:
        """Stop following a run (it keeps running on the server; resume() finds it)."""
        watch = self._runs.watches.get(local_id)
        if watch is None:
            return False
        self._runs.drop(watch)
        return True

    def resume_polling(self) -> None:
        """Poll again after a sign-in problem paused the tracker."""
        self._runs.paused = False
        now = self._clock()
        for watch in self._runs.watches.values():
            watch.due = min(watch.due, now)
        self._runs.wake()

    async def aclose(self) -> None:
        """Stop every task; the runs stay in the ledger for the next resume()."""
        await self._runs.aclose()

    async def __aenter__(self) -> RunTracker:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ submission outcomes

    async def _accepted(self, record: RunRecord, cap: float, result: ExecuteResult) -> RunRecord:
        action = result.action
        state = _parse_state(action.status) or RunState.QUEUED
        self._ledger_write(
            self._ledger.attach_action, record.local_id, action.id, state, **_outcome(action)
        )
        watch = Watch(
            record=self._row(record.local_id, record),
            cap=cap,
            action_id=action.id,
            reconcile=False,
            due=self._clock(),
        )
        if action.is_terminal:  # an inline answer, or a run that was over at once
            await self._finish(watch, action)
            return watch.record
        self._emit_update(watch.record, action)
        self._schedule(watch)
        self._runs.add(watch)
        return watch.record

    def _not_started(self, record: RunRecord, detail: str) -> None:
        self._ledger_write(self._ledger.mark_not_started, record.local_id, detail)
        row = self._row(record.local_id, record)
        self._emit_update(row, None)
        self._emit(self._on_finished, row)

    def _sent_unknown(self, record: RunRecord, cap: float, why: str) -> None:
        detail = f"sent, but the answer was lost ({why}); checking with Ouro"
        self._ledger_write(self._ledger.mark_sent_unknown, record.local_id, detail)
        watch = Watch(
            record=self._row(record.local_id, record),
            cap=cap,
            action_id=None,
            reconcile=True,
            due=self._clock(),
        )
        self._emit_update(watch.record, None)
        self._schedule(watch)
        self._runs.add(watch)

    # ------------------------------------------------------------------ scheduling

    def _schedule(self, watch: Watch) -> None:
        """Advance the ramp one step after a successful look at the run."""
        watch.base, wait = next_wait(watch.base, watch.cap, self._rng)
        watch.due = self._clock() + wait

    def _dispatch(self, due: list[Watch]) -> None:
        """Start the requests for the due watches (the scheduler marked them busy)."""
        polls = []
        for watch in due:
            if watch.reconcile:
                self._runs.spawn(self._reconcile(watch), f"reconcile {watch.local_id}")
            else:
                polls.append(watch)
        if self._batch and polls:
            batch = [w for w in self._runs.watches.values() if self._listable(w, polls)]
            if len(batch) >= 2 and any(w in batch for w in polls):
                for watch in batch:
                    watch.busy = True
                due_ids = {w.local_id for w in polls}
                self._runs.spawn(self._poll_batch(batch, due_ids), "poll batch")
                polls = [w for w in polls if w not in batch]
        for watch in polls:
            self._runs.spawn(self._poll_one(watch), f"poll {watch.local_id}")

    @staticmethod
    def _listable(watch: Watch, polls: list[Watch]) -> bool:
        return (
            not watch.reconcile
            and watch.action_id is not None
            and watch.listable
            and (not watch.busy or watch in polls)
        )

    # ------------------------------------------------------------------ polling

    async def _request(self, call: Coroutine[Any, Any, T]) -> T:
        """Await ``call`` in one of the ``max_in_flight`` slots."""
        try:
            async with self._slots:
                return await call
        finally:
            call.close()  # never started if cancelled while queued; a no-op otherwise

    async def _poll_one(self, watch: Watch) -> None:
        assert watch.action_id is not None
        action_id = watch.action_id
        try:
            action = await self._request(self._client.get_action(action_id))
        except Exception as exc:
            self._failed(watch, exc)
            return
        await self._observe(watch, action, due=True)

    async def _poll_batch(self, batch: list[Watch], due_ids: set[str]) -> None:
        since = _utc(min(w.record.started_at for w in batch) - CLOCK_SKEW_S)
        try:
            page = await self._request(self._client.list_my_actions(since=since, limit=LIST_PAGE))
        except Exception as exc:
            for watch in batch:
                if watch.local_id in due_ids:
                    self._failed(watch, exc)
                else:
                    self._runs.release(watch)
            return
        found = {action.id: action for action in page.items}
        for watch in batch:
            if not self._runs.current(watch):  # cancelled meanwhile
                continue
            is_due = watch.local_id in due_ids
            action = found.get(watch.action_id or "")
            if action is None or _lacks_response(action):
                if action is None:
                    watch.listable = False  # not on the first page: ask for it directly
                if is_due or action is not None:
                    self._runs.spawn(self._poll_one(watch), f"poll {watch.local_id}")
                else:
                    self._runs.release(watch)
                continue
            await self._observe(watch, action, due=is_due)

    async def _observe(self, watch: Watch, action: Action, *, due: bool) -> None:
        """Apply a fresh view of the run; reschedule or finish it."""
        if not self._runs.current(watch):
            return
        try:
            watch.failures = 0
            state = _parse_state(action.status)
            if state is not None and state.is_terminal:
                await self._finish(watch, action)
                return
            changed = False
            if state is None:
                # A status this app does not know: keep looking, slowly.
                if "status" not in watch.warned:
                    watch.warned.add("status")
                    log.warning("run %s has unknown status %r", watch.local_id, action.status)
                watch.base = watch.cap
                watch.due = self._clock() + watch.cap
            else:
                changed = bool(
                    self._ledger_write(self._ledger.update_status, watch.local_id, state)
                )
                if due:
                    self._schedule(watch)
                else:  # refreshed by a batch before its own turn: keep its step
                    watch.due = self._clock() + (watch.base or POLL_START_S)
                if due and state is RunState.IN_PROGRESS:
                    await self._fetch_logs(watch)
            if changed:
                watch.record = self._row(watch.local_id, watch.record)
                self._emit_update(watch.record, action)
        except Exception as exc:  # a bug must not leave the run stuck
            log.exception("could not apply the status of run %s", watch.local_id)
            self._failed(watch, exc)
            return
        self._runs.release(watch)

    def _failed(self, watch: Watch, exc: BaseException) -> None:
        """A poll or lookup failed: back off (or pause on a rejected sign-in)."""
        if isinstance(exc, AuthenticationError):
            self._pause(str(exc))
            watch.due = self._clock()
            self._runs.release(watch)
            return
        if not isinstance(exc, OuroError):
            log.error("unexpected error while following run %s", watch.local_id, exc_info=exc)
        watch.failures += 1
        retry_after = exc.retry_after if isinstance(exc, RateLimitError) else None
        watch.base, wait = backoff(watch.base, watch.cap, self._rng, retry_after)
        watch.due = self._clock() + wait
        refused = isinstance(exc, APIStatusError) and exc.status < 500 and exc.status != 429
        if refused and watch.failures == 3 and "refused" not in watch.warned:
            watch.warned.add("refused")
            self._emit(
                self._on_notice,
                f"Ouro keeps refusing to report on the run of {watch.record.route_name} "
                f"({exc}); still checking now and then.",
            )
        self._runs.release(watch)

    def _pause(self, why: str) -> None:
        if self._runs.paused:
            return
        self._runs.paused = True
        self._emit(
            self._on_notice,
            f"Ouro did not accept your sign-in ({why}). Checking on runs is paused until "
            "you sign in again.",
        )

    async def _finish(self, watch: Watch, action: Action) -> None:
        state = _parse_state(action.status)
        assert state is not None
        self._runs.drop(watch)
        self._ledger_write(self._ledger.update_status, watch.local_id, state, **_outcome(action))
        await self._fetch_logs(watch)
        watch.record = self._row(watch.local_id, watch.record)
        self._emit_update(watch.record, action)
        self._emit(self._on_finished, watch.record)

    async def _fetch_logs(self, watch: Watch) -> None:
        if not self._on_logs or watch.action_id is None:
            return
        action_id = watch.action_id
        for _ in range(LOG_MAX_PAGES):
            offset = watch.logs_seen
            try:
                page = await self._request(
                    self._client.action_logs(action_id, offset=offset, limit=LOG_PAGE)
                )
            except AuthenticationError as exc:
                self._pause(str(exc))
                return
            except Exception as exc:  # the next poll tries again
                if not isinstance(exc, OuroError):
                    log.error("could not fetch logs of run %s", watch.local_id, exc_info=exc)
                return
            if page.items:
                watch.logs_seen += len(page.items)
                self._emit(self._on_logs, watch.local_id, list(page.items))
            if not page.has_more or not page.items:
                return

    # ------------------------------------------------------------------ reconciliation

    async def _reconcile(self, watch: Watch) -> None:
        try:
            await self._reconcile_once(watch)
        except Exception as exc:
            self._failed(watch, exc)

    async def _reconcile_once(self, watch: Watch) -> None:
        record = self._ledger.get(watch.local_id)
        if record is None or record.state.is_terminal:
            self._runs.drop(watch)
            return
        watch.record = record
        if record.action_id is not None:  # another instance found it meanwhile
            watch.reconcile, watch.action_id, watch.due = False, record.action_id, self._clock()
            self._runs.release(watch)
            return
        actions = await self._recent_actions(record.started_at - CLOCK_SKEW_S)
        if not self._runs.current(watch):
            return
        match = match_submission(record, actions, is_claimed=self._is_claimed)
        if match is not None:
            self._claimed.add(match.id)
            state = _parse_state(match.status) or RunState.QUEUED
            self._ledger_write(
                self._ledger.attach_action, record.local_id, match.id, state, **_outcome(match)
            )
            watch.reconcile, watch.action_id, watch.base = False, match.id, None
            self._emit(self._on_notice, f"Found the run of {record.route_name} on Ouro.")
            if _lacks_response(match):  # listed finished but without its result
                await self._poll_one(watch)
            else:
                await self._observe(watch, match, due=True)
            return
        if self._clock() - record.started_at >= self._settle_s:
            self._runs.drop(watch)
            self._ledger_write(self._ledger.mark_not_started, record.local_id, NOT_STARTED_DETAIL)
            watch.record = self._row(record.local_id, record)
            self._emit_update(watch.record, None)
            self._emit(self._on_finished, watch.record)
            return
        self._schedule(watch)
        self._runs.release(watch)

    def _is_claimed(self, action_id: str) -> bool:
        if action_id in self._claimed:
            return True
        return self._ledger.by_action_id(action_id, base_url=self._base_url) is not None

    async def _recent_actions(self, since_epoch: float) -> list[Action]:
        since = _utc(since_epoch)
        found: list[Action] = []
        for page_no in range(RECONCILE_MAX_PAGES):
            offset = page_no * LIST_PAGE
            page = await self._request(
                self._client.list_my_actions(since=since, limit=LIST_PAGE, offset=offset)
            )
            found.extend(page.items)
            if not page.has_more or not page.items:
                break
        return found

    async def _cap_for(self, route_id: str) -> float:
        if route_id not in self._caps:
            try:
                route = await self._request(self._client.get_route(route_id))
                self._caps[route_id] = poll_cap(route.metrics)
            except OuroError as exc:
                log.info("no metrics for route %s: %s", route_id, exc)
                self._caps[route_id] = poll_cap(None)
        return self._caps[route_id]

    # ------------------------------------------------------------------ plumbing

    def _row(self, local_id: str, fallback: RunRecord) -> RunRecord:
        try:
            return self._ledger.get(local_id) or fallback
        except Exception:  # a read error must not stop a run being followed
            log.exception("could not read run %s from the ledger", local_id)
            return fallback

    def _ledger_write(self, write: Callable[..., bool], *args: Any, **kwargs: Any) -> bool:
        """A ledger write after the request was sent: report failures, never raise."""
        try:
            return write(*args, **kwargs)
        except LedgerError as exc:
            log.warning("run ledger write failed: %s", exc)
            self._emit(self._on_notice, str(exc))
            return False

    def _emit_update(self, record: RunRecord, action: Action | None) -> None:
        self._emit(self._on_update, record, action)

    def _emit(self, registry: list[Callable[..., None]], *args: Any) -> None:
        for callback in list(registry):
            try:
                callback(*args)
            except Exception:
                log.exception("a run tracker callback failed")


def _lacks_response(action: Action) -> bool:
    """A finished action from a list that left its response out (lists may, §7.2)."""
    return action.is_terminal and "response" not in action.raw


def _outcome(action: Action) -> JsonDict:
    """Keyword arguments for the ledger describing a (possibly finished) action."""
    if not action.is_terminal:
        return {}
    return {
        "detail": action.error_message,
        "finished_at": epoch(action.finished_at),
        "result_summary": None if action.response is None else summarize_result(action.response),
    }
