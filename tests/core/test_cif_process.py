"""A big CIF is previewed in a worker process (gemmi holds the GIL while it parses, so a
thread would still freeze the window); quitting ends that process at once."""

from __future__ import annotations

import asyncio
import os
import random
from pathlib import Path

import pytest

from ouro_desktop.core import cif_process
from ouro_desktop.core.cif_preview import CifPreviewError, preview_cif

EXAMPLES = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples"


def big_cif(path: Path, megabytes: float) -> Path:
    """A P1 cell with as many Na/Cl sites as fit in ``megabytes``."""
    rnd = random.Random(1)
    lines = [
        "data_big",
        "_cell_length_a 50",
        "_cell_length_b 50",
        "_cell_length_c 50",
        "_cell_angle_alpha 90",
        "_cell_angle_beta 90",
        "_cell_angle_gamma 90",
        "_symmetry_space_group_name_H-M 'P 1'",
        "loop_",
        "_atom_site_label",
        "_atom_site_type_symbol",
        "_atom_site_fract_x",
        "_atom_site_fract_y",
        "_atom_site_fract_z",
    ]
    size, i = 0, 0
    while size < megabytes * 1024 * 1024 or i % 2:
        el = ("Na", "Cl")[i % 2]
        line = f"{el}{i} {el} {rnd.random():.5f} {rnd.random():.5f} {rnd.random():.5f}"
        lines.append(line)
        size += len(line) + 1
        i += 1
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(autouse=True)
def _no_worker_left() -> object:
    yield
    cif_process.shutdown()


def test_a_big_cif_is_previewed_in_a_worker_process(tmp_path: Path) -> None:
    path = big_cif(tmp_path / "big.cif", 1.5)
    preview = asyncio.run(cif_process.preview_cif_async(path))
    assert preview == preview_cif(path)  # the same answer as in this process
    assert preview.formula == "NaCl" and preview.n_atoms > 30_000
    workers = list(getattr(cif_process._pool, "_processes", {}).values())
    assert workers and all(w.pid != os.getpid() for w in workers)


def test_a_small_cif_needs_no_worker_process() -> None:
    preview = asyncio.run(cif_process.preview_cif_async(EXAMPLES / "NaCl.cif"))
    assert preview.formula == "NaCl"
    assert cif_process._pool is None


def test_problems_come_back_from_the_worker_as_words(tmp_path: Path) -> None:
    path = tmp_path / "broken.cif"
    path.write_text("data_x\n_cell_length_a 5\n" + "# padding\n" * 200_000)
    with pytest.raises(CifPreviewError, match="no atom positions"):
        asyncio.run(cif_process.preview_cif_async(path))


def test_shutdown_ends_a_preview_in_progress_at_once(tmp_path: Path) -> None:
    path = big_cif(tmp_path / "big.cif", 20)

    async def scenario() -> BaseException | None:
        task = asyncio.ensure_future(cif_process.preview_cif_async(path))
        while cif_process._pool is None or not getattr(cif_process._pool, "_processes", None):
            await asyncio.sleep(0.01)
        (worker,) = cif_process._pool._processes.values()
        cif_process.shutdown()
        assert not worker.is_alive()  # stopped, not waited for
        try:
            await task
        except BaseException as exc:  # noqa: BLE001 - what the waiting task sees
            return exc
        return None

    outcome = asyncio.run(scenario())
    assert isinstance(outcome, CifPreviewError)
