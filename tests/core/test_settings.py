"""Settings: round trip, only non-defaults saved, unreadable files set aside."""

from __future__ import annotations

import json
from pathlib import Path

from ouro_desktop.core.settings import RouteBookmark, Settings, SettingsStore


def test_round_trip_saves_only_non_defaults(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    settings = store.load()
    assert settings == Settings()
    settings.toggle_favourite(RouteBookmark("r1", "demo/one"))
    for i in range(25):
        settings.add_recent(RouteBookmark(f"r{i}", f"demo/route-{i}"))
    settings.add_recent(RouteBookmark("r3", "demo/route-3"))
    store.save(settings)
    raw = json.loads((tmp_path / "settings.json").read_text())
    assert "base_url" not in raw  # a default is not written
    assert raw["schema_version"] == 1
    again = SettingsStore(tmp_path / "settings.json").load()
    assert again.favourites == [RouteBookmark("r1", "demo/one")]
    assert len(again.recent) == 20
    assert again.recent[0].route_id == "r3"
    assert [b.route_id for b in again.recent].count("r3") == 1
    assert again.toggle_favourite(RouteBookmark("r1", "demo/one")) is False
    assert again.favourites == []


def test_unreadable_file_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    store = SettingsStore(path)
    assert store.load() == Settings()
    assert store.notice and "reset" in store.notice
    assert not path.exists()
    assert any(p.name.startswith("settings.json.unreadable-") for p in tmp_path.iterdir())


def test_wrong_types_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"base_url": 5, "favourites": [{"x": 1}, {"route_id": "a"}]}))
    settings = SettingsStore(path).load()
    assert settings.base_url == Settings().base_url
    assert settings.favourites == [RouteBookmark("a", "a")]


def test_half_written_saves_left_by_a_crash_are_removed(tmp_path: Path) -> None:
    import os
    import time

    store = SettingsStore(tmp_path / "settings.json")
    store.save(Settings(account="ann"))
    # Left by a kill mid-save, now and by earlier versions (another prefix).
    stale = [tmp_path / f".settings.json-crash{i}.tmp" for i in range(3)]
    stale.append(tmp_path / ".settings-crash.tmp")
    for path in stale:
        path.write_text('{"account": "half')
        old = time.time() - 3600
        os.utime(path, (old, old))
    in_progress = tmp_path / ".settings.json-now.tmp"  # another process saving right now
    in_progress.write_text("{")
    assert store.load().account == "ann"
    assert not any(path.exists() for path in stale)
    assert in_progress.exists()
    assert (tmp_path / "settings.json").exists()
