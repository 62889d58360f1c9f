"""`bangfu merge`: a county centre and three small stations, written as real workbooks.

甲镇 and 乙镇 both registered 张晓明 (same identity number, files valid at the same time) and
both paid him 生活救助 in 2024 (每年 1 次); 乙镇 registered the county's own worker 李红 as a
family member; 甲镇's 大病救助 of 8,000 元 is above the 5,000 元 a station may approve alone
(the county's 梯次帮扶 sheet); 丙镇's workbook has an error. Every finding is asserted
exactly: (station, file, sheet, cell, code).
"""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest
from click.testing import CliRunner

from generator import places
from generator.cli import cli
from generator.network import merge as stages
from generator.network.merge import expand_folders, merge
from generator.network.store import open_store, write_station_tables

from station import TODAY, cell_of, idno, station_data, write_station

REGISTER, AID, POLICY = "困难职工档案.xlsx", "帮扶记录.xlsx", "帮扶政策.xlsx"
WORKERS, MEMBERS, PAYOUTS = "困难职工", "家庭成员", "帮扶发放"
ZHANG = idno("37010219780512003")  # 张晓明 (tests/station.py), registered at 甲镇 and 乙镇


def _ids(data: dict, n: int, keep_first: bool = False) -> dict:
    """Give a station its own people: identity numbers differ per station (same birth date
    and sex digit), except 张晓明's when `keep_first`."""
    def own(first17: str) -> str:
        return idno(first17[:14] + f"{n}{first17[15:]}")

    for row in data[REGISTER][WORKERS][(1 if keep_first else 0):]:
        row["身份证号"] = own(row["身份证号"][:17])
    for row in data[REGISTER][MEMBERS]:
        row["身份证号"] = own(row["身份证号"][:17])
    return data


def _smaller_medical(data: dict) -> dict:
    """大病救助 on 10,000 元 self-paid: 4,000 元, within what a station may approve."""
    row = data[AID][PAYOUTS][1]
    row["医疗自付费用"], row["金额"] = 10000, 4000
    return data


def county_data() -> dict:
    data = _smaller_medical(_ids(station_data(), 1))
    data[POLICY]["站点设置"][0]["值"] = "测试县总工会困难职工帮扶中心"
    data[POLICY]["梯次帮扶"] = [
        {"帮扶项目": None, "站点审批上限": 5000, "县级审批上限": 20000, "说明": "其他项目"},
        {"帮扶项目": "生活救助", "站点审批上限": 1000, "县级审批上限": None},
    ]
    return data


def jia_data() -> dict:
    return _ids(station_data(), 2, keep_first=True)


def yi_data() -> dict:
    data = _smaller_medical(_ids(station_data(), 3, keep_first=True))
    spouse = data[REGISTER][MEMBERS][0]  # 李红, the county's worker SF-0002, is 乙镇's SF-0001's wife
    county_li = county_data()[REGISTER][WORKERS][1]
    spouse.update({"姓名": county_li["姓名"], "身份证号": county_li["身份证号"], "出生日期": county_li["出生日期"]})
    return data


def bing_data() -> dict:
    data = _smaller_medical(_ids(station_data(), 4))
    data[AID][PAYOUTS][0]["金额"] = "见附件"  # an error: 丙镇 is reported, its figures left out
    return data


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    root = tmp_path_factory.mktemp("county")
    county = write_station(root / "县中心" / "records", county_data())
    stations = root / "各站"
    for name, data in (("甲镇", jia_data()), ("乙镇", yi_data()), ("丙镇", bing_data())):
        write_station(stations / name, data)
    return county, stations


@pytest.fixture(scope="module")
def merged(network):
    county, stations = network
    return merge([stations], county, today=TODAY)


def _key(sp):
    p = sp.problem
    return sp.station, p.file, p.sheet, p.cell, p.code


