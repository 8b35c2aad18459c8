"""Tests for RunTracker (ouro_desktop.core.runs) and its rules (ouro_desktop.core.run_policy).

Part 1 drives the tracker with a fake client and a fake clock, so timing is exact and
fast: cadence, in-flight limit, unknown statuses, error handling, ledger-first submission,
reconciliation rules. Part 2 runs it against the demo backend in-process (N5, reconcile),
part 3 across a SIGKILLed child process over loopback (N6).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from ouro_desktop.api.client import OuroClient
from ouro_desktop.api.errors import (
    AuthenticationError,
    ConnectError,
    InternalServerError,
    RateLimitError,
    ResponseError,
    SubmissionUnknown,
    UnprocessableEntityError,
)
from ouro_desktop.api.models import Action, ActionLog, ExecuteResult, Page, Route
from ouro_desktop.core.blocking import off_thread
from ouro_desktop.core.ledger import (
    LedgerWriteError,
    RunLedger,
    RunRecord,
    RunState,
    summarize_result,
)
from ouro_desktop.core.run_policy import (
    POLL_CAP_DEFAULT_S,
    backoff,
    match_submission,
    next_wait,
    poll_cap,
)
from ouro_desktop.core.runs import NOT_STARTED_DETAIL, RunTracker
from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults, InjectedResponse
from tests.conftest import serve_on_loopback

T = TypeVar("T")
BASE = "http://127.0.0.1:9"
ROUTE_ID = "route-1"


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


# --------------------------------------------------------------------------- fakes


class FakeClock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds
        await asyncio.sleep(0)


def make_route(metrics: dict[str, Any] | None = None, route_id: str = ROUTE_ID) -> Route:
    return Route.from_json(
        {
            "id": route_id,
            "name": "demo route",
            "name_url_slug": "demo-route",
            "parent_id": "service-1",
            "user": {"username": "demo"},
            "route": {"method": "POST", "path": "/x", "execution_mode": "async"},
            "metrics": metrics,
        }
    )


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat()


@dataclass
class FakeRun:
    id: str
    route_id: str
    created: float
    duration: float
    key: str | None
    body: dict[str, Any]
    statuses: list[str] = field(default_factory=list)  # scripted statuses, then time-based
    final: str = "success"
    logs: list[str] = field(default_factory=list)

    def current(self, now: float) -> str:
        if self.statuses:
            return self.statuses[0]
        return self.final if now >= self.created + self.duration else "in-progress"

    def take(self, now: float) -> str:
        """The status a GET reports: scripted ones are used up, then the clock decides."""
        return self.statuses.pop(0) if self.statuses else self.current(now)

    def json(self, status: str) -> dict[str, Any]:
        done = status in ("success", "error", "timed-out")
        response: Any = None
        if status == "success":
            response = {"answer": 42, "id": self.id}
        elif status == "error":
            response = {"error": {"message": "it broke", "status": 500}}
        return {
            "id": self.id,
            "route_id": self.route_id,
            "status": status,
            "created_at": iso(self.created),
            "started_at": iso(self.created),
            "finished_at": iso(self.created + self.duration) if done else None,
            "response": response,
            "metadata": {"idempotency_key": self.key, "body": self.body},
        }


def _listed(raw: dict[str, Any], include_response: bool | None) -> dict[str, Any]:
    """An action as a list shows it: without its answer when asked so."""
    if include_response is False:
        return {k: v for k, v in raw.items() if k != "response"}
    return raw


class FakeClient:
    """A scripted stand-in for OuroClient with request and concurrency counters."""

    def __init__(self, clock: FakeClock, *, duration: float = 3.0) -> None:
        self.clock = clock
        self.duration = duration
        self.runs: dict[str, FakeRun] = {}
        self.calls: list[tuple[str, float, Any]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.errors: list[BaseException] = []  # raised by the next get_action calls
        self.execute_error: BaseException | None = None
        self.headers_sent: list[dict[str, str] | None] = []
        self.execute_lost = False  # create the run, then raise SubmissionUnknown
        self.record_keys = True  # echo the idempotency key in metadata
        self.before_execute: Callable[[str], None] | None = None
        self.latency: Callable[[], Awaitable[None]] = self._yield
        self.route_metrics: dict[str, Any] | None = None
        self.list_hides = False  # the list shows nothing (clock skew, another org, ...)
        self._ids = itertools.count(1)

    @staticmethod
    async def _yield() -> None:
        await asyncio.sleep(0)

    async def _enter(self, name: str, arg: Any) -> None:
        self.calls.append((name, self.clock(), arg))
        if name == "execute":  # a submission is not a poll: it never waits for a slot
            await asyncio.sleep(0)
            return
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await self.latency()
        finally:
            self.in_flight -= 1

    def count(self, name: str) -> int:
        return sum(1 for call in self.calls if call[0] == name)

    def times(self, name: str) -> list[float]:
        return [t for n, t, _ in self.calls if n == name]

    def add_run(self, **kw: Any) -> FakeRun:
        run_ = FakeRun(
            id=f"action-{next(self._ids)}",
            route_id=kw.pop("route_id", ROUTE_ID),
            created=kw.pop("created", self.clock()),
            duration=kw.pop("duration", self.duration),
            key=kw.pop("key", None),
            body=kw.pop("body", {}),
            **kw,
        )
        self.runs[run_.id] = run_
        return run_

    async def get_route(self, ref: str) -> Route:
        await self._enter("get_route", ref)
        return make_route(self.route_metrics, ref)

    async def execute(
        self,
        route: Route,
        *,
        body: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        path_params: dict[str, Any] | None = None,
        input_assets: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        idempotency_key: str,
    ) -> ExecuteResult:
        self.headers_sent.append(headers)
        if self.before_execute is not None:
            self.before_execute(idempotency_key)
        await self._enter("execute", idempotency_key)
        if self.execute_error is not None:
            raise self.execute_error
        fake = self.add_run(
            route_id=route.id, key=idempotency_key if self.record_keys else None, body=body or {}
        )
        if self.execute_lost:
            raise SubmissionUnknown("no answer", idempotency_key=idempotency_key, route_id=route.id)
        return ExecuteResult(Action.from_json(fake.json("queued")), inline=False)

    async def get_action(self, action_id: str) -> Action:
        await self._enter("get_action", action_id)
        if self.errors:
            raise self.errors.pop(0)
        fake = self.runs[action_id]
        return Action.from_json(fake.json(fake.take(self.clock())))

    async def list_my_actions(
        self,
        *,
        status: list[str] | None = None,
        since: datetime | None = None,
        limit: int = 20,
        offset: int = 0,
        include_response: bool | None = None,
    ) -> Page[Action]:
        await self._enter("list_my_actions", since)
        now = self.clock()
        floor = since.timestamp() if since else float("-inf")
        items = [
            Action.from_json(_listed(r.json(r.current(now)), include_response))
            for r in sorted(self.runs.values(), key=lambda r: -r.created)
            if r.created >= floor and not self.list_hides
        ]
        page = items[offset : offset + limit]
        return Page(page, offset, limit, offset + len(page) < len(items), len(items))

    async def action_logs(
        self, action_id: str, *, offset: int = 0, limit: int = 100
    ) -> Page[ActionLog]:
        await self._enter("action_logs", (action_id, offset))
        lines = self.runs[action_id].logs
        items = [
            ActionLog.from_json({"id": f"{action_id}-log-{i}", "message": text})
            for i, text in enumerate(lines[offset : offset + limit], start=offset)
        ]
        return Page(items, offset, limit, offset + len(items) < len(lines), len(lines))


@dataclass
class Events:
    updates: list[tuple[str, RunState]] = field(default_factory=list)
    finished: list[RunRecord] = field(default_factory=list)
    logs: list[tuple[str, list[str]]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    expect: int = 1

    def attach(self, tracker: RunTracker, *, with_logs: bool = False) -> None:
        tracker.subscribe(
            on_update=lambda r, _a: self.updates.append((r.local_id, r.state)),
            on_finished=self._finished,
            on_notice=self.notices.append,
            on_logs=(lambda i, lines, _first: self.logs.append((i, [x.message for x in lines])))
            if with_logs
            else None,
        )

    def _finished(self, record: RunRecord) -> None:
        self.finished.append(record)
        if len(self.finished) >= self.expect:
            self.done.set()


@pytest.fixture
def ledger(tmp_path: Path) -> Any:
    opened, notice = RunLedger.open(tmp_path / "runs.sqlite3")
    assert notice is None
    yield opened
    opened.close()


def tracker_for(client: FakeClient, ledger: RunLedger, clock: FakeClock, **kw: Any) -> RunTracker:
    return RunTracker(
        client,
        ledger,
        base_url=BASE,
        account="me",
        clock=clock,
        sleep=clock.sleep,
        rng=kw.pop("rng", lambda: 0.0),  # no jitter unless a test asks
        run_blocking=kw.pop("run_blocking", inline),
        **kw,
    )


async def inline(func: Callable[[], None]) -> None:
    """The ledger's sync before each send, on the loop: on a fake clock a worker thread's
    real-time wait would let the clock (and the runs) race ahead of the submissions."""
    func()


async def wait_for(events: Events, timeout: float = 10.0) -> None:
    await asyncio.wait_for(events.done.wait(), timeout)


def diffs(times: list[float], start: float) -> list[float]:
    points = [start, *times]
    return [round(b - a, 6) for a, b in itertools.pairwise(points)]


# --------------------------------------------------------------------------- pure rules


def test_poll_cap_follows_route_metrics() -> None:
    assert poll_cap(None) == POLL_CAP_DEFAULT_S == 10.0
    assert poll_cap({}) == 10.0
    assert poll_cap({"avg_completion_ms": 0}) == 10.0
    assert poll_cap({"avg_completion_ms": "fast"}) == 10.0
    assert poll_cap({"avg_completion_ms": 2_000}) == 1.0  # 0.4 s clamps up
    assert poll_cap({"avg_completion_ms": 30_000}) == 6.0
    assert poll_cap({"avg_completion_ms": 3_600_000}) == 30.0  # clamps down


def test_ramp_doubles_with_bounded_jitter() -> None:
    assert next_wait(None, 6.0, lambda: 0.9) == (0.5, 0.5)  # the first wait is exact
    assert next_wait(None, 0.3, lambda: 0.9) == (0.3, 0.3)
    for r, expected in ((0.0, 1.0), (1.0, 0.8), (0.5, 0.9)):
        base, wait = next_wait(0.5, 6.0, lambda r=r: r)
        assert base == 1.0 and wait == pytest.approx(expected)  # jitter only shortens
    base, wait = next_wait(4.0, 6.0, lambda: 0.0)
    assert base == 6.0 and wait == 6.0  # never past the cap
    base, wait = next_wait(6.0, 6.0, lambda: 1.0)
    assert base == 6.0 and wait == pytest.approx(4.8)
    _, wait = backoff(0.5, 1.0, lambda: 0.5, retry_after=7.0)
    assert wait == 7.0
    _, wait = backoff(0.5, 1.0, lambda: 0.5, retry_after=10_000.0)
    assert wait == 120.0
    base, wait = backoff(20.0, 1.0, lambda: 0.0)
    assert base == wait == 30.0


def _record(**kw: Any) -> RunRecord:
    base: dict[str, Any] = dict(
        local_id="l1",
        idempotency_key="key-1",
        route_id=ROUTE_ID,
        service_id="s",
        route_name="demo/route",
        base_url=BASE,
        account="me",
        body={"x": 1},
        query={},
        path_params={},
        input_assets={},
        input_files={},
        state=RunState.UNKNOWN,
        started_at=1000.0,
        updated_at=1000.0,
    )
    base.update(kw)
    return RunRecord(**base)


def _action(action_id: str, created: float, **kw: Any) -> Action:
    return Action.from_json(
        {
            "id": action_id,
            "route_id": kw.pop("route_id", ROUTE_ID),
            "status": "in-progress",
            "created_at": iso(created),
            "metadata": kw.pop("metadata", {}),
        }
    )


def test_match_prefers_the_idempotency_key() -> None:
    record = _record()
    ours = _action("ours", 2000.0, metadata={"idempotency_key": "key-1"})  # late, other route
    close = _action("close", 1000.5)
    assert match_submission(record, [close, ours]) is ours


def test_match_fallback_is_the_closest_unclaimed_lookalike() -> None:
    record = _record()
    foreign_key = _action("k", 1000.1, metadata={"idempotency_key": "someone-else"})
    other_route = _action("r", 1000.1, route_id="route-2")
    too_early = _action("early", 990.0)
    too_late = _action("late", 1000.0 + 500)
    sdk = _action("sdk", 1000.1, metadata={"client": "ouro-py/2.20.0"})
    near = _action("near", 1000.4)
    far = _action("far", 1003.0)
    pool = [foreign_key, other_route, too_early, too_late, sdk, far, near]
    assert match_submission(record, pool) is near
    assert match_submission(record, pool, is_claimed=lambda i: i == "near") is far
    same_body = _action("same", 1004.0, metadata={"body": {"x": 1}})
    assert match_submission(record, [*pool, same_body]) is same_body
    assert match_submission(record, [foreign_key, other_route, too_early, too_late, sdk]) is None


# --------------------------------------------------------------------------- fake client


def test_cadence_ramps_and_caps_at_route_metrics(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=40.0)

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events()
        events.attach(tracker)
        start = clock()
        record = await tracker.submit(make_route({"avg_completion_ms": 30_000}), body={"a": 1})
        assert record.state is RunState.QUEUED
        await wait_for(events)
        await tracker.aclose()
        polls = diffs(client.times("get_action"), start)
        assert polls[:7] == [0.5, 1.0, 2.0, 4.0, 6.0, 6.0, 6.0]
        assert sum(polls) >= 40.0 and sum(polls) - 40.0 <= 6.0  # caught within one cap
        final = ledger.get(record.local_id)
        assert final is not None and final.state is RunState.SUCCESS
        assert final.result_summary == {"answer": 42, "id": final.action_id}
        assert events.finished[0].state is RunState.SUCCESS

    run(main())


def test_cadence_without_metrics_caps_at_10s_and_jitters(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=60.0)
    rng = iter(itertools.cycle([0.0, 1.0, 0.25]))

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock, rng=lambda: next(rng))
        events = Events()
        events.attach(tracker)
        start = clock()
        await tracker.submit(make_route(None), body={})
        await wait_for(events)
        await tracker.aclose()
        polls = diffs(client.times("get_action"), start)
        bases = [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0]
        assert polls[0] == 0.5
        for wait, base in zip(polls[1:], bases[1:], strict=False):
            assert base * 0.8 - 1e-9 <= wait <= base + 1e-9
        assert len(set(polls[1:5])) > 1  # the jitter is applied
        assert max(polls) <= 10.0

    run(main())


def test_unknown_status_is_polled_at_the_cap(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=0.0)

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events()
        events.attach(tracker)
        original = client.execute

        async def execute(route: Route, **kw: Any) -> ExecuteResult:
            result = await original(route, **kw)
            client.runs[result.action.id].statuses = ["under-review"] * 3
            return result

        client.execute = execute  # type: ignore[method-assign]
        start = clock()
        record = await tracker.submit(make_route({"avg_completion_ms": 20_000}), body={})
        await wait_for(events)
        await tracker.aclose()
        # 0.5 s first, then the cap (4 s) while the status is not understood.
        assert diffs(client.times("get_action"), start) == [0.5, 4.0, 4.0, 4.0]
        final = ledger.get(record.local_id)
        assert final is not None and final.state is RunState.SUCCESS

    run(main())


def test_a_status_that_never_becomes_readable_stops_being_polled(ledger: RunLedger) -> None:
    """Polling an unreadable status ends after a bounded time, with a clear detail and a
    notice; the run stays unfinished in the ledger for the next start to look at."""
    clock = FakeClock()
    client = FakeClient(clock, duration=0.0)

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock, unknown_status_limit_s=60.0)
        events = Events()
        events.attach(tracker)
        original = client.execute

        async def execute(route: Route, **kw: Any) -> ExecuteResult:
            result = await original(route, **kw)
            client.runs[result.action.id].statuses = ["under-review"] * 10_000
            return result

        client.execute = execute  # type: ignore[method-assign]
        record = await tracker.submit(make_route({"avg_completion_ms": 20_000}), body={})
        for _ in range(200):  # the fake clock moves only while the tracker sleeps
            if events.notices:
                break
            await asyncio.sleep(0)
        polls = client.count("get_action")
        for _ in range(50):
            await asyncio.sleep(0)
        assert client.count("get_action") == polls  # no more polls
        assert record.local_id not in tracker.watching
        await tracker.aclose()
        # 0.5 s, then every 4 s (the cap) until 60 s had passed since the odd status.
        assert 14 <= polls <= 17
        assert len(events.notices) == 1 and "under-review" in events.notices[0]
        row = ledger.get(record.local_id)
        assert row is not None and row.state.is_unfinished
        assert row.status_detail and "stopped checking" in row.status_detail

    run(main())


def test_at_most_four_requests_in_flight_with_20_runs(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=5.0)

    async def slow() -> None:
        await asyncio.sleep(0.002)  # real time: the requests overlap

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock, batch_polls=False)
        events = Events(expect=20)
        events.attach(tracker)
        route = make_route({"avg_completion_ms": 5_000})
        for _ in range(20):
            await tracker.submit(route, body={})
        client.latency = slow
        await wait_for(events)
        await tracker.aclose()
        assert client.count("get_action") >= 40
        assert client.max_in_flight == 4
        assert all(r.state is RunState.SUCCESS for r in events.finished)

    run(main())


def test_batched_polls_share_one_list_request(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=5.0)

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events(expect=20)
        events.attach(tracker)
        route = make_route({"avg_completion_ms": 5_000})
        for _ in range(20):
            await tracker.submit(route, body={})
        await wait_for(events)
        await tracker.aclose()
        # One list per tick instead of 20 GETs a tick: a handful of lists for 20 runs,
        # then one GET per finished run for its answer (lists leave answers out).
        assert client.count("list_my_actions") <= 10, client.calls
        assert client.count("list_my_actions") >= 1
        fetched = [arg for name, _, arg in client.calls if name == "get_action"]
        assert sorted(fetched) == sorted(client.runs)  # each answer fetched once
        assert {r.state for r in events.finished} == {RunState.SUCCESS}
        assert all(r.result_summary and r.result_summary["answer"] == 42 for r in events.finished)

    run(main())


def test_route_headers_are_sent_once_and_recorded_nowhere(
    ledger: RunLedger, tmp_path: Path
) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=1.0)
    secret = "Bearer s3cret-for-the-service"

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events(expect=2)
        events.attach(tracker)
        route = make_route(None)
        first = await tracker.submit(route, body={"x": 1}, headers={"authorization": secret})
        await tracker.submit(route, body={"x": 2})
        await wait_for(events)
        await tracker.aclose()
        assert client.headers_sent == [{"authorization": secret}, None]
        stored = ledger.get(first.local_id)
        assert stored is not None and secret not in repr(stored)

    run(main())
    ledger.close()
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_runs_the_list_does_not_show_are_polled_one_by_one(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=5.0)
    client.list_hides = True

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events(expect=3)
        events.attach(tracker)
        for _ in range(3):
            await tracker.submit(make_route({"avg_completion_ms": 5_000}), body={})
        await wait_for(events)
        await tracker.aclose()
        assert {r.state for r in events.finished} == {RunState.SUCCESS}
        assert client.count("list_my_actions") == 1  # tried once, then GET per run
        polled = {arg for name, _, arg in client.calls if name == "get_action"}
        assert polled == set(client.runs)

    run(main())


def test_a_ledger_failure_after_sending_is_reported_not_raised(
    ledger: RunLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=2.0)

    def broken(*_a: Any, **_kw: Any) -> bool:
        raise LedgerWriteError("Could not save the run's action to your run history: disk full")

    monkeypatch.setattr(ledger, "attach_action", broken)

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events()
        events.attach(tracker)
        record = await tracker.submit(make_route(), body={})
        assert record.action_id is None  # not saved, but the run is followed anyway
        await wait_for(events)
        await tracker.aclose()
        assert any("disk full" in notice for notice in events.notices)
        assert events.finished[0].state is RunState.SUCCESS
        assert client.count("execute") == 1

    run(main())


def test_ledger_row_is_committed_before_execute(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=1.0)
    seen: list[RunRecord] = []

    def check(key: str) -> None:
        row = ledger.by_idempotency_key(key)
        assert row is not None and row.state is RunState.SUBMITTING and row.action_id is None
        seen.append(row)

    client.before_execute = check

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        record = await tracker.submit(
            make_route(), body={"formula": "H2O"}, input_files={"f": {"name": "a.cif"}}
        )
        await tracker.aclose()
        assert seen and seen[0].local_id == record.local_id
        assert seen[0].body == {"formula": "H2O"} and seen[0].account == "me"
        assert client.count("execute") == 1

    run(main())


def test_the_row_is_on_the_disk_before_sending_waited_for_in_a_worker(
    ledger: RunLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync (up to ~100 ms on a busy disk) is waited for off the loop's thread, and
    always before the request leaves; the ledger stays readable meanwhile."""
    clock = FakeClock()
    client = FakeClient(clock, duration=1.0)
    order: list[tuple[str, bool]] = []
    loop_thread = threading.get_ident()
    real_sync = ledger.sync
    readable: list[int] = []

    def sync() -> None:
        order.append(("sync", threading.get_ident() == loop_thread))
        readable.append(ledger.count())  # the ledger's lock is not held by the sync
        real_sync()

    monkeypatch.setattr(ledger, "sync", sync)
    client.before_execute = lambda _key: order.append(("execute", True))

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock, run_blocking=off_thread)
        await tracker.submit(make_route(), body={})
        await tracker.submit(make_route(), body={})
        await tracker.aclose()

    run(main())
    assert order == [("sync", False), ("execute", True)] * 2
    assert readable == [1, 2]


