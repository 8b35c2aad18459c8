"""Output kinds in plain words, never a MIME type."""

from __future__ import annotations

import pytest

from ouro_desktop.core.output_kinds import asset_kind, extension_of, file_kind, preview_family


@pytest.mark.parametrize(
    ("name", "extension", "mime", "kind", "family"),
    [
        ("Cu_relaxed.cif", None, "chemical/x-cif", "crystal structure (CIF)", "structure"),
        ("structure", None, "chemical/x-cif", "crystal structure (CIF)", "structure"),
        ("a cat", "png", "image/png", "image (PNG)", "image"),
        ("photo.JPEG", None, None, "image (JPEG)", "image"),
        ("pattern", "svg", "image/svg+xml", "image (SVG)", "image"),
        ("speech", "mp3", "audio/mp3", "audio (MP3)", "audio"),
        ("model", "glb", "model/gltf-binary", "3D model (GLB)", "model"),
        ("clip.mp4", None, "video/mp4", "video (MP4)", "video"),
        ("forecast.csv", None, "text/csv", "table (CSV)", "table"),
        ("notes.txt", None, None, "text (TXT)", "text"),
        ("data.json", None, "application/json", "data (JSON)", "text"),
        ("paper.pdf", None, "application/pdf", "PDF document", "document"),
        ("blob", None, "application/octet-stream", "file", ""),
        ("weird.xyzw", None, None, "file (XYZW)", ""),
        ("noise", None, "audio/x-unknown", "audio", "audio"),
    ],
)
def test_file_kinds(
    name: str, extension: str | None, mime: str | None, kind: str, family: str
) -> None:
    assert file_kind(name, extension, mime) == kind
    assert "/" not in kind  # never a MIME type
    assert preview_family(name, extension, mime) == family


def test_other_asset_types_and_extensions() -> None:
    assert asset_kind("dataset") == "dataset (table)"
    assert asset_kind("post") == "post (text)"
    assert asset_kind("file", "x.cif") == "crystal structure (CIF)"
    assert (
        extension_of("a.b.CIF") == "cif"
        and extension_of("noext") == ""
        and extension_of(None) == ""
    )
