"""Comparing two runs: their inputs row by row, and their responses as a unified diff (no Qt).

* :func:`run_inputs` -- what a run was given (body, query, path parameters, input files),
  from the server's action and/or the local ledger record, as one nested dict.
* :func:`compare_inputs` -- two such dicts flattened to dot paths (``body.options.mode``)
  side by side, each row saying whether the two differ. Lists are compared whole.
* :func:`response_diff` -- the two responses as pretty-printed JSON with sorted keys, diffed
  line by line (``difflib.unified_diff``): ``+`` lines only in the second, ``-`` only in the
  first. Identical responses give an empty list. Only for bounded text: answers whose JSON
  would pass :data:`TEXT_DIFF_LIMIT` characters (:func:`text_diff_allowed`, a walk that stops
  at the limit) give one line saying so, without being written out or diffed; the table of
  :func:`ouro_desktop.core.run_compare.compare_runs` compares any size.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ouro_desktop.api.compact import json_default_str
from ouro_desktop.api.models import Action
from ouro_desktop.core.json_size import json_size_exceeds
from ouro_desktop.core.run_record import RunRecord

__all__ = [
    "MISSING",
    "TEXT_DIFF_LIMIT",
    "TOO_LARGE_TO_DIFF",
    "Row",
    "compare_inputs",
    "display_value",
    "flatten",
    "pretty_json",
    "response_diff",
    "run_inputs",
    "text_diff_allowed",
]

# Above this many characters of JSON, a line diff costs seconds and megabytes (difflib is
# quadratic in the worst case): the answers are compared as a table instead.
TEXT_DIFF_LIMIT: Final = 200_000
TOO_LARGE_TO_DIFF: Final = (
    "(These answers are too large to show as a text diff; the comparison table lists what differs.)"
)


class _Missing:
    """A key one side has and the other does not."""

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


@dataclass(frozen=True)
class Row:
    key: str
    a: Any
    b: Any
    differs: bool


def flatten(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts as one level of dot paths; an empty dict stays a value of its own."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(item, Mapping) and item:
            out.update(flatten(item, path))
        else:
            out[path] = item
    return out


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=json_default_str)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, _Missing) or isinstance(b, _Missing):
        return isinstance(a, _Missing) and isinstance(b, _Missing)
    numbers = (int, float)
    if (
        isinstance(a, numbers)
        and isinstance(b, numbers)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        # 2 and 2.0 are the same number to a service; NaN is never equal, but is "the same".
        return a == b or (math.isnan(a) and math.isnan(b))
    return _canonical(a) == _canonical(b)


def compare_inputs(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Row]:
    """Rows for every dot path of ``a`` then those only in ``b``; absent sides are MISSING."""
    flat_a = flatten(a)
    flat_b = flatten(b)
    keys = list(flat_a) + [k for k in flat_b if k not in flat_a]
    rows = []
    for key in keys:
        left = flat_a.get(key, MISSING)
        right = flat_b.get(key, MISSING)
        rows.append(Row(key, left, right, not _same(left, right)))
    return rows


def display_value(value: Any) -> str:
    """A cell's text: strings as they are, MISSING as an em dash, the rest as JSON."""
    if isinstance(value, _Missing):
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=json_default_str)


def pretty_json(value: Any) -> str:
    """Indented JSON with sorted keys, the form both sides of a diff are written in."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=json_default_str)


def text_diff_allowed(a: Any, b: Any, limit: int = TEXT_DIFF_LIMIT) -> bool:
    """True when both answers are small enough for a line diff of their JSON."""
    return not json_size_exceeds(a, limit) and not json_size_exceeds(b, limit)


def response_diff(
    a: Any,
    b: Any,
    *,
    labels: tuple[str, str] = ("first", "second"),
    context: int = 3,
    limit: int = TEXT_DIFF_LIMIT,
) -> list[str]:
    """Unified diff lines (no line ends) from response ``a`` to response ``b``; one line
    (:data:`TOO_LARGE_TO_DIFF`) when either is larger than ``limit`` characters."""
    if not text_diff_allowed(a, b, limit):
        return [TOO_LARGE_TO_DIFF]
    if _canonical(a) == _canonical(b):
        return []
    return list(
        difflib.unified_diff(
            pretty_json(a).splitlines(),
            pretty_json(b).splitlines(),
            fromfile=labels[0],
            tofile=labels[1],
            n=max(0, context),
            lineterm="",
        )
    )


def _files_from_metadata(raw: Any) -> dict[str, Any]:
    """``metadata.input_assets``: ``{key: {"assetId": id}}`` or ``{key: id}``."""
    if not isinstance(raw, dict):
        return {}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            asset_id = value.get("assetId") or value.get("asset_id") or value.get("id")
        else:
            asset_id = value
        if isinstance(asset_id, str):
            out[str(key)] = {"asset_id": asset_id}
    return out


def _asset_names(action: Action) -> dict[str, str]:
    names: dict[str, str] = {}
    for row in action.input_assets:
        if not isinstance(row, dict):
            continue
        raw_asset = row.get("asset")
        asset: dict[str, Any] = raw_asset if isinstance(raw_asset, dict) else {}
        asset_id = row.get("asset_id") or asset.get("id")
        name = asset.get("name") or row.get("name")
        if isinstance(asset_id, str) and isinstance(name, str):
            names[asset_id] = name
    return names


def run_inputs(action: Action | None, record: RunRecord | None) -> dict[str, Any]:
    """``{"body", "query", "path", "files"}`` of a run (empty parts left out).

    The server's ``metadata`` is what the service really received, so it wins; the ledger
    record fills in a local run the server has not answered for, and the original file
    names (``files.<key>.name``).
    """
    meta = action.metadata if action is not None else {}
    body = meta.get("body") if isinstance(meta.get("body"), dict) else None
    query = meta.get("query") if isinstance(meta.get("query"), dict) else None
    path = meta.get("parameters") if isinstance(meta.get("parameters"), dict) else None
    files = _files_from_metadata(meta.get("input_assets"))
    if record is not None:
        body = record.body if body is None else body
        query = record.query if query is None else query
        path = record.path_params if path is None else path
        if not files:
            files = {k: {"asset_id": v} for k, v in record.input_assets.items()}
        for key, info in record.input_files.items():
            if key in files and isinstance(info, dict) and isinstance(info.get("name"), str):
                files[key] = {"name": info["name"], **files[key]}
    if action is not None:
        names = _asset_names(action)
        for info in files.values():
            if "name" not in info and info.get("asset_id") in names:
                info["name"] = names[info["asset_id"]]
    parts = {"body": body, "query": query, "path": path, "files": files}
    return {key: value for key, value in parts.items() if value}
