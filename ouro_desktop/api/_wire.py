"""What the client accepts: where it may connect, and which answers it can read.

Pure functions and a plain answer type, free of httpx so they are easy to test:

* :func:`check_url`: ``https`` only; plain ``http`` just for this computer (127.0.0.0/8,
  ``::1``, ``localhost``) and the reserved test names ``*.test`` and ``*.localhost``
  (used by in-process tests); never a user name or password inside a URL;
* :func:`parse_json`: UTF-8 JSON, no deeper than 200 levels, else a ResponseError;
  an answer above :data:`STEPPED_PARSE_BYTES` is decoded in small steps (see
  :mod:`._json`; an ASCII one straight from its bytes, never decoded whole), and
  :meth:`ApiResponse.parse_off_loop` does that in a worker thread so the event loop (the
  window) never waits for a big answer to be read;
* :class:`ApiResponse`: a complete, size-checked answer with its request id.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import ipaddress
import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from ._json import AsciiText, JsonTooDeep, Text, loads_in_steps, nesting_over, skip_space
from .errors import APIStatusError, InsecureURLError, ResponseError, status_error

MAX_JSON_DEPTH = 200
# Answers above this are read in steps (and off the event loop): json.loads of one
# holds the interpreter for a frame or more. Below it, one json.loads takes < 1 ms.
STEPPED_PARSE_BYTES = 256 * 1024
# Answers above this are decoded in a worker thread (one json.loads at a time, then the
# depth check): a page of 100 runs (~100-200 KB) cost the loop 3-5 ms each poll of a batch.
OFF_LOOP_PARSE_BYTES = 32 * 1024
_TOO_DEEP = "The server's answer is nested too deeply to be read."
_BLANK = re.compile(rb"[ \t\n\r\x0b\x0c]*")  # what bytes.strip() strips


# -- URL policy ------------------------------------------------------------------------------
def is_local_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith((".localhost", ".test")):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, what: str = "server") -> str:
    """``url`` if the client may talk to it, else :class:`InsecureURLError` (see module doc)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port
    except ValueError:
        raise InsecureURLError(f"The {what} address is not a valid web address.") from None
    if "@" in parts.netloc:
        raise InsecureURLError(
            f"The {what} address must not contain a user name or password; "
            "sign in with an API key instead."
        )
    scheme = parts.scheme.lower()
    if not host or scheme not in ("http", "https"):
        raise InsecureURLError(f"The {what} address must start with https://.")
    if scheme == "http" and not is_local_host(host):
        raise InsecureURLError(
            f"Refusing to use plain http for {host}: the {what} must use https "
            "(plain http is allowed only for this computer)."
        )
    return url


