"""The county centre's outputs of `bangfu merge`: the network's quarterly report (with its
per-station sheet) and the county site.

The report: every total of the network's report is the sum of the counted stations' own
reports (and the county centre's), the per-station sheet repeats each station's own
report, and a station with errors is named with the reason and left out of every total.
The site: a real `mkdocs build` of a county and three generated stations (one with
errors), the leak scan and the disclosure attacker pass on it, the network's statistics
come from the stations' raw records, and a station's personal data on a county page fails
the build and leaves the previous site as it was.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from generator import places
from generator.network.model import Network, StationRun
from generator.periods import Quarter
from generator.pipeline import check_folder
from generator.station import station

from site_helpers import Tables
from station import ID_2, TODAY, station_data, write_station

Q = Quarter(2024, 2)
SECTION_MARKS = tuple("一二三四五六七八九")


def run_of(folder: Path, key: str, today: date = TODAY) -> StationRun:
    outcome = check_folder(folder, today)
    return StationRun(key, folder, outcome, station(outcome.records, today))


def named(data: dict, name: str) -> dict:
    for row in data["帮扶政策.xlsx"]["站点设置"]:
        if row["设置项"] == "站点名称":
            row["值"] = name
    return data


def sections(ws) -> dict:
    """Section title -> (header, rows, 合计 row or None) of a report sheet."""
    out: dict = {}
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    i = 0
    while i < len(rows):
        first = rows[i][0]
        if isinstance(first, str) and first[:1] in SECTION_MARKS and "、" in first[:2]:
            header, body, total = rows[i + 1], [], None
            i += 2
            while i < len(rows) and rows[i][0] is not None:
                if rows[i][0] == "合计":
                    total = rows[i]
                elif rows[i][0] != "本季度无":
                    body.append(rows[i])
                i += 1
            out[first] = (header, body, total)
        i += 1
    return out


def numbers(row) -> list:
    return [Decimal(str(v)) if isinstance(v, (int, float)) else None for v in row[1:]]


@pytest.fixture(scope="module")
def tiny_network(tmp_path_factory):
    """The county centre and three tiny stations; 丙镇 has an invalid ID number (an error)."""
    root = tmp_path_factory.mktemp("net")
    county = write_station(root / "县中心" / "records", named(station_data(), "测试县困难职工帮扶中心"))
    a = write_station(root / "甲镇" / "records", named(station_data(), "甲镇困难职工帮扶站"))
    data = named(station_data(), "乙镇困难职工帮扶站")
    extra = dict(data["帮扶记录.xlsx"]["帮扶发放"][0], **{"记录编号": "FF-0003", "档案编号": "SF-0002", "姓名": "李红"})
    data["帮扶记录.xlsx"]["帮扶发放"].append(extra)
    b = write_station(root / "乙镇" / "records", data)
    broken = named(station_data(), "丙镇困难职工帮扶站")
    broken["困难职工档案.xlsx"]["困难职工"][1]["身份证号"] = ID_2[:-1] + ("0" if ID_2[-1] != "0" else "1")
    c = write_station(root / "丙镇" / "records", broken)
    runs = [run_of(county, "县中心"), run_of(a, "甲镇"), run_of(b, "乙镇"), run_of(c, "丙镇")]
    assert [r.counted for r in runs] == [True, True, True, False]
    return Network(runs[0], runs[1:])


@pytest.fixture(scope="module")
def reports(tiny_network, tmp_path_factory):
    """(the network's report workbook, {key: the station's own report workbook})."""
    from generator.network.report import write_network_report
    from generator.private.report import write_report

    out = tmp_path_factory.mktemp("reports")
    path = write_network_report(tiny_network, Q, out / "net.xlsx", today=TODAY)
    own = {}
    for run in [tiny_network.county, *tiny_network.stations]:
        own[run.key] = openpyxl.load_workbook(
            write_report(run.outcome.records, Q, out / f"{run.key}.xlsx", today=TODAY))
    return openpyxl.load_workbook(path), own


def test_network_totals_are_the_sums_of_the_counted_stations_reports(tiny_network, reports):
    net, own = reports
    network = sections(net["季度统计"])
    counted = [r.key for r in [tiny_network.county, *tiny_network.stations] if r.counted]
    mine = {key: sections(own[key]["季度统计"]) for key in counted}
    assert len(network) == 9
    for title, (_header, _rows, total) in network.items():
        if total is None:
            continue
        expected = [sum((numbers(mine[k][title][2])[i] or 0 for k in counted if mine[k][title][2]), Decimal(0))
                    if numbers(total)[i] is not None else None for i in range(len(total) - 1)]
        assert numbers(total) == expected, title
    paid = numbers(network["一、帮扶发放（按帮扶项目）"][2])
    # 2 people and 300 + 8000 at each of three (乙镇: 300 more); 丙镇 left out
    assert paid[1:4] == [Decimal(6), Decimal(7), Decimal(25200)]
    # each station's funds are its own lines (named by the station), not merged by name
    funds = network["六、资金收支（按资金账户）"][1]
    assert sorted(r[0] for r in funds) == sorted(f"{k}·{f}" for k in counted
                                                 for f in ("上级帮扶专项资金", "地方财政配套资金"))


def test_the_per_station_sheet_repeats_each_stations_own_report(tiny_network, reports):
    net, own = reports
    rows = [list(r) for r in net["分站统计"].iter_rows(values_only=True)]
    header = rows.index(["站点", "是否计入汇总", "帮扶人数", "帮扶人次", "帮扶金额（元）", "季末在档人数", "本季新建档",
                         "本季结档", "本季资金收入", "本季资金支出", "期末资金余额", "接待件数", "说明"])
    lines = {r[0]: r for r in rows[header + 1:] if r[0]}
    assert list(lines) == ["测试县困难职工帮扶中心（县中心）（本中心）", "甲镇困难职工帮扶站", "乙镇困难职工帮扶站",
                           "丙镇困难职工帮扶站", "合计"]
    for run, label in zip([tiny_network.county, *tiny_network.stations[:2]], lines):
        s = sections(own[run.key]["季度统计"])
        paid = s["一、帮扶发放（按帮扶项目）"][2]
        files = s["四、困难职工档案（按困难类别）"][2]
        funds = s["六、资金收支（按资金账户）"][2]
        line = lines[label]
        assert line[1] == "是"
        assert line[2:5] == paid[2:5]
        assert line[5:8] == files[1:4]
        assert line[8:11] == [funds[3], funds[4] + funds[5], funds[6]]
    total = lines["合计"]
    counted = [lines[k] for k in list(lines)[:3]]
    assert total[2:12] == [sum(r[i] for r in counted) for i in range(2, 12)]
    left = lines["丙镇困难职工帮扶站"]
    assert left[1] == "否" and left[2:12] == [None] * 10
    assert left[12].startswith("记录中有 1 处错误（第一处：困难职工档案.xlsx、工作表“困难职工”、F3）")


def test_the_report_names_the_station_left_out(reports):
    net, _ = reports
    notes = [(r[0], r[1]) for r in net["季度统计"].iter_rows(max_col=2, values_only=True)
             if r[0] in ("汇总范围", "未计入汇总")]
    assert notes == [("汇总范围", "本中心及 3 个站点，计入汇总 3 个，未计入 1 个（见下）。"),
                     ("未计入汇总", "丙镇困难职工帮扶站：记录中有 1 处错误（第一处：困难职工档案.xlsx、"
                                "工作表“困难职工”、F3），未计入汇总；请该站用 bangfu check 检查并改正后重新汇总。")]


def test_new_files_sheet_names_each_station(tiny_network, reports):
    from generator.network.report import build_network_workbook

    net, _ = reports
    rows = [r for r in net["本季新建档"].iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r[0] == "站点")
    assert rows[header][:3] == ("站点", "档案编号", "姓名")
    assert [r[:2] for r in rows[header + 1:] if r[0]] == [("本季度无", None)]  # 2024Q2: nobody registered
    net_q1 = build_network_workbook(tiny_network, Quarter(2024, 1), TODAY)
    rows = [r for r in net_q1["本季新建档"].iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r[0] == "站点")
    assert [r[:2] for r in rows[header + 1:] if r[0]] == [
        (station, no)
        for station in ("测试县困难职工帮扶中心（县中心）（本中心）", "甲镇困难职工帮扶站", "乙镇困难职工帮扶站")
        for no in ("SF-0001", "SF-0002")]


# --- the county site ---------------------------------------------------------------------
DEMO_TODAY = date(2026, 11, 23)


def _set_cell(path: Path, sheet: str, header: str, match: tuple[str, str] | int, value) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    names = [c.value for c in ws[1]]
    col = names.index(header) + 1
    if isinstance(match, int):
        row = match
    else:
        key = names.index(match[0]) + 1
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, key).value == match[1])
    ws.cell(row, col).value = value
    wb.save(path)


def _demo(folder: Path, name: str, seed: int, site_url: str | None = None) -> Path:
    from generator.demo import write_demo

    write_demo(folder, workers=20, payouts=60, seed=seed, today=DEMO_TODAY)
    _set_cell(folder / "帮扶政策.xlsx", "站点设置", "值", ("设置项", "站点名称"), name)
    if site_url:
        _set_cell(folder / "帮扶政策.xlsx", "站点设置", "值", ("设置项", "网站地址"), site_url)
    return folder


@pytest.fixture(scope="module")
def demo_network(tmp_path_factory):
    root = tmp_path_factory.mktemp("county")
    county = _demo(root / "县中心" / "records", "示范县困难职工帮扶中心", 31)
    a = _demo(root / "甲镇" / "records", "甲镇困难职工帮扶站", 32, "https://jia.example.org/")
    b = _demo(root / "乙镇" / "records", "乙镇困难职工帮扶站", 33)
    c = _demo(root / "丙镇" / "records", "丙镇困难职工帮扶站", 34)
    _set_cell(c / "困难职工档案.xlsx", "困难职工", "身份证号", 2, "12345")
    runs = [run_of(f, f.parent.name, DEMO_TODAY) for f in (county, a, b, c)]
    assert [r.counted for r in runs] == [True, True, True, False]
    return root, Network(runs[0], runs[1:])


def build_county(network: Network, site: Path):
    from generator.build.network import build_network_site

    lines: list[str] = []
    code = build_network_site(network, site, DEMO_TODAY, echo=lines.append)
    return code, "\n".join(lines)


@pytest.fixture(scope="module")
def county_site(demo_network):
    root, network = demo_network
    site = places.network_site_dir(network.county.folder)
    assert site == root / "县中心" / places.NETWORK_SITE
    code, output = build_county(network, site)
    assert code == 0, output
    return site, network, output


def _text(path: Path) -> str:
    import re
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


@pytest.mark.slow
def test_county_site_is_built_with_mkdocs_and_passes_the_scan_and_the_attacker(county_site):
    from generator import privacy
    from generator.build.network import scan_network_site
    from generator.disclosure_audit import Attack, leaks
    from generator.network.combined import combined

    site, network, output = county_site
    assert "隐私检查通过" in output
    for page in ("index.html", "stations/index.html", "notices/index.html", "stats/index.html",
                 "stats/2026.html", "funds/index.html", "policies/index.html", "search/search_index.json"):
        assert (site / page).is_file(), page
    assert (site / ".bangfu-site").is_file()
    scan = scan_network_site(site, network)
    assert scan.ok and scan.values > 0 and scan.files > 0
    for run in [network.county, *network.stations]:  # each station's own scan, as its own build runs it
        assert privacy.scan_site(site, run.outcome.records).ok, run.key
    attack = Attack(site)
    assert attack.items and attack.years  # the attacker read the policies and the statistics
    assert leaks(attack, combined(network), DEMO_TODAY) == []
    assert attack.figures_in_charts_and_search() <= attack.published_figures()


@pytest.mark.slow
def test_network_statistics_come_from_the_counted_stations_raw_records(county_site):
    site, network, _ = county_site
    counted = [network.county, *network.stations[:2]]
    table = Tables((site / "stats" / "index.html").read_text(encoding="utf-8")).tables[0]
    assert table[0] == ["年度", "人数", "人次", "金额（元）"]
    rows = {int(r[0].split()[0]): r[1:] for r in table[1:]}
    assert sorted(rows) == [2024, 2025, 2026]
    for year, (people, times, amount) in rows.items():
        paid = [p for r in counted for p in r.outcome.records.live_payouts
                if p.paid and p.paid.year == year and p.paid <= DEMO_TODAY and p.amount is not None]
        assert int(people) == sum(len({p.archive_no for p in r.outcome.records.live_payouts
                                       if p.paid and p.paid.year == year and p.paid <= DEMO_TODAY
                                       and p.amount is not None}) for r in counted), year
        assert int(times) == len(paid)
        assert Decimal(amount.replace(",", "")) == sum((p.amount for p in paid), Decimal(0))


@pytest.mark.slow
def test_the_disclosure_rule_runs_on_the_networks_own_grid(county_site):
    """Cells come from the stations' raw payouts, combined before suppression: the network
    publishes rows a station's own site must merge away, with the exact raw counts."""
    from generator.network.combined import SITE_SHEETS, combined
    from generator.network.cross_site import protected_plan
    from generator.site.disclosure_control import OTHER_ITEMS, Plan

    site, network, _ = county_site
    counted = [network.county, *network.stations[:2]]
    own = {r.key: Plan(r.outcome.records, DEMO_TODAY) for r in counted}
    net = protected_plan(combined(network, sheets=SITE_SHEETS), DEMO_TODAY, own)
    finer = []
    for year, yp in net.years.items():
        html = (site / "stats" / f"{year}.html").read_text(encoding="utf-8")
        for row in yp.rows:
            cell = yp.cell(row, None)
            if row == OTHER_ITEMS or cell.hidden:
                continue
            items = set(yp.row_items[row])
            people = {(r.key, p.archive_no) for r in counted for p in r.outcome.records.live_payouts
                      if p.item in items and p.paid and p.paid.year == year and p.paid <= DEMO_TODAY
                      and p.amount is not None}
            assert cell.count == len(people), (year, row)
            assert f">{row}<" in html, (year, row)
            for r in counted:
                mine = own[r.key].years.get(year)
                paid = mine and {p.archive_no for p in r.outcome.records.live_payouts
                                 if p.item in items and p.paid and p.paid.year == year}
                if paid and row not in mine.rows:
                    finer.append((year, row, r.key))
    assert finer  # published for the network, merged into 其他帮扶项目 on some station's own site


