"""Tests for the run ledger (ouro_desktop.core.ledger): state rules, queries, schema
versioning, damage recovery, kill -9 durability and index use at 100k rows."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ouro_desktop.core.ledger as ledger_mod
import ouro_desktop.core.ledger_schema as schema_mod
from ouro_desktop.core.ledger import (
    SCHEMA_VERSION,
    LedgerDamagedError,
    LedgerReadOnlyError,
    LedgerUnavailableError,
    LedgerWriteError,
    RunLedger,
    RunRecord,
    RunState,
    summarize_result,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
BASE = "https://api.ouro.foundation"
OTHER = "http://127.0.0.1:8765"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "runs.sqlite3"


@pytest.fixture
def ledger(db_path: Path) -> Iterator[RunLedger]:
    opened, notice = RunLedger.open(db_path)
    assert notice is None
    yield opened
    opened.close()


def submit(ledger: RunLedger, **overrides: Any) -> RunRecord:
    args: dict[str, Any] = {
        "route_id": "route-1",
        "service_id": "svc-1",
        "route_name": "demo/predict-electronic-dos-at-fermi-level",
        "base_url": BASE,
        "account": "alice",
    }
    args.update(overrides)
    return ledger.record_submission(**args)


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), isolation_level=None)


def user_version(path: Path) -> int:
    conn = raw(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def corrupt_copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


# ----------------------------------------------------------------------------- basics


def test_open_creates_dirs_and_versioned_wal_file(db_path: Path) -> None:
    ledger, notice = RunLedger.open(db_path)
    try:
        assert notice is None
        assert db_path.exists()
        assert ledger.schema_version == SCHEMA_VERSION
        assert not ledger.read_only
    finally:
        ledger.close()
    assert user_version(db_path) == SCHEMA_VERSION
    conn = raw(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_open_empty_v0_file_sets_user_version(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.touch()  # a zero-byte file is a valid, empty (version 0) database
    assert user_version(db_path) == 0
    ledger, notice = RunLedger.open(db_path)
    assert notice is None
    submit(ledger)
    ledger.close()
    assert user_version(db_path) == SCHEMA_VERSION
    assert corrupt_copies(db_path) == []


def test_writes_after_a_status_update_wait_for_the_disk_again(ledger: RunLedger) -> None:
    """Status updates commit without waiting for the disk; the mode is per connection,
    so every other write sets it back (it stayed off after the first update)."""

    def mode() -> int:
        with ledger.write("a check") as conn:
            return int(conn.execute("PRAGMA synchronous").fetchone()[0])

    rec = submit(ledger)
    assert mode() == 2  # FULL
    ledger.attach_action(rec.local_id, "act-1", "queued")
    ledger.update_status(rec.local_id, "in-progress")
    assert mode() == 2
    submit(ledger, wait_for_disk=False)
    assert mode() == 2
    ledger.sync()  # the log synced, holding no lock (a worker calls it)
    assert ledger.count() == 2


def test_record_submission_round_trip(ledger: RunLedger) -> None:
    rec = ledger.record_submission(
        route_id="route-1",
        service_id="svc-1",
        route_name="demo/predict-electronic-dos-at-fermi-level",
        base_url=BASE,
        account="alice",
        body={"temperature": 300, "nested": {"a": [1, 2]}},
        query={"dry": "1"},
        path_params={"id": "x"},
        input_assets={"structure": "asset-1"},
        input_files={"structure": {"name": "Si.cif", "asset_id": "asset-1"}},
        price_shown="$0.50",
    )
    assert rec.state is RunState.SUBMITTING
    uuid.UUID(rec.local_id)  # a uuid4 string
    assert rec.idempotency_key and rec.idempotency_key != rec.local_id
    assert rec.action_id is None and rec.finished_at is None and rec.result_summary is None
    assert rec.is_unfinished and not rec.is_terminal

    got = ledger.get(rec.local_id)
    assert got == rec
    assert ledger.by_idempotency_key(rec.idempotency_key) == rec
    assert ledger.get("nope") is None
    assert ledger.by_action_id("nope") is None


def test_record_submission_keeps_given_key_and_rejects_duplicates(ledger: RunLedger) -> None:
    rec = submit(ledger, idempotency_key="key-1", started_at=123.0)
    assert rec.idempotency_key == "key-1"
    assert ledger.get(rec.local_id).started_at == 123.0  # type: ignore[union-attr]
    with pytest.raises(LedgerWriteError):
        submit(ledger, idempotency_key="key-1")
    assert ledger.count() == 1


def test_full_lifecycle(ledger: RunLedger) -> None:
    rec = submit(ledger, started_at=1000.0)
    assert ledger.attach_action(rec.local_id, "act-1", "queued")
    got = ledger.by_action_id("act-1")
    assert got is not None and got.local_id == rec.local_id
    assert got.state is RunState.QUEUED and got.action_id == "act-1"
    assert ledger.by_action_id("act-1", base_url=BASE) is not None
    assert ledger.by_action_id("act-1", base_url=OTHER) is None

    assert ledger.update_status(rec.local_id, "in_progress")  # server spelling variants
    assert ledger.get(rec.local_id).state is RunState.IN_PROGRESS  # type: ignore[union-attr]

    assert ledger.update_status(
        rec.local_id,
        RunState.SUCCESS,
        detail=None,
        finished_at=1012.5,
        result_summary={"dos_at_fermi": 1.25, "unit": "states/eV"},
    )
    done = ledger.get(rec.local_id)
    assert done is not None
    assert done.state is RunState.SUCCESS and done.is_terminal
    assert done.finished_at == 1012.5
    assert done.duration_s == pytest.approx(12.5)
    assert done.result_summary == {"dos_at_fermi": 1.25, "unit": "states/eV"}
    assert done.updated_at >= done.started_at


def test_terminal_states_never_regress(ledger: RunLedger) -> None:
    rec = submit(ledger, started_at=1000.0)
    ledger.attach_action(rec.local_id, "act-1", "in-progress")
    assert ledger.update_status(rec.local_id, "success", finished_at=1010.0)

    for late in ("in-progress", "queued", "error", "timed-out"):
        assert not ledger.update_status(rec.local_id, late, detail="late")
    assert ledger.attach_action(rec.local_id, "act-1", "in-progress")  # same id: matched
    after = ledger.get(rec.local_id)
    assert after is not None
    assert after.state is RunState.SUCCESS
    assert after.status_detail is None
    assert not ledger.mark_not_started(rec.local_id, "nope")
    assert not ledger.mark_sent_unknown(rec.local_id, "nope")

    # Repeating the same terminal state may fill in details but keeps finished_at.
    assert ledger.update_status(
        rec.local_id, "success", finished_at=2000.0, result_summary={"x": 1}
    )
    again = ledger.get(rec.local_id)
    assert again is not None
    assert again.state is RunState.SUCCESS
    assert again.finished_at == 1010.0 and again.duration_s == pytest.approx(10.0)
    assert again.result_summary == {"x": 1}


def test_error_is_terminal_too(ledger: RunLedger) -> None:
    rec = submit(ledger)
    ledger.attach_action(rec.local_id, "act-1", "queued")
    assert ledger.update_status(rec.local_id, "error", detail="The structure file is empty.")
    assert not ledger.update_status(rec.local_id, "success")
    got = ledger.get(rec.local_id)
    assert got is not None
    assert got.state is RunState.ERROR and got.status_detail == "The structure file is empty."
    assert got.finished_at is not None and got.duration_s is not None


def test_non_terminal_states_only_move_forward(ledger: RunLedger) -> None:
    rec = submit(ledger)
    ledger.attach_action(rec.local_id, "act-1", "in-progress")
    assert not ledger.update_status(rec.local_id, "queued")
    assert ledger.get(rec.local_id).state is RunState.IN_PROGRESS  # type: ignore[union-attr]
    assert ledger.update_status(rec.local_id, "in-progress", detail="step 2 of 3")
    assert ledger.get(rec.local_id).status_detail == "step 2 of 3"  # type: ignore[union-attr]


def test_update_status_rejects_states_with_their_own_method(ledger: RunLedger) -> None:
    rec = submit(ledger)
    for state in ("submitting", "unknown", "not-started"):
        with pytest.raises(ValueError):
            ledger.update_status(rec.local_id, state)
    with pytest.raises(ValueError):
        ledger.update_status(rec.local_id, "exploded")


def test_run_state_parse() -> None:
    assert RunState.parse("IN_PROGRESS") is RunState.IN_PROGRESS
    assert RunState.parse(" timed_out ") is RunState.TIMED_OUT
    assert RunState.parse(RunState.QUEUED) is RunState.QUEUED
    with pytest.raises(ValueError):
        RunState.parse("done")


def test_unknown_then_not_started(ledger: RunLedger) -> None:
    rec = submit(ledger)
    assert ledger.mark_sent_unknown(rec.local_id, "No answer from the server.")
    got = ledger.get(rec.local_id)
    assert got is not None and got.state is RunState.UNKNOWN
    assert got.status_detail == "No answer from the server."
    assert not ledger.mark_sent_unknown(rec.local_id, "again")  # only from submitting

    assert ledger.mark_not_started(rec.local_id, "The server never received this run.")
    got = ledger.get(rec.local_id)
    assert got is not None and got.state is RunState.NOT_STARTED and got.is_terminal
    assert got.finished_at is not None and got.duration_s is not None
    assert not ledger.update_status(rec.local_id, "queued")


def test_not_started_only_without_action(ledger: RunLedger) -> None:
    rec = submit(ledger)
    ledger.attach_action(rec.local_id, "act-1", "queued")
    assert not ledger.mark_not_started(rec.local_id, "wrong")
    assert not ledger.mark_sent_unknown(rec.local_id, "wrong")
    assert ledger.get(rec.local_id).state is RunState.QUEUED  # type: ignore[union-attr]


def test_unknown_reconciled_to_found_action(ledger: RunLedger) -> None:
    rec = submit(ledger)
    ledger.mark_sent_unknown(rec.local_id, "timeout")
    assert ledger.attach_action(rec.local_id, "act-9", "success", result_summary={"ok": True})
    got = ledger.get(rec.local_id)
    assert got is not None
    assert got.state is RunState.SUCCESS and got.action_id == "act-9"
    assert got.result_summary == {"ok": True} and got.finished_at is not None


def test_attach_action_revives_not_started(ledger: RunLedger) -> None:
    # An action id from the server proves the run did start after all.
    rec = submit(ledger)
    ledger.mark_sent_unknown(rec.local_id, "timeout")
    ledger.mark_not_started(rec.local_id, "not found on server")
    assert ledger.attach_action(rec.local_id, "act-2", "in-progress")
    got = ledger.get(rec.local_id)
    assert got is not None
    assert got.state is RunState.IN_PROGRESS and got.finished_at is None
    assert got.duration_s is None


def test_attach_action_refuses_a_different_action(ledger: RunLedger) -> None:
    rec = submit(ledger)
    assert ledger.attach_action(rec.local_id, "act-1", "queued")
    assert ledger.attach_action(rec.local_id, "act-1", "in-progress")  # same id is fine
    assert not ledger.attach_action(rec.local_id, "act-2", "success")
    got = ledger.get(rec.local_id)
    assert got is not None and got.action_id == "act-1"
    assert got.state is RunState.IN_PROGRESS
    assert not ledger.attach_action("missing", "act-3", "queued")


def test_updates_on_missing_rows_return_false(ledger: RunLedger) -> None:
    assert not ledger.update_status("missing", "success")
    assert not ledger.mark_sent_unknown("missing", "x")
    assert not ledger.mark_not_started("missing", "x")


# ----------------------------------------------------------------------------- queries


def test_unfinished_returns_the_open_runs(ledger: RunLedger) -> None:
    submitting = submit(ledger, started_at=1.0)
    unknown = submit(ledger, started_at=2.0)
    ledger.mark_sent_unknown(unknown.local_id, "x")
    queued = submit(ledger, started_at=3.0)
    ledger.attach_action(queued.local_id, "a-q", "queued")
    running = submit(ledger, started_at=4.0, base_url=OTHER)
    ledger.attach_action(running.local_id, "a-r", "in-progress")
    for i, end in enumerate(("success", "error", "timed-out")):
        done = submit(ledger, started_at=10.0 + i)
        ledger.attach_action(done.local_id, f"a-{end}", end)
    gone = submit(ledger, started_at=20.0)
    ledger.mark_not_started(gone.local_id, "x")

    ids = [r.local_id for r in ledger.unfinished()]
    assert ids == [running.local_id, queued.local_id, unknown.local_id, submitting.local_id]
    assert [r.local_id for r in ledger.unfinished(base_url=OTHER)] == [running.local_id]
    assert len(ledger.unfinished(base_url=BASE)) == 3


def test_list_filters_and_paging(ledger: RunLedger) -> None:
    made: list[RunRecord] = []
    for i in range(30):
        made.append(
            submit(
                ledger,
                started_at=float(i),
                route_id=f"route-{i % 3}",
                route_name=f"demo/{['relax', 'generate', 'predict-dos'][i % 3]}",
                base_url=BASE if i % 2 == 0 else OTHER,
            )
        )
        if i % 5 == 0:
            ledger.attach_action(made[-1].local_id, f"act-{i}", "success")

    everything = ledger.list()
    assert [r.started_at for r in everything] == [float(i) for i in range(29, -1, -1)]
    assert ledger.count() == 30

    page1 = ledger.list(limit=10, offset=0)
    page2 = ledger.list(limit=10, offset=10)
    page4 = ledger.list(limit=10, offset=30)
    assert [r.started_at for r in page1] == [float(i) for i in range(29, 19, -1)]
    assert [r.started_at for r in page2] == [float(i) for i in range(19, 9, -1)]
    assert page4 == []

    by_route = ledger.list(route_id="route-1")
    assert {r.route_id for r in by_route} == {"route-1"} and len(by_route) == 10
    assert ledger.count(route_id="route-1") == 10

    by_server = ledger.list(base_url=OTHER)
    assert {r.base_url for r in by_server} == {OTHER} and len(by_server) == 15

    done = ledger.list(states=["success"])
    assert {r.started_at for r in done} == {0.0, 5.0, 10.0, 15.0, 20.0, 25.0}
    assert ledger.count(states=[RunState.SUCCESS, RunState.SUBMITTING]) == 30
    assert ledger.list(states=[]) == []

    text = ledger.list(text="PREDICT")  # case-insensitive substring of the route name
    assert len(text) == 10 and all("predict" in r.route_name for r in text)
    assert ledger.list(text="%") == []  # LIKE wildcards are literal
    assert ledger.list(text="demo/rel_x") == []
    assert [r.local_id for r in ledger.list(text="act-5")] == [made[5].local_id]

    combined = ledger.list(route_id="route-2", base_url=BASE, states=["submitting"], limit=2)
    assert [r.started_at for r in combined] == [26.0, 14.0]
    assert ledger.count(route_id="route-2", base_url=BASE, states=["submitting"]) == 4


def test_list_can_run_in_a_worker_thread(ledger: RunLedger) -> None:
    submit(ledger)

    async def main() -> list[RunRecord]:
        return await asyncio.to_thread(ledger.list, limit=5)

    assert len(asyncio.run(main())) == 1


def test_result_summary_is_small() -> None:
    response = {
        "energy": -10.5,
        "converged": True,
        "label": "x" * 10_000,
        "outputs": {"structure": {"base64": "A" * 50_000}},
        "frames": [1, 2, 3],
        **{f"field_{i}": "y" * 100 for i in range(100)},
    }
    summary = summarize_result(response)
    assert len(json.dumps(summary).encode()) <= 4096
    assert summary["energy"] == -10.5 and summary["converged"] is True
    assert "outputs" not in summary and "frames" not in summary
    assert len(summary["label"]) <= 512
    assert summary["_truncated"] is True
    assert summarize_result(3) == {"value": 3}
    assert summarize_result([1, 2]) == {}


def test_stored_result_summary_is_capped(ledger: RunLedger) -> None:
    rec = submit(ledger)
    big = {f"k{i}": "v" * 200 for i in range(200)}
    ledger.attach_action(rec.local_id, "a", "success", result_summary=big)
    got = ledger.get(rec.local_id)
    assert got is not None and got.result_summary is not None
    assert len(json.dumps(got.result_summary).encode()) <= 4096
    assert got.result_summary.get("_truncated") is True


def test_junk_json_reads_as_empty(ledger: RunLedger, db_path: Path) -> None:
    rec = submit(ledger, body={"a": 1})
    ledger.attach_action(rec.local_id, "a", "success", result_summary={"x": 1})
    conn = raw(db_path)
    conn.execute(
        "UPDATE runs SET body = 'not json{', query = '[1, 2]', input_files = '\"a string\"', "
        "result_summary = '{broken', state = 'exploded' WHERE local_id = ?",
        (rec.local_id,),
    )
    conn.close()
    got = ledger.get(rec.local_id)
    assert got is not None
    assert got.body == {} and got.query == {} and got.input_files == {}
    assert got.result_summary == {}
    assert got.state is RunState.UNKNOWN  # a state we cannot read is not "finished"
    assert ledger.list()[0].local_id == rec.local_id


# ----------------------------------------------------------------------------- versions


def test_migrates_an_old_schema(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger, _ = RunLedger.open(db_path)
    old = submit(ledger, body={"keep": "me"})
    ledger.close()
    assert user_version(db_path) == SCHEMA_VERSION

    newer = (
        *ledger_mod.MIGRATIONS,
        (
            "ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT ''",
            "CREATE INDEX runs_notes ON runs (notes)",
        ),
    )
    monkeypatch.setattr(ledger_mod, "MIGRATIONS", newer)
    ledger, notice = RunLedger.open(db_path)
    try:
        assert notice is None and not ledger.read_only
        assert ledger.schema_version == SCHEMA_VERSION + 1
        assert ledger.get(old.local_id) == old
        submit(ledger)
        assert ledger.count() == 2
    finally:
        ledger.close()
    conn = raw(db_path)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
    conn.close()
    assert "notes" in columns


def test_migrations_apply_step_by_step_from_v0(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = (
        *ledger_mod.MIGRATIONS,
        ("ALTER TABLE runs ADD COLUMN a TEXT",),
        ("ALTER TABLE runs ADD COLUMN b TEXT",),
    )
    monkeypatch.setattr(ledger_mod, "MIGRATIONS", steps)
    ledger, notice = RunLedger.open(db_path)
    ledger.close()
    assert notice is None
    assert user_version(db_path) == len(steps)


def test_newer_schema_opens_read_only(db_path: Path) -> None:
    ledger, _ = RunLedger.open(db_path)
    rec = submit(ledger)
    ledger.attach_action(rec.local_id, "act-1", "in-progress")
    ledger.close()
    conn = raw(db_path)
    conn.execute("ALTER TABLE runs ADD COLUMN from_the_future TEXT")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    conn.close()

    ledger, notice = RunLedger.open(db_path)
    try:
        assert ledger.read_only
        assert notice is not None and "newer version" in notice
        got = ledger.get(rec.local_id)
        assert got is not None and got.action_id == "act-1"
        assert [r.local_id for r in ledger.unfinished()] == [rec.local_id]
        with pytest.raises(LedgerReadOnlyError):
            submit(ledger)
        with pytest.raises(LedgerReadOnlyError):
            ledger.update_status(rec.local_id, "success")
    finally:
        ledger.close()
    assert user_version(db_path) == SCHEMA_VERSION + 3  # left for the newer app
    assert corrupt_copies(db_path) == []


# ----------------------------------------------------------------------------- damage


def test_random_bytes_are_moved_aside(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    junk = os.urandom(16384)
    db_path.write_bytes(junk)
    ledger, notice = RunLedger.open(db_path)
    try:
        aside = corrupt_copies(db_path)
        assert len(aside) == 1 and aside[0].read_bytes() == junk
        assert notice is not None and "damaged" in notice and aside[0].name in notice
        rec = submit(ledger)
        assert ledger.get(rec.local_id) == rec
        assert ledger.schema_version == SCHEMA_VERSION
    finally:
        ledger.close()


def test_strict_constructor_raises_on_damage(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(os.urandom(4096))
    with pytest.raises(LedgerDamagedError):
        RunLedger(db_path)
    assert corrupt_copies(db_path) == []


def test_truncated_database_is_moved_aside(db_path: Path) -> None:
    ledger, _ = RunLedger.open(db_path)
    ledger.bulk_insert(fake_records(5000, start=0))
    ledger.close()
    data = db_path.read_bytes()
    assert len(data) > 100_000
    db_path.write_bytes(data[: len(data) // 2])

    ledger, notice = RunLedger.open(db_path)
    try:
        assert notice is not None and "damaged" in notice
        assert len(corrupt_copies(db_path)) == 1
        assert ledger.count() == 0
        submit(ledger)
        assert ledger.count() == 1
    finally:
        ledger.close()

    # A second damage in the same second still gets its own name.
    db_path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    ledger, notice = RunLedger.open(db_path)
    ledger.close()
    assert notice is not None
    assert len(corrupt_copies(db_path)) == 2


def test_damaged_file_with_stale_wal_starts_clean(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(os.urandom(4096))
    db_path.with_name(db_path.name + "-wal").write_bytes(os.urandom(5000))
    ledger, notice = RunLedger.open(db_path)
    try:
        assert notice is not None
        assert ledger.count() == 0
        submit(ledger)
        assert ledger.count() == 1
    finally:
        ledger.close()
    again, notice = RunLedger.open(db_path)
    assert notice is None and again.count() == 1
    again.close()


def test_move_aside_keeps_the_wal_with_its_database(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    path.write_bytes(b"main")
    path.with_name(path.name + "-wal").write_bytes(b"wal")
    path.with_name(path.name + "-shm").write_bytes(b"shm")
    aside = ledger_mod._move_aside(path)
    assert aside.read_bytes() == b"main"
    assert aside.with_name(aside.name + "-wal").read_bytes() == b"wal"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([aside.name, aside.name + "-wal"])


def test_locked_file_is_not_treated_as_damage(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A v0 file needs a migration; another process holding the write lock must make the
    # open fail plainly, not move a healthy file aside.
    monkeypatch.setattr(ledger_mod, "_BUSY_TIMEOUT_S", 0.05)
    db_path.parent.mkdir(parents=True)
    blocker = raw(db_path)
    blocker.execute("CREATE TABLE other (x)")
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(LedgerUnavailableError):
            RunLedger.open(db_path)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert corrupt_copies(db_path) == []


# ----------------------------------------------------------------------------- kill -9

CHILD = r"""
import sys, time
from pathlib import Path
from ouro_desktop.core.ledger import RunLedger

