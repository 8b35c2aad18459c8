"""Building blocks of the code snippets (no Qt): Python literals, headers, and where the
code points when the app runs its offline demo.

The in-app demo has no server a script could reach, so a snippet made there points at
``ouro-desktop-demo-server`` on its default address (:data:`DEMO_SERVER_URL`) and starts
with how to start it and where its key comes from (:func:`demo_instructions`). The
standalone server has its own files: a snippet for it uploads input files itself instead
of naming ids that exist only inside the app.
"""

from __future__ import annotations

import json
import keyword
import math
import re
from typing import Any, Final

from ouro_desktop.api.models import Route
from ouro_desktop.core.route_facts import price_text

__all__ = [
    "DEFAULT_BASE_URL",
    "DEMO_SERVER_URL",
    "IN_APP_DEMO_URL",
    "demo_instructions",
    "identifier",
    "is_default",
    "is_demo_target",
    "price_comment",
    "py_literal",
    "python_header",
    "snippet_base_url",
]

DEFAULT_BASE_URL: Final = "https://api.ouro.foundation"
# ``ouro-desktop-demo-server`` with no options listens here.
DEMO_SERVER_URL: Final = "http://127.0.0.1:8765"
# The in-app demo's pretend address (``ouro_desktop.core.session.DEMO_BASE_URL``).
IN_APP_DEMO_URL: Final = "http://demo.localhost"


def is_default(base_url: str) -> bool:
    return not base_url or base_url.rstrip("/") == DEFAULT_BASE_URL


def is_demo_target(base_url: str) -> bool:
    """True for the in-app demo's address and the demo server's default one."""
    return base_url.rstrip("/") in (IN_APP_DEMO_URL, DEMO_SERVER_URL)


def snippet_base_url(base_url: str) -> str:
    """Where a snippet's code connects: the in-app demo becomes the demo server."""
    return DEMO_SERVER_URL if base_url.rstrip("/") == IN_APP_DEMO_URL else base_url


def demo_instructions(base_url: str, comment: str = "#") -> str:
    """Comment lines saying how to start the demo server and set the key it prints."""
    port = base_url.rstrip("/").rsplit(":", 1)[-1]
    command = "ouro-desktop-demo-server"
    if port.isdigit() and port != DEMO_SERVER_URL.rsplit(":", 1)[-1]:
        command += f" --port {port}"
    lines = [
        "This code talks to the Ouro Desktop demo server on this computer.",
        f"Start it first, in a terminal:   {command}",
        "It prints OURO_API_KEY=...: set that in the shell that runs this code,",
        "e.g. export OURO_API_KEY=<the key it printed>",
    ]
    return "".join(f"{comment} {line}\n" for line in lines)


def py_literal(value: Any, indent: int = 0) -> str:
    """``value`` as a Python literal, laid out like JSON (one key a line for objects)."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = [
            f"{pad}    {json.dumps(str(k))}: {py_literal(v, indent + 4)}," for k, v in value.items()
        ]
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(py_literal(v, indent) for v in value) + "]"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value!r}")'  # nan and inf are not literals
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    # Readable accents and symbols, but escapes for control and lone surrogate characters.
    return json.dumps(text, ensure_ascii=not text.isprintable())


def price_comment(route: Route) -> str:
    if not route.is_paid:
        return ""
    return f"# Paid route: {price_text(route)}, charged for each successful run.\n"


def identifier(key: str) -> str:
    """A Python variable name made from an input key."""
    name = re.sub(r"\W+", "_", key).strip("_").lower() or "asset"
    return f"_{name}" if name[0].isdigit() or keyword.iskeyword(name) else name


def python_header(route: Route, base_url: str, *, demo: bool | None = None) -> str:
    """Imports, the client (with ``base_url`` unless it is Ouro's) and ``ROUTE_ID``; for the
    demo server (``demo``, else guessed from the address), how to start it first."""
    base_url = snippet_base_url(base_url)
    demo = is_demo_target(base_url) if demo is None else demo
    client = (
        'Ouro(api_key=os.environ["OURO_API_KEY"])'
        if is_default(base_url)
        else f'Ouro(api_key=os.environ["OURO_API_KEY"], base_url={json.dumps(base_url)})'
    )
    notes = demo_instructions(base_url) + "\n" if demo else ""
    return (
        notes + "import os\n\n"
        "from ouro import Ouro  # pip install ouro-py\n\n"
        f"ouro = {client}\n"
        f"ROUTE_ID = {json.dumps(route.id)}  # {route.full_name}\n"
    )
