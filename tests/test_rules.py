"""Every check rule, on a tiny valid station broken in one place: (sheet, cell, code)."""

from __future__ import annotations

from datetime import date

import pytest

from generator.problems import CATALOGUE

from station import cell_of, found, idno, station_data, write_station

REG, AID, FUNDS, POLICY = "困难职工档案.xlsx", "帮扶记录.xlsx", "帮扶资金.xlsx", "帮扶政策.xlsx"


class Found(set):
    """The (sheet, cell, code) a check reported; remembers which ones a test asserted, so that
    `pinned` below can require the exact set (a problem nobody asserted is a failure)."""

    def __init__(self, items):
        super().__init__(items)
        self.asserted: set = set()

    def __contains__(self, item) -> bool:
        self.asserted.add(item)
        return super().__contains__(item)

    def __eq__(self, other) -> bool:
        self.asserted |= set(self)
        return set(self) == set(other)

    def __ge__(self, other) -> bool:  # got >= {...}, and {...} <= got (tried first: a subclass)
        self.asserted |= set(other)
        return set(self) >= set(other)

    __hash__ = None  # type: ignore[assignment]


_RUNS: list[Found] = []


@pytest.fixture(autouse=True)
def pinned():
    """Every rule test asserts the exact set of problems: all it got, nothing more."""
    _RUNS.clear()
    yield
    for got in _RUNS:
        assert set(got) <= got.asserted, f"problems no assertion pinned: {sorted(set(got) - got.asserted)}"


def run(tmp_path, change, today=None):
    data = station_data()
    change(data)
    write_station(tmp_path, data)
    got = Found(found(tmp_path, today) if today else found(tmp_path))
    _RUNS.append(got)
    return got


def workers(d):
    return d[REG]["困难职工"]


def payouts(d):
    return d[AID]["帮扶发放"]


def test_base_station_is_clean(tmp_path):
    assert run(tmp_path, lambda d: None) == set()


# --- references and uniqueness -------------------------------------------------------
def test_unknown_worker_in_payout(tmp_path):
    got = run(tmp_path, lambda d: payouts(d)[0].update({"档案编号": "SF-9999"}))
    assert got == {("帮扶发放", cell_of("帮扶发放", "档案编号", 0), "ref-missing"),
                   ("困难职工", cell_of("困难职工", "档案编号", 0), "never-helped")}  # SF-0001 lost its payout


def test_unknown_item_fund_batch_category(tmp_path):
    def change(d):
        payouts(d)[0].update({"帮扶项目": "生活补助", "资金账户": "已删除账户", "公示批次": "GS-1999-01"})
        workers(d)[0]["困难类别"] = "特困"
    got = run(tmp_path, change)
    for column in ("帮扶项目", "资金账户", "公示批次"):
        assert ("帮扶发放", cell_of("帮扶发放", column, 0), "ref-missing") in got
    assert ("困难职工", cell_of("困难职工", "困难类别", 0), "ref-missing") in got


def test_duplicate_archive_number(tmp_path):
    got = run(tmp_path, lambda d: workers(d)[1].update({"档案编号": "SF-0001"}))
    # and knock-on: the second worker's own payout and household no longer match "SF-0001"
    assert got == {("困难职工", cell_of("困难职工", "档案编号", 1), "duplicate"),
                   ("困难职工", cell_of("困难职工", "家庭人口", 1), "household-size"),
                   ("帮扶发放", cell_of("帮扶发放", "档案编号", 1), "ref-missing"),
                   ("帮扶发放", cell_of("帮扶发放", "姓名", 0), "name-mismatch")}


def test_same_person_twice_with_lowercase_x(tmp_path):
    number = idno("11010519491231002")  # ends in X
    assert number.endswith("X")

    def change(d):
        workers(d)[0]["身份证号"] = number
        workers(d)[0]["出生日期"] = date(1949, 12, 31)
        workers(d)[0]["性别"] = "女"
        workers(d)[1]["身份证号"] = number.lower()
        workers(d)[1]["出生日期"] = date(1949, 12, 31)
    got = run(tmp_path, change)
    assert ("困难职工", cell_of("困难职工", "身份证号", 1), "duplicate-person") in got


