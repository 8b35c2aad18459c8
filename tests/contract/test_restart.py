"""Runs and files survive stopping and restarting the standalone server on one data directory."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx
import pytest

from .conftest import make_client, run_demo_server

pytestmark = pytest.mark.timeout(90)

DOS = "demo/predict-electronic-dos-at-fermi-level"
CURVE = "demo/free-electron-dos-curve"
SUPERCELL = "demo/build-supercell"


def test_runs_and_files_survive_a_restart(tmp_path: Path, sdk_cwd: Path, examples: Path):
    data_dir = tmp_path / "data"
    source = (examples / "Al.cif").read_bytes()

    with run_demo_server(data_dir, tmp_path / "first") as first:
        client = make_client(first.url, first.api_key)
        upload = client.files.create(
            name="Aluminium", visibility="private", file_path=str(examples / "Al.cif")
        )
        run = client.routes.execute(DOS, input_assets={"file": str(upload.id)})
        assert run.status == "success"
        made = client.routes.execute(SUPERCELL, input_assets={"file": str(upload.id)})
        assert made.status == "success"
        output_id = made.output_assets[0]["asset"]["id"]
        output_bytes = httpx.get(client.files.retrieve(output_id).data.url, timeout=10).content
        # Left running: the next process picks it up.
        pending = client.routes.execute(
            CURVE, input_assets={"file": str(upload.id)}, body={"steps": 2}, wait=False
        )
        assert client.routes.retrieve_action(str(pending.id)).is_pending
        old_token = client.access_token
        client._raw_client.close()
    # uvicorn shuts down cleanly on SIGTERM, then re-raises it: -15 is the normal outcome.
    assert first.process.returncode in (0, -signal.SIGTERM)
    assert "Traceback" not in first.stderr()

    with run_demo_server(data_dir, tmp_path / "second") as second:
        assert second.api_key == first.api_key
        # Tokens are signed with a secret kept in the data directory.
        me = httpx.get(f"{second.url}/user", headers={"Authorization": old_token}, timeout=10)
        assert me.status_code == 200

        client = make_client(second.url, second.api_key)
        again = client.routes.retrieve_action(str(run.id))
        assert again.id == run.id
        assert again.status == "success"
        assert again.response == run.response
        assert again.input_asset_id == upload.id

        kept = client.files.retrieve(str(upload.id))
        assert kept.id == upload.id and kept.name == "Aluminium"
        assert httpx.get(kept.data.url, timeout=10).content == source
        assert httpx.get(client.files.retrieve(output_id).data.url, timeout=10).content == (
            output_bytes
        )

        mine = {a.id for a in client.routes.list_my_actions(limit=100)}
        assert {run.id, made.id, pending.id} <= mine

        resumed = client.routes.poll_action(str(pending.id), poll_interval=0.2, timeout=45)
        assert resumed.status == "success"
        assert resumed.response["curve"]

        fresh = client.routes.execute(DOS, input_assets={"file": str(upload.id)})
        assert fresh.status == "success" and fresh.id != run.id
        assert fresh.response == run.response
