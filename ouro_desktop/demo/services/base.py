"""What a demo route service is: the Ouro -> service contract, in-process.

On the real platform Ouro forwards a run to the service's ``base_url + path`` with the
resolved input assets inserted into the JSON body (a file becomes ``{url, filename, type,
id, name, ...}``) and the ``ouro-*`` headers set; the service downloads the file URL,
may post progress logs, and answers with JSON whose declared output keys hold
``{name, description, base64, extension, type}`` payloads. The demo keeps that contract
but calls a Python coroutine instead of making an HTTP request, so it works offline.
A handler answers with Python values, or with the JSON text itself (:class:`JsonText`,
what an HTTP body is): a big answer is then kept and served as sent.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ..json_text import JsonText


class ServiceError(Exception):
    """The service refused or failed the request (becomes an errored action).

    ``status`` is the HTTP status the upstream would have answered with and
    ``detail`` the plain-language message the user sees.
    """

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass
class ServiceCall:
    """One forwarded run, as the service sees it."""

    body: dict[str, Any]
    headers: dict[str, str]
    query: dict[str, Any]
    path_params: dict[str, Any]
    # Fetch the bytes behind a resolved file input (what the real service does with ``url``).
    read_file: Callable[[dict[str, Any]], Awaitable[bytes]]
    # Post a progress line to the action (``POST /actions/{id}/log`` on the real platform).
    log: Callable[..., Awaitable[None]]
    # Multiplies every deliberate wait of a slow demo route; tests set it near 0.
    time_scale: float = 1.0


Handler = Callable[[ServiceCall], Awaitable[dict[str, Any] | JsonText]]


@dataclass
class DemoService:
    """A service: its OpenAPI document and a handler per operation.

    ``handlers`` is keyed by ``(METHOD, path)``. An operation without a handler is a
    route whose model does not exist offline: running it fails with a plain message.
    """

    key: str  # stable key used for seeding ids, e.g. "demo-materials"
    name: str
    description: str
    base_url: str
    openapi: dict[str, Any]
    handlers: dict[tuple[str, str], Handler] = field(default_factory=dict)
    # Route name overrides by (METHOD, path); default is Ouro's "METHOD /path" naming.
    route_names: dict[tuple[str, str], str] = field(default_factory=dict)
    visibility: str = "public"
    # The (METHOD, path) operations to import as routes; None imports every operation.
    operations: set[tuple[str, str]] | None = None


def file_payload(
    name: str, data: bytes, extension: str, mime: str, description: str = ""
) -> dict[str, Any]:
    """The output-file payload a service returns under a declared output key."""
    return {
        "name": name,
        "description": description,
        "base64": base64.b64encode(data).decode("ascii"),
        "extension": extension,
        "type": mime,
        "filename": f"{name}.{extension}",
    }
