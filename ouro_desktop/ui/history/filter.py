"""Filtering the runs table: the status groups, the text match, and the row index.

The table model (:class:`~.model.HistoryTableModel`) filters its own rows: no proxy model
asks Python about each of 100,000 rows one call at a time. What it uses lives here:

* :data:`STATUS_FILTERS`: the status groups of the pane's combo box;
* :func:`search_text`: a run's text the filter looks in (route name, what it was given,
  summary, error, id),
  case-folded once when the run arrives, so a keystroke is one substring test per run;
* :class:`RunFilter`: the chosen status group and text, and which runs pass;
* :class:`KeyedRows`: runs in display order with their row found by key in O(1) (a run
  inserted at the top moves an offset, not every row), and beside each its search text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ouro_desktop.core.history import HistoryEntry
from ouro_desktop.core.run_record import RunState

__all__ = ["STATUS_FILTERS", "KeyedRows", "RunFilter", "search_text"]

# (label, key, states shown); the key is what the pane's combo box carries as data.
STATUS_FILTERS: tuple[tuple[str, str, frozenset[RunState] | None], ...] = (
    ("All", "all", None),
    ("Queued", "queued", frozenset({RunState.SUBMITTING, RunState.UNKNOWN, RunState.QUEUED})),
    ("Running", "running", frozenset({RunState.IN_PROGRESS})),
    ("Succeeded", "success", frozenset({RunState.SUCCESS})),
    ("Failed", "error", frozenset({RunState.ERROR, RunState.NOT_STARTED})),
    ("Timed out", "timed-out", frozenset({RunState.TIMED_OUT})),
)
_STATES_BY_KEY = {key: states for _label, key, states in STATUS_FILTERS}


def search_text(entry: HistoryEntry) -> str:
    """What the text filter looks in, case-folded: route name, what the run was given
    (its file names, its formula), summary, error and id."""
    return "\n".join(
        (entry.route_name, entry.given, entry.summary, entry.error or "", entry.action_id or "")
    ).casefold()


class RunFilter:
    """A status group and a text; :meth:`passing` picks the runs that match both."""

    def __init__(self) -> None:
        self.status_key = "all"
        self.states: frozenset[RunState] | None = None
        self.text = ""
        self.needle = ""

    @property
    def active(self) -> bool:
        return self.states is not None or bool(self.needle)

    def set_status(self, key: str) -> bool:
        """Choose one of the keys of :data:`STATUS_FILTERS`; whether anything changed."""
        if key not in _STATES_BY_KEY:
            raise ValueError(f"unknown status filter: {key!r}")
        changed = key != self.status_key
        self.status_key, self.states = key, _STATES_BY_KEY[key]
        return changed

    def set_text(self, text: str) -> bool:
        """The text typed (spaces folded, case ignored); whether the match changed."""
        needle = " ".join(text.split()).casefold()
        self.text = text
        changed = needle != self.needle
        self.needle = needle
        return changed

    def copy(self) -> RunFilter:
        """The same choices, unaffected by later ones (for a worker thread)."""
        twin = RunFilter()
        twin.status_key, twin.states = self.status_key, self.states
        twin.text, twin.needle = self.text, self.needle
        return twin

    def accepts(self, entry: HistoryEntry, hay: str) -> bool:
        """Whether ``entry`` (whose search text is ``hay``) matches."""
        if self.states is not None and entry.status not in self.states:
            return False
        return not self.needle or self.needle in hay

    def passing(self, items: list[HistoryEntry], hays: list[str]) -> KeyedRows:
        """The rows that match, in their order (one comprehension, no call per run)."""
        states, needle = self.states, self.needle
        if states is not None and needle:
            pairs = enumerate(zip(items, hays, strict=True))
            picked = [i for i, (e, h) in pairs if e.status in states and needle in h]
        elif states is not None:
            picked = [i for i, e in enumerate(items) if e.status in states]
        elif needle:
            picked = [i for i, h in enumerate(hays) if needle in h]
        else:
            return KeyedRows(list(items), list(hays))
        return KeyedRows([items[i] for i in picked], [hays[i] for i in picked])


class KeyedRows:
    """Entries in display order, each with its search text; a key finds its row in O(1)."""

    __slots__ = ("_pos", "_top", "hays", "items")

    def __init__(
        self, items: list[HistoryEntry] | None = None, hays: list[str] | None = None
    ) -> None:
        self.items: list[HistoryEntry] = []
        self.hays: list[str] = []
        self._pos: dict[str, int] = {}
        self._top = 0
        self.reset(items or [], hays)

    def reset(self, items: list[HistoryEntry], hays: list[str] | None = None) -> None:
        self.items = items
        self.hays = hays if hays is not None else [search_text(e) for e in items]
        self._top = 0
        self._pos = {e.key: i for i, e in enumerate(items)}

    def hay(self, row: int) -> str:
        return self.hays[row]

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, key: object) -> bool:
        return key in self._pos

    def row_of(self, key: str) -> int:
        pos = self._pos.get(key)
        return -1 if pos is None else pos - self._top

    def at(self, row: int) -> HistoryEntry | None:
        return self.items[row] if 0 <= row < len(self.items) else None

    def extend(self, entries: list[HistoryEntry], hays: list[str]) -> None:
        end = self._top + len(self.items)
        for offset, entry in enumerate(entries):
            self._pos[entry.key] = end + offset
        self.items.extend(entries)
        self.hays.extend(hays)

    def push_top(self, entry: HistoryEntry, hay: str) -> None:
        self._top -= 1
        self._pos[entry.key] = self._top
        self.items.insert(0, entry)  # one memmove, fine for 100,000 rows
        self.hays.insert(0, hay)

    def replace(self, row: int, entry: HistoryEntry, hay: str, old_key: str | None = None) -> None:
        """Put ``entry`` at ``row``; ``old_key`` is the key the row had (if it changed)."""
        if old_key is not None and old_key != entry.key:
            self._pos[entry.key] = self._pos.pop(old_key)
        self.items[row] = entry
        self.hays[row] = hay

    def insert(self, row: int, entry: HistoryEntry, hay: str) -> None:
        self.items.insert(row, entry)
        self.hays.insert(row, hay)
        self.reset(self.items, self.hays)

    def remove(self, row: int) -> None:
        del self.items[row]
        del self.hays[row]
        self.reset(self.items, self.hays)

    def sort(self, key: Callable[[HistoryEntry], Any], reverse: bool) -> None:
        order = sorted(range(len(self.items)), key=lambda i: key(self.items[i]), reverse=reverse)
        self.reset([self.items[i] for i in order], [self.hays[i] for i in order])
