"""Item views whose cells Qt paints without calling into Python, looking exactly the same.

The app paints with :class:`~ouro_desktop.ui.common.readable_style.ReadableStyle`, a
Python ``QProxyStyle``: each element Qt draws through it is a call into Python -- two a
cell of an item view (its row panel and its item panel), ~150 a repaint of the runs
table -- and each call first waits for the interpreter, which another thread (the in-app
demo, a worker reading an answer) often holds. In a cell that style draws only one thing
differently from Fusion: the focus ring around the current cell (and check boxes, which
no view here has). So :class:`TableView`, :class:`TreeView` and :class:`ListView` paint
with a plain Fusion (C++ all through), and only their current row -- the one cell that
can carry the ring is in it -- goes through the app's style, by a row delegate that draws
it as Qt's own delegate does. Every pixel is the same as before; a repaint calls into
Python once for the view and once per cell of the current row, when that row is painted.

With any other style (the platform's own on macOS and Windows, plain Fusion in tests),
these views are Qt's, unchanged.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
)
from PySide6.QtGui import QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleFactory,
    QStyleOptionViewItem,
    QTableView,
    QTreeView,
    QWidget,
)

__all__ = ["ListView", "TableView", "TreeView", "app_style_is_python"]

_Index = QModelIndex | QPersistentModelIndex


def app_style_is_python() -> bool:
    """Whether the app paints with ReadableStyle (else the views are left as Qt's own)."""
    from ouro_desktop.ui.common.readable_style import ReadableStyle

    app = QApplication.instance()
    return isinstance(app, QApplication) and isinstance(app.style(), ReadableStyle)


class _CurrentRow(QStyledItemDelegate):
    """The current row's delegate: each cell drawn through the app's style, as the view's
    own delegate draws it (its ``initStyleOption``, then the style's item); everything
    else is the view's own delegate's."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view

    def own(self, index: _Index) -> QAbstractItemDelegate:
        view = self._view
        return view.itemDelegateForColumn(index.column()) or view.itemDelegate()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        own = self.own(index)
        if (
            not isinstance(own, QStyledItemDelegate)
            or type(own).paint is not _QT_PAINT  # (it draws its own cells, focus and all)
            or index.parent() != self._view.currentIndex().parent()  # (a tree's other rows)
        ):
            own.paint(painter, option, index)
            return
        styled = QStyleOptionViewItem(option)
        own.initStyleOption(styled, index)
        QApplication.style().drawControl(
            QStyle.ControlElement.CE_ItemViewItem,
            styled,
            painter,
            option.widget,  # type: ignore[attr-defined]
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:  # noqa: N802
        return self.own(index).sizeHint(option, index)

    def createEditor(  # noqa: N802 - Qt API
        self, parent: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> QWidget:
        return self.own(index).createEditor(parent, option, index)

    def setEditorData(self, editor: QWidget, index: _Index) -> None:  # noqa: N802
        self.own(index).setEditorData(editor, index)

    def setModelData(  # noqa: N802 - Qt API
        self, editor: QWidget, model: QAbstractItemModel, index: _Index
    ) -> None:
        self.own(index).setModelData(editor, model, index)

    def updateEditorGeometry(  # noqa: N802 - Qt API
        self, editor: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> None:
        self.own(index).updateEditorGeometry(editor, option, index)

    def destroyEditor(self, editor: QWidget, index: _Index) -> None:  # noqa: N802
        self.own(index).destroyEditor(editor, index)

    def editorEvent(  # noqa: N802 - Qt API
        self,
        event: QEvent,
        model: QAbstractItemModel,
        option: QStyleOptionViewItem,
        index: _Index,
    ) -> bool:
        return bool(self.own(index).editorEvent(event, model, option, index))

    def helpEvent(  # noqa: N802 - Qt API
        self,
        event: QHelpEvent,
        view: QAbstractItemView,
        option: QStyleOptionViewItem,
        index: _Index,
    ) -> bool:
        return bool(self.own(index).helpEvent(event, view, option, index))


_QT_PAINT = QStyledItemDelegate.paint


class _Cells(QObject):
    """One view's plain style and current-row delegate (see the module)."""

    def __init__(self, view: QAbstractItemView, style: QStyle) -> None:
        super().__init__(view)
        self.view = view
        self.row_delegate = _CurrentRow(view)
        self.row = -1
        # Its own Fusion (~0.1 ms to make), gone with the view. Not one for every view:
        # PySide forgets a style's Python side when a scroll bar or header that Qt made
        # is deleted with its view, and the next view would be given a dead object. Not
        # the ReadableStyle's base either: that one hands every element it draws inside
        # another (an item's panel inside the item) back to the Python proxy.
        style.setParent(view)
        view.setStyle(style)
        # Its headers and scroll bars too: they are redrawn on every scroll step, and the
        # app's style draws nothing in them differently.
        parts: list[QWidget] = [view.horizontalScrollBar(), view.verticalScrollBar()]
        if isinstance(view, QTableView):
            parts += [view.horizontalHeader(), view.verticalHeader()]
        elif isinstance(view, QTreeView):
            parts.append(view.header())
        for part in parts:
            part.setStyle(style)

    def follow_current(self) -> None:
        """Before each paint: the current row is the one painted through the app's style
        (rows move under it, models are replaced: it is checked, not tracked)."""
        current = self.view.currentIndex()
        row = current.row() if current.isValid() else -1
        if row == self.row:
            return
        view = self.view
        if self.row >= 0 and view.itemDelegateForRow(self.row) is self.row_delegate:
            view.setItemDelegateForRow(self.row, None)  # type: ignore[arg-type]
        if row >= 0:
            view.setItemDelegateForRow(row, self.row_delegate)
        self.row = row


def _cells_for(view: QAbstractItemView) -> _Cells | None:
    if not app_style_is_python():
        return None
    style = QStyleFactory.create("Fusion")  # (built into Qt: never missing, but checked)
    return _Cells(view, style) if style is not None else None


class _PaintedInCpp:
    """What the three views share: their cells painted in C++, the current row followed."""

    _cells: _Cells | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)  # type: ignore[call-arg]  # (the Qt view, next in line)
        self._cells = _cells_for(self)  # type: ignore[arg-type]

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        if self._cells is not None:
            self._cells.follow_current()
        super().paintEvent(event)  # type: ignore[misc]


class TableView(_PaintedInCpp, QTableView):
    """A ``QTableView`` painted in C++ (see the module)."""


class TreeView(_PaintedInCpp, QTreeView):
    """A ``QTreeView`` painted in C++ (see the module); never with all columns showing
    the focus (that ring is the view's own, drawn by its style)."""


class ListView(_PaintedInCpp, QListView):
    """A ``QListView`` painted in C++ (see the module)."""
