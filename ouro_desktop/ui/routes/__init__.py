"""The route browser: search results model and delegate, bookmarks, and the left-pane widget."""

from __future__ import annotations

from ouro_desktop.ui.routes.browser import RouteBrowser
from ouro_desktop.ui.routes.delegate import RouteDelegate
from ouro_desktop.ui.routes.model import RouteListModel, route_badges
from ouro_desktop.ui.routes.refs import parse_route_ref

__all__ = ["RouteBrowser", "RouteDelegate", "RouteListModel", "parse_route_ref", "route_badges"]
