"""The route page's sections as HTML for Qt rich text: facts, inputs, outputs, details.

Pure string building (no widgets), so the page's wording can be read and tested directly.
Every value from the server is escaped. The only colour used is the ``muted`` one passed
in, which the page takes from its palette, so light and dark themes both read well.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from html import escape
from typing import Any

from ouro_desktop.api.models import InputDeclaration, Route
from ouro_desktop.api.validation import number_text
from ouro_desktop.core.labels import in_words, label_and_unit
from ouro_desktop.core.output_kinds import asset_kind
from ouro_desktop.core.response_schema import property_schema, response_schema
from ouro_desktop.core.route_facts import (
    duration_text,
    execution_mode_text,
    price_text,
    visibility_text,
)
from ouro_desktop.core.route_fields import (
    FieldInfo,
    asset_input_required,
    asset_input_schema,
    body_fields,
    ouro_parameters,
    user_parameters,
)

__all__ = [
    "details_html",
    "facts_html",
    "field_html",
    "inputs_html",
    "outputs_html",
    "type_label",
]

MAX_ENUM_SHOWN = 12
_FORMATS = {
    "date": "date",
    "date-time": "date and time",
    "time": "time",
    "email": "e-mail address",
    "uri": "web link",
    "url": "web link",
}
_TYPES = {
    "string": "text",
    "number": "number",
    "integer": "whole number",
    "boolean": "yes / no",
    "object": "group of values",
    "null": "nothing",
}
_OURO_HEADERS = {
    "ouro-route-id": "this route's id",
    "ouro-route-org-id": "the organization the run happens in",
    "ouro-route-team-id": "the team the run's outputs go to",
    "ouro-action-id": "the id of this run (its action)",
    "ouro-max-billable-seconds": "the most seconds a per-second route may bill",
}
_ROLES = {
    "new": "a new asset",
    "version": "a new version of the input",
    "result": "a result of the run",
    "supporting": "a supporting file",
}


def _value(value: Any) -> str:
    """A default or enum member, short and escaped."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return number_text(value)
    if isinstance(value, str):
        return f"<code>{escape(value)}</code>"
    if value in ([], {}):
        return "empty"
    text = json.dumps(value, ensure_ascii=False)
    return f"<code>{escape(text if len(text) <= 80 else text[:77] + '...')}</code>"


def _muted(text: str, muted: str) -> str:
    return f'<span style="color:{muted}">{text}</span>'


def type_label(info: FieldInfo) -> str:
    """What kind of value a field takes, in plain words."""
    if info.enum:
        return "choice"
    if info.type == "string" and info.format in _FORMATS:
        return _FORMATS[info.format]
    if info.type == "array":
        inner = type_label(info.items) if info.items else ""
        if info.items and info.items.children:
            # The schema's name for one entry, in words ("MixtureComponent" is a class name:
            # "list of mixture components").
            inner = escape(in_words(info.items.title)) if info.items.title != "Item" else "entries"
        return f"list of {inner}s" if inner and not inner.endswith("s") else f"list of {inner}"
    parts = [t.strip() for t in info.type.split(" or ") if t.strip()]
    return " or ".join(_TYPES.get(t, t) for t in parts) or "any value"


def _bounds(info: FieldInfo) -> list[str]:
    out = []
    low, high = info.minimum, info.maximum
    if low is not None and high is not None:
        out.append(f"from {number_text(low)} to {number_text(high)}")
    else:
        if low is not None:
            out.append(f"at least {number_text(low)}")
        if high is not None:
            out.append(f"at most {number_text(high)}")
    if info.exclusive_minimum is not None:
        out.append(f"more than {number_text(info.exclusive_minimum)}")
    if info.exclusive_maximum is not None:
        out.append(f"less than {number_text(info.exclusive_maximum)}")
    lo_len, hi_len = info.min_length, info.max_length
    if lo_len and hi_len:
        out.append(f"{lo_len} to {hi_len} characters")
    elif hi_len:
        out.append(f"up to {hi_len} characters")
    elif lo_len:
        out.append(f"at least {lo_len} character{'s' if lo_len > 1 else ''}")
    if info.max_items is not None:
        out.append(f"up to {info.max_items} items")
    if info.min_items:
        out.append(f"at least {info.min_items} item{'s' if info.min_items > 1 else ''}")
    return out


def _enum_html(values: tuple[Any, ...]) -> str:
    shown = ", ".join(_value(v) for v in values[:MAX_ENUM_SHOWN])
    if len(values) > MAX_ENUM_SHOWN:
        shown += f", … ({len(values)} choices in all)"
    return f"one of: {shown}"


