"""The cyclic garbage collector, run by the window's thread only, from a Qt timer.

CPython's automatic collection runs in whichever thread allocates when a threshold is
crossed: a worker reading a big answer, the in-app demo's thread, an executor's. A
reference cycle that holds a Qt object (a wrapper, a timer, a model a signal lambda
keeps) is then freed on that thread, and Qt, which is not thread-safe, may crash later
delivering an event to it (the tests' SIGSEGV in ``sendThroughObjectEventFilters``).
Automatic collection also stalls the window where it cannot be planned: a full
collection while a big answer or a long log is read walks every object alive.

So while the window runs, :func:`install` turns automatic collection off and a
:class:`GuiCollector` collects on the window's thread, every :data:`TICK_MS`, by
generation: the youngest when enough was allocated since the last tick, or when a
second went by without a collection (cheap: only new objects); the middle one every
``threshold[1]`` of those; the oldest -- a full collection, the only long one -- as
CPython does, once ``threshold[2]`` middle ones have run and the objects that survived
into it since the last full one are a quarter of those it held then, and then at a
quiet tick (little allocated since the last one: the user is reading, not loading)
unless the oldest generation has doubled.

Nothing is frozen out of the collector's view (``gc.freeze`` after each big answer kept
every reference cycle alive at the time forever). The Qt-free layers (``api/``,
``core/``, ``demo/``) keep automatic collection where no window runs (the demo server
alone, tests without a QApplication).
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any, Final

from PySide6.QtCore import QObject, Qt, QTimer

from ouro_desktop.core.big_buffers import trim_heap_soon

__all__ = [
    "SWEEP_TICKS",
    "TICK_MS",
    "Ages",
    "GuiCollector",
    "due",
    "install",
    "installed",
    "uninstall",
]

# How often the window's thread looks at the collector's counts. Short: what a worker
# allocates between two ticks is the youngest generation the next one walks (at 100 ms a
# search in the in-app demo left 46 ms of it; at 20 ms, 11 ms).
TICK_MS: Final = 20
SWEEP_TICKS: Final = 50  # the youngest is collected at least this often (a second)


@dataclass
class Ages:
    """What the decision needs besides ``gc.get_count()`` and ``gc.get_threshold()``.

    ``pending``: objects that survived into the oldest generation since the last full
    collection; ``total``: objects in it after that collection (None: not known since a
    collection made elsewhere, e.g. the start-up freeze; measured when next needed).
    """

    pending: int = 0
    total: int | None = None


def due(
    count: tuple[int, int, int],
    threshold: tuple[int, int, int],
    ages: Ages,
    quiet: bool,
    stale: bool = False,
) -> int | None:
    """The generation to collect now (None: none), from the collector's counts.

    ``count``/``threshold`` as ``gc.get_count()``/``gc.get_threshold()``: allocations
    (less deallocations) since the youngest was collected, youngest collections since the
    middle one was, middle collections since the oldest was. ``quiet``: little was
    allocated since the last tick. ``stale``: nothing was collected for
    :data:`SWEEP_TICKS` ticks. ``ages.total`` must be known for the oldest to be due.
    """
    young, middle, old = count
    t_young, t_middle, t_old = threshold
    if old > t_old and ages.total is not None and ages.pending >= ages.total // 4:
        # CPython's rule for a full collection: it is worth it once the long-lived
        # objects grew by a quarter. Put off while the app is busy, but not forever.
        if quiet or ages.pending >= ages.total:
            return 2
    if young <= t_young and not stale:
        # (The count is net of what was freed meanwhile: a worker freeing a big answer
        # brings it down while new cycles wait in the youngest generation; hence the
        # sweep when nothing was collected for a while, cheap as that generation is.)
        return None
    return 1 if middle > t_middle else 0


class GuiCollector(QObject):
    """Collects by generation on the thread it lives on (the window's); see the module."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = TICK_MS) -> None:
        super().__init__(parent)
        self.ages = Ages()
        self.collections = [0, 0, 0]  # made by this collector, by generation
        self._mine = False  # a collection under way is this collector's
        self._young = 0  # objects in the young generations as a middle collection starts
        self._idle_ticks = 0  # ticks since this collector last collected
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)

    def start(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()
        gc.callbacks.append(self._on_collection)
        self._timer.start()

    def stop(self) -> None:
        """Stop collecting; automatic collection comes back if it was on at start."""
        self._timer.stop()
        if self._on_collection in gc.callbacks:
            gc.callbacks.remove(self._on_collection)
        if self._was_enabled:
            gc.enable()

    def tick(self) -> None:
        if gc.isenabled():  # a pause begun before start() ended since: off again
            gc.disable()
        count, threshold = gc.get_count(), gc.get_threshold()
        quiet = count[0] <= threshold[0]
        if self.ages.total is None and count[2] > threshold[2] and quiet:
            # Listing the oldest generation walks it (a quarter of a full collection's
            # time): at a quiet tick, as a full collection.
            self.ages.total = len(gc.get_objects(generation=2))
        self._idle_ticks += 1
        stale = self._idle_ticks >= SWEEP_TICKS
        generation = due(count, threshold, self.ages, quiet, stale)
        if generation is not None:
            self.collect(generation)

    def collect(self, generation: int) -> int:
        """Collect ``generation`` (and the younger ones) now; the unreachable found."""
        self._mine = True
        try:
            found = gc.collect(generation)
        finally:
            self._mine = False
        self.collections[generation] += 1
        self._idle_ticks = 0
        if generation == 2:
            self.ages.total = len(gc.get_objects(generation=2))
            if found:  # (what it freed and the heap kept goes back, off this thread)
                trim_heap_soon()
        return found

    def _on_collection(self, phase: str, info: dict[str, Any]) -> None:
        # Every collection counts, this collector's and those made elsewhere (the client's
        # before it reads a big answer, the start-up freeze's, a test's gc.collect()).
        generation = info.get("generation")
        if generation == 1:
            if phase == "start":  # what survives it moves to the oldest generation
                self._young = len(gc.get_objects(generation=0)) + len(gc.get_objects(generation=1))
            else:
                self.ages.pending += max(0, self._young - info.get("collected", 0))
        elif generation == 2 and phase == "stop":
            self.ages.pending = 0
            if not self._mine:  # measured again when next needed (after a freeze: small)
                self.ages.total = None


_installed: GuiCollector | None = None


def install(app: QObject, interval_ms: int = TICK_MS) -> GuiCollector:
    """Collect on ``app``'s thread only from now on (call from the window's thread)."""
    global _installed
    if _installed is None:
        _installed = GuiCollector(app, interval_ms)
        _installed.start()
    return _installed


def installed() -> GuiCollector | None:
    return _installed


def uninstall() -> None:
    """Back to automatic collection, if it was on before :func:`install` (tests)."""
    global _installed
    if _installed is not None:
        _installed.stop()
        _installed.deleteLater()
        _installed = None
