"""Colours for everything the app draws itself, taken from the palette and made readable.

Every custom-drawn element (drop zones, the accept / refuse highlight of a drag, radio
buttons and check boxes, focus rings, the banner, charts, the runs table's marks) asks
here for its colours. Each starts from a palette role, so it follows the theme, and is
then nudged (same hue, lighter or darker: :func:`~ouro_desktop.core.contrast.readable_against`)
until it meets WCAG AA against what it is drawn on: 4.5:1 for text, 3:1 for borders,
marks and focus rings. A theme whose own colours already read is left exactly as it is.

:func:`readable_palette` applies the same rule to the application palette's muted text
(the ``PlaceholderText`` role that help texts use), and :func:`dark_palette` is the dark
theme the screenshots and ``OURO_DESKTOP_PALETTE=dark`` use.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from ouro_desktop.core.contrast import (
    NON_TEXT,
    RGB,
    TEXT,
    contrast_ratio,
    mix,
    readable_against,
)

__all__ = [
    "accept_colour",
    "border_colour",
    "dark_palette",
    "focus_colour",
    "muted_text",
    "notice_colours",
    "readable",
    "readable_palette",
    "reject_colour",
    "rgb",
    "selection_colour",
    "tint",
]

_Role = QPalette.ColorRole
# A refusal is red in every theme; the palette decides how light or dark it is drawn.
_REFUSE_RED: RGB = (204, 51, 51)


def rgb(colour: QColor) -> RGB:
    return (colour.red(), colour.green(), colour.blue())


def _q(value: RGB) -> QColor:
    return QColor(*value)


def _over(colour: QColor, background: QColor) -> RGB:
    """``colour`` as seen over ``background`` (a translucent colour is drawn mixed)."""
    return mix(rgb(colour), rgb(background), colour.alphaF())


def readable(colour: QColor, background: QColor, minimum: float) -> QColor:
    """``colour`` (composited over ``background``) nudged until it has ``minimum`` contrast."""
    return _q(readable_against(_over(colour, background), rgb(background), minimum))


def _readable_on_all(colour: QColor, palette: QPalette, roles: tuple[_Role, ...]) -> QColor:
    """``colour`` nudged until it has 3:1 against each of ``roles`` (a mark drawn where
    they meet: the field inside, the window outside)."""
    for _ in range(3):
        for role in roles:
            colour = readable(colour, palette.color(role), NON_TEXT)
    return colour


def border_colour(palette: QPalette, background: _Role | None = None) -> QColor:
    """The outline of a drop zone, a radio button or a check box: 3:1 against the field
    inside it and the window around it (or against ``background`` alone)."""
    roles = (background,) if background is not None else (_Role.Base, _Role.Window)
    return _readable_on_all(palette.color(_Role.Mid), palette, roles)


def focus_colour(palette: QPalette) -> QColor:
    """The ring around whatever has the keyboard focus: 3:1 on the window, on a field and
    on a button, the three things it is drawn over."""
    return _readable_on_all(
        palette.color(_Role.Highlight), palette, (_Role.Window, _Role.Base, _Role.Button)
    )


def accept_colour(palette: QPalette) -> QColor:
    """The border of a drop zone a dragged file would go into (3:1 inside and out)."""
    return _readable_on_all(palette.color(_Role.Highlight), palette, (_Role.Base, _Role.Window))


def reject_colour(palette: QPalette, background: QColor | None = None) -> QColor:
    """The border (and reason text) of a drop zone that would refuse the dragged file: a red
    readable on ``background`` (``Base`` by default) -- 4.5:1, so the reason in it reads."""
    back = background if background is not None else palette.color(_Role.Base)
    return _q(readable_against(_REFUSE_RED, rgb(back), TEXT))


def tint(palette: QPalette, colour: QColor, amount: float = 0.12) -> QColor:
    """A light wash of ``colour`` over ``Base``, for the area inside a highlighted zone."""
    return _q(mix(rgb(colour), rgb(palette.color(_Role.Base)), amount))


def muted_text(palette: QPalette, background: _Role = _Role.Window) -> QColor:
    """Secondary text (help, hints, owners): the placeholder colour, made 4.5:1."""
    return readable(palette.color(_Role.PlaceholderText), palette.color(background), TEXT)


def notice_colours(palette: QPalette) -> tuple[QColor, QColor, QColor]:
    """(background, text, border) of a banner or notice: the tooltip pair, made to read."""
    back = palette.color(_Role.ToolTipBase)
    back.setAlpha(255)
    text = readable(palette.color(_Role.ToolTipText), back, TEXT)
    border = readable(palette.color(_Role.Mid), back, NON_TEXT)
    return back, text, border


def selection_colour(palette: QPalette, group: QPalette.ColorGroup | None = None) -> QColor:
    """The selected row's fill: the highlight, darkened or lightened until its text
    (``HighlightedText``) reads on it at 4.5:1."""
    group = group if group is not None else QPalette.ColorGroup.Active
    text = palette.color(group, _Role.HighlightedText)
    fill = palette.color(group, _Role.Highlight)
    return _q(readable_against(rgb(fill), rgb(text), TEXT))


def readable_palette(palette: QPalette) -> QPalette:
    """``palette`` with its muted text made readable (4.5:1) on both ``Window`` and
    ``Base``, and its selection colour dark (or light) enough for the selected text; a
    palette that already reads comes back unchanged."""
    out = QPalette(palette)
    for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
        out.setColor(group, _Role.Highlight, selection_colour(palette, group))
        placeholder = palette.color(group, _Role.PlaceholderText)
        window = palette.color(group, _Role.Window)
        base = palette.color(group, _Role.Base)
        fixed = readable(readable(placeholder, window, TEXT), base, TEXT)
        fixed = readable(fixed, window, TEXT)
        if any(
            contrast_ratio(_over(placeholder, back), rgb(back)) < TEXT for back in (window, base)
        ):
            out.setColor(group, _Role.PlaceholderText, fixed)
    return out


_DARK = {
    _Role.Window: "#2b2b2b",
    _Role.WindowText: "#e6e6e6",
    _Role.Base: "#1e1e1e",
    _Role.AlternateBase: "#2a2a2a",
    _Role.Text: "#e6e6e6",
    _Role.Button: "#353535",
    _Role.ButtonText: "#e6e6e6",
    _Role.BrightText: "#ffffff",
    _Role.Highlight: "#3d7bd9",
    _Role.HighlightedText: "#ffffff",
    _Role.PlaceholderText: "#a0a0a0",
    _Role.ToolTipBase: "#4a3f1c",
    _Role.ToolTipText: "#fff4c2",
    _Role.Link: "#7fb2ff",
    _Role.LinkVisited: "#b99cff",
    _Role.Light: "#505050",
    _Role.Midlight: "#404040",
    _Role.Mid: "#555555",
    _Role.Dark: "#1a1a1a",
    _Role.Shadow: "#000000",
}


def dark_palette() -> QPalette:
    """A dark theme for platforms that don't offer one (and for checking the app in one)."""
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    disabled = QColor("#7a7a7a")
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette
