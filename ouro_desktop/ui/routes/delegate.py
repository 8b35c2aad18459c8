"""How one search result is drawn: bold name, owner, a two-line description, badge pills.

Every colour comes from the row's palette (or is a blend of two palette roles), so the list
reads well in light and dark themes and follows the selection colours of the platform.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen, QTextLayout
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ouro_desktop.core.contrast import NON_TEXT, TEXT
from ouro_desktop.ui.common.theme import readable, selection_colour
from ouro_desktop.ui.routes.model import RouteListModel

__all__ = ["RouteDelegate", "blend", "row_colours"]

_Index = QModelIndex | QPersistentModelIndex
_PAD_X = 10
_PAD_Y = 7
_GAP = 3  # between text lines
_PILL_PAD_X = 6
_PILL_PAD_Y = 1
_PILL_GAP = 5
_DESCRIPTION_LINES = 2


def blend(a: QColor, b: QColor, amount_of_a: float) -> QColor:
    """A colour between two palette colours (1.0 → ``a``, 0.0 → ``b``)."""
    t = max(0.0, min(1.0, amount_of_a))
    return QColor.fromRgbF(
        a.redF() * t + b.redF() * (1 - t),
        a.greenF() * t + b.greenF() * (1 - t),
        a.blueF() * t + b.blueF() * (1 - t),
        1.0,
    )


def _fonts(base: QFont) -> tuple[QFont, QFont]:
    bold = QFont(base)
    bold.setBold(True)
    small = QFont(base)
    size = base.pointSizeF()
    if size > 0:
        small.setPointSizeF(max(7.0, size * 0.85))
    else:
        small.setPixelSize(max(9, round(base.pixelSize() * 0.85)))
    return bold, small


def _wrapped(text: str, font: QFont, width: int, max_lines: int) -> list[str]:
    """``text`` broken into at most ``max_lines`` lines of ``width`` px; the last is elided."""
    if not text or width <= 0:
        return []
    layout = QTextLayout(text, font)
    lines: list[str] = []
    start = 0
    layout.beginLayout()
    while len(lines) < max_lines - 1:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        start = line.textStart() + line.textLength()
        lines.append(text[line.textStart() : start].rstrip())
    layout.endLayout()
    rest = text[start:].strip() if lines else text
    if rest:
        lines.append(QFontMetrics(font).elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return lines


_HOVER = QStyle.StateFlag.State_MouseOver


def row_colours(
    pal: QPalette, group: QPalette.ColorGroup, selected: bool, hovered: bool = False
) -> dict[str, QColor]:
    """A row's colours: the selection's (made to read, see
    :func:`~ouro_desktop.ui.common.theme.selection_colour`) or the base's, with the name
    in the text colour and the owner and description a softer shade that still reads
    at 4.5:1, and a focus ring at 3:1."""
    base = pal.color(group, QPalette.ColorRole.Base)
    if selected:
        background = selection_colour(pal, group)
        text = pal.color(group, QPalette.ColorRole.HighlightedText)
        ring = text
    else:
        background = base
        if hovered:
            background = blend(pal.color(group, QPalette.ColorRole.Highlight), base, 0.12)
        text = pal.color(group, QPalette.ColorRole.Text)
        ring = pal.color(group, QPalette.ColorRole.Highlight)
    text = readable(text, background, TEXT)
    return {
        "background": background,
        "text": text,
        "muted": readable(blend(text, background, 0.8 if selected else 0.68), background, TEXT),
        "description": readable(blend(text, background, 0.85), background, TEXT),
        "focus": readable(ring, background, NON_TEXT),
    }


class RouteDelegate(QStyledItemDelegate):
    """Paints a :class:`RouteListModel` row; all rows have the same height."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        bold, small = _fonts(option.font)
        text_h = QFontMetrics(option.font).height()
        pill_h = QFontMetrics(small).height() + 2 * _PILL_PAD_Y
        height = (
            2 * _PAD_Y
            + QFontMetrics(bold).height()
            + _GAP
            + _DESCRIPTION_LINES * text_h
            + _GAP * 2
            + pill_h
        )
        width = option.rect.width() if option.rect.width() > 0 else 240
        return QSize(width, height + 1)  # +1: the separator line

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        name = str(index.data(RouteListModel.NameRole) or "")
        owner = str(index.data(RouteListModel.OwnerRole) or "")
        description = str(index.data(RouteListModel.DescriptionRole) or "")
        badges = index.data(RouteListModel.BadgesRole) or []

        pal = option.palette
        group = (
            QPalette.ColorGroup.Normal
            if option.state & QStyle.StateFlag.State_Enabled
            else QPalette.ColorGroup.Disabled
        )
        if group == QPalette.ColorGroup.Normal and not (
            option.state & QStyle.StateFlag.State_Active
        ):
            group = QPalette.ColorGroup.Inactive
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        colours = row_colours(pal, group, selected, bool(option.state & _HOVER))
        background, text, muted = colours["background"], colours["text"], colours["muted"]
        base = pal.color(group, QPalette.ColorRole.Base)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rect = option.rect
        painter.fillRect(rect, background)
        painter.setPen(QPen(blend(pal.color(group, QPalette.ColorRole.Mid), base, 0.5), 1))
        painter.drawLine(rect.left(), rect.bottom(), rect.right(), rect.bottom())
        if option.state & QStyle.StateFlag.State_HasFocus:
            # The keyboard's place in the list: a ring that reads on the row (3:1).
            painter.setPen(QPen(colours["focus"], 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(rect).adjusted(1, 1, -1, -2))

        bold, small = _fonts(option.font)
        inner = rect.adjusted(_PAD_X, _PAD_Y, -_PAD_X, -_PAD_Y - 1)
        y = inner.top()

        # Line 1: name (bold) on the left, owner (muted) on the right; the name gets priority.
        # A long name (a title like "Generate a crystal structure — CrystaLLM") takes a
        # second line from the description rather than being cut.
        bold_fm = QFontMetrics(bold)
        fm = QFontMetrics(option.font)
        owner_w = min(fm.horizontalAdvance(owner), inner.width() // 3) if owner else 0
        name_w = inner.width() - (owner_w + 12 if owner else 0)
        name_lines = _wrapped(name, bold, name_w, 2) or [""]
        painter.setFont(bold)
        painter.setPen(text)
        for line in name_lines:
            painter.drawText(
                QRect(inner.left(), y, name_w, bold_fm.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                line,
            )
            y += bold_fm.height()
        if owner:
            painter.setFont(option.font)
            painter.setPen(muted)
            painter.drawText(
                QRect(inner.right() - owner_w + 1, inner.top(), owner_w, bold_fm.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                fm.elidedText(owner, Qt.TextElideMode.ElideRight, owner_w),
            )
        y += _GAP - (bold_fm.height() - fm.height()) * (len(name_lines) - 1)

        # Then the description, wrapped and elided, in the lines the name left.
        painter.setFont(option.font)
        painter.setPen(colours["description"])
        room = _DESCRIPTION_LINES - (len(name_lines) - 1)
        for line in _wrapped(description, option.font, inner.width(), room):
            painter.drawText(
                QRect(inner.left(), y, inner.width(), fm.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                line,
            )
            y += fm.height()
        y = inner.top() + bold_fm.height() + _GAP + _DESCRIPTION_LINES * fm.height() + 2 * _GAP

        self._paint_badges(painter, pal, group, selected, small, inner, y, list(badges))
        painter.restore()

    @staticmethod
    def _paint_badges(
        painter: QPainter,
        pal: QPalette,
        group: QPalette.ColorGroup,
        selected: bool,
        font: QFont,
        inner: QRect,
        y: int,
        badges: list[str],
    ) -> None:
        fm = QFontMetrics(font)
        height = fm.height() + 2 * _PILL_PAD_Y
        painter.setFont(font)
        x = inner.left()
        base = pal.color(group, QPalette.ColorRole.Base)
        highlight = pal.color(group, QPalette.ColorRole.Highlight)
        for badge in badges:
            width = fm.horizontalAdvance(badge) + 2 * _PILL_PAD_X
            if x + width > inner.right() + 1:
                break  # no half pills: what doesn't fit is in the route page anyway
            if badge.startswith("paid"):
                # The one badge that costs money stands out: tinted with the accent colour.
                fill = blend(highlight, base, 0.22)
                border = highlight
                fg = pal.color(group, QPalette.ColorRole.Text)
            else:
                fill = pal.color(group, QPalette.ColorRole.Button)
                border = pal.color(group, QPalette.ColorRole.Mid)
                fg = pal.color(group, QPalette.ColorRole.ButtonText)
            if selected:
                border = pal.color(group, QPalette.ColorRole.HighlightedText)
            pill = QRectF(x + 0.5, y + 0.5, width - 1, height - 1)
            painter.setPen(QPen(border, 1))
            painter.setBrush(fill)
            painter.drawRoundedRect(pill, height / 2, height / 2)
            painter.setPen(fg)
            painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), badge)
            x += width + _PILL_GAP
