"""The history's entries: built from ledger records and server actions, merged, worded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from ouro_desktop.api.models import Action
from ouro_desktop.core.history import (
    STATUS_WORDS,
    HistoryEntry,
    entry_from_action,
    entry_from_record,
    expected_seconds,
    format_clock,
    format_duration,
    format_running,
    format_started,
    merge,
    summary_text,
)
from ouro_desktop.core.run_record import RunRecord, RunState

T0 = 1_700_000_000.0


def record(
    local_id: str,
    *,
    state: RunState = RunState.QUEUED,
    action_id: str | None = None,
    started_at: float = T0,
    route_id: str = "route-1",
    route_name: str = "demo/dos-curve",
    idempotency_key: str | None = None,
    **extra: Any,
) -> RunRecord:
    return RunRecord(
        local_id=local_id,
        idempotency_key=idempotency_key or f"idem-{local_id}",
        route_id=route_id,
        service_id="svc",
        route_name=route_name,
        base_url="https://api.example",
        account="alice",
        body={},
        query={},
        path_params={},
        input_assets={},
        input_files=extra.pop("input_files", {}),
        state=state,
        started_at=started_at,
        updated_at=started_at,
        action_id=action_id,
        **extra,
    )


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat().replace("+00:00", "Z")


def action(
    action_id: str,
    status: str = "queued",
    *,
    started_at: float = T0,
    finished_at: float | None = None,
    route_id: str = "route-1",
    response: Any = None,
    metadata: dict[str, Any] | None = None,
) -> Action:
    raw: dict[str, Any] = {
        "id": action_id,
        "route_id": route_id,
        "status": status,
        "created_at": iso(started_at),
        "started_at": iso(started_at),
        "metadata": metadata or {},
    }
    if finished_at is not None:
        raw["finished_at"] = iso(finished_at)
    if response is not None:
        raw["response"] = response
    return Action.from_json(raw)


# ----------------------------------------------------------------------------- entries


def test_entry_from_record_keys_by_action_id_else_local_id() -> None:
    with_id = entry_from_record(record("l1", action_id="a1"), expected_s=30.0)
    assert with_id.key == "a1" and with_id.local_id == "l1" and with_id.expected_s == 30.0
    without = entry_from_record(record("l2", state=RunState.SUBMITTING))
    assert without.key == "local:l2" and without.action_id is None
    assert without.is_running and without.status_word == "Sending"


def test_entry_from_record_summary_and_error() -> None:
    done = entry_from_record(
        record(
            "l1",
            state=RunState.SUCCESS,
            action_id="a1",
            finished_at=T0 + 3.2,
            result_summary={"energy": 1.2345678, "atoms": 8, "_truncated": True},
        )
    )
    assert done.summary == "energy 1.23457, atoms 8"
    assert done.error is None and done.duration_s() == pytest.approx(3.2)
    failed = entry_from_record(
        record("l2", state=RunState.ERROR, action_id="a2", status_detail="Bad structure")
    )
    assert failed.error == "Bad structure"
    files = entry_from_record(
        record("l3", input_files={"structure": {"name": "Si.cif", "asset_id": "x"}})
    )
    assert files.summary == "Si.cif"


def test_entry_from_action() -> None:
    ok = action("a1", "success", finished_at=T0 + 65, response={"band_gap": 1.1, "curve": [1, 2]})
    entry = entry_from_action(ok, "demo/dos", expected_s=12.0)
    assert entry.key == "a1" and entry.local_id is None and entry.route_name == "demo/dos"
    assert entry.status is RunState.SUCCESS and entry.started_at == pytest.approx(T0)
    assert entry.duration_s() == pytest.approx(65) and entry.summary == "band_gap 1.1"
    late = entry_from_action(action("a2", "timed-out", finished_at=T0 + 900), "demo/dos")
    assert late.error and late.status_word == "Timed out"
    odd = entry_from_action(action("a3", "in_progress"), "demo/dos")
    assert odd.status is RunState.IN_PROGRESS
    weird = entry_from_action(action("a4", "paused-by-moon"), "demo/dos")
    assert weird.status is RunState.UNKNOWN


def test_expected_seconds_from_metrics() -> None:
    assert expected_seconds({"p50_completion_ms": 30_000, "avg_completion_ms": 50_000}) == 30.0
    assert expected_seconds({"avg_completion_ms": 1500}) == 1.5
    assert expected_seconds({"p50_completion_ms": None}) is None
    assert expected_seconds(None) is None


# ----------------------------------------------------------------------------- merge


def test_merge_a_local_run_shows_before_the_server_knows_it() -> None:
    merged = merge([record("l1", state=RunState.SUBMITTING)], [], {}, {})
    assert [e.key for e in merged] == ["local:l1"]
    assert merged[0].route_name == "demo/dos-curve"


def test_merge_matches_by_action_id_and_takes_the_fresher_state() -> None:
    local = record("l1", state=RunState.QUEUED, action_id="a1", started_at=T0)
    server = action("a1", "success", started_at=T0 + 0.5, finished_at=T0 + 10, response={"x": 1})
    [entry] = merge([local], [server], {"route-1": "Dos curve"}, {"route-1": 20.0})
    assert entry.key == "a1" and entry.local_id == "l1" and entry.action_id == "a1"
    assert entry.status is RunState.SUCCESS and entry.finished_at == pytest.approx(T0 + 10)
    assert entry.started_at == T0  # the local start time: the row does not jump
    assert entry.summary == "x 1" and entry.expected_s == 20.0
    assert entry.route_name == "Dos curve"

    # The ledger already knows the run finished, the server list is stale: keep "success".
    local_done = record(
        "l2",
        state=RunState.SUCCESS,
        action_id="a2",
        finished_at=T0 + 5,
        result_summary={"y": 2},
    )
    [entry] = merge([local_done], [action("a2", "in-progress")], {}, {})
    assert entry.status is RunState.SUCCESS and entry.summary == "y 2"
    assert entry.finished_at == pytest.approx(T0 + 5)


def test_merge_on_a_terminal_tie_the_server_wins() -> None:
    local = record("l1", state=RunState.TIMED_OUT, action_id="a1", status_detail="gave up")
    server = action("a1", "error", finished_at=T0 + 3, response={"detail": "Bad input"})
    [entry] = merge([local], [server], {}, {})
    assert entry.status is RunState.ERROR and entry.error and "Bad input" in entry.error


def test_merge_a_record_without_action_id_stays_its_own_row() -> None:
    local = record("l1", state=RunState.UNKNOWN, idempotency_key="k-1")
    merged = merge([local], [action("a9", "queued")], {}, {})
    assert sorted(e.key for e in merged) == ["a9", "local:l1"]


def test_merge_joins_an_unanswered_post_by_idempotency_key() -> None:
    # The POST got no answer, so the record has no id; the server's action carries the key.
    local = record("l1", state=RunState.UNKNOWN, idempotency_key="k-1")
    server = action("a1", "in-progress", metadata={"idempotency_key": "k-1"})
    [entry] = merge([local], [server], {}, {})
    assert entry.key == "a1" and entry.local_id == "l1" and entry.status is RunState.IN_PROGRESS


def test_merge_dedupes_and_orders_newest_first() -> None:
    records = [
        record("l1", action_id="a1", started_at=T0 + 1),
        record("l2", started_at=T0 + 5, state=RunState.SUBMITTING),
        record("l1", action_id="a1", started_at=T0 + 1),  # the same record twice
    ]
    actions = [
        action("a3", "success", started_at=T0 + 3, finished_at=T0 + 4),
        action("a1", "in-progress", started_at=T0 + 1),
        action("a3", "success", started_at=T0 + 3, finished_at=T0 + 4),  # shifted page
        action("a4", "queued", started_at=T0 + 10, route_id="route-2"),
    ]
    merged = merge(records, actions, {"route-2": "Other route"}, {})
    assert [e.key for e in merged] == ["a4", "local:l2", "a3", "a1"]
    assert len({e.key for e in merged}) == len(merged)
    assert merged[0].route_name == "Other route"
    assert merged[-1].status is RunState.IN_PROGRESS and merged[-1].local_id == "l1"


def test_merge_of_a_server_only_action_listed_twice_keeps_the_further_state() -> None:
    merged = merge(
        [], [action("a1", "success", finished_at=T0 + 1), action("a1", "queued")], {}, {}
    )
    assert [(e.key, e.status) for e in merged] == [("a1", RunState.SUCCESS)]


def test_merge_100k_entries_quickly() -> None:
    n = 80_000  # local records; with the server's actions, 100,000 rows come out
    states = list(RunState)
    records = [
        record(
            f"l{i}",
            state=states[i % len(states)],
            action_id=f"a{i}" if i % 4 else None,
            started_at=T0 + i,
            route_id=f"route-{i % 40}",
            result_summary={"value": i},
        )
        for i in range(n)
    ]
    actions = [
        action(f"a{i}", "success", started_at=T0 + i, finished_at=T0 + i + 2)
        for i in range(n - 30_000, n + 20_000)  # 30,000 already local, 20,000 server-only
    ]
    names = {f"route-{i}": f"Route {i}" for i in range(40)}
    expected = {f"route-{i}": 10.0 for i in range(40)}
    # Speed is benchmarks/history_scale.py's business; this checks what comes out.
    merged = merge(records, actions, names, expected)
    keys = [e.key for e in merged]
    assert len(keys) == len(set(keys))
    # An action joins a record when that record has its id (i < n and i % 4 != 0).
    joined = sum(1 for i in range(n - 30_000, n) if i % 4)
    assert len(merged) == n + len(actions) - joined
    assert len(merged) > 100_000
    starts = [e.started_at for e in merged]
    assert starts == sorted(starts, reverse=True)


# ----------------------------------------------------------------------------- words


def test_every_state_has_a_word() -> None:
    assert set(STATUS_WORDS) == set(RunState)
    assert STATUS_WORDS[RunState.IN_PROGRESS] == "Running"
    assert STATUS_WORDS[RunState.SUCCESS] == "Succeeded"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, ""),
        (0.01, "under 0.1 s"),
        (0.42, "0.4 s"),
        (3.24, "3.2 s"),
        (42.9, "42 s"),
        (65, "1 min 05 s"),
        (3725, "1 h 02 min"),
    ],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text


def test_format_clock_and_running() -> None:
    assert format_clock(12.7) == "0:12"
    assert format_clock(3723) == "1:02:03"
    assert format_running(12, 30) == "0:12 of ~0:30"
    assert format_running(12, None) == "0:12"


def test_format_started_in_local_time() -> None:
    noon = datetime(2024, 3, 12, 14, 3).timestamp()
    assert format_started(noon, date(2024, 3, 12)) == "today 14:03"
    assert format_started(noon, date(2024, 3, 13)) == "yesterday 14:03"
    assert format_started(noon, date(2024, 5, 1)) == "12 Mar 14:03"
    assert format_started(noon, date(2025, 1, 1)) == "12 Mar 2024"
    assert format_started(0.0) == ""


def test_summary_text_is_short() -> None:
    long = {f"field{i}": "x" * 30 for i in range(20)}
    text = summary_text(long)
    assert len(text) <= 120 and text.startswith("field0 ")
    assert summary_text({"value": 3}) == "3"
    assert summary_text(None) == ""


def test_history_entry_is_immutable() -> None:
    entry = entry_from_record(record("l1"))
    assert isinstance(entry, HistoryEntry)
    with pytest.raises(AttributeError):
        entry.status = RunState.SUCCESS  # type: ignore[misc]
