"""A sheet's content key (sheet_keys): everything the values read from it depend on, worked
out from its XML in pieces (_pieces) and from the entries of the shared tables it refers to,
so that a saved workbook's unchanged sheets are not read again."""

from __future__ import annotations

import re
import zipfile
from contextlib import contextmanager
from pathlib import Path

from .badcells import _bad_cells, _holds_marker
from .rawbook import DATE1904


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
