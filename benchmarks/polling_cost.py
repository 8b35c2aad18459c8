"""Polling cost: RunTracker vs ouro-py's ``poll_action`` on the same mix of run lengths.

Starts the demo backend on loopback and runs the same runs of ``demo/formula-properties``
twice: through :class:`~ouro_desktop.core.runs.RunTracker` (our client), and through
ouro-py 2.20.0 as a script would use it -- ``routes.execute(route, wait=False)`` then
``routes.poll_action(id)`` with ouro-py's own adaptive interval for the route (what
``execute(wait=True)`` uses), one thread per run. Each run is given a service latency
from a seeded mix between 0.2 s and 6 s.

Two scenarios: *overlapping* (a new run every ``--gap`` seconds, so several are in
flight at once, as when a user queues runs) and *one at a time* (each run submitted when
the previous one was seen finished).

Printed per side: requests per finished run (``POST …/use`` plus every ``/actions``
request, counted by an ASGI middleware in front of the demo app), and the
completion-detection delay (when the side saw the run finished, minus the action's
``finished_at`` on the server; same machine, same clock). Then the ratios ours ÷
ouro-py; the target is ≤ 1.0× on both. Setup requests (sign-in, route lookup) are not
counted. RunTracker runs without a log listener here (ouro-py fetches no logs either).

    python benchmarks/polling_cost.py [--runs 30] [--gap 0.4] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ouro_desktop.api.client import OuroClient  # noqa: E402
from ouro_desktop.api.models import Action  # noqa: E402
from ouro_desktop.core.ledger import RunLedger, RunRecord  # noqa: E402
from ouro_desktop.core.runs import RunTracker  # noqa: E402
from ouro_desktop.demo.app import create_app  # noqa: E402
from ouro_desktop.demo.faults import Faults  # noqa: E402

ROUTE = "demo/formula-properties"
LATENCY_RANGE = (0.2, 6.0)


class CountingApp:
    """ASGI middleware counting requests by kind; the benchmark reads and resets it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            method, path = scope["method"], scope["path"]
            if method == "POST" and path.endswith("/use"):
                self.counts["use"] += 1
            elif path.startswith("/actions") and path.endswith("/logs"):
                self.counts["logs"] += 1
            elif path == "/actions":
                self.counts["list"] += 1
            elif path.startswith("/actions/"):
                self.counts["get"] += 1
            else:
                self.counts["other"] += 1
        await self.app(scope, receive, send)

    def take(self) -> Counter[str]:
        counts, self.counts = self.counts, Counter()
        return counts


def install_latency_mix(app: Any, latency_of: dict[str, float]) -> None:
    """Give each run the service latency chosen for its formula (a per-run route_latency)."""
    executor = app.state.backend.executor
    original = executor._call_service

    async def call_service(action: dict[str, Any], route: dict[str, Any], entry: Any) -> Any:
        formula = (action["metadata"].get("body") or {}).get("formula")
        await asyncio.sleep(latency_of.get(formula, 0.0))
        return await original(action, route, entry)

    executor._call_service = call_service


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the demo server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def ts(value: datetime | str | None) -> float:
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert value is not None, "a finished action without finished_at"
    return value.timestamp()


# --------------------------------------------------------------------------- our side


async def ours(
    url: str, api_key: str, ledger_path: Path, formulas: list[str], gap: float | None
) -> list[float]:
    """Submit the runs through RunTracker; return detection delays (seconds)."""
    ledger, _ = RunLedger.open(ledger_path)
    delays: list[float] = []
    all_done = asyncio.Event()
    one_done = asyncio.Event()

    def on_update(record: RunRecord, action: Action | None) -> None:
        if action is not None and action.is_terminal and record.is_terminal:
            delays.append(time.time() - ts(action.finished_at))
            one_done.set()
            if len(delays) == len(formulas):
                all_done.set()

    async with OuroClient(url, api_key) as client:
        await client.sign_in()
        route = await client.get_route(ROUTE)
        tracker = RunTracker(client, ledger, base_url=url, account="bench")
        tracker.subscribe(on_update=on_update)
        start = time.monotonic()
        for i, formula in enumerate(formulas):
            if gap is None:
                one_done.clear()
            else:
                await asyncio.sleep(max(0.0, start + i * gap - time.monotonic()))
            await tracker.submit(route, body={"formula": formula})
            if gap is None:
                await one_done.wait()
        await asyncio.wait_for(all_done.wait(), 120)
        await tracker.aclose()
    ledger.close()
    return delays


