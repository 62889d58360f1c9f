"""The work list (待办): every kind of entry from a tiny station at a fixed day, with the exact
due date, days left (working days where the rule counts them) and the cell to update; the
`todo` and `check` commands; the private page; the 办结 table; the reception log in the report."""

from __future__ import annotations

from datetime import date

import openpyxl
from click.testing import CliRunner

from generator.cli import cli
from generator.pipeline import check_folder
from generator.todo import work_list

from station import cell_of, station_data, write_station

DAY = date(2026, 6, 15)  # a Monday; 2026-06-19 (Fri) is the 端午 holiday


def base() -> dict:
    """The tiny station with its two old payouts followed up: nothing is due on DAY."""
    data = station_data()
    for p in data["帮扶记录.xlsx"]["帮扶发放"]:
        p["回访日期"] = date(2024, 5, 10)
    return data


def payout(no, archive, item, amount=300, **dates) -> dict:
    names = {"SF-0001": "张晓明", "SF-0002": "李红"}
    row = {"记录编号": no, "档案编号": archive, "姓名": names[archive], "帮扶项目": item, "金额": amount,
           "资金账户": "地方财政配套资金", "发放方式": "银行卡", "已签收": "否"}
    row.update(dates)
    return row


def setting(data, key, value):
    data["帮扶政策.xlsx"]["站点设置"].append({"设置项": key, "值": value})


def entries(tmp_path, data, today=DAY, kinds=None):
    write_station(tmp_path, data)
    records = check_folder(tmp_path, today).records
    wl = work_list(records, today)
    return [(e.kind, e.subject, e.due, e.days_left, e.place.sheet, e.place.cell) for e in wl.entries
            if kinds is None or e.kind in kinds]


def test_nothing_due_on_a_quiet_day(tmp_path):
    write_station(tmp_path, base())
    wl = work_list(check_folder(tmp_path, DAY).records, DAY)
    assert wl.entries == []
    assert wl.summary_line() == "待办 0 项，其中逾期 0 项：bangfu todo 查看"


def test_applications_not_verified_disclosed_or_approved(tmp_path):
    data = base()
    pays = data["帮扶记录.xlsx"]["帮扶发放"]
    pays += [
        payout("FF-0003", "SF-0002", "生活救助", 申请日期=date(2026, 6, 8)),
        payout("FF-0004", "SF-0001", "生活救助", 申请日期=date(2026, 6, 1)),
        payout("FF-0005", "SF-0002", "大病救助", 8000, 医疗自付费用=15000, 申请日期=date(2026, 6, 10),
               核实日期=date(2026, 6, 12)),
        payout("FF-0006", "SF-0001", "法律援助", 0, 申请日期=date(2026, 6, 1), 核实日期=date(2026, 6, 3),
               发放方式="服务"),
    ]
    got = entries(tmp_path, data)
    assert got == [
        # 6 working days from 06-01 end on 06-09: four working days late on Monday 06-15
        ("verify", "SF-0001 张晓明", date(2026, 6, 9), -4, "帮扶发放", cell_of("帮扶发放", "核实日期", 3)),
        # 法律援助: 7 working days, approval due (no disclosure needed)
        ("approve", "SF-0001 张晓明", date(2026, 6, 10), -3, "帮扶发放", cell_of("帮扶发放", "批准日期", 5)),
        ("verify", "SF-0002 李红", date(2026, 6, 16), 1, "帮扶发放", cell_of("帮扶发放", "核实日期", 2)),
        # six working days after 06-10 end on Thursday 06-18
        ("disclose", "SF-0002 李红", date(2026, 6, 18), 3, "帮扶发放", cell_of("帮扶发放", "公示批次", 4)),
    ]


