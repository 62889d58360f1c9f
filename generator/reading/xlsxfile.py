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
"""

from __future__ import annotations

import html
import os
import re
import stat
import tempfile
import threading
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree as SafeET

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({
    "date-absurd", "file-cannot-open", "file-corrupt", "file-csv", "file-encrypted", "file-is-folder", "file-locked",
    "file-not-workbook", "file-ods", "file-old-excel", "file-special", "file-too-large", "file-wps", "file-xlsb",
    "file-xlsm", "formula-error", "formula-no-value", "sheet-stray-cell",
})

MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # 1 GiB of XML is far beyond any station
MAX_RATIO = 400  # a sheet compressing better than 400:1 is a zip bomb, not data
MAX_ROWS = 1_048_576

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_NS_STRICT_MAIN = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
_NS_STRICT_REL = "{http://purl.oclc.org/ooxml/officeDocument/relationships}"
DATE1904 = "\0date1904"  # a key of _sheet_parts' result: the workbook counts days from 1904

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Files next to the workbooks that are the right book in another format.
# Read like .xlsx, with a warning suggesting .xlsx (read_other_book): suffix -> warning code.
READABLE = {".xls": "file-old-excel", ".ods": "file-ods"}
# Refused, with a message saying how to save as .xlsx.
OTHER_FORMATS = {".et": "file-wps", ".csv": "file-csv", ".xlsm": "file-xlsm", ".xlsb": "file-xlsb",
                 ".ett": "file-wps"}


class Unreadable(Exception):
    """The file cannot be read as a workbook; `code` and `params` say why."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class RawSheet:
    name: str
    rows: list  # list of lists of raw cell values, row 1 first
    hidden: bool = False
    merged: list = field(default_factory=list)  # [((r0, c0), (r1, c1)), ...] zero-based
    bad_cells: dict = field(default_factory=dict)  # "B7" -> ("formula-no-value"|"formula-error", text)
    truncated_at: int = 0  # number of rows when cut at the row limit
    date1904: bool = False  # the workbook's bare serial numbers count from 1904
    key: str | None = None  # its content key (sheet_keys), when read_book was asked for keys
    # how its rows lie in its XML's pieces (SheetPieces), for reading only the changed pieces
    # next time; None when not known
    pieces: SheetPieces | None = None
    # a sheet read from its changed pieces only (read_book's `pieces`): the (first, last) row
    # numbers of the pieces read and of those not read, whose rows are the previous read's
    partial: tuple | None = None


@dataclass
class RawBook:
    path: Path
    sheets: dict  # name -> RawSheet, in workbook order
    # what sheet_keys learnt of each sheet part's XML, by its bytes as stored in the zip (see
    # sheet_keys `memo`): handed to the next read_book of the file, which then keys the sheets
    # whose stored bytes did not change without decompressing and going through them
    memo: dict = field(default_factory=dict)
    # sheet name -> what the reader keeps of each table's sheet for reading only its changed
    # pieces next time (reading._read_book fills it, the read store keeps it as Kept.pieces)
    pieces: dict = field(default_factory=dict)
    partial: list = field(default_factory=list)  # the sheets read from their changed pieces only


@dataclass(frozen=True)
class SheetPieces:
    """A sheet's XML as pieces (_pieces) and the rows each holds: what a later read needs to
    take the rows of the pieces whose bytes did not change from this read. `context` is
    everything else the values of a piece's rows depend on (the file's and the part's names,
    the date system, the shared tables' entries: _table_state); `rows` is, for each piece but
    the first (which is always read again: it holds the header), its digest, its first and last
    row number, and whether its rows are placed by themselves (each row and cell with its
    r="…", rows ascending)."""
    context: tuple
    rows: tuple  # ((piece digest, first row, last row, placed), ...)


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


