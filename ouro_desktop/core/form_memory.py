"""What a person typed and chose in a route's form, kept until they come back to it.

:class:`FormMemory` keeps, per account and route, the form's values (body, query and path
parameters) and the files chosen for its inputs (the asset id of a finished upload and the
local path it came from), in one JSON file in the profile -- not in the run ledger: these
are drafts, not runs. It is written atomically and only when something changed
(:meth:`FormMemory.flush`), and it holds at most :data:`MAX_ROUTES` forms (the oldest go
first) of at most :data:`MAX_FORM_BYTES` each.

Secrets never reach the file: :func:`without_secrets` drops every field the schema marks
as a password (``format: password``, ``writeOnly``) or whose key or title names a secret
(password, token, API key, authorization, ...), wherever it is nested, before anything is
remembered. Qt-free.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ouro_desktop.api.schema_nodes import (
    ArrayNode,
    FormSpec,
    FormValue,
    Node,
    ObjectNode,
    OptionalNode,
    StringNode,
)

from .atomic_file import write_text_atomic

__all__ = [
    "MAX_FORM_BYTES",
    "MAX_ROUTES",
    "FormMemory",
    "RememberedFile",
    "RememberedForm",
    "is_secret_name",
    "without_secrets",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
MAX_ROUTES = 200
MAX_FORM_BYTES = 256 * 1024
JSON = dict[str, Any]
# Words that name a secret ("max_tokens" is a count, not a token: whole words only).
_SECRET_WORDS = frozenset(
    {"password", "passwd", "passphrase", "pwd", "secret", "token", "authorization",
     "authorisation", "credential", "credentials", "cookie", "bearer", "apikey", "jwt"}
)  # fmt: skip
_SECRET_PAIRS = frozenset(
    {("api", "key"), ("access", "key"), ("private", "key"), ("secret", "key"),
     ("session", "id"), ("auth", "header")}
)  # fmt: skip
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def is_secret_name(name: str) -> bool:
    """Whether a field called ``name`` (a key or a title) holds a secret: ``api_key``,
    ``X-Auth-Token``, ``clientSecret``, "Password" -- but not ``max_tokens``."""
    words = re.split(r"[^a-z0-9]+", _CAMEL.sub(" ", name).lower())
    words = [w for w in words if w]
    if any(w in _SECRET_WORDS for w in words):
        return True
    return any(pair in _SECRET_PAIRS for pair in zip(words, words[1:], strict=False))


def _node_is_secret(node: Node) -> bool:
    if isinstance(node, StringNode) and node.format == "password":
        return True
    if node.schema.get("writeOnly") is True or node.schema.get("format") == "password":
        return True
    return is_secret_name(node.key) or is_secret_name(node.title)


def _strip_by_node(node: Node, value: Any) -> Any:
    if isinstance(node, OptionalNode):
        return _strip_by_node(node.inner, value)
    if isinstance(node, ObjectNode) and isinstance(value, dict):
        children = {child.key: child for child in node.children}
        out: JSON = {}
        for key, sub in value.items():
            child = children.get(key)
            if child is None:
                if not is_secret_name(str(key)):
                    out[key] = _strip_by_name(sub)
            elif not _node_is_secret(child):
                out[key] = _strip_by_node(child, sub)
        return out
    if isinstance(node, ArrayNode) and isinstance(value, list):
        return [_strip_by_node(node.items, item) for item in value]
    return _strip_by_name(value)


def _strip_by_name(value: Any) -> Any:
    """Free-form JSON (raw mode, a JSON field): keys that name a secret go, at any depth."""
    if isinstance(value, dict):
        return {k: _strip_by_name(v) for k, v in value.items() if not is_secret_name(str(k))}
    if isinstance(value, list):
        return [_strip_by_name(item) for item in value]
    return value


def without_secrets(spec: FormSpec | None, value: FormValue) -> FormValue:
    """``value`` with every secret field left out (see the module docstring)."""

    def part(node: ObjectNode | Any, data: JSON) -> JSON:
        kept = _strip_by_node(node, data) if isinstance(node, ObjectNode) else _strip_by_name(data)
        return kept if isinstance(kept, dict) else {}

    if spec is None:
        return FormValue(
            part(None, value.body), part(None, value.query), part(None, value.path_params)
        )
    return FormValue(
        part(spec.body, value.body),
        part(spec.query, value.query),
        part(spec.path, value.path_params),
    )


@dataclass(frozen=True)
class RememberedFile:
    """A file chosen for an input: on Ouro (``asset_id``), from this computer (``path``),
    or both (uploaded from there)."""

    name: str
    asset_id: str | None = None
    path: str | None = None

    def to_json(self) -> JSON:
        return {k: v for k, v in (("name", self.name), ("asset_id", self.asset_id),
                                  ("path", self.path)) if v}  # fmt: skip

    @classmethod
    def from_json(cls, raw: Any) -> RememberedFile | None:
        if not isinstance(raw, dict):
            return None
        asset_id, path = raw.get("asset_id"), raw.get("path")
        asset_id = asset_id if isinstance(asset_id, str) and asset_id else None
        path = path if isinstance(path, str) and path else None
        if asset_id is None and path is None:
            return None
        name = raw.get("name")
        return cls(name if isinstance(name, str) and name else (asset_id or ""), asset_id, path)


@dataclass(frozen=True)
class RememberedForm:
    """One route's form as the person left it."""

    body: JSON = field(default_factory=dict)
    query: JSON = field(default_factory=dict)
    path_params: JSON = field(default_factory=dict)
    files: dict[str, RememberedFile] = field(default_factory=dict)
    saved_at: float = 0.0

    @property
    def value(self) -> FormValue:
        return FormValue(dict(self.body), dict(self.query), dict(self.path_params))

    def to_json(self) -> JSON:
        return {
            "body": self.body,
            "query": self.query,
            "path": self.path_params,
            "files": {k: f.to_json() for k, f in self.files.items()},
            "saved_at": self.saved_at,
        }

    @classmethod
    def from_json(cls, raw: Any) -> RememberedForm | None:
        if not isinstance(raw, dict):
            return None

        def obj(key: str) -> JSON:
            found = raw.get(key)
            return found if isinstance(found, dict) else {}

        files = {}
        for key, item in obj("files").items():
            remembered = RememberedFile.from_json(item)
            if remembered is not None:
                files[str(key)] = remembered
        saved = raw.get("saved_at")
        return cls(
            obj("body"),
            obj("query"),
            obj("path"),
            files,
            float(saved) if isinstance(saved, int | float) else 0.0,
        )


