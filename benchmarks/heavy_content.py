"""Heavy content: the longest UI stall (and memory) while the window handles big things.

Each row is one thing a user does with heavy but ordinary content, run in the real app
(offscreen, the same window and controllers as ``ouro_desktop.app``, signed into the
in-process demo with the heavy routes of ``tests/heavy_routes.py`` added):

=================  =====================================================================
row                what is measured
=================  =====================================================================
compare-2mb/5mb/   two runs with answers of that size selected, Compare clicked, until
20mb               the comparison is shown
open-20mb/45mb     a finished run with an answer of that size selected in the history
                   (until its answer shows), then its long list expanded
run-20mb/45mb      the route run from the run panel (Run clicked) until it finished and
                   the history shows it (the answer's text, which a remote service
                   would send, is written before the phase and received as a copy)
history-big        the history reloaded while it holds runs answering 20, 45 and 60 MB
                   (does the list still load?), then the 60 MB run opened
filter-100k        100,000 runs listed; a filter typed a key at a time (120 ms apart),
                   each status chosen, the filter cleared
live-logs-1000/    a run logging 1,000 (4,000) lines a second for 8 s, watched in the
4000               Logs tab; how many of its lines the tab shows at the end
open-logs-10k/     a finished run that logged 10,002 (100,002) lines opened on its Logs
100k               tab; how many lines it shows; then another run opened (the long log
                   let go): the resident size then, over the size before it was opened
form-500/2000/     a route whose request has 500 (2,000) settings opened; whether it is
2000-grouped       a form or fell back to raw JSON (grouped: 100 groups of 20), and how
                   long until the form is whole (every row and header it builds at once)
search-5000        5,000 routes in the catalogue: a search typed, then 10 pages scrolled
=================  =====================================================================

Method: the heartbeat of ``benchmarks/ui_stalls.py`` (a precise ``QTimer`` every
``--interval`` ms on the app's qasync loop; a stall is the longest gap minus the
interval, the p99 is over all gaps of the phase). Memory: the process's resident size,
sampled every 5 ms by a thread; the figure is the peak during the phase minus the size
at its start (the in-process demo backend shares the process, so its copies count too).
Longest gc: the longest garbage collection in the phase (timed by ``gc.callbacks``: a
collection holds the interpreter, so it is a stall wherever it runs); collections made
off the UI thread are counted in the note. Each row runs in its own process, so rows do
not share memory or caches; a row that does not finish within ``--timeout`` seconds is
reported as frozen (the window did not come back). Baseline: the same heartbeat on an
idle bare ``QMainWindow`` in the same run.
Targets (the issue): longest stall < 50 ms, p99 < 16 ms. The figures before and after
issue 16's work are in ``benchmarks/README.md``.

    python benchmarks/heavy_content.py                  # every row
    python benchmarks/heavy_content.py --quick open-20mb filter-100k   # just these
    python benchmarks/heavy_content.py --list

One row's process alone, under a native profiler, its long gaps printed with their clock
times (``perf script --time A,B`` then shows every thread in that gap; see the README):

    perf record -k CLOCK_MONOTONIC -F 997 -g -e cpu-clock -e sched:sched_switch -- \
        python benchmarks/heavy_content.py --child run-20mb --gap-times 30
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _app_harness import AppUnderTest, fill_ledger, make_loop, qt_environment, wait_until  # noqa: E402
from _bytecode import precompile_app  # noqa: E402

MAX_STALL_MS = 50.0
P99_MS = 16.0
PAGE = os.sysconf("SC_PAGE_SIZE")


# --------------------------------------------------------------------------- measuring


class Probe:
    """The heartbeat, a memory sampler, and named phases measured with both."""

    def __init__(self, interval_ms: int, why: bool = False, gap_times: float = 0.0) -> None:
        from ui_stalls import Heartbeat, StallWatchdog

        self.beat = Heartbeat(interval_ms)
        self.watchdog = StallWatchdog(self.beat, 25.0) if why else None
        self.interval_ms = interval_ms
        self.gap_times = gap_times  # print gaps longer than this (s) with their clock times
        self.results: list[dict[str, Any]] = []
        self._rss: list[tuple[float, int]] = []
        # Garbage collections: (start, end, generation, on the window's thread).
        self.collections: list[tuple[float, float, int, bool]] = []
        self._gc_started = 0.0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._gc_started = now
        else:
            on_gui = threading.current_thread() is threading.main_thread()
            self.collections.append((self._gc_started, now, info["generation"], on_gui))

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * PAGE

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self._rss.append((time.perf_counter(), self.rss()))

    def start(self) -> None:
        gc.callbacks.append(self._on_gc)
        self.beat.start()
        self._sampler.start()
        if self.watchdog is not None:
            self.watchdog.start()

    def stop(self) -> None:
        self.beat.stop()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        self._stop.set()
        self._sampler.join(2)
        if self.watchdog is not None:
            self.watchdog.stop()

    async def phase(self, name: str, work: Callable[[], Awaitable[str | None]]) -> None:
        """Run ``work`` and record the stalls and memory of its span; its text is a note."""
        print(f"PHASE {name}", file=sys.stderr, flush=True)
        await asyncio.sleep(0.3)  # let what came before settle into its own gaps
        rss0 = self.rss()
        start = time.perf_counter()
        note = await work()
        end = time.perf_counter()
        await asyncio.sleep(0.05)
        self.record(name, start, end, rss0, note)

    def record(self, name: str, start: float, end: float, rss0: int, note: str | None) -> None:
        from ui_stalls import Stats

        ticks = [t for t in self.beat.ticks]
        if self.gap_times:
            self.print_gap_times(ticks, start, end)
        gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False) if b > start and a < end]
        if not gaps:  # the loop never ticked during the phase: it was one long stall
            gaps = [end - start]
        stats = Stats.of(gaps, self.interval_ms)
        peak = max([r for t, r in self._rss if start <= t <= end + 0.05] or [rss0])
        inside = [(b - a, g, gui) for a, b, g, gui in self.collections if a < end and b > start]
        longest = max(inside, default=(0.0, 0, True))
        self.results.append(
            {
                "phase": name,
                "seconds": end - start,
                "max_stall_ms": stats.max_stall_ms,
                "p99_ms": stats.p99_ms,
                "mem_mb": (peak - rss0) / 1e6,
                "gc_ms": longest[0] * 1000,
                "gc_gen": longest[1],
                "gc_off_gui": sum(1 for _d, _g, gui in inside if not gui),
                "note": note or "",
                "why": self.why(start, end),
            }
        )

    def print_gap_times(self, ticks: list[float], start: float, end: float) -> None:
        """The phase's long gaps in ``time.perf_counter()`` seconds, which on Linux is
        CLOCK_MONOTONIC: ``perf record -k CLOCK_MONOTONIC`` samples line up with them."""
        print(f"PHASE-TIMES {start:.6f} {end:.6f}", file=sys.stderr, flush=True)
        for a, b in zip(ticks, ticks[1:], strict=False):
            if b > start and a < end and b - a > self.gap_times:
                print(f"GAP {a:.6f} {b:.6f} {(b - a) * 1000:.1f} ms", file=sys.stderr, flush=True)

    def why(self, start: float, end: float) -> list[str]:
        """Where the UI thread was in the phase's three longest stalls (with ``--why``)."""
        from ui_stalls import _where

        if self.watchdog is None:
            return []
        ticks = self.beat.ticks
        gaps = sorted(
            ((b - a, a) for a, b in zip(ticks, ticks[1:], strict=False) if a < end and b > start),
            reverse=True,
        )[:3]
        out = []
        for length, at in gaps:
            stacks = self.watchdog.samples.get(at)
            gc_note = self.watchdog.gc_during(at, at + length)
            where = f"{length * 1000:.0f} ms gap at +{at - start:.2f} s"
            out.append(where + (f" [{gc_note}]" if gc_note else ""))
            if stacks:
                out.extend("    " + frame for frame in _where(stacks, 9))
        return out


