"""The .deb's Depends line, computed from real ELF files and this machine's dpkg database.

The stand-in bundles hold copies of the system's own ``ls`` (coreutils, on every Debian
system) and of the libselinux it links; the ground truth for what they link and which
symbol versions they need is ``ldd -v``, which asks the dynamic loader itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cmp_to_key
from pathlib import Path

import deb_depends
import elf_needs
import pytest

LS = Path(shutil.which("ls") or "/bin/ls").resolve()


def _ldd(path: Path) -> tuple[dict[str, Path], dict[str, set[str]]]:
    """What the loader says: soname -> path it loads, and the version tags ``path``
    itself requires of each library (its own block of ldd -v)."""
    out = subprocess.run(["ldd", "-v", str(path)], capture_output=True, text=True).stdout
    paths = {
        m.group(1): Path(m.group(2))
        for m in re.finditer(r"^\s+(\S+) => (/\S+)", out.split("Version information")[0], re.M)
    }
    versions: dict[str, set[str]] = {}
    own = out.split("Version information:")[1].split(f"\n\t{path}:\n")[-1].split("\n\t/")[0]
    for m in re.finditer(r"^\t\t(\S+) \((\S+)\) =>", own, re.M):
        versions.setdefault(m.group(1), set()).add(m.group(2))
    return paths, versions


def _bundle(tmp_path: Path, *libraries: Path) -> Path:
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    shutil.copy2(LS, bundle / "ouro-desktop")
    for lib in libraries:
        shutil.copy2(lib, bundle / "_internal" / lib.name)
    return bundle


def _installed(package: str) -> str:
    return subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True
    ).stdout


def _at_least(a: str, b: str) -> bool:
    return subprocess.run(["dpkg", "--compare-versions", a, "ge", b]).returncode == 0


def test_the_elf_reader_agrees_with_the_loader() -> None:
    needs = elf_needs.read_needs(LS)
    paths, versions = _ldd(LS)
    assert needs.bits == 64 or needs.bits == 32
    assert "libc.so.6" in needs.needed
    assert set(needs.needed) <= set(paths)  # ldd also lists what the libraries link
    assert {k: set(v) for k, v in needs.versions.items()} == versions
    # Imports carry their version: ls calls e.g. malloc from libc
    libc_imports = {name for name, _tag, library in needs.imports if library == "libc.so.6"}
    assert {"malloc", "free"} <= libc_imports


def test_a_file_that_is_not_elf_is_told_apart(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\n")
    assert not elf_needs.is_elf(script)
    with pytest.raises(elf_needs.NotElf):
        elf_needs.parse_needs(b"#!/bin/sh\n" + b"\0" * 64)


def test_the_system_libraries_of_a_bundle_map_to_their_debian_packages(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    libraries = {lib.soname: lib for lib in deb_depends.system_libraries(bundle)}
    assert set(libraries) == set(elf_needs.read_needs(LS).needed)
    assert libraries["libc.so.6"].packages == ("libc6",)
    assert libraries["libc.so.6"].users == ("ouro-desktop",)
    assert libraries["libselinux.so.1"].packages == ("libselinux1",)

    # The lowest libc that will do: at least the newest GLIBC_x.y tag ls needs, and no
    # newer than the libc this machine has.
    minimum = libraries["libc.so.6"].minimum
    assert minimum is not None
    newest_tag = max(
        (t.removeprefix("GLIBC_") for t in _ldd(LS)[1]["libc.so.6"]),
        key=lambda v: tuple(int(x) for x in v.split(".")),
    )
    assert _at_least(minimum, newest_tag)
    assert _at_least(_installed("libc6"), minimum)

    line = deb_depends.depends_line(bundle)
    assert f"libc6 (>= {minimum})" in line.split(", ")
    assert any(part.split(" ")[0] == "libselinux1" for part in line.split(", "))


def test_a_library_the_bundle_carries_is_no_dependency_but_what_it_links_is(
    tmp_path: Path,
) -> None:
    selinux = _ldd(LS)[0]["libselinux.so.1"]
    bundle = _bundle(tmp_path, selinux)
    needs, _imports, users = deb_depends.bundle_system_needs(bundle)
    assert "libselinux.so.1" not in needs
    carried_needs = set(elf_needs.read_needs(selinux).needed)
    assert set(needs) == (set(elf_needs.read_needs(LS).needed) | carried_needs) - {
        "libselinux.so.1"
    }
    assert "_internal/libselinux.so.1" in users["libc.so.6"]
    packages = {p for lib in deb_depends.system_libraries(bundle) for p in lib.packages}
    assert "libselinux1" not in packages
    for soname in carried_needs - {"libc.so.6"}:
        owner = deb_depends.dpkg_owners([soname])[soname]
        assert set(owner) <= packages


def test_a_library_no_package_provides_stops_the_build_with_its_name(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    program = bundle / "ouro-desktop"
    data = program.read_bytes()
    assert data.count(b"libselinux.so.1\0") == 1
    # The same ELF file, linking a library of a name no package has.
    program.write_bytes(data.replace(b"libselinux.so.1\0", b"libzzzzzzz.so.1\0"))
    assert "libzzzzzzz.so.1" in elf_needs.read_needs(program).needed
    with pytest.raises(
        deb_depends.MissingLibraries, match=r"libzzzzzzz\.so\.1 \(linked by ouro-desktop\)"
    ):
        deb_depends.depends_line(bundle)


def test_a_carried_fontconfig_brings_its_configuration(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    (bundle / "_internal" / "libfontconfig.so.1").write_bytes(b"stand-in: not an ELF file")
    assert "fontconfig-config" in deb_depends.depends_line(bundle).split(", ")
    assert "fontconfig-config" not in deb_depends.depends_line(_bundle(tmp_path / "2"))


def test_the_minimum_comes_from_the_symbols_the_bundle_uses() -> None:
    symbols = deb_depends.parse_symbols(
        "libfoo.so.1 libfoo1 #MINVER#\n"
        "* Build-Depends-Package: libfoo-dev\n"
        " FOO_1.0@FOO_1.0 1.0\n"
        " FOO_1.4@FOO_1.4 1.4~rc1\n"
        " foo_open@FOO_1.0 1.0\n"
        " foo_stream@FOO_1.4 1.4~rc1\n"
        " foo_plain@Base 1.2\n"
        " foo_always@Base 0\n"
        ' (c++)"foo::bar()@Base" 1.3\n'
        " (optional)foo_maybe@Base 1.1\n"
        "libfoo-extra.so.2 libfoo1 #MINVER#\n"
        " extra@Base 2.0\n"
    )["libfoo.so.1"]
    assert "foo::bar()@Base" not in symbols and symbols["foo_maybe@Base"] == "1.1"
    minimum = deb_depends.symbols_minimum
    assert minimum(symbols, [("foo_open", "FOO_1.0")], {"FOO_1.0"}) == "1.0"
    assert minimum(symbols, [("foo_open", "FOO_1.0")], {"FOO_1.0", "FOO_1.4"}) == "1.4~rc1"
    assert minimum(symbols, [("foo_plain", None), ("foo_open", "FOO_1.0")], set()) == "1.2"
    # "0" means every version has it; a symbol from another library is not counted
    assert minimum(symbols, [("foo_always", None), ("extra", None)], set()) is None


def test_shlibs_lines_map_sonames_of_both_forms() -> None:
    shlibs = deb_depends.parse_shlibs(
        "libxcb 1 libxcb1 (>= 1.12)\n"
        "udeb: libxcb 1 libxcb1-udeb (>= 1.12)\n"
        "libfoo-2.0 0 libfoo-2.0-0 (>= 2.0.1)\n"
        "libbar 3.1 libbar3.1\n"
    )
    assert shlibs["libxcb.so.1"] == "libxcb1 (>= 1.12)"
    assert shlibs["libfoo-2.0.so.0"] == "libfoo-2.0-0 (>= 2.0.1)"
    assert shlibs["libbar-3.1.so"] == "libbar3.1"


def test_versions_are_ordered_as_dpkg_orders_them() -> None:
    versions = [
        "0", "1.0", "1.0-0", "1.0-1", "1.0~rc1", "1.0~rc1-1", "1.0+dfsg", "1.0a", "1.0.1",
        "1:0.9", "2.2.5", "2.2", "2.10", "2.9", "2.34", "2.4", "1.0-1~bpo1", "1.0-1+b2",
        "1.2.3-4ubuntu0.1", "7.0.0~beta", "7.0.0~~", "7.0.0", "1.0.0", "01.0",
    ]  # fmt: skip
    ordered = sorted(versions, key=cmp_to_key(deb_depends.compare_versions))
    # dpkg agrees on each neighbouring pair, so on the whole order.
    for a, b in zip(ordered, ordered[1:], strict=False):
        ours = deb_depends.compare_versions(a, b)
        assert ours == -deb_depends.compare_versions(b, a)
        op = "lt" if ours < 0 else "eq"
        assert subprocess.run(["dpkg", "--compare-versions", a, op, b]).returncode == 0, (a, b)
