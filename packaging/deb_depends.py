"""The ``Depends:`` line of the .deb, computed from the bundle, not guessed.

1. Every ELF file in the bundle is read (``elf_needs``) for the libraries it links. A
   library the bundle carries itself (a file of that name, or one whose SONAME it is) is
   not a dependency; every other one is loaded from the system.
2. Each system library is looked up in this machine's dpkg database (``dpkg-query -S``)
   in the standard library folders of this architecture: its package is the dependency.
   The build machine must therefore have them installed (it has to run the bundle too);
   a library no package provides stops the build with its name.
3. The lowest version that will do comes from that package's ``symbols`` file, as
   ``dpkg-shlibdeps`` does it: the highest first-version among the symbols the bundle
   imports (``memfd_create@GLIBC_2.27`` -> 2.27); for a package without a symbols file,
   the dependency its ``shlibs`` file declares.

``DATA_NEEDS`` adds what the carried libraries read at run time from outside any ELF
file (the fontconfig configuration that points them at the fonts).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from elf_needs import NotElf, is_elf, read_needs

# A carried library -> the package with the files it reads (not an ELF dependency).
DATA_NEEDS = {
    # The bundle carries libfontconfig, which reads /etc/fonts (and finds the fonts
    # through it): without it Qt draws no text.
    "libfontconfig.so.1": "fontconfig-config",
}

_LIB_DIR = re.compile(r"^/(usr/)?lib(32|64)?(/[^/]+-linux-gnu[^/]*)?$")


class MissingLibraries(RuntimeError):
    """System libraries the bundle links that no installed package provides."""


@dataclass(frozen=True)
class SystemLibrary:
    soname: str
    packages: tuple[str, ...]  # the package(s) that ship it here (alternatives)
    minimum: str | None  # lowest version that will do; None: any
    users: tuple[str, ...]  # bundle files that link it (relative), for the report


def bundle_system_needs(
    bundle: Path,
) -> tuple[dict[str, set[str]], dict[str, list[tuple[str, str | None]]], dict[str, list[str]]]:
    """The sonames the bundle links but does not carry, with the version tags required
    of each, the symbols imported (name, tag) per soname, and the files that link each."""
    carried: set[str] = set()
    elves = []
    for path in sorted(bundle.rglob("*")):
        if path.is_symlink() or path.is_file():
            carried.add(path.name)
        if path.is_file() and not path.is_symlink() and is_elf(path):
            try:
                needs = read_needs(path)
            except NotElf:
                continue  # object files, core dumps, ...: nothing the loader reads
            if needs.soname:
                carried.add(needs.soname)
            elves.append((path, needs))
    tags: dict[str, set[str]] = {}
    imports: dict[str, list[tuple[str, str | None]]] = {}
    users: dict[str, list[str]] = {}
    for path, needs in elves:
        outside = [n for n in needs.needed if n not in carried]
        for soname in outside:
            tags.setdefault(soname, set()).update(needs.versions.get(soname, ()))
            users.setdefault(soname, []).append(str(path.relative_to(bundle)))
            # Versioned imports name their library; unversioned ones could come from any
            # needed library, and are matched against each one's symbols file.
            imports.setdefault(soname, []).extend(
                (name, tag)
                for name, tag, library in needs.imports
                if library == soname or library is None
            )
    return tags, imports, users


def system_libraries(bundle: Path) -> list[SystemLibrary]:
    tags, imports, users = bundle_system_needs(bundle)
    owners = dpkg_owners(tags)
    missing = sorted(set(tags) - set(owners))
    if missing:
        raise MissingLibraries(
            "no installed package provides "
            + ", ".join(f"{s} (linked by {users[s][0]})" for s in missing)
            + ". Install the packages that do (e.g. found with `apt-file search NAME`) and "
            "build again: the .deb's dependencies are read from this machine."
        )
    out = []
    for soname in sorted(tags):
        packages = owners[soname]
        minimum = None
        for package in packages[:1]:
            minimum = minimum_version(package, soname, imports[soname], tags[soname])
        out.append(SystemLibrary(soname, packages, minimum, tuple(users[soname])))
    return out


def depends_line(bundle: Path) -> str:
    """``Depends:`` for the bundle: one entry per package (alternatives with ``|``), with
    the highest minimum version any of its libraries needs."""
    best: dict[tuple[str, ...], str | None] = {}
    for lib in system_libraries(bundle):
        key = lib.packages
        if key not in best or _newer(lib.minimum, best[key]):
            best[key] = lib.minimum
    names = {p.name for p in bundle.rglob("*")}
    for carried, package in DATA_NEEDS.items():
        if carried in names:
            best.setdefault((package,), None)
    parts = []
    for packages, minimum in sorted(best.items()):
        if minimum is not None and len(packages) == 1:
            parts.append(f"{packages[0]} (>= {minimum})")
        else:
            parts.append(" | ".join(packages))
    return ", ".join(parts)


def _newer(a: str | None, b: str | None) -> bool:
    if a is None:
        return False
    return b is None or compare_versions(a, b) > 0


# -- the dpkg database ---------------------------------------------------------------------


def native_architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()


def dpkg_owners(sonames: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """soname -> the packages that install it into a library folder of this machine's
    architecture (sonames nobody provides are left out)."""
    sonames = sorted(set(sonames))
    if not sonames:
        return {}
    arch = native_architecture()
    done = subprocess.run(
        ["dpkg-query", "-S", *(f"*/{s}" for s in sonames)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )
    found: dict[str, set[str]] = {}
    for line in done.stdout.splitlines():
        if line.startswith("diversion by") or ": " not in line:
            continue
        who, path = line.split(": ", 1)
        folder, _, name = path.rpartition("/")
        if name not in sonames or not _LIB_DIR.match(folder):
            continue
        for entry in who.split(", "):
            package, _, qualifier = entry.partition(":")
            if qualifier and qualifier != arch:
                continue
            found.setdefault(name, set()).add(package)
    return {s: tuple(sorted(p)) for s, p in found.items()}


def control_file(package: str, name: str) -> str | None:
    """A file from the package's control area (``symbols``, ``shlibs``), or None."""
    done = subprocess.run(
        ["dpkg-query", "--control-show", package, name],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout if done.returncode == 0 else None


def minimum_version(
    package: str,
    soname: str,
    imports: Sequence[tuple[str, str | None]],
    tags: Iterable[str],
) -> str | None:
    symbols = control_file(package, "symbols")
    if symbols is not None:
        table = parse_symbols(symbols).get(soname)
        if table is not None:
            return symbols_minimum(table, imports, tags)
    shlibs = control_file(package, "shlibs")
    if shlibs is not None:
        dep = parse_shlibs(shlibs).get(soname)
        if dep is not None:
            match = re.fullmatch(rf"{re.escape(package)}(?::\S+)? \(>= ([^)]+)\)", dep.strip())
            if match:
                return match.group(1)
    return None


def parse_symbols(text: str) -> dict[str, dict[str, str]]:
    """A dpkg symbols file: soname -> {"name@VERSION": first version}. C++ and regex
    patterns are left out (they match names, and the bundle's imports are plain)."""
    out: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            if line[0] in "|*":
                continue  # alternative dependencies, meta fields
            current = out.setdefault(line.split()[0], {})
            continue
        if current is None:
            continue
        entry = line.strip()
        if entry.startswith("("):
            tag_end = entry.find(")")
            options = entry[1:tag_end]
            if "c++" in options or "regex" in options:
                continue
            entry = entry[tag_end + 1 :]
        fields = entry.split()
        if len(fields) >= 2:
            current[fields[0]] = fields[1]
    return out


def parse_shlibs(text: str) -> dict[str, str]:
    """A dpkg shlibs file: soname -> dependency (udeb and other typed lines left out)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        fields = line.split(None, 2)
        if len(fields) < 3 or fields[0].endswith(":") or line.startswith("#"):
            continue
        name, version, dep = fields
        for soname in (f"{name}.so.{version}", f"{name}-{version}.so"):
            out.setdefault(soname, dep)
    return out


def symbols_minimum(
    table: dict[str, str], imports: Sequence[tuple[str, str | None]], tags: Iterable[str]
) -> str | None:
    """The highest first-version among the imported symbols this library's symbols file
    lists, and among the version tags required of it (each tag's own entry, or failing
    that its oldest symbol)."""
    found: list[str] = []
    for name, tag in imports:
        version = table.get(f"{name}@{tag}" if tag else f"{name}@Base")
        if version is not None and version != "0":
            found.append(version)
    for tag in tags:
        version = table.get(f"{tag}@{tag}")
        if version is None:
            olds = [v for k, v in table.items() if k.endswith("@" + tag)]
            version = min(olds, key=_Version) if olds else None
        if version is not None and version != "0":
            found.append(version)
    return max(found, key=_Version) if found else None


# -- Debian version order (deb-version(7)) --------------------------------------------------


def compare_versions(a: str, b: str) -> int:
    """-1, 0 or 1 as ``dpkg --compare-versions`` orders a and b."""
    x, y = _Version(a), _Version(b)
    return (x > y) - (x < y)


class _Version:
    def __init__(self, text: str) -> None:
        epoch, _, rest = text.rpartition(":") if ":" in text else ("0", "", text)
        upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "0")
        self.parts = (int(epoch or 0), upstream, revision)

    def _key(self, other: _Version) -> int:
        if self.parts[0] != other.parts[0]:
            return -1 if self.parts[0] < other.parts[0] else 1
        for a, b in zip(self.parts[1:], other.parts[1:], strict=True):
            c = _compare_fragment(a, b)
            if c:
                return c
        return 0

    def __lt__(self, other: _Version) -> bool:
        return self._key(other) < 0

    def __gt__(self, other: _Version) -> bool:
        return self._key(other) > 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Version) and self._key(other) == 0

    __hash__ = None  # type: ignore[assignment]


def _order(c: str) -> int:
    if c == "~":
        return -1
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _compare_fragment(a: str, b: str) -> int:
    i = j = 0
    while i < len(a) or j < len(b):
        # the non-digit run: letters sort before other characters, ~ before the end
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ca = _order(a[i]) if i < len(a) and not a[i].isdigit() else 0
            cb = _order(b[j]) if j < len(b) and not b[j].isdigit() else 0
            if ca != cb:
                return -1 if ca < cb else 1
            i += 1
            j += 1
        na = nb = ""
        while i < len(a) and a[i].isdigit():
            na += a[i]
            i += 1
        while j < len(b) and b[j].isdigit():
            nb += b[j]
            j += 1
        if int(na or 0) != int(nb or 0):
            return -1 if int(na or 0) < int(nb or 0) else 1
    return 0