def test_batch_ending_then_ended_not_concluded(tmp_path):
    data = base()
    data["帮扶记录.xlsx"]["公示批次"].append(
        {"批次编号": "GS-2026-03", "公示标题": "2026年第二批帮扶公示", "公示类型": "帮扶公示",
         "开始日期": date(2026, 6, 10), "公示天数": 7})
    data["帮扶记录.xlsx"]["帮扶发放"] += [
        payout("FF-0003", "SF-0002", "生活救助", 申请日期=date(2026, 6, 1), 核实日期=date(2026, 6, 3),
               公示批次="GS-2026-03"),
        payout("FF-0004", "SF-0001", "生活救助", 申请日期=date(2026, 6, 1), 核实日期=date(2026, 6, 3),
               公示批次="GS-2026-03"),
    ]
    # an upheld objection ends SF-0001's application: it is not pending
    data["帮扶记录.xlsx"]["异议处理"].append(
        {"异议编号": "YY-0002", "公示批次": "GS-2026-03", "档案编号": "SF-0001", "收到日期": date(2026, 6, 11),
         "异议内容": "反映收入不实", "处理结果": "成立", "处理日期": date(2026, 6, 12), "处理说明": "经复查属实"})
    cell = cell_of("帮扶发放", "批准日期", 2)
    assert entries(tmp_path, data) == [
        ("batch-ending", "公示批次 GS-2026-03 2026年第二批帮扶公示", date(2026, 6, 17), 2, "帮扶发放", cell)]
    write_station(tmp_path, data)
    wl = work_list(check_folder(tmp_path, date(2026, 6, 22)).records, date(2026, 6, 22))
    [e] = wl.entries
    assert (e.kind, e.due, e.days_left, e.working_days) == ("batch-ended", date(2026, 6, 17), -2, True)
    assert "批准并发放 1 笔" in e.action


def test_unpaid_and_unsigned_agree_with_the_check(tmp_path):
    data = base()
    data["帮扶记录.xlsx"]["帮扶发放"] += [
        payout("FF-0003", "SF-0002", "法律援助", 0, 申请日期=date(2026, 5, 25), 核实日期=date(2026, 5, 26),
               批准日期=date(2026, 6, 1), 发放方式="服务"),
        payout("FF-0004", "SF-0001", "法律援助", 0, 申请日期=date(2026, 5, 25), 核实日期=date(2026, 5, 26),
               批准日期=date(2026, 6, 1), 发放日期=date(2026, 6, 10), 发放方式="现金"),
    ]
    got = entries(tmp_path, data)
    signed = cell_of("帮扶发放", "已签收", 3)
    assert got == [
        # approved 06-01 and not yet told: due the next working day
        ("notify", "SF-0002 李红", date(2026, 6, 2), -9, "帮扶发放", cell_of("帮扶发放", "告知日期", 2)),
        ("receipt", "SF-0001 张晓明", date(2026, 6, 10), -5, "帮扶发放", signed),
        ("pay", "SF-0002 李红", date(2026, 6, 15), 0, "帮扶发放", cell_of("帮扶发放", "发放日期", 2)),
    ]
    data["帮扶记录.xlsx"]["帮扶发放"][2]["告知日期"] = date(2026, 6, 2)
    assert [e[0] for e in entries(tmp_path, data)] == ["receipt", "pay"]
    codes = {(p.cell, p.code) for p in check_folder(tmp_path, DAY).problems}
    assert (signed, "receipt-missing") in codes


def test_follow_up_visits_by_setting(tmp_path):
    data = base()
    for p in data["帮扶记录.xlsx"]["帮扶发放"]:
        p["回访日期"] = None  # both paid 2024-04-12
    data["困难职工档案.xlsx"]["走访记录"].append(
        {"档案编号": "SF-0002", "走访日期": date(2024, 5, 2), "走访类型": "跟踪回访", "走访人": "李文"})
    setting(data, "回访天数", 30)
    # SF-0001's payout is due 30 days after payment; SF-0002 was visited after payment
    due = date(2024, 5, 12)
    assert entries(tmp_path, data) == [
        ("follow-up", "SF-0001 张晓明", due, -(DAY - due).days, "帮扶发放", cell_of("帮扶发放", "回访日期", 0))]
    setting(data, "回访项目", "医疗救助")  # 生活救助 needs no visit at this station
    assert entries(tmp_path, data) == []
    data["帮扶政策.xlsx"]["站点设置"][-2:] = [{"设置项": "回访天数", "值": 0}]
    assert entries(tmp_path, data) == []


