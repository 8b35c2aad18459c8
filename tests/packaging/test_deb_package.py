"""The .deb and the portable archive, built with dpkg-deb and tarfile from a small stand-in
bundle laid out as the PyInstaller spec lays out the real one (its desktop files included),
then read back with ``dpkg-deb -c``/``-f``/``-e``/``-x``."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path

import deb_depends
import deb_package
import desktop_exec
import desktop_files
import portable
import pytest

APP_ID = "foundation.ouro.OuroDesktop"
LS = Path(shutil.which("ls") or "/bin/ls").resolve()


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A one-folder bundle: a real ELF program, a library and a link in _internal/, and
    the desktop files beside them. Modes are as a careless umask might leave them."""
    bundle = tmp_path / "dist" / "ouro-desktop"
    internal = bundle / "_internal" / "PySide6"
    internal.mkdir(parents=True)
    shutil.copy2(LS, bundle / "ouro-desktop")
    (bundle / "ouro-desktop").chmod(0o700)
    (internal / "libQt6Core.so.6").write_bytes(b"stand-in library")
    (internal / "libQt6Core.so.6").chmod(0o600)
    (bundle / "_internal" / "libQt6Core.so.6").symlink_to("PySide6/libQt6Core.so.6")
    (bundle / "_internal" / "base_library.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    desktop_files.add_desktop_files(bundle)
    return bundle


def _info(depends: str) -> deb_package.DebInfo:
    return deb_package.DebInfo(
        version="1.2.3",
        architecture=deb_depends.native_architecture(),
        depends=depends,
        maintainer="Someone <someone@example.org>",
    )


def _contents(deb: Path) -> dict[str, tuple[str, str, str]]:
    """path -> (mode, owner, link target) from ``dpkg-deb -c``."""
    out = subprocess.run(
        ["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    entries = {}
    for line in out.splitlines():
        mode, owner, _size, _date, _time, rest = line.split(None, 5)
        path, _, target = rest.partition(" -> ")
        entries[path.removeprefix(".").rstrip("/") or "/"] = (mode, owner, target)
    return entries


def test_the_deb_installs_the_bundle_under_opt_and_the_desktop_files_under_usr(
    bundle: Path, tmp_path: Path
) -> None:
    depends = deb_depends.depends_line(bundle)
    deb = deb_package.build(bundle, tmp_path / "out", tmp_path / "work", _info(depends))
    assert deb.name == f"ouro-desktop_1.2.3_{deb_depends.native_architecture()}.deb"
    files = _contents(deb)
    assert all(owner == "root/root" for _m, owner, _t in files.values())

    assert files["/opt/ouro-desktop/ouro-desktop"][0] == "-rwxr-xr-x"
    assert files["/opt/ouro-desktop/_internal/PySide6/libQt6Core.so.6"][0] == "-rw-r--r--"
    assert files["/opt/ouro-desktop/_internal/libQt6Core.so.6"][2] == "PySide6/libQt6Core.so.6"
    assert files["/usr/bin/ouro-desktop"][2] == "/opt/ouro-desktop/ouro-desktop"
    share = "/usr/share"
    for path in (
        f"{share}/applications/{APP_ID}.desktop",
        f"{share}/metainfo/{APP_ID}.metainfo.xml",
        f"{share}/mime/packages/{APP_ID}.xml",
        f"{share}/icons/hicolor/scalable/apps/{APP_ID}.svg",
        f"{share}/icons/hicolor/48x48/apps/{APP_ID}.png",
        f"{share}/icons/hicolor/256x256/apps/{APP_ID}.png",
        f"{share}/doc/ouro-desktop/copyright",
    ):
        assert files[path][0] == "-rw-r--r--", path
    # The bundle's own copy of the desktop files and its per-user installer stay out.
    assert not [p for p in files if p.startswith("/opt/ouro-desktop/share")]
    assert "/opt/ouro-desktop/install-desktop-integration.sh" not in files
    assert {m for m, _o, _t in files.values() if m.startswith("d")} == {"drwxr-xr-x"}

    fields = subprocess.run(
        ["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    control = dict(
        line.split(": ", 1) for line in fields.splitlines() if line and not line.startswith(" ")
    )
    assert control["Package"] == "ouro-desktop"
    assert control["Version"] == "1.2.3"
    assert control["Architecture"] == deb_depends.native_architecture()
    assert control["Depends"] == depends
    assert "libc6 (>= " in depends
    assert control["Section"] == "science"
    assert control["Maintainer"] == "Someone <someone@example.org>"
    size_kib = sum((p.stat().st_size + 1023) // 1024 for p in bundle.rglob("*") if p.is_file())
    assert int(control["Installed-Size"]) >= size_kib - 8  # share/ goes to /usr/share
    assert "\n ." in fields  # the long description's paragraphs


def _run_script(script: Path, arg: str, root: Path, tmp_path: Path) -> list[str]:
    """Run a maintainer script against ``root`` (as dpkg does for another root folder)
    with the cache tools replaced by stand-ins that note how they were called."""
    stubs = tmp_path / "stubs"
    log = tmp_path / "calls.log"
    stubs.mkdir(exist_ok=True)
    for tool in ("update-desktop-database", "update-mime-database", "gtk-update-icon-cache"):
        (stubs / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >>"{log}"\n')
        (stubs / tool).chmod(0o755)
    log.write_text("")
    env = {"PATH": f"{stubs}:/usr/bin:/bin", "DPKG_ROOT": str(root)}
    subprocess.run(["sh", str(script), arg], env=env, check=True)
    return log.read_text().splitlines()


def test_the_maintainer_scripts_refresh_the_caches_that_exist(bundle: Path, tmp_path: Path) -> None:
    deb = deb_package.build(bundle, tmp_path / "out", tmp_path / "work", _info("libc6"))
    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "-e", str(deb), str(control)], check=True)
    postinst, postrm = control / "postinst", control / "postrm"
    assert postinst.stat().st_mode & 0o777 == 0o755 and postrm.stat().st_mode & 0o777 == 0o755

    # A system without the caches gets none (a cache made here would outlive the package).
    root = tmp_path / "root"
    share = root / "usr" / "share"
    share.mkdir(parents=True)
    assert _run_script(postinst, "configure", root, tmp_path) == []
    assert _run_script(postrm, "remove", root, tmp_path) == []
    assert not list(share.iterdir())

    for cache in (
        "applications/mimeinfo.cache",
        "mime/mime.cache",
        "icons/hicolor/icon-theme.cache",
    ):
        (share / cache).parent.mkdir(parents=True, exist_ok=True)
        (share / cache).write_text("")
    refreshed = [
        f"update-desktop-database -q {share}/applications",
        f"update-mime-database {share}/mime",
        f"gtk-update-icon-cache -q -t -f {share}/icons/hicolor",
    ]
    assert _run_script(postinst, "configure", root, tmp_path) == refreshed
    assert _run_script(postinst, "abort-upgrade", root, tmp_path) == []
    assert _run_script(postrm, "purge", root, tmp_path) == refreshed


def test_removing_the_package_takes_the_cif_type_out_unless_another_defines_it(
    bundle: Path, tmp_path: Path
) -> None:
    deb = deb_package.build(bundle, tmp_path / "out", tmp_path / "work", _info("libc6"))
    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "-e", str(deb), str(control)], check=True)
    mime = tmp_path / "root" / "usr" / "share" / "mime"
    (mime / "packages").mkdir(parents=True)
    (mime / "chemical").mkdir()
    generated = mime / "chemical" / "x-cif.xml"
    generated.write_text("<mime-type/>")

    other = mime / "packages" / "openbabel.xml"
    other.write_text('<mime-info><mime-type type="chemical/x-cif"/></mime-info>')
    _run_script(control / "postrm", "remove", tmp_path / "root", tmp_path)
    assert generated.exists()  # someone else still defines the type

    other.unlink()
    _run_script(control / "postrm", "remove", tmp_path / "root", tmp_path)
    assert not generated.exists() and not (mime / "chemical").exists()


def test_the_md5sums_list_every_file_of_the_package(bundle: Path, tmp_path: Path) -> None:
    deb = deb_package.build(bundle, tmp_path / "out", tmp_path / "work", _info("libc6"))
    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "-e", str(deb), str(control)], check=True)
    unpacked = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
    listed = {line.split("  ", 1)[1] for line in (control / "md5sums").read_text().splitlines()}
    on_disk = {
        str(p.relative_to(unpacked))
        for p in unpacked.rglob("*")
        if p.is_file() and not p.is_symlink()
    }
    assert listed == on_disk
    check = subprocess.run(["md5sum", "--check", "--quiet", str(control / "md5sums")], cwd=unpacked)
    assert check.returncode == 0


