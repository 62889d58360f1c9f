"""`bangfu merge` against what a real county's records look like over several years and on
the county clerk's machine (an independent check of the merge core, written apart from it).

Every scenario writes real workbooks (tests/station.py) and asserts the exact set of
(station, file, sheet, cell, code) the merge reports. The stations reuse test_network's
county, 甲镇 and 乙镇: 张晓明 (SF-0001) is registered at both 甲镇 and 乙镇; the county's
梯次帮扶 sheet lets a station approve 5,000 元 alone (生活救助: 1,000 元), the county 20,000 元.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest
from test_network import AID, MEMBERS, PAYOUTS, POLICY, REGISTER, WORKERS, _ids, county_data, jia_data

from generator.network.merge import expand_folders, merge

from station import ID_CHILD, TODAY, cell_of, idno, station_data, write_station

NOISE = {"never-helped"}  # a station's own reminder, not what these scenarios are about


def _found(outcome, cross_only: bool = True) -> set[tuple]:
    found = outcome.network.problems if cross_only else outcome.all_problems()
    return {(sp.station, sp.problem.file, sp.problem.sheet, sp.problem.cell, sp.problem.code)
            for sp in found if sp.problem.code not in NOISE}


def _yi(keep_first: bool = True) -> dict:
    """乙镇: its own people but 张晓明 (when keep_first), no 大病救助 payout."""
    data = _ids(station_data(), 3, keep_first=keep_first)
    data[AID][PAYOUTS].pop(1)
    return data


@pytest.fixture
def county(tmp_path):
    return write_station(tmp_path / "县中心" / "records", county_data())


# --- rules over time ------------------------------------------------------------------

def _moved(tmp_path, county, closed: date):
    """甲镇 closed 张晓明's file (调离或迁出, opened 2023) on `closed`; 乙镇 opened his new
    file on 2024-03-10."""
    jia = jia_data()
    jia[REGISTER][WORKERS][0].update({"档案状态": "注销", "结档日期": closed, "结档原因": "调离或迁出",
                                       "建档日期": date(2023, 1, 5), "申请日期": date(2023, 1, 2),
                                       "建档公示批次": None})
    jia[POLICY]["低保标准"].insert(0, {"年度": 2023, "每人每月金额": 990})
    del jia[AID][PAYOUTS][:]
    write_station(tmp_path / "各站" / "甲镇", jia)
    write_station(tmp_path / "各站" / "乙镇", _yi())
    return merge([tmp_path / "各站"], county, today=TODAY, write=False)


def test_a_worker_handed_over_on_the_day_the_old_file_closed_is_not_a_duplicate(tmp_path, county):
    """The files were never valid at the same time (a file is valid up to its closing day)."""
    assert _found(_moved(tmp_path, county, date(2024, 3, 10))) == set()


def test_a_file_closed_one_day_after_the_other_opened_is_a_duplicate(tmp_path, county):
    """The boundary the other way: one day of overlap is 重复建档 on both sides."""
    outcome = _moved(tmp_path, county, date(2024, 3, 11))
    id_cell = cell_of(WORKERS, "身份证号", 0)
    assert _found(outcome) == {("甲镇", REGISTER, WORKERS, id_cell, "network-duplicate-person"),
                               ("乙镇", REGISTER, WORKERS, id_cell, "network-duplicate-person")}


# --- 梯次帮扶: the level above's approval date ----------------------------------------------

def _approved_on(tmp_path, county, day):
    jia = jia_data()
    jia[AID][PAYOUTS][1]["上级批准日期"] = day  # 大病救助 8,000 元: applied 2024-03-21, paid 2024-04-12
    write_station(tmp_path / "甲镇", jia)
    return merge([tmp_path / "甲镇"], county, today=TODAY, write=False)


def test_an_approval_before_the_payout_closes_the_case(tmp_path, county):
    outcome = _approved_on(tmp_path, county, date(2024, 4, 8))
    assert [(c.record_no, c.open) for c in outcome.cases] == [("FF-0002", False)]
    assert _found(outcome) == set()


def test_paid_before_the_level_above_approved_is_reported(tmp_path, county):
    """The county approved on 2024-05-20, but 甲镇 paid the 8,000 元 on 2024-04-12: the
    station decided above its own limit. The case is closed, the order is not right."""
    outcome = _approved_on(tmp_path, county, date(2024, 5, 20))
    assert [(c.record_no, c.open) for c in outcome.cases] == [("FF-0002", False)]
    assert _found(outcome) == {("甲镇", AID, PAYOUTS, cell_of(PAYOUTS, "上级批准日期", 1),
                                "network-escalation-paid-first")}
    message = outcome.network.problems[0].problem.message
    assert "2024-05-20" in message and "2024-04-12" in message and "县中心" in message


def test_an_approval_before_the_application_is_a_date_error(tmp_path, county):
    outcome = _approved_on(tmp_path, county, date(2024, 1, 2))
    assert _found(outcome) == {("甲镇", AID, PAYOUTS, cell_of(PAYOUTS, "上级批准日期", 1),
                                "network-escalation-approved-early")}
    assert outcome.exit_code == 1
    message = outcome.network.problems[0].problem.message
    assert "2024-01-02" in message and "2024-03-21" in message


# --- the county clerk's machine ----------------------------------------------------------

def test_a_station_folder_without_workbooks_is_reported_not_skipped(tmp_path, county):
    """丁镇 has not sent its workbooks yet; 戊镇 sent them one folder too deep. Neither may
    vanish from the merge silently: both are reported as stations whose workbooks are
    missing. Hidden folders and bangfu's own output folders are not stations."""
    stations = tmp_path / "各站"
    write_station(stations / "甲镇", jia_data())
    (stations / "丁镇").mkdir()
    write_station(stations / "戊镇" / "2026年", _ids(station_data(), 5))
    (stations / ".git").mkdir()
    (stations / "network-private").mkdir()
    (stations / "network-private" / ".bangfu-network").write_text("", encoding="utf-8")
    assert [f.name for f in expand_folders([stations])] == ["丁镇", "戊镇", "甲镇"]
    outcome = merge([stations], county, today=TODAY, write=False)
    assert outcome.exit_code == 2
    missing = {(sp.station, sp.problem.file, sp.problem.code) for sp in outcome.all_problems()
               if sp.problem.code == "file-missing"}
    books = ("困难职工档案.xlsx", "帮扶记录.xlsx", "帮扶资金.xlsx", "帮扶政策.xlsx")
    assert missing == {(s, b, "file-missing") for s in ("丁镇", "戊镇") for b in books}
    assert [(r.key, r.counted) for r in outcome.network.stations] == [("丁镇", False), ("戊镇", False), ("甲镇", True)]