def test_a_failed_sync_sends_nothing_and_says_why(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock)

    def broken() -> None:
        raise LedgerWriteError("Could not save the new run: disk full")

    ledger.sync = broken  # type: ignore[method-assign]

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock, run_blocking=off_thread)
        with pytest.raises(LedgerWriteError):
            await tracker.submit(make_route(), body={})
        await tracker.aclose()

    run(main())
    assert client.calls == []
    (row,) = ledger.list(limit=5)
    assert row.state is RunState.NOT_STARTED and "disk full" in (row.status_detail or "")


def test_ledger_failure_means_nothing_is_sent(
    ledger: RunLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()
    client = FakeClient(clock)

    def broken(**_kw: Any) -> RunRecord:
        raise LedgerWriteError("Could not save the new run to your run history: disk full")

    monkeypatch.setattr(ledger, "record_submission", broken)

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        with pytest.raises(LedgerWriteError):
            await tracker.submit(make_route(), body={})
        await tracker.aclose()
        assert client.calls == []

    run(main())


@pytest.mark.parametrize(
    "error",
    [
        ConnectError("no route to host"),
        UnprocessableEntityError("formula: bad", status=422),
        RateLimitError("slow down", status=429, retry_after=1.0),
    ],
)
def test_refused_or_unsent_submission_is_not_started(
    ledger: RunLedger, error: BaseException
) -> None:
    clock = FakeClock()
    client = FakeClient(clock)
    client.execute_error = error

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events()
        events.attach(tracker)
        with pytest.raises(type(error)):
            await tracker.submit(make_route(), body={})
        await tracker.aclose()
        (row,) = ledger.list()
        assert row.state is RunState.NOT_STARTED and row.status_detail
        assert row.status_detail.startswith("not started")
        assert events.finished and events.finished[0].state is RunState.NOT_STARTED
        assert client.count("execute") == 1

    run(main())


def test_transient_errors_back_off_and_never_end_the_run(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=2.0)
    client.errors = [
        InternalServerError("boom", status=503),
        ResponseError("html"),
        RateLimitError("busy", status=429, retry_after=9.0),
        ConnectError("down"),
    ]

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events()
        events.attach(tracker)
        start = clock()
        record = await tracker.submit(make_route({"avg_completion_ms": 5_000}), body={})
        await wait_for(events)
        await tracker.aclose()
        polls = diffs(client.times("get_action"), start)
        # 0.5 s, then backoff 1 s, 2 s, Retry-After 9 s, 8 s, then a success.
        assert polls == [0.5, 1.0, 2.0, 9.0, 8.0]
        final = ledger.get(record.local_id)
        assert final is not None and final.state is RunState.SUCCESS
        assert events.notices == []

    run(main())


def test_rejected_sign_in_pauses_until_resumed(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=1.0)
    client.errors = [AuthenticationError("Your API key was rejected.", status=401)]

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events()
        events.attach(tracker)
        await tracker.submit(make_route(), body={})
        for _ in range(50):
            await asyncio.sleep(0)
        assert tracker.paused
        assert len(events.notices) == 1 and "sign in again" in events.notices[0]
        polls = client.count("get_action")
        clock.t += 100
        for _ in range(50):
            await asyncio.sleep(0)
        assert client.count("get_action") == polls  # nothing while paused
        tracker.resume_polling()
        await wait_for(events)
        await tracker.aclose()
        assert events.finished[0].state is RunState.SUCCESS

    run(main())


def test_logs_are_fetched_incrementally(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=4.0)

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events()
        events.attach(tracker, with_logs=True)
        record = await tracker.submit(make_route({"avg_completion_ms": 5_000}), body={})
        fake = next(iter(client.runs.values()))
        fake.logs.extend(["started", "step 1"])
        while len(events.logs) < 1:
            await asyncio.sleep(0)
        fake.logs.extend(f"step {i}" for i in range(2, 150))
        await wait_for(events)
        await tracker.aclose()
        lines = [line for _, batch in events.logs for line in batch]
        assert lines == fake.logs  # each line once, in order
        offsets = [arg[1] for name, _, arg in client.calls if name == "action_logs"]
        assert offsets[:3] == [0, 2, 150]  # each fetch starts where the last one ended
        assert all(local_id == record.local_id for local_id, _ in events.logs)

    run(main())


def test_the_rest_of_a_finished_runs_log_is_read_only_for_a_run_someone_shows(
    ledger: RunLedger,
) -> None:
    """Two runs end with 1,200 lines not read yet: the one the listener shows gets every
    line; the other's log is left for when it is opened (no 1,200 lines for nothing)."""
    clock = FakeClock()
    client = FakeClient(clock, duration=0.1)  # over by the first poll

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        shown: set[str] = set()
        got: dict[str, list[str]] = {}
        finished: list[RunRecord] = []
        tracker.subscribe(
            on_logs=lambda i, lines, _first: got.setdefault(i, []).extend(x.message for x in lines),
            logs_for=lambda i: i in shown,
            on_finished=finished.append,
        )
        first = await tracker.submit(make_route(), body={})
        second = await tracker.submit(make_route(), body={})
        shown.add(first.local_id)
        for fake in client.runs.values():
            fake.logs.extend(f"line {i}" for i in range(1_200))
        for _ in range(2000):
            if len(finished) == 2 and len(got.get(first.local_id, [])) == 1_200:
                break
            await asyncio.sleep(0)
        await tracker.aclose()
        assert got == {first.local_id: [f"line {i}" for i in range(1_200)]}
        read = {arg[0] for name, _, arg in client.calls if name == "action_logs"}
        assert read == {first.action_id} and second.action_id not in read

    run(main())


def test_no_log_requests_without_a_log_listener(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=2.0)

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events()
        events.attach(tracker)
        await tracker.submit(make_route(), body={})
        await wait_for(events)
        await tracker.aclose()
        assert client.count("action_logs") == 0

    run(main())


def test_lost_answer_is_reconciled_in_session(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=3.0)
    client.execute_lost = True

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events()
        events.attach(tracker)
        record = await tracker.submit(make_route(), body={})
        assert record.state is RunState.UNKNOWN and record.action_id is None
        await wait_for(events)
        await tracker.aclose()
        final = ledger.get(record.local_id)
        fake = next(iter(client.runs.values()))
        assert final is not None and final.action_id == fake.id
        assert final.state is RunState.SUCCESS
        assert client.count("execute") == 1

    run(main())


def test_reconcile_without_echoed_keys_uses_the_closest_lookalike(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=3.0)
    client.execute_lost = True
    client.record_keys = False

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events()
        events.attach(tracker)
        client.add_run(created=clock() - 60)  # an older run of ours: not a candidate
        record = await tracker.submit(make_route(), body={"n": 2})
        await wait_for(events)
        await tracker.aclose()
        final = ledger.get(record.local_id)
        assert final is not None and final.action_id == "action-2"
        assert final.state is RunState.SUCCESS

    run(main())


def test_never_received_becomes_not_started_after_settling(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock)
    client.execute_error = SubmissionUnknown("reset", idempotency_key="k", route_id=ROUTE_ID)

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock, reconcile_settle_s=20.0)
        events = Events()
        events.attach(tracker)
        start = clock()
        record = await tracker.submit(make_route(), body={})
        assert record.state is RunState.UNKNOWN
        await wait_for(events)
        await tracker.aclose()
        final = ledger.get(record.local_id)
        assert final is not None and final.state is RunState.NOT_STARTED
        assert final.status_detail == NOT_STARTED_DETAIL
        # It kept looking until the settle time had passed, then gave its verdict.
        lookups = client.times("list_my_actions")
        assert len(lookups) >= 3 and lookups[-1] - start >= 20.0
        assert client.count("execute") == 1

    run(main())


