"""The "Use via API" snippets of a route: Python SDK (ouro-py) and curl, generated (no Qt).

They cover what Ouro's "use this route" page documents: retrieve the route by id and by
``user/name``, run it with a body (and an input file when it takes one; async routes
hand back the run at once and are polled), and read its runs (actions) and their logs.
Method names follow ouro-py 2.20 (``routes.retrieve``, ``routes.execute``,
``routes.poll_action``, ``routes.list_actions``, ``routes.retrieve_action``,
``routes.get_action_logs``, ``files.create``); the wire shapes follow
ouro-protocol.md §2.1 (token exchange, ``Authorization`` without ``Bearer``), §5.1
(``/use`` body) and §7.2/7.3 (actions and logs).

No snippet ever holds a key: Python reads ``os.environ["OURO_API_KEY"]``, curl
``$OURO_API_KEY``.

Every id a snippet names exists on the backend it points at. A snippet made in the in-app
demo points at ``ouro-desktop-demo-server`` and says how to start it
(:mod:`ouro_desktop.core.snippet_code`); :func:`run_snippet` uploads a run's input files
itself (``ouro.files.create(..., file_path=...)``) when it knows where the file is on this
computer, or when the backend is the demo server (whose files are not the app's), and names
the asset ids only for files that live on the backend it points at.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from ouro_desktop.api.memo import last_few
from ouro_desktop.api.models import InputDeclaration, Route
from ouro_desktop.core.route_fields import example_body, example_parameters
from ouro_desktop.core.snippet_code import (
    DEFAULT_BASE_URL,
    DEMO_SERVER_URL,
    demo_instructions,
    identifier,
    is_demo_target,
    price_comment,
    py_literal,
    python_header,
    snippet_base_url,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEMO_SERVER_URL",
    "Snippet",
    "curl_snippets",
    "python_snippets",
    "route_snippets",
    "run_snippet",
]


@dataclass(frozen=True)
class Snippet:
    """One copyable example: ``language`` is ``"python"`` or ``"shell"``."""

    title: str
    language: str
    code: str


# -- helpers ----------------------------------------------------------------------------------
def _asset_setup(route: Route) -> tuple[str, list[str]]:
    """Python lines that get an id for each asset input, and the ``key: variable`` pairs."""
    lines, pairs = [], []
    for key, decl in route.input_assets.items():
        var = identifier(key)
        if decl.asset_type == "file":
            ext = decl.file_extensions[0] if decl.file_extensions else "txt"
            stem = "structure" if decl.input_filter == "atomic structure" or ext == "cif" else var
            kinds = ", ".join(f".{e}" for e in decl.file_extensions) or "any"
            lines.append(f"# Upload the input {key!r}: a file from your computer ({kinds})")
            lines.append(
                f'{var} = ouro.files.create(name="{stem}", visibility="private", '
                f'file_path="{stem}.{ext}")'
            )
            pairs.append(f"{json.dumps(key)}: str({var}.id)")
        else:
            lines.append(f'{var}_id = "..."  # the id of a {decl.asset_type} on Ouro')
            pairs.append(f"{json.dumps(key)}: {var}_id")
    return "\n".join(lines) + "\n", pairs


def _shell_variable(key: str, count: int) -> str:
    return "FILE_ID" if count == 1 else f"{identifier(key).upper()}_ID"


def _asset_kind(decl: InputDeclaration) -> str:
    if decl.asset_type == "file" and decl.file_extensions:
        return "/".join(f".{e}" for e in decl.file_extensions) + " file"
    return decl.asset_type


def _execute_args(route: Route) -> list[str]:
    args = ["ROUTE_ID", "body=body"]
    query = example_parameters(route, "query")
    path = example_parameters(route, "path")
    if query:
        args.append(f"query={py_literal(query, 4)}")
    if path:
        args.append(f"params={py_literal(path, 4)}")
    return args


# -- Python ---------------------------------------------------------------------------------
def python_snippets(route: Route, base_url: str = DEFAULT_BASE_URL) -> list[Snippet]:
    head = python_header(route, base_url)
    retrieve = (
        head + "\n# By id\n"
        "route = ouro.routes.retrieve(ROUTE_ID)\n"
        "# or by its full name, user/name\n"
        f"route = ouro.routes.retrieve({json.dumps(route.full_name)})\n"
        "print(route.name, route.route.method, route.route.path)\n"
        "print(route.route.execution_mode, route.route.input_assets)\n"
    )
    out = [Snippet("Retrieve the route", "python", retrieve)]

    body = f"body = {py_literal(example_body(route))}\n"
    args = _execute_args(route)
    setup = ""
    if route.input_assets:
        setup, pairs = _asset_setup(route)
        args.append(f"input_assets={{{', '.join(pairs)}}}")
    if route.is_async:
        run = (
            "# Runs in the background: get the run (action) back at once, then poll it\n"
            f"action = ouro.routes.execute({', '.join([*args, 'wait=False'])})\n"
            'print(action.id, action.status)  # "queued" or "in-progress"\n'
            "action = ouro.routes.poll_action(action.id)\n"
        )
    else:
        run = f"action = ouro.routes.execute({', '.join(args)})\n"
    run += "print(action.status)\nprint(action.response)\n"
    title = "Run with an input file" if route.input_assets else "Run with a body"
    out.append(Snippet(title, "python", head + "\n" + price_comment(route) + setup + body + run))

    actions = (
        head + "\n# Your recent runs of this route (newest first)\n"
        "page = ouro.routes.list_actions(ROUTE_ID, limit=20)\n"
        "for action in page:\n"
        "    print(action.id, action.status, action.created_at)\n\n"
        "# One run, its answer and its log\n"
        "if page.data:\n"
        "    action = ouro.routes.retrieve_action(page.data[0].id)\n"
        "    print(action.status, action.response)\n"
        "    logs = ouro.routes.get_action_logs(action.id, chronological=True)\n"
        "    for line in logs:\n"
        "        print(line.created_at, line.level, line.message)\n"
    )
    out.append(Snippet("Read its runs (actions)", "python", actions))
    return out


# -- curl ------------------------------------------------------------------------------------
def _curl_header(base_url: str) -> str:
    base_url = snippet_base_url(base_url)
    notes = demo_instructions(base_url) if is_demo_target(base_url) else ""
    return notes + f"OURO_BASE={shlex.quote(base_url.rstrip('/') or DEFAULT_BASE_URL)}\n"


def _heredoc_json(value: Any, *, placeholders: dict[str, str]) -> str:
    """Pretty JSON for an unquoted heredoc: ``\\``, ``$`` and backticks escaped, then the
    ``placeholders`` (a quoted token → a shell variable) put back unescaped."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    text = text.replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")
    for token, variable in placeholders.items():
        text = text.replace(json.dumps(token), f'"{variable}"')
    return text