def test_payout_name_differs_from_file(tmp_path):
    got = run(tmp_path, lambda d: payouts(d)[0].update({"姓名": "张小明"}))
    assert ("帮扶发放", cell_of("帮扶发放", "姓名", 0), "name-mismatch") in got


# --- people -----------------------------------------------------------------------------
def test_birth_and_sex_against_identity_number(tmp_path):
    got = run(tmp_path, lambda d: workers(d)[0].update({"出生日期": date(1978, 5, 13), "性别": "女"}))
    assert ("困难职工", cell_of("困难职工", "出生日期", 0), "idno-birth-mismatch") in got
    assert ("困难职工", cell_of("困难职工", "性别", 0), "idno-sex-mismatch") in got


def test_household_size_against_members(tmp_path):
    got = run(tmp_path, lambda d: workers(d)[0].update({"家庭人口": 4}))
    assert ("困难职工", cell_of("困难职工", "家庭人口", 0), "household-size") in got


def test_per_capita_typed_wrong(tmp_path):
    got = run(tmp_path, lambda d: workers(d)[0].update({"家庭月人均收入": 900}))
    assert ("困难职工", cell_of("困难职工", "家庭月人均收入", 0), "per-capita-mismatch") in got


def test_category_against_income(tmp_path):
    got = run(tmp_path, lambda d: workers(d)[0].update({"困难类别": "深度困难", "家庭年收入": 60000}))
    assert ("困难职工", cell_of("困难职工", "困难类别", 0), "ineligible-category") in got


def test_migrant_less_than_a_year(tmp_path):
    got = run(tmp_path, lambda d: workers(d)[1].update({"入职日期": date(2023, 6, 1)}))
    assert ("困难职工", cell_of("困难职工", "入职日期", 1), "ineligible-migrant") in got


def test_migrant_without_join_date(tmp_path):
    got = run(tmp_path, lambda d: workers(d)[1].update({"入职日期": None}))
    assert ("困难职工", cell_of("困难职工", "入职日期", 1), "required") in got


def test_closed_file_needs_date_and_reason(tmp_path):
    got = run(tmp_path, lambda d: workers(d)[0].update({"档案状态": "脱困"}))
    assert ("困难职工", cell_of("困难职工", "结档日期", 0), "exit-missing-date") in got
    assert ("困难职工", cell_of("困难职工", "结档原因", 0), "exit-missing-date") in got


def test_review_overdue_and_never_helped(tmp_path):
    def change(d):
        workers(d)[0]["最近复核日期"] = date(2025, 1, 5)
        d[AID]["帮扶发放"] = [p for p in payouts(d) if p["档案编号"] != "SF-0001"]
    got = run(tmp_path, change)
    assert ("困难职工", cell_of("困难职工", "最近复核日期", 0), "review-overdue") in got
    assert ("困难职工", cell_of("困难职工", "档案编号", 0), "never-helped") in got


# --- payouts: eligibility, standards, frequency, disclosure -------------------------------
def test_payout_to_applicant_not_yet_registered(tmp_path):
    got = run(tmp_path, lambda d: workers(d)[0].update({"档案状态": "公示中", "建档日期": None}))
    assert ("帮扶发放", cell_of("帮扶发放", "档案编号", 0), "ineligible-status") in got


def test_payout_after_file_closed(tmp_path):
    got = run(tmp_path, lambda d: workers(d)[0].update(
        {"档案状态": "脱困", "结档日期": date(2024, 4, 11), "结档原因": "收入超过标准"}))
    assert ("帮扶发放", cell_of("帮扶发放", "发放日期", 0), "ineligible-status") in got


def test_fixed_amount_over_and_under(tmp_path):
    got = run(tmp_path, lambda d: payouts(d)[0].update({"金额": 500}))
    assert ("帮扶发放", cell_of("帮扶发放", "金额", 0), "amount-over-standard") in got
    got = run(tmp_path, lambda d: payouts(d)[0].update({"金额": 200}))
    assert ("帮扶发放", cell_of("帮扶发放", "金额", 0), "amount-under-standard") in got


def test_formula_standard_capped(tmp_path):
    # 80 % of (20000 - 5000) = 12000, capped at 10000
    got = run(tmp_path, lambda d: payouts(d)[1].update({"医疗自付费用": 20000, "金额": 10000}))
    assert not any(code.startswith("amount") for _, _, code in got)
    got = run(tmp_path, lambda d: payouts(d)[1].update({"医疗自付费用": 20000, "金额": 12000}))
    assert ("帮扶发放", cell_of("帮扶发放", "金额", 1), "amount-over-standard") in got


