"""A year's 办结表 written from chunks deflated on their own (private/closing_year.py,
private/xlsx_parts.py): after one edited payout only its chunk is worked out again, the other
chunks' bytes are copied from the last build's file, and the file is byte for byte the one a
fresh build writes."""

import io
import os
import random
import zipfile
import zlib
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import openpyxl
import pytest

from generator.private import closing, closing_year, write_private, xlsx_parts

from private_station import PAYOUTS, TODAY, read_station


def test_crc32_combine_is_zlibs():
    rng = random.Random(17)
    for _ in range(200):
        a, b = rng.randbytes(rng.randint(0, 5000)), rng.randbytes(rng.randint(0, 5000))
        assert xlsx_parts.crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_pieces_make_a_zip_any_reader_reads():
    first, second = b"<row>" * 3000, "<t>名字</t>".encode() * 2000
    data, offsets = xlsx_parts.zip_bytes([
        ("xl/worksheets/sheet1.xml", (1980, 1, 1, 0, 0, 0), 0,
         [xlsx_parts.piece(first), xlsx_parts.piece(second), xlsx_parts.piece(b"</end>", final=True)]),
        ("docProps/app.xml", (2026, 11, 23, 0, 0, 0), 0, xlsx_parts.whole(b"<app/>")),
    ])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        assert z.read("xl/worksheets/sheet1.xml") == first + second + b"</end>"
        assert z.read("docProps/app.xml") == b"<app/>"
        assert z.getinfo("docProps/app.xml").date_time == (2026, 11, 23, 0, 0, 0)
    # a piece's bytes lie where the offsets say, and inflate on their own
    one = xlsx_parts.piece(second)
    at = offsets["xl/worksheets/sheet1.xml"][1]
    assert data[at:at + len(one.raw)] == one.raw
    assert zlib.decompressobj(-15).decompress(one.raw) == second


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of two rows, so that the small station's books have several; one process."""
    monkeypatch.setattr(closing, "CHUNK_ROWS", 2)
    monkeypatch.setenv("BANGFU_JOBS", "1")
    worked: list[int] = []
    case_rows = closing.case_rows

    def counted(records, cases, *args, **kwargs):
        rows = case_rows(records, cases, *args, **kwargs)
        worked.append(len(rows))
        return rows

    monkeypatch.setattr(closing, "case_rows", counted)
    return worked


def _books(folder):
    return {p.name: p.read_bytes() for p in sorted((folder / closing.FOLDER).glob("*.xlsx"))}


def test_an_edited_payout_works_out_its_chunk_and_matches_a_fresh_build(tmp_path, small_chunks):
    _rebuild(tmp_path, small_chunks)


def _rebuild(tmp_path, small_chunks):
    """A build, one payout amount of 2026 edited, the rebuild from it and a fresh build compared."""
    previous = tmp_path / "previous"
    write_private(read_station(tmp_path / "base"), previous, today=TODAY, pdf=False)
    paid_2026 = [p for p in PAYOUTS if p.get("paid") and p["paid"].year == 2026 and p.get("signed")]
    assert len(paid_2026) > 4  # several chunks in the year's book
    index = PAYOUTS.index(paid_2026[3])
    payouts = [dict(p) for p in PAYOUTS]
    payouts[index]["amount"] = payouts[index]["amount"] + D("1")
    records = read_station(tmp_path / "records", tables={"payouts": payouts})

    small_chunks.clear()
    staging = tmp_path / "staging"
    write_private(records, staging, today=TODAY, pdf=False, previous=previous)
    assert sum(small_chunks) == closing.CHUNK_ROWS  # one chunk of the year's book, no other
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    books = _books(staging)
    assert books == _books(fresh)  # byte for byte
    old = _books(previous)
    assert books["办结表_2026.xlsx"] != old["办结表_2026.xlsx"]
    assert (staging / closing.FOLDER / "办结表_2025.xlsx").stat().st_nlink >= 2  # carried
    # the amount is in the new book, read by openpyxl and by zipfile's own check
    data = books["办结表_2026.xlsx"]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["帮扶办结"]
    amounts = {r[0]: r[4] for r in ws.iter_rows(min_row=4, values_only=True)}
    assert amounts[payouts[index]["record_no"]] == float(payouts[index]["amount"])
    assert len(amounts) == len(paid_2026)
    return staging / closing.FOLDER / "办结表_2026.xlsx", paid_2026, payouts[index]


def test_libreoffice_reads_a_book_of_copied_chunks(tmp_path, small_chunks):
    """The book a rebuild wrote from copied chunks, every sheet saved as CSV by LibreOffice."""
    import subprocess

    from office import SOFFICE, need_office

    need_office()
    book, paid, edited = _rebuild(tmp_path, small_chunks)
    csv = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"  # -1: every sheet
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", csv, "--outdir", str(tmp_path), str(book)],
                   check=True, capture_output=True, timeout=180)
    cases = (tmp_path / f"{book.stem}-帮扶办结.csv").read_text(encoding="utf-8").splitlines()
    assert len(cases) == 3 + len(paid)
    assert sorted(line.split(",")[0] for line in cases[3:]) == sorted(p["record_no"] for p in paid)
    row = next(line for line in cases if line.startswith(edited["record_no"] + ","))
    assert f"{edited['amount']:,.2f}" in row


def test_a_book_changed_by_hand_is_written_from_its_rows(tmp_path, small_chunks):
    previous = tmp_path / "previous"
    write_private(read_station(tmp_path / "base"), previous, today=TODAY, pdf=False)
    book = previous / closing.FOLDER / "办结表_2026.xlsx"
    stat = book.stat()
    book.write_bytes(b"PK" + b"\0" * (stat.st_size - 2))  # same size, another time: not as the build wrote it
    os.utime(book, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    payouts = [dict(p) for p in PAYOUTS]
    payouts[0]["notes"] = "改"
    later = [p for p in payouts if p.get("paid") and p["paid"].year == 2026]
    later[0]["amount"] = later[0]["amount"] + D("2")
    records = read_station(tmp_path / "records", tables={"payouts": payouts})
    staging, fresh = tmp_path / "staging", tmp_path / "fresh"
    write_private(records, staging, today=TODAY, pdf=False, previous=previous)
    write_private(records, fresh, today=TODAY, pdf=False)
    assert _books(staging) == _books(fresh)


def test_a_book_written_whole_equals_the_builds(tmp_path):
    records = read_station(tmp_path / "records")
    out = tmp_path / "private"
    write_private(records, out, today=TODAY, pdf=False)
    data = closing.book(records, date(2026, 1, 1), TODAY, today=TODAY)
    assert closing.workbook_bytes(data, TODAY) == (out / closing.FOLDER / "办结表_2026.xlsx").read_bytes()
    empty = replace(data, cases=(), settled=())
    with zipfile.ZipFile(io.BytesIO(closing.workbook_bytes(empty, TODAY))) as z:
        assert z.testzip() is None
    assert closing_year.CHUNKS == "chunks"