def test_resume_polls_and_reconciles_unfinished_rows(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=5.0)
    client.route_metrics = {"avg_completion_ms": 5_000}
    known = client.add_run(created=clock() - 2)
    lost = client.add_run(created=clock() - 1)
    common = dict(route_id=ROUTE_ID, service_id="s", route_name="demo/route", base_url=BASE)
    polled = ledger.record_submission(**common, account="me", started_at=clock() - 2)
    ledger.attach_action(polled.local_id, known.id, "in-progress")
    unknown = ledger.record_submission(**common, account="me", started_at=clock() - 1)
    lost.key = unknown.idempotency_key
    ledger.mark_sent_unknown(unknown.local_id)
    gone = ledger.record_submission(**common, account="me", started_at=clock() - 3600)
    other_account = ledger.record_submission(**common, account="you", started_at=clock())
    other_server = ledger.record_submission(**{**common, "base_url": "https://x"}, account="me")

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events(expect=3)
        events.attach(tracker)
        assert await tracker.resume() == 3
        assert tracker.watching == {polled.local_id, unknown.local_id, gone.local_id}
        await wait_for(events)
        await tracker.aclose()

    run(main())
    states = {r.local_id: r for r in ledger.list(limit=-1)}
    assert states[polled.local_id].state is RunState.SUCCESS
    assert states[unknown.local_id].state is RunState.SUCCESS
    assert states[unknown.local_id].action_id == lost.id
    assert states[gone.local_id].state is RunState.NOT_STARTED
    assert states[other_account.local_id].state is RunState.SUBMITTING
    assert states[other_server.local_id].state is RunState.SUBMITTING
    assert client.count("execute") == 0
    assert client.count("get_route") == 1


