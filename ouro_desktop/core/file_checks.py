"""Checking a dropped or browsed file against a route's input declaration, before any upload.

:func:`check_local_file` turns one dropped item (a path, or a URL string from a drag) into a
:class:`CheckedFile` or raises :class:`FileRejected` with a plain-language reason: not on this
computer, a folder, a broken or looping shortcut, gone since the drop, unreadable, empty, too
big, the wrong type, or binary bytes behind a text extension. :func:`check_many` routes a
window-level drop of many files to the inputs that accept them. Text formats are sniffed
with :func:`~ouro_desktop.core.text_bytes.decode_text`, the decoder the CIF preview uses, so
a file that passes here (UTF-8 with or without a BOM, UTF-16) also previews.

Everything here is blocking file I/O (``stat`` and at most 64 KB read per file): callers on
the UI thread run it in an executor. Paths are handled as ``os.fsencode``-safe ``str`` (names
that are not UTF-8 arrive as surrogate escapes); :func:`display_name` makes any name safe to
show. Qt-free.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

from ouro_desktop.api.files import FileStamp, content_type_for
from ouro_desktop.api.models import InputDeclaration

from .route_fields import humanize_key
from .text_bytes import decode_text

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FILTER_EXTENSIONS",
    "FILTER_MIME",
    "SNIFF_BYTES",
    "CheckedFile",
    "FileRejected",
    "accepted_types_text",
    "check_local_file",
    "check_many",
    "display_name",
    "drag_verdict",
    "format_size",
    "name_accepted",
]

DEFAULT_MAX_BYTES = 2 * 1024**3
SNIFF_BYTES = 64 * 1024
# MIME groups behind ``input_filter`` (ouro-protocol.md §4.3, from ouro-js utils/files.ts).
FILTER_MIME: dict[str, frozenset[str]] = {
    "atomic structure": frozenset(
        {
            "chemical/x-cif",
            "chemical/x-pdb",
            "chemical/x-sdf",
            "chemical/x-mdl-sdfile",
            "chemical/x-mdl-molfile",
            "text/cif",
        }
    ),
    "image": frozenset(
        {
            "image/png",
            "image/jpeg",
            "image/webp",
            "image/gif",
            "image/svg+xml",
            "image/bmp",
            "image/tiff",
            "image/x-icon",
            "image/vnd.microsoft.icon",
        }
    ),
    "pdf": frozenset({"application/pdf"}),
    "3d model": frozenset({"model/obj"}),
}
# Extensions shown (and offered in Browse…) for a filter-only declaration.
FILTER_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "atomic structure": ("cif", "pdb", "sdf", "mol"),
    "image": ("png", "jpg", "jpeg", "webp", "gif", "svg", "bmp", "tif", "tiff"),
    "pdf": ("pdf",),
    "3d model": ("obj",),
}
# Formats that must be text; a NUL byte or mostly-unprintable bytes mean a wrong file.
TEXT_FORMATS = {
    "cif": "CIF",
    "mcif": "CIF",
    "pdb": "PDB",
    "xyz": "XYZ",
    "extxyz": "XYZ",
    "sdf": "SDF",
    "mol": "MOL",
    "mol2": "MOL2",
    "poscar": "POSCAR",
    "vasp": "POSCAR",
    "csv": "CSV",
    "tsv": "TSV",
    "json": "JSON",
    "txt": "text",
    "md": "Markdown",
    "yaml": "YAML",
    "yml": "YAML",
    "xml": "XML",
    "obj": "OBJ",
    "svg": "SVG",
}
# Binary formats we can recognise by their first bytes.
MAGIC: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("PDF", (b"%PDF",)),
    "png": ("PNG image", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("JPEG image", (b"\xff\xd8\xff",)),
    "jpeg": ("JPEG image", (b"\xff\xd8\xff",)),
    "gif": ("GIF image", (b"GIF87a", b"GIF89a")),
    "zip": ("zip archive", (b"PK\x03\x04", b"PK\x05\x06")),
    "gz": ("gzip archive", (b"\x1f\x8b",)),
}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_WEB_SCHEMES = {"http", "https", "ftp", "ftps", "sftp", "s3", "gs", "smb", "webdav", "dav"}
# Bidirectional controls can disguise an extension ("evil\u202efic.exe" shows as "exe.cif").
_BIDI = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")


class FileRejected(Exception):
    """A dropped item that cannot be used; ``message`` says why, in words for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    """A local file that passed every check: ready to preview, hash and upload.

    ``path`` is resolved (a symbolic link is followed to its target). ``name`` is the
    target's name made safe by :func:`display_name`: show it, and upload under it.
    ``mtime_ns`` with ``size`` is the version that was checked (:attr:`stamp`): the
    upload refuses a file that no longer matches it.
    """

    path: Path
    name: str
    size: int
    extension: str
    mime: str
    mtime_ns: int = 0

    @property
    def stamp(self) -> FileStamp:
        return FileStamp(self.size, self.mtime_ns)


