"""A post's text, shown safely: its markdown rendered without HTML, or plain text.

Ouro keeps a post as rich text plus its plain-text or markdown rendering (§13.4); the app
shows the markdown (headings, lists, emphasis) through Qt's markdown reader with HTML
switched off, so server text is never interpreted as markup. Nothing is fetched: images
are not loaded (not even local files a post might name) and links are not followed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QFrame, QTextBrowser, QWidget

__all__ = ["PostText"]


class PostText(QTextBrowser):
    """Read-only post text, as tall as a few lines unless told otherwise."""

    def __init__(self, parent: QWidget | None = None, *, lines: int = 8) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Post text")
        self.setFixedHeight(self.fontMetrics().lineSpacing() * lines + 16)
        self._text = ""

    def show_text(self, text: str, *, markdown: bool = True) -> None:
        self._text = text
        if markdown:
            self.document().setMarkdown(
                text,
                QTextDocument.MarkdownFeature.MarkdownDialectGitHub
                | QTextDocument.MarkdownFeature.MarkdownNoHTML,
            )
        else:
            self.setPlainText(text)
        # Read from its start: the document's text went in before the cursor, which ended
        # after it, and the view follows the cursor when it is shown.
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def text(self) -> str:
        """The text as given (not as rendered)."""
        return self._text

    def loadResource(self, kind: int, name: QUrl) -> Any:  # noqa: N802 - Qt API
        return None  # never read a file or the network for a post
