"""Write text into spreadsheets so that it can never run as a formula.

Text that came from a workbook (a clerk's note, a problem message quoting a
cell) may begin with '=', '+', '-', '@', a tab or a carriage return. A
spreadsheet program treats such a cell as a formula (OWASP "CSV injection").

Which helper to use:

- openpyxl, normal worksheet, one cell: `write_text_cell(ws, row, col, value)`.
- openpyxl, whole rows (normal or write-only worksheet): `ws.append(safe_row(ws, values))`.
  Strings become cells whose type is forced to text ('s'), so openpyxl never
  writes them as a formula; risky ones also get Excel's "quote prefix" style,
  so the text stays text when the clerk edits the cell and presses Enter.
  The visible text is unchanged.
- XlsxWriter (the big tables, e.g. the 办结表): `write_text_xw(ws, row, col, text, fmt, quoted)`,
  which always uses write_string and gives risky text the quote-prefix format (`safe_text` gives
  the text and format to write, for a writer that keeps them for recurring text).
- CSV or other plain text that a spreadsheet may open: `neutralise(value)`,
  which prefixes risky text with a single quote (the OWASP advice).
"""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell

RISKY_FIRST = ("=", "+", "-", "@", "\t", "\r")
LEADING_BLANKS = " \u3000\n"  # skipped by some programs before a formula's first character
# a first character with which a text may be risky: neither is_plain's text may begin with one
_NOT_PLAIN_FIRST = frozenset(prefix[0] for prefix in RISKY_FIRST) | frozenset(LEADING_BLANKS)


def is_risky(text: str) -> bool:
    """True when a spreadsheet could read this text as a formula."""
    if not text:
        return False
    if text.startswith(RISKY_FIRST):
        return True
    stripped = text.lstrip(LEADING_BLANKS)  # some programs skip leading blanks
    return stripped.startswith(RISKY_FIRST)


def is_plain(text: str) -> bool:
    """A fast path for many cells: True only for a text that is written as it is, which
    safe_text leaves unchanged with the plain format (clean drops nothing from a printable text;
    is_risky is False for one that begins with neither a risky character nor a blank). False
    may still be such a text (an empty one, or one with a character Python does not print)."""
    return text != "" and text[0] not in _NOT_PLAIN_FIRST and text.isprintable()


def neutralise(value):
    """For CSV/plain text: risky strings get a leading single quote; other values as they are."""
    if isinstance(value, str) and is_risky(value):
        return "'" + value
    return value


def clean(text: str) -> str:
    """Drop control characters that the xlsx format cannot hold (openpyxl would raise)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _as_text(cell: Cell, text: str) -> Cell:
    cell.value = text
    cell.data_type = "s"  # set after the value: assigning '=…' had made it 'f'
    if is_risky(text):
        cell.quotePrefix = True
    return cell


def write_text_cell(ws, row: int, col: int, value) -> Cell:
    """Put `value` into a normal worksheet cell; strings always as text, never a formula."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        return _as_text(cell, clean(value))
    cell.value = value
    return cell


def safe_row(ws, values) -> list:
    """A row for `ws.append()`: every string wrapped in a text cell of `ws`.

    Works for normal and write-only worksheets (openpyxl accepts cells in
    append for both). Other values (numbers, dates, None) pass through.
    """
    out = []
    for value in values:
        if isinstance(value, str):
            out.append(_as_text(WriteOnlyCell(ws), clean(value)))
        else:
            out.append(value)
    return out


def safe_text(text: str, cell_format=None, quoted_format=None) -> tuple:
    """XlsxWriter: (text as it may be written, format) for `ws.write_string(row, col, *...)`:
    control characters dropped, risky text with `quoted_format` (Excel's quote prefix, as in
    _as_text) so that it stays text when the clerk edits the cell."""
    text = clean(text)
    return text, quoted_format if quoted_format is not None and is_risky(text) else cell_format


def write_text_xw(ws, row: int, col: int, text: str, cell_format=None, quoted_format=None) -> None:
    """XlsxWriter: put text into a cell as a string, never a formula (write_string, not write),
    risky text with `quoted_format` (see safe_text). Zero-based row and column."""
    ws.write_string(row, col, *safe_text(text, cell_format, quoted_format))