# --- the same person paid over time: periods, students, void payouts ---------------------

CHILD_2 = idno("37010220100303002")  # 张小雨, 张晓明's second child
ITEMS = (
    {"项目名称": "金秋助学", "项目类别": "助学", "标准方式": "固定金额", "固定金额": 3000, "收入条件": "不限",
     "对象条件": "子女上学", "所需材料": "录取通知书", "办理时限": 6, "频次": "每学年", "频次单位": "每名受助对象",
     "次数上限": 1, "需公示": "否"},
    {"项目名称": "两节送温暖", "项目类别": "送温暖", "标准方式": "固定金额", "固定金额": 1000, "收入条件": "不限",
     "对象条件": "困难职工", "所需材料": "无", "办理时限": 6, "频次": "每个节日季", "次数上限": 1, "需公示": "否"},
    {"项目名称": "季度慰问", "项目类别": "生活救助", "标准方式": "固定金额", "固定金额": 200, "收入条件": "不限",
     "对象条件": "困难职工", "所需材料": "无", "办理时限": 6, "频次": "每季度", "次数上限": 1, "需公示": "否"},
)


def _pay(no: str, item: str, day: date, amount: int, student: str | None = None, state: str | None = None):
    return {"记录编号": no, "档案编号": "SF-0001", "姓名": "张晓明", "帮扶项目": item, "受助对象": student,
            "办理状态": state, "申请日期": day, "批准日期": day, "发放日期": day, "金额": amount,
            "资金账户": "地方财政配套资金", "发放方式": "银行卡", "已签收": "是", "签收日期": day}


