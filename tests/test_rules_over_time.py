"""A real station's year: figures per review, routes, frequency per unit and period, void
payouts, deadlines as a live control, re-disclosure, the calendar turning over.
Each test asserts the exact set of (sheet, cell, code)."""

from __future__ import annotations

from datetime import date

from generator.pipeline import check_folder

from station import cell_of, found, station_data, write_station

REG, AID, FUNDS, POLICY = "困难职工档案.xlsx", "帮扶记录.xlsx", "帮扶资金.xlsx", "帮扶政策.xlsx"
PAY = "帮扶发放"


def run(tmp_path, change, today=None):
    data = station_data()
    change(data)
    write_station(tmp_path, data)
    return found(tmp_path, today) if today else found(tmp_path)


def at(column, index, code, sheet=PAY):
    return (sheet, cell_of(sheet, column, index), code)


def workers(d):
    return d[REG]["困难职工"]


def payouts(d):
    return d[AID]["帮扶发放"]


def items(d):
    return d[POLICY]["帮扶项目"]


def item(d, name):
    return next(i for i in items(d) if i["项目名称"] == name)


def review(archive="SF-0001", day=date(2026, 3, 10), income=90000, rigid=12000, size=3, category="相对困难"):
    return {"档案编号": archive, "复核日期": day, "家庭年收入": income, "刚性支出": rigid, "家庭人口": size,
            "困难类别": category, "复核人": "王芳"}


def open_payout(no, archive="SF-0001", name="张晓明", item_name="生活救助", applied=date(2026, 11, 2),
                verified=date(2026, 11, 5), **more):
    """An application verified but not yet decided (no batch, approval or payment needed)."""
    row = {"记录编号": no, "档案编号": archive, "姓名": name, "帮扶项目": item_name, "申请日期": applied,
           "核实日期": verified, "金额": 300, "资金账户": "地方财政配套资金", "发放方式": "银行卡", "已签收": "否"}
    row.update(more)
    return row


def given(no, applied, item_name, amount, archive="SF-0001", name="张晓明", **more):
    """A payout given without disclosure (items with 需公示 否): applied, verified, approved, paid, signed."""
    from datetime import timedelta

    row = {"记录编号": no, "档案编号": archive, "姓名": name, "帮扶项目": item_name, "申请日期": applied,
           "核实日期": applied + timedelta(days=1), "批准日期": applied + timedelta(days=2),
           "发放日期": applied + timedelta(days=3), "签收日期": applied + timedelta(days=3), "金额": amount,
           "资金账户": "地方财政配套资金", "发放方式": "银行卡", "已签收": "是"}
    row.update(more)
    return row


def add_item(d, name, group, **more):
    row = {"项目名称": name, "项目类别": group, "标准方式": "固定金额", "固定金额": 300, "收入条件": "不限",
           "对象条件": name, "所需材料": "身份证", "频次": "每年", "次数上限": 1, "需公示": "否"}
    row.update(more)
    items(d).append(row)


# --- figures valid on the application date -------------------------------------------------
def test_review_raising_income_leaves_earlier_payouts_alone(tmp_path):
    def change(d):
        d[REG]["年度复核"] = [review(category="意外致困")]
    assert run(tmp_path, change) == set()


def test_payout_after_the_review_is_judged_by_the_review(tmp_path):
    def change(d):
        d[REG]["年度复核"] = [review(category="意外致困")]
        payouts(d).append(open_payout("FF-0003"))
    assert run(tmp_path, change) == {at("帮扶项目", 2, "ineligible-income")}


def test_review_category_judged_with_its_own_years_line(tmp_path):
    # (90000 - 12000) / 12 / 3 = 2166.67 >= 2 x 1062 (2026)
    assert run(tmp_path, lambda d: d[REG].update({"年度复核": [review()]})) == {
        at("困难类别", 0, "ineligible-category", "年度复核")}


def test_each_payout_uses_the_line_of_its_own_year(tmp_path):
    # per-capita (84000 - 12000) / 12 / 3 = 2000 ... use 73080: (73080 - 0)/12/3 = 2030
    def change(d):
        workers(d)[0].update({"家庭年收入": 73080, "刚性支出": 0, "困难类别": "意外致困"})
        payouts(d).append(open_payout("FF-0003", applied=date(2025, 3, 3), verified=date(2025, 3, 5)))
    # 2024: limit 2 x 1001 = 2002 <= 2030 -> refused; 2025: 2 x 1030 = 2060 > 2030 -> fine
    assert run(tmp_path, change) == {at("帮扶项目", 0, "ineligible-income")}


