"""Demo routes whose service answers with JSON text (:class:`JsonText`), as an HTTP
service does: each answers with the text given in its request's ``json`` field.

* ``demo/answer-text-async`` and ``demo/answer-text-sync``: that text, as the answer;
* ``demo/answer-text-file``: that text, with a file made from its ``file`` output.

Used by tests/demo and tests/contract (added with ``services=demo_services() +
answer_text_services()``).
"""

from __future__ import annotations

from typing import Any

from ouro_desktop.demo.services import DemoService, JsonText, ServiceCall, merge_documents
from ouro_desktop.demo.services.spec import document, post_operation


async def _answer(call: ServiceCall) -> JsonText:
    return JsonText(str(call.body.get("json") or "").encode("utf-8"))


def _doc(path: str, mode: str, outputs: dict[str, Any] | None = None) -> dict[str, Any]:
    model = "AnswerTextRequest"
    extensions: dict[str, Any] = {"x-ouro-execution-mode": mode}
    if outputs:
        extensions["x-ouro-output-assets"] = outputs
    op = post_operation(
        summary=f"Answer with the given JSON text ({mode})",
        description="Answers with the JSON text given in the request.",
        operation_id=path.strip("/").replace("/", "_").replace("-", "_"),
        request_model=model,
        extensions=extensions,
    )
    schema = {
        "type": "object",
        "title": model,
        "properties": {"json": {"type": "string", "title": "JSON text"}},
    }
    return document(
        title="Answer text", description="", path=path, operation=op, schemas={model: schema}
    )


def answer_text_services() -> list[DemoService]:
    file_output = {"file": {"asset_type": "file", "primary": True, "file_extensions": ["txt"]}}
    routes = {
        "/text/async": ("answer-text-async", _doc("/text/async", "async")),
        "/text/sync": ("answer-text-sync", _doc("/text/sync", "sync")),
        "/text/file": ("answer-text-file", _doc("/text/file", "sync", file_output)),
    }
    return [
        DemoService(
            key="demo-answer-text",
            name="Answer text",
            description="Routes that answer with the JSON text they are given.",
            base_url="demo://answer-text",
            openapi=merge_documents("Answer text", "", [doc for _name, doc in routes.values()]),
            handlers={("POST", path): _answer for path in routes},
            route_names={("POST", path): name for path, (name, _doc) in routes.items()},
        )
    ]