def test_formula_needs_its_base(tmp_path):
    got = run(tmp_path, lambda d: payouts(d)[1].update({"医疗自付费用": None}))
    assert ("帮扶发放", cell_of("帮扶发放", "医疗自付费用", 1), "amount-base-missing") in got


def test_frequency_once_a_year(tmp_path):
    def change(d):
        extra = dict(payouts(d)[0], 记录编号="FF-0003")
        payouts(d).append(extra)
    got = run(tmp_path, change)
    assert ("帮扶发放", cell_of("帮扶发放", "帮扶项目", 2), "frequency") in got


def test_income_above_item_limit(tmp_path):
    got = run(tmp_path, lambda d: workers(d)[0].update({"家庭年收入": 90000, "困难类别": "意外致困"}))
    assert ("帮扶发放", cell_of("帮扶发放", "帮扶项目", 0), "ineligible-income") in got


def test_approved_during_disclosure(tmp_path):
    got = run(tmp_path, lambda d: payouts(d)[0].update({"批准日期": date(2024, 4, 7)}))
    assert ("帮扶发放", cell_of("帮扶发放", "批准日期", 0), "disclosure-not-over") in got


def test_paid_without_disclosure(tmp_path):
    got = run(tmp_path, lambda d: payouts(d)[0].update({"公示批次": None}))
    assert ("帮扶发放", cell_of("帮扶发放", "公示批次", 0), "disclosure-missing") in got


def test_payout_listed_in_registration_batch(tmp_path):
    got = run(tmp_path, lambda d: payouts(d)[0].update({"公示批次": "GS-2024-01"}))
    assert got == {("帮扶发放", cell_of("帮扶发放", "公示批次", 0), "disclosure-not-listed"),
                   ("帮扶发放", cell_of("帮扶发放", "申请日期", 0), "date-order")}  # applied after that batch began


def test_objection_unresolved_at_approval(tmp_path):
    got = run(tmp_path, lambda d: d[AID]["异议处理"][0].update({"处理结果": "处理中", "处理日期": None}))
    assert got == {("帮扶发放", cell_of("帮扶发放", "批准日期", 0), "objection-unresolved"),
                   ("帮扶发放", cell_of("帮扶发放", "批准日期", 1), "objection-unresolved"),  # same batch
                   ("异议处理", cell_of("异议处理", "处理结果", 0), "objection-open")}


def test_objection_upheld_but_paid(tmp_path):
    got = run(tmp_path, lambda d: d[AID]["异议处理"][0].update({"处理结果": "成立", "档案编号": "SF-0001"}))
    assert ("帮扶发放", cell_of("帮扶发放", "公示批次", 0), "objection-upheld") in got


def test_open_objection_about_one_person_holds_only_their_payout(tmp_path):
    # business.check skips objection_problems for payouts its batch's objections do not name
    got = run(tmp_path, lambda d: d[AID]["异议处理"][0].update(
        {"处理结果": "处理中", "处理日期": None, "档案编号": "SF-0002"}))
    assert got == {("帮扶发放", cell_of("帮扶发放", "批准日期", 1), "objection-unresolved"),
                   ("异议处理", cell_of("异议处理", "处理结果", 0), "objection-open")}


def test_fixed_amount_zero_and_equal(tmp_path):
    # an amount equal to the 固定金额 is taken without the standard's arithmetic; zero is not it
    assert run(tmp_path, lambda d: payouts(d)[0].update({"金额": 300})) == set()
    got = run(tmp_path, lambda d: payouts(d)[0].update({"金额": 0}))
    assert got == {("帮扶发放", cell_of("帮扶发放", "金额", 0), "money-zero")}


# --- timeline ---------------------------------------------------------------------------
def test_dates_out_of_order(tmp_path):
    got = run(tmp_path, lambda d: payouts(d)[0].update({"核实日期": date(2024, 3, 19)}))
    assert ("帮扶发放", cell_of("帮扶发放", "核实日期", 0), "date-order") in got
    got = run(tmp_path, lambda d: payouts(d)[0].update({"发放日期": date(2024, 4, 9), "签收日期": date(2024, 4, 9)}))
    assert got == {("帮扶发放", cell_of("帮扶发放", "发放日期", 0), "date-order"),
                   ("帮扶发放", cell_of("帮扶发放", "签收日期", 0), "date-order")}