def _slot(scope: str, route_id: str) -> str:
    return f"{scope}\n{route_id}"


class FormMemory:
    """The remembered forms of one profile (see the module docstring)."""

    def __init__(self, path: Path, *, max_routes: int = MAX_ROUTES) -> None:
        self.path = path
        self.max_routes = max_routes
        self._forms: dict[str, RememberedForm] | None = None
        self._dirty = False

    # -- reading ---------------------------------------------------------------------------
    def _all(self) -> dict[str, RememberedForm]:
        if self._forms is None:
            self._forms = self._load()
        return self._forms

    def _load(self) -> dict[str, RememberedForm]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            # Drafts are a convenience: an unreadable file is started afresh, not fatal.
            log.warning("remembered forms unreadable (%s); starting afresh", exc)
            return {}
        forms = raw.get("forms") if isinstance(raw, dict) else None
        out: dict[str, RememberedForm] = {}
        for slot, item in (forms if isinstance(forms, dict) else {}).items():
            form = RememberedForm.from_json(item)
            if form is not None and isinstance(slot, str):
                out[slot] = form
        return out

    def recall(self, scope: str, route_id: str) -> RememberedForm | None:
        """The form last left for ``route_id`` by the account ``scope``, or None."""
        return self._all().get(_slot(scope, route_id))

    # -- changing --------------------------------------------------------------------------
    def remember(
        self,
        scope: str,
        route_id: str,
        value: FormValue,
        files: dict[str, RememberedFile],
        *,
        spec: FormSpec | None = None,
        now: float | None = None,
    ) -> bool:
        """Keep this form (secrets left out); False when it is too big to keep."""
        clean = without_secrets(spec, value)
        form = RememberedForm(
            clean.body,
            clean.query,
            clean.path_params,
            dict(files),
            time.time() if now is None else now,
        )
        slot = _slot(scope, route_id)
        forms = self._all()
        old = forms.get(slot)
        if old is not None and old.to_json() | {"saved_at": 0} == form.to_json() | {"saved_at": 0}:
            return True
        if len(json.dumps(form.to_json(), ensure_ascii=False)) > MAX_FORM_BYTES:
            return False
        forms[slot] = form
        if len(forms) > self.max_routes:
            for stale in sorted(forms, key=lambda s: forms[s].saved_at)[
                : len(forms) - self.max_routes
            ]:
                del forms[stale]
        self._dirty = True
        return True

    def forget(self, scope: str, route_id: str) -> None:
        if self._all().pop(_slot(scope, route_id), None) is not None:
            self._dirty = True

    def forget_scope(self, scope: str) -> None:
        """Everything an account left (it signed out)."""
        forms = self._all()
        for slot in [s for s in forms if s.split("\n", 1)[0] == scope]:
            del forms[slot]
            self._dirty = True

    @property
    def dirty(self) -> bool:
        return self._dirty

    def flush(self) -> None:
        """Write the file if anything changed since the last write."""
        if not self._dirty or self._forms is None:
            return
        data = {
            "schema_version": SCHEMA_VERSION,
            "forms": {slot: form.to_json() for slot, form in self._forms.items()},
        }
        try:
            write_text_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1))
        except OSError as exc:
            log.warning("could not keep the forms: %s", exc)
            return
        self._dirty = False
