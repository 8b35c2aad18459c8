"""What the parts of a :class:`~ouro_desktop.core.runs.RunTracker` share.

The tracker is split by job -- :mod:`.run_submission` sends runs, :mod:`.run_polling`
follows them, :mod:`.run_recovery` finds lost ones and resumes after a restart -- and
each part gets one :class:`RunContext`: the client (behind the ``max_in_flight``
limit), the ledger (reads and post-send writes that never raise), the scheduler, the
subscribers, the clock and the random source, and the poll caps learnt per route.
Also here: :class:`RunClient`, the part of the API client the tracker needs, and the
small readers that turn an :class:`~ouro_desktop.api.models.Action` into ledger terms.

Part of ``ouro_desktop.core``: no Qt here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from ouro_desktop.api.models import Action, ActionLog, ExecuteResult, Page, Route

from .ledger import LedgerError, RunLedger, RunRecord, RunState, summarize_result
from .run_events import RunEvents
from .run_policy import epoch
from .run_scheduler import WatchScheduler

__all__ = [
    "LIST_PAGE",
    "JsonDict",
    "RunClient",
    "RunContext",
    "lacks_response",
    "outcome",
    "parse_state",
    "utc",
]

log = logging.getLogger(__name__)

LIST_PAGE = 100  # actions per GET /actions page (batched polls and reconciliation)

JsonDict = dict[str, Any]
T = TypeVar("T")


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
        headers: dict[str, str] | None = None,
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
        include_response: bool | None = None,
    ) -> Page[Action]: ...

    async def action_logs(
        self, action_id: str, *, offset: int = 0, limit: int = 100
    ) -> Page[ActionLog]: ...


class RunContext:
    """The dependencies and shared state of one tracker, with the helpers all parts use."""

    def __init__(
        self,
        client: RunClient,
        ledger: RunLedger,
        *,
        base_url: str,
        account: str,
        clock: Callable[[], float],
        rng: Callable[[], float],
        runs: WatchScheduler,
        events: RunEvents,
        max_in_flight: int,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.base_url = base_url
        self.account = account
        self.clock = clock
        self.rng = rng
        self.runs = runs
        self.events = events
        self.caps: dict[str, float] = {}  # poll cap by route id, from the route's metrics
        self._slots = asyncio.Semaphore(max_in_flight)

    async def request(self, call: Coroutine[Any, Any, T]) -> T:
        """Await ``call`` in one of the ``max_in_flight`` slots."""
        try:
            async with self._slots:
                return await call
        finally:
            call.close()  # never started if cancelled while queued; a no-op otherwise

    def row(self, local_id: str, fallback: RunRecord) -> RunRecord:
        """The run's current ledger row, or ``fallback`` if it cannot be read."""
        try:
            return self.ledger.get(local_id) or fallback
        except Exception:  # a read error must not stop a run being followed
            log.exception("could not read run %s from the ledger", local_id)
            return fallback

    def ledger_write(self, write: Callable[..., bool], *args: Any, **kwargs: Any) -> bool:
        """A ledger write after the request was sent: report failures, never raise."""
        try:
            return write(*args, **kwargs)
        except LedgerError as exc:
            log.warning("run ledger write failed: %s", exc)
            self.events.notice(str(exc))
            return False


_SERVER_STATES = frozenset(
    {RunState.QUEUED, RunState.IN_PROGRESS, RunState.SUCCESS, RunState.ERROR, RunState.TIMED_OUT}
)


def parse_state(status: str) -> RunState | None:
    """The ledger state for a server status, or None for one this app does not know."""
    try:
        state = RunState.parse(status)
    except ValueError:
        return None
    # Only server statuses count; "unknown" or "not-started" from a server means nothing.
    return state if state in _SERVER_STATES else None


def lacks_response(action: Action) -> bool:
    """A finished action from a list that left its response out (lists may, §7.2; this
    app asks them to)."""
    return action.is_terminal and "response" not in action.raw


def outcome(action: Action) -> JsonDict:
    """Keyword arguments for the ledger describing a (possibly finished) action."""
    if not action.is_terminal:
        return {}
    return {
        "detail": action.error_message,
        "finished_at": epoch(action.finished_at),
        "result_summary": None if action.response is None else summarize_result(action.response),
    }


def utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