def test_verified_after_disclosure_started(tmp_path):
    got = run(tmp_path, lambda d: payouts(d)[0].update({"核实日期": date(2024, 4, 2)}))
    assert got == {("帮扶发放", cell_of("帮扶发放", "核实日期", 0), "date-order"),
                   ("帮扶发放", cell_of("帮扶发放", "核实日期", 0), "deadline")}  # also too late


def test_registered_during_disclosure(tmp_path):
    got = run(tmp_path, lambda d: workers(d)[0].update({"建档日期": date(2024, 3, 5)}))
    assert ("困难职工", cell_of("困难职工", "建档日期", 0), "disclosure-not-over") in got


def test_paid_but_not_signed(tmp_path):
    got = run(tmp_path, lambda d: payouts(d)[0].update({"已签收": "否", "签收日期": None}))
    assert ("帮扶发放", cell_of("帮扶发放", "已签收", 0), "receipt-missing") in got


def test_paid_without_approval(tmp_path):
    got = run(tmp_path, lambda d: payouts(d)[0].update({"批准日期": None}))
    assert ("帮扶发放", cell_of("帮扶发放", "批准日期", 0), "required") in got


def test_payment_in_the_future(tmp_path):
    got = run(tmp_path, lambda d: None, today=date(2024, 4, 11))
    assert got == {("帮扶发放", cell_of("帮扶发放", column, row), "date-future")
                   for column, row in (("发放日期", 0), ("签收日期", 0), ("发放日期", 1), ("签收日期", 1))} | {
                   ("其他支出", cell_of("其他支出", "日期", 0), "date-future")}  # money spent after the check date


def test_notice_in_the_future_after_steps_in_the_past(tmp_path):
    # every step in order and in the past: only the notice (not a step) is in the future
    got = run(tmp_path, lambda d: payouts(d)[0].update({"告知日期": date(2027, 1, 4)}))
    assert got == {("帮扶发放", cell_of("帮扶发放", "告知日期", 0), "date-future")}


def test_future_date_among_steps_out_of_order(tmp_path):
    # 核实日期 in the future, after the batch began: the future, the order (the later steps come
    # before it) and the verification deadline are all reported
    got = run(tmp_path, lambda d: payouts(d)[0].update({"核实日期": date(2027, 1, 4)}))
    assert got == {("帮扶发放", cell_of("帮扶发放", "核实日期", 0), "date-future"),
                   ("帮扶发放", cell_of("帮扶发放", "核实日期", 0), "date-order"),  # after GS-2024-02 began
                   ("帮扶发放", cell_of("帮扶发放", "核实日期", 0), "deadline"),
                   *{("帮扶发放", cell_of("帮扶发放", column, 0), "date-order")
                     for column in ("批准日期", "发放日期", "签收日期")}}


# --- working-day deadlines ---------------------------------------------------------------
def test_verification_deadline_counts_holidays_and_makeup_days(tmp_path):
    # 2024-09-27 (Fri) to 2024-10-11: Oct 1-7 is the National Day holiday, Sep 29 and Oct 12 are make-up days.
    def change(d):
        payouts(d)[0].update({"申请日期": date(2024, 9, 27), "核实日期": date(2024, 10, 9),
                              "公示批次": "GS-2024-03", "批准日期": date(2024, 10, 25),
                              "发放日期": date(2024, 10, 28), "签收日期": date(2024, 10, 28)})
        d[AID]["公示批次"].append({"批次编号": "GS-2024-03", "公示标题": "第三批", "公示类型": "帮扶公示",
                                "开始日期": date(2024, 10, 14), "公示天数": 7})
    # working days after 9-27 up to 10-9: 9-29(调休), 9-30, 10-8, 10-9 = 4 <= 6: fine
    assert not any(code == "deadline" for *_, code in run(tmp_path, change))

    def late(d):
        change(d)
        payouts(d)[0]["核实日期"] = date(2024, 10, 12)  # + 10-10, 10-11, 10-12(调休) = 7 > 6
    got = run(tmp_path, late)
    assert ("帮扶发放", cell_of("帮扶发放", "核实日期", 0), "deadline") in got


