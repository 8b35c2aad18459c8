"""Reading an answer's body within its size limits (no httpx here: any streamed response).

A success is read up to the session's cap (50 MB by default) and refused beyond it as
:class:`~.errors.ResponseTooLarge`, from its declared length when it has one, else as the
bytes arrive. A refusal's body is read only for its message, so one above 256 KB is
dropped and the status alone speaks (reading it whole cost several times its size).
:func:`envelope` turns a read answer into the API's envelope or a typed error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

from ._tokens import Redactor
from ._wire import ApiResponse
from .errors import ResponseError, ResponseTooLarge

MAX_RESPONSE_BYTES = 50 * 1024 * 1024
MAX_ERROR_BODY_BYTES = 256 * 1024  # an error's message fits many times over


class StreamedResponse(Protocol):
    """What reading needs of a streamed response (``httpx.Response`` is one)."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def is_success(self) -> bool: ...

    def aiter_bytes(self) -> AsyncIterator[bytes]: ...


async def read_capped(response: StreamedResponse, max_bytes: int) -> bytes | bytearray:
    """The whole body of a success up to ``max_bytes``; a refusal's via :func:`read_error_body`.

    A body that arrives in one piece is that piece. One that arrives in many is gathered
    as they arrive, each copied once into a growing buffer (grown in place by the
    allocator): joined at the end, the copy of a 45 MB answer was one call of 25-60 ms
    on the event loop's thread, the window's."""
    if not response.is_success:
        return await read_error_body(response)
    length = response.headers.get("content-length", "")
    too_large = "The server's answer is too large to accept."
    if length.isdigit() and int(length) > max_bytes:
        raise ResponseTooLarge(too_large, size=int(length))
    first: bytes | None = None
    gathered: bytearray | None = None
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise ResponseTooLarge(too_large, size=int(length) if length.isdigit() else None)
        if first is None:
            first = chunk
        elif gathered is None:
            gathered = bytearray(first)
            gathered += chunk
        else:
            gathered += chunk
    if gathered is not None:
        return gathered
    return first if first is not None else b""


async def read_error_body(response: StreamedResponse) -> bytes:
    """A refusal's body, if it is small enough to hold a message (it is only read for
    one); a bigger one is not kept -- reading it whole cost several times its size."""
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_ERROR_BODY_BYTES:
        return b""
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > MAX_ERROR_BODY_BYTES:
            return b""  # the rest is not read; closing the response drops it
        chunks.append(chunk)
    return b"".join(chunks)


def envelope(resp: ApiResponse, secrets: Redactor) -> dict[str, Any]:
    """A success's envelope; a redirect, a refusal or an unusable answer raised as a
    typed error (with the key and tokens taken out of it)."""
    if 300 <= resp.status < 400:
        raise ResponseError(
            f"The server answered with a redirect (HTTP {resp.status}), which is not "
            "followed for API calls. Check the server address."
        )
    if not 100 <= resp.status <= 599:
        raise ResponseError(f"The server answered with an unknown status ({resp.status}).")
    if not resp.ok:
        raise secrets.error_of(resp)
    body = resp.json()
    if not isinstance(body, dict):
        raise ResponseError("The server sent an answer in an unexpected shape.")
    if body.get("error"):
        raise secrets.error_from(resp.status, body, resp.request_id, resp.retry_after)
    return body
