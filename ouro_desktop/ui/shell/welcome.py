"""The first-start view: sign in with an Ouro API key, or try the offline demo.

Synchronous widget: it validates nothing but emptiness and emits what the user asked
for; the controller verifies the key with the server and reports back with
:meth:`WelcomeView.show_error` or by switching views.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.core.settings import DEFAULT_BASE_URL


class WelcomeView(QWidget):
    sign_in_requested = Signal(str, str)  # api key, server URL
    demo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        card = QFrame(self)
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setMaximumWidth(560)
        box = QVBoxLayout(card)
        box.setContentsMargins(28, 24, 28, 24)
        box.setSpacing(12)

        title = QLabel("Welcome to Ouro Desktop", card)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        box.addWidget(title)
        intro = QLabel(
            "Run models and tools published on Ouro without writing code: find a route, "
            "fill in its form, drop your files in and press Run.",
            card,
        )
        intro.setWordWrap(True)
        box.addWidget(intro)

        heading = QLabel("<b>Sign in with your Ouro API key</b>", card)
        box.addWidget(heading)
        where = QLabel(
            "Create a key on ouro.foundation under <b>Settings → API Keys</b>, then paste it "
            "here. It is checked with Ouro and kept in your system's keyring, never in a file.",
            card,
        )
        where.setWordWrap(True)
        box.addWidget(where)

        form = QFormLayout()
        self.key_field = QLineEdit(card)
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_field.setPlaceholderText("Paste your API key")
        self.key_field.setAccessibleName("Ouro API key")
        self.key_field.returnPressed.connect(self._on_sign_in_clicked)
        form.addRow("API key", self.key_field)
        self.server_field = QLineEdit(DEFAULT_BASE_URL, card)
        self.server_field.setAccessibleName("Ouro server address")
        form.addRow("Server", self.server_field)
        box.addLayout(form)

        self.error_label = QLabel(card)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)  # may quote the server
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Sign-in problem")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        box.addWidget(self.error_label)

        buttons = QHBoxLayout()
        self.sign_in_button = QPushButton("Sign in", card)
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.clicked.connect(self._on_sign_in_clicked)
        self.demo_button = QPushButton("Try the offline demo", card)
        self.demo_button.setAccessibleName("Try the offline demo")
        self.demo_button.setToolTip("A demo account with example routes; works without a network.")
        self.demo_button.clicked.connect(self.demo_requested)
        buttons.addWidget(self.sign_in_button)
        buttons.addStretch(1)
        buttons.addWidget(self.demo_button)
        box.addLayout(buttons)

        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 1)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

    def _on_sign_in_clicked(self) -> None:
        key = self.key_field.text().strip()
        if not key:
            self.show_error("Paste your API key first.")
            return
        self.show_busy(True)
        self.sign_in_requested.emit(key, self.server_field.text().strip() or DEFAULT_BASE_URL)

    def set_server(self, url: str) -> None:
        self.server_field.setText(url)

    def show_busy(self, busy: bool) -> None:
        self.sign_in_button.setEnabled(not busy)
        self.demo_button.setEnabled(not busy)
        self.sign_in_button.setText("Checking your key…" if busy else "Sign in")
        if busy:
            self.error_label.hide()

    def show_error(self, message: str) -> None:
        self.show_busy(False)
        self.error_label.setText(message)
        self.error_label.show()

    def reset(self) -> None:
        self.key_field.clear()
        self.show_busy(False)
        self.error_label.hide()
