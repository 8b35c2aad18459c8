"""How an expected failure reads to the user: its plain message, and the server's request id."""

from __future__ import annotations


def friendly(exc: Exception) -> str:
    """An error's plain message, with the server's request id when there is one."""
    text = getattr(exc, "message", None) or str(exc)
    request_id = getattr(exc, "request_id", None)
    return f"{text} (request id {request_id})" if request_id else text
