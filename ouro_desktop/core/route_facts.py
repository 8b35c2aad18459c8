"""Plain-language facts about a route: price, expected duration, execution mode, visibility.

Shared by the route page and the "Use via API" snippets, so both say the same thing.
"""

from __future__ import annotations

from ouro_desktop.api.models import Route

__all__ = [
    "about_text",
    "duration_text",
    "execution_mode_text",
    "money_text",
    "price_text",
    "visibility_text",
]

_VISIBILITY = {
    "public": "Public",
    "private": "Private (only you)",
    "organization": "Your organization",
    "monetized": "Public, paid",
    "inherit": "Same as its service",
}


def money_text(amount: float, currency: str | None) -> str:
    """``$0.05``, ``$12``, ``$0.0025``, ``50 sats``."""
    if (currency or "usd").lower() == "btc":
        sats = round(amount)
        return f"{sats:,} sat" + ("" if sats == 1 else "s")
    if amount == int(amount):
        return f"${int(amount):,}"
    if round(amount, 2) == amount:
        return f"${amount:,.2f}"
    return f"${amount:,.6f}".rstrip("0")


def price_text(route: Route) -> str:
    """``"$0.05 per call"`` for a paid route, ``"Free"`` otherwise."""
    if not route.is_paid or route.price is None:
        return "Free"
    unit = route.cost_unit or "call"
    text = f"{money_text(route.price, route.price_currency)} per {unit}"
    cap = route.raw.get("max_billable_seconds")
    if unit == "second" and isinstance(cap, int | float) and not isinstance(cap, bool) and cap > 0:
        text += f" (at most {int(cap)} s billed)"
    return text


def about_text(ms: float) -> str:
    """``under a second``, ``about 42 s``, ``about 7 min``, ``about 2.5 h``."""
    return _seconds_text(ms)


def _seconds_text(ms: float) -> str:
    if ms < 1000:
        return "under a second"
    seconds = ms / 1000
    if seconds < 90:
        return f"about {round(seconds)} s"
    minutes = seconds / 60
    if minutes < 90:
        return f"about {round(minutes)} min"
    return f"about {minutes / 60:.1f} h"


def duration_text(route: Route) -> str:
    """Typical time to a finished run from the route's metrics, or ``"no runs yet"``."""
    metrics = route.metrics or {}
    for key in ("p50_completion_ms", "avg_completion_ms"):
        value = metrics.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            text = _seconds_text(float(value))
            count = metrics.get("latency_sample_count")
            if isinstance(count, int) and not isinstance(count, bool) and count > 0:
                text += f" (typical of {count} run{'s' if count != 1 else ''})"
            return text
    return "no runs yet"


def execution_mode_text(route: Route) -> str:
    if route.is_async:
        return "Runs in the background (async)"
    return "Answers right away (sync)"


def visibility_text(route: Route) -> str:
    return _VISIBILITY.get(route.visibility, route.visibility.capitalize() or "Unknown")
