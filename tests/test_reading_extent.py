"""The far-cell guard on sheets without <dimension> (openpyxl's write-only mode and other tools
leave it out): only references that can lie beyond MAX_CELLS are looked at, and the one named
is the farthest, exactly as a scan of every cell would name it."""

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from generator.reading.xlsxfile import MAX_CELLS, Unreadable, _col_number, read_book


def _book(tmp_path: Path, cells: list[str]) -> Path:
    """A one-sheet workbook whose sheet XML has the given cells and no <dimension>."""
    path = tmp_path / "book.xlsx"
    wb = Workbook()
    wb.active.title = "表"
    wb.save(path)
    rows: dict[int, list[str]] = {}
    for ref in cells:
        row = int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        rows.setdefault(row, []).append(f'<c r="{ref}"><v>1</v></c>')
    body = "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f"<sheetData>{body}</sheetData></worksheet>").encode()
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            z.writestr(info, xml if info.filename == "xl/worksheets/sheet1.xml" else data)
    return path


@pytest.mark.parametrize("far", ["GR60000", "CV100001", "Z384616", "AAA20000", "XFD1048576"])
def test_a_far_cell_is_named(tmp_path, far):
    letters = far.rstrip("0123456789")
    assert _col_number(letters.encode()) * int(far[len(letters):]) > MAX_CELLS
    path = _book(tmp_path, ["A1", "B2", "AU20001", far, "C3"])
    with pytest.raises(Unreadable) as err:
        read_book(path)
    assert (err.value.code, err.value.params["cell"]) == ("sheet-stray-cell", far)


def test_the_farthest_of_several_is_named(tmp_path):
    path = _book(tmp_path, ["A1", "ZZ20000", "XFD700", "CA200000"])  # 14.0M, 11.5M, 15.8M cells
    with pytest.raises(Unreadable) as err:
        read_book(path)
    assert err.value.params["cell"] == "CA200000"


def test_a_cell_looked_at_but_within_the_limit_is_read(tmp_path):
    """AAA610 is a candidate (three letters) but spans 703 x 610 cells: the sheet is read."""
    book = read_book(_book(tmp_path, ["A1", "AAA610"]))
    rows = book.sheets["表"].rows
    assert (len(rows), len(rows[0]), rows[-1][-1]) == (610, 703, 1.0)


def test_far_row_and_far_column_in_different_cells_are_refused(tmp_path):
    """Neither A99999 (99,999 cells) nor XFD2 (32,768) is far alone, but the reader would
    allocate the box around both: 1.6 billion cells. The widest cell is named."""
    path = _book(tmp_path, ["A1", "XFD2", "B50", "A99999"])
    with pytest.raises(Unreadable) as err:
        read_book(path)
    assert (err.value.code, err.value.params["cell"]) == ("sheet-stray-cell", "XFD2")


def test_a_wide_but_short_sheet_is_read(tmp_path):
    """40 columns by 3,000 rows (120,000 cells) is an ordinary register: read, not refused."""
    book = read_book(_book(tmp_path, ["A1", "AN2", "C3000"]))
    rows = book.sheets["表"].rows
    assert (len(rows), len(rows[0])) == (3000, 40)


def test_bad_cells_are_found_from_their_markers_alone():
    """Error values and formulas without a cached value are found wherever they are in the
    sheet, each once, in sheet order; a marker in a cell's text or a formula with its value
    is not a bad cell."""
    from generator.reading.badcells import _bad_cells

    cells = "".join(f'<c r="A{r}" t="n"><v>{r}</v></c>' for r in range(2, 2000))
    xml = ("<worksheet><sheetData><row r=\"1\">"
           '<c r="A1" t="inlineStr"><is><t>t="e" &lt;f</t></is></c>'
           '<c r="B1"><f>A1*2</f></c>'
           '<c r="C1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
           '<c r="D1"><f>A1+1</f><v>3</v></c>'
           f"</row><row r=\"2\">{cells}"
           '<c r="E2" t="e"><v>#REF!</v></c><c r="F2" s="3"><f t="shared" si="0"/></c>'
           "</row></sheetData></worksheet>").encode()
    assert list(_bad_cells(xml).items()) == [
        ("B1", ("formula-no-value", "=A1*2")),
        ("C1", ("formula-error", "#DIV/0!")),
        ("E2", ("formula-error", "#REF!")),
        ("F2", ("formula-no-value", "=（共享公式）")),
    ]
    assert _bad_cells(cells.encode()) == {}


def test_rich_text_with_a_font_family_is_not_a_formula():
    """An inline rich-text cell's run font has <family val="2"/>: text, not a formula without
    a value; a real formula without a value next to it is still found."""
    from generator.reading.badcells import _bad_cells

    xml = (b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><r><rPr><rFont val="SimSun"/>'
           b'<family val="3"/></rPr><t>\xe5\xbc\xa0</t></r></is></c>'
           b'<c r="B1"><f>SUM(C1:C2)</f></c></row></sheetData>')
    assert _bad_cells(xml) == {"B1": ("formula-no-value", "=SUM(C1:C2)")}
