"""The demo station's policy workbook: settings, categories, 低保 lines, items.

Standards follow domain.md: the Xiaoya town items (生活救助 300, 残疾 supplement
300 once, 医疗救助 1000/500 once, 助学 300 a year / 1000 once, 法律援助 and
就业援助 as services), the Xishan 大病救助 formula (80 % of the self-paid part
above 5,000, at most 10,000) and today's campaign amounts (金秋助学, 两节送温暖).
"""

from __future__ import annotations

from decimal import Decimal

STATION = "示范镇总工会困难职工帮扶站"
PARENT = "示范县总工会"
ADDRESS = "示范镇人民路 88 号镇总工会一楼"
PHONE = "0531-88880000"
CONTACT = "李文"
STAFF = ("李文", "王芳", "赵强")

# the station's follow-up setting (回访项目, 回访天数): within three months
FOLLOW_UP_GROUPS: tuple[str, ...] = ("生活救助", "医疗救助", "助学")
FOLLOW_UP_DAYS = 90

SETTINGS = {
    "station_name": STATION,
    "parent_union": PARENT,
    "address": ADDRESS,
    "phone": PHONE,
    "hotline": "12351",
    "hours": "周一至周五 8:30-12:00，13:30-17:30（法定节假日除外）",
    "site_url": None,
    "disclosure_days": 7,
    "retention_days": 30,
    "full_names": False,
    "min_cell": 3,
    "contact": CONTACT,
    "close_disclosure": True,
    "redisclosure_severity": "提醒",
    "matching_ratio": Decimal("1"),
    "follow_up_groups": FOLLOW_UP_GROUPS,
    "follow_up_days": FOLLOW_UP_DAYS,
    "payment_days": 10,
    "reception_days": 7,
    "todo_days": 14,
}


CATEGORIES = (
    {"name": "深度困难", "multiple": Decimal("1"),
     "rule": "家庭年收入扣除医疗、教育、残疾等刚性支出后，月人均收入低于当地城市低保标准"},
    {"name": "相对困难", "multiple": Decimal("2"),
     "rule": "家庭年收入扣除刚性支出后，月人均收入低于当地城市低保标准的 2 倍"},
    {"name": "意外致困", "multiple": None,
     "rule": "因突发事件、意外事故或重大疾病，扣除各种救助和保险赔付后，家庭基本生活仍出现严重困难"},
)

# per person per month; the three demo years get these lines in order
DIBAO_AMOUNTS = (Decimal("1001"), Decimal("1030"), Decimal("1062"))


def dibao_lines(first_year: int) -> tuple[dict, ...]:
    return tuple({"year": first_year + i, "amount": amount, "note": "示范市城市居民最低生活保障标准"}
                 for i, amount in enumerate(DIBAO_AMOUNTS))


def calendar_rows(today) -> tuple[dict, ...]:
    """From November on the station enters the coming year's schedule as soon as it is
    published; the demo enters its New Year's Day, which is fixed by law."""
    if today.month < 11:
        return ()
    from datetime import date

    return ({"date": date(today.year + 1, 1, 1), "kind": "休息日",
             "note": "元旦（其余放假和调休日期按国务院办公厅通知补录）"},)


_COMMON_DOCS = "身份证、户口簿、所在单位工会证明、帮扶申请表"


def _item(name, group, standard, who, documents, frequency, needs_disclosure, *, fixed=None,
          threshold=None, rate=None, cap=None, income_rule="不限", deadline_days=6, max_times=None,
          procedure="本人申请 → 基层工会初审 → 帮扶站入户核实 → 公示 7 天 → 审批 → 发放（银行卡）→ 签收",
          note=None, routes=None, needs=(), unit="每户", amount_disclosure=None):
    if max_times is None and frequency in ("每年", "每学年", "每个节日季", "每季度"):
        max_times = 1
    return {"name": name, "group": group, "standard": standard, "fixed": fixed,
            "threshold": threshold, "rate": rate, "cap": cap, "income_rule": income_rule,
            "routes": routes, "needs": tuple(needs),
            "who": who, "documents": documents, "deadline_days": deadline_days,
            "frequency": frequency, "frequency_unit": unit, "max_times": max_times,
            "needs_disclosure": needs_disclosure, "procedure": procedure, "note": note,
            "amount_disclosure": amount_disclosure}


HIGH_SCHOOL = ("有高中（中职）在学子女",)
COLLEGE = ("有大学在学子女",)


_NO_DISCLOSURE = "本人申请 → 帮扶站登记核实 → 审批 → 提供服务或发放 → 签收"

