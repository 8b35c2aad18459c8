"""The "Use via API" snippets, run as a user would paste them, against the standalone demo.

Python snippets are executed unchanged with ouro-py 2.20.0 (only ``OURO_API_KEY`` is set in
the environment and a ``structure.cif`` lies in the working directory); curl snippets run
in bash with the real ``curl`` and ``jq``. A snippet that names a wrong SDK method, sends a
wrong body or mis-quotes its shell fails here.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from ouro.models import Route as SdkRoute

from ouro_desktop.api.models import Route
from ouro_desktop.core.snippets import curl_snippets, python_snippets, run_snippet

from .conftest import DemoServer, make_client

pytestmark = pytest.mark.timeout(90)

# The imported real specs (post-generate, ...) run only on ouro.foundation: the demo accepts
# the request and records a failed run that says so.
SLUGS = {
    "formula-properties": "success",
    "build-supercell": "success",
    "free-electron-dos-curve": "success",
    "structure-report": "success",
    "predict-electronic-dos-at-fermi-level": "success",
    "simulate-powder-xrd-pattern": "success",
    "post-generate": "error",
}


def _route(client: Any, slug: str) -> Route:
    raw = client.routes.retrieve(f"demo/{slug}").model_dump(mode="json", by_alias=True)
    return Route.from_json(raw)


def _exec(code: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "__snippet__"}
    try:
        exec(compile(code, "<snippet>", "exec"), namespace)
    finally:
        client = namespace.get("ouro")
        if client is not None:
            client._raw_client.close()
    return namespace


def _documents(text: str) -> list[Any]:
    """The JSON documents curl printed back to back (its output has no separators)."""
    decoder, out, at = json.JSONDecoder(), [], 0
    while at < len(text.rstrip()):
        while text[at].isspace():
            at += 1
        value, at = decoder.raw_decode(text, at)
        out.append(value)
    return out


@pytest.fixture
def sdk_client(demo_server: DemoServer, sdk_cwd: Path) -> Any:
    client = make_client(demo_server.url, demo_server.api_key)
    yield client
    client._raw_client.close()


@pytest.mark.parametrize("slug", list(SLUGS))
def test_python_snippets_run_against_the_demo(
    demo_server: DemoServer,
    sdk_client: Any,
    sdk_cwd: Path,
    examples: Path,
    monkeypatch: pytest.MonkeyPatch,
    slug: str,
) -> None:
    route = _route(sdk_client, slug)
    shutil.copy(examples / "Cu.cif", sdk_cwd / "structure.cif")
    monkeypatch.setenv("OURO_API_KEY", demo_server.api_key)
    retrieve, run, actions = python_snippets(route, demo_server.url)

    got = _exec(retrieve.code)
    assert isinstance(got["route"], SdkRoute) and str(got["route"].id) == route.id

    got = _exec(run.code)
    action = got["action"]
    assert action.status == SLUGS[slug], action.response
    assert action.response
    if action.status == "error":
        assert "offline demo" in json.dumps(action.response)
    if route.input_assets:
        assert str(got["file"].id) in json.dumps(action.model_dump(mode="json"))

    got = _exec(actions.code)
    assert str(action.id) in [str(a.id) for a in got["page"].data]
    assert got["logs"] is not None


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
@pytest.mark.parametrize(
    "slug", ["formula-properties", "build-supercell", "free-electron-dos-curve"]
)
def test_curl_snippets_run_against_the_demo(
    demo_server: DemoServer, sdk_client: Any, examples: Path, slug: str
) -> None:
    route = _route(sdk_client, slug)
    sign_in, retrieve, run, actions = curl_snippets(route, demo_server.url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OURO_")}
    env["OURO_API_KEY"] = demo_server.api_key

    def bash(script: str) -> str:
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    out = bash(sign_in.code + retrieve.code)
    by_id, by_name = _documents(out)
    assert by_id["data"]["id"] == by_name["data"]["id"] == route.id
    assert by_name["data"]["route"]["path"] == route.path

    script = sign_in.code + run.code
    if route.input_assets:
        upload = sdk_client.files.create(
            name="Cu", visibility="private", file_path=str(examples / "Cu.cif")
        )
        script = script.replace('FILE_ID="..."', f'FILE_ID="{upload.id}"', 1)
    (answer,) = _documents(bash(script))
    action_id = answer["action"]["id"]
    expected = "queued" if route.is_async else "success"
    assert answer["action"]["status"] in (expected, "in-progress", "success")

    sdk_client.routes.poll_action(action_id, poll_interval=0.2, timeout=30)
    script = sign_in.code + actions.code.replace('ACTION_ID="..."', f'ACTION_ID="{action_id}"')
    one, logs, page = _documents(bash(script))
    assert one["data"]["id"] == action_id and one["data"]["status"] == "success"
    assert isinstance(logs["data"], list)
    assert action_id in [a["id"] for a in page["data"]]


# -- "Show code" of a run made in the in-app demo ---------------------------------------------
async def _in_app_run(data_dir: Path, examples: Path, slug: str, body: dict[str, Any]) -> Any:
    """A run made the way the app's offline demo makes it: in-process, its own files."""
    import httpx

    from ouro_desktop.api.client import OuroClient
    from ouro_desktop.core.snippet_code import IN_APP_DEMO_URL
    from ouro_desktop.demo.app import create_app
    from ouro_desktop.demo.faults import Faults

    app = create_app(data_dir, faults=Faults(time_scale=0.01))
    transport = httpx.ASGITransport(app=app)
    async with OuroClient(IN_APP_DEMO_URL, app.state.backend.api_key, transport=transport) as c:
        await c.sign_in()
        cif = await c.upload_file(examples / "Cu.cif")
        route = await c.get_route(f"demo/{slug}")
        result = await c.execute(
            route, body=body, input_assets={"file": cif.id}, idempotency_key=str(uuid.uuid4())
        )
        action = result.action
        while not action.is_terminal:
            await asyncio.sleep(0.02)
            action = await c.get_action(action.id)
    await app.state.backend.aclose()
    return route, cif.id, action