def test_review_due_then_overdue_as_in_check(tmp_path):
    data = base()
    data["困难职工档案.xlsx"]["困难职工"][0]["最近复核日期"] = date(2025, 6, 20)
    data["困难职工档案.xlsx"]["走访记录"].append(  # a visit since: the file is not unchanged
        {"档案编号": "SF-0001", "走访日期": date(2026, 1, 10), "走访类型": "送温暖走访", "走访人": "李文"})
    cell = cell_of("困难职工", "最近复核日期", 0)
    assert entries(tmp_path, data) == [("review", "SF-0001 张晓明", date(2026, 6, 20), 5, "困难职工", cell)]
    later = date(2026, 6, 21)
    assert entries(tmp_path, data, later) == [("review", "SF-0001 张晓明", date(2026, 6, 20), -1, "困难职工", cell)]
    assert {(p.cell, p.code) for p in check_folder(tmp_path, later).problems} == {(cell, "review-overdue")}
    assert {(p.cell, p.code) for p in check_folder(tmp_path, date(2026, 6, 20)).problems} == set()


def test_file_unchanged_for_a_year_and_never_helped(tmp_path):
    data = base()
    workers = data["困难职工档案.xlsx"]["困难职工"]
    workers[1]["最近复核日期"] = date(2025, 5, 4)  # SF-0002: nothing since (payout 2024, no visits)
    new = dict(workers[0], 档案编号="SF-0003", 姓名="王芳", 身份证号=None, 建档公示批次=None,
               申请日期=date(2025, 6, 1), 建档日期=date(2025, 6, 20), 最近复核日期=None, 性别="女",
               出生日期=None, 家庭人口=1)
    workers.append(new)
    got = entries(tmp_path, data)
    assert got == [
        ("unchanged", "SF-0002 李红", date(2026, 5, 4), -42, "困难职工", cell_of("困难职工", "最近复核日期", 1)),
        ("review", "SF-0003 王芳", date(2026, 6, 20), 5, "困难职工", cell_of("困难职工", "最近复核日期", 2)),
        ("never-helped", "SF-0003 王芳", date(2026, 6, 20), 5, "困难职工", cell_of("困难职工", "帮扶措施", 2)),
    ]


def test_closing_announcing_and_ten_years(tmp_path):
    data = base()
    workers = data["困难职工档案.xlsx"]["困难职工"]
    workers[0]["家庭年收入"] = 120000  # (120000 - 12000) / 12 / 3 = 3000 ≥ 2 × 1062
    workers[1].update({"档案状态": "脱困", "结档日期": date(2026, 6, 1), "结档原因": "收入超过标准"})
    old = dict(workers[1], 档案编号="SF-0003", 姓名="王芳", 身份证号=None, 建档公示批次=None,
               申请日期=date(2010, 1, 5), 建档日期=date(2010, 2, 1), 最近复核日期=date(2016, 3, 1),
               档案状态="注销", 结档日期=date(2016, 6, 20), 结档原因="退休", 出生日期=None,
               结档公示批次="GS-2016-01")
    workers.append(old)
    data["帮扶记录.xlsx"]["公示批次"].append(
        {"批次编号": "GS-2016-01", "公示标题": "2016年结档公示", "公示类型": "结档公示",
         "开始日期": date(2016, 6, 10), "公示天数": 7})
    setting(data, "结档须公示", "是")
    assert entries(tmp_path, data, kinds={"close", "close-notice", "archive"}) == [
        ("close-notice", "SF-0002 李红", date(2026, 6, 1), -14, "困难职工", cell_of("困难职工", "结档公示批次", 1)),
        ("close", "SF-0001 张晓明", DAY, 0, "困难职工", cell_of("困难职工", "档案状态", 0)),
        ("archive", "SF-0003 王芳", date(2026, 6, 20), 5, "困难职工", cell_of("困难职工", "结档日期", 2)),
    ]
    data["帮扶政策.xlsx"]["站点设置"] = [s for s in data["帮扶政策.xlsx"]["站点设置"]
                                     if (s["设置项"], s["值"]) != ("结档须公示", "是")]
    assert [e[0] for e in entries(tmp_path, data, kinds={"close-notice"})] == []


