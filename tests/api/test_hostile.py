"""Hostile answers on every endpoint each client method touches → only our errors.

A fake Ouro answers every call plausibly, except the one under test, which gets a body
from the corpus: HTML, nothing, truncated JSON, 10 MB strings, nesting 10,000 deep,
wrong types, unknown statuses, bytes that are not UTF-8, an endless stream, bad gzip.
The client may succeed (where the junk happens to be valid) or raise an ``OuroError``;
any other exception fails the test.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from ouro_desktop.api import APIStatusError, OuroClient, OuroError, Route, SubmissionUnknown

from .helpers import NoSleep, fake_jwt, run

MB = 1024 * 1024
RID, SID, AID, FID = "r-1", "s-1", "a-1", "f-1"
ROUTE = {
    "id": RID,
    "parent_id": SID,
    "name": "relax",
    "name_url_slug": "relax",
    "user": {"username": "ann"},
    "route": {"method": "POST", "path": "/relax", "input_assets": {"file": {"asset_type": "file"}}},
}
ACTION = {"id": AID, "route_id": RID, "status": "queued"}
LOG = {"id": "l-1", "action_id": AID, "message": "hi", "level": "info"}
FILE = {"id": FID, "name": "x.cif", "metadata": {"extension": "cif", "size": 3}}


def env(data: Any, **extra: Any) -> httpx.Response:
    return httpx.Response(200, json={"data": data, "error": None, **extra})


def paged(items: list[Any]) -> httpx.Response:
    return env(items, pagination={"offset": 0, "limit": 20, "hasMore": False, "total": 1})


GOOD: list[tuple[str, str, Callable[[], httpx.Response]]] = [
    ("GET", r"/user", lambda: env({"id": "u", "username": "ann", "email": "a@x"})),
    ("GET", r"/search/assets", lambda: paged([ROUTE])),
    ("POST", r"/elements/common/name-to-id", lambda: env({"id": RID})),
    ("GET", r"/routes/[^/]+", lambda: env(ROUTE)),
    ("GET", r"/routes/[^/]+/stats", lambda: env({"total": 1})),
    ("GET", r"/services/[^/]+/routes", lambda: env([ROUTE])),
    ("GET", r"/assets/[^/]+/compatible-routes", lambda: paged([ROUTE])),
    ("GET", r"/services/[^/]+/routes/[^/]+/cost", lambda: env({"cost": {"total_cost": 0}})),
    (
        "POST",
        r"/services/[^/]+/routes/[^/]+/use",
        lambda: httpx.Response(202, json={"data": None, "action": ACTION}),
    ),
    ("GET", r"/services/[^/]+/routes/[^/]+/actions", lambda: paged([ACTION])),
    ("GET", r"/actions", lambda: paged([ACTION])),
    ("GET", r"/actions/[^/]+", lambda: env(ACTION)),
    ("GET", r"/actions/[^/]+/logs", lambda: paged([LOG])),
    ("POST", r"/files/upload", lambda: env({"id": FID, "bucket": "files", "path": "u/f.cif"})),
    (
        "POST",
        r"/files/upload-url",
        lambda: env({"upload_id": FID, "upload_url": "https://storage.example/up", "headers": {}}),
    ),
    ("PUT", r"/up", lambda: httpx.Response(200)),
    (
        "POST",
        r"/files/upload/complete",
        lambda: env({"id": FID, "bucket": "files", "path": "u/f.cif"}),
    ),
    ("DELETE", r"/files/upload", lambda: env(None)),
    ("GET", r"/files/[^/]+/metadata", lambda: env({"metadata": {"type": "chemical/x-cif"}})),
    ("POST", r"/files/create", lambda: env(FILE)),
    ("GET", r"/files/[^/]+", lambda: env(FILE)),
    ("GET", r"/files/[^/]+/data", lambda: env({"url": "https://storage.example/blob"})),
    ("GET", r"/blob", lambda: httpx.Response(200, content=b"abc")),
]


class Endless(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunk = b"x" * MB
        while True:
            yield chunk


TEN_MB_STRING = b'{"data": "' + b"x" * (10 * MB) + b'", "error": null}'
CORPUS: dict[str, Callable[[], httpx.Response]] = {
    "html-200": lambda: httpx.Response(200, content=b"<!doctype html><h1>Welcome</h1>"),
    "html-502": lambda: httpx.Response(502, content=b"<html><body>Bad Gateway</body></html>"),
    "empty-200": lambda: httpx.Response(200, content=b""),
    "empty-204": lambda: httpx.Response(204),
    "truncated": lambda: httpx.Response(200, content=b'{"data": {"id": "abc", "na'),
    "10mb-string": lambda: httpx.Response(200, content=TEN_MB_STRING),
    "10mb-raw": lambda: httpx.Response(200, content=b"y" * (10 * MB)),
    "endless": lambda: httpx.Response(200, stream=Endless()),
    "too-long-declared": lambda: httpx.Response(
        200, headers={"content-length": str(60 * MB)}, content=b"{}"
    ),
    "depth-10000": lambda: httpx.Response(
        200, content=b'{"data": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    ),
    "depth-500-objects": lambda: httpx.Response(
        200, content=b'{"data": ' + b'{"a": ' * 500 + b"1" + b"}" * 500 + b"}"
    ),
    "data-is-list": lambda: env([{"id": "x"}]),
    "data-is-object": lambda: env({"id": "x", "status": "success"}),
    "data-is-string": lambda: env("surprise"),
    "data-null": lambda: env(None),
    "no-data-key": lambda: httpx.Response(200, json={"error": None}),
    "top-level-list": lambda: httpx.Response(200, json=[1, 2, 3]),
    "ids-are-ints": lambda: env(
        {"id": 42, "route_id": 7, "status": 1, "name": 5, "metadata": [], "url": 3}
    ),
    "list-items-wrong": lambda: env([{"id": 42, "status": None}, 7]),
    "unknown-action-status": lambda: env({"id": AID, "route_id": RID, "status": "exploded"}),
    "wrong-nested-types": lambda: env(
        {"id": RID, "route": [], "metadata": "x", "user": 3, "pagination": 1}
    ),
    "bad-pagination": lambda: httpx.Response(
        200, json={"data": [], "pagination": {"hasMore": "yes", "offset": "zero"}}
    ),
    "non-utf8": lambda: httpx.Response(200, content=b'{"data": "\xff\xfe\xfa"}'),
    "nan-and-junk": lambda: httpx.Response(200, content=b'{"data": NaN} trailing'),
    "error-in-200": lambda: httpx.Response(
        200, json={"data": None, "error": {"message": "Asset not found", "status": 404}}
    ),
    "error-string": lambda: httpx.Response(200, json={"data": None, "error": "nope"}),
    "status-600": lambda: httpx.Response(600, content=b"{}"),
    "status-301": lambda: httpx.Response(301, headers={"location": "https://x.example/"}),
    "status-418-html": lambda: httpx.Response(418, content=b"<p>teapot</p>"),
    "bad-gzip": lambda: httpx.Response(
        200, headers={"content-encoding": "gzip"}, content=b"\x1f\x8b not gzip at all"
    ),
}


def target_route() -> Route:
    return Route.from_json(ROUTE)


METHODS: dict[str, tuple[Callable[[OuroClient, Path], Any], list[str]]] = {
    "sign_in": (lambda c, p: c.sign_in(), [r"/user"]),
    "search_routes": (lambda c, p: c.search_routes("x"), [r"/search/assets"]),
    "get_route_id": (
        lambda c, p: c.get_route("0198a0b1-0000-7000-8000-000000000001"),
        [r"/routes/[^/]+"],
    ),
    "get_route_name": (
        lambda c, p: c.get_route("ann/relax"),
        [r"/elements/common/name-to-id", r"/routes/[^/]+"],
    ),
    "service_routes": (lambda c, p: c.service_routes(SID), [r"/services/[^/]+/routes"]),
    "compatible_routes": (
        lambda c, p: c.compatible_routes(FID, limit=5),
        [r"/assets/[^/]+/compatible-routes"],
    ),
    "route_stats": (lambda c, p: c.route_stats(RID), [r"/routes/[^/]+/stats"]),
    "route_cost": (
        lambda c, p: c.route_cost(target_route(), FID),
        [r"/services/[^/]+/routes/[^/]+/cost"],
    ),
    "execute": (
        lambda c, p: c.execute(target_route(), body={}, idempotency_key="k"),
        [r"/services/[^/]+/routes/[^/]+/use"],
    ),
    "get_action": (lambda c, p: c.get_action(AID), [r"/actions/[^/]+"]),
    "list_route_actions": (
        lambda c, p: c.list_route_actions(target_route()),
        [r"/services/[^/]+/routes/[^/]+/actions"],
    ),
    "list_my_actions": (lambda c, p: c.list_my_actions(status=["queued"]), [r"/actions"]),
    "action_logs": (lambda c, p: c.action_logs(AID, offset=3), [r"/actions/[^/]+/logs"]),
    "upload_small": (
        lambda c, p: c.upload_file(p / "small.cif"),
        [r"/files/upload", r"/files/[^/]+/metadata", r"/files/create"],
    ),
    "upload_large": (
        lambda c, p: c.upload_file(p / "large.cif"),
        [r"/files/upload-url", r"/up", r"/files/upload/complete", r"/files/create"],
    ),
    "get_file": (lambda c, p: c.get_file(FID), [r"/files/[^/]+"]),
    "download_file": (
        lambda c, p: c.download_file(FID, p / "out.bin"),
        [r"/files/[^/]+", r"/files/[^/]+/data", r"/blob"],
    ),
}

CASES = [(m, t) for m, (_, targets) in METHODS.items() for t in targets]


def fake_ouro(target: str, hostile: Callable[[], httpx.Response]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/users/get-token":
            return httpx.Response(200, json={"access_token": fake_jwt(), "refresh_token": "r"})
        # The most specific pattern that matches wins (longest first).
        for method, pattern, good in sorted(GOOD, key=lambda g: -len(g[1])):
            if request.method == method and re.fullmatch(pattern, path):
                return hostile() if pattern == target else good()
        return httpx.Response(404, json={"data": None, "error": "no such endpoint"})

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("body", list(CORPUS))
@pytest.mark.parametrize(("method", "target"), CASES, ids=[f"{m}:{t}" for m, t in CASES])
def test_only_our_errors(method: str, target: str, body: str, tmp_path: Path) -> None:
    (tmp_path / "small.cif").write_bytes(b"data_x\n")
    (tmp_path / "large.cif").write_bytes(b"data_x\n" * 100)
    call, _ = METHODS[method]

    async def scenario() -> None:
        async with OuroClient(
            "https://api.example",
            "k" * 40,
            transport=fake_ouro(target, CORPUS[body]),
            upload_threshold=100,
            max_response_bytes=12 * MB,
            sleep=NoSleep(),
            deadline=10.0,
        ) as client:
            try:
                await call(client, tmp_path)
            except OuroError as exc:
                assert str(exc) and not str(exc).startswith(("Traceback", "<"))
                if method == "execute":
                    assert isinstance(exc, SubmissionUnknown) or (
                        isinstance(exc, APIStatusError) and 400 <= exc.status < 500
                    ), repr(exc)
            # Anything else propagates and fails the test.

    run(scenario())


def test_the_corpus_really_is_hostile() -> None:
    """Guard against a corpus that quietly became valid: most entries must be refused."""
    refused = 0
    for body in CORPUS:

        async def scenario(body: str = body) -> bool:
            async with OuroClient(
                "https://api.example",
                "k" * 40,
                transport=fake_ouro(r"/actions/[^/]+", CORPUS[body]),
                max_response_bytes=12 * MB,
                sleep=NoSleep(),
            ) as client:
                try:
                    await client.get_action(AID)
                except OuroError:
                    return True
                return False

        refused += run(scenario())
    assert refused >= len(CORPUS) - 2  # data-is-object and unknown-action-status parse


def test_json_guard_depth_limit() -> None:
    from ouro_desktop.api._wire import parse_json

    assert parse_json(b"[" * 200 + b"]" * 200) == json.loads(b"[" * 200 + b"]" * 200)
    with pytest.raises(OuroError):
        parse_json(b"[" * 201 + b"]" * 201)