def _paid_by_both(tmp_path, county, jia_pays: list, yi_pays: list):
    """张晓明's household (with a second child, 张小雨) registered at 甲镇 and 乙镇, each
    paying what is given; returns the merge's outcome."""
    jia, yi = jia_data(), _ids(station_data(), 3, keep_first=True)
    jia[REGISTER][MEMBERS].append({"档案编号": "SF-0001", "姓名": "张小雨", "与户主关系": "子女", "性别": "女",
                                   "出生日期": date(2010, 3, 3), "身份证号": CHILD_2, "身份": "学生"})
    yi[REGISTER][MEMBERS] = [dict(m) for m in jia[REGISTER][MEMBERS]]
    for data, pays in ((jia, jia_pays), (yi, yi_pays)):
        data[POLICY]["帮扶项目"] += [dict(item) for item in ITEMS]
        data[AID][PAYOUTS] = pays
    write_station(tmp_path / "各站" / "甲镇", jia)
    write_station(tmp_path / "各站" / "乙镇", yi)
    return merge([tmp_path / "各站"], county, today=TODAY, write=False)


def _double(outcome) -> set[tuple]:
    return {key for key in _found(outcome) if key[-1] == "network-double-payout"}


BOTH_PAID = {("甲镇", AID, PAYOUTS, cell_of(PAYOUTS, "帮扶项目", 0), "network-double-payout"),
             ("乙镇", AID, PAYOUTS, cell_of(PAYOUTS, "帮扶项目", 0), "network-double-payout")}


@pytest.mark.parametrize("jia_pay, yi_pay, expected", [
    # 助学 is per student: two children of one household may each receive it
    (("金秋助学", date(2024, 8, 1), 3000, "张小宇"), ("金秋助学", date(2024, 8, 5), 3000, "张小雨"), set()),
    # the same student in one school year (July to June) …
    (("金秋助学", date(2024, 8, 1), 3000, "张小宇"), ("金秋助学", date(2025, 5, 5), 3000, "张小宇"), BOTH_PAID),
    # … and in the next one
    (("金秋助学", date(2024, 8, 1), 3000, "张小宇"), ("金秋助学", date(2025, 7, 5), 3000, "张小宇"), set()),
    # 两节送温暖: December belongs to the coming festival season
    (("两节送温暖", date(2024, 12, 26), 1000), ("两节送温暖", date(2025, 1, 10), 1000), BOTH_PAID),
    (("两节送温暖", date(2024, 1, 10), 1000), ("两节送温暖", date(2024, 12, 26), 1000), set()),
    # quarters
    (("季度慰问", date(2024, 3, 30), 200), ("季度慰问", date(2024, 4, 1), 200), set()),
    (("季度慰问", date(2024, 4, 30), 200), ("季度慰问", date(2024, 6, 1), 200), BOTH_PAID),
    # 每年: across the year end, two years
    (("生活救助", date(2024, 12, 30), 300), ("生活救助", date(2025, 1, 4), 300), set()),
], ids=["two-students", "same-school-year", "next-school-year", "festival-across-year-end",
        "two-festival-seasons", "two-quarters", "same-quarter", "two-years"])
def test_the_same_item_paid_by_two_stations_counts_per_period_and_per_student(
        tmp_path, county, jia_pay, yi_pay, expected):
    assert _double(_paid_by_both(tmp_path, county, [_pay("FF-A1", *jia_pay)], [_pay("FF-B1", *yi_pay)])) == expected


