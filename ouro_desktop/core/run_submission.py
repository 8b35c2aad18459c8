"""Sending a run: ledger first, one ``/use`` request, and what its outcome means.

:class:`RunSubmitter` is the part of :class:`~ouro_desktop.core.runs.RunTracker` behind
:meth:`~ouro_desktop.core.runs.RunTracker.submit`. The ledger row is committed before
anything is sent (if that write fails, nothing is sent); then exactly one request goes
out with the row's fresh ``Idempotency-Key`` and is never retried here. The outcome is
sorted three ways:

The row is committed on the UI thread (fast) and synced to the disk in a worker
(:meth:`~ouro_desktop.core.ledger.RunLedger.sync`) before the request is sent.

* **provably not run** -- the server could not be reached, the request was refused
  before sending, or a 4xx other than 408 came back: the row becomes ``not-started``
  and the error is re-raised for the form to show;
* **sent, answer lost** -- time-outs, 5xx/408, unreadable answers, cancellation: the row
  becomes ``unknown`` and is handed to reconciliation (:mod:`.run_recovery`);
* **accepted** -- the action is attached to the row and followed by
  :mod:`.run_polling`, or finished at once when the answer came inline.

Part of ``ouro_desktop.core``: no Qt here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ouro_desktop.api.errors import (
    APIStatusError,
    ConnectError,
    InsecureURLError,
    InvalidRouteReference,
    OuroError,
)
from ouro_desktop.api.models import ExecuteResult, Route

from .blocking import off_thread
from .ledger import LedgerError, RunRecord, RunState
from .run_context import JsonDict, RunContext, outcome, parse_state
from .run_policy import poll_cap
from .run_polling import RunPoller
from .run_scheduler import Watch

__all__ = ["RunSubmitter"]


class RunSubmitter:
    """Records and sends runs, then hands them to polling or reconciliation."""

    def __init__(
        self,
        ctx: RunContext,
        poller: RunPoller,
        run_blocking: Callable[[Callable[[], None]], Awaitable[None]] = off_thread,
    ) -> None:
        self._ctx = ctx
        self._run_blocking = run_blocking
        self._runs = ctx.runs
        self._poller = poller
        # Local ids whose /use request is in flight; resume() must leave them alone.
        self.sending: set[str] = set()

    async def submit(
        self,
        route: Route,
        *,
        body: JsonDict | None,
        query: JsonDict | None,
        path_params: JsonDict | None,
        input_assets: dict[str, str] | None,
        input_files: JsonDict | None,
        price_shown: str | None,
        provenance: JsonDict | None = None,
        batch: tuple[str, int] | None = None,
        headers: dict[str, str] | None = None,
    ) -> RunRecord:
        """See :meth:`ouro_desktop.core.runs.RunTracker.submit`."""
        ctx = self._ctx
        if self._runs.closed:
            raise RuntimeError("the run tracker is closed")
        record = ctx.ledger.record_submission(
            route_id=route.id,
            service_id=route.service_id or "",
            route_name=route.full_name,
            base_url=ctx.base_url,
            account=ctx.account,
            body=body,
            query=query,
            path_params=path_params,
            input_assets=input_assets,
            input_files=input_files,
            price_shown=price_shown,
            started_at=ctx.clock(),
            provenance=provenance,
            batch_id=None if batch is None else batch[0],
            batch_item=None if batch is None else batch[1],
            wait_for_disk=False,
        )
        local_id = record.local_id
        self.sending.add(local_id)
        try:
            # On the disk before anything is sent, but waited for in a worker: a sync can
            # take 100 ms, and the UI thread (and the ledger's lock) must not wait for it.
            await self._run_blocking(ctx.ledger.sync)
        except LedgerError as exc:
            self.sending.discard(local_id)
            self._not_started(record, f"not started — {exc}")
            raise
        except BaseException:
            # Stopped before sending (quitting): the row stays ``submitting``, and the
            # next start's reconciliation finds Ouro never got it.
            self.sending.discard(local_id)
            raise
        ctx.events.update(record, None)
        cap = poll_cap(route.metrics)
        ctx.caps.setdefault(route.id, cap)
        try:
            result = await ctx.client.execute(
                route,
                body=body,
                query=query,
                path_params=path_params,
                input_assets=input_assets,
                idempotency_key=record.idempotency_key,
                **({"headers": headers} if headers else {}),  # sent, never recorded
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
            return ctx.row(local_id, record)
        except OuroError as exc:  # SubmissionUnknown, time-outs, unreadable answers
            self._sent_unknown(record, cap, str(exc))
            return ctx.row(local_id, record)
        except BaseException:
            # Cancelled or a bug mid-send: the request may have left. Reconcile later.
            self._sent_unknown(record, cap, "the app stopped waiting for the answer")
            raise
        finally:
            self.sending.discard(local_id)
        return await self._accepted(record, cap, result)

    async def _accepted(self, record: RunRecord, cap: float, result: ExecuteResult) -> RunRecord:
        ctx = self._ctx
        action = result.action
        state = parse_state(action.status) or RunState.QUEUED
        ctx.ledger_write(
            ctx.ledger.attach_action, record.local_id, action.id, state, **outcome(action)
        )
        watch = Watch(
            record=ctx.row(record.local_id, record),
            cap=cap,
            action_id=action.id,
            reconcile=False,
            due=ctx.clock(),
        )
        if action.is_terminal:  # an inline answer, or a run that was over at once
            await self._poller.finish(watch, action)
            return watch.record
        ctx.events.update(watch.record, action)
        self._poller.schedule(watch)
        self._runs.add(watch)
        return watch.record

    def _not_started(self, record: RunRecord, detail: str) -> None:
        ctx = self._ctx
        ctx.ledger_write(ctx.ledger.mark_not_started, record.local_id, detail)
        row = ctx.row(record.local_id, record)
        ctx.events.update(row, None)
        ctx.events.finished(row)

    def _sent_unknown(self, record: RunRecord, cap: float, why: str) -> None:
        ctx = self._ctx
        detail = f"sent, but the answer was lost ({why}); checking with Ouro"
        ctx.ledger_write(ctx.ledger.mark_sent_unknown, record.local_id, detail)
        watch = Watch(
            record=ctx.row(record.local_id, record),
            cap=cap,
            action_id=None,
            reconcile=True,
            due=ctx.clock(),
        )
        ctx.events.update(watch.record, None)
        self._poller.schedule(watch)
        self._runs.add(watch)
