"""The detail of one run, under the history table: header, tabs, Re-run and Show code.

:class:`RunDetail` shows a run from whatever is known about it: the server's
:class:`~ouro_desktop.api.models.Action` (a run started elsewhere has only that), the local
ledger's :class:`~ouro_desktop.core.run_record.RunRecord` (a run not yet on the server has
only that), and the :class:`~ouro_desktop.api.models.Route` (for its charts). Tabs:
Response (the result view: labelled values with units, tables, charts and outputs shown;
the JSON tree one click away), Charts (only when the route declares some the response
fills; drawn when the tab is first shown), Logs, Outputs (a card per output, with its
preview), Request, Provenance (the citable record of a run in the ledger) and Errors
(only for a failed, timed-out, never-started or unconfirmed run). It holds no client:
Re-run, Show code, Save, Open and previews are signals for the controller, which answers
through :attr:`RunDetail.outputs` (the run's
:class:`~ouro_desktop.ui.results.outputs_view.OutputBoard`, shared by the result view's
cards and the Outputs tab). While a big answer is read the Response tab says so; an
answer too large to read says that, with its size, and offers Save… (the answer goes to
a file, never into memory). :class:`CodeDialog` shows the ouro-py code of a run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.compact import is_list
from ouro_desktop.api.models import Action, ActionLog, Route
from ouro_desktop.core.charts import resolve_path, response_charts
from ouro_desktop.core.cif_preview import CifPreview
from ouro_desktop.core.file_checks import format_size
from ouro_desktop.core.history import HistoryEntry, format_duration
from ouro_desktop.core.history_diff import run_inputs
from ouro_desktop.core.provenance import Provenance
from ouro_desktop.core.response_schema import request_schema, response_schema
from ouro_desktop.core.result_view import build_view
from ouro_desktop.core.run_record import RunRecord
from ouro_desktop.ui.common.labels import ElidedLabel, muted, plain_label
from ouro_desktop.ui.history.errors_view import (
    PROBLEM_STATUSES,
    ErrorsView,
    explain,
    normal_status,
    status_word,
)
from ouro_desktop.ui.history.logs_view import LogsView
from ouro_desktop.ui.history.provenance_view import ProvenanceView
from ouro_desktop.ui.results.answer_view import AnswerView
from ouro_desktop.ui.results.chart_view import ChartsView
from ouro_desktop.ui.results.outputs_view import OutputBoard, OutputsView, output_items

__all__ = ["CodeDialog", "RunDetail"]


def _when_text(when: datetime | float | None) -> str:
    if when is None:
        return ""
    moment = datetime.fromtimestamp(when) if isinstance(when, float | int) else when
    local = moment.astimezone() if moment.tzinfo is not None else moment
    if local.date() == datetime.now().date():
        return local.strftime("%H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M")


def _timing(
    status: str,
    action: Action | None,
    record: RunRecord | None,
    entry: HistoryEntry | None = None,
) -> str:
    """ "Started 14:03 · took 4.2 s". With the runs list's ``entry``, its start and duration
    are used (so the list and the detail never disagree); else they are worked out the
    same way from what is known of the run."""
    started: datetime | float | None = None
    seconds: float | None = None
    if entry is not None and entry.started_at > 0:
        started, seconds = entry.started_at, entry.duration_s()
    else:
        if record is not None and record.started_at:
            started = record.started_at
        elif action is not None:
            started = action.started_at or action.created_at
        if record is not None and record.duration_s is not None:
            seconds = record.duration_s
        elif action is not None and action.finished_at is not None and started is not None:
            begin = started if isinstance(started, datetime) else None
            if begin is not None:
                seconds = (action.finished_at - begin).total_seconds()
        elif record is not None and record.is_unfinished and record.started_at:
            seconds = time.time() - record.started_at
    parts = []
    if started:
        parts.append(f"Started {_when_text(started)}")
    if seconds is not None and seconds >= 0:
        took = "running for" if status in ("queued", "in-progress") else "took"
        parts.append(f"{took} {format_duration(seconds)}")
    return " · ".join(parts)


class RunDetail(QWidget):
    """One run: header (route, status, timing, error), tabs, Re-run and Show code."""

    rerun_requested = Signal(str)  # run key
    show_code_requested = Signal(str)  # run key
    save_answer_requested = Signal(str)  # run key: its whole answer, to a file
    download_requested = Signal(str, str)  # asset id, suggested file name
    open_requested = Signal(str)  # asset id
    preview_requested = Signal(str, str)  # asset id, preview family ("image", "text", ...)
    page_requested = Signal(str, str, int)  # asset id, family, offset (a dataset's rows)

    provenance_save_requested = Signal(str)  # run key
    LOADING, TOO_LARGE = "loading", "too-large"  # what the Response tab says instead

    RESPONSE, CHARTS, LOGS, OUTPUTS, REQUEST, PROVENANCE, ERRORS = (
        "Response",
        "Charts",
        "Logs",
        "Outputs",
        "Request",
        "Provenance",
        "Errors",
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key: str | None = None
        self._status = ""
        self._response: Any = None
        self._route: Route | None = None
        self._request: Any = None
        self._deferred: dict[str, Callable[[], None]] = {}  # tab title -> how to fill it
        self.route_label = ElidedLabel(self)
        font = self.route_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.route_label.setFont(font)
        self.status_label = plain_label(self, name="Status")
        bold = self.status_label.font()
        bold.setBold(True)
        self.status_label.setFont(bold)
        self.timing_label = muted(plain_label(self, name="Timing"))
        self.error_label = ElidedLabel(self)
        self.error_label.setAccessibleName("Error")
        self.rerun_button = QPushButton("Re-run", self)
        self.rerun_button.setToolTip("Fill the form with this run's inputs, ready to run again")
        self.rerun_button.clicked.connect(self._on_rerun_button_clicked)
        self.code_button = QPushButton("Show code", self)
        self.code_button.setToolTip("The Python (ouro-py) code that runs exactly this again")
        self.code_button.clicked.connect(self._on_code_button_clicked)

        self.outputs = OutputBoard(self)
        self.outputs.preview_requested.connect(self.preview_requested)
        self.outputs.page_requested.connect(self.page_requested)
        self.answer_view = AnswerView(self, board=self.outputs)
        self.response_view = self.answer_view.json_view  # the JSON tree, behind "Show as JSON"
        self.no_response_label = muted(QLabel("No response yet.", self))
        self.no_response_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_response_label.setWordWrap(True)
        self.save_answer_button = QPushButton("Save…", self)
        self.save_answer_button.setToolTip("Save this run's whole answer (JSON) to a file")
        self.save_answer_button.clicked.connect(self._on_save_answer_button_clicked)
        self.save_status_label = plain_label(self, name="Save status")
        self.save_status_label.setWordWrap(True)
        note = QWidget(self)
        note_column = QVBoxLayout(note)
        note_column.addStretch(1)
        note_column.addWidget(self.no_response_label)
        note_column.addWidget(self.save_answer_button, 0, Qt.AlignmentFlag.AlignHCenter)
        note_column.addWidget(self.save_status_label, 0, Qt.AlignmentFlag.AlignHCenter)
        note_column.addStretch(1)
        self._note_page = note
        self._response_stack = QStackedWidget(self)
        self._response_stack.addWidget(note)
        self._response_stack.addWidget(self.answer_view)
        self.charts_view = ChartsView(self)
        self.logs_view = LogsView(self)
        self.outputs_view = OutputsView(self.outputs, self)
        self.outputs_view.download_requested.connect(self.download_requested)
        self.outputs_view.open_requested.connect(self.open_requested)
        self.request_answer = AnswerView(self, what="inputs")
        self.request_answer.hint_label.setText("What this run was given.")
        self.request_view = self.request_answer.json_view  # as sent, behind "Show as JSON"
        self.errors_view = ErrorsView(self)
        self.provenance_view = ProvenanceView(self)
        self.provenance_view.save_requested.connect(self._on_provenance_save_requested)

        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.tabs.setAccessibleName("Parts of the run")
        self.tabs.tabBar().setAccessibleName("Parts of the run")
        for widget, title in (
            (self._response_stack, self.RESPONSE),
            (self.charts_view, self.CHARTS),
            (self.logs_view, self.LOGS),
            (self.outputs_view, self.OUTPUTS),
            (self.request_answer, self.REQUEST),
            (self.provenance_view, self.PROVENANCE),
            (self.errors_view, self.ERRORS),
        ):
            self.tabs.addTab(widget, title)

        title_row = QHBoxLayout()
        title_row.addWidget(self.route_label, 1)
        title_row.addWidget(self.status_label)
        title_row.addSpacing(12)
        title_row.addWidget(self.rerun_button)
        title_row.addWidget(self.code_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(title_row)
        layout.addWidget(self.timing_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.tabs, 1)
        self.clear()

    # -- public API ----------------------------------------------------------------------------
    def key(self) -> str | None:
        return self._key

    def show_run(
        self,
        key: str,
        *,
        route_name: str,
        status: str,
        action: Action | None,
        record: RunRecord | None,
        route: Route | None,
        entry: HistoryEntry | None = None,
        answer: str = "",
        answer_size: int | None = None,
    ) -> None:
        """Show a run. Showing the same ``key`` again (a status update) keeps its logs,
        download progress and the tab the user is on. ``entry`` is the run's row in the
        runs list, whose start and duration the header repeats. ``answer`` is
        :attr:`LOADING` while the answer is being read, :attr:`TOO_LARGE` (with
        ``answer_size`` in bytes, when known) for one too large to read."""
        same = key == self._key
        was = self._status
        status = normal_status(status)
        if not same:
            self.logs_view.clear()
        self._key, self._status = key, status
        self.setEnabled(True)

        self.route_label.setText(route_name)
        self.status_label.setText(status_word(status))
        self.timing_label.setText(_timing(status, action, record, entry))
        explanation = explain(status, action, record)
        self.error_label.setText(explanation.headline if explanation else "")
        self.error_label.setVisible(explanation is not None)

        response = action.response if action is not None and not answer else None
        has_response = response is not None and status not in PROBLEM_STATUSES
        # The same answer object is not built again (a status tick); comparing a big answer
        # by value would cost more than the view, so identity decides.
        if not same or response is not self._response or route is not self._route:
            if not same:
                self.outputs.reset(output_items(action, route))
            else:
                self.outputs.add_items(output_items(action, route))
            self._response, self._route = response, route
            if has_response:
                self.answer_view.set_answer(response, route)
            else:
                self.answer_view.clear()
        if answer == self.TOO_LARGE:
            size = f" ({format_size(answer_size)})" if answer_size else ""
            text = (
                f"This run's answer is too large to show here{size}. Save it to a file "
                "to open it with another program."
            )
        elif answer == self.LOADING:
            text = "Reading the answer…"
        elif explanation is not None:
            text = "No response: see Errors."
        else:
            text = "No response yet."
        self.no_response_label.setText(text)
        self.save_answer_button.setVisible(answer == self.TOO_LARGE)
        if not same:
            self.save_status_label.clear()
        self._response_stack.setCurrentWidget(self.answer_view if has_response else self._note_page)
        # Tabs not in view are filled when first shown (a big answer's charts, a run's
        # output cards and its request cost nothing until then).
        has_charts = bool(route and has_response and _fills_a_chart(response, route))
        if has_charts:
            assert route is not None
            self._defer(
                self.CHARTS,
                lambda: self.charts_view.set_charts(
                    response_charts(response, route.response_charts, response_schema(route))
                ),
            )
        else:
            self._defer(self.CHARTS, self.charts_view.clear)
        items = output_items(action, route)
        self._defer(self.OUTPUTS, lambda: self.outputs_view.set_outputs(items))
        inputs = run_inputs(action, record)
        request = _request_tree(inputs)
        if not same or request != self._request:
            self._request = request
            self._defer(
                self.REQUEST,
                lambda: self.request_answer.set_view(
                    build_view(_readable_request(inputs), schema=_request_schema(route)),
                    request,
                    json_depth=-1,
                ),
            )
        if explanation is not None:
            self.errors_view.show_explanation(explanation)

        was_on = self.current_tab()
        visible = {
            self.CHARTS: has_charts,
            self.OUTPUTS: bool(items),
            self.ERRORS: explanation is not None,
            self.PROVENANCE: record is not None,
        }
        for index in range(self.tabs.count()):
            self.tabs.setTabVisible(index, visible.get(self.tabs.tabText(index), True))
        known_inputs = action is not None or record is not None
        self.rerun_button.setEnabled(known_inputs)
        self.code_button.setEnabled(known_inputs and route is not None)
        if explanation is not None and (not same or was != status):
            self.select_tab(self.ERRORS)
        elif not visible.get(was_on, True) or not self.tabs.isTabVisible(self.tabs.currentIndex()):
            # The tab the user was on has nothing for this run: the answer, not a neighbour.
            self.select_tab(self.RESPONSE)

    def _defer(self, title: str, fill: Callable[[], None]) -> None:
        """Fill the tab ``title`` now if it is the one shown, else when it is first shown."""
        if self.current_tab() == title and self.tabs.isVisible():
            self._deferred.pop(title, None)
            fill()
        else:
            self._deferred[title] = fill

    def _on_tabs_current_changed(self, index: int) -> None:
        fill = self._deferred.pop(self.tabs.tabText(index), None)
        if fill is not None:
            fill()

    def set_logs(
        self, logs: list[ActionLog], *, total: int | None = None, loading: bool = False
    ) -> None:
        self.logs_view.set_logs(logs, total=total, loading=loading)

    def append_logs(
        self,
        logs: list[ActionLog],
        *,
        first: int | None = None,
        total: int | None = None,
        loading: bool | None = None,
    ) -> None:
        self.logs_view.append_logs(logs, first=first, total=total, loading=loading)

    def set_save_progress(self, done: int) -> None:
        self.save_answer_button.setEnabled(False)
        self.save_status_label.setText(f"Saving… {format_size(done)}")

    def set_save_done(self, path: str) -> None:
        self.save_answer_button.setEnabled(True)
        self.save_status_label.setText(f"Saved to {path}")

    def set_save_failed(self, message: str) -> None:
        self.save_answer_button.setEnabled(True)
        self.save_status_label.setText(f"⚠ {message}")

    def set_download_progress(self, asset_id: str, done: int, total: int) -> None:
        self.outputs.set_progress(asset_id, done, total)

    def set_download_done(self, asset_id: str, path: str) -> None:
        self.outputs.set_saved(asset_id, path)

    def set_download_failed(self, asset_id: str, message: str) -> None:
        self.outputs.set_failed(asset_id, message)

    def show_cif_preview(
        self, asset_id: str, preview: CifPreview | None, error: str | None = None
    ) -> None:
        card = self.outputs_view.card(asset_id)
        if card is not None:
            card.show_preview(preview, error)

    def show_output_preview(self, asset_id: str, payload: Any) -> None:
        """A preview the controller loaded for ``preview_requested``."""
        self.outputs.set_preview(asset_id, payload)

    def show_output_preview_failed(self, asset_id: str, message: str) -> None:
        self.outputs.set_preview_failed(asset_id, message)

    def clear(self) -> None:
        """Nothing selected: an empty, disabled detail."""
        self._key, self._status, self._response, self._route = None, "", None, None
        self._request = None
        self._deferred.clear()
        self.outputs.reset()
        self.route_label.setText("")
        self.status_label.setText("")
        self.timing_label.setText("Select a run to see its details.")
        self.error_label.setText("")
        self.error_label.hide()
        self.answer_view.clear()
        self.no_response_label.setText("No response yet.")
        self.save_answer_button.hide()
        self.save_status_label.clear()
        self._response_stack.setCurrentWidget(self._note_page)
        self.charts_view.clear()
        self.logs_view.clear()
        self.outputs_view.clear()
        self.request_answer.clear()
        self.provenance_view.set_record(None)
        hidden = (self.CHARTS, self.OUTPUTS, self.ERRORS, self.PROVENANCE)
        for index in range(self.tabs.count()):
            self.tabs.setTabVisible(index, self.tabs.tabText(index) not in hidden)
        self.rerun_button.setEnabled(False)
        self.code_button.setEnabled(False)

    def tab_titles(self) -> list[str]:
        """The titles of the tabs that are shown."""
        return [self.tabs.tabText(i) for i in range(self.tabs.count()) if self.tabs.isTabVisible(i)]

    def current_tab(self) -> str:
        return self.tabs.tabText(self.tabs.currentIndex())

    def select_tab(self, title: str) -> None:
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == title and self.tabs.isTabVisible(index):
                self.tabs.setCurrentIndex(index)
                return

    def set_provenance(self, record: Provenance | None) -> None:
        """The run's record (the controller builds it from the ledger)."""
        self.provenance_view.set_record(record)

    def errors_text(self) -> str:
        return self.errors_view.text()

    # -- slots ---------------------------------------------------------------------------------
    def _on_rerun_button_clicked(self) -> None:
        if self._key is not None:
            self.rerun_requested.emit(self._key)

    def _on_provenance_save_requested(self) -> None:
        if self._key is not None:
            self.provenance_save_requested.emit(self._key)

    def _on_code_button_clicked(self) -> None:
        if self._key is not None:
            self.show_code_requested.emit(self._key)

    def _on_save_answer_button_clicked(self) -> None:
        if self._key is not None:
            self.save_answer_requested.emit(self._key)