def display_name(name: str) -> str:
    """``name`` safe to show: undecodable bytes as U+FFFD, controls and bidi marks as ``?``."""
    out = []
    for ch in name:
        if "\udc80" <= ch <= "\udcff" or "\ud800" <= ch <= "\udfff":
            out.append("\ufffd")
        elif ch in _BIDI or unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            out.append("?")
        else:
            out.append(ch)
    return "".join(out) or "(no name)"


def format_size(n: int) -> str:
    """A size for people: ``512 bytes``, ``1.5 KB``, ``3.2 MB``, ``2 GB`` (1 KB = 1024 bytes)."""
    if n < 1024:
        return "1 byte" if n == 1 else f"{n} bytes"
    value = float(n)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            text = f"{value:.1f}".rstrip("0").rstrip(".")
            return f"{text} {unit}"
    raise AssertionError("unreachable")


def _extensions(decl: InputDeclaration) -> tuple[str, ...]:
    if decl.file_extensions:
        return decl.file_extensions
    return FILTER_EXTENSIONS.get(decl.input_filter or "", ())


def accepted_types_text(decl: InputDeclaration) -> str:
    """What an input takes, for a label: ``.cif — atomic structure``, ``any file``."""
    exts = ", ".join(f".{e}" for e in _extensions(decl))
    what = decl.input_filter or ""
    if decl.asset_type != "file":
        return f"an Ouro {decl.asset_type}"
    if exts and what:
        return f"{exts} — {what}"
    return exts or what or "any file"


def _matching_extension(name: str, decl: InputDeclaration) -> str | None:
    lower = name.lower()
    # Longest first, so "tar.gz" wins over "gz".
    for ext in sorted(decl.file_extensions, key=len, reverse=True):
        if lower.endswith("." + ext):
            return ext
    return None


def name_accepted(name: str, decl: InputDeclaration) -> bool:
    """Whether a file called ``name`` fits ``decl`` by its extension or MIME group alone."""
    if decl.asset_type != "file":
        return False
    if decl.file_extensions:
        return _matching_extension(name, decl) is not None
    if decl.input_filter:
        mime = content_type_for(name)
        group = FILTER_MIME.get(decl.input_filter)
        return mime in group if group else mime.split("/")[0] == decl.input_filter
    return True


def _local_path(item: str | Path) -> Path:
    """The local path behind a dropped item; URLs of other computers are refused."""
    if isinstance(item, Path):
        return item
    text = item.strip("\r\n") if isinstance(item, str) else str(item)
    if not text:
        raise FileRejected("Nothing was dropped: the item had no file name.")
    match = _SCHEME.match(text)
    # "C:\..." and "C:/..." are Windows drive paths, not URL schemes.
    if match and len(match.group(1)) > 1:
        scheme = match.group(1).lower()
        if scheme == "file":
            parts = urlsplit(text)
            if parts.netloc not in ("", "localhost"):
                raise FileRejected(
                    f"That file is on another computer ({display_name(parts.netloc)}): only "
                    "files on this computer can be dropped. Copy it here first."
                )
            raw = os.fsdecode(unquote_to_bytes(parts.path))
            if re.match(r"^/[A-Za-z]:[/\\]", raw):  # file:///C:/x on Windows
                raw = raw[1:]
            return Path(raw)
        short = display_name(text if len(text) <= 80 else text[:77] + "…")
        if scheme in _WEB_SCHEMES:
            raise FileRejected(
                f"{short} is a web link: only files on this computer can be dropped; "
                "download it first, then drop the downloaded file."
            )
        raise FileRejected(f"{short} is not a file on this computer.")
    path = Path(text)
    if not path.is_absolute():
        raise FileRejected(f"“{display_name(text)}” is not the full path of a file.")
    return path


