"""Compare two runs as a table a scientist reads (no Qt; safe to run in a worker thread).

:func:`compare_runs` flattens both runs' inputs and answers to labelled rows (the labels,
units and rounding of :mod:`ouro_desktop.core.result_view`): ``Conditions › Temperature``,
``298.15 K`` against ``350 K``, marked as differing, with the change ``+51.85 K`` and
``+17.4 %``. Rows come in the answer's order, inputs first.

The work is bounded whatever the answers' size:

* a long list is one row, compared in chunks at C speed for its length and the first item
  that differs ("lists differ from item 38 on"), never element by element as text;
* short lists of numbers are one value row ("2, 2, 2"); short lists of records are
  compared record by record;
* at most ``limits.max_rows`` rows are kept, then one "… N more rows" row; differing rows
  beyond the cap are still counted;
* ``cancel`` (a callable returning True to stop) is checked between nodes and list chunks;
  :class:`CompareCancelled` is raised then.

Output files are compared by name and kind (their bytes are not downloaded to compare).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any, Final, Literal

from ouro_desktop.api.compact import is_list
from ouro_desktop.api.models import Route
from ouro_desktop.core.compare_values import (
    ABSENT,
    Absent,
    Checker,
    CompareCancelled,
    cell_text,
    change_text,
    count_text,
    first_difference,
    same,
    same_scalar,
)
from ouro_desktop.core.labels import distinct_labels, label_and_unit
from ouro_desktop.core.number_format import is_number
from ouro_desktop.core.response_schema import (
    item_schema,
    output_declarations,
    property_schema,
    request_schema,
    resolve,
    response_schema,
)
from ouro_desktop.core.result_table import EMPTY, summary_text
from ouro_desktop.core.result_view import OutputInfo, output_info, sibling_unit
from ouro_desktop.core.uncertainty import (
    declared_uncertainties,
    declared_within,
    rounded_pair,
    uncertainty_pairs,
)
from ouro_desktop.core.units import with_unit

__all__ = [
    "CompareCancelled",
    "CompareLimits",
    "CompareRow",
    "Comparison",
    "RunSide",
    "compare_runs",
]

RowKind = Literal["value", "list", "output", "file", "more"]
INPUTS: Final = "Inputs"
RESULTS: Final = "Results"
SEPARATOR: Final = " › "


@dataclass(frozen=True)
class CompareLimits:
    max_rows: int = 2000  # rows kept; the rest become one "… N more rows" row
    inline_list: int = 6  # a list of at most this many plain values is one value row
    record_items: int = 20  # lists of at most this many records are compared record by record
    chunk: int = 4096  # list items compared between two checks of ``cancel``
    text_chars: int = 200  # a long text is cut here in a cell (the exact text is kept)


@dataclass(frozen=True)
class RunSide:
    """One run: what it was given (:func:`ouro_desktop.core.history_diff.run_inputs`) and
    what it answered."""

    inputs: Mapping[str, Any]
    response: Any
    label: str = ""


@dataclass(frozen=True)
class CompareRow:
    """One row: ``a`` and ``b`` as read (unit included, "—" for nothing), ``a_exact`` and
    ``b_exact`` for hover and Copy."""

    section: str  # "Inputs" or "Results"
    path: str  # dot path in the inputs or the answer, for "Show as JSON"
    label: str  # "Conditions › Temperature"
    kind: RowKind
    a: str
    b: str
    differs: bool
    unit: str = ""
    a_exact: str = ""
    b_exact: str = ""
    change: str = ""  # "+51.85 K"
    change_pct: str = ""  # "+17.4 %"
    note: str = ""  # "lists differ from item 38 on", "only in the second run"


@dataclass(frozen=True)
class Comparison:
    rows: tuple[CompareRow, ...]
    compared: int  # rows compared, those left out included
    differing: int  # of them, how many differ
    omitted: int = 0  # rows beyond the cap (shown as the last, "more", row)
    labels: tuple[str, str] = ("first", "second")

    @property
    def differing_rows(self) -> list[CompareRow]:
        return [row for row in self.rows if row.differs]


class _Walk(Checker):
    """The state of one comparison: its limits, the route's outputs, the cancel checks."""

    def __init__(
        self,
        limits: CompareLimits,
        cancel: Callable[[], bool] | None,
        outputs: Mapping[str, Mapping[str, Any]],
        uncertainties: Mapping[str, str],
    ) -> None:
        super().__init__(cancel, limits.chunk)
        self.limits = limits
        self.outputs = outputs
        self.uncertainties = uncertainties  # value path -> its uncertainty's, as declared
        self.counting = False  # past the row cap: rows are only counted, not labelled