# --------------------------------------------------------------------------- app helpers


@dataclass
class Ctx:
    aut: AppUnderTest
    probe: Probe
    args: argparse.Namespace
    notes: list[str] = field(default_factory=list)

    @property
    def window(self) -> Any:
        return self.aut.window

    @property
    def pane(self) -> Any:
        return self.aut.window.history

    @property
    def detail(self) -> Any:
        return self.aut.window.run_detail


async def run_route(
    c: Ctx, ref: str, body: dict[str, Any], timeout: float = 600.0, *, on_server: bool = False
) -> Any:
    """Submit a run through the tracker and wait for it to finish; its final record.

    ``on_server``: wait until the demo backend has finished it instead (an app that
    cannot read the answer never sees it finish); the record is the one sent then.
    """
    client, tracker = c.aut.session.client, c.aut.runs.tracker
    assert client is not None and tracker is not None
    route = await client.get_route(ref)
    record = await tracker.submit(route, body=body)
    if on_server:
        store = c.aut.backend.store

        def done() -> bool:
            action = store.action(record.action_id)
            return action is not None and action["status"] in ("success", "error", "timed-out")

        await wait_until(done, timeout, ref)
        return record
    await wait_until(
        lambda: any(r.local_id == record.local_id for r in c.aut.finished), timeout, ref
    )
    return next(r for r in c.aut.finished if r.local_id == record.local_id)