def _summary(info: FieldInfo) -> list[str]:
    parts = [escape(type_label(info)), "required" if info.required else "optional"]
    # A group's default is told part by part below it, not as JSON here.
    grouped = bool(info.children) and isinstance(info.default, dict)
    if info.has_default and info.default not in (None, [], {}, "") and not grouped:
        parts.append(f"default {_value(info.default)}")
    parts += _bounds(info)
    if info.location not in ("body", ""):
        parts.append(f"in the {escape(info.location)}")
    return parts


def field_html(info: FieldInfo, muted: str, *, nested: bool = False) -> str:
    """One field: title, kind, required/optional, default, bounds, choices, text (its key,
    "wavelength_A", is for programmers: it is in "Use via API" and "Edit as JSON")."""
    title = f"<b>{escape(info.title)}</b>"
    lines = [title + " " + _muted("— " + " · ".join(_summary(info)), muted)]
    if info.enum:
        lines.append(_enum_html(info.enum))
    if info.description:
        lines.append(escape(info.description))
    children = info.children or (info.items.children if info.items else ())
    body = "<br>".join(lines)
    if children and not nested:
        listed = "".join(
            f"<li>{field_html(c, muted, nested=True)}</li>" for c in children[:CHILDREN_LISTED]
        )
        if len(children) > CHILDREN_LISTED:
            rest = len(children) - CHILDREN_LISTED
            listed += f"<li>{_muted(f'… and {rest:,} more', muted)}</li>"
        body += f"<ul>{listed}</ul>"
    elif children:
        names = ", ".join(escape(c.title) for c in children)
        body += "<br>" + _muted(f"made of {names}", muted)
    return body if nested else f"<p>{body}</p>"


# How each kind of input can be given (the window takes a table file for a dataset input
# and a written text for a post input).
_ASSET_WORDS = {
    "file": "a file",
    "dataset": "a dataset from Ouro, or a table file (.csv, .tsv)",
    "post": "a post from Ouro, or a short text you write",
}


def _asset_html(route: Route, decl: InputDeclaration, muted: str) -> str:
    schema = asset_input_schema(route, decl.key)
    raw_title = schema.get("title")
    title = raw_title if isinstance(raw_title, str) and raw_title else decl.key
    kind = _ASSET_WORDS.get(decl.asset_type, f"a {escape(decl.asset_type)} from Ouro")
    parts = [kind]
    if decl.file_extensions:
        parts.append("accepts " + ", ".join(f"<b>.{escape(e)}</b>" for e in decl.file_extensions))
    if decl.input_filter:
        parts.append(f"kind: {escape(decl.input_filter)}")
    parts.append("required" if asset_input_required(route, decl.key) else "optional")
    line = f"<b>{escape(title)}</b> " + _muted("— " + " · ".join(parts), muted)
    description = schema.get("description")
    if isinstance(description, str) and description:
        line += "<br>" + escape(description)
    return f"<p>{line}</p>"


def _group(heading: str, items: Iterable[str]) -> str:
    items = list(items)
    return f"<p><i>{escape(heading)}</i></p>" + "".join(items) if items else ""


SETTINGS_LISTED = 40  # settings described here (parts of groups counted); the form has all
CHILDREN_LISTED = 8  # parts of one group described here
# A route with more settings than this (a form built a section at a time) describes only
# its first SETTINGS_LISTED_WIDE here: laying out forty paragraphs of rich text held the
# window for tens of ms, and the form right below lists every one of them anyway.
WIDE_SETTINGS = 60
SETTINGS_LISTED_WIDE = 12


def inputs_html(route: Route, muted: str) -> str:
    """Files to give, then settings (body fields; about :data:`SETTINGS_LISTED` of them,
    :data:`SETTINGS_LISTED_WIDE` of more than :data:`WIDE_SETTINGS`),
    then query/path parameters."""
    assets = [_asset_html(route, d, muted) for d in route.input_assets.values()]
    found = body_fields(route)
    listed = SETTINGS_LISTED_WIDE if len(found) > WIDE_SETTINGS else SETTINGS_LISTED
    fields, told = [], 0
    for info in found:
        if told >= listed:
            rest = len(found) - len(fields)
            fields.append(_muted(f"… and {rest:,} more settings: see the form below.", muted))
            break
        fields.append(field_html(info, muted))
        told += 1 + min(CHILDREN_LISTED, len(info.children))
    params = [field_html(p, muted) for p in user_parameters(route)]
    kinds = {d.asset_type for d in route.input_assets.values()}
    # "Files" over a dataset or a post would send the person looking for a file.
    heading = "Files" if kinds <= {"file"} else "Inputs"
    html = (
        _group(heading, assets)
        + _group("Settings", fields)
        + _group("Parameters in the address", params)
    )
    return html or "<p>This route needs no input: just run it.</p>"


