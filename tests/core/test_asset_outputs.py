"""A dataset output read a page at a time: columns and count once, then rows alone."""

from __future__ import annotations

import asyncio
from typing import Any

from ouro_desktop.api.asset_models import DatasetColumn, DatasetRows, DatasetStats
from ouro_desktop.core.asset_outputs import ROWS_PAGE, RowsPage, first_rows, rows_page


class TableClient:
    """Answers like Ouro for one table of ``total`` rows, and records what was asked."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.asked: list[tuple[str, int]] = []

    async def dataset_schema(self, _asset_id: str) -> list[DatasetColumn]:
        self.asked.append(("schema", 0))
        return [DatasetColumn("volume_a3", "double precision"), DatasetColumn("n", "integer")]

    async def dataset_stats(self, _asset_id: str) -> DatasetStats:
        self.asked.append(("stats", 0))
        return DatasetStats(self.total, False, 2, ("volume_a3", "n"), None)

    async def dataset_rows(self, _asset_id: str, *, limit: int, offset: int) -> DatasetRows:
        self.asked.append(("rows", offset))
        end = min(self.total, offset + limit)
        rows: list[dict[str, Any]] = [{"n": i, "volume_a3": 40.0 + i} for i in range(offset, end)]
        return DatasetRows(rows, offset, limit, end < self.total, None, None)


def test_pages_read_rows_alone_in_column_order() -> None:
    client = TableClient(120)

    async def scenario() -> tuple[RowsPage, RowsPage, RowsPage]:
        first = await first_rows(client, "d1")  # type: ignore[arg-type]
        second = await rows_page(client, "d1", first, ROWS_PAGE)  # type: ignore[arg-type]
        last = await rows_page(client, "d1", second, 100)  # type: ignore[arg-type]
        return first, second, last

    first, second, last = asyncio.run(scenario())
    assert first.columns == (("volume_a3", "number"), ("n", "integer"))
    assert first.rows[0] == (40.0, 0) and len(first.rows) == ROWS_PAGE == 50
    assert (second.offset, second.rows[0], second.total, second.has_more) == (
        50,
        (90.0, 50),
        120,
        True,
    )
    assert (len(last.rows), last.has_more) == (20, False)
    assert client.asked == [("schema", 0), ("stats", 0), ("rows", 0), ("rows", 50), ("rows", 100)]


def test_a_page_without_one_shown_reads_the_columns_first() -> None:
    client = TableClient(70)
    page = asyncio.run(rows_page(client, "d1", None, 50))  # type: ignore[arg-type]
    assert page.offset == 50 and page.rows[0] == (90.0, 50) and page.total == 70
    assert client.asked == [("schema", 0), ("stats", 0), ("rows", 50)]
