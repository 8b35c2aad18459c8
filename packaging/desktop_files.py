"""The Linux bundle's desktop integration files, laid out as the install script expects.

Used by ``ouro-desktop.spec`` after the build and by the tests: ``share/`` in the
freedesktop layout (menu entry, AppStream metainfo, the CIF MIME type, the icons) and
``install-desktop-integration.sh`` beside the program.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RES = ROOT / "resources"
APP_ID = "foundation.ouro.OuroDesktop"
SCRIPT = ROOT / "packaging" / "linux" / "install-desktop-integration.sh"


def add_desktop_files(bundle: Path) -> None:
    share = bundle / "share"
    for source, target in (
        (RES / f"{APP_ID}.desktop", share / "applications" / f"{APP_ID}.desktop"),
        (RES / f"{APP_ID}.metainfo.xml", share / "metainfo" / f"{APP_ID}.metainfo.xml"),
        (RES / f"{APP_ID}-mime.xml", share / "mime" / "packages" / f"{APP_ID}.xml"),
        (SCRIPT, bundle / SCRIPT.name),
    ):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    shutil.copytree(RES / "icons" / "hicolor", share / "icons" / "hicolor", dirs_exist_ok=True)