def test_cancel_watch_and_aclose_stop_all_work(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=1e9)

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        first = await tracker.submit(make_route(), body={})
        second = await tracker.submit(make_route(), body={})
        for _ in range(20):
            await asyncio.sleep(0)
        assert tracker.cancel_watch(first.local_id)
        assert not tracker.cancel_watch(first.local_id)
        assert tracker.watching == {second.local_id}
        await tracker.aclose()
        calls = len(client.calls)
        clock.t += 1000
        await asyncio.sleep(0.01)
        assert len(client.calls) == calls
        assert tracker.watching == frozenset()
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        assert pending == []

    run(main())


def test_a_failing_callback_does_not_stop_tracking(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=2.0)

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)

        def explode(*_a: Any) -> None:
            raise RuntimeError("UI bug")

        tracker.subscribe(on_update=explode, on_finished=explode)
        events = Events()
        events.attach(tracker)
        await tracker.submit(make_route(), body={})
        await wait_for(events)
        await tracker.aclose()
        assert events.finished[0].state is RunState.SUCCESS

    run(main())


# --------------------------------------------------------------------------- demo backend

DEMO_URL = "http://demo.test"
DOS_CURVE = "demo/free-electron-dos-curve"
FORMULA = "demo/formula-properties"
CIF = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples" / "Cu.cif"
USE_PATH = r"/services/[^/]+/routes/[^/]+/use"


