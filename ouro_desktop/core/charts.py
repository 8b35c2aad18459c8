"""A route's ``response_charts`` turned into plottable series (no Qt, no plotting library).

A declaration (ouro-protocol.md §4.3, ouro-py ``RouteResponseChart``) names a list in the
response by a dot path (``data``), a ``title`` and ``description`` that may interpolate
response values as ``{path}`` or ``{path:decimals}``, an optional ``sort`` (a record key,
``-key`` for descending) and ``limit``, and a chart ``config``:
``{type, category: {dataKey}, series: [{dataKey, name?, type?}]}``.

:func:`chart_series` follows it and returns a :class:`ChartData`, or None when the
declaration or the response does not make a chart (junk, a missing list, no numbers).
Records whose category is missing, and records with no numeric series value, are
skipped; a series without a number in a kept record gets NaN there (a gap in the line).

Axes are titled like the route's page, never by key: the record schema's ``title`` (or the
humanised key) with its unit, ``"Energy (eV)"`` for ``energy_eV`` (:mod:`ouro_desktop.core.labels`);
a declared series ``name`` names its line, and with one series titles the y axis.

Measured points and a curve fitted to them are drawn differently: a chart ``type`` of
``scatter`` draws every series as markers, and a series whose own ``type`` is ``scatter``
(the way a composed chart mixes them) is drawn as markers over the line series
(:attr:`ChartData.markers`): the measured points stay visible on the fitted curve.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ouro_desktop.api.compact import is_list
from ouro_desktop.core.labels import label_and_unit
from ouro_desktop.core.number_format import MINUS
from ouro_desktop.core.response_schema import item_schema, property_schema, schema_at
from ouro_desktop.core.units import split_title_unit

__all__ = [
    "ChartData",
    "axis_title",
    "chart_series",
    "interpolate",
    "resolve_path",
    "response_charts",
]

_MISSING = object()
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][\w.\-]*)(?::(\d{1,2}))?\}")
_BAR_TYPES = frozenset({"bar", "histogram", "column"})
_MARKER_TYPES = frozenset({"scatter", "points", "markers"})


@dataclass(frozen=True)
class ChartData:
    """One chart ready to draw: ``x`` and every series' values have the same length."""

    title: str
    description: str
    kind: str  # "line" or "bar"
    x_label: str
    x: list[float | str]
    series: list[tuple[str, list[float]]]
    y_label: str = ""
    markers: tuple[bool, ...] = ()  # per series: drawn as markers only (measured points)

    def is_markers(self, index: int) -> bool:
        """Whether series ``index`` is drawn as markers, not a line."""
        return index < len(self.markers) and self.markers[index]

    @property
    def categorical(self) -> bool:
        """True when ``x`` holds labels rather than numbers (drawn at 0, 1, 2, ...)."""
        return any(isinstance(v, str) for v in self.x)

    @property
    def point_count(self) -> int:
        return len(self.x)


def resolve_path(value: Any, path: str) -> Any:
    """``value`` at a dot path (``a.b.0.c``; list items by index); ``None`` if absent.

    An empty path (or ``.``) is the value itself.
    """
    found = _lookup(value, path)
    return None if found is _MISSING else found


def _lookup(value: Any, path: object) -> Any:
    if not isinstance(path, str):
        return _MISSING
    path = path.strip()
    if path in ("", "."):
        return value
    current = value
    for part in path.replace("[", ".").replace("]", "").split("."):
        if part == "":
            continue
        if isinstance(current, dict):
            if part not in current:
                return _MISSING
            current = current[part]
        elif is_list(current) and _is_index(part):
            index = int(part)
            if not -len(current) <= index < len(current):
                return _MISSING
            current = current[index]
        else:
            return _MISSING
    return current


def _is_index(part: str) -> bool:
    return part.isdigit() or (part.startswith("-") and part[1:].isdigit())


