"""Folder batches against the demo backend: the plan (what fits, what is skipped and why,
price, estimate), running with bounded concurrency and 429s, pause / resume / cancel the
rest / retry failed, and a kill -9 mid-batch that still sends every file exactly once."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ouro_desktop.api.models import Route
from ouro_desktop.core.batch_plan import batch_input, plan_batch
from ouro_desktop.core.batch_runner import BatchRunner
from ouro_desktop.core.batch_store import BatchState, BatchStore, ItemState
from ouro_desktop.core.ledger import RunLedger, RunState
from ouro_desktop.core.runs import RunTracker
from ouro_desktop.core.upload_cache import UploadCache
from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults, InjectedResponse
from tests.api.helpers import BASE_URL, EXAMPLES, client_for
from tests.conftest import serve_on_loopback
from tests.core.test_runs import USE_PATH, Counting, _read_line

DOS = "demo/predict-electronic-dos-at-fermi-level"
REPORT = "demo/structure-report"  # paid, takes a .cif
CHILD = Path(__file__).with_name("batch_child.py")
REPO_ROOT = Path(__file__).resolve().parents[2]


def cif_folder(folder: Path, n: int) -> Path:
    """``n`` distinct small CIFs (the examples, each with its own comment line)."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(EXAMPLES.glob("*.cif"))
    for i in range(n):
        src = sources[i % len(sources)]
        text = src.read_text() + f"\n# batch copy {i}\n"
        (folder / f"{i:03d}-{src.name}").write_text(text)
    return folder


def slow(app: Any, seconds: float) -> None:
    """Each DOS run takes ``seconds`` (so several are in flight at once)."""
    app.state.backend.faults.time_scale = 1.0
    app.state.backend.faults.route_latency[DOS.split("/")[1]] = seconds


def run(coro: Any, timeout: float = 60.0) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout))


@dataclass
class Rig:
    client: Any
    ledger: RunLedger
    store: BatchStore
    tracker: RunTracker
    runner: BatchRunner
    route: Route
    changes: list[tuple[str, list[int]]]

    async def until(self, check: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = asyncio.get_event_loop().time() + timeout
        while not check():
            if asyncio.get_event_loop().time() > deadline:
                raise AssertionError("timed out waiting")
            await asyncio.sleep(0.02)

    def state(self, batch_id: str) -> BatchState:
        batch = self.store.get(batch_id)
        assert batch is not None
        return batch.state


@asynccontextmanager
async def rig(app: Any, tmp_path: Path, ref: str = DOS, **client_kw: Any) -> AsyncIterator[Rig]:
    ledger, _ = RunLedger.open(tmp_path / "runs.sqlite3")
    uploads = UploadCache(tmp_path / "uploads.sqlite3")
    async with client_for(app, **client_kw) as client:
        route = await client.get_route(ref)
        tracker = RunTracker(client, ledger, base_url=BASE_URL, account="demo")
        store = BatchStore(ledger)
        runner = BatchRunner(tracker, client, store, uploads, base_url=BASE_URL, account="demo")
        changes: list[tuple[str, list[int]]] = []
        runner.subscribe(lambda b, p: changes.append((b, p)))
        try:
            yield Rig(client, ledger, store, tracker, runner, route, changes)
        finally:
            await runner.aclose()
            await tracker.aclose()
    ledger.close()
    uploads.close()


# -- the plan ----------------------------------------------------------------------------------


def test_plan_of_a_mixed_folder_counts_fits_and_says_why_others_are_skipped(
    demo_routes: dict[str, Route], tmp_path: Path
) -> None:
    route = demo_routes["predict-electronic-dos-at-fermi-level"]
    folder = cif_folder(tmp_path / "mixed", 4)
    (folder / "notes.txt").write_text("not a structure")
    (folder / "empty.cif").write_bytes(b"")
    (folder / "binary.cif").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "sub").mkdir()
    (folder / ".DS_Store").write_bytes(b"junk")
    assert batch_input(route) == "file"
    plan = plan_batch(route, [folder], input_key="file", concurrency=2)
    assert plan.count == 4
    assert [f.name for f in plan.files] == sorted(p.name for p in folder.glob("0*.cif"))
    reasons = dict(plan.skipped)
    assert set(reasons) == {"notes.txt", "empty.cif", "binary.cif", "sub"}  # no .DS_Store
    assert "empty" in reasons["empty.cif"]
    assert "binary" in reasons["binary.cif"]
    assert ".cif" in reasons["notes.txt"]  # what the input takes instead
    assert "folder" in reasons["sub"]
    assert plan.price_text() == "Free"
    assert plan.total_price is None


