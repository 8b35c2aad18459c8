"""The Provenance tab of a run's detail: the run's citable record, with Copy, Save JSON… and
Copy citation.

It shows what :func:`ouro_desktop.core.provenance.build_provenance` made of the ledger (it
works offline); saving is a signal, because choosing a file and writing it belong to the
history controller.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ouro_desktop.core.provenance import Provenance
from ouro_desktop.ui.common.labels import muted, plain_label

__all__ = ["ProvenanceView"]


class ProvenanceView(QWidget):
    save_requested = Signal()  # Save JSON… (the controller asks where)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._record: Provenance | None = None
        self.text_view = QPlainTextEdit(self)
        self.text_view.setReadOnly(True)
        self.text_view.setAccessibleName("Provenance record")
        self.text_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.citation_label = muted(plain_label(self, name="Citation"))
        self.citation_label.setWordWrap(True)
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setToolTip("Copy the whole record as text")
        self.save_button = QPushButton("Save JSON…", self)
        self.save_button.setToolTip("Save the record as a JSON file, e.g. next to your data")
        self.cite_button = QPushButton("Copy citation", self)
        self.cite_button.setToolTip("Copy a short paragraph for a methods section")
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.save_button.clicked.connect(self.save_requested)
        self.cite_button.clicked.connect(self._on_cite_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cite_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.text_view, 1)
        layout.addWidget(self.citation_label)
        self.set_record(None)

    def record(self) -> Provenance | None:
        return self._record

    def set_record(self, record: Provenance | None) -> None:
        self._record = record
        self.text_view.setPlainText("" if record is None else record.text())
        self.citation_label.setText("" if record is None else f"Citation: {record.citation()}")
        for button in (self.copy_button, self.save_button, self.cite_button):
            button.setEnabled(record is not None)
        self.copy_button.setText("Copy")
        self.cite_button.setText("Copy citation")

    def text(self) -> str:
        return self.text_view.toPlainText()

    def _on_copy_button_clicked(self) -> None:
        if self._record is not None:
            QGuiApplication.clipboard().setText(self._record.text())
            self.copy_button.setText("Copied")

    def _on_cite_button_clicked(self) -> None:
        if self._record is not None:
            QGuiApplication.clipboard().setText(self._record.citation())
            self.cite_button.setText("Copied")
