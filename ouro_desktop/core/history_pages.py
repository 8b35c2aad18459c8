"""The runs list, a page at a time: this profile's ledger merged with the server's actions.

A run started here shows at once (it is in the ledger before Ouro answers); a run started
elsewhere (the web page, the SDK) comes from the server. :class:`HistoryPager` keeps how far
each source has been read, so "more" continues both, and the route names it has seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..api.client import OuroClient
from ..api.errors import OuroError
from ..api.models import Action, Route
from .blocking import off_thread
from .error_text import friendly
from .history import HistoryEntry, merge
from .ledger import RunLedger

PAGE = 100


@dataclass
class HistoryPage:
    entries: list[HistoryEntry]
    more: bool
    actions: list[Action] = field(default_factory=list)
    error: str | None = None  # why the server's runs are missing from this page


class HistoryPager:
    def __init__(self, ledger: RunLedger, page_size: int = PAGE) -> None:
        self.ledger = ledger
        self.page_size = page_size
        self.names: dict[str, str] = {}  # route id → its full name, as far as known
        self._offsets = (0, 0)  # ledger rows and server actions already listed

    async def load(
        self,
        client: OuroClient,
        *,
        base_url: str,
        route: Route | None,
        reset: bool,
        expected: Mapping[str, float],
    ) -> HistoryPage:
        """The next page (the first with ``reset``) of runs, of ``route`` or of all."""
        ledger_offset, server_offset = (0, 0) if reset else self._offsets
        size = self.page_size
        records = await off_thread(
            self.ledger.list,
            base_url=base_url,
            route_id=route.id if route else None,
            limit=size,
            offset=ledger_offset,
        )
        error: str | None = None
        actions: list[Action] = []
        has_more = False
        try:
            if route is not None:
                page = await client.list_route_actions(route, limit=size, offset=server_offset)
            else:
                page = await client.list_my_actions(limit=size, offset=server_offset)
        except OuroError as exc:
            error = friendly(exc)
        else:
            actions, has_more = page.items, page.has_more
        for record in records:
            self.names.setdefault(record.route_id, record.route_name)
        for action in actions:
            name = (action.raw.get("route") or {}).get("name") if action.raw else None
            self.names.setdefault(action.route_id, str(name or action.route_id))
        entries = merge(records, actions, self.names, dict(expected))
        self._offsets = (ledger_offset + len(records), server_offset + len(actions))
        more = len(records) == size or has_more
        return HistoryPage(entries, more, actions, error)