def test_plan_of_a_paid_route_sums_the_price_and_estimates_from_metrics(
    demo_routes: dict[str, Route], tmp_path: Path
) -> None:
    route = demo_routes["structure-report"]
    assert route.is_paid and route.price
    folder = cif_folder(tmp_path / "paid", 3)
    plan = plan_batch(route, [*sorted(folder.iterdir())], input_key="file", concurrency=2)
    assert plan.count == 3
    assert plan.total_price == pytest.approx(route.price * 3)
    assert "in all (3 runs at" in plan.price_text()
    metrics = {"p50_completion_ms": 4000, "latency_sample_count": 9}
    timed = plan_batch(
        Route(**{**route.__dict__, "metrics": metrics}), [folder], input_key="file", concurrency=2
    )
    assert timed.estimate_s() == pytest.approx(4.0 * 2)  # 3 files, 2 at a time: 2 waves
    assert timed.estimate_text() == "about 8 s"


def test_a_paid_batch_never_starts_without_its_total_confirmed(
    demo_app: Any, tmp_path: Path
) -> None:
    folder = cif_folder(tmp_path / "paid", 2)

    async def scenario() -> None:
        async with rig(demo_app, tmp_path, REPORT) as r:
            plan = plan_batch(r.route, [folder], input_key="file")
            with pytest.raises(ValueError, match="confirmed"):
                r.runner.start(plan, body={})
            assert r.ledger.count() == 0
            batch = r.runner.start(plan, body={}, price_confirmed=plan.price_text())
            await r.until(lambda: r.state(batch.batch_id) is BatchState.DONE)
            runs = r.store.runs(batch.batch_id)
            assert {run.price_shown for run in runs.values()} == {plan.price_text()}

    run(scenario())


# -- running -----------------------------------------------------------------------------------


class Concurrency:
    """Wraps client.execute to see how many /use requests are in flight at once."""

    def __init__(self, client: Any) -> None:
        self.now = self.most = self.calls = 0
        inner = client.execute

        async def execute(*args: Any, **kw: Any) -> Any:
            self.now += 1
            self.calls += 1
            self.most = max(self.most, self.now)
            try:
                return await inner(*args, **kw)
            finally:
                self.now -= 1

        client.execute = execute


def test_every_file_is_one_ordinary_run_with_bounded_concurrency_and_reused_uploads(
    demo_app: Any, tmp_path: Path
) -> None:
    slow(demo_app, 0.2)
    folder = cif_folder(tmp_path / "cifs", 7)
    shutil.copy(folder / "000-Al.cif", folder / "same-as-000.cif")  # same content, new name

    async def scenario() -> None:
        async with rig(demo_app, tmp_path) as r:
            seen = Concurrency(r.client)
            plan = plan_batch(r.route, [folder], input_key="file", concurrency=3)
            assert plan.count == 8
            files_before = len(demo_app.state.backend.store.assets(asset_types=["file"]))
            batch = r.runner.start(plan, body={})
            most = 0

            def done() -> bool:
                nonlocal most  # files on their way or running on Ouro at once
                bid = batch.batch_id
                sending = {p for p in range(8) if r.runner.phase(bid, p)}
                running = {p for p, run in r.store.runs(bid).items() if run.is_unfinished}
                # (a file being sent has its run recorded already: count it once)
                most = max(most, len(running | sending))
                return r.state(bid) is BatchState.DONE

            await r.until(done)
            assert seen.calls == 8 and 1 < most <= 3
            runs = r.store.runs(batch.batch_id)
            assert sorted(runs) == list(range(8))
            assert all(run.state is RunState.SUCCESS for run in runs.values())
            # Ordinary runs: in the ledger's list (the history) like any other.
            assert r.ledger.count(route_id=r.route.id) == 8
            by_name = {r.store.items(batch.batch_id)[p].name: run for p, run in runs.items()}
            assert by_name["000-Al.cif"].result_summary["formula"] == "Al"
            assert by_name["001-Cu.cif"].result_summary["formula"] == "Cu"
            # The copy reused the first upload: 7 distinct contents, 7 new file assets.
            after = len(demo_app.state.backend.store.assets(asset_types=["file"]))
            assert after - files_before == 7
            assert (
                by_name["same-as-000.cif"].input_assets["file"]
                == by_name["000-Al.cif"].input_assets["file"]
            )
            prov = by_name["001-Cu.cif"].provenance or {}
            assert prov["files"]["file"]["name"] == "001-Cu.cif"

    run(scenario())


