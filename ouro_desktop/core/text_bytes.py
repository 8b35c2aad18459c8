"""Turning a text file's bytes into ``str``: the one decoder for sniffing and previewing.

A byte-order mark decides (UTF-8, UTF-16 and UTF-32, either order); UTF-16 without a BOM is
recognised by its pattern of NUL bytes; otherwise UTF-8, then Windows-1252 for old files
written by Windows tools. Bytes that are not text (NULs, mostly control characters, mostly
high bytes that are not UTF-8) raise ``ValueError``. Qt-free.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_text"]

# Judging "is this text" from the head is enough, and keeps big files fast.
_JUDGE_CHARS = 64 * 1024
_CONTROLS = re.compile("[\x01-\x08\x0e-\x1f\x7f]")
_HIGH_BYTES = bytes(range(0x80, 0x100))

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _encoding_of(data: bytes) -> tuple[str | None, int]:
    """The encoding a BOM (or a UTF-16 NUL pattern) announces, and the BOM's length."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    sample = data[:4096]
    if len(sample) >= 8 and b"\x00" in sample:
        even, odd = sample[0::2], sample[1::2]
        nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
        if nul_odd > 0.9 and nul_even < 0.1:
            return "utf-16-le", 0
        if nul_even > 0.9 and nul_odd < 0.1:
            return "utf-16-be", 0
    return None, 0


def decode_text(data: bytes, *, partial: bool = False) -> str:
    """``data`` as text, or ``ValueError`` when it is binary.

    A BOM (UTF-8/16/32) decides; UTF-16 without a BOM is recognised by its NUL pattern;
    otherwise UTF-8, then Windows-1252/Latin-1 for old files, if the bytes look like text.
    With ``partial`` the data is a file's head, so a character cut at the end is fine.
    """
    encoding, skip = _encoding_of(data)
    body = data[skip:]
    if encoding is not None:
        try:
            text = codecs.getincrementaldecoder(encoding)("strict").decode(body, not partial)
        except UnicodeDecodeError:
            raise ValueError(f"not valid {encoding} text") from None
        _require_text(text)
        return text
    if b"\x00" in body:
        raise ValueError("contains NUL bytes")
    try:
        text = codecs.getincrementaldecoder("utf-8")("strict").decode(body, not partial)
    except UnicodeDecodeError:
        head = body[:_JUDGE_CHARS]
        high = len(head) - len(head.translate(None, _HIGH_BYTES))
        if high > 0.3 * len(head):
            raise ValueError("mostly non-text bytes") from None
        text = body.decode("cp1252", errors="replace")
    _require_text(text)
    return text


def _require_text(text: str) -> None:
    if "\x00" in text:
        raise ValueError("contains NUL characters")
    head = text[:_JUDGE_CHARS]
    controls = len(_CONTROLS.findall(head))
    if controls > max(8, 0.02 * len(head)):
        raise ValueError("mostly non-text characters")