_CELL_RE = re.compile(rb'<c r="([A-Z]+\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_V_RE = re.compile(rb"<v>(.*?)</v>", re.S)
_F_RE = re.compile(rb"<f(?:\s[^>]*?)?(?:/>|>(.*?)</f>)", re.S)
_F_TAG = re.compile(rb"<f[\s>/]")  # a formula element, not <family> in a rich-text run's font


def _bad_cells(xml: bytes) -> dict:
    """Cells with error values or formulas lacking a cached value."""
    out: dict = {}
    for m in _marked_cells(xml):
        attrs, body = m.group(2), m.group(3) or b""
        if b't="e"' in attrs:
            v = _V_RE.search(body)
            out[m.group(1).decode()] = ("formula-error", html.unescape((v.group(1) if v else b"#VALUE!").decode(
                "utf-8", "replace")))
        elif _F_TAG.search(body) and not _V_RE.search(body):
            f = _F_RE.search(body)
            formula = html.unescape(f.group(1).decode("utf-8", "replace")) if f and f.group(1) else "（共享公式）"
            out[m.group(1).decode()] = ("formula-no-value", "=" + formula)
        elif _F_TAG.search(body) and _V_RE.search(body).group(1) == b"" and b't="str"' in attrs:
            continue
    return out


def _marked_cells(xml: bytes):
    """The cells (matches of _CELL_RE) holding a marker of a bad cell, in sheet order: each
    marker leads back to the start of its cell, so a large sheet with a few formulas is not
    matched cell by cell."""
    starts = set()
    for marker in (b't="e"', b"<f"):
        at = xml.find(marker)
        while at >= 0:
            start = xml.rfind(b"<c ", 0, at)
            if start >= 0:
                starts.add(start)
            at = xml.find(marker, at + 1)
    for start in sorted(starts):
        m = _CELL_RE.match(xml, start)
        if m is not None:
            yield m


@dataclass
class RawSheetKept:
    """A sheet not read again (read_book's `reuse`): its content key matched the one asked for."""
    name: str
    key: str
    hidden: bool = False


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


def _sheet_keys_of(path: Path, parts: dict, memo: dict | None, learnt: dict, seen: dict, facts: dict) -> dict:
    with zipfile.ZipFile(path) as zf:
        return sheet_keys(zf, parts, path.name, memo, learnt, seen, facts)


_SHEET_VIEWS = re.compile(rb"<(?:\w+:)?sheetViews\b.*?</(?:\w+:)?sheetViews>", re.S)


def sheet_keys(zf: zipfile.ZipFile, parts: dict, file: str, memo: dict | None = None,
               learnt: dict | None = None, bad: dict | None = None, facts: dict | None = None) -> dict:
    """{sheet name: content key}: everything the values read from a sheet depend on, so that an
    equal key means equal RawSheets, whatever else the save rewrote: the file's name, the
    sheet's name, part and visibility, the workbook's date system, the sheet's XML (without its
    <sheetViews>: which cell is selected and how the window scrolls, which saving rewrites and
    no value depends on), and of the workbook's shared tables only the entries the sheet refers
    to: the number format of each cell style it uses (xl/styles.xml: dates are told by their
    format) and the text of each shared string it uses (xl/sharedStrings.xml). A program that
    saves (Excel, WPS, LibreOffice, openpyxl) appends a new text to the shared strings or
    numbers them anew, and writes the styles again: the other sheets keep their keys.
    A sheet whose part is missing gets no key (it is always read).
    What is worked out from a part's XML (its digest and what it refers to) is put in `learnt`
    under the digest of the part's bytes as stored (compressed) in the zip, and taken from
    `memo` (what an earlier call learnt) for a part stored with the same bytes: equal stored
    bytes decompress to the same XML, so an unchanged sheet of a saved workbook is keyed
    without decompressing and going through its XML again. The bad cells (_bad_cells) of each
    sheet whose XML it does go through are put in `bad`: the XML is not decompressed again for them.
    `facts` (for read_book's partial reads): its "pieces" gets each sheet's pieces' memo keys,
    its "xml" the XML (without <sheetViews>) and pieces of each sheet named in its "want" that
    it goes through, and "styles" and "strings" the shared tables, read."""
    import hashlib

    names = set(zf.namelist())
    common = hashlib.blake2b(f"sheet-key-4|{file}|{DATE1904 in parts}".encode(), digest_size=20)
    styles = _SharedTable(zf, "xl/styles.xml", names, _style_entries)
    strings = _SharedTable(zf, "xl/sharedStrings.xml", names, _string_entries)
    out: dict = {}
    with _raw_file(zf) as raw:
        for sheet, (part, hidden) in parts.items():
            if sheet == DATE1904 or not part or part not in names:
                continue
            stored = _stored_digest(raw, zf.getinfo(part)) if raw is not None else None
            known = memo.get(stored) if memo and stored is not None else None
            if isinstance(known, tuple) and len(known) == 5 and learnt is not None:
                for piece in known[4]:  # what was learnt of its pieces, for when it changes
                    for key in (piece, ("rows-1", piece[1])):
                        if memo and key in memo:
                            learnt[key] = memo[key]
            elif not (isinstance(known, tuple) and len(known) == 5):
                xml = zf.read(part)
                keep: list | None = [] if facts is not None and sheet in facts.get("want", ()) else None
                known, marked = _xml_facts(xml, memo, learnt, keep)
                if keep:
                    facts.setdefault("xml", {})[sheet] = keep[0]
                if bad is not None:
                    bad[sheet] = _bad_cells(xml) if marked else {}
                del xml
            if stored is not None and learnt is not None:
                learnt[stored] = known
            size, digest, style_ids, string_ids, _ = known
            if facts is not None:
                facts.setdefault("pieces", {})[sheet] = known[4]
            h = common.copy()
            h.update(f"|{sheet}|{part}|{hidden}|{size}|".encode() + digest)
            h.update(b"|xf|" + styles.digest(style_ids))
            if string_ids is None or string_ids:
                h.update(b"|sst|" + strings.digest(string_ids))
            out[sheet] = h.hexdigest()
    if facts is not None:
        styles.load()
        strings.load()
        facts["styles"], facts["strings"] = styles, strings
    return out


def _xml_facts(xml: bytes, memo: dict | None = None, learnt: dict | None = None,
               keep: list | None = None) -> tuple[tuple, bool]:
    """((size, digest, style indices, shared string indices, memo keys of its pieces) of a
    sheet's XML without its <sheetViews> (sheet_keys), whether it holds a marker of a bad cell
    (_holds_marker: a formula or an error value)). What a piece (_pieces) refers to is taken
    from `memo` when a piece with the same bytes was gone through before, and put in `learnt`:
    after one edited cell of a large sheet only the piece holding it is searched. The rows of each
    piece but the first (_piece_rows) are learnt too, under ("rows-1", its digest). `keep`
    gets (the XML without <sheetViews>, its pieces)."""
    import hashlib

    views = _SHEET_VIEWS.search(xml, 0, min(len(xml), 1 << 16))  # near the top: before <sheetData>
    if views is not None and b"<sheetData" not in xml[:views.end()]:
        xml = xml[:views.start()] + xml[views.end():]
    start = xml.find(b"?>", 0, 256) + 2 if xml.startswith(b"<?xml") else 0
    start = xml.find(b"<", start)  # past the line break after the XML declaration
    whole = hashlib.blake2b(b"pieces-1", digest_size=32)
    view = memoryview(xml)
    pieces = _pieces(xml)
    facts = []
    keys = []
    for lo, hi in pieces:
        digest = hashlib.sha256(view[lo:hi]).digest()  # (SHA-256: twice BLAKE2b's speed where the CPU has it)
        whole.update(b"%d|" % (hi - lo) + digest)
        keys.append(("refs-2", digest, start if lo == 0 else -1))  # the first piece holds the declaration
        got = memo.get(keys[-1]) if memo else None
        facts.append(got if isinstance(got, tuple) and len(got) == 6
                     else _piece_references(xml, lo, hi, start if lo == 0 else lo))
        if lo > 0 and learnt is not None:
            rows = memo.get(("rows-1", digest)) if memo else None
            learnt[("rows-1", digest)] = rows if isinstance(rows, tuple) and len(rows) == 3 \
                else _piece_rows(xml, lo, hi)
    del view
    if keep is not None:
        keep.append((xml, pieces))
    facts = _searched(xml, start, pieces, facts)
    if learnt is not None:
        learnt.update(zip(keys, facts))
    # (a marker only in <sheetViews>, not searched, is in no cell: _bad_cells finds none there)
    return (len(xml), whole.digest(), *_joined_references(start, facts), tuple(keys)), any(f[5] for f in facts)


@contextmanager
def _raw_file(zf: zipfile.ZipFile):
    """The zip's file opened again, to read members' stored bytes; None for a zip not read
    from a named file (then every part is decompressed)."""
    name = zf.filename
    if not name:
        yield None
        return
    try:
        fh = open(name, "rb")
    except OSError:
        yield None
        return
    with fh:
        yield fh


_LOCAL_HEADER = 30  # bytes of a zip member's local header before its name and extra field


def _stored_digest(fh, info: zipfile.ZipInfo) -> bytes | None:
    """A digest of one member's bytes as stored (compressed), with how they are compressed and
    what they decompress to (CRC-32, size); None when the member cannot be located."""
    import hashlib

    try:
        fh.seek(info.header_offset)
        header = fh.read(_LOCAL_HEADER)
        if len(header) != _LOCAL_HEADER or header[:4] != b"PK\x03\x04":
            return None
        skip = int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
        fh.seek(info.header_offset + _LOCAL_HEADER + skip)
        data = fh.read(info.compress_size)
    except (OSError, ValueError):
        return None
    if len(data) != info.compress_size:
        return None
    h = hashlib.sha256(f"stored-2|{info.compress_type}|{info.flag_bits}|{info.CRC}|{info.file_size}|".encode())
    h.update(data)
    return h.digest()


# What a sheet refers to in the shared tables. The fast reader takes a cell's style from its
# s="…" and a shared string's number from the <v> of a cell with t="s"; a number it cannot
# parse counts as 0. The plain forms are found at the speed of a search; a sheet that may
# hold another form (single quotes, blanks around "=", a line break inside a tag) or a t="s"
# cell not matched is keyed on the whole table instead: never fewer entries than it uses.
_STYLE_REF = re.compile(rb's="([^"]*)"')
_STRING_REF = re.compile(rb't="s"[^>]*>\s*<v>([0-9]*)</v>')
_ODD_ATTR = re.compile(rb"""[\s](?:s|t)(?:\s|=[\s'])""")
_ODD_MARKS = (b"'", b" =", b"= ", b"\t", b"\n", b"\r")


def _references(xml: bytes) -> tuple[set | None, set | None]:
    """(style indices, shared string indices) a sheet's XML uses; None: the whole table."""
    start = xml.find(b"?>", 0, 256) + 2 if xml.startswith(b"<?xml") else 0
    start = xml.find(b"<", start)  # past the line break after the XML declaration
    pieces = _pieces(xml)
    facts = [_piece_references(xml, lo, hi, start if lo == 0 else lo) for lo, hi in pieces]
    return _joined_references(start, _searched(xml, start, pieces, facts))


_PIECE = 1 << 20  # bytes of sheet XML searched as one piece (_pieces)
_PIECE_START = b"><row "


def _pieces(xml: bytes) -> list[tuple[int, int]]:
    """(start, end) of pieces of about _PIECE bytes covering the XML, cut only where none of
    the patterns of _references can match across the cut: just before a "<row " that follows
    a ">" (the patterns of an attribute or an element hold no "<" but at a <v> or </v>), and
    not inside a quoted value that begins s=" (which "[^"]*" could run past "<"). An edited
    cell moves the cuts after it by whole rows at most: the other pieces keep their bytes."""
    out = []
    lo = 0
    at = _PIECE
    while at < len(xml):
        cut = xml.find(_PIECE_START, at)
        if cut < 0:
            break
        cut += 1
        quote = xml.rfind(b'"', lo, cut)
        if quote >= 2 and xml[quote - 2:quote] == b"s=":
            at = cut + 1  # an open s="…: cut further on
            continue
        out.append((lo, cut))
        lo, at = cut, cut + _PIECE
    out.append((lo, len(xml)))
    return out


_ROW_NUMBER = re.compile(rb'<row r="([0-9]+)"')


def _piece_rows(xml: bytes, lo: int, hi: int) -> tuple[int, int, bool]:
    """(first row number, last row number, whether its rows are placed by themselves) of the
    rows in xml[lo:hi] (up to </sheetData>): placed when the piece begins with a row, every row
    has its r="…" first and they ascend, and every cell has its r="…" (the reader places a row
    or cell without one after the one before it: in another piece, perhaps)."""
    end = xml.find(b"</sheetData>", lo, hi)
    hi = end if end >= 0 else hi
    numbers = list(map(int, _ROW_NUMBER.findall(xml, lo, hi)))
    if not numbers:
        return 0, 0, False
    placed = (xml.startswith(b'<row r="', lo) and xml.count(b"<row", lo, hi) == len(numbers)
              and xml.count(b"<c ", lo, hi) + xml.count(b"<c>", lo, hi) == xml.count(b'<c r="', lo, hi)
              and all(a < b for a, b in zip(numbers, numbers[1:])))
    return numbers[0], numbers[-1], placed


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


def _piece_references(xml: bytes, lo: int, hi: int, marks_from: int) -> tuple:
    """What xml[lo:hi] refers to: (whether it holds an odd mark, an odd attribute, its style
    values (digits), its t="s" count, the distinct shared string numbers found (b"" dropped) or
    None when fewer were found than counted, whether it holds a marker of a bad cell)."""
    has_mark = marks_from >= 0 and any(xml.find(mark, marks_from, hi) >= 0 for mark in _ODD_MARKS)
    has_attr = _odd_attribute(xml, marks_from, hi) if has_mark else None  # None: not searched
    styles = set()
    for value in set(_STYLE_REF.findall(xml, lo, hi)):  # also other attributes ending in s: more is safe
        value = value.strip(b" \t\r\n").lstrip(b"+")
        if value.isdigit():
            styles.add(int(value))
    shared = xml.count(b't="s"', lo, hi)
    strings: frozenset | None = frozenset()
    if shared:
        found = _STRING_REF.findall(xml, lo, hi)
        strings = frozenset(map(int, set(found) - {b""})) if len(found) == shared else None
    return has_mark, has_attr, frozenset(styles), shared, strings, _holds_marker(xml, lo, hi)


def _odd_attribute(xml: bytes, lo: int, hi: int) -> bool:
    return lo >= 0 and _ODD_ATTR.search(xml, lo, hi) is not None


def _searched(xml: bytes, start: int, pieces: list, facts: list) -> list:
    """`facts` with the odd attributes of every piece searched when any piece holds an odd
    mark (a piece without a mark is searched only then, as the whole XML would be)."""
    if not any(f[0] for f in facts) or any(f[1] for f in facts):
        return facts
    return [f if f[1] is not None else (f[0], _odd_attribute(xml, start if lo == 0 else lo, hi), *f[2:])
            for (lo, hi), f in zip(pieces, facts)]


def _joined_references(start: int, facts: list) -> tuple[set | None, set | None]:
    """_references of a whole XML from its pieces' facts (_piece_references, _searched)."""
    odd = start < 0 or (any(f[0] for f in facts) and any(f[1] for f in facts))
    if odd:
        return None, None
    styles = {0}  # also the style of a cell whose s="…" is no number
    for f in facts:
        styles |= f[2]
    if not any(f[3] for f in facts):
        return styles, set()
    if any(f[4] is None for f in facts):
        return styles, None
    strings = {0}  # an empty <v>: counted as 0
    for f in facts:
        strings |= f[4]
    return styles, strings


class _SharedTable:
    """A part of the workbook that sheets refer into by number (the shared strings, the cell
    styles), read once and only when a sheet refers to it. `entries(data)` gives the part's
    entries in the fast reader's numbering, as bytes deciding what the reader makes of each,
    and a header (what else of the part the reader uses); or None when the part holds
    anything our scan might number otherwise (comments, CDATA): the whole part is then the key."""

    def __init__(self, zf: zipfile.ZipFile, name: str, names: set, entries) -> None:
        self.zf, self.name, self.present, self.entries = zf, name, name in names, entries
        self.read = False
        self.data = b""
        self.parsed: tuple | None = None
        self.whole = ""

    def load(self) -> None:
        if self.present and not self.read:
            self.data, self.read = self.zf.read(self.name), True
            self.parsed = self.entries(self.data)

    def state(self) -> tuple:
        """What the reader makes of the whole table: ("absent",), ("whole", digest of the part)
        when our scan cannot number its entries, else ("items", number of entries, digest of
        the header and the entries)."""
        import hashlib

        if not self.present:
            return ("absent",)
        self.load()
        if self.parsed is None:
            return ("whole", hashlib.blake2b(self.data, digest_size=20).hexdigest())
        return ("items", len(self.parsed[1]), self._first(len(self.parsed[1])))

    def _first(self, n: int) -> str:
        import hashlib

        assert self.parsed is not None
        header, items = self.parsed
        h = hashlib.blake2b(header, digest_size=20)
        h.update(b"\0|")
        h.update(b"".join(items[:n]))
        return h.hexdigest()

    def keeps(self, old: tuple, used: set | None) -> bool:
        """Whether the entries numbered `used` (None: not known) mean to the reader what they
        meant in the table whose state() was `old`: the same first entries, the same header
        (a program appending an entry keeps them). None used: whatever the table holds."""
        if used is not None and not used:
            return True
        if old[:1] == ("absent",) or not self.present:
            return old[:1] == ("absent",) and not self.present
        self.load()
        if old[0] == "whole":
            return self.parsed is None and self.state() == old
        if self.parsed is None or used is None or old[0] != "items" or len(old) != 3:
            return False
        n = old[1]
        return len(self.parsed[1]) >= n and (not used or max(used) < n) and self._first(n) == old[2]

    def digest(self, indices: set | None) -> bytes:
        import hashlib

        if not self.present:
            return b"-"
        self.load()
        if indices is None or self.parsed is None:
            if not self.whole:
                self.whole = hashlib.blake2b(self.data, digest_size=20).hexdigest()
            return b"whole:" + self.whole.encode()
        header, items = self.parsed
        h = hashlib.blake2b(header, digest_size=20)
        numbers = sorted(indices)
        h.update(b"|" + ",".join(map(str, numbers)).encode() + b"|")
        # each entry is one whole element (it starts with "<" and holds no other entry's start):
        # the joined entries tell where each begins
        n = len(items)
        h.update(b"".join([items[i] if i < n else b"\0missing" for i in numbers]))
        return h.hexdigest().encode()


_SI = re.compile(rb"<(?:[\w.-]+:)?si[\s>/]")
_COUNTS = re.compile(rb"""\s(?:count|uniqueCount)\s*=\s*(?:"[^"]*"|'[^']*')""")


def _plain_xml(data: bytes) -> bool:
    """Free of what hides markup from a scan: comments, CDATA, a DOCTYPE, processing
    instructions after the XML declaration."""
    return b"<!" not in data and data.count(b"<?") <= (1 if data.startswith(b"<?xml") else 0)


def _string_entries(data: bytes) -> tuple[bytes, list] | None:
    """The shared strings: each <si> as written (the reader's text of it depends on nothing
    else), numbered in order as the reader numbers them; the header is the part up to the first
    <si> without the counts (which every save with a new text changes; the reader only uses them
    to reserve room)."""
    if not _plain_xml(data):
        return None
    starts = [m.start() for m in _SI.finditer(data)]
    if not starts:
        return _COUNTS.sub(b"", data), []
    end = data.rfind(b"</")  # the table's closing tag: the last text's entry ends before it
    bounds = starts + [end if end > starts[-1] else len(data)]
    items = [data[a:b] for a, b in zip(bounds, bounds[1:])]
    return _COUNTS.sub(b"", data[:starts[0]]), [_RUN_PROPERTIES.sub(b"", i) if b"rPr" in i else i for i in items]


# A rich text's run properties (font, size, colour of a run: <rPr>…</rPr>), which the reader
# skips and LibreOffice writes again its own way; one holding a tag the reader does read (t, r,
# rPh) is left in.
_RUN_PROPERTIES = re.compile(
    rb"<((?:[\w.-]+:)?)rPr(?:\s[^>]*)?(?:/>|>(?:[^<]|<(?!/?(?:[\w.-]+:)?(?:t|r|rPh|si|rPr)[\s>/]))*</\1rPr\s*>)")


_ATTRS = rb"""((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*/?>"""
_NUMFMTS = re.compile(rb"<(?:[\w.-]+:)?numFmts[\s>/]")
_CELLXFS = re.compile(rb"<(?:[\w.-]+:)?cellXfs[\s>/]")
_NUMFMT = re.compile(rb"<(?:[\w.-]+:)?numFmt" + _ATTRS)
_XF = re.compile(rb"<(?:[\w.-]+:)?xf" + _ATTRS)
_XF_START = re.compile(rb"<(?:[\w.-]+:)?xf[\s>/]")
_CLOSE = re.compile(rb"</(?:[\w.-]+:)?(numFmts|cellXfs)\s*>")


def _attr(attrs: bytes, name: bytes) -> bytes | None:
    m = re.search(rb"""(?:^|\s)""" + re.escape(name) + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""", attrs)
    return None if m is None else (m.group(1) if m.group(1) is not None else m.group(2))


def _style_entries(data: bytes) -> tuple[bytes, list] | None:
    """The cell styles (<cellXfs>), numbered in order, each as what the reader makes of it: the
    format code of its number format when the workbook defines that number (<numFmts>), else
    the built-in format's number. Styles written anew with other fonts, borders, fills or
    numbers of custom formats are the same entries."""
    if not _plain_xml(data):
        return None
    blocks = {}
    for tag, pattern in ((b"numFmts", _NUMFMTS), (b"cellXfs", _CELLXFS)):
        found = list(pattern.finditer(data))
        if len(found) > 1:
            return None
        if found:
            close = _CLOSE.search(data, found[0].end())
            if close is None or close.group(1) != tag:
                return None
            blocks[tag] = (found[0].start(), close.end())
    if b"numFmts" in blocks and b"cellXfs" in blocks and blocks[b"numFmts"][0] > blocks[b"cellXfs"][0]:
        return None  # the reader knows only the number formats defined before the styles
    custom: dict = {}
    if b"numFmts" in blocks:
        a, b = blocks[b"numFmts"]
        for m in _NUMFMT.finditer(data, a, b):
            number, code = _attr(m.group(1), b"numFmtId"), _attr(m.group(1), b"formatCode")
            if number is not None and code is not None:
                custom[number] = code
    items: list = []
    if b"cellXfs" in blocks:
        a, b = blocks[b"cellXfs"]
        for start in _XF_START.finditer(data, a, b):
            m = _XF.match(data, start.start(), b)
            if m is None:
                return None
            number = _attr(m.group(1), b"numFmtId")
            items.append(b"other" if number is None else
                         b"custom:" + custom[number] if number in custom else b"builtin:" + number)
    return b"styles-1", items


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


_CHUNK = 1 << 18  # a piece of sheet XML that stays in the cache while it is searched three times
_FEW = 256  # "f"s in a piece of sheet XML that are checked one by one


def _holds_marker(xml: bytes, lo: int = 0, hi: int | None = None) -> bool:
    """Whether `xml` (or xml[lo:hi]) holds b"<f" (a formula) or b't="e"' (an error value):
    without either a sheet has no bad cells. "<" is in every cell and slows a search for "<f"
    down, while "f" is rare in sheet XML: its few places are found at memchr speed and checked
    for a "<" (past _FEW of them, "<f" is searched for instead)."""
    hi = len(xml) if hi is None else hi
    at = xml.find(b"f", lo + 1, hi)
    few = _FEW
    while at >= 0:
        if xml[at - 1] == 0x3C:  # "<"
            return True
        few -= 1
        if not few:
            if xml.find(b"<f", at, hi) >= 0:
                return True
            break
        at = xml.find(b"f", at + 1, hi)
    return xml.find(b't="e"', lo, hi) >= 0


def _has_markers(zf: zipfile.ZipFile, part: str) -> bool:
    """Whether the sheet's XML holds a formula or an error value, read in pieces: most sheets
    have neither, and are then never held whole in memory (the zip's CRC is still checked)."""
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(_CHUNK):
            if _holds_marker(chunk) or _holds_marker(tail + chunk[:8]):  # also one cut between pieces
                return True
            tail = chunk[-4:]
    return False


def _scan_bad_cells(path: Path, parts: dict, seen: dict | None = None) -> dict:
    """The bad cells of each sheet, those `seen` already holds (sheet_keys) taken from it."""
    bad = {}
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        for name, (part, _) in parts.items():
            if seen and name in seen:
                bad[name] = seen[name]
            elif part and part in names:
                bad[name] = _bad_cells(zf.read(part)) if _has_markers(zf, part) else {}
    return bad


def _reraise_interrupt(err: BaseException) -> None:
    if isinstance(err, (KeyboardInterrupt, SystemExit, Unreadable)):
        raise err


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


_QUIET_LOCK = threading.Lock()
_QUIET: list = [0, None]  # [readers inside _quiet_stderr, (saved descriptor 2, sink) while any is]


@contextmanager
def _quiet_stderr():
    """Keep a Rust panic's report (printed straight to file descriptor 2) off the clerk's
    screen; the panic itself becomes a problem. Descriptor 2 belongs to the whole process:
    books read in threads at once (reading._read_ahead) share one redirection, which the
    first to enter sets up and the last to leave undoes."""
    with _QUIET_LOCK:
        if _QUIET[0] == 0:
            try:
                saved = os.dup(2)
            except OSError:
                saved = None
            if saved is not None:
                sink = tempfile.TemporaryFile()
                os.dup2(sink.fileno(), 2)
                _QUIET[1] = (saved, sink)
        _QUIET[0] += 1
    try:
        yield
    finally:
        with _QUIET_LOCK:
            _QUIET[0] -= 1
            if _QUIET[0] == 0 and _QUIET[1] is not None:
                saved, sink = _QUIET[1]
                _QUIET[1] = None
                os.dup2(saved, 2)
                os.close(saved)
                sink.close()


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


_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"


def _ods_extras(path: Path, max_rows: int) -> dict:
    """sheet name -> (merged ranges, error cells) from an .ods file's content.xml, streamed."""
    from defusedxml.ElementTree import iterparse
    from openpyxl.utils import get_column_letter

    out: dict = {}
    merged: list = []
    bad: dict = {}
    row = col = 0
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as fh:
        for event, elem in iterparse(fh, events=("start", "end")):
            tag = elem.tag
            if event == "start":
                if tag == f"{_T}table":
                    merged, bad, row = [], {}, 0
                    out[elem.get(f"{_T}name")] = (merged, bad)
                elif tag == f"{_T}table-row":
                    col = 0
                continue
            if tag in (f"{_T}table-cell", f"{_T}covered-table-cell"):
                repeat = int(elem.get(f"{_T}number-columns-repeated", "1"))
                if tag == f"{_T}table-cell" and row < max_rows:
                    cols = int(elem.get(f"{_T}number-columns-spanned", "1"))
                    rows = int(elem.get(f"{_T}number-rows-spanned", "1"))
                    if cols > 1 or rows > 1:
                        merged.append(((row, col), (row + rows - 1, col + cols - 1)))
                    if elem.get(f"{_CALCEXT}value-type") == "error":
                        text = "".join(elem.itertext()).strip()
                        bad[f"{get_column_letter(col + 1)}{row + 1}"] = ("formula-error", text)
                col += repeat
                elem.clear()
            elif tag == f"{_T}table-row":
                row += int(elem.get(f"{_T}number-rows-repeated", "1"))
                elem.clear()
    return out


def is_old_excel(path: Path) -> bool:
    """An .xls (OLE) file, whatever its name says."""
    try:
        with open(path, "rb") as fh:
            return fh.read(8).startswith(OLE_MAGIC)
    except OSError:
        return False
