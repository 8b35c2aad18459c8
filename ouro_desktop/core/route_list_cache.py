"""The first page of the route list as last seen, so the next start can paint it at once.

Start-up paints the window before the network stack (asyncio, httpx) and the session are
loaded; with this file the route list is already there in that first paint, and the live
page replaces it a moment later. The file is keyed by where the list came from (the demo,
or a server URL); a list from another source is never shown. Sign-out deletes it, so the
next person at the machine doesn't see the previous account's private routes.

The file holds the routes' raw JSON as the server sent it (no secrets: search results are
what the browser shows anyway) and is written atomically. Anything unreadable, from an
older format, or too large is ignored: the cache only saves time and must never cost a
start.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from .atomic_file import write_text_atomic

__all__ = ["RouteListCache", "source_key"]

log = logging.getLogger(__name__)
FORMAT = 1
MAX_BYTES = 2_000_000  # a first page is tens of KB; anything far larger is not ours
MAX_ROUTES = 200


def source_key(*, demo: bool, base_url: str) -> str:
    """Which list this is: the offline demo's, or a server's (trailing slash ignored)."""
    return "demo" if demo else base_url.rstrip("/")


class RouteListCache:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self, source: str, sort: str) -> list[dict[str, Any]]:
        """The cached raw routes for ``source`` and ``sort``; [] if none or unusable."""
        try:
            if self.path.stat().st_size > MAX_BYTES:
                return []
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return []
        if data.get("source") != source or data.get("sort") != sort:
            return []
        routes = data.get("routes")
        if not isinstance(routes, list):
            return []
        return [r for r in routes[:MAX_ROUTES] if isinstance(r, dict)]

    def save(self, source: str, sort: str, routes: list[dict[str, Any]]) -> None:
        payload = {"format": FORMAT, "source": source, "sort": sort, "routes": routes[:MAX_ROUTES]}
        try:
            write_text_atomic(self.path, json.dumps(payload, separators=(",", ":")))
        except (OSError, TypeError, ValueError) as exc:
            log.warning("could not save the route list for the next start: %s", exc)

    def clear(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("could not delete the saved route list: %s", exc)
