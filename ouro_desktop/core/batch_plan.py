"""The plan of a folder batch, before anything is sent: which files fit, which are skipped
and why, what it costs, and about how long it takes.

:func:`plan_batch` expands the dropped items (a folder gives its files, not its subfolders;
hidden files such as ``.DS_Store`` are passed over silently) and checks each file against
the route's file input with :func:`~ouro_desktop.core.file_checks.check_local_file`, so a
skipped file carries the same plain reason a single drop would show. The same file given
twice (dropped twice, or through a link) runs once. The total price is the route's price times
the files for a per-call route; the time estimate comes from the route's metrics and the
batch's concurrency. Blocking file I/O: run it off the UI thread. Qt-free.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ouro_desktop.api.models import InputDeclaration, Route

from .file_checks import CheckedFile, FileRejected, check_local_file, display_name
from .route_facts import about_text, money_text

__all__ = ["BatchPlan", "BatchRequest", "batch_input", "expand_items", "plan_batch"]

MAX_FILES = 100_000  # a folder bigger than this is surely a mistake


@dataclass(frozen=True)
class BatchRequest:
    """A folder or several files to run a route on, with the form's settings for all."""

    route: Route
    input_key: str
    items: list[str]
    body: dict[str, Any] | None
    query: dict[str, Any]
    path_params: dict[str, Any]
    input_assets: dict[str, str]  # the other inputs' files, the same for every run


@dataclass(frozen=True)
class BatchPlan:
    route: Route
    input_key: str
    files: tuple[CheckedFile, ...]
    skipped: tuple[tuple[str, str], ...]  # (shown name, reason)
    concurrency: int

    @property
    def count(self) -> int:
        return len(self.files)

    @property
    def total_price(self) -> float | None:
        """What the whole batch costs at the route's price, or None for a free route."""
        route = self.route
        if not route.is_paid or route.price is None:
            return None
        return route.price * self.count

    def price_text(self) -> str:
        """``"Free"``, or ``"$0.50 in all (10 runs at $0.05 per call)"``."""
        total = self.total_price
        route = self.route
        if total is None:
            return "Free"
        unit = route.cost_unit or "call"
        each = money_text(route.price or 0.0, route.price_currency)
        runs = f"{self.count} run{'s' if self.count != 1 else ''}"
        if unit != "call":  # per second (or another unit): the sum is per unit, not fixed
            return f"{each} per {unit} for each of {runs}"
        return f"{money_text(total, route.price_currency)} in all ({runs} at {each} per call)"

    def estimate_s(self) -> float | None:
        """Seconds for the whole batch from the route's typical run time, or None."""
        metrics = self.route.metrics or {}
        for key in ("p50_completion_ms", "avg_completion_ms"):
            value = metrics.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
                waves = math.ceil(self.count / max(1, self.concurrency))
                return float(value) / 1000 * waves
        return None

    def estimate_text(self) -> str:
        seconds = self.estimate_s()
        if seconds is None:
            return "unknown (this route has no timed runs yet)"
        return about_text(seconds * 1000)

    def skip_summary(self) -> list[tuple[str, int]]:
        """Skip reasons grouped: ``(reason without the file name, how many)``."""
        counts: dict[str, int] = {}
        for name, reason in self.skipped:
            general = reason.replace(name, "the file", 1) if name else reason
            counts[general] = counts.get(general, 0) + 1
        return sorted(counts.items(), key=lambda kv: -kv[1])


def batch_input(route: Route, preferred: str | None = None) -> str | None:
    """The file input a batch fills: ``preferred`` if it takes files, else the route's only
    file input (None when it has none or several and none was named)."""
    files = [k for k, d in route.input_assets.items() if d.asset_type == "file"]
    if preferred in files:
        return preferred
    return files[0] if len(files) == 1 else None


def expand_items(items: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Dropped items as files: folders give their own files (sorted by name), subfolders
    and hidden files are not entered. Returns ``(files, skipped)``."""
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            try:
                entries = sorted(os.scandir(path), key=lambda e: e.name.lower())
            except OSError as exc:
                shown = display_name(path.name)
                skipped.append((shown, f"the folder “{shown}” can't be read ({exc.strerror})."))
                continue
            for entry in entries:
                if entry.name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shown = display_name(entry.name)
                    skipped.append((shown, f"“{shown}” is a folder inside; only files are run."))
                    continue
                files.append(Path(entry.path))
        else:
            files.append(path)
        if len(files) > MAX_FILES:
            raise ValueError(f"More than {MAX_FILES:,} files: choose a smaller folder.")
    return files, skipped


def plan_batch(
    route: Route,
    items: Sequence[str | Path],
    *,
    input_key: str,
    concurrency: int = 4,
) -> BatchPlan:
    """Check every file for ``route``'s ``input_key``; see the module docstring."""
    decl: InputDeclaration = route.input_assets[input_key]
    paths, skipped = expand_items(items)
    fits: list[CheckedFile] = []
    seen: dict[tuple[Path, int], str] = {}
    for path in paths:
        shown = display_name(path.name)
        try:
            checked = check_local_file(path, decl)
        except FileRejected as exc:
            skipped.append((shown, exc.message))
            continue
        if (checked.path, checked.size) in seen:
            skipped.append(
                (shown, f"“{shown}” is the same file as “{seen[(checked.path, checked.size)]}”.")
            )
            continue
        seen[(checked.path, checked.size)] = checked.name
        fits.append(checked)
    return BatchPlan(route, input_key, tuple(fits), tuple(skipped), max(1, concurrency))
