"""The read store's per-sheet part: when a workbook's file changes, the sheets whose content
did not change are not read again (reading.cache Kept.sheets, sheetkeys.sheet_keys). What the
read gives must equal a cold read exactly: the records, the sheets' places and the problems
with their cells, for saves made the ways clerks' programs make them."""

import re
import shutil
import subprocess
import sys
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
    (store / "register.visits.0123.pickle.tmp").write_bytes(b"half")  # left by a build stopped
    before = {f.name: f.stat().st_mtime_ns for f in store.iterdir()}
    _inline_edit(folder / REGISTER, "走访记录", cell, "复查：收入属实")
    again, cache = _read(folder, store)
    after = {f.name: f.stat().st_mtime_ns for f in store.iterdir()}
    # stored again: the book's entry and its visits' table (a new file; the old one removed)
    assert sorted(n for n in after if after[n] != before.get(n)) == [
        "register.pickle", next(n for n in after if n.startswith("register.visits."))]
    assert sorted(n for n in before if n not in after) == sorted(
        [next(n for n in before if n.startswith("register.visits.") and n.endswith(".pickle")),
         "register.visits.0123.pickle.tmp"])
    assert cache.parsed == [REGISTER] and sorted(cache.loaded) == ["帮扶政策.xlsx", "帮扶记录.xlsx", "帮扶资金.xlsx"]
    assert sorted(cache.sheets_kept) == [f"{REGISTER}/{s}" for s in ("困难职工", "家庭成员", "年度复核")]
    assert again.records.visits[1].notes == "复查：收入属实"
    _same_as_cold(again, folder)
    # a third build, with nothing changed: the stored book is the one just kept, whole
    third, cache = _read(folder, store)
    assert cache.parsed == [] and _tables(third.records) == _tables(again.records)
    # the edit undone, in one long-lived cache (serve's, or a caller reading again): the first
    # visits' table is stored again, though this cache wrote it once and then removed it
    cache = ReadCache(store=store)
    read_records(folder, cache=cache)
    _inline_edit(folder / REGISTER, "走访记录", cell, note.notes or "")
    read_records(folder, cache=cache)
    _inline_edit(folder / REGISTER, "走访记录", cell, "复查：收入属实")
    read_records(folder, cache=cache)
    last, cache = _read(folder, store)
    assert cache.parsed == [] and _tables(last.records) == _tables(again.records)


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
    before = _views_apart(folder / REGISTER)
    round_trip()  # saved again unchanged by LibreOffice: its styles and shared strings written anew
    third, cache = _read(folder, store)
    _same_as_cold(third, folder)
    after = _views_apart(folder / REGISTER)
    # LibreOffice still moves some cells to a style of its own on this save; every sheet whose
    # XML it left as it was is kept, although the styles and shared strings are new files
    unchanged = sorted(f"{REGISTER}/{name}" for name in after if after[name] == before[name])
    assert unchanged and sorted(cache.sheets_kept) == unchanged


def _views_apart(book: Path) -> dict:
    """Each sheet's XML without its <sheetViews> (which no value depends on)."""
    from generator.reading.sheetkeys import _SHEET_VIEWS

    with zipfile.ZipFile(book) as z:
        return {name: _SHEET_VIEWS.sub(b"", z.read(_sheet_part(z, name))) for name in SHEETS}


# --- saves that write the shared tables anew (issue 17: the keys of real saves) -----------
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from user_bench import _rewrite, _sheet_part as _part, edit_cell_shared, to_shared_strings  # noqa: E402

SHEETS = ("困难职工", "家庭成员", "走访记录", "年度复核")
OTHERS = sorted(f"{REGISTER}/{s}" for s in ("困难职工", "家庭成员", "年度复核"))


def _excel_station(tmp_path: Path):
    """The faulty station with its register's texts as shared strings, as Excel saves it, read once."""
    folder, store = _station(tmp_path / "records"), tmp_path / "store"
    to_shared_strings(folder / REGISTER)
    first, _ = _read(folder, store)
    return folder, store, first


def _parts(book: Path) -> dict:
    with zipfile.ZipFile(book) as z:
        return {name: z.read(_part(z, name)).decode("utf-8") for name in SHEETS}


def _string_refs(xml: str) -> list[int]:
    return [int(v) for v in re.findall(r't="s"><v>([0-9]+)</v>', xml)]


