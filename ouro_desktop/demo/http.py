"""HTTP plumbing shared by the demo endpoints: envelopes, auth, faults, request ids.

Every endpoint is wrapped by :func:`endpoint`, which applies the test fault switches,
authenticates the caller the way Ouro does (a raw JWT in ``Authorization``, an optional
``Bearer`` tolerated), and turns :class:`ApiError` into Ouro's error envelope.
"""

from __future__ import annotations

import json
import logging
import uuid
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .auth import verify_token
from .errors import ApiError

if TYPE_CHECKING:
    from .app import DemoBackend

log = logging.getLogger(__name__)
MAX_JSON_BODY = 100 * 1024 * 1024


@dataclass
class Caller:
    user: dict[str, Any]
    key_name: str | None
    client: str | None
    sdk: str | None


LONG_LIST = 64  # lists longer than this are encoded a member at a time


def _encode(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def encode_in_pieces(value: Any) -> str:
    """``json.dumps(value)`` as Starlette renders it, a long list a member at a time.

    The demo shares the window's process: one C-level ``json.dumps`` of a page of 2,000
    log lines or runs holds the interpreter -- so the window -- for tens of milliseconds.
    A member at a time, each call is short and the interpreter switches between them.
    """
    if type(value) is list and len(value) > LONG_LIST:
        return "[" + ",".join([encode_in_pieces(v) for v in value]) + "]"
    if type(value) is dict and all(type(k) is str for k in value):
        if any(type(v) in (list, dict) for v in value.values()):
            members = [f"{_encode(k)}:{encode_in_pieces(v)}" for k, v in value.items()]
            return "{" + ",".join(members) + "}"
    return _encode(value)


class PiecewiseJSONResponse(JSONResponse):
    """A JSON response rendered by :func:`encode_in_pieces`."""

    def render(self, content: Any) -> bytes:
        return encode_in_pieces(content).encode("utf-8")


def ok(data: Any, status: int = 200, **extra: Any) -> JSONResponse:
    return PiecewiseJSONResponse({"data": data, "error": None, **extra}, status_code=status)


def paged(items: list[Any], offset: int, limit: int | None, total: int) -> JSONResponse:
    has_more = limit is not None and offset + len(items) < total
    return ok(
        items,
        pagination={
            "offset": offset,
            "limit": limit if limit is not None else total,
            "hasMore": has_more,
            "total": total,
        },
    )


def paged_texts(texts: list[str], offset: int, limit: int, total: int) -> Response:
    """:func:`paged` for items already encoded as JSON texts: spliced, not decoded."""
    pagination = {
        "offset": offset,
        "limit": limit,
        "hasMore": offset + len(texts) < total,
        "total": total,
    }
    body = "".join(
        ('{"data":[', ",".join(texts), '],"error":null,"pagination":', _encode(pagination), "}")
    )
    return Response(body.encode("utf-8"), media_type="application/json")


def int_param(
    request: Request, name: str, default: int | None, lo: int = 0, hi: int | None = None
) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, "", "null", "None"):
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ApiError(400, f"'{name}' must be a whole number.") from exc
    value = max(lo, value)
    return min(hi, value) if hi is not None else value


def bool_param(request: Request, name: str, default: bool = False) -> bool:
    raw = request.query_params.get(name)
    return default if raw is None else raw.lower() in ("1", "true", "yes")


def list_param(request: Request, name: str) -> list[str] | None:
    raw = request.query_params.get(name)
    if not raw:
        return None
    return [part.strip() for part in raw.split(",") if part.strip()]


async def body_bytes(request: Request, cap: int = MAX_JSON_BODY) -> bytes:
    """The request body, gunzipped when ``Content-Encoding: gzip`` (ouro-py gzips dataset
    rows, §13.5); more than ``cap`` bytes (after decompression) answers 413."""
    encoding, raw = await raw_body(request, cap)
    return inflate_body(encoding, raw, cap)


async def raw_body(request: Request, cap: int = MAX_JSON_BODY) -> tuple[str, bytes]:
    """(content encoding, the body as sent), read without decoding it: a big dataset batch
    is then gunzipped and parsed off the event loop (:func:`inflate_body`). More than
    ``cap`` bytes as sent answers 413 (gzip never makes rows much larger)."""
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity", "gzip"):
        raise ApiError(415, f"Content-Encoding '{encoding}' is not supported; send gzip.")
    out = bytearray()
    async for chunk in request.stream():
        out += chunk
        if len(out) > cap:
            raise ApiError(413, "Payload too large", "payload_too_large", limit_bytes=cap)
    return encoding, bytes(out)


def inflate_body(encoding: str, raw: bytes, cap: int = MAX_JSON_BODY) -> bytes:
    """``raw`` gunzipped if it is gzip (blocking), refused past ``cap`` bytes."""
    if encoding in ("", "identity"):
        return raw
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        # max_length bounds the work a small bomb can cause before we refuse it
        out = inflate.decompress(raw, cap + 1)
        if len(out) <= cap and not inflate.unconsumed_tail:
            out += inflate.flush()
    except zlib.error as exc:
        raise ApiError(400, "The request body is not valid gzip.") from exc
    if len(out) > cap or inflate.unconsumed_tail:
        raise ApiError(413, "Payload too large", "payload_too_large", limit_bytes=cap)
    return out


