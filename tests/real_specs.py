"""The five real route specs, registered in the demo backend with a checking test service.

``real_spec_services()`` builds one :class:`DemoService` per spec, the way the demo builds
its own (every operation becomes a route, ``x-ouro-*`` mapped by the importer), with a
handler for every operation that

* checks the body it receives against the operation's **own** request schema from the spec
  document (``$ref``s resolved against its components), input assets included, and refuses
  it with a 422 listing every problem (so a wrong body fails the run, visibly);
* records what it received (body and headers) in ``SEEN``;
* answers with an output payload of the declared type: a small valid image, audio, video,
  3D model or CIF file, a dataset built from the input rows, or a post.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from ouro_desktop.demo.openapi_import import route_definitions
from ouro_desktop.demo.services.base import DemoService, ServiceCall, ServiceError
from ouro_desktop.demo.services.real_specs import load_spec

SPEC_DIR = Path(__file__).resolve().parent / "data" / "real-route-specs"
NAMES = ("materials-relax", "crystallm-generate", "stability", "openai", "nixtla-timegpt")
SEEN: list[tuple[str, ServiceCall]] = []


def load(name: str) -> dict[str, Any]:
    if name in ("materials-relax", "crystallm-generate"):
        return load_spec(f"{name}.openapi.json")
    return json.loads((SPEC_DIR / f"{name}.openapi.json").read_text(encoding="utf-8"))


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x80\x00"))
        + chunk(b"IEND", b"")
    )


CIF = "data_Cu\n_cell_length_a 3.615\n_symmetry_space_group_name_H-M 'F m -3 m'\n"
# (bytes, extension, MIME) per output kind
FILES = {
    "image": (tiny_png(), "png", "image/png"),
    "audio": (b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 32, "mp3", "audio/mpeg"),
    "video": (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 16, "mp4", "video/mp4"),
    "3d": (b"glTF\x02\x00\x00\x00" + b"\x00" * 12, "glb", "model/gltf-binary"),
    "cif": (CIF.encode(), "cif", "chemical/x-cif"),
}


def _validator(doc: dict[str, Any], operation: dict[str, Any]) -> Draft202012Validator:
    """The operation's own body schema; an operation without a body takes an empty one."""
    body = operation.get("requestBody")
    if body is None:
        return Draft202012Validator({"type": "object", "maxProperties": 0})
    schema = body["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": doc.get("components", {})})


def _file_output(operation: dict[str, Any], path: str) -> dict[str, Any]:
    kind = operation.get("x-ouro-output-asset-filter") or "cif"
    data, ext, mime = FILES[kind]
    name = path.strip("/").replace("/", "-")
    return {
        "name": f"{name} output",
        "description": f"made by the test service for {path}",
        "base64": base64.b64encode(data).decode(),
        "extension": ext,
        "type": mime,
        "filename": f"{name}.{ext}",
    }


def _handler(name: str, doc: dict[str, Any], path: str, operation: dict[str, Any]) -> Any:
    validator = _validator(doc, operation)

    async def handle(call: ServiceCall) -> dict[str, Any]:
        SEEN.append((f"{name} {path}", call))
        problems = sorted(
            f"{'.'.join(str(p) for p in e.absolute_path) or 'body'}: {e.message}"
            for e in validator.iter_errors(call.body)
        )
        if problems:
            raise ServiceError(422, "; ".join(problems))
        answer: dict[str, Any] = {"received": sorted(call.body)}
        kind = operation.get("x-ouro-output-asset-type")
        if kind == "file":
            answer["file"] = _file_output(operation, path)
        elif kind == "dataset":
            config = call.body["config"]
            rows = call.body["dataset"]["data"]
            last = rows[-1][config["value_column"]]
            answer["dataset"] = {
                "name": "Forecast",
                "description": f"{config['horizon']} steps ahead",
                "data": [
                    {"ds": f"step {i + 1}", "TimeGPT": last + i}
                    for i in range(int(config["horizon"]))
                ],
            }
        elif kind == "post":
            text = f"# Forecast report\nBased on {len(call.body['dataset']['data'])} rows."
            answer["post"] = {
                "name": "Forecast report",
                "description": "made by the test service",
                "content": {"json": {"type": "doc", "content": []}, "text": text},
            }
        if "post" in call.body:
            answer["characters"] = len(call.body["post"]["content"]["text"])
        return answer

    return handle


def real_spec_services() -> list[DemoService]:
    services = []
    for name in NAMES:
        doc = load(name)
        handlers = {}
        for definition in route_definitions(doc):
            method, path = definition["method"], definition["path"]
            operation = doc["paths"][path][method.lower()]
            handlers[(method, path)] = _handler(name, doc, path, operation)
        services.append(
            DemoService(
                key=f"real-{name}",
                name=doc["info"]["title"],
                description=doc["info"].get("description") or doc["info"]["title"],
                base_url=f"https://{name}.example.invalid",
                openapi=doc,
                handlers=handlers,
            )
        )
    return services