def test_year_end_asks_for_next_years_line_and_holidays(tmp_path):
    data = base()
    data["帮扶政策.xlsx"]["调休安排"] = []  # 2027 not entered yet
    dec = date(2026, 12, 20)
    got = entries(tmp_path, data, dec, kinds={"year-end"})
    assert got == [("year-end", "2027 年低保标准", date(2026, 12, 31), 11, "低保标准", ""),
                   ("year-end", "2027 年放假安排", date(2026, 12, 31), 11, "调休安排", ""),
                   ("year-end", "2027 年帮扶标准", date(2026, 12, 31), 11, "帮扶项目", "")]
    write_station(tmp_path, data)
    wl = work_list(check_folder(tmp_path, dec).records, dec)
    assert [e.suggestion for e in wl.entries if e.kind == "year-end"] == [False, False, True]
    data["帮扶政策.xlsx"]["低保标准"].append({"年度": 2027, "每人每月金额": 1090})
    data["帮扶政策.xlsx"]["调休安排"] += [{"日期": date(2027, 1, 1), "类型": "休息日", "说明": "元旦"},
                                      {"日期": date(2027, 2, 7), "类型": "工作日", "说明": "春节调休"}]
    assert [e[1] for e in entries(tmp_path, data, dec, kinds={"year-end"})] == ["2027 年帮扶标准"]
    assert entries(tmp_path, data, date(2026, 10, 31), kinds={"year-end"}) == []


def test_deadline_across_the_year_end_without_the_new_calendar_is_estimated(tmp_path):
    data = base()
    data["帮扶记录.xlsx"]["帮扶发放"].append(payout("FF-0003", "SF-0002", "生活救助", 申请日期=date(2026, 12, 28)))
    entered = data["帮扶政策.xlsx"]["调休安排"]
    data["帮扶政策.xlsx"]["调休安排"] = []
    write_station(tmp_path, data)
    today = date(2027, 1, 4)
    wl = work_list(check_folder(tmp_path, today).records, today)
    [e] = [e for e in wl.entries if e.kind == "verify"]
    # Mon-Fri: 12-29, 12-30, 12-31 (2026, official), then 2027-01-01 (Fri, counted), 01-04, 01-05
    assert (e.due, e.days_left, e.estimated) == (date(2027, 1, 5), 1, True)
    assert e.when == "还有 1 个工作日（按周一至周五估算）"
    # with 2027 entered (元旦 a rest day) the count is exact: 01-04, 01-05, 01-06
    data["帮扶政策.xlsx"]["调休安排"] = entered
    write_station(tmp_path, data)
    [e] = [e for e in work_list(check_folder(tmp_path, today).records, today).entries if e.kind == "verify"]
    assert (e.due, e.days_left, e.estimated) == (date(2027, 1, 6), 2, False)


def test_reception_entries_open_past_their_limit(tmp_path):
    data = base()
    data["帮扶记录.xlsx"]["接待登记"] = [
        {"登记编号": "JD-001", "接待日期": date(2026, 6, 1), "姓名": "赵建国", "事项类别": "法律援助",
         "诉求内容": "被拖欠工资", "转办单位": "县总工会法律服务中心"},
        {"登记编号": "JD-002", "接待日期": date(2026, 6, 12), "姓名": "钱多多", "事项类别": "政策咨询",
         "诉求内容": "咨询认定条件"},
        {"登记编号": "JD-003", "接待日期": date(2026, 6, 2), "姓名": "孙立", "事项类别": "就业援助",
         "诉求内容": "求职登记", "办理结果": "已推荐", "办结日期": date(2026, 6, 5)},
    ]
    setting(data, "接待办结时限", 5)
    assert entries(tmp_path, data) == [
        # 法律援助 takes the policy item's 7 working days, not the setting
        ("reception", "JD-001 赵建国", date(2026, 6, 10), -3, "接待登记", cell_of("接待登记", "办结日期", 0)),
        ("reception", "JD-002 钱多多", date(2026, 6, 22), 4, "接待登记", cell_of("接待登记", "办结日期", 1)),
    ]
    assert check_folder(tmp_path, DAY).problems == []


