"""Big answers: read in small steps off the event loop, depth checked on the text, too
large ones refused by size and saved to a file instead."""

from __future__ import annotations

import asyncio
import json
import random
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from ouro_desktop.api import _json, _wire
from ouro_desktop.api.client import OuroClient
from ouro_desktop.api.errors import ResponseError, ResponseTooLarge
from ouro_desktop.api.models import ActionLog
from tests.heavy_routes import answer_records

TOKEN = "header.eyJleHAiOjQxMDI0NDQ4MDB9.sig"


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 4 or roll < 0.35:
        return rng.choice(
            [
                1,
                -2.5e-3,
                'x"y\\z',
                "a,b},{c",
                None,
                True,
                False,
                "é\u2028😀",
                12345678901234567890,
                "",
            ]
        )
    if roll < 0.65:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 12))]
    return {
        f"k{rng.randint(0, 50)}": _random_value(rng, depth + 1) for _ in range(rng.randint(0, 8))
    }


def test_reading_in_steps_gives_what_json_loads_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_json, "STEP_CHARS", 200)  # tiny steps: every path is taken
    rng = random.Random(7)
    for i in range(800):
        value = _random_value(rng)
        for indent in (None, 2):
            text = json.dumps(value, indent=indent, ensure_ascii=i % 2 == 0)
            assert _json.loads_in_steps(text, 200) == json.loads(text)
            if i % 2 == 0:  # ASCII: the same read straight from the bytes
                ascii_text = _json.AsciiText(text.encode())
                assert _json.loads_in_steps(ascii_text, 200) == json.loads(text)
    long_text = 'ab\\"c\n\u00e9😀' * 3000  # a string many steps long, escapes included
    text = json.dumps({"s": long_text, "l": [long_text, "x" * 5000]})
    assert _json.loads_in_steps(text, 200) == json.loads(text)
    assert _json.loads_in_steps(_json.AsciiText(text.encode()), 200) == json.loads(text)
    records = json.dumps({"curve": answer_records(0.05)}, separators=(",", ":"))
    assert _json.loads_in_steps(records, 200) == json.loads(records)
    records = json.dumps({"curve": answer_records(0.2)}, separators=(",", ":"))
    compact = _json.loads_in_steps(_json.AsciiText(records.encode()), 200, {"curve"})
    assert compact == json.loads(records) and type(compact["curve"]) is not list


@pytest.mark.parametrize(
    "text", ["[1,2", '{"a":1,}', "[1 2]", '["a\n"]', "", "{}x", '{"a" 1}', "[" * 300 + "]" * 300]
)
def test_broken_json_is_refused_in_steps(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(_json, "STEP_CHARS", 64)
    with pytest.raises(ValueError):
        _json.loads_in_steps(text, 200)
    with pytest.raises(ValueError):
        _json.loads_in_steps(_json.AsciiText(text.encode()), 200)


def _walk_depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_walk_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_walk_depth(v) for v in value), default=0)
    return 0


def test_nesting_is_measured_on_the_text() -> None:
    rng = random.Random(3)
    for _ in range(300):
        value = _random_value(rng)
        text = json.dumps({"w": value, "s": "[[[[{{{{"})  # brackets inside strings never count
        depth = _walk_depth(json.loads(text))
        assert _json.nesting_over(text, depth) is False
        assert _json.nesting_over(text, depth - 1) is True
    assert not _json.nesting_over("[" * 200 + "]" * 200, 200)
    assert _json.nesting_over("[" * 201 + "]" * 201, 200)


def test_too_deep_answers_are_refused_small_and_big() -> None:
    deep = b'{"data": ' + b"[" * 300 + b"]" * 300 + b"}"
    with pytest.raises(ResponseError, match="nested too deeply"):
        _wire.parse_json(deep)
    padding = b'"' + b"x" * (_wire.STEPPED_PARSE_BYTES + 10) + b'"'
    big_deep = b'{"pad": ' + padding + b', "data": ' + b"[" * 300 + b"]" * 300 + b"}"
    with pytest.raises(ResponseError, match="nested too deeply"):
        _wire.parse_json(big_deep)


def _transport(body: bytes) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/users/get-token":
            return httpx.Response(200, json={"access_token": TOKEN})
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    return httpx.MockTransport(handle)