def _number(value: Any) -> float | None:
    """A finite float for a JSON number (or numeric text); None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def _minus(text: str) -> str:
    # A real minus sign, as the numbers in the results have ("−3.7200 eV", not "-3.7200").
    return MINUS + text[1:] if text.startswith("-") else text


def _format_value(value: Any, decimals: str | None) -> str:
    number = _number(value) if not isinstance(value, str) else None
    if number is not None:
        if decimals is not None:
            return _minus(f"{number:.{int(decimals)}f}")
        if isinstance(value, int):
            return _minus(str(value))
        return _minus(f"{number:.6g}")
    if isinstance(value, str):
        if decimals is not None and (parsed := _number(value)) is not None:
            return _minus(f"{parsed:.{int(decimals)}f}")
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return "?"


def interpolate(template: Any, response: Any) -> str:
    """``template`` with each ``{path}`` / ``{path:decimals}`` replaced by the response value.

    A path the response does not have reads as ``?``.
    """
    if not isinstance(template, str):
        return ""

    def replace(match: re.Match[str]) -> str:
        found = _lookup(response, match.group(1))
        if found is _MISSING or found is None:
            return "?"
        return _format_value(found, match.group(2))

    return _PLACEHOLDER.sub(replace, template)


def _data_key(entry: Any) -> str | None:
    if isinstance(entry, str) and entry:
        return entry
    if isinstance(entry, dict):
        key = entry.get("dataKey")
        if isinstance(key, str) and key:
            return key
    return None


def axis_title(label: str, unit: str) -> str:
    """``"Energy (eV)"``; a label that already ends in its unit is left alone."""
    if not unit or split_title_unit(label).unit:
        return label
    return f"{label} ({unit})"


def _shared_ending(labels: list[str]) -> str:
    """The words every label ends with, as a title: "Energy" for "Energy" and "Fitted
    energy" (the quantity both lines show); "" when they share none."""
    split = [label.split() for label in labels]
    shared: list[str] = []
    for words in zip(*(reversed(w) for w in split), strict=False):
        if len({word.casefold() for word in words}) != 1:
            break
        shared.insert(0, words[0])
    if not shared:
        return ""
    text = " ".join(shared)
    return text[:1].upper() + text[1:]


def _column(key: str, records_schema: Mapping[str, Any]) -> tuple[str, str]:
    """The label and unit of a record key (a dot path inside each record)."""
    last = key.replace("[", ".").replace("]", "").rstrip(".").rsplit(".", 1)[-1]
    sub = schema_at(records_schema, key) if "." in key else property_schema(records_schema, key)
    return label_and_unit(last, sub)


def _series_label(entry: Any, key: str, records_schema: Mapping[str, Any]) -> tuple[str, str]:
    """A series' name and unit: the declared name (its unit split off), else the column's."""
    label, unit = _column(key, records_schema)
    if isinstance(entry, dict):
        for name in ("name", "label", "title"):
            value = entry.get(name)
            if isinstance(value, str) and value:
                split = split_title_unit(value)
                return split.stem, split.unit or unit
    return label, unit


Series = list[tuple[str, str, str]]  # key, label, unit


def _declared_series(config: dict[str, Any], records_schema: Mapping[str, Any]) -> Series:
    raw = config.get("series")
    if isinstance(raw, dict | str):
        raw = [raw]
    if not isinstance(raw, list):
        return []
    out: Series = []
    for entry in raw:
        key = _data_key(entry)
        if key is not None and key not in (k for k, _, _ in out):
            out.append((key, *_series_label(entry, key, records_schema)))
    return out


def _marker_keys(config: dict[str, Any]) -> set[str]:
    """The declared series drawn as markers (their own ``type`` is ``scatter``)."""
    raw = config.get("series")
    entries = raw if isinstance(raw, list) else [raw]
    keys = set()
    for entry in entries:
        kind = entry.get("type") if isinstance(entry, dict) else None
        key = _data_key(entry)
        if isinstance(kind, str) and kind.lower() in _MARKER_TYPES and key is not None:
            keys.add(key)
    return keys


def _inferred_series(
    records: Sequence[Any], category: str | None, records_schema: Mapping[str, Any]
) -> Series:
    """Without declared series: every key of the first record holding a number."""
    for record in records:
        if isinstance(record, dict):
            return [
                (str(k), *_column(str(k), records_schema))
                for k, v in record.items()
                if k != category and _number(v) is not None and not isinstance(v, str)
            ]
    return []


