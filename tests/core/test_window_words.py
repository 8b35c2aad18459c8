"""Words the window uses, checked without Qt: contrast, problem reports, drag verdicts,
file-input phrases."""

from __future__ import annotations

from pathlib import Path

from ouro_desktop.api.models import InputDeclaration
from ouro_desktop.core.contrast import contrast_ratio, readable_against
from ouro_desktop.core.file_checks import drag_verdict
from ouro_desktop.core.input_words import input_phrase
from ouro_desktop.core.problem_report import REDACTED, last_lines, problem_report, redact

CIF = InputDeclaration(
    key="file",
    asset_type="file",
    primary=True,
    file_extensions=("cif",),
    input_filter="atomic structure",
)


def test_contrast_ratio_matches_wcag() -> None:
    assert round(contrast_ratio((0, 0, 0), (255, 255, 255)), 1) == 21.0
    assert round(contrast_ratio((119, 119, 119), (255, 255, 255)), 2) == 4.48
    assert contrast_ratio((10, 20, 30), (10, 20, 30)) == 1.0


def test_a_colour_is_nudged_until_it_reads() -> None:
    dark_bg, light_bg = (30, 30, 30), (239, 239, 239)
    for background in (dark_bg, light_bg):
        for colour in ((85, 85, 85), (61, 123, 217), (200, 60, 60), (240, 240, 240)):
            for minimum in (3.0, 4.5):
                out = readable_against(colour, background, minimum)
                assert contrast_ratio(out, background) >= minimum
    assert readable_against((0, 0, 0), light_bg, 4.5) == (0, 0, 0)  # already fine: unchanged


def test_a_problem_report_never_carries_a_key(tmp_path: Path) -> None:
    key = "ouro_sk_7f3a9c0e5b2d4f6a8c1e3b5d7f9a0c2e"
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vIn0.c2lnbmF0dXJlMTIz"
    log = tmp_path / "ouro-desktop.log"
    log.write_text(
        "\n".join(
            [
                "INFO start",
                f"DEBUG exchanged api_key={key}",
                f"DEBUG header Authorization: {jwt}",
                "INFO GET https://bucket.s3.example/f.cif?X-Amz-Signature=abc123&X-Amz-Expires=60",
                f'ERROR body {{"token": "{key[::-1]}"}}',
                "INFO run 3da397cf-2bff-5819-85c8-75b7d649691d finished",
            ]
        )
    )
    text = problem_report(version="1.2.3", platform="Linux x86_64", log_lines=last_lines(log))
    assert "Ouro Desktop 1.2.3" in text and "Linux x86_64" in text
    for secret in (key, jwt, "abc123", key[::-1]):
        assert secret not in text
    assert text.count(REDACTED) >= 4
    assert "3da397cf-2bff-5819-85c8-75b7d649691d" in text  # run ids stay: they help
    assert "INFO start" in text
    assert redact("my secret is hunter22", known=["hunter22"]) == f"my secret is {REDACTED}"


def test_last_lines_reads_the_end(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    log.write_text("".join(f"line {i}\n" for i in range(20_000)))
    assert last_lines(log, 3) == ["line 19997", "line 19998", "line 19999"]
    assert last_lines(tmp_path / "missing.log") == []


def test_drag_verdicts_from_names() -> None:
    assert drag_verdict(["/data/NaCl.cif"], CIF) is None
    assert drag_verdict(["/data/NaCl.CIF"], CIF) is None
    wrong = drag_verdict(["/data/photo.png"], CIF)
    assert wrong is not None and "photo.png" in wrong and ".cif" in wrong
    many = drag_verdict(["/a.cif", "/b.cif"], CIF)
    assert many is not None and "one file" in many
    web = drag_verdict(["https://example.org/x.cif"], CIF)
    assert web is not None and "web link" in web
    assert drag_verdict([], CIF) is not None


def test_input_phrases_use_titles_not_keys() -> None:
    assert input_phrase("File", CIF) == "a .cif file (atomic structure)"
    assert input_phrase("Structure", CIF) == "“Structure” (.cif — atomic structure)"