class Counting:
    """ASGI wrapper that remembers every HTTP request the demo app receives."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append((scope["method"], scope["path"]))
        await self.app(scope, receive, send)

    def count(self, method: str, pattern: str) -> int:
        return sum(1 for m, p in self.seen if m == method and re.fullmatch(pattern, p))


class BreakingTransport(httpx.AsyncBaseTransport):
    """Fails the next POST …/use: before sending (connect) or after the server did it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.mode: str | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        mode, use = self.mode, request.method == "POST" and request.url.path.endswith("/use")
        if use and mode == "connect":
            self.mode = None
            raise httpx.ConnectError("connection refused", request=request)
        response = await self.inner.handle_async_request(request)
        if use and mode == "reset":
            self.mode = None
            await response.aclose()
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


@dataclass
class DemoSession:
    app: Any
    counting: Counting
    transport: BreakingTransport
    client: Any
    ledger: RunLedger

    @property
    def backend(self) -> Any:
        return self.app.state.backend

    def tracker(self, **kw: Any) -> RunTracker:
        return RunTracker(self.client, self.ledger, base_url=DEMO_URL, account="demo", **kw)

    def server_actions(self) -> list[dict[str, Any]]:
        items, _ = self.backend.store.actions()
        return list(items)

    def uses(self) -> int:
        return self.counting.count("POST", USE_PATH)


