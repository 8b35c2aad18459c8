"""Reading body fields defensively: defaults from the schema, plain-language 422s otherwise.

Ouro does not validate a run's body against the route schema before forwarding it, so a
service checks its own inputs (FastAPI does it with pydantic in the real wrappers).
"""

from __future__ import annotations

import math
from typing import Any

from .base import ServiceError


def number(
    body: dict[str, Any],
    key: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: float | None = None,
) -> float:
    """A finite number field (``default`` when missing or null)."""
    value = body.get(key, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ServiceError(422, f"'{key}' must be a number.")
    _check_range(key, float(value), minimum, maximum, exclusive_minimum)
    return float(value)


def integer(
    body: dict[str, Any],
    key: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """An integer field; a float with no fractional part (``2.0``) is accepted."""
    value = body.get(key, default)
    if value is None:
        value = default
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ServiceError(422, f"'{key}' must be a whole number.")
    _check_range(key, value, minimum, maximum, None)
    return value


def boolean(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ServiceError(422, f"'{key}' must be true or false.")
    return value


def string(body: dict[str, Any], key: str, default: str | None = None) -> str | None:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ServiceError(422, f"'{key}' must be text.")
    return value


def _check_range(
    key: str,
    value: float,
    minimum: float | None,
    maximum: float | None,
    exclusive_minimum: float | None,
) -> None:
    if minimum is not None and value < minimum:
        raise ServiceError(422, f"'{key}' must be at least {minimum:g} (got {value:g}).")
    if maximum is not None and value > maximum:
        raise ServiceError(422, f"'{key}' must be at most {maximum:g} (got {value:g}).")
    if exclusive_minimum is not None and value <= exclusive_minimum:
        raise ServiceError(
            422, f"'{key}' must be greater than {exclusive_minimum:g} (got {value:g})."
        )
