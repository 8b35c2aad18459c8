""" "Report a problem": what to paste into a message to whoever helps -- the app's version,
the platform, and the last lines of the log, with anything that could be a key removed.

The app never logs its key or tokens, but a report leaves the computer, so it is scrubbed
again here: JSON web tokens, ``Bearer …``, values after names such as ``api_key``,
``token``, ``password``, ``authorization`` or ``X-Amz-Signature``, URL query strings
(signed links carry their signature there), long random-looking strings (ids in the UUID
form stay: they name runs), and any ``known`` secret given. Qt-free.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from pathlib import Path

__all__ = ["REDACTED", "last_lines", "problem_report", "redact"]

REDACTED = "[redacted]"
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
_NAMED = re.compile(
    r"(?P<name>[\"']?\b(?:[a-z0-9_-]*(?:api[_-]?key|apikey|token|secret|passw(?:or)?d|"
    r"authori[sz]ation|signature|credential|cookie|session[_-]?id)[a-z0-9_-]*|sig|key)"
    r"[\"']?\s*(?:=|:)\s*)(?!\[redacted\])(?P<value>\"[^\"]*\"|'[^']*'|[^\s,;&\"')}\]]+)",
    re.IGNORECASE,
)
_QUERY = re.compile(r"(https?://[^\s?#\"']+)\?[^\s#\"']+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_LONG = re.compile(r"[A-Za-z0-9_+/=-]{32,}")


def _random_looking(word: str) -> bool:
    return (
        not _UUID.fullmatch(word)
        and any(c.isdigit() for c in word)
        and any(c.isalpha() for c in word)
    )


def redact(text: str, known: Iterable[str] = ()) -> str:
    """``text`` with every likely secret replaced by ``[redacted]``."""
    for secret in known:
        if secret and len(secret) >= 6:
            text = text.replace(secret, REDACTED)
    text = _JWT.sub(REDACTED, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _NAMED.sub(lambda m: f"{m.group('name')}{REDACTED}", text)
    text = _QUERY.sub(lambda m: f"{m.group(1)}?{REDACTED}", text)
    return _LONG.sub(lambda m: REDACTED if _random_looking(m.group(0)) else m.group(0), text)


def last_lines(path: Path, count: int = 60, *, max_bytes: int = 256 * 1024) -> list[str]:
    """The last ``count`` lines of a log file (read from its end; ``[]`` if unreadable)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - max_bytes))
            tail = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    lines = tail.splitlines()
    if size > max_bytes and lines:
        lines = lines[1:]  # the first line read is probably cut
    return list(deque(lines, maxlen=count))


def problem_report(
    *, version: str, platform: str, log_lines: Iterable[str], known: Iterable[str] = ()
) -> str:
    """The text copied for a problem report."""
    secrets = [k for k in known if k]
    lines = [redact(line, secrets) for line in log_lines]
    parts = [
        f"Ouro Desktop {version}",
        platform,
        "",
        "What I did, what I expected, what happened instead:",
        "",
        "",
        f"Last {len(lines)} lines of the log (keys and tokens removed):" if lines else "No log.",
        *lines,
    ]
    return "\n".join(parts) + "\n"
