"""Tab order that follows the page: top to bottom, and left to right within a line.

Qt chains widgets in the order they were created. A route's page is built in pieces (the
page once, its form and drop zones per route), so Tab would jump from the page's first
lines to its last section and only then into the form. :func:`chain_by_position` re-chains
the focusable widgets under a root in reading order; call it again when the page changes.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget

__all__ = ["TAB_AFTER", "chain_by_position", "focusable_in_order"]

# A widget with this Python attribute set to a container comes after that container's
# controls, not where it stands: a setting's small reset button beside its title, which
# Tab reached before the value box ("Tab, then type" typed into nothing).
TAB_AFTER = "tab_after"

_LINE = 12  # px: widgets whose middles are this close are on one line


_TAB = Qt.FocusPolicy.TabFocus.value
_DIRECT = Qt.FindChildOption.FindDirectChildrenOnly


def _tab_stops(parent: QWidget, root: QWidget, out: list[QWidget]) -> None:
    """The widgets Tab stops at under ``parent``, in creation order. A hidden widget's
    children are not looked at (none of them is shown): a wide form's collapsed sections
    and the pages of stacks hold hundreds, and this runs each time the form grows."""
    for widget in parent.findChildren(QWidget, options=_DIRECT):
        if widget.isHidden() or widget.isWindow():
            continue
        if (
            widget.focusPolicy().value & _TAB
            and widget.focusProxy() is None
            # A spin box's or combo box's own line edit is reached through the box.
            and not isinstance(parent, QAbstractSpinBox | QComboBox)
        ):
            out.append(widget)
        _tab_stops(widget, root, out)


def focusable_in_order(root: QWidget) -> list[QWidget]:
    """The widgets under ``root`` that Tab stops at, in reading order."""
    stops: list[QWidget] = []
    _tab_stops(root, root, stops)
    placed = []
    for widget in stops:
        top = widget.mapTo(root, QPoint(0, 0))
        placed.append((top.y() + widget.height() / 2, top.x(), widget))
    placed.sort(key=lambda item: (item[0], item[1]))
    lines: list[list[tuple[float, int, QWidget]]] = []
    for item in placed:
        if lines and item[0] - lines[-1][0][0] <= _LINE:
            lines[-1].append(item)
        else:
            lines.append([item])
    order = [widget for line in lines for _y, _x, widget in sorted(line, key=lambda i: i[1])]
    return _put_late_ones_after(order)


def _put_late_ones_after(order: list[QWidget]) -> list[QWidget]:
    """Move each widget with :data:`TAB_AFTER` past the controls of its container that
    follow it; nested ones (a group's reset, its settings' resets) each after their own.
    One pass: a wide form's hundreds of rows each have one."""
    out: list[QWidget] = []
    waiting: list[tuple[QWidget, QWidget]] = []  # (container, the widget that goes after it)
    for widget in order:
        while waiting and not (widget is waiting[-1][0] or waiting[-1][0].isAncestorOf(widget)):
            out.append(waiting.pop()[1])
        after = getattr(widget, TAB_AFTER, None)
        if isinstance(after, QWidget):
            waiting.append((after, widget))
        else:
            out.append(widget)
    out += [late for _container, late in reversed(waiting)]
    return out


def chain_by_position(
    root: QWidget, *, after: QWidget | None = None, before: QWidget | None = None
) -> list[QWidget]:
    """Chain ``root``'s focusable widgets in reading order, between ``after`` and
    ``before`` (widgets outside it); returns the order set."""
    order = focusable_in_order(root)
    ends = [w for w in (after, *order, before) if w is not None]
    for first, second in zip(ends, ends[1:], strict=False):
        QWidget.setTabOrder(first, second)
    return order
