"""Picking runs up again: resume after a restart, and reconciling lost submissions.

:class:`RunRecovery` is the part of :class:`~ouro_desktop.core.runs.RunTracker` that
makes sure a run is never lost:

* :meth:`RunRecovery.resume` follows every unfinished ledger row of this server and
  account again -- polling the ones with an action id, reconciling the others.
* :meth:`RunRecovery.reconcile` handles a run whose ``/use`` answer was lost: it looks
  through the server's recent actions for the one carrying our key (rules in
  :mod:`.run_policy`) and adopts it, or -- only once ``settle_s`` have passed since the
  start, so a slow request cannot still land -- marks the run ``not-started``.

Part of ``ouro_desktop.core``: no Qt here.
"""

from __future__ import annotations

import logging
from collections.abc import Container

from ouro_desktop.api.errors import OuroError
from ouro_desktop.api.models import Action

from .ledger import RunState
from .run_context import LIST_PAGE, RunContext, lacks_response, outcome, parse_state, utc
from .run_policy import CLOCK_SKEW_S, match_submission, poll_cap
from .run_polling import RunPoller
from .run_scheduler import Watch

__all__ = ["NOT_STARTED_DETAIL", "RECONCILE_MAX_PAGES", "RECONCILE_SETTLE_S", "RunRecovery"]

log = logging.getLogger(__name__)

NOT_STARTED_DETAIL = "not started — run again?"
RECONCILE_SETTLE_S = 30.0
RECONCILE_MAX_PAGES = 10


class RunRecovery:
    """Resumes unfinished runs and reconciles submissions whose answer was lost."""

    def __init__(
        self,
        ctx: RunContext,
        poller: RunPoller,
        *,
        settle_s: float,
        sending: Container[str],
    ) -> None:
        self._ctx = ctx
        self._runs = ctx.runs
        self._poller = poller
        self._settle_s = settle_s
        # Local ids whose /use request is still in flight: the submission owns those.
        self._sending = sending
        self._claimed: set[str] = set()  # action ids adopted by reconciliation

    async def resume(self) -> int:
        """Follow every unfinished run of this server again; returns how many."""
        ctx = self._ctx
        records = sorted(ctx.ledger.unfinished(ctx.base_url), key=lambda r: r.started_at)
        count = 0
        for record in records:
            if record.local_id in self._runs.watches or record.local_id in self._sending:
                continue
            if ctx.account and record.account and record.account != ctx.account:
                continue
            cap = await self._cap_for(record.route_id)
            self._runs.add(
                Watch(
                    record=record,
                    cap=cap,
                    action_id=record.action_id,
                    reconcile=record.action_id is None,
                    due=ctx.clock(),
                )
            )
            count += 1
        return count

    async def reconcile(self, watch: Watch) -> None:
        """One reconciliation attempt for ``watch``; failures back off like polls."""
        try:
            await self._reconcile_once(watch)
        except Exception as exc:
            self._poller.failed(watch, exc)

    async def _reconcile_once(self, watch: Watch) -> None:
        ctx = self._ctx
        record = ctx.ledger.get(watch.local_id)
        if record is None or record.state.is_terminal:
            self._runs.drop(watch)
            return
        watch.record = record
        if record.action_id is not None:  # another instance found it meanwhile
            watch.reconcile, watch.action_id, watch.due = False, record.action_id, ctx.clock()
            self._runs.release(watch)
            return
        actions = await self._recent_actions(record.started_at - CLOCK_SKEW_S)
        if not self._runs.current(watch):
            return
        match = match_submission(record, actions, is_claimed=self._is_claimed)
        if match is not None:
            self._claimed.add(match.id)
            state = parse_state(match.status) or RunState.QUEUED
            ctx.ledger_write(
                ctx.ledger.attach_action, record.local_id, match.id, state, **outcome(match)
            )
            watch.reconcile, watch.action_id, watch.base = False, match.id, None
            ctx.events.notice(f"Found the run of {record.route_name} on Ouro.")
            if lacks_response(match):  # listed finished but without its result
                await self._poller.poll_one(watch)
            else:
                await self._poller.observe(watch, match, due=True)
            return
        if ctx.clock() - record.started_at >= self._settle_s:
            self._runs.drop(watch)
            ctx.ledger_write(ctx.ledger.mark_not_started, record.local_id, NOT_STARTED_DETAIL)
            watch.record = ctx.row(record.local_id, record)
            ctx.events.update(watch.record, None)
            ctx.events.finished(watch.record)
            return
        self._poller.schedule(watch)
        self._runs.release(watch)

    def _is_claimed(self, action_id: str) -> bool:
        if action_id in self._claimed:
            return True
        ctx = self._ctx
        return ctx.ledger.by_action_id(action_id, base_url=ctx.base_url) is not None

    async def _recent_actions(self, since_epoch: float) -> list[Action]:
        since = utc(since_epoch)
        found: list[Action] = []
        for page_no in range(RECONCILE_MAX_PAGES):
            offset = page_no * LIST_PAGE
            page = await self._ctx.request(
                self._ctx.client.list_my_actions(
                    since=since, limit=LIST_PAGE, offset=offset, include_response=False
                )
            )
            found.extend(page.items)
            if not page.has_more or not page.items:
                break
        return found

    async def _cap_for(self, route_id: str) -> float:
        caps = self._ctx.caps
        if route_id not in caps:
            try:
                route = await self._ctx.request(self._ctx.client.get_route(route_id))
                caps[route_id] = poll_cap(route.metrics)
            except OuroError as exc:
                log.info("no metrics for route %s: %s", route_id, exc)
                caps[route_id] = poll_cap(None)
        return caps[route_id]
