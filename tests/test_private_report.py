"""The quarterly report: the numbers equal the records, every text cell stays text."""

import re
import zipfile
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from generator.cli import cli
from generator.periods import Quarter, latest_complete, parse_quarter
from generator.private.report import write_report

from private_station import EXPENSES, FUNDS, INCOMES, ITEMS, PAYOUTS, TODAY, WORKERS, read_station, write_station

Q3 = Quarter(2026, 3)
START, END = date(2026, 7, 1), date(2026, 9, 30)


@pytest.mark.parametrize("text, expected", [
    ("2026Q3", (2026, 3)), ("2026q3", (2026, 3)), ("2026-Q3", (2026, 3)), (" 2026 Q1 ", (2026, 1)),
    ("2026年第3季度", (2026, 3)), ("2026年第四季度", (2026, 4)),
    ("2026Q5", None), ("Q3", None), ("2026", None), ("abc", None), ("", None), ("2026年第五季度", None),
])
def test_parse_quarter(text, expected):
    q = parse_quarter(text)
    assert (q.year, q.number) == expected if expected else q is None


def test_quarter_bounds():
    assert (Q3.start, Q3.end, Q3.code, Q3.zh) == (START, END, "2026Q3", "2026年第三季度")
    assert Quarter(2026, 4).end == date(2026, 12, 31) and Quarter(2024, 1).end == date(2024, 3, 31)
    assert latest_complete(TODAY) == Q3 and latest_complete(date(2026, 2, 1)) == Quarter(2025, 4)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    records = read_station(tmp_path_factory.mktemp("station") / "records")
    path = write_report(records, Q3, tmp_path_factory.mktemp("out") / "r.xlsx", today=TODAY)
    return path, load_workbook(path)


def section(ws, title):
    """Rows of the section titled `title` (header row first), up to the blank row."""
    rows = list(ws.iter_rows(values_only=True))
    i = next(n for n, r in enumerate(rows) if r[0] == title)
    out = []
    for r in rows[i + 1:]:
        if r[0] is None:
            break
        out.append(r)
    return out


def as_dict(rows, value_cols):
    return {r[0]: tuple(r[c] for c in value_cols) for r in rows[1:]}


def cents(x) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.01"))


def q3(day):
    return day is not None and START <= day <= END


def test_payouts_by_item_category_cause(workbook):
    _, wb = workbook
    ws = wb["季度统计"]
    paid = [p for p in PAYOUTS if q3(p.get("paid"))]
    workers = {w["archive_no"]: w for w in WORKERS}
    for title, key in (("一、帮扶发放（按帮扶项目）", lambda p: p["item"]),
                       ("二、帮扶发放（按困难类别）", lambda p: workers[p["archive_no"]]["category"]),
                       ("三、帮扶发放（按主要致困原因）", lambda p: workers[p["archive_no"]]["cause"])):
        expected = defaultdict(list)
        for p in paid:
            expected[key(p)].append(p)
        rows = section(ws, title)
        first = 2 if title.startswith("一") else 1
        got = as_dict(rows, (first, first + 1, first + 2))
        people, times, amount = got.pop("合计")  # a person helped twice is one person
        assert (people, times) == (len({p["archive_no"] for p in paid}), len(paid))
        assert cents(amount) == sum(p["amount"] for p in paid)
        assert set(got) == set(expected)
        for label, ps in expected.items():
            people, times, amount = got[label]
            assert (people, times) == (len({p["archive_no"] for p in ps}), len(ps))
            assert cents(amount) == sum(p["amount"] for p in ps)
    items = section(ws, "一、帮扶发放（按帮扶项目）")
    groups = {i["name"]: i["group"] for i in ITEMS}
    assert all(r[1] == groups[r[0]] for r in items[1:] if r[0] != "合计")


