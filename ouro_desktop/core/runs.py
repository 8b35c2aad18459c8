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
  not know are polled at the cap, and no longer after ``unknown_status_limit_s`` (the
  run keeps its state, with a detail saying why it is not being checked).
* **Logs are incremental**: while anyone is subscribed to ``on_logs``, a running run's
  due poll is followed by ``GET /actions/{id}/logs?offset=<seen>``, and a finished run
  shown by a listener (``logs_for``) gets the rest of its log.

Callbacks are plain callables (the UI adapts them to signals) registered with
:meth:`RunTracker.subscribe`; they run on the event loop and an exception in one is
logged, never allowed to stop the tracker. One scheduler task drives all watched runs;
every task is kept in a set (strong references) and failures are logged from their
done-callbacks. The tracker owns neither the client nor the ledger: close those yourself
after :meth:`RunTracker.aclose`.

How the work is divided: :class:`RunTracker` is the public face and the wiring. It
hands sending to :mod:`.run_submission`, looking at runs (polls, back-off, logs) to
:mod:`.run_polling`, and reconciliation and resume to :mod:`.run_recovery`; the state
they share (client, ledger, subscribers, clock) is a :class:`~.run_context.RunContext`,
the timing loop is :mod:`.run_scheduler` and the pure rules are :mod:`.run_policy`.

Part of ``ouro_desktop.core``: no Qt here.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from ouro_desktop.api.models import Route

from .blocking import off_thread
from .ledger import RunLedger, RunRecord
from .run_context import JsonDict, RunClient, RunContext
from .run_events import (
    ConnectionCallback,
    FinishedCallback,
    LogsCallback,
    NoticeCallback,
    RunEvents,
    UpdateCallback,
)
from .run_polling import UNKNOWN_STATUS_LIMIT_S, RunPoller
from .run_recovery import NOT_STARTED_DETAIL, RECONCILE_SETTLE_S, RunRecovery
from .run_scheduler import Watch, WatchScheduler
from .run_submission import RunSubmitter

__all__ = [
    "NOT_STARTED_DETAIL",
    "RunClient",
    "RunTracker",
]


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
        unknown_status_limit_s: float = UNKNOWN_STATUS_LIMIT_S,
        run_blocking: Callable[[Callable[[], None]], Awaitable[None]] = off_thread,
    ) -> None:
        self._events = RunEvents()
        self._runs = WatchScheduler(self._dispatch, clock=clock, sleep=sleep)
        ctx = RunContext(
            client,
            ledger,
            base_url=base_url,
            account=account,
            clock=clock,
            rng=rng,
            runs=self._runs,
            events=self._events,
            max_in_flight=max_in_flight,
        )
        self._clock = clock
        self._poller = RunPoller(
            ctx, batch_polls=batch_polls, unknown_status_limit_s=unknown_status_limit_s
        )
        # ``run_blocking`` waits for the disk before each send (a worker thread; tests on
        # a fake clock may wait inline instead).
        self._submitter = RunSubmitter(ctx, self._poller, run_blocking)
        self._recovery = RunRecovery(
            ctx, self._poller, settle_s=reconcile_settle_s, sending=self._submitter.sending
        )

    # ------------------------------------------------------------------ public API

    def subscribe(
        self,
        *,
        on_update: UpdateCallback | None = None,
        on_logs: LogsCallback | None = None,
        on_finished: FinishedCallback | None = None,
        on_notice: NoticeCallback | None = None,
        on_connection: ConnectionCallback | None = None,
        logs_for: Callable[[str], bool] | None = None,
    ) -> Callable[[], None]:
        """Register callbacks (see :meth:`RunEvents.subscribe` for what each receives);
        returns a function that unregisters them."""
        return self._events.subscribe(
            on_update=on_update,
            on_logs=on_logs,
            on_finished=on_finished,
            on_notice=on_notice,
            on_connection=on_connection,
            logs_for=logs_for,
        )

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
        provenance: JsonDict | None = None,
        batch: tuple[str, int] | None = None,
        headers: dict[str, str] | None = None,
    ) -> RunRecord:
        """Record the run, send it once, and start following it.

        ``headers`` are the route's own header parameters (an access key, say): sent with
        this one request and never recorded (not in the ledger, not in any log).

        Raises :class:`~ouro_desktop.core.ledger.LedgerError` if the run could not be
        recorded (nothing was sent). When the request provably did not run --
        :class:`~ouro_desktop.api.errors.ConnectError` or a 4xx refusal -- the row is
        marked ``not-started`` and the error is re-raised for the form to show. Any
        other outcome returns the row: ``queued``/``in-progress`` (being followed),
        finished (an inline answer), or ``unknown`` (sent, answer lost: reconciling).
        """
        return await self._submitter.submit(
            route,
            body=body,
            query=query,
            path_params=path_params,
            input_assets=input_assets,
            input_files=input_files,
            price_shown=price_shown,
            provenance=provenance,
            batch=batch,
            headers=headers,
        )

    async def resume(self) -> int:
        """Follow every unfinished run of this server again; returns how many.

        Runs with an action id are polled; ``submitting``/``unknown`` rows without one
        are reconciled. Rows of another account are left alone.
        """
        return await self._recovery.resume()

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

    # ------------------------------------------------------------------ wiring

    def _dispatch(self, due: list[Watch]) -> None:
        """Start the requests for the due watches (the scheduler marked them busy)."""
        # Routed here rather than in the poller so that polling and recovery do not
        # depend on each other in both directions: recovery uses the poller, not back.
        polls = []
        for watch in due:
            if watch.reconcile:
                self._runs.spawn(self._recovery.reconcile(watch), f"reconcile {watch.local_id}")
            else:
                polls.append(watch)
        self._poller.dispatch(polls)
