"""The runs list, a page at a time: this profile's ledger merged with the server's actions.

A run started here shows at once (it is in the ledger before Ouro answers); a run started
elsewhere (the web page, the SDK) comes from the server. :class:`HistoryPager` keeps how far
each source has been read, so "more" continues both, and the route names it has seen.

The list asks the server for runs without their answers (``include_response=false``):
one answer can be tens of megabytes, and a list needs none of them (a run's answer is
fetched when it is opened). Should a server send them anyway and a page come back too
large to read, the page is asked for again in halves, down to single runs, so one huge
run never hides the others; a run too large to list even alone is counted and said.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..api.client import OuroClient
from ..api.errors import OuroError, ResponseTooLarge
from ..api.models import Action, Page, Route
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
    note: str | None = None  # runs the server listed but that could not be read


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
        note: str | None = None
        actions: list[Action] = []
        has_more = False
        skipped = 0
        try:
            actions, has_more, skipped = await self._server_page(client, route, size, server_offset)
        except OuroError as exc:
            error = friendly(exc)
        if skipped:
            runs, their = ("run", "its") if skipped == 1 else ("runs", "their")
            note = (
                f"{skipped} {runs} could not be listed: the server sent {their} record "
                "with an answer too large to read."
            )
        for record in records:
            self.names.setdefault(record.route_id, record.route_name)
        for action in actions:
            name = (action.raw.get("route") or {}).get("name") if action.raw else None
            self.names.setdefault(action.route_id, str(name or action.route_id))
        entries = merge(records, actions, self.names, dict(expected))
        self._offsets = (ledger_offset + len(records), server_offset + len(actions) + skipped)
        more = len(records) == size or has_more
        return HistoryPage(entries, more, actions, error, note)

    async def _server_page(
        self, client: OuroClient, route: Route | None, limit: int, offset: int
    ) -> tuple[list[Action], bool, int]:
        """``limit`` runs from ``offset``: (the runs, whether there are more, how many
        could not be read even one at a time)."""
        try:
            page: Page[Action]
            if route is not None:
                page = await client.list_route_actions(
                    route, limit=limit, offset=offset, include_response=False
                )
            else:
                page = await client.list_my_actions(
                    limit=limit, offset=offset, include_response=False
                )
        except ResponseTooLarge:
            if limit <= 1:
                return [], True, 1
            half = limit // 2
            first, _more, lost = await self._server_page(client, route, half, offset)
            if len(first) + lost < half:  # the list ended inside the first half
                return first, False, lost
            rest, more, lost_too = await self._server_page(
                client, route, limit - half, offset + half
            )
            return first + rest, more, lost + lost_too
        return page.items, page.has_more, 0
