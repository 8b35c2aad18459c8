"""Outputs fetched once into the profile's cache (against the demo backend), file names kept
inside their folder, and text previews read from the head of a file only."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx

from ouro_desktop.api.client import OuroClient
from ouro_desktop.core.output_cache import OutputCache, safe_file_name, text_head
from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults

EXAMPLES = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples"


def test_an_output_is_downloaded_once_and_shared(tmp_path: Path) -> None:
    async def scenario() -> None:
        app = create_app(tmp_path / "backend", faults=Faults(time_scale=0.01))
        backend = app.state.backend
        transport = httpx.ASGITransport(app=app)
        async with OuroClient("http://demo.test", backend.api_key, transport=transport) as c:
            await c.sign_in()
            cif = await c.upload_file(EXAMPLES / "NaCl.cif")
            route = await c.get_route("demo/build-supercell")
            result = await c.execute(
                route, body={}, input_assets={"file": cif.id}, idempotency_key=str(uuid.uuid4())
            )
            action = result.action
            while not action.is_terminal:
                await asyncio.sleep(0.02)
                action = await c.get_action(action.id)
            (asset_id,) = action.output_file_ids
            cache = OutputCache(tmp_path / "outputs")
            assert cache.cached(asset_id) is None
            downloads: list[str] = []
            real = c.download_file

            async def counted(file_id: str, dest: Path, **kw: object) -> Path:
                downloads.append(file_id)
                return await real(file_id, dest, **kw)  # type: ignore[arg-type]

            c.download_file = counted  # type: ignore[method-assign]
            progress: list[tuple[int, int]] = []
            first, second = await asyncio.gather(
                cache.fetch(c, asset_id, progress=lambda d, t: progress.append((d, t))),
                cache.fetch(c, asset_id),
            )
            assert first == second and downloads == [asset_id]  # two asks, one download
            assert first.parent == cache.folder(asset_id)
            assert first.name == "NaCl_supercell_2x2x2.cif"
            blob = backend.files.blob_of(backend.store.asset(asset_id))
            assert first.read_bytes() == blob.read_bytes()
            assert progress and progress[-1][0] == len(blob.read_bytes())
            # Asked again later: answered from the folder, no download.
            assert await cache.fetch(c, asset_id) == first and downloads == [asset_id]
            # A derived file beside it is never taken for the output.
            cache.derived(asset_id, "preview.png").write_bytes(b"x")
            assert cache.cached(asset_id) == first

    asyncio.run(scenario())


def test_file_names_stay_inside_their_folder() -> None:
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("a\\b\\..\\c", "cif") == "c.cif"
    assert safe_file_name("pattern", "svg") == "pattern.svg"
    assert safe_file_name("pattern.SVG", "svg") == "pattern.SVG"
    assert safe_file_name("  ..  ", "png", fallback="asset-1") == "asset-1.png"
    assert safe_file_name('what?<>:"|*', "txt") == "what_.txt"
    assert OutputCache(Path("/c")).folder("../x/..").name == "x"


def test_text_head_reads_only_the_start_at_a_line_end(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    lines = [f"line {i} " + "é" * 20 for i in range(20_000)]
    path.write_text("\n".join(lines), encoding="utf-8")
    head = text_head(path, limit=4096)
    assert head.truncated and head.size == path.stat().st_size
    assert len(head.text.encode()) <= 4096
    assert head.text.splitlines() == lines[: len(head.text.splitlines())]
    short = tmp_path / "short.json"
    short.write_bytes(b'{"a": 1}\xff')
    whole = text_head(short)
    assert not whole.truncated and whole.text == '{"a": 1}\ufffd'
