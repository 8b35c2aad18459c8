"""Remembering what was worked out for the last few objects (by identity, not equality).

A route of 2,000 settings takes a while to read into a form spec, its fields and its code
snippets, and several parts of the window ask for each of them. :func:`last_few` keeps
the results for the last objects it was given (the same object, not an equal one: routes
are compared by content only at great cost), so the work can be done once, ahead of time
in a worker thread, and the window's thread finds it done.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["last_few"]

F = TypeVar("F", bound=Callable[..., Any])


def last_few(size: int = 4) -> Callable[[F], F]:
    """Decorate ``fn(obj, *args)`` to remember its results for the last ``size`` calls."""

    def decorate(fn: F) -> F:
        seen: list[tuple[object, tuple[Any, ...], Any]] = []
        lock = threading.Lock()

        @functools.wraps(fn)
        def remembered(obj: object, *args: Any) -> Any:
            with lock:
                for known, known_args, result in seen:
                    if known is obj and known_args == args:
                        return result
            result = fn(obj, *args)
            with lock:
                seen.insert(0, (obj, args, result))
                del seen[size:]
            return result

        return remembered  # type: ignore[return-value]

    return decorate