def drag_verdict(items: Sequence[str], decl: InputDeclaration) -> str | None:
    """Why dropping ``items`` on the input ``decl`` would be refused, or None if it looks
    right. Decided from the names alone -- nothing is opened, as this runs while the mouse
    moves -- with the words the full check (:func:`check_local_file`) uses after the drop."""
    if not items:
        return "Only files can be dropped here."
    if len(items) > 1:
        return f"This input takes one file; you are dragging {len(items)}. Drop just one."
    try:
        path = _local_path(items[0])
    except FileRejected as exc:
        return exc.message
    shown = f"“{display_name(path.name)}”"
    if decl.asset_type != "file":
        return f"This input takes an Ouro {decl.asset_type}, not a file from this computer."
    if not name_accepted(path.name, decl):
        return f"{shown} can't go here: this input takes {accepted_types_text(decl)}."
    return None


def _os_reason(exc: OSError, shown: str) -> str:
    if exc.errno == errno.ELOOP:
        return f"{shown} is a shortcut (symbolic link) that loops back on itself."
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return f"{shown} is no longer there: it was moved or deleted after it was chosen."
    if isinstance(exc, PermissionError):
        return f"{shown} can't be read: you don't have permission to open it."
    if exc.errno == errno.ENAMETOOLONG:
        return f"{shown} has a path too long for this computer to open."
    return f"{shown} can't be read ({exc.strerror or type(exc).__name__})."