def test_station_folders_are_expanded_in_name_order_and_keyed_by_folder(network, merged):
    county, stations = network
    assert [f.name for f in expand_folders([stations])] == ["丙镇", "乙镇", "甲镇"]
    assert merged.network.county.key == "县中心"  # …/县中心/records: the folder above `records`
    assert [(r.key, r.counted) for r in merged.network.stations] == [("丙镇", False), ("乙镇", True), ("甲镇", True)]


def test_every_station_problem_is_reported_with_its_station(merged):
    own = {(sp.station, sp.problem.file, sp.problem.sheet, sp.problem.cell, sp.problem.code)
           for sp in merged.all_problems() if sp not in merged.network.problems}
    assert own == {("丙镇", AID, PAYOUTS, cell_of(PAYOUTS, "金额", 0), "type-money")}


def test_cross_station_findings_name_both_sides(merged):
    id_col, item_col = cell_of(WORKERS, "身份证号", 0)[0], cell_of(PAYOUTS, "帮扶项目", 0)[0]
    approved = cell_of(PAYOUTS, "上级批准日期", 1)
    assert {_key(sp) for sp in merged.network.problems} == {
        ("甲镇", REGISTER, WORKERS, f"{id_col}2", "network-duplicate-person"),
        ("乙镇", REGISTER, WORKERS, f"{id_col}2", "network-duplicate-person"),
        ("甲镇", AID, PAYOUTS, f"{item_col}2", "network-double-payout"),
        ("乙镇", AID, PAYOUTS, f"{item_col}2", "network-double-payout"),
        ("乙镇", REGISTER, MEMBERS, cell_of(MEMBERS, "身份证号", 0), "network-member-is-worker"),
        ("县中心", REGISTER, WORKERS, f"{id_col}3", "network-member-is-worker"),
        ("甲镇", AID, PAYOUTS, approved, "network-escalation-open"),
    }
    by = {_key(sp): sp.problem.message for sp in merged.network.problems}
    duplicate = by[("甲镇", REGISTER, WORKERS, f"{id_col}2", "network-duplicate-person")]
    assert f"乙镇（困难职工档案.xlsx“困难职工”表 {id_col}2，档案编号 SF-0001）" in duplicate
    assert ZHANG not in duplicate and ZHANG[:6] in duplicate  # masked
    paid_twice = by[("乙镇", AID, PAYOUTS, f"{item_col}2", "network-double-payout")]
    assert "2024 年" in paid_twice and f"甲镇（帮扶记录.xlsx“帮扶发放”表 {item_col}2" in paid_twice
    member = by[("乙镇", REGISTER, MEMBERS, cell_of(MEMBERS, "身份证号", 0), "network-member-is-worker")]
    assert "档案 SF-0001 的家庭成员" in member and "县中心（困难职工档案.xlsx“困难职工”表" in member


def test_escalation_case_goes_to_the_county(merged):
    assert [(c.station, c.level, c.record_no, c.item, c.amount, c.limit, c.open) for c in merged.cases] == [
        ("甲镇", "county", "FF-0002", "大病救助", 8000, 5000, True)]


def test_the_station_with_errors_does_not_block_the_others(merged):
    assert merged.exit_code == 1
    assert [r.key for r in merged.network.counted()] == ["乙镇", "甲镇"]


def test_merge_writes_the_problems_list_and_work_list_beside_the_county(network, merged):
    county, _ = network
    private = places.network_private_dir(county)
    assert private == county.parent / "network-private"  # beside 县中心/records
    text = (private / stages.PROBLEMS_TEXT).read_text(encoding="utf-8")
    assert "===== 站点 丙镇：测试镇总工会困难职工帮扶站" in text and "（有错误，未计入汇总数字）" in text
    assert "[network-duplicate-person]" in text
    rows = json.loads((private / stages.PROBLEMS_JSON).read_text(encoding="utf-8"))
    assert {(r["station"], r["cross_station"], r["code"]) for r in rows if r["station"] == "丙镇"} == {
        ("丙镇", False, "type-money")}
    assert len(rows) == 8
    cases = list(openpyxl.load_workbook(private / stages.CASES_BOOK)["梯次帮扶"].iter_rows(min_row=3, values_only=True))
    assert [row[:7] + row[9:11] for row in cases] == [
        ("甲镇", "FF-0002", "SF-0002", "大病救助", 8000, 5000, "县中心", None, "待批准")]
    work = (private / stages.WORK_LIST_TEXT).read_text(encoding="utf-8")
    assert "上级审批（梯次帮扶）：甲镇 SF-0002" in work
    assert "甲镇 FF-0002 大病救助 8,000.00 元，超过站点审批上限 5,000.00 元：县中心审批" in work


