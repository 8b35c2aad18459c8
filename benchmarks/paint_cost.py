"""Paint cost: one repaint of the app's big item views, with and without its Python style.

The app paints with ``ReadableStyle``, a Python ``QProxyStyle`` (visible radio buttons,
check boxes and focus rings); every element drawn through it is a call into Python, which
first waits for the interpreter while another thread holds it. The views of
``ouro_desktop.ui.common.item_views`` paint their cells with a plain Fusion instead, and
only the current row through the app's style. Each view is made three times and painted

===============  ========================================================================
``fusion``       with a plain Fusion for everything (no ring of the app's): the floor,
                 the baseline measured in the same run
``python cells`` through ``ReadableStyle``, as every view did before ``item_views``
``cpp cells``    as the app makes them now
===============  ========================================================================

Views: the runs table (200 runs), the Logs tab (10,000 lines), the JSON tree (a list of
1,000 records, expanded), a result table (1,000 rows × 4); each has the keyboard focus
and its current row in view when painted. A repaint is ``viewport().update()`` and a
turn of the event loop (``processEvents``, which runs without the interpreter, as the
window's loop does). All in one process, the three ways taking turns (the
machine's other load falls on each alike): the medians of the UI thread's CPU time and of
the wall time of a repaint, idle, then while another thread runs Python (``busy``: what
a folder batch, the in-app demo or a worker parsing an answer does: each call into the
style then waits for the interpreter), and the calls into the style's Python a repaint.

    python benchmarks/paint_cost.py [--turns 8] [--repeat 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

WAYS = ("fusion", "python cells", "cpp cells")
_KEPT: list[Any] = []


def _views() -> dict[str, Any]:
    """The views, each in its own shown window, with focus on a current row in view."""
    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtWidgets import QApplication

    from ouro_desktop.api.models import ActionLog
    from ouro_desktop.core.ledger import RunState
    from ouro_desktop.core.result_table import table_for
    from ouro_desktop.ui.history import HistoryPane
    from ouro_desktop.ui.history.logs_view import LogsView
    from ouro_desktop.ui.results.json_tree import JsonTreeView
    from ouro_desktop.ui.results.table_model import ResultTableView
    from tests.ui.test_history_pane import T0, entry

    records = [
        {"energy_eV": i * 0.01, "dos": (i % 97) * 0.137, "label": f"point {i}", "ok": i % 2 == 0}
        for i in range(1000)
    ]
    pane = HistoryPane()
    states = list(RunState)
    pane.model.set_entries(
        [entry(f"a{i}", states[i % len(states)], T0 - 60 * i) for i in range(200)]
    )
    logs = LogsView()
    now = datetime.now(UTC)
    logs.set_logs(
        [
            ActionLog(f"l{i}", "a", "INFO", f"step {i}: energy {i * 0.01:.2f} eV", now)
            for i in range(10_000)
        ],
        total=10_000,
    )
    while logs.model.rowCount() < 10_000:  # (added a few thousand a frame)
        QApplication.processEvents()
    tree = JsonTreeView()
    tree.set_value({"curve": records}, expand_depth=1)
    table = table_for(records, label="curve", unit="", schema=None)
    assert table is not None
    result = ResultTableView(table)
    result.fit_rows(30)
    shown = {
        "runs table": (pane, pane.view),
        "logs": (logs, logs.list),
        "JSON tree": (tree, tree.tree),
        "result table": (result, result),
    }
    for widget, view in shown.values():
        widget.resize(1100, 640)
        widget.show()
        model = view.model()
        index = model.index(min(5, model.rowCount() - 1), 0)
        if view is logs.list:  # (the log shows its newest lines)
            index = model.index(model.rowCount() - 5, 0)
        if view is tree.tree:
            index = model.index(3, 0, model.index(0, 0))
        view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        view.scrollTo(index)
    _KEPT.extend(widget for widget, _view in shown.values())  # (windows stay open)
    return {name: view for name, (_w, view) in shown.items()}


def _all_views() -> dict[str, dict[str, Any]]:
    """Each view three times, one per way of painting (see the module)."""
    from PySide6.QtWidgets import QStyleFactory

    from ouro_desktop.ui.common import item_views

    made: dict[str, dict[str, Any]] = {}
    for way in WAYS:
        item_views.app_style_is_python = lambda way=way: way == "cpp cells"  # type: ignore[assignment]
        for name, view in _views().items():
            if way == "fusion":  # everything in C++, no ring of ours: the floor
                style = QStyleFactory.create("Fusion")
                style.setParent(view)
                parts = [view, view.horizontalScrollBar(), view.verticalScrollBar()]
                header = getattr(view, "header", None) or view.horizontalHeader
                for part in [*parts, header()]:
                    part.setStyle(style)
            made.setdefault(name, {})[way] = view
    return made


def _busy(stop: threading.Event) -> None:
    while not stop.is_set():
        sum(i * i for i in range(20_000))


def _turn(view: Any, repeat: int) -> list[tuple[float, float]]:
    """(wall, UI thread's CPU) milliseconds of each of ``repeat`` repaints."""
    from PySide6.QtWidgets import QApplication

    view.window().activateWindow()
    view.setFocus()
    QApplication.processEvents()
    view.viewport().repaint()
    out = []
    viewport = view.viewport()
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.thread_time()
        # Painted from the event loop, as in the window: Qt then runs without the
        # interpreter, and each call into Python has to take it (repaint() called from
        # Python would hold it all through and hide that wait).
        viewport.update()
        QApplication.processEvents()
        out.append(((time.perf_counter() - start) * 1000, (time.thread_time() - cpu) * 1000))
    return out


def _count_calls(view: Any) -> int:
    from ouro_desktop.ui.common.readable_style import ReadableStyle

    calls = [0]
    primitive, complex_ = ReadableStyle.drawPrimitive, ReadableStyle.drawComplexControl

    def count(method: Callable[..., None]) -> Callable[..., None]:
        def counted(*args: Any) -> None:
            calls[0] += 1
            method(*args)

        return counted

    ReadableStyle.drawPrimitive = count(primitive)  # type: ignore[method-assign]
    ReadableStyle.drawComplexControl = count(complex_)  # type: ignore[method-assign]
    try:
        view.viewport().repaint()
    finally:
        ReadableStyle.drawPrimitive = primitive  # type: ignore[method-assign]
        ReadableStyle.drawComplexControl = complex_  # type: ignore[method-assign]
    return calls[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="repaints a turn")
    parser.add_argument("--turns", type=int, default=8, help="turns of each way, interleaved")
    args = parser.parse_args()
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication, QStyleFactory

    from ouro_desktop.ui.common.readable_style import install

    app = QApplication(sys.argv[:1])
    app.setStyle(QStyleFactory.create("Fusion"))
    install(app)  # (as app.py does)
    load = open("/proc/loadavg").read().split()[:3]
    print(
        f"{os.cpu_count()} CPUs; load {' '.join(load)}; per view and way: {args.turns} turns "
        f"of {args.repeat} repaints, the ways taking turns, idle then busy\n"
    )
    views = _all_views()
    got: dict[tuple[str, str, str], list[float]] = {}
    for busy in (False, True):
        stop = threading.Event()
        thread = threading.Thread(target=_busy, args=(stop,), daemon=True)
        if busy:
            thread.start()
        try:
            for _ in range(args.turns):
                for name, ways in views.items():
                    for way, view in ways.items():
                        times = _turn(view, args.repeat)
                        if busy:
                            got.setdefault((name, way, "busy"), []).extend(w for w, _c in times)
                        else:
                            got.setdefault((name, way, "cpu"), []).extend(c for _w, c in times)
                            got.setdefault((name, way, "wall"), []).extend(w for w, _c in times)
        finally:
            stop.set()
            if busy:
                thread.join()
    print(
        f"{'view':<14}{'painted with':<14}{'calls':>6}{'UI CPU idle':>13}{'÷ fusion':>10}"
        f"{'wall idle':>11}{'wall busy':>11}{'÷ fusion':>10}{'busy p90':>10}"
    )
    print("-" * 99)
    worst = 0.0
    for name, ways in views.items():
        med = {key: statistics.median(v) for key, v in got.items() if key[0] == name}
        for way, view in ways.items():
            cpu, busy_ms = med[(name, way, "cpu")], med[(name, way, "busy")]
            cpu0, busy0 = med[(name, "fusion", "cpu")], med[(name, "fusion", "busy")]
            p90 = statistics.quantiles(got[(name, way, "busy")], n=10)[-1]
            if way == "cpp cells":
                worst = max(worst, cpu / cpu0)
            print(
                f"{name:<14}{way:<14}{_count_calls(view):>6}"
                f"{cpu:>10.2f} ms{cpu / cpu0:>9.2f}x{med[(name, way, 'wall')]:>8.2f} ms"
                f"{busy_ms:>8.2f} ms{busy_ms / busy0:>9.2f}x{p90:>7.1f} ms"
            )
    load = open("/proc/loadavg").read().split()[:3]
    print(
        f"\nload at the end {' '.join(load)}; cpp cells' UI CPU ÷ fusion's, worst view: "
        f"{worst:.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
