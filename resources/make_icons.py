"""Render the app icon from ``resources/icon.svg`` into every format the packages need.

Run from anywhere: ``python resources/make_icons.py``. Writes, next to this script:

* ``icons/hicolor/<N>x<N>/apps/foundation.ouro.OuroDesktop.png`` for N in 16…512
  (the freedesktop icon-theme layout, ready to copy into ``~/.local/share/icons``),
  plus ``icons/hicolor/scalable/apps/foundation.ouro.OuroDesktop.svg``;
* ``ouro-desktop.ico`` (Windows: PNG-compressed entries 16…256);
* ``ouro-desktop.icns`` (macOS: PNG entries ic11…ic14 and ic07…ic10);
* the copies the app loads at run time: ``ouro_desktop/ui/assets/icon.svg`` and
  ``icon-256.png``.

Only PySide6 is needed (QSvgRenderer → QImage); the ICO and ICNS containers are written
here directly, so Pillow is not required. The output is deterministic for one Qt version.
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

APP_ID = "foundation.ouro.OuroDesktop"
HERE = Path(__file__).resolve().parent
SOURCE = HERE / "icon.svg"
ASSETS = HERE.parent / "ouro_desktop" / "ui" / "assets"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS types holding PNG data, by pixel size (the @2x types share sizes with 1x ones).
ICNS_TYPES = (
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic13", 256),
    (b"ic08", 256),
    (b"ic14", 512),
    (b"ic09", 512),
    (b"ic10", 1024),
)


def render(renderer: QSvgRenderer, size: int) -> bytes:
    """The icon at ``size``×``size`` pixels, as PNG bytes."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError(f"could not encode the {size}px icon as PNG")
    buffer.close()
    return bytes(data.data())


def write_ico(path: Path, images: dict[int, bytes]) -> None:
    """An ICO file whose entries are PNG streams (supported since Windows Vista)."""
    sizes = sorted(images)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = [], []
    for size in sizes:
        blob = images[size]
        dim = 0 if size >= 256 else size  # 0 means 256 in the directory entry
        entries.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    path.write_bytes(header + b"".join(entries) + b"".join(blobs))


def write_icns(path: Path, images: dict[int, bytes]) -> None:
    """An ICNS container with PNG entries (what ``iconutil`` makes on current macOS)."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(images[size])) + images[size] for kind, size in ICNS_TYPES
    )
    path.write_bytes(b"icns" + struct.pack(">I", 8 + len(body)) + body)


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"cannot read {SOURCE}", file=sys.stderr)
        return 1
    wanted = sorted({*PNG_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    images = {size: render(renderer, size) for size in wanted}

    theme = HERE / "icons" / "hicolor"
    for size in PNG_SIZES:
        out = theme / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(images[size])
    scalable = theme / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, scalable)

    write_ico(HERE / "ouro-desktop.ico", {s: images[s] for s in ICO_SIZES})
    write_icns(HERE / "ouro-desktop.icns", images)

    ASSETS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, ASSETS / "icon.svg")
    (ASSETS / "icon-256.png").write_bytes(images[256])
    print(f"wrote {len(PNG_SIZES)} PNG sizes, ICO, ICNS and app assets from {SOURCE.name}")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