async def history_idle(c: Ctx, timeout: float = 120.0) -> None:
    await wait_until(
        lambda: not c.aut.tasks.running("history") and not c.pane.model.loading, timeout, "history"
    )


async def reload_history(c: Ctx) -> None:
    c.aut.history.reload()
    await asyncio.sleep(0.05)
    await history_idle(c)


def view_index(c: Ctx, key: str) -> Any:
    model = c.pane.view.model()
    return model.index(model.row_of(key), 0)


async def select(c: Ctx, key: str, timeout: float = 120.0) -> None:
    await wait_until(lambda: c.pane.select_run(key), timeout, f"row {key[:8]}")


def detail_busy(c: Ctx) -> bool:
    return c.aut.tasks.running("history-detail")


def answer_shown(c: Ctx) -> bool:
    """The answer is on screen: the result view (the JSON tree fills on "Show as JSON")."""
    detail = c.detail
    current = detail._response_stack.currentWidget()
    return not detail_busy(c) and current is detail.answer_view and detail._response is not None


async def settle(seconds: float = 0.5) -> None:
    await asyncio.sleep(seconds)


def mb_text(n: float) -> str:
    return f"{n:g} MB"


# --------------------------------------------------------------------------- the rows


async def row_compare(c: Ctx, megabytes: float) -> None:
    from PySide6.QtCore import QItemSelectionModel

    a = await run_route(c, "demo/large-answer", {"megabytes": megabytes, "variant": 0})
    b = await run_route(c, "demo/large-answer", {"megabytes": megabytes, "variant": 1})
    await reload_history(c)
    await select(c, a.action_id)
    await wait_until(lambda: not detail_busy(c), 300, "the first run's detail")
    await settle(1.0)
    selection = c.pane.view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    selection.select(view_index(c, b.action_id), flags)
    await wait_until(lambda: c.pane.compare_button.isEnabled(), 10, "Compare enabled")
    await wait_until(lambda: not detail_busy(c), 300, "the detail")
    await settle(0.5)

    def compared() -> bool:
        dialog = getattr(c.aut.history, "last_dialog", None)
        return (
            type(dialog).__name__ == "CompareDialog"
            and dialog.isVisible()
            and not getattr(dialog, "computing", False)
        )

    async def compare() -> str:
        c.pane.compare_button.click()
        await wait_until(compared, 3600, "the comparison")
        dialog = c.aut.history.last_dialog
        shown = getattr(dialog, "diff_lines", None)
        return f"{len(shown):,} diff lines" if isinstance(shown, list) else "compared"

    await c.probe.phase(f"compare two {mb_text(megabytes)} answers", compare)


async def row_open(c: Ctx, megabytes: float) -> None:
    run = await run_route(c, "demo/large-answer", {"megabytes": megabytes})
    await reload_history(c)

    async def open_run() -> str:
        await select(c, run.action_id)
        await wait_until(lambda: answer_shown(c), 600, "the answer")
        await settle(0.3)
        return "answer shown"

    await c.probe.phase(f"open a run answering {mb_text(megabytes)}", open_run)

    async def expand() -> str:
        c.detail.answer_view.json_button.setChecked(True)  # "Show as JSON": the tree fills
        view = c.detail.response_view
        model = view.model
        rows = (model.index(r, 0) for r in range(model.rowCount()))
        index = next(i for i in rows if i.data() == "curve")
        view.tree.expand(index)
        await settle(0.5)
        return f"{model.rowCount(index):,} rows under the list"

    await c.probe.phase("show as JSON, expand its list", expand)