ledger, notice = RunLedger.open(Path(sys.argv[1]))
if sys.argv[2] == "one":
    rec = ledger.record_submission(
        route_id="r", service_id="s", route_name="demo/paid", base_url="http://b",
        price_shown="$2.00",
    )
    print("written", rec.local_id, flush=True)
    time.sleep(120)
else:
    for i in range(1_000_000):
        rec = ledger.record_submission(
            route_id="r", service_id="s", route_name=f"demo/{i}", base_url="http://b",
        )
        print("sub", rec.local_id, flush=True)
        ledger.attach_action(rec.local_id, f"act-{i}", "queued")
        print("upd", rec.local_id, flush=True)
"""


def spawn_child(path: Path, mode: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def kill_hard(proc: subprocess.Popen[str]) -> None:
    proc.kill()  # SIGKILL on POSIX: no atexit, no close(), no checkpoint
    proc.wait(timeout=30)
    if os.name == "posix":
        assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("trial", range(3))
def test_submission_survives_kill_9(tmp_path: Path, trial: int) -> None:
    path = tmp_path / "runs.sqlite3"
    proc = spawn_child(path, "one")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("written "), proc.stderr.read() if proc.stderr else ""
        kill_hard(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    local_id = line.split()[1]

    ledger, notice = RunLedger.open(path)
    try:
        assert notice is None
        rec = ledger.get(local_id)
        assert rec is not None
        assert rec.state is RunState.SUBMITTING and rec.price_shown == "$2.00"
    finally:
        ledger.close()


@pytest.mark.parametrize("lines_before_kill", [1, 40, 151, 400])
def test_kill_9_mid_write_loop_keeps_every_reported_row(
    tmp_path: Path, lines_before_kill: int
) -> None:
    path = tmp_path / "runs.sqlite3"
    proc = spawn_child(path, "loop")
    reported: list[str] = []
    try:
        assert proc.stdout is not None
        while len(reported) < lines_before_kill:
            line = proc.stdout.readline()
            assert line, proc.stderr.read() if proc.stderr else ""
            reported.append(line)
        # The child keeps writing while we kill it, so the kill lands mid-transaction.
        kill_hard(proc)
        reported.extend(proc.stdout.read().splitlines())  # flushed before the kill
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    submitted = [line.split()[1] for line in reported if line.startswith("sub ")]
    attached = {line.split()[1] for line in reported if line.startswith("upd ")}
    assert submitted

    ledger, notice = RunLedger.open(path)  # runs quick_check; damage would give a notice
    try:
        assert notice is None
        for local_id in submitted:
            rec = ledger.get(local_id)
            assert rec is not None, local_id
            if local_id in attached:
                assert rec.state is RunState.QUEUED and rec.action_id is not None
            else:
                assert rec.state in (RunState.SUBMITTING, RunState.QUEUED)
        assert ledger.count() >= len(submitted)
        assert ledger.count() <= len(submitted) + 1  # at most the one being written
        submit(ledger)  # and it is writable
    finally:
        ledger.close()


# ----------------------------------------------------------------------------- scale


def fake_records(n: int, *, start: int) -> Iterator[RunRecord]:
    states = list(RunState)
    for i in range(start, start + n):
        state = states[i % len(states)]
        yield RunRecord(
            # Ordered ids keep the bulk insert fast (no random B-tree inserts).
            local_id=f"00000000-0000-4000-8000-{i:012d}",
            idempotency_key=f"key-{i:012d}",
            route_id=f"route-{i % 40}",
            service_id=f"svc-{i % 7}",
            route_name=f"demo/route-number-{i % 40}",
            base_url=BASE if i % 3 else OTHER,
            account="alice",
            body={"i": i, "temperature": 300},
            query={},
            path_params={},
            input_assets={"structure": f"asset-{i}"},
            input_files={"structure": {"name": f"s{i}.cif", "asset_id": f"asset-{i}"}},
            state=state,
            started_at=1_600_000_000.0 + i,
            updated_at=1_600_000_000.0 + i,
            action_id=None if state in (RunState.SUBMITTING, RunState.UNKNOWN) else f"a-{i}",
            finished_at=1_600_000_010.0 + i if state.is_terminal else None,
            duration_s=10.0 if state.is_terminal else None,
            result_summary={"value": i} if state is RunState.SUCCESS else None,
        )


def uses_index_without_sort(plan: list[str], index: str) -> bool:
    return any(f"USING INDEX {index}" in step for step in plan) and not any(
        "TEMP B-TREE" in step for step in plan
    )


def test_page_queries_use_indexes_at_100k_rows(ledger: RunLedger) -> None:
    assert ledger.bulk_insert(fake_records(100_000, start=0)) == 100_000
    assert ledger.count() == 100_000

    default = ledger.explain_list()
    assert uses_index_without_sort(default, "runs_started_at"), default
    by_route = ledger.explain_list(route_id="route-7")
    assert uses_index_without_sort(by_route, "runs_route_started"), by_route
    by_server = ledger.explain_list(base_url=OTHER)
    assert uses_index_without_sort(by_server, "runs_base_url_started"), by_server
    assert not any(step.startswith("SCAN runs") and "INDEX" not in step for step in by_route)

    page = ledger.list(route_id="route-7", limit=50, offset=100)
    assert len(page) == 50 and {r.route_id for r in page} == {"route-7"}
    starts = [r.started_at for r in page]
    assert starts == sorted(starts, reverse=True)
    # 4 of the 8 states are unfinished
    assert ledger.count(states=[s for s in RunState if s.is_unfinished]) == 50_000
    assert len(ledger.unfinished(base_url=OTHER)) == len(
        [i for i in range(100_000) if i % 3 == 0 and i % 8 < 4]
    )


# ----------------------------------------------------------------------------- open cost
# A full PRAGMA quick_check runs only when the previous session did not close cleanly;
# after a clean close a "-clean" marker lets the open do a cheap check instead.


def marker(path: Path) -> Path:
    return path.with_name(path.name + "-clean")


def build(path: Path, n: int = 5000) -> None:
    ledger, notice = RunLedger.open(path)
    assert notice is None
    ledger.bulk_insert(fake_records(n, start=0))
    ledger.close()
    assert marker(path).exists()


def wal_pages(path: Path) -> set[int]:
    """Page numbers that have a frame in ``path``'s WAL (those would mask damage)."""
    wal = path.with_name(path.name + "-wal")
    if not wal.exists():
        return set()
    data = wal.read_bytes()
    if len(data) < 32:
        return set()
    size = int.from_bytes(data[8:12], "big")
    return {int.from_bytes(data[at : at + 4], "big") for at in range(32, len(data) - 24, 24 + size)}