def test_year_missing_from_calendar_warns_and_counts_weekdays(tmp_path):
    def change(d):
        payouts(d)[0].update({"申请日期": date(2027, 1, 4), "核实日期": date(2027, 1, 14),
                              "公示批次": None, "批准日期": None, "发放日期": None, "签收日期": None,
                              "已签收": "否"})
        d[POLICY]["调休安排"] = []
        d[POLICY]["低保标准"].append({"年度": 2027, "每人每月金额": 1090})
    got = run(tmp_path, change, today=date(2027, 2, 1))
    assert got == {("调休安排", "", "calendar-unknown"),
                   ("帮扶发放", cell_of("帮扶发放", "核实日期", 0), "deadline"),  # 8 weekdays > 6
                   ("困难职工", cell_of("困难职工", "档案编号", 0), "never-helped")}  # nothing paid yet


def test_entered_schedule_replaces_the_warning(tmp_path):
    def change(d):
        payouts(d)[0].update({"申请日期": date(2027, 1, 4), "核实日期": date(2027, 1, 8),
                              "公示批次": None, "批准日期": None, "发放日期": None, "签收日期": None,
                              "已签收": "否"})
        d[POLICY]["调休安排"] = [{"日期": date(2027, 1, 1), "类型": "休息日", "说明": "元旦"}]
        d[POLICY]["低保标准"].append({"年度": 2027, "每人每月金额": 1090})
    got = run(tmp_path, change, today=date(2027, 2, 1))
    assert got == {("困难职工", cell_of("困难职工", "档案编号", 0), "never-helped")}  # no calendar, no deadline


# --- funds -------------------------------------------------------------------------------
def test_fund_used_for_other_purpose(tmp_path):
    got = run(tmp_path, lambda d: d[FUNDS]["其他支出"][0].update({"资金账户": "上级帮扶专项资金"}))
    assert ("其他支出", cell_of("其他支出", "资金账户", 0), "fund-not-allowed") in got


def test_fund_overdrawn_in_date_order(tmp_path):
    got = run(tmp_path, lambda d: d[FUNDS]["资金收入"][0].update({"金额": 5000}))
    assert ("帮扶发放", cell_of("帮扶发放", "发放日期", 1), "fund-negative") in got


def test_matching_below_one_to_one(tmp_path):
    def change(d):
        d[FUNDS]["资金收入"][0]["来源类型"] = "中央财政专项"
        d[FUNDS]["资金收入"][1]["金额"] = 10000
        d[POLICY]["站点设置"].append({"设置项": "财政配套比例", "值": 1})
    assert run(tmp_path, change) == {("资金收入", "", "matching-low")}


def test_every_catalogue_rule_has_a_chinese_message():
    for rule in CATALOGUE.values():
        assert rule.severity in ("error", "warning")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.template), rule.code


def test_registered_despite_upheld_objection(tmp_path):
    def change(d):
        d[AID]["异议处理"].append({"异议编号": "YY-0002", "公示批次": "GS-2024-01", "档案编号": "SF-0001",
                                "收到日期": date(2024, 3, 3), "异议内容": "反映家庭收入不实", "处理结果": "成立",
                                "处理日期": date(2024, 3, 8), "处理说明": "经复查，收入超过标准"})
    got = run(tmp_path, change)
    assert ("困难职工", cell_of("困难职工", "建档日期", 0), "objection-upheld") in got


def test_registered_before_objection_settled(tmp_path):
    def change(d):
        d[AID]["异议处理"].append({"异议编号": "YY-0002", "公示批次": "GS-2024-01", "收到日期": date(2024, 3, 3),
                                "异议内容": "对名单有疑问", "处理结果": "不成立", "处理日期": date(2024, 3, 12)})
    got = run(tmp_path, change)
    assert got == {("困难职工", cell_of("困难职工", "建档日期", row), "objection-unresolved") for row in (0, 1)}


def test_never_helped_counts_only_paid(tmp_path):
    def change(d):
        for p in payouts(d):
            if p["档案编号"] == "SF-0001":
                p.update({"批准日期": None, "发放日期": None, "签收日期": None, "已签收": "否"})
    got = run(tmp_path, change)
    assert ("困难职工", cell_of("困难职工", "档案编号", 0), "never-helped") in got
