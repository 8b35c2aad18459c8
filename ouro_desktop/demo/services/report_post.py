"""Demo route ``write-structure-report``: the structure report, written as an Ouro post.

The same crystallographic summary as ``structure-report`` (formula, space group, cell,
density, nearest neighbours), free of charge, returned both as numbers and as a new post
(a post output, ouro-protocol.md §13.8) that reads like a short lab note. The post can then
be the input of ``read-post-facts``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .base import ServiceCall
from .post_content import PostContent
from .spec import (
    document,
    file_input_declaration,
    file_input_schema,
    post_operation,
    response_model,
)
from .structure import file_input, load_structure
from .structure_report import RESPONSE_SCHEMA as REPORT_SCHEMA
from .structure_report import build_report

ROUTE_NAME = "write-structure-report"
METHOD = "POST"
PATH = "/materials/structure/report/post"


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def report_content(report: dict[str, Any], source: str, notes: str) -> dict[str, Any]:
    doc = PostContent()
    doc.heading(f"Structure report: {report['formula']}")
    doc.paragraph(
        f"{source} holds {report['cell_formula']} ({report['n_atoms']} atoms in the unit "
        f"cell, {report['n_unique_sites']} symmetry-unique sites) in space group "
        f"{report['space_group']} (No. {report['space_group_number']}, "
        f"{report['crystal_system']})."
    )
    doc.heading("Cell", 2)
    doc.bullets(
        [
            f"a = {_fmt(report.get('a_A'))} Å, b = {_fmt(report.get('b_A'))} Å, "
            f"c = {_fmt(report.get('c_A'))} Å",
            f"α = {_fmt(report.get('alpha_deg'))}°, β = {_fmt(report.get('beta_deg'))}°, "
            f"γ = {_fmt(report.get('gamma_deg'))}°",
            f"Volume {_fmt(report['volume_A3'], 6)} Å³, density {_fmt(report['density_g_cm3'])} "
            "g/cm³",
        ]
    )
    if report.get("sites"):
        doc.heading("Nearest neighbours", 2)
        doc.table(
            ["Site", "Element", "Nearest distance (Å)", "Coordination", "First shell"],
            [
                [
                    s["label"],
                    s["element"],
                    _fmt(s["nearest_distance_A"]),
                    str(s["coordination_number"]),
                    s["first_shell"],
                ]
                for s in report["sites"]
            ],
        )
        doc.paragraph(
            f"The shortest distance is {_fmt(report['nearest_neighbour_distance_A'])} Å "
            f"(site {report['nearest_neighbour_site']})."
        )
    if notes.strip():
        doc.heading("Notes", 2)
        doc.paragraph(notes.strip())
    return doc.to_dict()


async def handle(call: ServiceCall) -> dict[str, Any]:
    structure = await load_structure(call)
    report = await asyncio.to_thread(build_report, structure)
    ref = file_input(call)
    source = str(ref.get("name") or ref.get("filename") or "The structure")
    title = str(call.body.get("title") or "").strip() or f"{report['formula']} structure report"
    notes = str(call.body.get("notes") or "")
    return {
        **report,
        "report": {
            "name": title,
            "description": f"Crystallographic summary of {source}.",
            "content": report_content(report, source, notes),
        },
    }


REQUEST_MODEL = "StructureReportPostRequest"
RESPONSE_MODEL = "StructureReportPostResponse"
RESPONSE_SCHEMA = response_model(
    RESPONSE_MODEL,
    "The crystallographic summary, and the same written as a new post.",
    {
        **REPORT_SCHEMA["properties"],
        "report": {
            "type": "object",
            "title": "Report post",
            "description": "The report as a new Ouro post (a short lab note you can share).",
        },
    },
)

OPENAPI: dict[str, Any] = document(
    title="Structure report post",
    description="A crystallographic summary of a crystal structure, written as a post.",
    path=PATH,
    operation=post_operation(
        summary="Write a structure report post",
        description=(
            "Formula, space group, unit cell, density and nearest-neighbour distances of a "
            "crystal structure, written as a new Ouro post you can share or feed to other "
            "routes."
        ),
        operation_id="report_post_materials_structure_report_post_post",
        request_model=REQUEST_MODEL,
        response_model=RESPONSE_MODEL,
        extensions={
            "x-ouro-input-assets": file_input_declaration(),
            "x-ouro-output-assets": {
                "report": {"asset_type": "post", "primary": True, "role": "result"}
            },
            "x-ouro-execution-mode": "sync",
        },
    ),
    schemas={
        "File": file_input_schema(),
        RESPONSE_MODEL: RESPONSE_SCHEMA,
        REQUEST_MODEL: {
            "type": "object",
            "title": REQUEST_MODEL,
            "properties": {
                "file": {"$ref": "#/components/schemas/File"},
                "title": {
                    "anyOf": [{"type": "string", "maxLength": 200}, {"type": "null"}],
                    "title": "Post title",
                    "description": "The new post's title; left empty, the formula is used.",
                },
                "notes": {
                    "type": "string",
                    "title": "Notes",
                    "description": "Your own remarks, added at the end of the post.",
                    "default": "",
                    "maxLength": 5000,
                },
            },
            "required": ["file"],
        },
    },
)
