"""Following runs that have an action id: polls, back-off, finishing, and log fetching.

:class:`RunPoller` is the part of :class:`~ouro_desktop.core.runs.RunTracker` that
looks at a run on the server and applies what it sees:

* **Cadence.** After each good look the run's wait follows the ramp of
  :mod:`.run_policy`; a failed look backs off instead (honouring ``Retry-After``), and
  a rejected sign-in pauses all polling with a notice until the tracker is told to go
  on. Nothing here ever ends a run because of transient trouble. A status this app
  does not know is polled at the cap for ``UNKNOWN_STATUS_LIMIT_S``, then no longer:
  the run keeps its last state, with a detail and a notice saying why.
* **Batching.** When two or more runs are watched, a due poll becomes one
  ``GET /actions?since=…&include_response=false`` that refreshes every listable run at
  once (§7.4); a run the list does not show, or shows finished (its answer is left out
  of lists), falls back to ``GET /actions/{id}``.
* **Answers too large to read.** A finished run whose record is larger than the client
  reads is finished from the list's view of it (status and times, no answer); the
  history offers to save the answer to a file.
* **Finishing.** A final status is written to the ledger with its outcome, then
  ``on_update`` and ``on_finished`` are called, then the rest of the logs are fetched.
* **Logs** are fetched incrementally (``offset=<seen>``), only while someone listens: up
  to :data:`LOG_MAX_PAGES` pages a poll while the run goes on, and after it ends page
  after page until the last line, so every line it logged reaches the listeners -- if a
  listener shows that run (``logs_for``): a finished run nobody looks at has its log
  read when it is opened, not 100,000 lines fetched for nothing meanwhile.

Part of ``ouro_desktop.core``: no Qt here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from ouro_desktop.api.errors import (
    APIStatusError,
    AuthenticationError,
    OuroError,
    RateLimitError,
    ResponseTooLarge,
    TransportError,
)
from ouro_desktop.api.models import Action

from .ledger import RunState
from .run_context import LIST_PAGE, RunContext, lacks_response, outcome, parse_state, utc
from .run_policy import CLOCK_SKEW_S, POLL_START_S, backoff, next_wait
from .run_scheduler import Watch

__all__ = ["LOG_MAX_PAGES", "LOG_PAGE", "UNKNOWN_STATUS_LIMIT_S", "RunPoller"]

log = logging.getLogger(__name__)

LOG_PAGE = 500  # the most a page may hold (ouro-protocol.md §7.3)
LOG_MAX_PAGES = 20  # per poll of a running run; the rest comes with the next one
# How long a status this app does not know is polled before it stops and says so.
UNKNOWN_STATUS_LIMIT_S = 15 * 60.0


class RunPoller:
    """Polls watched runs (singly or batched) and applies the answers."""

    def __init__(
        self,
        ctx: RunContext,
        *,
        batch_polls: bool,
        unknown_status_limit_s: float = UNKNOWN_STATUS_LIMIT_S,
    ) -> None:
        self._ctx = ctx
        self._runs = ctx.runs
        self._batch = batch_polls
        self._odd_limit_s = unknown_status_limit_s

    def schedule(self, watch: Watch) -> None:
        """Advance the ramp one step after a successful look at the run."""
        watch.base, wait = next_wait(watch.base, watch.cap, self._ctx.rng)
        watch.due = self._ctx.clock() + wait

    def dispatch(self, polls: list[Watch]) -> None:
        """Start the polls of these due watches (the scheduler marked them busy)."""
        if self._batch and polls:
            batch = [w for w in self._runs.watches.values() if _listable(w, polls)]
            # One list only pays off for two runs or more, and only if one is due now.
            if len(batch) >= 2 and any(w in batch for w in polls):
                for watch in batch:
                    watch.busy = True
                due_ids = {w.local_id for w in polls}
                self._runs.spawn(self._poll_batch(batch, due_ids), "poll batch")
                polls = [w for w in polls if w not in batch]
        for watch in polls:
            self._runs.spawn(self.poll_one(watch), f"poll {watch.local_id}")

    # ------------------------------------------------------------------ looking

    async def poll_one(self, watch: Watch) -> None:
        assert watch.action_id is not None
        action_id = watch.action_id
        try:
            action = await self._ctx.request(self._ctx.client.get_action(action_id))
        except ResponseTooLarge as exc:
            listed = await self._listed_view(watch)
            if listed is None or not listed.is_terminal:
                self.failed(watch, exc)
                return
            action = listed  # finished, its answer too large to read: finish without it
        except Exception as exc:
            self.failed(watch, exc)
            return
        await self.observe(watch, action, due=True)

    async def _listed_view(self, watch: Watch) -> Action | None:
        """The run as a list without answers shows it (None if it does not)."""
        ctx = self._ctx
        since = utc(watch.record.started_at - CLOCK_SKEW_S)
        try:
            page = await ctx.request(
                ctx.client.list_my_actions(since=since, limit=LIST_PAGE, include_response=False)
            )
        except OuroError:
            return None
        return next((a for a in page.items if a.id == watch.action_id), None)

    async def _poll_batch(self, batch: list[Watch], due_ids: set[str]) -> None:
        since = utc(min(w.record.started_at for w in batch) - CLOCK_SKEW_S)
        try:
            page = await self._ctx.request(
                self._ctx.client.list_my_actions(
                    since=since, limit=LIST_PAGE, include_response=False
                )
            )
        except ResponseTooLarge:
            # A server that lists answers anyway, one of them huge: ask for each run.
            for watch in batch:
                watch.listable = False
                self._runs.spawn(self.poll_one(watch), f"poll {watch.local_id}")
            return
        except Exception as exc:
            # Only the runs that were due count the failure; the others just wait their turn.
            for watch in batch:
                if watch.local_id in due_ids:
                    self.failed(watch, exc)
                else:
                    self._runs.release(watch)
            return
        found = {action.id: action for action in page.items}
        for watch in batch:
            if not self._runs.current(watch):  # cancelled meanwhile
                continue
            is_due = watch.local_id in due_ids
            action = found.get(watch.action_id or "")
            if action is None or lacks_response(action):
                if action is None:
                    watch.listable = False  # not on the first page: ask for it directly
                if is_due or action is not None:
                    self._runs.spawn(self.poll_one(watch), f"poll {watch.local_id}")
                else:
                    self._runs.release(watch)
                continue
            await self.observe(watch, action, due=is_due)
            # One list answer can update dozens of runs (ledger write, UI callbacks each):
            # give the event loop a turn between them so the window never stalls.
            await asyncio.sleep(0)

    # ------------------------------------------------------------------ applying answers

    async def observe(self, watch: Watch, action: Action, *, due: bool) -> None:
        """Apply a fresh view of the run; reschedule or finish it."""
        ctx = self._ctx
        if not self._runs.current(watch):
            return
        ctx.events.connection(True)
        try:
            watch.failures = 0
            state = parse_state(action.status)
            if state is not None and state.is_terminal:
                await self.finish(watch, action)
                return
            changed = False
            if state is None:
                # A status this app does not know: keep looking, slowly, for a while.
                if "status" not in watch.warned:
                    watch.warned.add("status")
                    watch.odd_since = ctx.clock()
                    log.warning("run %s has unknown status %r", watch.local_id, action.status)
                if ctx.clock() - (watch.odd_since or ctx.clock()) >= self._odd_limit_s:
                    self._stop_following(watch, action.status)
                    return
                watch.base = watch.cap
                watch.due = ctx.clock() + watch.cap
            else:
                # A repeated state (a queued run still queued) writes nothing and calls no one.
                if state is not watch.record.state:
                    changed = bool(
                        ctx.ledger_write(ctx.ledger.update_status, watch.local_id, state)
                    )
                if due:
                    self.schedule(watch)
                else:  # refreshed by a batch before its own turn: keep its step
                    watch.due = ctx.clock() + (watch.base or POLL_START_S)
                if due and state is RunState.IN_PROGRESS:
                    await self._fetch_logs(watch)
            if changed:
                watch.record = ctx.row(watch.local_id, watch.record)
                ctx.events.update(watch.record, action)
        except Exception as exc:  # a bug must not leave the run stuck
            log.exception("could not apply the status of run %s", watch.local_id)
            self.failed(watch, exc)
            return
        self._runs.release(watch)

    def _stop_following(self, watch: Watch, status: str) -> None:
        """Ouro kept reporting a status this app can't read: stop, and say so plainly.

        The run stays unfinished in the ledger (the next start looks at it again); its
        detail says why nobody is checking it now.
        """
        ctx = self._ctx
        self._runs.drop(watch)
        minutes = max(1, round(self._odd_limit_s / 60))
        detail = (
            f"Ouro reports this run as “{status}”, which this app does not understand; "
            f"it stopped checking after {minutes} min. Look at the run on Ouro, or "
            "restart Ouro Desktop to check again."
        )
        with contextlib.suppress(ValueError):
            ctx.ledger_write(
                ctx.ledger.update_status, watch.local_id, watch.record.state, detail=detail
            )
        watch.record = ctx.row(watch.local_id, watch.record)
        ctx.events.update(watch.record, None)
        ctx.events.notice(f"{watch.record.route_name}: {detail}")

    def failed(self, watch: Watch, exc: BaseException) -> None:
        """A poll or lookup failed: back off (or pause on a rejected sign-in)."""
        ctx = self._ctx
        if isinstance(exc, AuthenticationError):
            self._pause(str(exc))
            watch.due = ctx.clock()
            self._runs.release(watch)
            return
        if not isinstance(exc, OuroError):
            log.error("unexpected error while following run %s", watch.local_id, exc_info=exc)
        if isinstance(exc, TransportError):
            ctx.events.connection(False)
        watch.failures += 1
        retry_after = exc.retry_after if isinstance(exc, RateLimitError) else None
        watch.base, wait = backoff(watch.base, watch.cap, ctx.rng, retry_after)
        watch.due = ctx.clock() + wait
        refused = isinstance(exc, APIStatusError) and exc.status < 500 and exc.status != 429
        if refused and watch.failures == 3 and "refused" not in watch.warned:
            watch.warned.add("refused")
            ctx.events.notice(
                f"Ouro keeps refusing to report on the run of {watch.record.route_name} "
                f"({exc}); still checking now and then.",
            )
        self._runs.release(watch)

    def _pause(self, why: str) -> None:
        if self._runs.paused:
            return
        self._runs.paused = True
        self._ctx.events.notice(
            f"Ouro did not accept your sign-in ({why}). Checking on runs is paused until "
            "you sign in again.",
        )

    async def finish(self, watch: Watch, action: Action) -> None:
        """Record a final status with its outcome, fetch the last logs, and tell listeners."""
        ctx = self._ctx
        state = parse_state(action.status)
        assert state is not None
        self._runs.drop(watch)
        ctx.ledger_write(ctx.ledger.update_status, watch.local_id, state, **outcome(action))
        watch.record = ctx.row(watch.local_id, watch.record)
        ctx.events.update(watch.record, action)
        # Listeners show a big answer on update and again on finished (the history's
        # detail, the run panel's card): one turn of the loop each, not one long one.
        await asyncio.sleep(0)
        ctx.events.finished(watch.record)
        await self._fetch_logs(watch, to_the_end=True)

    async def _fetch_logs(self, watch: Watch, *, to_the_end: bool = False) -> None:
        ctx = self._ctx
        if not ctx.events.wants_logs or watch.action_id is None:
            return
        if watch.record.batch_id is not None:
            # A folder batch's runs: their logs are read when one is opened in the history,
            # not fetched for each of hundreds of runs nobody is looking at.
            return
        action_id = watch.action_id
        pages = 0
        while to_the_end or pages < LOG_MAX_PAGES:
            if to_the_end and not ctx.events.wants_logs_of(watch.local_id):
                # Over, and nobody shows it: opening it later reads its whole log.
                return
            pages += 1
            offset = watch.logs_seen
            try:
                page = await ctx.request(
                    ctx.client.action_logs(action_id, offset=offset, limit=LOG_PAGE)
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
                ctx.events.logs(watch.local_id, list(page.items), offset)
            if not page.has_more or not page.items:
                return


def _listable(watch: Watch, polls: list[Watch]) -> bool:
    """Whether the batched list may refresh ``watch`` in the batch started for ``polls``."""
    return (
        not watch.reconcile
        and watch.action_id is not None
        and watch.listable
        and (not watch.busy or watch in polls)
    )
