"""The .deb: the one-folder bundle laid out as a Debian package and built with dpkg-deb.

What it installs:

- ``/opt/ouro-desktop/``: the bundle (the program and ``_internal/``), as built;
- ``/usr/bin/ouro-desktop``: a link to the program, so the menu entry's ``Exec`` and a
  terminal find it;
- ``/usr/share/applications``, ``metainfo``, ``mime/packages``, ``icons/hicolor``: the
  menu entry (with "Open with" for .cif files), the AppStream data for software centres,
  the CIF file type and the icons, taken from the bundle's own ``share/``;
- ``/usr/share/doc/ouro-desktop/copyright``.

``postinst``/``postrm`` refresh the desktop, MIME and icon caches (only those that exist,
so that removing the package leaves nothing behind). ``Depends:`` comes from
``deb_depends``. The tree is staged in a folder whose files are hard links to the bundle
where possible (no 140 MB copy), with modes set explicitly (the build's umask does not
leak into the package) and owned by root in the archive (``--root-owner-group``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "ouro-desktop"
APP_ID = "foundation.ouro.OuroDesktop"
PREFIX = Path("opt") / PACKAGE
# Not part of the installed program: the desktop files go to /usr/share, and the script
# that installs them into a home folder is for the portable archive.
BUNDLE_ONLY = ("share", "install-desktop-integration.sh")

SUMMARY = "Run Ouro materials routes without programming"
DESCRIPTION = """\
Ouro Desktop is a window onto the Ouro platform for scientists who do not
program. Find a route (a hosted model or tool), drop a structure file such as
a CIF on it, fill in the form and run it; results, charts and output files
appear in the window and stay in the run history. API keys are kept in the
system keyring.
.
An offline demo with a few small materials-science routes lets you try
everything without an account: start it with "ouro-desktop --demo"."""

COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Ouro Desktop
Source: https://ouro.foundation

Files: *
Copyright: Ouro Desktop contributors
License: MIT

Files: opt/ouro-desktop/_internal/*
Copyright: the authors of each bundled component (Python, Qt, PySide6 and the
 Python packages listed in the *.dist-info folders beside them)
License: various
 Each component is under its own license; see its dist-info folder, or its
 upstream project, for the text.

License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software and associated documentation files (the "Software"), to deal
 in the Software without restriction, including without limitation the rights
 to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 copies of the Software, and to permit persons to whom the Software is
 furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in
 all copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 SOFTWARE.
"""

# Refresh only the caches that exist: creating one here (say the icon cache on a system
# without GTK) would leave a file behind that no package owns. Debian's own triggers
# (desktop-file-utils, shared-mime-info, the icon themes) do the same; these calls cover
# systems where they are not installed as packages. $DPKG_ROOT is set by dpkg when it
# installs into another root folder (and by the tests); it is empty otherwise.
_REFRESH = """\
share="${DPKG_ROOT:-}/usr/share"
have() { command -v "$1" >/dev/null 2>&1; }
refresh() {
  if [ -f "$share/applications/mimeinfo.cache" ] && have update-desktop-database; then
    update-desktop-database -q "$share/applications" || true
  fi
  if [ -f "$share/mime/mime.cache" ] && have update-mime-database; then
    update-mime-database "$share/mime" || true
  fi
  if [ -f "$share/icons/hicolor/icon-theme.cache" ] && have gtk-update-icon-cache; then
    gtk-update-icon-cache -q -t -f "$share/icons/hicolor" || true
  fi
}
"""

POSTINST = f"""\
#!/bin/sh
# Show the menu entry, the icon and "Open with Ouro Desktop" for .cif files at once.
set -e
{_REFRESH}
case "$1" in
  configure) refresh ;;
esac
exit 0
"""

POSTRM = f"""\
#!/bin/sh
# Take the menu entry, the icon and the .cif association out of the caches again.
set -e
{_REFRESH}
case "$1" in
  remove|purge)
    refresh
    # update-mime-database writes a file for each type but never deletes one: the CIF
    # type's goes when no other package defines the type.
    if [ -f "$share/mime/chemical/x-cif.xml" ] &&
      ! grep -qs 'type="chemical/x-cif"' "$share"/mime/packages/*.xml; then
      rm -f "$share/mime/chemical/x-cif.xml"
      rmdir "$share/mime/chemical" 2>/dev/null || true
    fi
    ;;
esac
exit 0
"""