def _action_body(megabytes: float) -> tuple[bytes, dict[str, Any]]:
    action = {
        "id": "a1",
        "route_id": "r1",
        "status": "success",
        "response": {"curve": answer_records(megabytes)},
    }
    return json.dumps({"data": action}, separators=(",", ":")).encode(), action


def test_a_big_answer_is_read_in_a_worker_while_the_loop_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body, action = _action_body(1.0)
    assert len(body) > _wire.STEPPED_PARSE_BYTES
    seen: dict[str, Any] = {}
    real = _wire.loads_in_steps

    def spy(text: str, depth: int, *args: Any) -> Any:
        seen["thread"] = threading.current_thread()
        # The event loop must run a callback queued now, while this answer is being read.
        loop_ran = threading.Event()
        seen["loop"].call_soon_threadsafe(loop_ran.set)
        seen["loop_free"] = loop_ran.wait(5)
        return real(text, depth, *args)

    monkeypatch.setattr(_wire, "loads_in_steps", spy)

    async def main() -> Any:
        seen["loop"] = asyncio.get_running_loop()
        async with OuroClient("https://api.test", "key", transport=_transport(body)) as client:
            return await client.get_action("a1")

    got = asyncio.run(main())
    assert seen["thread"] is not threading.main_thread()
    assert seen["loop_free"], "the event loop was blocked while the answer was read"
    assert got.response == action["response"]


def test_a_page_of_runs_is_decoded_in_a_worker_and_a_small_answer_on_the_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A list of 100 runs (~100 KB, polled over and over while a batch runs) is decoded
    off the event loop; an answer of a few KB is quicker to decode where it is."""
    page = {
        "data": [
            {"id": f"a{i}", "route_id": "r1", "status": "queued", "x": "y" * 900}
            for i in range(100)
        ],
        "pagination": {"offset": 0, "limit": 100, "total": 100, "hasMore": False},
    }
    big = json.dumps(page).encode()
    small = json.dumps({"data": {"id": "a1", "route_id": "r1", "status": "queued"}}).encode()
    assert _wire.OFF_LOOP_PARSE_BYTES < len(big) < _wire.STEPPED_PARSE_BYTES
    on_loop: dict[int, bool] = {}  # body size -> decoded on the loop's thread
    real = _wire.parse_text

    def spy(text: str, size: int, **kw: Any) -> Any:
        on_loop[size] = threading.current_thread() is threading.main_thread()
        return real(text, size, **kw)

    monkeypatch.setattr(_wire, "parse_text", spy)

    async def main(body: bytes) -> Any:
        async with OuroClient("https://api.test", "key", transport=_transport(body)) as client:
            return (
                await client.get_action("a1")
                if body is small
                else await client.list_my_actions(limit=100)
            )

    listed = asyncio.run(main(big))
    assert len(listed.items) == 100 and on_loop[len(big)] is False
    assert asyncio.run(main(small)).id == "a1" and on_loop[len(small)] is True


def test_a_page_of_log_lines_is_made_in_a_worker_while_the_loop_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A long log is read 500 lines a page, hundreds of pages: its lines are made off the
    event loop (the window's), which runs a callback queued meanwhile."""
    lines = [
        {
            "id": f"l{i}",
            "action_id": "a1",
            "level": "warn" if i == 7 else "info",
            "message": f"line {i}",
            "created_at": "2025-07-14T12:49:18.24+00:00",
        }
        for i in range(500)
    ]
    pagination = {"offset": 500, "limit": 500, "total": 1500, "hasMore": True}
    body = json.dumps({"data": lines, "pagination": pagination}).encode()
    seen: dict[str, Any] = {}
    real = ActionLog.from_json.__func__  # type: ignore[attr-defined]

    def spy(cls: type[ActionLog], raw: object, **kw: Any) -> ActionLog:
        if "thread" not in seen:
            seen["thread"] = threading.current_thread()
            loop_ran = threading.Event()
            seen["loop"].call_soon_threadsafe(loop_ran.set)
            seen["loop_free"] = loop_ran.wait(5)
        line: ActionLog = real(cls, raw, **kw)
        return line

    monkeypatch.setattr(ActionLog, "from_json", classmethod(spy))

    async def main() -> Any:
        seen["loop"] = asyncio.get_running_loop()
        async with OuroClient("https://api.test", "key", transport=_transport(body)) as client:
            return await client.action_logs("a1", offset=500, limit=500)

    page = asyncio.run(main())
    assert seen["thread"] is not threading.main_thread()
    assert seen["loop_free"], "the event loop was blocked while the lines were made"
    assert [line.message for line in page.items] == [f"line {i}" for i in range(500)]
    assert page.items[7].level == "warn" and page.has_more and page.total == 1500