_PARTS = (
    ("body", "Settings"),
    ("query", "Query parameters"),
    ("path", "Path parameters"),
    ("files", "Input files"),
)


def _readable_request(inputs: dict[str, Any]) -> dict[str, Any]:
    """The run's inputs as the Request tab reads them: its settings by their titles, and
    each input file by its name (its asset id is in the JSON)."""
    readable: dict[str, Any] = {}
    for key, title in _PARTS:
        value = inputs.get(key)
        if key == "files" and isinstance(value, dict):
            value = {
                name: (info.get("name") or "a file on Ouro") if isinstance(info, dict) else info
                for name, info in value.items()
            }
        if value:
            readable[title] = value
    return readable or {"Inputs": "not known for this run"}


def _request_schema(route: Route | None) -> dict[str, Any]:
    body = (request_schema(route) if route is not None else None) or {}
    return {
        "type": "object",
        "properties": {"Settings": {**body, "title": "Settings"}},
    }


def _fills_a_chart(response: Any, route: Route) -> bool:
    """Whether one of the route's ``response_charts`` has a list to draw in ``response``
    (cheap: the chart itself is computed when its tab is shown)."""
    declarations = route.response_charts
    if not isinstance(declarations, list):
        return False
    for declaration in declarations:
        data = declaration.get("data") if isinstance(declaration, dict) else None
        found = resolve_path(response, data) if isinstance(data, str) else None
        if is_list(found) and found:
            return True
    return False


def _request_tree(inputs: dict[str, Any]) -> dict[str, Any]:
    labels = {
        "body": "Body",
        "query": "Query parameters",
        "path": "Path parameters",
        "files": "Input files",
    }
    tree = {labels[k]: v for k, v in inputs.items() if k in labels}
    return tree or {"Inputs": "not known for this run"}


class CodeDialog(QDialog):
    """Read-only code in a monospace font, with Copy."""

    def __init__(
        self, code: str, *, title: str = "Code for this run", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 480)
        self.editor = QPlainTextEdit(self)
        self.editor.setReadOnly(True)
        self.editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setPlainText(code)
        self.editor.setAccessibleName(title)
        note = muted(
            QLabel("Needs ouro-py (pip install ouro-py) and your key in OURO_API_KEY.", self)
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.editor.toPlainText()

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
        self.copy_button.setText("Copied")
