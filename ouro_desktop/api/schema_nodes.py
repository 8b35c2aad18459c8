"""The form spec's types: one node per construct the form has a widget for, and values (no Qt).

A node describes one field as if it is present; :class:`OptionalNode` wraps whatever a request
may leave out ("set / not set"). :data:`MISSING` stands for "no value" (a key left out, an
empty number field). :func:`initial_value` is what a fresh form holds, :func:`canonical` the
one normalisation the form applies (``null`` for an optional key sent as absent), and
:func:`same_json` an equality that tells ``true`` from ``1`` and ``3`` from ``3.0``.
Built by :mod:`ouro_desktop.api.schema`.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from ouro_desktop.api import validation
from ouro_desktop.api.schema_normalize import openapi30_compat
from ouro_desktop.api.validation import CompiledSchema

JSON = dict[str, Any]
LARGE_ENUM = 500  # more choices than this: a text field with completion, not a combo box


class _Missing:
    """No value: an optional key left out, an empty number field, an enum with no choice."""

    _instance: ClassVar[_Missing | None] = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


# -- nodes ------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Node:
    key: str
    title: str
    description: str = ""
    required: bool = True
    has_default: bool = False
    default: Any = None
    examples: tuple[Any, ...] = ()
    # Something about this field the person should know (e.g. its default was not usable).
    note: str = ""
    schema: JSON = field(default_factory=dict, repr=False, compare=False)
    kind: ClassVar[str] = ""

    @property
    def variant(self) -> str:
        return ""


@dataclass(frozen=True, kw_only=True)
class StringNode(Node):
    kind: ClassVar[str] = "string"
    format: str = "plain"  # plain, multiline, email, uri, date, date-time, password
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None

    @property
    def variant(self) -> str:
        return self.format


@dataclass(frozen=True, kw_only=True)
class NumberNode(Node):
    kind: ClassVar[str] = "number"
    integer: bool = False
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    multiple_of: float | None = None

    @property
    def variant(self) -> str:
        return "integer" if self.integer else "number"

    @property
    def step(self) -> float:
        """What the up/down arrows add: ``multipleOf``, else 1, 0.1 or 0.01 by the range."""
        if self.multiple_of:
            return self.multiple_of
        if self.integer:
            return 1
        low = self.minimum if self.minimum is not None else self.exclusive_minimum
        high = self.maximum if self.maximum is not None else self.exclusive_maximum
        span = (high - low) if low is not None and high is not None else math.inf
        return 0.01 if span <= 1 else 0.1 if span <= 10 else 1


@dataclass(frozen=True, kw_only=True)
class BooleanNode(Node):
    kind: ClassVar[str] = "boolean"


@dataclass(frozen=True)
class Option:
    value: Any
    label: str


@dataclass(frozen=True, kw_only=True)
class EnumNode(Node):
    kind: ClassVar[str] = "enum"
    options: tuple[Option, ...] = ()

    @property
    def variant(self) -> str:
        return "search" if len(self.options) > LARGE_ENUM else "combo"


@dataclass(frozen=True, kw_only=True)
class ObjectNode(Node):
    kind: ClassVar[str] = "object"
    children: tuple[Node, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ArrayNode(Node):
    kind: ClassVar[str] = "array"
    items: Node
    min_items: int = 0
    max_items: int | None = None
    unique: bool = False

    @property
    def variant(self) -> str:
        simple = isinstance(self.items, NumberNode | BooleanNode | EnumNode) or (
            isinstance(self.items, StringNode) and self.items.format != "multiline"
        )
        return "primitive" if simple else "object"


@dataclass(frozen=True, kw_only=True)
class OptionalNode(Node):
    """ "Set / not set". Not set sends nothing (``unset="omit"``) or ``null`` (``"null"``):
    null when the key must be present (required but nullable) or when leaving it out would
    mean a non-null default."""

    kind: ClassVar[str] = "optional"
    inner: Node
    unset: Literal["omit", "null"] = "omit"


@dataclass(frozen=True, kw_only=True)
class JsonNode(Node):
    """Any JSON value (``{}``, a free-form object, a union of types): typed as JSON text."""

    kind: ClassVar[str] = "json"


@dataclass(frozen=True)
class Unrenderable:
    """The body cannot be a form (``reason``, said to the user); ``defaults`` pre-fill the
    raw editor (the top-level defaults that could be read)."""

    reason: str
    defaults: JSON = field(default_factory=dict)


@dataclass(frozen=True)
class FormValue:
    body: JSON
    query: JSON = field(default_factory=dict)
    path_params: JSON = field(default_factory=dict)
    headers: JSON = field(default_factory=dict)


@dataclass(frozen=True)
class Validation:
    errors: dict[str, str]
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class FormSpec:
    """What the form shows for one route (``body`` is ``None`` when it takes no JSON body)."""

    body: ObjectNode | Unrenderable | None
    query: ObjectNode | None = None
    path: ObjectNode | None = None
    hidden_keys: tuple[str, ...] = ()
    body_schema: JSON | None = None
    query_schema: JSON | None = None
    path_schema: JSON | None = None
    problems: tuple[str, ...] = ()
    # The route's own header parameters (not ``ouro-*``), sent as ``config.headers``;
    # ``secret_headers`` names those that hold a credential (masked, never recorded).
    headers: ObjectNode | None = None
    header_schema: JSON | None = None
    secret_headers: frozenset[str] = frozenset()
    _compiled: dict[str, CompiledSchema] = field(default_factory=dict, repr=False)
    # The last few requests checked (by their JSON) and what the check found: a wide
    # form at its defaults is checked once, in the worker that prepares the route.
    _checked: dict[str, Validation] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_empty(self) -> bool:
        """Nothing for a person to set ("This route needs no settings")."""
        parts = (self.body, self.query, self.path, self.headers)
        return all(p is None or (isinstance(p, ObjectNode) and not p.children) for p in parts)

    def compiled(self, part: str) -> CompiledSchema | None:
        schema = {
            "body": self.body_schema,
            "query": self.query_schema,
            "path": self.path_schema,
            "header": self.header_schema,
        }
        chosen = schema[part]
        if chosen is None:
            return None
        if part not in self._compiled:
            self._compiled[part] = validation.compile_schema(openapi30_compat(chosen))
        return self._compiled[part]


# -- values -----------------------------------------------------------------------------------
_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def _fresh(value: Any) -> Any:
    """A copy the caller may change (a number or a string is one already: a wide form's
    2,000 defaults are collected at every check, and deepcopy is a slow way to say so)."""
    return value if type(value) in _IMMUTABLE else copy.deepcopy(value)


def initial_value(node: Node) -> Any:
    """What a fresh form holds for ``node``: its default, else an empty value of its type
    (``""``, ``False``, ``[]``, an object of its children's), else :data:`MISSING`."""
    if isinstance(node, OptionalNode):
        if node.has_default and node.default is not None:
            return _fresh(node.default)
        return MISSING if node.unset == "omit" else None
    if node.has_default:
        return _fresh(node.default)
    if isinstance(node, ObjectNode):
        out: JSON = {}
        for child in node.children:
            value = initial_value(child)
            if value is not MISSING:
                out[child.key] = value
        return out
    if isinstance(node, ArrayNode):
        return []
    if isinstance(node, BooleanNode):
        return False
    if isinstance(node, StringNode):
        return ""
    if isinstance(node, EnumNode) and len(node.options) == 1:
        return node.options[0].value
    return MISSING


def default_body(spec: FormSpec) -> JSON:
    """The body a fresh form sends (defaults filled in; optional keys without one left out)."""
    if isinstance(spec.body, ObjectNode):
        value = initial_value(spec.body)
        return value if isinstance(value, dict) else {}
    if isinstance(spec.body, Unrenderable):
        return copy.deepcopy(spec.body.defaults)
    return {}


def default_value(spec: FormSpec) -> FormValue:
    query = initial_value(spec.query) if spec.query is not None else {}
    path = initial_value(spec.path) if spec.path is not None else {}
    headers = initial_value(spec.headers) if spec.headers is not None else {}
    return FormValue(default_body(spec), query or {}, path or {}, headers or {})


def canonical(node: Node, value: Any) -> Any:
    """``value`` as the form gives it back: the one representation the form cannot keep
    apart is ``null`` for an optional nullable key that is sent as absent -- it becomes
    :data:`MISSING` (left out)."""
    if value is MISSING:
        return MISSING
    if isinstance(node, OptionalNode):
        if value is None:
            return MISSING if node.unset == "omit" else None
        return canonical(node.inner, value)
    if isinstance(node, ObjectNode) and isinstance(value, dict):
        by_key = {child.key: child for child in node.children}
        out: JSON = {}
        for key, sub in value.items():
            child = by_key.get(key)
            kept = canonical(child, sub) if child is not None else sub
            if kept is not MISSING:
                out[key] = kept
        return out
    if isinstance(node, ArrayNode) and isinstance(value, list):
        return [canonical(node.items, item) for item in value]
    return value


def same_json(a: Any, b: Any, *, strict_numbers: bool = True) -> bool:
    """JSON equality that tells ``true`` from ``1`` and (``strict_numbers``) ``3`` from ``3.0``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return (not strict_numbers or type(a) is type(b)) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(
            same_json(a[k], b[k], strict_numbers=strict_numbers) for k in a
        )
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(
            same_json(x, y, strict_numbers=strict_numbers) for x, y in zip(a, b, strict=True)
        )
    return type(a) is type(b) and a == b
