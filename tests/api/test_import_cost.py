"""The client does not drag httpx's command-line tool (click, rich, pygments) along."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_client_skips_the_httpx_cli() -> None:
    code = (
        "import sys, ouro_desktop.api.client, httpx; "
        "loaded = [m for m in ('rich', 'pygments') if m in sys.modules]; "
        "assert not loaded, loaded; "
        "assert httpx.AsyncClient"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
