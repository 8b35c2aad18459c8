"""Building a post's content the way a service does: TipTap JSON and its markdown together.

What a service returns under a post output key is ``{name, description, content: {json,
text}}`` (ouro-protocol.md §13.8); ouro-py's ``Editor`` builds the same pair. Empty text
nodes are not allowed in TipTap, so empty text makes no node.
"""

from __future__ import annotations

from typing import Any


def _text(text: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": text}] if text else []


class PostContent:
    def __init__(self) -> None:
        self.blocks: list[dict[str, Any]] = []
        self.lines: list[str] = []

    def heading(self, text: str, level: int = 1) -> None:
        self.blocks.append({"type": "heading", "attrs": {"level": level}, "content": _text(text)})
        self.lines += [f"{'#' * level} {text}", ""]

    def paragraph(self, text: str) -> None:
        self.blocks.append({"type": "paragraph", "content": _text(text)})
        self.lines += [text, ""]

    def bullets(self, items: list[str]) -> None:
        self.blocks.append(
            {
                "type": "bulletList",
                "content": [
                    {"type": "listItem", "content": [{"type": "paragraph", "content": _text(i)}]}
                    for i in items
                ],
            }
        )
        self.lines += [f"- {i}" for i in items] + [""]

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        def cell(kind: str, text: str) -> dict[str, Any]:
            return {
                "type": kind,
                "attrs": {"colspan": 1, "rowspan": 1, "colwidth": None},
                "content": [{"type": "paragraph", "content": _text(text)}],
            }

        self.blocks.append(
            {
                "type": "table",
                "content": [
                    {"type": "tableRow", "content": [cell("tableHeader", h) for h in header]},
                    *(
                        {"type": "tableRow", "content": [cell("tableCell", c) for c in row]}
                        for row in rows
                    ),
                ],
            }
        )
        self.lines += [
            "| " + " | ".join(header) + " |",
            "| " + " | ".join("---" for _ in header) + " |",
            *("| " + " | ".join(row) + " |" for row in rows),
            "",
        ]

    def to_dict(self) -> dict[str, Any]:
        return {"json": {"type": "doc", "content": self.blocks}, "text": "\n".join(self.lines)}
