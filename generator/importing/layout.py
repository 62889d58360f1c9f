"""Find the table in a sheet of a station's own register.

Real registers have a title row or two on top ("XX镇困难职工档案登记表", "填报单位：…"),
headers spread over two or three rows with merged group cells ("家庭情况" over
"家庭人口 | 家庭年收入"), blank spacer columns, a totals row and notes below the
table. `find_table` returns the header block flattened to one name per column
("家庭情况/家庭人口"), and the data rows with their Excel row numbers, the totals and
note rows left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..reading.tables import column_letter
from ..reading.text import normalise_header
from ..reading.xlsxfile import RawSheet

SEARCH_ROWS = 20  # the header block starts within the first rows
MIN_HITS = 2  # known column names a header row must hold
_TOTALS = re.compile(r"^(合\s*计|总\s*计|小\s*计|累\s*计|共\s*计)")
_NOTE = re.compile(r"^(注|说明|备注|制表|填表|填报|审核|负责人|单位负责人|联系人|经办人|报送)")
_META = re.compile(r"[:：]")  # "填报单位：示范镇工会" is not a column name


@dataclass
class SourceColumn:
    index: int  # zero-based
    name: str  # flattened: "上级/下级"
    parts: tuple[str, ...]  # the header labels top to bottom

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class SourceTable:
    sheet: str
    header_rows: tuple[int, int]  # first and last Excel row of the header block
    columns: list[SourceColumn]
    rows: list[tuple[int, list]]  # (Excel row number, cell values)
    ignored: list[tuple[int, str]] = field(default_factory=list)  # (row, why): totals, notes
    unlabelled: list[int] = field(default_factory=list)  # column indexes with data but no name


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _is_label(value) -> bool:
    text = _text(value)
    return bool(text) and not _META.search(text) and len(text) <= 40 and not text.replace(".", "").isdigit()


def _filled(row) -> list[int]:
    return [i for i, v in enumerate(row) if v not in ("", None)]


def _hits(row, known) -> int:
    return sum(1 for v in row if _is_label(v) and _known(v, known))


def _known(value, known) -> bool:
    label = normalise_header(value)
    return label in known or any(part in known for part in re.split(r"[/／]", label))


def _header_like(row, anchor, known) -> bool:
    """Another row of the header block: only labels, each a known name or over/under a gap."""
    cells = _filled(row)
    if not cells or not all(_is_label(row[i]) for i in cells):
        return False
    if len({_text(row[i]) for i in cells}) < 2 and not any(_known(row[i], known) for i in cells):
        return False  # a title
    for i in cells:
        over = anchor[i] if i < len(anchor) else ""
        group = over in ("", None) or not _known(over, known)  # a gap, or a group label ("家庭情况")
        if not (group or _known(row[i], known)):
            return False
    return True


def _merges_by_cell(merged, top, bottom) -> dict:
    """(row, col) -> (r0, c0) for every cell covered by a merged range touching the block."""
    out = {}
    for (r0, c0), (r1, c1) in merged or []:
        if r1 < top or r0 > bottom:
            continue
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                out[(r, c)] = (r0, c0)
    return out


def find_table(raw: RawSheet, known: set[str]) -> SourceTable | None:
    """The table of a sheet, or None when no row looks like a header."""
    rows = raw.rows
    best, best_hits = -1, 0
    for i, row in enumerate(rows[:SEARCH_ROWS]):
        hits = _hits(row, known)
        if hits > best_hits:
            best, best_hits = i, hits
    if best_hits < MIN_HITS:
        return None
    anchor = rows[best]
    top = bottom = best
    while top > 0 and _header_like(rows[top - 1], anchor, known):
        top -= 1
    while bottom + 1 < len(rows) and _header_like(rows[bottom + 1], anchor, known):
        bottom += 1
    changed = True
    while changed:  # merged header cells reaching further down or up belong to the block
        changed = False
        for (r0, _), (r1, _) in raw.merged or []:
            if r0 <= bottom and r1 >= top and (r1 > bottom or r0 < top) and r1 - r0 < 4:
                lowest = min(r1, len(rows) - 1)
                if lowest > bottom and r0 >= top:  # a header cell merged down over the lower header rows
                    bottom, changed = lowest, True
                if r0 < top and _header_like(rows[r0], anchor, known):
                    top, changed = r0, True
    columns = _flatten(rows, raw.merged, top, min(bottom, len(rows) - 1))
    table = SourceTable(raw.name, (top + 1, bottom + 1), columns, [])
    named = {c.index for c in columns}
    notes = False
    for r in range(bottom + 1, len(rows)):
        row = rows[r]
        cells = _filled(row)
        if not cells:
            continue
        first = (_text(row[cells[0]]) or _text(row[cells[1]])) if len(cells) > 1 else _text(row[cells[0]])
        if any(_TOTALS.match(_text(row[i])) for i in cells[:3]):
            table.ignored.append((r + 1, "合计行"))
            continue
        if notes or (len(cells) <= 2 and (_NOTE.match(first) or _META.search(first))):
            notes = True  # notes and signatures below the table: nothing after them is data
            table.ignored.append((r + 1, "表格下方的说明"))
            continue
        table.rows.append((r + 1, row))
        for i in cells:
            if i not in named and i not in table.unlabelled:
                table.unlabelled.append(i)
    return table


def _flatten(rows, merged, top, bottom) -> list[SourceColumn]:
    covered = _merges_by_cell(merged, top, bottom)
    width = max(len(rows[r]) for r in range(top, bottom + 1))
    grid = []
    for r in range(top, bottom + 1):
        line = []
        for c in range(width):
            origin = covered.get((r, c))
            value = rows[origin[0]][origin[1]] if origin and origin[1] < len(rows[origin[0]]) else (
                rows[r][c] if c < len(rows[r]) else "")
            line.append(_text(value) if _is_label(value) else "")
        grid.append(line)
    if not merged:  # no merge information (.ods): a group label spans the gaps to its right
        for ri in range(len(grid) - 1):
            line, below = grid[ri], grid[ri + 1:]
            for c in range(1, width):
                if not line[c] and line[c - 1] and any(b[c] for b in below) \
                        and any(b[c - 1] for b in below):
                    line[c] = line[c - 1]
    columns = []
    for c in range(width):
        parts: list[str] = []
        for line in grid:
            if line[c] and (not parts or parts[-1] != line[c]):
                parts.append(line[c])
        if parts:
            columns.append(SourceColumn(c, "/".join(parts), tuple(parts)))
    return columns