def test_suggestions_school_and_festival_are_marked(tmp_path):
    data = base()
    data["帮扶政策.xlsx"]["帮扶项目"].append(
        {"项目名称": "助学（高中）", "项目类别": "助学", "标准方式": "固定金额", "固定金额": 300,
         "收入条件": "不限", "对象条件": "子女读高中", "所需材料": "录取通知书", "办理时限": 6, "频次": "每年",
         "次数上限": 1, "需公示": "是"})
    data["困难职工档案.xlsx"]["家庭成员"][1]["出生日期"] = date(2011, 3, 1)  # 15 on 2026-09-01
    data["困难职工档案.xlsx"]["家庭成员"][1]["身份证号"] = None
    write_station(tmp_path, data)
    wl = work_list(check_folder(tmp_path, DAY).records, DAY)
    [e] = wl.entries
    assert (e.kind, e.subject, e.due, e.suggestion, e.place.cell) == (
        "suggest-school", "SF-0001 张晓明", date(2026, 9, 1), True, cell_of("家庭成员", "单位或学校", 1))
    assert "上高中" in e.action and wl.duties == []
    assert wl.summary_line().startswith("待办 0 项，其中逾期 0 项（另有建议 1 项）")
    assert work_list(check_folder(tmp_path, date(2026, 4, 1)).records, date(2026, 4, 1)).entries == []

    data = base()
    data["帮扶记录.xlsx"]["帮扶发放"].append(
        payout("FF-0003", "SF-0001", "法律援助", 0, 帮扶活动="两节送温暖", 申请日期=date(2026, 12, 1),
               核实日期=date(2026, 12, 2), 批准日期=date(2026, 12, 3), 发放日期=date(2026, 12, 4),
               发放方式="服务", 回访日期=date(2026, 12, 10)))
    dec = date(2026, 12, 10)
    write_station(tmp_path, data)
    [e] = [e for e in work_list(check_folder(tmp_path, dec).records, dec).entries if e.kind == "suggest-festival"]
    assert (e.due, e.people, e.suggestion) == (date(2027, 2, 5), ("SF-0002 李红",), True)


def test_todo_and_check_commands(tmp_path):
    data = base()
    data["帮扶记录.xlsx"]["帮扶发放"].append(payout("FF-0003", "SF-0001", "生活救助", 申请日期=date(2026, 6, 1)))
    write_station(tmp_path, data)
    runner = CliRunner()
    out = runner.invoke(cli, ["todo", str(tmp_path), "--today", "2026-06-15"]).output
    assert out.splitlines()[0] == "截至 2026-06-15：待办 1 项，其中逾期 1 项。"
    assert "【逾期 4 个工作日】2026-06-09 核实：SF-0001 张晓明" in out
    assert f"办完后更新：帮扶记录.xlsx/帮扶发放/{cell_of('帮扶发放', '核实日期', 2)}" in out
    result = runner.invoke(cli, ["check", str(tmp_path), "--today", "2026-06-15"])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == \
        f"待办 1 项，其中逾期 1 项：bangfu todo {tmp_path} --today 2026-06-15 查看"
    assert runner.invoke(cli, ["todo", str(tmp_path / "none")]).exit_code == 2


def test_private_page_closing_table_and_report(tmp_path):
    from generator.private.closing import write_closing_book
    from generator.private.dossiers import write_dossiers
    from generator.private.report import Quarter, build_workbook
    from generator.private.todo_page import write_todo

    data = base()
    data["帮扶记录.xlsx"]["帮扶发放"].append(payout("FF-0003", "SF-0001", "生活救助", 申请日期=date(2026, 6, 1)))
    data["帮扶记录.xlsx"]["接待登记"] = [
        {"登记编号": "JD-001", "接待日期": date(2026, 4, 1), "姓名": "赵建国", "事项类别": "法律援助",
         "诉求内容": "被拖欠工资", "转办单位": "县总工会法律服务中心", "办结日期": date(2026, 4, 8)},
        {"登记编号": "JD-002", "接待日期": date(2026, 5, 6), "姓名": "孙立", "事项类别": "就业援助",
         "诉求内容": "求职登记"},
    ]
    records = check_folder(write_station(tmp_path / "r", data), DAY).records
    private = tmp_path / "private"
    page = write_todo(records, private, today=DAY).path.read_text(encoding="utf-8")
    assert "SF-0001 张晓明" in page and "逾期 4 个工作日" in page and "JD-002 孙立" in page
    assert "待办 2 项，其中逾期 2 项" in page
    for year in (2024, 2026):
        write_closing_book(records, date(year, 1, 1), date(year, 12, 31), private / "办结" / f"办结表_{year}.xlsx",
                           today=DAY, root=private)
    write_dossiers(records, private, today=DAY, only={"SF-0001"})
    book = openpyxl.load_workbook(tmp_path / "private" / "办结" / "办结表_2026.xlsx")
    reception = [r for r in book["接待办结"].iter_rows(min_row=4, values_only=True)]
    assert [(r[0], r[10], r[11], r[12]) for r in reception] == [("JD-001", 4, 7, "是")]  # 清明 04-04..06
    cases = [r for r in openpyxl.load_workbook(tmp_path / "private" / "办结" / "办结表_2024.xlsx")["帮扶办结"]
             .iter_rows(min_row=4, values_only=True)]
    # applied 03-20, verified 03-25 (3 working days, limit 6), paid 04-12
    assert [(r[0], r[7], r[8], r[9]) for r in cases] == [("FF-0001", 3, 6, "是"), ("FF-0002", 3, 6, "是")]
    dossier = (tmp_path / "private" / "档案" / "SF-0001.html").read_text(encoding="utf-8")
    assert "办结报告" in dossier and "3/6\n按时" in dossier and "2024-03-25\n（3）" in dossier
    ws = build_workbook(records, Quarter(2026, 2), DAY)["季度统计"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("九、接待登记"))
    assert [r[:5] for r in rows[start + 2:start + 5]] == [
        ("法律援助", 1, 1, 1, 0), ("就业援助", 1, 0, 0, 1), ("合计", 2, 1, 1, 1)]


