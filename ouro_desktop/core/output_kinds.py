"""What kind of thing an output (or input) file is, in plain words, never a MIME type.

:func:`file_kind` reads the extension first (from the name, or given), then the MIME type
only to pick a family, and answers "crystal structure (CIF)", "image (PNG)", "audio (MP3)",
"3D model (GLB)", "table (CSV)", "video (MP4)", "text (TXT)"; a file it cannot place is
"file (XYZW)" or just "file". :func:`asset_kind` covers Ouro's other asset types (a
dataset, a post). :func:`preview_family` says how a viewer may show it ("image", "text",
"structure", "audio", "video", "model", "table", "document", "" for none).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["asset_kind", "extension_of", "file_kind", "preview_family"]

# extension -> (family words, preview family)
_EXTENSIONS: Final[Mapping[str, tuple[str, str]]] = {
    "cif": ("crystal structure", "structure"),
    "mcif": ("crystal structure", "structure"),
    "pdb": ("molecular structure", "structure"),
    "xyz": ("molecular structure", "structure"),
    "extxyz": ("molecular structure", "structure"),
    "sdf": ("molecular structure", "structure"),
    "mol": ("molecular structure", "structure"),
    "mol2": ("molecular structure", "structure"),
    "poscar": ("crystal structure", "structure"),
    "vasp": ("crystal structure", "structure"),
    "png": ("image", "image"),
    "jpg": ("image", "image"),
    "jpeg": ("image", "image"),
    "gif": ("image", "image"),
    "webp": ("image", "image"),
    "bmp": ("image", "image"),
    "tif": ("image", "image"),
    "tiff": ("image", "image"),
    "svg": ("image", "image"),
    "ico": ("image", "image"),
    "mp3": ("audio", "audio"),
    "wav": ("audio", "audio"),
    "ogg": ("audio", "audio"),
    "oga": ("audio", "audio"),
    "flac": ("audio", "audio"),
    "m4a": ("audio", "audio"),
    "aac": ("audio", "audio"),
    "opus": ("audio", "audio"),
    "mp4": ("video", "video"),
    "mov": ("video", "video"),
    "webm": ("video", "video"),
    "mkv": ("video", "video"),
    "avi": ("video", "video"),
    "glb": ("3D model", "model"),
    "gltf": ("3D model", "model"),
    "obj": ("3D model", "model"),
    "stl": ("3D model", "model"),
    "ply": ("3D model", "model"),
    "fbx": ("3D model", "model"),
    "usdz": ("3D model", "model"),
    "csv": ("table", "table"),
    "tsv": ("table", "table"),
    "xlsx": ("spreadsheet", "document"),
    "xls": ("spreadsheet", "document"),
    "parquet": ("table", ""),
    "json": ("data", "text"),
    "jsonl": ("data", "text"),
    "yaml": ("data", "text"),
    "yml": ("data", "text"),
    "toml": ("data", "text"),
    "xml": ("data", "text"),
    "txt": ("text", "text"),
    "log": ("text", "text"),
    "md": ("text", "text"),
    "pdf": ("PDF document", "document"),
    "html": ("web page", "text"),
    "zip": ("archive", ""),
    "gz": ("compressed file", ""),
    "tar": ("archive", ""),
    "h5": ("HDF5 data", ""),
    "hdf5": ("HDF5 data", ""),
    "nc": ("NetCDF data", ""),
    "npy": ("array data", ""),
    "npz": ("array data", ""),
}
# MIME family (before the slash) -> words, for a file without a known extension.
_MIME_FAMILIES: Final[Mapping[str, tuple[str, str]]] = {
    "image": ("image", "image"),
    "audio": ("audio", "audio"),
    "video": ("video", "video"),
    "model": ("3D model", "model"),
    "text": ("text", "text"),
    "chemical": ("structure", "structure"),
}
# MIME subtypes worth an extension when the name has none.
_MIME_EXTENSIONS: Final[Mapping[str, str]] = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/svg+xml": "svg",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/wav": "wav",
    "video/mp4": "mp4",
    "model/gltf-binary": "glb",
    "model/gltf+json": "gltf",
    "model/obj": "obj",
    "chemical/x-cif": "cif",
    "text/cif": "cif",
    "chemical/x-pdb": "pdb",
    "text/csv": "csv",
    "text/plain": "txt",
    "application/json": "json",
    "application/pdf": "pdf",
}
# A file whose kind reads well without its extension in capitals.
_NO_SUFFIX: Final = frozenset({"PDF document", "spreadsheet", "web page"})


def extension_of(name: str | None) -> str:
    """The lower-case extension of a file name, without the dot (``""`` if none)."""
    if not name or "." not in name.strip(". "):
        return ""
    return name.rsplit(".", 1)[-1].strip().lower()


def _lookup(extension: str, mime: str) -> tuple[str, str, str]:
    ext = extension.lower().lstrip(".")
    mime = mime.lower().split(";")[0].strip()
    if not ext and mime in _MIME_EXTENSIONS:
        ext = _MIME_EXTENSIONS[mime]
    if ext in _EXTENSIONS:
        words, family = _EXTENSIONS[ext]
        return words, family, ext
    words, family = _MIME_FAMILIES.get(mime.split("/")[0], ("file", ""))
    return words, family, ext


def file_kind(
    name: str | None = None, extension: str | None = None, mime: str | None = None
) -> str:
    """A file's kind in plain words: ``"crystal structure (CIF)"``, ``"image (PNG)"``."""
    ext = (extension or "").lstrip(".") or extension_of(name)
    words, _, ext = _lookup(ext, mime or "")
    if words in _NO_SUFFIX or not ext or len(ext) > 8 or not ext.isalnum():
        return words
    return f"{words} ({ext.upper()})"


def preview_family(
    name: str | None = None, extension: str | None = None, mime: str | None = None
) -> str:
    """How a file can be previewed: "image", "text", "structure", "audio", "video",
    "model", "table", "document", or ``""``."""
    ext = (extension or "").lstrip(".") or extension_of(name)
    return _lookup(ext, mime or "")[1]


def asset_kind(
    asset_type: str | None,
    name: str | None = None,
    extension: str | None = None,
    mime: str | None = None,
) -> str:
    """Any Ouro asset in plain words: a file's kind, or "dataset", "post", ..."""
    kind = (asset_type or "file").lower()
    if kind == "file":
        return file_kind(name, extension, mime)
    return {
        "dataset": "dataset (table)",
        "post": "post (text)",
        "comment": "comment",
        "route": "route",
        "service": "service",
    }.get(kind, kind)