# --------------------------------------------------------------------------- ouro-py side


def theirs(url: str, api_key: str, formulas: list[str], gap: float | None) -> list[float]:
    """The same runs through ouro-py, one thread per run; return detection delays."""
    from ouro import Ouro
    from ouro.resources.routes import _adaptive_poll_params

    logging.disable(logging.INFO)  # ouro-py logs a line per run; restored in main()
    ouro = Ouro(api_key=api_key, base_url=url)
    route = ouro.routes.retrieve(ROUTE)
    interval, timeout = _adaptive_poll_params(route, None, None)

    def one(formula: str, at: float) -> float:
        time.sleep(max(0.0, at - time.monotonic()))
        action = ouro.routes.execute(route, body={"formula": formula}, wait=False)
        done = ouro.routes.poll_action(str(action.id), poll_interval=interval, timeout=timeout)
        return time.time() - ts(done.finished_at)

    start = time.monotonic()
    if gap is None:
        return [one(formula, 0.0) for formula in formulas]
    with ThreadPoolExecutor(max_workers=len(formulas)) as pool:
        futures = [pool.submit(one, f, start + i * gap) for i, f in enumerate(formulas)]
        return [f.result() for f in futures]


# --------------------------------------------------------------------------- report


def summary(name: str, counts: Counter[str], delays: list[float]) -> tuple[float, float]:
    n = len(delays)
    polls = counts["use"] + counts["get"] + counts["list"] + counts["logs"]
    per_run = polls / n
    mean = statistics.fmean(delays)
    p95 = sorted(delays)[max(0, int(round(0.95 * (n - 1))))]
    detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "other")
    print(
        f"  {name:<9} {per_run:6.2f} req/run  ({detail})   detection delay "
        f"mean {mean:5.3f} s, median {statistics.median(delays):5.3f} s, p95 {p95:5.3f} s"
    )
    return per_run, mean


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--gap", type=float, default=0.4, help="seconds between submissions")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    # Distinct, valid formulas (alkanes) so each run can carry its own latency.
    warmup = [f"C{i}H{2 * i + 2}" for i in range(1, 11)]
    formulas = [f"C{i}H{2 * i + 2}" for i in range(11, 11 + args.runs)]
    latency_of = {f: rng.uniform(*LATENCY_RANGE) for f in warmup + formulas}

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        app = create_app(work / "demo-data", faults=Faults())
        install_latency_mix(app, latency_of)
        counting = CountingApp(app)
        api_key = app.state.backend.api_key
        sdk_cwd = work / "sdk-cwd"
        sdk_cwd.mkdir()
        for key in [k for k in os.environ if k.startswith("OURO_")]:
            del os.environ[key]
        with serve(counting) as url:
            # Warm-up: finished runs give the route its metrics (the adaptive cap).
            asyncio.run(ours(url, api_key, work / "warmup.sqlite3", warmup, 0.1))
            counting.take()
            lengths = [latency_of[f] for f in formulas]
            print(
                f"{args.runs} runs of {ROUTE}, service latency {min(lengths):.1f}–"
                f"{max(lengths):.1f} s (mean {statistics.fmean(lengths):.2f} s), seed {args.seed}"
            )
            ratios = []
            for title, gap in (
                (f"overlapping (one every {args.gap:g} s)", args.gap),
                ("one at a time", None),
            ):
                print(f"\n{title}:")
                ours_delays = asyncio.run(
                    ours(url, api_key, work / f"ours-{gap}.sqlite3", formulas, gap)
                )
                ours_req, ours_delay = summary("RunTracker", counting.take(), ours_delays)
                cwd = os.getcwd()
                os.chdir(sdk_cwd)
                try:
                    their_delays = theirs(url, api_key, formulas, gap)
                finally:
                    os.chdir(cwd)
                    logging.disable(logging.NOTSET)
                their_req, their_delay = summary("ouro-py", counting.take(), their_delays)
                ratios.append((title, ours_req / their_req, ours_delay / their_delay))
            print("\nratios, RunTracker ÷ ouro-py (target ≤ 1.0× on both):")
            for title, req_ratio, delay_ratio in ratios:
                print(
                    f"  {title:<30} requests per run {req_ratio:5.2f}×   "
                    f"detection delay {delay_ratio:5.2f}×"
                )


if __name__ == "__main__":
    main()
