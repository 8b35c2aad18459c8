"""A demo service whose answers carry outputs of every kind, for the output tests and
``benchmarks/result_view.py``.

Not part of the app's demo: tests add it to an in-process backend
(``create_app(..., services=demo_services() + output_services())``).

* ``demo/make-outputs``: answers a picture (a PNG ``width`` × ``height``, its left half
  red and its right half blue, with ``noise`` rows of random pixels for a realistic file
  size), a text file of ``text_kb`` KB, a small JSON file and a sound (MP3 bytes), each a
  declared output, plus two titled values;
* ``demo/big-answer``: answers about ``megabytes`` MB of curve records
  (``{energy_eV, dos_per_eV}``) as its answer, with a title and units in its schema.

:func:`png_bytes` writes a PNG without any imaging library (the demo imports no Qt).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import struct
import zlib
from typing import Any

from ouro_desktop.demo.services import DemoService, ServiceCall, file_payload, merge_documents
from ouro_desktop.demo.services.spec import (
    document,
    field,
    output_file_schema,
    post_operation,
    response_model,
)

RED, BLUE = (220, 30, 30), (30, 60, 220)
MP3_HEAD = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + bytes(400)


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_bytes(width: int, height: int, *, noise: float = 0.0) -> bytes:
    """An RGB PNG: left half red, right half blue; a ``noise`` share of the rows random."""
    half = width // 2
    plain = b"\x00" + bytes(RED) * half + bytes(BLUE) * (width - half)
    every = int(1 / noise) if noise > 0 else 0
    compressor = zlib.compressobj(1)
    parts = []
    for y in range(height):
        if every and y % every == 0:
            row = b"\x00" + os.urandom(3 * width)
        else:
            row = plain
        parts.append(compressor.compress(row))
    parts.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", b"".join(parts))
        + _chunk(b"IEND", b"")
    )


def text_bytes(kilobytes: int) -> bytes:
    lines, size, i = [], 0, 0
    while size < kilobytes * 1024:
        line = f"{i:06d} measured 1.2345 eV at 300 K; sample ok"
        lines.append(line)
        size += len(line) + 1
        i += 1
    return ("\n".join(lines) + "\n").encode()


async def _make_outputs(call: ServiceCall) -> dict[str, Any]:
    width = int(call.body.get("width") or 400)
    height = int(call.body.get("height") or 300)
    noise = float(call.body.get("noise") or 0.0)
    text_kb = int(call.body.get("text_kb") or 100)
    picture = await asyncio.to_thread(png_bytes, width, height, noise=noise)
    return {
        "picture": file_payload("red and blue", picture, "png", "image/png", "Two halves."),
        "notes": file_payload("measurement log", text_bytes(text_kb), "txt", "text/plain"),
        "data": file_payload(
            "fit parameters",
            json.dumps({"a_A": 3.615, "bulk_modulus_GPa": 137.0}, indent=2).encode(),
            "json",
            "application/json",
        ),
        "sound": file_payload("beep", MP3_HEAD, "mp3", "audio/mpeg", "A short sound."),
        "pixels": width * height,
        "temperature_K": 300.0,
    }


def answer_records(megabytes: float) -> list[dict[str, float]]:
    n = max(1, int(megabytes * 1_000_000 / 48))
    step = 50.0 / n
    return [
        {
            "energy_eV": round(i * step, 6),
            "dos_per_eV": round(math.sqrt(i * step) * (1.0 + 0.1 * math.sin(i)), 9),
        }
        for i in range(n)
    ]


async def _big_answer(call: ServiceCall) -> dict[str, Any]:
    megabytes = float(call.body.get("megabytes") or 1.0)
    curve = await asyncio.to_thread(answer_records, megabytes)
    return {"points": len(curve), "fermi_energy_eV": 7.031, "curve": curve}


def _outputs_doc() -> dict[str, Any]:
    declared = {
        key: {"asset_type": "file", "primary": key == "picture", "file_extensions": [ext]}
        for key, ext in (("picture", "png"), ("notes", "txt"), ("data", "json"), ("sound", "mp3"))
    }
    schemas = {
        "OutputsRequest": {
            "type": "object",
            "title": "OutputsRequest",
            "properties": {
                "width": {"type": "integer", "title": "Width (pixels)", "default": 400},
                "height": {"type": "integer", "title": "Height (pixels)", "default": 300},
                "noise": {"type": "number", "title": "Noise", "default": 0.0},
                "text_kb": {"type": "integer", "title": "Text size (KB)", "default": 100},
            },
        },
        "OutputsResponse": response_model(
            "OutputsResponse",
            "Files of every kind.",
            {
                "picture": output_file_schema("Picture", "A red and blue picture."),
                "notes": output_file_schema("Measurement log", "A long text file."),
                "data": output_file_schema("Fit parameters", "A small JSON file."),
                "sound": output_file_schema("Sound", "A short sound."),
                "pixels": field("integer", "Pixels", "Pixels in the picture."),
                "temperature_K": field("number", "Temperature", "Of the sample.", "K"),
            },
        ),
    }
    op = post_operation(
        summary="Make outputs of every kind",
        description="Answers a picture, a text, a JSON file and a sound.",
        operation_id="make_outputs",
        request_model="OutputsRequest",
        response_model="OutputsResponse",
        extensions={"x-ouro-execution-mode": "sync", "x-ouro-output-assets": declared},
    )
    return document(
        title="Outputs", description="Outputs", path="/test/outputs", operation=op, schemas=schemas
    )


def _big_doc() -> dict[str, Any]:
    record = {
        "type": "object",
        "properties": {
            "energy_eV": field("number", "Energy", "Energy of the point.", "eV"),
            "dos_per_eV": field("number", "DOS", "Density of states.", "states/eV"),
        },
    }
    schemas = {
        "BigRequest": {
            "type": "object",
            "title": "BigRequest",
            "properties": {"megabytes": {"type": "number", "title": "Size (MB)", "default": 1.0}},
        },
        "BigResponse": response_model(
            "BigResponse",
            "A long curve.",
            {
                "points": field("integer", "Points", "Points in the curve."),
                "fermi_energy_eV": field("number", "Fermi energy", "The Fermi level.", "eV"),
                "curve": {"type": "array", "title": "Curve", "items": record},
            },
        ),
    }
    op = post_operation(
        summary="A big answer",
        description="Answers a long curve.",
        operation_id="big_answer",
        request_model="BigRequest",
        response_model="BigResponse",
        extensions={"x-ouro-execution-mode": "sync"},
    )
    return document(
        title="Big", description="Big", path="/test/big-answer", operation=op, schemas=schemas
    )


def output_services() -> list[DemoService]:
    """The test routes (see the module docstring), as one service."""
    return [
        DemoService(
            key="demo-test-outputs",
            name="Test outputs",
            description="Routes whose answers carry files of every kind, or a big answer.",
            base_url="demo://test-outputs",
            openapi=merge_documents("Test outputs", "Test outputs", [_outputs_doc(), _big_doc()]),
            handlers={
                ("POST", "/test/outputs"): _make_outputs,
                ("POST", "/test/big-answer"): _big_answer,
            },
            route_names={
                ("POST", "/test/outputs"): "make-outputs",
                ("POST", "/test/big-answer"): "big-answer",
            },
        )
    ]
