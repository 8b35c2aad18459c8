"""Drop first, choose later: which routes take a file the user already has."""

from __future__ import annotations

from pathlib import Path

from ..api.client import OuroClient
from ..api.models import Route

SCAN_LIMIT = 2000  # routes looked at, at most (ten pages of 200)
PAGE_SIZE = 200


def accepts_extension(route: Route, extension: str) -> bool:
    """True when one of ``route``'s file inputs declares ``extension`` (no dot)."""
    return any(
        decl.asset_type == "file" and extension in decl.file_extensions
        for decl in route.input_assets.values()
    )


def file_extension(item: str) -> str:
    """``"/x/Cu.CIF"`` → ``"cif"``."""
    return Path(item).suffix.lower().lstrip(".")


async def routes_taking(client: OuroClient, item: str) -> list[Route]:
    """The routes (most popular first) whose file inputs accept ``item``'s extension.

    Raises :class:`OuroError` when the routes can't be listed.
    """
    extension = file_extension(item)
    matches: list[Route] = []
    offset = 0
    while True:
        page = await client.search_routes("", sort="popular", limit=PAGE_SIZE, offset=offset)
        matches += [route for route in page.items if accepts_extension(route, extension)]
        offset += len(page.items)
        if not page.has_more or not page.items or offset >= SCAN_LIMIT:
            return matches
