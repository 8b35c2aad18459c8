"""How a failed run reads: the stored ``action.response`` and the service's own words.

A run that fails keeps an external-service error (§7.5) whose ``retryable`` flag follows
the status; a service's FastAPI-style ``detail`` becomes one readable sentence.
"""

from __future__ import annotations

from typing import Any

RETRYABLE = {408, 429, 500, 502, 503, 504}
NOT_OFFLINE = (
    "The model behind this route is not available in the offline demo. It runs only on "
    "ouro.foundation; sign in with an Ouro account to use it."
)


def failure_response(status: int, message: str, **extra: Any) -> dict[str, Any]:
    """``action.response`` of a failed run: an external-service error (§7.5)."""
    return {
        "statusCode": status,
        "error": {
            "type": "external_service_error",
            "code": "external_service_error",
            "message": message,
            "status": status,
            "upstreamStatus": status,
            "retryable": status in RETRYABLE,
            **extra,
        },
    }


def detail_message(detail: Any) -> str:
    """A FastAPI-style ``detail`` (string or list of {loc, msg}) as one readable sentence."""
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                parts.append(f"{loc}: {item.get('msg')}" if loc else str(item.get("msg")))
        return "; ".join(parts) or "The request was not valid."
    return str(detail)
