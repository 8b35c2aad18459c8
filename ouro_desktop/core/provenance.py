"""A citable record of one run, built from the local ledger alone (so it works offline).

At submit, :func:`submit_facts` gathers what the ledger's first schema did not keep -- the
route's version (its ``last_updated``), author, licence and web link; each input file's
name, size and SHA-256; the app's version -- and the tracker stores it with the run
(``runs.provenance``). When an output file is saved, :func:`record_output` keeps its
SHA-256 (``run_outputs``). :func:`build_provenance` then puts the run's ledger row, those
facts and the saved outputs together as a :class:`Provenance`, which reads as text
(:meth:`~Provenance.text`, for Copy), as JSON (:meth:`~Provenance.as_json`, for Save) and as
a short citation paragraph (:meth:`~Provenance.citation`).

A run recorded before these facts were kept still gets a record: what is not known says
"not recorded". Qt-free.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ouro_desktop import __version__
from ouro_desktop.api.models import Route

from .history import format_duration
from .ledger import RunLedger, RunRecord
from .upload_cache import file_sha256

__all__ = [
    "APP_NAME",
    "FileFact",
    "OutputFact",
    "Provenance",
    "build_provenance",
    "input_file_facts",
    "output_rows",
    "record_output",
    "saved_outputs",
    "submit_facts",
]

APP_NAME = "Ouro Desktop"
FORMAT = "ouro-desktop/provenance"
FORMAT_VERSION = 1
NOT_RECORDED = "not recorded"

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class FileFact:
    """One input file as it was sent: for the record, by content."""

    name: str
    size: int | None
    sha256: str | None
    asset_id: str


@dataclass(frozen=True)
class OutputFact:
    """One output file that was saved on this computer."""

    asset_id: str
    name: str
    size: int | None
    sha256: str
    path: str | None = None


def _dict(value: Any) -> JsonDict:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def submit_facts(
    route: Route, files: Mapping[str, FileFact], *, title: str | None = None
) -> JsonDict:
    """What to store with a run at submit (``RunTracker.submit(provenance=...)``)."""
    raw = route.raw
    user = _dict(raw.get("user"))
    return {
        "route": {
            "id": route.id,
            "name": route.name,
            "title": title or route.name,
            "reference": route.full_name,
            "owner": route.owner,
            "author": _text(user.get("username")) or route.owner,
            "service_id": route.service_id,
            "method": route.method,
            "path": route.path,
            "link": _text(raw.get("url")),
            "created_at": _text(raw.get("created_at")),
            "last_updated": _text(raw.get("last_updated")),
            "version": _text(raw.get("version")),
            "license": _text(raw.get("license_id")),
        },
        "files": {
            key: {"name": f.name, "size": f.size, "sha256": f.sha256, "asset_id": f.asset_id}
            for key, f in files.items()
        },
        "app": {"name": APP_NAME, "version": __version__},
    }


def output_rows(action_outputs: Any) -> list[tuple[str, str]]:
    """``(asset id, file name)`` of each output row of an action (``Action.output_assets``)."""
    rows = []
    for row in action_outputs if isinstance(action_outputs, list) else []:
        if not isinstance(row, dict):
            continue
        asset = _dict(row.get("asset"))
        asset_id = row.get("asset_id") or asset.get("id")
        if isinstance(asset_id, str) and asset_id:
            rows.append((asset_id, str(asset.get("name") or row.get("name") or asset_id)))
    return rows


def input_file_facts(
    assets: Mapping[str, str],
    files: Mapping[str, Mapping[str, Any]],
    hashed: Mapping[str, tuple[str, int, str]],
    known: Callable[[str], tuple[str, int] | None],
) -> dict[str, FileFact]:
    """Each input file of a run about to be sent: from the file hashed for its upload
    (``hashed``: key -> name, size, SHA-256), else -- a file chosen on Ouro or filled in
    from an earlier run -- from what this profile uploaded (``known``: asset id -> SHA-256,
    size), else by name only."""
    facts = {}
    for key, asset_id in assets.items():
        if key in hashed:
            name, size, digest = hashed[key]
            facts[key] = FileFact(name, size, digest, asset_id)
            continue
        content = known(asset_id)
        name = str(files.get(key, {}).get("name") or asset_id)
        facts[key] = FileFact(
            name, content[1] if content else None, content[0] if content else None, asset_id
        )
    return facts


# -- saved outputs ---------------------------------------------------------------------------


def record_output(
    ledger: RunLedger, local_id: str, asset_id: str, name: str, path: Path
) -> OutputFact:
    """Hash the saved output at ``path`` (blocking: call off the UI thread) and keep it."""
    digest = file_sha256(path)
    size = path.stat().st_size
    with ledger.write("the saved output") as conn:
        conn.execute(
            "INSERT OR REPLACE INTO run_outputs "
            "(local_id, asset_id, name, size, sha256, path, saved_at) VALUES (?,?,?,?,?,?,?)",
            (local_id, asset_id, name, size, digest, str(path), time.time()),
        )
    return OutputFact(asset_id, name, size, digest, str(path))


def saved_outputs(ledger: RunLedger, local_id: str) -> list[OutputFact]:
    with ledger.read() as conn:
        rows = conn.execute(
            "SELECT asset_id, name, size, sha256, path FROM run_outputs "
            "WHERE local_id = ? ORDER BY saved_at",
            (local_id,),
        ).fetchall()
    return [OutputFact(r["asset_id"], r["name"], r["size"], r["sha256"], r["path"]) for r in rows]


# -- the record ------------------------------------------------------------------------------


def _iso(seconds: float | None) -> str | None:
    if not seconds:
        return None
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat(timespec="seconds")


def _day(stamp: str | None) -> str | None:
    return stamp[:10] if stamp else None


@dataclass(frozen=True)
class Provenance:
    """One run's record; see the module docstring."""

    data: JsonDict = field(default_factory=dict)

    def as_json(self) -> JsonDict:
        copy: JsonDict = json.loads(json.dumps(self.data))  # nobody changes ours through it
        return copy

    def json_text(self) -> str:
        return json.dumps(self.data, indent=2, ensure_ascii=False) + "\n"

    def text(self) -> str:
        """The record as lines of "Label: value" (for Copy, and the card)."""
        d = self.data
        route, run, inputs, app = d["route"], d["run"], d["inputs"], d["app"]
        lines = [
            f"Route: {route['title']} ({route['reference']})",
            f"Route id: {route['id']}",
            f"Route version: {route['version'] or NOT_RECORDED}",
            f"Author: {route['author'] or NOT_RECORDED}",
        ]
        if route.get("link"):
            lines.append(f"Route link: {route['link']}")
        lines += [
            f"Service: {route['service_id'] or NOT_RECORDED}",
            f"Server: {run['server']}",
            f"Action id: {run['action_id'] or 'none (not started on Ouro)'}",
        ]
        if run.get("action_link"):
            lines.append(f"Action link: {run['action_link']}")
        took = run.get("duration_s")
        lines += [
            f"Started: {run['started_at'] or NOT_RECORDED}",
            f"Finished: {run['finished_at'] or '—'}"
            + (f" (took {format_duration(took)})" if isinstance(took, int | float) else ""),
            f"Outcome: {run['state']}",
        ]
        if run.get("price_confirmed"):
            lines.append(f"Price confirmed: {run['price_confirmed']}")
        if d.get("batch"):
            lines.append(f"Batch: {d['batch']['id']} (file {d['batch']['item'] + 1})")
        settings = inputs["settings"]
        lines.append(
            "Settings: "
            + (json.dumps(settings, ensure_ascii=False, sort_keys=True) if settings else "none")
        )
        for f in inputs["files"]:
            size = (
                f"{f['size']} bytes" if isinstance(f.get("size"), int) else "size " + NOT_RECORDED
            )
            lines.append(
                f"Input file “{f['input']}”: {f['name']} · {size} · "
                f"SHA-256 {f['sha256'] or NOT_RECORDED}"
            )
        for o in d["outputs"]:
            lines.append(f"Output file: {o['name']} · SHA-256 {o['sha256'] or NOT_RECORDED}")
        lines.append(f"Recorded by: {app['name']} {app['version'] or NOT_RECORDED}")
        return "\n".join(lines)

    def citation(self) -> str:
        """A short paragraph for a methods section, from the route's own metadata."""
        d = self.data
        route, run, app = d["route"], d["run"], d["app"]
        who = f" by {route['author']}" if route.get("author") else ""
        where = f", {route['link']}" if route.get("link") else ""
        version = f"; version of {_day(route['version'])}" if route.get("version") else ""
        when = _day(run.get("started_at")) or "an unrecorded date"
        action = f" (Ouro action {run['action_id']})" if run.get("action_id") else ""
        files = [f for f in d["inputs"]["files"] if f.get("sha256")]
        inputs = ""
        if files:
            named = ", ".join(f"{f['name']} (SHA-256 {f['sha256'][:12]}…)" for f in files[:3])
            more = f" and {len(files) - 3} more" if len(files) > 3 else ""
            inputs = f" Input: {named}{more}."
        return (
            f"Results were computed with the Ouro route “{route['title']}” "
            f"({route['reference']}){who}{where}{version}, run on {when}{action} "
            f"from {app['name']} {app['version'] or ''}".rstrip()
            + f".{inputs}"
        )


