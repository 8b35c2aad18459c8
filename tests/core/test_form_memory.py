"""Remembered forms: kept per account and route, across a restart, never with a secret."""

from __future__ import annotations

import json
from pathlib import Path

from ouro_desktop.api.models import Route
from ouro_desktop.api.schema import build_form_spec
from ouro_desktop.api.schema_nodes import FormValue
from ouro_desktop.core.form_memory import (
    MAX_FORM_BYTES,
    FormMemory,
    RememberedFile,
    is_secret_name,
    without_secrets,
)


def _route(properties: dict, required: list[str] | None = None) -> Route:
    schema = {"type": "object", "properties": properties, "required": required or []}
    return Route.from_json(
        {
            "id": "r1",
            "name": "r",
            "user": {"username": "u"},
            "route": {
                "method": "POST",
                "path": "/x",
                "request_body": {"content": {"application/json": {"schema": schema}}},
            },
        }
    )


def test_a_form_comes_back_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "forms.json"
    memory = FormMemory(path)
    files = {"file": RememberedFile("NaCl.cif", "asset-1", "/data/NaCl.cif")}
    assert memory.remember("acct", "route-1", FormValue({"formula": "H2O"}, {"n": 2}), files)
    memory.flush()
    again = FormMemory(path).recall("acct", "route-1")
    assert again is not None
    assert again.value == FormValue({"formula": "H2O"}, {"n": 2}, {})
    assert again.files == files
    assert FormMemory(path).recall("other-account", "route-1") is None


def test_nothing_is_written_until_something_changed(tmp_path: Path) -> None:
    path = tmp_path / "forms.json"
    memory = FormMemory(path)
    memory.flush()
    assert not path.exists()
    memory.remember("a", "r", FormValue({"x": 1}), {})
    memory.flush()
    stamp = path.stat().st_mtime_ns
    memory.remember("a", "r", FormValue({"x": 1}), {})  # the same form again
    assert not memory.dirty
    memory.flush()
    assert path.stat().st_mtime_ns == stamp


def test_secrets_never_reach_the_file(tmp_path: Path) -> None:
    route = _route(
        {
            "formula": {"type": "string"},
            "pin": {"type": "string", "format": "password"},
            "hidden": {"type": "string", "writeOnly": True},
            "api_key": {"type": "string"},
            "auth": {
                "type": "object",
                "properties": {"user": {"type": "string"}, "clientSecret": {"type": "string"}},
            },
            "max_tokens": {"type": "integer"},
        }
    )
    spec = build_form_spec(route)
    value = FormValue(
        {
            "formula": "NaCl",
            "pin": "1234",
            "hidden": "s3cr3t-value",
            "api_key": "sk-live-0123456789",
            "auth": {"user": "ada", "clientSecret": "hunter2"},
            "max_tokens": 200,
            "extra": {"Authorization": "Bearer abc", "keep": 1},
        }
    )
    path = tmp_path / "forms.json"
    memory = FormMemory(path)
    memory.remember("a", "r1", value, {}, spec=spec)
    memory.flush()
    text = path.read_text()
    for secret in ("1234", "s3cr3t-value", "sk-live-0123456789", "hunter2", "Bearer abc"):
        assert secret not in text
    kept = FormMemory(path).recall("a", "r1")
    assert kept is not None
    assert kept.body == {
        "formula": "NaCl",
        "auth": {"user": "ada"},
        "max_tokens": 200,
        "extra": {"keep": 1},
    }


def test_raw_json_is_stripped_by_key_names() -> None:
    value = FormValue({"nested": [{"password": "x", "n": 1}], "token": "t"}, {"X-Api-Key": "k"})
    assert without_secrets(None, value) == FormValue({"nested": [{"n": 1}]}, {}, {})


def test_secret_names() -> None:
    for name in ("password", "API key", "api_key", "X-Auth-Token", "clientSecret", "Bearer"):
        assert is_secret_name(name), name
    for name in ("max_tokens", "formula", "keyword", "passes", "monkey", "tokens"):
        assert not is_secret_name(name), name


def test_the_oldest_forms_go_first_and_huge_ones_are_not_kept(tmp_path: Path) -> None:
    memory = FormMemory(tmp_path / "forms.json", max_routes=3)
    for i in range(5):
        memory.remember("a", f"r{i}", FormValue({"i": i}), {}, now=float(i))
    assert [memory.recall("a", f"r{i}") is not None for i in range(5)] == [
        False,
        False,
        True,
        True,
        True,
    ]
    assert not memory.remember("a", "big", FormValue({"text": "x" * (MAX_FORM_BYTES + 1)}), {})
    assert memory.recall("a", "big") is None


def test_forgetting_an_account_and_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "forms.json"
    memory = FormMemory(path)
    memory.remember("a", "r1", FormValue({"x": 1}), {})
    memory.remember("b", "r1", FormValue({"x": 2}), {})
    memory.forget_scope("a")
    memory.flush()
    assert FormMemory(path).recall("a", "r1") is None
    assert FormMemory(path).recall("b", "r1") is not None
    path.write_text("{not json")
    assert FormMemory(path).recall("b", "r1") is None  # started afresh, no exception
    raw = {"forms": {"b\nr1": {"body": {"x": 3}, "files": {"f": {"name": "only a name"}}}}}
    path.write_text(json.dumps(raw))
    kept = FormMemory(path).recall("b", "r1")
    assert kept is not None and kept.body == {"x": 3} and kept.files == {}
