"""Hypothesis strategies for valid request bodies, from a form spec (the supported subset).

Generated values are in the form's canonical representation (``api.schema.canonical``): an
optional nullable key the form sends as absent is generated absent, never ``null``. Texts
avoid only what the widgets cannot hold by design: a U+FEFF (Qt's line edit drops it) and,
in multi-line boxes, ``\\r`` and the paragraph separator U+2029 (normalised to ``\\n``).
Every generated body is still checked against the schema by the tests.
"""

from __future__ import annotations

import math
from datetime import UTC
from typing import Any

from hypothesis import strategies as st

from ouro_desktop.api.schema import (
    ArrayNode,
    BooleanNode,
    EnumNode,
    JsonNode,
    Node,
    NumberNode,
    ObjectNode,
    OptionalNode,
    StringNode,
)
from ouro_desktop.ui.run.form.choice import value_key


def _json_equal_key(value: Any) -> str:
    """Items JSON Schema's uniqueItems treats as equal (``0`` and ``0.0``) share a key."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value_key(value)


_TEXT = st.characters(exclude_categories=["Cs"], exclude_characters="\ufeff")
_LINES = st.characters(exclude_categories=["Cs"], exclude_characters="\ufeff\r\u2029")
_JSON_LEAF = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(_TEXT, max_size=8)
)
JSON_VALUES = st.recursive(
    _JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(_TEXT, max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def object_values(node: ObjectNode) -> st.SearchStrategy[dict[str, Any]]:
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for child in node.children:
        if isinstance(child, OptionalNode):
            inner = values(child.inner)
            if child.unset == "omit":
                optional[child.key] = inner
            else:
                required[child.key] = st.none() | inner
        else:
            required[child.key] = values(child)
    return st.fixed_dictionaries(required, optional=optional)


def values(node: Node) -> st.SearchStrategy[Any]:
    if isinstance(node, OptionalNode):
        return st.none() | values(node.inner)
    if isinstance(node, ObjectNode):
        return object_values(node)
    if isinstance(node, StringNode):
        return _strings(node)
    if isinstance(node, NumberNode):
        return _numbers(node)
    if isinstance(node, BooleanNode):
        return st.booleans()
    if isinstance(node, EnumNode):
        return st.sampled_from([o.value for o in node.options])
    if isinstance(node, ArrayNode):
        high = node.max_items if node.max_items is not None else node.min_items + 3
        return st.lists(
            values(node.items),
            min_size=node.min_items,
            max_size=min(high, node.min_items + 3),
            unique_by=_json_equal_key if node.unique else None,
        )
    if isinstance(node, JsonNode):
        return _json(node.schema)
    raise AssertionError(f"no strategy for {node!r}")


def _strings(node: StringNode) -> st.SearchStrategy[str]:
    low, high = node.min_length or 0, node.max_length
    if node.pattern:
        base: st.SearchStrategy[str] = st.from_regex(node.pattern, fullmatch=True)
    elif node.format == "email":
        base = st.from_regex(r"[a-z0-9._+-]{1,12}@[a-z0-9-]{1,10}\.[a-z]{2,5}", fullmatch=True)
    elif node.format == "uri":
        base = st.from_regex(r"https://[a-z0-9]{1,12}\.org/[A-Za-z0-9_~.-]{0,12}", fullmatch=True)
    elif node.format == "date":
        base = st.dates().map(lambda d: d.isoformat())
    elif node.format == "date-time":
        base = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
    else:
        alphabet = _LINES if node.format == "multiline" else _TEXT
        return st.text(
            alphabet, min_size=low, max_size=min(high if high is not None else 40, low + 40)
        )
    return base.filter(lambda s: low <= len(s) and (high is None or len(s) <= high))


def _numbers(node: NumberNode) -> st.SearchStrategy[Any]:
    low = node.minimum if node.minimum is not None else node.exclusive_minimum
    high = node.maximum if node.maximum is not None else node.exclusive_maximum
    ex_low, ex_high = node.exclusive_minimum is not None, node.exclusive_maximum is not None

    def inside(v: float) -> bool:
        return (low is None or v > low or (v == low and not ex_low)) and (
            high is None or v < high or (v == high and not ex_high)
        )

    if node.multiple_of is not None:
        step = node.multiple_of
        k_low = None if low is None else math.ceil(low / step)
        k_high = None if high is None else math.floor(high / step)
        k = st.integers(min_value=k_low, max_value=k_high)
        scaled = k.map(lambda n: n * step)
        return scaled.filter(inside).filter(lambda v: _multiple(v, step))
    ints = st.integers(
        min_value=None
        if low is None
        else math.floor(low) + (1 if ex_low and float(low).is_integer() else 0),
        max_value=None
        if high is None
        else math.ceil(high) - (1 if ex_high and float(high).is_integer() else 0),
    ).filter(inside)
    if node.integer:
        return ints
    floats = st.floats(
        min_value=low,
        max_value=high,
        exclude_min=ex_low,
        exclude_max=ex_high,
        allow_nan=False,
        allow_infinity=False,
    )
    return floats | ints


def _multiple(value: float, step: float) -> bool:
    """jsonschema's own multipleOf test (floats included)."""
    if isinstance(step, float):
        quotient = value / step
        try:
            return int(quotient) == quotient
        except OverflowError:
            return False
    return value % step == 0


def _json(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    variants = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(variants, list):
        return st.one_of([_json(v) for v in variants])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([_json({"type": k}) for k in kind])
    simple = {
        "string": st.text(_TEXT, max_size=10),
        "integer": st.integers(),
        "number": st.floats(allow_nan=False, allow_infinity=False) | st.integers(),
        "boolean": st.booleans(),
        "null": st.none(),
        "array": st.lists(JSON_VALUES, max_size=3),
    }
    if kind in simple:
        return simple[kind]
    if kind == "object":
        extra = schema.get("additionalProperties")
        inner = _json(extra) if isinstance(extra, dict) else JSON_VALUES
        return st.dictionaries(st.text(_TEXT, max_size=6), inner, max_size=3)
    return JSON_VALUES