def test_the_installed_menu_entry_runs_the_installed_program(bundle: Path, tmp_path: Path) -> None:
    deb = deb_package.build(bundle, tmp_path / "out", tmp_path / "work", _info("libc6"))
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    entry = root / "usr" / "share" / "applications" / f"{APP_ID}.desktop"
    command = desktop_exec.command_for(entry, ["/data/My crystal.cif"])
    assert command == ["ouro-desktop", "/data/My crystal.cif"]
    # "ouro-desktop" on the PATH is /usr/bin/ouro-desktop: a link to the program in /opt.
    link = root / "usr" / "bin" / "ouro-desktop"
    assert link.is_symlink()
    assert (root / str(link.readlink()).lstrip("/")).samefile(
        root / "opt/ouro-desktop/ouro-desktop"
    )
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(entry)], capture_output=True, text=True
        )
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout


def test_a_bundle_without_desktop_files_is_refused(bundle: Path, tmp_path: Path) -> None:
    shutil.rmtree(bundle / "share")
    with pytest.raises(FileNotFoundError, match="share/"):
        deb_package.build(bundle, tmp_path / "out", tmp_path / "work", _info("libc6"))


def test_the_portable_archive_unpacks_to_one_folder_owned_by_root(
    bundle: Path, tmp_path: Path
) -> None:
    target = portable.build(bundle, tmp_path / "out" / portable.archive_name("1.2.3", "x86_64"))
    assert target.name == "ouro-desktop-1.2.3-linux-x86_64.tar.gz"
    with tarfile.open(target) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert {name.split("/")[0] for name in members} == {"ouro-desktop"}
    assert all(m.uid == 0 and m.gid == 0 and m.uname == "root" for m in members.values())
    assert members["ouro-desktop/ouro-desktop"].mode & 0o100
    assert members["ouro-desktop/install-desktop-integration.sh"].mode & 0o111 == 0o111
    assert members["ouro-desktop/_internal/libQt6Core.so.6"].issym()
    assert f"ouro-desktop/share/applications/{APP_ID}.desktop" in members
    # What unpacks is the bundle, file for file.
    out = tmp_path / "unpacked"
    out.mkdir()
    subprocess.run(["tar", "-xzf", str(target), "-C", str(out)], check=True)
    for path in bundle.rglob("*"):
        twin = out / "ouro-desktop" / path.relative_to(bundle)
        assert twin.is_symlink() == path.is_symlink(), path
        if path.is_file() and not path.is_symlink():
            assert twin.read_bytes() == path.read_bytes(), path