def test_missing_line_of_a_year_in_use_is_an_error_not_borrowed(tmp_path):
    def change(d):
        d[POLICY]["低保标准"] = [line for line in d[POLICY]["低保标准"] if line["年度"] != 2024]
    got = run(tmp_path, change)
    assert got == {("低保标准", "", "dibao-line-missing")}
    message = next(p.message for p in check_folder(tmp_path, date(2026, 11, 23)).problems)
    assert "2024 年" in message and "低保标准" in message


def test_review_figures_typed_wrong(tmp_path):
    def change(d):
        d[REG]["年度复核"] = [dict(review(income=30000, category="深度困难"), 家庭月人均收入=900)]
    assert run(tmp_path, change) == {at("家庭月人均收入", 0, "per-capita-mismatch", "年度复核")}


# --- eligibility routes ------------------------------------------------------------------
def test_accident_route_admits_a_household_above_the_line(tmp_path):
    def change(d):
        item(d, "生活救助")["或者"] = "意外致困"
        workers(d)[0].update({"家庭年收入": 120000, "困难类别": "意外致困"})
    assert run(tmp_path, change) == set()


def test_without_the_route_the_same_household_is_refused(tmp_path):
    got = run(tmp_path, lambda d: workers(d)[0].update({"家庭年收入": 120000, "困难类别": "意外致困"}))
    assert got == {at("帮扶项目", 0, "ineligible-income")}


def test_cause_route_and_unknown_route(tmp_path):
    def change(d):
        item(d, "生活救助")["或者"] = "遭受意外事故、天灾"
        workers(d)[0].update({"家庭年收入": 120000, "困难类别": "意外致困", "主要致困原因": "遭受意外事故"})
    got = run(tmp_path, change)
    assert got == {at("或者", 0, "route-unknown", "帮扶项目")}


# --- frequency: unit and period --------------------------------------------------------------
def _school_aid(d):
    add_item(d, "金秋助学（高中）", "助学", 固定金额=3000, 频次="每学年", 频次单位="每名受助对象",
             对象要求="有在学子女")
    workers(d)[0]["家庭人口"] = 4
    d[REG]["家庭成员"].append({"档案编号": "SF-0001", "姓名": "张小雨", "与户主关系": "子女", "性别": "女",
                            "身份": "学生", "单位或学校": "测试县第一中学"})


def test_two_students_in_one_family_get_two(tmp_path):
    def change(d):
        _school_aid(d)
        payouts(d).extend([given("FF-0003", date(2024, 8, 20), "金秋助学（高中）", 3000, 受助对象="张小宇"),
                           given("FF-0004", date(2024, 8, 20), "金秋助学（高中）", 3000, 受助对象="张小雨")])
    assert run(tmp_path, change) == set()


def test_same_student_twice_in_a_school_year_and_once_in_the_next(tmp_path):
    def change(d):
        _school_aid(d)
        payouts(d).extend([given("FF-0003", date(2024, 9, 2), "金秋助学（高中）", 3000, 受助对象="张小宇"),
                           given("FF-0004", date(2025, 6, 20), "金秋助学（高中）", 3000, 受助对象="张小宇"),
                           given("FF-0005", date(2025, 8, 1), "金秋助学（高中）", 3000, 受助对象="张小宇"),
                           given("FF-0006", date(2025, 9, 1), "金秋助学（高中）", 3000, 受助对象="张小宇")])
    # the school year runs from July: June 2025 is a second in 2024-25, September a second in 2025-26
    assert run(tmp_path, change) == {at("帮扶项目", 3, "frequency"), at("帮扶项目", 5, "frequency")}


def test_student_aid_needs_a_student(tmp_path):
    def change(d):
        _school_aid(d)
        payouts(d).append(given("FF-0003", date(2024, 8, 20), "金秋助学（高中）", 3000, 受助对象="刘芳"))
    assert run(tmp_path, change) == {at("帮扶项目", 2, "ineligible-needs")}


