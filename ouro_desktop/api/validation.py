"""Checking a request against a route's JSON schema (no Qt), with errors keyed by field path.

:func:`compile_schema` prepares a ``jsonschema`` Draft 2020-12 validator once per route;
:func:`check` runs it and returns plain-language messages keyed by the field's path
(``"fmax"``, ``"conditions.temperature_K"``, ``"mixture.0.fraction"``). A route's schema is
untrusted input: a schema with a mistake (an invalid ``pattern``, a ``$ref`` that leads
nowhere, a value of the wrong type) never raises here -- it comes back as a *problem*
("this route's schema has a mistake: ...") and that part is not validated. Remote ``$ref``s
are never fetched: the validator gets an empty ``referencing`` registry.

Formats checked: ``email``, ``uri``, ``date`` and ``date-time`` (ours, so the result does not
depend on which optional jsonschema extras happen to be installed).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..lazy import LazyModule

if TYPE_CHECKING:
    import jsonschema
    import jsonschema.exceptions as _jsonschema_exceptions
    import referencing as _referencing
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.exceptions import ValidationError
    from referencing import Registry
else:
    # jsonschema (and referencing) cost ~50 ms to import: only checking a form needs them.
    jsonschema = LazyModule("jsonschema")
    _jsonschema_exceptions = LazyModule("jsonschema.exceptions")
    _referencing = LazyModule("referencing")

__all__ = [
    "formats",
    "CompiledSchema",
    "check",
    "compile_schema",
    "join_path",
    "path_from_location",
]

JSON = dict[str, Any]
MISTAKE = "this route's schema has a mistake: "
# check_schema costs ~0.25-1 ms per subschema (Draft 2020-12 metaschema) on the window's
# thread; past this size it is skipped (a form of 500 settings took half a second) and a
# broken schema is caught while validating instead.
_CHECK_SCHEMA_LIMIT = 150
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


def _is_email(value: object) -> bool:
    return not isinstance(value, str) or _EMAIL.fullmatch(value) is not None


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or _URI.fullmatch(value) is not None


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if _DATE.fullmatch(value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if _DATE_TIME.fullmatch(value) is None:
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return False
    return True


@functools.cache
def formats() -> FormatChecker:
    """The format checks we apply (made on first use; jsonschema loads lazily)."""
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("email")(_is_email)
    checker.checks("uri")(_is_uri)
    checker.checks("date")(_is_date)
    checker.checks("date-time")(_is_date_time)
    return checker


@functools.cache
def _no_remote() -> Registry[Any]:
    """An empty registry: remote ``$ref`` are never fetched."""
    return _referencing.Registry()


def join_path(prefix: str, part: str | int) -> str:
    """``"mixture"`` + ``0`` → ``"mixture.0"``; a prefix ending in ``:`` (``"query:"``)
    or an empty one takes the part as is."""
    if not prefix or prefix.endswith(":"):
        return f"{prefix}{part}"
    return f"{prefix}.{part}"


def path_from_location(loc: Sequence[str | int]) -> str:
    """A FastAPI 422 ``loc`` (``["body", "mixture", 0, "fraction"]``, ``["query", "n"]``)
    as a form path (``"mixture.0.fraction"``, ``"query:n"``)."""
    parts = list(loc)
    prefix = ""
    if parts and parts[0] in ("body", "query", "path"):
        head = parts.pop(0)
        prefix = "" if head == "body" else f"{head}:"
    path = prefix
    for part in parts:
        path = join_path(path, part)
    return path


@dataclass(frozen=True)
class CompiledSchema:
    """A ready validator, or the reason there is none (``problem``)."""

    validator: Draft202012Validator | None
    problem: str | None = None


def _size_at_most(schema: object, limit: int) -> int:
    """How many dicts ``schema`` holds, counting stops past ``limit`` (no recursion)."""
    count, stack = 0, [schema]
    while stack and count <= limit:
        node = stack.pop()
        if isinstance(node, dict):
            count += 1
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return count


def compile_schema(schema: JSON) -> CompiledSchema:
    """A validator for ``schema``; a schema jsonschema rejects becomes a problem, not an error."""
    try:
        validator_class = jsonschema.Draft202012Validator
        if _size_at_most(schema, _CHECK_SCHEMA_LIMIT) <= _CHECK_SCHEMA_LIMIT:
            validator_class.check_schema(schema)
        validator = validator_class(schema, format_checker=formats(), registry=_no_remote())
    except _jsonschema_exceptions.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        return CompiledSchema(None, MISTAKE + exc.message + (f" (at {where})" if where else ""))
    except RecursionError:
        return CompiledSchema(None, MISTAKE + "it is nested too deeply to check")
    return CompiledSchema(validator)


def check(compiled: CompiledSchema, instance: Any, prefix: str = "") -> tuple[dict[str, str], str]:
    """(errors keyed by path under ``prefix``, a problem with the schema or ``""``)."""
    if compiled.validator is None:
        return {}, compiled.problem or ""
    errors: dict[str, str] = {}
    try:
        ranks: dict[str, int] = {}
        for error in compiled.validator.iter_errors(instance):
            rank = _RANK.get(str(_leaf(error).validator), len(_RANK))
            for path, message in _describe(error, prefix):
                if rank < ranks.get(path, len(_RANK) + 1):
                    errors[path], ranks[path] = message, rank
    except RecursionError:
        return {}, MISTAKE + "it is nested too deeply to check"
    except Exception as exc:  # an untrusted schema must never crash the form (re.error, $ref...)
        return {}, MISTAKE + (str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    return errors, ""


# -- messages ---------------------------------------------------------------------------------
# When one field breaks several rules, say the most basic one ("must not be empty", not
# "does not have the expected form").
_RANK = {
    name: rank
    for rank, name in enumerate(
        "type required const enum minLength maxLength format minimum maximum exclusiveMinimum "
        "exclusiveMaximum multipleOf minItems maxItems uniqueItems pattern".split()
    )
}


def _is_null_branch(error: ValidationError) -> bool:
    value = error.validator_value
    return (error.validator == "type" and value == "null") or (
        error.validator in ("const", "enum") and (value is None or value == [None])
    )


def _leaf(error: ValidationError) -> ValidationError:
    """For ``anyOf``/``oneOf`` (a nullable field), the error of the branch that was meant."""
    while error.validator in ("anyOf", "oneOf") and error.context:
        candidates = [e for e in error.context if not _is_null_branch(e)]
        if not candidates:
            break
        chosen = _jsonschema_exceptions.best_match(candidates)
        if chosen is None:
            break
        error = chosen
    return error


def _describe(error: ValidationError, prefix: str) -> Iterable[tuple[str, str]]:
    error = _leaf(error)
    base = prefix
    for part in error.absolute_path:
        base = join_path(base, part)
    kind, value, instance = error.validator, error.validator_value, error.instance
    if kind in ("required", "dependentRequired") and isinstance(instance, dict):
        wanted = value if kind == "required" else _dependent(value, instance)
        missing = [k for k in wanted if isinstance(k, str) and k not in instance]
        return [(join_path(base, k), "is required") for k in missing] or [(base, error.message)]
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = [k for k in instance if k not in known]
        return [(join_path(base, k), "is not a setting of this route") for k in extra]
    return [(base, _message(error))]


def _dependent(value: Any, instance: JSON) -> list[str]:
    out: list[str] = []
    if isinstance(value, dict):
        for key, needs in value.items():
            if key in instance and isinstance(needs, list):
                out.extend(n for n in needs if isinstance(n, str))
    return out


def number_text(value: Any) -> str:
    """A bound as a scientist writes it, exact (a bound is never rounded): ``1`` not
    ``1.0``, a real minus (``−5``), tiny and huge ones as ``1 × 10⁻⁷`` not ``1e-07``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    mantissa, power, exponent = repr(value).partition("e")
    if power:
        mantissa = f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    return mantissa.replace("-", "\u2212")


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_TYPE_WORDS = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "yes or no (true/false)",
    "array": "a list",
    "object": "a group of settings (a JSON object)",
    "null": "empty (null)",
}
_FORMAT_WORDS = {
    "email": "is not a valid e-mail address",
    "uri": "is not a valid link (like https://example.org)",
    "date": "is not a valid date (YYYY-MM-DD)",
    "date-time": "is not a valid date and time (like 2025-01-31T12:00:00Z)",
}


