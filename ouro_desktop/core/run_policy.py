"""The pure rules behind :mod:`ouro_desktop.core.runs`: poll cadence and reconciliation.

Kept apart from the tracker so they can be read and tested without an event loop.

Cadence (ouro-protocol.md §7.4, the same ramp ouro-py uses): the first wait is 0.5 s,
then each wait doubles up to a cap of ``clamp(avg_completion / 5, 1 s, 30 s)`` -- about
five polls over an average run of the route -- or 10 s when the route has no metrics
yet. Each wait after the first is shortened by a random 0–20 % so that many runs do not
poll in lock-step; jitter only ever *shortens* a wait, so the cap is a true maximum and
a finished run is never noticed later than with ouro-py's ramp (the few extra polls this
costs are paid for by not polling the instant a run was accepted, as ouro-py does).
Errors back off the same way but may grow to 30 s, and a server's ``Retry-After`` is
honoured up to 120 s.

Reconciliation (a run whose ``/use`` answer was lost): the server's recent actions are
searched for the one carrying our ``Idempotency-Key`` in ``metadata.idempotency_key``.
Servers that do not record the key get a fallback, chosen to lean towards *adopting*:
declaring "not started" for a run that did start invites the user to pay for it twice,
while adopting a look-alike at worst shows the result of an identical request. The
fallback takes, among actions on the same route that record *no* key (an action with a
different key is certainly not ours), were not sent by another kind of client, are not
already linked to another run, and were created between ``started − 5 s`` (clock skew)
and ``started + 120 s`` (our request could not have been accepted later), the one whose
``created_at`` is closest to our start -- preferring one whose recorded body equals ours.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ouro_desktop.api.models import Action

from .ledger import RunRecord

__all__ = [
    "CLOCK_SKEW_S",
    "ERROR_BACKOFF_MAX_S",
    "JITTER",
    "MAX_ACCEPT_S",
    "POLL_CAP_DEFAULT_S",
    "POLL_CAP_MAX_S",
    "POLL_CAP_MIN_S",
    "POLL_START_S",
    "RETRY_AFTER_MAX_S",
    "backoff",
    "epoch",
    "match_submission",
    "next_wait",
    "poll_cap",
]

POLL_START_S = 0.5
POLL_CAP_MIN_S = 1.0
POLL_CAP_MAX_S = 30.0
POLL_CAP_DEFAULT_S = 10.0  # no metrics yet (ouro-py's DEFAULT_POLL_INTERVAL)
JITTER = 0.2  # waits are shortened by up to this fraction
ERROR_BACKOFF_MAX_S = 30.0
RETRY_AFTER_MAX_S = 120.0
CLOCK_SKEW_S = 5.0  # our clock vs the server's, for "since" and matching windows
MAX_ACCEPT_S = 120.0  # a submission's action is created within this long of its start

Rng = Callable[[], float]


def poll_cap(metrics: Mapping[str, Any] | None) -> float:
    """The longest wait between polls of a route's runs: about 5 polls per average run."""
    avg_ms = (metrics or {}).get("avg_completion_ms")
    if isinstance(avg_ms, bool) or not isinstance(avg_ms, int | float):
        return POLL_CAP_DEFAULT_S
    if not math.isfinite(avg_ms) or avg_ms <= 0:
        return POLL_CAP_DEFAULT_S
    return max(POLL_CAP_MIN_S, min(POLL_CAP_MAX_S, avg_ms / 1000.0 / 5.0))


def _jittered(base: float, rng: Rng) -> float:
    return base * (1.0 - JITTER * min(1.0, max(0.0, rng())))


def next_wait(base: float | None, cap: float, rng: Rng) -> tuple[float, float]:
    """The next step of the ramp: ``(new_base, wait)``.

    ``base`` is the un-jittered previous step (None before the first wait). The first
    wait is exactly 0.5 s (or the cap, if smaller); later ones double, less 0–20 %
    jitter, and never exceed the cap.
    """
    if base is None:
        first = min(POLL_START_S, cap)
        return first, first
    new_base = min(cap, base * 2.0)
    return new_base, min(cap, _jittered(new_base, rng))


def backoff(
    base: float | None, cap: float, rng: Rng, retry_after: float | None = None
) -> tuple[float, float]:
    """The wait after a failed poll: doubling from at least 1 s up to 30 s (or the cap)."""
    limit = max(cap, ERROR_BACKOFF_MAX_S)
    new_base = min(limit, max(POLL_CAP_MIN_S, (base or POLL_START_S) * 2.0))
    wait = min(limit, _jittered(new_base, rng))
    if retry_after is not None and math.isfinite(retry_after) and retry_after > 0:
        wait = max(wait, min(retry_after, RETRY_AFTER_MAX_S))
    return new_base, wait


def epoch(value: datetime | float | str | None) -> float | None:
    """Seconds since the epoch for a server time (aware or naive-as-UTC), else None."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _foreign_client(action: Action) -> bool:
    client = action.metadata.get("client")
    return isinstance(client, str) and bool(client) and not client.startswith("ouro-desktop")


def match_submission(
    record: RunRecord,
    actions: Iterable[Action],
    *,
    is_claimed: Callable[[str], bool] = lambda _id: False,
) -> Action | None:
    """The server action that ``record``'s submission created, if ``actions`` holds it.

    See the module docstring for the rule and why the fallback leans towards adopting.
    """
    pool = list(actions)
    for action in pool:
        if action.idempotency_key == record.idempotency_key:
            return action
    body = _canonical(record.body)
    candidates: list[tuple[int, float, Action]] = []
    for action in pool:
        created = epoch(action.created_at)
        if (
            action.idempotency_key is not None
            or action.route_id != record.route_id
            or created is None
            or not (record.started_at - CLOCK_SKEW_S <= created <= record.started_at + MAX_ACCEPT_S)
            or _foreign_client(action)
            or is_claimed(action.id)
        ):
            continue
        recorded = action.metadata.get("body")
        same_body = isinstance(recorded, dict) and _canonical(recorded) == body
        candidates.append((0 if same_body else 1, abs(created - record.started_at), action))
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c[0], c[1]))[2]
