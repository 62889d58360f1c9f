"""Helpers shared by the site tests (tests/test_site_*.py and the browser tests):
building a records folder into a temporary site, and reading tables out of HTML.
Kept out of conftest.py so that test modules can import them by a unique name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_RECORDS = ROOT / "records"
DEMO_TODAY = date(2026, 11, 23)


@dataclass
class BuiltSite:
    root: Path  # the temporary folder holding everything below
    records: Path  # a copy of the demo records
    site: Path
    private: Path
    work: Path  # .bangfu next to the site (lock, generated docs, state)
    today: date
    code: int
    output: str
    timings: dict = field(default_factory=dict)

    @property
    def docs(self) -> Path:
        return self.work / "docs"

    def page(self, rel: str) -> str:
        """The HTML of a built page: 'notices/GS-2026-07/' or 'funds/index.html'."""
        path = self.site / rel
        if rel.endswith("/") and not path.is_dir():  # built without directory URLs: x.md -> x.html
            path = self.site / (rel[:-1] + ".html")
        elif rel.endswith("/") or path.is_dir():
            path = path / "index.html"
        return path.read_text(encoding="utf-8")

    def text(self, rel: str) -> str:
        """The visible text of a built page (tags removed, entities decoded)."""
        return page_text(self.page(rel))


def page_text(html: str) -> str:
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html))


def build_into(records: Path, root: Path, today: date = DEMO_TODAY, *, private: bool = True,
               pdf: bool = False, **kwargs) -> BuiltSite:
    """Run build_all on `records` into root/site (and root/private); collect its output."""
    from generator.build import build_all

    lines: list[str] = []
    timings: dict = {}
    code = build_all(records, site_dir=root / "site", private_dir=(root / "private") if private else None,
                     today=today, pdf=pdf, echo=lines.append, timings=timings, **kwargs)
    return BuiltSite(root, records, root / "site", root / "private", root / ".bangfu", today, code,
                     "\n".join(lines), timings)


class Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tables, self._row, self._cell = [], None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