async def row_run(c: Ctx, megabytes: float) -> None:
    from tests.heavy_routes import prepare_answer

    panel = c.window.run_panel
    await c.aut.controller.open_route("demo/large-answer")
    await settle(0.5)
    panel.form.set_value({"megabytes": megabytes, "variant": 0})
    # The route plays a remote service: its answer is written before the phase and
    # received (copied) when it runs, so the phase counts what the app and demo do.
    prepare_answer(megabytes, 0)
    count = len(c.aut.finished)

    async def run() -> str:
        panel.run_button.click()
        await wait_until(lambda: len(c.aut.finished) > count, 900, "the run")
        await history_idle(c)
        await settle(1.0)
        return f"{c.aut.finished[-1].state}"

    await c.probe.phase(f"run a route answering {mb_text(megabytes)}", run)


async def row_history_big(c: Ctx) -> None:
    small = [await run_route(c, "demo/large-answer", {"megabytes": 0.01}) for _ in range(3)]
    big = {
        mb: await run_route(c, "demo/large-answer", {"megabytes": mb}, on_server=True)
        for mb in (20, 45, 60)
    }
    c.pane.clear_error()

    async def reload() -> str:
        await reload_history(c)
        model = c.pane.model
        keys = {e.key for e in model.entries()}
        listed = sum(1 for r in [*small, *big.values()] if r.action_id in keys)
        error = c.pane.error_notice.isVisibleTo(c.pane) and c.pane.error_notice.text()
        return f"{listed} of 6 runs listed" + (f"; error: {error}" if error else "")

    if os.environ.get("BENCH_PAUSE"):
        Path(os.environ["BENCH_PAUSE"]).write_text(str(os.getpid()))
        await asyncio.sleep(3)
    await c.probe.phase("reload the history (20, 45, 60 MB runs)", reload)

    async def open_big() -> str:
        key = big[60].action_id
        if c.pane.model.row_of(key) < 0:
            return "the 60 MB run is not listed"
        await select(c, key)
        await wait_until(lambda: c.detail.key() == key and not detail_busy(c), 600, "detail")
        await settle(0.5)
        shown = "answer shown" if answer_shown(c) else "no answer shown"
        label = c.detail.no_response_label
        return f"{shown}; says: {label.text()[:90]!r}" if label.isVisibleTo(c.detail) else shown

    await c.probe.phase("open the 60 MB run", open_big)


async def row_filter(c: Ctx, n: int) -> None:
    from PySide6.QtTest import QTest

    from ouro_desktop.core.history import entry_from_record

    ledger = c.aut.ledger
    account = c.aut.session.account
    assert account is not None
    records = ledger.list(base_url=account.base_url, limit=n + 10, offset=0)
    c.pane.model.set_entries([entry_from_record(r) for r in records], False)
    await settle(1.0)
    field_ = c.pane.text_filter
    field_.setFocus()

    def shown() -> int:
        return int(c.pane.view.model().rowCount())

    async def type_filter() -> str:
        for ch in "number-17":
            QTest.keyClick(field_, ch)
            await asyncio.sleep(0.12)
        await settle(0.6)
        return f"{shown():,} rows match"

    await c.probe.phase(f"type a filter, {n:,} runs", type_filter)
    field_.clear()
    await settle(0.6)

    async def statuses() -> str:
        combo = c.pane.status_combo
        worst = 0.0
        for i in [*range(1, combo.count()), 0]:
            t = time.perf_counter()
            combo.setCurrentIndex(i)
            worst = max(worst, time.perf_counter() - t)
            await asyncio.sleep(0.3)
        return f"slowest switch call {worst * 1000:.0f} ms"

    await c.probe.phase("switch the status filter", statuses)
    for ch in "number-17":
        QTest.keyClick(field_, ch)
    await settle(1.0)

    async def clear() -> str:
        field_.clear()
        await settle(0.6)
        return f"{shown():,} rows shown"

    await c.probe.phase("clear the filter", clear)


