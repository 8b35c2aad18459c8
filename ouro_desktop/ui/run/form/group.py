"""A nested object: its properties as titled rows, in a frame when it is not the body itself.

Keys the schema does not list (typed in the raw JSON editor) are kept and sent back
unchanged, so switching between the form and the JSON never drops them.

A big group (more than :data:`LAZY_WEIGHT` fields, nested ones counted) shows its
properties in collapsible sections of about :data:`SECTION_WEIGHT` fields, titled by
their first and last settings; only the first is built, the others the first time they
are opened. Even that first section, and the headers of the others, come a few at a time:
a :class:`_Grower` builds rows and headers for about :data:`TURN_BUDGET_S` a turn of the
event loop (a group inside a row it builds grows the same way, its rows next), so a group
of 2,000 never holds the window for long; what it builds is styled and measured out of
sight, then shown a few rows (a batch of headers) a turn. Until a field is built it
holds its initial value (what a built field shows after a reset), which is what the
group reports for it; giving the group a value that differs builds the fields (and
opens the sections) it touches at once, in their places. A form of 2,000 settings opens
as fast as one of 60, and stays a form.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

from ouro_desktop.api.memo import last_few
from ouro_desktop.api.schema import (
    MISSING,
    ArrayNode,
    Node,
    ObjectNode,
    OptionalNode,
    initial_value,
    join_path,
    same_json,
)
from ouro_desktop.ui.common.collapsible import CollapsibleSection
from ouro_desktop.ui.run.form.base import Build, Editor, ErrorSlot
from ouro_desktop.ui.run.form.row import FieldRow

__all__ = ["LAZY_WEIGHT", "SECTION_WEIGHT", "GroupEditor", "is_wide", "weight"]

LAZY_WEIGHT = 60  # fields in a group above which it is built a section at a time
SECTION_WEIGHT = 25  # fields in a section, about
# Building a turn of the event loop: what is built is out of sight, so little is laid
# out or painted after it (showing it is a turn of its own). A row takes 1-2 ms: at 6 ms
# a turn, with its painting and a step of the page beside it, held the window 10-14 ms.
TURN_BUDGET_S = 0.003
PAUSE_MS = 2  # between two turns (3-5 ms apart made the form whole 30-40 % later)
# Before the first turn: the page the form is shown on is laid out and drawn first (that
# and a first turn of building together held the window 15-20 ms).
FIRST_PAUSE_MS = 10
REVEAL_ROWS = 5  # rows of a growing section shown a turn (Qt lays them out and paints them)
HEADERS_SHOWN = 20  # headers of sections shown a turn (all 79 of 2,000 settings: 10-14 ms)


def weight(node: Node) -> int:
    """How many fields ``node`` shows when built (a group counts its members)."""
    if isinstance(node, ObjectNode):
        return 1 + sum(weight(child) for child in node.children)
    if isinstance(node, OptionalNode):
        return weight(node.inner)
    if isinstance(node, ArrayNode):
        return 1 + weight(node.items)
    return 1


def is_wide(node: Node | None) -> bool:
    """Whether a group of ``node``'s fields is built a section at a time."""
    return isinstance(node, ObjectNode) and sections_of(node) is not None


def sections_of(node: ObjectNode) -> tuple[tuple[Node, ...], ...] | None:
    """The properties of a wide group cut into sections (None: not wide). A group of
    many properties is worked out once (ahead, in the worker that prepares a route:
    2,000 of them took 3-5 ms of the turn its form is made in)."""
    if len(node.children) > LAZY_WEIGHT:
        return _sections_of_many(node)
    return _sections_of(node)


@last_few(8)
def _sections_of_many(node: ObjectNode) -> tuple[tuple[Node, ...], ...] | None:
    return _sections_of(node)


def _sections_of(node: ObjectNode) -> tuple[tuple[Node, ...], ...] | None:
    weights = [weight(child) for child in node.children]
    if 1 + sum(weights) > LAZY_WEIGHT and len(node.children) > 1:
        return tuple(tuple(part) for part in _parts(node.children, weights))
    return None


class _Slot:
    """One property: its row once built; until then it holds its initial value."""

    __slots__ = ("node", "row", "section")

    def __init__(self, node: Node, section: _Section | None) -> None:
        self.node = node
        self.row: FieldRow | None = None
        self.section = section


