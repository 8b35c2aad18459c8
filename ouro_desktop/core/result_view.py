"""How an answer reads: a tree of labelled items from the route's response schema (no Qt).

:func:`build_view` (or :func:`view_for_route`) turns a response into :class:`ResultItem`\\ s:

* a label from the schema ``title`` (a unit in parentheses split off), else the humanised
  key (:mod:`ouro_desktop.core.labels`); the ``description`` as help; a unit from the schema
  or the key (:mod:`ouro_desktop.core.units`); sibling labels never identical;
* numbers rounded for reading with the exact value in ``exact``
  (:mod:`ouro_desktop.core.number_format`), a value and its sibling uncertainty rounded
  together (:mod:`ouro_desktop.core.uncertainty`: ``−14.90038`` and ``0.00018``); ``null``
  as "—"; booleans as Yes/No; long or multi-line text flagged ``wrap``;
* objects as groups; lists of numbers, number rows or records as a :class:`ResultTable`
  (a short list of numbers reads inline, "2, 2, 2"); other lists as groups of items;
* a declared output (``output_assets``), or any object shaped like a file payload or an
  asset row, as an output item with its kind in plain words ("image (PNG)");
* a list a ``response_charts`` declaration draws carries the declaration's index.

Work is bounded whatever the answer's size: a group builds at most ``limits.children``
children (``more`` says how many wait; :func:`child_items` builds any page later), a table
formats rows only when asked, long text is cut for display (``exact`` keeps it whole).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Final, Literal

from ouro_desktop.api.compact import CompactList, is_list, json_default, json_default_str
from ouro_desktop.api.models import Route
from ouro_desktop.core.json_size import json_size_exceeds
from ouro_desktop.core.labels import distinct_labels, humanise_key, label_and_unit
from ouro_desktop.core.number_format import exact_text, format_number, is_number
from ouro_desktop.core.output_kinds import asset_kind, extension_of, preview_family
from ouro_desktop.core.response_schema import (
    item_schema,
    output_declarations,
    property_schema,
    resolve,
    response_schema,
)
from ouro_desktop.core.result_table import EMPTY, ResultTable, table_for
from ouro_desktop.core.uncertainty import (
    declared_uncertainties,
    declared_within,
    rounded_pair,
    uncertainty_pairs,
)
from ouro_desktop.core.units import normalise_unit, with_unit

__all__ = [
    "EMPTY",
    "ItemKind",
    "OutputInfo",
    "ResultItem",
    "ResultView",
    "ViewLimits",
    "build_view",
    "child_items",
    "output_info",
    "sibling_unit",
    "view_for_route",
]

ItemKind = Literal["number", "boolean", "text", "empty", "group", "list", "table", "output"]
_NAME_KEYS: Final = ("name", "label", "title", "formula", "element", "symbol", "id")


@dataclass(frozen=True)
class ViewLimits:
    children: int = 200  # children of a group or list built at once
    inline_numbers: int = 6  # a list of at most this many numbers reads inline
    long_text: int = 80  # longer (or multi-line) text is wrapped
    text_chars: int = 65536  # text is cut here for display; ``exact`` keeps it all
    depth: int = 10  # groups deeper than this are built when expanded


@dataclass(frozen=True)
class OutputInfo:
    """An output (file, dataset, post) named in the answer."""

    key: str
    name: str
    kind: str  # plain words: "crystal structure (CIF)", "image (PNG)", "dataset (table)"
    family: str  # how to preview: "image", "text", "structure", "audio", ... or ""
    extension: str
    description: str
    asset_id: str | None
    asset_type: str
    declared: bool  # the route declares this key as an output


@dataclass(frozen=True)
class _Context:
    outputs: Mapping[str, Mapping[str, Any]]
    charts: Mapping[str, int]
    limits: ViewLimits
    uncertainties: Mapping[str, str] = field(default_factory=dict)  # value path -> its own


@dataclass(frozen=True, eq=False)
class ResultItem:
    """One labelled value (or group, list, table, output) of an answer.

    ``text`` is the value as read, without its unit (``"47.24"``); :attr:`display` adds the
    unit (``"47.24 Å³"``); ``exact`` is the value as sent, for hover and Copy.
    """

    path: str
    key: str
    label: str
    kind: ItemKind
    text: str = ""
    unit: str = ""
    exact: str = ""
    help: str = ""
    wrap: bool = False
    children: tuple[ResultItem, ...] = ()
    more: int = 0  # children not built yet: child_items(item, len(children)) builds them
    table: ResultTable | None = None
    output: OutputInfo | None = None
    chart: int | None = None  # index of the response_charts declaration drawing this list
    value: Any = field(default=None, repr=False)
    schema: Mapping[str, Any] = field(default_factory=dict, repr=False)
    depth: int = 0
    _context: _Context | None = field(default=None, repr=False)

    @property
    def display(self) -> str:
        return with_unit(self.text, self.unit)

    @property
    def is_scalar(self) -> bool:
        return self.kind in ("number", "boolean", "text", "empty")

    @property
    def count(self) -> int:
        """Children (built or not) of a group or list; rows of a table."""
        if self.table is not None:
            return self.table.row_count
        return len(self.children) + self.more


@dataclass(frozen=True, eq=False)
class ResultView:
    """An answer's items; ``root`` is the whole answer as one item."""

    root: ResultItem

    @property
    def items(self) -> tuple[ResultItem, ...]:
        """The top-level items: the answer's keys, or the answer itself when it is not an
        object."""
        return self.root.children if self.root.kind == "group" else (self.root,)


