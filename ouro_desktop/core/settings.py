"""The app's own settings: a typed dataclass saved as JSON, atomically, non-defaults only.

Saving only what differs from the defaults lets a later version change a default for
everyone who never touched it. ``schema_version`` lets it migrate old files; an
unreadable file is set aside (never fatal) and the defaults are used.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from .atomic_file import remove_stale_temps, write_text_atomic_later

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
DEFAULT_BASE_URL = "https://api.ouro.foundation"
MAX_RECENT = 20


@dataclass(frozen=True)
class RouteBookmark:
    """A route the user starred or opened: its id plus how to show it without a request."""

    route_id: str
    full_name: str

    @classmethod
    def from_json(cls, raw: Any) -> RouteBookmark | None:
        if isinstance(raw, dict) and isinstance(raw.get("route_id"), str):
            return cls(raw["route_id"], str(raw.get("full_name") or raw["route_id"]))
        return None


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    base_url: str = DEFAULT_BASE_URL
    # The account the keyring entry belongs to (username shown in the account menu).
    account: str = ""
    favourites: list[RouteBookmark] = field(default_factory=list)
    recent: list[RouteBookmark] = field(default_factory=list)
    search_sort: str = "relevant"
    # How many files of a folder batch are sent or running at once.
    batch_concurrency: int = 4

    def is_favourite(self, route_id: str) -> bool:
        return any(b.route_id == route_id for b in self.favourites)

    def toggle_favourite(self, bookmark: RouteBookmark) -> bool:
        """Star or unstar a route; True when it is now a favourite."""
        if self.is_favourite(bookmark.route_id):
            self.favourites = [b for b in self.favourites if b.route_id != bookmark.route_id]
            return False
        self.favourites = [*self.favourites, bookmark]
        return True

    def add_recent(self, bookmark: RouteBookmark) -> None:
        rest = [b for b in self.recent if b.route_id != bookmark.route_id]
        self.recent = [bookmark, *rest][:MAX_RECENT]


def _to_json(settings: Settings) -> dict[str, Any]:
    defaults = asdict(Settings())
    current = asdict(settings)
    out = {k: v for k, v in current.items() if v != defaults[k]}
    out["schema_version"] = SCHEMA_VERSION
    return out


def _from_json(raw: dict[str, Any]) -> Settings:
    settings = Settings()
    known = {f.name for f in fields(Settings)}
    for key, value in raw.items():
        if key not in known or key == "schema_version":
            continue
        if key in ("favourites", "recent"):
            marks = [RouteBookmark.from_json(v) for v in value] if isinstance(value, list) else []
            setattr(settings, key, [m for m in marks if m is not None])
        elif isinstance(value, type(getattr(settings, key))):
            setattr(settings, key, value)
    return settings


# Where saves before the shared atomic writer put their temporary files.
OLD_TEMP_PREFIX = ".settings-"


class SettingsStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.notice: str | None = None

    def load(self) -> Settings:
        self._remove_stale_temp_files()
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Settings()
        except (OSError, ValueError) as exc:
            return self._set_aside(exc)
        if not isinstance(raw, dict):
            return self._set_aside(ValueError("not a JSON object"))
        return _from_json(raw)

    def _remove_stale_temp_files(self) -> None:
        """Delete half-written saves a crash left behind (a save removes its own only
        when it fails with an exception, not when the process dies mid-write)."""
        remove_stale_temps(self.path)
        remove_stale_temps(self.path, OLD_TEMP_PREFIX)

    def _set_aside(self, exc: Exception) -> Settings:
        kept = self.path.with_name(f"{self.path.name}.unreadable-{int(time.time())}")
        try:
            self.path.replace(kept)
        except OSError:
            kept = self.path
        log.warning("settings file unreadable (%s); kept as %s", exc, kept)
        self.notice = f"Your settings could not be read and were reset. The old file is {kept}."
        return Settings()

    def save(self, settings: Settings, *, wait: bool = True) -> None:
        """Write atomically: a crash mid-save leaves the previous file intact. The text is
        taken now; ``wait=False`` leaves the writing to the background (the writes of
        :func:`write_text_atomic_later` keep their order, waited for or not)."""
        text = json.dumps(_to_json(settings), indent=2, sort_keys=True)
        written = write_text_atomic_later(self.path, text)
        if wait:
            written.result()