def damage_a_table_page(path: Path, scratch: Path) -> None:
    """Overwrite one page of the runs table in place, keeping the file's mtime.

    Like bit rot or a torn write: page 1 and the schema stay readable, so only reading
    that page (or quick_check) notices. Probes copies to find a page a full scan needs.
    """
    data = path.read_bytes()
    page_size = int.from_bytes(data[16:18], "big")
    pages = len(data) // page_size
    skip = wal_pages(path) | {1}
    stat = path.stat()
    scratch.mkdir(exist_ok=True)
    for number in range(pages // 3, pages):
        if number in skip:
            continue
        damaged = bytearray(data)
        damaged[(number - 1) * page_size : number * page_size] = b"\xa5" * page_size
        probe = scratch / f"probe-{number}.sqlite3"
        probe.write_bytes(damaged)
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            probe.with_name(probe.name + "-wal").write_bytes(wal.read_bytes())
        conn = raw(probe)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            try:
                conn.execute("SELECT * FROM runs NOT INDEXED").fetchall()
            except sqlite3.DatabaseError:
                break  # this page is one a full scan reads
        finally:
            conn.close()
    else:
        raise AssertionError("no table page found to damage")
    with open(path, "r+b") as file:
        file.seek((number - 1) * page_size)
        file.write(b"\xa5" * page_size)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_clean_close_makes_the_next_open_cheap(db_path: Path) -> None:
    ledger, notice = RunLedger.open(db_path)  # a new file: checked fully
    assert notice is None and ledger.integrity_checked
    rec = submit(ledger, idempotency_key="k")
    with pytest.raises(LedgerWriteError):  # a constraint error is not damage
        submit(ledger, idempotency_key="k")
    ledger.close()
    ledger.close()  # harmless
    assert marker(db_path).exists()
    assert not db_path.with_name(db_path.name + "-wal").exists()

    ledger, notice = RunLedger.open(db_path)
    try:
        assert notice is None and not ledger.integrity_checked
        assert not marker(db_path).exists()  # consumed: a crash now leaves none
        assert ledger.get(rec.local_id) == rec
        submit(ledger)
    finally:
        ledger.close()
    strict = RunLedger(db_path)
    assert not strict.integrity_checked and strict.count() == 2
    strict.close()
    assert marker(db_path).exists()


def test_kill_9_leaves_no_marker_so_the_next_open_checks_fully(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    build(path, 10)
    proc = spawn_child(path, "one")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("written "), proc.stderr.read() if proc.stderr else ""
        kill_hard(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not marker(path).exists()
    ledger, notice = RunLedger.open(path)
    try:
        assert notice is None and ledger.integrity_checked
        assert ledger.get(line.split()[1]) is not None and ledger.count() == 11
    finally:
        ledger.close()
    again, _ = RunLedger.open(path)
    assert not again.integrity_checked
    again.close()


def test_no_marker_while_another_process_still_has_the_file(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    build(path, 10)
    proc = spawn_child(path, "one")  # opens (taking the marker), writes, stays open
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("written "), proc.stderr.read() if proc.stderr else ""
        ledger, notice = RunLedger.open(path)
        assert notice is None and ledger.integrity_checked
        ledger.close()  # not the last connection: the WAL stays, so no marker
        assert not marker(path).exists()
        kill_hard(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    ledger, notice = RunLedger.open(path)
    try:
        assert notice is None and ledger.integrity_checked
        assert ledger.count() == 11
    finally:
        ledger.close()


@pytest.mark.parametrize("change", ["mtime", "junk-marker", "wal", "replaced"])
def test_a_marker_that_does_not_vouch_for_the_file_means_a_full_check(
    db_path: Path, change: str
) -> None:
    build(db_path, 100)
    if change == "mtime":
        stat = db_path.stat()
        os.utime(db_path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    elif change == "junk-marker":
        marker(db_path).write_bytes(b"\xff{not json")
    elif change == "wal":
        db_path.with_name(db_path.name + "-wal").write_bytes(b"")  # empty: harmless
        ledger, _ = RunLedger.open(db_path)
        assert not ledger.integrity_checked
        ledger.close()
        db_path.with_name(db_path.name + "-wal").write_bytes(b"\0" * 32)
    else:  # a copy put in its place (same bytes, even the same mtime): another inode
        copy = db_path.with_name("copy")
        copy.write_bytes(db_path.read_bytes())
        stat = db_path.stat()
        os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        os.replace(copy, db_path)
    ledger, notice = RunLedger.open(db_path)
    try:
        assert notice is None and ledger.integrity_checked
        assert ledger.count() == 100
        assert not marker(db_path).exists()
    finally:
        ledger.close()


@pytest.mark.parametrize("damage", ["random-bytes", "truncated"])
def test_cheap_check_still_rejects_junk_and_truncation(
    db_path: Path, damage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even if a marker vouches for the damaged file as it is now, the cheap check at
    # open catches a file that is not a database or is shorter than its header says.
    build(db_path)
    data = db_path.read_bytes()
    if damage == "random-bytes":
        db_path.write_bytes(os.urandom(len(data)))
    else:
        db_path.write_bytes(data[: len(data) // 2])
    assert schema_mod.mark_clean(db_path)
    checks: list[bool] = []
    real_check = schema_mod._check

    def spy(conn: sqlite3.Connection, *, full: bool) -> int:
        checks.append(full)
        return real_check(conn, full=full)

    monkeypatch.setattr(schema_mod, "_check", spy)
    ledger, notice = RunLedger.open(db_path)
    try:
        assert checks[0] is False  # the damaged file got the cheap check ...
        assert notice is not None and "damaged" in notice  # ... and it was enough
        assert len(corrupt_copies(db_path)) == 1
        assert ledger.count() == 0
    finally:
        ledger.close()


def test_damaged_page_after_unclean_shutdown_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    build(path)
    proc = spawn_child(path, "one")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("written "), proc.stderr.read() if proc.stderr else ""
        kill_hard(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # The crash left a damaged page; size, mtime and inode are unchanged, so only the
    # missing marker tells the next open to look at every page.
    damage_a_table_page(path, tmp_path / "scratch")
    ledger, notice = RunLedger.open(path)
    try:
        assert notice is not None and "damaged" in notice
        assert len(corrupt_copies(path)) == 1
        assert ledger.integrity_checked and ledger.count() == 0
        submit(ledger)
    finally:
        ledger.close()
    again, notice = RunLedger.open(path)
    assert notice is None and again.count() == 1
    again.close()


def test_damage_seen_during_a_session_means_a_full_check_next_time(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    build(path)
    damage_a_table_page(path, tmp_path / "scratch")  # after a clean close: bit rot

    # The trade-off: a clean close vouches for the file, so the open does not read the
    # damaged page and the recent runs are still listed ...
    ledger, notice = RunLedger.open(path)
    try:
        assert notice is None and not ledger.integrity_checked
        assert len(ledger.list(limit=50)) == 50
        # ... until a read reaches it; that session then leaves no clean marker.
        with pytest.raises(sqlite3.DatabaseError):
            ledger.list(text="no such route", limit=-1)  # reads every row
    finally:
        ledger.close()
    assert not marker(path).exists()

    ledger, notice = RunLedger.open(path)
    try:
        assert ledger.integrity_checked
        assert notice is not None and "damaged" in notice
        assert len(corrupt_copies(path)) == 1
    finally:
        ledger.close()