def test_festival_season_runs_across_the_year_end(tmp_path):
    def change(d):
        add_item(d, "两节送温暖", "送温暖", 固定金额=1000, 频次="每个节日季")
        payouts(d).extend([given("FF-0003", date(2024, 12, 29), "两节送温暖", 1000),
                           given("FF-0004", date(2025, 1, 20), "两节送温暖", 1000),
                           given("FF-0005", date(2025, 12, 20), "两节送温暖", 1000)])
    # 2024-12-29 belongs to the 2025 festival: the January 2025 one is a second;
    # 2025-12-20 opens the 2026 season
    assert run(tmp_path, change) == {at("帮扶项目", 3, "frequency")}


def test_lump_sum_is_per_case_not_once_in_a_lifetime(tmp_path):
    def change(d):
        item(d, "大病救助")["频次"] = "一次性"
        second = dict(payouts(d)[1], 记录编号="FF-0003", 申请日期=date(2024, 3, 22), 核实日期=date(2024, 3, 27))
        payouts(d).append(second)
        d[FUNDS]["资金收入"][0]["金额"] = 40000
    assert run(tmp_path, change) == set()


def test_cancelled_and_rejected_never_count(tmp_path):
    def change(d):
        payouts(d).append(dict(payouts(d)[0], 记录编号="FF-0003", 办理状态="已撤销", 发放日期=None,
                               签收日期=None, 已签收="否"))
        payouts(d).append(dict(payouts(d)[0], 记录编号="FF-0004", 办理状态="不予批准", 批准日期=None,
                               发放日期=None, 签收日期=None, 已签收="否", 告知日期=date(2024, 4, 11)))
    assert run(tmp_path, change) == set()


def test_rejected_without_notice_and_void_with_a_payout_date(tmp_path):
    def change(d):
        payouts(d).append(dict(payouts(d)[0], 记录编号="FF-0003", 办理状态="不予批准", 批准日期=None,
                               发放日期=None, 签收日期=None, 已签收="否"))
        payouts(d).append(dict(payouts(d)[0], 记录编号="FF-0004", 办理状态="已撤销"))
    assert run(tmp_path, change) == {at("告知日期", 2, "notice-missing"), at("发放日期", 3, "void-paid")}


# --- disclosure ------------------------------------------------------------------------
def test_registration_and_closure_disclosure_when_required(tmp_path):
    def change(d):
        d[POLICY]["站点设置"] += [{"设置项": "建档须公示", "值": "是"}, {"设置项": "结档须公示", "值": "是"}]
        workers(d)[0]["建档公示批次"] = None
        workers(d)[1].update({"档案状态": "脱困", "结档日期": date(2026, 6, 30), "结档原因": "收入超过标准"})
    assert run(tmp_path, change) == {at("建档公示批次", 0, "register-disclosure-missing", "困难职工"),
                                     at("结档公示批次", 1, "close-disclosure-missing", "困难职工")}


def _objection_about(d, **more):
    row = {"异议编号": "YY-0002", "公示批次": "GS-2024-02", "档案编号": "SF-0001", "收到日期": date(2024, 4, 3),
           "异议内容": "反映收入不实", "处理结果": "不成立", "处理日期": date(2024, 4, 5), "处理说明": "经复查属实"}
    row.update(more)
    d[AID]["异议处理"].append(row)


def test_objection_needs_a_redisclosure_before_approval(tmp_path):
    assert run(tmp_path, _objection_about) == {at("批准日期", 0, "redisclosure-missing")}
    problems = check_folder(tmp_path, date(2026, 11, 23)).problems
    assert [p.severity for p in problems] == ["warning"]


def test_redisclosure_severity_is_a_setting(tmp_path):
    data = station_data()
    _objection_about(data)
    data[POLICY]["站点设置"].append({"设置项": "异议后未重新公示", "值": "错误"})
    write_station(tmp_path, data)
    problems = check_folder(tmp_path, date(2026, 11, 23)).problems
    assert [(p.code, p.severity) for p in problems] == [("redisclosure-missing", "error")]


def test_redisclosed_and_approved_after_it(tmp_path):
    def change(d):
        _objection_about(d, 重新公示批次="GS-2024-02R")
        d[AID]["公示批次"].append({"批次编号": "GS-2024-02R", "公示标题": "重新公示", "公示类型": "帮扶公示",
                                "开始日期": date(2024, 4, 6), "公示天数": 7, "原公示批次": "GS-2024-02"})
        payouts(d)[0].update({"批准日期": date(2024, 4, 15), "发放日期": date(2024, 4, 16),
                              "签收日期": date(2024, 4, 16)})
    assert run(tmp_path, change) == set()