@pytest.mark.parametrize("new_style", [False, True])
def test_a_text_appended_to_the_shared_strings_keeps_the_other_sheets(tmp_path, new_style):
    """Excel's save of one edited text: the text appended to the shared strings, their counts
    changed (and a new cell style appended): only the edited sheet is read again."""
    folder, store, first = _excel_station(tmp_path)
    note = first.records.visits[1]
    cell = f"{first.records.places['visits'].letters['notes']}{note.row}"
    edit_cell_shared(folder / REGISTER, "走访记录", cell, "复查：收入属实", new_style=new_style)
    again, cache = _read(folder, store)
    assert cache.parsed == [REGISTER] and sorted(cache.sheets_kept) == OTHERS
    assert again.records.visits[1].notes == "复查：收入属实"
    _same_as_cold(again, folder)


def _renumber(book: Path, order) -> None:
    """Number the shared strings anew (order: old index -> new index), the sheets' references with them."""
    with zipfile.ZipFile(book) as z:
        sst = z.read("xl/sharedStrings.xml").decode("utf-8")
        parts = {_part(z, name) for name in SHEETS}
    head, _, rest = sst.partition("<si>")
    items = ("<si>" + rest[:rest.rindex("</sst>")]).split("<si>")[1:]
    new_items = [""] * len(items)
    for old, new in order.items():
        new_items[new] = items[old]
    sst = head + "".join("<si>" + i for i in new_items) + "</sst>"

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/sharedStrings.xml":
            return sst.encode("utf-8")
        if name in parts:
            return re.sub(r't="s"><v>([0-9]+)</v>', lambda m: f't="s"><v>{order[int(m.group(1))]}</v>',
                          data.decode("utf-8")).encode("utf-8")
        return data

    _rewrite(book, change)


@pytest.mark.parametrize("how", ["two of one sheet swapped", "all reversed"])
def test_shared_strings_numbered_anew_with_the_same_texts(tmp_path, how):
    """LibreOffice and openpyxl number the shared strings anew on save: a sheet whose references
    did not change is kept, one whose did is read again, and the values are a cold read's."""
    folder, store, first = _excel_station(tmp_path)
    refs = {name: _string_refs(xml) for name, xml in _parts(folder / REGISTER).items()}
    count = max(max(r, default=0) for r in refs.values()) + 1
    order = {i: i for i in range(count)}
    if how == "all reversed":
        order = {i: count - 1 - i for i in range(count)}
        expected_kept = []
    else:
        elsewhere = {i for name, r in refs.items() if name != "走访记录" for i in r}
        a, b = [i for i in dict.fromkeys(refs["走访记录"]) if i not in elsewhere][:2]
        order[a], order[b] = b, a
        expected_kept = OTHERS
    _renumber(folder / REGISTER, order)
    again, cache = _read(folder, store)
    assert sorted(cache.sheets_kept) == expected_kept
    assert _tables(again.records) == _tables(first.records)
    _same_as_cold(again, folder)


def test_a_shared_string_changed_in_place_reads_the_sheets_using_it(tmp_path):
    """A text changed under the same number: the sheet using it is read again, the others kept."""
    folder, store, first = _excel_station(tmp_path)
    note = first.records.visits[1]
    refs = {name: _string_refs(xml) for name, xml in _parts(folder / REGISTER).items()}
    cell = f"{first.records.places['visits'].letters['notes']}{note.row}"
    index = int(re.search(rf'<c r="{cell}"[^>]*t="s"><v>([0-9]+)</v>', _parts(folder / REGISTER)["走访记录"]).group(1))
    assert all(index not in r for name, r in refs.items() if name != "走访记录")

    def change(name: str, data: bytes) -> bytes:
        if name != "xl/sharedStrings.xml":
            return data
        head, *items = data.decode("utf-8").split("<si>")
        items[index] = "<t>改过的说明</t></si>" + ("</sst>" if index == len(items) - 1 else "")
        return (head + "".join("<si>" + i for i in items)).encode("utf-8")

    _rewrite(folder / REGISTER, change)
    again, cache = _read(folder, store)
    assert sorted(cache.sheets_kept) == OTHERS
    assert again.records.visits[1].notes == "改过的说明"
    _same_as_cold(again, folder)


