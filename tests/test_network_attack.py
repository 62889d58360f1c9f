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
    from generator.build import build_all
    from generator.build.network import build_network_site
    from test_network_outputs import DEMO_TODAY

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