def build_provenance(
    record: RunRecord, *, outputs: list[OutputFact] | None = None, action_outputs: Any = None
) -> Provenance:
    """The record of ``record``'s run. ``outputs`` are the files saved from it (with their
    hashes); ``action_outputs`` (``Action.output_assets``, when online) names the others."""
    facts = record.provenance or {}
    route_facts = _dict(facts.get("route"))
    file_facts = _dict(facts.get("files"))
    app = _dict(facts.get("app"))
    files = []
    keys = list(dict.fromkeys([*file_facts, *record.input_files, *record.input_assets]))
    for key in keys:
        fact = _dict(file_facts.get(key))
        sent = _dict(record.input_files.get(key))
        files.append(
            {
                "input": key,
                "name": fact.get("name") or sent.get("name") or NOT_RECORDED,
                "size": fact.get("size"),
                "sha256": fact.get("sha256"),
                "asset_id": fact.get("asset_id")
                or sent.get("asset_id")
                or record.input_assets.get(key),
            }
        )
    saved = {o.asset_id: o for o in outputs or []}
    out = [
        {"name": o.name, "asset_id": o.asset_id, "size": o.size, "sha256": o.sha256}
        for o in saved.values()
    ]
    for asset_id, name in output_rows(action_outputs):
        if asset_id not in saved:
            out.append({"name": name, "asset_id": asset_id, "size": None, "sha256": None})
    base = record.base_url.rstrip("/")
    settings = {
        k: v
        for k, v in (("body", record.body), ("query", record.query), ("path", record.path_params))
        if v
    }
    version = route_facts.get("version") or route_facts.get("last_updated")
    data: JsonDict = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "route": {
            "title": route_facts.get("title") or record.route_name,
            "name": route_facts.get("name") or record.route_name,
            "reference": route_facts.get("reference") or record.route_name,
            "id": record.route_id,
            "version": version,
            "author": route_facts.get("author"),
            "license": route_facts.get("license"),
            "link": route_facts.get("link"),
            "service_id": record.service_id or route_facts.get("service_id"),
        },
        "run": {
            "local_id": record.local_id,
            "action_id": record.action_id,
            "action_link": f"{base}/actions/{record.action_id}" if record.action_id else None,
            "server": base,
            "account": record.account,
            "state": record.state.value,
            "started_at": _iso(record.started_at),
            "finished_at": _iso(record.finished_at),
            "duration_s": record.duration_s,
            "price_confirmed": record.price_shown,
        },
        "inputs": {"settings": settings, "files": files},
        "outputs": out,
        "app": {"name": app.get("name") or APP_NAME, "version": app.get("version")},
    }
    if record.batch_id is not None:
        data["batch"] = {"id": record.batch_id, "item": record.batch_item or 0}
    return Provenance(data)
