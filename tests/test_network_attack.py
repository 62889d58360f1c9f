"""Attacks on the county site's privacy (`bangfu merge` … the county site), and the rule
that a station's `bangfu init` example rows never enter the network's figures.

The county site adds channels a station's own site does not have: the network's figures
next to every station's own published figures (differencing), the gathered notices, the
stations page. Each attack here builds a small network, publishes what an outsider could
read and tries to work out a figure a station's own site keeps back; where it could, the
build must fail (or the figure must be hidden), as it does for a station site.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from generator.network.combined import combined
from generator.network.model import Network, StationRun
from generator.network.report import why_not_counted
from generator.network.site import public_reason
from generator.pipeline import check_folder
from generator.station import station
from generator.templates import write_blank_workbooks

from station import TODAY, station_data, write_station

DEMO_TODAY_ = date(2026, 11, 23)


def run_of(folder: Path, key: str, today: date = TODAY) -> StationRun:
    outcome = check_folder(folder, today)
    return StationRun(key, folder, outcome, station(outcome.records, today))


# --- a station that still holds `bangfu init` example rows --------------------------------
@pytest.fixture(scope="module")
def with_examples(tmp_path_factory):
    root = tmp_path_factory.mktemp("examples")
    county = write_station(root / "县中心" / "records", station_data())
    a = write_station(root / "甲镇" / "records", station_data())
    example = root / "乙镇" / "records"
    write_blank_workbooks(example)
    return Network(run_of(county, "县中心"), [run_of(a, "甲镇"), run_of(example, "乙镇")])


def test_a_station_with_example_rows_is_left_out_of_the_totals_and_named(with_examples):
    net = with_examples
    example = net.stations[1]
    assert example.outcome.ok and example.outcome.exit_code == 0  # only warnings
    assert example.examples == 11  # 9 example rows, 2 example settings (tests/test_init.py)
    assert [r.counted for r in [net.county, *net.stations]] == [True, True, False]
    assert net.counted() == [net.stations[0]]
    records = combined(net)
    assert {p.archive_no.split("·")[0] for p in records.payouts} == {"县中心", "甲镇"}
    assert {w.archive_no.split("·")[0] for w in records.workers} == {"县中心", "甲镇"}
    assert public_reason(example) == "记录中还有 11 处示例行或示例设置待删除，暂未计入统计"
    from generator.network.merge import _heading
    assert _heading(example, county=False).endswith("（还有 11 处示例行或示例设置待删除，未计入汇总数字） =====")
    assert why_not_counted(example) == (
        "记录中还有 11 处 bangfu init 生成的示例行或示例设置（第一处：困难职工档案.xlsx、工作表“困难职工”、A2），"
        "未计入汇总；请该站删除示例行、把站点设置改成本站的信息后重新汇总。")


# --- differencing the registered workers' tables ---------------------------------------------
REGISTERED = ("在档困难职工（按困难类别）", "在档困难职工（按主要致困原因）")


def registered_tables(html: str) -> dict:
    """{table title: {label: count or None (hidden)}} of a published 统计 page."""
    import re
    from html import unescape

    from generator.disclosure_audit import tables

    out = {}
    titles = [unescape(re.sub(r"<[^>]+>", "", t)).strip() for t in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)]
    found = tables(html)
    for title in REGISTERED:
        table = found[[t for t in titles if t.startswith("历年帮扶") or t in REGISTERED].index(title)]
        out[title] = {r[0].strip("* "): (None if r[1] == "—" else int(r[1])) for r in table[1:]}
    return out


def from_stats(tables) -> dict:
    return {t.title: {label: (None if c.hidden else c.count) for label, c in t.rows} for t in tables}


def difference(county: dict, stations: dict[str, dict]) -> list[tuple[str, str, str, int]]:
    """What an outsider works out: for every label the county publishes, the county's count
    minus the counts the stations publish for it, when exactly one station's site does not
    show that label as a figure (hidden, or merged into 其他…): (station, table, label, count)."""
    out = []
    for title, rows in county.items():
        for label, n in rows.items():
            if n is None or label == "合计":
                continue
            shown = {key: t[title].get(label) for key, t in stations.items()}
            unknown = [key for key, v in shown.items() if v is None]
            if len(unknown) == 1:
                out.append((unknown[0], title, label, n - sum(v for v in shown.values() if v is not None)))
    return out


def true_count(records, title: str, label: str) -> int:
    from generator.site.disclosure_control import worker_value

    dim = "category" if "困难类别" in title else "cause"
    return sum(1 for w in records.workers if w.status == "在档" and worker_value(records, w, dim) == label)


def given_back(derived, runs: dict) -> list:
    """The derivations that are right and that the station's own site hides (count > 0)."""
    return [(key, title, label, n) for key, title, label, n in derived
            if n > 0 and n == true_count(runs[key].outcome.records, title, label)]


