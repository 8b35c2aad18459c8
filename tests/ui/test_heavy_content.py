"""Heavy content in the window: long logs complete, huge answers, wide forms, big lists.

Behaviour, not timing: every line a run logged is shown (counted, in order), live and
after the fact; the work that could freeze the window happens in a worker while the
window's thread handles a queued event (Compare's worker and Cancel are tested with the
dialog, in test_results_flow); a finished run shown is not fetched again; an
answer too large to read is offered for saving; a 2,000-field form is a form.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from ouro_desktop.api.client import OuroClient
from ouro_desktop.api.models import Route
from ouro_desktop.api.schema import same_json
from ouro_desktop.core.history import HistoryEntry
from ouro_desktop.core.run_record import RunState
from ouro_desktop.demo import catalog
from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.services import demo_services
from ouro_desktop.ui.common.collapsible import CollapsibleSection
from ouro_desktop.ui.history import HistoryPane
from ouro_desktop.ui.history.filter import RunFilter
from ouro_desktop.ui.history.filter_worker import FILTER_IN_WORKER
from ouro_desktop.ui.results.json_tree import PAGE, JsonTreeView
from ouro_desktop.ui.run.form import RequestForm
from ouro_desktop.ui.run.form.group import GroupEditor
from tests.heavy_routes import answer_json, heavy_services

from .app_harness import App


def _heavy_app(qtbot: Any, aio: Any, profile: Path, *, forms: bool = True, **kwargs: Any) -> App:
    return App(qtbot, aio, profile, services=heavy_services(forms=forms), **kwargs)


def _select(app: App, key: str) -> None:
    app.aio.wait_until(lambda: app.window.history.select_run(key), timeout=30)
    app.aio.wait_until(lambda: app.window.run_detail.key() == key, timeout=30)


def _submit(app: App, ref: str, body: dict[str, Any]) -> Any:
    async def go() -> Any:
        client, tracker = app.session.client, app.runs.tracker
        assert client is not None and tracker is not None
        route = await client.get_route(ref)
        return await tracker.submit(route, body=body)

    return app.aio.run(go())


def _paths_asked(app: App) -> list[str]:
    """The path of every request the app's client sends from now on, in order."""
    asked: list[str] = []

    async def hook(request: Any) -> None:
        asked.append(request.url.path)

    client = app.session.client
    assert client is not None
    client._http._client.event_hooks["request"].append(hook)  # noqa: SLF001
    return asked


def _finished(app: App, record: Any, timeout: float = 120) -> Any:
    app.aio.wait_until(lambda: any(r.local_id == record.local_id for r in app.finished), timeout)
    return next(r for r in app.finished if r.local_id == record.local_id)


def _assert_every_line(app: App, service_lines: int) -> None:
    """Every line of a chatty run is shown once, in order (the demo adds two of its own)."""
    view = app.window.run_detail.logs_view
    app.aio.wait_until(
        lambda: view.model.rowCount() == service_lines + 2 and not view.pending(), timeout=120
    )
    messages = view.model.messages()
    assert messages[0] == "Run started."
    assert messages[-1].startswith("Run finished")
    assert messages[1:-1] == [
        f"line {i} of {service_lines}: step done" for i in range(1, 1 + service_lines)
    ]
    assert view.count_label.text() == f"{service_lines + 2:,} lines"


# 100,000 lines are measured by benchmarks/heavy_content.py; here two sizes well past the
# 500-line page and the 2,000-lines-a-frame batching keep the suite short.
@pytest.mark.parametrize("lines", [10_000, 30_000])
def test_every_logged_line_reaches_the_view_live_and_after_the_fact(
    qtbot: Any, aio: Any, tmp_path: Path, lines: int
) -> None:
    app = _heavy_app(qtbot, aio, tmp_path)
    try:
        other = _finished(app, _submit(app, "demo/chatty-run", {"lines": 3}))
        # Live: the run is open on its Logs tab while it logs.
        record = _submit(app, "demo/chatty-run", {"lines": lines, "per_second": lines / 4})
        assert record.action_id
        _select(app, record.action_id)
        app.window.run_detail.select_tab("Logs")
        assert _finished(app, record).state == "success"
        _assert_every_line(app, lines)
        # After the fact: another run, then this one opened again, read from the server.
        _select(app, other.action_id)
        _assert_every_line(app, 3)
        _select(app, record.action_id)
        _assert_every_line(app, lines)
    finally:
        app.close()


