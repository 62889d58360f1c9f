"""Open one workbook file safely and read its sheets as raw rows.

The fast reader (python-calamine) gives the values. A second, cheap pass over
the zip covers what it lacks, only where needed: sheets marked hidden, cells
holding an error value (#REF!) and formulas without a cached value, which the
fast reader returns as empty strings. XML read by us goes through defusedxml;
the zip's uncompressed size is limited before anything is parsed.

`.xls` (Excel 97-2003, also what WPS saves by default) and `.ods` are read by
`read_other_book` into the same RawBook, so the rest of the reader does not know
the difference; the caller warns that `.xlsx` is the format to keep. For `.ods`
the merged ranges and error values come from a streamed pass over content.xml;
in `.xls` an error value reads as an empty cell.

The rest of the reader lives beside it: `rawbook` (the RawBook/RawSheet types, Unreadable),
`badcells` (formulas without a value and error values), `sheetkeys` (a sheet's content key)
and `piecewise` (a changed sheet read from its changed pieces only).
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree as SafeET

from .badcells import _bad_cells, _ods_extras, _scan_bad_cells
from .piecewise import _members, _plans, _read_partial, book_pieces
from .rawbook import DATE1904, RawBook, RawSheet, RawSheetKept, Unreadable, _quiet_stderr, _reraise_interrupt
from .sheetkeys import _sheet_keys_of, sheet_keys

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({
    "date-absurd", "file-cannot-open", "file-corrupt", "file-csv", "file-encrypted", "file-is-folder", "file-locked",
    "file-not-workbook", "file-ods", "file-old-excel", "file-special", "file-too-large", "file-wps", "file-xlsb",
    "file-xlsm", "sheet-stray-cell",
})

MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # 1 GiB of XML is far beyond any station
MAX_RATIO = 400  # a sheet compressing better than 400:1 is a zip bomb, not data
MAX_ROWS = 1_048_576

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_NS_STRICT_MAIN = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
_NS_STRICT_REL = "{http://purl.oclc.org/ooxml/officeDocument/relationships}"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Files next to the workbooks that are the right book in another format.
# Read like .xlsx, with a warning suggesting .xlsx (read_other_book): suffix -> warning code.
READABLE = {".xls": "file-old-excel", ".ods": "file-ods"}
# Refused, with a message saying how to save as .xlsx.
OTHER_FORMATS = {".et": "file-wps", ".csv": "file-csv", ".xlsm": "file-xlsm", ".xlsb": "file-xlsb",
                 ".ett": "file-wps"}


def sniff(path: Path) -> None:
    """Raise Unreadable for files that are not an .xlsx zip at all (and for a folder, a pipe
    or a device in a workbook's place, which would hang or never end)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as err:
        raise Unreadable("file-cannot-open", detail=err.strerror or type(err).__name__) from None
    if stat.S_ISDIR(mode):
        raise Unreadable("file-is-folder")
    if not stat.S_ISREG(mode):
        raise Unreadable("file-special")
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except PermissionError:
        raise Unreadable("file-locked") from None
    except OSError as err:
        raise Unreadable("file-cannot-open", detail=err.strerror or type(err).__name__) from None
    if head.startswith(OLE_MAGIC):
        data = path.read_bytes()
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise Unreadable("file-encrypted")
        if path.suffix.lower() == ".et" or b"W\x00P\x00S" in data[:4096]:
            raise Unreadable("file-wps")
        raise Unreadable("file-old-excel")
    if not head:
        raise Unreadable("file-corrupt", detail="文件是空的")
    if not head.startswith(b"PK"):
        if _looks_like_text(path):
            raise Unreadable("file-csv")
        raise Unreadable("file-not-workbook", detail="文件内容不是 Excel 格式")


_CONTROL = set(range(0, 9)) | set(range(14, 32)) - {27}


def _looks_like_text(path: Path) -> bool:
    """CSV or other text saved under a workbook's name (UTF-8, GBK, UTF-16 with BOM)."""
    with open(path, "rb") as fh:
        sample = fh.read(4096)
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if any(b in _CONTROL for b in sample):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError as err:
            if err.start > len(sample) - 4:  # cut in the middle of a character
                return True
    return False


def _zip_guard(zf: zipfile.ZipFile) -> None:
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.compress_size and info.file_size > 10_000_000 and \
                info.file_size / info.compress_size > MAX_RATIO:
            raise Unreadable("file-too-large", limit="安全上限（压缩比异常）")
    if total > MAX_UNCOMPRESSED:
        raise Unreadable("file-too-large", limit="1 GB")


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, tuple[str, bool]]:
    """sheet name -> (part path in the zip, hidden?)."""
    names = set(zf.namelist())
    if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
        raise Unreadable("file-xlsb", expected="")
    try:
        wb_xml = SafeET.fromstring(zf.read("xl/workbook.xml"))
        rels_xml = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except KeyError as missing:
        raise Unreadable("file-not-workbook", detail=f"缺少 {missing}") from None
    except Exception as err:  # defusedxml refusals, broken XML
        raise Unreadable("file-corrupt", detail=type(err).__name__) from None
    targets = {}
    for rel in rels_xml.iter(f"{_NS_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[rel.get("Id")] = target
    out = {}
    # Strict OOXML (ISO 29500 strict, "Strict Open XML" in Excel's Save As) uses other namespaces.
    strict = wb_xml.tag == f"{_NS_STRICT_MAIN}workbook"
    main, rel_ns = (_NS_STRICT_MAIN, _NS_STRICT_REL) if strict else (_NS_MAIN, _NS_REL)
    sheets = wb_xml.find(f"{main}sheets")
    for sh in (sheets if sheets is not None else []):
        hidden = sh.get("state", "visible") != "visible"
        out[sh.get("name")] = (targets.get(sh.get(f"{rel_ns}id"), ""), hidden)
    pr = wb_xml.find(f"{main}workbookPr")
    if pr is not None and pr.get("date1904", "").lower() in ("1", "true"):
        out[DATE1904] = ("", False)
    return out


sheet_parts = _sheet_parts  # for sheet_keys' callers elsewhere


def read_book(path: Path, max_rows: int = MAX_ROWS, reuse: dict | None = None,
              memo: dict | None = None, pieces: dict | None = None) -> RawBook:
    """Read every sheet of an .xlsx. Raises Unreadable for files we cannot read.
    `reuse` ({sheet name: content key}, see sheet_keys): a sheet whose key is still the one
    given is not read; it comes back as a RawSheetKept. Every sheet read gets its `key`.
    `memo`: the RawBook.memo of the last read of the file (sheet_keys). `pieces` ({sheet name:
    SheetPieces} of the last read): a changed sheet is read from its changed pieces only
    where _plan_partial finds the others' rows can be taken from that read (RawSheet.partial)."""
    sniff(path)
    keys: dict = {}
    learnt: dict = {}
    seen: dict = {}  # the bad cells of the sheets whose XML sheet_keys went through
    facts: dict = {"want": set(pieces or ())}
    plans: dict = {}
    try:
        with zipfile.ZipFile(path) as zf:
            _zip_guard(zf)
            parts = _sheet_parts(zf)
            scanned = _check_extent(zf, parts)
            facts["members"] = _members(zf)  # what the plans were made of (_read_partial)
            if reuse:  # something to compare with: the keys first, to know which sheets to read
                keys = sheet_keys(zf, parts, path.name, memo, learnt, seen, facts)
                plans = _plans(path.name, parts, reuse, keys, pieces or {}, facts, learnt)
                facts.pop("xml", None)  # (each plan holds the XML it reads)
    except zipfile.BadZipFile as err:
        raise Unreadable("file-corrupt", detail="压缩包结构损坏") from err
    except (OSError, EOFError, zipfile.LargeZipFile) as err:
        raise Unreadable("file-corrupt", detail=type(err).__name__) from err
    kept = {name for name, key in (reuse or {}).items() if key is not None and keys.get(name) == key}
    parts_read = {k: v for k, v in parts.items() if k not in kept}
    # The second pass (decompressing sheet XML releases the GIL) overlaps calamine's parse.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        # nothing to compare with: the keys for next time, meanwhile, with the bad cells of the
        # sheets they go through (`seen`), which the scan then takes (one worker: it runs after)
        fresh = reuse is not None and not reuse
        keyed = pool.submit(_sheet_keys_of, path, parts, memo, learnt, seen, facts) if fresh else None
        scan = pool.submit(_scan_bad_cells, path, {k: v for k, v in parts_read.items() if k not in scanned},
                           seen)
        sheets = _read_values(path, parts, max_rows, skip=kept | set(plans))
        for name, (xml, read, kept_rows) in plans.items():
            got = _read_partial(path, name, parts, xml, max_rows, kept_rows, facts["members"])
            if got is None:  # read it whole after all
                got = _read_values(path, parts, max_rows, skip=set(parts) - {name})[name]
            else:
                got.partial = (read, kept_rows)
            got.hidden = sheets[name].hidden
            sheets[name] = got
        try:
            if keyed is not None:
                keys = keyed.result()
            bad = {**scan.result(), **scanned}
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as err:
            raise Unreadable("file-corrupt", detail=type(err).__name__) from err
    found = book_pieces(path.name, parts, facts, learnt)
    for name, sheet in sheets.items():
        if isinstance(sheet, RawSheetKept):
            continue
        sheet.bad_cells = bad.get(name, {})
        sheet.date1904 = DATE1904 in parts
        sheet.key = keys.get(name)
        sheet.pieces = found.get(name)
    return RawBook(path, sheets, learnt)


def read_sheet(path: Path, name: str, like: RawSheet) -> RawSheet:
    """The sheet `name` read whole, as read_book reads it; `like` (the sheet read from its
    changed pieces) gives what read_book worked out of the file besides the values. Raises
    Unreadable as read_book does (the file saved again or locked meanwhile)."""
    sniff(path)
    try:
        with zipfile.ZipFile(path) as zf:
            parts = _sheet_parts(zf)
    except zipfile.BadZipFile as err:
        raise Unreadable("file-corrupt", detail="压缩包结构损坏") from err
    except (OSError, EOFError, zipfile.LargeZipFile) as err:
        raise Unreadable("file-corrupt", detail=type(err).__name__) from err
    if name not in parts:
        raise Unreadable("file-corrupt", detail="工作表在读取时被改动")
    sheets = _read_values(path, parts, MAX_ROWS, skip={n for n in parts if n != name})
    sheet = sheets[name]
    assert isinstance(sheet, RawSheet)
    sheet.bad_cells, sheet.date1904, sheet.key, sheet.pieces = like.bad_cells, like.date1904, like.key, like.pieces
    sheet.hidden = like.hidden
    return sheet


MAX_CELLS = 10_000_000  # rows x columns the fast reader may allocate for one sheet
_DIMENSION = re.compile(rb'<dimension\s+ref="(?:[A-Z]+[0-9]+:)?([A-Z]+)([0-9]+)"')
# Only a reference long enough can lie beyond MAX_CELLS (column x row): one or two letters
# need a row of 6+ digits (or 5 digits from column CA on), three letters 3+ digits. Matching
# just those keeps the scan of a large sheet without <dimension> at the speed of a search.
_FAR_REF = re.compile(rb'<c r="((?:[A-Z]{1,2}[0-9]{6,}|[C-Z][A-Z][0-9]{5}|[A-Z]{3,}[0-9]{3,}))"'
                      rb'[^>]*?>\s*<(?:v|is|f)\b')
_SPLIT_REF = re.compile(rb"([A-Z]+)([0-9]+)")
# The allocated area is the bounding box of all cells, not one cell's: A99999 and XFD1 span
# 1.6 billion cells. Rows come in ascending order (the file format requires it), so the
# last <row r="…"> bounds the rows; a column beyond Z has two or more letters.
_LAST_ROW = re.compile(rb'<row\b[^>]*?\br="([0-9]+)"')
_WIDE_REF = re.compile(rb'<c r="([A-Z]{2,}[0-9]+)"[^>]*?>\s*<(?:v|is|f)\b')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_extent(zf: zipfile.ZipFile, parts: dict) -> dict:
    """Refuse a sheet whose cells span an area the fast reader would allocate whole (a stray
    value left at XFD1048576 aborts the process). Excel, WPS and LibreOffice write the used
    range as <dimension>; only when it is missing or too large are the cells themselves read.
    Returns the bad cells (see _bad_cells) of each sheet whose XML was read for this, so that
    it is not decompressed a second time."""
    names = set(zf.namelist())
    scanned: dict = {}
    for sheet, (part, _) in parts.items():
        if not part or part not in names:
            continue
        with zf.open(part) as fh:
            head = fh.read(4096)
        m = _DIMENSION.search(head)
        if m and _col_number(m.group(1)) * int(m.group(2)) <= MAX_CELLS:
            continue
        xml = zf.read(part)
        far, worst = None, 0
        for ref in _FAR_REF.finditer(xml):
            letters, digits = _SPLIT_REF.fullmatch(ref.group(1)).groups()
            row, col = int(digits), _col_number(letters)
            if row * col > worst:
                worst, far = row * col, ref.group(1).decode()
        if worst <= MAX_CELLS:
            worst, far = _bounding_area(xml)
        if worst > MAX_CELLS:
            raise Unreadable("sheet-stray-cell", sheet=sheet, cell=far,
                             size=f"约 {worst:,} 个单元格")
        scanned[sheet] = _bad_cells(xml)
    return scanned


def _bounding_area(xml: bytes) -> tuple[int, str | None]:
    """Rows x columns of the box around every cell of a sheet, and its widest cell (the one
    to name: on a sheet of ordinary height, only a stray far column makes the box huge)."""
    start = xml.rfind(b"<row ")
    last = _LAST_ROW.match(xml, start) if start >= 0 else None
    if last is None:
        return 0, None
    rows, cols, wide = int(last.group(1)), 26, None
    for ref in _WIDE_REF.finditer(xml):
        col = _col_number(_SPLIT_REF.fullmatch(ref.group(1)).group(1))
        if col > cols:
            cols, wide = col, ref.group(1).decode()
    return rows * cols, wide


def _read_values(path: Path, parts: dict, max_rows: int, by_content: bool = False,
                 skip: set | frozenset = frozenset()) -> dict:
    """Values of every worksheet; by_content: the format from the bytes, not the file's suffix."""
    import python_calamine

    try:
        if by_content:
            with open(path, "rb") as fh:
                wb = python_calamine.CalamineWorkbook.from_filelike(fh)
        else:
            wb = python_calamine.CalamineWorkbook.from_path(str(path))
    except python_calamine.PasswordError as err:
        raise Unreadable("file-encrypted") from err
    except BaseException as err:  # calamine's own errors, ValueError, and Rust panics
        _reraise_interrupt(err)
        raise Unreadable("file-corrupt", detail=type(err).__name__) from err
    sheets: dict[str, RawSheet] = {}
    try:
        with _quiet_stderr():
            _read_sheets(wb, parts, max_rows, sheets, skip)
    except BaseException as err:  # a Rust panic (pyo3 PanicException) is a BaseException
        _reraise_interrupt(err)
        _find_absurd_date(path, parts)  # a date cell out of any calendar: name the cell
        raise Unreadable("file-corrupt", detail=type(err).__name__) from err
    finally:
        wb.close()
    return sheets


_DATE_FORMAT = re.compile(r"(?<!\\)[ymdhs]", re.I)
_BUILTIN_DATES = set(range(14, 23)) | set(range(45, 48)) | {27, 30, 36, 50, 57}
_STYLED_VALUE = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"[^>]*?\bs="([0-9]+)"[^>]*?>(?:<f[^>]*?(?:/>|>.*?</f>))?<v>([^<]*)</v>', re.S)
LAST_SERIAL = 2958465  # 9999-12-31


def _find_absurd_date(path: Path, parts: dict) -> None:
    """After the fast reader failed: raise Unreadable naming the first date-formatted cell
    whose number is no date at all (negative, past 9999-12-31, not finite)."""
    try:
        with zipfile.ZipFile(path) as zf:
            styles = SafeET.fromstring(zf.read("xl/styles.xml"))
            custom = {int(f.get("numFmtId")): f.get("formatCode", "")
                      for f in styles.iter(f"{_NS_MAIN}numFmt")}
            xfs = styles.find(f"{_NS_MAIN}cellXfs")
            dated = set()
            for i, xf in enumerate(xfs if xfs is not None else []):
                fmt = int(xf.get("numFmtId", "0"))
                code = re.sub(r'"[^"]*"|\[[^\]]*\]', "", custom.get(fmt, ""))
                if fmt in _BUILTIN_DATES or (fmt in custom and _DATE_FORMAT.search(code)):
                    dated.add(str(i).encode())
            for sheet, (part, _) in parts.items():
                if not part:
                    continue
                for m in _STYLED_VALUE.finditer(zf.read(part)):
                    if m.group(2) not in dated:
                        continue
                    try:
                        number = float(m.group(3))
                    except ValueError:
                        continue
                    if not (-1 < number < LAST_SERIAL + 1):
                        raise Unreadable("date-absurd", sheet=sheet, cell=m.group(1).decode(),
                                         value=m.group(3).decode())
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, SyntaxError):
        return


