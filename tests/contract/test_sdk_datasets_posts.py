"""ouro-protocol.md §13: the official ouro-py 2.20.0, unchanged, with datasets and posts.

Most tests drive the standalone demo server (``ouro_client``); the 413 test runs the demo
in-test under uvicorn with a small body cap and notes the answers it gives.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from ouro.models import Action, Dataset, Post

from ouro_desktop.demo.app import backend_of, create_app
from ouro_desktop.demo.faults import Faults
from ouro_desktop.demo.services.eos_fit import EV_PER_A3_IN_GPA, birch_murnaghan
from tests.conftest import serve_on_loopback

from .conftest import make_client

pytestmark = pytest.mark.timeout(120)

EOS = "demo/fit-equation-of-state"
REPORT_POST = "demo/write-structure-report"
POST_FACTS = "demo/read-post-facts"


def csv_like_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Sample ID": ["a", "b", ""],
            "Temp (K)": [300, 310, 320],
            "ratio": [0.5, float("nan"), 1.25],
            "ok": [True, False, True],
            "when": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
            "tags": [["x"], {"k": 1}, None],
        }
    )


def eos_frame(b0_gpa: float = 140.0) -> pd.DataFrame:
    volumes = [11.81 * (0.9 + 0.01 * i) for i in range(21)]
    energies = [birch_murnaghan(v, -3.72, 11.81, b0_gpa / EV_PER_A3_IN_GPA, 5.1) for v in volumes]
    return pd.DataFrame({"Volume": volumes, "Energy": energies})


def test_create_a_small_dataset_and_read_it_back(ouro_client: Any) -> None:
    created = ouro_client.datasets.create(
        name="My CSV", visibility="private", data=csv_like_frame(), description="from a drop"
    )
    assert isinstance(created, Dataset) and created.row_ingest.inserted == 3
    names = ["sample_id", "temp_k", "ratio", "ok", "when", "tags"]
    assert created.metadata.columns == names
    assert created.description.text == "from a drop"
    columns = ouro_client.datasets.schema(created.id)
    assert [(c.name, c.type) for c in columns] == [
        ("sample_id", "text"),
        ("temp_k", "bigint"),
        ("ratio", "double precision"),
        ("ok", "boolean"),
        ("when", "timestamp with time zone"),
        ("tags", "text"),
    ]
    stats = ouro_client.datasets.stats(created.id)
    assert (stats.count, stats.column_count) == (3, 6)
    frame = ouro_client.datasets.query(created.id)
    assert list(frame.columns) == names
    assert frame["temp_k"].tolist() == [300, 310, 320]
    assert frame["tags"].tolist()[:2] == ['["x"]', '{"k": 1}']
    assert frame["sample_id"].isna().tolist() == [False, False, True]  # "" became null
    assert math.isnan(frame["ratio"][1]) and frame["ok"].tolist() == [True, False, True]
    counted = ouro_client.datasets.query(created.id, "SELECT count(*) AS n FROM {{table}}")
    assert counted["n"].tolist() == [3]
    assert ouro_client.datasets.retrieve(created.id).preview[0]["temp_k"] == 300
    assert ouro_client.assets.retrieve(created.id).asset_type == "dataset"


def test_a_big_dataset_goes_in_batches_and_pages_back(ouro_client: Any) -> None:
    rows = [{"id": i, "label": f"row-{i:07d}", "payload": "p" * 60} for i in range(70_000)]
    created = ouro_client.datasets.create(name="big", visibility="private", data=rows)
    assert created.row_ingest.inserted == 70_000
    assert ouro_client.datasets.stats(created.id).count == 70_000
    page = ouro_client.datasets.list_rows(created.id, limit=1000)
    assert len(page.data) == 1000 and page.has_more and page.total == 70_000
    nxt = ouro_client.datasets.list_rows(created.id, limit=1000, cursor=page.next_cursor)
    assert nxt.data[0]["id"] == 1000
    everything = ouro_client.datasets.query(created.id)
    assert len(everything) == 70_000 and everything["id"].tolist()[-1] == 69_999

    ouro_client.datasets.update(created.id, data=rows[:10], data_mode="overwrite")
    assert ouro_client.datasets.stats(created.id).count == 10


@dataclass
class Answers:
    """An ASGI wrapper that notes each /data request's answer status."""

    app: Any
    statuses: list[int] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/data"):
            await self.app(scope, receive, send)
            return

        async def noting(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.statuses.append(message["status"])
            await send(message)

        await self.app(scope, receive, noting)


@pytest.fixture
def capped_server(tmp_path: Path) -> Iterator[tuple[Answers, str, str]]:
    app = create_app(tmp_path / "capped", faults=Faults(dataset_body_cap_bytes=3_000_000))
    answers = Answers(app)
    with serve_on_loopback(answers) as url:
        yield answers, url, backend_of(app).api_key


def test_a_413_makes_ouro_py_send_smaller_batches(
    capped_server: tuple[Answers, str, str], sdk_cwd: Path
) -> None:
    answers, url, key = capped_server
    client = make_client(url, key)
    rows = [{"id": i, "label": f"row-{i:07d}", "payload": "p" * 60} for i in range(70_000)]
    created = client.datasets.create(name="big413", visibility="private", data=rows)
    assert 413 in answers.statuses and answers.statuses[-1] == 200
    assert client.datasets.stats(created.id).count == 70_000
    assert client.datasets.query(created.id)["id"].tolist() == list(range(70_000))


def test_posts_in_every_content_form(ouro_client: Any) -> None:
    markdown = ouro_client.posts.create(
        name="Note", content_markdown="# Result\nIt worked.", visibility="private"
    )
    assert isinstance(markdown, Post) and markdown.content.text == "# Result\nIt worked."
    assert markdown.content.data["content"][0]["type"] == "heading"
    editor = ouro_client.posts.Editor()
    editor.new_header(level=1, text="Title")
    editor.new_paragraph("Body text")
    built = ouro_client.posts.create(name="Built", content=editor, description="short")
    assert built.content.text == "# Title\nBody text\n"
    parsed = ouro_client.posts.create(
        name="Parsed", content=ouro_client.posts.Content(text="# Parsed")
    )
    assert parsed.content.data["content"][0]["attrs"] == {"level": 1}
    read = ouro_client.posts.retrieve(built.id)
    assert read.content.data == editor.json and read.description.text == "short"
    listed = ouro_client.posts.list(query="note", scope="all", sort="recent")
    assert markdown.id in [p.id for p in listed]


def test_pickers_list_and_search_by_type(ouro_client: Any) -> None:
    dataset = ouro_client.datasets.create(
        name="picker table", visibility="private", data=[{"a": 1}, {"a": 2}]
    )
    post = ouro_client.posts.create(name="picker note", content_markdown="text")
    datasets = ouro_client.datasets.list(scope="personal", limit=50)
    assert dataset.id in [d.id for d in datasets] and all(isinstance(d, Dataset) for d in datasets)
    both = ouro_client.assets.search(
        "picker", asset_type=["dataset", "post"], user_id=str(ouro_client.user.id), scope=""
    )
    assert {(a.asset_type, a.id) for a in both} == {("dataset", dataset.id), ("post", post.id)}


def test_downloads_of_a_dataset_and_a_post(ouro_client: Any) -> None:
    created = ouro_client.datasets.create(
        name="my data", visibility="private", data=[{"ts": "2024-01-01", "value": 1.5}]
    )
    out = tempfile.mkdtemp(prefix="ouro-dl-") + "/"
    saved = ouro_client.assets.download(created.id, output_path=out)
    assert saved.filename == "my data.csv" and saved.content_type.startswith("text/csv")
    assert Path(saved.path).read_text() == "ts,value\n2024-01-01,1.5\n"
    link = ouro_client.assets.create_download_url(created.id)
    assert link["asset_type"] == "dataset"
    assert httpx.get(link["download_url"]).text == "ts,value\n2024-01-01,1.5\n"
    post = ouro_client.posts.create(name="exported", content_markdown="# Hello")
    md = ouro_client.assets.download(post.id, output_path=out, format="markdown")
    assert Path(md.path).read_text() == "# Hello"


def test_a_route_with_a_dataset_input_and_a_dataset_output(ouro_client: Any) -> None:
    table = ouro_client.datasets.create(name="Cu E(V)", visibility="private", data=eos_frame())
    action = ouro_client.routes.execute(
        EOS,
        body={"volume_column": "Volume", "energy_column": "Energy"},
        input_assets={"dataset": str(table.id)},
    )
    assert isinstance(action, Action) and action.status == "success", action.response
    answer = action.response
    assert answer["B0_GPa"] == pytest.approx(140.0, rel=1e-4)
    assert answer["V0_A3"] == pytest.approx(11.81, rel=1e-5)
    assert answer["B0_prime"] == pytest.approx(5.1, rel=1e-3)
    residuals = action.output_assets[0]
    assert residuals["asset_type"] == "dataset" and residuals["name"] == "residuals"
    assert action.final_data["residuals"]["id"] == residuals["asset_id"]
    frame = ouro_client.datasets.query(residuals["asset_id"])
    assert len(frame) == 21 and set(frame.columns) >= {"volume_a3", "residual_mev"}
    assert action.input_assets[0]["asset_id"] == str(table.id)


def test_a_post_made_by_one_route_is_read_by_another(ouro_client: Any, examples: Path) -> None:
    cif = ouro_client.files.create(
        name="Cu (fcc)", visibility="private", file_path=str(examples / "Cu.cif")
    )
    written = ouro_client.routes.execute(
        REPORT_POST, body={"notes": "Annealed at 600 K."}, input_assets={"file": str(cif.id)}
    )
    assert written.status == "success", written.response
    post_row = written.output_assets[0]
    assert post_row["asset_type"] == "post"
    post = ouro_client.posts.retrieve(post_row["asset_id"])
    assert post.name == "Cu structure report" and "Annealed at 600 K." in post.content.text

    read = ouro_client.routes.execute(POST_FACTS, input_assets={"post": str(post.id)})
    assert read.status == "success", read.response
    facts = read.response
    assert "Cu" in [f["formula"] for f in facts["formulas"]]
    assert (600.0, "K") in [(q["value"], q["unit"]) for q in facts["quantities"]]
    assert facts["title"] == "Cu structure report"
