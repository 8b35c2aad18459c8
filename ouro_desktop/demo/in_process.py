"""The demo backend inside the app's own process, reached through an httpx transport.

What the window's "Try the demo" (and ``--demo``) signs into. The backend is built on
first use, so a start that never opens the demo never loads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class InProcessDemo:
    def __init__(self, data_dir: Path, *, services: list[Any] | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.services = services  # DemoServices instead of the demo's own (tests)
        self.app: Any = None

    @property
    def backend(self) -> Any:
        """The running backend (its store and fault switches), once connected."""
        return self.app.state.backend if self.app is not None else None

    def connect(self) -> tuple[Any, str]:
        import httpx  # noqa: PLC0415 - only when the demo is used

        from .app import create_app  # noqa: PLC0415

        if self.app is None:
            self.app = create_app(self.data_dir, services=self.services)
        return httpx.ASGITransport(app=self.app), self.app.state.backend.api_key

    async def aclose(self) -> None:
        if self.app is not None:
            await self.app.state.backend.aclose()
            self.app = None
