"""The async Ouro client (no Qt): :class:`OuroClient`, its models and its errors.

See ``architecture.md`` (Client rules). Only :mod:`._http` imports httpx.
"""

from __future__ import annotations

# First: keeps httpx's CLI (click, rich, pygments) from loading with httpx.
from . import _httpx_cli  # noqa: F401
from .client import OuroClient
from .errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    ConnectError,
    InsecureURLError,
    InternalServerError,
    InvalidRouteReference,
    NotFoundError,
    OuroError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    RequestTimeout,
    ResponseError,
    SubmissionUnknown,
    TransportError,
    UnprocessableEntityError,
    UploadCancelled,
)
from .models import (
    TERMINAL_STATUSES,
    Action,
    ActionLog,
    ExecuteResult,
    FileAsset,
    InputDeclaration,
    Page,
    Route,
    User,
)

__all__ = [
    "TERMINAL_STATUSES",
    "APIStatusError",
    "Action",
    "ActionLog",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "ConnectError",
    "ExecuteResult",
    "FileAsset",
    "InputDeclaration",
    "InsecureURLError",
    "InternalServerError",
    "InvalidRouteReference",
    "NotFoundError",
    "OuroError",
    "OuroClient",
    "Page",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeout",
    "ResponseError",
    "Route",
    "SubmissionUnknown",
    "TransportError",
    "UnprocessableEntityError",
    "UploadCancelled",
    "User",
]