def test_upheld_objection_about_the_whole_batch_blocks_it(tmp_path):
    got = run(tmp_path, lambda d: d[AID]["异议处理"][0].update({"处理结果": "成立"}))
    assert got == {at("公示批次", 0, "objection-upheld-batch"), at("公示批次", 1, "objection-upheld-batch")}


def test_objection_received_after_the_period(tmp_path):
    got = run(tmp_path, lambda d: d[AID]["异议处理"][0].update({"收到日期": date(2024, 4, 8),
                                                               "处理日期": date(2024, 4, 9)}))
    assert got == {at("收到日期", 0, "objection-late", "异议处理")}


# --- deadlines and the calendar ----------------------------------------------------------------
def test_open_application_past_its_deadline(tmp_path):
    got = run(tmp_path, lambda d: payouts(d).append(open_payout("FF-0003", verified=None)))
    assert got == {at("核实日期", 2, "deadline-open")}


def test_open_application_within_its_deadline(tmp_path):
    got = run(tmp_path, lambda d: payouts(d).append(open_payout("FF-0003", applied=date(2026, 11, 18),
                                                                verified=None)))
    assert got == set()


def test_november_warns_once_that_next_years_schedule_is_missing(tmp_path):
    def change(d):
        d[POLICY]["调休安排"] = []
    assert run(tmp_path, change) == {("调休安排", "", "calendar-next-year")}
    assert run(tmp_path, change, today=date(2026, 10, 30)) == set()


def test_december_application_crossing_into_an_unknown_year(tmp_path):
    def change(d):
        d[POLICY]["调休安排"] = []
        d[POLICY]["低保标准"].append({"年度": 2027, "每人每月金额": 1090})
        payouts(d).append(open_payout("FF-0003", applied=date(2026, 12, 28), verified=date(2027, 1, 8)))
    # Mon-Fri from 12-29: 29, 30, 31, 1-1 (no schedule: counted), 4, 5, 6, 7, 8 = 9 > 6
    assert run(tmp_path, change, today=date(2027, 1, 11)) == {
        ("调休安排", "", "calendar-unknown"), at("核实日期", 2, "deadline")}


def test_station_rows_for_the_new_year(tmp_path):
    def change(d):
        d[POLICY]["低保标准"].append({"年度": 2027, "每人每月金额": 1090})
        d[POLICY]["调休安排"] = [{"日期": date(2027, 1, 1), "类型": "休息日", "说明": "元旦"}]
        payouts(d).append(open_payout("FF-0003", applied=date(2026, 12, 28), verified=date(2027, 1, 6)))
    # 29, 30, 31, 4, 5, 6 = 6 working days: in time
    assert run(tmp_path, change, today=date(2027, 1, 11)) == set()


# --- dates that cannot be right ---------------------------------------------------------------
def test_receipt_and_follow_up_dates(tmp_path):
    def change(d):
        payouts(d)[0].update({"签收日期": date(2024, 4, 11), "回访日期": date(2024, 4, 11)})
        payouts(d).append(open_payout("FF-0003", applied=date(2026, 11, 18),
                                      verified=date(2026, 11, 20), 已签收="是"))
    assert run(tmp_path, change) == {at("签收日期", 0, "date-order"), at("回访日期", 0, "date-order"),
                                     at("已签收", 2, "receipt-without-payout")}


def test_money_dated_after_the_check_date(tmp_path):
    def change(d):
        d[FUNDS]["资金收入"][0]["日期"] = date(2026, 12, 1)
        d[FUNDS]["其他支出"][0]["日期"] = date(2026, 12, 2)
    got = run(tmp_path, change)
    assert {g for g in got if g[2] == "date-future"} == {("资金收入", "A2", "date-future"),
                                                        ("其他支出", "A2", "date-future")}


def test_approved_unpaid_money_beyond_the_balance(tmp_path):
    def change(d):
        payouts(d).append(open_payout("FF-0003", item_name="大病救助", archive="SF-0002", name="李红",
                                      applied=date(2026, 10, 8), verified=date(2026, 10, 9),
                                      批准日期=date(2026, 11, 2), 公示批次="GS-2026-01", 金额=10000,
                                      医疗自付费用=20000, 资金账户="上级帮扶专项资金"))
        d[AID]["公示批次"].append({"批次编号": "GS-2026-01", "公示标题": "2026 第一批", "公示类型": "帮扶公示",
                                "开始日期": date(2026, 10, 20), "公示天数": 7})
    # balance 20000 - 300 - 8000 = 11700 ... so add a second approval
    got = run(tmp_path, change)
    assert got == set()

    def more(d):
        change(d)
        payouts(d).append(dict(payouts(d)[2], 记录编号="FF-0004", 档案编号="SF-0001", 姓名="张晓明"))
    assert run(tmp_path, more) == {at("金额", 3, "fund-commitment")}