@pytest.mark.slow
def test_no_network_cell_gives_a_stations_hidden_figure_back(county_site):
    """Network cell minus the parts the other stations' sites publish = one station's part:
    without protection the demo network has such cells; the county site hides them."""
    from generator.network.combined import SITE_SHEETS, combined
    from generator.network.cross_site import given_back, protected_plan
    from generator.site.disclosure_control import Plan

    site, network, _ = county_site
    own = {r.key: Plan(r.outcome.records, DEMO_TODAY) for r in [network.county, *network.stations[:2]]}
    records = combined(network, sheets=SITE_SHEETS)
    assert given_back(Plan(records, DEMO_TODAY, fixed_totals=False), own)  # the risk is real
    plan = protected_plan(records, DEMO_TODAY, own)
    assert given_back(plan, own) == {}
    # the site shows the protected plan: each year's category x period table hides what it hides
    for year, yp in plan.years.items():
        table = Tables((site / "stats" / f"{year}.html").read_text(encoding="utf-8")).tables[0]
        shown = {r[0]: r[1:] for r in table[1:]}
        for row in yp.rows:
            cells = [yp.cell(row, s) for s in range(len(yp.spans))] if len(yp.spans) > 1 else []
            cells.append(yp.cell(row, None))
            assert [c == "—" for c in shown[row]] == [c.hidden for c in cells], (year, row)


