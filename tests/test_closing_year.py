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


def _edited(tmp_path, name, plus):
    """The station's records with the amount of the last payout signed for in 2026 raised by `plus`."""
    payouts = [dict(p) for p in PAYOUTS]
    later = [p for p in payouts if p.get("paid") and p["paid"].year == 2026 and p.get("signed")]
    later[-1]["amount"] = later[-1]["amount"] + D(plus)
    return read_station(tmp_path / name, tables={"payouts": payouts})


def _chunk_list(folder):
    from generator.private import carry

    entries = carry.load(folder / carry.NAME)
    return next(v for k, v in entries.items() if k.endswith("办结表_2026.xlsx"))[closing_year.CHUNKS]["list"]


def test_a_book_damaged_with_its_size_and_time_kept_is_not_copied(tmp_path, small_chunks):
    """A disk or sync fault, or a restore that keeps times: bytes inside a chunk of the last build's
    book differ, its size and time do not. The rebuild works that chunk out again (a sound zip, a
    fresh build's bytes), and a later rebuild copies from the sound file."""
    previous = tmp_path / "previous"
    write_private(read_station(tmp_path / "base"), previous, today=TODAY, pdf=False)
    book = previous / closing.FOLDER / "办结表_2026.xlsx"
    stat = book.stat()
    first = _chunk_list(previous)[0]
    data = bytearray(book.read_bytes())
    at = first[4]
    data[at + 5:at + 15] = bytes(10)
    book.write_bytes(bytes(data))
    os.utime(book, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert book.stat().st_size == stat.st_size

    records = _edited(tmp_path, "records", "2")
    small_chunks.clear()
    staging = tmp_path / "staging"
    write_private(records, staging, today=TODAY, pdf=False, previous=previous)
    assert sum(small_chunks) == 2 * closing.CHUNK_ROWS  # the damaged chunk and the edited one
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    books = _books(staging)
    assert books == _books(fresh)
    with zipfile.ZipFile(io.BytesIO(books["办结表_2026.xlsx"])) as z:
        assert z.testzip() is None

    again = _edited(tmp_path, "again", "3")
    small_chunks.clear()
    later, later_fresh = tmp_path / "later", tmp_path / "later-fresh"
    write_private(again, later, today=TODAY, pdf=False, previous=staging)
    assert sum(small_chunks) == closing.CHUNK_ROWS  # only the edited chunk: the others copied
    write_private(again, later_fresh, today=TODAY, pdf=False)
    assert _books(later) == _books(later_fresh)
    with zipfile.ZipFile(io.BytesIO(_books(later)["办结表_2026.xlsx"])) as z:
        assert z.testzip() is None


class _OtherFormats(closing._Formats):
    """The formats numbered in another order (as another XlsxWriter might): money before dates."""

    def __init__(self, wb):
        super().__init__(wb)
        self.money._get_xf_index()


@pytest.mark.parametrize("change", ["styles", "xlsxwriter"])
def test_another_style_table_or_xlsxwriter_works_every_chunk_out_again(tmp_path, small_chunks, monkeypatch, change):
    """The copied rows name the style numbers of the file they were written for: when the styles or
    XlsxWriter's version differ, no chunk of the last build is copied."""
    import xlsxwriter

    previous = tmp_path / "previous"
    write_private(read_station(tmp_path / "base"), previous, today=TODAY, pdf=False)
    before = closing.Frame(closing.Book("站", date(2026, 1, 1), None, (), ()), TODAY, 1).styles
    if change == "styles":
        monkeypatch.setattr(closing, "_Formats", _OtherFormats)
        assert closing.Frame(closing.Book("站", date(2026, 1, 1), None, (), ()), TODAY, 1).styles != before
    else:
        monkeypatch.setattr(xlsxwriter, "__version__", xlsxwriter.__version__ + ".1")
    records = _edited(tmp_path, "records", "2")
    cases = closing.finished_cases(records, date(2026, 1, 1), TODAY)
    small_chunks.clear()
    staging, fresh = tmp_path / "staging", tmp_path / "fresh"
    write_private(records, staging, today=TODAY, pdf=False, previous=previous)
    assert sum(small_chunks) >= len(cases)  # every chunk of the year's book worked out again
    write_private(records, fresh, today=TODAY, pdf=False)
    # (the earlier years' books are carried whole here: in a real build the program's code, or
    # XlsxWriter's version, is in every private document's salt, carry.salt)
    assert _books(staging)["办结表_2026.xlsx"] == _books(fresh)["办结表_2026.xlsx"]