def curl_snippets(route: Route, base_url: str = DEFAULT_BASE_URL) -> list[Snippet]:
    head = _curl_header(base_url)
    sign_in = (
        head + "# Exchange your API key for an access token (it lasts about an hour).\n"
        "# Needs curl and jq; the other curl snippets use $OURO_BASE and $TOKEN from here.\n"
        'TOKEN=$(curl -s -X POST "$OURO_BASE/users/get-token" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        '  -d "{\\"pat\\": \\"$OURO_API_KEY\\"}" | jq -r .access_token)\n'
        '# Every call sends it as is: "Authorization: $TOKEN" (no "Bearer")\n'
    )
    out = [Snippet("Sign in", "shell", sign_in)]

    name_to_id = json.dumps({"name": route.slug, "assetType": "route", "entityName": route.owner})
    name_to_id = name_to_id.replace("'", "'\\''")  # inside single quotes
    retrieve = (
        head + "# By id\n"
        f'curl -s "$OURO_BASE/routes/{route.id}" \\\n'
        '  -H "Authorization: $TOKEN"\n\n'
        f"# By its full name, {route.full_name}: look its id up, then fetch it\n"
        'ROUTE_ID=$(curl -s -X POST "$OURO_BASE/elements/common/name-to-id" \\\n'
        '  -H "Authorization: $TOKEN" -H "Content-Type: application/json" \\\n'
        f"  -d '{name_to_id}' | jq -r .data.id)\n"
        'curl -s "$OURO_BASE/routes/$ROUTE_ID" -H "Authorization: $TOKEN"\n'
    )
    out.append(Snippet("Retrieve the route", "shell", retrieve))

    query = example_parameters(route, "query") or None
    path = example_parameters(route, "path") or None
    variables = {k: _shell_variable(k, len(route.input_assets)) for k in route.input_assets}
    assets = {k: {"assetId": f"__OURO_{v}__"} for k, v in variables.items()} or None
    config = {
        "body": example_body(route),
        "query": query,
        "parameters": path,
        "params": path,
        "output": None,
        "input_assets": assets,
    }
    payload = _heredoc_json(
        {"config": config}, placeholders={f"__OURO_{v}__": f"${v}" for v in variables.values()}
    )
    lines = [head.rstrip("\n")]
    if route.is_paid:
        lines.append(price_comment(route).rstrip("\n"))
    if route.input_assets:
        for key, variable in variables.items():
            kind = _asset_kind(route.input_assets[key])
            lines.append(f'{variable}="..."  # the id of a {kind} on Ouro ({key!r})')
        if any(d.asset_type == "file" for d in route.input_assets.values()):
            lines.append("# (the Python snippet shows how to upload a file from your computer)")
    lines += [
        f'curl -s -X POST "$OURO_BASE/services/{route.service_id or "SERVICE_ID"}'
        f'/routes/{route.id}/use" \\',
        '  -H "Authorization: $TOKEN" \\',
        '  -H "Content-Type: application/json" \\',
    ]
    if route.is_async:
        lines.append('  -H "Prefer: respond-async" \\')
    lines.append("  --data-binary @- <<EOF")
    run = "\n".join(lines) + "\n" + payload + "\nEOF\n"
    if route.is_async:
        run += (
            "# The answer carries the run (action) at once; poll it until it is done:\n"
            '# curl -s "$OURO_BASE/actions/$ACTION_ID" -H "Authorization: $TOKEN"\n'
        )
    title = "Run with an input file" if route.input_assets else "Run with a body"
    out.append(Snippet(title, "shell", run))

    actions = (
        head + 'ACTION_ID="..."  # the "action" id a run answered with\n\n'
        "# One run: status, answer, output files\n"
        'curl -s "$OURO_BASE/actions/$ACTION_ID" -H "Authorization: $TOKEN"\n\n'
        "# Its log, oldest line first\n"
        'curl -s "$OURO_BASE/actions/$ACTION_ID/logs?sort_order=asc" -H "Authorization: $TOKEN"\n\n'
        "# Your recent runs of this route (global=true includes other people's)\n"
        f'curl -s "$OURO_BASE/services/{route.service_id or "SERVICE_ID"}/routes/{route.id}'
        '/actions?global=false&limit=20" \\\n'
        '  -H "Authorization: $TOKEN"\n'
    )
    out.append(Snippet("Read its runs (actions)", "shell", actions))
    return out