class _Grower(QObject):
    """Runs building steps (a row, a section header) in order, for about
    :data:`TURN_BUDGET_S` a turn of the event loop, until none is left; then the group it
    serves says so (``grew``). A group built inside a step puts its own steps first, so
    the form fills top to bottom."""

    current: _Grower | None = None  # the grower whose step is running

    def __init__(self, group: GroupEditor) -> None:
        super().__init__(group)
        self.group = group
        self.steps: deque[Callable[[], None]] = deque()
        self._first: list[Callable[[], None]] = []  # steps added by the running step
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # A moment between turns, not none: at 0 the next turn often ran straight after
        # the last one and its layout and paint, two turns holding the window as one.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(PAUSE_MS)
        self._timer.timeout.connect(self.run)
        self._started = False
        self._held = False

    def add(self, steps: list[Callable[[], None]]) -> None:
        if _Grower.current is self:
            self._first.extend(steps)
        else:
            self.steps.extend(steps)
            self._wake()

    def _wake(self) -> None:
        if self._held or self._timer.isActive() or not self.steps:
            return
        self._timer.start(PAUSE_MS if self._started else FIRST_PAUSE_MS)
        self._started = True

    def hold(self, held: bool) -> None:
        """Build nothing until held is False again (the page around the form is being
        drawn a turn at a time: a building turn with one of those is two in one)."""
        self._held = held
        if held:
            self._timer.stop()
        else:
            self._wake()

    def stop(self) -> None:
        """Build nothing more (the form let go of the group)."""
        self.steps.clear()
        self._timer.stop()

    def run(self, budget: float = TURN_BUDGET_S) -> None:
        deadline = time.perf_counter() + budget
        outer, _Grower.current = _Grower.current, self
        ran = False
        try:
            while self.steps:
                step = self.steps[0]
                if isinstance(step, _Alone) and ran:
                    break  # a turn of its own: it starts the next one
                self.steps.popleft()()
                ran = True
                self.steps.extendleft(reversed(self._first))
                self._first = []
                if time.perf_counter() > deadline or isinstance(step, _Alone):
                    break
        finally:
            _Grower.current = outer
        if self.steps:
            self._wake()
        else:
            self.group.grew.emit()


class _Alone:
    """A step that takes a turn of the event loop to itself: showing widgets costs little
    in the step and much after it, when Qt lays them out and paints them."""

    __slots__ = ("call",)

    def __init__(self, call: Callable[[], None]) -> None:
        self.call = call

    def __call__(self) -> None:
        self.call()


class _Section:
    """Some properties of a big group under a collapsible header, built when opened.

    Its header is made by the group (a batch per turn of the event loop); asking for
    :attr:`widget` before then makes it, and the headers above it, at once."""

    def __init__(self, group: GroupEditor, index: int, nodes: Sequence[Node]) -> None:
        self.group = group
        self.index = index
        self.nodes = nodes
        self.slots = [_Slot(node, self) for node in nodes]
        self._widget: CollapsibleSection | None = None
        self.built = False
        self.growing = False  # its rows come a few a turn (the first section)
        self.held: list[FieldRow] = []  # rows built while growing, not shown yet

    @property
    def widget(self) -> CollapsibleSection:
        if self._widget is None:
            self.group.make_headers(self.index + 1)
        assert self._widget is not None
        return self._widget

    def make_header(self, parent: QWidget) -> CollapsibleSection:
        self.body = QWidget(parent)
        self.column = QVBoxLayout(self.body)
        self.column.setContentsMargins(12, 0, 0, 4)
        self.column.setSpacing(4)
        first, last = self.nodes[0].title, self.nodes[-1].title
        title = first if len(self.nodes) == 1 else f"{first} – {last}"
        self._widget = CollapsibleSection(title, self.body, parent=parent)
        self._widget.toggled.connect(self._on_toggled)
        return self._widget

    def _on_toggled(self, expanded: bool) -> None:
        if expanded and not self.growing:
            self.build()

    def open(self) -> None:
        """Opened and every row built (now)."""
        widget = self.widget  # (its header and those above it made, if they were not)
        self.group.show_headers()
        widget.set_expanded(True)
        self.build()

    def build(self) -> None:
        if self.built:
            if self.held:  # built, not all shown yet: shown now
                self._show_held(len(self.held))
                self._reveal()
            return
        self.built, self.growing = True, False
        for slot in self.slots:
            if slot.row is None:
                self.group.build_row(slot)
        self._show_held(len(self.held))
        self._reveal()
        # Fields came: the form checks again and re-chains Tab (its fields_changed).
        self.group.changed.emit()

    def grow(self) -> None:
        """Opened; its rows come a few a turn of the event loop, out of sight, and are
        shown once all are there, :data:`REVEAL_ROWS` a turn (showing them one by one
        cost more than building them; all 25 at once, 12-20 ms in one turn)."""
        self.growing = True
        self.widget.set_expanded(True)
        self.body.hide()
        steps: list[Callable[[], None]] = [lambda s=slot: self._grow_row(s) for slot in self.slots]
        batches = range(0, len(self.slots), REVEAL_ROWS)
        shows = [_Alone(self._reveal_first if not i else self._show_next) for i in batches]
        self.group.grower.add([*steps, *shows])

    def _reveal(self) -> None:
        self.body.setVisible(self.widget.is_expanded())

    def _reveal_first(self) -> None:
        self._show_held(REVEAL_ROWS)
        self._reveal()

    def _show_next(self) -> None:
        self._show_held(REVEAL_ROWS)

    def _show_held(self, count: int) -> None:
        shown, self.held = self.held[:count], self.held[count:]
        for row in shown:
            row.show()

    def _grow_row(self, slot: _Slot) -> None:
        if slot.row is None:
            self.group.build_row(slot)
        if self.growing and all(s.row is not None for s in self.slots):
            self.built, self.growing = True, False


