"""The drop matrix (B1): every kind of bad drop gets its own plain-language reason, good
files (BOM, UTF-16, symlinks, odd names) pass, and 100 files at once are routed quickly."""

from __future__ import annotations

import codecs
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import ouro_desktop.core.file_checks as fc
from ouro_desktop.api.models import InputDeclaration
from ouro_desktop.core.cif_preview import preview_cif
from ouro_desktop.core.file_checks import (
    CheckedFile,
    FileRejected,
    accepted_types_text,
    check_local_file,
    check_many,
    display_name,
    format_size,
)
from ouro_desktop.core.route_fields import humanize_key

EXAMPLES = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples"
CU = (EXAMPLES / "Cu.cif").read_bytes()
CIF = InputDeclaration(
    key="file",
    asset_type="file",
    primary=True,
    file_extensions=("cif",),
    input_filter="atomic structure",
)
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file semantics")


def decl(
    key: str, *exts: str, filter_: str | None = None, asset_type: str = "file"
) -> InputDeclaration:
    return InputDeclaration(
        key=key, asset_type=asset_type, primary=False, file_extensions=exts, input_filter=filter_
    )


def rejected(item: str | Path, d: InputDeclaration = CIF, **kw: int) -> str:
    with pytest.raises(FileRejected) as info:
        check_local_file(item, d, **kw)
    message = info.value.message
    assert message and "\n" not in message
    return message


@pytest.fixture
def cu(tmp_path: Path) -> Path:
    path = tmp_path / "Cu.cif"
    path.write_bytes(CU)
    return path


# -- good files ---------------------------------------------------------------------------
def test_good_cif_is_accepted(cu: Path) -> None:
    checked = check_local_file(cu, CIF)
    assert checked == CheckedFile(
        path=cu.resolve(),
        name="Cu.cif",
        size=len(CU),
        extension="cif",
        mime="chemical/x-cif",
        mtime_ns=cu.stat().st_mtime_ns,  # the version checked: the upload holds it to this
    )
    # A string path and an upper-case extension work the same.
    upper = cu.with_name("CU.CIF")
    upper.write_bytes(CU)
    assert check_local_file(str(upper), CIF).extension == "cif"