def test_an_approved_case_is_no_longer_open_and_the_city_takes_the_largest(tmp_path):
    county = write_station(tmp_path / "县中心", county_data())
    data = jia_data()
    data[AID][PAYOUTS][1]["上级批准日期"] = date(2024, 4, 8)
    data[AID][PAYOUTS][0].update({"金额": 300})
    write_station(tmp_path / "甲镇", data)
    big = county_data()
    big[POLICY]["梯次帮扶"][0]["县级审批上限"] = 6000  # 甲镇's 8,000 now needs the city
    write_station(tmp_path / "县中心2", big)
    first = merge([tmp_path / "甲镇"], county, today=TODAY, write=False)
    assert [(c.level, c.open) for c in first.cases] == [("county", False)]
    assert [sp.problem.code for sp in first.network.problems] == []
    second = merge([tmp_path / "甲镇"], tmp_path / "县中心2", today=TODAY, write=False)
    assert [(c.station, c.level, c.limit) for c in second.cases] == [("甲镇", "city", 6000)]


def test_no_limits_means_nothing_is_escalated(tmp_path):
    county = write_station(tmp_path / "县中心", _ids(station_data(), 1))
    write_station(tmp_path / "甲镇", jia_data())
    outcome = merge([tmp_path / "甲镇"], county, today=TODAY, write=False)
    assert outcome.cases == [] and outcome.exit_code == 0


def test_a_worker_who_moved_is_not_a_duplicate(tmp_path):
    """甲镇 closed 张晓明's file (调离或迁出) before 乙镇 opened one: no 重复建档."""
    county = write_station(tmp_path / "县中心", _ids(station_data(), 1))
    jia = jia_data()
    jia[REGISTER][WORKERS][0].update({"档案状态": "注销", "结档日期": date(2024, 3, 5), "结档原因": "调离或迁出",
                                       "建档日期": date(2023, 1, 5), "申请日期": date(2023, 1, 2),
                                       "建档公示批次": None})
    jia[AID][PAYOUTS].pop(0)
    write_station(tmp_path / "甲镇", jia)
    write_station(tmp_path / "乙镇", _ids(station_data(), 3, keep_first=True))
    outcome = merge([tmp_path / "甲镇", tmp_path / "乙镇"], county, today=TODAY, write=False)
    assert [sp.problem.code for sp in outcome.network.problems if "duplicate" in sp.problem.code] == []


def test_store_keeps_no_station_key_in_its_files(tmp_path, network):
    """A cache may keep a station's table files under its content hash: the key is given
    when the store opens."""
    county, stations = network
    from generator.pipeline import check_folder

    records = check_folder(stations / "甲镇", TODAY).records
    write_station_tables(records, tmp_path / "a")
    with open_store({"X": tmp_path / "a", "Y": tmp_path / "a"}) as store:
        assert store.sql("SELECT station, count(*) FROM workers GROUP BY ALL ORDER BY 1").fetchall() == [
            ("X", 2), ("Y", 2)]


@pytest.mark.slow  # builds the county site (mkdocs, leak scan)
def test_cli_merge(network):
    county, stations = network
    result = CliRunner().invoke(cli, ["merge", str(stations), "--into", str(county), "--today", "2026-11-23"])
    assert result.exit_code == 1, result.output
    assert "共 4 个记录文件夹（含县中心），3 个没有错误、计入汇总" in result.output
    assert "未计入汇总数字的：丙镇（有错误）。" in result.output


