"""Typed, read-only views of Ouro's JSON: users, routes, actions, logs, files and pages.

Each model is built by ``from_json(raw)``, which ignores fields it does not know, fills
what is missing with a neutral value and keeps the original dict as ``raw``. A field of
the wrong type (an id that is a number, a list where an object belongs) raises
:class:`~ouro_desktop.api.errors.ResponseError`: a clear error beats a half-built object.
Shapes follow ouro-protocol.md §4 (routes), §7 (actions, logs) and §8 (files).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from .errors import ResponseError, error_message, field_errors_from_detail

__all__ = [
    "TERMINAL_STATUSES",
    "Action",
    "ActionLog",
    "ExecuteResult",
    "FileAsset",
    "InputDeclaration",
    "Page",
    "Route",
    "User",
]

T = TypeVar("T")
JSON = dict[str, Any]
TERMINAL_STATUSES = frozenset({"success", "error", "timed-out"})
ZERO_UUID = "00000000-0000-0000-0000-000000000000"


# -- tolerant field readers ------------------------------------------------------------------
def _bad(what: str, key: str, expected: str) -> ResponseError:
    return ResponseError(
        f"The server sent a {what} whose '{key}' is not {expected}; it cannot be shown."
    )


def _obj(raw: object, what: str) -> JSON:
    if not isinstance(raw, dict):
        raise ResponseError(f"The server sent something that is not a {what}.")
    return raw


def _str(d: JSON, key: str, what: str, *, required: bool = False) -> str | None:
    value = d.get(key)
    if value is None:
        if required:
            raise ResponseError(f"The server sent a {what} without its '{key}'.")
        return None
    if not isinstance(value, str):
        raise _bad(what, key, "text")
    if required and not value:
        raise ResponseError(f"The server sent a {what} with an empty '{key}'.")
    return value


def _num(d: JSON, key: str, what: str) -> float | None:
    value = d.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        raise _bad(what, key, "a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise _bad(what, key, "a number") from None
    raise _bad(what, key, "a number")


def _int(d: JSON, key: str, what: str) -> int | None:
    value = _num(d, key, what)
    if value is None:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        raise _bad(what, key, "a whole number")
    return int(value)


def _dict(d: JSON, key: str, what: str) -> JSON:
    value = d.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _bad(what, key, "an object")
    return value


def _list(d: JSON, key: str, what: str) -> list[Any]:
    value = d.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _bad(what, key, "a list")
    return value


def _time_or_none(d: JSON, key: str) -> datetime | None:
    """A date that only informs (a file's upload time): one that cannot be read is None,
    not a reason to refuse the whole record."""
    try:
        return _time(d, key, "")
    except ResponseError:
        return None


def _time(d: JSON, key: str, what: str) -> datetime | None:
    value = d.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _bad(what, key, "a date and time")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(what, key, "a date and time") from None


def _sub(value: object, key: str) -> JSON:
    """``value[key]`` when both are objects, else an empty object."""
    inner = value.get(key) if isinstance(value, dict) else None
    return inner if isinstance(inner, dict) else {}


def _text_of(value: object) -> str:
    """A description: plain text, or rich text ``{json, text}`` (§4.1)."""
    if isinstance(value, str):
        return value
    text = value.get("text") if isinstance(value, dict) else None
    return text if isinstance(text, str) else ""


# -- models ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class User:
    id: str
    username: str
    email: str | None
    name: str | None
    raw: JSON = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> User:
        d = _obj(raw, "user")
        user_id = _str(d, "id", "user") or _str(d, "user_id", "user", required=True)
        assert user_id is not None
        return cls(
            id=user_id,
            username=_str(d, "username", "user") or "",
            email=_str(d, "email", "user"),
            name=_str(d, "name", "user"),
            raw=d,
        )


@dataclass(frozen=True)
class InputDeclaration:
    """One asset input of a route: which body key takes which kind of asset (§4.3)."""

    key: str
    asset_type: str
    primary: bool
    file_extensions: tuple[str, ...]
    input_filter: str | None
    raw: JSON = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, key: str, raw: object) -> InputDeclaration:
        d = _obj(raw, "route input declaration")
        what = "route input declaration"
        exts = _list(d, "file_extensions", what) or _list(d, "input_file_extensions", what)
        if not all(isinstance(e, str) for e in exts):
            raise _bad(what, "file_extensions", "a list of text")
        return cls(
            key=key,
            asset_type=_str(d, "asset_type", what) or "file",
            primary=bool(d.get("primary")),
            file_extensions=tuple(e.lower().lstrip(".") for e in exts),
            input_filter=_str(d, "input_filter", what),
            raw=d,
        )


def _request_schema(block: JSON) -> JSON | None:
    body = _dict(block, "request_body", "route")
    content = _dict(body, "content", "route request body")
    media = content.get("application/json")
    if not isinstance(media, dict):
        return None
    schema = media.get("schema")
    if not isinstance(schema, dict):
        return None
    if "properties" not in schema:
        # A union at the top: the variant with properties is the form (§4.2).
        for key in ("anyOf", "oneOf", "allOf"):
            variants = schema.get(key)
            if isinstance(variants, list):
                for variant in variants:
                    if isinstance(variant, dict) and "properties" in variant:
                        return variant
    return schema


def _input_declarations(block: JSON) -> dict[str, InputDeclaration]:
    declared = _dict(block, "input_assets", "route")
    if declared:
        return {str(k): InputDeclaration.from_json(str(k), v) for k, v in declared.items()}
    legacy = _str(block, "input_type", "route")
    if not legacy:
        return {}
    exts = _list(block, "input_file_extensions", "route")
    if not exts:
        single = _str(block, "input_file_extension", "route")
        exts = [single] if single else []
    synthesized = {
        "asset_type": legacy,
        "primary": True,
        "input_filter": _str(block, "input_filter", "route"),
        "file_extensions": exts,
    }
    return {legacy: InputDeclaration.from_json(legacy, synthesized)}


@dataclass(frozen=True)
class Route:
    id: str
    name: str
    slug: str
    owner: str
    description: str
    visibility: str
    service_id: str | None
    method: str
    path: str
    summary: str
    execution_mode: str
    input_assets: dict[str, InputDeclaration]
    output_assets: dict[str, JSON]
    parameters: list[JSON]
    request_schema: JSON | None
    response_charts: list[Any] | None
    monetization: str
    price: float | None
    price_currency: str | None
    cost_unit: str | None
    metrics: JSON | None
    raw: JSON = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object) -> Route:
        d = _obj(raw, "route")
        block = _dict(d, "route", "route")
        user = _dict(d, "user", "route")
        org = _dict(d, "organization", "route")
        org_id = _str(d, "org_id", "route")
        owner = _str(user, "username", "route owner") or ""
        if org_id and org_id != ZERO_UUID:
            owner = _str(org, "name", "route organization") or owner
        route_id = _str(d, "id", "route", required=True)
        assert route_id is not None
        service_id = (
            _str(d, "parent_id", "route")
            or _str(_dict(d, "metadata", "route"), "service_id", "route")
            or _str(block, "service_id", "route")
        )
        outputs = _dict(block, "output_assets", "route")
        if not all(isinstance(v, dict) for v in outputs.values()):
            raise _bad("route", "output_assets", "a set of declarations")
        params = _list(block, "parameters", "route")
        if not all(isinstance(p, dict) for p in params):
            raise _bad("route", "parameters", "a list of parameters")
        charts = block.get("response_charts")
        if charts is not None and not isinstance(charts, list):
            raise _bad("route", "response_charts", "a list")
        metrics = d.get("metrics")
        if metrics is not None and not isinstance(metrics, dict):
            raise _bad("route", "metrics", "an object")
        price = _num(d, "price", "route")
        if price is None:
            price = _num(d, "unit_cost", "route")
        name = _str(d, "name", "route") or _str(block, "name", "route") or ""
        return cls(
            id=route_id,
            name=name,
            slug=_str(d, "name_url_slug", "route") or "",
            owner=owner,
            description=_text_of(d.get("description")) or _text_of(block.get("description")),
            visibility=_str(d, "visibility", "route") or "",
            service_id=service_id,
            method=(_str(block, "method", "route") or "").upper(),
            path=_str(block, "path", "route") or "",
            summary=_str(block, "summary", "route") or "",
            execution_mode=_str(block, "execution_mode", "route") or "sync",
            input_assets=_input_declarations(block),
            output_assets={str(k): v for k, v in outputs.items()},
            parameters=params,
            request_schema=_request_schema(block),
            response_charts=charts,
            monetization=_str(d, "monetization", "route") or "none",
            price=price,
            price_currency=_str(d, "price_currency", "route"),
            cost_unit=_str(d, "cost_unit", "route"),
            metrics=metrics,
            raw=d,
        )

    @property
    def is_paid(self) -> bool:
        return self.monetization not in ("", "none") and (self.price or 0) > 0

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.slug}"

    @property
    def is_async(self) -> bool:
        return self.execution_mode == "async"

    @property
    def has_definition(self) -> bool:
        """False for search hits, which carry no ``route`` block; fetch with get_route()."""
        return isinstance(self.raw.get("route"), dict)


@dataclass(frozen=True)
class Action:
    id: str
    route_id: str
    status: str
    created_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    response: Any
    metadata: JSON
    input_assets: list[Any]
    output_assets: list[Any]
    raw: JSON = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object, *, route_id: str | None = None) -> Action:
        d = _obj(raw, "run")
        action_id = _str(d, "id", "run", required=True)
        status = _str(d, "status", "run", required=True)
        rid = _str(d, "route_id", "run") or route_id
        if rid is None:
            raise ResponseError("The server sent a run without its 'route_id'.")
        assert action_id is not None and status is not None
        return cls(
            id=action_id,
            route_id=rid,
            status=status,
            created_at=_time(d, "created_at", "run"),
            started_at=_time(d, "started_at", "run"),
            finished_at=_time(d, "finished_at", "run"),
            response=d.get("response"),
            metadata=_dict(d, "metadata", "run"),
            input_assets=_list(d, "input_assets", "run"),
            output_assets=_list(d, "output_assets", "run"),
            raw=d,
        )

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @property
    def idempotency_key(self) -> str | None:
        """The ``Idempotency-Key`` the run was submitted with, when the server recorded it."""
        key = self.metadata.get("idempotency_key")
        return key if isinstance(key, str) else None

    @property
    def error_message(self) -> str | None:
        """What went wrong, in plain text; None while running and on success (§7.5)."""
        if self.status not in ("error", "timed-out"):
            return None
        text = error_message(self.response)
        if text:
            return text
        if self.status == "timed-out":
            return "The service did not answer in time."
        return "The run failed."

    @property
    def error_status(self) -> int | None:
        """The upstream status of a failed run (``statusCode``, ``error.status``, ...)."""
        body = self.response if isinstance(self.response, dict) else {}
        error = _sub(body, "error")
        for value in (
            body.get("statusCode"),
            error.get("statusCode"),
            error.get("status"),
            error.get("upstreamStatus"),
        ):
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, str) and value.isdigit():
                return int(value)
        return None

    @property
    def retryable(self) -> bool:
        """Whether the failure looks transient (the server's flag, else the status)."""
        error = _sub(self.response, "error")
        if isinstance(error.get("retryable"), bool):
            return bool(error["retryable"])
        return self.error_status in (408, 429, 500, 502, 503, 504)

    @property
    def field_errors(self) -> dict[str, str]:
        """Per-field messages of a failed run's validation ``detail`` list (422)."""
        body = self.response if isinstance(self.response, dict) else {}
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("detail"), list):
            return field_errors_from_detail(error["detail"])
        return field_errors_from_detail(body.get("detail"))

    @property
    def output_refs(self) -> list[tuple[str, str, str]]:
        """``(output name, asset type, asset id)`` of every asset this run produced (files,
        datasets, posts), in the order the server lists them."""
        refs = []
        for row in self.output_assets:
            if not isinstance(row, dict):
                continue
            value = row.get("asset_id") or _sub(row, "asset").get("id")
            kind = row.get("asset_type") or _sub(row, "asset").get("asset_type") or "file"
            if isinstance(value, str) and isinstance(kind, str):
                refs.append((str(row.get("name") or kind), kind, value))
        return refs

    @property
    def output_file_ids(self) -> list[str]:
        """Ids of the file assets this run produced."""
        ids = []
        for row in self.output_assets:
            if not isinstance(row, dict) or row.get("asset_type", "file") != "file":
                continue
            value = row.get("asset_id") or _sub(row, "asset").get("id")
            if isinstance(value, str):
                ids.append(value)
        return ids


@dataclass(frozen=True, slots=True)
class ActionLog:
    """One log line. Unlike the other models it keeps no ``raw`` record by default: a
    run's log can hold 100,000 lines, and the record (user, ids, origin...) tripled the
    memory a line takes (1.8 KB instead of 0.55 KB); ``from_json(..., keep_raw=True)``
    keeps it."""

    id: str
    action_id: str | None
    level: str
    message: str
    created_at: datetime | None
    raw: JSON = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: object, *, keep_raw: bool = False) -> ActionLog:
        d = _obj(raw, "run log line")
        log_id = _str(d, "id", "run log line", required=True)
        assert log_id is not None
        return cls(
            id=log_id,
            action_id=_str(d, "action_id", "run log line"),
            level=_str(d, "level", "run log line") or "info",
            message=_str(d, "message", "run log line") or "",
            created_at=_time(d, "created_at", "run log line"),
            raw=d if keep_raw else {},
        )


