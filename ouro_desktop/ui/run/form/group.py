"""A nested object: its properties as titled rows, in a frame when it is not the body itself.

Keys the schema does not list (typed in the raw JSON editor) are kept and sent back
unchanged, so switching between the form and the JSON never drops them.

A big group (more than :data:`LAZY_WEIGHT` fields, nested ones counted) shows its
properties in collapsible sections of about :data:`SECTION_WEIGHT` fields, titled by
their first and last settings; only the first is built, the others the first time they
are opened (the headers themselves come a batch per turn of the event loop, so a group
of 2,000 never holds the window for long). Until then a section's fields hold their
initial values (what a built field shows after a reset), which is what the group reports
for them; giving the group a value that differs builds the sections it touches. A form
of 2,000 settings opens as fast as one of 60, and stays a form.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QVBoxLayout, QWidget

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

__all__ = ["LAZY_WEIGHT", "SECTION_WEIGHT", "GroupEditor", "weight"]

LAZY_WEIGHT = 60  # fields in a group above which it is built a section at a time
SECTION_WEIGHT = 25  # fields in a section, about
HEADERS_AT_ONCE = 12  # section headers made with the group; then ...
HEADERS_A_TURN = 20  # ... this many a turn of the event loop (~0.4 ms each)


def weight(node: Node) -> int:
    """How many fields ``node`` shows when built (a group counts its members)."""
    if isinstance(node, ObjectNode):
        return 1 + sum(weight(child) for child in node.children)
    if isinstance(node, OptionalNode):
        return weight(node.inner)
    if isinstance(node, ArrayNode):
        return 1 + weight(node.items)
    return 1


class _Slot:
    """One property: its row once built; until then it holds its initial value."""

    __slots__ = ("node", "row", "section")

    def __init__(self, node: Node, section: _Section | None) -> None:
        self.node = node
        self.row: FieldRow | None = None
        self.section = section


class _Section:
    """Some properties of a big group under a collapsible header, built when opened.

    Its header is made by the group (a batch per turn of the event loop); asking for
    :attr:`widget` before then makes it, and the headers above it, at once."""

    def __init__(self, group: GroupEditor, index: int, nodes: list[Node]) -> None:
        self.group = group
        self.index = index
        self.nodes = nodes
        self.slots = [_Slot(node, self) for node in nodes]
        self._widget: CollapsibleSection | None = None
        self.built = False

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
        if expanded:
            self.build()

    def build(self) -> None:
        if self.built:
            return
        self.built = True
        for slot in self.slots:
            self.group.build_row(slot, self.column)
        self.group.rows_built()
        # Fields came: the form checks again and re-chains Tab (its fields_changed).
        self.group.changed.emit()


class GroupEditor(Editor):
    # The headers of a big group's sections came (made a batch per turn of the event
    # loop after the first): the form re-chains Tab through them.
    headers_made = Signal()

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
        self.fields: list[FieldRow] = []  # the rows built so far, in schema order
        self.sections: list[_Section] = []
        self._slots: list[_Slot] = []
        self._made = 0  # sections whose header is made
        self._header_timer = QTimer(self)
        self._header_timer.setSingleShot(True)
        self._header_timer.setInterval(0)
        self._header_timer.timeout.connect(self._on_header_timer_timeout)
        weights = [weight(child) for child in node.children]
        if 1 + sum(weights) > LAZY_WEIGHT and len(node.children) > 1:
            for part in _parts(node.children, weights):
                section = _Section(self, len(self.sections), part)
                self._slots.extend(section.slots)
                self.sections.append(section)
            self.make_headers(HEADERS_AT_ONCE)
            self.sections[0].widget.set_expanded(True)  # builds it
            if self._made < len(self.sections):
                self._header_timer.start()
        else:
            self._slots = [_Slot(child, None) for child in node.children]
            for slot in self._slots:
                self.build_row(slot, column)
            self.rows_built()
        self._keys = {child.key for child in node.children}
        self._extra: dict[str, Any] = {}

    def make_headers(self, upto: int) -> None:
        """Make the headers of the sections before index ``upto`` (those not made yet)."""
        end = min(upto, len(self.sections))
        for section in self.sections[self._made : end]:
            self._column.addWidget(section.make_header(self.frame))
        self._made = max(self._made, end)

    def _on_header_timer_timeout(self) -> None:
        self.make_headers(self._made + HEADERS_A_TURN)
        if self._made < len(self.sections):
            self._header_timer.start()
        else:
            self.headers_made.emit()

    def build_row(self, slot: _Slot, column: QVBoxLayout) -> None:
        """Build one property's row (at its initial value) into ``column``; call
        :meth:`rows_built` after the last of a batch."""
        row = FieldRow(slot.node, self._build(slot.node, None), column.parentWidget())
        if slot.section is not None:
            # Built after the form was reset: show the initial value it stood for (an
            # optional field is built unticked, its default needs the tick).
            row.editor.reset()
        row.editor.changed.connect(self.changed)
        inner = getattr(row.editor, "inner", row.editor)  # an optional group: the group
        if isinstance(inner, GroupEditor):
            inner.headers_made.connect(self.headers_made)
        column.addWidget(row)
        slot.row = row

    def rows_built(self) -> None:
        """The rows built so far, in schema order, as :attr:`fields`."""
        self.fields = [s.row for s in self._slots if s.row is not None]

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
            if slot.row is None and slot.section is not None:
                if _is_initial(slot.node, item):
                    continue  # the section stays unbuilt: it already holds this
                slot.section.widget.set_expanded(True)  # builds it
            assert slot.row is not None
            slot.row.editor.set_value(item)

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
        if slot.row is None and slot.section is not None:
            slot.section.widget.set_expanded(True)
        editor = slot.row.editor if slot.row is not None else None
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
