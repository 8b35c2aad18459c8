"""Settings: round trip, only non-defaults saved, unreadable files set aside."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

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


def test_a_save_left_to_the_background_is_written_off_the_calling_thread_in_order(
    tmp_path: Path, monkeypatch: Any
) -> None:
    from ouro_desktop.core import atomic_file

    threads: list[str] = []
    real = atomic_file.write_text_atomic

    def recording(path: Path, text: str) -> None:
        threads.append(threading.current_thread().name)
        real(path, text)

    monkeypatch.setattr(atomic_file, "write_text_atomic", recording)
    path = tmp_path / "settings.json"
    store = SettingsStore(path)
    settings = store.load()
    for i in range(30):  # opening routes quickly: each save left to the background
        settings.add_recent(RouteBookmark(f"r{i}", f"demo/route-{i}"))
        store.save(settings, wait=False)
    settings.toggle_favourite(RouteBookmark("r1", "demo/one"))
    store.save(settings)  # waited for: lands after every earlier one
    assert threads and all(name != threading.current_thread().name for name in threads)
    again = SettingsStore(path).load()
    assert again.recent[0].route_id == "r29"
    assert again.favourites == [RouteBookmark("r1", "demo/one")]
    settings.add_recent(RouteBookmark("last", "demo/last"))
    written = atomic_file.write_text_atomic_later(path, "{}")
    written.result()
    store.save(settings, wait=False)
    atomic_file.write_text_atomic_later(tmp_path / "other.txt", "x").result()  # queue drained
    assert SettingsStore(path).load().recent[0].route_id == "last"


def test_a_background_save_that_fails_says_so_when_waited_for(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    store = SettingsStore(blocker / "settings.json")  # its folder cannot be made
    with pytest.raises(OSError):
        store.save(Settings())


@pytest.mark.skipif(os.name != "posix", reason="permission bits")
def test_a_saved_export_gets_the_umask_and_a_profile_file_stays_private(tmp_path: Path) -> None:
    # Provenance records and batch exports were written owner-only (as a temporary file
    # is): a colleague could not open them in a shared folder.
    from ouro_desktop.core.atomic_file import write_text_atomic

    old_umask = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "record.json", "{}", private=False)
        write_text_atomic(tmp_path / "settings.json", "{}")
    finally:
        os.umask(old_umask)
    assert (tmp_path / "record.json").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "settings.json").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["record.json", "settings.json"]
