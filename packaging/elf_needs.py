"""What an ELF file asks of the dynamic loader: the libraries it links and the symbols it
imports from them.

A small reader for the parts ``packaging/deb_depends.py`` needs (no binutils): the
``DT_NEEDED`` and ``DT_SONAME`` entries of the dynamic section, the symbol versions each
needed library must provide (``GLIBC_2.28`` from ``libc.so.6``, ...), and the undefined
dynamic symbols with the version each is bound to. It works on stripped files (the
dynamic section is found through the program headers), 32- and 64-bit, either byte order.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

PT_LOAD, PT_DYNAMIC = 1, 2
DT_NULL, DT_NEEDED, DT_STRTAB, DT_SONAME = 0, 1, 5, 14
DT_VERNEED, DT_VERNEEDNUM = 0x6FFFFFFE, 0x6FFFFFFF
SHT_DYNSYM, SHT_GNU_VERSYM = 11, 0x6FFFFFFF
ET_EXEC, ET_DYN = 2, 3


class NotElf(ValueError):
    """The file is not an ELF executable or shared library (or is cut short)."""


@dataclass(frozen=True)
class ElfNeeds:
    machine: int  # e_machine: 62 is x86-64, 183 AArch64
    bits: int  # 32 or 64
    soname: str | None
    needed: tuple[str, ...]
    # needed library -> the version tags it must define (e.g. {"GLIBC_2.34", ...})
    versions: dict[str, frozenset[str]] = field(default_factory=dict)
    # the undefined dynamic symbols: (name, version tag or None, library the tag is from)
    imports: tuple[tuple[str, str | None, str | None], ...] = ()


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"\x7fELF"
    except OSError:
        return False


def read_needs(path: Path) -> ElfNeeds:
    return parse_needs(path.read_bytes())


def parse_needs(data: bytes) -> ElfNeeds:
    if data[:4] != b"\x7fELF" or len(data) < 52:
        raise NotElf("no ELF header")
    bits = {1: 32, 2: 64}.get(data[4])
    order = {1: "<", 2: ">"}.get(data[5])
    if bits is None or order is None:
        raise NotElf("unknown ELF class or byte order")
    try:
        return _Reader(data, bits, order).needs()
    except struct.error as exc:
        raise NotElf(f"truncated ELF file ({exc})") from exc


class _Reader:
    def __init__(self, data: bytes, bits: int, order: str) -> None:
        self.data, self.bits, self.o = data, bits, order
        wide = bits == 64
        head = struct.unpack_from(order + ("HHIQQQIHHHHHH" if wide else "HHIIIIIHHHHHH"), data, 16)
        (self.type, self.machine, _v, _entry, self.phoff, self.shoff, _flags, _ehsize) = head[:8]
        (self.phentsize, self.phnum, self.shentsize, self.shnum, _shstrndx) = head[8:]
        if self.type not in (ET_EXEC, ET_DYN):
            raise NotElf("not an executable or shared library")

    def needs(self) -> ElfNeeds:
        segments = list(self._program_headers())
        loads = [s for s in segments if s[0] == PT_LOAD]
        dynamic = next((s for s in segments if s[0] == PT_DYNAMIC), None)
        if dynamic is None:  # statically linked: asks nothing of the loader
            return ElfNeeds(self.machine, self.bits, None, ())
        entries = list(self._dynamic(dynamic[1], dynamic[2]))
        strtab = next((v for t, v in entries if t == DT_STRTAB), None)
        if strtab is None:
            raise NotElf("dynamic section without a string table")
        str_off = _to_offset(loads, strtab)
        needed = tuple(self._str(str_off, v) for t, v in entries if t == DT_NEEDED)
        soname = next((self._str(str_off, v) for t, v in entries if t == DT_SONAME), None)
        verneed = next((v for t, v in entries if t == DT_VERNEED), None)
        count = next((v for t, v in entries if t == DT_VERNEEDNUM), 0)
        versions: dict[str, set[str]] = {}
        # version index (as in .gnu.version) -> (tag, library)
        index: dict[int, tuple[str, str]] = {}
        if verneed is not None:
            off = _to_offset(loads, verneed)
            for _ in range(count):
                _ver, cnt, file_, aux, nxt = struct.unpack_from(self.o + "HHIII", self.data, off)
                library = self._str(str_off, file_)
                a = off + aux
                for _ in range(cnt):
                    _hash, _fl, other, name, anext = struct.unpack_from(
                        self.o + "IHHII", self.data, a
                    )
                    tag = self._str(str_off, name)
                    versions.setdefault(library, set()).add(tag)
                    index[other & 0x7FFF] = (tag, library)
                    if not anext:
                        break
                    a += anext
                if not nxt:
                    break
                off += nxt
        return ElfNeeds(
            machine=self.machine,
            bits=self.bits,
            soname=soname,
            needed=needed,
            versions={k: frozenset(v) for k, v in versions.items()},
            imports=tuple(self._imports(index)),
        )

    def _program_headers(self) -> list[tuple[int, int, int, int]]:
        """(type, file offset, file size, virtual address) of each segment."""
        out = []
        for i in range(self.phnum):
            at = self.phoff + i * self.phentsize
            if self.bits == 64:
                p_type, _fl, off, vaddr, _pa, filesz = struct.unpack_from(
                    self.o + "IIQQQQ", self.data, at
                )
            else:
                p_type, off, vaddr, _pa, filesz = struct.unpack_from(
                    self.o + "IIIII", self.data, at
                )
            out.append((p_type, off, filesz, vaddr))
        return out

    def _dynamic(self, off: int, size: int) -> list[tuple[int, int]]:
        fmt, step = (self.o + "qQ", 16) if self.bits == 64 else (self.o + "iI", 8)
        out = []
        for at in range(off, off + size, step):
            tag, val = struct.unpack_from(fmt, self.data, at)
            if tag == DT_NULL:
                break
            out.append((tag, val))
        return out

    def _sections(self) -> list[tuple[int, int, int, int, int]]:
        """(type, file offset, size, link, entry size) of each section (none if stripped
        of its section table)."""
        out = []
        if not self.shoff:
            return out
        for i in range(self.shnum):
            at = self.shoff + i * self.shentsize
            if self.bits == 64:
                _n, t, _f, _a, off, size, link, _i, _al, ent = struct.unpack_from(
                    self.o + "IIQQQQIIQQ", self.data, at
                )
            else:
                _n, t, _f, _a, off, size, link, _i, _al, ent = struct.unpack_from(
                    self.o + "IIIIIIIIII", self.data, at
                )
            out.append((t, off, size, link, ent))
        return out

    def _imports(
        self, index: dict[int, tuple[str, str]]
    ) -> list[tuple[str, str | None, str | None]]:
        sections = self._sections()
        dynsym = next((s for s in sections if s[0] == SHT_DYNSYM), None)
        if dynsym is None or not dynsym[4]:
            return []
        _t, off, size, link, ent = dynsym
        names_off = sections[link][1]
        versym = next((s for s in sections if s[0] == SHT_GNU_VERSYM), None)
        out: list[tuple[str, str | None, str | None]] = []
        for i in range(size // ent):
            at = off + i * ent
            if self.bits == 64:
                name, _info, _other, shndx = struct.unpack_from(self.o + "IBBH", self.data, at)
            else:
                name, _v, _s, _info, _other, shndx = struct.unpack_from(
                    self.o + "IIIBBH", self.data, at
                )
            if shndx != 0 or not name:
                continue
            tag = library = None
            if versym is not None:
                (ver,) = struct.unpack_from(self.o + "H", self.data, versym[1] + 2 * i)
                if (ver & 0x7FFF) in index:
                    tag, library = index[ver & 0x7FFF]
            out.append((self._str(names_off, name), tag, library))
        return out

    def _str(self, base: int, offset: int) -> str:
        start = base + offset
        end = self.data.index(b"\0", start)
        return self.data[start:end].decode("utf-8", "replace")


def _to_offset(loads: list[tuple[int, int, int, int]], vaddr: int) -> int:
    for _t, off, filesz, start in loads:
        if start <= vaddr < start + filesz:
            return off + vaddr - start
    raise NotElf(f"address {vaddr:#x} is in no loaded segment")