async def client_sleep(seconds: float) -> None:
    await asyncio.sleep(min(seconds, 0.05))  # the client's own retry waits, shortened


def demo_scenario(
    demo_app: Any, ledger: RunLedger, scenario: Callable[[DemoSession], Awaitable[None]]
) -> None:
    async def main() -> None:
        counting = Counting(demo_app)
        transport = BreakingTransport(httpx.ASGITransport(app=counting))
        client = OuroClient(
            DEMO_URL, demo_app.state.backend.api_key, transport=transport, sleep=client_sleep
        )
        try:
            await client.sign_in()
            await asyncio.wait_for(
                scenario(DemoSession(demo_app, counting, transport, client, ledger)), 60
            )
        finally:
            await client.aclose()
            await demo_app.state.backend.aclose()

    asyncio.run(main())


TRANSIENT = [
    (503, b"<html><body>Service Unavailable</body></html>", {"content-type": "text/html"}),
    (502, b"<html>bad gateway</html>", {"content-type": "text/html"}),
    (429, b'{"error": {"message": "slow down", "status": 429}}', {"retry-after": "0"}),
    (500, b'{"data": null, "error": {"message": "Internal server error"}}', {}),
    (504, b"", {}),
]


@pytest.mark.parametrize("n_faults", [1, 2, 3, 4, 5])
def test_n5_polls_survive_transient_faults(
    demo_app: Any, faults: Faults, ledger: RunLedger, n_faults: int
) -> None:
    failing = n_faults % 2 == 0  # the true end state is an error for even counts
    if failing:
        faults.route_failure["free-electron-dos-curve"] = (503, "the model server is down")

    async def scenario(demo: DemoSession) -> None:
        tracker = demo.tracker()
        events = Events()
        events.attach(tracker, with_logs=True)
        route = await demo.client.get_route(DOS_CURVE)
        asset = await demo.client.upload_file(CIF)
        for status, body, headers in TRANSIENT[:n_faults]:
            faults.injected.append(
                InjectedResponse("GET", r"/actions/[^/]+", status, body, headers)
            )
        record = await tracker.submit(route, body={"steps": 3}, input_assets={"file": asset.id})
        if n_faults >= 3:  # and a 429 on whatever request comes next
            faults.rate_limit_next = 1
            faults.retry_after_s = 0
        await wait_for(events, 30)

        def last_line() -> str:
            logged = [line for _, batch in events.logs for line in batch]
            return logged[-1] if logged else ""

        # The log's last lines are read after the end (another request or two).
        for _ in range(500):
            if last_line().startswith(("Run finished", "Run failed")):
                break
            await asyncio.sleep(0.02)
        await tracker.aclose()
        assert faults.injected == [] and faults.rate_limit_next == 0  # every fault was hit
        (server,) = demo.server_actions()
        final = demo.ledger.get(record.local_id)
        assert final is not None and final.action_id == server["id"]
        assert final.state.value == server["status"] == ("error" if failing else "success")
        if failing:
            assert final.status_detail and "model server is down" in final.status_detail
        else:
            assert final.result_summary == summarize_result(server["response"])
            assert final.result_summary["formula"] == "Cu"
        assert events.finished[-1].state is final.state
        assert last_line().startswith(("Run finished", "Run failed"))
        assert demo.uses() == 1

    demo_scenario(demo_app, ledger, scenario)