@pytest.mark.parametrize("change_to", ["0.00", "renumbered"])
def test_a_number_format_changed_under_a_date_column(tmp_path, change_to):
    """The date style's format becomes a plain number: every sheet using that style is read
    again (its dates are numbers now). The same format under a new number (LibreOffice writes
    the custom formats again numbered its way) keeps every sheet."""
    folder, store, first = _excel_station(tmp_path)
    with zipfile.ZipFile(folder / REGISTER) as z:
        styles = z.read("xl/styles.xml").decode("utf-8")
    date_style = next(i for i, xf in enumerate(re.findall(r"<xf\b[^>]*>", styles.split("<cellXfs")[1]))
                      if 'numFmtId="164"' in xf)
    if change_to == "renumbered":
        styles = styles.replace('numFmtId="164"', 'numFmtId="170"')
        expected_kept = sorted(f"{REGISTER}/{s}" for s in SHEETS)
    else:
        styles = styles.replace('formatCode="yyyy-mm-dd"', f'formatCode="{change_to}"')
        expected_kept = sorted(f"{REGISTER}/{name}" for name, xml in _parts(folder / REGISTER).items()
                               if f's="{date_style}"' not in xml)
        assert f"{REGISTER}/走访记录" not in expected_kept
    _rewrite(folder / REGISTER, lambda name, data: styles.encode("utf-8") if name == "xl/styles.xml" else data)
    again, cache = _read(folder, store)
    assert sorted(cache.sheets_kept) == expected_kept
    if change_to == "renumbered":
        assert _tables(again.records) == _tables(first.records)
    _same_as_cold(again, folder)


def test_references_in_other_spellings_key_on_the_whole_table():
    """What a sheet refers to is found by a search for the plain spelling; any other spelling,
    or a shared-string cell the search does not match, keys the sheet on the whole table, and a
    table holding what a scan could misnumber is keyed whole (None)."""
    from generator.reading.sheetkeys import _references, _string_entries, _style_entries

    assert _references(b'<c r="A1" s="2" t="s"><v>7</v></c><c r="B1" s="5"><v>1</v></c>') == ({0, 2, 5}, {0, 7})
    assert _references(b'<c r="A1" s="2"><v>7</v></c>') == ({0, 2}, set())
    assert _references(b"<c r='A1' s='2' t='s'><v>7</v></c>") == (None, None)
    assert _references(b'<c r="A1" s = "2" t="s"><v>7</v></c>') == (None, None)
    assert _references(b'<c r="A1" s="2" t="s"><f>X</f><v>7</v></c>') == ({0, 2}, None)
    sst = b'<sst count="2"><si><t>a</t></si><si><r><rPr><b/></rPr><t>b</t></r></si></sst>'
    assert _string_entries(sst) == (b"<sst>", [b"<si><t>a</t></si>", b"<si><r><t>b</t></r></si>"])
    assert _string_entries(sst.replace(b"<t>a</t>", b"<t><![CDATA[a]]></t>")) is None
    styles = (b'<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
              b'<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="164"><alignment/></xf><xf/></cellXfs></styleSheet>')
    assert _style_entries(styles) == (b"styles-1", [b"builtin:0", b"custom:yyyy-mm-dd", b"other"])
    assert _style_entries(styles.replace(b"<cellXfs", b"<!-- x --><cellXfs")) is None


def _register_keys(book, memo=None, learnt=None):
    """sheet_keys of the register `book`, with what it may take from `memo` and learn into `learnt`."""
    from generator.reading.xlsxfile import _sheet_parts, sheet_keys

    with zipfile.ZipFile(book) as z:
        return sheet_keys(z, _sheet_parts(z), REGISTER, memo, learnt)


def test_unchanged_sheets_are_keyed_from_their_stored_bytes(tmp_path):
    """sheet_keys learns what it works out of each sheet's XML under the digest of the part's
    stored (compressed) bytes; the next read of the saved workbook takes it from there for the
    parts stored with the same bytes and gives the keys a read without it gives."""
    folder = _station(tmp_path / "records")
    book = folder / REGISTER

    def keys(memo=None, learnt=None):
        return _register_keys(book, memo, learnt)

    learnt: dict = {}
    before = keys(None, learnt)
    assert sorted(before) == ["困难职工", "家庭成员", "年度复核", "走访记录"]
    assert len([k for k in learnt if isinstance(k, bytes)]) == 4  # one per part, by its stored bytes
    records = read_records(folder).records
    cell = f"{records.places['visits'].letters['notes']}{records.visits[1].row}"
    _inline_edit(book, "走访记录", cell, "复查：收入属实")
    again: dict = {}
    after = keys(learnt, again)
    assert after == keys()  # the same keys as without what was learnt
    assert {s for s in after if after[s] != before[s]} == {"走访记录"}
    # the three unchanged parts: found by their stored bytes
    assert len([k for k in set(again) & set(learnt) if isinstance(k, bytes)]) == 3
    # what was learnt is what the keys are made of: false facts give other keys, the edited sheet aside
    false = {stored: (1, b"x" * 32, {0}, set(), ()) for stored in learnt if isinstance(stored, bytes)}
    assert {s for s in after if keys(false)[s] == after[s]} == {"走访记录"}


