"""The Linux bundle's desktop integration: the files beside the program and the script
that installs them for the user (``packaging/linux/install-desktop-integration.sh``).

The bundle here is a stand-in folder (a shell script for the program) laid out by the
same function the PyInstaller spec uses, in a folder whose name has spaces, quotes, a
dollar sign and an ampersand, since the menu entry must still start the program.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import desktop_exec
import desktop_files
import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "foundation.ouro.OuroDesktop"


def _exec_argv(value: str) -> list[str]:
    """The command a launcher runs for an ``Exec`` value, started without a file."""
    return desktop_exec.expand(desktop_exec.split_exec(value), [], {}, "")


def _fake_bundle(tmp_path: Path) -> Path:
    bundle = tmp_path / 'My "apps" & $HOME stuff' / "ouro-desktop"
    bundle.mkdir(parents=True)
    program = bundle / "ouro-desktop"
    program.write_text('#!/bin/sh\necho "started with: $*"\n')
    program.chmod(0o755)
    desktop_files.add_desktop_files(bundle)
    return bundle


def _install(bundle: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    return subprocess.run(
        [str(bundle / "install-desktop-integration.sh"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


def test_the_bundle_carries_its_desktop_files(tmp_path: Path) -> None:
    bundle = _fake_bundle(tmp_path)
    share = bundle / "share"
    assert (share / "applications" / f"{APP_ID}.desktop").is_file()
    assert (share / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    assert "chemical/x-cif" in (share / "mime" / "packages" / f"{APP_ID}.xml").read_text()
    for size in ("16x16", "48x48", "256x256"):
        assert (share / "icons" / "hicolor" / size / "apps" / f"{APP_ID}.png").is_file()
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert os.access(bundle / "install-desktop-integration.sh", os.X_OK)


def test_install_points_the_menu_entry_at_the_program_and_uninstall_removes_it(
    tmp_path: Path,
) -> None:
    bundle = _fake_bundle(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    done = _install(bundle, home)
    assert done.returncode == 0, done.stderr
    data = home / "data"
    entry = data / "applications" / f"{APP_ID}.desktop"
    lines = entry.read_text().splitlines()
    (exec_line,) = [line for line in lines if line.startswith("Exec=")]
    argv = _exec_argv(exec_line.removeprefix("Exec="))
    assert argv == [str(bundle / "ouro-desktop")]
    assert f"TryExec={bundle / 'ouro-desktop'}" in lines
    # The entry starts the program (as a launcher would, with the file it was given).
    ran = subprocess.run([*argv, "/tmp/Cu.cif"], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "started with: /tmp/Cu.cif"
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(entry)], capture_output=True, text=True, check=False
        )
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout + check.stderr
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert (data / "mime" / "packages" / f"{APP_ID}.xml").is_file()
    assert (data / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    link = home / ".local" / "bin" / "ouro-desktop"
    assert link.is_symlink() and Path(os.readlink(link)) == bundle / "ouro-desktop"

    # Installing again (say after an update) is fine; uninstall removes what it added.
    assert _install(bundle, home).returncode == 0
    done = _install(bundle, home, "--uninstall")
    assert done.returncode == 0, done.stderr
    assert not entry.exists() and not link.exists()
    assert not list((data / "icons").rglob(f"{APP_ID}.*"))
    assert not (data / "mime" / "packages" / f"{APP_ID}.xml").exists()


def test_uninstall_leaves_someone_elses_ouro_desktop_link_alone(tmp_path: Path) -> None:
    bundle = _fake_bundle(tmp_path)
    home = tmp_path / "home"
    (home / ".local" / "bin").mkdir(parents=True)
    other = home / ".local" / "bin" / "ouro-desktop"
    other.symlink_to("/opt/elsewhere/ouro-desktop")
    assert _install(bundle, home, "--uninstall").returncode == 0
    assert other.is_symlink()


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils")
def test_the_shipped_desktop_file_validates() -> None:
    entry = ROOT / "resources" / f"{APP_ID}.desktop"
    check = subprocess.run(
        ["desktop-file-validate", str(entry)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0 and not check.stdout.strip(), check.stdout


def test_a_launcher_puts_the_opened_files_where_the_field_codes_are() -> None:
    expand, split = desktop_exec.expand, desktop_exec.split_exec
    entry = {"Name": "Ouro Desktop", "Icon": APP_ID}
    files = ["/data/My crystal.cif", "/data/b$c.cif"]
    assert expand(split("ouro-desktop %f"), files, entry, "/e.desktop") == [
        "ouro-desktop",
        "/data/My crystal.cif",
    ]
    assert expand(split("ouro-desktop %F"), files, entry, "") == ["ouro-desktop", *files]
    assert expand(split("ouro-desktop %U --x"), files, entry, "") == ["ouro-desktop", *files, "--x"]
    assert expand(split("ouro-desktop %f"), [], entry, "") == ["ouro-desktop"]
    assert expand(split("app %i --name=%c %k 100%%"), [], entry, "/e.desktop") == [
        "app",
        "--icon",
        APP_ID,
        "--name=Ouro Desktop",
        "/e.desktop",
        "100%",
    ]
    # quoting and the string escapes of the file format
    # (in the file: "/opt/My \\"apps\" \$HOME/x" %f, and four backslashes for one)
    assert split('"/opt/My \\\\"apps\\" \\$HOME/x" %f') == ['/opt/My "apps" $HOME/x', "%f"]
    assert split('"/opt/a\\\\\\\\b"') == ["/opt/a\\b"]
    assert split("a\\sb c") == ["a", "b", "c"]  # \s is a space, and spaces separate
    with pytest.raises(ValueError, match="unterminated"):
        split('"/opt/x %f')