def test_formula_run_in_process(demo_app: Any, ledger: RunLedger) -> None:
    async def scenario(demo: DemoSession) -> None:
        tracker = demo.tracker()
        events = Events()
        events.attach(tracker)
        route = await demo.client.get_route(FORMULA)
        record = await tracker.submit(route, body={"formula": "Ca(OH)2"})
        assert record.action_id is not None
        await wait_for(events)
        await tracker.aclose()
        final = events.finished[0]
        assert final.state is RunState.SUCCESS
        assert final.result_summary is not None
        assert final.result_summary["formula"] == "CaH2O2"
        assert final.result_summary["molar_mass"] == pytest.approx(74.09, abs=0.01)

    demo_scenario(demo_app, ledger, scenario)


LOST_AFTER = InjectedResponse("POST", USE_PATH, 502, b"<html>bad gateway</html>", {}, True)
LOST_BEFORE = InjectedResponse("POST", USE_PATH, 502, b"<html>bad gateway</html>", {}, False)


@pytest.mark.parametrize("how", ["502-after-processing", "reset-after-send"])
def test_lost_answer_is_adopted_on_resume(
    demo_app: Any, faults: Faults, ledger: RunLedger, how: str
) -> None:
    async def scenario(demo: DemoSession) -> None:
        if how == "502-after-processing":
            faults.injected.append(LOST_AFTER)
        else:
            demo.transport.mode = "reset"
        route = await demo.client.get_route(FORMULA)
        first = demo.tracker()
        record = await first.submit(route, body={"formula": "NaCl"})
        assert record.state is RunState.UNKNOWN and record.action_id is None
        await first.aclose()  # the app quits before it could reconcile
        (server,) = demo.server_actions()  # the server did run it

        second = demo.tracker(reconcile_settle_s=0.0)
        events = Events()
        events.attach(second)
        assert await second.resume() == 1
        await wait_for(events)
        await second.aclose()
        final = demo.ledger.get(record.local_id)
        assert final is not None and final.action_id == server["id"]
        assert final.state is RunState.SUCCESS
        assert final.result_summary and final.result_summary["formula"] == "ClNa"
        assert demo.uses() == 1

    demo_scenario(demo_app, ledger, scenario)