def test_item_conditions_disability_and_job_help(tmp_path):
    def change(d):
        add_item(d, "残疾补助", "生活救助", 对象要求="持残疾证")
        add_item(d, "就业援助", "就业援助", 标准方式="非现金", 固定金额=None, 频次="不限",
                 对象要求="下岗失业或低保或4050人员")
        payouts(d).extend([given("FF-0003", date(2024, 6, 3), "残疾补助", 300),
                           given("FF-0004", date(2024, 6, 3), "就业援助", 0, 发放方式="服务")])
    # SF-0001: no disability on file; 在岗, 非低保, a man of 46
    assert run(tmp_path, change) == {at("帮扶项目", 2, "ineligible-needs"), at("帮扶项目", 3, "ineligible-needs")}


def test_non_cash_item_with_money_and_message_wording(tmp_path):
    def change(d):
        add_item(d, "法律咨询", "法律援助", 标准方式="非现金", 固定金额=None, 频次="不限")
        payouts(d).append(given("FF-0003", date(2024, 6, 3), "法律咨询", 100))
        item(d, "生活救助")["收入条件"] = "低于低保线"
        workers(d)[0]["家庭年收入"] = 60000
    assert run(tmp_path, change) == {at("金额", 2, "amount-not-cash"), at("帮扶项目", 0, "ineligible-income")}
    messages = [p.message for p in check_folder(tmp_path, date(2026, 11, 23)).problems]
    assert not any("低保线 1,001" in m and "的低保线" in m for m in messages)
    assert not any("标准 0" in m for m in messages)
    assert any("2024 年低保线 1001.00 元），但档案 SF-0001 建档时的月人均收入" in m for m in messages)


# --- outputs that follow the same truth ---------------------------------------------------------
def _read(tmp_path, change):
    from generator.reading import read_records

    data = station_data()
    change(data)
    write_station(tmp_path, data)
    return read_records(tmp_path).records


def test_matching_ratio_only_where_declared_and_never_rounded_up(tmp_path):
    from generator.site.common import Docs
    from generator.site.funds import build_funds

    def special(d):
        d[FUNDS]["资金收入"][0]["来源类型"] = "中央财政专项"
        d[FUNDS]["资金收入"][1]["金额"] = 19990  # 0.9995 : 1

    view = build_funds(_read(tmp_path / "a", special), date(2026, 11, 23), Docs())
    assert view.matching is False and all(y.ratio == "" for y in view.years)

    def declared(d):
        special(d)
        d[POLICY]["站点设置"].append({"设置项": "财政配套比例", "值": 1})
    view = build_funds(_read(tmp_path / "b", declared), date(2026, 11, 23), Docs())
    ratios = {y.year: y.ratio for y in view.years}
    assert view.matching is True and ratios[2024] == "0.99 : 1"
    assert run(tmp_path / "c", declared) == {("资金收入", "", "matching-low")}


def test_union_transfer_is_not_matched(tmp_path):
    def change(d):  # 上级拨款 is the union's own money: no matching requirement applies
        d[FUNDS]["资金收入"][1]["金额"] = 1000
        d[POLICY]["站点设置"].append({"设置项": "财政配套比例", "值": 1})
    assert run(tmp_path, change) == set()


def test_closure_batch_lists_the_closed_files(tmp_path):
    from generator.disclosure import batch_entries

    def change(d):
        d[POLICY]["站点设置"].append({"设置项": "结档须公示", "值": "是"})
        workers(d)[1].update({"档案状态": "脱困", "结档日期": date(2026, 6, 30), "结档原因": "收入超过标准",
                              "结档公示批次": "JD-2026-01"})
        d[AID]["公示批次"].append({"批次编号": "JD-2026-01", "公示标题": "2026年上半年结档公示",
                                "公示类型": "结档公示", "开始日期": date(2026, 7, 1), "公示天数": 7})
    assert run(tmp_path / "a", change) == set()
    records = _read(tmp_path / "b", change)
    assert [e.archive_no for e in batch_entries(records, records.batch_by_no["JD-2026-01"])] == ["SF-0002"]


