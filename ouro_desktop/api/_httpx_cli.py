"""Keep httpx's command-line tool out of the app.

``import httpx`` also imports ``httpx._main`` (the ``httpx`` CLI), which pulls in click,
rich and pygments whenever they are installed: ~4 MiB and ~50 ms the app never uses.
The app doesn't run that CLI, so a stand-in module is registered first; httpx itself
is unchanged. Importing this module does it; ``ouro_desktop.api`` imports it first.
"""

from __future__ import annotations

import sys
import types


def _cli_unavailable() -> None:
    raise SystemExit("the httpx command-line tool is not part of Ouro Desktop")


def skip_httpx_cli() -> None:
    if "httpx._main" not in sys.modules and "httpx" not in sys.modules:
        stub = types.ModuleType("httpx._main")
        stub.main = _cli_unavailable  # type: ignore[attr-defined]
        sys.modules["httpx._main"] = stub


skip_httpx_cli()
