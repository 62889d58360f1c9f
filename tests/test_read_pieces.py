"""A changed sheet read from its changed pieces only (piecewise._plan_partial, RawSheet.partial,
reading._merge_partial): the rows of the pieces whose bytes did not change are the last read's.
Whatever the edit, the records and the problems (with their cells, in order) must equal a cold
read's exactly; the tests also say when the pieces were read and when the sheet was read whole.
Pieces are made small (a few rows each) so that the test station's sheets have many."""

import re
import sys
import zipfile
from pathlib import Path

import pytest
from test_read_cache import _faulty_station as _station
from test_read_sheets import REGISTER, _inline_edit, _read, _same_as_cold

from generator import record_views
from generator.reading import piecewise, read_records, sheetkeys, tables, xlsxfile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from user_bench import _rewrite, _sheet_part, edit_cell, edit_cell_shared, to_shared_strings  # noqa: E402

WORKERS = f"{REGISTER}/困难职工"
PAYOUTS = "帮扶记录.xlsx/帮扶发放"


def _small(monkeypatch, piece: int) -> None:
    """Pieces of about `piece` bytes, and the header looked for in the first 3 rows (not 10):
    the test station's sheets have 10 to 20 rows."""
    monkeypatch.setattr(sheetkeys, "_PIECE", piece)
    monkeypatch.setattr(piecewise, "HEADER_SEARCH_ROWS", 3)
    monkeypatch.setattr(tables, "HEADER_SEARCH_ROWS", 3)
    monkeypatch.setattr(record_views, "BLOCK", 4)  # tables' digests of several blocks


@pytest.fixture
def small_pieces(monkeypatch):
    _small(monkeypatch, 1500)  # a worker's row is about 2 KB: a piece each


def _first(tmp_path: Path, shared: bool = False):
    folder, store = _station(tmp_path / "records"), tmp_path / "store"
    if shared:
        to_shared_strings(folder / REGISTER)
    first, _ = _read(folder, store)
    return folder, store, first


def _again(folder: Path, store: Path, partial: list[str]):
    """The next build's read: equal to a cold one, with `partial` the sheets read from pieces."""
    result, cache = _read(folder, store)
    _same_as_cold(result, folder)
    assert cache.sheets_partial == partial
    # the digests of its tables (worked out from the blocks of records that changed, after a
    # read from pieces) are those of a cold read's, block by block and column by column
    cold = read_records(folder).records
    for name in ("workers", "payouts"):
        assert record_views.table_digest(result.records, name) == record_views.table_digest(cold, name)
        assert record_views.block_digests(result.records, name) in (None, record_views.block_digests(cold, name))
        assert record_views.column_digests(result.records, name) in (None, record_views.column_digests(cold, name))
    return result


def _cell(records, row: int, column: str) -> str:
    return f"{records.places['workers'].letters[column]}{row}"