def test_cif_with_utf8_bom_is_accepted_and_previews(tmp_path: Path) -> None:
    path = tmp_path / "bom.cif"
    path.write_bytes(codecs.BOM_UTF8 + CU)
    assert check_local_file(path, CIF).size == len(CU) + 3
    assert preview_cif(path).formula == "Cu"


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("utf-16-le", b""),  # no BOM: recognised by the NUL pattern
    ],
    ids=["utf16le-bom", "utf16be-bom", "utf16le-no-bom"],
)
def test_utf16_cif_is_accepted_and_previews(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "wide.cif"
    path.write_bytes(bom + CU.decode().encode(encoding))
    assert check_local_file(path, CIF).extension == "cif"
    preview = preview_cif(path)
    assert (preview.formula, preview.n_atoms, preview.space_group) == ("Cu", 4, "Fm-3m")


@POSIX
def test_symlink_to_a_good_cif_is_followed(cu: Path, tmp_path: Path) -> None:
    link = tmp_path / "links" / "latest.cif"
    link.parent.mkdir()
    link.symlink_to(cu)
    checked = check_local_file(link, CIF)
    assert checked.path == cu.resolve()
    assert checked.name == "Cu.cif"  # uploaded under the target's name


@POSIX
def test_symlink_named_cif_to_a_non_cif_is_rejected(tmp_path: Path) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(CU)
    link = tmp_path / "looks.cif"
    link.symlink_to(blob)
    message = rejected(link)
    assert "looks.cif" in message and "blob.bin" in message and ".cif" in message


# -- the matrix of bad drops --------------------------------------------------------------
def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.cif"
    path.touch()
    assert rejected(path) == "“empty.cif” is empty (0 bytes)."


def test_over_the_size_cap(cu: Path) -> None:
    message = rejected(cu, max_bytes=1024)
    assert message == (
        f"“Cu.cif” is {format_size(len(CU))}; the largest file you can upload is 1 KB."
    )
    assert check_local_file(cu, CIF, max_bytes=len(CU)).size == len(CU)


def test_size_text() -> None:
    assert format_size(0) == "0 bytes"
    assert format_size(1) == "1 byte"
    assert format_size(1536) == "1.5 KB"
    assert format_size(5 * 1024**2) == "5 MB"
    assert format_size(2 * 1024**3) == "2 GB"
    assert format_size(int(3.25 * 1024**3)) == "3.2 GB"


def test_wrong_extension(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    assert rejected(path) == (
        "“notes.txt” isn't accepted by “File”, which takes .cif — atomic structure."
    )
    assert humanize_key("structure_file") == "Structure file"
    assert humanize_key("reference-cif") == "Reference cif"
    no_ext = tmp_path / "README"
    no_ext.write_text("hello")
    assert "takes .cif" in rejected(no_ext)


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 64,  # NUL bytes
        bytes(range(0x80, 0x100)) * 64,  # no NULs, not UTF-8, all high bytes
        b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f" * 200,  # control characters
        b"\x89PNG\r\n\x1a\n" + os.urandom(4000),  # an image renamed to .cif
    ],
    ids=["nul-bytes", "high-bytes", "control-chars", "png-renamed"],
)
def test_right_extension_binary_garbage(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "structure.cif"
    path.write_bytes(data)
    assert rejected(path) == (
        "“structure.cif” doesn't look like a CIF text file: it contains binary data."
    )


def test_binary_formats_are_sniffed_by_signature(tmp_path: Path) -> None:
    pdf = decl("paper", "pdf")
    fake = tmp_path / "paper.pdf"
    fake.write_text("just text")
    assert "doesn't look like a PDF" in rejected(fake, pdf)
    real = tmp_path / "real.pdf"
    real.write_bytes(b"%PDF-1.7\n" + os.urandom(100))
    assert check_local_file(real, pdf).mime == "application/pdf"


def test_latin1_text_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "old.cif"
    path.write_bytes(b"# auteur: Ren\xe9\n" + CU)
    assert check_local_file(path, CIF).size > len(CU)


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / "structures.cif"
    folder.mkdir()
    assert rejected(folder) == "“structures.cif” is a folder; drop a file from inside it instead."


@POSIX
def test_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "gone.cif"
    link.symlink_to(tmp_path / "deleted.cif")
    message = rejected(link)
    assert message.startswith("“gone.cif” is a shortcut (symbolic link) to “")
    assert message.endswith("deleted.cif”, which doesn't exist.")


@POSIX
def test_symlink_loop(tmp_path: Path) -> None:
    a, b = tmp_path / "a.cif", tmp_path / "b.cif"
    a.symlink_to(b)
    b.symlink_to(a)
    assert rejected(a) == "“a.cif” is a shortcut (symbolic link) that loops back on itself."
    selfie = tmp_path / "self.cif"
    selfie.symlink_to(selfie)
    assert "loops back on itself" in rejected(selfie)


@POSIX
def test_fifo_is_not_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.cif"
    os.mkfifo(fifo)
    # Opening a FIFO with no writer would block forever; the check must not try.
    assert rejected(fifo) == "“pipe.cif” is a named pipe, not an ordinary file."


@pytest.fixture
def world_dir() -> Iterator[Path]:
    """A directory any user can enter (pytest's tmp dirs are private to root)."""
    path = Path(tempfile.mkdtemp(prefix="ouro-perm-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for child in path.iterdir():
            child.chmod(0o644)
            child.unlink()
        path.rmdir()


def _check_as_other_user(path: Path) -> str:
    """Run ``check_local_file`` in a forked child as ``nobody``; return its outcome.

    Root bypasses file permissions, so a chmod 000 file is readable in the test process.
    Dropping to an unprivileged uid in a child makes the kernel really refuse the open.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            try:
                check_local_file(path, CIF)
                outcome = "ACCEPTED"
            except FileRejected as exc:
                outcome = exc.message
            os.write(write_end, outcome.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 4096):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


@POSIX
def test_unreadable_file_really_denied_by_the_os(world_dir: Path) -> None:
    path = world_dir / "secret.cif"
    path.write_bytes(CU)
    path.chmod(0o000)
    expected = "“secret.cif” can't be read: you don't have permission to open it."
    if os.geteuid() == 0:
        assert _check_as_other_user(path) == expected
        # And a file inside a folder the user may not enter (lstat itself is refused).
        private = Path(tempfile.mkdtemp(prefix="ouro-private-"))
        try:
            inner = private / "inner.cif"
            inner.write_bytes(CU)
            private.chmod(0o700)
            assert _check_as_other_user(inner) == (
                "“inner.cif” can't be read: you don't have permission to open it."
            )
        finally:
            inner.unlink()
            private.rmdir()
    else:
        assert rejected(path) == expected


def test_unreadable_file_open_refused(cu: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same path on every platform: the open itself raises PermissionError."""

    def deny(*_a: object, **_k: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fc, "open", deny, raising=False)
    assert rejected(cu) == "“Cu.cif” can't be read: you don't have permission to open it."


def test_file_deleted_after_the_drop(cu: Path) -> None:
    dropped = str(cu)  # what the drop event carried
    cu.unlink()
    assert rejected(dropped) == (
        "“Cu.cif” is no longer there: it was moved or deleted after it was chosen."
    )


def test_file_deleted_between_stat_and_open(cu: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = open

    def vanish(path: object, *a: object, **k: object) -> object:
        os.unlink(str(path))
        return real_open(path, *a, **k)  # type: ignore[call-overload]

    monkeypatch.setattr(fc, "open", vanish, raising=False)
    assert "is no longer there" in rejected(cu)


@POSIX
def test_non_utf8_name(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.cif")
    path = tmp_path / name
    path.write_bytes(CU)
    checked = check_local_file(path, CIF)
    assert checked.path == path.resolve()
    assert checked.name == "caf\ufffd.cif"
    checked.name.encode("utf-8")  # safe to hand to Qt or JSON
    assert os.fsencode(checked.path).endswith(b"caf\xe9.cif")
    # Rejections show the same safe name.
    garbage = tmp_path / os.fsdecode(b"\xff\xfe.cif")
    garbage.write_bytes(b"\x00" * 100)
    assert rejected(garbage).startswith("“\ufffd\ufffd.cif” doesn't look like a CIF")


@POSIX
def test_name_with_newline_and_quotes(tmp_path: Path) -> None:
    name = 'my "best"\nstructure\'s\r.cif'
    path = tmp_path / name
    path.write_bytes(CU)
    checked = check_local_file(path, CIF)
    assert checked.path.name == name
    assert checked.name == 'my "best"?structure\'s?.cif'
    empty = tmp_path / "new\nline.cif"
    empty.touch()
    assert rejected(empty) == "“new?line.cif” is empty (0 bytes)."


def test_display_name_neutralises_bidi_and_controls() -> None:
    assert display_name("evil\u202efic.exe") == "evil?fic.exe"
    assert display_name("tab\there\x1b[31m") == "tab?here?[31m"
    assert display_name("") == "(no name)"
    assert display_name("Kupfer – Ø.cif") == "Kupfer – Ø.cif"


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "https://example.org/Cu.cif",
            "https://example.org/Cu.cif is a web link: only files on this computer can be "
            "dropped; download it first, then drop the downloaded file.",
        ),
        (
            "http://example.org/a.cif",
            "http://example.org/a.cif is a web link: only files on this computer can be "
            "dropped; download it first, then drop the downloaded file.",
        ),
        (
            "file://fileserver/share/Cu.cif",
            "That file is on another computer (fileserver): only files on this computer can "
            "be dropped. Copy it here first.",
        ),
        (
            "mailto:someone@example.org",
            "mailto:someone@example.org is not a file on this computer.",
        ),
        ("Cu.cif", "“Cu.cif” is not the full path of a file."),
        ("", "Nothing was dropped: the item had no file name."),
    ],
    ids=["https", "http", "file-remote-host", "mailto", "relative", "empty"],
)
def test_url_drop_rejected(url: str, expected: str) -> None:
    assert rejected(url) == expected


@POSIX
def test_file_url_drop_is_a_local_path(tmp_path: Path) -> None:
    folder = tmp_path / "with space"
    folder.mkdir()
    path = folder / os.fsdecode(b"caf\xe9 #1.cif")
    path.write_bytes(CU)
    url = "file://" + "".join(
        f"%{b:02X}" if chr(b) in " #%" or b >= 0x80 else chr(b) for b in os.fsencode(path)
    )
    assert check_local_file(url, CIF).path == path.resolve()
    assert check_local_file("file://localhost" + url[7:], CIF).path == path.resolve()
    assert "no longer there" in rejected(url.replace("caf", "cab"))


def test_non_file_input_takes_no_local_files(cu: Path) -> None:
    dataset = decl("data", asset_type="dataset")
    assert rejected(cu, dataset) == (
        "“Cu.cif” can't go here: the “Data” input takes an Ouro dataset, not a file from "
        "this computer."
    )


def test_filter_only_and_open_declarations(tmp_path: Path) -> None:
    pdb = tmp_path / "protein.pdb"
    pdb.write_text("ATOM      1  N   MET A   1      0.0   0.0   0.0\n")
    structure = decl("structure", filter_="atomic structure")
    assert check_local_file(pdb, structure).mime == "chemical/x-pdb"
    assert "isn't accepted" in rejected(pdb, decl("img", filter_="image"))
    anything = decl("any")
    assert check_local_file(pdb, anything).extension == "pdb"
    assert accepted_types_text(structure) == ".cif, .pdb, .sdf, .mol — atomic structure"
    assert accepted_types_text(anything) == "any file"
    assert accepted_types_text(decl("xy", "cif", "xyz")) == ".cif, .xyz"


# -- many files at once -------------------------------------------------------------------
def test_hundred_files_at_once(tmp_path: Path) -> None:
    """100 mixed items onto a one-input route: one accepted, a specific reason for each other."""
    items: list[str] = []
    expected: dict[str, str] = {}
    for i in range(100):
        kind = i % 10
        path = tmp_path / f"f{i:03d}.cif"
        if kind == 0:
            path.write_bytes(CU)  # good: the first one wins the zone, the rest are extras
            expected[str(path)] = "one file"
        elif kind == 1:
            path.touch()
            expected[str(path)] = "is empty (0 bytes)"
        elif kind == 2:
            path = path.with_suffix(".txt")
            path.write_text("x")
            expected[str(path)] = "doesn't fit any input here"
        elif kind == 3:
            path.write_bytes(b"\x00\x01" * 100)
            expected[str(path)] = "doesn't look like a CIF text file"
        elif kind == 4:
            path.mkdir()
            expected[str(path)] = "is a folder"
        elif kind == 5:
            expected[str(path)] = "is no longer there"  # never created: deleted after drop
        elif kind == 6:
            items.append(f"https://example.org/{i}.cif")
            expected[items[-1]] = "download it first"
            continue
        elif kind == 7 and sys.platform != "win32":
            path.symlink_to(tmp_path / "nowhere.cif")
            expected[str(path)] = "which doesn't exist"
        else:
            path.write_bytes(CU)
            expected[str(path)] = "one file"
        items.append(str(path))
    accepted, rejected_items, ambiguous = check_many(items, {"file": CIF})
    assert [(k, c.name) for k, c in accepted] == [("file", "f000.cif")]
    assert ambiguous == []
    assert len(rejected_items) == 99
    for item, message in rejected_items:
        assert expected[str(item)] in message, (item, message)
        if expected[str(item)] == "one file":
            assert message.startswith("This route takes one file for “file”;")


def test_many_files_go_to_the_zone_that_takes_them(tmp_path: Path) -> None:
    decls = {
        "structure": decl("structure", "cif"),
        "table": decl("table", "csv"),
        "left": decl("left", "xyz"),
        "right": decl("right", "xyz"),
    }
    cif, csv, xyz, xyz2, xyz3 = (
        tmp_path / n for n in ("s.cif", "t.csv", "a.xyz", "b.xyz", "c.xyz")
    )
    cif.write_bytes(CU)
    csv.write_text("a,b\n1,2\n")
    for p in (xyz, xyz2, xyz3):
        p.write_text("1\n\nCu 0 0 0\n")
    accepted, rejected_items, ambiguous = check_many([str(xyz), cif, csv, str(cif)], decls)
    assert sorted((k, c.name) for k, c in accepted) == [("structure", "s.cif"), ("table", "t.csv")]
    assert [(c.name, keys) for c, keys in ambiguous] == [("a.xyz", ["left", "right"])]
    assert rejected_items == [(str(cif), "“s.cif” was dropped twice; it is used once.")]
    # Two xyz files for two xyz zones: both ambiguous (the user places them); a third is extra.
    _, rejected_items, ambiguous = check_many([xyz, xyz2, xyz3], decls)
    assert [c.name for c, _ in ambiguous] == ["a.xyz", "b.xyz"]
    assert len(rejected_items) == 1 and "one file for “left” / “right”" in rejected_items[0][1]
    # A zone already filled is skipped: the xyz goes to the one left free.
    accepted, _, ambiguous = check_many([xyz], decls, taken=["left"])
    assert [(k, c.name) for k, c in accepted] == [("right", "a.xyz")] and ambiguous == []
    # A route without file inputs.
    assert check_many([cif], {}) == ([], [(cif, "This route takes no files.")], [])