@pytest.mark.parametrize("known_path", [False, True])
def test_show_code_of_an_in_app_demo_run_runs_on_the_demo_server(
    demo_server: DemoServer,
    sdk_cwd: Path,
    examples: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    known_path: bool,
) -> None:
    """The in-app demo's asset ids mean nothing to the standalone server: the code uploads
    the file itself (from the working directory by its name, or from where the run read
    it), and ouro-py runs it there with the same answer."""
    body = {"points": 12, "steps": 2}
    route, in_app_id, action = asyncio.run(
        _in_app_run(tmp_path / "in-app", examples, "free-electron-dos-curve", body)
    )
    assert action.status == "success"
    info: dict[str, Any] = {"name": "Cu.cif", "asset_id": in_app_id}
    if known_path:
        info["path"] = str(examples / "Cu.cif")  # sdk_cwd stays empty
    else:
        shutil.copy(examples / "Cu.cif", sdk_cwd / "Cu.cif")
    code = run_snippet(
        route,
        body=body,
        query=None,
        path_params=None,
        input_assets={"file": in_app_id},
        input_files={"file": info},
        base_url=demo_server.url,
        demo=True,
    )
    assert in_app_id not in code and "ouro-desktop-demo-server" in code
    monkeypatch.setenv("OURO_API_KEY", demo_server.api_key)
    got = _exec(code)
    again = got["action"]
    assert again.status == "success", again.response
    uploaded = str(got["file"].id)
    assert uploaded != in_app_id and uploaded in json.dumps(again.model_dump(mode="json"))
    assert again.response["fermi_energy_eV"] == pytest.approx(action.response["fermi_energy_eV"])
    assert again.response["curve"] == action.response["curve"]
