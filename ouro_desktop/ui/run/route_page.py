"""The route page (centre pane): what a route does, what it needs and gives, how to call it.

A synchronous widget: the controller loads the route and calls :meth:`RoutePage.show_route`,
:meth:`~RoutePage.show_loading`, :meth:`~RoutePage.show_error` or :meth:`~RoutePage.clear`.
The request form goes into :attr:`RoutePage.form_area` (left empty here). The wording of
the sections lives in :mod:`ouro_desktop.ui.run.route_text`; colours come from the palette.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from html import escape

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QPalette, QPixmap, QRegion
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.models import Route
from ouro_desktop.core.route_facts import price_text, visibility_text
from ouro_desktop.core.snippets import DEFAULT_BASE_URL, route_snippets
from ouro_desktop.ui.common.collapsible import CollapsibleSection
from ouro_desktop.ui.common.labels import WrappedLabel
from ouro_desktop.ui.run import route_text
from ouro_desktop.ui.run.api_panel import ApiPanel
from ouro_desktop.ui.run.rich_text import description_html, safe_href

__all__ = ["RoutePage"]

# px: the most the page asks of the panes beside it. Its content is never cut below its
# own minimum (a form's buttons, a drop zone's row) up to this -- the widest demo form
# needs ~470 -- and with the route list's and the runs' minimums the window still fits
# a 1280 px wide screen.
MAX_HELD_WIDTH = 480

_LINKS = (
    Qt.TextInteractionFlag.TextSelectableByMouse
    | Qt.TextInteractionFlag.LinksAccessibleByMouse
    | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
)


def _badge(parent: QWidget, name: str, *, filled: bool) -> QLabel:
    """A small tag drawn with palette roles only (so it follows any theme change)."""
    badge = QLabel(parent)
    badge.setTextFormat(Qt.TextFormat.PlainText)
    badge.setAccessibleName(name)
    badge.setMargin(3)
    badge.setIndent(6)
    if filled:
        badge.setAutoFillBackground(True)
        badge.setBackgroundRole(QPalette.ColorRole.Highlight)
        badge.setForegroundRole(QPalette.ColorRole.HighlightedText)
        font = badge.font()
        font.setBold(True)
        badge.setFont(font)
    else:
        badge.setFrameShape(QFrame.Shape.Box)
        badge.setFrameShadow(QFrame.Shadow.Plain)
    return badge


def _rich_label(parent: QWidget, name: str, *, links: bool = False) -> QLabel:
    label = WrappedLabel(parent=parent)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    label.setTextInteractionFlags(_LINKS if links else Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setOpenExternalLinks(True)
    label.setAccessibleName(name)
    return label


def _heading(parent: QWidget, text: str) -> QLabel:
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def _rule(parent: QWidget) -> QFrame:
    line = QFrame(parent)
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


class RoutePage(QWidget):
    """Centre pane: empty, loading, error (with Retry) or one route."""

    favourite_toggled = Signal(str, str)  # route id, full name
    retry_requested = Signal()
    offer_accepted = Signal(str)  # a route ref offered instead of one that failed to open
    search_offered = Signal(str)  # words to search routes by, for a name that opened nothing

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Route page")
        self.route: Route | None = None
        self.title = ""
        self.base_url = DEFAULT_BASE_URL
        self._held: dict[QLabel, bool] = {}  # held back by lists_later: to show or not
        self._offer = ""
        self.stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._build_empty_page()
        self._build_loading_page()
        self._build_error_page()
        self._build_content_page()
        self._held_width = 0
        self._held_for = ""  # the route whose width is held
        self.scroll_area.widget().installEventFilter(self)
        self.stack.currentChanged.connect(self._on_stack_current_changed)
        self.clear()

    # -- building ---------------------------------------------------------------------------
    def _centred_page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget(self.stack)
        column = QVBoxLayout(page)
        column.setContentsMargins(24, 24, 24, 24)
        column.addStretch(1)
        self.stack.addWidget(page)
        return page, column

    def _build_empty_page(self) -> None:
        self.empty_page, column = self._centred_page()
        self.empty_label = QLabel("Choose a route to see what it does and how to run it.")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        column.addWidget(self.empty_label)
        column.addStretch(2)

    def _build_loading_page(self) -> None:
        self.loading_page, column = self._centred_page()
        self.loading_label = QLabel()
        self.loading_label.setTextFormat(Qt.TextFormat.PlainText)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.setWordWrap(True)
        self.loading_bar = QProgressBar()
        self.loading_bar.setRange(0, 0)
        self.loading_bar.setTextVisible(False)
        self.loading_bar.setMaximumWidth(240)
        self.loading_bar.setAccessibleName("Loading")
        column.addWidget(self.loading_label)
        column.addWidget(self.loading_bar, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(2)

    def _build_error_page(self) -> None:
        self.error_page, column = self._centred_page()
        self.error_title = _heading(self.error_page, "This route could not be shown")
        self.error_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error_label = QLabel()
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setAccessibleName("Error message")
        self.error_label.setObjectName("route_page_error")
        self.retry_button = QPushButton("Retry")
        self.retry_button.setAccessibleName("Retry loading the route")
        self.retry_button.setObjectName("route_page_retry")
        self.retry_button.clicked.connect(self.retry_requested)
        # "Open demo/… instead": a way out of the error, when there is one.
        self.offer_button = QPushButton()
        self.offer_button.setObjectName("route_page_offer")
        self.offer_button.clicked.connect(self._on_offer_button_clicked)
        self.offer_button.hide()
        # "Search for “…”": for a name that is no route, the routes it may have meant.
        self.search_button = QPushButton()
        self.search_button.setObjectName("route_page_search")
        self.search_button.clicked.connect(self._on_search_button_clicked)
        self.search_button.hide()
        self._search_words = ""
        column.addWidget(self.error_title)
        column.addWidget(self.error_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.offer_button)
        buttons.addWidget(self.search_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        column.addStretch(2)

    def _build_content_page(self) -> None:
        self.scroll_area = QScrollArea(self.stack)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setAccessibleName("Route details")
        self.stack.addWidget(self.scroll_area)
        body = QWidget()
        self.scroll_area.setWidget(body)
        column = QVBoxLayout(body)
        column.setContentsMargins(20, 16, 20, 20)
        column.setSpacing(10)

        self.title_label = QLabel(body)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)  # a name is never markup
        self.title_label.setWordWrap(True)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title_label.setAccessibleName("Route name")
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.6)
        self.title_label.setFont(font)
        self.favourite_button = QToolButton(body)
        self.favourite_button.setCheckable(True)
        self.favourite_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.favourite_button.clicked.connect(self._on_favourite_button_clicked)
        top = QHBoxLayout()
        top.addWidget(self.title_label, 1)
        top.addWidget(self.favourite_button, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(top)

        self.byline_label = _rich_label(body, "Owner and visibility", links=True)
        self.byline_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        column.addWidget(self.byline_label)
        self.paid_badge = _badge(body, "Paid route", filled=True)
        self.async_badge = _badge(body, "Async route", filled=False)
        self.async_badge.setText("Runs in the background")
        self.async_badge.setToolTip(
            "Async: the run goes on after the request; its result comes later."
        )
        badges = QHBoxLayout()
        badges.setSpacing(6)
        badges.addWidget(self.paid_badge)
        badges.addWidget(self.async_badge)
        badges.addStretch(1)
        column.addLayout(badges)

        self.description_label = _rich_label(body, "Description", links=True)
        column.addWidget(self.description_label)
        self.facts_label = _rich_label(body, "Route facts")
        column.addWidget(self.facts_label)

        column.addWidget(_rule(body))
        column.addWidget(_heading(body, "What it needs"))
        self.inputs_label = _rich_label(body, "Inputs")
        column.addWidget(self.inputs_label)
        column.addSpacing(6)
        column.addWidget(_heading(body, "What it gives back"))
        self.outputs_label = _rich_label(body, "Outputs")
        column.addWidget(self.outputs_label)

        self.details_label = _rich_label(body, "Details")
        self.details_section = CollapsibleSection("Details for developers", self.details_label)
        column.addWidget(self.details_section)

        column.addWidget(_rule(body))
        self.form_area = QWidget(body)
        self.form_area.setAccessibleName("Run form")
        self.form_area.setObjectName("route_page_form_area")
        self.form_layout = QVBoxLayout(self.form_area)
        self.form_layout.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.form_area)

        self.api_panel = ApiPanel()
        self.api_section = CollapsibleSection("Use via API (Python, curl)", self.api_panel)
        column.addWidget(self.api_section)
        column.addStretch(1)

    # -- public API --------------------------------------------------------------------------
    def clear(self) -> None:
        """Show the "choose a route" hint (the form area is left to its owner)."""
        self.route = None
        self.stack.setCurrentWidget(self.empty_page)

    def show_loading(self, text: str = "Loading the route…") -> None:
        self.loading_label.setText(text)
        self.stack.setCurrentWidget(self.loading_page)

    def show_error(
        self,
        message: str,
        offer: tuple[str, str] | None = None,
        *,
        search: str = "",
        retry: bool = True,
    ) -> None:
        """An error; ``offer`` = (button text, route ref) adds a way out, ``search`` a
        search for those words, ``retry`` Retry (not for a route that is not there: it
        would fail the same way)."""
        self.error_label.setText(message)
        self._offer = offer[1] if offer else ""
        self.offer_button.setText(offer[0] if offer else "")
        self.offer_button.setAccessibleName(offer[0] if offer else "")
        self.offer_button.setVisible(offer is not None)
        self._search_words = search
        self.search_button.setText(f"Search for “{search}”" if search else "")
        self.search_button.setAccessibleName(self.search_button.text())
        self.search_button.setVisible(bool(search))
        self.retry_button.setVisible(retry)
        self.stack.setCurrentWidget(self.error_page)
        shown = [b for b in (self.offer_button, self.search_button) if not b.isHidden()]
        focus = shown[0] if shown else self.retry_button
        focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_search_button_clicked(self) -> None:
        if self._search_words:
            self.search_offered.emit(self._search_words)

    def _on_offer_button_clicked(self) -> None:
        if self._offer:
            self.offer_accepted.emit(self._offer)

    def show_route(
        self,
        route: Route,
        *,
        base_url: str,
        is_favourite: bool = False,
        title: str = "",
        lists_later: bool = False,
    ) -> None:
        """Show ``route``, called ``title`` (its readable name; its own name by default).

        ``lists_later``: the page comes in steps (:meth:`later_steps`), a turn of the event
        loop each, then :meth:`show_lists` (a wide route's page takes a while to lay out:
        its words are written out of sight, the page drawn, then each paragraph laid out
        out of sight and shown); its width and scroll bar stay until :meth:`release_page`
        (the page will be long: it is not laid out again at a second width when the
        scroll bar comes)."""
        new_route = self.route is None or self.route.id != route.id
        self.route = route
        self.title = title or route.name or route.slug or route.id
        self.base_url = base_url
        self._render()
        # The paragraphs, and whether each is shown (_render hides an empty description).
        shown = {self.description_label: not self.description_label.isHidden()}
        shown.update(dict.fromkeys((self.facts_label, self.inputs_label, self.outputs_label), True))
        self._held = shown if lists_later else {}
        for label, wanted in shown.items():
            label.setVisible(wanted and not lists_later)
        if lists_later:
            self.scroll_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        else:
            self.release_page()
        self.set_favourite(is_favourite)
        self.api_panel.set_snippets(route_snippets(route, base_url))
        if new_route:
            self.details_section.set_expanded(False)
            self.scroll_area.verticalScrollBar().setValue(0)
        if not lists_later:
            self.show_page()

    def later_steps(self) -> list[Callable[[], None]]:
        """What :meth:`show_route` held back (``lists_later``), in steps to take a turn of
        the event loop apart: the page drawn (its title, its headings), then for each
        paragraph its sizes, then its lay-out at the page's width, out of sight, then the
        paragraph shown; last, the form area (hidden by its owner meanwhile) laid out out
        of sight. Rich text is laid out afresh for each of those (Qt's size of a wrapped
        label tries several widths): a wide route's list of what it needs took 6 ms for
        its sizes, 4 for its lay-out and 8 more shown at once.

        The page is as wide as it will be with its form from the first step (its form
        area's width counts while hidden), so nothing is laid out twice at two widths."""
        steps: list[Callable[[], None]] = [self._hold_width, self.show_page]
        for label, shown in self._held.items():
            if shown:
                steps += [partial(self._size, label), partial(self._lay_out, label)]
                steps.append(partial(self._show_held, label))
        return [*steps, self._size_form_area, partial(self._lay_out, self.form_area)]

    def show_page(self) -> None:
        """Show the route's page (written by :meth:`show_route`)."""
        self.stack.setCurrentWidget(self.scroll_area)

    def update_facts(self, route: Route) -> None:
        """A fresher copy of the route shown (its runs' timings changed): only its facts
        and price are written again; the whole page (text, snippets) took 50-250 ms."""
        if self.route is None or self.route.id != route.id:
            return
        self.route = route
        self.facts_label.setText(route_text.facts_html(route, self._muted()))
        self.paid_badge.setText(f"Paid route · {price_text(route)}")
        self.paid_badge.setVisible(route.is_paid)

    @staticmethod
    def _size(label: QLabel) -> None:
        """Styled and sized while hidden (Qt keeps a label's sizes until its text changes)."""
        label.ensurePolished()
        label.sizeHint()
        label.minimumSizeHint()

    def _hold_width(self) -> None:
        """The page's content as wide as it will be once its form area is shown."""
        # A hidden widget's layouts keep the sizes they had when last shown (a form's
        # header row without its buttons): worked out again, the innermost first.
        for widget in [*reversed(self.form_area.findChildren(QWidget)), self.form_area]:
            layout = widget.layout()
            if layout is not None and not widget.isHidden():
                layout.activate()
        body = self.scroll_area.widget()
        margins = body.layout().contentsMargins()
        form = self.form_area.minimumSizeHint().width() + margins.left() + margins.right()
        body.setMinimumWidth(max(body.minimumSizeHint().width(), form))

    def _size_form_area(self) -> None:
        """The hidden form area's new widgets styled and its sizes worked out."""
        self.form_area.ensurePolished()
        for widget in self.form_area.findChildren(QWidget):
            widget.ensurePolished()  # (new widgets under a polished one are not)
        self.form_area.sizeHint()
        self.form_area.minimumSizeHint()

    @staticmethod
    def _lay_out(widget: QWidget) -> None:
        """Lay ``widget`` out where it will be shown, while it is hidden: Qt draws a hidden
        widget (here into a pixel of no window) by laying the window out as if it were
        shown, so its size and its text's lay-out are then what showing it needs; the
        page's lay-out leaves them as they are."""
        widget.render(QPixmap(1, 1), QPoint(), QRegion(QRect(0, 0, 1, 1)))

    def _show_held(self, label: QLabel) -> None:
        if self._held.pop(label, False):
            label.show()

    def show_lists(self) -> None:
        """Show at once what :meth:`later_steps` has not shown yet."""
        held, self._held = self._held, {}
        for label, shown in held.items():
            label.setVisible(shown)

    def release_page(self) -> None:
        """The page's width and scroll bar held by ``lists_later`` follow what it shows
        again (call once it is whole: its form area shown and grown)."""
        self.scroll_area.widget().setMinimumWidth(0)
        self.scroll_area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

    def set_favourite(self, is_favourite: bool) -> None:
        """Reflect the favourite state (no signal: the caller already knows)."""
        self.favourite_button.setChecked(is_favourite)
        self._sync_favourite_text()

    @property
    def is_showing_route(self) -> bool:
        return self.stack.currentWidget() is self.scroll_area

    # -- rendering ---------------------------------------------------------------------------
    def _muted(self) -> str:
        """The palette's placeholder colour made opaque over the window colour (rich text
        drops the alpha that makes it muted in most palettes)."""
        palette = self.palette()
        fore = palette.color(QPalette.ColorRole.PlaceholderText)
        back = palette.color(QPalette.ColorRole.Window)
        a = fore.alphaF()
        mixed = [
            round(f * a + b * (1 - a))
            for f, b in (
                (fore.red(), back.red()),
                (fore.green(), back.green()),
                (fore.blue(), back.blue()),
            )
        ]
        return "#{:02x}{:02x}{:02x}".format(*mixed)

    def _render(self) -> None:
        route = self.route
        if route is None:
            return
        muted = self._muted()
        self.title_label.setText(self.title)
        byline = f"by <b>{escape(route.owner or 'unknown')}</b> · {escape(visibility_text(route))}"
        if route.name and route.name != self.title:
            # A readable title stands in for a name like "POST /generate": say the real one.
            byline += f" · named <code>{escape(route.name)}</code>"
        byline += f" · <code>{escape(route.full_name)}</code>"
        web = safe_href(route.raw.get("url"))
        if web and self.base_url.rstrip("/") in ("", DEFAULT_BASE_URL):
            byline += f' · <a href="{escape(web, quote=True)}">Open on ouro.foundation</a>'
        self.byline_label.setText(byline)
        self.paid_badge.setText(f"Paid route · {price_text(route)}")
        self.paid_badge.setVisible(route.is_paid)
        self.async_badge.setVisible(route.is_async)
        summary = route.summary.strip()
        if summary and summary.rstrip(".").lower() not in route.description.lower():
            summary = f"<p><i>{escape(summary)}</i></p>"
        else:
            summary = ""  # the description already says it
        described = description_html(route.raw.get("description"), route.description)
        self.description_label.setText(summary + described)
        self.description_label.setVisible(bool(summary or described))
        self.facts_label.setText(route_text.facts_html(route, muted))
        self.inputs_label.setText(route_text.inputs_html(route, muted))
        self.outputs_label.setText(route_text.outputs_html(route, muted))
        self.details_label.setText(route_text.details_html(route, muted))

    def _sync_favourite_text(self) -> None:
        on = self.favourite_button.isChecked()
        self.favourite_button.setText("★ Favourite" if on else "☆ Add to favourites")
        self.favourite_button.setAccessibleName(
            "Remove from favourites" if on else "Add to favourites"
        )

    def _on_favourite_button_clicked(self) -> None:
        self._sync_favourite_text()
        if self.route is not None:
            self.favourite_toggled.emit(self.route.id, self.route.full_name)

    # -- width ------------------------------------------------------------------------------
    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """As narrow as the shown route's content allows: a splitter (or a remembered
        layout from a wider screen) made the pane narrower than its form, and with no
        sideways scrolling the page's right side -- buttons, text -- was cut off."""
        hint = super().minimumSizeHint()
        if self._held_width:
            return QSize(max(hint.width(), self._held_width), hint.height())
        return hint

    def _content_width(self) -> int:
        if not self.is_showing_route:
            return 0
        body = self.scroll_area.widget()
        need = max(body.minimumWidth(), body.minimumSizeHint().width())
        bar = self.scroll_area.verticalScrollBar().sizeHint().width()
        return min(need + bar + 2 * self.scroll_area.frameWidth(), MAX_HELD_WIDTH)

    def _hold_content_width(self) -> None:
        width = self._content_width()
        route_id = self.route.id if self.route is not None and width else ""
        if route_id and route_id == self._held_for:
            # The same route: never narrower again (removing a file narrowed the form
            # a few pixels, and the panes beside it jumped).
            width = max(width, self._held_width)
        self._held_for = route_id
        if width != self._held_width:
            self._held_width = width
            self.updateGeometry()  # the splitter makes room

    def _on_stack_current_changed(self, _index: int) -> None:
        self._hold_content_width()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.LayoutRequest and watched is self.scroll_area.widget():
            handled = super().eventFilter(watched, event)
            self._hold_content_width()
            return handled
        return super().eventFilter(watched, event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.route is not None:
            self._render()  # the muted colour is baked into the HTML