def test_reception_values_are_searched_by_the_leak_scan(tmp_path):
    from generator.privacy import collect

    data = base()
    data["帮扶记录.xlsx"]["接待登记"] = [
        {"登记编号": "JD-001", "接待日期": date(2026, 6, 1), "姓名": "赵建国", "联系电话": "13905310088",
         "事项类别": "法律援助", "诉求内容": "被拖欠工资三个月，咨询如何维权"}]
    records = check_folder(write_station(tmp_path, data), DAY).records
    found = {(n.kind, n.where.split()[-1]) for n in collect(records) if "接待登记" in n.where}
    assert found == {("姓名全名", cell_of("接待登记", "姓名", 0)), ("电话号码", cell_of("接待登记", "联系电话", 0)),
                     ("情况记录或备注", cell_of("接待登记", "诉求内容", 0))}


def test_legal_aid_needs_no_registered_file(tmp_path):
    """Legal aid for a worker whose file is still an application is not an ineligible payout;
    living aid is."""
    data = base()
    data["困难职工档案.xlsx"]["困难职工"][1].update({"档案状态": "申请", "建档日期": None, "最近复核日期": None,
                                            "建档公示批次": None})
    data["帮扶记录.xlsx"]["帮扶发放"] = [
        payout("FF-0003", "SF-0002", "法律援助", 0, 申请日期=date(2026, 6, 1), 核实日期=date(2026, 6, 2),
               批准日期=date(2026, 6, 3), 发放日期=date(2026, 6, 4), 发放方式="服务"),
        payout("FF-0004", "SF-0002", "生活救助", 申请日期=date(2026, 6, 1), 核实日期=date(2026, 6, 2),
               批准日期=date(2026, 6, 3), 发放方式="服务"),
    ]
    write_station(tmp_path, data)
    found = {(p.cell, p.code) for p in check_folder(tmp_path, DAY).problems if p.code == "ineligible-status"}
    assert found == {(cell_of("帮扶发放", "档案编号", 1), "ineligible-status")}


def test_cases_command_writes_the_period(tmp_path, monkeypatch):
    write_station(tmp_path / "records", base())
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["cases", "--from", "2024-04-01", "--to", "2024-04-30"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "private" / "办结" / "办结表_2024-04-01_2024-04-30.xlsx"
    assert f"已生成 {path}" in result.output and "办结帮扶 2 件" in result.output  # private/ beside records/
    rows = list(openpyxl.load_workbook(path)["帮扶办结"].iter_rows(min_row=4, values_only=True))
    assert [r[0] for r in rows] == ["FF-0001", "FF-0002"]
    bad = runner.invoke(cli, ["cases", "--from", "2024-05-01", "--to", "2024-04-30"])
    assert bad.exit_code == 1 and "起始日期应早于截止日期" in bad.output
    made = path.read_bytes()
    built = runner.invoke(cli, ["build", "--today", DAY.isoformat(), "--no-pdf"])  # the build's swap keeps it
    assert built.exit_code == 0, built.output
    assert path.read_bytes() == made
    assert sorted(p.name for p in path.parent.iterdir()) == ["办结表_2024-04-01_2024-04-30.xlsx", "办结表_2024.xlsx"]
