"""Checking a table's columns against what a route declares for its dataset input (no Qt).

Routes say which columns they read in two ways: body fields that name a column (a string
field whose key ends in ``column``, such as ``volume_column`` or nixtla's nested
``config.date_column``; protocol §13.7 says they hold *stored* names), and, rarely, the
dataset input's own schema listing ``data.items.properties``. :func:`check_columns` compares
both with a table's columns (from a dropped CSV or from ``GET /datasets/{id}/schema``) and
says in plain words what is missing, suggesting the column a field most likely means
(``volume`` → ``volume_a3``), so the window can offer it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ouro_desktop.api.models import Route
from ouro_desktop.api.schema_normalize import field_title, normalize_schema, request_body_schema
from ouro_desktop.dataset_columns import stored_column_name

from .route_fields import asset_input_schema

__all__ = [
    "ColumnCheck",
    "ColumnField",
    "DeclaredColumn",
    "check_columns",
    "column_fields",
    "declared_columns",
    "suggest_column",
]

_NUMERIC = {"number", "integer"}
_KIND_WORDS = {
    "number": "numbers",
    "integer": "whole numbers",
    "boolean": "true/false values",
    "string": "text",
}


@dataclass(frozen=True)
class ColumnField:
    """A body field whose value names a column of the dataset input."""

    path: tuple[str, ...]  # ("config", "date_column")
    title: str
    default: str | None
    required: bool

    @property
    def dotted(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class DeclaredColumn:
    name: str  # a stored name
    kind: str  # JSON Schema type: number, integer, string, boolean, or "" for any
    required: bool


@dataclass
class ColumnCheck:
    problems: list[str] = field(default_factory=list)
    # A column each unmatched field most likely means, by its dotted path.
    suggestions: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _humanize(key: str) -> str:
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def column_fields(route: Route) -> list[ColumnField]:
    """The body's column-name fields (asset-input keys excluded), nested objects included."""
    found = request_body_schema(route)
    if found is None:
        return []
    top, root = found
    out: list[ColumnField] = []

    def walk(schema: dict[str, Any], path: tuple[str, ...], depth: int) -> None:
        props = schema.get("properties")
        if not isinstance(props, dict) or depth > 4:
            return
        required = schema.get("required") if isinstance(schema.get("required"), list) else []
        for key, raw in props.items():
            if not isinstance(raw, dict) or (not path and key in route.input_assets):
                continue
            sub = normalize_schema(raw, root)
            if sub.get("type") == "object" or "properties" in sub:
                walk(sub, (*path, key), depth + 1)
            elif sub.get("type") == "string" and key.lower().endswith("column"):
                default = sub.get("default")
                out.append(
                    ColumnField(
                        path=(*path, key),
                        title=field_title(key, raw) or _humanize(key),
                        default=default if isinstance(default, str) else None,
                        required=key in (required or []),
                    )
                )

    walk(top, (), 0)
    return out


def declared_columns(route: Route, key: str) -> list[DeclaredColumn]:
    """Columns the dataset input's schema lists for its rows (``data.items.properties``)."""
    schema = asset_input_schema(route, key)
    data = schema.get("properties", {}).get("data") if isinstance(schema, dict) else None
    items = data.get("items") if isinstance(data, dict) else None
    props = items.get("properties") if isinstance(items, dict) else None
    if not isinstance(props, dict):
        return []
    assert isinstance(items, dict)
    required = items.get("required") if isinstance(items.get("required"), list) else []
    out = []
    for name, sub in props.items():
        kind = sub.get("type") if isinstance(sub, dict) else None
        out.append(
            DeclaredColumn(
                stored_column_name(str(name)),
                kind if isinstance(kind, str) else "",
                name in (required or []),
            )
        )
    return out


def suggest_column(wanted: str, available: Sequence[str]) -> str | None:
    """The column ``wanted`` most likely means: the same stored name, else one that starts
    with it (``volume`` → ``volume_a3``) or contains it, else the closest spelling."""
    target = stored_column_name(wanted)
    if not target:
        return None
    if target in available:
        return target
    prefixed = [c for c in available if c.startswith(target) or target.startswith(c)]
    if len(prefixed) == 1:
        return prefixed[0]
    containing = [c for c in available if target in c]
    if len(containing) == 1:
        return containing[0]
    close = difflib.get_close_matches(target, list(available), n=1, cutoff=0.6)
    return close[0] if close else None


_TIME_WORDS = ("date", "time", "timestamp", "ds", "ts")


def _by_kind(key: str, columns: Mapping[str, str], taken: set[str]) -> str | None:
    """For a field with no name to go by: the one date column for a date/time field, else
    the one numeric column not already chosen (nixtla's ``value_column`` → ``y``)."""
    words = key.lower().removesuffix("_column").split("_")
    if any(w in _TIME_WORDS for w in words):
        dates = [c for c, k in columns.items() if k in ("date", "date-time")]
        return dates[0] if len(dates) == 1 else None
    numbers = [c for c, k in columns.items() if k in _NUMERIC and c not in taken]
    return numbers[0] if len(numbers) == 1 else None


def _value_at(body: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = body
    for part in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def check_columns(
    columns: Mapping[str, str],
    route: Route,
    key: str,
    body: Mapping[str, Any] | None = None,
) -> ColumnCheck:
    """Compare a table's columns (stored name → kind: ``number``, ``integer``, ``text``,
    ``boolean``, ``date``, ``date-time``) with what the route reads from input ``key``,
    given the body as filled so far (a field left empty counts as its default)."""
    check = ColumnCheck()
    available = list(columns)
    shown = ", ".join(f"“{c}”" for c in available) or "none"
    fields = column_fields(route)
    named = {
        v
        for f in fields
        if isinstance(v := _value_at(body or {}, f.path), str) and stored_column_name(v) in columns
    }
    for fld in fields:
        value = _value_at(body or {}, fld.path)
        wanted = value if isinstance(value, str) and value.strip() else fld.default
        if wanted is None:
            guess = suggest_column(fld.path[-1].removesuffix("_column"), available) or _by_kind(
                fld.path[-1], columns, named | set(check.suggestions.values())
            )
            if guess:
                check.suggestions[fld.dotted] = guess
            continue
        if stored_column_name(wanted) in columns:
            continue
        check.problems.append(
            f"“{fld.title}” is “{wanted}”, but the table has no such column. "
            f"Its columns are: {shown}."
        )
        guess = suggest_column(wanted, available)
        if guess:
            check.suggestions[fld.dotted] = guess
    for col in declared_columns(route, key):
        kind = columns.get(col.name)
        if kind is None:
            if col.required:
                check.problems.append(
                    f"The route needs a column “{col.name}”; the table has: {shown}."
                )
            continue
        if col.kind in _NUMERIC and kind not in _NUMERIC:
            check.problems.append(
                f"The route reads “{col.name}” as {_KIND_WORDS[col.kind]}, but that column "
                f"holds {kind}."
            )
    return check