# -- outputs ---------------------------------------------------------------------------------
def _looks_like_output(value: Mapping[str, Any]) -> bool:
    if "asset_type" in value and ("id" in value or "name" in value):
        return True
    has_name = isinstance(value.get("name"), str) or isinstance(value.get("filename"), str)
    has_kind = any(k in value for k in ("extension", "base64", "filename", "url"))
    return has_name and has_kind and ("type" in value or "extension" in value)


def output_info(
    key: str, value: Any, declaration: Mapping[str, Any] | None = None
) -> OutputInfo | None:
    """The output a value names, or None when it is not one."""
    if not isinstance(value, Mapping):
        return None
    if declaration is None and not _looks_like_output(value):
        return None
    metadata = value.get("metadata") if isinstance(value.get("metadata"), Mapping) else {}
    assert isinstance(metadata, Mapping)
    filename = value.get("filename") if isinstance(value.get("filename"), str) else None
    name = value.get("name") if isinstance(value.get("name"), str) else None
    name = name or filename or humanise_key(key)
    extension = value.get("extension") or metadata.get("extension")
    extension = extension if isinstance(extension, str) else ""
    extension = extension.lstrip(".").lower() or extension_of(filename) or extension_of(name)
    mime = value.get("type") if isinstance(value.get("type"), str) else metadata.get("type")
    mime = mime if isinstance(mime, str) else ""
    asset_type = value.get("asset_type") or (declaration or {}).get("asset_type") or "file"
    asset_type = str(asset_type)
    if not extension and declaration and asset_type == "file":
        declared = declaration.get("file_extensions")
        if isinstance(declared, list) and len(declared) == 1 and isinstance(declared[0], str):
            extension = declared[0].lower()
    asset_id = value.get("id") or value.get("asset_id")
    description = value.get("description")
    return OutputInfo(
        key=key,
        name=name,
        kind=asset_kind(asset_type, name, extension, mime),
        family=preview_family(name, extension, mime) if asset_type == "file" else "",
        extension=extension,
        description=description if isinstance(description, str) else "",
        asset_id=asset_id if isinstance(asset_id, str) else None,
        asset_type=asset_type,
        declared=declaration is not None,
    )


# -- building --------------------------------------------------------------------------------
def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def _help(schema: Mapping[str, Any]) -> str:
    description = schema.get("description")
    return description.strip() if isinstance(description, str) else ""


