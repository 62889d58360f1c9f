"""What the fast reader reads as empty cells: formulas without a cached value and error
values, found in a sheet's XML (.xlsx) or an .ods file's content.xml (with its merged ranges,
which the fast reader does not give for .ods)."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"formula-error", "formula-no-value"})


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
