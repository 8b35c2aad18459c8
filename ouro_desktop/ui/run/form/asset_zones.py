"""Drop zones for inputs that take an Ouro dataset or an Ouro post.

Both are :class:`~.drop_zone.DropZone`\\ s (same signals, same states, same Remove), so the
run controller and :class:`~.file_inputs.FileInputs` treat every input alike; what differs is
what the zone holds and shows.

:class:`DatasetZone` takes a dropped (or browsed) CSV/TSV table or one of the user's
datasets. A table shows its first rows with what each column holds in words, the notes of
the column check ("“Volume column” is now “volume_a3”", or what is missing), and
**Create as an Ouro dataset** (``create_requested``); creating shows rows stored so far
with Cancel. A chosen or created dataset shows its first rows too.

:class:`PostZone` takes one of the user's posts or a short text written here, which
becomes a post (``write_requested`` with the title and text); the post's text is shown.

Everything from a file or the server is plain text (the post's markdown is rendered with
HTML switched off).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.models import InputDeclaration
from ouro_desktop.core.asset_inputs import table_drag_verdict
from ouro_desktop.core.file_checks import display_name
from ouro_desktop.core.table_files import TablePreview
from ouro_desktop.ui.common.labels import muted, plain_label
from ouro_desktop.ui.results.post_text import PostText
from ouro_desktop.ui.results.rows_table import RowsTable
from ouro_desktop.ui.run.form.drop_zone import _PROGRESS_STEPS, DropZone, ZoneState

__all__ = ["DatasetZone", "PostZone", "make_zone"]

_HOLDING = (ZoneState.PREVIEW, ZoneState.UPLOADING, ZoneState.UPLOADED, ZoneState.ERROR)


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


class DatasetZone(DropZone):
    """A dataset input: a table file (previewed, then created as a dataset) or a dataset."""

    create_requested = Signal(str)  # key: make the dropped table a dataset

    def __init__(
        self,
        decl: InputDeclaration,
        *,
        required: bool = False,
        parent: QWidget | None = None,
        **words: Any,
    ) -> None:
        self._built = False
        super().__init__(decl, required=required, parent=parent, **words)
        self.setAccessibleName(f"Dataset input: {self.title}")
        self.types_label.setText("a table (CSV or TSV) or one of your datasets")
        self.table: TablePreview | None = None  # the dropped table, until it is created
        self.asset_name = ""

        self.table_box = QWidget(self)
        box = QVBoxLayout(self.table_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        self.summary_label = plain_label(self.table_box, name="Table")
        bold = self.summary_label.font()
        bold.setBold(True)
        self.summary_label.setFont(bold)
        self.summary_label.setWordWrap(True)
        self.rows_table = RowsTable(self.table_box, visible_rows=6)
        self.more_label = muted(plain_label(self.table_box, name="Rows not shown"))
        self.notes_label = plain_label(self.table_box, name="Column check")
        self.notes_label.setWordWrap(True)
        self.create_button = QPushButton("Create as an Ouro dataset", self.table_box)
        self.create_button.setAccessibleName("Create an Ouro dataset from this table")
        self.create_button.setToolTip(
            "Store this table in your Ouro account as a private dataset, for this and later runs"
        )
        self.create_button.clicked.connect(self._on_create_clicked)
        create_row = QHBoxLayout()
        create_row.setContentsMargins(0, 0, 0, 0)
        create_row.addWidget(self.create_button)
        create_row.addStretch(1)
        for widget in (self.summary_label, self.rows_table, self.more_label, self.notes_label):
            box.addWidget(widget)
        box.addLayout(create_row)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.card) + 1, self.table_box)
        self.progress.setAccessibleName("Rows stored")
        self._built = True
        self._render()

    # -- what the controller shows --------------------------------------------------------
    def show_table(self, table: TablePreview, notes: Sequence[str] = ()) -> None:
        """A dropped table, read and checked: its first rows and columns, and the notes."""
        self.table = table
        self.asset_name = table.path.stem
        rows = "" if table.complete else "about "
        rows += _count(table.estimated_rows, "row", "rows")
        sep = table.delimiter_name
        self.summary_label.setText(
            f"“{display_name(table.path.name)}”: {rows} · "
            f"{_count(len(table.columns), 'column', 'columns')} · {sep}-separated"
        )
        self.rows_table.set_rows([(c.header, c.kind) for c in table.columns], table.rows)
        shown = len(table.rows)
        self.more_label.setText(
            f"The first {shown:,} rows are shown." if table.estimated_rows > shown else ""
        )
        self._set_notes(notes)
        self._set(ZoneState.PREVIEW, status="Not on Ouro yet: create it as a dataset to use it.")

    def show_dataset(
        self,
        name: str,
        columns: Sequence[tuple[str, str]],
        rows: Sequence[Sequence[Any]],
        *,
        total_rows: int | None,
        updated: str = "",
        notes: Sequence[str] = (),
    ) -> None:
        """A dataset on Ouro (chosen, or just created): its first rows and columns."""
        self.asset_name = name
        parts = [f"“{display_name(name)}”"]
        if total_rows is not None:
            parts.append(_count(total_rows, "row", "rows"))
        parts.append(_count(len(columns), "column", "columns"))
        if updated:
            parts.append(f"updated {updated}")
        self.summary_label.setText(" · ".join(parts))
        self.rows_table.set_rows(columns, rows)
        more = total_rows is not None and total_rows > len(rows)
        self.more_label.setText(f"The first {len(rows):,} rows are shown." if more else "")
        self._set_notes(notes)
        self._render()

    def show_progress(self, sent: int, total: int) -> None:
        """Rows stored so far (``total`` is the table's row estimate)."""
        if self._state is not ZoneState.UPLOADING:
            self._set(ZoneState.UPLOADING, status="Creating the dataset…")
        total = max(total, sent)
        if total <= 0:
            self.progress.setRange(0, 0)
            self.progress.setFormat("")
            return
        self.progress.setRange(0, _PROGRESS_STEPS)
        self.progress.setValue(round(sent * _PROGRESS_STEPS / total))
        about = "" if self.table is not None and self.table.complete else "about "
        self.progress.setFormat(f"{sent:,} of {about}{total:,} rows stored")

    def show_uploaded(self, asset_id: str, name: str, reused: bool) -> None:
        super().show_uploaded(asset_id, name, reused)
        self.asset_name = name
        self.table = None
        word = "✓ Your dataset on Ouro" if reused else "✓ Created on Ouro as a dataset"
        self.status_label.setText(word)
        self._render()

    def clear(self) -> None:
        self.table = None
        self.asset_name = ""
        self.summary_label.clear()
        self.rows_table.set_rows([], [])
        self.more_label.clear()
        self._set_notes(())
        super().clear()

    def refusal_for(self, items: list[str]) -> str | None:
        """A dragged table is taken (it becomes the dataset); anything else is refused."""
        if self.state in (ZoneState.CHECKING, ZoneState.UPLOADING):
            return super().refusal_for(items)
        return table_drag_verdict(items, self.decl)

    def _set_notes(self, notes: Sequence[str]) -> None:
        self.notes_label.setText("\n".join(notes))

    # -- drawing --------------------------------------------------------------------------
    def _render(self) -> None:
        super()._render()
        if not getattr(self, "_built", False):
            return
        holding = self._state in _HOLDING
        self.card.setVisible(False)  # the table says more than a file card would
        self.table_box.setVisible(holding and bool(self.summary_label.text()))
        self.notes_label.setVisible(bool(self.notes_label.text()))
        self.more_label.setVisible(bool(self.more_label.text()))
        creating = self._state is ZoneState.PREVIEW and self.table is not None
        if creating:
            self.create_button.setVisible(True)
        else:
            # Pressed from the keyboard, Create goes: the keys stay in this input (they fell
            # on "Reset to defaults", where a Space would have reset the form).
            self._keep_focus({self.create_button: False, self.remove_button: holding})
            self.create_button.setVisible(False)

    def _on_create_clicked(self) -> None:
        self.create_requested.emit(self.key)


class PostZone(DropZone):
    """A post input: one of the user's posts, or a short text that becomes a post."""

    write_requested = Signal(str, str, str)  # key, title, text

    def __init__(
        self,
        decl: InputDeclaration,
        *,
        required: bool = False,
        parent: QWidget | None = None,
        **words: Any,
    ) -> None:
        self._built = False
        super().__init__(decl, required=required, parent=parent, **words)
        self.setAccessibleName(f"Post input: {self.title}")
        self.types_label.setText("one of your posts, or a short text")
        self.asset_name = ""
        self._writing = False
        self.write_button = QPushButton("Write a short text…", self.target)
        self.write_button.setAccessibleName("Write a short text that becomes a post")
        self.write_button.clicked.connect(self._on_write_clicked)
        self.target.buttons.insertWidget(self.target.buttons.count() - 1, self.write_button)

        self.writer = QWidget(self)
        column = QVBoxLayout(self.writer)
        column.setContentsMargins(0, 0, 0, 0)
        self.title_edit = QLineEdit(self.writer)
        self.title_edit.setPlaceholderText("Title (optional: the first line is used)")
        self.title_edit.setAccessibleName("Title of the post")
        self.text_edit = QPlainTextEdit(self.writer)
        self.text_edit.setPlaceholderText("Write or paste the text here (Markdown is fine).")
        self.text_edit.setAccessibleName("Text of the post")
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setFixedHeight(self.text_edit.fontMetrics().lineSpacing() * 6 + 12)
        self.save_button = QPushButton("Save as a post", self.writer)
        self.save_button.setAccessibleName("Save the text as a post and use it")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.discard_button = QPushButton("Cancel", self.writer)
        self.discard_button.setAccessibleName("Stop writing")
        self.discard_button.clicked.connect(self._on_discard_clicked)
        self.text_edit.textChanged.connect(self._on_text_changed)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addStretch(1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.save_button)
        column.addWidget(self.title_edit)
        column.addWidget(self.text_edit)
        column.addLayout(buttons)

        self.post_title = plain_label(self, name="Post title")
        bold = self.post_title.font()
        bold.setBold(True)
        self.post_title.setFont(bold)
        self.post_view = PostText(self, lines=6)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        at = layout.indexOf(self.card) + 1
        for offset, widget in enumerate((self.writer, self.post_title, self.post_view)):
            layout.insertWidget(at + offset, widget)
        self._built = True
        self._on_text_changed()
        self._render()

    @property
    def writing(self) -> bool:
        return self._writing

    def start_writing(self) -> None:
        self._writing = True
        self._render()
        # Tab in reading order: title, text, Cancel, then Save (not Save straight after
        # the text, where a space meant for the text would save it half written).
        QWidget.setTabOrder(self.title_edit, self.text_edit)
        QWidget.setTabOrder(self.text_edit, self.discard_button)
        QWidget.setTabOrder(self.discard_button, self.save_button)
        self.title_edit.setFocus()

    def show_saving(self) -> None:
        self._set(ZoneState.UPLOADING, status="Saving the post…")
        self.progress.setRange(0, 0)
        self.cancel_button.hide()  # one quick request: nothing to cancel

    def show_post(self, title: str, text: str) -> None:
        """The post this input will use: its title and its text."""
        self.asset_name = title
        self.post_title.setText(title)
        self.post_view.show_text(text)
        self._render()

    def show_uploaded(self, asset_id: str, name: str, reused: bool) -> None:
        self._writing = False
        super().show_uploaded(asset_id, name, reused)
        self.asset_name = name
        if not self.post_title.text():
            self.post_title.setText(name)
        self.status_label.setText("✓ Your post on Ouro" if reused else "✓ Saved as a post")
        self._render()

    def show_upload_error(self, message: str) -> None:
        super().show_upload_error(message)
        self.retry_button.hide()  # the text is still in the writer: Save again
        self._writing = True
        self._render()

    def clear(self) -> None:
        self.asset_name = ""
        self.post_title.clear()
        self.post_view.show_text("", markdown=False)
        super().clear()

    def written(self) -> tuple[str, str]:
        return self.title_edit.text(), self.text_edit.toPlainText()

    def _render(self) -> None:
        super()._render()
        if not getattr(self, "_built", False):
            return
        empty = self._state in (ZoneState.EMPTY, ZoneState.REJECTED)
        writing = self._writing and self._state is not ZoneState.UPLOADED
        self.card.setVisible(False)
        posted = self._state is ZoneState.UPLOADED and bool(self.post_title.text())
        own: dict[QWidget, bool] = {
            self.target: empty and not writing,
            self.writer: writing and self._state is not ZoneState.UPLOADING,
            self.post_title: posted,
            self.post_view: posted,
            self.retry_button: False,
            self.remove_button: self._state is ZoneState.UPLOADED,
        }
        for widget, visible in own.items():
            if visible:
                widget.setVisible(True)
        # "Save as a post" pressed from the keyboard goes with the writer: the keys stay in
        # this input (they jumped to the route search box at the top of the window).
        self._keep_focus(own)
        for widget, visible in own.items():
            if not visible:
                widget.setVisible(False)

    def _on_write_clicked(self) -> None:
        self.start_writing()

    def _on_text_changed(self) -> None:
        self.save_button.setEnabled(bool(self.text_edit.toPlainText().strip()))

    def _on_save_clicked(self) -> None:
        title, text = self.written()
        if text.strip():
            self.write_requested.emit(self.key, title, text)

    def _on_discard_clicked(self) -> None:
        self._writing = False
        if self._state is ZoneState.ERROR:
            self.clear()
        self._render()

    def _on_remove_clicked(self) -> None:
        self._writing = False
        super()._on_remove_clicked()


def make_zone(
    decl: InputDeclaration,
    *,
    required: bool = False,
    parent: QWidget | None = None,
    **words: Any,
) -> DropZone:
    """The zone for ``decl``'s asset type (``words``: the title, description and Browse…
    chooser a :class:`~.drop_zone.DropZone` takes)."""
    kind = {"dataset": DatasetZone, "post": PostZone}.get(decl.asset_type, DropZone)
    return kind(decl, required=required, parent=parent, **words)
