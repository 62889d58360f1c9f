"""What the printed dossier relies on to be cheap to lay out (WeasyPrint costs about 0.6 CPU-s
per dossier, and a 20,000-worker station has 20,000 of them):

- every table is laid out fixed, its columns given by a <colgroup> of percentages that add up to
  100 % (WeasyPrint's automatic table layout measures every cell's minimum and maximum width first);
- a cell of several lines breaks them with newlines in a `white-space: pre-line` cell, not with
  <br> elements (one element, box and ::before box fewer each).
"""

import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from generator.private import pdf as pdf_output
from generator.private.dossiers import write_dossiers
from generator.resources import TEMPLATES

from private_station import TODAY, read_station


class Tables(HTMLParser):
    """Each table's classes, its column widths and the column count of its first row."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self.tags: list[str] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag == "table":
            self._open.append({"classes": set((attrs.get("class") or "").split()), "widths": [],
                               "first_row": None, "row": None})
        elif not self._open:
            return
        table = self._open[-1]
        if tag == "col":
            width = re.fullmatch(r"width:([\d.]+)%", attrs.get("style") or "")
            table["widths"].append(float(width.group(1)) if width else None)
        elif tag == "tr" and table["first_row"] is None:
            table["row"] = 0
        elif tag in ("td", "th") and table["row"] is not None:
            table["row"] += int(attrs.get("colspan") or 1)

    def handle_endtag(self, tag):
        if tag == "tr" and self._open and self._open[-1]["row"] is not None:
            self._open[-1]["first_row"], self._open[-1]["row"] = self._open[-1]["row"], None
        elif tag == "table":
            self.tables.append(self._open.pop())


@pytest.fixture(scope="module")
def dossiers(tmp_path_factory):
    review = {"archive_no": "SF-0001", "date": date(2025, 11, 26), "household_income": Decimal("51130"),
              "household_size": 4, "category": "深度困难", "reviewer": "王芳", "conclusion": "情况无变化"}
    records = read_station(tmp_path_factory.mktemp("station") / "records", tables={"reviews": [review]})
    out = tmp_path_factory.mktemp("out")
    return {d.path.stem: d.path.read_text(encoding="utf-8") for d in write_dossiers(records, out, today=TODAY)}


def parsed(page: str) -> Tables:
    tables = Tables()
    tables.feed(page)
    tables.close()
    return tables


def test_every_dossier_table_is_fixed_with_columns_adding_up_to_the_page_width(dossiers):
    layouts = set()
    for stem, page in dossiers.items():
        tables = parsed(page)
        assert tables.tables, stem
        for table in tables.tables:
            assert "fixed" in table["classes"], (stem, table)
            assert None not in table["widths"], (stem, table)
            assert len(table["widths"]) == table["first_row"], (stem, table)
            assert round(sum(table["widths"]), 6) == 100, (stem, table)
            layouts.add(tuple(table["widths"]))
    # the station's dossiers show every kind of table the template has (so none went unchecked):
    # 身份/封面/收入 fields, 六知一定, family members, reviews, visits, payouts, 办结报告, notices, objections
    source = (TEMPLATES / "private" / "dossier.html").read_text(encoding="utf-8")
    # (the three label/value tables are written out alike: one layout)
    assert len(layouts) == len(set(re.findall(r"<colgroup>.*?</colgroup>", source))) == 9


def test_fields_and_review_columns(dossiers):
    """The label/value pairs are 22 % / 28 % twice across; a review's date (2025年11月26日) gets 15 %."""
    tables = parsed(dossiers["SF-0001"]).tables
    fields = [t for t in tables if "fields" in t["classes"] and "six" not in t["classes"]]
    assert len(fields) == 3 and all(t["widths"] == [22, 28, 22, 28] for t in fields)
    assert [t["widths"] for t in tables if "six" in t["classes"]] == [[22, 78]]
    assert [t["widths"] for t in tables if "reviews" in t["classes"]] == [[15, 6, 11, 10, 9, 10, 10, 8, 21]]
    assert '<tr><td class="nowrap">2025年11月26日</td><td class="nowrap">4 人</td>' in dossiers["SF-0001"]


def test_cells_break_lines_with_newlines_not_br_elements(dossiers):
    for stem, page in dossiers.items():
        assert "br" not in parsed(page).tags, stem
    page = dossiers["SF-0001"]
    # the dates of a payout, one per line, in a cell that keeps them unwrapped
    cell = re.search(r'<td class="nowrap small lines">(申请 [^<]*)</td>', page).group(1)
    assert cell.split("\n")[0].startswith("申请 ") and len(cell.split("\n")) >= 3
    css = (TEMPLATES / "private" / "print.css").read_text(encoding="utf-8")
    assert ".lines { white-space: pre-line; }" in css and ".nowrap.lines { white-space: pre; }" in css
    assert "table.fixed { table-layout: fixed; }" in css


LIST_AND_TABLE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@page { size: A4; @bottom-center { content: counter(page); font-family: "Noto Sans CJK SC"; } }
html { font-family: "Noto Sans CJK SC"; }</style></head><body><h1>帮扶政策</h1>
<ol><li>申请</li><li>核实<ul><li>入户调查</li></ul></li></ol>
<table><tr><th>日期</th><td>2025年11月26日</td></tr></table><p>第一行<br>第二行</p></body></html>"""


@pytest.mark.slow  # about 10 s: WeasyPrint's fonts, a dossier laid out twice
@pytest.mark.skipif(not pdf_output.available(), reason="no PDF engine with Chinese fonts here")
def test_the_trimmed_user_agent_stylesheet_draws_the_same_pdf(dossiers, tmp_path):
    """pdf.render lays documents out without WeasyPrint's footnote/note pseudo-element rules (and
    with ::marker on <li> only): the same PDF, byte for byte, as the stock stylesheet gives."""
    import weasyprint

    if pdf_output.engine() != "weasyprint":
        pytest.skip("WeasyPrint is not the engine here")
    trimmed = pdf_output._html_class()
    assert trimmed is not weasyprint.HTML and issubclass(trimmed, weasyprint.HTML)
    page = tmp_path / "SF-0003.html"
    page.write_text(dossiers["SF-0003"], encoding="utf-8")
    for source in (dict(string=LIST_AND_TABLE), dict(filename=str(page))):
        fonts = pdf_output._font_config()
        ours = trimmed(**source, base_url=str(tmp_path)).render(font_config=fonts)
        theirs = weasyprint.HTML(**source, base_url=str(tmp_path)).render(font_config=fonts)
        assert len(ours.pages) == len(theirs.pages) >= 1
        assert ours.write_pdf() == theirs.write_pdf()


def test_a_weasyprint_whose_stylesheet_differs_gets_the_stock_class(monkeypatch):
    weasyprint = pytest.importorskip("weasyprint")
    from weasyprint import html as weasy_html

    monkeypatch.setattr(pdf_output, "_state", {})
    monkeypatch.setattr(weasy_html, "UA", weasy_html.UA.replace("::note-callback {", "::note-back {"))
    assert pdf_output._html_class() is weasyprint.HTML
    monkeypatch.setattr(pdf_output, "_state", {})
    monkeypatch.delattr(weasy_html, "UA")
    assert pdf_output._html_class() is weasyprint.HTML