async def row_live_logs(c: Ctx, per_second: int) -> None:
    client, tracker = c.aut.session.client, c.aut.runs.tracker
    assert client is not None and tracker is not None
    service_lines = per_second * 8
    lines = service_lines + 2  # the demo adds "Run started." and "Run finished: …"
    route = await client.get_route("demo/chatty-run")
    await reload_history(c)

    async def watch() -> str:
        body = {"lines": service_lines, "per_second": per_second}
        record = await tracker.submit(route, body=body)
        assert record.action_id
        await select(c, record.action_id)
        c.detail.select_tab("Logs")
        await wait_until(
            lambda: any(r.local_id == record.local_id for r in c.aut.finished), 600, "the run"
        )
        finished = time.perf_counter()
        model = c.detail.logs_view.model
        # The last pages are fetched after the end: wait for them (a loaded machine takes
        # longer), but a line that never comes is reported as missing.
        with contextlib.suppress(TimeoutError):
            await wait_until(lambda: model.rowCount() >= lines, 30, "the last lines")
        late = time.perf_counter() - finished
        await settle(0.5)
        return f"{model.rowCount():,} of {lines:,} lines shown ({late:.1f} s after the end)"

    await c.probe.phase(f"watch a run logging {per_second:,} lines/s", watch)


async def row_open_logs(c: Ctx, lines: int) -> None:
    small = await run_route(c, "demo/chatty-run", {"lines": 1})
    run = await run_route(c, "demo/chatty-run", {"lines": lines - 2})  # + the demo's own 2
    await reload_history(c)
    await select(c, small.action_id)  # (the detail shows a run before and after)
    await settle(1.0)
    rss_before = c.probe.rss()

    async def open_logs() -> str:
        await select(c, run.action_id)
        c.detail.select_tab("Logs")
        model = c.detail.logs_view.model
        last, since = -1, time.monotonic()
        while time.monotonic() - since < 1.5 and model.rowCount() < lines:
            if model.rowCount() != last:
                last, since = model.rowCount(), time.monotonic()
            await asyncio.sleep(0.05)
        await settle(0.3)
        return f"{model.rowCount():,} of {lines:,} lines shown"

    await c.probe.phase(f"open a run that logged {lines:,} lines", open_logs)

    async def let_go() -> str:
        # Another run opened: the long log is let go of. What the process still holds
        # then, over what it held before the log was opened, is memory kept for nothing.
        await select(c, small.action_id)
        await wait_until(lambda: c.detail.logs_view.model.rowCount() < 10, 60, "the log")
        await settle(2.0)
        after = (c.probe.rss() - rss_before) / 1e6
        return f"resident {after:+.0f} MB over before it was opened"

    await c.probe.phase("open another run (the long log let go)", let_go)


async def row_form(c: Ctx, ref: str) -> None:
    from ouro_desktop.ui.run.form.row import FieldRow

    form = c.window.run_panel.form
    complete: list[float] = []

    def whole() -> bool:
        """The form is all there: every row and header it builds up front is shown."""
        editor = form.body_editor
        return editor is not None and not editor.growing

    def on_fields_changed() -> None:
        if whole() and not complete:
            complete.append(time.perf_counter())

    form.fields_changed.connect(on_fields_changed)
    # The UI thread's own CPU time between two heartbeats: what each turn costs, whatever
    # the other processes on the machine take (on 2 shared cores the gaps themselves vary
    # two- to three-fold from run to run).
    busy: list[float] = []
    c.probe.beat.timer.timeout.connect(lambda: busy.append(time.thread_time()))

    async def open_form() -> str:
        start = time.perf_counter()
        del busy[:]
        busy.append(time.thread_time())
        await c.aut.controller.open_route(ref)
        await settle(0.5)
        # (The same span as before: the form is normally whole within it; if not, the
        # phase waits for it, so a slower build shows in its figures too.)
        await wait_until(whole, 60, "the whole form")
        on_fields_changed()
        built = len(form.findChildren(FieldRow))
        kind = "raw JSON" if form.raw_mode else "a form"
        took = (complete[0] - start) * 1000
        cpu = sorted((b - a) * 1000 for a, b in zip(busy, busy[1:], strict=False))
        p99 = cpu[min(len(cpu) - 1, round(0.99 * (len(cpu) - 1)))] if cpu else 0.0
        return (
            f"shown as {kind}, {built:,} field rows built, whole after {took:.0f} ms; "
            f"UI thread busy at most {max(cpu, default=0):.1f} ms a gap (p99 {p99:.1f})"
        )

    await c.probe.phase(f"open {ref}", open_form)