def test_frequency_words_say_who_and_when():
    from generator.standards import frequency_text

    class Item:
        standard, fixed, max_times = "固定金额", None, 1
        frequency, frequency_unit = "每年", None

    item = Item()
    assert frequency_text(item) == "每户每年最多 1 次"
    item.frequency, item.frequency_unit = "每学年", "每名受助对象"
    assert frequency_text(item).startswith("每名受助对象每学年")
    item.frequency = "一次性"
    assert "每个案例" in frequency_text(item)


def test_school_level_from_the_birth_date_then_the_school_name(tmp_path):
    def change(d):
        _school_aid(d)
        item(d, "金秋助学（高中）")["对象要求"] = "有高中（中职）在学子女"
        add_item(d, "金秋助学（大学）", "助学", 固定金额=5000, 频次="每学年", 频次单位="每名受助对象",
                 对象要求="有大学在学子女")
        payouts(d).extend([
            given("FF-0003", date(2024, 8, 20), "金秋助学（高中）", 3000, 受助对象="张小宇"),  # 15 on 2024-09-01
            given("FF-0004", date(2024, 8, 20), "金秋助学（大学）", 5000, 受助对象="张小宇"),  # not at university
            given("FF-0005", date(2024, 8, 20), "金秋助学（高中）", 3000, 受助对象="张小雨"),  # no birth date: 第一中学
            given("FF-0006", date(2024, 8, 20), "金秋助学（大学）", 5000, 受助对象="张小雨")])
    assert run(tmp_path, change) == {at("帮扶项目", 3, "ineligible-needs"), at("帮扶项目", 5, "ineligible-needs")}


def test_statistics_count_each_payout_under_the_category_of_its_date(tmp_path):
    from generator.site.disclosure_control import Plan, worker_value
    from generator.site.stats import registered_stats, year_stats

    def change(d):
        d[REG]["年度复核"] = [review(category="意外致困")]
    records = _read(tmp_path, change)
    by_category = year_stats(Plan(records, date(2026, 11, 23), min_cell=1), 2024).tables[1]
    assert [label for label, _ in by_category.rows] == ["相对困难"]  # both files were 相对困难 in 2024
    w = records.worker_by_no["SF-0001"]
    assert worker_value(records, w, "category", date(2024, 3, 20)) == "相对困难"  # the 2024 payout
    assert worker_value(records, w, "category") == "意外致困"  # reviewed in 2026
    now = registered_stats(records, 0)[0]
    assert sorted(label for label, _ in now.rows) == ["意外致困", "相对困难"]


def test_objection_still_open_in_the_original_batch_holds_the_redisclosed_case(tmp_path):
    def change(d):
        _objection_about(d, 重新公示批次="GS-2024-02R", 处理结果="处理中", 处理日期=None)
        d[AID]["公示批次"].append({"批次编号": "GS-2024-02R", "公示标题": "重新公示", "公示类型": "帮扶公示",
                                "开始日期": date(2024, 4, 6), "公示天数": 7, "原公示批次": "GS-2024-02"})
        payouts(d)[0].update({"公示批次": "GS-2024-02R", "批准日期": date(2024, 4, 15),
                              "发放日期": date(2024, 4, 16), "签收日期": date(2024, 4, 16)})
    assert run(tmp_path, change) == {at("批准日期", 0, "objection-unresolved"),
                                     at("处理结果", 1, "objection-open", "异议处理")}


def test_beneficiary_not_in_the_family_and_an_incomplete_standard(tmp_path):
    def change(d):
        payouts(d)[0]["受助对象"] = "王小明"
        item(d, "生活救助")["固定金额"] = None
    assert run(tmp_path, change) == {at("受助对象", 0, "beneficiary-unknown"),
                                     at("固定金额", 0, "item-standard-incomplete", "帮扶项目")}


def test_a_refused_cell_is_reported_once_by_the_reader(tmp_path):
    # 固定金额 typed as text: the reader's type-money, not also a rule's "standard incomplete"
    got = run(tmp_path, lambda d: item(d, "生活救助").update({"固定金额": "三百块"}))
    assert got == {at("固定金额", 0, "type-money", "帮扶项目")}
