"""The demo services' heavy libraries load in a worker thread, never on the event loop
the window shares with the in-process demo backend."""

from __future__ import annotations

import asyncio
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from ouro_desktop.demo import service_warmup


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
