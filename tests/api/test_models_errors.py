"""Models tolerate what they do not know and refuse wrong types; one status → error map."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ouro_desktop.api import (
    Action,
    ActionLog,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    FileAsset,
    InternalServerError,
    InvalidRouteReference,
    NotFoundError,
    OuroError,
    Page,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ResponseError,
    Route,
    UnprocessableEntityError,
    User,
)
from ouro_desktop.api.client import parse_route_ref
from ouro_desktop.api.errors import status_error

LEGACY_ROUTE = {
    "id": "r1",
    "parent_id": "s1",
    "name": "POST /materials/structure/relax",
    "name_url_slug": "post-materials-structure-relax",
    "user": {"user_id": "u", "username": "alice"},
    "org_id": "00000000-0000-0000-0000-000000000000",
    "description": {"json": {}, "text": "Relax a crystal"},
    "monetization": "pay-per-use",
    "price": 0,
    "unit_cost": 0,
    "something_new": {"x": 1},
    "route": {
        "method": "post",
        "path": "/materials/structure/relax",
        "execution_mode": "async",
        "input_type": "file",
        "input_filter": "atomic structure",
        "input_file_extension": "cif",
        "request_body": {
            "content": {
                "application/json": {
                    "schema": {
                        "anyOf": [
                            {"type": "null"},
                            {"type": "object", "properties": {"fmax": {"type": "number"}}},
                        ]
                    }
                }
            }
        },
    },
}


def test_route_legacy_projection_and_properties() -> None:
    route = Route.from_json(LEGACY_ROUTE)
    assert route.full_name == "alice/post-materials-structure-relax"
    assert route.method == "POST" and route.is_async and route.service_id == "s1"
    assert route.description == "Relax a crystal"
    decl = route.input_assets["file"]
    assert decl.primary and decl.file_extensions == ("cif",)
    assert decl.input_filter == "atomic structure"
    assert route.request_schema == {"type": "object", "properties": {"fmax": {"type": "number"}}}
    assert not route.is_paid  # pay-per-use at price 0 costs nothing
    assert route.raw["something_new"] == {"x": 1}
    paid = Route.from_json({**LEGACY_ROUTE, "price": 0.05})
    assert paid.is_paid


def test_route_owner_is_the_org_outside_the_personal_context() -> None:
    route = Route.from_json(
        {**LEGACY_ROUTE, "org_id": "o1", "organization": {"id": "o1", "name": "acme"}}
    )
    assert route.full_name == "acme/post-materials-structure-relax"


def test_search_hit_without_a_route_block() -> None:
    hit = Route.from_json({"id": "r", "name": "x"})
    assert not hit.has_definition and hit.input_assets == {} and hit.execution_mode == "sync"


@pytest.mark.parametrize(
    "raw",
    [
        [],
        {"name": "no id"},
        {"id": 5},
        {"id": "r", "route": []},
        {"id": "r", "route": {"input_assets": {"file": "x"}}},
        {"id": "r", "route": {"parameters": {"a": 1}}},
        {"id": "r", "price": "free"},
        {"id": "r", "price": True},
        {"id": "r", "metrics": [1]},
    ],
)
def test_route_wrong_types_are_response_errors(raw: Any) -> None:
    with pytest.raises(ResponseError):
        Route.from_json(raw)


def test_action_statuses_messages_and_fields() -> None:
    odd = Action.from_json({"id": "a", "route_id": "r", "status": "paused-by-ops"})
    assert odd.status == "paused-by-ops" and not odd.is_terminal and odd.error_message is None
    ok = Action.from_json(
        {
            "id": "a",
            "route_id": "r",
            "status": "success",
            "created_at": "2025-07-14T12:49:18.24+00:00",
            "finished_at": "2025-07-14T12:49:48Z",
            "metadata": {"idempotency_key": "k1"},
            "output_assets": [{"name": "file", "asset_id": "f1", "asset_type": "file"}],
        }
    )
    assert ok.is_terminal and ok.error_message is None and ok.idempotency_key == "k1"
    assert ok.created_at == datetime(2025, 7, 14, 12, 49, 18, 240000, tzinfo=UTC)
    assert ok.output_file_ids == ["f1"]
    external = Action.from_json(
        {
            "id": "a",
            "route_id": "r",
            "status": "error",
            "response": {
                "statusCode": 503,
                "error": {"type": "external_service_error", "message": "Service unavailable"},
            },
        }
    )
    assert external.error_message == "Service unavailable"
    assert external.error_status == 503 and external.retryable
    detail = Action.from_json(
        {"id": "a", "route_id": "r", "status": "error", "response": {"detail": "Diverged"}}
    )
    assert detail.error_message == "Diverged" and not detail.retryable
    timed_out = Action.from_json({"id": "a", "route_id": "r", "status": "timed-out"})
    assert timed_out.error_message == "The service did not answer in time."
    fields = Action.from_json(
        {
            "id": "a",
            "route_id": "r",
            "status": "error",
            "response": {"detail": [{"loc": ["body", "fmax"], "msg": "Input should be ≤ 1"}]},
        }
    )
    assert fields.field_errors == {"fmax": "Input should be ≤ 1"}
    assert fields.error_message == "fmax: Input should be ≤ 1"


@pytest.mark.parametrize(
    "raw",
    [
        {"route_id": "r", "status": "queued"},
        {"id": "a", "route_id": "r"},
        {"id": "a", "route_id": "r", "status": 3},
        {"id": "a", "status": "queued"},
        {"id": "a", "route_id": "r", "status": "queued", "created_at": "yesterday"},
        {"id": "a", "route_id": "r", "status": "queued", "created_at": 1700000000},
        {"id": "a", "route_id": "r", "status": "queued", "output_assets": {}},
        {"id": "a", "route_id": "r", "status": "queued", "metadata": []},
    ],
)
def test_action_wrong_shapes(raw: Any) -> None:
    with pytest.raises(ResponseError):
        Action.from_json(raw)


def test_other_models() -> None:
    assert User.from_json({"user_id": "u", "email": "e"}).id == "u"
    log = ActionLog.from_json({"id": "l", "message": "hi", "extra": 1})
    assert log.level == "info" and log.message == "hi"
    file = FileAsset.from_json(
        {"id": "f", "name": "Fe", "metadata": {"mimeType": "chemical/x-cif", "contentLength": "12"}}
    )
    assert file.mime == "chemical/x-cif" and file.size == 12
    page = Page.from_json(
        {"data": [{"id": "l"}], "pagination": {"has_more": True, "total": 9}}, ActionLog.from_json
    )
    assert page.has_more and page.total == 9 and page.limit == 1
    bare = Page.from_json({"data": []}, ActionLog.from_json, offset=4)
    assert bare.offset == 4 and not bare.has_more and bare.total is None
    assert "raw" not in repr(file)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (413, PayloadTooLargeError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, InternalServerError),
        (418, APIStatusError),
    ],
)
def test_status_mapping(status: int, cls: type[APIStatusError]) -> None:
    error = status_error(status, {"data": None, "error": {"message": "m", "code": "c"}})
    assert type(error) is cls and error.status == status and error.code == "c"
    assert isinstance(error, OuroError) and str(error) == "m"


def test_envelope_status_wins_and_messages_are_found() -> None:
    error = status_error(200, {"error": {"status": 404, "code": "asset_not_found", "message": "x"}})
    assert isinstance(error, NotFoundError) and error.code == "asset_not_found"
    assert isinstance(status_error(200, {"error": {"statusCode": "403"}}), PermissionDeniedError)
    assert str(status_error(404, {"detail": "Not Found"})) == "Not Found"
    assert str(status_error(400, {"error": "Asset not found"})) == "Asset not found"
    plain = status_error(502, None)
    assert "(HTTP 502)" in str(plain) and "problem" in str(plain)
    unprocessable = status_error(
        422,
        {
            "detail": [
                {"loc": ["body", "fmax"], "msg": "too big"},
                {"loc": ["query", "n"], "msg": "x"},
            ]
        },
    )
    assert isinstance(unprocessable, UnprocessableEntityError)
    assert unprocessable.field_errors == {"fmax": "too big", "n": "x"}
    assert str(unprocessable) == "fmax: too big; n: x"
    limited = status_error(429, None, retry_after=3.0)
    assert isinstance(limited, RateLimitError) and limited.retry_after == 3.0


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("0198A0B1-0000-7000-8000-000000000001", "0198a0b1-0000-7000-8000-000000000001"),
        ("alice/relax", ("alice", "relax")),
        (" alice/relax/ ", ("alice", "relax")),
        ("https://ouro.foundation/routes/alice/relax", ("alice", "relax")),
        ("https://ouro.foundation/routes/alice/relax/docs?tab=1", ("alice", "relax")),
        (
            "https://ouro.foundation/routes/0198a0b1-0000-7000-8000-000000000001",
            "0198a0b1-0000-7000-8000-000000000001",
        ),
    ],
)
def test_route_references(ref: str, expected: Any) -> None:
    assert parse_route_ref(ref) == expected


@pytest.mark.parametrize(
    "ref", ["", "relax", "a/b/c", "https://ouro.foundation/posts/alice/x", "/relax"]
)
def test_bad_route_references(ref: str) -> None:
    with pytest.raises(InvalidRouteReference):
        parse_route_ref(ref)