@pytest.fixture(scope="module")
def demo_three(tmp_path_factory):
    """The county centre and two demo stations (20 workers each): their registered workers'
    small categories and causes differ from station to station."""
    from test_network_outputs import DEMO_TODAY, _demo

    root = tmp_path_factory.mktemp("reg")
    folders = [_demo(root / key / "records", f"{key}困难职工帮扶站", 40 + i)
               for i, key in enumerate(("县中心", "甲镇", "乙镇"))]
    runs = [run_of(f, f.parent.name, DEMO_TODAY) for f in folders]
    assert all(r.counted for r in runs)
    return root, Network(runs[0], runs[1:])


def test_without_protection_the_network_registered_tables_give_a_stations_hidden_count_back(demo_three):
    """The attack works (a control): the network's own suppression alone is not enough."""
    from generator.network.combined import SITE_SHEETS
    from generator.site.stats import registered_stats

    _, net = demo_three
    runs = {r.key: r for r in [net.county, *net.stations]}
    records = combined(net, sheets=SITE_SHEETS)
    county = from_stats(registered_stats(records, 3))
    own = {k: from_stats(registered_stats(r.outcome.records, 3)) for k, r in runs.items()}
    found = given_back(difference(county, own), runs)
    # e.g. 乙镇's one worker whose cause is 子女上学, and the county centre's two 患重特大疾病
    assert ("乙镇", "在档困难职工（按主要致困原因）", "子女上学", 1) in found
    assert ("县中心", "在档困难职工（按主要致困原因）", "患重特大疾病", 2) in found


@pytest.fixture(scope="module")
def demo_sites(demo_three):
    """Every station's own site (`bangfu build`) and the county site, built for real."""
    from test_network_outputs import DEMO_TODAY

    from generator.build import build_all
    from generator.build.network import build_network_site

    root, net = demo_three
    runs = {r.key: r for r in [net.county, *net.stations]}
    sites = {}
    for key, run in runs.items():
        lines: list[str] = []
        sites[key] = root / key / "site"
        assert build_all(run.folder, site_dir=sites[key], private_dir=None, today=DEMO_TODAY, pdf=False,
                         echo=lines.append) == 0, "\n".join(lines)
    lines = []
    county_site = root / "network-site"
    assert build_network_site(net, county_site, DEMO_TODAY, echo=lines.append) == 0, "\n".join(lines)
    return county_site, sites, runs


@pytest.mark.slow
def test_the_county_site_with_the_stations_own_sites_gives_no_registered_count_back(demo_sites):
    """The stations' and the county's published HTML, read as an outsider reads it."""
    county_site, sites, runs = demo_sites
    own = {key: registered_tables((site / "stats/index.html").read_text("utf-8")) for key, site in sites.items()}
    county = registered_tables((county_site / "stats/index.html").read_text("utf-8"))
    assert county["在档困难职工（按主要致困原因）"]["子女上学"] is None  # hidden now
    assert given_back(difference(county, own), runs) == []
    assert sum(v for v in county["在档困难职工（按困难类别）"].values() if v) > 0  # not everything hidden


def payout_differences(county_site: Path, sites: dict[str, Path]) -> list:
    """The statistics' category × period cells (disclosure_audit.Attack reads them): the
    county's cell minus the stations' same cells, when exactly one station's site does not
    show that cell: ([(station, year, row, span, people, amount)], how many county cells some
    station's site also shows, i.e. were compared)."""
    from generator.disclosure_audit import Attack

    county = Attack(county_site)
    own = {key: Attack(site) for key, site in sites.items()}
    out, compared = [], 0
    for year, st in county.years.items():
        for (row, span), cell in st["cells"].items():
            if cell is None:
                continue
            shown = {key: (a.years.get(year) or {"cells": {}})["cells"].get((row, span)) for key, a in own.items()}
            unknown = [k for k, v in shown.items() if v is None]
            compared += len(unknown) < len(shown)
            if len(unknown) == 1:
                people = cell[0] - sum(v[0] for v in shown.values() if v)
                amount = cell[1] - sum(v[1] for v in shown.values() if v)
                out.append((unknown[0], year, row, span, people, amount))
    return out, compared


