"""Every failure the Ouro client reports, as one typed tree of plain-language errors.

Nothing else leaves :class:`~ouro_desktop.api.client.OuroClient`: transport trouble,
refusals by the server and answers we cannot make sense of all end up here::

    OuroError                         message, request_id
    ├── TransportError                the request did not get a usable answer
    │   ├── ConnectError              no connection was made: nothing was sent
    │   └── RequestTimeout            the server took too long
    ├── SubmissionUnknown             a run was sent but its outcome is unknown
    │                                 (idempotency_key, route_id): reconcile, never resend
    ├── ResponseError                 an answer that is not usable Ouro data
    │   │                             (HTML, truncated, too deep, wrong types, ...)
    │   └── ResponseTooLarge          larger than the client accepts: size (if known)
    ├── APIStatusError                the server refused: status, code, body
    │   ├── BadRequestError           400
    │   ├── AuthenticationError       401 (also a rejected API key)
    │   ├── PermissionDeniedError     403
    │   ├── NotFoundError             404
    │   ├── ConflictError             409
    │   ├── PayloadTooLargeError      413
    │   ├── UnprocessableEntityError  422: field_errors
    │   ├── RateLimitError            429: retry_after
    │   └── InternalServerError       500 and above
    ├── InsecureURLError              a URL the client refuses to talk to
    ├── InvalidRouteReference         text that is not a route id, user/route or link
    ├── UploadCancelled               the user cancelled an upload
    └── FileChangedError              the local file changed since it was checked, or
                                      while it was read: nothing was stored as it

:func:`status_error` is the one place that turns a status and a decoded body into an
exception; it honours ``error.status``/``error.statusCode`` in the body, which Ouro has
used to say "404" inside an HTTP 200 (ouro-protocol.md §1.5).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIStatusError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ConnectError",
    "FileChangedError",
    "InsecureURLError",
    "InternalServerError",
    "InvalidRouteReference",
    "NotFoundError",
    "OuroError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeout",
    "ResponseError",
    "ResponseTooLarge",
    "SubmissionUnknown",
    "TransportError",
    "UnprocessableEntityError",
    "UploadCancelled",
    "body_status",
    "error_message",
    "field_errors_from_detail",
    "status_error",
]


class OuroError(Exception):
    """Base of every error the client raises. ``str(exc)`` is a sentence for the user."""

    def __init__(self, message: str, *, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class TransportError(OuroError):
    """The request never got a usable answer (network, TLS, time-out)."""


class ConnectError(TransportError):
    """No connection could be made, so nothing was sent: safe to try again."""


class RequestTimeout(TransportError):
    """The server did not answer in time."""


class SubmissionUnknown(OuroError):
    """A run request was sent, but no usable answer came back.

    The route may or may not be running. Look the action up (for example by listing
    recent actions and matching ``idempotency_key``); never send the request again blindly.
    """

    def __init__(
        self,
        message: str,
        *,
        idempotency_key: str,
        route_id: str,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.idempotency_key = idempotency_key
        self.route_id = route_id


class ResponseError(OuroError):
    """The server answered with something that is not usable Ouro data."""


class ResponseTooLarge(ResponseError):
    """An answer larger than the client reads into memory; ``size`` in bytes, if declared.

    Not unusable in itself: a caller may ask for less (a list without responses) or
    stream it to a file instead.
    """

    def __init__(self, message: str, *, size: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.size = size


class APIStatusError(OuroError):
    """The server refused the request; ``status`` is the effective status code."""

    default_message = "The Ouro server refused the request."

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        body: object | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.status = status
        self.code = code
        self.body = body


class BadRequestError(APIStatusError):
    default_message = "The server could not accept this request."


class AuthenticationError(APIStatusError):
    default_message = "You are not signed in, or your sign-in has expired."


class PermissionDeniedError(APIStatusError):
    default_message = "Your account is not allowed to do this."


class NotFoundError(APIStatusError):
    default_message = "That was not found on the server."


class ConflictError(APIStatusError):
    default_message = "This conflicts with something that already exists."


class PayloadTooLargeError(APIStatusError):
    default_message = "This is too large for the server to accept."


class UnprocessableEntityError(APIStatusError):
    default_message = "Some of the values were not accepted."

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        body: object | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, body=body, request_id=request_id)
        self.field_errors: dict[str, str] = _field_errors_of_body(body)


class RateLimitError(APIStatusError):
    default_message = "The server is busy with too many requests. Try again shortly."

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        body: object | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, body=body, request_id=request_id)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    default_message = "The Ouro server had a problem. Try again in a moment."


class InsecureURLError(OuroError):
    """A URL the client will not use (plain http to a remote host, credentials in it...)."""


class InvalidRouteReference(OuroError, ValueError):
    """Text that is not a route id, an ``entity/route-name`` or a route link."""


class UploadCancelled(OuroError):
    """The upload was cancelled before it finished."""


class FileChangedError(OuroError):
    """The file on disk is not the one that was checked (its size, modification time or
    content changed), or it changed while its bytes were being read for the upload."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _as_status(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 100 <= value <= 599 else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if 100 <= number <= 599 else None
    return None


