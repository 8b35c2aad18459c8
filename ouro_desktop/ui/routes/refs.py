"""Parse what a user types into "Open by name": ``user/route-name`` or a pasted route link.

Pure Python (no Qt) so it is trivial to test. A reference is ``entity/slug``: the owner's
username (or organization name) and the route's ``name_url_slug`` (ouro-protocol.md §3.2).
Links are ``https://ouro.foundation/routes/<entity>/<slug>`` with an optional page suffix
(``/docs``), trailing slash, query or fragment.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

__all__ = ["ROUTE_REF_HINT", "parse_route_ref"]

ROUTE_REF_HINT = (
    "Enter a route as user/route-name (for example demo/free-electron-dos-curve) "
    "or paste a route link from ouro.foundation."
)

# One path segment of a reference: no slashes, no whitespace, nothing a URL would split on.
_SEGMENT = re.compile(r"[^\s/?#]+")
_LINK_HOST = "ouro.foundation"


def _pair(entity: str, slug: str) -> str | None:
    entity, slug = unquote(entity).strip(), unquote(slug).strip()
    if not (_SEGMENT.fullmatch(entity) and _SEGMENT.fullmatch(slug)):
        return None
    return f"{entity}/{slug}"


def _from_route_path(path: str) -> str | None:
    """``/routes/<entity>/<slug>[/<page>...]`` → ``entity/slug``."""
    parts = [p for p in path.split("/") if p]
    if len(parts) < 3 or parts[0] != "routes":
        return None
    return _pair(parts[1], parts[2])


def parse_route_ref(text: str) -> str | None:
    """The ``entity/slug`` a user meant, or None when ``text`` is neither form."""
    text = text.strip()
    if not text:
        return None
    lowered = text.lower()
    if lowered.startswith(("http://", "https://")) or lowered.startswith(
        (_LINK_HOST, f"www.{_LINK_HOST}")
    ):
        if "://" not in text:
            text = f"https://{text}"
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        if host != _LINK_HOST and not host.endswith(f".{_LINK_HOST}"):
            return None
        return _from_route_path(parts.path)
    if text.startswith("/routes/"):
        # The asset's own "slug" field looks like this (ouro-protocol.md §4).
        return _from_route_path(text)
    parts = text.split("/")
    if len(parts) != 2:
        return None
    return _pair(parts[0], parts[1])
