"""ouro-protocol.md §12.7: the official ouro-py 2.20.0, unchanged, drives the standalone demo.

Every test talks to ``python -m ouro_desktop.demo`` over real loopback HTTP through the SDK's
public API; plain ``httpx`` is used only where the SDK hands the caller a URL (the signed
upload and download URLs), and then without any Ouro credentials.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gemmi
import httpx
import pytest
from ouro import ExternalServiceError, NotFoundError
from ouro.models import Action, File, Route

from .conftest import DemoServer

pytestmark = pytest.mark.timeout(60)

USER = "demo"
DOS = "predict-electronic-dos-at-fermi-level"
CURVE = "free-electron-dos-curve"
SUPERCELL = "build-supercell"
FORMULA = "formula-properties"
REPORT = "structure-report"
RELAX = "post-materials-structure-relax"


def ref(slug: str) -> str:
    return f"{USER}/{slug}"


def upload(client: Any, path: Path, name: str | None = None) -> File:
    return client.files.create(name=name or path.stem, visibility="private", file_path=str(path))


def atom_count(cif_text: str) -> int:
    structure = gemmi.make_small_structure_from_block(gemmi.cif.read_string(cif_text).sole_block())
    return len(structure.get_all_unit_cell_sites())


@pytest.fixture(scope="module")
def cu_file(ouro_client: Any, examples: Path) -> File:
    return upload(ouro_client, examples / "Cu.cif", "Cu (fcc)")


@pytest.fixture(scope="module")
def junk_file(ouro_client: Any) -> File:
    """Not a crystal, but named .cif so the route accepts it as an input."""
    return ouro_client.files.create(
        name="not a crystal",
        visibility="private",
        file_content=b"this is not a CIF file\n",
        file_name="junk.cif",
    )


# -- client and discovery ---------------------------------------------------------------------
def test_client_authenticates_with_the_printed_key(ouro_client: Any, demo_server: DemoServer):
    assert ouro_client.base_url == demo_server.url
    assert ouro_client.access_token.count(".") == 2  # a real JWT, so proactive refresh works
    assert ouro_client.last_token_refresh_expiration is not None
    assert ouro_client.user.username == USER
    assert ouro_client.user.user_id == ouro_client.user.id
    assert ouro_client.organization is None  # the key is not bound to an organization


def test_routes_list_with_query(ouro_client: Any):
    page = ouro_client.routes.list(query="supercell")
    names = [r.name for r in page]
    assert SUPERCELL in names
    assert DOS not in names and FORMULA not in names
    assert all(isinstance(r, Route) for r in page)

    everything = ouro_client.routes.list(limit=50)
    names = {r.name for r in everything}
    assert {DOS, CURVE, SUPERCELL, FORMULA, REPORT} <= names

    first = ouro_client.routes.list(limit=2)
    assert len(first) == 2 and first.has_more
    second = ouro_client.routes.list(limit=2, offset=2)
    assert not {r.id for r in first} & {r.id for r in second}


def test_routes_retrieve_by_name_and_by_id(ouro_client: Any):
    by_name = ouro_client.routes.retrieve(ref(DOS))
    assert by_name.name == DOS
    assert by_name.parent_id is not None
    assert by_name.route is not None and by_name.route.execution_mode == "sync"
    declared = by_name.route.input_assets["file"]
    assert declared.asset_type == "file"
    assert "cif" in (declared.file_extensions or [])

    by_id = ouro_client.routes.retrieve(str(by_name.id))
    assert by_id.id == by_name.id and by_id.name == DOS
    assert by_id.route.path == by_name.route.path

    assert ouro_client.routes.retrieve(ref(CURVE)).route.execution_mode == "async"
    with pytest.raises(NotFoundError):
        ouro_client.routes.retrieve(ref("no-such-route"))


# -- files ------------------------------------------------------------------------------------
def test_files_create_from_path(ouro_client: Any, examples: Path):
    source = examples / "Si.cif"
    created = upload(ouro_client, source, "Silicon")
    assert created.name == "Silicon" and created.asset_type == "file"
    assert created.metadata.extension == "cif"
    assert created.metadata.size == source.stat().st_size

    fetched = ouro_client.files.retrieve(str(created.id))
    assert fetched.id == created.id and fetched.name == "Silicon"
    assert fetched.data is not None
    # The signed download URL is served without any Ouro auth.
    response = httpx.get(fetched.data.url, timeout=10)
    assert response.status_code == 200
    assert response.content == source.read_bytes()


def test_files_create_through_signed_upload_url(ouro_client: Any, examples: Path):
    source = examples / "NaCl.cif"
    content = source.read_bytes()
    ticket = ouro_client.files.create_upload_url("NaCl.cif", content_type="chemical/x-cif")
    assert {"upload_id", "upload_url", "method", "headers", "expires_in"} <= ticket.keys()
    assert ticket["method"] == "PUT"

    # The upload URL carries its own token: no Authorization header.
    put = httpx.request(
        ticket["method"], ticket["upload_url"], content=content, headers=ticket["headers"]
    )
    assert put.is_success, put.text

    created = ouro_client.files.create(
        name="Rock salt", visibility="private", upload_id=ticket["upload_id"]
    )
    assert created.name == "Rock salt"
    assert created.metadata.extension == "cif"
    assert created.metadata.size == len(content)
    fetched = ouro_client.files.retrieve(str(created.id))
    assert httpx.get(fetched.data.url, timeout=10).content == content


def test_signed_download_needs_no_auth_but_a_valid_signature(ouro_client: Any, cu_file: File):
    url = ouro_client.files.retrieve(str(cu_file.id)).data.url
    assert httpx.get(url, timeout=10).status_code == 200
    tampered = httpx.URL(url).copy_remove_param("token")
    assert httpx.get(tampered, timeout=10).status_code in (400, 401, 403, 404)


# -- execution --------------------------------------------------------------------------------
def test_execute_dos_route_on_fcc_copper(ouro_client: Any, cu_file: File):
    action = ouro_client.routes.execute(ref(DOS), input_assets={"file": str(cu_file.id)})
    assert isinstance(action, Action)
    assert action.status == "success" and action.is_success
    assert action.input_asset_id == cu_file.id
    result = action.response
    assert result["formula"] == "Cu"
    assert result["n_atoms_cell"] == 4
    assert result["valence_electrons_cell"] == 4
    fermi = result["fermi_energy_eV"]
    assert fermi == pytest.approx(7.0, rel=0.02)  # textbook free-electron E_F of Cu
    assert result["dos_at_fermi_level_per_eV_per_atom"] == pytest.approx(1.5 / fermi, rel=1e-9)
    assert result["dos_at_fermi_level_per_eV_per_cell"] == pytest.approx(6.0 / fermi, rel=1e-9)
    assert result["volume_A3"] == pytest.approx(3.615**3, rel=1e-3)
    assert "free-electron" in result["method"].lower()
    assert action.final_data == result  # no output assets: final_data is the response

    stored = ouro_client.routes.retrieve_action(str(action.id))
    assert stored.status == "success" and stored.response == result
    assert stored.finished_at is not None and stored.created_at is not None


def test_execute_async_route_wait_false_then_poll_and_logs(ouro_client: Any, cu_file: File):
    action = ouro_client.routes.execute(
        ref(CURVE), input_assets={"file": str(cu_file.id)}, body={"steps": 4}, wait=False
    )
    assert action.status in ("queued", "in-progress")
    assert action.is_pending

    done = ouro_client.routes.poll_action(str(action.id), poll_interval=0.2, timeout=45)
    assert done.id == action.id
    assert done.status == "success"
    curve = done.response["curve"]
    assert len(curve) >= 10
    energies = [point["energy_eV"] for point in curve]
    assert energies == sorted(energies)
    assert done.response["fermi_energy_eV"] == pytest.approx(7.0, rel=0.02)

    logs = ouro_client.routes.get_action_logs(str(action.id), chronological=True)
    messages = [entry.message for entry in logs]
    steps = [m for m in messages if m.startswith("Step ")]
    assert steps == [m for m in steps if "/4:" in m] and len(steps) == 4
    assert [s.split(":")[0] for s in steps] == [f"Step {i}/4" for i in range(1, 5)]
    times = [entry.created_at for entry in logs]
    assert times == sorted(times)
    assert all(entry.action_id == action.id for entry in logs)

    newest_first = ouro_client.routes.get_action_logs(str(action.id), chronological=False)
    assert [e.id for e in newest_first] == [e.id for e in reversed(list(logs))]


def test_execute_async_route_waits_by_default(ouro_client: Any, cu_file: File):
    """``wait=True`` on an async route: 202 first (Prefer: respond-async), then SDK polling."""
    action = ouro_client.routes.execute(
        ref(CURVE), input_assets={"file": str(cu_file.id)}, poll_interval=0.3, poll_timeout=45
    )
    assert action.status == "success"
    assert action.response["curve"] and action.response["formula"] == "Cu"
    assert action.started_at is not None and action.finished_at is not None
    assert action.finished_at >= action.started_at


def test_action_log_posted_by_the_sdk(ouro_client: Any):
    action = ouro_client.routes.execute(ref(FORMULA), body={"formula": "H2O"})
    action.log("checked by the contract suite", level="warning")
    logs = action.read_logs(chronological=True)
    mine = [e for e in logs if e.message == "checked by the contract suite"]
    assert len(mine) == 1
    assert mine[0].level == "warning"
    assert mine[0].sdk and mine[0].sdk.startswith("ouro-py/")
    assert logs.data[-1].id == mine[0].id  # the newest entry, last in chronological order
    assert action.refresh().status == "success"


def test_execute_route_with_file_output(ouro_client: Any, cu_file: File, sdk_cwd: Path):
    action = ouro_client.routes.execute(
        ref(SUPERCELL), input_assets={"file": str(cu_file.id)}, body={"na": 2, "nb": 2, "nc": 2}
    )
    assert action.status == "success"
    assert action.output_assets, "the declared file output is missing"
    output = action.output_assets[0]
    assert output["name"] == "file"
    asset = output["asset"]
    assert asset["asset_type"] == "file"
    assert asset["metadata"]["extension"] == "cif"
    final = action.final_data
    assert final["file"]["id"] == asset["id"]
    assert final["n_atoms"] == 32 and final["supercell"] == [2, 2, 2]
    # The sync envelope's sideEffect fills the legacy single output.
    assert action.output_asset is not None and str(action.output_asset.id) == asset["id"]

    produced = ouro_client.files.retrieve(asset["id"])
    response = httpx.get(produced.data.url, timeout=10)  # no auth
    assert response.status_code == 200
    assert atom_count(response.text) == 8 * 4

    # The stored action carries the same outputs.
    stored = ouro_client.routes.retrieve_action(str(action.id))
    assert [o["asset"]["id"] for o in stored.output_assets] == [asset["id"]]


def test_failing_run_is_an_errored_action(ouro_client: Any, junk_file: File):
    action = ouro_client.routes.execute(ref(DOS), input_assets={"file": str(junk_file.id)})
    assert action.status == "error" and action.is_error
    error = action.response["error"]
    assert error["type"] == "external_service_error"
    assert "junk.cif" in error["message"] and "CIF" in error["message"]

    with pytest.raises(ExternalServiceError) as caught:
        ouro_client.routes.execute(
            ref(DOS), input_assets={"file": str(junk_file.id)}, raise_on_error=True
        )
    exc = caught.value
    assert exc.status == "error"
    assert exc.status_code == 422
    assert exc.retryable is False
    assert exc.code == "external_service_error"
    assert "CIF" in str(exc)
    assert ouro_client.routes.retrieve_action(exc.action_id).status == "error"


def test_real_spec_route_fails_plainly_offline(ouro_client: Any, cu_file: File):
    route = ouro_client.routes.retrieve(ref(RELAX))
    assert route.route.input_assets, "the imported spec lost its file input"
    with pytest.raises(ExternalServiceError) as caught:
        ouro_client.routes.execute(
            route,
            input_assets={next(iter(route.route.input_assets)): str(cu_file.id)},
            raise_on_error=True,
        )
    assert caught.value.status_code == 501
    assert caught.value.retryable is False
    assert "not available" in str(caught.value)


def test_async_failure_raises_through_poll(ouro_client: Any, junk_file: File):
    action = ouro_client.routes.execute(
        ref(CURVE), input_assets={"file": str(junk_file.id)}, wait=False
    )
    with pytest.raises(ExternalServiceError) as caught:
        ouro_client.routes.poll_action(str(action.id), poll_interval=0.2, timeout=30)
    assert caught.value.action_id == str(action.id)
    assert caught.value.status_code == 422
    # Without raise_on_error the errored action comes back.
    done = ouro_client.routes.poll_action(
        str(action.id), poll_interval=0.2, timeout=30, raise_on_error=False
    )
    assert done.status == "error"


# -- reading actions --------------------------------------------------------------------------
def test_list_actions_with_status_filter(ouro_client: Any, cu_file: File, junk_file: File):
    route = ouro_client.routes.retrieve(ref(DOS))
    good = ouro_client.routes.execute(route, input_assets={"file": str(cu_file.id)})
    bad = ouro_client.routes.execute(route, input_assets={"file": str(junk_file.id)})
    assert (good.status, bad.status) == ("success", "error")

    errors = ouro_client.routes.list_actions(str(route.id), status=["error"], limit=100)
    assert bad.id in {a.id for a in errors}
    assert good.id not in {a.id for a in errors}
    assert {a.status for a in errors} == {"error"}
    assert {a.route_id for a in errors} == {route.id}

    successes = ouro_client.routes.list_actions(route, status="success", limit=100)
    assert good.id in {a.id for a in successes} and bad.id not in {a.id for a in successes}

    both = ouro_client.routes.list_actions(route, status=["success", "error"], limit=100)
    ids = [a.id for a in both]
    assert ids.index(bad.id) < ids.index(good.id)  # newest first

    page = ouro_client.routes.list_actions(route, limit=1)
    assert len(page) == 1 and page.has_more


def test_list_my_actions_since(ouro_client: Any):
    earlier = ouro_client.routes.execute(ref(FORMULA), body={"formula": "NaCl"})
    assert earlier.status == "success"
    time.sleep(0.05)
    since = datetime.now(UTC)
    time.sleep(0.05)
    later = ouro_client.routes.execute(ref(FORMULA), body={"formula": "SiO2"})
    assert later.status == "success"

    recent = ouro_client.routes.list_my_actions(since=since, limit=100)
    ids = {a.id for a in recent}
    assert later.id in ids and earlier.id not in ids
    assert all(a.created_at >= since for a in recent)

    as_text = ouro_client.routes.list_my_actions(since=since.isoformat(), status=["success"])
    assert later.id in {a.id for a in as_text}
    none_failed = ouro_client.routes.list_my_actions(since=since, status="error")
    assert later.id not in {a.id for a in none_failed}


def test_route_stats(ouro_client: Any):
    route = ouro_client.routes.retrieve(ref(FORMULA))
    before = ouro_client.routes.stats(str(route.id))
    ouro_client.routes.execute(route, body={"formula": "Fe2O3"})
    after = ouro_client.routes.stats(str(route.id))
    assert after.total == before.total + 1
    assert after.user_total == before.user_total + 1
    assert after.in_progress == []
    assert after.monetization is None

    paid = ouro_client.routes.stats(str(ouro_client.routes.retrieve(ref(REPORT)).id))
    assert paid.monetization is not None


def test_route_cost_on_the_paid_route(ouro_client: Any, cu_file: File):
    route = ouro_client.routes.retrieve(ref(REPORT))
    assert route.visibility == "monetized" or route.monetization not in (None, "none")
    cost = ouro_client.routes.cost(ref(REPORT), str(cu_file.id))
    assert cost.currency == "usd"
    assert cost.unit_cost and cost.unit_cost > 0
    assert cost.quantity and cost.quantity >= 1
    assert cost.total_cost == pytest.approx(cost.unit_cost * cost.quantity)


# -- assets -----------------------------------------------------------------------------------
def test_compatible_routes_for_a_cif(ouro_client: Any, cu_file: File):
    page = ouro_client.assets.compatible_routes(str(cu_file.id))
    names = {r.name for r in page}
    assert {DOS, CURVE, SUPERCELL, REPORT} <= names
    assert FORMULA not in names  # body only: takes no file
    assert all(isinstance(r, Route) for r in page)

    limited = ouro_client.assets.compatible_routes(str(cu_file.id), limit=1)
    assert len(limited) == 1 and limited.has_more


def test_assets_download(ouro_client: Any, cu_file: File, examples: Path, sdk_cwd: Path):
    saved = ouro_client.assets.download(str(cu_file.id), output_path=str(sdk_cwd) + "/")
    path = Path(saved.path)
    assert path.parent == sdk_cwd.resolve()
    assert path.suffix == ".cif"
    assert path.read_bytes() == (examples / "Cu.cif").read_bytes()
    assert saved.size == path.stat().st_size
    assert saved.id == cu_file.id

    default = ouro_client.assets.download(str(cu_file.id))  # into the cwd
    assert Path(default.path).parent == sdk_cwd.resolve()


def test_assets_retrieve_dispatches_by_type(ouro_client: Any, cu_file: File):
    got = ouro_client.assets.retrieve(str(cu_file.id))
    assert isinstance(got, File) and got.id == cu_file.id
    assert got.data is not None and got.data.url.startswith("http://127.0.0.1")

    route = ouro_client.routes.retrieve(ref(DOS))
    as_asset = ouro_client.assets.retrieve(str(route.id))
    assert isinstance(as_asset, Route) and as_asset.id == route.id