def test_a_student_paid_twice_is_named(tmp_path, county):
    """助学 is per student: the finding says which child of the household was paid twice."""
    outcome = _paid_by_both(tmp_path, county, [_pay("FF-A1", "金秋助学", date(2024, 8, 1), 3000, "张小宇")],
                            [_pay("FF-B1", "金秋助学", date(2025, 5, 5), 3000, "张小宇")])
    messages = {sp.problem.message for sp in outcome.network.problems if sp.problem.code == "network-double-payout"}
    assert len(messages) == 2 and all("档案 SF-0001（受助对象 张小宇） 在2024–2025 学年" in m for m in messages)


def test_a_cancelled_payout_at_the_other_station_counts_for_nothing(tmp_path, county):
    outcome = _paid_by_both(tmp_path, county, [_pay("FF-A1", "生活救助", date(2024, 4, 1), 300)],
                            [_pay("FF-B1", "生活救助", date(2024, 6, 1), 300, state="已撤销")])
    assert _double(outcome) == set()


@pytest.mark.parametrize("left_hardship", [True, False])
def test_a_child_registered_as_a_worker_after_the_household_left_hardship(tmp_path, county, left_hardship):
    """乙镇's household (张小宇 a member) left hardship on 2024-03-01; 张小宇 opened his own
    file at 甲镇 on 2024-03-10: the member row ended with the file, no finding. While the
    household's file is still open, both sides hear of it."""
    jia = jia_data()
    jia[REGISTER][WORKERS][0].update({"身份证号": ID_CHILD, "姓名": "张小宇", "出生日期": date(2008, 9, 9)})
    yi = _ids(station_data(), 3)
    yi[REGISTER][MEMBERS][1]["身份证号"] = ID_CHILD
    if left_hardship:
        yi[REGISTER][WORKERS][0].update({"档案状态": "脱困", "结档日期": date(2024, 3, 1), "结档原因": "收入提高"})
    write_station(tmp_path / "各站" / "甲镇", jia)
    write_station(tmp_path / "各站" / "乙镇", yi)
    outcome = merge([tmp_path / "各站"], county, today=TODAY, write=False)
    expected = set() if left_hardship else {
        ("甲镇", REGISTER, WORKERS, cell_of(WORKERS, "身份证号", 0), "network-member-is-worker"),
        ("乙镇", REGISTER, MEMBERS, cell_of(MEMBERS, "身份证号", 1), "network-member-is-worker")}
    assert {key for key in _found(outcome) if key[-1] != "network-escalation-open"} == expected


# --- the county's 梯次帮扶 sheet as a clerk types it ------------------------------------------

@pytest.mark.parametrize("typed", ["5000元", "伍仟元", "5,000", "5000.00 元"])
def test_a_limit_typed_as_text_still_escalates(tmp_path, typed):
    data = county_data()
    data[POLICY]["梯次帮扶"][0]["站点审批上限"] = typed
    county = write_station(tmp_path / "县中心", data)
    write_station(tmp_path / "甲镇", jia_data())
    outcome = merge([tmp_path / "甲镇"], county, today=TODAY, write=False)
    assert [(c.record_no, c.level, c.limit) for c in outcome.cases] == [("FF-0002", "county", 5000)]


@pytest.mark.parametrize("typed", ["不限", "无", "-", " 不设上限 "])
def test_no_limit_typed_in_words_reads_as_no_limit(tmp_path, typed):
    """A county clerk writes 不限 rather than leaving the cell blank: no problem, and the
    county's own figures stay counted; the other limit on the row still applies."""
    data = county_data()
    data[POLICY]["梯次帮扶"][0].update({"站点审批上限": 5000, "县级审批上限": typed})
    county = write_station(tmp_path / "县中心", data)
    write_station(tmp_path / "甲镇", jia_data())
    outcome = merge([tmp_path / "甲镇"], county, today=TODAY, write=False)
    assert outcome.network.county.outcome.problems == []
    assert [(c.record_no, c.level, c.limit) for c in outcome.cases] == [("FF-0002", "county", 5000)]


