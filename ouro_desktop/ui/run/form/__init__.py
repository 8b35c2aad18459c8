"""The schema-driven request form: :class:`RequestForm` and the widgets it is built from.

Schema logic (which fields, which types, validation) is Qt-free in
:mod:`ouro_desktop.api.schema`; this package only draws it. :mod:`.builder` holds the
registry of node kind → widget.
"""

from __future__ import annotations

from ouro_desktop.api.schema import FormValue
from ouro_desktop.ui.run.form.form import RequestForm

__all__ = ["FormValue", "RequestForm"]
