"""When a request that is safe to repeat is tried again, and after how long.

Connection errors, 408, 429 and 5xx are retried, at most :data:`MAX_TRIES` times in all,
after a full-jitter backoff (0.5 s base, 8 s cap) so many clients do not return at once;
a 429 or 503 that names its ``Retry-After`` is honoured up to :data:`MAX_RETRY_AFTER_S`.
"""

from __future__ import annotations

import random

from ._wire import ApiResponse

MAX_TRIES = 4
RETRY_BASE_S = 0.5
RETRY_CAP_S = 8.0
MAX_RETRY_AFTER_S = 120.0


def retryable_status(status: int) -> bool:
    return status in (408, 429) or 500 <= status <= 599


class Backoff:
    """Delays before another try, drawn from ``rng`` (tests pass a seeded one)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def delay(self, attempt: int) -> float:
        return self._rng.uniform(0.0, min(RETRY_CAP_S, RETRY_BASE_S * 2 ** (attempt - 1)))

    def after(self, resp: ApiResponse, attempt: int) -> float:
        """The wait after a retryable status: the server's hint if it gave one."""
        hinted = resp.retry_after if resp.status in (429, 503) else None
        return self.delay(attempt) if hinted is None else hinted