def test_an_amount_equal_to_the_limit_is_not_above_it(tmp_path):
    data = county_data()
    data[POLICY]["梯次帮扶"][0]["站点审批上限"] = 8000  # 甲镇's 大病救助 is 8,000 元
    county = write_station(tmp_path / "县中心", data)
    write_station(tmp_path / "甲镇", jia_data())
    assert merge([tmp_path / "甲镇"], county, today=TODAY, write=False).cases == []


def test_a_limit_for_an_item_nobody_pays_is_reported_at_the_county(tmp_path):
    """大病求助 (a typo of 大病救助) would silently never apply; 医疗救助 (a 项目类别) and
    生活救助 (an item) are fine."""
    data = county_data()
    data[POLICY]["梯次帮扶"] += [{"帮扶项目": "大病求助", "站点审批上限": 1000},
                                 {"帮扶项目": "医疗救助", "站点审批上限": 9000}]
    county = write_station(tmp_path / "县中心", data)
    write_station(tmp_path / "甲镇", jia_data())
    outcome = merge([tmp_path / "甲镇"], county, today=TODAY, write=False)
    assert _found(outcome) == {("县中心", POLICY, "梯次帮扶", "A4", "network-escalation-unknown-item")}
    assert "大病求助" in outcome.network.problems[0].problem.message
    assert outcome.cases == []  # 医疗救助's 9,000 元 covers 甲镇's 8,000 元 大病救助


# --- the county clerk's machine: folders ----------------------------------------------------

def test_the_same_station_received_twice_is_merged_once(tmp_path, county):
    """甲镇 and its copy 甲镇 - 副本 (identical workbooks): merged twice, every person would be a
    重复建档 and every payout a 重复发放. Merged once, with a warning that names both folders."""
    stations = tmp_path / "各站"
    write_station(stations / "甲镇", jia_data())
    shutil.copytree(stations / "甲镇", stations / "甲镇 - 副本")
    outcome = merge([stations], county, today=TODAY, write=False)
    assert [r.key for r in outcome.network.stations] == ["甲镇"]
    assert _found(outcome) == {("甲镇", str(stations / "甲镇 - 副本"), "", "", "network-station-copy"),
                               ("甲镇", AID, PAYOUTS, cell_of(PAYOUTS, "上级批准日期", 1), "network-escalation-open")}
    copy = next(sp.problem for sp in outcome.network.problems if sp.problem.code == "network-station-copy")
    assert str(stations / "甲镇 - 副本") in copy.message and str(stations / "甲镇") in copy.message


def _hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _clerks_folders(tmp_path) -> tuple[Path, Path]:
    county = write_station(tmp_path / "县 中心" / "records", county_data())
    stations = tmp_path / "各 站"
    write_station(stations / "甲镇 (2026)", jia_data())
    write_station(stations / "乙 镇", _yi(keep_first=False))
    return county, stations


RELATIVE = ([Path("."), Path(".."), Path("../../县 中心")], Path("../../县 中心/records"))


def _new_files_only_beside_the_county(tmp_path, before: dict) -> None:
    after = _hashes(tmp_path)
    assert {k: v for k, v in after.items() if k in before} == before  # no input changed
    new = set(after) - set(before)
    assert "县 中心/network-private/问题清单.txt" in new
    assert [k for k in new if k.startswith(("各 站/", "县 中心/records/"))] == []


def test_merge_from_another_folder_with_spaces_touches_no_input(tmp_path, monkeypatch):
    """The clerk runs the merge from inside a station folder, with relative paths, folder
    names with spaces and Chinese, the county folder listed among the stations and one
    station given twice: every workbook is left byte for byte as it was, the county is not
    merged as a station, and nothing is written into a records or station folder."""
    county, stations = _clerks_folders(tmp_path)
    before = _hashes(tmp_path)
    monkeypatch.chdir(stations / "甲镇 (2026)")
    outcome = merge(RELATIVE[0], RELATIVE[1], today=TODAY)
    assert (outcome.exit_code, [r.key for r in outcome.network.stations]) == (0, ["甲镇 (2026)", "乙 镇"])
    _new_files_only_beside_the_county(tmp_path, before)