def body_status(body: object) -> int | None:
    """``error.status`` or ``error.statusCode`` from an envelope, if it holds a valid one."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if not isinstance(error, dict):
        return None
    return _as_status(error.get("status")) or _as_status(error.get("statusCode"))


def _detail_text(detail: object) -> str | None:
    if isinstance(detail, str) and detail.strip():
        return detail.strip()
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict) and isinstance(item.get("msg"), str):
                field = _loc_name(item.get("loc"))
                parts.append(f"{field}: {item['msg']}" if field else item["msg"])
            elif isinstance(item, str):
                parts.append(item)
        return "; ".join(parts) or None
    return None


def _loc_name(loc: object) -> str:
    if not isinstance(loc, list):
        return ""
    parts = [str(p) for p in loc if isinstance(p, str | int) and not isinstance(p, bool)]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts)


def field_errors_from_detail(detail: object) -> dict[str, str]:
    """FastAPI-style ``[{loc, msg}]`` as ``{"field.path": "message"}`` (first message wins)."""
    out: dict[str, str] = {}
    if not isinstance(detail, list):
        return out
    for item in detail:
        if not isinstance(item, dict) or not isinstance(item.get("msg"), str):
            continue
        out.setdefault(_loc_name(item.get("loc")) or "", item["msg"])
    return out


def _field_errors_of_body(body: object) -> dict[str, str]:
    if not isinstance(body, dict):
        return {}
    error = body.get("error")
    if isinstance(error, dict) and isinstance(error.get("detail"), list):
        return field_errors_from_detail(error["detail"])
    return field_errors_from_detail(body.get("detail"))


def error_message(body: object) -> str | None:
    """The server's own words for an error, from any of the envelope shapes (§1.5, §7.5)."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, str) and error.strip():
        return error.strip()
    if isinstance(error, dict):
        for key in ("message", "detail", "error"):
            text = _detail_text(error.get(key))
            if text:
                return text
    return _detail_text(body.get("detail")) or _detail_text(body.get("message"))


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def status_error(
    http_status: int,
    body: object | None,
    *,
    request_id: str | None = None,
    retry_after: float | None = None,
) -> APIStatusError:
    """The one status → exception mapping; the envelope's own status wins over HTTP's."""
    status = body_status(body) or http_status
    cls: type[APIStatusError]
    if status >= 500:
        cls = InternalServerError
    else:
        cls = _BY_STATUS.get(status, APIStatusError)
    text = error_message(body)
    message = _short(text) if text else f"{cls.default_message} (HTTP {status})"
    code = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        raw_code = body["error"].get("code")
        code = raw_code if isinstance(raw_code, str) else None
    if cls is RateLimitError:
        return RateLimitError(
            message,
            status=status,
            code=code,
            body=body,
            request_id=request_id,
            retry_after=retry_after,
        )
    return cls(message, status=status, code=code, body=body, request_id=request_id)