ITEMS = (
    _item("生活救助", "生活救助", "固定金额",
          "家庭月人均收入低于当地低保标准的在档困难职工，或因突发灾害造成生活困难的职工",
          "低保证或工会（社区）出具的困难证明、家庭收入证明、" + _COMMON_DOCS,
          "每季度", True, fixed=Decimal("300"), income_rule="低于低保线", routes="意外致困",
          note="每户每季度最多一次；因突发灾害、意外事故致困的家庭不受收入条件限制"),
    _item("生活救助（残疾补助）", "生活救助", "固定金额",
          "持有《残疾人证》的在档困难职工本人",
          "《残疾人证》、" + _COMMON_DOCS, "一次性", True, fixed=Decimal("300"), needs=("持残疾证",),
          note="在生活救助之外另行补助一次"),
    _item("医疗救助（大病）", "医疗救助", "固定金额",
          "本人、配偶或子女患重大疾病的在档困难职工",
          "县级以上医院病情证明、" + _COMMON_DOCS, "一次性", True, fixed=Decimal("1000")),
    _item("医疗救助（工伤）", "医疗救助", "固定金额",
          "因工负伤住院治疗的在档困难职工",
          "工伤认定书、住院病历、" + _COMMON_DOCS, "一次性", True, fixed=Decimal("500")),
    _item("大病救助", "医疗救助", "比例封顶",
          "本人、配偶或子女患重大疾病，年度医疗费用个人自付超过 5000 元的在档困难职工",
          "医疗费用票据、医保结算单、县级以上医院病情证明、" + _COMMON_DOCS,
          "每年", True, threshold=Decimal("5000"), rate=Decimal("0.8"), cap=Decimal("10000"),
          note="个人自付费用超过 5000 元的部分按 80% 救助，每年最高 10000 元",
          amount_disclosure="只显示项目"),
    _item("助学（高中）", "助学", "固定金额",
          "子女就读普通高中或中等职业学校、家庭月人均收入低于低保标准的在档困难职工",
          "困难证明、录取通知书或成绩单、学生证、" + _COMMON_DOCS + "、学生照片",
          "每学年", True, fixed=Decimal("300"), income_rule="低于低保线", needs=HIGH_SCHOOL, unit="每名受助对象",
          note="秋季开学前发放，每名学生每学年一次"),
    _item("助学（大学）", "助学", "固定金额",
          "子女当年考入全日制大学（含高职）的在档困难职工",
          "录取通知书、困难证明、" + _COMMON_DOCS + "、学生照片",
          "一次性", True, fixed=Decimal("1000"), needs=COLLEGE, unit="每名受助对象", note="秋季开学前发放"),
    _item("金秋助学（高中）", "助学", "固定金额",
          "子女就读普通高中或中等职业学校、家庭月人均收入低于低保标准 2 倍的在档困难职工",
          "学生证或在读证明、成绩单、" + _COMMON_DOCS,
          "每学年", True, fixed=Decimal("3000"), income_rule="低于2倍低保线", needs=HIGH_SCHOOL,
          unit="每名受助对象", note="金秋助学活动，每名学生每学年一次；一户有两名学生的可分别申请"),
    _item("金秋助学（大学）", "助学", "固定金额",
          "子女就读全日制大学（含高职）、家庭月人均收入低于低保标准 2 倍的在档困难职工",
          "录取通知书或学生证、" + _COMMON_DOCS,
          "每学年", True, fixed=Decimal("5000"), income_rule="低于2倍低保线", needs=COLLEGE,
          unit="每名受助对象", note="金秋助学活动，每名学生每学年一次；一户有两名学生的可分别申请"),
    _item("两节送温暖", "送温暖", "固定金额",
          "元旦、春节期间的在档困难职工家庭",
          "帮扶站入户走访记录、" + _COMMON_DOCS, "每个节日季", True, fixed=Decimal("3000"),
          note="每户每个元旦春节一次，春节前发放；12 月的申请属于下一年的两节"),
    _item("夏送清凉", "其他", "固定金额",
          "高温季节在一线和户外作业的在档困难职工（含农民工）",
          "所在单位工会证明", "每年", False, fixed=Decimal("200"), procedure=_NO_DISCLOSURE,
          note="发放防暑降温物品，折合金额"),
    _item("法律援助", "法律援助", "非现金",
          "合法权益受到侵害的工会会员、农民工和工会干部",
          "工会会员证或相关证明、身份证、劳动合同或相关证据材料",
          "不限", False, deadline_days=7, procedure=_NO_DISCLOSURE,
          note="提供法律咨询、调解和代理服务，7 个工作日内答复"),
    _item("就业援助", "就业援助", "非现金",
          "下岗失业、享受低保的会员和“4050”人员",
          "再就业优惠证、失业证或低保证、身份证",
          "不限", False, procedure=_NO_DISCLOSURE, needs=("下岗失业或低保或4050人员",),
          note="职业指导、求职登记、推荐岗位和技能培训"),
)

ITEM_BY_NAME = {i["name"]: i for i in ITEMS}
