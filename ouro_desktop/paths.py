"""Where the app keeps its files: platformdirs locations, or one folder given by --profile-dir.

Tests and development point everything (settings, caches, the run ledger, logs, the demo
backend's data) at a temporary profile folder so nothing touches the user's real profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "ouro-desktop"
APP_AUTHOR = "Ouro"


@dataclass(frozen=True)
class Paths:
    config: Path
    data: Path
    cache: Path
    logs: Path

    @classmethod
    def for_profile(cls, profile_dir: Path | None = None) -> Paths:
        if profile_dir is not None:
            root = Path(profile_dir).expanduser().resolve()
            paths = cls(root / "config", root / "data", root / "cache", root / "logs")
        else:
            dirs = platformdirs.PlatformDirs(APP_NAME, APP_AUTHOR)
            paths = cls(
                Path(dirs.user_config_dir),
                Path(dirs.user_data_dir),
                Path(dirs.user_cache_dir),
                Path(dirs.user_log_dir),
            )
        for folder in (paths.config, paths.data, paths.cache, paths.logs):
            folder.mkdir(parents=True, exist_ok=True)
        return paths

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def ledger_file(self) -> Path:
        return self.data / "runs.sqlite3"

    @property
    def demo_data(self) -> Path:
        return self.data / "demo-backend"

    @property
    def route_list_file(self) -> Path:
        """The route list as last seen, painted at the next start (``RouteListCache``)."""
        return self.cache / "route-list.json"

    @property
    def forms_file(self) -> Path:
        """What was typed and chosen in each route's form (``FormMemory``)."""
        return self.data / "forms.json"

    @property
    def route_names_file(self) -> Path:
        """Routes' readable titles and their services' names (``RouteNames``)."""
        return self.cache / "route-names.json"

    @property
    def log_file(self) -> Path:
        return self.logs / "ouro-desktop.log"
