"""What a dataset or post output shows before it is saved, read from Ouro (no Qt).

A dataset output is shown a page of rows at a time: :func:`first_rows` reads its columns and
row count once with the first :data:`ROWS_PAGE` rows, :func:`rows_page` reads another page
only (the columns and count carried over from the page shown), so a big table is never
held whole. A post output is its text (markdown), :func:`post_text`. The output card's
preview kinds (``ui/results/previews.py``) await these with the client and the asset id.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Final

from ouro_desktop.api.client import OuroClient

__all__ = ["ROWS_PAGE", "PostContent", "RowsPage", "first_rows", "post_text", "rows_page"]

ROWS_PAGE: Final = 50  # rows of a dataset output shown at a time


@dataclass(frozen=True, eq=False)
class RowsPage:
    """One page of a dataset: ``columns`` as (stored name, kind), ``rows`` in that order."""

    columns: tuple[tuple[str, str], ...]
    rows: tuple[tuple[Any, ...], ...]
    offset: int
    total: int | None
    has_more: bool


@dataclass(frozen=True)
class PostContent:
    """A post's title and its text as markdown."""

    title: str
    text: str


async def _page(
    client: OuroClient,
    asset_id: str,
    columns: tuple[tuple[str, str], ...],
    total: int | None,
    offset: int,
) -> RowsPage:
    page = await client.dataset_rows(asset_id, limit=ROWS_PAGE, offset=offset)
    rows = tuple(tuple(row.get(name) for name, _kind in columns) for row in page.rows)
    return RowsPage(columns, rows, offset, total, page.has_more)


async def _columns(client: OuroClient, asset_id: str) -> tuple[tuple[tuple[str, str], ...], int]:
    schema, stats = await asyncio.gather(
        client.dataset_schema(asset_id), client.dataset_stats(asset_id)
    )
    return tuple((c.name, c.kind) for c in schema), stats.count


async def first_rows(client: OuroClient, asset_id: str) -> RowsPage:
    """The first page, with the columns and the row count (read once, here)."""
    columns, total = await _columns(client, asset_id)
    return await _page(client, asset_id, columns, total, 0)


async def rows_page(client: OuroClient, asset_id: str, shown: Any, offset: int) -> RowsPage:
    """The page from ``offset``: only its rows are read when ``shown`` (the page on show)
    already knows the columns and count."""
    if isinstance(shown, RowsPage) and shown.columns:
        columns, total = shown.columns, shown.total
    else:
        columns, total = await _columns(client, asset_id)
    return await _page(client, asset_id, columns, total, max(0, offset))


async def post_text(client: OuroClient, asset_id: str) -> PostContent:
    post = await client.get_post(asset_id)
    return PostContent(post.name, post.text)