def _read_sheets(wb, parts: dict, max_rows: int, sheets: dict, skip=frozenset()) -> None:
    for meta in wb.sheets_metadata:
        if str(meta.typ) not in ("SheetTypeEnum.WorkSheet", "WorkSheet"):
            continue
        hidden = str(meta.visible) not in ("SheetVisibleEnum.Visible", "Visible")
        if meta.name in skip:
            sheets[meta.name] = RawSheetKept(meta.name, "", hidden or parts.get(meta.name, ("", False))[1])
            continue
        sheet = wb.get_sheet_by_name(meta.name)
        truncated = sheet.total_height > max_rows
        rows = sheet.to_python(skip_empty_area=False, nrows=max_rows if truncated else None)
        sheets[meta.name] = RawSheet(
            meta.name, rows, hidden or parts.get(meta.name, ("", False))[1],
            list(sheet.merged_cell_ranges or []), {},
            sheet.total_height if truncated else 0)


# --- .xls (Excel 97-2003, WPS's default) and .ods --------------------------------------
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


def read_other_book(path: Path, max_rows: int = MAX_ROWS) -> RawBook:
    """Read an .xls or .ods file. Raises Unreadable for files we cannot read."""
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise Unreadable("file-corrupt", detail="文件是空的")
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as zf:
                _zip_guard(zf)
                names = set(zf.namelist())
                if "mimetype" in names and not zf.read("mimetype").startswith(ODS_MIME):
                    raise Unreadable("file-not-workbook", detail="是其他 OpenDocument 文档，不是表格")
        except zipfile.BadZipFile as err:
            raise Unreadable("file-corrupt", detail="压缩包结构损坏") from err
        except (OSError, EOFError, zipfile.LargeZipFile) as err:
            raise Unreadable("file-corrupt", detail=type(err).__name__) from err
    elif not head.startswith(OLE_MAGIC):
        if _looks_like_text(path):
            raise Unreadable("file-csv")
        raise Unreadable("file-not-workbook", detail="文件内容不是 Excel 格式")
    book = RawBook(path, _read_values(path, {}, max_rows, by_content=True))
    if head.startswith(b"PK"):  # .ods: the fast reader gives no merged ranges and no error values
        try:
            extras = _ods_extras(path, max_rows)
        except Exception as err:  # noqa: BLE001 - broken XML in a file calamine could read
            raise Unreadable("file-corrupt", detail=type(err).__name__) from err
        for name, sheet in book.sheets.items():
            merged, bad = extras.get(name, ([], {}))
            sheet.merged, sheet.bad_cells = merged, bad
    return book


def is_old_excel(path: Path) -> bool:
    """An .xls (OLE) file, whatever its name says."""
    try:
        with open(path, "rb") as fh:
            return fh.read(8).startswith(OLE_MAGIC)
    except OSError:
        return False
