"""``OuroClient``'s calls for the user's assets of every type: search, datasets, posts.

A mixin (:class:`AssetCalls`), so :mod:`.client` stays about routes and runs. Searching
is ``GET /search/assets`` with ``filters.asset_type`` (file, dataset, post or a list) and,
for "my assets", ``filters.user_id`` plus ``scope=all`` (ouro-protocol.md §13.2). Dataset
reads are §13.3, posts §13.4 and §13.6, downloads §13.8. Creating a dataset streams rows
(:mod:`.datasets`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import datasets, files
from ._http import HttpSession
from .asset_models import (
    AnyAsset,
    DatasetAsset,
    DatasetColumn,
    DatasetRows,
    DatasetStats,
    PostAsset,
    asset_from_json,
)
from .errors import InvalidRouteReference, ResponseError
from .models import Page, User

__all__ = ["ASSET_TYPES", "AssetCalls"]

ASSET_TYPES = ("file", "dataset", "post")
SEARCH_LIMIT_MAX = 200
Progress = Callable[[int, int], None]


def _seg(value: str) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidRouteReference("An empty id was given.")
    return quote(value, safe="")


def _kinds(asset_type: str | Sequence[str]) -> list[str]:
    kinds = [asset_type] if isinstance(asset_type, str) else list(asset_type)
    if not kinds or not all(isinstance(k, str) and k for k in kinds):
        raise ValueError("asset_type names at least one asset type")
    return kinds


class AssetCalls:
    _http: HttpSession
    _user: User | None

    # -- searching -----------------------------------------------------------------------
    async def search_assets(
        self,
        query: str = "",
        *,
        asset_type: str | Sequence[str],
        extensions: Sequence[str] | None = None,
        file_type: str | None = None,
        mine: bool = True,
        sort: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[AnyAsset]:
        """Assets of ``asset_type`` (one or several), newest first when there is no query.

        ``extensions`` (no dots) and ``file_type`` (the first part of a MIME type, e.g.
        ``image``) narrow file hits. ``mine`` keeps only the signed-in user's own assets.
        Each hit is typed by its asset type (:func:`.asset_models.asset_from_json`).
        """
        kinds = _kinds(asset_type)
        filters: dict[str, Any] = {"asset_type": kinds[0] if len(kinds) == 1 else kinds}
        if mine and self._user is not None:
            filters["user_id"] = self._user.id
        meta: dict[str, Any] = {}
        exts = [e.lower().lstrip(".") for e in extensions or [] if e.strip(".")]
        if exts:
            meta["extension"] = exts
        if file_type:
            meta["file_type"] = file_type
        params = {
            "query": query.strip() or None,
            "filters": json.dumps(filters),
            "metadata_filters": json.dumps(meta) if meta else None,
            # "personal" alone is not defined by Ouro for "mine"; the user_id filter is (§13.2)
            "scope": ("all" if self._user is not None else "personal") if mine else None,
            "sort": sort or ("recent" if not query.strip() else None),
            "limit": max(1, min(SEARCH_LIMIT_MAX, limit)),
            "offset": max(0, offset),
        }
        body = await self._http.call("GET", "/search/assets", params=params)
        return Page.from_json(body, asset_from_json, offset=max(0, offset))

    async def search_datasets(
        self, query: str = "", *, limit: int = 50, offset: int = 0
    ) -> Page[DatasetAsset]:
        """The signed-in user's datasets."""
        body = await self._http.call(
            "GET", "/search/assets", params=self._typed_params("dataset", query, limit, offset)
        )
        return Page.from_json(body, DatasetAsset.from_json, offset=max(0, offset))

    async def search_posts(
        self, query: str = "", *, limit: int = 50, offset: int = 0
    ) -> Page[PostAsset]:
        """The signed-in user's posts."""
        body = await self._http.call(
            "GET", "/search/assets", params=self._typed_params("post", query, limit, offset)
        )
        return Page.from_json(body, PostAsset.from_json, offset=max(0, offset))

    def _typed_params(self, kind: str, query: str, limit: int, offset: int) -> dict[str, Any]:
        filters: dict[str, Any] = {"asset_type": kind}
        if self._user is not None:
            filters["user_id"] = self._user.id
        return {
            "query": query.strip() or None,
            "filters": json.dumps(filters),
            "scope": "all" if self._user is not None else "personal",
            "sort": "recent" if not query.strip() else None,
            "limit": max(1, min(SEARCH_LIMIT_MAX, limit)),
            "offset": max(0, offset),
        }

    async def get_asset(self, asset_id: str) -> AnyAsset:
        """Any asset by id, typed: its type first (``/assets/{id}/type``), then its row."""
        found = await self._http.call("GET", f"/assets/{_seg(asset_id)}/type")
        data = found.get("data")
        kind = data.get("asset_type") if isinstance(data, dict) else None
        path = {"file": "files", "dataset": "datasets", "post": "posts"}.get(str(kind))
        if path is None:
            hits = await self._http.call(
                "GET", "/search/assets", params={"query": asset_id, "limit": 1}
            )
            rows = hits.get("data")
            if isinstance(rows, list) and rows:
                return asset_from_json(rows[0])
            raise ResponseError(f"The server did not describe asset {asset_id}.")
        body = await self._http.call("GET", f"/{path}/{_seg(asset_id)}")
        return asset_from_json({"asset_type": kind, **_obj_data(body, "the asset")})

    # -- datasets ------------------------------------------------------------------------
    async def get_dataset(self, dataset_id: str) -> DatasetAsset:
        body = await self._http.call("GET", f"/datasets/{_seg(dataset_id)}")
        return DatasetAsset.from_json(body.get("data"))

    async def dataset_schema(self, dataset_id: str) -> list[DatasetColumn]:
        """The columns (stored names, database types), in table order."""
        body = await self._http.call("GET", f"/datasets/{_seg(dataset_id)}/schema")
        data = body.get("data")
        if not isinstance(data, list):
            raise ResponseError("The server sent a dataset schema that is not a list.")
        return [DatasetColumn.from_json(c) for c in data]

    async def dataset_stats(self, dataset_id: str) -> DatasetStats:
        """Row and column counts."""
        body = await self._http.call("GET", f"/datasets/{_seg(dataset_id)}/stats")
        return DatasetStats.from_json(body.get("data"))

    async def dataset_rows(
        self,
        dataset_id: str,
        *,
        limit: int = 100,
        offset: int = 0,
        cursor: str | None = None,
    ) -> DatasetRows:
        """One page of rows: from ``offset``, or after ``cursor`` (a page's ``next_cursor``,
        which stays fast deep into a big table)."""
        params: dict[str, Any] = {"limit": max(1, min(1000, limit))}
        if cursor:
            params["cursor"] = cursor
        else:
            params["offset"] = max(0, offset)
        body = await self._http.call("GET", f"/datasets/{_seg(dataset_id)}/data", params=params)
        return DatasetRows.from_json(body, offset=None if cursor else max(0, offset))

    async def iter_dataset_rows(
        self, dataset_id: str, *, page_size: int = 1000
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every row, a page at a time (cursor when the server gives one, else offsets)."""
        offset, cursor = 0, None
        while True:
            page = await self.dataset_rows(
                dataset_id, limit=page_size, offset=offset, cursor=cursor
            )
            if page.rows:
                yield page.rows
            if not page.has_more or not page.rows:
                return
            offset += len(page.rows)
            cursor = page.next_cursor

    async def create_dataset(
        self,
        name: str,
        columns: Sequence[datasets.ColumnSpec],
        rows: Iterable[Sequence[Any]],
        *,
        description: str = "",
        visibility: str = "private",
        total_rows: int = 0,
        progress: Progress | None = None,
        cancel: asyncio.Event | None = None,
        batch_bytes: int = datasets.DEFAULT_BATCH_BYTES,
    ) -> DatasetAsset:
        """A new dataset from ``rows`` (each a sequence aligned with ``columns``), read from
        the iterator in a worker thread and sent in batches; see :mod:`.datasets`."""
        return await datasets.create_dataset(
            self._http,
            name=name,
            columns=columns,
            rows=rows,
            description=description,
            visibility=visibility,
            total_rows=total_rows,
            progress=progress,
            cancel=cancel,
            batch_bytes=batch_bytes,
        )

    # -- posts ---------------------------------------------------------------------------
    async def create_post(
        self,
        name: str,
        markdown: str,
        *,
        description: str | None = None,
        visibility: str = "private",
    ) -> PostAsset:
        """A new post from markdown text, which the server turns into rich text (§13.6)."""
        if not name.strip():
            raise ValueError("a post needs a title")
        post: dict[str, Any] = {
            "name": name.strip(),
            "visibility": visibility,
            "source": "api",
            "asset_type": "post",
            "attribution": {"originality": "original"},
        }
        if description:
            post["description"] = description
        body = await self._http.call(
            "POST", "/posts/create", json_body={"post": post, "content": markdown}
        )
        return PostAsset.from_json(body.get("data"))

    async def get_post(self, post_id: str) -> PostAsset:
        body = await self._http.call("GET", f"/posts/{_seg(post_id)}")
        return PostAsset.from_json(body.get("data"))

    # -- downloads -----------------------------------------------------------------------
    async def download_asset(
        self,
        asset_id: str,
        dest: Path,
        *,
        format: str | None = None,
        progress: Progress | None = None,
    ) -> Path:
        """Save an asset to ``dest``: a dataset as CSV, a post as markdown (or ``format``
        ``"html"``), a file as its bytes; through a signed link, streamed to disk."""
        body = await self._http.call(
            "POST",
            f"/assets/{_seg(asset_id)}/download-url",
            json_body={"format": format} if format else {},
        )
        data = _obj_data(body, "the download request")
        url = data.get("download_url")
        if not isinstance(url, str) or not url:
            raise ResponseError("The server's answer to the download request has no link.")
        return await files.save_url(self._http, url, Path(dest), None, progress)


def _obj_data(body: dict[str, Any], what: str) -> dict[str, Any]:
    data = body.get("data")
    if not isinstance(data, dict):
        raise ResponseError(f"The server's answer to {what} is not usable.")
    return data
