"""Ouro rich text (a TipTap / ProseMirror document) as safe, simple HTML for Qt's rich text.

Descriptions come as ``{"json": <TipTap doc>, "text": <plain>}`` (ouro-protocol.md §4.1).
Every piece of text is escaped; links keep only ``http``, ``https`` and ``mailto`` targets;
unknown nodes fall back to their text. Headings are toned down (a description heading is
not a page title) and nothing carries a colour: the page's palette decides.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlsplit

__all__ = ["description_html", "plain_text_html", "safe_href", "tiptap_to_html"]

_SAFE_SCHEMES = {"http", "https", "mailto"}
_MAX_DEPTH = 40
_MARKS = {
    "bold": ("<b>", "</b>"),
    "strong": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "em": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strike": ("<s>", "</s>"),
    "code": ("<code>", "</code>"),
    "subscript": ("<sub>", "</sub>"),
    "superscript": ("<sup>", "</sup>"),
}
_BLOCKS = {
    "paragraph": ("<p>", "</p>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "bulletList": ("<ul>", "</ul>"),
    "listItem": ("<li>", "</li>"),
    "taskList": ("<ul>", "</ul>"),
    "taskItem": ("<li>", "</li>"),
}


def safe_href(href: object) -> str | None:
    """``href`` if it is a web or mail link, else None (no ``javascript:``, ``file:``...)."""
    if not isinstance(href, str) or not href.strip():
        return None
    scheme = urlsplit(href.strip()).scheme.lower()
    return href.strip() if scheme in _SAFE_SCHEMES else None


def plain_text_html(text: str) -> str:
    """Plain text as paragraphs: blank lines split them, single newlines become breaks."""
    paragraphs = [p.strip("\n") for p in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(
        "<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs if p.strip()
    )


def _text(node: dict[str, Any]) -> str:
    out = html.escape(str(node.get("text") or ""))
    marks = node.get("marks")
    for mark in marks if isinstance(marks, list) else []:
        if not isinstance(mark, dict):
            continue
        kind = mark.get("type")
        if kind == "link":
            attrs = mark.get("attrs") if isinstance(mark.get("attrs"), dict) else {}
            href = safe_href((attrs or {}).get("href"))
            if href:
                out = f'<a href="{html.escape(href, quote=True)}">{out}</a>'
        elif isinstance(kind, str) and kind in _MARKS:
            start, end = _MARKS[kind]
            out = f"{start}{out}{end}"
    return out


def _children(node: dict[str, Any], depth: int) -> str:
    content = node.get("content")
    if not isinstance(content, list):
        return ""
    return "".join(_node(child, depth + 1) for child in content if isinstance(child, dict))


def _plain(node: dict[str, Any]) -> str:
    if node.get("type") == "text":
        return str(node.get("text") or "")
    content = node.get("content")
    parts = [_plain(c) for c in content if isinstance(c, dict)] if isinstance(content, list) else []
    return "".join(parts)


def _node(node: dict[str, Any], depth: int = 0) -> str:
    if depth > _MAX_DEPTH:
        return ""
    kind = node.get("type")
    attrs = node.get("attrs") if isinstance(node.get("attrs"), dict) else {}
    attrs = attrs or {}
    if kind == "text":
        return _text(node)
    if kind == "hardBreak":
        return "<br>"
    if kind == "horizontalRule":
        return "<hr>"
    if kind == "heading":
        level = attrs.get("level")
        level = level if isinstance(level, int) and 1 <= level <= 6 else 2
        tag = f"h{min(6, level + 2)}"  # h1 → h3: a heading inside a description
        return f"<{tag}>{_children(node, depth)}</{tag}>"
    if kind == "orderedList":
        start = attrs.get("start")
        first = f' start="{start}"' if isinstance(start, int) and start != 1 else ""
        return f"<ol{first}>{_children(node, depth)}</ol>"
    if kind == "codeBlock":
        return f"<pre>{html.escape(_plain(node))}</pre>"
    if kind in ("mention", "assetMention", "userMention"):
        label = attrs.get("label") or attrs.get("name") or attrs.get("id") or ""
        return html.escape(f"@{label}") if label else ""
    if kind in ("image",):
        alt = attrs.get("alt") or attrs.get("title")
        return f"<i>[{html.escape(str(alt))}]</i>" if alt else ""
    if kind in ("math", "inlineMath", "mathInline", "blockMath", "mathBlock"):
        latex = attrs.get("latex") or _plain(node)
        return f"<code>{html.escape(str(latex))}</code>"
    if isinstance(kind, str) and kind in _BLOCKS:
        start, end = _BLOCKS[kind]
        return f"{start}{_children(node, depth)}{end}"
    return _children(node, depth)  # doc and anything unknown: keep its content


def tiptap_to_html(doc: object) -> str:
    """A TipTap document as HTML; ``""`` when it is not one or holds no text."""
    if not isinstance(doc, dict):
        return ""
    if not _plain(doc).strip():
        return ""
    return _node(doc)


def description_html(description: object, fallback_text: str = "") -> str:
    """A route description (rich ``{json, text}``, or plain text) as HTML."""
    if isinstance(description, dict):
        rendered = tiptap_to_html(description.get("json"))
        if rendered:
            return rendered
        text = description.get("text")
        if isinstance(text, str) and text.strip():
            return plain_text_html(text)
    elif isinstance(description, str) and description.strip():
        return plain_text_html(description)
    return plain_text_html(fallback_text) if fallback_text.strip() else ""
