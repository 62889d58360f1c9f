"""The read store's per-sheet part: when a workbook's file changes, the sheets whose content
did not change are not read again (reading.cache Kept.sheets, xlsxfile.sheet_keys). What the
read gives must equal a cold read exactly: the records, the sheets' places and the problems
with their cells, for saves made the ways clerks' programs make them."""

import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from test_read_cache import _faulty_station as _station, _tables

from generator.reading import ReadCache, read_records

REGISTER = "困难职工档案.xlsx"


def _read(folder: Path, store: Path):
    """A read as a new `bangfu build` process makes it: a new cache on the same store."""
    cache = ReadCache(store=store)
    return read_records(folder, cache=cache), cache


def _same_as_cold(result, folder: Path) -> None:
    cold = read_records(folder)
    assert _tables(result.records) == _tables(cold.records)
    assert result.problems == cold.problems
    assert [(p.file, p.sheet, p.cell, p.code) for p in result.problems] == \
        [(p.file, p.sheet, p.cell, p.code) for p in cold.problems]


def _sheet_part(z: zipfile.ZipFile, name: str) -> str:
    wb = openpyxl.load_workbook(z.filename, read_only=True)
    index = wb.sheetnames.index(name) + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"


def _inline_edit(book: Path, sheet: str, ref: str, text: str) -> None:
    """One cell replaced in the sheet's XML by an inline string, everything else as it was
    (what bench/user_bench.py does between two builds)."""
    with zipfile.ZipFile(book) as z:
        part = _sheet_part(z, sheet)
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(book.with_suffix(".tmp"), "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == part:
                xml = data.decode("utf-8")
                m = re.search(rf'<c r="{ref}"(?P<attrs>[^>]*?)(?:/>|>.*?</c>)', xml, re.S)
                attrs = re.sub(r'\s+t="[^"]*"', "", m.group("attrs"))
                data = (xml[:m.start()] + f'<c r="{ref}"{attrs} t="inlineStr"><is><t>{text}</t></is></c>'
                        + xml[m.end():]).encode("utf-8")
            z.writestr(info, data)
    book.with_suffix(".tmp").replace(book)


def _openpyxl_edit(book: Path, sheet: str, ref: str, value) -> None:
    """Load and save the workbook with openpyxl, one cell changed: every part is written anew."""
    wb = openpyxl.load_workbook(book)
    wb[sheet][ref] = value
    wb.save(book.with_suffix(".tmp.xlsx"))
    book.with_suffix(".tmp.xlsx").replace(book)


def test_an_edited_sheet_is_read_again_and_the_others_are_kept(tmp_path):
    folder, store = _station(tmp_path / "records"), tmp_path / "store"
    first, cache = _read(folder, store)
    assert sorted(cache.parsed) == sorted(["困难职工档案.xlsx", "帮扶政策.xlsx", "帮扶记录.xlsx", "帮扶资金.xlsx"])
    assert [(p.file, p.sheet, p.cell, p.code) for p in first.problems] == \
        [(REGISTER, "困难职工", "H2", "phone-format")]
    note = first.records.visits[1]
    cell = f"{first.records.places['visits'].letters['notes']}{note.row}"
    _inline_edit(folder / REGISTER, "走访记录", cell, "复查：收入属实")
    again, cache = _read(folder, store)
    assert cache.parsed == [REGISTER] and sorted(cache.loaded) == ["帮扶政策.xlsx", "帮扶记录.xlsx", "帮扶资金.xlsx"]
    assert sorted(cache.sheets_kept) == [f"{REGISTER}/{s}" for s in ("困难职工", "家庭成员", "年度复核")]
    assert again.records.visits[1].notes == "复查：收入属实"
    _same_as_cold(again, folder)
    # a third build, with nothing changed: the stored book is the one just kept, whole
    third, cache = _read(folder, store)
    assert cache.parsed == [] and _tables(third.records) == _tables(again.records)


def test_a_new_fault_in_the_edited_sheet_and_the_kept_ones_are_all_reported_in_order(tmp_path):
    folder, store = _station(tmp_path / "records"), tmp_path / "store"
    first, _ = _read(folder, store)
    place = first.records.places["visits"]
    _inline_edit(folder / REGISTER, "走访记录", f"{place.letters['date']}3", "去年三月")
    again, cache = _read(folder, store)
    assert f"{REGISTER}/困难职工" in cache.sheets_kept and f"{REGISTER}/走访记录" not in cache.sheets_kept
    assert [(p.sheet, p.cell, p.code) for p in again.problems][0] == ("困难职工", "H2", "phone-format")
    assert any(p.sheet == "走访记录" and p.cell == f"{place.letters['date']}3" for p in again.problems)
    _same_as_cold(again, folder)


@pytest.mark.parametrize("value", [date(2026, 3, 11), "家中三人，收入属实（已复查）"])
def test_openpyxl_load_and_save_of_one_cell_equals_a_cold_read(tmp_path, value):
    """openpyxl writes every part anew, and a new text re-indexes the shared strings: what is
    kept must still be exactly what a cold read gives."""
    folder, store = _station(tmp_path / "records"), tmp_path / "store"
    first, _ = _read(folder, store)
    place = first.records.places["visits"]
    column = "date" if isinstance(value, date) else "notes"
    _openpyxl_edit(folder / REGISTER, "走访记录", f"{place.letters[column]}3", value)
    again, cache = _read(folder, store)
    assert cache.parsed == [REGISTER]
    assert getattr(again.records.visits[1], column) == value
    _same_as_cold(again, folder)


def test_a_sheet_kept_but_matched_otherwise_now_is_read_again(tmp_path):
    """A sheet kept as 走访记录 becomes an extra sheet when a sheet of the exact name is
    added beside it: everything is read again, as a cold read does."""
    folder, store = _station(tmp_path / "records"), tmp_path / "store"
    wb = openpyxl.load_workbook(folder / REGISTER)
    wb["走访记录"].title = "走访记录 "
    wb.save(folder / REGISTER)
    _read(folder, store)
    wb = openpyxl.load_workbook(folder / REGISTER)
    ws = wb.create_sheet("走访记录")
    for row in wb["走访记录 "].iter_rows(values_only=True):
        ws.append(row)
    wb.save(folder / REGISTER)
    again, cache = _read(folder, store)
    assert not any(k.endswith("走访记录 ") for k in cache.sheets_kept)
    assert any(p.code == "sheet-unexpected" for p in again.problems)
    _same_as_cold(again, folder)


@pytest.mark.slow
def test_a_libreoffice_round_trip_equals_a_cold_read(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    folder, store = _station(tmp_path / "records"), tmp_path / "store"

    def round_trip():
        out = tmp_path / "lo"
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                        "--convert-to", "xlsx", "--outdir", str(out), str(folder / REGISTER)],
                       check=True, capture_output=True, timeout=120)
        (out / REGISTER).replace(folder / REGISTER)

    round_trip()
    first, _ = _read(folder, store)
    _same_as_cold(first, folder)
    place = first.records.places["visits"]
    _openpyxl_edit(folder / REGISTER, "走访记录", f"{place.letters['notes']}3", "复查后属实")
    round_trip()  # LibreOffice writes the edited book again in its own way
    again, cache = _read(folder, store)
    assert cache.parsed == [REGISTER] and again.records.visits[1].notes == "复查后属实"
    _same_as_cold(again, folder)
    round_trip()  # saved again unchanged by LibreOffice
    third, cache = _read(folder, store)
    _same_as_cold(third, folder)
