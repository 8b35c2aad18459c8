"""No Python wrapper of a C++ object that lives on the window thread's stack outlives the
call that handed it over.

Qt passes its style options and painters to the app's Python overrides
(``ReadableStyle.drawPrimitive``, a delegate's ``paint`` and ``initStyleOption``) by
pointer to objects on its stack, and ``option.rect`` is a wrapper *into* the option.
Shiboken keeps each wrapper registered under its object's address for as long as the
wrapper lives; kept past the call (in an attribute, a closure, a frame a sampler or a
traceback holds), it is handed out for whatever Qt builds at that address next: a spin
box's option once reached ``ReadableStyle.drawComplexControl`` as a QRect ("Error calling
Python override ... called with (ComplexControl, QRect, QPainter, NumberBox)") and the
spin box missed a repaint; other runs crashed. Each test paints the app's views and
controls through the app's style and then looks for wrappers of C++-owned, non-QObject
memory (options, their fields, painters) made meanwhile and still alive: there must be
none.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QMetaObject, QObject, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QStyle,
    QStyleOption,
    QWidget,
)

from ouro_desktop.ui.common.readable_style import ReadableStyle
from ouro_desktop.ui.shell import error_dialog

from .test_item_views import VIEWS, _grab, _shown


def _cpp_memory_wrappers() -> list[Any]:
    """Live wrappers of memory Python does not own that is not a QObject's: fields of an
    option (``option.rect``), an option or painter Qt handed over by pointer."""
    return [
        w
        for w in shiboken6.getAllValidWrappers()
        if not isinstance(w, QObject | QMetaObject | type) and not shiboken6.ownedByPython(w)
    ]


def _left_after(paint: Callable[[], None]) -> list[str]:
    """What ``paint`` left behind of the wrappers above (by type), made while it ran."""
    before = _cpp_memory_wrappers()  # (held, so that no id is reused meanwhile)
    known = {id(w) for w in before}
    paint()
    QApplication.processEvents()
    return sorted(type(w).__name__ for w in _cpp_memory_wrappers() if id(w) not in known)


@pytest.mark.parametrize("name", list(VIEWS))
def test_painting_a_view_through_the_apps_style_keeps_no_wrapper_of_qts_stack(
    qtbot: Any, readable: str, name: str
) -> None:
    """The big views (their current row through ReadableStyle, their own delegates: the
    routes list's, the runs table's ``initStyleOption``), painted and moved through by
    the keyboard."""
    _widget, view = _shown(qtbot, name)

    def paint() -> None:
        _grab(view)
        qtbot.keyClick(view, Qt.Key.Key_Down)
        _grab(view)

    assert _left_after(paint) == []


def _controls(qtbot: Any) -> QWidget:
    from ouro_desktop.api.schema import NumberNode
    from ouro_desktop.ui.run.form.number import NumberBox

    form = QWidget()
    layout = QFormLayout(form)
    number = NumberBox(NumberNode(key="temperature_K", title="Temperature", minimum=0))
    layout.addRow("Temperature", number)
    layout.addRow("Relax", QCheckBox("relax the cell first"))
    layout.addRow("Method", QRadioButton("PBE"))
    choice = QComboBox()
    choice.addItems(["fast", "accurate"])
    layout.addRow("Quality", choice)
    layout.addRow("Label", QLineEdit("NaCl"))
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    form.activateWindow()
    number.setFocus(Qt.FocusReason.TabFocusReason)  # (its ring, drawn by ReadableStyle)
    qtbot.waitUntil(number.hasFocus)
    return form


def test_painting_the_forms_controls_keeps_no_wrapper_of_qts_stack(
    qtbot: Any, readable: str
) -> None:
    """A number box (the spin box of the report), check box, radio button, combo box and
    line edit, with the keyboard's focus moving through them."""
    form = _controls(qtbot)

    def paint() -> None:
        for _ in range(5):
            form.repaint()
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        form.repaint()

    assert _left_after(paint) == []


class _FailsOnce(ReadableStyle):
    """ReadableStyle whose first check box indicator fails, after reading its rect."""

    failed = False

    def drawPrimitive(  # noqa: N802 - Qt API
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == QStyle.PrimitiveElement.PE_IndicatorCheckBox and not self.failed:
            _FailsOnce.failed = True
            assert option.rect.isValid()
            raise RuntimeError("an indicator that could not be drawn")
        super().drawPrimitive(element, option, painter, widget)


@pytest.fixture
def failing_style(qapp: Any, readable: str) -> Iterator[None]:
    base = qapp.style().baseStyle().name()
    _FailsOnce.failed = False
    qapp.setStyle(_FailsOnce(base))
    yield
    qapp.setStyle(ReadableStyle(base))


def test_an_error_while_painting_leaves_no_wrapper_of_qts_stack_behind(
    qtbot: Any, failing_style: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error in a paint reaches the app's error hook (the dialog); Python then keeps it
    as ``sys.last_traceback`` with the frames it went through, and with them the option,
    its rect and the painter of that call: the hook lets go of them once shown."""
    shown: list[str] = []

    def show(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        shown.append(str(exc))

    monkeypatch.setattr(error_dialog, "show_unexpected_error", show)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # (put back after the test)
    error_dialog.install_excepthook()
    box = QCheckBox("relax the cell first")
    qtbot.addWidget(box)

    def paint() -> None:
        box.show()
        qtbot.waitExposed(box)
        qtbot.waitUntil(lambda: bool(shown))  # (painted from the event loop, as in the app)

    assert _left_after(paint) == []
    assert shown == ["an indicator that could not be drawn"]
    assert getattr(sys, "last_traceback", None) is None