# -- the walk --------------------------------------------------------------------------------
# Past the row cap a value row is only counted: one shared row each for "same" and "differs".
_COUNTED: Final = {
    flag: CompareRow(RESULTS, "", "", "value", "", "", flag) for flag in (False, True)
}
Labelled = tuple[str, str, str, Any, Any, dict[str, Any]]  # key, label, unit, a, b, schema


_PLAIN: Final = frozenset({int, float, str, bool, type(None)})
_PAGE: Final = 256  # sibling keys labelled together (clashing labels are told apart)


def _children(a: Any, b: Any, schema: Mapping[str, Any], walk: _Walk) -> Iterator[Labelled]:
    """Both sides' keys (``a``'s order, then keys only ``b`` has), labelled a page at a
    time; once the row cap is reached only the keys are needed, to count differences."""
    a_map = a if isinstance(a, Mapping) else {}
    b_map = b if isinstance(b, Mapping) else {}
    keys = iter([*a_map, *(k for k in b_map if k not in a_map)])
    while page := list(islice(keys, _PAGE)):
        entries: list[Labelled] = []
        for key in page:
            left, right = a_map.get(key, ABSENT), b_map.get(key, ABSENT)
            if walk.counting:
                entries.append((str(key), str(key), "", left, right, {}))
                continue
            sample = left if left is not ABSENT else right
            sub = property_schema(schema, str(key), sample)
            label, unit = label_and_unit(str(key), sub)
            unit = unit or sibling_unit(a_map, str(key)) or sibling_unit(b_map, str(key))
            entries.append((str(key), label, unit, left, right, sub))
        if not walk.counting:
            labels = distinct_labels([(k, lab, u) for k, lab, u, *_ in entries])
            entries = [
                (k, lab, u, x, y, s)
                for (k, _, u, x, y, s), lab in zip(entries, labels, strict=True)
            ]
        yield from entries


def _absence_note(a: Any, b: Any, labels: tuple[str, str]) -> str:
    if a is ABSENT:
        return f"only in {labels[1]}"
    if b is ABSENT:
        return f"only in {labels[0]}"
    return ""


def _is_records(value: Any, limit: int) -> bool:
    return is_list(value) and 0 < len(value) <= limit and all(isinstance(v, Mapping) for v in value)


def _output_row(
    section: str,
    path: str,
    label: str,
    a: Any,
    b: Any,
    infos: tuple[OutputInfo | None, OutputInfo | None],
    labels: tuple[str, str],
) -> CompareRow:
    def text(info: OutputInfo | None, value: Any) -> str:
        if info is None:
            return EMPTY if value in (None, ABSENT) else summary_text(value)
        return f"{info.name} · {info.kind}"

    left, right = text(infos[0], a), text(infos[1], b)
    same = left == right
    note = _absence_note(a, b, labels) or ("" if not same else "files not compared byte by byte")
    return CompareRow(section, path, label, "output", left, right, not same, note=note)


def _rows(
    section: str,
    path: str,
    trail: tuple[str, ...],
    a: Any,
    b: Any,
    schema: Mapping[str, Any],
    walk: _Walk,
    labels: tuple[str, str],
) -> Iterator[CompareRow]:
    declared = walk.uncertainties if section == RESULTS else {}
    paired = (_paired_texts(a, schema, path, declared), _paired_texts(b, schema, path, declared))
    for key, label, unit, left, right, sub in _children(a, b, schema, walk):
        walk.check()
        if walk.counting and type(left) in _PLAIN and type(right) in _PLAIN:
            # past the row cap, a plain pair is only counted: the fast path of _value_row
            same = (type(left) is type(right) and left == right) or same_scalar(left, right)
            yield _COUNTED[not same]
            continue
        where = f"{path}.{key}" if path else key
        name = SEPARATOR.join((*trail, label))
        declaration = walk.outputs.get(key) if section == RESULTS and not path else None
        infos = (
            output_info(key, left, declaration) if isinstance(left, Mapping) else None,
            output_info(key, right, declaration) if isinstance(right, Mapping) else None,
        )
        if declaration is not None or any(infos):
            yield _output_row(section, where, name, left, right, infos, labels)
        elif section == INPUTS and trail and trail[0] == "Input files":
            yield _file_row(section, where, name, left, right, labels)
        elif isinstance(left, Mapping) and left or isinstance(right, Mapping) and right:
            if isinstance(left, Mapping | Absent) and isinstance(right, Mapping | Absent):
                yield from _rows(section, where, (*trail, label), left, right, sub, walk, labels)
            else:
                yield _value_row(section, where, name, unit, left, right, walk, labels)
        elif is_list(left) or is_list(right):
            yield from _list_rows(
                section, where, (*trail, label), unit, left, right, sub, walk, labels
            )
        else:
            texts = (paired[0].get(key), paired[1].get(key))
            yield _value_row(section, where, name, unit, left, right, walk, labels, texts)


