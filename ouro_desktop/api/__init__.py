"""The async Ouro client (no Qt): :class:`OuroClient`, its models and its errors.

See ``architecture.md`` (Client rules). Only :mod:`._http` imports httpx.

:class:`OuroClient` is imported on first use (PEP 562): the models and errors are light,
but the client brings httpx, and the window's first paint needs the models only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# First: keeps httpx's CLI (click, rich, pygments) from loading with httpx.
from . import _httpx_cli  # noqa: F401
from .asset_models import (
    AnyAsset,
    AssetSummary,
    DatasetAsset,
    DatasetColumn,
    DatasetRows,
    DatasetStats,
    PostAsset,
    asset_from_json,
)
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
    ResponseTooLarge,
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

if TYPE_CHECKING:
    from .client import OuroClient


def __getattr__(name: str) -> Any:
    if name == "OuroClient":
        from .client import OuroClient

        return OuroClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "TERMINAL_STATUSES",
    "APIStatusError",
    "Action",
    "ActionLog",
    "AnyAsset",
    "AssetSummary",
    "DatasetAsset",
    "DatasetColumn",
    "DatasetRows",
    "DatasetStats",
    "PostAsset",
    "asset_from_json",
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
    "ResponseTooLarge",
    "Route",
    "SubmissionUnknown",
    "TransportError",
    "UnprocessableEntityError",
    "UploadCancelled",
    "User",
]
