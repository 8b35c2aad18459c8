"""The "Use via API" snippets: valid Python naming the route, curl with the right wire shapes."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from ouro_desktop.api.models import Route
from ouro_desktop.core.route_facts import duration_text, money_text, price_text
from ouro_desktop.core.route_fields import body_fields, example_body, user_parameters
from ouro_desktop.core.snippets import (
    DEFAULT_BASE_URL,
    curl_snippets,
    python_snippets,
    route_snippets,
)
from ouro_desktop.demo.app import create_app

DEMO_SLUGS = [
    "post-generate",
    "post-materials-structure-relax",
    "formula-properties",
    "structure-report",
    "build-supercell",
    "free-electron-dos-curve",
    "predict-electronic-dos-at-fermi-level",
    "simulate-powder-xrd-pattern",
    "write-structure-report",
    "fit-equation-of-state",
    "read-post-facts",
]


@pytest.fixture
def routes(demo_routes: dict[str, Route]) -> dict[str, Route]:
    return demo_routes


def _payload(code: str) -> dict:
    """The JSON of a curl heredoc, with ``$FILE_ID`` put in and shell escapes undone."""
    text = code.split("<<EOF\n", 1)[1].split("\nEOF", 1)[0]
    text = text.replace('"$FILE_ID"', '"the-file-id"')
    text = text.replace("\\$", "$").replace("\\`", "`").replace("\\\\", "\\")
    return json.loads(text)


def test_every_demo_route_is_covered(routes: dict[str, Route]) -> None:
    assert sorted(routes) == sorted(DEMO_SLUGS)


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_python_snippets_compile_and_name_the_route(routes: dict[str, Route], slug: str) -> None:
    route = routes[slug]
    snippets = python_snippets(route, DEFAULT_BASE_URL)
    assert [s.title for s in snippets][0] == "Retrieve the route"
    for snippet in snippets:
        assert snippet.language == "python"
        compile(snippet.code, "<snippet>", "exec")
        assert route.id in snippet.code
        assert route.full_name in snippet.code
        assert 'os.environ["OURO_API_KEY"]' in snippet.code
        assert "base_url" not in snippet.code  # the default server needs no base_url
    retrieve = snippets[0].code
    assert "ouro.routes.retrieve(ROUTE_ID)" in retrieve
    assert f'ouro.routes.retrieve("{route.full_name}")' in retrieve
    actions = snippets[-1].code
    for call in ("routes.list_actions(", "routes.retrieve_action(", "routes.get_action_logs("):
        assert call in actions


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_the_methods_snippets_call_exist_in_ouro_py(routes: dict[str, Route], slug: str) -> None:
    pytest.importorskip("ouro")
    from ouro.resources.files import Files
    from ouro.resources.routes import Routes

    resources = {"routes": Routes, "files": Files}
    called = set()
    for snippet in python_snippets(routes[slug], DEFAULT_BASE_URL):
        for node in ast.walk(ast.parse(snippet.code)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Attribute) and owner.attr in resources:
                    assert hasattr(resources[owner.attr], node.func.attr), node.func.attr
                    called.add(f"{owner.attr}.{node.func.attr}")
    assert {"routes.retrieve", "routes.execute", "routes.list_actions"} <= called
    assert {"routes.retrieve_action", "routes.get_action_logs"} <= called


def test_run_with_a_body_uses_schema_examples_and_skips_nothing_needed(
    routes: dict[str, Route],
) -> None:
    route = routes["formula-properties"]
    run = next(s for s in python_snippets(route) if s.title == "Run with a body")
    assert '"formula": "Ca(OH)2"' in run.code  # from the schema's examples
    assert "ouro.routes.execute(ROUTE_ID, body=body)" in run.code
    assert "input_assets" not in run.code and "files.create" not in run.code
    namespace: dict = {}
    exec(run.code.split("body = ", 1)[1].split("\naction", 1)[0].join(["body = ", ""]), namespace)
    assert namespace["body"]["formula"] == "Ca(OH)2"
    assert namespace["body"]["include_fractions"] is True


def test_generate_example_body_takes_the_composition_from_the_description(
    routes: dict[str, Route],
) -> None:
    body = example_body(routes["post-generate"])
    assert body["composition"] == "PbTe"
    assert "space_group" not in body  # optional, no default: left out
    assert body["temperature"] == 0.8


def test_asset_routes_upload_then_run_with_the_file_and_leave_the_asset_key_out(
    routes: dict[str, Route],
) -> None:
    route = routes["post-materials-structure-relax"]
    run = next(s for s in python_snippets(route) if s.title == "Run with an input file")
    assert (
        'file = ouro.files.create(name="structure", visibility="private", '
        'file_path="structure.cif")' in run.code
    )
    assert 'input_assets={"file": str(file.id)}' in run.code
    assert '"fmax": 0.03' in run.code and '"max_steps": 400' in run.code
    assert '"file":' not in run.code.split("body = ", 1)[1].split("\naction", 1)[0]


def test_several_and_non_file_asset_inputs(routes: dict[str, Route]) -> None:
    raw = dict(routes["build-supercell"].raw)
    block = json.loads(json.dumps(raw["route"]))
    block["input_assets"] = {
        "file": {"asset_type": "file", "primary": True, "file_extensions": ["cif"]},
        "table": {"asset_type": "dataset"},
    }
    route = Route.from_json({**raw, "route": block})
    run = next(s for s in python_snippets(route) if s.title.startswith("Run")).code
    compile(run, "<snippet>", "exec")
    assert 'table_id = "..."  # the id of a dataset on Ouro' in run
    assert 'input_assets={"file": str(file.id), "table": table_id}' in run
    curl_run = next(s for s in curl_snippets(route) if s.title.startswith("Run")).code
    assert 'FILE_ID="..."' in curl_run and 'TABLE_ID="..."' in curl_run
    assert '"assetId": "$TABLE_ID"' in curl_run


def test_async_route_returns_at_once_and_polls(routes: dict[str, Route]) -> None:
    route = routes["free-electron-dos-curve"]
    run = next(s for s in python_snippets(route) if s.title.startswith("Run"))
    assert "wait=False" in run.code and "ouro.routes.poll_action(action.id)" in run.code
    sync = next(s for s in python_snippets(routes["build-supercell"]) if s.title.startswith("Run"))
    assert "wait=False" not in sync.code and "poll_action" not in sync.code
    curl_run = next(s for s in curl_snippets(route) if s.title.startswith("Run"))
    assert '-H "Prefer: respond-async"' in curl_run.code


def test_paid_route_snippets_say_what_a_run_costs(routes: dict[str, Route]) -> None:
    for snippet in route_snippets(routes["structure-report"]):
        if snippet.title.startswith("Run"):
            assert "$0.05 per call" in snippet.code
    for snippet in route_snippets(routes["build-supercell"]):
        assert "Paid route" not in snippet.code


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_curl_uses_the_token_without_bearer_and_the_exact_use_body(
    routes: dict[str, Route], slug: str
) -> None:
    route = routes[slug]
    snippets = {s.title: s for s in curl_snippets(route)}
    assert all(s.language == "shell" for s in snippets.values())
    sign_in = snippets["Sign in"].code
    assert '"$OURO_BASE/users/get-token"' in sign_in and '\\"pat\\": \\"$OURO_API_KEY\\"' in sign_in
    joined = "\n".join(s.code for s in snippets.values())
    assert "Bearer " not in joined.replace('(no "Bearer")', "")
    assert joined.count('-H "Authorization: $TOKEN"') >= 5
    assert f'"$OURO_BASE/routes/{route.id}"' in joined
    assert f'"entityName": "{route.owner}"' in joined and f'"name": "{route.slug}"' in joined
    run = next(s.code for t, s in snippets.items() if t.startswith("Run"))
    assert f'"$OURO_BASE/services/{route.service_id}/routes/{route.id}/use"' in run
    config = _payload(run)["config"]
    assert list(config) == ["body", "query", "parameters", "params", "output", "input_assets"]
    assert config["body"] == example_body(route)
    assert config["output"] is None and config["query"] is None
    if route.input_assets:
        assert config["input_assets"] == {k: {"assetId": "the-file-id"} for k in route.input_assets}
        assert 'FILE_ID="..."' in run
    else:
        assert config["input_assets"] is None
    actions = snippets["Read its runs (actions)"].code
    assert '"$OURO_BASE/actions/$ACTION_ID"' in actions
    assert f"/services/{route.service_id}/routes/{route.id}/actions?global=false" in actions
    assert "/actions/$ACTION_ID/logs" in actions


def test_a_demo_base_url_goes_into_every_snippet(routes: dict[str, Route]) -> None:
    route = routes["formula-properties"]
    base = "http://127.0.0.1:8003"
    for snippet in route_snippets(route, base):
        if snippet.language == "python":
            assert f'base_url="{base}"' in snippet.code
        else:
            assert snippet.code.startswith(f"OURO_BASE={base}\n")


def test_no_key_ever_lands_in_a_snippet(routes: dict[str, Route], monkeypatch) -> None:
    monkeypatch.setenv("OURO_API_KEY", "f00dfeedf00dfeedf00dfeed")
    for route in routes.values():
        for snippet in route_snippets(route, "http://127.0.0.1:9"):
            assert "f00dfeed" not in snippet.code


def test_heredoc_escapes_shell_specials_in_examples(routes: dict[str, Route]) -> None:
    raw = dict(routes["formula-properties"].raw)
    block = json.loads(json.dumps(raw["route"]))
    props = block["request_body"]["content"]["application/json"]["schema"]["properties"]
    props["formula"]["examples"] = ["$(rm -rf ~) `x` \\ 'q'"]
    route = Route.from_json({**raw, "route": block})
    run = next(s.code for s in curl_snippets(route) if s.title.startswith("Run"))
    assert "$(rm" not in run.replace("\\$(rm", "")
    assert _payload(run)["config"]["body"]["formula"] == "$(rm -rf ~) `x` \\ 'q'"
    python_run = next(s.code for s in python_snippets(route) if s.title.startswith("Run"))
    compile(python_run, "<snippet>", "exec")


def test_query_and_path_parameters_go_to_query_and_params(routes: dict[str, Route]) -> None:
    raw = dict(routes["formula-properties"].raw)
    block = json.loads(json.dumps(raw["route"]))
    block["parameters"] = [
        *block["parameters"],
        {"in": "query", "name": "precision", "schema": {"type": "string", "enum": ["low", "high"]}},
        {"in": "query", "name": "note", "schema": {"type": "string"}},
        {"in": "path", "name": "element", "schema": {"type": "string", "examples": ["Fe"]}},
    ]
    route = Route.from_json({**raw, "route": block})
    names = [(p.key, p.location, p.required) for p in user_parameters(route)]
    assert names == [
        ("precision", "query", False),
        ("note", "query", False),
        ("element", "path", True),
    ]
    run = next(s.code for s in curl_snippets(route) if s.title.startswith("Run"))
    config = _payload(run)["config"]
    assert config["query"] is None  # optional and no default: nothing to send
    assert config["parameters"] == config["params"] == {"element": "Fe"}
    python_run = next(s.code for s in python_snippets(route) if s.title.startswith("Run"))
    assert re.search(r'params=\{\s*"element": "Fe",\s*\}', python_run)
    compile(python_run, "<snippet>", "exec")


def test_body_fields_leave_out_asset_keys_and_unwrap_nullable_enums(
    routes: dict[str, Route],
) -> None:
    keys = [f.key for f in body_fields(routes["free-electron-dos-curve"])]
    assert "file" not in keys and keys[0] == "e_min_eV"
    space_group = next(f for f in body_fields(routes["post-generate"]) if f.key == "space_group")
    assert space_group.nullable and not space_group.required
    assert space_group.type == "string" and "Fd3m" in space_group.enum
    assert space_group.title == "Space group"  # not the enum's type name "SpaceGroup"


def test_refs_and_allof_are_resolved() -> None:
    schema = {
        "type": "object",
        "$defs": {
            "Base": {"properties": {"a": {"type": "integer", "default": 3}}, "required": ["a"]}
        },
        "allOf": [{"$ref": "#/$defs/Base"}, {"properties": {"b": {"$ref": "#/$defs/B"}}}],
    }
    schema["$defs"]["B"] = {"type": "string", "enum": ["x", "y"], "title": "BKind"}
    raw = {
        "id": "r1",
        "name": "r",
        "name_url_slug": "r",
        "user": {"username": "u"},
        "route": {
            "method": "POST",
            "path": "/r",
            "request_body": {"content": {"application/json": {"schema": schema}}},
        },
    }
    fields = {f.key: f for f in body_fields(Route.from_json(raw))}
    assert fields["a"].required and fields["a"].default == 3
    assert fields["b"].enum == ("x", "y") and fields["b"].title == "B"


def test_price_and_duration_texts(routes: dict[str, Route]) -> None:
    assert price_text(routes["structure-report"]) == "$0.05 per call"
    assert price_text(routes["build-supercell"]) == "Free"
    assert money_text(50, "btc") == "50 sats" and money_text(0.0025, "usd") == "$0.0025"
    assert duration_text(routes["build-supercell"]) == "no runs yet"
    raw = dict(routes["build-supercell"].raw)
    timed = Route.from_json(
        {**raw, "metrics": {"p50_completion_ms": 3200, "latency_sample_count": 4}}
    )
    assert duration_text(timed) == "about 3 s (typical of 4 runs)"
    slow = Route.from_json({**raw, "metrics": {"avg_completion_ms": 180_000}})
    assert duration_text(slow) == "about 3 min"


def test_snippets_module_has_no_qt() -> None:
    source = Path(__file__).resolve().parents[2] / "ouro_desktop" / "core" / "snippets.py"
    assert "PySide6" not in source.read_text()


# -- run_snippet: the code that reproduces one run --------------------------------------------
class _FakeRoutes:
    def __init__(self, calls: list) -> None:
        self.calls = calls

    def execute(self, route_id: str, **kwargs: object) -> object:
        self.calls.append(("execute", route_id, kwargs))
        return type("Action", (), {"id": "act-1", "status": "queued", "response": None})()

    def poll_action(self, action_id: str, **kwargs: object) -> object:
        self.calls.append(("poll_action", action_id, kwargs))
        return type("Action", (), {"id": action_id, "status": "success", "response": {}})()


class _FakeFiles:
    def __init__(self, calls: list) -> None:
        self.calls = calls

    def create(self, **kwargs: object) -> object:
        self.calls.append(("files.create", kwargs))
        return type("File", (), {"id": "uploaded-1"})()


def _exec_snippet(code: str, monkeypatch: pytest.MonkeyPatch) -> list:
    """Run a snippet against a stand-in ``ouro`` module; return the calls it made."""
    import sys
    import types

    calls: list = []
    fake = types.ModuleType("ouro")

    class Ouro:
        def __init__(self, **kwargs: object) -> None:
            calls.append(("Ouro", kwargs))
            self.routes = _FakeRoutes(calls)
            self.files = _FakeFiles(calls)

    fake.Ouro = Ouro  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ouro", fake)
    monkeypatch.setenv("OURO_API_KEY", "not-a-real-key")
    exec(compile(code, "<run snippet>", "exec"), {"__name__": "snippet"})
    return calls


def test_run_snippet_reproduces_the_exact_body_and_asset_ids(
    routes: dict[str, Route], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ouro_desktop.core.snippets import run_snippet

    route = routes["free-electron-dos-curve"]
    body = {
        "points": 37,
        "smearing_eV": 0.15,
        "label": 'He said "hi" \\ then\nleft: Å ✓',
        "flags": [True, False, None],
        "nested": {"a": {"b": 1.5e-9}},
        "odd": float("nan"),
    }
    code = run_snippet(
        route,
        body=body,
        query={},
        path_params={},
        input_assets={"file": "01a22241-6193-7f96-9518-d7ebc733c5a1"},
        base_url="http://127.0.0.1:9999",  # a server that holds the run's files
    )
    compile(code, "<run snippet>", "exec")
    assert "01a22241-6193-7f96-9518-d7ebc733c5a1" in code
    assert "37" in code and "0.15" in code
    assert "files.create" not in code  # nothing is uploaded again
    assert "not-a-real-key" not in code and 'os.environ["OURO_API_KEY"]' in code
    calls = _exec_snippet(code, monkeypatch)
    assert calls[0] == ("Ouro", {"api_key": "not-a-real-key", "base_url": "http://127.0.0.1:9999"})
    kind, route_id, kwargs = calls[1]
    assert (kind, route_id) == ("execute", route.id)
    sent = dict(kwargs["body"])
    assert sent.pop("odd") != sent.get("odd")  # NaN survives as a float NaN
    assert sent == {k: v for k, v in body.items() if k != "odd"}
    assert kwargs["input_assets"] == {"file": "01a22241-6193-7f96-9518-d7ebc733c5a1"}
    assert kwargs["wait"] is False and "query" not in kwargs and "params" not in kwargs
    assert calls[2] == ("poll_action", "act-1", {})


def test_run_snippet_of_a_sync_route_with_query_and_path_parameters(
    routes: dict[str, Route], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ouro_desktop.core.snippets import run_snippet

    route = routes["formula-properties"]
    code = run_snippet(
        route,
        body={"formula": "CuSO4·5H2O", "decimals": 3},
        query={"verbose": True},
        path_params={"unit": "g"},
        input_assets={},
    )
    assert "base_url" not in code and "wait=False" not in code and "poll_action" not in code
    calls = _exec_snippet(code, monkeypatch)
    kind, route_id, kwargs = calls[1]
    assert kind == "execute" and route_id == route.id
    assert kwargs == {
        "body": {"formula": "CuSO4·5H2O", "decimals": 3},
        "query": {"verbose": True},
        "params": {"unit": "g"},
    }
    assert len(calls) == 2


def test_run_snippet_calls_exist_in_ouro_py(routes: dict[str, Route]) -> None:
    pytest.importorskip("ouro")
    import inspect

    from ouro.resources.routes import Routes

    from ouro_desktop.core.snippets import run_snippet

    code = run_snippet(
        routes["free-electron-dos-curve"],
        body={"points": 5},
        query={"q": 1},
        path_params={"p": "x"},
        input_assets={"file": "abc"},
    )
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Attribute) and owner.attr == "routes":
                method = getattr(Routes, node.func.attr)
                params = inspect.signature(method).parameters
                for keyword_arg in node.keywords:
                    assert keyword_arg.arg in params, (node.func.attr, keyword_arg.arg)


def test_run_snippet_run_by_ouro_py_reaches_the_backend_with_the_same_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real SDK runs the code against the demo (loopback): same body, same asset id."""
    pytest.importorskip("ouro")
    import asyncio
    import uuid

    import httpx

    from ouro_desktop.api.client import OuroClient
    from ouro_desktop.core.snippets import run_snippet
    from ouro_desktop.demo.faults import Faults
    from tests.conftest import serve_on_loopback

    app = create_app(tmp_path / "demo", faults=Faults(time_scale=0.01))
    backend = app.state.backend
    examples = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples"

    async def first_run() -> tuple[Route, str, dict]:
        transport = httpx.ASGITransport(app=app)
        async with OuroClient("http://demo.test", backend.api_key, transport=transport) as c:
            await c.sign_in()
            cif = await c.upload_file(examples / "Si.cif")
            route = await c.get_route("demo/free-electron-dos-curve")
            body = {"points": 12, "smearing_eV": 0.05, "steps": 2}
            await c.execute(
                route, body=body, input_assets={"file": cif.id}, idempotency_key=str(uuid.uuid4())
            )
            return route, cif.id, body

    route, asset_id, body = asyncio.run(first_run())
    with serve_on_loopback(app) as url:
        code = run_snippet(
            route,
            body=body,
            query={},
            path_params={},
            input_assets={"file": asset_id},
            base_url=url,
        )
        monkeypatch.setenv("OURO_API_KEY", backend.api_key)
        monkeypatch.chdir(tmp_path)
        namespace: dict = {"__name__": "__snippet__"}
        try:
            exec(compile(code, "<run snippet>", "exec"), namespace)
        finally:
            if namespace.get("ouro") is not None:
                namespace["ouro"]._raw_client.close()
        assert namespace["action"].status == "success"
        items, _total = backend.store.actions(route_id=route.id)
    assert len(items) == 2
    first, again = sorted(items, key=lambda a: a["created_at"])
    assert again["metadata"]["body"] == first["metadata"]["body"] == body
    assert again["metadata"]["input_assets"] == first["metadata"]["input_assets"]
    assert again["metadata"]["input_assets"] == {"file": {"assetId": asset_id}}


