"""A small, consistent station written as real workbooks, for the private-records tests.

Ten workers whose surnames exercise the pinyin order (单, 曾, 解, 查, 仇, 区, 尉迟 …),
payouts across 2024–2026 (two 帮扶公示 batches, one still running on TODAY,
送温暖 paid without disclosure), an objection, funds with incomes and an expense.
`write_station(folder)` writes the four workbooks; the values are module
constants so tests can compute expected figures independently.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

from openpyxl import Workbook

from generator import idcard, schema
from generator.safe_cells import write_text_cell

TODAY = date(2026, 11, 23)
SITE_URL = "https://bangfu.example.org/"
STATION = "示范镇总工会困难职工帮扶站"


def id_number(area: str, born: date, seq: int, female: bool) -> str:
    digit = seq * 2 + (0 if female else 1)
    first17 = f"{area}{born:%Y%m%d}{digit:03d}"
    return first17 + idcard.check_digit(first17)


SETTINGS = {
    "station_name": STATION, "parent_union": "示范县总工会",
    "address": "示范镇人民路 88 号镇总工会一楼", "phone": "0531-88880000", "hotline": "12351",
    "hours": "周一至周五 8:30-12:00，13:30-17:30", "site_url": SITE_URL, "disclosure_days": 7,
    "retention_days": 30, "full_names": False, "min_cell": 3, "contact": "李文",
}
CATEGORIES = [
    {"name": "深度困难", "multiple": D("1"), "rule": "月人均收入低于低保线"},
    {"name": "相对困难", "multiple": D("2"), "rule": "月人均收入低于 2 倍低保线"},
    {"name": "意外致困", "rule": "突发事件致困"},
]
DIBAO = [{"year": 2024, "amount": D("1001")}, {"year": 2025, "amount": D("1030")},
         {"year": 2026, "amount": D("1062")}]
ITEMS = [
    {"name": "生活救助", "group": "生活救助", "standard": "固定金额", "fixed": D("300"),
     "income_rule": "不限", "who": "家庭月人均收入低于低保线或遭受突发灾害的困难职工",
     "documents": "低保证或困难证明、收入证明、身份证、户口簿、申请表", "deadline_days": 6,
     "frequency": "每年", "max_times": 2, "needs_disclosure": True,
     "procedure": "本人申请→入户调查→公示 7 天→审批→发放"},
    {"name": "医疗救助（大病）", "group": "医疗救助", "standard": "比例封顶", "threshold": D("5000"),
     "rate": D("0.8"), "cap": D("10000"), "income_rule": "不限",
     "who": "本人、配偶或子女患重大疾病的困难职工", "documents": "县级以上医院病情证明、医疗费用票据、身份证、户口簿",
     "deadline_days": 6, "frequency": "每年", "max_times": 1, "needs_disclosure": True},
    {"name": "医疗互助", "group": "医疗救助", "standard": "比例封顶", "threshold": D("1000"),
     "rate": D("0.5"), "income_rule": "不限", "who": "参加医疗互助的会员",
     "documents": "医疗费用票据、身份证", "frequency": "不限", "needs_disclosure": True},
    {"name": "金秋助学（大学）", "group": "助学", "standard": "固定金额", "fixed": D("5000"),
     "income_rule": "不限", "who": "子女当年考入大学的困难职工", "documents": "录取通知书、户口簿、身份证",
     "frequency": "每年", "max_times": 1, "needs_disclosure": True},
    {"name": "送温暖", "group": "送温暖", "standard": "固定金额", "fixed": D("1000"),
     "income_rule": "不限", "who": "在档困难职工", "documents": "无需材料",
     "frequency": "每年", "max_times": 1, "needs_disclosure": False},
]

_W = dict(sex="男", ethnicity="汉族", political="群众", phone="13805310001",
          address="示范镇幸福路 12 号", community="幸福社区", employer="示范镇机械厂",
          union_branch="示范镇机械厂工会", work_status="在岗", model_worker="非劳模",
          cause="患重特大疾病", health="一般疾病", disability="无", marital="已婚", hukou="非农业",
          housing="自购房", household_size=3, rigid_spending=D("6000"), dibao="非低保",
          living="靠本人工资维持", schooling="无", measures="医疗救助", status="在档",
          registrar="李文", reviewer="王芳", bank="示范农商银行", relapsed=False)


def _worker(no, name, born, female, seq, **kw):
    sex = "女" if female else "男"
    values = {**_W, "sex": sex, "archive_no": no, "name": name, "birth_date": born,
              "id_number": id_number("370102", born, seq, female),
              "bank_account": f"62284800{seq:011d}", **kw}
    return values


# income 30000 - 6000 = 24000 / 12 / 3 = 666.67 < 1001 (深度困难 in every year)
WORKERS = [
    _worker("SF-0001", "单田芳", date(1975, 6, 18), False, 1, category="深度困难",
            household_income=D("30000"), applied=date(2024, 2, 20), batch="GS-2024-01",
            registered=date(2024, 3, 15), reviewed=date(2026, 3, 10), phone="13805310011",
            schooling="女儿读高二", measures="医疗救助、金秋助学"),
    _worker("SF-0002", "沙小红", date(1980, 1, 5), True, 2, category="相对困难",
            household_income=D("48000"), applied=date(2024, 2, 21), batch="GS-2024-01",
            registered=date(2024, 3, 15), reviewed=date(2026, 3, 10)),
    _worker("SF-0003", "曾明", date(1970, 9, 9), False, 3, category="深度困难",
            household_income=D("30000"), applied=date(2024, 2, 22), batch="GS-2024-01",
            registered=date(2024, 3, 15), reviewed=date(2026, 3, 11)),
    _worker("SF-0004", "张伟", date(1972, 3, 3), False, 4, category="相对困难",
            household_income=D("48000"), applied=date(2024, 2, 23), batch="GS-2024-01",
            registered=date(2024, 3, 15), reviewed=date(2026, 3, 11), employer="示范镇纺织厂"),
    _worker("SF-0005", "解晓东", date(1985, 12, 1), False, 5, category="意外致困",
            household_income=D("20000"), applied=date(2026, 6, 1), batch="GS-2026-02",
            registered=date(2026, 7, 6), reviewed=date(2026, 7, 6), cause="遭受意外事故",
            causes_more=("子女上学",), health="残疾", disability="肢体", disability_grade="三级"),
    _worker("SF-0006", "谢丽", date(1978, 4, 4), True, 6, category="相对困难",
            household_income=D("48000"), applied=date(2026, 6, 2), batch="GS-2026-02",
            registered=date(2026, 7, 6), reviewed=date(2026, 7, 6), dibao="低保边缘户",
            employer="=示范镇服装厂"),  # text that must stay text in the report
    _worker("SF-0007", "区志强", date(1969, 7, 7), False, 7, category="深度困难",
            household_income=D("30000"), applied=date(2024, 2, 24), batch="GS-2024-01",
            registered=date(2024, 3, 15), reviewed=date(2025, 3, 1), status="脱困",
            closed=date(2026, 8, 20), exit_reason="收入超过标准"),
    _worker("SF-0008", "尉迟敬", date(1982, 8, 8), False, 8, category="深度困难",
            household_income=D("30000"), applied=date(2026, 6, 3), batch="GS-2026-02",
            registered=date(2026, 7, 6), reviewed=date(2026, 7, 6), work_status="农民工",
            joined=date(2020, 5, 1)),
    _worker("SF-0009", "查伟", date(1990, 2, 2), False, 9, category="相对困难",
            household_income=D("48000"), applied=date(2026, 11, 10), status="申请", reviewed=None),
    _worker("SF-0010", "仇红", date(1976, 10, 10), True, 10, category="深度困难",
            household_income=D("30000"), applied=date(2024, 2, 25), batch="GS-2024-01",
            registered=date(2024, 3, 15), reviewed=date(2026, 3, 12), cause="下岗失业"),
]
# two family members for everyone, so household_size 3 holds
MEMBERS = []
for _i, _w in enumerate(WORKERS):
    _born = date(1978, 1, 1 + _i)
    MEMBERS.append({"archive_no": _w["archive_no"], "name": f"配偶{_i + 1}号", "relation": "配偶",
                    "sex": "女", "birth_date": _born, "id_number": id_number("370102", _born, 40 + _i, True),
                    "health": "良好", "income": D("1500"), "role": "在职"})
    _kid = date(2008, 5, 1 + _i)
    MEMBERS.append({"archive_no": _w["archive_no"], "name": f"子女{_i + 1}号", "relation": "子女",
                    "sex": "男", "birth_date": _kid, "id_number": id_number("370102", _kid, 60 + _i, False),
                    "health": "良好", "income": D("0"), "role": "学生", "school_or_employer": "示范县第一中学"})

VISITS = [
    {"archive_no": "SF-0001", "date": date(2024, 2, 26), "kind": "入户调查", "visitor": "李文、王芳",
     "notes": "家中三人，收入属实"},
    {"archive_no": "SF-0001", "date": date(2026, 3, 10), "kind": "年度复核", "visitor": "李文",
     "notes": "情况无变化", "next_step": "继续帮扶"},
    {"archive_no": "SF-0005", "date": date(2026, 6, 4), "kind": "入户调查", "visitor": "王芳",
     "notes": "工伤致残，收入锐减"},
]

BATCHES = [
    {"batch_no": "GS-2024-01", "title": "2024年第一批困难职工建档公示", "kind": "建档公示",
     "subject": "新认定困难职工名单", "start": date(2024, 3, 1), "place": "镇总工会公示栏"},
    {"batch_no": "GS-2024-02", "title": "2024年生活救助公示", "kind": "帮扶公示", "start": date(2024, 4, 5)},
    {"batch_no": "GS-2026-02", "title": "2026年第二批困难职工建档公示", "kind": "建档公示",
     "subject": "新认定困难职工名单", "start": date(2026, 6, 20)},
    {"batch_no": "GS-2026-03", "title": "2026年金秋助学和医疗救助公示", "kind": "帮扶公示",
     "subject": "拟救助名单", "start": date(2026, 8, 1), "place": "镇总工会公示栏、本站网站"},
    {"batch_no": "GS-2026-03-R", "title": "2026年金秋助学和医疗救助公示（异议复查后重新公示）",
     "kind": "帮扶公示", "subject": "经复查后重新公示的拟救助人员", "start": date(2026, 8, 7),
     "original": "GS-2026-03"},
    {"batch_no": "GS-2026-05", "title": "2026年第四季度生活救助公示", "kind": "帮扶公示",
     "subject": "拟救助名单", "start": date(2026, 11, 20), "place": "镇总工会公示栏、本站网站",
     "issued": date(2026, 11, 20)},
]
OBJECTIONS = [
    {"objection_no": "YY-2026-01", "batch": "GS-2026-03", "archive_no": "SF-0003",
     "received": date(2026, 8, 3), "content": "反映其家庭收入偏高", "result": "不成立",
     "resolved": date(2026, 8, 6), "resolution": "经入户复查，收入属实", "redisclosed_in": "GS-2026-03-R"},
]

_P = dict(fund="上级帮扶专项资金", method="银行卡", signed=True, clerk="李文")
PAYOUTS = [
    # 2024 and 2025
    {**_P, "record_no": "FF-2024-0001", "archive_no": "SF-0001", "name": "单田芳", "item": "生活救助",
     "applied": date(2024, 4, 1), "approved": date(2024, 4, 20), "paid": date(2024, 4, 22),
     "amount": D("300"), "signed_on": date(2024, 4, 22), "batch": "GS-2024-02"},
    {**_P, "record_no": "FF-2025-0001", "archive_no": "SF-0001", "name": "单田芳", "item": "送温暖",
     "applied": date(2025, 1, 10), "approved": date(2025, 1, 15), "paid": date(2025, 1, 20),
     "amount": D("1000"), "signed_on": date(2025, 1, 20), "fund": "工会经费帮扶账户", "campaign": "两节送温暖"},
    # 2026 Q1: 送温暖 to four workers on one day (no disclosure)
    *[{**_P, "record_no": f"FF-2026-000{i}", "archive_no": no, "name": name, "item": "送温暖",
       "applied": date(2026, 1, 5), "approved": date(2026, 1, 12), "paid": date(2026, 1, 20),
       "amount": D("1000"), "signed_on": date(2026, 1, 20), "fund": "工会经费帮扶账户",
       "campaign": "两节送温暖", "method": "现金"}
      for i, (no, name) in enumerate((("SF-0001", "单田芳"), ("SF-0002", "沙小红"), ("SF-0003", "曾明"),
                                      ("SF-0010", "仇红"), ("SF-0004", "张伟")), 1)],
    # 2026 Q3: disclosed in GS-2026-03, paid in August
    {**_P, "record_no": "FF-2026-0011", "archive_no": "SF-0001", "name": "单田芳", "item": "金秋助学（大学）",
     "applied": date(2026, 7, 20), "verified": date(2026, 7, 24), "batch": "GS-2026-03",
     "approved": date(2026, 8, 10), "paid": date(2026, 8, 15), "amount": D("5000"),
     "signed_on": date(2026, 8, 15), "campaign": "金秋助学"},
    {**_P, "record_no": "FF-2026-0012", "archive_no": "SF-0003", "name": "曾明", "item": "医疗救助（大病）",
     "applied": date(2026, 7, 21), "verified": date(2026, 7, 27), "batch": "GS-2026-03",
     "approved": date(2026, 8, 14), "paid": date(2026, 8, 15), "base_amount": D("17512.50"),
     "amount": D("10000"), "signed_on": date(2026, 8, 16)},
    {**_P, "record_no": "FF-2026-0013", "archive_no": "SF-0005", "name": "解晓东", "item": "医疗互助",
     "applied": date(2026, 7, 22), "verified": date(2026, 7, 28), "batch": "GS-2026-03",
     "approved": date(2026, 8, 10), "paid": date(2026, 8, 15), "base_amount": D("21020.10"),
     "amount": D("10010.05"), "signed_on": date(2026, 8, 17), "fund": "地方财政配套资金"},
    {**_P, "record_no": "FF-2026-0014", "archive_no": "SF-0007", "name": "区志强", "item": "生活救助",
     "applied": date(2026, 7, 23), "verified": date(2026, 7, 29), "batch": "GS-2026-03",
     "approved": date(2026, 8, 10), "paid": date(2026, 8, 15), "amount": D("300"),
     "signed_on": date(2026, 8, 15)},
    {**_P, "record_no": "FF-2026-0015", "archive_no": "SF-0001", "name": "单田芳", "item": "生活救助",
     "applied": date(2026, 7, 23), "verified": date(2026, 7, 29), "batch": "GS-2026-03",
     "approved": date(2026, 8, 10), "paid": date(2026, 8, 15), "amount": D("300"),
     "signed_on": date(2026, 8, 15)},
    # 2026 Q4: running disclosure GS-2026-05, not yet approved
    *[{**_P, "record_no": f"FF-2026-002{i}", "archive_no": no, "name": name, "item": "生活救助",
       "applied": date(2026, 11, 2), "verified": date(2026, 11, 6), "batch": "GS-2026-05",
       "amount": D("300"), "signed": False}
      for i, (no, name) in enumerate((("SF-0004", "张伟"), ("SF-0006", "谢丽"), ("SF-0008", "尉迟敬")), 1)],
]

FUNDS = [
    {"name": "上级帮扶专项资金", "source": "上级拨款", "allowed": "生活救助、医疗救助、助学",
     "opened": date(2024, 1, 1), "opening": D("50000")},
    {"name": "工会经费帮扶账户", "source": "工会经费", "allowed": "全部", "opened": date(2024, 1, 1),
     "opening": D("20000")},
    {"name": "地方财政配套资金", "source": "地方财政配套", "allowed": "全部", "opened": date(2024, 1, 1),
     "opening": D("0")},
]
INCOMES = [
    {"date": date(2026, 5, 10), "fund": "上级帮扶专项资金", "source": "上级拨款", "payer": "示范县总工会",
     "amount": D("30000"), "voucher": "PZ-2026-05"},
    {"date": date(2026, 5, 12), "fund": "地方财政配套资金", "source": "地方财政配套", "payer": "示范镇财政所",
     "amount": D("30000")},
    {"date": date(2026, 7, 10), "fund": "上级帮扶专项资金", "source": "中央财政专项", "payer": "示范县总工会",
     "amount": D("40000")},
    {"date": date(2026, 7, 15), "fund": "地方财政配套资金", "source": "地方财政配套", "payer": "示范镇财政所",
     "amount": D("40000")},
    {"date": date(2026, 9, 9), "fund": "工会经费帮扶账户", "source": "干部职工捐款", "payer": "镇机关干部",
     "amount": D("5600.50"), "summary": "-1 慈善一日捐"},
]
EXPENSES = [
    {"date": date(2026, 9, 1), "fund": "工会经费帮扶账户", "purpose": "就业援助", "amount": D("3000"),
     "summary": "=职业技能培训班"},
    {"date": date(2026, 10, 8), "fund": "工会经费帮扶账户", "purpose": "法律援助", "amount": D("800"),
     "summary": "法律咨询服务"},
]

TABLES = {"workers": WORKERS, "members": MEMBERS, "visits": VISITS, "payouts": PAYOUTS,
          "batches": BATCHES, "objections": OBJECTIONS, "funds": FUNDS, "incomes": INCOMES,
          "expenses": EXPENSES, "categories": CATEGORIES, "dibao_lines": DIBAO, "items": ITEMS,
          "calendar": [{"date": date(2027, 1, 1), "kind": "休息日", "note": "元旦"}]}


def _cell(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, tuple):
        return "、".join(value)
    return value


def write_station(folder: Path, tables: dict | None = None, settings: dict | None = None) -> Path:
    """Write the four workbooks into `folder` (created); returns it."""
    tables = {**TABLES, **(tables or {})}
    settings = {**SETTINGS, **(settings or {})}
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for book in schema.BOOKS:
        wb = Workbook()
        wb.remove(wb.active)
        for sheet in book.sheets:
            ws = wb.create_sheet(sheet.name)
            if sheet.settings:
                ws.append([c.name for c in sheet.columns])
                for entry in sheet.entries:
                    ws.append([entry.name, _cell(settings.get(entry.key)), None])
                continue
            ws.append([c.name for c in sheet.columns])
            for ri, row in enumerate(tables.get(sheet.key, ()), 2):
                for ci, c in enumerate(sheet.columns, 1):
                    cell = write_text_cell(ws, ri, ci, _cell(row.get(c.key)))
                    if c.kind in (schema.IDNO, schema.PHONE, schema.CODE):
                        cell.number_format = "@"
        wb.save(folder / book.filename)
    return folder


def read_station(folder: Path, **overrides):
    """Write the station (with table/settings overrides) and read it back as Records."""
    from generator.reading import read_records

    write_station(folder, **overrides)
    result = read_records(folder)
    assert not result.unreadable and not result.errors, result.problems
    return result.records


def demo_records_dir(tmp_factory) -> Path:
    """The committed demo records when present, else a small generated demo."""
    committed = Path(__file__).resolve().parent.parent / "records"
    if all((committed / b.filename).exists() for b in schema.BOOKS):
        return committed
    from generator.demo import write_demo

    folder = tmp_factory.mktemp("demo") / "records"
    write_demo(folder, workers=30, payouts=80, seed=2026, today=TODAY)
    return folder
