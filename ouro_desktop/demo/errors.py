"""The demo API's request errors: a status, a plain message and a machine code.

The app turns one into Ouro's error envelope ``{data: null, error: {message, status,
code}}`` with the same HTTP status (ouro-protocol.md §1.5).
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or {
            400: "bad_request",
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            409: "conflict",
            413: "payload_too_large",
            422: "unprocessable_entity",
            429: "rate_limited",
        }.get(status, "error")
        self.extra = extra

    def envelope(self) -> dict[str, Any]:
        error = {
            "name": "HttpError",
            "message": self.message,
            "status": self.status,
            "code": self.code,
            **self.extra,
        }
        return {"data": None, "error": error}
