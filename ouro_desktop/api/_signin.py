"""Signing in, for the client's HTTP session (no httpx here).

The API key is exchanged at ``POST /users/get-token`` for a JWT sent raw in
``Authorization`` (no ``Bearer``). The token is renewed shortly before its ``exp``
(:func:`._tokens.refresh_delay`) and, by the session, once after a 401 or a 5xx "No user
context"; concurrent failures share one exchange (a lock plus a token generation number),
and callers that waited while an exchange failed share its failure. The exchange's answer
may name the key: it then goes out as ``X-Ouro-Key-Name`` with API requests. The key and
every token are kept out of words and bodies by the session's :class:`._tokens.Redactor`.

:class:`SignIn` holds that state; :class:`._http.HttpSession` builds on it and sends the
exchange (:meth:`SignIn._send_exchange`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from ._body import envelope
from ._tokens import Redactor, issued_token, refresh_delay
from ._wire import ApiResponse, safe_header
from .errors import APIStatusError, AuthenticationError, OuroError, ResponseError

log = logging.getLogger("ouro_desktop.api")


class SignIn:
    """The API key, the token it was exchanged for, and their renewal."""

    def __init__(self, api_key: str | None, access_token: str | None, client_name: str) -> None:
        self._api_key = api_key or None
        self._token: str | None = access_token or None
        self._token_gen = 0
        self._refresh_at: float | None = None
        self._auth_lock = asyncio.Lock()
        self._exchange_attempts = 0
        self._last_failure: OuroError | None = None
        self._secrets = Redactor([api_key, access_token])
        self.key_name: str | None = None
        self.exchanges = 0
        # Headers for the API only: signed storage URLs (other hosts) never see them.
        self._api_headers: dict[str, str] = {"X-Ouro-Client": client_name}
        if access_token:
            self._schedule_refresh(access_token)

    async def _send_exchange(self, api_key: str) -> ApiResponse:
        """``POST /users/get-token`` with the key, unauthenticated (the session's)."""
        raise NotImplementedError

    @property
    def can_refresh(self) -> bool:
        return self._api_key is not None

    @property
    def has_token(self) -> bool:
        return self._token is not None

    # -- secrets hygiene ---------------------------------------------------------------------
    def redact(self, value: Any) -> Any:
        """``value`` (decoded JSON) with the key and tokens replaced, should a server echo them."""
        return self._secrets.redact(value)

    def scrub(self, exc: OuroError) -> OuroError:
        """Remove the key and tokens from an error's words and body."""
        return self._secrets.scrub(exc)

    def error_of(self, resp: ApiResponse) -> APIStatusError:
        """The typed, secret-free error for a refused request."""
        return self._secrets.error_of(resp)

    def error_from(
        self, status: int, body: Any, request_id: str | None, retry_after: float | None = None
    ) -> APIStatusError:
        return self._secrets.error_from(status, body, request_id, retry_after)

    # -- tokens --------------------------------------------------------------------------------
    def _schedule_refresh(self, token: str) -> None:
        delay = refresh_delay(token)
        self._refresh_at = None if delay is None else time.monotonic() + delay

    def _set_token(self, token: str) -> None:
        self._token = token
        self._token_gen += 1
        self._secrets.add(token)
        self._schedule_refresh(token)

    async def _exchange(self) -> None:
        assert self._api_key is not None
        self.exchanges += 1
        log.debug("exchanging the API key for an access token")
        resp = await self._send_exchange(self._api_key)
        rejected = (
            "Ouro did not accept this API key. Check that it was copied in full "
            "and has not been revoked."
        )
        if resp.status in (401, 403):
            raise AuthenticationError(rejected, status=resp.status, request_id=resp.request_id)
        if not resp.ok:
            envelope(resp, self._secrets)  # raises the matching error (redirect, 4xx, 5xx…)
        body = resp.json()
        if not isinstance(body, dict):
            raise ResponseError("The sign-in answer from the server is not usable.")
        if body.get("error"):
            raise AuthenticationError(
                rejected, status=401, body=self.redact(body), request_id=resp.request_id
            )
        token = issued_token(body.get("access_token"))
        if token is None:
            raise AuthenticationError(
                "The server did not issue a sign-in token for this API key.",
                status=401,
                request_id=resp.request_id,
            )
        self._set_token(token)
        name = safe_header(body.get("api_key_name"))
        if name:
            self.key_name = name
            self._api_headers["X-Ouro-Key-Name"] = name

    async def refresh(self, seen_gen: int) -> None:
        """Exchange the key again unless another task already did since ``seen_gen``.

        Callers that waited while another task's exchange failed share that failure
        instead of trying again at once; the next call after it tries afresh.
        """
        attempts_seen = self._exchange_attempts
        async with self._auth_lock:
            if self._token_gen != seen_gen:
                return
            if self._exchange_attempts != attempts_seen and self._last_failure is not None:
                raise self._last_failure
            try:
                await self._exchange()
            except OuroError as exc:
                self._last_failure = exc
                raise
            else:
                self._last_failure = None
            finally:
                self._exchange_attempts += 1  # counted when finished: waiters see the outcome

    async def token(self) -> tuple[str, int]:
        """A usable token and its generation, exchanging the key first when needed."""
        gen = self._token_gen
        due = self._refresh_at is not None and time.monotonic() >= self._refresh_at
        if self._api_key is not None and (self._token is None or due):
            await self.refresh(gen)
        if self._token is None:
            raise AuthenticationError("You are not signed in.", status=401)
        return self._token, self._token_gen