@pytest.mark.slow
def test_a_station_with_errors_is_named_and_left_out(county_site):
    site, network, _ = county_site
    stations = _text(site / "stations" / "index.html")
    assert "丙镇困难职工帮扶站" in stations
    assert "未计入：记录中有 1 处错误待改正，暂未计入统计" in stations
    for page in ("index.html", "stats/index.html"):
        assert "丙镇困难职工帮扶站：记录中有 1 处错误待改正，暂未计入统计" in " ".join(_text(site / page).split()), page
    notices = _text(site / "notices" / "index.html")
    assert "丙镇" not in notices and "甲镇困难职工帮扶站" in notices
    html = (site / "notices" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://jia.example.org/notices/' in html  # linked to the station's own site


@pytest.mark.slow
def test_a_stations_name_on_a_county_page_fails_the_build(demo_network, county_site, tmp_path):
    import shutil

    root, network = demo_network
    site, _, _ = county_site
    work = tmp_path / "net"
    shutil.copytree(root, work, ignore=shutil.ignore_patterns(places.NETWORK_SITE, ".bangfu"))
    # a clerk of 乙镇 typed a worker's phone number into a running notice's title, which the
    # county gathers
    records = work / "乙镇" / "records"
    r = run_of(records, "乙镇", DEMO_TODAY).outcome.records
    from generator.disclosure import RUNNING, views

    running = next(v for v in views(r, DEMO_TODAY) if v.state == RUNNING)
    phone = next(w.phone for w in r.workers if w.phone)
    _set_cell(records / "帮扶记录.xlsx", "公示批次", "公示标题", ("批次编号", running.batch.batch_no),
              f"帮扶公示（联系 {phone}）")
    runs = [run_of(work / k / "records", k, DEMO_TODAY) for k in ("县中心", "甲镇", "乙镇", "丙镇")]
    target = work / "县中心" / places.NETWORK_SITE
    shutil.copytree(site, target)
    before = sorted(p.relative_to(target) for p in target.rglob("*"))
    code, output = build_county(Network(runs[0], runs[1:]), target)
    assert code == 1, output
    assert "隐私检查未通过" in output and "（来自 乙镇困难职工帮扶站（乙镇）困难职工档案.xlsx" in output
    assert sorted(p.relative_to(target) for p in target.rglob("*")) == before
    assert not (work / "县中心" / ".bangfu" / f"new-{places.NETWORK_SITE}").exists()


@pytest.mark.slow
def test_bangfu_merge_writes_the_report_and_the_county_site(tiny_network):
    from click.testing import CliRunner

    from generator.cli import cli

    folders = [str(r.folder) for r in tiny_network.stations]
    county = tiny_network.county.folder
    result = CliRunner().invoke(cli, ["merge", *folders, "--into", str(county), "--today", "2026-11-23"])
    assert result.exit_code == 1, result.output  # 丙镇's error; the outputs are written all the same
    report = places.network_private_dir(county) / "季度统计" / "2026Q3季度汇总统计表.xlsx"
    site = places.network_site_dir(county)
    assert f"已生成2026年第三季度汇总统计表：{report}" in result.output
    assert f"完成：网站已生成到 {site}" in result.output and "隐私检查通过" in result.output
    assert openpyxl.load_workbook(report).sheetnames == ["季度统计", "分站统计", "本季新建档", "本季结档"]
    assert "丙镇困难职工帮扶站" in (site / "stations" / "index.html").read_text(encoding="utf-8")


def test_report_stage_writes_the_latest_complete_quarter(tiny_network, tmp_path):
    from types import SimpleNamespace

    from generator.network.report import report_stage

    lines: list[str] = []
    private = tmp_path / places.NETWORK_PRIVATE
    code = report_stage(SimpleNamespace(network=tiny_network), site_dir=tmp_path / places.NETWORK_SITE,
                        private_dir=private, today=TODAY, echo=lines.append)
    path = private / "季度统计" / "2026Q3季度汇总统计表.xlsx"
    assert code == 0 and lines == [f"已生成2026年第三季度汇总统计表：{path}"]
    assert openpyxl.load_workbook(path).sheetnames == ["季度统计", "分站统计", "本季新建档", "本季结档"]
    path.unlink()
    path.mkdir()  # the computer refuses the file (as it does a read-only folder), never a traceback
    lines.clear()
    code = report_stage(SimpleNamespace(network=tiny_network), site_dir=tmp_path, private_dir=private,
                        today=TODAY, echo=lines.append)
    assert code == 2 and lines[0].startswith(f"无法写入季度汇总统计表“{path}”")


def test_no_county_site_from_example_or_faulty_county_records(tiny_network, tmp_path):
    """The county site publishes the county centre's own settings, policies and funds: it is
    not built while they are bangfu init's examples or have errors; nothing is written."""
    from generator.build.network import build_network_site
    from generator.templates import write_blank_workbooks

    example = run_of(write_blank_workbooks(tmp_path / "县中心" / "records")[0].parent, "县中心")
    # the examples pass every rule, but they are not the county's: not counted, no site
    assert example.outcome.ok and not example.counted
    broken = tiny_network.stations[2]  # 丙镇's records have an error
    for county, words in ((example, "示例行或示例站点设置"), (broken, "有错误或无法读取")):
        lines: list[str] = []
        site = tmp_path / places.NETWORK_SITE
        code = build_network_site(Network(county, tiny_network.stations[:2]), site, TODAY, echo=lines.append)
        assert code == 1 and words in lines[-1] and "原网站保持不变" in lines[-1]
        assert not site.exists()


def test_a_county_build_hands_the_old_site_to_a_detached_remover(tiny_network, tmp_path, monkeypatch):
    """As a station's build run once: the county build does not delete the old site and its last
    Markdown itself. It renames them aside in its work folder and hands them to a detached
    process after it ends (publish.hand_over); what that leaves, the next build's start hands
    over again (publish.clear_trash). The site in place is always the new one."""
    from generator.build import publish
    from generator.build.folders import work_dir
    from generator.build.network import build_network_site

    network = Network(tiny_network.county, tiny_network.stations[:2])
    site = tmp_path / places.NETWORK_SITE
    work = work_dir(site)
    assert build_network_site(network, site, TODAY, echo=lambda _: None) == 0
    first = (site / "index.html").read_bytes()
    (site / "stale.txt").write_text("old", encoding="utf-8")  # marks the old site
    monkeypatch.setattr(publish, "_REMOVER", "import time; time.sleep(0.2)")  # deletes nothing
    handed = len(publish.handed)
    lines: list[str] = []
    assert build_network_site(network, site, TODAY, echo=lines.append) == 0, "\n".join(lines)
    assert (site / "index.html").read_bytes() == first and not (site / "stale.txt").exists()
    assert len(publish.handed) == handed + 1
    remover = publish.handed[-1]
    aside = [Path(a) for a in remover.args[5:]]
    assert all(p.parent == work and p.name.startswith(publish.TRASH) and p.is_dir() for p in aside)
    assert sorted(p.name.split("-", 3)[-1] for p in aside) == [f"docs-{site.name}", f"new-{site.name}"]
    assert any((p / "stale.txt").is_file() for p in aside)  # the old site, not waited for
    assert remover.wait(30) == 0
    monkeypatch.undo()
    assert build_network_site(network, site, TODAY, echo=lambda _: None) == 0
    for proc in publish.handed[handed + 1:]:
        assert proc.wait(30) == 0
    assert not [p for p in work.iterdir() if p.name.startswith(publish.TRASH)]
    assert (site / "index.html").read_bytes() == first
