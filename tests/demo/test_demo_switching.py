"""While the in-app demo is signed in, threads hand the interpreter over quickly: the demo
backend and the routes it plays share the window's process."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from ouro_desktop.core.blocking import FAST_SWITCH_S
from ouro_desktop.core.secrets import MemoryStore
from ouro_desktop.core.session import Session
from ouro_desktop.core.settings import Settings, SettingsStore
from ouro_desktop.demo.in_process import InProcessDemo


def test_the_demo_session_switches_threads_quickly_and_restores_the_interval(
    tmp_path: Path,
) -> None:
    before = sys.getswitchinterval()
    assert before > FAST_SWITCH_S  # Python's own 5 ms

    async def main() -> tuple[float, float, str]:
        session = Session(
            SettingsStore(tmp_path / "settings.json"),
            Settings(),
            MemoryStore(),
            demo=InProcessDemo(tmp_path / "demo"),
        )
        account = await session.start_demo()
        during = sys.getswitchinterval()
        await session.start_demo()  # signing in again does not stack
        again = sys.getswitchinterval()
        await session.aclose()
        assert again == during
        return during, sys.getswitchinterval(), account.user.username

    during, after, user = asyncio.run(main())
    assert user
    assert during <= FAST_SWITCH_S
    assert after == before
