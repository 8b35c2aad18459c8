"""Choices in a request form: an enum's options and labels, and a default outside them (no Qt).

:func:`enum_options` reads ``enum``, ``const`` and ``oneOf``/``anyOf`` of consts (titles as
labels; two options never read alike). :func:`fit_default_to_choices` handles a route whose
default is not one of its own choices (seen in the real stability spec).
"""

from __future__ import annotations

import json
from typing import Any

from ouro_desktop.api.schema_nodes import Option, same_json

JSON = dict[str, Any]


def enum_options(schema: JSON) -> tuple[Option, ...] | None:
    values: list[Any]
    titles: list[str | None]
    if "const" in schema:
        values, titles = [schema["const"]], [None]
    elif isinstance(schema.get("enum"), list):
        values = list(schema["enum"])
        titles = [None] * len(values)
    elif schema.get("type") == "null":
        values, titles = [None], [None]
    else:
        variants = schema.get("oneOf") or schema.get("anyOf")
        if not isinstance(variants, list) or not all(
            isinstance(v, dict) and "const" in v for v in variants
        ):
            return None
        values = [v["const"] for v in variants]
        titles = [v.get("title") if isinstance(v.get("title"), str) else None for v in variants]
    labels = [t or _label(v) for v, t in zip(values, titles, strict=True)]
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    labels = [  # two choices must never read the same: 1 and "1" become 1 and "1" (quoted)
        f"{label} ({json.dumps(v, ensure_ascii=False)})" if seen[label] > 1 else label
        for label, v in zip(labels, values, strict=True)
    ]
    return tuple(Option(v, label) for v, label in zip(values, labels, strict=True))


def _label(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def fit_default_to_choices(schema: JSON, common: JSON) -> None:
    """A default that is not one of the enum's choices (stability's ``texture_resolution``:
    ``1024`` among ``"512"``, ``"1024"``, ``"2048"``) becomes the nearest choice, with a note:
    the same text, else the nearest number, else the same letters in any case, else the
    first choice."""
    if "default" not in schema:
        return
    options = enum_options(schema)
    default = schema["default"]
    if not options or default is None or any(same_json(o.value, default) for o in options):
        return
    chosen = next((o for o in options if _text(o.value) == _text(default)), None)
    number = _as_number(default)
    if chosen is None and number is not None:
        numeric = [(abs(v - number), o) for o in options if (v := _as_number(o.value)) is not None]
        chosen = min(numeric, key=lambda pair: pair[0])[1] if numeric else None
    if chosen is None and isinstance(default, str):
        chosen = next((o for o in options if _text(o.value).lower() == default.lower()), None)
    chosen = chosen or options[0]
    common["default"] = chosen.value
    common["has_default"] = True
    common["note"] = (
        f"This route's default, {json.dumps(default, ensure_ascii=False)}, is not one of its "
        f"choices; “{chosen.label}” is chosen instead."
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