# -- one run --------------------------------------------------------------------------------
def _local_name(key: str, decl: InputDeclaration | None, info: Mapping[str, Any]) -> str:
    """A file name to upload from when only the original name is known."""
    name = info.get("name")
    if isinstance(name, str) and name.strip() and PurePath(name).name == name.strip():
        return name.strip()
    extension = decl.file_extensions[0] if decl and decl.file_extensions else "dat"
    return f"{identifier(key)}.{extension}"


def _run_inputs(
    route: Route,
    input_assets: Mapping[str, str],
    input_files: Mapping[str, Mapping[str, Any]],
    demo: bool,
) -> tuple[list[str], list[str], int]:
    """Lines that get each input file's id on the snippet's backend, ``key: id`` pairs, and
    how many of them name an existing asset id.

    A file whose path on this computer is known is uploaded from there; on the demo server
    (which has its own files) one whose path is not known is uploaded by its name from the
    working directory; otherwise the run's asset id is named as it is.
    """
    lines: list[str] = []
    pairs: list[str] = []
    named = 0
    for key in dict.fromkeys([*input_assets, *input_files]):
        info = input_files.get(key) or {}
        asset_id = input_assets.get(key) or info.get("asset_id")
        path = info.get("path")
        decl = route.input_assets.get(key)
        if not (isinstance(path, str) and path) and not demo and isinstance(asset_id, str):
            pairs.append(f"{json.dumps(key)}: {json.dumps(asset_id)}")
            named += 1
            continue
        var = identifier(key)
        if isinstance(path, str) and path:
            source, note = path, f"# Upload the input {key!r} from where the run read it"
        else:
            source = _local_name(key, decl, info)
            note = (
                f"# Upload the input {key!r}: put the file you used ({source}) in the folder "
                "you run this from\n# (the demo server keeps its own files, not the app's)"
            )
        stem = PurePath(source).stem or var
        lines.append(note)
        lines.append(
            f'{var} = ouro.files.create(name={json.dumps(stem)}, visibility="private", '
            f"file_path={json.dumps(source)})"
        )
        pairs.append(f"{json.dumps(key)}: str({var}.id)")
    return lines, pairs, named


