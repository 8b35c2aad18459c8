"""The run controller: the route's form and its memory, the Run button, the tracker.

File inputs (check, preview, upload) are :class:`~.file_staging.FileStaging`'s, which
the controller owns; everything slow happens off the UI thread. A file that changed
after its upload (before Run) makes Run ask whether to upload the new version or keep
the one on Ouro. A run is submitted once: Run is disabled while a submission is in
flight and until its fate is known, and a paid route is never run without the user
confirming its price. Every question is a non-blocking dialog
(:mod:`~ouro_desktop.ui.common.dialogs`), so runs keep being followed meanwhile. Dataset
and post inputs, and "Choose from my Ouro …" for every input, are
:class:`~.asset_input_controller.AssetInputController`'s. A route's secret header (an
access key) is filled from the keyring and kept there when a run uses it
(:mod:`ouro_desktop.core.header_secrets`); it is sent with the run and recorded nowhere.
What the result card says when a run ends is :mod:`~.outcome_card`'s.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from ouro_desktop.api.errors import (
    OuroError,
    UnprocessableEntityError,
)
from ouro_desktop.api.models import Action, Route
from ouro_desktop.api.schema_nodes import FormValue, default_value
from ouro_desktop.core.asset_inputs import input_needs
from ouro_desktop.core.error_text import friendly
from ouro_desktop.core.field_errors import form_field_errors
from ouro_desktop.core.file_checks import (
    display_name,
)
from ouro_desktop.core.form_memory import FormMemory, RememberedFile, RememberedForm
from ouro_desktop.core.header_secrets import HeaderSecrets
from ouro_desktop.core.input_words import missing_files_text
from ouro_desktop.core.ledger import LedgerError, RunLedger, RunRecord
from ouro_desktop.core.provenance import input_file_facts, submit_facts
from ouro_desktop.core.route_facts import price_text
from ouro_desktop.core.route_fields import asset_input_required
from ouro_desktop.core.runs import RunTracker
from ouro_desktop.core.session import Session
from ouro_desktop.core.upload_cache import UploadCache
from ouro_desktop.core.upload_pipeline import changed_since_upload
from ouro_desktop.ui.common.dialogs import ask_item, resolved
from ouro_desktop.ui.common.tasks import TaskRunner, off_thread
from ouro_desktop.ui.run.asset_input_controller import AssetInputController, Chooser
from ouro_desktop.ui.run.asset_picker import choose_asset
from ouro_desktop.ui.run.file_staging import FileStaging
from ouro_desktop.ui.run.form.asset_zones import DatasetZone, PostZone
from ouro_desktop.ui.run.form.drop_zone import ZoneState
from ouro_desktop.ui.run.outcome_card import show_failure, show_result
from ouro_desktop.ui.run.run_panel import RunPanel
from ouro_desktop.ui.run.run_words import (
    FILLED_FROM_RUN,
    RESTORED,
    STATE_WORDS,
    Answer,
    Choice,
    ask_file_changed,
    confirm_price,
)

log = logging.getLogger(__name__)
UNSETTLED = {"submitting", "unknown"}  # the submission's fate is not known yet


def _detail_of(body: object) -> object:
    """The FastAPI-style ``detail`` of an error body (top level or under ``error``)."""
    if not isinstance(body, dict):
        return None
    error = body.get("error")
    if isinstance(error, dict) and error.get("detail") is not None:
        return error.get("detail")
    return body.get("detail")


class RunController(QObject):
    run_submitted = Signal(object)  # RunRecord
    run_finished = Signal(object)  # RunRecord

    def __init__(
        self,
        panel: RunPanel,
        session: Session,
        tasks: TaskRunner,
        ledger: RunLedger,
        uploads: UploadCache,
        *,
        confirm: Callable[[QWidget, Route], Answer] = confirm_price,
        choose: Callable[[QWidget, str, list[str]], Choice] | None = None,
        ask_changed: Callable[[QWidget, str], Choice] = ask_file_changed,
        pick: Chooser | None = None,
        memory: FormMemory | None = None,
    ) -> None:
        """``confirm``, ``choose`` and ``ask_changed`` ask the user (tests pass stand-ins,
        which may answer at once or return an awaitable)."""
        super().__init__(panel)
        self.panel = panel
        self.session = session
        self.tasks = tasks
        self.ledger = ledger
        self.uploads = uploads
        self.confirm = confirm
        self.choose = choose or ask_item
        self.ask_changed = ask_changed
        self.tracker: RunTracker | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._last: RunRecord | None = None
        # The run just sent while Ouro has not yet said whether it got it: Run stays off.
        self._unsettled: RunRecord | None = None
        self._last_action: Action | None = None
        self._placed: dict[str, str] = {}  # the last run's errors shown at fields
        self.assets = AssetInputController(panel, session, tasks, choose=pick or choose_asset)
        self.header_secrets = HeaderSecrets(session.secrets)
        # What was typed and chosen, per route, kept for the next visit (and the next start).
        self.memory = memory
        self._showing = False
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(1000)
        self._flush_timer.timeout.connect(self.flush_memory)
        # Connected first: a dropped file is staged before the form counts as changed.
        self.files = FileStaging(panel, session, tasks, uploads, self.assets, self.choose)
        inputs = panel.inputs
        inputs.changed.connect(self._on_inputs_changed)
        inputs.files_dropped.connect(self._on_form_changed_by_hand)
        inputs.choose_remote_requested.connect(self._on_form_changed_by_hand)
        panel.form.edited.connect(self._on_form_changed_by_hand)
        panel.form.validated.connect(self._on_form_validated)
        panel.cleared.connect(self._remember)
        panel.run_requested.connect(self._on_panel_run_requested)

    # -- session lifecycle -----------------------------------------------------------------
    async def attach(self) -> int:
        """Start tracking runs for the signed-in account; resume unfinished ones."""
        await self.detach()
        client, account = self.session.client, self.session.account
        if client is None or account is None:
            return 0
        self.tracker = RunTracker(
            client, self.ledger, base_url=account.base_url, account=account.user.username
        )
        self._unsubscribe = self.tracker.subscribe(
            on_update=self._on_tracker_update,
            on_finished=self._on_tracker_finished,
            on_notice=self.panel.show_error,
        )
        return await self.tracker.resume()

    def cancel_uploads(self) -> None:
        """Stop every check, hash and upload now (quitting: nothing may wait for them)."""
        self.files.cancel_all()

    def runs_in_flight(self) -> int:
        """Runs that are still going (being sent, or followed) as far as this app knows."""
        sending = 1 if self.tasks.running("submit") else 0
        return sending + (len(self.tracker.watching) if self.tracker is not None else 0)

    async def detach(self) -> None:
        self._remember()
        self.flush_memory()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.tracker is not None:
            await self.tracker.aclose()
            self.tracker = None

    def show_route(self, route: Route) -> None:
        """Show ``route``'s form: as the person left it, if they were here before."""
        self._remember()  # the form being left, as it is now
        self.files.reset()
        # Checks, previews and uploads for the form being left: its drop zones are going.
        for key in self.panel.inputs.keys():
            self.tasks.cancel(f"file:{key}")
        self.tasks.cancel("drop")
        kept = self._recall(route)
        self._showing = True  # the fresh form at its defaults is not a draft to keep
        try:
            self.panel.set_route(route)
            self.assets.route_shown(route)
            for zone in self.panel.inputs.zones().values():
                # Removing a file, making a dataset or writing a post is the person's own
                # change too ("from last time" stayed under a form they had emptied).
                zone.remove_button.clicked.connect(self._on_form_changed_by_hand)
                if isinstance(zone, DatasetZone):
                    zone.create_requested.connect(self._on_form_changed_by_hand)
                elif isinstance(zone, PostZone):
                    zone.write_requested.connect(self._on_form_changed_by_hand)
            if kept is not None:
                self.panel.restore(kept.value, kept.files)
                self._restore_assets(kept.files)
        finally:
            self._showing = False
        if kept is not None:
            self.panel.show_status(RESTORED)
        self.flush_memory()
        unsettled = self._unsettled
        if unsettled is not None and unsettled.route_id == route.id:
            self.panel.set_submitting(True, "Checking…")
        spec = self.panel.form.spec
        if spec is not None and spec.secret_headers:
            self.tasks.run("headers", self._fill_secret_headers(route, spec.secret_headers))

    async def _fill_secret_headers(self, route: Route, names: frozenset[str]) -> None:
        account = self.session.account
        if account is None:
            return
        found = await self.header_secrets.load(account.base_url, route, sorted(names))
        if found and self.panel.route is route:
            self.panel.form.set_headers(found)

    def _restore_assets(self, files: dict[str, RememberedFile]) -> None:
        """A dataset or post put back in its zone shows what it holds (first rows, text)."""
        for key, kept in files.items():
            if kept.asset_id:
                self.assets.restore(key, kept.asset_id, kept.name)

    # -- remembering the form --------------------------------------------------------------
    def _scope(self) -> str | None:
        account = self.session.account
        return f"{account.base_url}|{account.user.username}" if account is not None else None

    def _recall(self, route: Route) -> RememberedForm | None:
        scope = self._scope()
        if self.memory is None or scope is None:
            return None
        return self.memory.recall(scope, route.id)

    def _remember(self) -> None:
        if self.memory is None or self._showing or not shiboken6.isValid(self.panel):
            return  # (the window may already be gone when the app closes)
        route, scope = self.panel.route, self._scope()
        if route is None or scope is None:
            return
        if self.panel.inputs.busy():
            return  # a file half-checked is remembered once it settles
        value, files = self.panel.snapshot()
        spec = self.panel.form.spec
        if not files and spec is not None and value == default_value(spec):
            self.memory.forget(scope, route.id)  # nothing typed: nothing to keep
        else:
            self.memory.remember(scope, route.id, value, files, spec=spec)
        if self.memory.dirty:
            self._flush_timer.start()

    def flush_memory(self) -> None:
        """Write the remembered forms now (the app is closing, a route is left)."""
        if shiboken6.isValid(self._flush_timer):
            self._flush_timer.stop()
        if self.memory is not None:
            self.memory.flush()

    def forget_account(self) -> None:
        """Signed out: the next person here needn't see what this one typed."""
        scope = self._scope()
        if self.memory is not None and scope is not None:
            self.memory.forget_scope(scope)
            self.memory.flush()

    def _on_form_changed_by_hand(self, *_args: object) -> None:
        if self.panel.status_label.text() in (RESTORED, FILLED_FROM_RUN):
            self.panel.show_status("")  # said once; the form is the person's again

    def _on_form_validated(self) -> None:
        if self.panel.problem("fields") and self.panel.form.is_valid():
            self.panel.clear_problem("fields")
        self._remember()

    def _on_inputs_changed(self, _key: str) -> None:
        route = self.panel.route
        if route is not None and self.panel.problem("missing"):
            # "Add a file for …" lives as long as a required file is missing.
            self.panel.show_problem("missing", self._missing_problem(route, self._missing(route)))
        self._remember()

    def _missing(self, route: Route) -> list[str]:
        required = [k for k in route.input_assets if asset_input_required(route, k)]
        return self.panel.inputs.missing_required(required)

    def drop_anywhere(self, items: list[str]) -> None:
        """Files dropped on the window: each goes to the input that accepts it."""
        self.files.drop_anywhere(items)

    def fill_from_run(self, route: Route, inputs: dict[str, object]) -> None:
        """Put an earlier run's inputs into the open form of ``route`` (files by their
        asset ids: nothing is uploaded again). The run's inputs win over a remembered form:
        an input the run had no file for is emptied."""
        if self.panel.route is None or self.panel.route.id != route.id:
            return
        before = self.panel.snapshot()
        files: dict[str, RememberedFile] = {}
        given = inputs.get("files") or {}
        if isinstance(given, dict):
            for input_key, info in given.items():
                if input_key in route.input_assets and isinstance(info, dict):
                    asset_id = str(info.get("asset_id") or "")
                    if asset_id:
                        self.files.drop(input_key)  # the earlier run's asset replaces it
                        files[input_key] = RememberedFile(
                            str(info.get("name") or asset_id), asset_id
                        )
        self.panel.restore(
            FormValue(
                dict(inputs.get("body") or {}),  # type: ignore[call-overload]
                dict(inputs.get("query") or {}),  # type: ignore[call-overload]
                dict(inputs.get("path") or {}),  # type: ignore[call-overload]
            ),
            files,
        )
        self._restore_assets(files)
        self.panel.clear_messages()
        self.panel.show_status(FILLED_FROM_RUN)
        self.panel.offer_undo_fill(before)
        self._remember()

    # -- running ---------------------------------------------------------------------------
    def _on_panel_run_requested(self) -> None:
        if self.tasks.running("submit") or self.panel.submitting:
            return  # a second click while the first is in flight does nothing
        route = self.panel.route
        if route is None or self.tracker is None:
            return
        form = self.panel.form
        missing = self._missing(route)
        errors = form.errors()
        self.panel.show_problem("missing", self._missing_problem(route, missing))
        self.panel.show_problem("fields", "Fix the highlighted settings first." if errors else "")
        if missing or errors:
            if errors:
                form.show_field_errors(errors)
            self.panel.call_attention(bool(errors))
            return
        self.panel.clear_messages()
        form.clear_field_errors()
        self.panel.set_submitting(True)
        self.tasks.run("submit", self._confirm_then_submit(route))

    async def _confirm_then_submit(self, route: Route) -> None:
        """The questions before a run (changed files, the price), then the run."""
        sent = False
        try:
            if not await self._files_still_current():
                return
            if route.is_paid and not await resolved(self.confirm(self.panel, route)):
                self.panel.show_status("Not run: the price was not confirmed.")
                return
            if self.panel.route is not route or self.tracker is None:
                return  # another route was opened while the question was up
            sent = True
            await self._submit(route)
        finally:
            if not sent:
                self.panel.set_submitting(False)

    async def _files_still_current(self) -> bool:
        """Ask about every uploaded file that changed on disk since; False: don't run now."""
        for key, staged in list(self.files.staged.items()):
            outcome = staged.outcome
            zone = self.panel.inputs.zone(key)
            if outcome is None or zone.asset_id != outcome.asset_id:
                continue
            now = await off_thread(changed_since_upload, staged.checked.path, outcome)
            if now is None or now == staged.kept:
                continue
            answer = await resolved(self.ask_changed(self.panel, staged.checked.name))
            if self.files.staged.get(key) is not staged:
                return False  # the file was removed or replaced meanwhile
            if answer == "keep":
                staged.kept = now
                continue
            if answer == "upload":
                self.tasks.run(f"file:{key}", self.files.check_again(key, staged))
                self.panel.show_status(
                    f"Uploading the new version of “{staged.checked.name}”; press Run "
                    "when it is on Ouro."
                )
            else:
                self.panel.show_status("Not run.")
            return False
        return True

    def _missing_problem(self, route: Route, missing: list[str]) -> str:
        """What to do for the required inputs that hold nothing usable yet: files in one
        sentence, then each dataset or post input in its own words."""
        zones = self.panel.inputs.zones()
        assets = [k for k in missing if isinstance(zones.get(k), DatasetZone | PostZone)]
        files = [k for k in missing if k not in assets]
        parts = [missing_files_text(route, files)] if files else []
        parts += [self._missing_asset_text(route, key) for key in assets]
        return " ".join(p for p in parts if p)

    def _missing_asset_text(self, route: Route, key: str) -> str:
        need = next((n for n in input_needs(route) if n.key == key), None)
        title = f"“{display_name(need.title if need else key)}”"
        zone = self.panel.inputs.zone(key)
        if isinstance(zone, DatasetZone) and zone.table is not None:
            if zone.state is ZoneState.UPLOADING:
                return f"Wait: the dataset for {title} is still being created."
            return (
                f"Create the dataset for {title} first (“Create as an Ouro dataset” under "
                "the table), or choose one of your datasets."
            )
        if isinstance(zone, DatasetZone):
            return f"Add a table (CSV) or choose one of your datasets for {title}."
        if isinstance(zone, PostZone) and zone.writing and zone.written()[1].strip():
            # The text is written but not on Ouro: "write a short text" would read as if
            # it were not there.
            if zone.state is ZoneState.UPLOADING:
                return f"Wait: your text for {title} is still being saved as a post."
            return f"Save your text for {title} first (“Save as a post” under it), then Run."
        return f"Choose one of your posts, or write a short text, for {title}."

    async def _submit(self, route: Route) -> None:
        assert self.tracker is not None
        value = self.panel.form.value()
        assets = self.panel.inputs.asset_ids()
        files = {k: self.files.file_record(k, v) for k, v in assets.items()}
        staged = {k: s for k, s in self.files.staged.items() if s.outcome}  # uploaded
        hashed = {
            k: (s.checked.name, s.checked.size, s.outcome.sha256)
            for k, s in staged.items()
            if s.outcome
        }
        facts = input_file_facts(assets, files, hashed, self.uploads.content_of)
        spec = self.panel.form.spec
        secret = spec.secret_headers if spec is not None else frozenset()
        account = self.session.account
        if account is not None and value.headers and secret:
            kept = {k: str(v) for k, v in value.headers.items() if k in secret}
            notice = await self.header_secrets.save(account.base_url, route, kept)
            if notice:
                self.panel.show_error(notice)
        settled = True
        try:
            record = await self.tracker.submit(
                route,
                provenance=submit_facts(route, facts),
                body=value.body,
                query=value.query or None,
                path_params=value.path_params or None,
                input_assets=assets or None,
                input_files=files or None,
                price_shown=price_text(route) if route.is_paid else None,
                headers={k: str(v) for k, v in value.headers.items()} or None,
            )
        except UnprocessableEntityError as exc:
            placed = self._show_at_fields(exc.field_errors, _detail_of(exc.body), friendly(exc))
            self.panel.show_error(f"Ouro refused the request: {friendly(exc)}")
            self.panel.call_attention(bool(placed))
            return
        except (OuroError, LedgerError) as exc:
            self.panel.show_error(f"The run was not started: {friendly(exc)}")
            self.panel.call_attention(False)
            return
        else:
            # Sent, but whether Ouro got it is still being looked up: Run stays off
            # until that is known, so the same run is not sent twice.
            settled = record.state not in UNSETTLED
            self._unsettled = None if settled else record
        finally:
            self.panel.set_submitting(not settled, "Checking…")
        self._last, self._last_action, self._placed = record, None, {}
        self.panel.show_status(STATE_WORDS.get(record.state, record.state))
        self.run_submitted.emit(record)

    def _settle(self, record: RunRecord) -> None:
        """The fate of the unsettled submission is known (or it is over): Run again."""
        unsettled = self._unsettled
        if unsettled is None or record.local_id != unsettled.local_id:
            return
        if record.state in UNSETTLED:
            return
        self._unsettled = None
        if self.panel.route is not None and self.panel.route.id == record.route_id:
            self.panel.set_submitting(False)

    def _show_at_fields(
        self, errors: dict[str, str], detail: object, message: str
    ) -> dict[str, str]:
        """Show a refusal at the fields it names (``detail`` items, else fields the message
        quotes); the placed errors by field path."""
        form = self.panel.form
        fields = list(form.slots())
        placed = form_field_errors(detail, message, fields) or errors
        if placed:
            form.show_field_errors(placed)
        return placed

    def _on_tracker_update(self, record: RunRecord, action: Action | None) -> None:
        self._settle(record)
        if self._last is None or record.local_id != self._last.local_id:
            return
        self._last = record
        if action is not None:
            self._last_action = action
        self.panel.show_status(STATE_WORDS.get(record.state, record.state))
        if action is not None and action.status == "error":
            # The service's refusal may name fields (422 ``detail``, or quoted in its
            # message): each is shown at its field.
            self._placed = self._show_at_fields(
                action.field_errors, _detail_of(action.response), action.error_message or ""
            )

    def _on_tracker_finished(self, record: RunRecord) -> None:
        self._settle(record)
        self.run_finished.emit(record)
        if self._last is None or record.local_id != self._last.local_id:
            return
        self._last = record
        action = self._last_action
        if action is not None and action.id != record.action_id:
            action = None
        route = self.panel.route
        if route is None or route.id != record.route_id:
            return  # another route is open: the history pane has the run
        self.panel.show_status("")
        if record.state == "success":
            show_result(self.panel.result_card, route, action, record)
        else:
            show_failure(self.panel, record, action, self._placed)
