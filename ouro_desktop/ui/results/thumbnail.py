"""Pictures decoded small: an output image is never held whole in the app's memory.

:func:`decode_scaled` reads a picture at most ``box`` in size. Formats whose decoder can
scale while it reads (JPEG, SVG) and small pictures are read here, off the UI thread
(QImage, unlike QPixmap, may be made on any thread). A big picture in a format Qt can
only decode whole (a 20-megapixel PNG is 80 MB decoded) is read by a short-lived helper
process, ``python -m ouro_desktop.ui.results.thumbnail`` (``ouro-desktop
--make-thumbnail`` in the bundle), which writes the scaled copy beside the output; the
app then reads only that copy, and later openings reuse it.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader

__all__ = ["BOX", "DecodedImage", "ImageUnreadable", "decode_scaled", "helper_command", "main"]

BOX: Final = QSize(1600, 1200)  # the largest picture a preview keeps
IN_PROCESS_PIXELS: Final = 6_000_000  # decoded whole here below this (24 MB at 4 bytes)
SCALING_DECODERS: Final = frozenset({b"jpeg", b"jpg", b"svg", b"svgz"})
HELPER_TIMEOUT_S: Final = 120.0


class ImageUnreadable(Exception):
    """The picture could not be read (unknown format, a plugin missing, a broken file)."""


@dataclass(frozen=True)
class DecodedImage:
    """A picture scaled for the screen, and its size in full."""

    image: QImage
    full_size: QSize
    format: str


def fitted(size: QSize, box: QSize) -> QSize:
    """``size`` shrunk (never grown) to fit in ``box``, keeping its proportions."""
    if size.width() <= box.width() and size.height() <= box.height():
        return QSize(size)
    return size.scaled(box, Qt.AspectRatioMode.KeepAspectRatio)


def _read(reader: QImageReader, scaled: QSize) -> QImage:
    reader.setScaledSize(scaled)
    image = reader.read()
    if image.isNull():
        raise ImageUnreadable(reader.errorString() or "The picture could not be read.")
    return image


def helper_command(source: Path, target: Path, box: QSize) -> list[str]:
    """The command that writes the scaled copy of ``source`` to ``target``."""
    args = [str(source), str(target), str(box.width()), str(box.height())]
    if getattr(sys, "frozen", False):  # the bundled app answers --make-thumbnail
        return [sys.executable, "--make-thumbnail", *args]
    return [sys.executable, "-m", "ouro_desktop.ui.results.thumbnail", *args]


def decode_scaled(path: Path, thumb: Path, box: QSize = BOX) -> DecodedImage:
    """``path`` decoded to fit ``box`` (see the module docstring); ``thumb`` is where a
    helper's scaled copy is kept. Blocking: call off the UI thread."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    if not reader.canRead():
        raise ImageUnreadable(reader.errorString() or "This kind of picture cannot be shown.")
    full = reader.size()
    kind = bytes(reader.format().data()).decode("ascii", "replace").lower()
    if not full.isValid():
        raise ImageUnreadable("The picture's size could not be read.")
    scaled = fitted(full, box)
    pixels = full.width() * full.height()
    if bytes(kind, "ascii") in SCALING_DECODERS or pixels <= IN_PROCESS_PIXELS:
        return DecodedImage(_read(reader, scaled), full, kind)
    if not thumb.exists():
        try:
            subprocess.run(
                helper_command(path, thumb, box),
                check=True,
                capture_output=True,
                timeout=HELPER_TIMEOUT_S,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise ImageUnreadable(f"The picture is too large to preview here ({exc}).") from exc
    small = QImageReader(str(thumb))
    return DecodedImage(_read(small, fitted(small.size(), box)), full, kind)


def main(argv: list[str] | None = None) -> int:
    """The helper: ``SOURCE TARGET WIDTH HEIGHT``; writes a PNG that fits the box."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 4:
        print("usage: thumbnail SOURCE TARGET WIDTH HEIGHT", file=sys.stderr)
        return 2
    source, target = Path(args[0]), Path(args[1])
    box = QSize(int(args[2]), int(args[3]))
    reader = QImageReader(str(source))
    reader.setAutoTransform(True)
    image = reader.read()
    if image.isNull():
        print(reader.errorString(), file=sys.stderr)
        return 1
    small = image.scaled(
        fitted(image.size(), box),
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    del image
    part = target.with_name(target.name + ".part")
    if not small.save(str(part), "PNG"):
        return 1
    part.replace(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
