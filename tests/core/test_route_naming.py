"""Route titles: endpoint names read as the route's summary and service."""

from __future__ import annotations

from pathlib import Path

from ouro_desktop.api.models import Route
from ouro_desktop.core.route_naming import (
    RouteNames,
    is_endpoint_name,
    route_title,
    search_words,
    title_of,
)


def _route(name: str, summary: str = "", *, full: bool = True, description: str = "") -> Route:
    raw: dict = {
        "id": "r-" + name,
        "name": name,
        "name_url_slug": name.lower().replace(" ", "-").replace("/", ""),
        "user": {"username": "demo"},
        "parent_id": "svc-1",
        "description": description,
    }
    if full:
        raw["route"] = {"method": "POST", "path": "/generate", "summary": summary}
    return Route.from_json(raw)


def test_endpoint_names_are_recognised() -> None:
    assert is_endpoint_name("POST /generate")
    assert is_endpoint_name("get /materials/{id}")
    assert is_endpoint_name("/predict")
    assert not is_endpoint_name("formula-properties")
    assert not is_endpoint_name("POST office hours")


def test_an_endpoint_name_reads_as_summary_and_service() -> None:
    assert (
        route_title("POST /generate", "Generate a crystal structure with CrystaLLM", "CrystaLLM")
        == "Generate a crystal structure — CrystaLLM"
    )
    assert (
        route_title(
            "POST /materials/structure/relax", "Relax a crystal structure.", "Materials API"
        )
        == "Relax a crystal structure — Materials API"
    )
    assert route_title("POST /generate", "Generate a crystal structure") == (
        "Generate a crystal structure"
    )
    assert route_title("POST /materials/relax", "", "Materials API") == (
        "Materials API — materials relax"
    )
    assert route_title("POST /x", "", "", "Make an x. It is long.") == "Make an x"
    # A name a person chose stays as it is.
    assert route_title("formula-properties", "Formula properties", "Chem") == "formula-properties"


def test_titles_are_kept_and_a_whole_route_wins(tmp_path: Path) -> None:
    path = tmp_path / "names.json"
    names = RouteNames(path)
    full = _route("POST /generate", "Generate a crystal structure with CrystaLLM")
    assert names.needs_service(full) == "svc-1"
    names.learn_service("svc-1", "CrystaLLM")
    assert names.needs_service(full) is None
    assert names.title(full) == "Generate a crystal structure — CrystaLLM"
    hit = _route("POST /generate", full=False, description="Generate one, with a long tail.")
    assert names.title(hit) == "Generate a crystal structure — CrystaLLM"  # learnt above
    names.flush()
    again = RouteNames(path)
    assert again.title_for(full.id) == "Generate a crystal structure — CrystaLLM"
    assert again.title_for("unknown", "demo/formula-properties") == "formula-properties"
    assert title_of(full, again.services) == "Generate a crystal structure — CrystaLLM"


def test_a_name_that_opened_nothing_is_searched_for_by_its_words() -> None:
    assert search_words("demo/fermi-dos") == "fermi dos"
    assert search_words(" mmoderwell/predict_electronic-dos ") == "predict electronic dos"
    assert search_words("https://ouro.foundation/routes/ada/band-gap?tab=api#x") == "band gap"
    assert search_words("0198c3a2-7d1e-7c4b-9a55-1f2e3d4c5b6a") == ""  # an id: no words
    assert search_words("") == ""
