"""Long HTML tables kept out of Markdown's HTML parsing.

The notice lists are HTML tables written into the Markdown (`_macros.j2: notice_table`),
thousands of rows at a large station. Python-Markdown stores a raw HTML block as it is
written and puts it back unchanged after the conversion, but to find where the block ends it
parses every tag of it with `html.parser`, and MkDocs parses it once more for anchors
(`_RawHTMLPreprocessor`): at 20,000 workers most of the MkDocs step.

`RawTables`, a Markdown extension, takes such a table out before those parsers run and puts
it back after Markdown has put its raw HTML back: a block

    <div class="bf-scroll" data-search-exclude>
    <table>
    …
    </table>
    </div>

standing on lines of its own after a blank line becomes the `<div>` around one line holding
a placeholder, which Markdown keeps as it keeps the table (text in a raw HTML block). Only a
table made of exactly the lines the template writes is taken out: a header row, a body of
rows, every cell a `<td>`/`<th>` with only `class` and `scope` attributes around text that holds no markup and
no character references other than the escapes Jinja writes (`&amp;` `&lt;` `&gt;` `&#34;`
`&#39;`, `&quot;`, numbers). Such a table contains nothing a parser could read differently
(no anchors, no comments, no unclosed tag), so the page comes out byte for byte as converting
it whole gives (`tests/test_raw_tables.py`). Anything else stays in the Markdown as before.
The placeholder holds STX/ETX, which Markdown removes from the source before this runs (as it
does for its own placeholders), so no page text can look like one.
"""

from __future__ import annotations

import re

from markdown.extensions import Extension
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

OPEN = '<div class="bf-scroll" data-search-exclude>'
CLOSE = "</div>"
_MARK = "\x02bfrawtable:"
_SLOT = _MARK + "{}\x03"

_TEXT = r"(?:[^<>&\x02\x03\n]|&(?:amp|lt|gt|quot|#[0-9]{1,7});)*"
_CELL = rf'<(t[dh])(?: (?:class|scope)="[^"<>&\n]*")*>{_TEXT}</\1>'
_HEAD = re.compile(rf"<thead><tr>(?:{_CELL})*</tr></thead>")
_ROW = re.compile(rf"<tr>(?:{_CELL})*</tr>")


def _table_end(lines: list[str], start: int) -> int:
    """The index of the `</div>` closing a table block whose `<div>` is at `start`, or -1 when
    the block is not exactly what may be taken out."""
    if lines[start + 1:start + 2] != ["<table>"] or (start and lines[start - 1].strip()):
        return -1
    try:
        end = lines.index("</table>", start + 2)
    except ValueError:
        return -1
    if lines[end + 1:end + 2] != [CLOSE] or lines[end + 2:end + 3] not in ([], [""]):
        return -1
    body = lines[start + 2:end]
    if len(body) < 3 or not _HEAD.fullmatch(body[0]) or body[1] != "<tbody>" or body[-1] != "</tbody>":
        return -1
    row = _ROW.fullmatch
    if not all(row(line) for line in body[2:-1]):
        return -1
    return end + 1


class _Take(Preprocessor):
    """Replaces each table that may be taken out by a placeholder line (after Markdown's
    whitespace normalisation, before MkDocs' and Markdown's HTML parsers)."""

    def __init__(self, md, kept: list[str]):
        super().__init__(md)
        self.kept = kept

    def run(self, lines: list[str]) -> list[str]:
        self.kept.clear()
        if OPEN not in lines:
            return lines
        out: list[str] = []
        at = 0
        while True:
            try:
                start = lines.index(OPEN, at)
            except ValueError:
                break
            close = _table_end(lines, start)
            if close < 0:
                out.extend(lines[at:start + 1])
                at = start + 1
                continue
            out.extend(lines[at:start + 1])
            out.append(_SLOT.format(len(self.kept)))
            self.kept.append("\n".join(lines[start + 1:close]))
            out.append(CLOSE)
            at = close + 1
        out.extend(lines[at:])
        return out


class _Give(Postprocessor):
    """Puts the tables back into the HTML, where Markdown put back the raw block holding each
    placeholder (right after its raw-HTML postprocessor)."""

    def __init__(self, md, kept: list[str]):
        super().__init__(md)
        self.kept = kept

    def run(self, text: str) -> str:
        # also run on heading texts (the toc extension): those hold no placeholder
        if not self.kept or _MARK not in text:
            return text
        parts = []
        at = 0
        for number, table in enumerate(self.kept):
            slot = f"{OPEN}\n{_SLOT.format(number)}\n{CLOSE}"
            found = text.find(slot, at)
            if found < 0:  # never expected (the block was not kept as written): the table where
                return self._anyway(text)  # its placeholder is  # pragma: no cover
            parts.append(text[at:found])
            parts.append(f"{OPEN}\n{table}\n{CLOSE}")
            at = found + len(slot)
        parts.append(text[at:])
        return "".join(parts)

    def _anyway(self, text: str) -> str:  # pragma: no cover - see run
        for number, table in enumerate(self.kept):
            text = text.replace(_SLOT.format(number), table)
        return text


class RawTables(Extension):
    """The Markdown extension (one instance serves every page: each conversion gets its own
    processors)."""

    def extendMarkdown(self, md):  # noqa: N802 - Markdown's name
        kept: list[str] = []
        # after normalize_whitespace (30), before MkDocs' raw HTML parser (21) and html_block (20)
        md.preprocessors.register(_Take(md, kept), "bangfu_raw_tables", 25)
        # right after raw_html (30), which puts the placeholder's block back
        md.postprocessors.register(_Give(md, kept), "bangfu_raw_tables", 25)

    def __repr__(self) -> str:  # stable: it enters the kept pages' keys (mkdocs_memo)
        return "bangfu.RawTables()"