@pytest.mark.slow
def test_the_county_statistics_minus_the_stations_own_statistics_give_no_hidden_cell_back(demo_sites):
    from generator.disclosure_audit import Attack, truth

    county_site, sites, runs = demo_sites
    found = []
    derived, compared = payout_differences(county_site, sites)
    assert compared >= 3  # at least each year's total is on every site
    for key, year, row, span, people, amount in derived:
        records = runs[key].outcome.records
        rows = Attack(sites[key]).years.get(year, {"rows": []})["rows"]
        real_people, _, real_amount = truth(records, year, row, span, rows, DEMO_TODAY_)
        if real_amount and amount == real_amount:
            found.append((key, year, row, span, people, amount))
    assert found == []


# --- a linear attack on the statistics of all the sites at once ---------------------------------
def cross_site_attack(county_site: Path, sites: dict[str, Path]) -> list:
    """Every figure of every site is a sum of unknown atoms (station × item category × quarter
    × fund): a station's figure sums its own atoms, a county figure every station's. What it
    reads, as disclosure_audit.Attack reads it: each site's statistics (category × period
    cells and totals), each station's fund pages (帮扶发放 per category and period, per account
    and for all accounts) and notice summaries (counted in the quarter their period ends, a
    guess), and the county's statistics. All of them solved together exactly
    (disclosure_audit.System) give back a station's hidden cell when its atoms are a
    combination of published sums. Returns (station, year, row, span, amount) for every
    hidden station cell worked out."""
    from fractions import Fraction

    from generator.disclosure_audit import OTHER, SPANS, Attack, System

    county = Attack(county_site)
    own = {key: Attack(site) for key, site in sites.items()}
    groups = {g for a in [county, *own.values()] for g, _ in a.items.values()}
    funds = {key: sorted({acc for acc, *_ in a.spending if acc != "全部账户"}) or ["*"] for key, a in own.items()}
    out = []
    for year in sorted(set(county.years) | {y for a in own.values() for y in a.years}):
        def covered(attack: Attack, row: str, year: int = year) -> set:
            rows = attack.years[year]["rows"] if year in attack.years else []
            if row == "*" or not rows:
                return set(groups)
            if row == OTHER:
                return {g for g in groups if g not in rows}
            return {row} if row in groups else {g for g in groups if g not in rows}

        def atoms(stations, attack: Attack, row: str, quarters, fund=None) -> set:
            return {(st, g, q, f) for st in stations for g in covered(attack, row) for q in quarters
                    for f in (funds[st] if fund is None else [fund])}

        amounts = System()
        if year in county.years:
            for (row, span), cell in county.years[year]["cells"].items():
                if cell is not None:
                    amounts.add(atoms(list(own), county, row, SPANS[span]), cell[1])
        for key, a in own.items():
            if year not in a.years:  # no statistics page: nothing paid that year
                amounts.add(atoms([key], a, "*", SPANS["全年"]), 0)
                continue
            for (row, span), cell in a.years[year]["cells"].items():
                if cell is not None:
                    amounts.add(atoms([key], a, row, SPANS[span]), cell[1])
            # the station's fund pages; the county site's fund pages are the county centre's own
            spending = a.spending + (county.spending if key == next(iter(own)) else [])
            for account, y, label, period, amount in spending:
                if y != year or not str(label).startswith("帮扶发放") or amount in (None, "—"):
                    continue
                row = label.partition("：")[2]
                row = row if row in a.years[year]["rows"] else "*"
                amounts.add(atoms([key], a, row, SPANS.get(period, SPANS["全年"]),
                                  None if account == "全部账户" or account not in funds[key] else account),
                            Fraction(str(amount)))
            for end, summary in a.notices:
                if end.year != year:
                    continue
                for label, _count, amount in summary:
                    row = a._row_of(year, label)
                    if row is not None and amount is not None:
                        amounts.add(atoms([key], a, row, [(end.month - 1) // 3 + 1]), amount)
        amounts.solve()
        for key, a in own.items():
            targets = [(a, row, span) for (row, span), cell in a.years.get(year, {"cells": {}})["cells"].items()
                       if cell is None]  # the station's own hidden cells
            # and its part of every county cell (a small part is as sensitive as a hidden cell)
            targets += [(county, row, span) for row, span in county.years.get(year, {"cells": {}})["cells"]]
            for attack, row, span in targets:
                value = amounts.derive(atoms([key], attack, row, SPANS[span]))
                if value is not None:
                    out.append((key, year, row, span, value, attack is county))
    return out


def right(found: list, county_site: Path, sites: dict[str, Path], runs: dict, min_cell: int = 3) -> list:
    """The derivations that come out exactly right (and are not 0): of a cell the station's
    own site hides, or of its part of a county cell when that part counts fewer than
    `min_cell` people."""
    from generator.disclosure_audit import Attack, truth

    county = Attack(county_site)
    out = []
    for key, year, row, span, value, in_county in found:
        rows = (county if in_county else Attack(sites[key])).years[year]["rows"]
        people, _, amount = truth(runs[key].outcome.records, year, row, span, rows, DEMO_TODAY_)
        if amount and value == amount and (not in_county or people < min_cell):
            out.append((key, year, row, span, people, float(value)))
    return out


@pytest.mark.slow
def test_no_stations_hidden_statistics_cell_follows_from_all_the_sites_together(demo_sites):
    county_site, sites, runs = demo_sites
    found = cross_site_attack(county_site, sites)
    assert len(found) > 10  # the station's parts of the county's cells that follow from the sites
    assert right(found, county_site, sites, runs) == []


# --- the county centre and one small station: the network's year total ------------------------
@pytest.fixture(scope="module")
def two_sites(tmp_path_factory):
    """The county centre (demo, 20 workers) and one small station (8 workers, 20 payouts):
    in 2025 the station paid 2 people 1,200.00 元, a year its own site hides as small, so the
    network's 2025 total minus the county centre's own would give it back. Both stations'
    own sites and the county site built for real."""
    from generator.build import build_all
    from generator.build.network import build_network_site
    from generator.demo import write_demo

    root = tmp_path_factory.mktemp("two")
    runs = {}
    for key, seed, workers, payouts in (("县中心", 60, 20, 60), ("甲镇", 61, 8, 20)):
        folder = root / key / "records"
        write_demo(folder, workers=workers, payouts=payouts, seed=seed, today=DEMO_TODAY_)
        runs[key] = run_of(folder, key, DEMO_TODAY_)
    net = Network(runs["县中心"], [runs["甲镇"]])
    sites = {}
    for key, run in runs.items():
        sites[key] = root / key / "site"
        lines: list[str] = []
        assert build_all(run.folder, site_dir=sites[key], private_dir=None, today=DEMO_TODAY_, pdf=False,
                         echo=lines.append) == 0, "\n".join(lines)
    lines = []
    assert build_network_site(net, root / "network-site", DEMO_TODAY_, echo=lines.append) == 0, "\n".join(lines)
    return root / "network-site", sites, runs, net


@pytest.mark.slow
def test_a_year_total_the_county_must_hide_is_hidden_on_every_line_of_its_page(two_sites):
    """Before: the year page printed 合计 and 本年度共帮扶 … from the total the plan hid."""
    from generator.disclosure_audit import Attack, truth

    county_site, sites, runs, _ = two_sites
    small = Attack(sites["甲镇"]).years[2025]
    assert small["small"] and small["cells"] == {("*", "全年"): None}  # its own site hides the year
    assert truth(runs["甲镇"].outcome.records, 2025, "*", "全年", [], DEMO_TODAY_)[::2] == (2, 1200)
    assert Attack(county_site).years[2025]["cells"][("*", "全年")] is None
    page = (county_site / "stats/2025.html").read_text("utf-8")
    assert "本年度共帮扶" not in page and "本年度的合计数字不公布" in page
    found = cross_site_attack(county_site, sites)
    assert ("甲镇", 2025, "*", "全年", 2, 1200.0) not in right(found, county_site, sites, runs)


@pytest.mark.slow
def test_a_county_template_that_prints_a_hidden_total_fails_the_build(two_sites, tmp_path):
    """The build proves the pages obey the plan: a clerk's own template (site_templates next
    to the county's records folder) that prints the year total unasked fails the build."""
    from generator.build.network import build_network_site
    from generator.render import PACKAGE_TEMPLATES

    county_site, _sites, _runs, net = two_sites
    own = net.county.folder.parent / "site_templates" / "site"
    own.mkdir(parents=True)
    try:
        text = (PACKAGE_TEMPLATES / "site" / "stats_year.md.j2").read_text("utf-8")
        (own / "stats_year.md.j2").write_text(text.replace('{{ "—" if y.total.hidden else y.total.count }}',
                                                           "{{ y.total.count }}").replace(
            '{{ "—" if y.total.hidden else y.total.amount|yuan }}', "{{ y.total.amount|yuan }}"), "utf-8")
        before = (county_site / "stats/2025.html").read_text("utf-8")
        lines: list[str] = []
        assert build_network_site(net, county_site, DEMO_TODAY_, echo=lines.append) == 1
        assert lines[-1].startswith("统计推算检查未通过：县级网站的统计页公布了应隐藏的数字")
        assert lines[-1].endswith("2025 年统计：全部项目（全年）")
        assert (county_site / "stats/2025.html").read_text("utf-8") == before  # the site is as it was
    finally:
        import shutil

        shutil.rmtree(own.parent)


# --- the rule behind the protection, on a hand-made grid ----------------------------------------
def _grid(cells: dict, hidden: set):
    """A published sum a + b = t; `cells`: key -> [(station, payout row, person, amount)]."""
    from decimal import Decimal

    from generator.site.disclosure_control import Grid

    g = Grid()
    for key, payouts in cells.items():
        for _station, _row, who, amount in payouts:
            g[key].add(who, Decimal(amount))
    g.line(["a", "b"], "t")
    for key in hidden:
        g[key].hidden = True
    parts: dict = {}
    people: dict = {}
    for key, payouts in cells.items():
        parts[key], people[key] = {}, {}
        for st, row, who, _ in payouts:
            parts[key].setdefault(st, set()).add((st, row))
            people[key].setdefault(st, set()).add(who)
    return g, parts, people


def test_a_hidden_cell_that_a_sum_gives_back_is_exposed_and_hides_a_partner():
    from generator.network.cross_site import Exposure

    a = [("甲镇", 1, "甲镇·1", 300)]  # one person at 甲镇, hidden on its own site
    b = [("乙镇", 1, "乙镇·1", 500), ("乙镇", 2, "乙镇·2", 500), ("乙镇", 3, "乙镇·3", 500)]
    cells = {"a": a, "b": b, "t": a + b}
    # 乙镇 publishes b; the county hides a and b, shows t: t - b gives 甲镇's 300 back
    published = {"甲镇": set(), "乙镇": {frozenset({("乙镇", 1), ("乙镇", 2), ("乙镇", 3)})}}
    g, parts, people = _grid(cells, {"a", "b"})
    exposure = Exposure(g, parts, people, published, 3)
    assert exposure.found() == {"a", "t"}  # t itself: one unknown part (甲镇's)
    assert exposure.to_hide() == {"t"}
    # with t hidden too, nothing is given back
    g, parts, people = _grid(cells, {"a", "b", "t"})
    assert Exposure(g, parts, people, published, 3).found() == set()


def test_a_sum_the_stations_publish_part_by_part_exposes_nothing_new():
    """When every other cell of the sum is published by the stations themselves, working the
    hidden cell out needs no figure of the county's: the stations' own plans answer for it."""
    from generator.network.cross_site import Exposure

    a = [("甲镇", 1, "甲镇·1", 300)]
    b = [("乙镇", 1, "乙镇·1", 500), ("乙镇", 2, "乙镇·2", 500), ("乙镇", 3, "乙镇·3", 500)]
    cells = {"a": a, "b": b, "t": a + b}
    published = {"甲镇": {frozenset({("甲镇", 1)})}, "乙镇": {frozenset({("乙镇", 1), ("乙镇", 2), ("乙镇", 3)})}}
    g, parts, people = _grid(cells, {"a"})
    assert Exposure(g, parts, people, published, 3).found() == set()
    # a service without cash (amount 0) in a sum without 人次 gives nothing back either
    free = [("甲镇", 1, "甲镇·1", 0)]
    g, parts, people = _grid({"a": free, "b": b, "t": free + b}, {"a"})
    g.lines = [(keys, total, False) for keys, total, _ in g.lines]
    published = {"甲镇": set(), "乙镇": published["乙镇"]}
    assert "a" not in Exposure(g, parts, people, published, 3).found()
