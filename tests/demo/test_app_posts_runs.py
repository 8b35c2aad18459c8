"""Demo backend in-process: posts (§13.4, §13.6), and datasets and posts in runs (§13.7, §13.8)."""

from __future__ import annotations

import json
from typing import Any

from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults
from ouro_desktop.demo.services.base import DemoService, ServiceCall

from .helpers import Demo, data_of, drive, expect_error
from .test_app_datasets import make_dataset

SEEN: list[ServiceCall] = []


def _operation(extensions: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": properties,
                        "required": [k for k in properties if k in ("table", "post")],
                    }
                }
            },
        },
        "responses": {"200": {"description": "OK"}},
        **extensions,
    }


async def echo_table(call: ServiceCall) -> dict[str, Any]:
    SEEN.append(call)
    rows = call.body["table"]["data"]
    scale = call.body.get("scale", 1)
    return {
        "rows_seen": len(rows),
        "table_out": {
            "name": "Scaled",
            "description": "scaled copy",
            "data": [{"Temp K": r["temp_k"] * scale, "Sample": r["sample_id"]} for r in rows],
        },
        "note": {
            "name": "Echo note",
            "description": "what came in",
            "content": {
                "json": {"type": "doc", "content": [{"type": "paragraph"}]},
                "text": f"{len(rows)} rows",
            },
        },
        "figure_data": {"name": "In the note", "data": [{"x": 1, "y": 2.5}]},
        "nothing": None,
        "no_rows": {"name": "Empty", "data": []},
    }


async def read_post(call: ServiceCall) -> dict[str, Any]:
    SEEN.append(call)
    return {"length": len(call.body["post"]["content"]["text"])}


def echo_service() -> DemoService:
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "Echo", "version": "1"},
        "paths": {
            "/table/echo": {
                "post": _operation(
                    {
                        "x-ouro-input-assets": {"table": {"asset_type": "dataset"}},
                        "x-ouro-output-assets": {
                            "table_out": {"asset_type": "dataset", "primary": True},
                            "note": {"asset_type": "post"},
                            "figure_data": {"asset_type": "dataset", "embedded_in": "note"},
                            "nothing": {"asset_type": "dataset"},
                            "no_rows": {"asset_type": "dataset"},
                        },
                    },
                    {"table": {"type": "object"}, "scale": {"type": "number", "default": 2}},
                )
            },
            "/post/read": {"post": _operation({"x-ouro-input-asset-type": "post"}, {"post": {}})},
        },
    }
    return DemoService(
        key="echo",
        name="Echo",
        description="test service",
        base_url="demo://echo",
        openapi=doc,
        handlers={("POST", "/table/echo"): echo_table, ("POST", "/post/read"): read_post},
        route_names={("POST", "/table/echo"): "echo-table", ("POST", "/post/read"): "read-post"},
    )


def echo_app(tmp_path: Any, **faults: Any) -> Any:
    return create_app(
        tmp_path / "echo", faults=Faults(time_scale=0.01, **faults), services=[echo_service()]
    )


# -- posts -----------------------------------------------------------------------------------
def test_create_read_update_and_delete_posts(demo_app: Any) -> None:
    async def scenario(demo: Demo) -> None:
        markdown = "# Result\nIt **worked**.\n\n- a\n- b\n\n```py\nx = 1\n```"
        post = data_of(
            await demo.post(
                "/posts/create",
                json={
                    "post": {
                        "name": "Note",
                        "visibility": "private",
                        "source": "api",
                        "asset_type": "post",
                        "attribution": {"originality": "original"},
                    },
                    "content": markdown,
                },
            )
        )
        assert post["asset_type"] == "post" and post["content"]["text"] == markdown
        blocks = post["content"]["json"]["content"]
        assert [b["type"] for b in blocks] == ["heading", "paragraph", "bulletList", "codeBlock"]
        assert blocks[1]["content"][1] == {
            "type": "text",
            "text": "worked",
            "marks": [{"type": "bold"}],
        }
        assert blocks[3]["attrs"] == {"language": "py"}
        assert post["preview"] == {"type": "doc", "content": blocks[:3]}
        assert post["assets"] == [] and post["comments"] == 0

        doc = {
            "type": "doc",
            "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Body text"}]}],
        }
        given = data_of(
            await demo.post(
                "/posts/create",
                json={"post": {"name": "Built", "description": "short"}, "content": {"json": doc}},
            )
        )
        assert given["content"] == {"json": doc, "text": "Body text"}
        assert given["description"]["text"] == "short"

        read = data_of(await demo.get(f"/posts/{post['id']}"))
        assert read["content"]["text"] == markdown
        changed = data_of(
            await demo.put(
                f"/posts/{post['id']}", json={"post": {"name": "Renamed"}, "content": "Plain now"}
            )
        )
        assert changed["name"] == "Renamed" and changed["content"]["text"] == "Plain now"

        converted = await demo.post("/utilities/convert/from-markdown", json={"markdown": "# T"})
        assert converted.json() == {
            "json": {
                "type": "doc",
                "content": [
                    {
                        "type": "heading",
                        "attrs": {"level": 1},
                        "content": [{"type": "text", "text": "T"}],
                    }
                ],
            },
            "markdown": "# T",
        }
        md = await demo.post(f"/assets/{post['id']}/download", json={"format": "markdown"})
        assert md.text == "Plain now" and md.headers["content-type"].startswith("text/markdown")
        html = await demo.post(f"/assets/{post['id']}/download")
        assert "<p>Plain now</p>" in html.text and "<h1>Renamed</h1>" in html.text
        expect_error(await demo.post("/posts/create", json={"post": {"name": "x"}}), 400)
        expect_error(
            await demo.post(
                "/posts/create", json={"post": {"name": "x"}, "content": {"json": {"type": "p"}}}
            ),
            400,
        )
        other = await demo.other_user()
        expect_error(await other.get(f"/posts/{post['id']}"), 404)
        expect_error(await other.delete(f"/posts/{post['id']}"), 404)
        data_of(await demo.delete(f"/posts/{post['id']}"))
        expect_error(await demo.get(f"/posts/{post['id']}"), 404)

    drive(demo_app, scenario)