def test_files_registered_and_closed(workbook):
    _, wb = workbook
    ws = wb["季度统计"]
    got = as_dict(section(ws, "四、困难职工档案（按困难类别）"), (1, 2, 3))
    expected = defaultdict(lambda: [0, 0, 0])
    for w in WORKERS:
        reg, closed = w.get("registered"), w.get("closed")
        row = expected[w["category"]]
        row[0] += bool(reg and reg <= END and not (closed and closed <= END))
        row[1] += q3(reg)
        row[2] += q3(closed)
    for category, row in expected.items():
        if any(row):
            assert got[category] == tuple(row)
    new = wb["本季新建档"]
    assert [r[0] for r in section(new, "共 3 人")[1:]] == ["SF-0005", "SF-0006", "SF-0008"]
    assert section(new, "共 3 人")[1][6] == date(2026, 7, 6) or \
        section(new, "共 3 人")[1][6].date() == date(2026, 7, 6)
    gone = section(wb["本季结档"], "共 1 人")
    assert gone[1][0] == "SF-0007" and gone[1][6] == "收入超过标准"


def test_fund_income_and_spending(workbook):
    _, wb = workbook
    ws = wb["季度统计"]
    got = as_dict(section(ws, "六、资金收支（按资金账户）"), (2, 3, 4, 5, 6))
    for f in FUNDS:
        name = f["name"]
        before = f["opening"] + sum(i["amount"] for i in INCOMES if i["fund"] == name and i["date"] < START) \
            - sum(p["amount"] for p in PAYOUTS if p.get("fund") == name and p.get("paid") and p["paid"] < START) \
            - sum(e["amount"] for e in EXPENSES if e["fund"] == name and e["date"] < START)
        income = sum((i["amount"] for i in INCOMES if i["fund"] == name and q3(i["date"])), Decimal(0))
        paid = sum((p["amount"] for p in PAYOUTS if p.get("fund") == name and q3(p.get("paid"))), Decimal(0))
        other = sum((e["amount"] for e in EXPENSES if e["fund"] == name and q3(e["date"])), Decimal(0))
        row = tuple(cents(v) for v in got[name])
        assert row == (before, income, paid, other, before + income - paid - other)
    sources = as_dict(section(ws, "七、资金收入（按来源）"), (1, 2))
    expected = defaultdict(list)
    for i in INCOMES:
        if q3(i["date"]):
            expected[i["source"]].append(i["amount"])
    for source, amounts in expected.items():
        assert (sources[source][0], cents(sources[source][1])) == (len(amounts), sum(amounts))
    purposes = as_dict(section(ws, "八、资金支出（按用途）"), (1, 2, 3))
    assert cents(purposes["就业援助"][1]) == Decimal("3000") and "法律援助" not in purposes  # October: Q4
    assert cents(purposes["合计"][2]) == sum(p["amount"] for p in PAYOUTS if q3(p.get("paid"))) + Decimal("3000")


def test_header_numbers_and_text_cells(workbook):
    path, wb = workbook
    ws = wb["季度统计"]
    assert ws["A1"].value == "困难职工帮扶工作季度统计表（2026年第三季度）"
    labels = {r[0]: r[1] for r in ws.iter_rows(min_row=2, max_row=7, values_only=True)}
    assert labels["填报单位"] == "示范镇总工会困难职工帮扶站" and labels["报送单位"] == "示范县总工会"
    assert labels["统计期间"] == "2026年7月1日至2026年9月30日"
    money = [c for row in ws.iter_rows() for c in row if c.number_format == "#,##0.00"]
    assert money and all(isinstance(c.value, (int, float)) for c in money)
    cell = next(c for row in wb["本季新建档"].iter_rows() for c in row if c.value == "=示范镇服装厂")
    assert cell.data_type == "s"
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


