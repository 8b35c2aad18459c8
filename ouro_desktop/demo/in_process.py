"""The demo backend inside the app's own process, on a thread and event loop of its own.

What the window's "Try the demo" (and ``--demo``) signs into. The backend is built on
first use, so a start that never opens the demo never loads it. It runs on its own
thread, with its own asyncio loop, behind an httpx transport like any other: each
request is carried to that loop (a request body streamed from disk is pulled a chunk at
a time from the caller's loop) and the answer carried back. So running routes,
searching the catalogue and writing SQLite never take a turn of the window's loop.

The backend's objects (``backend.store``, ``backend.faults``) stay reachable for tests:
the store is thread-safe and the fault switches are plain attributes.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from .service_warmup import import_service_libraries

T = TypeVar("T")


class InProcessDemo:
    def __init__(
        self, data_dir: Path, *, services: list[Any] | None = None, faults: Any = None
    ) -> None:
        self.data_dir = Path(data_dir)
        self.services = services
        self.faults = faults
        self.app: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def backend(self) -> Any:
        """The running backend (its store and fault switches), once connected."""
        return self.app.state.backend if self.app is not None else None

    async def connect(self) -> tuple[Any, str]:
        """Start the demo's thread (and build the backend there), once; an httpx
        transport to it and the demo user's API key."""
        loop = self._start()
        if self.app is None:
            from .app import create_app  # noqa: PLC0415 - only when the demo is used

            def build() -> Any:
                return create_app(self.data_dir, services=self.services, faults=self.faults)

            self.app = await _wait(asyncio.run_coroutine_threadsafe(_call(build), loop))
            # The routes' libraries, imported now (in a worker thread of the demo's loop)
            # rather than when the first run starts: that import competes with the window's
            # thread for the interpreter for 50-100 ms, and then the window was busy
            # following the run it had just started (the longest stall of a run watched
            # live, 20-30 ms); while the demo signs in, the window mostly waits.
            asyncio.run_coroutine_threadsafe(import_service_libraries(), loop)
        return _transport_class()(self.app, loop), self.app.state.backend.api_key

    def _start(self) -> asyncio.AbstractEventLoop:
        if self._loop is not None:
            return self._loop
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            try:
                loop.run_forever()
            finally:
                loop.close()

        self._thread = threading.Thread(target=serve, name="ouro-demo-backend", daemon=True)
        self._thread.start()
        ready.wait()
        self._loop = loop
        return loop

    async def aclose(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            self.app = None
            return
        if self.app is not None:
            backend = self.app.state.backend
            await _wait(asyncio.run_coroutine_threadsafe(backend.aclose(), loop))
            self.app = None

        async def cancel_the_rest() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        await _wait(asyncio.run_coroutine_threadsafe(cancel_the_rest(), loop))
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.get_event_loop().run_in_executor(None, thread.join, 10)
        self._loop = self._thread = None


async def _call(func: Callable[[], T]) -> T:
    return func()


async def _wait(future: concurrent.futures.Future[T]) -> T:
    """Await a future of another loop's thread from this loop (cancelling it with us)."""
    # qasync may not report a running loop while it resumes a task: take the thread's.
    wrapped = asyncio.wrap_future(future, loop=asyncio.get_event_loop())
    try:
        return await wrapped
    except asyncio.CancelledError:
        future.cancel()
        raise


_TRANSPORT: type | None = None


def _transport_class() -> type:
    """:class:`_DemoTransport` as a subclass of httpx's transport (httpx loads with it)."""
    global _TRANSPORT
    if _TRANSPORT is None:
        import httpx  # noqa: PLC0415 - only when the demo is used

        _TRANSPORT = type("DemoTransport", (_DemoTransport, httpx.AsyncBaseTransport), {})
    return _TRANSPORT


_HANDOVER: type | None = None


def _handover_class() -> type:
    """:class:`_Handover` as an httpx byte stream (httpx loads with the demo)."""
    global _HANDOVER
    if _HANDOVER is None:
        import httpx  # noqa: PLC0415 - only when the demo is used

        _HANDOVER = type("Handover", (_Handover, httpx.AsyncByteStream), {})
    return _HANDOVER


class _Handover:
    """An answer's body read once, then let go: a stream that keeps nothing."""

    def __init__(self, body: bytes) -> None:
        self._body: bytes | None = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        body, self._body = self._body, None
        if body:
            yield body

    async def aclose(self) -> None:
        self._body = None


class _DemoTransport:
    """An httpx transport that serves each request on the demo's own loop."""

    def __init__(self, app: Any, loop: asyncio.AbstractEventLoop) -> None:
        import httpx  # noqa: PLC0415 - only when the demo is used

        self._httpx = httpx
        self._inner = httpx.ASGITransport(app=app)
        self._loop = loop

    async def handle_async_request(self, request: Any) -> Any:
        httpx = self._httpx
        caller = asyncio.get_event_loop()
        try:
            whole: bytes | None = request.content
        except httpx.RequestNotRead:  # streamed (an upload from disk): pull it as it goes
            whole = None
        chunks = request.stream.__aiter__()

        async def next_chunk() -> bytes | None:  # on the caller's loop
            try:
                chunk: bytes = await chunks.__anext__()
            except StopAsyncIteration:
                return None
            return chunk

        def pull() -> Awaitable[bytes | None]:  # called on the demo's loop
            return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(next_chunk(), caller))

        served = asyncio.run_coroutine_threadsafe(
            self._serve(request.method, str(request.url), request.headers.raw, whole, pull),
            self._loop,
        )
        status, headers, box = await _wait(served)
        # The answer comes in a box emptied here: the futures that carried it refer to
        # each other (their callbacks), so only a garbage collection would free what
        # they hold. And it is handed over as a stream, not as ``content=`` (which the
        # response keeps for its whole life): the reader then holds the only copy.
        content = box.pop()
        return httpx.Response(
            status, headers=headers, stream=_handover_class()(content), request=request
        )

    async def _serve(
        self,
        method: str,
        url: str,
        headers: list[tuple[bytes, bytes]],
        whole: bytes | None,
        pull: Callable[[], Awaitable[bytes | None]],
    ) -> tuple[int, list[tuple[bytes, bytes]], list[bytes]]:
        """On the demo's loop: the request through the ASGI app, the answer read whole
        (in a list, for the caller to take out)."""
        httpx = self._httpx
        if whole is not None:
            request = httpx.Request(method, url, headers=headers, content=whole)
        else:

            class Pulled(httpx.AsyncByteStream):  # type: ignore[misc, name-defined]
                async def __aiter__(self) -> AsyncIterator[bytes]:
                    while (chunk := await pull()) is not None:
                        yield chunk

            request = httpx.Request(method, url, headers=headers, stream=Pulled())
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        return response.status_code, response.headers.raw, [content]
