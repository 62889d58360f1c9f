"""A changed sheet read from its changed pieces only: what a read keeps of a sheet's pieces
(sheet_pieces, book_pieces), the plan of which rows can be taken from the last read
(_plan_partial) and the read of the rest (_read_partial)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .rawbook import DATE1904, RawSheet, SheetPieces, _quiet_stderr, _reraise_interrupt
from .sheetkeys import _odd_attribute, _piece_rows


def book_pieces(file: str, parts: dict, facts: dict, learnt: dict) -> dict:
    """{sheet name: SheetPieces} of the sheets sheet_keys gave `facts` and `learnt` of."""
    if "styles" not in facts:
        return {}
    tables = (facts["styles"].state(), facts["strings"].state())
    out = {}
    for name, keys in facts.get("pieces", {}).items():
        got = sheet_pieces(file, parts[name][0], DATE1904 in parts, *tables, keys, learnt)
        if got is not None:
            out[name] = got
    return out


def _plans(file: str, parts: dict, reuse: dict, keys: dict, pieces: dict, facts: dict, learnt: dict) -> dict:
    """{sheet name: _plan_partial's plan} for the changed sheets that can be read from their
    changed pieces."""
    out = {}
    for name, old in pieces.items():
        if name in parts and keys.get(name) is not None and keys.get(name) != reuse.get(name) \
                and isinstance(old, SheetPieces):
            plan = _plan_partial(name, old, (file, parts[name][0], DATE1904 in parts), facts, learnt)
            if plan is not None:
                out[name] = plan
    return out


def sheet_pieces(file: str, part: str, date1904: bool, styles: tuple, strings: tuple, keys: tuple,
                 learnt: dict) -> SheetPieces | None:
    """The SheetPieces of a sheet read whole, from its pieces' memo keys (sheet_keys) and what
    was learnt of them; None when a piece's rows are not placed by themselves, or do not
    follow the piece before's."""
    rows = []
    last = 0
    for key in keys[1:]:
        got = learnt.get(("rows-1", key[1]))
        if not (isinstance(got, tuple) and len(got) == 3 and got[2] and got[0] > last):
            return None
        rows.append((key[1], *got))
        last = got[1]
    return SheetPieces((file, part, date1904, styles, strings), tuple(rows))


def _plan_partial(name: str, old: SheetPieces, context: tuple, facts: dict, learnt: dict):
    """How to read a changed sheet from its changed pieces: (the XML to give the reader: the
    first piece, which holds the header, the changed pieces and what follows the rows; the
    (first, last) rows of the pieces read; of the pieces kept), or None: read it whole. Rows
    are kept only where nothing they depend on changed: the piece's bytes, its place among
    the others, the file, part and date system, and the shared tables' entries it refers to."""
    got = facts.get("xml", {}).get(name)
    keys = facts.get("pieces", {}).get(name)
    if got is None or keys is None or old.context[:3] != context[:3]:
        return None
    xml, pieces = got
    if len(pieces) < 2 or len(keys) != len(pieces):
        return None
    end = xml.rfind(b"</sheetData>")
    if end < pieces[1][0]:
        return None
    known = {digest: (first, last) for digest, first, last, _ in old.rows}
    start = xml.find(b"<row", 0, pieces[0][1])
    head = _piece_rows(xml, start, pieces[0][1]) if start >= 0 else (0, 0, True)
    if not head[2] and start >= 0:
        return None
    read, kept, chunks = [head[:2]] if start >= 0 else [], [], [xml[:pieces[0][1]]]
    styles: set = {0}
    strings: set | None = set()
    last = head[1] if start >= 0 else 0
    for (lo, hi), key in zip(pieces[1:], keys[1:]):
        rows = learnt.get(("rows-1", key[1]))
        if not (isinstance(rows, tuple) and len(rows) == 3 and rows[2] and rows[0] > last):
            return None
        last = rows[1]
        refs = learnt.get(key)
        if key[1] in known and isinstance(refs, tuple) and len(refs) == 6 and rows[0] > HEADER_SEARCH_ROWS:
            odd = refs[0] and (refs[1] if refs[1] is not None else _odd_attribute(xml, lo, hi))
            if not odd:
                styles |= refs[2]
                if refs[3] and (refs[4] is None or strings is None):
                    strings = None
                elif refs[3] and strings is not None:
                    strings |= refs[4] | {0}
                kept.append(rows[:2])
                continue
        read.append(rows[:2])
        chunks.append(xml[lo:min(hi, end)])
    if not kept or not (facts["styles"].keeps(old.context[3], styles)
                        and facts["strings"].keeps(old.context[4], strings)):
        return None
    chunks.append(xml[end:])
    return b"".join(chunks), read, kept


def _members(zf: zipfile.ZipFile) -> dict:
    """Each part of the open file by name: its CRC and sizes (to tell a file saved again)."""
    return {i.filename: (i.CRC, i.file_size, i.compress_size) for i in zf.infolist()}


def _read_partial(path: Path, name: str, parts: dict, xml: bytes, max_rows: int, kept: list,
                  members: dict) -> RawSheet | None:
    """The sheet `name` read by the fast reader from a workbook in memory made of the file's
    parts with that sheet's XML replaced by `xml` (_plan_partial): the values are what the
    reader makes of those rows in the file itself. The rows of the pieces not read (`kept`:
    (first, last) row numbers), all blank here, are one empty list each, which the table's
    reader drops at once. None when that fails (then read it whole), and when the file's parts
    are no longer `members`, those the plan was made of (saved again meanwhile: its shared
    strings would be another save's than `xml`'s)."""
    import io

    import python_calamine

    part = parts[name][0]
    sheets = {p for p, _ in parts.values() if p} - {part}
    buf = io.BytesIO()
    try:
        with zipfile.ZipFile(path) as zf, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as out:
            if _members(zf) != members:
                return None
            for info in zf.infolist():
                if info.filename == part:
                    out.writestr(part, xml)
                elif info.filename in sheets:
                    out.writestr(info.filename, _EMPTY_SHEET)
                else:
                    out.writestr(info.filename, zf.read(info))
        buf.seek(0)
        wb = python_calamine.CalamineWorkbook.from_filelike(buf)
        try:
            with _quiet_stderr():
                sheet = wb.get_sheet_by_name(name)
                if sheet.total_height > max_rows:
                    return None
                rows = sheet.to_python(skip_empty_area=False)
                merged = list(sheet.merged_cell_ranges or [])
        finally:
            wb.close()
    except BaseException as err:  # noqa: BLE001 - any failure: the sheet is read whole
        _reraise_interrupt(err)
        return None
    for first, last in kept:
        if first - 1 < min(last, len(rows)):
            rows[first - 1:min(last, len(rows))] = [_NO_ROW] * (min(last, len(rows)) - first + 1)
    return RawSheet(name, rows, parts[name][1], merged)


# The rows the header is looked for in (tables._find_header_row): a piece holding any of them
# is read, so that the rows the header is chosen from are those of a whole read.
HEADER_SEARCH_ROWS = 10

_NO_ROW: list = []  # shared by the blank rows of the pieces not read: never changed

_EMPTY_SHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')
