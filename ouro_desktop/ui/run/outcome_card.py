"""The result card after a run: a success's headline values, a failure in plain words.

A failure names the fields the service refused (shown at them already) and offers to go
to the first one; a success shows a few headline values and outputs, and says the whole
answer is in the run's detail under Runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import Qt

from ouro_desktop.api.models import Action, Route
from ouro_desktop.core.ledger import RunRecord
from ouro_desktop.core.result_summary import headline_items, output_items, property_paths
from ouro_desktop.core.result_view import view_for_route
from ouro_desktop.core.run_outcome import failure_sentence
from ouro_desktop.ui.results.result_card import ResultCard, scroll_to
from ouro_desktop.ui.run.form.base import ErrorSlot
from ouro_desktop.ui.run.form.form import RequestForm
from ouro_desktop.ui.run.run_panel import RunPanel

STATE_TITLES = {
    "error": "Failed",
    "timed-out": "Timed out",
    "not-started": "Not started",
    "unknown": "Not confirmed yet",
}
HEADLINE_VALUES = 4  # values the result card shows


def _field_labels(slots: Mapping[str, ErrorSlot], paths: Iterable[str]) -> dict[str, str]:
    """The titles of the fields errors were shown at (a deeper path shows at the nearest
    field above it); paths with no field in the form are left out."""
    out = {}
    for path in paths:
        home = path
        while home and home not in slots:
            home = home.rpartition(".")[0]
        if home in slots:
            out[path] = slots[home].editor.accessible_title()
    return out


def show_failure(
    panel: RunPanel, record: RunRecord, action: Action | None, placed: Iterable[str]
) -> None:
    """A failed (or timed-out, not started, unconfirmed) run in one sentence, with a
    button to the first field the refusal named."""
    labels = _field_labels(panel.form.slots(), placed)
    sentence = failure_sentence(
        record.state, action=action, detail=record.status_detail, fields=labels
    )
    title = STATE_TITLES.get(record.state, "Failed")
    first = next(iter(labels), None)
    if first is None:
        panel.result_card.show_failure(title, sentence)
        return
    panel.result_card.show_failure(
        title, sentence, lambda: go_to_field(panel.form, first), f"Show “{labels[first]}”"
    )


def go_to_field(form: RequestForm, path: str) -> None:
    """Scroll the form to the field ``path`` (or the nearest one above it) and focus it."""
    slots = form.slots()
    while path and path not in slots:
        path = path.rpartition(".")[0]
    if path in slots:
        target = slots[path].editor.focus_target()
        scroll_to(target, 60)  # its title and help above it in view too
        target.setFocus(Qt.FocusReason.OtherFocusReason)


def show_result(card: ResultCard, route: Route, action: Action | None, record: RunRecord) -> None:
    """A finished run's headline values and outputs, or where its whole answer is."""
    response = action.response if action is not None else record.result_summary
    if response is None:
        card.show_values("Finished", [], [], "The run is in the Runs list.")
        return
    view = view_for_route(route, response)
    items = headline_items(
        view, count=HEADLINE_VALUES, preferred=property_paths(route), echoes=record.body
    )
    outputs = [
        f"{item.output.name} · {item.output.kind}"
        for item in output_items(view)[:3]
        if item.output is not None
    ]
    footer = "The whole answer is in the run's detail, under Runs."
    if not items and not outputs:
        footer = "This run's answer is in the run's detail, under Runs."
    card.show_values("Finished", items, outputs, footer)
