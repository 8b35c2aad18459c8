"""A collapsible tree of a JSON value (a run's response or request), with copy.

:class:`JsonTreeModel` is a two-column item model (key, value) over any JSON value. Child
nodes are built the first time a node is expanded, and at most :data:`PAGE` of them at a
time: a longer list or object ends in a row "… 415,666 more: show 1,000 more", which
(clicked, or scrolled to at the bottom of the view) adds the next page. So a response with a
million-point list opens and expands at once. Long strings are shortened in the view and
shown whole in the tooltip; a tooltip never writes out more than a few thousand
characters of a big value. :class:`JsonTreeView` adds "Copy value" and "Copy all as JSON"
as buttons and as a context menu; a big value is written out for the clipboard in a
worker thread.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from itertools import islice
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.compact import (
    LIST_TYPES,
    CompactList,
    dumps,
    is_list,
    json_default_str,
)
from ouro_desktop.ui.common.item_views import TreeView
from ouro_desktop.ui.common.labels import plain_tip

__all__ = ["PAGE", "JsonTreeModel", "JsonTreeView", "value_text"]

ELIDE_AT = 160
TOOLTIP_CHARS = 4000
PAGE = 1000  # children shown at a time under one node
COPY_IN_WORKER = 20_000  # members below a value above which copying goes to a thread
Index = QModelIndex | QPersistentModelIndex


_CONTAINERS = (dict, *LIST_TYPES)


def value_text(value: Any) -> str:
    """What "Copy value" puts on the clipboard: strings bare, the rest as (pretty) JSON
    (a long list kept as columns written a chunk of rows at a time)."""
    if isinstance(value, str):
        return value
    if isinstance(value, _CONTAINERS):
        return dumps(value, indent=2, ensure_ascii=False, default=str)
    return json.dumps(value, ensure_ascii=False, default=str)


def _first_rows(value: Any, limit: int) -> Any:
    """``default`` for writing the start of a value: of a compact list, only the first
    ``limit + 1`` items -- each takes a character at least, so already too many."""
    if isinstance(value, CompactList):
        return value.rows(0, limit + 1)
    return json_default_str(value)


def bounded_text(value: Any, limit: int) -> str | None:
    """``value_text(value)`` if it is at most ``limit`` characters, else None, found
    without writing out more than ``limit`` characters of it."""
    if not isinstance(value, _CONTAINERS):
        text = value_text(value)
        return text if len(text) <= limit else None
    if isinstance(value, CompactList) and len(value) > limit:
        return None
    parts, size = [], 0
    encoder = json.JSONEncoder(
        indent=2, ensure_ascii=False, default=lambda v: _first_rows(v, limit)
    )
    for piece in encoder.iterencode(value):
        size += len(piece)
        if size > limit:
            return None
        parts.append(piece)
    return "".join(parts)


def _is_big(value: Any) -> bool:
    """More than :data:`COPY_IN_WORKER` members anywhere below (counted up to there)."""
    seen = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            seen += len(item)
            stack.extend(v for v in item.values() if isinstance(v, _CONTAINERS))
        elif isinstance(item, list):
            seen += len(item)
            stack.extend(v for v in item if isinstance(v, _CONTAINERS))
        elif isinstance(item, CompactList):
            seen += len(item)  # its items hold numbers only
        if seen > COPY_IN_WORKER:
            return True
    return False


def _summary(value: Any) -> str:
    if isinstance(value, dict):
        n = len(value)
        return "{ }" if n == 0 else f"{{{n} key{'s' if n != 1 else ''}}}"
    if is_list(value):
        n = len(value)
        return "[ ]" if n == 0 else f"[{n} item{'s' if n != 1 else ''}]"
    text = value_text(value)
    if isinstance(value, str):
        text = text.replace("\n", "⏎ ")
    return text if len(text) <= ELIDE_AT else text[: ELIDE_AT - 1] + "…"


class _Node:
    """One member; its children are made a page at a time, the first time they are asked
    for. ``more`` marks the row that stands for the members not made yet."""

    __slots__ = ("_children", "key", "more", "parent", "row", "value")

    def __init__(
        self, key: str, value: Any, parent: _Node | None, row: int, *, more: bool = False
    ) -> None:
        self.key = key
        self.value = value
        self.parent = parent
        self.row = row
        self.more = more
        self._children: list[_Node] | None = None

    @property
    def has_children(self) -> bool:
        return not self.more and isinstance(self.value, _CONTAINERS) and bool(self.value)

    @property
    def size(self) -> int:
        return len(self.value) if isinstance(self.value, _CONTAINERS) else 0

    def made(self) -> int:
        """How many members have a node (the "more" row not counted)."""
        children = self._children
        if not children:
            return 0
        return len(children) - (1 if children[-1].more else 0)

    def children(self) -> list[_Node]:
        if self._children is None:
            self._children = []
            self.add_page()
        return self._children

    def add_page(self, count: int = PAGE) -> tuple[int, int]:
        """Make nodes for up to ``count`` more members; the rows added (first, last),
        the "more" row included, after the old "more" row (if any) was taken away."""
        children = self._children if self._children is not None else []
        self._children = children
        if children and children[-1].more:
            children.pop()
        start = len(children)
        value = self.value
        items: Iterator[tuple[str, Any]]
        if isinstance(value, dict):
            items = ((str(k), v) for k, v in islice(value.items(), start, start + count))
        elif isinstance(value, CompactList):  # one page of rows made at once
            page = value.rows(start, start + count)
            items = ((f"[{i}]", item) for i, item in enumerate(page, start))
        elif isinstance(value, list):
            items = ((f"[{i}]", value[i]) for i in range(start, min(len(value), start + count)))
        else:
            items = iter(())
        children.extend(_Node(k, v, self, start + i) for i, (k, v) in enumerate(items))
        rest = self.size - len(children)
        if rest > 0:
            children.append(_Node(f"… {rest:,} more", None, self, len(children), more=True))
        return start, len(children) - 1

    def path(self) -> str:
        if self.more:
            return ""
        parts = []
        node: _Node | None = self
        while node is not None and node.parent is not None:
            parts.append(node.key)
            node = node.parent
        return ".".join(reversed(parts)).replace(".[", "[")


class JsonTreeModel(QAbstractItemModel):
    """Key and value columns over a JSON value; containers expand to their members."""

    ValueRole = Qt.ItemDataRole.UserRole + 1  # the Python value of the node
    PathRole = Qt.ItemDataRole.UserRole + 2  # "a.b[0].c"
    KEY_COLUMN, VALUE_COLUMN = 0, 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._root = _Node("", None, None, 0)
        self._value: Any = None

    def set_value(self, value: Any) -> None:
        self.beginResetModel()
        self._value = value
        # A scalar response still gets one row, so there is something to see and copy.
        self._root = _Node(
            "", value if isinstance(value, _CONTAINERS) else {"value": value}, None, 0
        )
        self.endResetModel()

    def value(self) -> Any:
        return self._value

    def is_more_row(self, index: Index) -> bool:
        """Whether ``index`` is the "… N more" row of a long list or object."""
        return index.isValid() and self._node(index).more

    def show_more(self, index: Index) -> None:
        """Add the next page of members under the parent of the "… N more" row ``index``
        (or under ``index`` itself, a node whose members are paged)."""
        node = self._node(index)
        parent, parent_index = (node.parent, index.parent()) if node.more else (node, index)
        if parent is None or parent._children is None or parent.made() >= parent.size:
            return
        children = parent._children
        if children and children[-1].more:  # the "more" row goes ...
            gone = len(children) - 1
            self.beginRemoveRows(parent_index, gone, gone)
            children.pop()
            self.endRemoveRows()
        first = len(children)  # ... the next page (and a new "more" row) comes
        count = min(PAGE, parent.size - first)
        last = first + count - 1 + (1 if first + count < parent.size else 0)
        self.beginInsertRows(parent_index, first, last)
        parent.add_page()
        self.endInsertRows()

    # No canFetchMore/fetchMore: QTreeView calls fetchMore on every layout of an expanded
    # node, which would make every page, one layout at a time. The view adds a page when
    # its "more" row is clicked or scrolled to.

    def _node(self, index: Index) -> _Node:
        if index.isValid():
            node = index.internalPointer()
            assert isinstance(node, _Node)
            return node
        return self._root

    # -- QAbstractItemModel ------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        children = self._node(parent).children()
        if not 0 <= row < len(children) or not 0 <= column < 2:
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        parent = self._node(index).parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        node = self._node(parent)
        return len(node.children()) if node.has_children or node is self._root else 0

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        node = self._node(parent)
        return node is self._root or (node.has_children and parent.column() <= 0)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 2

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        column = index.column()
        if node.more:
            return self._more_data(node, column, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return node.key if column == self.KEY_COLUMN else _summary(node.value)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.KEY_COLUMN:
                return node.path()
            if isinstance(node.value, str):
                text = node.value
                return plain_tip(text) if len(text) > ELIDE_AT or "\n" in text else None
            # A whole list in a tooltip helps nobody: nothing past a few thousand chars.
            found = bounded_text(node.value, TOOLTIP_CHARS)
            if found is None or (len(found) <= ELIDE_AT and "\n" not in found):
                return None
            return plain_tip(found)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.VALUE_COLUMN:
            if node.has_children or node.value is None or node.value in ({}, []):
                return QGuiApplication.palette().brush(QPalette.ColorRole.PlaceholderText)
        if role == self.ValueRole:
            return node.value
        if role == self.PathRole:
            return node.path()
        return None

    def _more_data(self, node: _Node, column: int, role: int) -> Any:
        parent = node.parent
        step = min(PAGE, parent.size - parent.made()) if parent is not None else PAGE
        if role == Qt.ItemDataRole.DisplayRole:
            return node.key if column == self.KEY_COLUMN else f"Show {step:,} more"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Click to show the next {step:,}"
        if role == Qt.ItemDataRole.ForegroundRole:
            return QGuiApplication.palette().brush(QPalette.ColorRole.Link)
        return None

    def headerData(  # noqa: N802 - Qt API
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return ("Key", "Value")[section] if 0 <= section < 2 else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class JsonTreeView(QWidget):
    """The tree with "Copy value" and "Copy all as JSON" (buttons and context menu)."""

    copied = Signal(str)  # the text that went to the clipboard

    def __init__(self, parent: QWidget | None = None, *, empty_text: str = "") -> None:
        super().__init__(parent)
        self.model = JsonTreeModel(self)
        self.tree = TreeView(self)
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # Elided in the middle: long keys that share a start stay told apart
        # ("dos_at_fe…_per_eV" / "dos_at_fe…_per_cell"); the full path is on hover.
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_tree_context_menu_requested)
        self.tree.clicked.connect(self._on_tree_clicked)
        self.tree.activated.connect(self._on_tree_clicked)
        self.tree.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self._copier = _Copier(self)
        self._copier.done.connect(self._copy)
        self.tree.setAccessibleName("Response" if not empty_text else empty_text)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(0, 220)

        self.copy_value_button = QPushButton("Copy value", self)
        self.copy_value_button.setEnabled(False)
        self.copy_value_button.clicked.connect(self.copy_value)
        self.copy_all_button = QPushButton("Copy all as JSON", self)
        self.copy_all_button.clicked.connect(self.copy_all)
        self.tree.selectionModel().selectionChanged.connect(self._on_selection_changed)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addStretch(1)
        buttons.addWidget(self.copy_value_button)
        buttons.addWidget(self.copy_all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)

    def set_value(self, value: Any, *, expand_depth: int | None = None) -> None:
        """Show ``value``: its top-level members, collapsed; or expanded ``expand_depth``
        levels deep (-1: everything, only for small values such as a request)."""
        self.model.set_value(value)
        self.copy_value_button.setEnabled(False)
        if expand_depth is not None and expand_depth < 0:
            self.tree.expandAll()
        elif expand_depth is not None:
            self.tree.expandToDepth(expand_depth)
        # Keys whole when they fit, but never more than ~40% of the width for them.
        self.tree.resizeColumnToContents(JsonTreeModel.KEY_COLUMN)
        cap = max(160, int(self.tree.viewport().width() * 0.4))
        if self.tree.columnWidth(JsonTreeModel.KEY_COLUMN) > cap:
            self.tree.setColumnWidth(JsonTreeModel.KEY_COLUMN, cap)

    def value(self) -> Any:
        return self.model.value()

    def index_of(self, path: str) -> QModelIndex:
        """The key cell of the node at dot ``path`` (e.g. ``curve[0].energy_eV``)."""
        hits = self.model.match(
            self.model.index(0, 0),
            JsonTreeModel.PathRole,
            path,
            1,
            Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
        )
        return hits[0] if hits else QModelIndex()

    def _selected(self) -> QModelIndex:
        rows = self.tree.selectionModel().selectedRows(JsonTreeModel.KEY_COLUMN)
        return rows[0] if rows else QModelIndex()

    def selected_value(self) -> Any:
        index = self._selected()
        return self.model.data(index, JsonTreeModel.ValueRole) if index.isValid() else None

    def copy_value(self) -> str | None:
        """The selected node's value to the clipboard (None when nothing is selected, or
        while a big value is being written out in a worker)."""
        index = self._selected()
        if not index.isValid() or self.model.is_more_row(index):
            return None
        return self._copy_later(self.model.data(index, JsonTreeModel.ValueRole))

    def copy_all(self) -> str | None:
        return self._copy_later(self.model.value())

    def _copy_later(self, value: Any) -> str | None:
        if isinstance(value, _CONTAINERS) and _is_big(value):
            self._copier.start(value)  # ``copied`` follows when it is written out
            return None
        return self._copy(value_text(value))

    def _copy(self, text: str) -> str:
        QGuiApplication.clipboard().setText(text)
        self.copied.emit(text)
        return text

    def _on_tree_clicked(self, index: QModelIndex) -> None:
        if self.model.is_more_row(index):
            self.model.show_more(index)

    def _on_scrolled(self, value: int) -> None:
        """Scrolled to the bottom onto a "… N more" row: add the next page there."""
        if value < self.tree.verticalScrollBar().maximum():
            return
        tree, bottom = self.tree, self.tree.viewport().height()
        index = tree.indexAt(QPoint(4, 2))
        while index.isValid() and tree.visualRect(index).top() < bottom:  # a screenful
            if self.model.is_more_row(index):
                self.model.show_more(index)
                return
            index = tree.indexBelow(index)

    def _on_selection_changed(self, *_args: object) -> None:
        index = self._selected()
        self.copy_value_button.setEnabled(index.isValid() and not self.model.is_more_row(index))

    def _on_tree_context_menu_requested(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        menu = QMenu(self)
        if index.isValid():
            self.tree.setCurrentIndex(index)
            menu.addAction("Copy value", self.copy_value)
            path = str(self.model.data(index, JsonTreeModel.PathRole) or "")
            if path:
                menu.addAction("Copy path", lambda: self._copy(path))
            key_cell = index.siblingAtColumn(0)
            if self.model.hasChildren(key_cell):
                menu.addSeparator()
                menu.addAction("Expand all below", lambda: self.tree.expandRecursively(key_cell))
        menu.addAction("Copy all as JSON", self.copy_all)
        menu.exec(self.tree.viewport().mapToGlobal(pos))


class _Copier(QObject):
    """Writes a big value out as JSON in a worker thread; ``done`` carries the text back
    to the window's thread (a signal emitted from another thread is queued)."""

    done = Signal(str)

    def start(self, value: Any) -> None:
        threading.Thread(target=self._run, args=(value,), name="json-copy", daemon=True).start()

    def _run(self, value: Any) -> None:
        self.done.emit(value_text(value))