# -- runs ------------------------------------------------------------------------------------
def test_dataset_input_reaches_the_service_and_outputs_become_assets(tmp_path: Any) -> None:
    SEEN.clear()

    async def scenario(demo: Demo) -> None:
        dataset = await make_dataset(demo, rows=4)
        response = await demo.use("echo-table", body={"scale": 10}, inputs={"table": dataset["id"]})
        assert response.status_code == 200, response.text
        call = SEEN[-1]
        table = call.body["table"]
        assert table["id"] == dataset["id"] and table["name"] == "My CSV"
        assert table["description"] == "from a drop"  # plain text, as the service model wants
        assert table["metadata"]["table_name"] == dataset["metadata"]["table_name"]
        assert table["metadata"]["columns"][:2] == ["sample_id", "temp_k"]
        assert [r["temp_k"] for r in table["data"]] == [300, 301, 302, 303]
        assert call.body["scale"] == 10

        envelope = response.json()
        action = envelope["action"]
        outputs = {o["name"]: o for o in action["output_assets"]}
        assert set(outputs) == {"table_out", "note", "figure_data"}  # null and 0 rows skipped
        out = outputs["table_out"]
        assert out["asset_type"] == "dataset" and out["is_primary"]
        assert action["output_asset"]["id"] == out["asset_id"]
        rows = data_of(await demo.get(f"/datasets/{out['asset_id']}/data"))
        assert rows == [{"temp_k": 3000 + 10 * i, "sample": f"s{i}"} for i in range(4)]
        schema = data_of(await demo.get(f"/datasets/{out['asset_id']}/schema"))
        assert [c["data_type"] for c in schema] == ["bigint", "text"]
        note = data_of(await demo.get(f"/posts/{outputs['note']['asset_id']}"))
        assert note["content"]["text"] == "4 rows"
        figure = data_of(await demo.get(f"/datasets/{outputs['figure_data']['asset_id']}"))
        assert figure["parent_id"] == note["id"] and figure["lineage_role"] == "supporting"
        # The stored response keeps no rows; responseData has the asset rows instead.
        assert action["response"]["table_out"] == {
            "name": "Scaled",
            "description": "scaled copy",
            "rows": 4,
            "id": out["asset_id"],
        }
        assert envelope["data"]["responseData"]["table_out"]["id"] == out["asset_id"]
        assert envelope["metadata"]["sideEffect"]["object"] == "dataset"
        assert action["input_assets"][0]["asset_type"] == "dataset"

    drive(echo_app(tmp_path), scenario)


def test_post_input_wrong_types_and_the_row_cap(tmp_path: Any) -> None:
    SEEN.clear()

    async def scenario(demo: Demo) -> None:
        post = data_of(
            await demo.post("/posts/create", json={"post": {"name": "N"}, "content": "# Hi\nthere"})
        )
        response = await demo.use("read-post", inputs={"post": post["id"]})
        assert response.status_code == 200, response.text
        sent = SEEN[-1].body["post"]
        assert sent["id"] == post["id"] and sent["name"] == "N"
        assert sent["content"] == post["content"]
        assert response.json()["action"]["response"] == {"length": len("# Hi\nthere")}

        dataset = await make_dataset(demo, rows=2)
        wrong = expect_error(await demo.use("read-post", inputs={"post": dataset["id"]}), 422)
        assert wrong["message"] == "Input 'post' must be a post, not a dataset."
        missing = expect_error(await demo.use("echo-table"), 422, "missing_input")
        assert "input dataset" in missing["message"]

        big = await make_dataset(demo, rows=6)
        over = await demo.use("echo-table", inputs={"table": big["id"]})
        action = over.json()["action"]
        assert action["status"] == "error"
        assert "at most 5 rows" in action["response"]["error"]["message"]

    drive(echo_app(tmp_path, dataset_input_rows_cap=5), scenario)


def test_header_parameters_reach_the_service_but_are_not_stored(tmp_path: Any) -> None:
    SEEN.clear()

    async def scenario(demo: Demo) -> None:
        post = data_of(
            await demo.post("/posts/create", json={"post": {"name": "N"}, "content": "x"})
        )
        route = demo.route("read-post")
        config = {
            "body": None,
            "input_assets": {"post": {"assetId": post["id"]}},
            "headers": {"Authorization": "Bearer upstream-secret", "ouro-route-id": "forged"},
        }
        response = await demo.post(
            f"/services/{route['parent_id']}/routes/{route['id']}/use", json={"config": config}
        )
        assert response.status_code == 200, response.text
        headers = SEEN[-1].headers
        assert headers["authorization"] == "Bearer upstream-secret"
        assert headers["ouro-route-id"] == route["id"]  # Ouro's own headers cannot be forged
        stored = await demo.action(response.json()["action"]["id"])
        assert "upstream-secret" not in json.dumps(stored)
        assert stored["metadata"]["header_names"] == ["authorization"]
        bad = dict(config, headers={"x-key": 5})
        expect_error(
            await demo.post(
                f"/services/{route['parent_id']}/routes/{route['id']}/use", json={"config": bad}
            ),
            400,
        )

    drive(echo_app(tmp_path), scenario)