def origin_of(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


# -- JSON with guards ------------------------------------------------------------------------
@contextmanager
def _collector_paused() -> Iterator[None]:
    """No automatic cyclic garbage collection while a big answer is built.

    A JSON value has no reference cycles (reference counting frees it), yet each of its
    lists is tracked by the collector: building millions of them would trigger full
    collections that walk them all while holding the interpreter, in whichever thread.
    Nothing is frozen after (``gc.freeze`` kept every cycle alive at the time forever).
    Where automatic collection is off already -- in the app, the window's thread
    collects (``ui/common/collector.py``) -- this changes nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_json(
    content: bytes, *, max_depth: int = MAX_JSON_DEPTH, compact_under: Collection[str] = ()
) -> Any:
    """Decode an answer as UTF-8 JSON, refusing anything unusable with a ResponseError."""
    return parse_text(
        readable_text(content), len(content), max_depth=max_depth, compact_under=compact_under
    )


def readable_text(content: bytes | bytearray) -> Text:
    """An answer's bytes as text to parse, or a ResponseError saying why they are not.

    A big ASCII answer (the usual: JSON writers escape everything else) stays bytes, read
    a slice at a time (:class:`._json.AsciiText`): one ``decode`` of 45 MB holds the
    interpreter, so the window, for 25-60 ms, and would keep the answer twice in memory."""
    if len(content) > STEPPED_PARSE_BYTES and content.isascii():
        if _BLANK.fullmatch(content):
            raise ResponseError("The server sent an empty answer.")
        return AsciiText(content)
    return decode_text(content)


def decode_text(content: bytes | bytearray) -> str:
    """An answer's bytes as text, or a ResponseError saying why they are not."""
    if _BLANK.fullmatch(content):  # (not strip(): it copies an answer that ends in a newline)
        raise ResponseError("The server sent an empty answer.")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise ResponseError("The server's answer is not readable text (not UTF-8).") from None


def parse_text(
    text: Text,
    size: int,
    *,
    max_depth: int = MAX_JSON_DEPTH,
    compact_under: Collection[str] = (),
) -> Any:
    """Decode an answer's text (``size`` bytes as sent) as JSON (see :func:`parse_json`).

    In a big answer, long lists of numbers or number records inside the members named in
    ``compact_under`` (an action's ``response``) are kept as columns (:mod:`.compact`).
    ``text`` is an :class:`~._json.AsciiText` only when it is that big."""
    start = skip_space(text, 0)
    if text[start : start + 1] == "<":
        raise ResponseError(
            "The server sent a web page instead of Ouro data. Check the server address."
        )
    try:
        if size > STEPPED_PARSE_BYTES or not isinstance(text, str):
            with _collector_paused():
                return loads_in_steps(text, max_depth, compact_under)
        value = json.loads(text)
    except (RecursionError, JsonTooDeep):
        raise ResponseError(_TOO_DEEP) from None
    except ValueError:
        raise ResponseError("The server's answer is incomplete or not valid JSON.") from None
    if nesting_over(text, max_depth):
        raise ResponseError(_TOO_DEEP)
    return value


class ApiResponse:
    """A complete, size-checked answer; no httpx types leak out of this module."""

    __slots__ = ("status", "content", "headers", "request_id", "compact_under", "_json", "_parsed")

    def __init__(
        self,
        status: int,
        content: bytes | bytearray,
        headers: Mapping[str, str],
        *,
        compact_under: Collection[str] = (),
    ) -> None:
        """``content``: the body as read (a ``bytearray`` when it arrived in many pieces);
        ``compact_under``: members whose long lists may be kept as columns
        (:func:`parse_text`)."""
        self.status = status
        self.content = content
        self.compact_under = frozenset(compact_under)
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.request_id = self.headers.get("x-request-id")
        self._json: Any = None
        self._parsed = False

    def __repr__(self) -> str:
        return f"<ApiResponse {self.status} {len(self.content)} bytes>"

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        if not self._parsed:
            try:
                text = readable_text(self.content)
                size = len(self.content)
                if self.ok and size > STEPPED_PARSE_BYTES:
                    # Nothing reads an accepted answer's bytes once it is decoded: letting
                    # them go now keeps a big answer in memory at most twice, not three
                    # times, at the parse's peak (bytes or text, and the values being
                    # built; an ASCII answer's text is its bytes).
                    self.content = b""
                self._json = parse_text(text, size, compact_under=self.compact_under)
            except ResponseError as exc:
                self._json = exc
            self._parsed = True
        if isinstance(self._json, ResponseError):
            raise self._json
        return self._json

    async def parse_off_loop(self) -> None:
        """Decode a big answer in a worker thread now, so :meth:`json` has it at once.

        Small answers are left to :meth:`json` (decoding them on the loop is quicker
        than a trip to a thread). A failure is kept and raised by :meth:`json`.
        """
        if self._parsed or len(self.content) <= OFF_LOOP_PARSE_BYTES:
            return
        loop = asyncio.get_event_loop()  # qasync may not report a running loop here
        await loop.run_in_executor(None, self.json_or_none)

    def json_or_none(self) -> Any:
        try:
            return self.json()
        except ResponseError:
            return None

    @property
    def retry_after(self) -> float | None:
        raw = self.headers.get("retry-after")
        if not raw:
            return None
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())

    def error(self, redact: Callable[[Any], Any] = lambda body: body) -> APIStatusError:
        """The typed error for a refusal (status honoured from the envelope).

        ``redact`` cleans the decoded body before any words are taken from it.
        """
        return status_error(
            self.status,
            redact(self.json_or_none() if self.content else None),
            request_id=self.request_id,
            retry_after=self.retry_after,
        )


def needs_auth_retry(resp: ApiResponse) -> bool:
    if resp.status == 401:
        return True
    if resp.status < 500:
        return False
    body = resp.json_or_none()
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        error = error.get("message")
    if not isinstance(error, str):
        return False
    text = error.strip().lower()
    return "no user context" in text or text == "no user"


def jwt_times(token: str) -> tuple[float | None, float | None]:
    """``(iat, exp)`` from a JWT payload, read without verifying it (as ouro-py does)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None, None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None, None
    if not isinstance(payload, dict):
        return None, None

    def num(key: str) -> float | None:
        value = payload.get(key)
        return (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )

    return num("iat"), num("exp")


def safe_header(value: object) -> str | None:
    if not isinstance(value, str) or not value or len(value) > 200:
        return None
    if not value.isascii() or not value.isprintable():
        return None
    return value
