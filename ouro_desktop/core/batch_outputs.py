"""What a finished batch leaves on this computer: its output files in one folder, named
after the inputs they came from, and one provenance record for the whole batch.

:func:`save_batch_outputs` downloads every output of every finished run into a folder as
``<input stem> - <output name>`` (never overwriting: a clash gets `` (2)``), and keeps each
file's SHA-256 in the ledger so the runs' provenance records name them.
:func:`batch_provenance` is the batch's record: the batch and, for each file, its run's
record (:mod:`.provenance`). Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ouro_desktop import __version__

from .batch_store import BatchStore
from .blocking import off_thread
from .error_text import friendly
from .provenance import APP_NAME, build_provenance, output_rows, record_output, saved_outputs
from .run_record import RunState

__all__ = ["SavedOutputs", "batch_provenance", "output_file_name", "save_batch_outputs"]


@dataclass
class SavedOutputs:
    files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # plain sentences


def output_file_name(input_name: str, output_name: str, taken: set[str]) -> str:
    """``NaCl - NaCl_supercell.cif`` for an output of ``NaCl.cif``; unique within ``taken``."""
    stem = Path(input_name).stem or "file"
    base = f"{stem} - {Path(output_name).name or 'output'}"
    name, n = base, 2
    while name.lower() in taken:
        suffix = Path(base).suffix
        name = f"{base[: len(base) - len(suffix)]} ({n}){suffix}"
        n += 1
    taken.add(name.lower())
    return name


async def save_batch_outputs(
    client: Any,
    store: BatchStore,
    batch_id: str,
    folder: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> SavedOutputs:
    """Download the outputs of the batch's finished runs into ``folder``."""
    result = SavedOutputs()
    folder.mkdir(parents=True, exist_ok=True)
    taken = {p.name.lower() for p in folder.iterdir()}
    names = {item.position: item.name for item in store.items(batch_id)}
    runs = [
        (position, run)
        for position, run in sorted(store.runs(batch_id).items())
        if run.state is RunState.SUCCESS and run.action_id
    ]
    for done, (position, run) in enumerate(runs, start=1):
        input_name = names.get(position, "file")
        try:
            action = await client.get_action(run.action_id)
            for asset_id, name in output_rows(action.output_assets):
                target = folder / output_file_name(input_name, name, taken)
                path = await client.download_file(asset_id, target)
                await off_thread(record_output, store.ledger, run.local_id, asset_id, name, path)
                result.files.append(path)
        except Exception as exc:  # one file's trouble must not stop the others
            result.problems.append(f"{input_name}: {friendly(exc)}")
        if progress is not None:
            progress(done, len(runs))
    return result


def batch_provenance(store: BatchStore, batch_id: str) -> dict[str, Any]:
    """The whole batch's record: the batch, and each file's run record (or why it has none)."""
    batch = store.get(batch_id)
    if batch is None:
        raise KeyError(batch_id)
    runs = store.runs(batch_id)
    files = []
    for item in store.items(batch_id):
        run = runs.get(item.position)
        entry: dict[str, Any] = {"file": item.name, "path": item.path, "size": item.size}
        if run is None:
            entry["state"] = item.state.value
            if item.detail:
                entry["problem"] = item.detail
        else:
            record = build_provenance(run, outputs=saved_outputs(store.ledger, run.local_id))
            entry["run"] = record.as_json()
        files.append(entry)
    return {
        "format": "ouro-desktop/batch-provenance",
        "format_version": 1,
        "batch": {
            "id": batch.batch_id,
            "route_id": batch.route_id,
            "route": batch.route_name,
            "server": batch.base_url,
            "settings": batch.settings,
            "price_confirmed": batch.price_confirmed,
            "state": batch.state.value,
            "files": len(files),
        },
        "files": files,
        "app": {"name": APP_NAME, "version": __version__},
    }
