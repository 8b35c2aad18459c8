"""Number and integer fields that keep every valid JSON number exactly.

A spin box's ``double`` and its fixed decimals would turn ``1e-7`` into ``0`` and
``12345.678`` into ``12345.68``; so the field is a :class:`QAbstractSpinBox` whose text *is*
the value: a float is shown as Python's shortest round-trip ``repr`` (``0.1``, ``1e-07``),
an integer as its digits (any size), and reading it back gives the same number and type --
an integer field always gives an ``int``. The arrows and Up/Down keys step by the schema's
``multipleOf`` (else 1, 0.1 or 0.01 by the range) in decimal arithmetic, within the bounds.
Text that is not a number is kept and reported at the field ("must be a number"); a comma
is accepted as the decimal point when there is no dot.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QHBoxLayout, QWidget

from ouro_desktop.api.schema import MISSING, Node, NumberNode
from ouro_desktop.ui.run.form.base import Build, Editor, wheel_only_when_focused

__all__ = ["NumberEditor", "format_number", "parse_number"]

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")


def format_number(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return repr(value) if isinstance(value, float) else str(value)


def parse_number(text: str, *, integer: bool) -> tuple[Any, str | None]:
    """(the number in ``text`` or :data:`MISSING` for blank; an error, or ``None``)."""
    clean = text.strip()
    if not clean:
        return MISSING, None
    if clean.count(",") == 1 and "." not in clean:
        clean = clean.replace(",", ".")
    if _INTEGER.fullmatch(clean):
        return int(clean), None
    if not _NUMBER.fullmatch(clean):
        return text, "must be a number"
    number = float(clean)
    if number in (float("inf"), float("-inf")):
        return text, "is too large a number"
    if integer and number.is_integer():
        return int(Decimal(clean)), None
    return number, None


class NumberBox(QAbstractSpinBox):
    """The spin box whose text is the value (see the module docstring)."""

    def __init__(self, node: NumberNode, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node = node
        self.lineEdit().setMaxLength(2**31 - 1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumWidth(QFontMetrics(self.font()).horizontalAdvance("0" * 14) + 30)
        # Qt asks for the arrows' state at every paint and size hint: the answer for the
        # text (and state) it was last worked out for.
        self._steps_for: tuple[str, bool, bool] | None = None
        self._steps = QAbstractSpinBox.StepEnabledFlag.StepNone

    def wheelEvent(self, event: QWheelEvent) -> None:
        if wheel_only_when_focused(self, event):
            super().wheelEvent(event)

    def _bounds(self) -> tuple[Decimal | None, Decimal | None]:
        node = self.node
        low = node.minimum if node.minimum is not None else node.exclusive_minimum
        high = node.maximum if node.maximum is not None else node.exclusive_maximum
        return (
            None if low is None else Decimal(repr(low)),
            None if high is None else Decimal(repr(high)),
        )

    def _current(self) -> Decimal | None:
        value, error = parse_number(self.text(), integer=self.node.integer)
        if error or isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:
        key = (self.text(), self.isReadOnly(), self.isEnabled())
        if key != self._steps_for:
            self._steps_for, self._steps = key, self._step_flags()
        return self._steps

    def _step_flags(self) -> QAbstractSpinBox.StepEnabledFlag:
        flags = QAbstractSpinBox.StepEnabledFlag.StepNone
        if self.isReadOnly() or not self.isEnabled():
            return flags
        current = self._current()
        low, high = self._bounds()
        if current is None or high is None or current < high:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if current is None or low is None or current > low:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags

    def stepBy(self, steps: int) -> None:
        node = self.node
        low, high = self._bounds()
        current = self._current()
        if current is None:
            start = node.default if isinstance(node.default, int | float) else None
            current = Decimal(repr(start)) if start is not None else (low or Decimal(0))
            steps = 0 if not self.text().strip() else steps
        try:
            target = current + Decimal(repr(node.step)) * steps
        except InvalidOperation:
            return
        if high is not None and target > high:
            target = high if node.maximum is not None else current
        if low is not None and target < low:
            target = low if node.minimum is not None else current
        text = str(int(target)) if node.integer else repr(float(target))
        self.lineEdit().setText(text)


class NumberEditor(Editor):
    """A number or integer field (see the module docstring)."""

    def __init__(self, node: Node, build: Build | None = None, parent: QWidget | None = None):
        super().__init__(node, parent)
        assert isinstance(node, NumberNode)
        self.box = NumberBox(node, self)
        self.box.setAccessibleName(self.accessible_title())
        self.box.lineEdit().setAccessibleName(self.accessible_title())
        hint = "a whole number" if node.integer else "a number"
        example = next((x for x in node.examples if isinstance(x, int | float)), None)
        if example is not None and not isinstance(example, bool):
            hint = f"e.g. {format_number(example)}"  # the schema's own example
        self.box.lineEdit().setPlaceholderText(hint)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addStretch(1)
        self.box.lineEdit().textChanged.connect(self.changed)

    def value(self, path: str, problems: dict[str, str]) -> Any:
        assert isinstance(self.node, NumberNode)
        value, error = parse_number(self.box.text(), integer=self.node.integer)
        if error:
            problems[path] = error
        return value

    def set_value(self, value: Any) -> None:
        text = format_number(value)
        if text != self.box.text():
            self.box.lineEdit().setText(text)

    def focus_target(self) -> QWidget:
        return self.box
