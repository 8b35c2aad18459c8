"""Build Ouro Desktop for this system: ``python3 packaging/build.py``.

Makes, into ``dist/`` at the repository root:

- ``dist/ouro-desktop/``: the one-folder PyInstaller bundle (``packaging/ouro-desktop.spec``;
  PyInstaller is installed first if missing);
- on Linux, ``ouro-desktop-VERSION-linux-MACHINE.tar.gz``: that folder, portable
  (``portable.py``);
- on Linux with dpkg, ``ouro-desktop_VERSION_ARCH.deb`` (``deb_package.py``), whose
  ``Depends:`` is read from the bundle's ELF files and this machine's dpkg database
  (``deb_depends.py``). The libraries it needs must be installed here.

Options: ``--skip-bundle`` packages the existing ``dist/ouro-desktop/``; ``--bundle-only``
stops after the bundle; ``--maintainer "Name <mail>"`` sets the .deb's Maintainer field.
Any other argument goes to PyInstaller (e.g. ``--log-level WARN``). The icons in
``resources/`` are committed; ``python resources/make_icons.py`` redraws them.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "ouro-desktop.spec"
DIST = ROOT / "dist"
BUNDLE = DIST / "ouro-desktop"
sys.path.insert(0, str(ROOT / "packaging"))
# Until releases have a maintainer address of their own (--maintainer overrides it).
DEFAULT_MAINTAINER = "Ouro Desktop maintainers <desktop@ouro.foundation>"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-bundle", action="store_true")
    parser.add_argument("--bundle-only", action="store_true")
    parser.add_argument(
        "--maintainer", default=os.environ.get("OURO_DEB_MAINTAINER", DEFAULT_MAINTAINER)
    )
    args, pyinstaller_args = parser.parse_known_args(argv)
    if not args.skip_bundle:
        code = build_bundle(pyinstaller_args)
        if code:
            return code
    if args.bundle_only or not sys.platform.startswith("linux"):
        return 0
    return package_linux(args.maintainer)


def build_bundle(pyinstaller_args: list[str]) -> int:
    if importlib.util.find_spec("PyInstaller") is None:
        print("== installing PyInstaller", flush=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "pyinstaller>=6.10"], check=True
        )
    started = time.monotonic()
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--distpath",
        str(DIST),
        "--workpath",
        str(ROOT / "build" / "pyinstaller"),
        *pyinstaller_args,
        str(SPEC),
    ]
    print("== " + " ".join(cmd), flush=True)
    code = subprocess.run(cmd, cwd=ROOT).returncode
    if code == 0:
        print(f"== built {BUNDLE} in {time.monotonic() - started:.0f} s", flush=True)
    return code


def package_linux(maintainer: str) -> int:
    import deb_depends
    import deb_package
    import portable

    sys.path.insert(0, str(ROOT))
    from ouro_desktop import __version__

    if not (BUNDLE / "ouro-desktop").is_file():
        print(f"build: {BUNDLE} has no program; build the bundle first", file=sys.stderr)
        return 1
    started = time.monotonic()
    # Old artifacts would be installed by `apt-get install ./dist/*.deb` too.
    for old in [*DIST.glob("ouro-desktop_*.deb"), *DIST.glob("ouro-desktop-*-linux-*.tar.gz")]:
        old.unlink()
    have_dpkg = shutil.which("dpkg-deb") is not None and shutil.which("dpkg-query") is not None
    info = None
    if have_dpkg:
        try:
            depends = deb_depends.depends_line(BUNDLE)
        except deb_depends.MissingLibraries as exc:
            print(f"build: {exc}", file=sys.stderr)
            return 1
        info = deb_package.DebInfo(
            version=__version__,
            architecture=deb_depends.native_architecture(),
            depends=depends,
            maintainer=maintainer,
        )
        print(f"== Depends: {depends}", flush=True)
    # The archive (one core, gzip) and the .deb (xz) are made side by side.
    with ThreadPoolExecutor(max_workers=2) as pool:
        archive = pool.submit(portable.build, BUNDLE, DIST / portable.archive_name(__version__))
        deb = (
            pool.submit(deb_package.build, BUNDLE, DIST, ROOT / "build" / "deb", info)
            if info is not None
            else None
        )
        made = [archive.result()] + ([deb.result()] if deb is not None else [])
    for path in made:
        print(f"== {path.relative_to(ROOT)}  {path.stat().st_size / 1e6:.1f} MB", flush=True)
    if info is None:
        print("== no .deb: dpkg-deb and dpkg-query are not installed here", flush=True)
    print(f"== packaged in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
