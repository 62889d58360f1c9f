"""The statistics hide small cells; nothing else the site publishes may give them back.

An independent attacker (generator/disclosure_audit.py, which the build also runs) reads
only the built site: the statistics, the fund download, the notice summaries and the
policy pages' standards, and tries to work out every hidden statistics cell exactly.
A derivation counts when it comes out right against the records (people, 人次 or a
nonzero amount). Run on the demo and on generated stations of 20, 200 and 2,000
workers (the last two marked slow).
"""

from __future__ import annotations

import pytest

from generator.disclosure_audit import Attack, leaks
from generator.reading import read_records

from site_helpers import DEMO_TODAY, build_into, page_text


def _attack(built):
    attack = Attack(built.site)
    records = read_records(built.records).records
    return attack, leaks(attack, records, built.today)


def _station(tmp_path, workers: int, seed: int = 2026):
    from generator.demo import write_demo

    records = tmp_path / "records"
    write_demo(records, workers=workers, payouts=3 * workers, seed=seed, today=DEMO_TODAY)
    built = build_into(records, tmp_path, private=False)
    assert built.code == 0, built.output
    return built


def _assert_safe(built):
    attack, found = _attack(built)
    assert attack.items and attack.years and attack.notices  # the attacker did read the site
    assert found == []
    # charts and the search index carry no figure that a page does not show
    assert attack.figures_in_charts_and_search() <= attack.published_figures()
    return attack


@pytest.mark.slow
def test_demo_hides_what_it_hides_everywhere(demo_site):
    attack = _assert_safe(demo_site)
    hidden = [(y, k) for y, st in attack.years.items() for k, c in st["cells"].items() if c is None]
    assert hidden  # the demo has small cells: the test is not vacuous


@pytest.mark.slow
def test_twenty_worker_station(tmp_path):
    built = _station(tmp_path, 20)
    attack = _assert_safe(built)
    # useful, not all dashes: at least two in three category cells are published
    cells = [c for st in attack.years.values() for c in st["cells"].values()]
    assert sum(c is not None for c in cells) >= 2 * sum(c is None for c in cells)
    text = page_text(built.page("stats/2025/"))
    assert "本年度共帮扶" in text


def test_fifty_worker_station(tmp_path):
    """A hidden category × half-year cell whose partners in its row were all published
    elsewhere (the other half-year through notice summaries, the year on the fund pages)
    used to be given back by the row's sum, and the build refused to publish."""
    _assert_safe(_station(tmp_path, 50))


@pytest.mark.slow
@pytest.mark.parametrize("workers, seed", [(30, 2026), (30, 7), (50, 7), (80, 2026), (80, 7)])
def test_small_stations(tmp_path, workers, seed):
    _assert_safe(_station(tmp_path, workers, seed=seed))


@pytest.mark.slow
def test_two_hundred_worker_station(tmp_path):
    _assert_safe(_station(tmp_path, 200, seed=11))


@pytest.mark.slow
def test_two_thousand_worker_station(tmp_path):
    _assert_safe(_station(tmp_path, 2000, seed=12))


@pytest.mark.slow
def test_attacker_finds_the_old_leak(tmp_path):
    """The attacker is not blind: a site that publishes a hidden cell elsewhere is caught.
    Here the fund download is made to show a hidden statistics cell, as the fund pages
    used to (per item and quarter)."""
    import openpyxl

    built = _station(tmp_path, 20)
    attack = Attack(built.site)
    year, (row, span) = next((y, k) for y, st in sorted(attack.years.items())
                             for k, c in st["cells"].items() if c is None and k[0] != "*")
    records = read_records(built.records).records
    from generator.disclosure_audit import truth

    _, _, amount = truth(records, year, row, span, attack.years[year]["rows"], built.today)
    if amount == 0:
        pytest.skip("the first hidden cell has no amount")
    path = built.site / "funds/downloads/funds-summary.xlsx"
    wb = openpyxl.load_workbook(path)
    wb["支出用途"].append(["全部账户", year, f"帮扶发放：{row}", span, float(amount)])
    wb.save(path)
    found = leaks(Attack(built.site), records, built.today)
    assert any(f"row='{row}'" in f and f"span='{span}'" in f for f in found), found