def parse_json_object(raw: bytes, *, optional: bool = False) -> dict[str, Any]:
    if not raw.strip():
        if optional:
            return {}
        raise ApiError(400, "A JSON body is required.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "The request body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


_WHITESPACE = " \t\n\r"
_DECODER = json.JSONDecoder()


def parse_rows_object(raw: bytes) -> dict[str, Any]:
    """A JSON object whose ``rows`` list may be megabytes long (a dataset batch), parsed a
    row at a time.

    ``json.loads`` holds the GIL for the whole document (~35 ms per MB here), and the in-app
    demo shares its process with the window: parsing value by value lets the window's
    thread run in between. Same result as :func:`parse_json_object`.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "The request body is not valid JSON.") from exc
    decode = _DECODER.raw_decode
    n = len(text)

    def skip(i: int) -> int:
        while i < n and text[i] in _WHITESPACE:
            i += 1
        return i

    def expect(i: int, char: str) -> int:
        i = skip(i)
        if i >= n or text[i] != char:
            raise ValueError(f"expected {char!r} at {i}")
        return i + 1

    try:
        body: dict[str, Any] = {}
        i = expect(0, "{")
        if skip(i) < n and text[skip(i)] == "}":
            i = skip(i) + 1
        else:
            while True:
                key, i = decode(text, skip(i))
                if not isinstance(key, str):
                    raise ValueError("a key must be text")
                i = skip(expect(i, ":"))
                if key == "rows" and i < n and text[i] == "[":
                    rows: list[Any] = []
                    i = skip(i + 1)
                    if i < n and text[i] == "]":
                        i += 1
                    else:
                        while True:
                            row, i = decode(text, skip(i))
                            rows.append(row)
                            i = skip(i)
                            if i < n and text[i] == ",":
                                i += 1
                                continue
                            i = expect(i, "]")
                            break
                    body[key] = rows
                else:
                    body[key], i = decode(text, i)
                i = skip(i)
                if i < n and text[i] == ",":
                    i += 1
                    continue
                i = expect(i, "}")
                break
        if skip(i) != n:
            raise ValueError("extra data after the object")
    except (ValueError, RecursionError) as exc:
        if not text.strip():
            raise ApiError(400, "A JSON body is required.") from exc
        raise ApiError(400, "The request body is not valid JSON.") from exc
    return body


async def json_body(
    request: Request, *, optional: bool = False, cap: int = MAX_JSON_BODY
) -> dict[str, Any]:
    return parse_json_object(await body_bytes(request, cap), optional=optional)


def backend_of(request: Request) -> DemoBackend:
    return request.app.state.backend  # type: ignore[no-any-return]


def authenticate(request: Request) -> Caller:
    backend = backend_of(request)
    raw = request.headers.get("authorization", "").strip()
    token = raw[7:].strip() if raw.lower().startswith("bearer ") else raw
    payload = verify_token(backend.store.secret, token, backend.store.clock()) if token else None
    user = backend.store.user(str(payload.get("sub"))) if payload else None
    if user is None:
        raise ApiError(401, "Unauthorized")
    return Caller(
        user=user,
        key_name=payload.get("key_name") if payload else None,
        client=request.headers.get("x-ouro-client"),
        sdk=request.headers.get("user-agent"),
    )


Handler = Callable[..., Awaitable[Response]]


def endpoint(auth: bool = True) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    def wrap(fn: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            request_id = str(uuid.uuid4())
            response = await _handle(fn, request, auth)
            response.headers["x-request-id"] = request_id
            return response

        handle.__name__ = fn.__name__
        return handle

    return wrap


async def _handle(fn: Handler, request: Request, auth: bool) -> Response:
    backend = backend_of(request)
    faults = backend.faults
    backend.files.public_base = str(request.base_url).rstrip("/")
    backend.on_request()
    injected = faults.take_injected(request.method, request.url.path)
    if injected is not None and not injected.after_processing:
        return Response(injected.body, injected.status, headers=injected.headers)
    try:
        if faults.rate_limit_next > 0:
            faults.rate_limit_next -= 1
            raise ApiError(429, "Too many requests", "rate_limited")
        if auth:
            caller = authenticate(request)
            if faults.unauthorized_next > 0:
                faults.unauthorized_next -= 1
                raise ApiError(401, "Unauthorized")
            if faults.no_user_context_next > 0:
                faults.no_user_context_next -= 1
                return JSONResponse({"data": None, "error": {"message": "No user context"}}, 500)
            response = await fn(request, caller)
        else:
            response = await fn(request)
    except ApiError as exc:
        headers = {"Retry-After": f"{faults.retry_after_s:g}"} if exc.status == 429 else None
        response = JSONResponse(exc.envelope(), exc.status, headers=headers)
    except Exception:
        log.exception("demo backend error on %s %s", request.method, request.url.path)
        response = JSONResponse(
            {"data": None, "error": {"message": "Internal server error", "status": 500}}, 500
        )
    if injected is not None:
        return Response(injected.body, injected.status, headers=injected.headers)
    return response