@pytest.mark.slow
def test_cli_merge_from_another_folder_touches_no_input(tmp_path, monkeypatch):
    """The same through `bangfu merge`, which also builds the county's report and site."""
    from click.testing import CliRunner

    from generator.cli import cli

    county, stations = _clerks_folders(tmp_path)
    before = _hashes(tmp_path)
    monkeypatch.chdir(stations / "甲镇 (2026)")
    result = CliRunner().invoke(cli, ["merge", *map(str, RELATIVE[0]), "--into", str(RELATIVE[1]),
                                      "--today", "2026-11-23"])
    assert isinstance(result.exception, (SystemExit, type(None))), result.exception
    assert result.exit_code == 0, result.output
    assert "共 3 个记录文件夹（含县中心），3 个没有错误、计入汇总" in result.output
    _new_files_only_beside_the_county(tmp_path, before)


@pytest.mark.slow
def test_stations_sent_as_xls_and_ods_are_merged_and_named_by_their_files(tmp_path, county):
    """Two stations saved by their own programs as .xls and .ods (LibreOffice): read as the
    .xlsx one is, and every finding names the station's real file."""
    from office import convert

    for fmt, n in (("xls", 5), ("ods", 6)):
        source = write_station(tmp_path / "src" / fmt, _ids(station_data(), n, keep_first=True))
        convert(sorted(source.glob("*.xlsx")), fmt, tmp_path / "各站" / f"{fmt}镇")
    write_station(tmp_path / "各站" / "甲镇", jia_data())
    before = _hashes(tmp_path / "各站")
    outcome = merge([tmp_path / "各站"], county, today=TODAY, write=False)
    assert _hashes(tmp_path / "各站") == before
    assert [(r.key, r.counted) for r in outcome.network.stations] == [("ods镇", True), ("xls镇", True), ("甲镇", True)]
    id_cell, item_cell = cell_of(WORKERS, "身份证号", 0), cell_of(PAYOUTS, "帮扶项目", 0)
    approved = cell_of(PAYOUTS, "上级批准日期", 1)
    assert _found(outcome) == {
        (s, f"困难职工档案.{ext}", WORKERS, id_cell, "network-duplicate-person") for s, ext in
        (("ods镇", "ods"), ("xls镇", "xls"), ("甲镇", "xlsx"))} | {
        (s, f"帮扶记录.{ext}", PAYOUTS, item_cell, "network-double-payout") for s, ext in
        (("ods镇", "ods"), ("xls镇", "xls"), ("甲镇", "xlsx"))} | {
        (s, f"帮扶记录.{ext}", PAYOUTS, approved, "network-escalation-open") for s, ext in
        (("ods镇", "ods"), ("xls镇", "xls"), ("甲镇", "xlsx"))}
    duplicates = sorted(sp.problem.message for sp in outcome.network.problems
                        if sp.station == "甲镇" and sp.problem.code == "network-duplicate-person")
    assert [("ods镇（困难职工档案.ods“困难职工”表" in m, "xls镇（困难职工档案.xls“困难职工”表" in m)
            for m in duplicates] == [(True, False), (False, True)]


def test_limits_change_over_the_years_and_each_payout_takes_the_one_in_force(tmp_path):
    """The county let stations approve up to 10,000 元 alone until 2025 and lowered it to
    5,000 元 from 2026-01-01 (a new row, the old one kept). 甲镇's 8,000 元 of 2024 was
    within its limit then; the same amount applied for in 2026 goes to the county. Two rows
    for the same item with different 起始日期 are not a repeated row."""
    data = county_data()
    data[POLICY]["梯次帮扶"] = [
        {"帮扶项目": None, "站点审批上限": 10000, "县级审批上限": 20000},
        {"帮扶项目": None, "站点审批上限": 5000, "县级审批上限": 20000, "起始日期": date(2026, 1, 1)},
    ]
    county = write_station(tmp_path / "县中心", data)
    jia = jia_data()
    later = dict(jia[AID][PAYOUTS][1], 记录编号="FF-0003", 公示批次=None, 核实日期=None, 签收日期=None,
                 申请日期=date(2026, 3, 2), 批准日期=date(2026, 3, 20), 发放日期=date(2026, 3, 24))
    jia[AID][PAYOUTS].append(later)
    write_station(tmp_path / "甲镇", jia)
    outcome = merge([tmp_path / "甲镇"], county, today=TODAY, write=False)
    assert [(c.station, c.record_no, c.level, c.limit, c.open) for c in outcome.cases] == [
        ("甲镇", "FF-0003", "county", 5000, True)]
    assert _found(outcome) == {("甲镇", AID, PAYOUTS, cell_of(PAYOUTS, "上级批准日期", 2), "network-escalation-open")}
    assert {p.code for p in outcome.network.county.outcome.problems} == set()


