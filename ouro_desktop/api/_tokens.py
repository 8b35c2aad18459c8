"""The API key and tokens: kept out of what is shown, and renewed before they lapse.

:class:`Redactor` holds the key and the last few tokens and replaces them in decoded
answers and in errors' words and bodies, should a server echo them; the typed errors
for refusals are built through it.
:func:`refresh_delay` says how long a token may be used before it is renewed.
"""

from __future__ import annotations

import json
import time
from typing import Any

from ._wire import ApiResponse, jwt_times
from .errors import APIStatusError, OuroError, status_error

REFRESH_EARLY_S = 300.0


class Redactor:
    """Replaces the key and recent tokens with ``[redacted]``."""

    def __init__(self, secrets: list[str | None]) -> None:
        self._secrets: list[str] = [s for s in secrets if s]

    def __repr__(self) -> str:
        return f"<Redactor of {len(self._secrets)} secrets>"

    def add(self, token: str) -> None:
        self._secrets.append(token)
        del self._secrets[1:-8]  # the key plus the last few tokens

    def _live(self) -> list[str]:
        return [s for s in self._secrets if len(s) >= 6]

    def redact(self, value: Any) -> Any:
        """``value`` (decoded JSON) with the key and tokens replaced, should a server echo them."""
        if value is None:
            return None
        secrets = self._live()
        try:
            dumped = json.dumps(value)
        except (TypeError, ValueError, RecursionError):
            return None
        if not any(s in dumped for s in secrets):
            return value
        for secret in secrets:
            dumped = dumped.replace(secret, "[redacted]")
        return json.loads(dumped)

    def scrub(self, exc: OuroError) -> OuroError:
        """Remove the key and tokens from an error's words and body."""
        secrets = self._live()
        if any(s in exc.message for s in secrets):
            for secret in secrets:
                exc.message = exc.message.replace(secret, "[redacted]")
            exc.args = (exc.message,)
        if isinstance(exc, APIStatusError):
            exc.body = self.redact(exc.body)
        return exc

    def error_of(self, resp: ApiResponse) -> APIStatusError:
        """The typed, secret-free error for a refused request."""
        error = resp.error(self.redact)
        self.scrub(error)
        return error

    def error_from(
        self,
        status: int,
        body: Any,
        request_id: str | None,
        retry_after: float | None = None,
    ) -> APIStatusError:
        error = status_error(
            status, self.redact(body), request_id=request_id, retry_after=retry_after
        )
        self.scrub(error)
        return error


def refresh_delay(token: str) -> float | None:
    """Seconds from now until ``token`` should be renewed; None: only after a 401."""
    iat, exp = jwt_times(token)
    now = time.time()
    if exp is None:
        return None  # opaque token: renewed only after a 401
    # Trust the server's lifetime (exp - iat) over the wall clock when both are given,
    # so a skewed local clock does not cause a refresh on every call.
    ttl = exp - iat if iat is not None and exp > iat else exp - now
    if ttl <= 0:
        return None
    early = min(REFRESH_EARLY_S, ttl / 5)
    return ttl - early


def issued_token(raw: object) -> str | None:
    """The sign-in answer's ``access_token`` if it can be sent as a header, else None."""
    if (
        isinstance(raw, str)
        and 0 < len(raw) <= 16384
        and raw.isascii()
        and raw.isprintable()
        and " " not in raw
    ):
        return raw
    return None
