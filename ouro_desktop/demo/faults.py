"""Fault switches for tests: set on the app factory, never reachable over HTTP.

Each one-shot counter is consumed by the next matching request, so a test can say
"the next authenticated call answers 401" and see the client recover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class InjectedResponse:
    """A canned answer for the next request matching ``method`` and ``path`` (a regex).

    With ``after_processing`` the request is handled for real first and only its answer
    is replaced: the server did the work but the client never learns the outcome.
    """

    method: str
    path: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    after_processing: bool = False

    def matches(self, method: str, path: str) -> bool:
        return method.upper() == self.method.upper() and re.fullmatch(self.path, path) is not None


@dataclass
class Faults:
    # Lifetime of issued access tokens, seconds (ouro-py refreshes 300 s before exp).
    token_ttl: float = 3600.0
    # The next N authenticated requests answer 401 (token treated as revoked).
    unauthorized_next: int = 0
    # The next N authenticated requests answer 500 {"error": {"message": "No user context"}}.
    no_user_context_next: int = 0
    # The next N requests answer 429 with Retry-After.
    rate_limit_next: int = 0
    retry_after_s: float = 1.0
    # Extra seconds before a route's service answers, by route id or slug.
    route_latency: dict[str, float] = field(default_factory=dict)
    # Make a route's service fail: route id or slug -> (HTTP status, detail).
    route_failure: dict[str, tuple[int, str]] = field(default_factory=dict)
    # Largest accepted upload (base64 JSON body or signed PUT), bytes; None = no cap.
    upload_cap_bytes: int | None = 64 * 1024 * 1024
    # Largest dataset create or row-batch body, bytes of JSON after gunzip (ouro-py sends
    # at most ~6,000,000; protocol §13.5). Above it: 413, and ouro-py halves the batch.
    dataset_body_cap_bytes: int = 6_500_000
    # Most rows a dataset input may have for the demo to send them to a service in one body.
    dataset_input_rows_cap: int = 200_000
    # Seconds an action may stay in progress before the sweeper marks it timed-out.
    action_timeout_s: float = 600.0
    # Multiplies the deliberate waits of slow demo routes (tests use ~0.01).
    time_scale: float = 1.0
    # One-shot canned answers, consumed in order.
    injected: list[InjectedResponse] = field(default_factory=list)

    def take_injected(self, method: str, path: str) -> InjectedResponse | None:
        for i, item in enumerate(self.injected):
            if item.matches(method, path):
                return self.injected.pop(i)
        return None