def _scalar(
    path: str, key: str, label: str, unit: str, value: Any, schema: Mapping[str, Any], ctx: _Context
) -> ResultItem:
    common: dict[str, Any] = {
        "path": path,
        "key": key,
        "label": label,
        "help": _help(schema),
        "value": value,
        "schema": schema,
    }
    if value is None:
        return ResultItem(kind="empty", text=EMPTY, exact="null", **common)
    if isinstance(value, bool):
        return ResultItem(
            kind="boolean", text="Yes" if value else "No", exact=exact_text(value), **common
        )
    if is_number(value):
        return ResultItem(
            kind="number", text=format_number(value), unit=unit, exact=exact_text(value), **common
        )
    text = value if isinstance(value, str) else str(value)
    limit = ctx.limits.text_chars
    shown = text if len(text) <= limit else text[:limit] + "…"
    wrap = len(text) > ctx.limits.long_text or "\n" in text
    return ResultItem(kind="text", text=shown, exact=text, wrap=wrap, **common)


def _record_name(value: Any) -> str | None:
    if isinstance(value, Mapping):
        for key in _NAME_KEYS:
            name = value.get(key)
            if isinstance(name, str) and name.strip() and len(name) <= 60:
                return name.strip()
    return None


def _build(
    path: str,
    key: str,
    label: str,
    unit: str,
    value: Any,
    schema: Mapping[str, Any],
    ctx: _Context,
    depth: int,
    declaration: Mapping[str, Any] | None = None,
) -> ResultItem:
    schema = resolve(schema, value)
    common: dict[str, Any] = {
        "path": path,
        "key": key,
        "label": label,
        "help": _help(schema),
        "value": value,
        "schema": schema,
        "depth": depth,
        "_context": ctx,
    }
    info = output_info(key, value, declaration) if isinstance(value, Mapping) else None
    if info is not None:
        return ResultItem(
            kind="output",
            text=info.name,
            exact=""
            if json_size_exceeds(value, ctx.limits.text_chars)
            else json.dumps(value, ensure_ascii=False, default=json_default_str),
            output=info,
            **{**common, "help": common["help"] or info.description},
        )
    if isinstance(value, Mapping):
        if not value:
            return ResultItem(kind="empty", text=EMPTY, exact="{}", **common)
        item = ResultItem(kind="group", **common)
        return _with_children(item, depth < ctx.limits.depth)
    if is_list(value):
        chart = ctx.charts.get(path)
        if not value:
            return ResultItem(kind="empty", text=EMPTY, exact="[]", chart=chart, **common)
        if len(value) <= ctx.limits.inline_numbers and all(is_number(v) for v in value):
            text = ", ".join(format_number(v) for v in value)
            exact = json.dumps(value, default=json_default)
            return ResultItem(
                kind="number", text=text, unit=unit, exact=exact, chart=chart, **common
            )
        table = table_for(value, label=label, unit=unit, schema=schema)
        if table is not None:
            return ResultItem(kind="table", unit=unit, table=table, chart=chart, **common)
        item = ResultItem(kind="list", unit=unit, chart=chart, **common)
        return _with_children(item, depth < ctx.limits.depth)
    return _scalar(path, key, label, unit, value, schema, ctx)


def _with_children(item: ResultItem, build: bool) -> ResultItem:
    total = len(item.value)
    if not build:
        return _replace(item, more=total)
    children = child_items(item, 0, item._context.limits.children if item._context else 200)
    return _replace(item, children=tuple(children), more=total - len(children))


def _replace(item: ResultItem, **changes: Any) -> ResultItem:
    fields = {name: getattr(item, name) for name in item.__dataclass_fields__}
    fields.update(changes)
    return ResultItem(**fields)


def sibling_unit(siblings: Mapping[str, Any], key: str) -> str:
    """The unit a sibling ``<key>_unit`` (or ``<key>Unit``) names, when it is one."""
    for name in (f"{key}_unit", f"{key}Unit", f"{key}_units"):
        text = siblings.get(name)
        if isinstance(text, str) and (unit := normalise_unit(text)):
            return unit
    return ""


