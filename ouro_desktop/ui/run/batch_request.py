"""A folder (or several files) to run the open route on: what the run panel hands the batch.

Dropping a folder or several files on a file input, or "Run on a folder…", becomes a
:class:`BatchRequest` (:class:`BatchRequests` listens to the panel) carrying the form's
settings, which every file's run shares. The form is checked first, as for Run: a setting
to fix or another required file missing is shown on the form and nothing is planned.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from ouro_desktop.core.batch_plan import BatchRequest
from ouro_desktop.core.input_words import missing_files_text
from ouro_desktop.core.route_fields import asset_input_required
from ouro_desktop.ui.common.dialogs import resolved
from ouro_desktop.ui.common.tasks import TaskRunner
from ouro_desktop.ui.run.run_panel import RunPanel
from ouro_desktop.ui.run.run_words import Choice

__all__ = ["BatchRequest", "BatchRequests", "ask_folder_batch", "batch_request", "choose_folder"]


class BatchRequests(QObject):
    """The run panel's batch gestures -- a folder or several files dropped on a file input,
    "Run on a folder…" -- as :attr:`requested` (a :class:`BatchRequest`)."""

    requested = Signal(object)

    def __init__(
        self,
        panel: RunPanel,
        tasks: TaskRunner,
        choose: Callable[[QWidget, str, list[str]], Choice],
        ask_folder: Callable[[QWidget], str | None] | None = None,
    ) -> None:
        super().__init__(panel)
        self.panel, self.tasks, self.choose = panel, tasks, choose
        self.ask_folder = ask_folder or choose_folder
        panel.folder_run_requested.connect(self._on_panel_folder_run_requested)
        panel.inputs.batch_dropped.connect(self._on_inputs_batch_dropped)

    def _on_panel_folder_run_requested(self) -> None:
        # Which input may be a question: asked without blocking the runs being followed.
        self.tasks.run("batch-folder", self._ask_folder_batch())

    async def _ask_folder_batch(self) -> None:
        request = await ask_folder_batch(self.panel, self.choose, self.ask_folder)
        if request is not None:
            self.requested.emit(request)

    def _on_inputs_batch_dropped(self, key: str, items: list[str]) -> None:
        request = batch_request(self.panel, key, items)
        if request is not None:
            self.requested.emit(request)


def choose_folder(parent: QWidget) -> str | None:
    folder = QFileDialog.getExistingDirectory(parent, "Run on each file of a folder")
    return folder or None


def batch_request(panel: RunPanel, key: str, items: list[str]) -> BatchRequest | None:
    """The request for ``items`` on input ``key``, or None (the form says what to fix)."""
    route = panel.route
    if route is None or key not in route.input_assets:
        return None
    form = panel.form
    errors = form.errors()
    panel.show_problem("fields", "Fix the highlighted settings first." if errors else "")
    if errors:
        form.show_field_errors(errors)
        return None
    others = [k for k in route.input_assets if k != key and asset_input_required(route, k)]
    missing = panel.inputs.missing_required(others)
    panel.show_problem("missing", missing_files_text(route, missing))
    if missing:
        return None
    value = form.value()
    assets = {k: v for k, v in panel.inputs.asset_ids().items() if k != key}
    return BatchRequest(
        route, key, list(items), value.body, value.query or {}, value.path_params or {}, assets
    )


async def ask_folder_batch(
    panel: RunPanel,
    choose: Callable[[QWidget, str, list[str]], Choice],
    ask_folder: Callable[[QWidget], str | None],
) -> BatchRequest | None:
    """ "Run on a folder…": which file input (if several), which folder, then the request."""
    route = panel.route
    if route is None:
        return None
    keys = [k for k, d in route.input_assets.items() if d.asset_type == "file"]
    if not keys:
        return None
    key = keys[0]
    if len(keys) > 1:
        picked = await resolved(choose(panel, "Which input gets the folder's files?", keys))
        if not picked or picked not in keys:
            return None
        key = picked
    folder = ask_folder(panel)
    return None if not folder else batch_request(panel, key, [folder])