def _sheet_xml(book: Path, sheet: str, change) -> None:
    """Rewrite one sheet's XML with `change` (str -> str), every other part as it was."""
    with zipfile.ZipFile(book) as z:
        part = _sheet_part(z, sheet)
    _rewrite(book, lambda name, data: change(data.decode("utf-8")).encode("utf-8") if name == part else data)


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_a_cell_edited_in_one_piece_reads_that_piece(tmp_path, small_pieces, where):
    folder, store, first = _first(tmp_path)
    rows = [w.row for w in first.records.workers]
    row = {"first": rows[0], "middle": rows[len(rows) // 2], "last": rows[-1]}[where]
    _inline_edit(folder / REGISTER, "困难职工", _cell(first.records, row, "address"), "复查：收入属实")
    again = _again(folder, store, [WORKERS])
    assert next(w for w in again.records.workers if w.row == row).address == "复查：收入属实"
    assert [(p.sheet, p.cell, p.code) for p in again.problems] == [("困难职工", "H2", "phone-format")]


def test_faults_made_and_mended_across_pieces_come_in_a_cold_reads_order(tmp_path, small_pieces):
    """Problems of single cells kept from the last read and found in the pieces read are put in
    a whole read's order: by column, failed values before blank required ones, by row."""
    folder, store, first = _first(tmp_path)
    rows = [w.row for w in first.records.workers]
    book = folder / REGISTER
    _inline_edit(book, "困难职工", _cell(first.records, rows[7], "phone"), "1380013")
    _inline_edit(book, "困难职工", _cell(first.records, rows[3], "name"), "")  # a required one left blank
    second = _again(folder, store, [WORKERS])
    _inline_edit(book, "困难职工", _cell(first.records, rows[5], "phone"), "12")
    _inline_edit(book, "困难职工", _cell(first.records, rows[5], "name"), " ")
    third = _again(folder, store, [WORKERS])
    cells = [(p.cell, p.code) for p in third.problems]
    assert len(cells) == len(second.problems) + 2 and cells.index((_cell(first.records, rows[5], "phone"),
                                                                  "phone-format")) > 0
    _inline_edit(book, "困难职工", _cell(first.records, rows[7], "phone"), "13800138000")  # mended
    fourth = _again(folder, store, [WORKERS])
    assert len(fourth.problems) == len(third.problems) - 1


def test_a_sequence_of_edits_of_the_payouts(tmp_path, monkeypatch):
    """The bench's own edit (bench/user_bench.py edit_cell) of payout amounts, one build after
    the other, each read from the last partial read."""
    _small(monkeypatch, 300)
    folder, store, first = _first(tmp_path)
    place = first.records.places["payouts"]
    for i, payout in enumerate(first.records.payouts[::4]):
        edit_cell(folder / "帮扶记录.xlsx", place.sheet, f"{place.letters['amount']}{payout.row}", 100 + i)
        again = _again(folder, store, [PAYOUTS])
        assert next(p for p in again.records.payouts if p.row == payout.row).amount == 100 + i


@pytest.mark.parametrize("new_style", [False, True])
def test_an_excel_save_appending_a_text_and_a_style_reads_the_piece(tmp_path, small_pieces, new_style):
    folder, store, first = _first(tmp_path, shared=True)
    row = first.records.workers[4].row
    edit_cell_shared(folder / REGISTER, "困难职工", _cell(first.records, row, "address"), "复查：收入属实",
                     new_style=new_style)
    again = _again(folder, store, [WORKERS])
    assert next(w for w in again.records.workers if w.row == row).address == "复查：收入属实"


def test_a_shared_string_a_kept_piece_uses_changed_in_place_reads_the_sheet_whole(tmp_path, small_pieces):
    folder, store, first = _first(tmp_path, shared=True)
    book = folder / REGISTER
    with zipfile.ZipFile(book) as z:
        xml = z.read(_sheet_part(z, "困难职工")).decode("utf-8")
    used = int(re.findall(r't="s"><v>([0-9]+)</v>', xml)[-1])  # a text of the last worker's row

    def change(name: str, data: bytes) -> bytes:
        if name != "xl/sharedStrings.xml":
            return data
        sst = data.decode("utf-8")
        starts = [m.start() for m in re.finditer("<si>", sst)]
        at = sst.index("</t>", starts[used])
        return (sst[:at] + "改" + sst[at:]).encode("utf-8")

    _rewrite(book, change)
    row = first.records.workers[2].row
    _inline_edit(book, "困难职工", _cell(first.records, row, "address"), "复查")
    _again(folder, store, [])


def test_a_date_format_changed_reads_the_sheet_whole(tmp_path, small_pieces):
    folder, store, first = _first(tmp_path)
    book = folder / REGISTER

    def change(name: str, data: bytes) -> bytes:
        if name != "xl/styles.xml":
            return data
        return re.sub(rb'(<numFmt numFmtId="164" formatCode=")[^"]*"', rb'\g<1>0.00"', data)

    _rewrite(book, change)
    _inline_edit(book, "困难职工", _cell(first.records, first.records.workers[5].row, "address"), "复查")
    _again(folder, store, [])


def test_a_row_inserted_and_one_deleted(tmp_path, small_pieces):
    folder, store, first = _first(tmp_path)
    rows = [w.row for w in first.records.workers]

    def delete(xml: str) -> str:
        return re.sub(rf'<row r="{rows[4]}".*?</row>', "", xml, flags=re.S)

    _sheet_xml(folder / REGISTER, "困难职工", delete)  # a gap: the rows after keep their numbers
    again = _again(folder, store, [WORKERS])
    assert rows[4] not in [w.row for w in again.records.workers]
    wb_edit = folder / REGISTER
    import openpyxl

    wb = openpyxl.load_workbook(wb_edit)
    wb["困难职工"].insert_rows(5)  # the rows below move down; the pieces above it are kept
    wb.save(wb_edit)
    moved = _again(folder, store, [WORKERS])
    assert [w.row for w in moved.records.workers] == [r if r < 5 else r + 1 for r in rows if r != rows[4]]
    _inline_edit(wb_edit, "困难职工", _cell(first.records, rows[6] + 1, "address"), "复查")
    _again(folder, store, [WORKERS])


def test_a_cell_turned_into_a_formula_or_an_error_value(tmp_path, small_pieces):
    folder, store, first = _first(tmp_path)
    rows = [w.row for w in first.records.workers]
    book = folder / REGISTER
    notes, phone = _cell(first.records, rows[3], "address"), _cell(first.records, rows[6], "phone")

    def bad(xml: str) -> str:
        xml = re.sub(rf'<c r="{notes}"([^>]*?)(?:/>|>.*?</c>)', f'<c r="{notes}"><f>A1&amp;B1</f></c>', xml, flags=re.S)
        return re.sub(rf'<c r="{phone}"([^>]*?)(?:/>|>.*?</c>)', f'<c r="{phone}" t="e"><v>#REF!</v></c>', xml,
                      flags=re.S)

    _sheet_xml(book, "困难职工", bad)
    again = _again(folder, store, [WORKERS])
    assert {(p.cell, p.code) for p in again.problems} >= {(notes, "formula-no-value"), (phone, "formula-error")}
    _inline_edit(book, "困难职工", _cell(first.records, rows[8], "address"), "复查")  # the bad cells kept
    third = _again(folder, store, [WORKERS])
    assert [(p.cell, p.code) for p in third.problems] == [(p.cell, p.code) for p in again.problems]


def test_a_merged_range_over_kept_rows(tmp_path, small_pieces):
    folder, store, first = _first(tmp_path)
    rows = [w.row for w in first.records.workers]

    def merge(xml: str) -> str:
        return xml.replace("</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="B{rows[3]}:C{rows[4]}"/>'
                           "</mergeCells>", 1)

    _sheet_xml(folder / REGISTER, "困难职工", merge)
    again = _again(folder, store, [WORKERS])
    assert ("merged-cells", f"B{rows[3]}") in [(p.code, p.cell) for p in again.problems]


def test_the_header_moved_or_the_sheet_renamed_reads_it_whole(tmp_path, small_pieces):
    """A title row put above the header (every row moves down: pieces of other bytes), edited
    (only the first piece changes), then made a copy of the header, which a whole read takes
    as the header: the rows kept would be read otherwise, so the sheet is read whole."""
    import openpyxl

    folder, store, first = _first(tmp_path)
    book = folder / REGISTER
    wb = openpyxl.load_workbook(book)
    wb["困难职工"].insert_rows(1)
    wb["困难职工"]["A1"] = "困难职工名册"
    wb.save(book)
    _read(folder, store)
    _inline_edit(book, "困难职工", "A1", "困难职工名册（2026）")
    again = _again(folder, store, [WORKERS])
    assert ("困难职工", "A2", "header-not-first-row") in [(p.sheet, p.cell, p.code) for p in again.problems]

    def header_on_top(xml: str) -> str:
        header = re.search(r'<row r="2".*?</row>', xml, re.S).group(0)
        top = re.sub(r'(<c r="[A-Z]+)2"', r'\g<1>1"', header.replace('<row r="2"', '<row r="1"', 1))
        return re.sub(r'<row r="1".*?</row>', lambda _: top, xml, count=1, flags=re.S)

    _sheet_xml(book, "困难职工", header_on_top)
    moved = _again(folder, store, [])
    assert "header-not-first-row" not in [p.code for p in moved.problems]

    def rename(name: str, data: bytes) -> bytes:
        return data.replace("困难职工".encode(), "困难职工表".encode(), 1) if name == "xl/workbook.xml" else data

    _rewrite(book, rename)
    _inline_edit(book, "困难职工表", "A1", "档案编号")
    renamed = _again(folder, store, [])
    assert ("sheet-missing", "困难职工") in [(p.code, p.sheet) for p in renamed.problems]


def test_a_book_cut_short_or_without_a_store_reads_as_before(tmp_path, small_pieces):
    folder, store, first = _first(tmp_path)
    _inline_edit(folder / REGISTER, "困难职工", _cell(first.records, first.records.workers[5].row, "address"), "复查")
    assert read_records(folder, max_rows=5).records.workers == read_records(folder).records.workers[:4]


def test_a_table_digest_seeded_with_the_last_ones_blocks_equals_a_whole_digest(tmp_path, monkeypatch):
    """record_views.seed: the blocks of the same record objects are taken from the last
    digest, the others digested; the digests equal those of the table digested whole."""
    from dataclasses import replace

    monkeypatch.setattr(record_views, "BLOCK", 3)
    records = read_records(_station(tmp_path / "records")).records
    old = list(records.payouts)
    record_views.table_digest(records, "payouts")
    blocks = record_views.block_info(records, "payouts")
    digest = record_views.table_digest(records, "payouts")
    changed = [*old[:7], replace(old[7], amount=old[7].amount + 1), *old[8:]]
    whole = type(records)(folder=records.folder)
    whole.payouts = list(changed)
    record_views._LAST.clear()
    expected = (record_views.table_digest(whole, "payouts"), record_views.block_digests(whole, "payouts"),
                record_views.column_digests(whole, "payouts"))
    record_views.seed("payouts", old, digest, blocks)
    seeded = type(records)(folder=records.folder)
    seeded.payouts = changed
    got = (record_views.table_digest(seeded, "payouts"), record_views.block_digests(seeded, "payouts"),
           record_views.column_digests(seeded, "payouts"))
    assert got == expected and got[0] != digest
    assert record_views.block_info(seeded, "payouts")[1][0] is blocks[1][0]  # the first block taken as it was


def test_the_pieces_of_a_book_whose_keys_a_child_worked_out(tmp_path, small_pieces, monkeypatch):
    """A fresh build parses the register here and the other large books in forked children,
    one of which works out the register's keys and its sheets' pieces: the next build reads
    an edited register sheet from its changed pieces."""
    import os
    import threading

    import generator.reading as reading

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this system")
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # pytest may hold threads
    monkeypatch.setenv("BANGFU_JOBS", "4")
    monkeypatch.setattr(reading, "ASIDE_BYTES", 0)  # the test station's books are small
    folder, store = _station(tmp_path / "records"), tmp_path / "store"
    _read(folder, store)
    row = read_records(folder).records.workers[6].row
    _inline_edit(folder / REGISTER, "困难职工", f"I{row}", "复查：地址已核实")
    again = _again(folder, store, [WORKERS])
    assert next(w for w in again.records.workers if w.row == row).address == "复查：地址已核实"


def test_a_shared_strings_table_added_for_one_row(tmp_path, monkeypatch):
    """A book of inline texts given a shared strings table used by one row's texts only (what a
    program may write for the one row it changed): the pieces that refer to no shared string
    are kept whatever the table holds."""
    _small(monkeypatch, 300)
    folder, store, first = _first(tmp_path)
    book = folder / "帮扶记录.xlsx"
    row = first.records.payouts[9].row
    texts = to_shared_strings(book, cells=lambda ref: re.fullmatch(rf"[A-Z]+{row}", ref) is not None)
    assert texts
    _again(folder, store, [PAYOUTS])


def test_a_book_saved_again_after_the_plan_is_read_whole_not_mixed(tmp_path):
    """Serve reads while the clerk saves: the pieces to read are planned on one open of the
    file, the in-memory workbook made on another. When the file's parts changed in between
    (Excel rewrites the shared strings on every save), the planned sheet XML would be decoded
    with another save's strings: _read_partial refuses (the sheet is then read whole)."""
    folder = _station(tmp_path / "records")
    book = folder / REGISTER
    to_shared_strings(book)
    with zipfile.ZipFile(book) as zf:
        parts = xlsxfile._sheet_parts(zf)
        members = piecewise._members(zf)
        part = _sheet_part(zf, "困难职工")
        xml = zf.read(part)
    name = next(n for n, p in parts.items() if p[0] == part)
    got = piecewise._read_partial(book, name, parts, xml, xlsxfile.MAX_ROWS, [], members)
    assert got is not None and any("SF-0001" in str(v) for row in got.rows for v in row)
    edit_cell_shared(book, "困难职工", "B3", "另一个人")  # saved again: the strings changed
    assert piecewise._read_partial(book, name, parts, xml, xlsxfile.MAX_ROWS, [], members) is None


def test_a_book_cut_short_before_it_is_read_whole_again_is_a_problem_not_a_crash(tmp_path):
    """read_sheet (a sheet read whole after its pieces could not be merged) meets a file cut
    short or locked meanwhile as read_book does: Unreadable, which the read turns into the
    file's problem."""
    folder = _station(tmp_path / "records")
    book = folder / REGISTER
    like = xlsxfile.read_book(book).sheets["困难职工"]
    book.write_bytes(book.read_bytes()[:2000])
    with pytest.raises(xlsxfile.Unreadable) as caught:
        xlsxfile.read_sheet(book, "困难职工", like)
    assert caught.value.code == "file-corrupt"
