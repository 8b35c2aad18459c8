"""The route browser: search results model and delegate, bookmarks, and the left-pane widget."""

from __future__ import annotations

from .browser import RouteBrowser
from .delegate import RouteDelegate
from .model import RouteListModel, route_badges
from .refs import parse_route_ref

__all__ = ["RouteBrowser", "RouteDelegate", "RouteListModel", "parse_route_ref", "route_badges"]
