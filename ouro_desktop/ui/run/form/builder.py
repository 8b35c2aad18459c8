"""The registry: which widget edits which kind of schema node.

:data:`REGISTRY` maps ``(node.kind, node.variant)`` to a factory ``(node, build, parent) ->
Editor``; :func:`build_editor` looks a node up (falling back to ``(kind, "")`` and finally
to the any-JSON field) and hands containers itself as ``build``, so groups, lists and
optional fields build their children through the same table. To support a new construct,
add a node type in :mod:`ouro_desktop.api.schema` and a line here. A table of numbers (a
list of numbers, or an object of number lists) is recognised by its shape first
(:func:`~.table_editor.table_shape`) and gets the grid.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from ouro_desktop.api.schema import Node
from ouro_desktop.ui.run.form.array import ArrayEditor
from ouro_desktop.ui.run.form.base import Build, Editor
from ouro_desktop.ui.run.form.boolean import BooleanEditor
from ouro_desktop.ui.run.form.choice import ChoiceEditor, SearchChoiceEditor
from ouro_desktop.ui.run.form.group import GroupEditor
from ouro_desktop.ui.run.form.json_value import JsonEditor
from ouro_desktop.ui.run.form.number import NumberEditor
from ouro_desktop.ui.run.form.optional import OptionalEditor
from ouro_desktop.ui.run.form.table_editor import NumberTableEditor, table_shape
from ouro_desktop.ui.run.form.text import DateEditor, DateTimeEditor, LineEditor, MultilineEditor

__all__ = ["REGISTRY", "Factory", "build_editor"]

Factory = Callable[[Node, Build, QWidget | None], Editor]

REGISTRY: dict[tuple[str, str], Factory] = {
    ("string", "plain"): LineEditor,
    ("string", "email"): LineEditor,
    ("string", "uri"): LineEditor,
    ("string", "password"): LineEditor,
    ("string", "multiline"): MultilineEditor,
    ("string", "date"): DateEditor,
    ("string", "date-time"): DateTimeEditor,
    ("number", "number"): NumberEditor,
    ("number", "integer"): NumberEditor,
    ("boolean", ""): BooleanEditor,
    ("enum", "combo"): ChoiceEditor,
    ("enum", "search"): SearchChoiceEditor,
    ("object", ""): GroupEditor,
    ("array", "primitive"): ArrayEditor,
    ("array", "object"): ArrayEditor,
    ("optional", ""): OptionalEditor,
    ("json", ""): JsonEditor,
}


def build_editor(node: Node, parent: QWidget | None = None) -> Editor:
    """The editor for ``node`` (and, through it, for everything inside it)."""
    if table_shape(node) is not None:
        return NumberTableEditor(node, build_editor, parent)
    factory = (
        REGISTRY.get((node.kind, node.variant))
        or REGISTRY.get((node.kind, ""))
        or REGISTRY[("json", "")]
    )
    return factory(node, build_editor, parent)
