"""A collapsible tree of a JSON value (a run's response or request), with copy.

:class:`JsonTreeModel` is a two-column item model (key, value) over any JSON value; child
nodes are built the first time they are asked for, so a response with a 10,000-point list
opens at once. Long strings are shortened in the view and shown whole in the tooltip.
:class:`JsonTreeView` adds "Copy value" and "Copy all as JSON" as buttons and as a context
menu.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
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
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.ui.common.labels import plain_tip

__all__ = ["JsonTreeModel", "JsonTreeView", "value_text"]

ELIDE_AT = 160
Index = QModelIndex | QPersistentModelIndex


def value_text(value: Any) -> str:
    """What "Copy value" puts on the clipboard: strings bare, the rest as (pretty) JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return json.dumps(value, ensure_ascii=False, default=str)


def _summary(value: Any) -> str:
    if isinstance(value, dict):
        n = len(value)
        return "{ }" if n == 0 else f"{{{n} key{'s' if n != 1 else ''}}}"
    if isinstance(value, list):
        n = len(value)
        return "[ ]" if n == 0 else f"[{n} item{'s' if n != 1 else ''}]"
    text = value_text(value)
    if isinstance(value, str):
        text = text.replace("\n", "⏎ ")
    return text if len(text) <= ELIDE_AT else text[: ELIDE_AT - 1] + "…"


class _Node:
    __slots__ = ("_children", "key", "parent", "row", "value")

    def __init__(self, key: str, value: Any, parent: _Node | None, row: int) -> None:
        self.key = key
        self.value = value
        self.parent = parent
        self.row = row
        self._children: list[_Node] | None = None

    @property
    def has_children(self) -> bool:
        return isinstance(self.value, dict | list) and bool(self.value)

    def children(self) -> list[_Node]:
        if self._children is None:
            if isinstance(self.value, dict):
                items = [(str(k), v) for k, v in self.value.items()]
            elif isinstance(self.value, list):
                items = [(f"[{i}]", v) for i, v in enumerate(self.value)]
            else:
                items = []
            self._children = [_Node(k, v, self, i) for i, (k, v) in enumerate(items)]
        return self._children

    def path(self) -> str:
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
            "", value if isinstance(value, dict | list) else {"value": value}, None, 0
        )
        self.endResetModel()

    def value(self) -> Any:
        return self._value

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
        if role == Qt.ItemDataRole.DisplayRole:
            return node.key if column == self.KEY_COLUMN else _summary(node.value)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.KEY_COLUMN:
                return node.path()
            text = value_text(node.value)
            if isinstance(node.value, dict | list) and len(text) > 4000:
                return None  # a whole list in a tooltip helps nobody
            return plain_tip(text) if len(text) > ELIDE_AT or "\n" in text else None
        if role == Qt.ItemDataRole.ForegroundRole and column == self.VALUE_COLUMN:
            if node.has_children or node.value is None or node.value in ({}, []):
                return QGuiApplication.palette().brush(QPalette.ColorRole.PlaceholderText)
        if role == self.ValueRole:
            return node.value
        if role == self.PathRole:
            return node.path()
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
        self.tree = QTreeView(self)
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
        """The selected node's value to the clipboard (None when nothing is selected)."""
        index = self._selected()
        if not index.isValid():
            return None
        return self._copy(value_text(self.model.data(index, JsonTreeModel.ValueRole)))

    def copy_all(self) -> str:
        return self._copy(value_text(self.model.value()))

    def _copy(self, text: str) -> str:
        QGuiApplication.clipboard().setText(text)
        self.copied.emit(text)
        return text

    def _on_selection_changed(self, *_args: object) -> None:
        self.copy_value_button.setEnabled(self._selected().isValid())

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