def _sort_records(records: Sequence[Any], sort: Any) -> Sequence[Any]:
    if not isinstance(sort, str) or not sort.strip("-").strip():
        return records
    descending = sort.startswith("-")
    key = sort.lstrip("-").strip()
    numbers: list[tuple[float, Any]] = []
    texts: list[tuple[str, Any]] = []
    rest: list[Any] = []
    for record in records:
        value = _lookup(record, key)
        if (number := _number(value)) is not None and not isinstance(value, str):
            numbers.append((number, record))
        elif isinstance(value, str):
            texts.append((value, record))
        else:
            rest.append(record)
    numbers.sort(key=lambda pair: pair[0], reverse=descending)
    texts.sort(key=lambda pair: pair[0], reverse=descending)
    # Records without the key go last whichever way the sort runs.
    return [r for _, r in numbers] + [r for _, r in texts] + rest


def _limit(records: Sequence[Any], limit: Any) -> Sequence[Any]:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        return records
    return records[:limit]


def _x_values(raw: list[Any], numeric_category: bool) -> list[float | str]:
    if numeric_category:
        return [_number(v) or 0.0 for v in raw]
    return [v if isinstance(v, str) else _format_value(v, None) for v in raw]


def chart_series(
    response: Any, chart_decl: Any, schema: Mapping[str, Any] | None = None
) -> ChartData | None:
    """The chart ``chart_decl`` declares, drawn from ``response``; None if there is none.

    ``schema`` is the route's response schema (titles and units for the axes), if any.
    """
    if not isinstance(chart_decl, dict):
        return None
    config = chart_decl.get("config")
    if not isinstance(config, dict):
        return None
    records = _lookup(response, chart_decl.get("data"))
    if not is_list(records) or not records:
        return None
    category = _data_key(config.get("category")) or _data_key(config.get("xAxis"))
    data_path = chart_decl.get("data")
    records_schema = (
        item_schema(schema_at(schema, data_path)) if schema and isinstance(data_path, str) else {}
    )
    series = _declared_series(config, records_schema) or _inferred_series(
        records, category, records_schema
    )
    if not series:
        return None
    records = _limit(_sort_records(records, chart_decl.get("sort")), chart_decl.get("limit"))

    raw_x: list[Any] = []
    values: list[list[float]] = [[] for _ in series]
    for index, record in enumerate(records):
        if category is not None:
            x = _lookup(record, category)
            if x is _MISSING or x is None or isinstance(x, dict) or is_list(x):
                continue
        else:
            x = index
        row = [_number(_lookup(record, key)) for key, _, _ in series]
        if all(v is None for v in row):
            continue
        raw_x.append(x)
        for column, value in zip(values, row, strict=True):
            column.append(math.nan if value is None else value)
    if not raw_x:
        return None

    category_decl = config.get("category")
    category_type = category_decl.get("type") if isinstance(category_decl, dict) else None
    if category_type == "category":
        numeric_category = False
    elif category_type == "number":  # numbers sent as text still count
        numeric_category = all(_number(v) is not None for v in raw_x)
    else:
        numeric_category = all(_number(v) is not None and not isinstance(v, str) for v in raw_x)

    chart_type = config.get("type")
    chart_type = chart_type.lower() if isinstance(chart_type, str) else ""
    kind = "bar" if chart_type in _BAR_TYPES else "line"
    markers = tuple(
        kind == "line" and (chart_type in _MARKER_TYPES or key in _marker_keys(config))
        for key, _, _ in series
    )
    labels = [label for _, label, _ in series]
    units = {unit for _, _, unit in series}
    if len(series) == 1:
        y_label = axis_title(series[0][1], series[0][2])
    elif len(units) == 1:  # the legend names the lines; what they share titles the axis
        shared = _shared_ending([_column(key, records_schema)[0] for key, _, _ in series])
        y_label = axis_title(shared, next(iter(units))) if shared else units.pop()
    else:
        y_label = ""
    x_label = axis_title(*_column(category, records_schema)) if category else ""
    return ChartData(
        title=interpolate(chart_decl.get("title"), response),
        description=interpolate(chart_decl.get("description"), response),
        kind=kind,
        x_label=x_label,
        x=_x_values(raw_x, numeric_category),
        series=[(label, column) for label, column in zip(labels, values, strict=True)],
        y_label=y_label,
        markers=markers if any(markers) else (),
    )


def response_charts(
    response: Any, declarations: Any, schema: Mapping[str, Any] | None = None
) -> list[ChartData]:
    """Every chart of a route's ``response_charts`` that the response can fill; ``schema``
    (the route's response schema) titles the axes."""
    if not isinstance(declarations, list):
        return []
    charts = (chart_series(response, decl, schema) for decl in declarations)
    return [chart for chart in charts if chart is not None]