async def row_search(c: Ctx) -> None:
    from PySide6.QtCore import QModelIndex
    from PySide6.QtTest import QTest

    browser = c.window.browser
    loaded: list[int] = []
    c.aut.controller.routes_loaded.connect(loaded.append)

    async def search() -> str:
        count = len(loaded)
        browser.search.setFocus()
        for ch in "catalogue route 12":
            QTest.keyClick(browser.search, ch)
            await asyncio.sleep(0.05)
        await wait_until(lambda: len(loaded) > count and not c.aut.tasks.running("search"), 60, "s")
        return f"{browser.model.rowCount():,} routes listed"

    await c.probe.phase("search 5,000 routes", search)
    browser.search.clear()
    await wait_until(lambda: not c.aut.tasks.running("search"), 60, "plain list")
    await settle(1.0)

    async def scroll() -> str:
        model = browser.model
        for _ in range(10):
            browser.results_view.scrollToBottom()
            if model.canFetchMore(QModelIndex()):
                model.fetchMore(QModelIndex())
            await asyncio.sleep(0.05)
            await wait_until(lambda: not c.aut.tasks.running("search"), 60, "a page")
        await settle(0.3)
        return f"{model.rowCount():,} routes listed"

    await c.probe.phase("scroll 10 pages of routes", scroll)


Scenario = Callable[[Ctx], Awaitable[None]]


@dataclass(frozen=True)
class Row:
    scenario: Scenario
    history: int = 0  # runs put into the ledger before the start
    catalogue: int = 0  # extra small routes in the demo


ROWS: dict[str, Row] = {
    "compare-2mb": Row(lambda c: row_compare(c, 2)),
    "compare-5mb": Row(lambda c: row_compare(c, 5)),
    "compare-20mb": Row(lambda c: row_compare(c, 20)),
    "open-20mb": Row(lambda c: row_open(c, 20)),
    "open-45mb": Row(lambda c: row_open(c, 45)),
    "run-20mb": Row(lambda c: row_run(c, 20)),
    "run-45mb": Row(lambda c: row_run(c, 45)),
    "history-big": Row(row_history_big),
    "filter-100k": Row(lambda c: row_filter(c, 100_000), history=100_000),
    "live-logs-1000": Row(lambda c: row_live_logs(c, 1000)),
    "live-logs-4000": Row(lambda c: row_live_logs(c, 4000)),
    "open-logs-10k": Row(lambda c: row_open_logs(c, 10_002)),
    "open-logs-100k": Row(lambda c: row_open_logs(c, 100_002)),
    "form-500": Row(lambda c: row_form(c, "demo/wide-form-500")),
    "form-2000": Row(lambda c: row_form(c, "demo/wide-form-2000")),
    "form-2000-grouped": Row(lambda c: row_form(c, "demo/grouped-form-2000")),
    "search-5000": Row(row_search, catalogue=5000),
}


# --------------------------------------------------------------------------- child process


async def child_main(name: str, args: argparse.Namespace, profile: Path) -> list[dict[str, Any]]:
    from tests.heavy_routes import heavy_services, many_routes_service

    row = ROWS[name]
    services = heavy_services()
    if row.catalogue:
        services.append(many_routes_service(row.catalogue))
    aut = AppUnderTest(profile, services=services)
    await aut.start()
    aut.backend.faults.time_scale = 0.01
    await asyncio.sleep(0.5)
    probe = Probe(args.interval, args.why, args.gap_times / 1000)
    probe.start()
    try:
        await row.scenario(Ctx(aut, probe, args))
    finally:
        probe.stop()
    await aut.aclose()
    if aut.errors:
        probe.results.append({"phase": "background failures", "error": aut.errors[0][-400:]})
    return probe.results


def run_child(name: str, args: argparse.Namespace) -> int:
    qt_environment()
    with tempfile.TemporaryDirectory(prefix="ouro-heavy-") as tmp:
        profile = Path(tmp) / "profile"
        row = ROWS[name]
        if row.history:
            fill_ledger(profile / "data" / "runs.sqlite3", row.history)
        _app, loop = make_loop()
        try:
            results = loop.run_until_complete(child_main(name, args, profile))
        finally:
            loop.close()
    print("RESULT " + json.dumps(results), flush=True)
    return 0


# --------------------------------------------------------------------------- parent


