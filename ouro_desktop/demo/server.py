"""``ouro-desktop-demo-server``: the demo backend as a standalone loopback HTTP server.

It prints ``OURO_BACKEND_URL=…`` and ``OURO_API_KEY=…`` (flushed, one per line) once it
listens, so a user can paste them into a shell and point ouro-py at it.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import sys
import tempfile
from pathlib import Path

import uvicorn

from .app import backend_of, create_app


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ouro-desktop-demo-server",
        description="Run the offline Ouro-compatible demo backend (for ouro-py or the app).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    parser.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where the demo keeps its data (default: a new temporary folder)",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (the demo has no real security)",
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="ouro-demo-"))
    app = create_app(data_dir)
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            await serving
            raise SystemExit(f"the demo server could not listen on {args.host}:{args.port}")
        await asyncio.sleep(0.02)
    sock = server.servers[0].sockets[0]
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"OURO_BACKEND_URL=http://{shown}:{port}", flush=True)
    print(f"OURO_API_KEY={backend_of(app).api_key}", flush=True)
    print(f"# demo data in {data_dir}", file=sys.stderr, flush=True)
    await serving


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not _is_loopback(args.host) and not args.allow_remote:
        print(
            f"Refusing to listen on {args.host}: the demo backend is for this computer only. "
            "Use --allow-remote if you really mean it.",
            file=sys.stderr,
        )
        return 2
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