def test_a_station_on_last_years_template_is_told_to_add_the_approval_column(tmp_path, county):
    """甲镇's 帮扶记录 has no 上级批准日期 column yet (an older template): the open case names
    the row's first cell and says to add the column, not to fill a cell that is not there."""
    import openpyxl

    write_station(tmp_path / "甲镇", jia_data())
    book = tmp_path / "甲镇" / AID
    wb = openpyxl.load_workbook(book)
    ws = wb[PAYOUTS]
    ws.delete_cols([c.value for c in ws[1]].index("上级批准日期") + 1)
    wb.save(book)
    outcome = merge([tmp_path / "甲镇"], county, today=TODAY, write=False)
    assert _found(outcome, cross_only=False) == {("甲镇", AID, PAYOUTS, "A3", "network-escalation-open")}
    assert "请在表头最后加上这一列" in outcome.network.problems[0].problem.message


def test_an_application_ended_by_an_upheld_objection_counts_for_nothing(tmp_path, county):
    """乙镇's 公示 of 张晓明's 生活救助 drew an objection that was upheld (成立): the
    application ended there, nothing was paid. It is neither a second payout beside 甲镇's
    nor, for 大病救助 above the limit, a case for the county."""
    yi = _ids(station_data(), 3, keep_first=True)
    yi[AID]["异议处理"] = [
        {"异议编号": f"YY-{archive}", "公示批次": "GS-2024-02", "档案编号": archive, "收到日期": date(2024, 4, 3),
         "异议内容": "家庭收入不实", "处理结果": "成立", "处理日期": date(2024, 4, 5),
         "处理说明": "经复核，收入超过标准"}
        for archive in ("SF-0001", "SF-0002")]
    for pay in yi[AID][PAYOUTS]:
        pay.update({"批准日期": None, "发放日期": None, "已签收": "否", "签收日期": None})
    write_station(tmp_path / "各站" / "甲镇", jia_data())
    write_station(tmp_path / "各站" / "乙镇", yi)
    outcome = merge([tmp_path / "各站"], county, today=TODAY, write=False)
    id_cell = cell_of(WORKERS, "身份证号", 0)
    assert _found(outcome) == {("甲镇", REGISTER, WORKERS, id_cell, "network-duplicate-person"),
                               ("乙镇", REGISTER, WORKERS, id_cell, "network-duplicate-person"),
                               ("甲镇", AID, PAYOUTS, cell_of(PAYOUTS, "上级批准日期", 1), "network-escalation-open")}
    assert [(c.station, c.record_no) for c in outcome.cases] == [("甲镇", "FF-0002")]