def run_row(name: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    cmd = [sys.executable, __file__, "--child", name, "--interval", str(args.interval)]
    if args.why:
        cmd.append("--why")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_API": "pyside6"}
    with tempfile.TemporaryFile("w+") as err:
        try:
            done = subprocess.run(
                cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=env, timeout=args.timeout
            )
        except subprocess.TimeoutExpired:
            err.seek(0)
            phases = [ln[6:].strip() for ln in err if ln.startswith("PHASE ")]
            where = phases[-1] if phases else "setting up"
            return [{"phase": where, "frozen_s": args.timeout}]
        err.seek(0)
        text = err.read()
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            results: list[dict[str, Any]] = json.loads(line[7:])
            return results
    return [{"phase": "(failed)", "error": text[-600:]}]


def print_table(rows: dict[str, list[dict[str, Any]]], bare: Any) -> None:
    head = (
        f"{'row':<18} {'phase':<42} {'stall':>9} {'p99':>8} {'time':>8} {'memory':>9} "
        f"{'longest gc':>13}  note"
    )
    print("\n" + head)
    print("-" * len(head))
    print(
        f"{'baseline':<18} {'bare QMainWindow, idle':<42} {bare.max_stall_ms:>6.1f} ms "
        f"{bare.p99_ms:>5.1f} ms {'':>8} {'':>9}"
    )
    for name, results in rows.items():
        for r in results:
            if "frozen_s" in r:
                print(
                    f"{name:<18} {r['phase'][:42]:<42} {'frozen':>9} {'':>8} "
                    f"{'>' + str(int(r['frozen_s'])) + ' s':>8} {'':>9}  "
                    f"no answer within {r['frozen_s']:.0f} s"
                )
                continue
            if "error" in r:
                print(f"{name:<18} {r['phase'][:42]:<42} FAILED: {r['error'][-300:]}")
                continue
            longest_gc = f"{r.get('gc_ms', 0.0):.0f} ms gen{r.get('gc_gen', 0)}"
            off_gui = r.get("gc_off_gui", 0)
            note = r["note"] + (f"; {off_gui} collections off the UI thread" if off_gui else "")
            print(
                f"{name:<18} {r['phase'][:42]:<42} {r['max_stall_ms']:>6.0f} ms "
                f"{r['p99_ms']:>5.1f} ms {r['seconds']:>6.1f} s {r['mem_mb']:>+6.0f} MB "
                f"{longest_gc:>13}  {note}"
            )
            for line in r.get("why", []):
                print(f"{'':<18}   {line}")
            name = ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", nargs="+", metavar="ROW", help="run only these rows")
    parser.add_argument("--list", action="store_true", help="list the rows and exit")
    parser.add_argument("--interval", type=int, default=5, help="heartbeat interval, ms")
    parser.add_argument("--timeout", type=float, default=240.0, help="per row, s")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--why", action="store_true", help="where the UI thread was in stalls")
    parser.add_argument(
        "--gap-times",
        type=float,
        default=0.0,
        metavar="MS",
        help="with --child: print each gap longer than MS with its clock times to stderr",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return run_child(args.child, args)
    if args.list:
        print("\n".join(ROWS))
        return 0
    names = args.quick or list(ROWS)
    unknown = [n for n in names if n not in ROWS]
    if unknown:
        parser.error(f"unknown rows: {', '.join(unknown)} (see --list)")
    precompile_app()
    from ui_stalls import Stats, baseline

    results: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        t = time.perf_counter()
        results[name] = run_row(name, args)
        print(f"{name}: done in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    bare = Stats.of(baseline(8.0, args.interval), args.interval)
    print(f"\nheartbeat every {args.interval} ms; {os.cpu_count()} CPUs; python {sys.version[:6]}")
    print_table(results, bare)
    measured = [r for rs in results.values() for r in rs]
    ok = all(
        "max_stall_ms" in r and r["max_stall_ms"] < MAX_STALL_MS and r["p99_ms"] < P99_MS
        for r in measured
    )
    print(
        f"\n{'PASS' if ok else 'FAIL'}: every phase's longest stall < {MAX_STALL_MS:.0f} ms and "
        f"p99 gap < {P99_MS:.0f} ms"
    )
    if args.json:
        args.json.write_text(json.dumps({"results": results, "bare": bare.__dict__}, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