def test_a_run_in_the_in_app_demo_points_at_the_demo_server_and_uploads_its_file(
    routes: dict[str, Route], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ouro_desktop.core.session import DEMO_BASE_URL
    from ouro_desktop.core.snippet_code import DEMO_SERVER_URL, IN_APP_DEMO_URL
    from ouro_desktop.core.snippets import run_snippet

    assert IN_APP_DEMO_URL == DEMO_BASE_URL
    route = routes["predict-electronic-dos-at-fermi-level"]
    in_app_id = "0190f1c2-0000-7000-8000-0000000000aa"
    code = run_snippet(
        route,
        body={},
        query=None,
        path_params=None,
        input_assets={"file": in_app_id},
        input_files={"file": {"name": "Cu.cif", "asset_id": in_app_id}},
        base_url=IN_APP_DEMO_URL,
    )
    # how to start the server comes first, and the code connects to it
    assert code.startswith("# This code talks to the Ouro Desktop demo server")
    assert "ouro-desktop-demo-server\n" in code and "OURO_API_KEY=" in code
    assert in_app_id not in code  # the server has never seen the app's files
    calls = _exec_snippet(code, monkeypatch)
    assert calls[0] == ("Ouro", {"api_key": "not-a-real-key", "base_url": DEMO_SERVER_URL})
    assert calls[1] == (
        "files.create",
        {"name": "Cu", "visibility": "private", "file_path": "Cu.cif"},
    )
    kind, route_id, kwargs = calls[2]
    assert kind == "execute" and kwargs["input_assets"] == {"file": "uploaded-1"}


def test_a_run_whose_file_path_is_known_uploads_it_from_there(
    routes: dict[str, Route], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from ouro_desktop.core.snippets import run_snippet

    path = str(tmp_path / "my structures" / "Cu 'fcc'.cif")
    code = run_snippet(
        routes["build-supercell"],
        body={"na": 3},
        query=None,
        path_params=None,
        input_assets={"file": "on-ouro-id"},
        input_files={"file": {"name": "Cu 'fcc'.cif", "asset_id": "on-ouro-id", "path": path}},
    )
    assert "on-ouro-id" not in code and "base_url" not in code  # Ouro itself, no demo notes
    assert "demo server" not in code
    calls = _exec_snippet(code, monkeypatch)
    assert calls[1] == (
        "files.create",
        {"name": "Cu 'fcc'", "visibility": "private", "file_path": path},
    )
    assert calls[2][2] == {"body": {"na": 3}, "input_assets": {"file": "uploaded-1"}}


def test_route_snippets_in_the_demo_say_how_to_start_the_server(routes: dict[str, Route]) -> None:
    from ouro_desktop.core.snippet_code import DEMO_SERVER_URL, IN_APP_DEMO_URL

    for snippet in route_snippets(routes["build-supercell"], IN_APP_DEMO_URL):
        assert "ouro-desktop-demo-server" in snippet.code.split("\n", 3)[1], snippet.title
        assert IN_APP_DEMO_URL not in snippet.code
        assert DEMO_SERVER_URL in snippet.code
    for snippet in route_snippets(routes["build-supercell"], DEFAULT_BASE_URL):
        assert "demo server" not in snippet.code