def test_a_file_closed_and_reopened_overlaps_only_where_it_was_open(tmp_path, county):
    """甲镇 closed 张晓明's first file (脱困, 2023-12-31) and opened a new one when the family
    fell back (返困, 2025-06-01); 乙镇 has had a file for him since 2024-03-10. Only the
    reopened file was valid at the same time as 乙镇's."""
    jia = jia_data()
    first = jia[REGISTER][WORKERS][0]
    first.update({"档案状态": "脱困", "结档日期": date(2023, 12, 31), "结档原因": "收入提高",
                  "建档日期": date(2023, 1, 5), "申请日期": date(2023, 1, 2), "建档公示批次": None})
    jia[REGISTER][WORKERS].append(dict(first, 档案编号="SF-0003", 档案状态="在档", 结档日期=None, 结档原因=None,
                                       申请日期=date(2025, 5, 6), 建档日期=date(2025, 6, 1)))
    jia[POLICY]["低保标准"].insert(0, {"年度": 2023, "每人每月金额": 990})
    del jia[AID][PAYOUTS][:]
    write_station(tmp_path / "各站" / "甲镇", jia)
    write_station(tmp_path / "各站" / "乙镇", _yi())
    outcome = merge([tmp_path / "各站"], county, today=TODAY, write=False)
    assert _found(outcome) == {("甲镇", REGISTER, WORKERS, cell_of(WORKERS, "身份证号", 2), "network-duplicate-person"),
                               ("乙镇", REGISTER, WORKERS, cell_of(WORKERS, "身份证号", 0), "network-duplicate-person")}
    yi_side = next(sp.problem.message for sp in outcome.network.problems if sp.station == "乙镇")
    assert "档案编号 SF-0003" in yi_side


def test_a_station_with_a_broken_workbook_still_takes_part_with_what_could_be_read(tmp_path, county):
    """乙镇's 帮扶资金.xlsx arrived broken (half a file): the station is reported unreadable,
    but its register was read, and 张晓明's second registration there is still found."""
    write_station(tmp_path / "各站" / "甲镇", jia_data())
    yi = write_station(tmp_path / "各站" / "乙镇", _yi())
    funds = yi / "帮扶资金.xlsx"
    funds.write_bytes(funds.read_bytes()[:2000])
    outcome = merge([tmp_path / "各站"], county, today=TODAY, write=False)
    assert outcome.exit_code == 2
    assert {(sp.station, sp.problem.file, sp.problem.code) for sp in outcome.all_problems()
            if sp.problem.code.startswith("file-")} == {("乙镇", "帮扶资金.xlsx", "file-corrupt")}
    id_cell = cell_of(WORKERS, "身份证号", 0)
    assert {key for key in _found(outcome) if key[-1] == "network-duplicate-person"} == {
        ("甲镇", REGISTER, WORKERS, id_cell, "network-duplicate-person"),
        ("乙镇", REGISTER, WORKERS, id_cell, "network-duplicate-person")}


def test_a_station_whose_workbook_is_open_in_excel_is_merged_with_a_reminder(tmp_path, county):
    """Excel's lock file ~$帮扶记录.xlsx beside the workbook (the clerk still has it open): a
    reminder at that station; its records are read and counted as usual."""
    jia = write_station(tmp_path / "各站" / "甲镇", jia_data())
    (jia / "~$帮扶记录.xlsx").write_bytes(b"\x08clerk   ")
    outcome = merge([tmp_path / "各站"], county, today=TODAY, write=False)
    assert [(r.key, r.counted) for r in outcome.network.stations] == [("甲镇", True)]
    assert _found(outcome, cross_only=False) == {
        ("甲镇", "~$帮扶记录.xlsx", "", "", "file-lock"),
        ("甲镇", AID, PAYOUTS, cell_of(PAYOUTS, "上级批准日期", 1), "network-escalation-open")}


def test_an_item_limit_not_yet_in_force_falls_back_to_the_all_items_row(tmp_path):
    """大病救助 got its own, higher limit (9,000 元) from 2026; 甲镇's 8,000 元 of 2024 was
    judged by the all-items row then in force (5,000 元) and went to the county."""
    data = county_data()
    data[POLICY]["梯次帮扶"].append({"帮扶项目": "大病救助", "站点审批上限": 9000, "起始日期": date(2026, 1, 1)})
    county = write_station(tmp_path / "县中心", data)
    write_station(tmp_path / "甲镇", jia_data())
    outcome = merge([tmp_path / "甲镇"], county, today=TODAY, write=False)
    assert [(c.station, c.record_no, c.level, c.limit) for c in outcome.cases] == [("甲镇", "FF-0002", "county", 5000)]
