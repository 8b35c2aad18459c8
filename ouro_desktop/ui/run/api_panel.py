"""The "Use via API" panel: a route's Python and curl snippets, each with a Copy button.

The snippets' text editors are built only when they are first shown (the panel opened,
or its other tab chosen) or asked for (:attr:`ApiPanel.views`): most people never open
the panel, and building them cost a good part of opening a route.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QFontDatabase, QFontMetrics, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.core.snippets import Snippet

__all__ = ["ApiPanel", "SnippetView"]

_MAX_LINES = 40
_LANGUAGES = {"python": "Python", "shell": "curl"}


class SnippetView(QWidget):
    """A titled, read-only, monospace code block with a Copy button."""

    def __init__(self, snippet: Snippet, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.snippet = snippet
        language = _LANGUAGES.get(snippet.language, snippet.language)
        self.title_label = QLabel(f"<b>{escape(snippet.title)}</b>", self)
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setAccessibleName(f"Copy {language} snippet: {snippet.title}")
        self.copy_button.setToolTip("Copy this snippet to the clipboard")
        self.copy_button.clicked.connect(self._on_copy_button_clicked)

        self.editor = QPlainTextEdit(self)
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setPlainText(snippet.code.rstrip("\n"))
        self.editor.setAccessibleName(f"{language} snippet: {snippet.title}")
        self.editor.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._fit_height()

        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title_label, 1)
        head.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.editor)

    def _fit_height(self) -> None:
        """Tall enough for every line (up to a cap) plus a horizontal scroll bar."""
        total = self.snippet.code.rstrip("\n").count("\n") + 1
        lines = min(_MAX_LINES, total)
        metrics = QFontMetrics(self.editor.font())
        scroll = self.editor.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        margins = 2 * (self.editor.frameWidth() + int(self.editor.document().documentMargin()))
        self.editor.setFixedHeight(lines * metrics.lineSpacing() + margins + scroll + 6)
        if total <= _MAX_LINES:
            self.editor.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.snippet.code)
        self.copy_button.setText("Copied")
        QTimer.singleShot(1500, self._reset_copy_text)

    def _reset_copy_text(self) -> None:
        self.copy_button.setText("Copy")


class ApiPanel(QWidget):
    """Tabs per language (Python, curl), each a column of :class:`SnippetView` (built when
    the tab is first shown)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = QLabel(
            "Set <code>OURO_API_KEY</code> in your environment first "
            "(create a key on Ouro → Settings → API Keys). "
            "The snippets never contain your key.",
            self,
        )
        self.note.setWordWrap(True)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("API examples by language")
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self._snippets: list[Snippet] = []
        self._languages: list[str] = []  # one tab each, in this order
        self._views: dict[str, list[SnippetView]] = {}  # the tabs built so far
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addWidget(self.tabs)

    def set_snippets(self, snippets: list[Snippet]) -> None:
        """Show ``snippets`` (their editors are built when shown)."""
        self.tabs.blockSignals(True)
        while self.tabs.count():
            page = self.tabs.widget(0)
            self.tabs.removeTab(0)
            page.deleteLater()
        self._snippets = list(snippets)
        self._languages = list(dict.fromkeys(s.language for s in snippets))
        self._views = {}
        for language in self._languages:
            page = QWidget()
            column = QVBoxLayout(page)
            column.setContentsMargins(0, 8, 0, 0)
            column.setSpacing(14)
            self.tabs.addTab(page, _LANGUAGES.get(language, language))
        self.tabs.blockSignals(False)
        if self.isVisible():
            self._build_tab(self.tabs.currentIndex())

    @property
    def views(self) -> list[SnippetView]:
        """Every snippet's view, in order (building those not built yet)."""
        return [view for language in self._languages for view in self.views_for(language)]

    def views_for(self, language: str) -> list[SnippetView]:
        """The views of one language's snippets (built now if they were not)."""
        if language in self._languages:
            self._build_tab(self._languages.index(language))
        return list(self._views.get(language, []))

    @property
    def built_languages(self) -> list[str]:
        """The languages whose snippet editors exist so far."""
        return [language for language in self._languages if language in self._views]

    def _build_tab(self, index: int) -> None:
        if not 0 <= index < len(self._languages):
            return
        language = self._languages[index]
        if language in self._views:
            return
        page = self.tabs.widget(index)
        column = page.layout()
        assert isinstance(column, QVBoxLayout)
        views = [SnippetView(s, page) for s in self._snippets if s.language == language]
        for view in views:
            column.addWidget(view)
        column.addStretch(1)
        self._views[language] = views
        if page.isVisible():
            # Built into a tab already on screen: show and place them now, not a turn
            # of the event loop later (a click may come first).
            for view in views:
                view.show()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def setVisible(self, visible: bool) -> None:  # noqa: N802 (Qt override)
        if visible:  # built before showing: shown and placed with the panel
            self._build_tab(self.tabs.currentIndex())
        super().setVisible(visible)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        self._build_tab(self.tabs.currentIndex())  # shown some other way (an ancestor)
        super().showEvent(event)

    def _on_tabs_current_changed(self, index: int) -> None:
        if self.isVisible():
            self._build_tab(index)
