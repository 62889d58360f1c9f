"""The demo site, built once per session (conftest.demo_site), read as HTML.

Expected figures are computed here from the workbooks with openpyxl, independently
of the code under test."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest

from generator.masking import mask_name

from site_helpers import Tables, page_text

pytestmark = pytest.mark.slow  # one real build of the demo site (conftest.demo_site)

TODAY = date(2026, 11, 23)


def money(text: str) -> Decimal:
    return Decimal(text.replace(",", "").strip())


def sheet_rows(path, sheet):
    ws = openpyxl.load_workbook(path, read_only=True, data_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    return [dict(zip(header, r)) for r in rows[1:] if any(v not in (None, "") for v in r)]


def as_date(value):
    return value.date() if isinstance(value, datetime) else value


@pytest.fixture(scope="module")
def books(demo_site):
    r = demo_site.records
    return {
        "funds": sheet_rows(r / "帮扶资金.xlsx", "资金账户"),
        "incomes": sheet_rows(r / "帮扶资金.xlsx", "资金收入"),
        "expenses": sheet_rows(r / "帮扶资金.xlsx", "其他支出"),
        "payouts": sheet_rows(r / "帮扶记录.xlsx", "帮扶发放"),
        "batches": sheet_rows(r / "帮扶记录.xlsx", "公示批次"),
        "workers": sheet_rows(r / "困难职工档案.xlsx", "困难职工"),
        "members": sheet_rows(r / "困难职工档案.xlsx", "家庭成员"),
        "items": sheet_rows(r / "帮扶政策.xlsx", "帮扶项目"),
    }


def expected_funds(books):
    """Per fund: (opening, income, spending) up to TODAY, and per year totals."""
    opened = {f["账户名称"]: as_date(f["期初日期"]) for f in books["funds"]}
    balance = {f["账户名称"]: Decimal(str(f["期初余额"])) for f in books["funds"]}
    by_year = defaultdict(lambda: [Decimal(0), Decimal(0)])
    moves = [(i["资金账户"], as_date(i["日期"]), Decimal(str(i["金额"]))) for i in books["incomes"]]
    moves += [(p["资金账户"], as_date(p["发放日期"]), -Decimal(str(p["金额"]))) for p in books["payouts"]
              if p["发放日期"]]
    moves += [(e["资金账户"], as_date(e["日期"]), -Decimal(str(e["金额"]))) for e in books["expenses"]]
    for fund, day, amount in moves:
        if day > TODAY or day < opened[fund]:
            continue
        balance[fund] += amount
        by_year[day.year][0 if amount > 0 else 1] += abs(amount)
    return balance, by_year


def test_home_page_lists_the_station_contacts_as_a_list(demo_site):
    """The address, phone and hotline are list items, not one run-on paragraph with dashes
    (Markdown needs a blank line before a list; the template's endif must not swallow it)."""
    home = (demo_site.site / "index.html").read_text(encoding="utf-8")
    for label in ("地址", "电话", "职工维权帮扶热线", "办公时间"):
        assert f"<li><strong>{label}</strong>" in home, label
    assert "- <strong>" not in home


def test_every_page_kind_exists(demo_site, books):
    site = demo_site.site
    for rel in ("index.html", "notices/index.html", "policies/index.html", "policies/procedure.html",
                "funds/index.html", "stats/index.html", "search/search_index.json", "sitemap.xml",
                "funds/downloads/funds-summary.xlsx"):
        assert (site / rel).is_file(), rel
    for b in books["batches"]:
        assert (site / "notices" / b["批次编号"] / "index.html").is_file()
    for year in (2024, 2025, 2026):
        assert (site / "notices/years" / f"{year}.html").is_file()
        assert (site / "funds/years" / f"{year}.html").is_file()
        assert (site / "stats" / f"{year}.html").is_file()
    assert demo_site.code == 0
    assert "MkDocs 提示" not in demo_site.output  # no broken links or other mkdocs warnings
    assert "隐私检查通过" in demo_site.output


def test_page_count_follows_batches_items_and_periods_not_people(demo_site, books):
    pages = len(list(demo_site.docs.rglob("*.md")))
    batches, items, funds = len(books["batches"]), len(books["items"]), len(books["funds"])
    years = 3  # 2024-2026 for notices, funds and statistics
    expected = 1 + (1 + years + batches) + (2 + items) + (1 + funds + years) + (1 + years)
    assert pages == expected
    assert len(books["payouts"]) > pages * 5


def test_pages_are_simplified_chinese_and_offline(demo_site):
    for path in demo_site.site.rglob("*.html"):
        if path.parts[-3:-1] == ("print", "notices") or "print" in path.relative_to(demo_site.site).parts:
            continue
        html = path.read_text(encoding="utf-8")
        assert '<html lang="zh-CN"' in html, path
        urls = set(re.findall(r"https?://[^\s\"'<>)]+", html)) - {"http://www.w3.org/2000/svg"}
        assert not urls, (path, urls)


def test_fund_totals_equal_workbook_sums(demo_site, books):
    balance, by_year = expected_funds(books)
    rows = Tables(demo_site.page("funds/")).tables
    accounts = {r[0]: money(r[-1]) for r in rows[0][1:]}
    for name, amount in balance.items():
        assert accounts[name] == amount, name
    assert accounts["合计"] == sum(balance.values())
    history = next(t for t in rows if t[0][0] == "年度")
    for row in history[1:]:
        year = int(row[0].rstrip(" 年"))
        assert money(row[1]) == by_year[year][0], row
        assert money(row[2]) == by_year[year][1], row


def test_fund_page_quarters_add_up(demo_site, books):
    balance, _ = expected_funds(books)
    name = books["funds"][0]["账户名称"]
    tables = Tables(demo_site.page(f"funds/{name}/")).tables
    quarterly = tables[0]  # the newest year's 各季度收支
    assert quarterly[0][:2] == ["期间", "期初余额"]
    closing = money(quarterly[-1][4])
    assert closing == balance[name]
    for row in quarterly[1:-1]:
        opening, income, spending, end = map(money, row[1:5])
        assert opening + income - spending == end


def test_summary_workbook_matches_and_is_formula_safe(demo_site, books):
    balance, _ = expected_funds(books)
    wb = openpyxl.load_workbook(demo_site.site / "funds/downloads/funds-summary.xlsx")
    ws = wb["季度收支"]
    rows = list(ws.iter_rows(values_only=True))
    last_total = [r for r in rows if r[0] == "全部账户" and r[1] == 2026 and r[2] == "全年"]
    assert Decimal(str(last_total[0][6])) == sum(balance.values())
    for sheet in wb:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_summary_workbook_is_dated_by_its_figures_not_by_the_clock(demo_site):
    """The same figures give the same file: its document dates and zip entry times are the day
    of the figures, never the time of saving (a build run again publishes the very same bytes,
    and the kill-safety tests compare whole sites)."""
    import zipfile

    path = demo_site.site / "funds/downloads/funds-summary.xlsx"
    day = demo_site.today
    with zipfile.ZipFile(path) as zf:
        assert {info.date_time for info in zf.infolist()} == {(day.year, day.month, day.day, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    stamps = re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core)
    assert sorted(stamps) == [("created", f"{day.isoformat()}T00:00:00Z"), ("modified", f"{day.isoformat()}T00:00:00Z")]


def test_running_notice_shows_days_left_and_masked_list(demo_site, books):
    html = demo_site.page("notices/GS-2026-07/")
    assert "公示中" in html and "2026年11月25日" in html
    assert re.search(r"还有 <strong>3 天</strong>", html)
    workers = {w["档案编号"]: w for w in books["workers"]}
    listed = [p for p in books["payouts"] if p["公示批次"] == "GS-2026-07"]
    table = Tables(html).tables[0]
    assert len(table) - 1 == len(listed)
    names = [row[1] for row in table[1:]]
    for p in listed:
        full = workers[p["档案编号"]]["姓名"]
        assert mask_name(full) in names
        assert full not in html
    assert "打印版 / 上墙版" in html
    href = re.search(r'href="([^"]*print/notices/GS-2026-07\.html)"', html).group(1)
    assert (demo_site.site / "notices/GS-2026-07" / href).resolve().is_file()


def test_ended_notice_after_retention_keeps_only_the_summary(demo_site, books):
    html = demo_site.page("notices/GS-2026-03/")  # ended, past retention, not superseded
    assert "已结束" in html and "不再在网站上显示" in html
    assert "<tbody" not in html.split("汇总")[0]  # no list table before the summary
    listed = [p for p in books["payouts"] if p["公示批次"] == "GS-2026-03"]
    assert f"<strong>{len(listed)}</strong>" in html
    total = sum(Decimal(str(p["金额"])) for p in listed)
    assert f"{total:,.2f}" in html
    assert "公示结果" in html


def test_redisclosure_links_both_ways(demo_site):
    original = demo_site.page("notices/GS-2025-04/")
    again = demo_site.page("notices/GS-2025-05/")
    assert 'href="../GS-2025-05/index.html"' in original and "成立" in original
    assert 'href="../GS-2025-04/index.html"' in again and "重新公示" in again


def test_notice_index_and_archive(demo_site, books):
    index = demo_site.page("notices/")
    running = Tables(index).tables[0]
    assert running[0] == ["公示", "公示期", "剩余天数"]
    assert sorted(r[2] for r in running[1:]) == ["3 天", "3 天"]
    assert 'href="GS-2026-07/index.html"' in index and 'href="GS-2026-06/index.html"' in index
    archive = demo_site.page("notices/years/2024/")
    for b in books["batches"]:
        if b["批次编号"].startswith("GS-2024"):
            assert b["公示标题"] in archive


def test_no_full_name_or_identity_anywhere(demo_site, books):
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in demo_site.site.rglob("*") if p.suffix in (".html", ".json", ".xml", ".svg"))
    text += json.dumps(json.loads((demo_site.site / "search/search_index.json").read_text()), ensure_ascii=False)
    for w in books["workers"]:
        assert str(w["身份证号"]) not in text
        if w["手机号码"]:
            assert str(w["手机号码"]) not in text
        if len(w["姓名"]) >= 3:
            assert w["姓名"] not in text, w["档案编号"]
    for m in books["members"]:
        if m["姓名"] and len(m["姓名"]) >= 3:
            assert m["姓名"] not in text


def test_search_indexes_policies_not_people(demo_site, books):
    index = json.loads((demo_site.site / "search/search_index.json").read_text(encoding="utf-8"))
    docs = index["docs"]
    locations = {d["location"] for d in docs}
    assert any(loc.startswith("policies/") for loc in locations)
    everything = " ".join(d["title"] + " " + d["text"] for d in docs).replace("\u200b", "")
    assert "医疗救助" in everything and "金秋助学" in everything
    masked = [row[1] for row in Tables(demo_site.page("notices/GS-2026-07/")).tables[0][1:]]
    assert not any(name in everything for name in masked)


def test_policy_pages_write_the_standard_out(demo_site, books):
    for item in books["items"]:
        html = demo_site.page(f"policies/{item['项目名称'].replace('（', '_').replace('）', '')}/")
        assert item["项目名称"] in html
        if item["标准方式"] == "比例封顶":
            threshold = Decimal(str(item["起付线"]))
            rate = Decimal(str(item["比例"]).rstrip("%"))
            rate = rate / 100 if rate > 1 else rate
            assert f"{threshold:,.2f}" in html and "计算方法" in html
            example = re.search(r"医疗自付费用 ([\d,]+\.\d\d) 元：.*?= ([\d,]+\.\d\d) 元", html)
            base, amount = money(example.group(1)), money(example.group(2))
            assert amount == ((base - threshold) * rate).quantize(Decimal("0.01"))
        elif item["标准方式"] == "固定金额":
            assert f"每次 {Decimal(str(item['固定金额'])):,.2f} 元" in html
        for doc in re.split(r"[、，,；;\n]+", item["所需材料"]):
            assert doc.strip() in html
    procedure = demo_site.page("policies/procedure/")
    for word in ("有申请", "有查验", "有批准", "有时限", "有签收", "有接待登记", "有档案备查", "有送达办理",
                 "有办结报告", "有统计分析"):
        assert word in procedure


def test_home_page(demo_site):
    html = demo_site.page("")
    assert "示范镇总工会困难职工帮扶站" in html and "12351" in html
    assert "2026年第四季度困难职工帮扶公示" in html
    assert 'href="funds/index.html"' in html
    text = page_text(html)
    assert "本站为困难职工提供生活救助、医疗救助、助学、送温暖、夏送清凉、法律援助、就业援助服务。" in text


def test_statistics_suppress_small_cells(demo_site):
    tables = Tables(demo_site.page("stats/2026/")).tables
    assert tables
    for table in tables[1:]:  # the one-dimensional tables: 人数 | 人次 | 金额
        counts = [row[1] for row in table[1:]]
        hidden = [c for c in counts[:-1] if c == "—"]
        assert len(hidden) != 1 or counts[-1] == "—"
        for c in counts:
            assert c == "—" or int(c) == 0 or int(c) >= 3
    cross = tables[0]
    for row in cross[1:]:
        cells = row[1:]
        for c in cells:
            assert c == "—" or int(c.split("人")[0]) >= 3 or c.startswith("0")
        # a lone hidden cell in a row is allowed only for a no-cash service (people are not
        # additive across periods, so its count cannot be worked out from the row total)
        if sum(1 for c in cells if c == "—") == 1:
            assert all(c == "—" or c.endswith("人0.00") for c in cells), row


def test_long_lists_continue_on_pages_kept_out_of_search_and_nav(tmp_path):
    """A batch of over 300 payouts, rendered while it runs: 300 rows, then a second page."""
    from generator.demo import write_demo
    from generator.reading import read_records
    from generator.site import render_site

    write_demo(tmp_path, workers=600, payouts=3000, seed=7, today=TODAY)
    records = read_records(tmp_path).records
    docs, info = render_site(records, date(2026, 1, 18))
    first = docs.files["notices/GS-2026-01/index.md"]
    second = docs.files["notices/GS-2026-01/2.md"]
    assert "notices/GS-2026-01/3.md" not in docs.files
    listed = len(records.payouts_by_batch["GS-2026-01"])
    assert listed > 300 and first.count("<tr><td") == 300 and second.count("<tr><td") == listed - 300
    assert "[下一页](2.md)" in first and "[上一页](index.md)" in second
    assert "search:\n  exclude: true" in second and "exclude" not in first.split("---")[1]
    assert 'data-search-exclude' in first
    flat = json.dumps(info.nav, ensure_ascii=False)
    assert "GS-2026-01" not in flat and "notices/years/2026.md" in flat


def test_every_link_opens_a_file_when_the_site_is_opened_as_files(demo_site):
    """Double-clicked site/index.html (file://): no link may point at a folder, which a
    browser shows as a listing instead of the page."""
    import re
    from urllib.parse import unquote, urlsplit

    site = demo_site.site
    broken = []
    for page in site.rglob("*.html"):
        if page.name == "404.html":  # only a web server shows it (absolute links by design)
            continue
        for href in re.findall(r'href="([^"#?]+)', page.read_text(encoding="utf-8")):
            if urlsplit(href).scheme or href.startswith(("//", "mailto:", "tel:")):
                continue
            target = (page.parent / unquote(href)).resolve()
            if not target.is_file():
                broken.append(f"{page.relative_to(site)} -> {href}")
    assert broken == []
    assert (site / "search" / "search_index.js").is_file()  # search without a server
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'src="assets/javascripts/iframe-worker/shim.js"' in home and "unpkg" not in home


def test_search_index_holds_parts_of_words(demo_site):
    """温暖 finds 两节送温暖 and 助学 finds 金秋助学: the index stores search-mode segments."""
    import json

    index = json.loads((demo_site.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    words = {w for doc in index["docs"] for w in (doc["title"] + "\u200b" + doc["text"]).split("\u200b")}
    assert {"温暖", "送温暖", "两节送温暖", "助学", "金秋助学"} <= words
