"""ouro-protocol.md §2.3: ouro-py 2.20.0's token refresh paths against the demo over loopback.

These need fault switches, so the demo runs in-test under uvicorn (a free port) with a
small ASGI wrapper that records every request: how often the API key was exchanged and
which token each request carried.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from ouro import (
    AuthenticationError,
    ExternalServiceError,
    InternalServerError,
    Ouro,
    RateLimitError,
)

from ouro_desktop.demo.app import backend_of, create_app
from ouro_desktop.demo.faults import Faults
from tests.conftest import serve_on_loopback

from .conftest import make_client

pytestmark = pytest.mark.timeout(60)

DOS = "demo/predict-electronic-dos-at-fermi-level"
EXCHANGE = "/users/get-token"


@dataclass
class Seen:
    method: str
    path: str
    authorization: str | None


@dataclass
class Recorder:
    """An ASGI wrapper that notes each HTTP request before the demo app handles it."""

    app: Any
    seen: list[Seen] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            auth = headers.get(b"authorization")
            self.seen.append(Seen(scope["method"], scope["path"], auth.decode() if auth else None))
        await self.app(scope, receive, send)

    @property
    def exchanges(self) -> int:
        return sum(1 for s in self.seen if s.method == "POST" and s.path == EXCHANGE)

    def after(self, mark: int) -> list[Seen]:
        return self.seen[mark:]


@dataclass
class Served:
    url: str
    api_key: str
    faults: Faults
    recorder: Recorder
    clock: list[float]


@pytest.fixture
def served(tmp_path: Path, sdk_cwd: Path) -> Iterator[Served]:
    offset = [0.0]
    faults = Faults(time_scale=0.01)
    app = create_app(tmp_path / "data", faults=faults, clock=lambda: time.time() + offset[0])
    recorder = Recorder(app)
    with serve_on_loopback(recorder) as url:
        yield Served(url, backend_of(app).api_key, faults, recorder, offset)


def test_short_ttl_refreshes_before_each_request(served: Served):
    # exp = now + 300 puts every request inside ouro-py's 300 s refresh buffer.
    served.faults.token_ttl = 300
    client = make_client(served.url, served.api_key)
    assert served.recorder.exchanges == 1
    first_token = client.access_token

    mark = len(served.recorder.seen)
    route = client.routes.retrieve(DOS)  # name-to-id, then /routes/{id}
    stats = client.routes.stats(str(route.id))
    assert route.name == "predict-electronic-dos-at-fermi-level"
    assert stats.total >= 0

    calls = [s for s in served.recorder.after(mark) if s.path != EXCHANGE]
    assert len(calls) == 3
    assert served.recorder.exchanges == 1 + len(calls)  # one proactive refresh per request
    tokens = [s.authorization for s in calls]
    assert len(set(tokens)) == len(tokens) and first_token not in tokens
    assert client.access_token == tokens[-1]


def test_long_ttl_does_not_refresh(served: Served):
    client = make_client(served.url, served.api_key)
    client.routes.retrieve(DOS)
    client.routes.list(query="dos")
    assert served.recorder.exchanges == 1


def test_expired_token_401_is_reexchanged_once(served: Served):
    client = make_client(served.url, served.api_key)
    old = client.access_token
    served.clock[0] = 7200.0  # the server's clock moves past the token's exp
    mark = len(served.recorder.seen)
    route = client.routes.retrieve(DOS)
    assert route.name == "predict-electronic-dos-at-fermi-level"
    assert served.recorder.exchanges == 2
    assert client.access_token != old
    first, *rest = [s for s in served.recorder.after(mark) if s.path != EXCHANGE]
    assert first.authorization == old  # rejected with 401 ...
    assert all(s.authorization == client.access_token for s in rest)  # ... then replayed


def test_one_shot_401_is_retried_after_one_exchange(served: Served, examples: Path):
    client = make_client(served.url, served.api_key)
    cu = client.files.create(name="Cu", visibility="private", file_path=str(examples / "Cu.cif"))
    old = client.access_token
    served.faults.unauthorized_next = 1
    action = client.routes.execute(DOS, input_assets={"file": str(cu.id)})
    assert action.status == "success"
    assert action.response["formula"] == "Cu"
    assert served.faults.unauthorized_next == 0
    assert served.recorder.exchanges == 2
    assert client.access_token != old


def test_one_shot_no_user_context_is_retried(served: Served):
    client = make_client(served.url, served.api_key)
    old = client.access_token
    served.faults.no_user_context_next = 1
    route = client.routes.retrieve(DOS)
    assert route.route.execution_mode == "sync"
    assert served.faults.no_user_context_next == 0
    assert served.recorder.exchanges == 2
    assert client.access_token != old


def test_a_second_no_user_context_is_not_retried_again(served: Served):
    """The SDK retries once: two faults in a row surface as a 500."""
    client = make_client(served.url, served.api_key)
    served.faults.no_user_context_next = 2
    with pytest.raises(InternalServerError, match="No user context"):
        client.routes.stats("00000000-0000-0000-0000-000000000001")
    assert served.recorder.exchanges == 2


def test_access_token_client_cannot_refresh(served: Served):
    """Control: without an API key the same one-shot 401 is not recovered."""
    keyed = make_client(served.url, served.api_key)
    borrowed = Ouro(access_token=keyed.access_token, base_url=served.url)
    served.faults.unauthorized_next = 1
    with pytest.raises(AuthenticationError):
        borrowed.routes.retrieve(DOS)
    assert served.recorder.exchanges == 1


def test_wrong_api_key_is_refused(served: Served):
    with pytest.raises(httpx.HTTPStatusError) as caught:
        make_client(served.url, "not-a-key")
    assert caught.value.response.status_code == 401


def test_rate_limit_surfaces_as_rate_limit_error(served: Served):
    client = make_client(served.url, served.api_key)
    served.faults.rate_limit_next = 1
    served.faults.retry_after_s = 2
    with pytest.raises(RateLimitError) as caught:
        client.routes.list(query="dos")
    assert caught.value.response.headers["retry-after"] == "2"
    assert len(client.routes.list(query="dos")) > 0  # the next call goes through


def test_retryable_upstream_failure(served: Served, examples: Path):
    client = make_client(served.url, served.api_key)
    cu = client.files.create(name="Cu", visibility="private", file_path=str(examples / "Cu.cif"))
    served.faults.route_failure["predict-electronic-dos-at-fermi-level"] = (
        503,
        "The DOS service is overloaded.",
    )
    with pytest.raises(ExternalServiceError) as caught:
        client.routes.execute(DOS, input_assets={"file": str(cu.id)}, raise_on_error=True)
    assert caught.value.status_code == 503
    assert caught.value.retryable is True
    assert "overloaded" in str(caught.value)
