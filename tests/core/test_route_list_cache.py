"""The saved route list: what the next start paints before anything else has loaded."""

from __future__ import annotations

import json
from pathlib import Path

from ouro_desktop.core.route_list_cache import MAX_BYTES, RouteListCache, source_key

ROUTES = [
    {"id": "r1", "name": "dos", "route": {"method": "POST", "path": "/dos"}},
    {"id": "r2", "name": "report", "description": "Ünïcode ✓"},
]


def test_round_trip_for_the_same_source_and_sort(tmp_path: Path) -> None:
    cache = RouteListCache(tmp_path / "cache" / "route-list.json")
    cache.save("demo", "relevant", ROUTES)
    assert cache.load("demo", "relevant") == ROUTES
    assert list(tmp_path.joinpath("cache").iterdir()) == [cache.path]  # no temp file left


def test_another_source_or_sort_gets_nothing(tmp_path: Path) -> None:
    cache = RouteListCache(tmp_path / "route-list.json")
    cache.save("https://api.ouro.foundation", "recent", ROUTES)
    assert cache.load("demo", "recent") == []
    assert cache.load("https://api.ouro.foundation", "popular") == []
    assert cache.load("https://api.ouro.foundation", "recent") == ROUTES


def test_source_key_ignores_a_trailing_slash_and_names_the_demo() -> None:
    assert source_key(demo=False, base_url="https://x.org/") == "https://x.org"
    assert source_key(demo=True, base_url="https://x.org/") == "demo"


def test_missing_junk_and_oversized_files_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "route-list.json"
    cache = RouteListCache(path)
    assert cache.load("demo", "relevant") == []
    for junk in (
        "{not json",
        "[1, 2]",
        '{"format": 99, "source": "demo", "sort": "relevant"}',
        '{"format": 1, "source": "demo", "sort": "relevant", "routes": "x"}',
    ):
        path.write_text(junk)
        assert cache.load("demo", "relevant") == []
    path.write_text(
        json.dumps({"format": 1, "source": "demo", "sort": "relevant", "routes": [ROUTES[0], 7]})
    )
    assert cache.load("demo", "relevant") == [ROUTES[0]]  # the odd entry is dropped
    path.write_bytes(b" " * (MAX_BYTES + 1))
    assert cache.load("demo", "relevant") == []
    path.write_bytes(b"\xff\xfe")
    assert cache.load("demo", "relevant") == []


def test_clear_removes_the_file_and_saving_never_raises(tmp_path: Path) -> None:
    cache = RouteListCache(tmp_path / "route-list.json")
    cache.save("demo", "relevant", ROUTES)
    cache.clear()
    assert not cache.path.exists()
    cache.clear()  # already gone: fine
    cache.save("demo", "relevant", [{"id": object()}])  # not JSON: logged, not raised
    assert not cache.path.exists()
    blocked = RouteListCache(tmp_path / "a-file" / "route-list.json")
    (tmp_path / "a-file").write_text("")
    blocked.save("demo", "relevant", ROUTES)  # the folder can't be made: logged, not raised
    assert blocked.load("demo", "relevant") == []