@pytest.mark.parametrize("piece", [None, 100])
def test_formulas_without_values_found_along_with_the_keys_are_those_of_a_cold_read(tmp_path, monkeypatch, piece):
    """A read that keys the sheets takes the bad cells (formulas without a value) from the XML
    the keys went through; the problems are those of a read without keys, first and after an
    edit of another sheet, and of the same sheet (in another piece of its XML, whose marker of a
    formula was learnt by its bytes, with pieces of 100 bytes)."""
    if piece:
        from generator.reading import sheetkeys

        monkeypatch.setattr(sheetkeys, "_PIECE", piece)
    folder, store = _station(tmp_path / "records"), tmp_path / "store"
    place = read_records(folder).records.places["visits"]
    cell = f"{place.letters['notes']}3"
    _openpyxl_edit(folder / REGISTER, "走访记录", cell, "=A1&B1")  # openpyxl writes no cached value
    first, _ = _read(folder, store)
    _same_as_cold(first, folder)
    assert ("走访记录", cell, "formula-no-value") in [(p.sheet, p.cell, p.code) for p in first.problems]
    _inline_edit(folder / REGISTER, "困难职工", "H2", "13800138000")  # the bad phone mended
    again, cache = _read(folder, store)
    assert f"{REGISTER}/走访记录" in cache.sheets_kept and f"{REGISTER}/困难职工" not in cache.sheets_kept
    _same_as_cold(again, folder)
    assert [(p.sheet, p.cell, p.code) for p in again.problems if p.file == REGISTER] == \
        [("走访记录", cell, "formula-no-value")]
    _inline_edit(folder / REGISTER, "走访记录", f"{place.letters['notes']}2", "复查")
    third, cache = _read(folder, store)
    assert f"{REGISTER}/走访记录" not in cache.sheets_kept
    _same_as_cold(third, folder)
    assert ("走访记录", cell, "formula-no-value") in [(p.sheet, p.cell, p.code) for p in third.problems]


def test_keys_handed_over_for_a_file_changed_since_are_not_taken(tmp_path):
    """The sheet keys a child works out for the parent's book (keep_keys) are taken only for
    the file as it was when the read began: a save in between leaves the book without keys."""
    from generator import schema
    from generator.reading.cache import book_stamp

    folder, store = _station(tmp_path / "records"), tmp_path / "store"
    register = next(b for b in schema.BOOKS if b.filename == REGISTER)
    cache = ReadCache(store=store)
    stamp = book_stamp(folder, register)
    cache.keep_keys(folder, register, stamp, ({"困难职工": "k"}, {}, {}))
    assert cache.take_keys(folder, register, stamp) == ({"困难职工": "k"}, {}, {})
    assert not (store / "keys-register.pickle").exists()  # taken once
    cache.keep_keys(folder, register, stamp, ({"困难职工": "k"}, {}, {}))
    _openpyxl_edit(folder / REGISTER, "走访记录", "A1", "日期")  # saved meanwhile
    assert cache.take_keys(folder, register, stamp) is None
    cache.keep_keys(folder, register, stamp, ({"困难职工": "k"}, {}, {}))  # worked out of the old file
    assert not (store / "keys-register.pickle").exists()


def _whole_references(xml: bytes):
    """_references as one pass over the whole XML (its form before the XML was cut into
    pieces): the oracle the pieces must agree with."""
    from generator.reading.sheetkeys import _ODD_ATTR, _ODD_MARKS, _STRING_REF, _STYLE_REF

    start = xml.find(b"?>", 0, 256) + 2 if xml.startswith(b"<?xml") else 0
    start = xml.find(b"<", start)
    odd = start < 0 or (any(xml.find(mark, start) >= 0 for mark in _ODD_MARKS)
                        and _ODD_ATTR.search(xml, start) is not None)
    styles = None
    if not odd:
        styles = {0}
        for value in set(_STYLE_REF.findall(xml)):
            value = value.strip(b" \t\r\n").lstrip(b"+")
            if value.isdigit():
                styles.add(int(value))
    strings: set | None = set()
    shared = xml.count(b't="s"')
    if shared:
        found = _STRING_REF.findall(xml)
        strings = ({int(v) for v in set(found) if v} | {0}) if len(found) == shared else None
    return styles, None if odd else strings


