"""What a run was given, as the runs list shows it beside the route's name."""

from __future__ import annotations

from typing import Any

from ouro_desktop.api.models import Action
from ouro_desktop.core.history import entry_from_action, entry_from_record, merge
from ouro_desktop.core.run_given import GIVEN_MAX_CHARS, TEXT_MAX_CHARS, given_from_record
from ouro_desktop.core.run_record import RunState
from tests.core.test_history import T0, action, record

ASSET = "0190d3c2-1111-7aaa-8bbb-0123456789ab"


def test_file_names_in_input_order() -> None:
    files = {
        "structure": {"name": "Cu.cif", "asset_id": ASSET},
        "table": {"name": "cu ev.csv", "asset_id": "x", "path": "/tmp/cu ev.csv"},
    }
    assert given_from_record(files, {"structure": ASSET, "decimals": 3}) == "Cu.cif, cu ev.csv"


def test_a_run_given_no_file_shows_its_first_text() -> None:
    body = {"formula": "CuSO4·5H2O", "mass_unit": "g/mol", "decimals": 4}
    assert given_from_record({}, body) == "CuSO4·5H2O"
    # Numbers, lists and groups are settings: a run given only those shows nothing.
    assert given_from_record({}, {"na": 2, "conditions": {"T": 300}, "xs": [1, 2]}) == ""
    # An asset id is not words; the field carrying an input is passed over.
    assert given_from_record({}, {"post": ASSET, "prompt": "  a cubic\n perovskite "}) == (
        "a cubic perovskite"
    )


def test_long_words_are_cut() -> None:
    prompt = "Generate a stable cubic perovskite with a lattice parameter near four Å"
    text = given_from_record({}, {"prompt": prompt})
    assert len(text) == TEXT_MAX_CHARS and text.endswith("…") and prompt.startswith(text[:-1])
    many = {f"f{i}": {"name": f"structure-{i:03d}.cif"} for i in range(10)}
    names = given_from_record(many, {})
    assert len(names) == GIVEN_MAX_CHARS and names.startswith("structure-000.cif, ")


def test_entries_from_the_ledger_and_from_the_server_say_the_same() -> None:
    local = entry_from_record(
        record(
            "l1",
            state=RunState.SUCCESS,
            action_id="a1",
            input_files={"file": {"name": "Al.cif", "asset_id": ASSET}},
            result_summary={"fermi_energy_eV": 11.6},
        )
    )
    assert local.given == "Al.cif"
    raw: dict[str, Any] = {
        "id": "a2",
        "route_id": "route-1",
        "status": "success",
        "metadata": {"body": {}, "input_assets": {"file": {"assetId": ASSET}}},
        "input_assets": [
            {"name": "file", "asset_id": ASSET, "asset": {"id": ASSET, "name": "Si.cif"}}
        ],
    }
    server = entry_from_action(Action.from_json(raw), "demo/dos")
    assert server.given == "Si.cif"
    typed = action("a3", "success", metadata={"body": {"formula": "NaCl", "unit": "g/mol"}})
    assert entry_from_action(typed, "demo/formula").given == "NaCl"
    # A run known to both keeps its words whichever side's state wins.
    (both,) = merge(
        [record("l1", action_id="a1", input_files={"f": {"name": "Cu.cif"}})],
        [action("a1", "success", finished_at=T0 + 2)],
        {},
        {},
    )
    assert both.status is RunState.SUCCESS and both.given == "Cu.cif"
