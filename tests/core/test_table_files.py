"""Reading dropped CSV/TSV tables: layout, kinds, preview, streaming rows, plain refusals."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from ouro_desktop.core.table_files import TableError, TableRows, read_table


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_csv_with_a_header_and_every_kind(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ev.csv",
        "Volume (Å^3),Energy eV,ok,when,day,Sample ID,code\n"
        "10.5,-3.1,true,2024-01-01T10:00:00Z,2024-01-01,a,007\n"
        "11,NaN,FALSE,2024-01-02 11:30,2024-01-02,,012\n"
        '12.25,-3.4e-1,,,,"b, with comma",100\n',
    )
    table = read_table(path)
    assert (table.delimiter, table.has_header, table.encoding) == (",", True, "utf-8")
    assert [(c.header, c.name, c.kind) for c in table.columns] == [
        ("Volume (Å^3)", "volume_3", "number"),
        ("Energy eV", "energy_ev", "number"),
        ("ok", "ok", "boolean"),
        ("when", "when", "date-time"),
        ("day", "day", "date"),
        ("Sample ID", "sample_id", "text"),
        ("code", "code", "text"),  # 007 keeps its zeros
    ]
    assert table.rows[2][5] == "b, with comma" and table.estimated_rows == 3 and table.complete
    assert [c.kind for c in table.column_specs()][:2] == ["number", "number"]
    rows = list(TableRows(table))
    assert rows[0] == (10.5, -3.1, True, "2024-01-01T10:00:00Z", "2024-01-01", "a", "007")
    assert rows[1] == (11.0, None, False, "2024-01-02T11:30", "2024-01-02", None, "012")
    assert rows[2][:3] == (12.25, -0.34, None) and rows[2][5] == "b, with comma"


@pytest.mark.parametrize(
    ("name", "text", "delimiter"),
    [
        ("t.tsv", "a\tb\tc\n1\t2\t3\n4\t5\t6\n", "\t"),
        ("t.txt", "a;b;c\n1,5;2;3\n4;5;6\n", ";"),
        ("t.csv", "a|b\n1|2\n", "|"),
        ("t.csv", 'name,notes\nx,"1;2;3"\ny,"4;5"\n', ","),
    ],
)
def test_the_delimiter_is_sniffed(tmp_path: Path, name: str, text: str, delimiter: str) -> None:
    table = read_table(write(tmp_path, name, text))
    assert table.delimiter == delimiter and table.has_header


def test_no_header_row_gets_numbered_columns(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, "n.csv", "10.0,-3.0\n11.0,-3.2\n12.0,-3.1\n"))
    assert not table.has_header
    assert [(c.header, c.name) for c in table.columns] == [
        ("Column 1", "column_1"),
        ("Column 2", "column_2"),
    ]
    assert list(TableRows(table))[0] == (10.0, -3.0)
    forced = read_table(write(tmp_path, "m.csv", "a,b\nc,d\n"), has_header=False)
    assert list(TableRows(forced)) == [("a", "b"), ("c", "d")]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE), ("cp1252", b"")],
)
def test_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(bom + "Température,x\nété,1\n".encode(encoding))
    table = read_table(path)
    assert table.columns[0].header == "Température"
    assert list(TableRows(table)) == [("été", 1)]


def test_a_big_file_is_sampled_estimated_and_streamed(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w") as fh:
        fh.write("step,energy,label\n")
        for i in range(60_000):
            fh.write(f"{i},{-3.5 + i * 1e-6:.6f},r{i}\n")
    table = read_table(path)
    assert not table.complete and 50_000 < table.estimated_rows < 70_000
    assert [c.kind for c in table.columns] == ["integer", "number", "text"]
    assert len(table.rows) == 20
    reader = TableRows(table)
    count = sum(1 for _ in reader)
    assert count == 60_000 == reader.rows and reader.bytes_read == path.stat().st_size


def test_a_late_value_that_breaks_its_column_kind_is_named(tmp_path: Path) -> None:
    lines = ["step,energy\n", *(f"{i},{i / 10}\n" for i in range(60_000))]
    total = sum(len(line) for line in lines)
    # Put the bad cell at 60 % of the file: between the stretches sampled at 50 % and 75 %.
    offset, bad = 0, 0
    while offset <= 0.6 * total:
        offset += len(lines[bad])
        bad += 1
    bad -= 1
    lines[bad] = f"{bad - 1},warm\n"
    path = tmp_path / "late.csv"
    path.write_text("".join(lines))
    table = read_table(path)
    assert table.columns[1].kind == "number"
    with pytest.raises(TableError) as info:
        list(TableRows(table))
    assert f"Line {bad + 1:,}, column “energy”: “warm” is not a number" in info.value.message


def test_the_middle_of_the_file_is_sampled(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    with path.open("w") as fh:
        fh.write("id,value\n")
        for i in range(80_000):
            fh.write(f"{i},{i if i < 40_000 else i + 0.5}\n")  # floats only after the head
    table = read_table(path)
    assert [c.kind for c in table.columns] == ["integer", "number"]
    assert sum(1 for _ in TableRows(table)) == 80_000


def test_ragged_rows(tmp_path: Path) -> None:
    short = read_table(write(tmp_path, "s.csv", "a,b,c\n1,2\n3,4,5,\n"))
    assert list(TableRows(short)) == [(1, 2, None), (3, 4, 5)]
    long = read_table(write(tmp_path, "l.csv", "a,b\n1,2\n3,4\n5,6\n7,8,9\n"))
    with pytest.raises(TableError, match="Line 5 has 3 values"):
        list(TableRows(long))


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("book.xlsx", b"PK\x03\x04", "Save it as CSV"),
        ("empty.csv", b"", "is empty"),
        ("bin.csv", b"\x00\x01\x02\x03" * 100, "binary"),
    ],
)
def test_refusals_in_plain_words(tmp_path: Path, name: str, data: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(TableError, match=words):
        read_table(path)