_CELLS = [b'<c r="A{r}" s="{n}"><v>{n}</v></c>', b'<c r="B{r}" t="s"><v>{n}</v></c>',
          b'<c r="C{r}" s="{n}" t="s"><v>{n}</v></c>', b'<c r="D{r}" t="inlineStr"><is><t>x{n}</t></is></c>',
          b'<c r="E{r}" t="s"/>', b'<c r="F{r}" t="s"><v></v></c>', b'<c r="G{r}" s="+{n}"/>',
          b"<c r='H{r}' s='{n}'/>", b'<c r="I{r}" s = "{n}"/>', b'<c r="J{r}" t="inlineStr"><is><t>a\nb</t></is></c>',
          b'<c r="K{r}" s="{n}', b'<c r="L{r}" x="s="><v>1</v></c>', b'<c r="M{r}" t="s">\n<v>{n}</v></c>',
          b'<c r="N{r}" s=" {n} "/>', b'<c r="O{r}" t="s"><f>A1</f><v>{n}</v></c>']


@pytest.mark.parametrize("piece", [1, 9, 40, 1 << 20])
def test_a_sheet_searched_in_pieces_refers_to_what_it_refers_to_whole(monkeypatch, piece):
    """_references cuts a large sheet's XML into pieces (each searched once, then known by its
    bytes): for any XML, odd spellings, a quote left open and marks in other pieces included,
    the pieces give what one search of the whole XML gives."""
    import random

    from generator.reading import sheetkeys
    from generator.reading.sheetkeys import _pieces, _references

    monkeypatch.setattr(sheetkeys, "_PIECE", piece)
    rng = random.Random(17)
    seen = set()
    for case in range(400):
        common = rng.sample(range(len(_CELLS)), 3)  # a few kinds of cell per sheet, as in a real one
        rows = []
        for r in range(1, rng.randint(1, 12)):
            cells = b"".join(_CELLS[rng.choice(common) if rng.random() < 0.9 else rng.randrange(len(_CELLS))]
                             .replace(b"{r}", str(r).encode()).replace(b"{n}", str(rng.randrange(9)).encode())
                             for _ in range(rng.randint(0, 3)))
            row = b'<row s="%d" r="%d">' % (rng.randrange(9), r) if rng.random() < 0.3 else b'<row r="%d">' % r
            rows.append(row + cells + b"</row>")
        head = b'<?xml version="1.0" encoding="UTF-8"?>\r\n' if case % 2 else b""
        xml = head + b"<worksheet><sheetData>" + b"".join(rows) + b"</sheetData></worksheet>"
        got = _references(xml)
        assert got == _whole_references(xml), xml
        seen.add((got[0] is None, got[1] is None, len(_pieces(xml)) > 1))
    assert len(seen) >= (4 if piece < 100 else 2)  # odd and plain sheets, cut and whole


def test_after_an_edit_only_the_piece_holding_it_is_searched_again(tmp_path, monkeypatch):
    """What each piece of a sheet's XML refers to is learnt by its bytes: after one edited cell
    of a sheet, the next keys search only the piece that holds it (and the one after, whose
    start can move), and are the keys a read without anything learnt gives."""
    from generator.reading import sheetkeys
    monkeypatch.setattr(sheetkeys, "_PIECE", 100)
    folder = _station(tmp_path / "records")
    book = folder / REGISTER

    def keys(memo=None, learnt=None):
        return _register_keys(book, memo, learnt)

    learnt: dict = {}
    before = keys(None, learnt)
    pieces = {k for k in learnt if isinstance(k, tuple) and k[0] == "refs-2"}
    records = read_records(folder).records
    visits = records.visits
    cell = f"{records.places['visits'].letters['notes']}{visits[len(visits) // 2].row}"
    _inline_edit(book, "走访记录", cell, "复查：收入属实")
    again: dict = {}
    after = keys(learnt, again)
    assert after == keys()
    assert {s for s in after if after[s] != before[s]} == {"走访记录"}
    (visit_facts,) = [f for k, f in again.items() if isinstance(k, bytes) and f not in learnt.values()]
    new = [k for k in visit_facts[4] if k not in pieces]
    assert len(visit_facts[4]) >= 4 and 1 <= len(new) <= 2
    # what was learnt of every piece of every sheet is carried on, for the next edit: what it
    # refers to, and the rows of each piece but the first (sheetkeys._piece_rows)
    pieces_now = [facts[4] for k, facts in again.items() if isinstance(k, bytes)]
    assert {k for k in again if isinstance(k, tuple) and k[0] == "refs-2"} == {p for ps in pieces_now for p in ps}
    assert {k for k in again if isinstance(k, tuple) and k[0] == "rows-1"} == \
        {("rows-1", p[1]) for ps in pieces_now for p in ps[1:]}
