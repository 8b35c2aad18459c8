"""The name a person reads for a route, and where the names learnt so far are kept.

Routes made from an OpenAPI document are often named after their endpoint
("POST /generate"), which says nothing to a chemist. :func:`route_title` names such a
route by its summary and its service instead -- "Generate a crystal structure —
CrystaLLM" -- and leaves a name a person chose ("formula-properties") as it is. The real
name stays visible on the route's page.

:class:`RouteNames` keeps the service names and route titles met so far in a small JSON
file in the profile, so the run history and the first paint of the next start name
routes the same way without asking the server again. Qt-free.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ouro_desktop.api.models import Route

from .atomic_file import write_text_atomic_later

__all__ = ["RouteNames", "is_endpoint_name", "route_title", "search_words", "title_of"]

log = logging.getLogger(__name__)

_ENDPOINT = re.compile(
    r"^\s*(?:(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+)?/[^\s]*\s*$", re.IGNORECASE
)
_METHOD = re.compile(r"^\s*(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+", re.IGNORECASE)
_MAX_ENTRIES = 2000
_TITLE_CHARS = 90


_UUID = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.IGNORECASE)


def search_words(ref: str) -> str:
    """What to search for when the route ``ref`` opened nothing: the words of its name
    (``demo/fermi-dos`` -> ``fermi dos``), not its owner, a link's address or an id."""
    path = re.split(r"[?#]", ref.strip(), maxsplit=1)[0]  # a link: not its query
    name = path.rstrip("/").rsplit("/", 1)[-1]
    if _UUID.fullmatch(name):
        return ""
    return " ".join(re.split(r"[-_\s]+", name)).strip()


def is_endpoint_name(name: str) -> bool:
    """Whether ``name`` is just an HTTP endpoint: ``POST /generate``, ``/predict``."""
    return bool(_ENDPOINT.match(name or ""))


def _without_service(summary: str, service: str) -> str:
    """ "Generate a crystal structure with CrystaLLM" → "Generate a crystal structure"
    (the service is named after the dash anyway)."""
    pattern = re.compile(
        rf"\s+(?:with|using|via|by|from|on|in)\s+(?:the\s+)?{re.escape(service)}\s*$",
        re.IGNORECASE,
    )
    shorter = pattern.sub("", summary).strip()
    return shorter or summary


def _first_sentence(text: str) -> str:
    """A description's first sentence when it is short enough to be a title, else ``""``."""
    text = " ".join((text or "").split())
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0].rstrip(".")
    return sentence if 0 < len(sentence) <= _TITLE_CHARS else ""


def route_title(name: str, summary: str = "", service: str = "", description: str = "") -> str:
    """What to call a route (see the module docstring); a route listed by a search has no
    summary, so a short first sentence of its description stands in."""
    name = " ".join((name or "").split())
    if name and not is_endpoint_name(name):
        return name
    summary = " ".join((summary or "").split()).rstrip(".").strip()
    if not summary or len(summary) > _TITLE_CHARS:
        summary = _first_sentence(description) or summary[:_TITLE_CHARS]
    service = " ".join((service or "").split())
    if summary and service:
        return f"{_without_service(summary, service)} — {service}"
    if summary:
        return summary
    path = _METHOD.sub("", name).strip("/ ")
    words = " ".join(w for w in re.split(r"[/_\-{}]+", path) if w)
    if service:
        return f"{service} — {words}" if words else service
    return name or words


def title_of(route: Route, services: Mapping[str, str] | None = None) -> str:
    """:func:`route_title` of ``route``, its service named from ``services`` (by id)."""
    service = (services or {}).get(route.service_id or "", "")
    return route_title(route.name or route.slug, route.summary, service, route.description)


class RouteNames:
    """Service names and route titles learnt so far, kept in the profile."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.services: dict[str, str] = {}
        self.titles: dict[str, str] = {}
        self._dirty = False
        if path is not None:
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("route names unreadable (%s); starting afresh", exc)
            return
        if not isinstance(raw, dict):
            return
        for key, target in (("services", self.services), ("titles", self.titles)):
            found: Any = raw.get(key)
            if isinstance(found, dict):
                target.update({k: v for k, v in found.items() if isinstance(v, str) and v})

    def needs_service(self, route: Route) -> str | None:
        """The service id to look up for ``route``'s title, or None (named already, or
        its name needs no service)."""
        sid = route.service_id
        if not sid or sid in self.services or not is_endpoint_name(route.name or route.slug):
            return None
        return sid

    def learn_service(self, service_id: str, name: str) -> None:
        if name and self.services.get(service_id) != name:
            self.services[service_id] = name
            self._dirty = True

    def title(self, route: Route) -> str:
        """The route's title. A whole route's (opened, so its summary is known) is kept for
        the run history and wins over the guess made from a search hit, which has none."""
        if not route.has_definition:
            return self.titles.get(route.id) or title_of(route, self.services)
        title = title_of(route, self.services)
        if self.titles.get(route.id) != title:
            self.titles[route.id] = title
            self._dirty = True
        return title

    def title_for(self, route_id: str, fallback: str = "") -> str:
        """A remembered title, else ``fallback`` without its ``owner/`` part."""
        known = self.titles.get(route_id)
        if known:
            return known
        return fallback.split("/", 1)[1] if "/" in fallback else fallback

    def flush(self, *, wait: bool = True) -> None:
        """Write the names if any changed; ``wait=False`` leaves the writing to the
        background (see :func:`write_text_atomic_later`; a failure there is logged)."""
        if not self._dirty or self.path is None:
            return
        for table in (self.services, self.titles):
            while len(table) > _MAX_ENTRIES:
                table.pop(next(iter(table)))
        data = {"services": self.services, "titles": self.titles}
        written = write_text_atomic_later(self.path, json.dumps(data, ensure_ascii=False, indent=1))
        self._dirty = False
        if not wait:
            return
        try:
            written.result()
        except OSError:  # (logged by the writer)
            self._dirty = True