def test_a_429_waits_for_retry_after_and_sends_the_file_again_once(
    demo_app: Any, tmp_path: Path
) -> None:
    folder = cif_folder(tmp_path / "cifs", 3)
    faults = demo_app.state.backend.faults
    for _ in range(2):
        faults.injected.append(
            InjectedResponse(
                "POST",
                USE_PATH,
                429,
                b'{"error": {"message": "Too many requests"}}',
                headers={"Retry-After": "1"},
            )
        )

    async def scenario() -> None:
        async with rig(demo_app, tmp_path) as r:
            seen = Concurrency(r.client)
            plan = plan_batch(r.route, [folder], input_key="file", concurrency=1)
            started = asyncio.get_event_loop().time()
            batch = r.runner.start(plan, body={})
            await r.until(lambda: r.state(batch.batch_id) is BatchState.DONE)
            assert asyncio.get_event_loop().time() - started >= 2.0  # waited twice
            assert seen.calls == 5  # two refused, three accepted
            runs = r.store.runs(batch.batch_id)
            assert all(run.state is RunState.SUCCESS for run in runs.values())
            # The refused attempts left no "not started" rows behind.
            assert r.ledger.count() == 3

    run(scenario())


def test_pause_resume_cancel_the_rest_and_retry_failed(demo_app: Any, tmp_path: Path) -> None:
    slow(demo_app, 0.3)
    folder = cif_folder(tmp_path / "cifs", 8)
    (folder / "003-NaCl.cif").write_text("data_broken\n_cell_length_a 1\n")  # the route fails

    async def scenario() -> None:
        async with rig(demo_app, tmp_path) as r:
            plan = plan_batch(r.route, [folder], input_key="file", concurrency=2)
            batch = r.runner.start(plan, body={})
            bid = batch.batch_id
            await r.until(lambda: len(r.store.runs(bid)) >= 1)
            r.runner.pause(bid)
            await r.until(lambda: r.store.unfinished_runs(bid) == 0 and not r.runner.phase(bid, 2))
            paused_at = len(r.store.runs(bid))
            await asyncio.sleep(0.8)
            assert len(r.store.runs(bid)) == paused_at < 8  # nothing more sent while paused
            assert r.state(bid) is BatchState.PAUSED
            r.runner.resume(bid)
            await r.until(lambda: len(r.store.runs(bid)) >= 5)
            cancelled = r.runner.cancel_rest(bid)
            assert cancelled and r.state(bid) is BatchState.CANCELLED
            await r.until(lambda: r.store.unfinished_runs(bid) == 0)
            await asyncio.sleep(0.3)
            sent = len(r.store.runs(bid))
            assert sent + len(cancelled) == 8  # each file sent or cancelled, never both
            items = r.store.items(bid)
            assert {i.position for i in items if i.state is ItemState.CANCELLED} == set(cancelled)
            failed = r.runner.failed_positions(bid)
            assert failed == [3]  # the broken file
            # Retry: fix the file, send it again (a second run of the same file).
            (folder / "003-NaCl.cif").write_text((EXAMPLES / "NaCl.cif").read_text())
            assert r.runner.retry_failed(bid) == [3]
            await r.until(lambda: r.store.runs(bid)[3].state is RunState.SUCCESS)
            assert r.store.run_counts(bid)[3] == 2
            assert len(r.store.runs(bid)) == sent  # the cancelled ones stay unsent

    run(scenario())


