"""The demo account's sample dataset and sample post, made once on the demo's first start.

A new person in the offline demo has no table and no post of their own yet, so the
equation-of-state route's "Choose one of my datasets…" and the post route's "Choose one of
my posts…" would open empty. The demo therefore starts with one of each: the E(V) points
of ``examples/Cu-energy-volume.csv`` as a dataset (made by the demo's own
:class:`~.datasets.DatasetService` from the rows and column names the app sends for that
file dropped on a dataset input, so its schema, rows and row count are those of an
uploaded copy), and a short note on copper as a post (through :class:`~.posts.PostService`)
that ``read-post-facts`` finds formulas and quantities in.

They are made once per data directory (a ``meta`` flag): a sample the person deletes stays
deleted, and later starts never add a second copy. Their ids are derived from their names,
like the rest of the seeding.
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from typing import Any

from ..dataset_columns import header_column_names
from .datasets import DatasetService
from .posts import PostService
from .store import Store, seed_id

SEEDED_FLAG = "samples_seeded"
EV_TABLE = "Cu-energy-volume.csv"
DATASET_NAME = "Sample: Cu energy–volume points"
DATASET_DESCRIPTION = (
    "A sample table to try the equation-of-state route with: the energy of fcc copper at "
    "nine volumes around its equilibrium, one atom per cell (volume in Å³, energy in eV). "
    "The points were generated from a third-order Birch–Murnaghan curve with V0 = 11.81 Å³, "
    "E0 = −3.72 eV, B0 = 140 GPa and B0′ = 5.1, plus 0.03 meV of random noise, as a well-"
    "converged calculation would give; a fit should give those values back. The same "
    f"points are in the example file {EV_TABLE} that comes with the app."
)
POST_NAME = "Sample: notes on copper"
POST_DESCRIPTION = "A short sample text to try the routes that read a post."
POST_TEXT = """# Copper at a glance

Metallic Cu crystallises in the face-centred cubic structure with a lattice parameter \
of 3.615 Å, so each atom occupies 11.81 Å³ and the density is 8.96 g/cm³. Its bulk \
modulus is about 140 GPa, and it melts at 1358 K.

In moist air copper slowly tarnishes to Cu2O and then to green basic carbonates. \
Blue vitriol, CuSO4·5H2O, loses its water of crystallisation on heating above 150 °C \
and turns white.
"""
DATASET_ID = seed_id("dataset", "sample", "cu-energy-volume")
POST_ID = seed_id("post", "sample", "notes-on-copper")


def ev_table_text() -> str:
    """The sample E(V) table as shipped with the app (UTF-8 CSV with a header row)."""
    source = resources.files("ouro_desktop.demo").joinpath("examples", EV_TABLE)
    return source.read_text(encoding="utf-8")


def ev_rows() -> tuple[list[str], list[dict[str, float]]]:
    """(stored column names, rows) as the app sends them for the table dropped on an input."""
    reader = csv.reader(io.StringIO(ev_table_text()))
    header = next(reader)
    names = header_column_names(header)
    rows = [{n: float(v) for n, v in zip(names, line, strict=True)} for line in reader if line]
    return names, rows


def _create_table_sql(names: list[str]) -> str:
    columns = ",\n  ".join(f'"{n}" DOUBLE PRECISION' for n in names)
    return f'CREATE TABLE IF NOT EXISTS datasets."dataset" (\n  {columns}\n)'


def seed_samples(
    store: Store, user: dict[str, Any], datasets: DatasetService, posts: PostService
) -> bool:
    """Make the sample dataset and post once per data directory; True when made now."""
    if store.get_meta(SEEDED_FLAG):
        return False
    names, rows = ev_rows()
    spec = {
        "name": DATASET_NAME,
        "visibility": "private",
        "description": DATASET_DESCRIPTION,
        "schema": _create_table_sql(names),
        "source": "api",
        "preview": rows[:12],
        "rows": rows,  # inline, as the app sends a table this small
        "metadata": {"schema": "datasets", "columns": names},
        "attribution": {"originality": "original"},
    }
    if store.asset(DATASET_ID) is None:
        datasets.create(user, spec, asset_id=DATASET_ID)
    if store.asset(POST_ID) is None:
        posts.create(
            user,
            {"name": POST_NAME, "description": POST_DESCRIPTION, "visibility": "private"},
            POST_TEXT,
            asset_id=POST_ID,
        )
    store.set_meta(SEEDED_FLAG, "1")
    return True
