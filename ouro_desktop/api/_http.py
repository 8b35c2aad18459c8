"""The client's HTTP engine, and the only module of the app that imports httpx.

One long-lived ``httpx.AsyncClient`` carries every call. This module decides:

* **who we are**: ``User-Agent`` (``ouro-desktop/<version>``) on every request;
  ``X-Ouro-Client`` (the same) and ``X-Ouro-Key-Name`` (once the key exchange names the
  key) only on requests to the API itself, never to storage or any other host;
* **auth** (the key exchange and the token's renewal in :mod:`._signin`): the token is
  renewed once after a 401 or a 5xx "No user context" and the request replayed --
  except for a one-shot request (a run), which is never sent twice: its refusal is
  reported as unknown, to be looked up.
  ``Authorization`` only ever goes to the API's own origin, never to storage or any
  other host;
* **where we may go** (:func:`._wire.check_url`): ``https`` only, plain ``http`` just for
  this computer and the reserved test names; API calls do not follow redirects; signed
  storage URLs (upload, download, each redirect hop) are checked the same way;
* **retries** (:mod:`._retry`): only for requests that are safe to repeat (GET, the key
  exchange, a signed PUT). A whole call, retries included, must finish within its
  deadline, so a server that drips bytes cannot hang it;
* **what we accept** (with :mod:`._wire`): answers above 50 MB
  (:class:`ResponseTooLarge`; :meth:`HttpSession.stream_api_get` streams one to a file
  instead), JSON nested deeper than 200 levels, bytes that are not UTF-8 and anything
  else unusable become a :class:`ResponseError`. A big answer is decoded in a worker
  thread, in small steps, before it is handed on, so reading it never stalls the loop.
  A refusal's body is read only up to 256 KB (it is read for its message); a
  bigger one is dropped and the status alone speaks (the reading is in :mod:`._body`).

The API key and every token stay out of log records, exception messages and reprs
(:mod:`._tokens` replaces them and says when a token is due for renewal).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator, Mapping
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from ._body import MAX_RESPONSE_BYTES, envelope, read_capped
from ._retry import MAX_RETRY_AFTER_S, MAX_TRIES, Backoff, retryable_status
from ._signin import SignIn
from ._wire import (
    ApiResponse,
    check_url,
    needs_auth_retry,
    origin_of,
)
from .errors import (
    APIStatusError,
    AuthenticationError,
    ConnectError,
    OuroError,
    RequestTimeout,
    ResponseError,
    TransportError,
)

log = logging.getLogger("ouro_desktop.api")

DEFAULT_DEADLINE_S = 180.0
MAX_REDIRECTS = 5

Sleep = Callable[[float], Awaitable[None]]
# What callers may inject (tests: httpx.ASGITransport, httpx.MockTransport, respx).
Transport = httpx.AsyncBaseTransport
Unknown = Callable[[OuroError], OuroError]
T = TypeVar("T")


@contextlib.contextmanager
def _mapped_errors(host: str, timeout_s: float | None) -> Iterator[None]:
    """httpx and timeout failures → our transport errors, in plain words."""
    try:
        yield
    except OuroError:
        raise
    except TimeoutError:
        raise RequestTimeout(
            f"The server at {host} did not finish answering within {timeout_s:g} s."
        ) from None
    except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise ConnectError(f"Could not connect to {host} in time.") from exc
    except httpx.ConnectError as exc:
        raise ConnectError(
            f"Could not connect to {host}. Check your internet connection and the server address."
        ) from exc
    except httpx.TimeoutException as exc:
        raise RequestTimeout(f"The server at {host} stopped answering (timed out).") from exc
    except httpx.DecodingError as exc:
        raise ResponseError(f"The answer from {host} could not be decoded.") from exc
    except httpx.HTTPError as exc:
        raise TransportError(f"The connection to {host} broke off before the answer.") from exc
    except Exception as exc:  # a transport must never leak its own exception types
        raise TransportError(
            f"Unexpected failure while talking to {host} ({type(exc).__name__})."
        ) from exc


class HttpSession(SignIn):
    """Auth (:class:`._signin.SignIn`), retries, limits and error mapping over one
    ``httpx.AsyncClient``."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None,
        access_token: str | None,
        transport: Transport | None,
        timeout: float,
        client_name: str,
        deadline: float = DEFAULT_DEADLINE_S,
        sleep: Sleep | None = None,
        rng: random.Random | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
    ) -> None:
        self.base_url = check_url(base_url.strip().rstrip("/"), "Ouro server")
        self.host = urlsplit(self.base_url).hostname or "the server"
        super().__init__(api_key, access_token, client_name)
        self._origin = origin_of(self.base_url)
        self.timeout = timeout
        self.deadline = deadline
        self.max_response_bytes = max_response_bytes
        self._sleep: Sleep = sleep or asyncio.sleep
        self._retry = Backoff(rng or random.Random())
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 15.0)),
            follow_redirects=False,
            headers={"User-Agent": client_name},
        )

    def __repr__(self) -> str:
        return f"<HttpSession {self.base_url} signed_in={self._token is not None}>"

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _send_exchange(self, api_key: str) -> ApiResponse:
        return await self.request(
            "POST", "/users/get-token", json_body={"pat": api_key}, auth=False, retry=True
        )

    # -- requests ------------------------------------------------------------------------------
    async def _send_once(
        self,
        request: httpx.Request,
        timeout_s: float | None,
        host: str,
        compact_under: Collection[str] = (),
    ) -> ApiResponse:
        started = time.monotonic()
        with _mapped_errors(host, timeout_s):
            async with asyncio.timeout(timeout_s):
                response = await self._client.send(request, stream=True)
                try:
                    content = await self._read_capped(response)
                finally:
                    await response.aclose()
        resp = ApiResponse(
            response.status_code, content, response.headers, compact_under=compact_under
        )
        log.debug(
            "%s %s%s -> %s (%d bytes, %.0f ms, request %s)",
            request.method,
            host if request.url.host != self._origin[1] else "",
            request.url.path,
            resp.status,
            len(content),
            (time.monotonic() - started) * 1000,
            resp.request_id or "-",
        )
        # Only ``resp`` may hold the answer while it is parsed: it lets go of the bytes
        # once decoded, but a transport that hands over a body it built whole (the in-app
        # demo's) leaves them in the response's stream too.
        del content, response
        await resp.parse_off_loop()
        return resp

    async def _read_capped(self, response: httpx.Response) -> bytes | bytearray:
        return await read_capped(response, self.max_response_bytes)

    async def stream_api_get(
        self,
        path: str,
        *,
        on_chunk: Callable[[bytes], Awaitable[None]],
        deadline: float | None = None,
    ) -> None:
        """An API GET whose answer goes to ``on_chunk`` as it arrives, with no size cap
        (for saving an answer too large to read into memory). Not retried; a refusal is
        raised as its typed error."""
        url = self.base_url + path
        limit = self.deadline if deadline is None else deadline
        token, _gen = await self.token()
        request = self._client.build_request("GET", url, headers={"Authorization": token})
        with _mapped_errors(self.host, limit):
            async with asyncio.timeout(limit):
                response = await self._client.send(request, stream=True)
                try:
                    if not response.is_success:
                        content = await self._read_capped(response)
                        raise self.error_of(
                            ApiResponse(response.status_code, content, response.headers)
                        )
                    async for chunk in response.aiter_bytes():
                        await on_chunk(chunk)
                finally:
                    await response.aclose()

    @staticmethod
    async def _unsent(step: Awaitable[T], on_unknown: Unknown | None) -> T:
        """Run a sign-in step before sending; for a one-shot request, say nothing was sent."""
        try:
            return await step
        except (TransportError, ResponseError) as exc:
            if on_unknown is None or isinstance(exc, ConnectError):
                raise
            raise ConnectError(
                f"Could not renew the sign-in ({exc.message}); the request was not sent.",
                request_id=exc.request_id,
            ) from exc

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        retry: bool | None = None,
        deadline: float | None = None,
        on_unknown: Unknown | None = None,
        content: bytes | None = None,
        compact_under: Collection[str] = (),
    ) -> ApiResponse:
        """One API call (``path`` below the base URL); refusals are returned, not raised.

        ``retry`` defaults to True for GET only. ``on_unknown`` converts failures that
        happen after the request may have reached the server (for non-idempotent calls).
        ``content`` is a JSON body already encoded (and maybe compressed: say so in
        ``headers``), sent instead of ``json_body``. ``compact_under`` names the members
        of the answer whose long number lists may be kept as columns (an action's
        ``response``: see :mod:`.compact`).
        """
        try:
            return await self._request(
                method,
                path,
                params,
                json_body,
                headers,
                auth,
                retry,
                deadline,
                on_unknown,
                content,
                compact_under,
            )
        except OuroError as exc:
            raise self.scrub(exc) from exc.__cause__

    async def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        headers: Mapping[str, str] | None,
        auth: bool,
        retry: bool | None,
        deadline: float | None,
        on_unknown: Unknown | None,
        content: bytes | None = None,
        compact_under: Collection[str] = (),
    ) -> ApiResponse:
        if not path.startswith("/"):
            raise ValueError("API paths start with '/'")
        url = self.base_url + path
        retry = method.upper() == "GET" if retry is None else retry
        query = {k: v for k, v in (params or {}).items() if v is not None}
        if content is None and json_body is not None:
            content = json.dumps(json_body).encode("utf-8")
        end = time.monotonic() + (self.deadline if deadline is None else deadline)
        attempt = 0
        auth_replayed = False
        while True:
            attempt += 1
            gen = 0
            token = None
            if auth:
                token, gen = await self._unsent(self.token(), on_unknown)
            # After the exchange: it is what names the key.
            extra = {**self._api_headers, **(headers or {})}
            if content is not None:
                extra["Content-Type"] = "application/json"
            if token is not None:
                extra["Authorization"] = token
            request = self._client.build_request(
                method, url, params=query, content=content, headers=extra
            )
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise RequestTimeout(f"The server at {self.host} did not answer in time.")
            try:
                resp = await self._send_once(request, remaining, self.host, compact_under)
            except (TransportError, ResponseError) as exc:
                if isinstance(exc, ConnectError) or on_unknown is None:
                    if retry and attempt < MAX_TRIES and isinstance(exc, TransportError):
                        delay = self._retry.delay(attempt)
                        if time.monotonic() + delay < end:
                            log.debug("retrying after %s in %.2f s", type(exc).__name__, delay)
                            await self._sleep(delay)
                            continue
                    raise
                raise on_unknown(exc) from exc
            if auth and self.can_refresh and not auth_replayed and needs_auth_retry(resp):
                if on_unknown is not None:
                    # A one-shot request (a run) is never sent twice, not even after a
                    # renewal: its fate is looked up instead. The next call renews first.
                    self._refresh_at = time.monotonic()
                    raise on_unknown(
                        AuthenticationError(
                            f"Ouro refused the sign-in for it (HTTP {resp.status})",
                            status=resp.status,
                            request_id=resp.request_id,
                        )
                    )
                # A refused token: renew it once (shared with concurrent callers) and replay.
                auth_replayed = True
                attempt -= 1
                await self._unsent(self.refresh(gen), on_unknown)
                continue
            if retry and attempt < MAX_TRIES and retryable_status(resp.status):
                delay = self._retry.after(resp, attempt)
                if delay <= MAX_RETRY_AFTER_S and time.monotonic() + delay < end:
                    log.debug("retrying after HTTP %s in %.2f s", resp.status, delay)
                    await self._sleep(delay)
                    continue
            return resp

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        retry: bool | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        compact_under: Collection[str] = (),
    ) -> dict[str, Any]:
        """An API call whose success is an envelope; any refusal is raised as a typed error.
        (``compact_under``: see :meth:`request`.)"""
        resp = await self.request(
            method,
            path,
            params=params,
            json_body=json_body,
            retry=retry,
            content=content,
            headers=headers,
            compact_under=compact_under,
        )
        return self.envelope(resp)

    def envelope(self, resp: ApiResponse) -> dict[str, Any]:
        """A success's envelope; a refusal or an unusable answer raised as a typed error."""
        return envelope(resp, self._secrets)

    # -- storage: signed URLs, no Ouro auth ------------------------------------------------
    async def put_stream(
        self,
        url: str,
        *,
        method: str,
        headers: Mapping[str, str],
        content: Callable[[], AsyncIterator[bytes]],
        size: int,
    ) -> None:
        """Send a body to a signed upload URL, retrying safe failures from the start."""
        check_url(url, "upload")
        host = urlsplit(url).hostname or "the storage server"
        send_headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
        send_headers["Content-Length"] = str(size)
        attempt = 0
        while True:
            attempt += 1
            request = self._client.build_request(
                method,
                url,
                content=content(),
                headers=send_headers,
                timeout=httpx.Timeout(max(self.timeout, 60.0), connect=min(self.timeout, 15.0)),
            )
            try:
                resp = await self._send_once(request, None, host)
            except TransportError:
                if attempt < MAX_TRIES:
                    await self._sleep(self._retry.delay(attempt))
                    continue
                raise
            if resp.ok:
                return
            if attempt < MAX_TRIES and retryable_status(resp.status):
                delay = self._retry.after(resp, attempt)
                if delay <= MAX_RETRY_AFTER_S:
                    await self._sleep(delay)
                    continue
            raise self.error_of(resp)

    async def stream_get(
        self,
        url: str,
        *,
        on_start: Callable[[int | None], Awaitable[None]],
        on_chunk: Callable[[bytes], Awaitable[None]],
        max_bytes: int | None = None,
        deadline: float | None = None,
    ) -> None:
        """Download a signed URL in chunks (redirects followed, each hop checked).

        ``max_bytes`` refuses a body larger than the file can be; ``deadline`` bounds
        the whole download so a server that drips bytes cannot hold it forever.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                with _mapped_errors("the storage server", deadline):
                    async with asyncio.timeout(deadline):
                        await self._stream_once(url, on_start, on_chunk, max_bytes)
                return
            except RequestTimeout:
                raise
            except TransportError:
                if attempt < MAX_TRIES:
                    await self._sleep(self._retry.delay(attempt))
                    continue
                raise
            except APIStatusError as exc:
                if attempt < MAX_TRIES and retryable_status(exc.status):
                    await self._sleep(self._retry.delay(attempt))
                    continue
                raise

    async def _stream_once(
        self,
        url: str,
        on_start: Callable[[int | None], Awaitable[None]],
        on_chunk: Callable[[bytes], Awaitable[None]],
        max_bytes: int | None,
    ) -> None:
        too_big = ResponseError("The download is larger than the file it should be; stopped.")
        for _ in range(MAX_REDIRECTS + 1):
            check_url(url, "download")
            host = urlsplit(url).hostname or "the storage server"
            request = self._client.build_request("GET", url)
            with _mapped_errors(host, None):
                response = await self._client.send(request, stream=True)
                try:
                    location = response.headers.get("location")
                    if response.is_redirect and location:
                        url = urljoin(url, location)
                        continue
                    if not response.is_success:
                        content = await self._read_capped(response)
                        raise self.error_of(
                            ApiResponse(response.status_code, content, response.headers)
                        )
                    length = response.headers.get("content-length", "")
                    declared = int(length) if length.isdigit() else None
                    if max_bytes is not None and declared is not None and declared > max_bytes:
                        raise too_big
                    await on_start(declared)
                    received = 0
                    async for chunk in response.aiter_bytes():
                        received += len(chunk)
                        if max_bytes is not None and received > max_bytes:
                            raise too_big
                        await on_chunk(chunk)
                    return
                finally:
                    await response.aclose()
        raise ResponseError("The download was redirected too many times.")