_MAX_PAIRED: Final = 256  # number fields of one object looked at for uncertainty pairs


def _paired_texts(
    values: Any, schema: Mapping[str, Any], path: str, declared: Mapping[str, str]
) -> dict[str, str]:
    """Key -> text of each value given with its uncertainty, and of that uncertainty,
    rounded together as the result view rounds them (:mod:`.uncertainty`): a run's
    "−3.720022 eV ± 0.000017 eV" reads the same in Compare as in its own view."""
    if not isinstance(values, Mapping):
        return {}
    own = declared_within(declared, path)
    fields: list[tuple[str, str, str, Any]] = []
    for key, value in values.items():
        if is_number(value):
            label, unit = label_and_unit(str(key), property_schema(schema, str(key), value))
            fields.append((str(key), label, unit or sibling_unit(values, str(key)), value))
            if len(fields) > _MAX_PAIRED:
                return {}  # a table of numbers, not a few results with their uncertainties
    texts: dict[str, str] = {}
    for value_key, uncertainty_key in uncertainty_pairs(fields, own).items():
        pair = rounded_pair(values[value_key], values[uncertainty_key])
        if pair is not None:
            texts[value_key], texts[uncertainty_key] = pair
    return texts


def _value_row(
    section: str,
    path: str,
    label: str,
    unit: str,
    a: Any,
    b: Any,
    walk: _Walk,
    labels: tuple[str, str],
    texts: tuple[str | None, str | None] = (None, None),
) -> CompareRow:
    """``texts``: each side's value as read when it is rounded with its uncertainty."""
    if a is ABSENT or b is ABSENT:
        differs = not (a is ABSENT and b is ABSENT)
    else:
        differs = not same(a, b, walk)
    if walk.counting:
        return _COUNTED[differs]
    a_text, a_exact = cell_text(a, unit, walk.limits.text_chars)
    b_text, b_exact = cell_text(b, unit, walk.limits.text_chars)
    if texts[0] is not None:
        a_text = with_unit(texts[0], unit)
    if texts[1] is not None:
        b_text = with_unit(texts[1], unit)
    change, percent = change_text(a, b, unit) if differs else ("", "")
    note = _absence_note(a, b, labels)
    return CompareRow(
        section,
        path,
        label,
        "value",
        a_text,
        b_text,
        differs,
        unit=unit,
        a_exact=a_exact,
        b_exact=b_exact,
        change=change,
        change_pct=percent,
        note=note,
    )


def _file_row(
    section: str, path: str, label: str, a: Any, b: Any, labels: tuple[str, str]
) -> CompareRow:
    def parts(value: Any) -> tuple[str, str]:
        if not isinstance(value, Mapping):
            return EMPTY, ""
        name, asset = value.get("name"), value.get("asset_id")
        asset = asset if isinstance(asset, str) else ""
        if isinstance(name, str) and name:
            return name, asset
        return (f"file {asset[:8]}" if asset else EMPTY), asset

    (a_text, a_id), (b_text, b_id) = parts(a), parts(b)
    differs = (a_text, a_id) != (b_text, b_id)
    note = _absence_note(a, b, labels)
    if differs and a_text == b_text and a_id and b_id:
        note = "same name, different files"
    return CompareRow(
        section, path, label, "file", a_text, b_text, differs, "", a_id, b_id, note=note
    )


def _list_rows(
    section: str,
    path: str,
    trail: tuple[str, ...],
    unit: str,
    a: Any,
    b: Any,
    schema: Mapping[str, Any],
    walk: _Walk,
    labels: tuple[str, str],
) -> Iterator[CompareRow]:
    label = SEPARATOR.join(trail)
    limits = walk.limits
    both = [v for v in (a, b) if is_list(v)]
    if all(len(v) <= limits.inline_list and all(is_number(x) for x in v) for v in both):
        yield _value_row(section, path, label, unit, a, b, walk, labels)
        return
    if all(_is_records(v, limits.record_items) for v in both):
        a_list = a if is_list(a) else []
        b_list = b if is_list(b) else []
        items = max(len(a_list), len(b_list))
        sub = item_schema(schema)
        for index in range(items):
            left = a_list[index] if index < len(a_list) else ABSENT
            right = b_list[index] if index < len(b_list) else ABSENT
            name = _record_label(left, right, index)
            where = f"{path}.{index}"
            yield from _rows(section, where, (*trail, name), left, right, sub, walk, labels)
        return
    yield _long_list_row(section, path, label, a, b, walk, labels)