def test_a_file_gone_before_sending_fails_in_plain_words_and_is_retried(
    demo_app: Any, tmp_path: Path
) -> None:
    folder = cif_folder(tmp_path / "cifs", 3)

    async def scenario() -> None:
        async with rig(demo_app, tmp_path) as r:
            plan = plan_batch(r.route, [folder], input_key="file", concurrency=1)
            moved = tmp_path / "moved.cif"
            (folder / "002-Na.cif").rename(moved)
            batch = r.runner.start(plan, body={})
            bid = batch.batch_id
            await r.until(lambda: r.state(bid) is BatchState.DONE)
            (item,) = [i for i in r.store.items(bid) if i.state is ItemState.FAILED]
            assert item.name == "002-Na.cif"
            assert item.detail == (
                "“002-Na.cif” is no longer there: it was moved or deleted after it was chosen."
            )
            moved.rename(folder / "002-Na.cif")
            assert r.runner.retry_failed(bid) == [2]
            await r.until(lambda: r.state(bid) is BatchState.DONE and 2 in r.store.runs(bid))
            assert r.store.runs(bid)[2].state is RunState.SUCCESS

    run(scenario())


# -- kill -9 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kill_after", [1, 5])
def test_a_batch_killed_mid_way_sends_each_file_exactly_once_after_restart(
    tmp_path: Path, kill_after: int
) -> None:
    faults = Faults(route_latency={"predict-electronic-dos-at-fermi-level": 0.3})
    app = create_app(tmp_path / "demo-data", faults=faults)
    counting = Counting(app)
    folder = cif_folder(tmp_path / "cifs", 12)
    ledger_path, uploads_path = tmp_path / "runs.sqlite3", tmp_path / "uploads.sqlite3"
    with serve_on_loopback(counting) as url:
        env = {
            **os.environ,
            "OURO_API_KEY": app.state.backend.api_key,
            "PYTHONPATH": str(REPO_ROOT),
        }
        proc = subprocess.Popen(
            [
                sys.executable,
                str(CHILD),
                url,
                str(ledger_path),
                str(uploads_path),
                str(folder),
                str(kill_after),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        try:
            line = _read_line(proc, "recorded")
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
        batch_id = line.split()[1]
        time.sleep(1.0)  # a request the kill cut off has settled at the server
        uses_before = counting.count("POST", USE_PATH)
        on_server_before = len(app.state.backend.store.actions()[0])
        assert on_server_before < 12

        async def restart() -> None:
            ledger, notice = RunLedger.open(ledger_path)
            assert notice is None
            store = BatchStore(ledger)
            assert len(store.runs(batch_id)) < 12  # the kill came mid-batch
            uploads = UploadCache(uploads_path)
            from ouro_desktop.api.client import OuroClient

            async with OuroClient(url, app.state.backend.api_key) as client:
                await client.sign_in()
                tracker = RunTracker(
                    client, ledger, base_url=url, account="demo", reconcile_settle_s=1.0
                )
                runner = BatchRunner(tracker, client, store, uploads, base_url=url, account="demo")
                await tracker.resume()
                (resumed,) = runner.resume_open()
                assert resumed.batch_id == batch_id
                deadline = asyncio.get_event_loop().time() + 60
                while (store.get(batch_id) or resumed).state is not BatchState.DONE:
                    assert asyncio.get_event_loop().time() < deadline, "batch never finished"
                    await asyncio.sleep(0.05)
                await runner.aclose()
                await tracker.aclose()
            runs = store.runs(batch_id)
            assert sorted(runs) == list(range(12))
            assert store.run_counts(batch_id) == dict.fromkeys(range(12), 1)
            states = {p: (run.state.value, run.status_detail) for p, run in runs.items()}
            assert all(run.state is RunState.SUCCESS for run in runs.values()), states
            ledger.close()
            uploads.close()

        asyncio.run(asyncio.wait_for(restart(), 90))
        actions, _ = app.state.backend.store.actions()
    # Exactly one run per file on Ouro, and after the restart only the files Ouro had no
    # run of were sent (a POST cut off by the kill may have reached the server without
    # creating a run: that file is owed its one run).
    assert len(actions) == 12
    assert len({a["metadata"]["input_assets"]["file"]["assetId"] for a in actions}) == 12
    assert counting.count("POST", USE_PATH) - uses_before == 12 - on_server_before