def test_a_worker_reading_in_steps_hands_the_interpreter_over_after_each_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Without the pause the window's thread waits out the interpreter's switch interval
    # each time Qt calls into Python while a big answer is read: a stutter of 20-50 ms.
    text = json.dumps({"curve": answer_records(1.0)}, separators=(",", ":"))
    pauses: list[tuple[str, float]] = []
    monkeypatch.setattr(
        _json.time, "sleep", lambda s: pauses.append((threading.current_thread().name, s))
    )
    assert _json.loads_in_steps(text, 200) == json.loads(text)
    assert pauses == [], "the window's own thread must not pause"

    got: list[Any] = []
    worker = threading.Thread(
        target=lambda: got.append(_json.loads_in_steps(text, 200)), name="reader"
    )
    worker.start()
    worker.join(30)
    assert got == [json.loads(text)]
    steps = len(text) // _json.STEP_CHARS
    assert steps >= 10
    assert steps - 2 <= len(pauses) <= 2 * steps + 2
    assert {name for name, _s in pauses} == {"reader"}
    assert all(s == _json.BREATH_S > 0 for _n, s in pauses)


def test_a_big_ascii_answer_is_read_from_its_bytes_never_decoded_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One bytes.decode of a 45 MB answer holds the interpreter (the window) for 25-60 ms
    # and keeps the answer twice in memory: the reader takes its text a slice at a time.
    body, action = _action_body(1.0)
    handed: list[Any] = []
    real = _wire.loads_in_steps

    def spy(text: Any, depth: int, *args: Any) -> Any:
        handed.append(text)
        return real(text, depth, *args)

    monkeypatch.setattr(_wire, "loads_in_steps", spy)
    assert _wire.ApiResponse(200, body, {}).json() == {"data": action}
    assert isinstance(handed[-1], _json.AsciiText) and handed[-1].raw is body

    # Not ASCII (a writer that leaves é as it is): decoded as before, the same values.
    wide = body.replace(b'"success"', '"succès"'.encode())
    assert _wire.ApiResponse(200, wide, {}).json()["data"]["status"] == "succès"
    assert type(handed[-1]) is str
    # Refused the same way from bytes: blank, a web page, broken, too deep.
    pad = b" " * (_wire.STEPPED_PARSE_BYTES + 1)
    for bad, words in [
        (pad, "empty answer"),
        (pad + b"<html>" + b"x" * 10, "web page"),
        (body[:-2], "not valid JSON"),
        (b'{"pad":"' + pad + b'","d":' + b"[" * 300 + b"]" * 300 + b"}", "too deeply"),
    ]:
        with pytest.raises(ResponseError, match=words):
            _wire.ApiResponse(200, bad, {}).json()


def test_an_answer_arriving_in_many_pieces_is_gathered_as_they_arrive() -> None:
    # Joined once all had come, a 45 MB answer was one copy of it on the event loop's
    # thread, the window's: each piece is copied into one growing buffer as it comes.
    from ouro_desktop.api._body import read_capped

    body, action = _action_body(1.0)
    pieces = [body[at : at + 65536] for at in range(0, len(body), 65536)]
    gathered: list[int] = []

    class Streamed:
        headers = {"content-length": str(len(body))}
        is_success = True

        async def aiter_bytes(self) -> Any:
            for piece in pieces:
                yield piece
                gathered.append(len(piece))

    content = asyncio.run(read_capped(Streamed(), 50 * 1024 * 1024))
    assert type(content) is bytearray and content == body and len(gathered) == len(pieces)
    assert _wire.ApiResponse(200, content, {}).json() == {"data": action}
    Streamed.headers = {}  # no length declared: the cap still holds as pieces come
    with pytest.raises(ResponseTooLarge):
        asyncio.run(read_capped(Streamed(), len(body) - 1))
    pieces[:] = [body]  # one piece: that piece, not a copy
    assert asyncio.run(read_capped(Streamed(), len(body))) is body