def test_an_unreadable_station_is_reported_and_the_others_still_merge(tmp_path):
    county = write_station(tmp_path / "县中心", county_data())
    write_station(tmp_path / "甲镇", jia_data())
    missing = tmp_path / "乙镇"
    outcome = merge([tmp_path / "甲镇", missing], county, today=TODAY, write=False)
    assert outcome.exit_code == 2
    assert {(sp.station, sp.problem.code) for sp in outcome.all_problems()} == {
        ("乙镇", "folder-missing"), ("甲镇", "network-escalation-open")}
    assert [r.key for r in outcome.network.counted()] == ["甲镇"]


def test_a_limit_may_name_an_item_group(tmp_path):
    """A row for 医疗救助 (项目类别) covers 大病救助; the row for the item itself would win."""
    data = county_data()
    data[POLICY]["梯次帮扶"].append({"帮扶项目": "医疗救助", "站点审批上限": 3000, "县级审批上限": 3500})
    county = write_station(tmp_path / "县中心", data)
    write_station(tmp_path / "乙镇", _smaller_medical(_ids(station_data(), 3)))
    outcome = merge([tmp_path / "乙镇"], county, today=TODAY, write=False)
    assert [(c.station, c.level, c.item, c.amount, c.limit) for c in outcome.cases] == [
        ("县中心", "city", "大病救助", 4000, 3500), ("乙镇", "city", "大病救助", 4000, 3500)]


def test_realistic_stations_with_different_people_give_no_false_findings(tmp_path):
    """Three demo stations (bangfu demo-data, different seeds): no person in two of them, so
    no cross-station finding; the escalation cases are exactly the live payouts above the
    county's limit, counted here from each station's records."""
    from generator.demo import write_demo
    from generator.pipeline import check_folder
    from generator.records import is_void

    for seed in (1, 2, 3):
        write_demo(tmp_path / "各站" / f"站{seed}", workers=20, payouts=60, seed=seed, today=TODAY)
    county = write_station(tmp_path / "县中心", county_data())
    outcome = merge([tmp_path / "各站"], county, today=TODAY, write=False)
    assert [(r.key, r.counted) for r in outcome.network.stations] == [("站1", True), ("站2", True), ("站3", True)]
    assert [sp for sp in outcome.network.problems if sp.problem.code != "network-escalation-open"] == []
    expected = set()
    for n in (1, 2, 3):
        records = check_folder(tmp_path / "各站" / f"站{n}", TODAY).records
        for p in records.payouts:
            limit = 1000 if p.item == "生活救助" else 5000
            if not is_void(p) and p.amount is not None and p.amount > limit:
                expected.add((f"站{n}", p.record_no, "city" if p.amount > 20000 and p.item != "生活救助" else "county"))
    assert expected  # the demo pays 两节送温暖 3,000 and 金秋助学 5,000: some exceed 5,000 (大学)
    assert {(c.station, c.record_no, c.level) for c in outcome.cases if c.station != "县中心"} == expected


def test_the_county_limits_are_checked(tmp_path):
    data = county_data()
    data[POLICY]["梯次帮扶"] += [
        {"帮扶项目": "生活救助", "站点审批上限": 500},  # a second row for 生活救助: merge would ignore it
        {"帮扶项目": "助学", "站点审批上限": 3000, "县级审批上限": 2000},  # the county may approve less
    ]
    county = write_station(tmp_path / "县中心", data)
    from generator.pipeline import check_folder

    got = {(p.sheet, p.cell, p.code) for p in check_folder(county, TODAY).problems}
    assert got == {("梯次帮扶", "A4", "escalation-item-repeated"), ("梯次帮扶", "C5", "escalation-limits-order")}


def test_a_mistyped_county_folder_writes_nothing(tmp_path):
    write_station(tmp_path / "甲镇", jia_data())
    result = CliRunner().invoke(cli, ["merge", str(tmp_path / "甲镇"), "--into", str(tmp_path / "县中新" / "records"),
                                      "--today", "2026-11-23"])
    assert result.exit_code == 2
    assert "找不到记录文件夹" in result.output and "没有写出汇总材料" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["甲镇"]
