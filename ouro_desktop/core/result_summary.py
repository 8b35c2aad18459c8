"""Reading a result view at a glance (no Qt): the few values a result card shows, the
outputs, the plain values with the groups above them, and the columns a table of many runs
of one route can have before any answer arrives.

* :func:`headline_items` -- the values worth a glance: those the route records as its
  properties (``x-ouro-properties``, e.g. the Fermi energy) first, then numbers with a unit,
  then other short values, in the answer's order; a value that only repeats one of the
  run's settings comes last.
* :func:`output_items` -- the outputs (files, datasets, posts) named in the answer.
* :func:`leaf_items` -- plain values depth-first with the labels of the groups above them.
* :func:`schema_columns` -- the route's top-level plain values as labelled columns with
  units, from its response schema (for a batch table's header).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from ouro_desktop.api.models import Route
from ouro_desktop.core.labels import distinct_labels, label_and_unit
from ouro_desktop.core.response_schema import resolve, response_schema
from ouro_desktop.core.result_table import TableColumn
from ouro_desktop.core.result_view import ResultItem, ResultView

__all__ = [
    "headline_items",
    "leaf_items",
    "output_items",
    "property_paths",
    "schema_columns",
]

_PLAIN_TYPES = frozenset({"number", "integer", "string", "boolean"})


def property_paths(route: Route) -> list[str]:
    """The response paths a route records as properties (``x-ouro-properties`` ``value``)."""
    block = route.raw.get("route")
    declared = block.get("properties") if isinstance(block, Mapping) else None
    paths: list[str] = []
    for entry in declared if isinstance(declared, list) else []:
        value = entry.get("value") if isinstance(entry, Mapping) else None
        if isinstance(value, str) and value.strip(". ") and value not in paths:
            paths.append(value.strip(". "))
    return paths


def leaf_items(
    items: Sequence[ResultItem], limit: int = 500, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], ResultItem]]:
    """Plain items depth-first with the labels of the groups above them (``("Conditions",)``
    for Conditions › Temperature); tables, lists and outputs are not entered. At most
    ``limit`` items."""
    count = 0
    stack: list[tuple[tuple[str, ...], Iterator[ResultItem]]] = [(prefix, iter(items))]
    while stack and count < limit:
        labels, iterator = stack[-1]
        item = next(iterator, None)
        if item is None:
            stack.pop()
            continue
        if item.kind == "group":
            stack.append(((*labels, item.label), iter(item.children)))
        elif item.is_scalar:
            count += 1
            yield labels, item


def headline_items(
    view: ResultView,
    count: int = 4,
    preferred: Sequence[str] = (),
    echoes: Mapping[str, Any] | None = None,
) -> list[ResultItem]:
    """The first few values worth a glance (see the module docstring); ``preferred`` are
    dot paths to show first (:func:`property_paths`). ``echoes`` is what the run was given
    (its body): a top-level value that only repeats a setting (``wavelength_A: 1.5406``)
    tells the user nothing new, so it comes after every other value."""
    leaves = {item.path: item for _, item in leaf_items(view.items, limit=200)}
    chosen: list[ResultItem] = [leaves[p] for p in preferred if p in leaves][:count]
    top = [i for i in view.items if i.kind in ("number", "boolean", "text") and not i.wrap]
    given = echoes or {}
    echoed = [i for i in top if i.key in given and given[i.key] == i.value]
    top = [i for i in top if i not in echoed]
    ranked = [i for i in top if i.kind == "number" and i.unit]
    ranked += [i for i in top if i.kind == "number" and not i.unit]
    ranked += [i for i in top if i.kind != "number"]
    ranked += echoed
    for item in ranked:
        if len(chosen) >= count:
            break
        if item not in chosen:
            chosen.append(item)
    order = {id(item): index for index, (_, item) in enumerate(leaf_items(view.items, 200))}
    return sorted(chosen, key=lambda item: order.get(id(item), 0))


def output_items(view: ResultView) -> list[ResultItem]:
    """Output items at the top level and one level down."""
    found = []
    for item in view.items:
        if item.kind == "output":
            found.append(item)
        elif item.kind == "group":
            found.extend(c for c in item.children if c.kind == "output")
    return found


def _is_plain(schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    return bool(kinds - {"null"}) and kinds - {"null"} <= _PLAIN_TYPES


def schema_columns(route: Route) -> list[TableColumn]:
    """The route's top-level plain values (numbers, texts, yes/no) as labelled columns with
    units, from its response schema; ``[]`` when the route does not describe its answer."""
    schema = response_schema(route)
    properties = schema.get("properties") if schema else None
    if not isinstance(properties, Mapping):
        return []
    entries = []
    for key, raw in properties.items():
        sub = resolve(raw)
        if not _is_plain(sub):
            continue
        label, unit = label_and_unit(str(key), sub)
        description = sub.get("description")
        entries.append((str(key), label, unit, description if isinstance(description, str) else ""))
    labels = distinct_labels([(k, lab, u) for k, lab, u, _ in entries])
    return [
        TableColumn(key, label, unit, help_text)
        for (key, _, unit, help_text), label in zip(entries, labels, strict=True)
    ]