@dataclass(frozen=True)
class DebInfo:
    version: str
    architecture: str
    depends: str
    maintainer: str


def deb_name(info: DebInfo) -> str:
    return f"{PACKAGE}_{info.version}_{info.architecture}.deb"


def stage(bundle: Path, root: Path, info: DebInfo) -> None:
    """Lay the package's files out under ``root`` (which must not exist yet)."""
    share = bundle / "share"
    if not (share / "applications" / f"{APP_ID}.desktop").is_file():
        raise FileNotFoundError(f"{bundle} has no share/ (desktop files): not a Linux bundle?")
    program = root / PREFIX
    program.mkdir(parents=True)
    for item in sorted(bundle.iterdir()):
        if item.name in BUNDLE_ONLY:
            continue
        if item.is_dir() and not item.is_symlink():
            shutil.copytree(item, program / item.name, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(item, program / item.name, follow_symlinks=False)
    usr_share = root / "usr" / "share"
    shutil.copytree(share, usr_share, copy_function=shutil.copy2)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / PACKAGE).symlink_to(Path("/") / PREFIX / PACKAGE)
    doc = usr_share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(COPYRIGHT)
    _normalise_modes(root)

    control = root / "DEBIAN"
    control.mkdir(mode=0o755)
    (control / "control").write_text(control_text(info, installed_kib(root)))
    for name, text in (("postinst", POSTINST), ("postrm", POSTRM)):
        (control / name).write_text(text)
        (control / name).chmod(0o755)
    (control / "md5sums").write_text(md5sums(root))
    (control / "md5sums").chmod(0o644)
    (control / "control").chmod(0o644)


def control_text(info: DebInfo, installed_kib: int) -> str:
    fields = [
        ("Package", PACKAGE),
        ("Version", info.version),
        ("Architecture", info.architecture),
        ("Maintainer", info.maintainer),
        ("Installed-Size", str(installed_kib)),
        ("Depends", info.depends),
        ("Section", "science"),
        ("Priority", "optional"),
        ("Homepage", "https://ouro.foundation"),
        ("Description", SUMMARY + "\n" + _indent(DESCRIPTION)),
    ]
    return "".join(f"{k}: {v}\n" for k, v in fields if v)


def build(bundle: Path, out_dir: Path, work: Path, info: DebInfo) -> Path:
    """Stage the package in ``work`` and build it into ``out_dir``; return the .deb."""
    if work.exists():
        shutil.rmtree(work)
    stage(bundle, work, info)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / deb_name(info)
    # xz at level 6 (dpkg's default) in as many threads as there are cores.
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(work), str(target)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    shutil.rmtree(work)  # hard links: it would keep an old bundle's files on disk
    return target


def installed_kib(root: Path) -> int:
    """Installed-Size as dpkg counts it: each file rounded up to whole KiB."""
    total = 0
    for path in root.rglob("*"):
        if path.is_symlink() or path.is_dir():
            total += 1
        elif path.is_file():
            total += (path.stat().st_size + 1023) // 1024
    return total


def md5sums(root: Path) -> str:
    lines = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.relative_to(root).parts[0] != "DEBIAN":
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            lines.append(f"{digest}  {path.relative_to(root).as_posix()}\n")
    return "".join(lines)


def _indent(text: str) -> str:
    return "\n".join(" " + line for line in text.splitlines())


def _link_or_copy(src: str | os.PathLike[str], dst: str | os.PathLike[str], **kw: object) -> None:
    """Hard-link a bundle file into the staging tree (same file system), else copy it.
    The modes are set afterwards on the staging tree, which a hard link shares with the
    bundle: harmless, as they are the modes the bundle should have anyway."""
    src, dst = Path(src), Path(dst)
    if src.is_symlink():
        dst.symlink_to(os.readlink(src))
        return
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _normalise_modes(root: Path) -> None:
    """Folders 755; files 755 if anyone could run them, else 644."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        if path.is_dir() or mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH):
            path.chmod(0o755)
        else:
            path.chmod(0o644)
