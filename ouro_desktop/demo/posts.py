"""Posts in the demo backend: rich text in TipTap JSON plus its markdown (protocol §13.1, §13.6).

``POST /posts/create`` takes the content as a markdown string (parsed here, as the server
does) or as ``{json, text}`` (stored as given). :func:`markdown_doc` understands the
markdown the app and the demo services write: ``#``-headings, paragraphs, ``-``/``1.``
lists, ``>`` quotes, fenced code, ``---`` rules, and ``**bold**``, ``*italic*``, `` `code` ``
inline. Anything else stays plain text, never markup. A run's post input reaches the
service as ``{id, name, description, content: {json, text}}`` (§13.7).
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ApiError
from .rows import base_asset, rich_text
from .store import Store, uuid7

PREVIEW_BLOCKS = 3
_VISIBILITIES = {"public", "private", "organization", "monetized", "inherit"}
_READABLE = ("public", "monetized")  # visibilities anyone may read
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_ORDERED = re.compile(r"^\s*\d{1,9}[.)]\s+(.*)$")
_INLINE = re.compile(r"(\*\*[^*\n]+\*\*|`[^`\n]+`|\*[^*\s][^*\n]*\*)")


def _inline(text: str) -> list[dict[str, Any]]:
    """Text nodes with bold, italic and code marks (empty text makes no node)."""
    nodes: list[dict[str, Any]] = []
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            nodes.append({"type": "text", "text": part[2:-2], "marks": [{"type": "bold"}]})
        elif part.startswith("`") and part.endswith("`") and len(part) > 2:
            nodes.append({"type": "text", "text": part[1:-1], "marks": [{"type": "code"}]})
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            nodes.append({"type": "text", "text": part[1:-1], "marks": [{"type": "italic"}]})
        else:
            nodes.append({"type": "text", "text": part})
    return nodes


def _paragraph(lines: list[str]) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for i, line in enumerate(lines):
        if i:
            content.append({"type": "hardBreak"})
        content.extend(_inline(line.strip()))
    node: dict[str, Any] = {"type": "paragraph"}
    if content:
        node["content"] = content
    return node


def _list(kind: str, items: list[str]) -> dict[str, Any]:
    return {
        "type": kind,
        "content": [{"type": "listItem", "content": [_paragraph([item])]} for item in items],
    }


def markdown_doc(markdown: str) -> dict[str, Any]:
    """A TipTap document from markdown text."""
    blocks: list[dict[str, Any]] = []
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(_paragraph(para))
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            flush()
            language = stripped[3:].strip() or None
            code: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                code.append(lines[i])
                i += 1
            node: dict[str, Any] = {"type": "codeBlock", "attrs": {"language": language}}
            if "\n".join(code):
                node["content"] = [{"type": "text", "text": "\n".join(code)}]
            blocks.append(node)
            i += 1
            continue
        heading = _HEADING.match(stripped)
        if not stripped:
            flush()
        elif heading:
            flush()
            level = min(3, len(heading.group(1)))
            node = {"type": "heading", "attrs": {"level": level}}
            if heading.group(2).strip():
                node["content"] = _inline(heading.group(2).strip())
            blocks.append(node)
        elif stripped in ("---", "***", "___"):
            flush()
            blocks.append({"type": "horizontalRule"})
        elif _BULLET.match(line) or _ORDERED.match(line):
            flush()
            pattern = _BULLET if _BULLET.match(line) else _ORDERED
            items = []
            while i < len(lines) and pattern.match(lines[i]):
                items.append(pattern.match(lines[i]).group(1))  # type: ignore[union-attr]
                i += 1
            blocks.append(_list("bulletList" if pattern is _BULLET else "orderedList", items))
            continue
        elif stripped.startswith(">"):
            flush()
            quoted = []
            while i < len(lines) and lines[i].strip().startswith(">"):
                quoted.append(lines[i].strip()[1:].strip())
                i += 1
            blocks.append({"type": "blockquote", "content": [_paragraph(quoted)]})
            continue
        else:
            para.append(line)
        i += 1
    flush()
    return {"type": "doc", "content": blocks}


def doc_text(node: Any) -> str:
    """Plain text of a TipTap node (for content sent as JSON only)."""
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text") or "")
    if node.get("type") == "hardBreak":
        return "\n"
    inner = "".join(doc_text(c) for c in node.get("content") or [])
    if node.get("type") in ("paragraph", "heading", "codeBlock", "listItem", "blockquote"):
        return inner + "\n"
    return inner


def content_of(raw: Any) -> dict[str, Any]:
    """Post content as stored: ``{json, text}`` from markdown text or from a given object."""
    if isinstance(raw, str):
        return {"json": markdown_doc(raw), "text": raw}
    if isinstance(raw, dict):
        doc = raw.get("json")
        text = raw.get("text")
        if not isinstance(doc, dict) and isinstance(text, str):
            doc = markdown_doc(text)
        if not isinstance(doc, dict) or doc.get("type") != "doc":
            raise ApiError(400, 'content.json must be a document ({"type": "doc", ...}).')
        if not isinstance(text, str):
            text = doc_text(doc).strip()
        return {"json": doc, "text": text}
    raise ApiError(400, "A post needs content: markdown text or {json, text}.")


class PostService:
    def __init__(self, store: Store, team: dict[str, Any]) -> None:
        self.store = store
        self.team = team

    def readable(self, user: dict[str, Any], post_id: str) -> dict[str, Any]:
        asset = self.store.asset(post_id)
        if (
            asset is None
            or asset["asset_type"] != "post"
            or (asset["user_id"] != user["id"] and asset["visibility"] not in _READABLE)
        ):
            raise ApiError(404, f"Post {post_id} not found", "asset_not_found")
        return asset

    def owned(self, user: dict[str, Any], post_id: str) -> dict[str, Any]:
        asset = self.readable(user, post_id)
        if asset["user_id"] != user["id"]:
            raise ApiError(403, "Only the author can change this post.", "forbidden")
        return asset

    def create(
        self,
        user: dict[str, Any],
        spec: dict[str, Any],
        content: Any,
        team_id: str | None = None,
        *,
        asset_id: str | None = None,
    ) -> dict[str, Any]:
        """A new post; ``asset_id`` is for seeding only (a fixed id)."""
        name = spec.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "A post needs a name (its title).")
        visibility = str(spec.get("visibility") or "private")
        if visibility not in _VISIBILITIES:
            raise ApiError(400, f"Unknown visibility '{visibility}'.")
        stored = content_of(content)
        now = self.store.now_iso()
        team = (
            {"id": team_id, "name": self.team["name"]}
            if team_id and team_id != self.team["id"]
            else dict(self.team)
        )
        description = spec.get("description")
        asset = base_asset(
            asset_id=asset_id or uuid7(self.store.clock()),
            asset_type="post",
            name=name.strip(),
            description=_text(description),
            user=user,
            team=team,
            visibility=visibility,
            created_at=now,
            last_updated=now,
            source="web" if spec.get("source") == "web" else "api",
        )
        for key in ("license_id", "attribution"):
            if spec.get(key):
                asset[key] = spec[key]
        self._set_content(asset, stored)
        asset.update(assets=[], comments=0, views=0)
        self._save(asset)
        return asset

    @staticmethod
    def _set_content(asset: dict[str, Any], content: dict[str, Any]) -> None:
        asset["content"] = content
        blocks = content["json"].get("content") or []
        asset["preview"] = {"type": "doc", "content": blocks[:PREVIEW_BLOCKS]}

    def _save(self, asset: dict[str, Any]) -> None:
        text = " ".join([asset["name"], _text(asset.get("description")), asset["content"]["text"]])
        self.store.put_asset(asset, text)

    def update(
        self, user: dict[str, Any], post_id: str, spec: dict[str, Any], content: Any
    ) -> dict[str, Any]:
        asset = self.owned(user, post_id)
        if isinstance(spec.get("name"), str) and spec["name"].strip():
            asset["name"] = spec["name"].strip()
        if spec.get("visibility") in _VISIBILITIES:
            asset["visibility"] = spec["visibility"]
        if "description" in spec:
            asset["description"] = rich_text(_text(spec["description"]))
        if content is not None:
            self._set_content(asset, content_of(content))
        asset["last_updated"] = self.store.now_iso()
        self._save(asset)
        return asset

    @staticmethod
    def service_object(asset: dict[str, Any]) -> dict[str, Any]:
        """What a service receives for a post input (§13.7)."""
        return {
            "id": asset["id"],
            "name": asset.get("name"),
            "description": _text(asset.get("description")),
            "content": asset.get("content") or {"json": {"type": "doc", "content": []}, "text": ""},
            "org_id": asset["org_id"],
            "team_id": asset["team_id"],
            "visibility": asset["visibility"],
        }

    def create_output(
        self, user: dict[str, Any], payload: dict[str, Any], team_id: str | None
    ) -> dict[str, Any]:
        """A post from a service's output ``{name, description, content: {json, text}}``."""
        spec = {
            "name": payload.get("name") or "Route output",
            "description": payload.get("description") or "",
            "visibility": payload.get("visibility")
            if payload.get("visibility") in _VISIBILITIES
            else "private",
            "source": "api",
        }
        return self.create(user, spec, payload.get("content"), team_id)

    @staticmethod
    def export(asset: dict[str, Any], fmt: str) -> tuple[bytes, str, str]:
        """``(bytes, content type, extension)`` of a post as markdown or minimal HTML."""
        text = (asset.get("content") or {}).get("text") or ""
        if fmt == "markdown":
            return text.encode("utf-8"), "text/markdown; charset=utf-8", "md"
        import html

        body = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.split("\n") if line)
        title = html.escape(str(asset.get("name") or "Post"))
        page = (
            f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title>'
            f"</head><body>\n<h1>{title}</h1>\n{body}</body></html>\n"
        )
        return page.encode("utf-8"), "text/html; charset=utf-8", "html"


def _text(value: Any) -> str:
    if isinstance(value, dict):
        text = value.get("text")
        return text if isinstance(text, str) else ""
    return value if isinstance(value, str) else ""
