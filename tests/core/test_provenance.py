"""The provenance record of a run, built from the ledger: against the demo backend, the
input and output hashes are the files' own, the route facts are the route's metadata, and
the record reads the same from a reopened ledger with no server at all."""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ouro_desktop import __version__
from ouro_desktop.core import ledger as ledger_mod
from ouro_desktop.core.file_checks import check_local_file
from ouro_desktop.core.ledger import RunLedger, RunState
from ouro_desktop.core.provenance import (
    FileFact,
    build_provenance,
    output_rows,
    record_output,
    saved_outputs,
    submit_facts,
)
from ouro_desktop.core.runs import RunTracker
from ouro_desktop.core.upload_cache import UploadCache
from ouro_desktop.core.upload_pipeline import upload_or_reuse
from tests.api.helpers import BASE_URL, EXAMPLES, SUPERCELL, client_for, run

DOS = "demo/predict-electronic-dos-at-fermi-level"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def _run_once(
    app: Any, tmp_path: Path, ref: str, cif: Path, body: dict[str, Any]
) -> tuple[str, Any]:
    ledger, _ = RunLedger.open(tmp_path / "runs.sqlite3")
    uploads = UploadCache(tmp_path / "uploads.sqlite3")
    async with client_for(app) as client:
        route = await client.get_route(ref)
        checked = check_local_file(cif, route.input_assets["file"])
        up = await upload_or_reuse(
            client, uploads, checked, base_url=BASE_URL, account="demo", cancel=asyncio.Event()
        )
        tracker = RunTracker(client, ledger, base_url=BASE_URL, account="demo")
        done = asyncio.Event()
        tracker.subscribe(on_finished=lambda _r: done.set())
        facts = {"file": FileFact(checked.name, checked.size, up.sha256, up.asset_id)}
        record = await tracker.submit(
            route,
            body=body,
            input_assets={"file": up.asset_id},
            input_files={"file": {"name": checked.name, "asset_id": up.asset_id}},
            provenance=submit_facts(route, facts),
        )
        if not record.is_terminal:
            await asyncio.wait_for(done.wait(), 30)
        await tracker.aclose()
        final = ledger.get(record.local_id)
        assert final is not None and final.state is RunState.SUCCESS
        action = await client.get_action(final.action_id or "")
        outputs: list[Any] = []
        (tmp_path / "out").mkdir(exist_ok=True)
        for asset_id, name in output_rows(action.output_assets):
            path = await client.download_file(asset_id, tmp_path / "out" / name)
            outputs.append(record_output(ledger, final.local_id, asset_id, path.name, path))
    ledger.close()
    uploads.close()
    return record.local_id, (route, action, outputs)


def test_record_of_a_dos_run_has_the_files_hash_and_the_routes_facts(
    demo_app: Any, tmp_path: Path
) -> None:
    cif = EXAMPLES / "Na.cif"
    local_id, (route, action, _outputs) = run(_run_once(demo_app, tmp_path, DOS, cif, {}))
    # Offline: only the ledger file.
    ledger, _ = RunLedger.open(tmp_path / "runs.sqlite3")
    record = ledger.get(local_id)
    assert record is not None
    prov = build_provenance(record, outputs=saved_outputs(ledger, local_id))
    ledger.close()
    data = prov.as_json()
    assert data["route"]["id"] == route.id
    assert data["route"]["reference"] == DOS
    assert data["route"]["author"] == "demo"
    assert data["route"]["link"] == route.raw["url"]
    assert data["route"]["version"] == route.raw["last_updated"]
    assert data["route"]["service_id"] == route.service_id
    assert data["run"]["action_id"] == action.id
    assert data["run"]["action_link"] == f"{BASE_URL}/actions/{action.id}"
    assert data["run"]["state"] == "success"
    assert data["run"]["duration_s"] is not None and data["run"]["duration_s"] >= 0
    (f,) = data["inputs"]["files"]
    assert f == {
        "input": "file",
        "name": "Na.cif",
        "size": cif.stat().st_size,
        "sha256": sha(cif),
        "asset_id": record.input_assets["file"],
    }
    assert data["app"]["version"] == __version__
    json.loads(prov.json_text())  # saved as valid JSON
    text = prov.text()
    assert f"SHA-256 {sha(cif)}" in text
    assert f"Action id: {action.id}" in text
    citation = prov.citation()
    assert "“predict-electronic-dos-at-fermi-level”" in citation
    assert "by demo" in citation and route.raw["url"] in citation
    assert action.id in citation and sha(cif)[:12] in citation


def test_record_names_the_outputs_with_the_saved_files_hash(demo_app: Any, tmp_path: Path) -> None:
    cif = EXAMPLES / "NaCl.cif"
    local_id, (_route, action, outputs) = run(
        _run_once(demo_app, tmp_path, SUPERCELL, cif, {"a": 2, "b": 1, "c": 1})
    )
    assert outputs, "the supercell route returns a file"
    ledger, _ = RunLedger.open(tmp_path / "runs.sqlite3")
    record = ledger.get(local_id)
    assert record is not None
    prov = build_provenance(record, outputs=saved_outputs(ledger, local_id))
    ledger.close()
    (out,) = prov.as_json()["outputs"]
    saved = Path(outputs[0].path)
    assert out["sha256"] == sha(saved) and out["size"] == saved.stat().st_size
    assert out["asset_id"] == output_rows(action.output_assets)[0][0]
    assert f"Output file: {saved.name} · SHA-256 {sha(saved)}" in prov.text()


def test_a_run_from_an_older_ledger_still_gets_a_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A ledger written by the first schema (no provenance column) opens, migrates, and
    # its runs read with "not recorded" where the facts were not kept.
    path = tmp_path / "old.sqlite3"
    monkeypatch.setattr(ledger_mod, "MIGRATIONS", ledger_mod.MIGRATIONS[:1])
    old, _ = RunLedger.open(path)
    old.close()
    conn = sqlite3.connect(path)
    assert "provenance" not in {r[1] for r in conn.execute("PRAGMA table_info(runs)")}
    conn.execute(
        "INSERT INTO runs (local_id, idempotency_key, route_id, service_id, route_name, "
        "base_url, body, input_assets, input_files, state, started_at, updated_at) "
        "VALUES ('L1', 'K1', 'r1', 's1', 'alice/dos', ?, '{\"steps\":4}', "
        '\'{"file":"a1"}\', \'{"file":{"name":"Cu.cif","asset_id":"a1"}}\', '
        "'success', 1000.0, 1000.0)",
        (BASE_URL,),
    )
    conn.commit()
    conn.close()
    monkeypatch.undo()
    ledger, notice = RunLedger.open(path)
    assert notice is None and ledger.schema_version == ledger_mod.SCHEMA_VERSION
    record = ledger.get("L1")
    assert record is not None and record.provenance is None
    prov = build_provenance(record)
    ledger.close()
    text = prov.text()
    assert "Route: alice/dos (alice/dos)" in text
    assert "Input file “file”: Cu.cif · size not recorded · SHA-256 not recorded" in text
    assert 'Settings: {"body": {"steps": 4}}' in text
    assert "Route version: not recorded" in text
