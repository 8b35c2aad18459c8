"""How big a JSON value would be as text, found without writing it out (no Qt).

:func:`json_size_exceeds` walks the value and stops as soon as its estimate passes the
limit, so asking about a 50 MB answer costs no more than the limit itself: a container
whose members' lines alone would pass it ends the walk before they are visited (a list of
400,000 records was put on the walk's stack whole first: 0.27 s holding a worker busy).
"""

from __future__ import annotations

from typing import Any

from ouro_desktop.api.compact import CompactList, NumberColumn, RecordColumns

__all__ = ["json_size_exceeds"]


def _compact_size(value: CompactList, depth: int) -> int:
    """What the walk below would count for a compact list's items (without making them)."""
    item = 2 * (depth + 1) + 4
    if isinstance(value, RecordColumns):
        item += sum(len(key) + 4 + 2 * (depth + 2) + 4 + 24 for key in value.keys)
    elif isinstance(value, NumberColumn):
        item += 24
    return item * len(value)


def json_size_exceeds(value: Any, limit: int) -> bool:
    """True when ``value`` as indented JSON would pass ``limit`` characters (an estimate
    that errs high: numbers count 24 characters, every item its indentation)."""
    total = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        total += 2 * depth + 4  # indentation, brackets, comma, line end
        if isinstance(item, dict | list | tuple) and total + len(item) * (2 * depth + 6) > limit:
            return True  # its members' own lines alone pass the limit: no need to visit them
        if isinstance(item, dict):
            for key, child in item.items():
                total += len(str(key)) + 4
                stack.append((child, depth + 1))
        elif isinstance(item, list | tuple):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, CompactList):
            total += _compact_size(item, depth)
        elif isinstance(item, str):
            total += len(item) + 2
        else:
            total += 24
        if total > limit:
            return True
    return False
