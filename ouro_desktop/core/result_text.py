"""A result view as plain text, for Copy (no Qt): what a scientist pastes into a notebook.

Each value on its own line as ``Label: exact value unit`` (the value as sent, not rounded),
groups indented under their label, tables as tab-separated rows under a header of column
labels with units (ready for a spreadsheet), outputs by name and kind. The text is bounded:
at most ``max_rows`` table rows and ``max_items`` values, each cut short with a line saying
how many more there are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ouro_desktop.core.result_view import ResultItem, ResultView, child_items
from ouro_desktop.core.units import with_unit

__all__ = ["item_text", "result_text"]

INDENT: Final = "  "


def _exact_line(item: ResultItem) -> str:
    if item.kind in ("number", "boolean"):
        value = item.exact if item.kind == "number" else item.text
        if item.kind == "number" and item.text.count(", "):
            value = item.text  # a short inline list: as read ("2, 2, 2")
        return with_unit(value, item.unit)
    if item.kind == "empty":
        return item.text
    if item.kind == "output" and item.output is not None:
        return f"{item.output.name} ({item.output.kind})"
    return item.exact or item.text


def item_text(item: ResultItem) -> str:
    """One value as Copy gives it: the exact value with its unit (a table as TSV)."""
    if item.is_scalar or item.kind == "output":
        return _exact_line(item)
    return "\n".join(_lines(item, 0, max_rows=100_000, budget=[100_000]))


def _table_lines(item: ResultItem, indent: str, max_rows: int) -> Iterator[str]:
    table = item.table
    assert table is not None
    yield indent + "\t".join(column.header for column in table.columns)
    shown = min(table.row_count, max_rows)
    for row in table.rows(0, shown):
        yield indent + "\t".join(cell.exact or cell.text for cell in row)
    if table.row_count > shown:
        yield f"{indent}… {table.row_count - shown} more rows"


def _children(item: ResultItem, limit: int) -> tuple[list[ResultItem], int]:
    """Up to ``limit`` children (building those not built yet), and how many are left."""
    built = list(item.children[:limit])
    if item.more and len(built) < limit:
        start = len(item.children)
        built += child_items(item, start, start + limit - len(built))
    return built, item.count - len(built)


def _lines(item: ResultItem, depth: int, *, max_rows: int, budget: list[int]) -> Iterator[str]:
    indent = INDENT * depth
    if budget[0] <= 0:
        return
    budget[0] -= 1
    if item.kind in ("group", "list"):
        yield f"{indent}{item.label}:"
        children, left = _children(item, budget[0])
        for index, child in enumerate(children):
            if budget[0] <= 0:
                left += len(children) - index
                break
            yield from _lines(child, depth + 1, max_rows=max_rows, budget=budget)
        if left:
            yield f"{indent}{INDENT}… {left} more"
    elif item.kind == "table":
        yield f"{indent}{item.label}:"
        yield from _table_lines(item, indent + INDENT, max_rows)
    else:
        text = _exact_line(item)
        if "\n" in text:
            body = "\n".join(indent + INDENT + line for line in text.splitlines())
            yield f"{indent}{item.label}:\n{body}"
        else:
            yield f"{indent}{item.label}: {text}"


def result_text(view: ResultView, *, max_rows: int = 100_000, max_items: int = 20_000) -> str:
    """The whole answer as text (see the module docstring)."""
    budget = [max_items]
    root = view.root
    items, left = _children(root, max_items) if root.kind == "group" else ([root], 0)
    lines: list[str] = []
    for index, item in enumerate(items):
        if budget[0] <= 0:
            left += len(items) - index
            break
        lines.extend(_lines(item, 0, max_rows=max_rows, budget=budget))
    if left:
        lines.append(f"… {left} more")
    return "\n".join(lines)