def test_coarsening_merges_small_labels_and_periods():
    from decimal import Decimal

    from generator.site.disclosure_control import SCHEMES, Fact, coarsen, scheme_for

    def fact(who, quarter):
        return Fact(who, "生活救助", "生活救助", "F", quarter, Decimal(300), "深度困难", "下岗失业", "低保户")

    # a small label joins the rest; a rest still too small takes the smallest big label
    assert coarsen({"a": {"1"}, "b": {"2", "3", "4"}, "c": {"5", "6", "7", "8"}}, 3, "其他") == \
        {"a": "其他", "b": "其他", "c": "c"}
    assert coarsen({"a": {"1"}, "b": {"2"}, "c": {"3", "4", "5"}, "d": {"6", "7", "8", "9"}}, 3, "其他") == \
        {"a": "其他", "b": "其他", "c": "其他", "d": "d"}
    assert coarsen({"a": {"1", "2", "3"}, "b": set()}, 3, "其他") == {"a": "a", "b": "b"}
    # quarters with 3+ people each stay quarters; one small quarter makes half-years; else the year
    every_quarter = [fact(f"{q}{i}", q) for q in (1, 2, 3, 4) for i in range(3)]
    assert scheme_for(every_quarter, [1, 2, 3, 4], 3) == SCHEMES[0]
    halves = [fact(w, q) for w, q in (("A", 1), ("B", 2), ("C", 2), ("D", 3), ("E", 3), ("F", 3))]
    assert [s.label for s in scheme_for(halves, [1, 2, 3, 4], 3)] == ["上半年", "下半年"]
    assert scheme_for([fact("A", 1), fact("B", 3)], [1, 2, 3, 4], 3) == SCHEMES[2]
    # a year still running keeps only the quarters begun
    assert [s.quarters for s in scheme_for(halves, [1, 2, 3], 3)] == [(1, 2), (3,)]


def test_secondary_suppression_leaves_fixed_cells_and_protects_amounts():
    from decimal import Decimal

    from generator.site.disclosure_control import Grid

    def grid(fixed=frozenset()):
        # column c1 = a (1 person, 300) + b (4 people, 1200) + s (2 people of a service, 0) + d (5, 1500)
        g = Grid()
        cells = {"a": (1, 300), "b": (4, 300), "s": (2, 0), "d": (5, 300)}
        person = 0
        for key, (n, amount) in cells.items():
            for _ in range(n):
                person += 1
                g[key].add(person, Decimal(amount))
                g["total"].add(person, Decimal(amount))
        g.line(list(cells), "total", counts=False)
        g.suppress(3, fixed=fixed)
        return g

    g = grid()
    # a (primary) and s (primary, no cash) hidden: s protects no amount, so b goes too
    assert {k for k in ("a", "b", "s", "d") if g[k].hidden} == {"a", "b", "s"}
    g = grid(fixed={"b"})
    assert {k for k in ("a", "b", "s", "d") if g[k].hidden} == {"a", "s", "d"}


# --- 公示 pages ---------------------------------------------------------------------
@pytest.mark.slow
def test_list_amounts_follow_the_item_setting(demo_site):
    from decimal import Decimal

    from generator.money import yuan
    from generator.site.disclosure_control import band

    from site_helpers import Tables

    records = read_records(demo_site.records).records
    items = records.item_by_name
    assert items["大病救助"].amount_disclosure == "只显示项目"  # the demo's setting
    table = Tables(demo_site.page("notices/GS-2026-07/")).tables[0]
    assert table[0][-2:] == ["帮扶项目", "金额（元）"]
    payouts = records.payouts_by_batch["GS-2026-07"]
    assert len(table) - 1 == len(payouts)
    expected = sorted((p.item, "不公示" if p.item == "大病救助" else yuan(p.amount)) for p in payouts)
    assert sorted((r[-2], r[-1]) for r in table[1:]) == expected
    assert any(p.item == "大病救助" for p in payouts)
    # the summary lists items with 3+ entries only; the total stays (3+ amounts left out)
    text = demo_site.text("notices/GS-2026-07/")
    summary = next(t for t in Tables(demo_site.page("notices/GS-2026-07/")).tables if t[0][:2] == ["帮扶项目", "人次"])
    assert all(int(r[1]) >= 3 for r in summary[1:-1])
    assert sum(int(r[1]) for r in summary[1:-1]) == len(payouts)
    assert f"金额合计 {yuan(sum((p.amount for p in payouts), Decimal(0)))} 元" in text
    assert [band(Decimal(a)) for a in ("300", "1000", "1000.01", "9540.04", "25000")] == \
        ["500 元以下", "500–1,000 元", "1,000–2,000 元", "5,000–10,000 元", "20,000 元以上"]