def test_report_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_station(tmp_path / "records")
    runner = CliRunner()
    result = runner.invoke(cli, ["report", "--quarter", "2026Q3", "--records-dir", "records"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "private" / "季度统计" / "2026Q3季度统计表.xlsx").exists()
    bad = runner.invoke(cli, ["report", "--quarter", "2026Q5", "--records-dir", "records"])
    assert bad.exit_code == 1 and "2026Q3 的形式" in bad.output
    (tmp_path / "site").mkdir()
    inside = runner.invoke(cli, ["report", "--quarter", "2026Q3", "--records-dir", "records",
                                 "--out", "site/report.xlsx"])
    assert inside.exit_code == 1 and "网站文件夹" in inside.output and not (tmp_path / "site" / "report.xlsx").exists()
    broken = [{**p, "amount": Decimal("99999")} if p["record_no"] == "FF-2026-0014" else p for p in PAYOUTS]
    write_station(tmp_path / "broken", tables={"payouts": broken})
    failed = runner.invoke(cli, ["report", "--quarter", "2026Q3", "--records-dir", "broken",
                                 "--out", "out/r.xlsx"])
    assert failed.exit_code == 1 and "amount-over-standard" in failed.output and "未生成" in failed.output
    assert not (tmp_path / "out" / "r.xlsx").exists()


def test_a_build_writes_every_quarter_with_activity(tmp_path):
    from generator.private import write_private
    from generator.private.report import quarters_present

    records = read_station(tmp_path / "records")
    expected = ["2024Q1", "2024Q2", "2025Q1", "2026Q1", "2026Q2", "2026Q3"]
    assert [q.code for q in quarters_present(records, TODAY)] == expected
    result = write_private(records, tmp_path / "private", today=TODAY, pdf=False)
    assert [p.stem[:6] for p in result.reports] == expected
    assert "季度统计表 6 份（2024Q1 至 2026Q3）" in result.summary()


def test_the_workbook_prints_as_an_a4_report(tmp_path):
    """Page setup for the union above: A4, fit to one page wide, centred, title row tall enough,
    header rows repeated on every page, page numbers; dates wide enough not to print ###."""
    records = read_station(tmp_path / "records")
    path = write_report(records, parse_quarter("2026Q3"), tmp_path / "r.xlsx", today=TODAY)
    wb = load_workbook(path)
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert (str(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == (ws.PAPERSIZE_A4, 1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_options.horizontalCentered
        assert ws.row_dimensions[1].height >= 24
        assert "第 &P 页，共 &N 页" in ws.oddFooter.center.text
        assert ws.print_area and ws.print_area.endswith(f"${ws.max_row}")
    main = wb["季度统计"]
    assert main.print_title_rows == "$1:$1" and main.page_setup.orientation == "landscape"
    people = wb["本季新建档"]
    header = next(c.row for c in people["A"] if c.value == "档案编号")
    assert people.print_title_rows == f"${header}:${header}"
    dates = [c.column_letter for c in people[header] if c.value == "建档日期"]
    assert people.column_dimensions[dates[0]].width >= 16 and people.column_dimensions["B"].width >= 16


@pytest.mark.slow
def test_build_never_deletes_a_report_saved_in_its_default_place(tmp_path, monkeypatch):
    from generator.build import build_all

    write_station(tmp_path / "records")
    monkeypatch.chdir(tmp_path)
    # a quarter the build itself does not write (no activity), saved where `report` saves
    saved = CliRunner().invoke(cli, ["report", "records", "--quarter", "2023Q4"])
    assert saved.exit_code == 0, saved.output
    report = tmp_path / "private" / "季度统计" / "2023Q4季度统计表.xlsx"
    assert report.is_file()
    before = report.read_bytes()
    code = build_all(tmp_path / "records", site_dir=tmp_path / "site", private_dir=tmp_path / "private",
                     today=TODAY, pdf=False, echo=lambda _: None)
    assert code == 0
    assert report.read_bytes() == before
    assert (tmp_path / "private" / "季度统计" / "2026Q3季度统计表.xlsx").is_file()  # the build's own


def _reference_file_counts(workers, q, label_at):
    """The per-quarter count file_counts replaces: every worker, every quarter."""
    rows: dict = {}
    for w in workers:
        label = label_at(w, q.end) or "未填"
        row = rows.setdefault(label, [0, 0, 0])
        if w.registered is not None:
            row[0] += w.registered <= q.end and not (w.closed and w.closed <= q.end)
            row[1] += q.start <= w.registered <= q.end
        if w.closed is not None:
            row[2] += q.start <= w.closed <= q.end
    return sorted((label, *counts) for label, counts in rows.items() if any(counts))


def test_file_counts_in_one_pass_equal_counting_each_quarter():
    """Category changes by annual review, closing before registering, several reviews in one
    quarter, reviews after the last quarter, no dates: one pass equals the per-quarter count."""
    from types import SimpleNamespace

    from hypothesis import given, settings, strategies as st

    from generator.private.report import file_counts

    day = st.one_of(st.none(), st.dates(date(2023, 10, 1), date(2027, 3, 31)))
    label = st.sampled_from(["甲", "乙", "丙", None])
    worker = st.builds(lambda r, c, base, reviews: SimpleNamespace(
        registered=r, closed=c, base=base, reviews=sorted(reviews, key=lambda x: x[0])),
        day, day, label, st.lists(st.tuples(st.dates(date(2023, 6, 1), date(2027, 6, 30)), label), max_size=4))
    quarters = st.lists(st.builds(Quarter, st.integers(2024, 2026), st.integers(1, 4)), min_size=1, max_size=8)

    def label_at(w, when):
        found = w.base
        for changed, category in w.reviews:
            if when is not None and changed <= when:
                found = category
        return found

    @settings(max_examples=100, deadline=None)
    @given(st.lists(worker, max_size=12), quarters)
    def check(workers, qs):
        got = file_counts(SimpleNamespace(workers=workers), qs, label_at, lambda w: [d for d, _ in w.reviews])
        assert sorted(got) == sorted(set(qs))
        for q in set(qs):
            assert sorted(got[q]) == _reference_file_counts(workers, q, label_at)

    check()


def test_spliced_people_rows_are_the_file_openpyxl_writes(tmp_path):
    """write_report writes the people sheets' rows as XML (report.Detached) into openpyxl's
    file: every part is the one openpyxl writes with all cells in place (its creation time
    aside), with risky text (quote prefix), text with blanks around it, empty cells and dates,
    and with a risky value in the first row, whose style the later rows then share."""
    import io

    from generator.private import report

    workers = [dict(w) for w in WORKERS]
    workers[0]["employer"] = "=SUM(A1:A2)"  # the first row of a quarter's new files
    workers[1]["employer"] = " 示范镇纺织厂 "
    records = read_station(tmp_path / "records", tables={"workers": workers})
    quarters = report.quarters_present(records, TODAY)
    figs = report.all_figures(records, quarters, TODAY)
    spliced = 0
    for q in quarters:
        detached: dict = {}
        report.build_workbook(records, q, TODAY, figs[q], detached=detached)
        spliced += len(detached)
        whole = io.BytesIO()
        report.build_workbook(records, q, TODAY, figs[q]).save(whole)
        path = write_report(records, q, tmp_path / f"{q.code}.xlsx", today=TODAY, figs=figs[q])

        def parts(data: bytes) -> dict:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return {i.filename: z.read(i) for i in z.infolist() if i.filename != "docProps/core.xml"}

        assert parts(path.read_bytes()) == parts(whole.getvalue()), q.code
    assert spliced >= len(quarters)  # both people sheets of the quarters with someone registered or closed
    wb = load_workbook(tmp_path / "2024Q1.xlsx")
    rows = {r[0].value: r for r in wb["本季新建档"].iter_rows(min_row=10)}
    first = rows[WORKERS[0]["archive_no"]]
    # risky text keeps its quote prefix even after a plain cell of the same look (its own style)
    assert first[3].value == "=SUM(A1:A2)" and first[3].data_type == "s" and first[3].quotePrefix
    assert not first[1].quotePrefix and not rows[WORKERS[1]["archive_no"]][3].quotePrefix

    # cells the register never holds after reading (blanks around text, markup, numbers, an
    # empty styled cell), detached from a sheet of their own, write as openpyxl writes them
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from generator.safe_cells import write_text_cell

    def sheet_file(detach: bool) -> dict:
        wb = Workbook()
        ws = wb.active
        ws["A1"] = "标题"
        values = [" 两头空格 ", "a<b&c>", "", 42, 3.25, date(2026, 7, 1), "  ", "=1+1", None]
        for r in range(2, 5):
            for c, value in enumerate(values, 1):
                cell = write_text_cell(ws, r, c, value)  # text as text, "=1+1" too
                if r == 3:
                    cell.font = Font(bold=True)
        found = {}
        if detach:
            found[1] = report.detach_rows(ws, 2)
            assert found[1] is not None
            for _, cell in sorted(ws._cells.items()):
                if cell.has_style:
                    cell.style_id  # noqa: B018
            found[1].number_styles()
        buffer = io.BytesIO()
        wb.save(buffer)
        data = report.splice_sheets(buffer.getvalue(), found, "openpyxl") if detach else buffer.getvalue()
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {i.filename: z.read(i) for i in z.infolist() if i.filename != "docProps/core.xml"}

    assert sheet_file(True) == sheet_file(False)
    formula = Workbook().active
    formula["A2"] = "=1+1"  # a formula (never written by the reports) is left to openpyxl
    assert report.detach_rows(formula, 2) is None and formula["A2"].value == "=1+1"
    assert first[6].is_date and first[6].value.date() == WORKERS[0]["registered"]


def test_a_report_is_dated_by_its_day_so_the_same_figures_give_the_same_bytes(tmp_path):
    """The workbook's parts and document dates are the report's day (its 填报日期) at midnight, not
    the time openpyxl saved it: written again a moment later, the same report is the same file."""
    import time

    records = read_station(tmp_path / "records")
    first = write_report(records, Q3, tmp_path / "a.xlsx", today=TODAY).read_bytes()
    time.sleep(1.05)  # openpyxl stamps whole seconds
    again = write_report(records, Q3, tmp_path / "b.xlsx", today=TODAY).read_bytes()
    assert first == again
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(TODAY.year, TODAY.month, TODAY.day, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    stamp = f"{TODAY.isoformat()}T00:00:00Z"
    assert re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core) == [("created", stamp),
                                                                           ("modified", stamp)]
    later = write_report(records, Q3, tmp_path / "c.xlsx", today=TODAY + timedelta(days=1)).read_bytes()
    assert later != first  # another day: another 填报日期 and date


def test_payouts_count_under_the_category_of_their_day_reviewed_or_not(tmp_path):
    """二、按困难类别: a worker whose annual review changed the category between two payouts of
    one quarter counts each under the category valid on its application date; workers without
    a review under the register's category (looked up once per worker)."""
    from generator.private import report

    review = {"archive_no": "SF-0001", "date": date(2026, 7, 22), "household_income": Decimal("60000"),
              "rigid_spending": Decimal("6000"), "household_size": 3, "category": "相对困难", "reviewer": "李文",
              "conclusion": "收入提高，转为相对困难"}
    records = read_station(tmp_path / "records", tables={"reviews": [review]})
    paid = [p for p in PAYOUTS if p.get("paid") and q3(p["paid"])]
    registered = {w["archive_no"]: w["category"] for w in WORKERS}

    def category(p):
        if p["archive_no"] == "SF-0001" and p["applied"] >= review["date"]:
            return "相对困难"
        return registered[p["archive_no"]]

    expected: dict = {}
    for p in paid:
        row = expected.setdefault(category(p), [set(), 0, Decimal(0)])
        row[0].add(p["archive_no"])
        row[1] += 1
        row[2] += p["amount"]
    figs = report.figures(records, Q3, TODAY)
    title, _, rows, _, _ = figs.sections[1]
    assert title == "二、帮扶发放（按困难类别）"
    assert {r[0]: tuple(r[1:]) for r in rows} == {k: (len(v[0]), v[1], v[2]) for k, v in expected.items()}
    assert {category(p) for p in paid if p["archive_no"] == "SF-0001"} == {"深度困难", "相对困难"}
