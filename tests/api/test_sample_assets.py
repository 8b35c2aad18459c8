"""The demo's sample E(V) table and sample post, seen through the app's own client.

The table shipped with the examples is what its recipe says (Birch–Murnaghan points of fcc
Cu with a little noise); dropping it (read as the window reads a dropped file, created
through ``create_dataset``) and choosing the seeded sample give one and the same table and
one and the same fit, within 1 % of the parameters the points came from. The samples are
made once per data directory, and a deleted one stays deleted.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path
from typing import Any

from ouro_desktop.api import OuroClient
from ouro_desktop.core.table_files import TableRows, read_table
from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.samples import (
    DATASET_ID,
    DATASET_NAME,
    EV_TABLE,
    POST_ID,
    POST_NAME,
    POST_TEXT,
)
from ouro_desktop.demo.services.eos_fit import EV_PER_A3_IN_GPA, birch_murnaghan

from .helpers import EXAMPLES, client_for, run, wait_done

# What the sample points were made from (the dataset's description says so too).
E0, V0, B0_GPA, BP = -3.72, 11.81, 140.0, 5.1
NOISE_EV, SEED = 3e-5, 29  # 0.03 meV, a well-converged calculation; seed: copper's Z


def recipe() -> str:
    """The shipped table, rebuilt: nine volumes within ±12 % of V0, energies with noise."""
    rng = random.Random(SEED)
    lines = ["volume (Å³),energy (eV)"]
    for i in range(9):
        v = round(V0 * (0.88 + 0.24 * i / 8), 3)
        e = birch_murnaghan(v, E0, V0, B0_GPA / EV_PER_A3_IN_GPA, BP) + rng.gauss(0, NOISE_EV)
        lines.append(f"{v:.3f},{e:.6f}")
    return "\n".join(lines) + "\n"


def test_the_shipped_table_is_its_recipe() -> None:
    assert (EXAMPLES / EV_TABLE).read_text(encoding="utf-8") == recipe()


async def _fit(client: OuroClient, dataset_id: str, body: dict[str, Any]) -> dict[str, Any]:
    route = await client.get_route("demo/fit-equation-of-state")
    started = await client.execute(
        route, body=body, input_assets={"dataset": dataset_id}, idempotency_key=uuid.uuid4().hex
    )
    action = await wait_done(client, started.action.id)
    assert action.status == "success", action
    return dict(action.response)


def test_dropping_the_table_and_choosing_the_sample_give_the_same_fit(tmp_path: Path) -> None:
    app = create_app(tmp_path / "demo")

    async def scenario() -> None:
        async with client_for(app) as client:
            await client.sign_in()
            # The file as the window reads a dropped table, created as a dataset.
            table = read_table(EXAMPLES / EV_TABLE)
            names = [c.name for c in table.columns]
            assert names == ["volume_a3", "energy_ev"]
            dropped = await client.create_dataset(
                "Cu-energy-volume", table.column_specs(), TableRows(table)
            )
            sample = await client.get_dataset(DATASET_ID)
            assert sample.name == DATASET_NAME and "Birch–Murnaghan" in sample.description
            # The same table: columns and types, row count, every row.
            schema = await client.dataset_schema(DATASET_ID)
            assert schema == await client.dataset_schema(dropped.id)
            assert [c.name for c in schema] == names
            assert (await client.dataset_stats(DATASET_ID)).count == 9
            assert (await client.dataset_stats(dropped.id)).count == 9
            ours = (await client.dataset_rows(DATASET_ID)).rows
            theirs = (await client.dataset_rows(dropped.id)).rows
            assert ours == theirs and len(ours) == 9
            assert ours[4]["volume_a3"] == 11.81

            # The window sets the column fields to the table's columns (volume → volume_a3).
            body = {"volume_column": "volume_a3", "energy_column": "energy_ev"}
            from_drop = await _fit(client, dropped.id, body)
            from_sample = await _fit(client, DATASET_ID, body)
        for key in ("V0_A3", "E0_eV", "B0_GPa", "B0_prime", "rms_residual_meV", "points_used"):
            assert from_drop[key] == from_sample[key], key
        truth = {"V0_A3": V0, "E0_eV": E0, "B0_GPa": B0_GPA, "B0_prime": BP}
        for key, value in truth.items():
            assert abs(from_sample[key] - value) / abs(value) < 0.01, (key, from_sample[key])
        assert from_sample["points_used"] == 9
        assert 0.01 < from_sample["rms_residual_meV"] < 0.06  # the 0.03 meV noise, not a misfit

    run(scenario())


def test_the_sample_post_reads_as_facts(tmp_path: Path) -> None:
    app = create_app(tmp_path / "demo")

    async def scenario() -> None:
        async with client_for(app) as client:
            await client.sign_in()
            (post,) = (await client.search_posts()).items
            assert (post.id, post.name) == (POST_ID, POST_NAME)
            assert post.first_lines()[0] == "# Copper at a glance"
            route = await client.get_route("demo/read-post-facts")
            started = await client.execute(
                route, input_assets={"post": POST_ID}, idempotency_key=uuid.uuid4().hex
            )
            action = await wait_done(client, started.action.id)
        assert action.status == "success", action
        facts = action.response
        assert facts["title"] == POST_NAME
        assert [f["formula"] for f in facts["formulas"]] == ["Cu", "Cu2O", "CuSO4·5H2O"]
        assert facts["formulas"][0]["molar_mass_g_mol"] == 63.546
        quantities = {(q["value"], q["unit"]) for q in facts["quantities"]}
        assert quantities == {
            (3.615, "Å"),
            (11.81, "Å³"),
            (8.96, "g/cm³"),
            (140.0, "GPa"),
            (1358.0, "K"),
            (150.0, "°C"),
        }
        assert facts["summary"].startswith("Metallic Cu crystallises")

    run(scenario())


def test_samples_are_made_once_and_a_deleted_one_stays_deleted(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    first = create_app(data).state.backend
    assert first.store.asset(DATASET_ID)["name"] == DATASET_NAME
    assert first.store.asset(POST_ID)["content"]["text"] == POST_TEXT
    first.store.close()

    again = create_app(data).state.backend  # a later start: nothing added
    assert len(again.store.assets(asset_types=["dataset"])) == 1
    assert len(again.store.assets(asset_types=["post"])) == 1
    again.datasets.delete(again.store.asset(DATASET_ID))
    again.store.close()

    third = create_app(data).state.backend
    assert third.store.asset(DATASET_ID) is None
    assert third.store.assets(asset_types=["dataset"]) == []
    assert len(third.store.assets(asset_types=["post"])) == 1
    third.store.close()
