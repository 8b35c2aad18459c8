"""The search results list: a paged Qt list model over :class:`~ouro_desktop.api.models.Route`.

The model never talks to the network. When the view scrolls to the end and the last page
said ``has_more``, ``fetchMore`` marks the model as loading and emits ``more_requested``;
the controller fetches the next page and answers with :meth:`RouteListModel.append_results`
(or :meth:`set_results` for a new search).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from ouro_desktop.api.models import Route

__all__ = ["RouteListModel", "format_price", "route_badges"]

_Index = QModelIndex | QPersistentModelIndex
_TOOLTIP_CHARS = 600
_CURRENCY_SYMBOLS = {"usd": "$"}


def format_price(route: Route) -> str:
    """``$0.05/call``, ``50 sats/call``: the fixed price as ouro-mcp words it, compacted."""
    price = route.price or 0.0
    currency = (route.price_currency or "usd").lower()
    unit = route.cost_unit or "call"  # ouro-protocol.md §4: "call" is the display default
    if currency == "btc":
        amount = f"{price:,.0f} sats"
    else:
        number = f"{price:,.2f}" if round(price, 2) == price else f"{price:,.6g}"
        symbol = _CURRENCY_SYMBOLS.get(currency)
        amount = f"{symbol}{number}" if symbol else f"{number} {currency.upper()}"
    return f"{amount}/{unit}"


def route_badges(route: Route) -> list[str]:
    """Short facts worth seeing before opening a route: async, paid, accepted input types."""
    badges: list[str] = []
    if route.is_async:
        badges.append("async")
    if route.is_paid:
        badges.append(f"paid {format_price(route)}")
    seen: set[str] = set()
    for decl in route.input_assets.values():
        kinds = [f".{ext}" for ext in decl.file_extensions]
        if not kinds and decl.asset_type != "file":
            kinds = [decl.asset_type]  # e.g. a dataset input with no file type
        for kind in kinds:
            if kind not in seen:
                seen.add(kind)
                badges.append(kind)
    return badges


def _one_line(text: str) -> str:
    return " ".join(text.split())


class RouteListModel(QAbstractListModel):
    """Routes found by a search, appended page by page."""

    RouteRole = Qt.ItemDataRole.UserRole + 1  # the Route object
    NameRole = Qt.ItemDataRole.UserRole + 2
    OwnerRole = Qt.ItemDataRole.UserRole + 3
    DescriptionRole = Qt.ItemDataRole.UserRole + 4  # plain text, one line
    BadgesRole = Qt.ItemDataRole.UserRole + 5  # list[str]
    RouteIdRole = Qt.ItemDataRole.UserRole + 6
    FullNameRole = Qt.ItemDataRole.UserRole + 7  # "owner/slug"

    more_requested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._routes: list[Route] = []
        self._badges: list[list[str]] = []
        self._has_more = False
        self._loading = False
        # What a row is called: a readable title ("Generate a crystal structure — CrystaLLM")
        # for a route named after its endpoint; its own name by default.
        self.titler: Callable[[Route], str] | None = None

    def title(self, route: Route) -> str:
        return (self.titler(route) if self.titler else "") or route.name or route.slug

    def refresh_titles(self) -> None:
        """The titles changed (a service's name became known): repaint every row."""
        if self._routes:
            self.dataChanged.emit(self.index(0), self.index(len(self._routes) - 1))

    # -- feeding ---------------------------------------------------------------------------
    def set_results(self, routes: list[Route], has_more: bool) -> None:
        """Replace everything with the first page of a new search."""
        self.beginResetModel()
        self._routes = list(routes)
        self._badges = [route_badges(r) for r in self._routes]
        self._has_more = has_more
        self._loading = False
        self.endResetModel()

    def append_results(self, routes: list[Route], has_more: bool) -> None:
        """Add the next page. Routes already listed are skipped (results can shift between
        pages); a page that adds nothing ends paging, so the view can't ask forever."""
        known = {r.id for r in self._routes}
        fresh = []
        for route in routes:
            if route.id not in known:
                known.add(route.id)
                fresh.append(route)
        self._loading = False
        self._has_more = has_more and bool(fresh)
        if not fresh:
            return
        first = len(self._routes)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._routes.extend(fresh)
        self._badges.extend(route_badges(r) for r in fresh)
        self.endInsertRows()

    def set_loading(self, loading: bool) -> None:
        self._loading = loading

    def clear(self) -> None:
        self.set_results([], False)

    # -- reading ---------------------------------------------------------------------------
    @property
    def has_more(self) -> bool:
        return self._has_more

    @property
    def loading(self) -> bool:
        return self._loading

    def routes(self) -> list[Route]:
        return list(self._routes)

    def route_at(self, row: int) -> Route | None:
        return self._routes[row] if 0 <= row < len(self._routes) else None

    def row_texts(self, row: int) -> tuple[str, str, str, list[str]]:
        """What a row shows: its title, owner, one-line description and badges (what
        ``data()`` answers for the Name, Owner, Description and Badges roles)."""
        route = self._routes[row]
        description = _one_line(route.description or route.summary)
        return self.title(route) or "", route.owner or "", description, self._badges[row]

    def row_of(self, route_id: str) -> int:
        """The row showing ``route_id``, or -1."""
        for row, route in enumerate(self._routes):
            if route.id == route_id:
                return row
        return -1

    # -- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._routes)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        route = self.route_at(index.row()) if index.isValid() else None
        if route is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, self.NameRole):
            return self.title(route)
        if role == self.RouteRole:
            return route
        if role == self.OwnerRole:
            return route.owner
        if role == self.DescriptionRole:
            return _one_line(route.description or route.summary)
        if role == self.BadgesRole:
            return list(self._badges[index.row()])
        if role == self.RouteIdRole:
            return route.id
        if role == self.FullNameRole:
            return route.full_name
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(route)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self.title(route)} by {route.owner}"
        return None

    def roleNames(self) -> dict[int, bytes]:
        names = dict(super().roleNames())
        names.update(
            {
                self.RouteRole: b"route",
                self.NameRole: b"name",
                self.OwnerRole: b"owner",
                self.DescriptionRole: b"description",
                self.BadgesRole: b"badges",
                self.RouteIdRole: b"routeId",
                self.FullNameRole: b"fullName",
            }
        )
        return names

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._has_more and not self._loading

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._loading = True
        self.more_requested.emit()

    @staticmethod
    def _tooltip(route: Route) -> str:
        # Rich text so long descriptions wrap; escaped so a description can't inject markup.
        text = _one_line(route.description or route.summary)
        if len(text) > _TOOLTIP_CHARS:
            text = text[: _TOOLTIP_CHARS - 1].rstrip() + "…"
        tip = f"<b>{html.escape(route.full_name)}</b>"
        return f"{tip}<br>{html.escape(text)}" if text else tip