@dataclass(frozen=True)
class FileAsset:
    id: str
    name: str
    extension: str | None
    mime: str | None
    size: int | None
    bucket: str | None
    path: str | None
    raw: JSON = field(default_factory=dict, repr=False, compare=False)
    # When it was put on Ouro (the file picker's "Updated" column said "—" without them).
    created_at: datetime | None = None
    last_updated: datetime | None = None

    @classmethod
    def from_json(cls, raw: object) -> FileAsset:
        d = _obj(raw, "file")
        meta = _dict(d, "metadata", "file")
        file_id = _str(d, "id", "file", required=True)
        assert file_id is not None
        mime = (
            _str(meta, "type", "file")
            or _str(meta, "mimeType", "file")
            or _str(meta, "mime_type", "file")
        )
        size = _int(meta, "size", "file")
        if size is None:
            size = _int(meta, "contentLength", "file")
        return cls(
            id=file_id,
            name=_str(d, "name", "file") or "",
            extension=_str(meta, "extension", "file"),
            mime=mime,
            size=size,
            bucket=_str(meta, "bucket", "file"),
            path=_str(meta, "path", "file"),
            raw=d,
            created_at=_time_or_none(d, "created_at"),
            last_updated=_time_or_none(d, "last_updated"),
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    offset: int
    limit: int
    has_more: bool
    total: int | None

    @classmethod
    def from_json(cls, body: object, parse: Callable[[object], T], *, offset: int = 0) -> Page[T]:
        """A list envelope ``{data: [...], pagination: {...}}`` (§1.6); bare lists too."""
        d = _obj(body, "list")
        data = d.get("data")
        if not isinstance(data, list):
            raise ResponseError("The server sent something that is not a list where one belongs.")
        items = [parse(item) for item in data]
        pag = _dict(d, "pagination", "list")
        has_more = pag.get("hasMore", pag.get("has_more", False))
        if not isinstance(has_more, bool):
            raise _bad("list", "hasMore", "true or false")
        got_offset = _int(pag, "offset", "list")
        limit = _int(pag, "limit", "list")
        return cls(
            items=items,
            offset=offset if got_offset is None else got_offset,
            limit=len(items) if limit is None else limit,
            has_more=has_more,
            total=_int(pag, "total", "list"),
        )


@dataclass(frozen=True)
class ExecuteResult:
    """What ``execute`` got back: the run, and whether it already finished in the answer."""

    action: Action
    inline: bool