def run_snippet(
    route: Route,
    *,
    body: dict[str, Any] | None,
    query: dict[str, Any] | None,
    path_params: dict[str, Any] | None,
    input_assets: Mapping[str, str],
    base_url: str = DEFAULT_BASE_URL,
    input_files: Mapping[str, Mapping[str, Any]] | None = None,
    demo: bool | None = None,
) -> str:
    """ouro-py code that runs ``route`` again exactly as one run did.

    Same body, query and path parameters. Input files: ``input_files`` maps an input key to
    ``{"name", "asset_id", "path"}`` (any may be missing); see :func:`_run_inputs` for when
    the code uploads a file and when it names ``input_assets``' ids. ``demo`` says the
    snippet's backend is the demo server (default: guessed from ``base_url``). Async routes
    hand back the run at once and are polled.
    """
    demo = is_demo_target(base_url) if demo is None else demo
    head = python_header(route, base_url, demo=demo)
    setup, pairs, named = _run_inputs(route, input_assets, input_files or {}, demo)
    args = ["ROUTE_ID", "body=body"]
    if query:
        args.append(f"query={py_literal(query, 4)}")
    if path_params:
        args.append(f"params={py_literal(path_params, 4)}")
    if pairs:
        args.append("input_assets={" + ", ".join(pairs) + "}")
    lines = [head, "# The same inputs as the run in Ouro Desktop"]
    if named:
        lines.append("# (input files by their asset ids on Ouro: nothing is uploaded again)")
    lines += setup
    price = price_comment(route).rstrip("\n")
    if price:
        lines.append(price)
    lines.append(f"body = {py_literal(body or {})}")
    if route.is_async:
        lines += [
            "# Runs in the background: get the run (action) back at once, then poll it",
            f"action = ouro.routes.execute({', '.join([*args, 'wait=False'])})",
            'print(action.id, action.status)  # "queued" or "in-progress"',
            "action = ouro.routes.poll_action(action.id)",
        ]
    else:
        lines.append(f"action = ouro.routes.execute({', '.join(args)})")
    lines += ["print(action.status)", "print(action.response)"]
    return "\n".join(lines) + "\n"


def route_snippets(route: Route, base_url: str = DEFAULT_BASE_URL) -> list[Snippet]:
    """Python snippets first, then curl."""
    return list(_route_snippets(route, base_url))


@last_few()
def _route_snippets(route: Route, base_url: str) -> tuple[Snippet, ...]:
    # Remembered, so the window can have them written in a worker first (a big body makes
    # long snippets) and the route page finds them done.
    return (*python_snippets(route, base_url), *curl_snippets(route, base_url))