@pytest.mark.slow
def test_superseded_notice_gives_its_outcome_as_counts(demo_site):
    from site_helpers import Tables

    records = read_records(demo_site.records).records
    text = demo_site.text("notices/GS-2025-04/")
    assert "原名单不再显示。异议 1 件成立，涉及 1 人次已取消；其余人员已在 GS-2025-05 重新公示。" in text
    tables = Tables(demo_site.page("notices/GS-2025-04/")).tables
    assert [t[0] for t in tables] == [["收到日期", "处理结果", "处理日期", "重新公示"]]  # no list, no summary
    for o in records.objections_by_batch["GS-2025-04"]:
        assert o.resolution and o.resolution not in text
    # the others are counted on the new notice (its names are already past their retention)
    assert Tables(demo_site.page("notices/GS-2025-05/")).tables[0][0][:2] == ["帮扶项目", "人次"]


@pytest.mark.slow
def test_build_refuses_a_site_that_gives_a_hidden_cell_back(tmp_path):
    """A station's own template that prints the fund figures the statistics hide: the
    build's audit works the cells out and publishes nothing."""
    from generator.build import build_all
    from generator.render import PACKAGE_TEMPLATES

    built = _station(tmp_path, 20)
    before = (built.site / "index.html").read_bytes()
    own = tmp_path / "site_templates" / "site"
    own.mkdir(parents=True)
    funds = (PACKAGE_TEMPLATES / "site" / "_funds.j2").read_text(encoding="utf-8")
    leaky = funds.replace('"—" if hidden[loop.index0] else a|yuan', "a|yuan")
    assert leaky != funds
    (own / "_funds.j2").write_text(leaky, encoding="utf-8")
    lines: list[str] = []
    code = build_all(built.records, site_dir=built.site, private_dir=None, today=built.today, pdf=False,
                     echo=lines.append)
    output = "\n".join(lines)
    assert code == 1, output
    assert "统计推算检查未通过" in output and "的金额" in output
    assert (built.site / "index.html").read_bytes() == before  # the old site stays


def test_the_download_is_read_again_only_when_its_spending_sheet_changed(tmp_path):
    """The audit keeps the spending rows of the summary workbook by the parts they are read
    from (disclosure_audit._sheet_key): a workbook whose other sheets changed (the title with
    the station's name) gives the same key, one whose spending sheet changed another."""
    import io

    import openpyxl

    from generator import disclosure_audit

    def book(title: str, amount) -> bytes:
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("支出用途")
        ws.append(["账户", "年度", "用途", "期间", "金额"])
        ws.append(["全部账户", 2026, "医疗救助", "一季度", amount])
        wb.create_sheet("说明").append([title])
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    a, b, c = book("甲站", 100), book("乙站", 100), book("甲站", 101)
    key = disclosure_audit._sheet_key
    assert a != b and key(a, "支出用途") == key(b, "支出用途") and key(a, "支出用途").startswith(b"parts")
    assert key(a, "支出用途") != key(c, "支出用途")
    assert key(a, "说明") != key(b, "说明")
    assert key(b"not a zip", "支出用途").startswith(b"whole") and key(a, "没有的表").startswith(b"whole")

    site = tmp_path / "site"
    (site / "funds/downloads").mkdir(parents=True)
    rows = []
    for data in (a, b, c):
        (site / "funds/downloads/funds-summary.xlsx").write_bytes(data)
        rows.append(_download(site))
    assert rows[0] == rows[1] == [("全部账户", 2026, "医疗救助", "一季度", 100)]
    assert rows[2] == [("全部账户", 2026, "医疗救助", "一季度", 101)]


def _download(site):
    attack = Attack.__new__(Attack)  # only the download is read
    attack.site = site
    return attack._download()


def test_the_derivations_are_worked_out_once_per_figures_read(tmp_path, monkeypatch):
    """The attack works from the figures it read alone (Attack._derived): the same figures, as
    after a saved station name under `bangfu serve`, give the derivations kept from the last
    audit without solving again; other figures (here a higher minimum cell) are solved anew,
    and each time the derivations are those of an attack that kept nothing."""
    from generator import disclosure_audit

    built = _station(tmp_path, 20)
    solved = []
    attack = Attack._attack
    monkeypatch.setattr(Attack, "_attack", lambda self: solved.append(self.min_cell) or attack(self))
    disclosure_audit._DERIVED.clear()
    first = Attack(built.site).derived
    again = Attack(built.site).derived
    assert solved == [3] and again == first and again is not first
    stricter = Attack(built.site, min_cell=5).derived
    assert solved == [3, 5]
    disclosure_audit._DERIVED.clear()
    assert Attack(built.site, min_cell=5).derived == stricter and solved == [3, 5, 5]