def test_lost_answer_is_reconciled_without_restart(
    demo_app: Any, faults: Faults, ledger: RunLedger
) -> None:
    async def scenario(demo: DemoSession) -> None:
        faults.injected.append(LOST_AFTER)
        route = await demo.client.get_route(FORMULA)
        tracker = demo.tracker()
        events = Events()
        events.attach(tracker)
        record = await tracker.submit(route, body={"formula": "KCl"})
        assert record.state is RunState.UNKNOWN
        await wait_for(events)
        await tracker.aclose()
        assert events.finished[0].state is RunState.SUCCESS
        assert events.finished[0].action_id == demo.server_actions()[0]["id"]
        assert demo.uses() == 1

    demo_scenario(demo_app, ledger, scenario)


@pytest.mark.parametrize("how", ["502-before-processing", "connect-error"])
def test_never_received_ends_not_started(
    demo_app: Any, faults: Faults, ledger: RunLedger, how: str
) -> None:
    async def scenario(demo: DemoSession) -> None:
        route = await demo.client.get_route(FORMULA)
        first = demo.tracker()
        if how == "connect-error":
            demo.transport.mode = "connect"
            with pytest.raises(ConnectError):
                await first.submit(route, body={"formula": "NaCl"})
            (row,) = demo.ledger.list()
            assert row.state is RunState.NOT_STARTED  # provably not sent: settled at once
            assert demo.uses() == 0
        else:
            faults.injected.append(LOST_BEFORE)
            row = await first.submit(route, body={"formula": "NaCl"})
            assert row.state is RunState.UNKNOWN
            assert demo.uses() == 1
        await first.aclose()
        second = demo.tracker(reconcile_settle_s=0.0)
        events = Events()
        events.attach(second)
        expected = 0 if how == "connect-error" else 1
        assert await second.resume() == expected
        if expected:
            await wait_for(events)
        await second.aclose()
        final = demo.ledger.get(row.local_id)
        assert final is not None and final.state is RunState.NOT_STARTED
        if how != "connect-error":
            assert final.status_detail == NOT_STARTED_DETAIL
        assert demo.server_actions() == []
        assert demo.uses() <= 1

    demo_scenario(demo_app, ledger, scenario)


# --------------------------------------------------------------------------- N6: kill -9

CHILD = Path(__file__).with_name("run_child.py")
REPO_ROOT = Path(__file__).resolve().parents[2]


def _read_line(proc: subprocess.Popen[str], prefix: str, timeout: float = 30.0) -> str:
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
            if line.startswith(prefix):
                return

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.05)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        if line.startswith(prefix):
            return line.strip()
    proc.kill()
    _, err = proc.communicate(timeout=10)
    raise AssertionError(f"child never printed {prefix!r}; stderr:\n{err}")


@pytest.mark.parametrize("kill_at", ["submitted", "running", "answer-lost", "ledger-written"])
def test_n6_run_of_a_killed_process_is_resumed(tmp_path: Path, kill_at: str) -> None:
    faults = Faults(route_latency={"free-electron-dos-curve": 2.0}, time_scale=0.05)
    app = create_app(tmp_path / "demo-data", faults=faults)
    counting = Counting(app)
    ledger_path = tmp_path / "ledger" / "runs.sqlite3"
    with serve_on_loopback(counting) as url:
        env = {
            **os.environ,
            "OURO_API_KEY": app.state.backend.api_key,
            "PYTHONPATH": str(REPO_ROOT),
        }
        proc = subprocess.Popen(
            [sys.executable, str(CHILD), url, str(ledger_path), kill_at],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        try:
            line = _read_line(proc, kill_at)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        local_id = line.split()[1]
        uses_before = counting.count("POST", USE_PATH)

        async def resume() -> None:
            ledger, notice = RunLedger.open(ledger_path)
            assert notice is None
            row = ledger.get(local_id)
            assert row is not None and row.is_unfinished  # the kill left it open
            if kill_at in ("submitted", "running"):
                assert row.action_id is not None
            else:  # killed between the ledger write and reading the answer
                assert row.state is RunState.SUBMITTING and row.action_id is None
            async with OuroClient(url, app.state.backend.api_key) as client:
                await client.sign_in()
                tracker = RunTracker(
                    client, ledger, base_url=url, account="demo", reconcile_settle_s=1.0
                )
                events = Events()
                events.attach(tracker)
                assert await tracker.resume() == 1
                await wait_for(events, 30)
                await tracker.aclose()
            ledger.close()

        asyncio.run(resume())
        actions, _ = app.state.backend.store.actions()
    opened, _ = RunLedger.open(ledger_path)
    final = opened.get(local_id)
    opened.close()
    assert final is not None
    assert counting.count("POST", USE_PATH) == uses_before <= 1  # never sent again
    if kill_at == "ledger-written" and not actions:
        assert final.state is RunState.NOT_STARTED and final.status_detail == NOT_STARTED_DETAIL
        return
    (server,) = actions
    assert server["status"] == "success"
    assert final.action_id == server["id"]
    assert final.state is RunState.SUCCESS
    assert final.result_summary == summarize_result(server["response"])
    assert final.result_summary["formula"] == "Cu"


def test_going_offline_and_back_is_reported_once_each(ledger: RunLedger) -> None:
    clock = FakeClock()
    client = FakeClient(clock, duration=2.0)
    client.errors = [ConnectError("down"), ConnectError("still down"), ConnectError("down")]

    async def main() -> None:
        tracker = tracker_for(client, ledger, clock)
        events = Events()
        events.attach(tracker)
        changes: list[bool] = []
        tracker.subscribe(on_connection=changes.append)
        await tracker.submit(make_route({"avg_completion_ms": 5_000}), body={})
        await wait_for(events)
        await tracker.aclose()
        # One "offline" for three failures in a row, one "online" when a poll got through.
        assert changes == [False, True]
        assert events.notices == []

    run(main())