class GroupEditor(Editor):
    # Rows or section headers built a few a turn (see _Grower) are all there now: the
    # form re-chains Tab through them.
    grew = Signal()

    def __init__(
        self, node: Node, build: Build, parent: QWidget | None = None, *, framed: bool = True
    ) -> None:
        super().__init__(node, parent)
        assert isinstance(node, ObjectNode)
        self._build = build
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.frame = QFrame(self)
        if framed:
            self.frame.setFrameShape(QFrame.Shape.StyledPanel)
            self.frame.setAccessibleName(node.title)
        outer.addWidget(self.frame)
        column = QVBoxLayout(self.frame)
        column.setContentsMargins(*((10, 4, 10, 6) if framed else (0, 0, 0, 0)))
        column.setSpacing(4)
        self._column = column
        self.sections: list[_Section] = []
        self._slots: list[_Slot] = []
        self._made = 0  # sections whose header is made
        self._keys = {child.key for child in node.children}
        self._extra: dict[str, Any] = {}
        # A group built by another's grower grows with it; a big one gets its own.
        self.grower = _Grower.current
        parts = sections_of(node)
        if parts is not None:
            for part in parts:
                section = _Section(self, len(self.sections), part)
                self._slots.extend(section.slots)
                self.sections.append(section)
            if self.grower is None:
                self.grower = _Grower(self)
            self.make_headers(1)
            # The other sections' headers are made out of sight too, then shown
            # :data:`HEADERS_SHOWN` at a time (a batch in a box of its own).
            self._rest: list[QWidget] = []
            for _ in range(0, len(self.sections) - 1, HEADERS_SHOWN):
                batch = QWidget(self.frame)
                rest = QVBoxLayout(batch)
                rest.setContentsMargins(0, 0, 0, 0)
                rest.setSpacing(column.spacing())
                batch.hide()
                column.addWidget(batch)
                self._rest.append(batch)
            self.sections[0].grow()
            steps = [lambda: self.make_headers(self._made + 1) for _ in self.sections[1:]]
            shows = [_Alone(batch.show) for batch in self._rest]
            self.grower.add([*steps, *shows])  # from the next turn on
        else:
            self._slots = [_Slot(child, None) for child in node.children]
            if self.grower is not None:
                self.grower.add([lambda s=slot: self._grow_row(s) for slot in self._slots])
            else:
                for slot in self._slots:
                    self.build_row(slot, late=False)

    def stop_growing(self) -> None:
        """Build no more rows a turn at a time (the group is being thrown away)."""
        if self.grower is not None and self.grower.group is self:
            self.grower.stop()

    def hold_growing(self, held: bool) -> None:
        """Build no rows (``held``) until called again with False."""
        if self.grower is not None and self.grower.group is self:
            self.grower.hold(held)

    @property
    def growing(self) -> bool:
        """Whether rows or headers are still to come (a turn of the event loop at a time)."""
        grower = self.grower
        return grower is not None and bool(grower.steps or grower.current is grower)

    @property
    def fields(self) -> list[FieldRow]:
        """The rows built so far, in schema order."""
        return [s.row for s in self._slots if s.row is not None]

    @property
    def has_fields(self) -> bool:
        """Whether the group has properties at all (built or not)."""
        return bool(self._slots)

    def make_headers(self, upto: int) -> None:
        """Make the headers of the sections before index ``upto`` (those not made yet)."""
        end = min(upto, len(self.sections))
        for section in self.sections[self._made : end]:
            if section.index == 0:
                self._column.addWidget(section.make_header(self.frame))
            else:
                batch = self._rest[(section.index - 1) // HEADERS_SHOWN]
                host = batch.layout()
                assert isinstance(host, QVBoxLayout)
                header = section.make_header(batch)
                host.addWidget(header)
                # Styled and measured out of sight (see build_row): showing a batch
                # is then cheap.
                header.ensurePolished()
                header.sizeHint()
        self._made = max(self._made, end)

    def _grow_row(self, slot: _Slot) -> None:
        if slot.row is None:
            self.build_row(slot)

    def show_first_section(self) -> None:
        """Build and show the first section's rows now (still growing out of sight)."""
        first = self.sections[0] if self.sections else None
        if first is not None and (not first.built or first.held):
            first.open()

    def show_headers(self) -> None:
        """Show the sections' headers made so far (before they were all made)."""
        for batch in self._rest if self.sections else []:
            if batch.isHidden() and batch.layout().count():
                batch.show()

    def build_row(self, slot: _Slot, *, late: bool = True) -> None:
        """Build one property's row into its place (at its initial value when ``late``:
        built after the form was reset)."""
        if slot.section is not None:
            column, siblings = slot.section.column, slot.section.slots
        else:
            column, siblings = self._column, self._slots
        place = 0
        for other in siblings:
            if other is slot:
                break
            place += other.row is not None
        row = FieldRow(slot.node, self._build(slot.node, None), column.parentWidget())
        if late:
            # Show the initial value it stood for (an optional field is built unticked,
            # its default needs the tick).
            row.editor.reset()
        row.editor.changed.connect(self.changed)
        if slot.section is not None and slot.section.growing:
            row.hide()  # shown a few at a time once the section's rows are all there
            slot.section.held.append(row)
        if _Grower.current is not None:
            # Built a few a turn, out of sight: styled and measured now, in this building
            # turn, so showing it later costs less than half (styling and measuring rows
            # for the first time, a group's 20 at once, was most of a showing turn).
            row.ensurePolished()
            row.sizeHint()
        inner = getattr(row.editor, "inner", row.editor)  # an optional group: the group
        if isinstance(inner, GroupEditor) and inner.grower is not self.grower:
            inner.grew.connect(self.grew)
        column.insertWidget(place, row)
        slot.row = row

    def _ensure_row(self, slot: _Slot) -> FieldRow:
        """The slot's row, built (and its section opened) now if it was not, and shown
        (a growing section's rows wait out of sight until all are built)."""
        section = slot.section
        if slot.row is None or (section is not None and slot.row in section.held):
            if section is not None:
                section.open()
            else:
                self.build_row(slot)
        assert slot.row is not None
        return slot.row

    def set_framed(self, framed: bool) -> None:
        """Drop the frame (a list item already has one)."""
        shape = QFrame.Shape.StyledPanel if framed else QFrame.Shape.NoFrame
        self.frame.setFrameShape(shape)
        self._column.setContentsMargins(*((10, 4, 10, 6) if framed else (0, 0, 0, 0)))

    def value(self, path: str, problems: dict[str, str]) -> Any:
        out: dict[str, Any] = {}
        for slot in self._slots:
            key = slot.node.key
            if slot.row is not None:
                value = slot.row.editor.value(join_path(path, key), problems)
            else:
                value = initial_value(slot.node)
            if value is not MISSING:
                out[key] = value
        out.update(self._extra)
        return out

    def set_value(self, value: Any) -> None:
        given: dict[str, Any] = value if isinstance(value, dict) else {}
        self._extra = {k: v for k, v in given.items() if k not in self._keys}
        for slot in self._slots:
            item = given.get(slot.node.key, MISSING)
            if slot.row is None and _is_initial(slot.node, item):
                continue  # the field stays unbuilt: it already holds this
            self._ensure_row(slot).editor.set_value(item)

    def reset(self) -> None:
        if self.node.has_default:
            self.set_value(self.node.default)
            return
        self._extra = {}
        for row in self.fields:  # rows not built yet hold their initial values already
            row.editor.reset()

    def rows(self, path: str) -> Iterator[tuple[str, ErrorSlot]]:
        for row in self.fields:
            child = join_path(path, row.node.key)
            yield child, row
            yield from row.editor.rows(child)

    def focus_target(self) -> QWidget:
        return self.fields[0].editor.focus_target() if self.fields else self

    def reveal(self, path: str) -> None:
        """Build (and open) the section holding the field at ``path`` (a dot path below
        this group), so an error can be shown at it."""
        key, _, rest = path.partition(".")
        slot = next((s for s in self._slots if s.node.key == key), None)
        if slot is None:
            return
        editor = self._ensure_row(slot).editor
        inner = getattr(editor, "inner", editor)  # an optional group: the group inside
        if rest and isinstance(inner, GroupEditor):
            inner.reveal(rest)


def _is_initial(node: Node, item: Any) -> bool:
    """Whether a field given ``item`` shows what it shows unbuilt (its initial value)."""
    start = initial_value(node)
    if item is MISSING or start is MISSING:
        return item is start
    return same_json(item, start)


def _parts(children: tuple[Node, ...], weights: list[int]) -> list[list[Node]]:
    """The properties (each of the weight given) cut into runs of about
    :data:`SECTION_WEIGHT` fields."""
    parts: list[list[Node]] = [[]]
    size = 0
    for child, heft in zip(children, weights, strict=True):
        if parts[-1] and size + heft > SECTION_WEIGHT:
            parts.append([])
            size = 0
        parts[-1].append(child)
        size += heft
    return parts