def test_a_run_opened_while_it_logs_shows_every_line_once(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    """Opened half-way: its log is read from the start while the tracker, which had
    followed it from the start, goes on from where it got to; the two overlap, and each
    line is shown once, in order (told apart by their places in the log, not their ids)."""
    app = _heavy_app(qtbot, aio, tmp_path)
    try:
        other = _finished(app, _submit(app, "demo/chatty-run", {"lines": 3}))
        _select(app, other.action_id)
        record = _submit(app, "demo/chatty-run", {"lines": 10_000, "per_second": 2_500})
        assert record.action_id
        store = app.backend.store

        def logged() -> int:
            return store.log_texts(record.action_id, level=None, ascending=True, limit=1, offset=0)[
                1
            ]

        app.aio.wait_until(lambda: logged() > 3_000, timeout=60)
        _select(app, record.action_id)
        app.window.run_detail.select_tab("Logs")
        assert _finished(app, record).state == "success"
        _assert_every_line(app, 10_000)
    finally:
        app.close()


def test_pressing_run_does_not_fetch_the_finished_run_shown_again(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = _heavy_app(qtbot, aio, tmp_path)
    try:
        app.open("demo/large-answer")
        app.window.run_panel.form.set_value({"megabytes": 0.5, "variant": 0})
        first = app.run()
        _select(app, first.action_id)
        app.aio.wait_until(lambda: not app.tasks.running("history-detail"))
        asked = _paths_asked(app)
        second = app.run()
        app.aio.run(asyncio.sleep(0.5))
        assert f"/actions/{second.action_id}" in asked  # the new run is followed ...
        assert f"/actions/{first.action_id}" not in asked  # ... the one shown is not fetched
        assert f"/actions/{first.action_id}/logs" not in asked
        app.aio.wait_until(lambda: app.window.run_detail.key() == second.action_id)  # followed
    finally:
        app.close()


def test_a_run_followed_to_its_end_is_not_fetched_again_when_the_next_starts(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    # Slow enough that the detail first loads it while it is still going: what shows it
    # finished is the tracker's last look, not a fetch of the detail's own.
    app = _heavy_app(qtbot, aio, tmp_path, forms=False)
    try:
        app.open("demo/chatty-run")
        app.window.run_panel.form.set_value({"lines": 400, "per_second": 400})
        asked = _paths_asked(app)
        first = app.run()
        detail = app.window.run_detail
        app.aio.wait_until(lambda: detail.key() == first.action_id)
        app.aio.wait_until(lambda: not app.tasks.running("history-detail"))
        asked.clear()
        second = app.run()
        app.aio.run(asyncio.sleep(0.5))
        assert f"/actions/{second.action_id}" in asked
        assert f"/actions/{first.action_id}" not in asked  # followed to its end: shown whole
        assert f"/actions/{first.action_id}/logs" not in asked
    finally:
        app.close()


def test_a_big_answer_is_fetched_once_after_run_and_shown_as_the_service_sent_it(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = _heavy_app(qtbot, aio, tmp_path)
    try:
        served: list[str] = []  # the run's answer leaving the backend, counted there
        store = app.backend.store
        read = store.action_pieces

        def counting(action_id: str) -> Any:
            found = read(action_id)
            if found is not None and any(b'"curve":[' in piece for piece in found[1]):
                served.append(action_id)
            return found

        store.action_pieces = counting
        app.open("demo/large-answer")
        app.window.run_panel.form.set_value({"megabytes": 2.0, "variant": 1})
        record = app.run()
        app.aio.wait_until(
            lambda: not app.tasks.running("history") and not app.tasks.running("history-detail")
        )
        app.aio.run(asyncio.sleep(0.5))
        # Once: by the tracker; neither the run panel nor the history's detail again.
        assert served == [record.action_id]
        sent = json.loads(answer_json(2.0, 1))
        assert dict(app.window.run_panel.result_card.values())["Points"] == str(sent["points"])
        detail = app.window.run_detail
        assert detail.key() == record.action_id
        assert detail._response == sent  # the detail shows the answer the service sent
    finally:
        app.close()


def test_an_answer_too_large_to_read_says_so_and_saves_to_a_file(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    def small_cap(base_url: str, api_key: str, transport: Any) -> OuroClient:
        return OuroClient(base_url, api_key, transport=transport, max_response_bytes=300_000)

    # No wide forms: their specs alone would be over this cap in the route list.
    app = _heavy_app(qtbot, aio, tmp_path, forms=False, client_factory=small_cap)
    try:
        small = _finished(app, _submit(app, "demo/large-answer", {"megabytes": 0.01}))
        record = _submit(app, "demo/large-answer", {"megabytes": 1.0})
        # The tracker cannot read it, yet the run finishes (from the list's view of it).
        assert _finished(app, record).state == "success"
        history = app.window.history
        app.history.reload()
        app.aio.wait_until(lambda: history.model.row_of(small.action_id) >= 0)
        assert history.model.row_of(record.action_id) >= 0  # listed beside the others
        _select(app, record.action_id)
        detail = app.window.run_detail
        app.aio.wait_until(lambda: detail.save_answer_button.isVisibleTo(detail))
        assert "too large to show here (" in detail.no_response_label.text()  # with its size
        detail.save_answer_button.click()
        app.aio.wait_until(lambda: detail.save_status_label.text().startswith("Saved to"))
        saved = json.loads(app.saved[-1].read_text())
        stored = app.backend.store.action(record.action_id)
        assert saved["data"]["response"] == stored["response"]
        assert len(saved["data"]["response"]["curve"]) == stored["response"]["points"]
    finally:
        app.close()


# -- a wide form --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def heavy_routes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Route]:
    app = create_app(tmp_path_factory.mktemp("heavy"), services=demo_services() + heavy_services())
    backend = app.state.backend
    rows = backend.store.assets(asset_types=["route"])
    return {
        r["name_url_slug"]: Route.from_json(catalog.full_route(backend, catalog.clean(r)))
        for r in rows
        if r["name_url_slug"].startswith(("wide-form", "grouped-form"))
    }


def _open_every_section(editor: GroupEditor) -> None:
    for section in editor.sections:
        section.widget.set_expanded(True)
    for row in editor.fields:
        inner = getattr(row.editor, "inner", row.editor)
        if isinstance(inner, GroupEditor):
            _open_every_section(inner)


@pytest.mark.parametrize("slug", ["wide-form-2000", "grouped-form-2000"])
def test_a_2000_field_form_is_a_form_built_a_section_at_a_time(
    qtbot: Any, heavy_routes: dict[str, Route], slug: str
) -> None:
    form = RequestForm()
    qtbot.addWidget(form)
    form.set_route(heavy_routes[slug])
    assert not form.raw_mode and form.raw_toggle.isVisibleTo(form)
    body_editor = form.body_editor
    assert body_editor is not None and len(body_editor.sections) > 10
    # No row is built in the turn the form is made (it would hold the window longer);
    # they come from the next turn on, a section's worth, not 2,000 rows.
    assert not form.slots() and body_editor.growing and body_editor.grower is not None
    body_editor.grower.run()  # one turn's worth
    assert 0 < len(form.slots()) < 100
    # The sections' headers come a batch per turn of the event loop, then Tab is
    # chained through them again (fields_changed).
    headers = len(form.findChildren(CollapsibleSection))
    assert 0 < headers < len(body_editor.sections)
    with qtbot.waitSignals([body_editor.grew, form.fields_changed], timeout=5000):
        pass
    assert len(form.findChildren(CollapsibleSection)) == len(body_editor.sections)
    lazy = form.value().body
    # The sections not built yet report exactly what their fields show once built.
    _open_every_section(body_editor)
    assert len(form.slots()) >= 2000
    assert same_json(form.value().body, lazy)


def test_a_value_or_an_error_far_down_a_wide_form_opens_its_section(
    qtbot: Any, heavy_routes: dict[str, Route]
) -> None:
    form = RequestForm()
    qtbot.addWidget(form)
    form.set_route(heavy_routes["wide-form-2000"])
    body = form.value().body
    assert body["s0000"] == 0.5 and body["s1996"] == 3 and "s1999" not in body  # enum, no default
    body.update(s1999="precise", s1001=7, s1502="manual")
    before = len(form.slots())
    form.set_value(body)
    assert len(form.slots()) > before  # the sections holding them were built
    assert same_json(form.value().body, body)
    form.show_field_errors({"s0777": "must be at most 99"})
    assert form.field_error("s0777") == "must be at most 99"


def _growing_form(qtbot: Any, route: Route) -> tuple[RequestForm, Any]:
    """A shown form set to a wide route, and its body editor, still growing."""
    form = RequestForm()
    qtbot.addWidget(form)
    form.show()
    form.set_route(route)
    body_editor = form.body_editor
    assert body_editor is not None and body_editor.grower is not None
    return form, body_editor


def test_an_error_at_a_built_row_not_shown_yet_shows_its_row(
    qtbot: Any, heavy_routes: dict[str, Route]
) -> None:
    form, body_editor = _growing_form(qtbot, heavy_routes["wide-form-2000"])
    first = body_editor.sections[0]
    while not first.built:  # every row of the first section built, none shown yet
        body_editor.grower.run()
    assert first.held and not form.slots()["s0020"].isVisible()
    form.show_field_errors({"s0020": "must be at least 0"})
    assert form.field_error("s0020") == "must be at least 0"
    assert form.slots()["s0020"].isVisible() and not first.held


@pytest.mark.parametrize(("slug", "rows"), [("wide-form-2000", 25), ("grouped-form-2000", 21)])
def test_rows_built_out_of_sight_are_styled_before_they_are_shown(
    qtbot: Any, heavy_routes: dict[str, Route], slug: str, rows: int
) -> None:
    form, body_editor = _growing_form(qtbot, heavy_routes[slug])
    polished = Qt.WidgetAttribute.WA_WState_Polished
    waiting: set[str] = set()
    while body_editor.growing:  # a turn of building or showing at a time
        body_editor.grower.run()
        for path, row in form.slots().items():
            if row.isVisible():
                continue
            # Styled and measured while out of sight (a row's first styling was most of
            # the turn that showed it); every label and editor in it too (not a choice's
            # pop-up list, a window of its own, styled when it opens).
            inside = [c for c in row.findChildren(QWidget) if c.window() is row.window()]
            assert row.testAttribute(polished) and inside
            assert all(child.testAttribute(polished) for child in inside)
            waiting.add(path)
    assert len(waiting) == len(form.slots()) == rows  # each was out of sight a while
    assert all(row.isVisible() for row in form.slots().values())  # then shown, as before


def test_the_headers_of_a_wide_form_show_in_batches_in_order_and_an_opened_one_at_once(
    qtbot: Any, heavy_routes: dict[str, Route]
) -> None:
    forms = []
    for _ in range(2):
        form = RequestForm()
        qtbot.addWidget(form)
        form.resize(700, 900)
        form.show()
        form.set_route(heavy_routes["wide-form-2000"])
        assert form.body_editor is not None and form.body_editor.grower is not None
        forms.append((form, form.body_editor, form.body_editor.sections))
    form, body_editor, sections = forms[0]
    shown: list[int] = []
    while body_editor.growing:
        body_editor.grower.run()
        shown.append(sum(s.widget.isVisible() for s in sections if s.index > 0))
    # They came a batch at a time, not all in one turn, and every one is shown now,
    # top to bottom in the order of the settings.
    assert len({n for n in shown if n}) > 2 and shown[-1] == len(sections) - 1
    tops = [s.widget.mapTo(form, s.widget.rect().topLeft()).y() for s in sections]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)
    # An error far down before the headers are shown: its section opens, header and all.
    form, body_editor, sections = forms[1]
    form.show_field_errors({"s1990": "must be at least 0"})
    far = next(s for s in sections if "s1990" in [n.key for n in s.nodes])
    assert far.widget.is_expanded()
    assert form.field_error("s1990") == "must be at least 0"
    qtbot.waitUntil(lambda: far.widget.isVisible() and form.slots()["s1990"].isVisible())
    while body_editor.growing:
        body_editor.grower.run()
    assert all(s.widget.isVisible() for s in sections)


def _full_form_body(route: Route) -> dict[str, Any]:
    """The body a form of ``route`` sends with every row built (nothing left to grow)."""
    form = RequestForm()
    form.set_route(route)
    assert form.body_editor is not None
    form.body_editor.stop_growing()
    _open_every_section(form.body_editor)
    body = form.value().body
    form.deleteLater()
    return body


@pytest.mark.parametrize(
    ("slug", "path", "rows"),
    [("wide-form-2000", "s0001", 25), ("grouped-form-2000", "group_000.s000_01", 21)],
)
def test_a_wide_form_grows_a_few_rows_a_turn_and_keeps_what_is_typed_meanwhile(
    qtbot: Any, heavy_routes: dict[str, Route], slug: str, path: str, rows: int
) -> None:
    form = RequestForm()
    qtbot.addWidget(form)
    form.show()
    form.set_route(heavy_routes[slug])
    body_editor = form.body_editor
    assert body_editor is not None and not form.raw_mode
    first = body_editor.sections[0]
    # The first section's rows come a few a turn, from the turn after the form is made.
    assert not form.slots() and body_editor.grower is not None
    body_editor.grower.run()  # one turn's worth
    assert 0 < len(form.slots()) < rows
    # Typed into as soon as it is built: the rows built after it leave it be.
    qtbot.waitUntil(lambda: path in form.slots(), timeout=5000)
    form.slots()[path].editor.set_value(42)  # an integer setting
    with qtbot.waitSignal(body_editor.grew, timeout=10_000):
        pass  # every row of the first section and every section's header is there
    assert not body_editor.growing
    assert first.built and len(form.slots()) == rows
    # shown a few a turn once all were built: every one is on screen by now
    assert not first.held and all(s.row is not None and s.row.isVisible() for s in first.slots)
    groups = [body_editor]
    if slug == "grouped-form-2000":
        inner = form.slots()["group_000"].editor
        groups.append(getattr(inner, "inner", inner))
    for group in groups:  # each group's rows in schema order
        shown = [row.node.key for row in group.fields]
        assert shown == [n.key for n in group.node.children][: len(shown)]
    assert len(form.findChildren(CollapsibleSection)) == len(body_editor.sections)
    assert form.slots()[path].editor.value(path, {}) == 42  # kept
    body = form.value().body
    # What was typed is sent (a group is sent once ticked: it is optional); everything
    # else is what a form built all at once holds.
    full = _full_form_body(heavy_routes[slug])
    if slug == "wide-form-2000":
        assert body["s0001"] == 42
        full["s0001"] = 42
    else:
        assert "group_000" not in body and "group_000" not in full
    assert same_json(body, full)


def test_going_to_a_growing_wide_form_lands_on_its_first_setting(
    qtbot: Any, heavy_routes: dict[str, Route]
) -> None:
    form = RequestForm()
    qtbot.addWidget(form)
    form.show()
    edits: list[None] = []
    form.edited.connect(lambda: edits.append(None))
    form.set_route(heavy_routes["wide-form-2000"])
    assert form.body_editor is not None and form.body_editor.growing
    first = form.first_field()  # "go to the form" (Ctrl+2, Enter on a route)
    assert first is form.slots()["s0000"].editor.focus_target() and first.isVisible()
    assert form.body_editor.sections[0].built and edits == []  # not the person's edit


def test_a_value_given_before_its_row_is_built_builds_it_in_its_place(
    qtbot: Any, heavy_routes: dict[str, Route]
) -> None:
    route = heavy_routes["grouped-form-2000"]
    form = RequestForm()
    qtbot.addWidget(form)
    form.show()
    form.set_route(route)
    assert form.body_editor is not None
    # The last field of the first group (an optional group: given, so ticked), not built yet.
    given = {"group_000": {"s000_00": 1.5, "s000_19": "precise"}}
    form.set_value(given)
    inner = form.slots()["group_000"].editor
    group = getattr(inner, "inner", inner)
    assert isinstance(group, GroupEditor)
    keys = [row.node.key for row in group.fields]
    assert "s000_19" in keys and keys == sorted(keys)  # built, below the ones before it
    qtbot.waitUntil(lambda: not form.body_editor.growing, timeout=10_000)
    keys = [row.node.key for row in group.fields]
    assert len(keys) == 20 and keys == sorted(keys)
    # The same as a form built all at once and given the same.
    full = RequestForm()
    qtbot.addWidget(full)
    full.set_route(route)
    assert full.body_editor is not None
    full.body_editor.stop_growing()
    _open_every_section(full.body_editor)
    full.set_value(given)
    body = form.value().body
    assert body["group_000"]["s000_19"] == "precise" and body["group_000"]["s000_00"] == 1.5
    assert same_json(body, full.value().body)


def test_run_while_a_wide_form_is_still_growing_sends_the_whole_body(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = _heavy_app(qtbot, aio, tmp_path)
    try:
        form = app.window.run_panel.form
        built_at_run: list[int] = []

        def run_at_once(_route_id: str) -> None:  # in the very turn the page is shown
            built_at_run.append(len(form.slots()))
            app.window.run_panel.run_button.click()

        app.controller.route_shown.connect(run_at_once)
        route = app.open("demo/wide-form-500")
        app.controller.route_shown.disconnect(run_at_once)
        # The page came in turns (its words, then its lists, then the form): all shown now,
        # the list of settings cut short for a form this wide.
        page = app.window.route_page
        assert page.inputs_label.isVisible() and page.outputs_label.isVisible()
        assert "… and 488 more settings: see the form below." in page.inputs_label.text()
        assert page.form_area.isVisible() and form.isVisible() and not form.raw_mode
        app.aio.wait_until(lambda: len(app.finished) == 1, timeout=20)
        assert app.finished[0].state == "success"
        assert built_at_run and built_at_run[0] < 25  # Run came before the rows did
        (action,) = app.actions(route.id)
        sent = action["metadata"]["body"]
        assert len(sent) == 500 - 100  # the 100 choices without a default are left out
        assert same_json(sent, _full_form_body(route))
        assert action["response"] == {"settings": len(sent)}
    finally:
        app.close()


# -- a long history ------------------------------------------------------------------------


def _entries(n: int) -> list[HistoryEntry]:
    states = [RunState.SUCCESS, RunState.ERROR, RunState.TIMED_OUT, RunState.NOT_STARTED]
    return [
        HistoryEntry(
            key=f"act-{i}",
            action_id=f"act-{i}",
            local_id=None,
            route_id=f"route-{i % 40}",
            route_name=f"demo/route-number-{i % 40}",
            status=states[i % 4],
            started_at=1_700_000_000.0 - i,
            finished_at=1_700_000_005.0 - i,
            expected_s=None,
            summary=f"molar_mass 58.44, i {i}",
            error=None,
        )
        for i in range(n)
    ]


def test_filtering_100k_runs_happens_in_a_worker_once_typing_pauses(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    pane = HistoryPane()
    qtbot.addWidget(pane)
    entries = _entries(100_000)
    assert len(entries) > FILTER_IN_WORKER
    pane.model.set_entries(entries)
    release = threading.Event()
    calls: list[threading.Thread] = []
    real = RunFilter.passing

    def spy(self: RunFilter, items: list[Any], hays: list[str]) -> Any:
        if len(items) > FILTER_IN_WORKER:
            calls.append(threading.current_thread())
            assert release.wait(10), "the test never released the filter"
        return real(self, items, hays)

    monkeypatch.setattr(RunFilter, "passing", spy)
    pane.text_filter.setFocus()
    QTest.keyClicks(pane.text_filter, "number-17")  # nine keys: one filter, after the pause
    qtbot.waitUntil(lambda: len(calls) == 1)
    assert calls[0] is not threading.main_thread()
    assert pane.model.filtering
    ticked: list[bool] = []
    QTimer.singleShot(0, lambda: ticked.append(True))  # the window's thread is free meanwhile
    qtbot.waitUntil(lambda: bool(ticked))
    assert pane.model.filtering and len(calls) == 1
    release.set()
    qtbot.waitUntil(lambda: not pane.model.filtering)
    expected = [e.key for e in entries if "number-17" in e.route_name]
    shown = [pane.model.entry_at(r).key for r in range(pane.model.rowCount())]  # type: ignore[union-attr]
    assert shown == expected and len(calls) == 1

    # A status switch: also in the worker, the text still applied.
    combo = pane.status_combo
    combo.setCurrentIndex(combo.findData("error"))
    qtbot.waitUntil(lambda: len(calls) == 2)
    assert calls[1] is not threading.main_thread()
    qtbot.waitUntil(lambda: not pane.model.filtering)
    errors = [e.key for e in entries if e.status in (RunState.ERROR, RunState.NOT_STARTED)]
    assert pane.model.rowCount() == len([k for k in expected if k in set(errors)])


# -- the JSON tree -------------------------------------------------------------------------


def test_a_long_list_in_the_tree_is_paged(qtbot: Any) -> None:
    view = JsonTreeView()
    qtbot.addWidget(view)
    values = [float(i) for i in range(2 * PAGE + 500)]
    view.set_value({"points": 2500, "curve": values})
    model = view.model
    curve = next(
        model.index(r, 0) for r in range(model.rowCount()) if model.index(r, 0).data() == "curve"
    )
    view.tree.expand(curve)
    view.tree.doItemsLayout()  # laying the tree out again adds no page
    assert model.rowCount(curve) == PAGE + 1
    more = model.index(PAGE, 0, curve)
    assert model.is_more_row(more) and more.data() == f"… {PAGE + 500:,} more"
    assert more.siblingAtColumn(1).data() == f"Show {PAGE:,} more"
    view.tree.clicked.emit(more)
    assert model.rowCount(curve) == 2 * PAGE + 1
    view.tree.clicked.emit(model.index(2 * PAGE, 0, curve))
    assert model.rowCount(curve) == 2 * PAGE + 500  # all of it now, no "more" row
    last = model.index(2 * PAGE + 499, 1, curve)
    assert last.data() == "2499.0"
    assert model.index(2 * PAGE + 499, 0, curve).data(model.PathRole) == "curve[2499]"
    # A tooltip never writes out the whole list.
    assert curve.siblingAtColumn(1).data(3) is None
    assert model.data(curve.siblingAtColumn(1), 3) is None
    assert view.model.value()["curve"] is values


def test_scrolling_to_the_more_row_adds_a_page(qtbot: Any) -> None:
    view = JsonTreeView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    view.set_value([float(i) for i in range(PAGE + 10)])
    model, bar = view.model, view.tree.verticalScrollBar()
    assert model.rowCount() == PAGE + 1
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: model.rowCount() == PAGE + 10)
    assert model.index(PAGE + 9, 1).data() == f"{PAGE + 9}.0"


def test_a_held_wide_form_builds_nothing_until_let_go(
    qtbot: Any, heavy_routes: dict[str, Route]
) -> None:
    form, body_editor = _growing_form(qtbot, heavy_routes["wide-form-2000"])
    form.hold_growing(True)  # (the page around it is being drawn a turn at a time)
    qtbot.wait(100)
    assert not form.slots() and body_editor.growing  # still to come, none built
    form.hold_growing(False)
    with qtbot.waitSignal(body_editor.grew, timeout=10_000):
        pass
    assert len(form.slots()) == 25 and all(row.isVisible() for row in form.slots().values())


def test_a_wide_routes_page_holds_its_width_until_its_form_is_whole_and_tab_goes_through_it(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = _heavy_app(qtbot, aio, tmp_path)
    try:
        page, form = app.window.route_page, app.window.run_panel.form
        bar = page.scroll_area.verticalScrollBarPolicy
        body = page.scroll_area.widget()
        at_shown: list[tuple[Any, bool, int]] = []

        def shown(_route_id: str) -> None:
            editor = form.body_editor
            at_shown.append((bar(), editor is not None and editor.growing, body.minimumWidth()))

        app.controller.route_shown.connect(shown)
        app.open("demo/wide-form-500")
        app.controller.route_shown.disconnect(shown)
        # Shown with its scroll bar and its width held (the form still growing) ...
        ((policy, growing, width),) = at_shown
        assert policy == Qt.ScrollBarPolicy.ScrollBarAlwaysOn and growing and width > 0
        # ... and let go once the form is whole.
        app.aio.wait_until(lambda: bar() == Qt.ScrollBarPolicy.ScrollBarAsNeeded, timeout=20)
        assert form.body_editor is not None and not form.body_editor.growing
        assert body.minimumWidth() == 0
        # Tab goes through every setting of the first section, in order, top to bottom.
        app.aio.run(asyncio.sleep(0.2))
        targets = {row.editor.focus_target(): path for path, row in form.slots().items()}
        visited: list[str] = []
        widget = page.scroll_area.nextInFocusChain()
        while widget is not app.window.history.first_control():
            if widget in targets and targets[widget] not in visited:
                visited.append(targets[widget])
            widget = widget.nextInFocusChain()
            assert widget is not page.scroll_area  # the chain reaches the runs
        assert visited == [f"s{i:04d}" for i in range(25)]
    finally:
        app.close()