def _template(text: str) -> str:
    """A chart title's ``{path}`` placeholders shown as an ellipsis."""
    return re.sub(r"\{[^{}]*\}", "…", text)


def outputs_html(route: Route, muted: str) -> str:
    """What the route gives back: each output by the title the answer gives it (the key
    humanised when it has none) and its kind in plain words, then its charts."""
    items = []
    schema = response_schema(route)
    for key, decl in route.output_assets.items():
        kind = str(decl.get("asset_type") or "file")
        exts = decl.get("file_extensions")
        exts = [str(e).lstrip(".") for e in exts] if isinstance(exts, list) else []
        if len(exts) == 1:  # "image (SVG)", "crystal structure (CIF)"
            parts = [escape(asset_kind(kind, extension=exts[0]))]
        else:
            parts = [f"a {escape(kind)}"]
            if exts:
                parts.append(", ".join(f".{escape(e)}" for e in exts))
        role = decl.get("role")
        if isinstance(role, str) and role in _ROLES:
            parts.append(_ROLES[role])
        if decl.get("optional"):
            parts.append("only on some runs")
        when = decl.get("when")
        if isinstance(when, dict) and when:
            conds = ", ".join(f"{escape(str(k))} = {_value(v)}" for k, v in when.items())
            parts.append(f"when {conds}")
        label, _unit = label_and_unit(key, property_schema(schema, key))
        items.append(
            f"<p><b>{escape(label)}</b> " + _muted("— " + " · ".join(parts), muted) + "</p>"
        )
    for chart in route.response_charts or []:
        if not isinstance(chart, dict):
            continue
        title = _template(str(chart.get("title") or "a chart"))
        config = chart.get("config")
        chart_kind = config.get("type") if isinstance(config, dict) else None
        line = f"<b>Chart:</b> {escape(title)}"
        if isinstance(chart_kind, str):
            line += " " + _muted(f"— {escape(chart_kind)} chart", muted)
        items.append(f"<p>{line}</p>")
    lead = "<p>The answer comes back as data (numbers and text) you can read in the run.</p>"
    if not items:
        return lead + "<p>No files are created.</p>"
    return lead + "".join(items)


def facts_html(route: Route, muted: str) -> str:
    # What a scientist reads; the HTTP method and path are for developers (under Details).
    rows = [
        ("Execution mode", escape(execution_mode_text(route))),
        ("Expected duration", escape(duration_text(route))),
        ("Price", ("<b>Paid route:</b> " if route.is_paid else "") + escape(price_text(route))),
        ("Visibility", escape(visibility_text(route))),
    ]
    cells = "".join(
        f'<tr><td style="padding:2px 16px 2px 0">{_muted(escape(k), muted)}</td>'
        f'<td style="padding:2px 0">{v}</td></tr>'
        for k, v in rows
    )
    return f"<table>{cells}</table>"


def details_html(route: Route, muted: str) -> str:
    """For developers: the parameters Ouro fills itself, the HTTP method and path, and the
    ids a programmer may want."""
    out = []
    filled = ouro_parameters(route)
    if filled:
        out.append(
            "<p>Ouro fills these in on every run and sends them to the service; "
            "you never set them:</p><ul>"
        )
        for param in filled:
            name = str(param.get("name"))
            what = _OURO_HEADERS.get(name.lower(), "set by Ouro")
            out.append(f"<li><code>{escape(name)}</code> " + _muted(f"— {escape(what)}", muted))
        out.append("</ul>")
    if route.input_assets:
        keys = ", ".join(f"<code>{escape(k)}</code>" for k in route.input_assets)
        out.append(
            f"<p>For {keys}, you pick a file or asset; Ouro sends the service its details "
            "and a download link in its place.</p>"
        )
    ids = [("Method and path", f"{route.method} {route.path}")]
    ids += [("Route id", route.id), ("Service id", route.service_id or "—")]
    ids.append(("Full name", route.full_name))
    out.append(
        "<table>"
        + "".join(
            f'<tr><td style="padding:1px 16px 1px 0">{_muted(escape(k), muted)}</td>'
            f"<td><code>{escape(v)}</code></td></tr>"
            for k, v in ids
        )
        + "</table>"
    )
    return "".join(out)