def test_an_accepted_big_answer_lets_its_bytes_go_once_read_a_refusal_keeps_them() -> None:
    body, action = _action_body(1.0)
    accepted = _wire.ApiResponse(200, body, {})
    assert accepted.json() == {"data": action}
    assert accepted.content == b"", "the bytes stay in memory beside the values"
    assert accepted.json() == {"data": action}  # read once, kept

    small = _wire.ApiResponse(200, b'{"data": 1}', {})
    assert small.json() == {"data": 1} and small.content == b'{"data": 1}'

    refused_body = json.dumps({"error": {"message": "x" * 400_000}}).encode()
    refused = _wire.ApiResponse(422, refused_body, {})
    assert refused.json()["error"]["message"] == "x" * 400_000
    assert refused.content == refused_body  # a refusal's words are read again for the error


def test_an_answer_over_the_cap_is_refused_by_size_and_saved_whole(tmp_path: Path) -> None:
    body, _action = _action_body(0.3)

    async def main() -> Path:
        async with OuroClient(
            "https://api.test", "key", transport=_transport(body), max_response_bytes=100_000
        ) as client:
            with pytest.raises(ResponseTooLarge) as caught:
                await client.get_action("a1")
            assert caught.value.size == len(body)  # the declared length, for "too large (…)"
            seen: list[int] = []
            saved = await client.save_action(
                "a1", tmp_path / "run.json", progress=lambda done, _t: seen.append(done)
            )
            assert seen and seen[-1] == len(body)
            return saved

    saved = asyncio.run(main())
    assert saved.read_bytes() == body
    assert not list(tmp_path.glob("*.part"))


class _Cycle:
    """Refers to itself: only a cyclic garbage collection frees it."""

    def __init__(self, freed: list[int]) -> None:
        self.me = self
        self.freed = freed

    def __del__(self) -> None:
        self.freed.append(1)


def test_reading_many_big_answers_freezes_nothing_and_cycles_alive_meanwhile_are_freed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Log pages of ~320 KB and a 2 MB answer, through the client from the in-process
    demo: nothing alive meanwhile is moved out of the collector's view (``gc.freeze``
    after each answer kept every cycle alive then forever), so a cycle dropped after
    the reading is freed by the next collection."""
    import gc
    import uuid

    from ouro_desktop.demo.faults import Faults
    from ouro_desktop.demo.in_process import InProcessDemo
    from ouro_desktop.demo.services import demo_services
    from tests.heavy_routes import heavy_services

    demo = InProcessDemo(
        tmp_path / "demo",
        services=[*demo_services(), *heavy_services(forms=False)],
        faults=Faults(time_scale=0.01),
    )
    gc.unfreeze()  # (what the UI tests' teardown froze: frees would lower the count)
    freed: list[int] = []
    alive = [_Cycle(freed) for _ in range(20)]
    sizes: list[int] = []
    real = _wire.parse_text

    def spy(text: str, size: int, **kw: Any) -> Any:
        sizes.append(size)
        return real(text, size, **kw)

    async def finished(client: OuroClient, ref: str, body: dict[str, Any]) -> Any:
        route = await client.get_route(ref)
        action = (await client.execute(route, body=body, idempotency_key=str(uuid.uuid4()))).action
        while not action.is_terminal:
            await asyncio.sleep(0.05)
            action = await client.get_action(action.id)
        return action

    async def main() -> tuple[int, int]:
        transport, key = await demo.connect()
        try:
            async with OuroClient("http://demo.test", key, transport=transport) as client:
                await client.sign_in()
                chatty = await finished(client, "demo/chatty-run", {"lines": 3000})
                big = await finished(client, "demo/large-answer", {"megabytes": 2.0})
                frozen = gc.get_freeze_count()
                monkeypatch.setattr(_wire, "parse_text", spy)
                lines = 0
                while True:
                    page = await client.action_logs(chatty.id, offset=lines, limit=500)
                    lines += len(page.items)
                    if not page.has_more:
                        break
                action = await client.get_action(big.id)
                assert gc.get_freeze_count() == frozen
                return lines, len(action.response["curve"])
        finally:
            await demo.aclose()

    lines, points = asyncio.run(main())
    assert lines == 3002 and points > 40_000
    assert sum(size > _wire.STEPPED_PARSE_BYTES for size in sizes) >= 7  # read in steps
    del alive
    gc.collect()
    assert len(freed) == 20