def check_local_file(
    item: str | Path, decl: InputDeclaration, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> CheckedFile:
    """Check ``item`` against ``decl``; return the resolved file or raise :class:`FileRejected`."""
    path = _local_path(item)
    shown = f"“{display_name(path.name)}”"
    named = humanize_key(display_name(decl.key))
    if decl.asset_type != "file":
        raise FileRejected(
            f"{shown} can't go here: the “{named}” input takes an Ouro "
            f"{decl.asset_type}, not a file from this computer."
        )
    try:
        link = os.lstat(path)
    except OSError as exc:
        raise FileRejected(_os_reason(exc, shown)) from None
    try:
        info = os.stat(path)
    except OSError as exc:
        if stat.S_ISLNK(link.st_mode) and isinstance(exc, FileNotFoundError):
            try:
                target = f" to “{display_name(os.fsdecode(os.readlink(path)))}”"
            except OSError:
                target = ""
            raise FileRejected(
                f"{shown} is a shortcut (symbolic link){target}, which doesn't exist."
            ) from None
        raise FileRejected(_os_reason(exc, shown)) from None
    if stat.S_ISDIR(info.st_mode):
        raise FileRejected(f"{shown} is a folder; drop a file from inside it instead.")
    if not stat.S_ISREG(info.st_mode):
        kind = "a named pipe" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        raise FileRejected(f"{shown} is {kind}, not an ordinary file.")
    # The file that gets uploaded is the link's target, under the target's name.
    resolved = Path(os.path.realpath(path))
    real_name = resolved.name
    if not name_accepted(real_name, decl):
        via = "" if real_name == path.name else f" (it points to “{display_name(real_name)}”)"
        raise FileRejected(
            f"{shown}{via} isn't accepted by “{named}”, which takes {accepted_types_text(decl)}."
        )
    size = info.st_size
    if size == 0:
        raise FileRejected(f"{shown} is empty (0 bytes).")
    if size > max_bytes:
        raise FileRejected(
            f"{shown} is {format_size(size)}; the largest file you can upload is "
            f"{format_size(max_bytes)}."
        )
    extension = _matching_extension(real_name, decl) or resolved.suffix.lower().lstrip(".")
    try:
        with open(resolved, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise FileRejected(_os_reason(exc, shown)) from None
    if not head:
        raise FileRejected(f"{shown} is empty now (0 bytes): it changed after it was chosen.")
    _sniff(head, extension, shown)
    return CheckedFile(
        path=resolved,
        name=display_name(real_name),
        size=size,
        extension=extension,
        mime=content_type_for(real_name),
        mtime_ns=info.st_mtime_ns,
    )


def _sniff(head: bytes, extension: str, shown: str) -> None:
    """Reject bytes that can't be the format the extension promises."""
    if extension in MAGIC:
        kind, signatures = MAGIC[extension]
        if not head.startswith(signatures):
            raise FileRejected(f"{shown} doesn't look like a {kind}: its contents don't match.")
        return
    label = TEXT_FORMATS.get(extension)
    if label is None:
        return
    try:
        decode_text(head, partial=True)
    except ValueError:
        article = "an" if label[0] in "AEIOUX" else "a"
        raise FileRejected(
            f"{shown} doesn't look like {article} {label} text file: it contains binary data."
        ) from None


def check_many(
    items: Iterable[str | Path],
    decls: Mapping[str, InputDeclaration],
    *,
    taken: Iterable[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[
    list[tuple[str, CheckedFile]],
    list[tuple[str | Path, str]],
    list[tuple[CheckedFile, list[str]]],
]:
    """Route a drop of several items to the inputs that accept them.

    Returns ``(accepted, rejected, ambiguous)``: ``(key, file)`` pairs, ``(item, message)``
    for every item that can't be used (a specific reason each), and files that fit more
    than one free input (the UI asks which). Each input takes one file; ``taken`` lists
    inputs already filled. Items are kept in drop order: the first good file wins a zone.
    """
    free = {k for k in decls if k not in set(taken)}
    accepted: list[tuple[str, CheckedFile]] = []
    rejected: list[tuple[str | Path, str]] = []
    pending: list[tuple[str | Path, CheckedFile, list[str]]] = []
    seen: set[Path] = set()
    everything = "; ".join(
        f"“{display_name(k)}” takes {accepted_types_text(d)}" for k, d in decls.items()
    )
    for item in items:
        try:
            path = _local_path(item)
            candidates = [k for k, d in decls.items() if name_accepted(path.name, d)]
            if not decls:
                raise FileRejected("This route takes no files.")
            if not candidates:
                raise FileRejected(
                    f"“{display_name(path.name)}” doesn't fit any input here: {everything}."
                )
            checked = check_local_file(path, decls[candidates[0]], max_bytes=max_bytes)
        except FileRejected as exc:
            rejected.append((item, exc.message))
            continue
        if checked.path in seen:
            rejected.append((item, f"“{checked.name}” was dropped twice; it is used once."))
            continue
        seen.add(checked.path)
        pending.append((item, checked, candidates))
    # Files that fit exactly one input claim it first, in drop order.
    pending.sort(key=lambda entry: len(entry[2]) > 1)
    ambiguous: list[tuple[CheckedFile, list[str]]] = []
    for item, checked, candidates in pending:
        open_keys = [k for k in candidates if k in free]
        # Ambiguous files already waiting for one of these inputs hold a place each.
        waiting = sum(1 for _f, keys in ambiguous if set(keys) & set(open_keys))
        if len(open_keys) == 1 and not waiting:
            accepted.append((open_keys[0], checked))
            free.discard(open_keys[0])
        elif len(open_keys) > waiting:
            ambiguous.append((checked, open_keys))
        else:
            names = " / ".join(f"“{display_name(k)}”" for k in candidates)
            rejected.append(
                (item, f"This route takes one file for {names}; “{checked.name}” was not used.")
            )
    return accepted, rejected, ambiguous