def _record_label(a: Any, b: Any, index: int) -> str:
    for record in (a, b):
        if isinstance(record, Mapping):
            for key in ("name", "label", "formula", "element", "symbol", "title"):
                value = record.get(key)
                if isinstance(value, str) and value.strip() and len(value) <= 40:
                    return f"{index + 1} ({value.strip()})"
    return str(index + 1)


def _long_list_row(
    section: str, path: str, label: str, a: Any, b: Any, walk: _Walk, labels: tuple[str, str]
) -> CompareRow:
    a_text = count_text(a) if is_list(a) else cell_text(a, "", walk.limits.text_chars)[0]
    b_text = count_text(b) if is_list(b) else cell_text(b, "", walk.limits.text_chars)[0]
    note = _absence_note(a, b, labels)
    if is_list(a) and is_list(b):
        first = first_difference(a, b, walk)
        differs = first is not None
        if first is None:
            note = "the same items"
        elif len(a) != len(b) and first == min(len(a), len(b)):
            note = f"the same first {first} items; then only one run has more"
        else:
            note = f"lists differ from item {first + 1} on"
    else:
        differs = True
    return CompareRow(section, path, label, "list", a_text, b_text, differs, note=note)


def compare_runs(
    a: RunSide,
    b: RunSide,
    *,
    route: Route | None = None,
    limits: CompareLimits | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Comparison:
    """Two runs (of the same route, usually) as labelled rows; see the module docstring."""
    limits = limits or CompareLimits()
    labels = (a.label or "the first run", b.label or "the second run")
    outputs = output_declarations(route) if route is not None else {}
    walk = _Walk(limits, cancel, outputs, declared_uncertainties(route))
    body_schema = (request_schema(route) if route is not None else None) or {}
    answer_schema = (response_schema(route) if route is not None else None) or {}
    rows: list[CompareRow] = []
    compared = differing = omitted = omitted_differing = 0
    for row in _all_rows(a, b, body_schema, answer_schema, walk, labels):
        compared += 1
        differing += row.differs
        if len(rows) < limits.max_rows:
            rows.append(row)
            walk.counting = len(rows) == limits.max_rows
        else:
            omitted += 1
            omitted_differing += row.differs
    if omitted:
        rows.append(
            CompareRow(
                RESULTS,
                "",
                f"… {omitted} more row{'s' if omitted != 1 else ''}",
                "more",
                "",
                "",
                bool(omitted_differing),
                note=f"{omitted_differing} of them differ" if omitted_differing else "all the same",
            )
        )
    return Comparison(tuple(rows), compared, differing, omitted, labels)


def _all_rows(
    a: RunSide,
    b: RunSide,
    body_schema: Mapping[str, Any],
    answer_schema: Mapping[str, Any],
    walk: _Walk,
    labels: tuple[str, str],
) -> Iterator[CompareRow]:
    a_in, b_in = a.inputs, b.inputs
    yield from _rows(
        INPUTS,
        "body",
        (),
        a_in.get("body", ABSENT),
        b_in.get("body", ABSENT),
        body_schema,
        walk,
        labels,
    )
    for part, title in (("query", "Query"), ("path", "Path"), ("files", "Input files")):
        left, right = a_in.get(part, ABSENT), b_in.get(part, ABSENT)
        if left is ABSENT and right is ABSENT:
            continue
        yield from _rows(INPUTS, part, (title,), left, right, {}, walk, labels)
    left, right = a.response, b.response
    if isinstance(left, Mapping) or isinstance(right, Mapping):
        left = left if isinstance(left, Mapping) else {}
        right = right if isinstance(right, Mapping) else {}
        yield from _rows(RESULTS, "", (), left, right, resolve(answer_schema), walk, labels)
    elif is_list(left) or is_list(right):
        yield from _list_rows(RESULTS, "", ("Answer",), "", left, right, {}, walk, labels)
    else:
        yield _value_row(RESULTS, "", "Answer", "", left, right, walk, labels)