def _message(error: ValidationError) -> str:
    kind, value = error.validator, error.validator_value
    bound = number_text(value)
    simple = {
        "minimum": f"must be ≥ {bound}",
        "maximum": f"must be ≤ {bound}",
        "exclusiveMinimum": f"must be > {bound}",
        "exclusiveMaximum": f"must be < {bound}",
        "multipleOf": f"must be a multiple of {bound}",
        "maxLength": f"must have at most {bound} characters",
        "minItems": f"needs at least {bound} item{'s' if value != 1 else ''}",
        "maxItems": f"allows at most {bound} item{'s' if value != 1 else ''}",
        "uniqueItems": "items must all be different",
        "enum": "must be one of the listed choices",
        "minProperties": f"needs at least {bound} entries",
        "maxProperties": f"allows at most {bound} entries",
    }
    if kind in simple:
        return simple[kind]
    if kind == "minLength":
        return "must not be empty" if value == 1 else f"must have at least {bound} characters"
    if kind == "type":
        names = value if isinstance(value, list) else [value]
        words = [_TYPE_WORDS.get(str(n), str(n)) for n in names if n != "null"] or ["empty"]
        return "must be " + " or ".join(words)
    if kind == "pattern":
        shown = str(value) if len(str(value)) <= 40 else str(value)[:39] + "…"
        return f"does not have the expected form (pattern {shown})"
    if kind == "format":
        return _FORMAT_WORDS.get(str(value), f"is not a valid {value}")
    if kind == "const":
        return f"must be {json.dumps(value, ensure_ascii=False)}"
    return str(error.message)
