"""A dataset output's columns and cells as a scientist reads them (no Qt).

Ouro keeps a dataset's columns by stored name only -- lower-case snake_case
(:mod:`ouro_desktop.dataset_columns`): the EOS route's residuals come back as
``volume_a3``, ``fitted_energy_ev``, ``residual_mev``. A column's title, first match wins:

1. the route's own words: a field of its response schema whose key has that stored name
   (anywhere in the schema: the rows a route writes as a dataset are usually also in its
   answer, e.g. the EOS route's ``points``), read as the result view reads it -- the
   schema ``title`` and unit, else the humanised key (:func:`schema_column_titles`);
2. else the stored name humanised, its unit from the key-suffix table of
   :mod:`ouro_desktop.core.units`. Stored names are lower case, so a suffix is also looked
   up without case (``_a3`` → Å³, ``_mev`` → meV, ``_gpa`` → GPa), except for suffixes of
   one letter, which lower case makes names rather than units (``lattice_a`` is the cell
   length a, not ångström; ``_k`` a wave vector, not kelvin).

The title reads "Volume (Å³)"; the stored name stays on the header's hover. Cells are
rounded like the result view's numbers (:func:`number_cell`), the exact value on hover.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ouro_desktop.core.labels import label_and_unit
from ouro_desktop.core.number_format import exact_text, format_number, is_number
from ouro_desktop.core.response_schema import resolve
from ouro_desktop.core.units import TOKEN_UNITS, split_key_unit
from ouro_desktop.dataset_columns import stored_column_name

__all__ = ["column_title", "number_cell", "schema_column_titles"]

_MAX_DEPTH: Final = 8
_MAX_FIELDS: Final = 2000


def _lower_units() -> dict[str, str]:
    """Lower-cased unit tokens of two letters or more that name one unit only."""
    seen: dict[str, set[str]] = {}
    for token, unit in TOKEN_UNITS.items():
        if len(token) > 1:
            seen.setdefault(token.lower(), set()).add(unit)
    return {token: next(iter(units)) for token, units in seen.items() if len(units) == 1}


_LOWER_UNITS: Final = _lower_units()
_TOKEN_OF: Final = {unit: token for token, unit in reversed(list(TOKEN_UNITS.items()))}


def _as_key(stored: str) -> str:
    """``volume_a3`` → ``volume_A3``: a lower-cased unit suffix given its case back, so the
    key-suffix table reads it."""
    if split_key_unit(stored).unit:
        return stored
    tokens = stored.split("_")
    for at in range(len(tokens) - 1, 0, -1):  # the suffix, or a "per" chain's parts
        unit = _LOWER_UNITS.get(tokens[at])
        if unit is not None and (at == len(tokens) - 1 or tokens[at - 1] == "per"):
            tokens[at] = _TOKEN_OF.get(unit, tokens[at])
    return "_".join(tokens)


def column_title(stored: str, known: Mapping[str, tuple[str, str]] | None = None) -> str:
    """The header of the column ``stored``: "Volume (Å³)" (rules in the module docstring);
    ``known`` maps stored names to the route's (label, unit)."""
    label, unit = (known or {}).get(stored) or label_and_unit(_as_key(stored), None)
    label = label or stored
    return f"{label} ({unit})" if unit else label


def schema_column_titles(schema: Mapping[str, Any] | None) -> dict[str, tuple[str, str]]:
    """Stored column name → (label, unit) for every field key of ``schema`` (a route's
    response schema), the first met winning (breadth first: the answer's own fields before
    those of its lists)."""
    titles: dict[str, tuple[str, str]] = {}
    queue: list[tuple[Any, int]] = [(schema, 0)]
    count = 0
    while queue and count < _MAX_FIELDS:
        node, depth = queue.pop(0)
        current = resolve(node)
        if depth > _MAX_DEPTH or not current:
            continue
        properties = current.get("properties")
        if isinstance(properties, Mapping):
            for key, sub in properties.items():
                count += 1
                sub_schema = resolve(sub)
                stored = stored_column_name(str(key))
                if stored and stored not in titles:
                    titles[stored] = label_and_unit(str(key), sub_schema)
                queue.append((sub_schema, depth + 1))
        items = current.get("items")
        if isinstance(items, Mapping):
            queue.append((items, depth + 1))
    return titles


def number_cell(value: Any) -> tuple[str, str] | None:
    """A number cell as read and as sent (``-14.74318199`` → ``("−14.74",
    "-14.74318199")``), like the result view's numbers; None for any other cell."""
    if not is_number(value):
        return None
    return format_number(value), exact_text(value)