def child_items(item: ResultItem, start: int = 0, stop: int | None = None) -> list[ResultItem]:
    """Children ``start`` to ``stop`` of a group or list item, built now (for paging and
    for groups left unbuilt beyond the depth limit)."""
    ctx = item._context or _Context({}, {}, ViewLimits())
    value = item.value
    depth = item.depth + 1
    if isinstance(value, Mapping):
        pairs = list(islice(value.items(), start, stop))
        entries = []
        for key, child in pairs:
            key = str(key)
            sub = property_schema(item.schema, key, child)
            label, unit = label_and_unit(key, sub)
            unit = unit or sibling_unit(value, key)
            entries.append((key, label, unit, child, sub))
        labels = distinct_labels([(k, lab, u) for k, lab, u, _, _ in entries])
        outputs = ctx.outputs if item.depth == 0 else {}
        built_items = [
            _build(_join(item.path, k), k, lab, u, c, s, ctx, depth, outputs.get(k))
            for (k, _, u, c, s), lab in zip(entries, labels, strict=True)
        ]
        return _round_uncertainties(item.path, value, built_items, ctx)
    if is_list(value):
        built = []
        names: list[tuple[str, str, str]] = []
        part = value[start:stop] if isinstance(value, CompactList) else islice(value, start, stop)
        rows = list(enumerate(part, start))
        for index, child in rows:
            name = _record_name(child) or str(index + 1)
            names.append((name, name, item.unit))  # same names are numbered, not keyed
        labels = distinct_labels(names)
        for (index, child), label in zip(rows, labels, strict=True):
            sub = item_schema(item.schema, index, child)
            built.append(
                _build(
                    _join(item.path, index), str(index), label, item.unit, child, sub, ctx, depth
                )
            )
        return built
    return []


def _round_uncertainties(
    path: str, siblings: Mapping[str, Any], items: list[ResultItem], ctx: _Context
) -> list[ResultItem]:
    """Each value that comes with its uncertainty among ``items`` (children of the object
    at ``path``), and that uncertainty, rounded together (see :mod:`.uncertainty`)."""
    declared = declared_within(ctx.uncertainties, path)
    fields = [(i.key, i.label, i.unit, i.value) for i in items if i.kind == "number"]
    pairs = uncertainty_pairs(fields, declared)
    if not pairs:
        return items
    at = {i.key: n for n, i in enumerate(items)}
    for value_key, uncertainty_key in pairs.items():
        texts = rounded_pair(siblings[value_key], siblings[uncertainty_key])
        if texts is None:
            continue
        for key, text in zip((value_key, uncertainty_key), texts, strict=True):
            items[at[key]] = _replace(items[at[key]], text=text)
    return items


def _chart_paths(declarations: Any) -> dict[str, int]:
    paths: dict[str, int] = {}
    if isinstance(declarations, list):
        for index, declaration in enumerate(declarations):
            data = declaration.get("data") if isinstance(declaration, Mapping) else None
            if isinstance(data, str):
                clean = data.replace("[", ".").replace("]", "").strip(".")
                paths.setdefault(clean, index)
    return paths


def build_view(
    response: Any,
    *,
    schema: Mapping[str, Any] | None = None,
    outputs: Mapping[str, Mapping[str, Any]] | None = None,
    charts: Any = None,
    limits: ViewLimits | None = None,
    uncertainties: Mapping[str, str] | None = None,
) -> ResultView:
    """The view of ``response`` described by ``schema`` (a response JSON schema or None),
    with ``outputs`` (declarations by top-level key), ``charts`` (``response_charts``) and
    ``uncertainties`` (value path → the path of its uncertainty, as the route declares)."""
    ctx = _Context(
        dict(outputs or {}), _chart_paths(charts), limits or ViewLimits(), dict(uncertainties or {})
    )
    root = _build("", "", "Answer", "", response, dict(schema or {}), ctx, 0)
    return ResultView(root)


def view_for_route(route: Route, response: Any, limits: ViewLimits | None = None) -> ResultView:
    """:func:`build_view` with the route's response schema, outputs and charts."""
    return build_view(
        response,
        schema=response_schema(route),
        outputs=output_declarations(route),
        charts=route.response_charts,
        limits=limits,
        uncertainties=declared_uncertainties(route),
    )
