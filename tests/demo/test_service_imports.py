"""The demo services' heavy libraries load in a worker thread, never on the event loop
the window shares with the in-process demo backend; their compiled parts are read before
they are loaded (loading one holds the interpreter lock: no disk wait may happen inside)."""

from __future__ import annotations

import asyncio
import importlib.machinery
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from ouro_desktop import lazy
from ouro_desktop.demo import service_warmup

EXT = importlib.machinery.EXTENSION_SUFFIXES[0]


def _package_with_compiled_part(root: Path, name: str, size: int) -> Path:
    """A package whose compiled part is ``size`` bytes (never loaded: read only)."""
    (root / name / "inner").mkdir(parents=True)
    (root / name / "__init__.py").write_text(
        "import threading\nIMPORTED_IN = threading.current_thread()\n"
    )
    part = root / name / "inner" / f"_native{EXT}"
    part.write_bytes(b"\x7fELF" + b"\0" * (size - 4))
    return part


def test_missing_libraries_are_imported_off_the_loop_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "heavy_demo_lib.py").write_text(
        "import threading\nIMPORTED_IN = threading.current_thread()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "heavy_demo_lib", raising=False)
    monkeypatch.setattr(service_warmup, "SERVICE_LIBRARIES", ("heavy_demo_lib",))

    async def main() -> Any:
        loop_thread = threading.current_thread()
        await service_warmup.import_service_libraries()
        module = sys.modules["heavy_demo_lib"]
        await service_warmup.import_service_libraries()  # already there: nothing to do
        assert sys.modules["heavy_demo_lib"] is module
        return loop_thread, module.IMPORTED_IN

    loop_thread, imported_in = asyncio.run(main())
    assert imported_in is not loop_thread
    monkeypatch.delitem(sys.modules, "heavy_demo_lib")


def test_the_services_need_only_what_is_warmed() -> None:
    # The libraries the demo services import lazily are the ones warmed before a run.
    lazy = set()
    for path in Path(service_warmup.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in ("gemmi", "jsonschema"):
            if f'LazyModule("{name}")' in text or f"import {name}" in text:
                lazy.add(name)
    assert lazy == set(service_warmup.SERVICE_LIBRARIES)


def test_compiled_parts_are_found_without_importing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    part = _package_with_compiled_part(tmp_path, "heavy_demo_pkg", 3000)
    (tmp_path / f"single_native{EXT}").write_bytes(b"\0" * 10)
    (tmp_path / "plain_demo_mod.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    assert lazy.compiled_parts("heavy_demo_pkg") == [str(part)]
    assert lazy.compiled_parts("single_native") == [str(tmp_path / f"single_native{EXT}")]
    assert lazy.compiled_parts("plain_demo_mod") == []
    assert lazy.compiled_parts("no_such_module_here") == []
    assert "heavy_demo_pkg" not in sys.modules
    assert lazy.read_compiled_parts(["heavy_demo_pkg", "single_native", "plain_demo_mod"]) == 3010


def test_compiled_parts_are_read_in_the_worker_before_the_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _package_with_compiled_part(tmp_path, "heavy_demo_pkg", 5000)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "heavy_demo_pkg", raising=False)
    monkeypatch.setattr(service_warmup, "SERVICE_LIBRARIES", ("heavy_demo_pkg",))
    reads: list[tuple[list[str], bool, threading.Thread, int]] = []

    def spy(names: list[str]) -> int:
        done = lazy.read_compiled_parts(names)
        reads.append(
            (list(names), "heavy_demo_pkg" in sys.modules, threading.current_thread(), done)
        )
        return done

    monkeypatch.setattr(service_warmup, "read_compiled_parts", spy)

    async def main() -> threading.Thread:
        await service_warmup.import_service_libraries()
        return threading.current_thread()

    loop_thread = asyncio.run(main())
    [(names, imported_already, reader, done)] = reads
    assert names == ["heavy_demo_pkg"] and done == 5000
    assert not imported_already  # read first, then imported
    assert reader is not loop_thread
    assert sys.modules["heavy_demo_pkg"].IMPORTED_IN is reader
    monkeypatch.delitem(sys.modules, "heavy_demo_pkg")


def test_each_library_names_its_compiled_parts() -> None:
    # The real libraries: what is read before the import is what the import will load.
    assert set(service_warmup.COMPILED_PARTS) == set(service_warmup.SERVICE_LIBRARIES)
    for parts in service_warmup.COMPILED_PARTS.values():
        assert all(lazy.compiled_parts(part) for part in parts)


def test_opening_the_in_app_demo_warms_the_libraries_before_any_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not when the first run starts (the window is busy following it then): as soon as
    the demo is built, in a worker thread -- neither the caller's loop nor the demo's."""
    from ouro_desktop.demo.in_process import InProcessDemo

    (tmp_path / "warm_demo_lib.py").write_text(
        "import threading\nIMPORTED_IN = threading.current_thread()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "warm_demo_lib", raising=False)
    monkeypatch.setattr(service_warmup, "SERVICE_LIBRARIES", ("warm_demo_lib",))
    demo = InProcessDemo(tmp_path / "demo")

    async def main() -> tuple[Any, Any]:
        await demo.connect()
        try:
            for _ in range(500):
                if "warm_demo_lib" in sys.modules:
                    break
                await asyncio.sleep(0.01)
            return threading.current_thread(), demo._thread  # noqa: SLF001
        finally:
            await demo.aclose()

    caller, demo_thread = asyncio.run(main())
    imported_in = sys.modules["warm_demo_lib"].IMPORTED_IN
    assert imported_in not in (caller, demo_thread)
    monkeypatch.delitem(sys.modules, "warm_demo_lib")
