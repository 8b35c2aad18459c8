"""The "Run this route" panel under the route page: file inputs, the request form, Run.

Synchronous widget. It shows the price of a paid route before anything else, keeps Run
disabled while a submission is in flight, and has one status line for the run just
started and, when it ends, a short result card right under Run (its first values, or why
it failed); the history pane shows every run in full.

Problems are shown by cause (:meth:`RunPanel.show_problem`): "Add a .cif file before
running" is the ``"missing"`` problem, and goes as soon as the file is there, while another
problem stays. "Clear form" empties the settings and the files at once, with an Undo.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.models import Route
from ouro_desktop.api.schema import build_form_spec
from ouro_desktop.api.schema_nodes import FormValue
from ouro_desktop.core.file_checks import display_name
from ouro_desktop.core.form_memory import RememberedFile
from ouro_desktop.core.route_facts import price_text
from ouro_desktop.core.route_fields import asset_input_label, asset_input_required
from ouro_desktop.ui.common.banner import Banner
from ouro_desktop.ui.common.shortcuts import shortcut_keys
from ouro_desktop.ui.common.undo_bar import UndoBar
from ouro_desktop.ui.results.result_card import ResultCard
from ouro_desktop.ui.run.form.asset_zones import make_zone
from ouro_desktop.ui.run.form.file_inputs import FileInputs
from ouro_desktop.ui.run.form.form import RequestForm
from ouro_desktop.ui.run.form.group import is_wide

__all__ = ["RunPanel"]


class RunPanel(QWidget):
    run_requested = Signal()
    folder_run_requested = Signal()  # "Run on a folder…"
    cleared = Signal()  # "Clear form" (or its Undo) changed what the form holds
    # Something to read now (why Run was refused; the Undo of a removed file) is in this
    # widget: the page brings it (and Run) into view -- pressed at the top of a long page,
    # the answer was below the fold, and nothing seemed to happen.
    attention_needed = Signal(QWidget)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("run_panel")
        self.setAccessibleName("Run this route")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        title = QLabel("Run this route", self)
        font = QFont(title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        title.setFont(font)
        layout.addWidget(title)

        self.price_label = QLabel(self)
        self.price_label.setTextFormat(Qt.TextFormat.RichText)  # the price itself escaped
        self.price_label.setWordWrap(True)
        self.price_label.setAccessibleName("Price of a run")
        self.price_label.hide()
        layout.addWidget(self.price_label)

        self.inputs = FileInputs(self)
        self.inputs.zone_factory = make_zone  # dataset and post inputs get their own zones
        layout.addWidget(self.inputs)
        self.form = RequestForm(self)
        layout.addWidget(self.form)

        self.error_banner = Banner(self)
        self.error_banner.setAccessibleName("Problem")
        self.error_banner.dismissed.connect(self._on_error_banner_dismissed)
        layout.addWidget(self.error_banner)
        self.undo_bar = UndoBar("Undo clearing the form", self)
        layout.addWidget(self.undo_bar)

        row = QHBoxLayout()
        self.status_label = QLabel(self)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)  # a result's own values
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Run status")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clear_button = QPushButton("Clear form", self)
        self.clear_button.setAccessibleName("Clear form")
        self.clear_button.setAccessibleDescription(
            "Empties every setting and file of this route's form; can be undone"
        )
        self.clear_button.setToolTip("Start this form afresh (settings to defaults, no files)")
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        row.addWidget(self.clear_button)
        self.folder_button = QPushButton("Run on a folder…", self)
        self.folder_button.setToolTip(
            "Run this route once for each file in a folder, with these settings "
            "(you see the plan before anything is sent)"
        )
        self.folder_button.clicked.connect(self.folder_run_requested)
        self.folder_button.hide()
        row.addWidget(self.folder_button)
        row.addStretch(1)
        self.run_button = QPushButton("Run", self)
        self.run_button.setAccessibleName("Run the route")
        keys = shortcut_keys("run")
        self.run_button.setToolTip(f"Run this route with these inputs ({keys[0].toString()})")
        self.run_button.setMinimumWidth(120)
        self.run_button.clicked.connect(self._on_run_clicked)
        row.addWidget(self.run_button)
        layout.addLayout(row)
        # Under Run, the whole width: a long result line never widens the page.
        layout.addWidget(self.status_label)
        self.result_card = ResultCard(self)  # the last run's answer, where Run was pressed
        layout.addWidget(self.result_card)
        for sequence in keys:
            shortcut = QShortcut(sequence, self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self._on_run_clicked)
        self._submitting = False
        self._refocus_run = False  # Run had the focus when it was pressed
        self._route: Route | None = None
        self._problems: dict[str, str] = {}
        self.form.edited.connect(self.undo_bar.withdraw)
        self.inputs.files_dropped.connect(lambda _key, _items: self.undo_bar.withdraw())
        self.inputs.remove_clicked.connect(self._on_input_remove_clicked)

    @property
    def route(self) -> Route | None:
        return self._route

    @staticmethod
    def form_is_wide(route: Route) -> bool:
        """Whether ``route``'s form is big enough to be built a section at a time."""
        return is_wide(build_form_spec(route).body)

    def set_route(self, route: Route) -> None:
        self._route = route
        keys = list(route.input_assets)
        self.inputs.set_declarations(
            dict(route.input_assets),
            required=[k for k in keys if asset_input_required(route, k)],
            labels={k: asset_input_label(route, k) for k in keys},
        )
        self.form.set_route(route)
        self.folder_button.setVisible(
            any(d.asset_type == "file" for d in route.input_assets.values())
        )
        if route.is_paid:
            self.price_label.setText(
                f"<b>Paid route:</b> {html.escape(price_text(route))}. You will be asked to "
                "confirm before each run; nothing is charged for a failed run."
            )
            self.price_label.show()
        else:
            self.price_label.hide()
        self.run_button.setText(f"Run ({price_text(route)})" if route.is_paid else "Run")
        self.undo_bar.withdraw()
        self.clear_messages()
        self.set_submitting(False)

    def _on_run_clicked(self) -> None:
        if self._submitting or self._route is None or not self.isVisible():
            return
        self.run_requested.emit()

    def set_submitting(self, submitting: bool, label: str = "Sending…") -> None:
        """Run off (its button saying ``label``) while a run is sent or its fate is looked up."""
        self._submitting = submitting
        if submitting and self.run_button.hasFocus():
            # Disabling the focused button would hand the focus to the next widget in the
            # window (the history's "This route"): the panel holds it until Run is back.
            self._refocus_run = True
            self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.run_button.setEnabled(not submitting)
        if not submitting and self._refocus_run:
            self._refocus_run = False
            if self.hasFocus():
                self.run_button.setFocus(Qt.FocusReason.OtherFocusReason)
        if submitting:
            self.run_button.setText(label)
        elif self._route is not None:
            self.run_button.setText(
                f"Run ({price_text(self._route)})" if self._route.is_paid else "Run"
            )

    @property
    def submitting(self) -> bool:
        return self._submitting

    # -- what the form holds ---------------------------------------------------------------
    def snapshot(self) -> tuple[FormValue, dict[str, RememberedFile]]:
        """The settings and the files, as they are now."""
        return self.form.value(), self.inputs.remembered()

    def restore(self, value: FormValue, files: dict[str, RememberedFile]) -> None:
        """Put settings and files back (a remembered form, an Undo, a re-run): a file on
        Ouro comes back as it was; a local file not uploaded yet is checked and sent again.
        Inputs with no file given are emptied."""
        self.form.set_value(value.body, value.query or None, value.path_params or None)
        for key, zone in self.inputs.zones().items():
            kept = files.get(key)
            if kept is None:
                if zone.holds_file or zone.message_label.text():
                    zone.clear()
                    zone.removed.emit(key)
            else:
                self._put_back(key, kept)

    def _put_back(self, key: str, kept: RememberedFile) -> None:
        """A file ``kept`` into its input again: one on Ouro as it was, a local one not
        uploaded yet checked and sent again."""
        zone = self.inputs.zone(key)
        if kept.asset_id:
            zone.show_kept(kept.asset_id, kept.name)
        elif kept.path:
            zone.files_dropped.emit(key, [kept.path])

    def _on_clear_button_clicked(self) -> None:
        before = self.snapshot()
        self.form.reset_to_defaults()
        self.restore(self.form.value(), {})
        self.clear_messages()
        self.cleared.emit()
        if before != self.snapshot():
            self.undo_bar.setAccessibleName("Undo clearing the form")
            self.undo_bar.offer(
                "The form is cleared: settings at their defaults, no files.",
                lambda: self._undo_clear(*before),
            )

    def offer_undo_fill(self, before: tuple[FormValue, dict[str, RememberedFile]]) -> None:
        """A re-run filled the form over what was in it (``before``): one click brings
        that back, as after Clear form (it was replaced for good)."""
        if before == self.snapshot():
            return
        self.undo_bar.setAccessibleName("Undo filling in the earlier run")
        self.undo_bar.offer(
            "What the form held before is replaced by the earlier run's inputs.",
            lambda: self._undo_fill(*before),
        )

    def _undo_fill(self, value: FormValue, files: dict[str, RememberedFile]) -> None:
        self.show_status("")  # the inputs are no longer the earlier run's
        self._undo_clear(value, files)

    def _on_input_remove_clicked(self, key: str) -> None:
        """Remove is one key away once a file is chosen (the keys move onto it): what the
        input held comes back with Undo, as after Clear form."""
        kept = self.inputs.remembered().get(key)
        zone = self.inputs.zones().get(key)
        if kept is None or zone is None:
            return
        self.undo_bar.setAccessibleName("Undo removing the file")
        self.undo_bar.offer(
            f"“{display_name(kept.name)}” is removed from “{display_name(zone.title)}”.",
            lambda: self._undo_remove(key, kept),
        )
        # Once the zone has let go (it does right after this): placed, then shown.
        QTimer.singleShot(0, self._reveal_undo)

    def _reveal_undo(self) -> None:
        if self.undo_bar.offered:
            self.attention_needed.emit(self.undo_bar)

    def _undo_remove(self, key: str, kept: RememberedFile) -> None:
        zone = self.inputs.zones().get(key)
        if zone is not None and not zone.holds_file:  # else another file is there: it stays
            self._put_back(key, kept)

    def _undo_clear(self, value: FormValue, files: dict[str, RememberedFile]) -> None:
        self.restore(value, files)
        self.cleared.emit()

    # -- messages --------------------------------------------------------------------------
    def show_status(self, text: str) -> None:
        self.status_label.setText(text)

    def show_problem(self, cause: str, text: str) -> None:
        """Show ``text`` for ``cause`` (replacing that cause's earlier text); an empty text
        clears it. Each cause's text stays until that cause is cleared."""
        if text:
            self._problems[cause] = text
        else:
            self._problems.pop(cause, None)
        if self._problems:
            self.error_banner.show_message("\n".join(self._problems.values()))
        else:
            self.error_banner.hide()

    def clear_problem(self, cause: str) -> None:
        self.show_problem(cause, "")

    def problem(self, cause: str) -> str:
        return self._problems.get(cause, "")

    def show_error(self, text: str) -> None:
        """A problem with no cause to watch (a refusal from Ouro): it stays until the next
        run or route, or until dismissed."""
        self.show_problem("error", text)

    def call_attention(self, field_errors: bool) -> None:
        """Run was refused: show why -- with ``field_errors``, the setting to fix that has
        the keys (the form gives them to the first), else the problem at the panel's top."""
        focus = QApplication.focusWidget()
        if field_errors and focus is not None and self.form.isAncestorOf(focus):
            self.attention_needed.emit(focus)
        elif self.error_banner.isVisibleTo(self):
            self.attention_needed.emit(self.error_banner)
        else:
            self.attention_needed.emit(self.status_label)

    def _on_error_banner_dismissed(self) -> None:
        self._problems.clear()

    def clear_messages(self) -> None:
        self.status_label.clear()
        self.result_card.clear()
        self._problems.clear()
        self.error_banner.hide()
