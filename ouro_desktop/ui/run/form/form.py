"""The request form: a route's settings as widgets built from its schema, checked as you type.

:class:`RequestForm` shows the body's fields (or, for a schema the form cannot show, only
the raw JSON editor with a note saying why), then the path and query parameters and the
route's own header parameters (one that looks secret is masked). Every edit
restarts a short timer (:attr:`RequestForm.DEBOUNCE_MS`); when it fires the whole request is
validated with ``jsonschema`` and each error is shown *at its field* (under the nearest
field that exists, or in a list above the fields). ``validity_changed`` tells the Run
button when that flips.

"Edit as JSON" shows the same body as text. Going back parses it into the widgets -- and is
refused, with the reason under the editor, while the text is not valid JSON or would not
come back from the form exactly (a word where a number belongs, a list where a group
belongs), so nothing typed is silently lost.

Errors from the server (a 422 mapped to paths with
:func:`~ouro_desktop.api.validation.path_from_location`) go in with
:meth:`RequestForm.show_field_errors`; each stays until its field changes or
:meth:`RequestForm.clear_field_errors`, and does not count against validity (the server may
think differently next time).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ouro_desktop.api.models import Route
from ouro_desktop.api.schema import (
    FormSpec,
    FormValue,
    ObjectNode,
    Unrenderable,
    build_form_spec,
    canonical,
    default_body,
    default_value,
    same_json,
    validate,
)
from ouro_desktop.ui.common.undo_bar import UndoBar
from ouro_desktop.ui.run.form.base import ErrorSlot, error_label, muted_label
from ouro_desktop.ui.run.form.builder import build_editor
from ouro_desktop.ui.run.form.choice import value_key
from ouro_desktop.ui.run.form.group import GroupEditor
from ouro_desktop.ui.run.form.raw_json import RawJsonEditor, parse_body

__all__ = ["RequestForm"]

_ABSENT = object()


def _parent(path: str) -> str:
    if "." in path:
        return path.rsplit(".", 1)[0]
    if ":" in path and not path.endswith(":"):
        return path.split(":", 1)[0] + ":"
    return ""


def _value_at(value: FormValue, path: str) -> Any:
    node: Any = value.body
    if path.startswith(("query:", "path:", "header:")):
        head, _, path = path.partition(":")
        node = {"query": value.query, "path": value.path_params}.get(head, value.headers)
    for part in path.split(".") if path else []:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _ABSENT
    return node


def _first_difference(want: Any, got: Any, path: str = "") -> str:
    if isinstance(want, dict) and isinstance(got, dict):
        for key in [*want, *[k for k in got if k not in want]]:
            if key not in want or key not in got or not same_json(want[key], got[key]):
                sub = f"{path}.{key}" if path else str(key)
                if key in want and key in got:
                    return _first_difference(want[key], got[key], sub)
                return sub
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for index, (a, b) in enumerate(zip(want, got, strict=True)):
            if not same_json(a, b, strict_numbers=False):
                return _first_difference(a, b, f"{path}.{index}" if path else str(index))
    return path or "the settings"


def _heading(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class RequestForm(QWidget):
    """The form for one route's request (see the module docstring)."""

    validity_changed = Signal(bool)
    validated = Signal()  # after every validation pass (errors are on screen)
    edited = Signal()  # the person changed something (not a reset, a re-run or a restore)
    fields_changed = Signal()  # fields came or went (a new route, a list item, JSON mode)
    DEBOUNCE_MS = 250

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Request form")
        self.spec: FormSpec | None = None
        self.body_editor: GroupEditor | None = None
        self.param_editors: dict[str, GroupEditor] = {}
        self._errors: dict[str, str] = {}
        self._server: dict[str, tuple[str, str]] = {}  # path → (message, value it was about)
        self._valid: bool | None = None
        self._refusal = ""
        self._last_raw: dict[str, Any] = {}
        self._programmatic = 0  # > 0 while the form itself changes values
        self._field_count = -1
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DEBOUNCE_MS)
        self._timer.timeout.connect(self._validate_now)
        self._build()

    # -- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        header = QHBoxLayout()
        self.hint_label = muted_label("Fields marked * are required.", self)
        header.addWidget(self.hint_label, 1)
        self.reset_button = QPushButton("Reset to defaults", self)
        self.reset_button.setAccessibleName("Reset every setting to its default")
        self.reset_button.setAccessibleDescription("Can be undone")
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        header.addWidget(self.reset_button)
        self.raw_toggle = QCheckBox("Edit as JSON", self)
        self.raw_toggle.setAccessibleName("Edit the settings as JSON")
        self.raw_toggle.setToolTip("Edit the request body as JSON text; untick to go back.")
        self.raw_toggle.toggled.connect(self._on_raw_toggle_toggled)
        header.addWidget(self.raw_toggle)
        column.addLayout(header)
        self.undo_bar = UndoBar("Undo the reset", self)
        column.addWidget(self.undo_bar)
        self.problems_label = muted_label("", self)
        self.problems_label.setAccessibleName("Problems with this route's schema")
        column.addWidget(self.problems_label)
        self.form_errors = error_label(self)
        self.form_errors.setAccessibleName("Problems with the settings")
        column.addWidget(self.form_errors)
        self.path_heading = _heading("Path parameters", self)
        self.path_host = QVBoxLayout()
        self.query_heading = _heading("Query parameters", self)
        self.query_host = QVBoxLayout()
        self.header_heading = _heading("Sent with the request", self)
        self.header_host = QVBoxLayout()
        self.secret_note = muted_label(
            "Masked values (keys, tokens) are kept in this computer's keyring, not in your "
            "runs, logs or the code shown for a run.",
            self,
        )
        self.header_host.addWidget(self.secret_note)
        self.body_heading = _heading("Request body", self)
        self.body_host = QVBoxLayout()
        self.raw_editor = RawJsonEditor(self)
        self.raw_editor.text_changed.connect(self._on_raw_editor_text_changed)
        for widget, host in (
            (self.path_heading, self.path_host),
            (self.query_heading, self.query_host),
            (self.header_heading, self.header_host),
            (self.body_heading, self.body_host),
        ):
            column.addWidget(widget)
            column.addLayout(host)
        column.addWidget(self.raw_editor)
        self.empty_label = muted_label("This route needs no settings.", self)
        column.addWidget(self.empty_label)
        column.addStretch(1)
        self._show_parts()

    def _show_parts(self) -> None:
        spec = self.spec
        empty = spec is None or spec.is_empty
        raw_only = spec is not None and isinstance(spec.body, Unrenderable)
        has_fields = self.body_editor is not None and self.body_editor.has_fields
        raw = raw_only or (has_fields and self.raw_toggle.isChecked())
        self.empty_label.setVisible(spec is not None and empty)
        self.hint_label.setVisible(not empty)
        self.reset_button.setVisible(not empty)
        self.raw_toggle.setVisible(has_fields)
        self.raw_editor.setVisible(raw)
        if self.body_editor is not None:
            self.body_editor.setVisible(not raw)
        self.path_heading.setVisible("path" in self.param_editors)
        self.query_heading.setVisible("query" in self.param_editors)
        self.header_heading.setVisible("header" in self.param_editors)
        self.secret_note.setVisible(bool(spec is not None and spec.secret_headers))
        self.body_heading.setVisible(bool(self.param_editors) and (raw or has_fields))

    # -- building for a route ---------------------------------------------------------------
    def set_route(self, route: Route) -> None:
        """Build the form for ``route`` (body, query and path parameters) at its defaults."""
        self.set_spec(build_form_spec(route))

    def set_spec(self, spec: FormSpec) -> None:
        for editor in [self.body_editor, *self.param_editors.values()]:
            if editor is not None:
                editor.stop_growing()
                editor.setParent(None)
                editor.deleteLater()
        self.body_editor, self.param_editors = None, {}
        self.spec = spec
        self.undo_bar.withdraw()
        self._server.clear()
        self._valid = None
        self.raw_toggle.blockSignals(True)
        self.raw_toggle.setChecked(False)
        self.raw_toggle.blockSignals(False)
        if isinstance(spec.body, ObjectNode):
            self.body_editor = self._group(spec.body, self.body_host)
        reason = spec.body.reason if isinstance(spec.body, Unrenderable) else ""
        self.raw_editor.set_note(
            f"These settings can't be shown as a form: {reason} Edit them as JSON below."
            if reason
            else ""
        )
        for where, node, host in (
            ("path", spec.path, self.path_host),
            ("query", spec.query, self.query_host),
            ("header", spec.headers, self.header_host),
        ):
            if node is not None:
                self.param_editors[where] = self._group(node, host)
        self._show_parts()
        self.reset_to_defaults()
        if "header" in self.param_editors:
            self.param_editors["header"].reset()
        if self.body_editor is not None and self.body_editor.sections:
            self._timer.start()  # a big form: checked a moment later, not in the same turn
        else:
            self._validate_now()

    def hold_growing(self, held: bool) -> None:
        """A wide form builds no rows (``held``) until called again with False; it says
        so through :attr:`growing` meanwhile (see :class:`GroupEditor`)."""
        for editor in [self.body_editor, *self.param_editors.values()]:
            if editor is not None:
                editor.hold_growing(held)

    def _group(self, node: ObjectNode, host: QVBoxLayout) -> GroupEditor:
        editor = GroupEditor(node, build_editor, self, framed=False)
        editor.changed.connect(self._on_edited)
        editor.grew.connect(self.fields_changed)  # a big group's rows and headers came
        host.insertWidget(0, editor)  # above any note the part carries
        return editor

    # -- values -----------------------------------------------------------------------------
    @property
    def raw_mode(self) -> bool:
        return self.raw_editor.isVisibleTo(self) if self.spec is not None else False

    def _collect(self, problems: dict[str, str]) -> tuple[FormValue, str]:
        """(the request as it stands; a JSON parse error in raw mode, or ``""``)."""
        raw_error = ""
        if self.raw_mode:
            parsed, error = parse_body(self.raw_editor.text())
            if error is None and not isinstance(parsed, dict):
                error = "the settings must be a JSON object, in { }"
            if error is None:
                self._last_raw = parsed
            raw_error = error or ""
            body = dict(self._last_raw)
        elif self.body_editor is not None:
            body = self.body_editor.value("", problems)
        else:
            body = {}
        params = {w: e.value(f"{w}:", problems) for w, e in self.param_editors.items()}
        headers = {k: v for k, v in params.get("header", {}).items() if v not in ("", None)}
        value = FormValue(body, params.get("query", {}), params.get("path", {}), headers)
        return value, raw_error

    def value(self) -> FormValue:
        """The request: body, query and path parameters and the route's own headers (keys
        left unset or empty are absent)."""
        return self._collect({})[0]

    def set_headers(self, headers: dict[str, str]) -> None:
        """Fill the given header fields (a stored key, say); the others are left as they are."""
        editor = self.param_editors.get("header")
        if editor is None or not headers:
            return
        current = editor.value("header:", {})
        editor.set_value({**current, **headers})
        self._on_edited()

    def set_value(
        self,
        body: dict[str, Any],
        query: dict[str, Any] | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> None:
        """Put a request into the form (a re-run). Parameters not given go to their defaults."""
        if self.spec is None:
            return
        self._programmatic += 1
        try:
            self._set_value(body, query, path_params)
        finally:
            self._programmatic -= 1

    def _set_value(
        self,
        body: dict[str, Any],
        query: dict[str, Any] | None,
        path_params: dict[str, Any] | None,
    ) -> None:
        assert self.spec is not None
        defaults = default_value(self.spec)
        if self.body_editor is not None:
            self.body_editor.set_value(body)
        if self.raw_mode:
            self._last_raw = dict(body)
            self.raw_editor.set_body(body)
        given = {"query": query, "path": path_params}
        fallback = {"query": defaults.query, "path": defaults.path_params}
        for where, editor in self.param_editors.items():
            if where in given:  # headers are not part of a recorded request: kept as typed
                editor.set_value(given[where] if given[where] is not None else fallback[where])
        self._server.clear()
        self._on_edited()

    def _on_reset_button_clicked(self) -> None:
        before = self.value()
        self.reset_to_defaults()
        if before != self.value():
            self.undo_bar.offer(
                "Every setting is back to its default.",
                lambda: self.set_value(before.body, before.query, before.path_params),
            )

    def reset_to_defaults(self) -> None:
        if self.spec is None:
            return
        self._programmatic += 1
        try:
            self._reset()
        finally:
            self._programmatic -= 1

    def _reset(self) -> None:
        assert self.spec is not None
        # The route's headers (an access key, typically) are not settings to reset.
        editors = [e for w, e in self.param_editors.items() if w != "header"]
        for editor in [self.body_editor, *editors]:
            if editor is not None:
                editor.reset()
        # The body as JSON only when the JSON is shown: collecting every setting of a wide
        # form twice over (its defaults, then its fields) cost 10-16 ms of opening it, and
        # switching to the JSON collects them anyway.
        raw = self.raw_mode
        if self.body_editor is None or raw:
            body = (
                default_body(self.spec)
                if self.body_editor is None
                else self.body_editor.value("", {})
            )
            self._last_raw = body
            if raw:
                self.raw_editor.set_body(body)
        self._server.clear()
        self._on_edited()

    # -- raw JSON ---------------------------------------------------------------------------
    def set_raw_mode(self, on: bool) -> bool:
        """Switch between the fields and the JSON text; ``False`` if the switch was refused."""
        if self.body_editor is None or on == self.raw_toggle.isChecked():
            return self.raw_toggle.isChecked() == on
        self.raw_toggle.setChecked(on)
        return self.raw_toggle.isChecked() == on

    def _on_raw_toggle_toggled(self, checked: bool) -> None:
        if self.body_editor is None:
            return
        if checked:
            self._last_raw = self.body_editor.value("", {})
            self.raw_editor.set_body(self._last_raw)
            self._refusal = ""
        elif not self._leave_raw():
            self.raw_toggle.blockSignals(True)
            self.raw_toggle.setChecked(True)
            self.raw_toggle.blockSignals(False)
            self._validate_now()
            return
        self._show_parts()
        self._validate_now()

    def _leave_raw(self) -> bool:
        assert self.body_editor is not None and self.spec is not None
        parsed, error = parse_body(self.raw_editor.text())
        if error is None and not isinstance(parsed, dict):
            error = "the settings must be a JSON object, in { }"
        if error is not None:
            self._refusal = f"Fix the JSON before going back to the form: {error}."
            return False
        before = self.body_editor.value("", {})
        self.body_editor.set_value(parsed)
        after = self.body_editor.value("", {})
        want = (
            canonical(self.spec.body, parsed) if isinstance(self.spec.body, ObjectNode) else parsed
        )
        try:
            same = same_json(want, after, strict_numbers=False)
        except RecursionError:
            same = False
        if not same:
            self.body_editor.set_value(before)
            where = _first_difference(want, after)
            self._refusal = (
                f"The form can't show this JSON exactly (at '{where}'): fix it, or keep "
                "editing it as JSON."
            )
            return False
        self._refusal = ""
        return True

    def _on_raw_editor_text_changed(self) -> None:
        self._refusal = ""
        self._on_edited()

    # -- validation and errors --------------------------------------------------------------
    def _on_edited(self) -> None:
        self._timer.start()
        if not self._programmatic:
            self.undo_bar.withdraw()  # undoing now would throw this edit away
            self.edited.emit()

    def errors(self) -> dict[str, str]:
        """The problems the form finds now (a pending check runs first), keyed by path."""
        if self._timer.isActive():
            self._validate_now()
        return dict(self._errors)

    def is_valid(self) -> bool:
        return not self.errors()

    def _validate_now(self) -> None:
        self._timer.stop()
        if self.spec is None:
            return
        local: dict[str, str] = {}
        value, raw_error = self._collect(local)
        if raw_error:
            errors, problems = {"": raw_error}, list(self.spec.problems)
        else:
            result = validate(self.spec, value)
            errors, problems = {**result.errors, **local}, list(result.problems)
        self._errors = errors
        for path, (_, seen) in list(self._server.items()):
            if value_key(self._snapshot(value, path)) != seen:
                del self._server[path]
        self._display()
        self.problems_label.setText("\n".join(f"Note: {p}." for p in problems))
        self.problems_label.setVisible(bool(problems))
        valid = not errors
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)
        self.validated.emit()

    @staticmethod
    def _snapshot(value: FormValue, path: str) -> Any:
        found = _value_at(value, path)
        return "\x00absent" if found is _ABSENT else found

    def slots(self) -> dict[str, ErrorSlot]:
        """Every field's error slot by path (body fields only while they are shown)."""
        return dict(self._iter_slots())

    def _iter_slots(self) -> Iterator[tuple[str, ErrorSlot]]:
        for where, editor in self.param_editors.items():
            yield from editor.rows(f"{where}:")
        if self.body_editor is not None and not self.raw_mode:
            yield from self.body_editor.rows("")

    def _display(self) -> None:
        merged = dict(self._errors)
        for path, (message, _) in self._server.items():
            merged.setdefault(path, message)
        if self.body_editor is not None and not self.raw_mode:
            for path in merged:  # a field in a section not built yet: build it, to show it
                if path and ":" not in path:
                    self.body_editor.reveal(path)
        slots = self.slots()
        if len(slots) != self._field_count:
            self._field_count = len(slots)
            self.fields_changed.emit()
        messages: dict[str, list[str]] = {path: [] for path in slots}
        loose: list[str] = []
        for path, message in merged.items():
            home = path
            while home and home not in slots:
                home = _parent(home)
            if home in slots:
                rest = path[len(home) :].lstrip(".")
                messages[home].append(f"{rest}: {message}" if rest else message)
            else:
                loose.append(f"{path}: {message}" if path else message)
        for path, slot in slots.items():
            slot.show_error("\n".join(messages[path]) or None)
        if self.raw_mode:
            self.raw_editor.show_errors([m for m in [self._refusal, *loose] if m])
            loose = []
        self.form_errors.setText("\n".join(f"⚠ {m}" for m in loose))
        self.form_errors.setVisible(bool(loose))

    def show_field_errors(self, errors: dict[str, str]) -> None:
        """Show errors (from the server) at the fields their paths name."""
        value = self.value()
        for path, message in errors.items():
            self._server[path] = (message, value_key(self._snapshot(value, path)))
        self._display()
        slots = self.slots()
        for path in errors:
            if path in slots and self.isVisible():
                slots[path].editor.focus_target().setFocus()
                break

    def first_field(self) -> QWidget | None:
        """The widget of the first setting (for "go to the form"), or None."""
        if self.raw_mode:
            return self.raw_editor
        if self.body_editor is not None and self.body_editor.growing:
            # The first rows of a wide form still growing out of sight: wanted now.
            self._programmatic += 1
            try:
                self.body_editor.show_first_section()
            finally:
                self._programmatic -= 1
        for slot in self.slots().values():
            target = slot.editor.focus_target()
            if target.isVisibleTo(self) and target.isEnabled():
                return target
        return None

    def clear_field_errors(self) -> None:
        self._server.clear()
        self._display()

    def field_error(self, path: str) -> str:
        """The error shown at the field ``path`` (``""`` for none)."""
        slot = self.slots().get(path)
        return slot.error if slot is not None else ""
