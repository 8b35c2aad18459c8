"""How one search result is drawn: bold name, owner, a two-line description, badge pills.

Every colour comes from the row's palette (or is a blend of two palette roles), so the list
reads well in light and dark themes and follows the selection colours of the platform.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QRectF, QSize, Qt
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
_MIN_WIDTH = 120  # narrowest a row is laid out for (the list stretches it wider)


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


class _Row(NamedTuple):
    """Where a row's words and pills go, relative to its inner rectangle (see
    :meth:`RouteDelegate._layout`)."""

    name_lines: list[str]
    name_w: int
    owner: str  # elided to ``owner_w``
    owner_w: int
    description_top: int
    description_lines: list[str]
    badges_top: int
    pills: list[tuple[str, int, int]]  # badge, x, width


class _Colours(NamedTuple):
    """A row's colours in one palette, group and state (see :func:`row_colours`)."""

    row: dict[str, QColor]
    separator: QColor
    pills: dict[bool, tuple[QColor, QColor, QColor]]  # paid? -> fill, border, text


_KEPT = 512  # rows laid out and remembered (a few screens at a few widths)


class RouteDelegate(QStyledItemDelegate):
    """Paints a :class:`RouteListModel` row; all rows have the same height.

    A row's layout (its name and description wrapped, owner elided, which pills fit) is
    worked out once for its texts, width and font, and its colours once per palette and
    state: a repaint -- every scroll step, every page of results arriving -- only draws.
    Measuring and wrapping text, and the contrast checks of the colours, were most of a
    row's time, ~0.5 ms each, so scrolling a page of routes took 3-5 ms a repaint.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: dict[tuple[Any, ...], _Row] = {}
        self._colours: dict[tuple[Any, ...], _Colours] = {}
        self._fonts: dict[str, tuple[QFont, QFont, int, int, int]] = {}

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
        # The list stretches each row to its viewport's width; a hint of the width the row
        # had instead is stale once a scroll bar comes (the list kept the wider size for
        # every row: a sideways scroll bar, the owner cut at the right edge).
        return QSize(_MIN_WIDTH, height + 1)  # +1: the separator line

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        model = index.model()
        if isinstance(model, RouteListModel):  # (one call, not four data() round trips)
            name, owner, description, badges = model.row_texts(index.row())
        else:
            name = str(index.data(RouteListModel.NameRole) or "")
            owner = str(index.data(RouteListModel.OwnerRole) or "")
            description = str(index.data(RouteListModel.DescriptionRole) or "")
            badges = list(index.data(RouteListModel.BadgesRole) or [])

        state = option.state
        group = (
            QPalette.ColorGroup.Normal
            if state & QStyle.StateFlag.State_Enabled
            else QPalette.ColorGroup.Disabled
        )
        if group == QPalette.ColorGroup.Normal and not (state & QStyle.StateFlag.State_Active):
            group = QPalette.ColorGroup.Inactive
        selected = bool(state & QStyle.StateFlag.State_Selected)
        colours = self._colours_for(option.palette, group, selected, bool(state & _HOVER))
        font = option.font
        bold, small, bold_h, text_h, pill_h = self._fonts_for(font)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rect = option.rect
        painter.fillRect(rect, colours.row["background"])
        painter.setPen(QPen(colours.separator, 1))
        painter.drawLine(rect.left(), rect.bottom(), rect.right(), rect.bottom())
        if state & QStyle.StateFlag.State_HasFocus:
            # The keyboard's place in the list: a ring that reads on the row (3:1).
            painter.setPen(QPen(colours.row["focus"], 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(rect).adjusted(1, 1, -1, -2))

        inner = rect.adjusted(_PAD_X, _PAD_Y, -_PAD_X, -_PAD_Y - 1)
        row = self._layout(font, inner.width(), name, owner, description, tuple(badges))
        left, top = inner.left(), inner.top()
        align_left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        # Line 1: name (bold) on the left, owner (muted) on the right; the name gets priority.
        # A long name (a title like "Generate a crystal structure — CrystaLLM") takes a
        # second line from the description rather than being cut.
        painter.setFont(bold)
        painter.setPen(colours.row["text"])
        y = top
        for line in row.name_lines:
            painter.drawText(QRect(left, y, row.name_w, bold_h), align_left, line)
            y += bold_h
        if owner:
            painter.setFont(font)
            painter.setPen(colours.row["muted"])
            painter.drawText(
                QRect(inner.right() - row.owner_w + 1, top, row.owner_w, bold_h),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                row.owner,
            )

        # Then the description, wrapped and elided, in the lines the name left.
        painter.setFont(font)
        painter.setPen(colours.row["description"])
        y = top + row.description_top
        for line in row.description_lines:
            painter.drawText(QRect(left, y, inner.width(), text_h), align_left, line)
            y += text_h

        # Badge pills: what doesn't fit is in the route page anyway (no half pills).
        if row.pills:
            painter.setFont(small)
            y = top + row.badges_top
            for badge, x, width in row.pills:
                fill, border, fg = colours.pills[badge.startswith("paid")]
                pill = QRectF(left + x + 0.5, y + 0.5, width - 1, pill_h - 1)
                painter.setPen(QPen(border, 1))
                painter.setBrush(fill)
                painter.drawRoundedRect(pill, pill_h / 2, pill_h / 2)
                painter.setPen(fg)
                painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), badge)
        painter.restore()

    # -- remembered per font, palette and row ------------------------------------------------
    def _fonts_for(self, font: QFont) -> tuple[QFont, QFont, int, int, int]:
        """The bold and small fonts, and the heights of a name line, a description line
        and a pill."""
        key = font.key()
        found = self._fonts.get(key)
        if found is None:
            bold, small = _fonts(font)
            found = (
                bold,
                small,
                QFontMetrics(bold).height(),
                QFontMetrics(font).height(),
                QFontMetrics(small).height() + 2 * _PILL_PAD_Y,
            )
            self._fonts[key] = found
        return found

    def _colours_for(
        self, pal: QPalette, group: QPalette.ColorGroup, selected: bool, hovered: bool
    ) -> _Colours:
        key = (pal.cacheKey(), group, selected, hovered)
        found = self._colours.get(key)
        if found is None:
            if len(self._colours) >= 64:  # (palettes come and go with themes)
                self._colours.clear()
            found = _row_and_pill_colours(pal, group, selected, hovered)
            self._colours[key] = found
        return found

    def _layout(
        self,
        font: QFont,
        width: int,
        name: str,
        owner: str,
        description: str,
        badges: tuple[str, ...],
    ) -> _Row:
        """Where the row's words and pills go in an inner rectangle ``width`` wide."""
        key = (font.key(), width, name, owner, description, badges)
        found = self._rows.get(key)
        if found is not None:
            return found
        bold, small, bold_h, text_h, _pill_h = self._fonts_for(font)
        fm = QFontMetrics(font)
        owner_w = min(fm.horizontalAdvance(owner), width // 3) if owner else 0
        name_w = width - (owner_w + 12 if owner else 0)
        name_lines = _wrapped(name, bold, name_w, 2) or [""]
        owner_text = fm.elidedText(owner, Qt.TextElideMode.ElideRight, owner_w) if owner else ""
        description_top = bold_h * len(name_lines)
        description_top += _GAP - (bold_h - text_h) * (len(name_lines) - 1)
        room = _DESCRIPTION_LINES - (len(name_lines) - 1)
        description_lines = _wrapped(description, font, width, room)
        badges_top = bold_h + _GAP + _DESCRIPTION_LINES * text_h + 2 * _GAP
        small_fm = QFontMetrics(small)
        pills: list[tuple[str, int, int]] = []
        x = 0
        for badge in badges:
            pill_w = small_fm.horizontalAdvance(badge) + 2 * _PILL_PAD_X
            if x + pill_w > width:
                break  # no half pills: what doesn't fit is in the route page anyway
            pills.append((badge, x, pill_w))
            x += pill_w + _PILL_GAP
        found = _Row(
            name_lines,
            name_w,
            owner_text,
            owner_w,
            description_top,
            description_lines,
            badges_top,
            pills,
        )
        if len(self._rows) >= _KEPT:
            self._rows.clear()
        self._rows[key] = found
        return found


def _row_and_pill_colours(
    pal: QPalette, group: QPalette.ColorGroup, selected: bool, hovered: bool
) -> _Colours:
    row = row_colours(pal, group, selected, hovered)
    base = pal.color(group, QPalette.ColorRole.Base)
    highlight = pal.color(group, QPalette.ColorRole.Highlight)
    pills: dict[bool, tuple[QColor, QColor, QColor]] = {}
    for paid in (True, False):
        if paid:
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
        pills[paid] = (fill, border, fg)
    separator = blend(pal.color(group, QPalette.ColorRole.Mid), base, 0.5)
    return _Colours(row, separator, pills)
