"""The workbook schema, declared once.

It drives reading (header matching, value types), checking (required, enums,
references, uniqueness), `bangfu init` (blank templates with drop-downs and
hints) and the generated column reference in the docs.

Column names follow the national 困难职工档案表 where one exists (`national`).
`sensitive` marks values that must never reach a public page; the build's leak
scan collects them from the records by this mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# value kinds -----------------------------------------------------------------
TEXT = "text"  # free text
CODE = "code"  # identifiers: archive numbers, batch numbers (safe for file names)
INT = "int"
MONEY = "money"  # Decimal yuan, 2 places
RATE = "rate"  # Decimal fraction; 80% or 0.8
DATE = "date"
ENUM = "enum"
MULTI = "multi"  # several enum values separated by 、
BOOL = "bool"  # 是/否
IDNO = "idno"  # resident identity number (GB 11643)
PHONE = "phone"

KIND_ZH = {
    TEXT: "文本", CODE: "编号", INT: "整数", MONEY: "金额(元)", RATE: "比例",
    DATE: "日期", ENUM: "下拉选择", MULTI: "可多选(用、分隔)", BOOL: "是/否",
    IDNO: "身份证号(文本)", PHONE: "电话(文本)",
}

# sensitivity marks (privacy) ---------------------------------------------------
S_NAME = "name"
S_IDNO = "idno"
S_PHONE = "phone"
S_ADDRESS = "address"
S_HEALTH = "health"
S_FAMILY = "family"
S_INCOME = "income"
S_BANK = "bank"
S_NOTE = "note"  # free-text case notes

# code lists (domain.md) --------------------------------------------------------
SEX = ("男", "女")
WORK_STATUS = ("在岗", "下岗", "失业", "退休", "病休", "内退", "农民工")
MODEL_WORKER = ("全国劳模", "省部级劳模", "市级劳模", "县级劳模", "非劳模")
HEALTH = ("良好", "一般疾病", "恶性肿瘤", "心血管病", "脑血管病", "终末期肾病", "精神病",
          "肝病", "血液病", "糖尿病", "残疾", "其他重大疾病")
DISABILITY = ("无", "视力", "听力", "言语", "智力", "肢体", "精神", "多重")
DISABILITY_GRADE = ("一级", "二级", "三级", "四级")
MARITAL = ("已婚", "未婚", "离异", "丧偶")
HUKOU = ("非农业", "农业", "农转居")
HOUSING = ("自购房", "租房", "承租单位公房", "政府廉租房", "自建房", "无房", "其他")
POLITICAL = ("中共党员", "共青团员", "民主党派", "群众")
CAUSES = ("无劳动能力", "有劳动能力而未就业", "下岗失业", "未参加社会保险", "社会保险待遇落实不到位",
          "患重特大疾病", "遭受自然灾害", "遭受意外事故", "子女上学", "其他")
DIBAO = ("低保户", "低保边缘户", "非低保")
FILE_STATUS = ("申请", "公示中", "在档", "脱困", "注销", "退档")
ACTIVE_STATUS = ("在档",)
CLOSED_STATUS = ("脱困", "注销", "退档")
RELATION = ("配偶", "子女", "父母", "岳父母", "公婆", "兄弟姐妹", "孙子女", "其他")
MEMBER_ROLE = ("在职", "学生", "学龄前", "退休", "无业", "失业", "务农", "其他")
VISIT_KIND = ("入户调查", "三查一访", "核实", "跟踪回访", "年度复核", "送温暖走访")
PAY_METHOD = ("银行卡", "现金", "实物", "转账", "服务")
ITEM_GROUP = ("生活救助", "医疗救助", "助学", "送温暖", "法律援助", "就业援助", "其他")
STANDARD_KIND = ("固定金额", "比例封顶", "按实际", "非现金")
# 频次: the period a limit counts in. 一次性 is a lump sum per case (a second illness years
# later is a new case), so it limits nothing by itself; 每年 is the calendar year; 每学年
# runs 7月1日–6月30日 (金秋助学 is applied for in summer, for the coming school year);
# 每个节日季 is the New Year/Spring Festival season, which starts in December for the
# coming year (两节送温暖).
FREQUENCY = ("一次性", "每年", "每学年", "每个节日季", "每季度", "不限")
# 频次单位: who the limit counts: the household (一户一档: one file), the worker, or each
# beneficiary (each student for 助学: the payout's 受助对象).
FREQUENCY_UNIT = ("每户", "每名职工", "每名受助对象")
# 对象要求: conditions an item's beneficiaries must show in the register.
ITEM_NEEDS = ("持残疾证", "有在学子女", "有高中（中职）在学子女", "有大学在学子女", "下岗失业或低保或4050人员")
# 办理状态 of a payout: empty or 正常 is a case in progress or given; the other two were never
# approved or paid and count for nothing (frequency, money, dossiers, statistics).
PAYOUT_STATE = ("正常", "不予批准", "已撤销")
VOID_STATES = ("不予批准", "已撤销")
SEVERITY_CHOICE = ("错误", "提醒")
INCOME_RULE = ("不限", "低于低保线", "低于1.5倍低保线", "低于2倍低保线")
AMOUNT_DISCLOSURE = ("显示金额", "只显示项目", "显示金额区间")  # site.disclosure_control
BATCH_KIND = ("建档公示", "帮扶公示", "结档公示")
OBJECTION_RESULT = ("处理中", "成立", "不成立")
SOURCE_KIND = ("上级拨款", "中央财政专项", "上级财政专项", "地方财政配套", "工会经费", "行政拨款", "干部职工捐款",
               "社会捐赠", "互助金", "利息", "其他")
UPPER_SOURCES = ("上级拨款", "中央财政专项", "上级财政专项")
# The matching rule (地方财政配套不低于 1:1) applies to financial special funds from above, not
# to the union's own transfers (上级拨款 of union funds).
MATCHED_SOURCES = ("中央财政专项", "上级财政专项")
MATCHING_SOURCES = ("地方财政配套",)
CALENDAR_KIND = ("休息日", "工作日")
# Words clerks write for a choice: read as the choice, with an `enum-normalised` warning.
CHOICE_SYNONYMS = {
    "男性": "男", "女性": "女",
    "妻子": "配偶", "丈夫": "配偶", "妻": "配偶", "夫": "配偶", "爱人": "配偶", "老伴": "配偶",
    "儿子": "子女", "女儿": "子女", "长子": "子女", "次子": "子女", "长女": "子女", "次女": "子女",
    "父亲": "父母", "母亲": "父母", "岳父": "岳父母", "岳母": "岳父母", "公公": "公婆", "婆婆": "公婆",
    "孙子": "孙子女", "孙女": "孙子女", "外孙": "孙子女", "外孙女": "孙子女",
    "兄弟": "兄弟姐妹", "姐妹": "兄弟姐妹", "哥哥": "兄弟姐妹", "弟弟": "兄弟姐妹", "姐姐": "兄弟姐妹",
    "妹妹": "兄弟姐妹",
    "离婚": "离异", "健康": "良好", "党员": "中共党员", "团员": "共青团员",
}
EXIT_REASON = ("收入超过标准", "死亡", "退休", "调离或迁出", "不再符合条件", "本人申请退出", "其他")
RECEPTION_CHANNEL = ("来访", "电话", "网络", "信函", "其他")
RECEPTION_PERSON = ("困难职工", "工会会员", "农民工", "工会干部", "其他职工", "其他")
RECEPTION_KIND = ("生活救助", "医疗救助", "助学", "法律援助", "就业援助", "政策咨询", "投诉建议", "其他")


@dataclass(frozen=True)
class Column:
    name: str
    key: str
    kind: str = TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other spellings clerks use for the header
    hint: str = ""
    width: int = 12
    national: str = ""  # field of the national 困难职工档案表
    sensitive: str = ""
    unique: bool = False
    ref: str = ""  # "book.sheet" whose key column this value must exist in
    example: object = None
    max_length: int = 500
    default: object = None  # settings only: the value when the cell is left blank
    limits: tuple = ()  # (lowest, highest) a number may sensibly be; checked when read
    blank_words: tuple[str, ...] = ()  # what clerks type for "nothing here" ("不限"): read as blank

    @property
    def py_type(self):
        return {
            INT: int, MONEY: Decimal, RATE: Decimal, DATE: date, BOOL: bool, MULTI: tuple,
        }.get(self.kind, str)


@dataclass(frozen=True)
class Sheet:
    name: str
    key: str
    columns: tuple[Column, ...]
    description: str = ""
    settings: bool = False  # a key/value sheet (设置项 | 值 | 说明)
    optional: bool = False  # a workbook without this sheet is read as if it were empty
    entries: tuple[Column, ...] = ()  # for settings sheets: the declared keys

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def key_column(self) -> Column | None:
        return next((c for c in self.columns if c.unique), None)


@dataclass(frozen=True)
class Book:
    filename: str
    key: str
    sheets: tuple[Sheet, ...]
    description: str = ""

    def sheet(self, key: str) -> Sheet:
        for s in self.sheets:
            if s.key == key:
                return s
        raise KeyError(key)


C = Column

# --- 困难职工档案.xlsx -------------------------------------------------------------
WORKERS = Sheet("困难职工", "workers", (
    C("档案编号", "archive_no", CODE, True, unique=True, aliases=("编号", "档案号"),
      hint="本站唯一编号，如 SF-0001", national="档案编号", example="SF-0001"),
    C("姓名", "name", TEXT, True, aliases=("户主姓名", "职工姓名", "困难职工姓名"), hint="与身份证一致",
      national="姓名", sensitive=S_NAME,
      example="张晓明", max_length=40),
    C("性别", "sex", ENUM, True, SEX, national="性别", width=6, example="男"),
    C("民族", "ethnicity", TEXT, hint="如 汉族", national="民族", width=8, example="汉族"),
    C("出生日期", "birth_date", DATE, aliases=("出生年月",), national="出生日期", example=date(1975, 6, 18)),
    C("身份证号", "id_number", IDNO, True, unique=True,
      aliases=("身份证号码", "公民身份号码", "身份证", "公民身份证号码"),
      hint="18 位，单元格格式设为文本", national="身份证号", sensitive=S_IDNO, width=21,
      example="370102197506180015"),
    C("政治面貌", "political", ENUM, choices=POLITICAL, national="政治面貌", example="群众"),
    C("手机号码", "phone", PHONE, aliases=("联系电话", "手机号", "手机", "电话", "联系方式"),
      hint="11 位手机号",
      national="手机号码", sensitive=S_PHONE, width=14, example="13805310001"),
    C("家庭住址", "address", TEXT, aliases=("住址", "地址", "现住址", "居住地址"), national="家庭住址",
      sensitive=S_ADDRESS, width=30, example="示范镇幸福路 12 号 3 单元 201"),
    C("所在村居", "community", TEXT, aliases=("所在社区", "社区"), hint="村或社区名，公示时不显示",
      sensitive=S_ADDRESS, example="幸福社区"),
    C("工作单位", "employer", TEXT, True, aliases=("单位", "单位名称", "所在单位"), national="工作单位",
      width=24, example="示范镇机械厂"),
    C("所属工会", "union_branch", TEXT, aliases=("基层工会", "工会"), hint="基层工会名称",
      width=20, example="示范镇机械厂工会"),
    C("工作状态", "work_status", ENUM, True, WORK_STATUS, aliases=("人员类别", "就业状态"),
      national="工作状态", example="在岗"),
    C("劳模类型", "model_worker", ENUM, choices=MODEL_WORKER, national="劳模类型", example="非劳模"),
    C("入职日期", "joined", DATE, hint="农民工须满一年", example=date(2015, 3, 1)),
    C("困难类别", "category", TEXT, True, aliases=("困难类型", "困难职工类别"), ref="policy.categories",
      hint="见帮扶政策“困难类别”", national="困难类别", example="深度困难"),
    C("主要致困原因", "cause", ENUM, True, CAUSES, aliases=("致困原因",), national="主要致困原因",
      width=18, example="患重特大疾病"),
    C("次要致困原因", "causes_more", MULTI, choices=CAUSES, hint="最多 3 项，用、分隔",
      national="次要致困原因", width=20, example="未参加社会保险"),
    C("健康状况", "health", ENUM, True, HEALTH, national="健康状况", sensitive=S_HEALTH,
      example="良好"),
    C("残疾类别", "disability", ENUM, choices=DISABILITY, national="残疾类别", sensitive=S_HEALTH,
      example="无"),
    C("残疾等级", "disability_grade", ENUM, choices=DISABILITY_GRADE, national="残疾等级",
      sensitive=S_HEALTH),
    C("婚姻状况", "marital", ENUM, choices=MARITAL, national="婚姻状况", example="已婚"),
    C("户口类型", "hukou", ENUM, choices=HUKOU, aliases=("户口性质",), national="户口类型", example="非农业"),
    C("住房类型", "housing", ENUM, choices=HOUSING, national="住房类型", example="自购房"),
    C("家庭人口", "household_size", INT, True, aliases=("家庭人口数", "家庭人数", "家庭成员数"),
      national="家庭人口", width=8, example=2, limits=(1, 30),
      hint="建档时的数字；以后每次复核的数字填在“年度复核”表"),
    C("家庭年收入", "household_income", MONEY, True, aliases=("家庭年度总收入", "家庭年总收入"),
      national="家庭年度总收入", sensitive=S_INCOME, example=Decimal("30000")),
    C("刚性支出", "rigid_spending", MONEY, hint="医疗、教育、残疾等年度必需支出",
      sensitive=S_INCOME, example=Decimal("12000")),
    C("家庭月人均收入", "per_capita", MONEY, aliases=("月人均收入", "家庭人均月收入", "人均月收入"),
      hint="可留空，自动计算", national="家庭月人均收入",
      sensitive=S_INCOME, example=Decimal("750.00")),
    C("低保情况", "dibao", ENUM, True, DIBAO, aliases=("低保状况",), example="非低保"),
    C("生活状况", "living", TEXT, hint="六知一定：生活状况", sensitive=S_NOTE, width=30,
      example="妻子患病，靠本人工资维持"),
    C("子女就学", "schooling", TEXT, hint="六知一定：子女就学情况", sensitive=S_FAMILY, width=24,
      example="无在学子女"),
    C("帮扶措施", "measures", TEXT, hint="六知一定：定帮扶措施", width=24,
      example="医疗救助（大病）、跟踪回访"),
    C("档案状态", "status", ENUM, True, FILE_STATUS, aliases=("状态",), example="在档"),
    C("申请日期", "applied", DATE, True, aliases=("申请时间",), example=date(2024, 2, 20)),
    C("建档公示批次", "batch", CODE, ref="aid.batches", hint="公示批次编号；本站使用前已建档的可留空"),
    C("建档日期", "registered", DATE, aliases=("建档时间",), national="建档日期", example=date(2024, 3, 15)),
    C("最近复核日期", "reviewed", DATE, hint="每年至少复核一次", example=date(2026, 3, 10)),
    C("结档日期", "closed", DATE, hint="脱困、注销或退档时填写"),
    C("结档原因", "exit_reason", ENUM, choices=EXIT_REASON),
    C("结档公示批次", "close_batch", CODE, ref="aid.batches", hint="脱困、注销时的结档公示批次"),
    C("返困", "relapsed", BOOL, hint="脱困后再次困难填“是”", width=6, example=False),
    C("开户银行", "bank", TEXT, national="开户银行", example="示范农商银行"),
    C("银行卡号", "bank_account", CODE, aliases=("银行账号", "卡号"), hint="单元格格式设为文本",
      national="银行卡号",
      sensitive=S_BANK, width=22, example="6228480012345678901"),
    C("建档人", "registrar", TEXT, national="建档人", example="李文"),
    C("审核人", "reviewer", TEXT, national="审核人", example="王芳"),
    C("备注", "note", TEXT, sensitive=S_NOTE, width=24, max_length=2000),
), "每户一行：户主（困难职工本人）的档案。")

MEMBERS = Sheet("家庭成员", "members", (
    C("档案编号", "archive_no", CODE, True, ref="register.workers", example="SF-0001"),
    C("姓名", "name", TEXT, True, aliases=("成员姓名", "家属姓名"), sensitive=S_FAMILY, example="刘桂芳",
      max_length=40),
    C("与户主关系", "relation", ENUM, True, RELATION, aliases=("关系", "与职工关系", "家庭关系", "称谓"),
      example="配偶"),
    C("性别", "sex", ENUM, choices=SEX, width=6, example="女"),
    C("出生日期", "birth_date", DATE, example=date(1977, 9, 2)),
    C("身份证号", "id_number", IDNO, sensitive=S_IDNO, width=21, example="37010219770902002X"),
    C("健康状况", "health", ENUM, choices=HEALTH, sensitive=S_HEALTH, example="恶性肿瘤"),
    C("月收入", "income", MONEY, aliases=("个人月收入",), sensitive=S_INCOME, example=Decimal("0")),
    C("身份", "role", ENUM, choices=MEMBER_ROLE, example="无业"),
    C("单位或学校", "school_or_employer", TEXT, aliases=("工作单位或学校", "就读学校", "学校或单位"),
      sensitive=S_FAMILY, width=20),
), "困难职工的其他家庭成员，每人一行（户主本人不用再填）。")

VISITS = Sheet("走访记录", "visits", (
    C("档案编号", "archive_no", CODE, True, ref="register.workers", example="SF-0001"),
    C("走访日期", "date", DATE, True, example=date(2024, 2, 26)),
    C("走访类型", "kind", ENUM, True, VISIT_KIND, example="入户调查"),
    C("走访人", "visitor", TEXT, True, example="李文、王芳"),
    C("情况记录", "notes", TEXT, sensitive=S_NOTE, width=40, max_length=2000,
      example="家中两人，妻子化疗中，收入属实"),
    C("下一步", "next_step", TEXT, width=24),
), "入户调查、核实、跟踪回访和年度复核，每次一行。")

REVIEWS = Sheet("年度复核", "reviews", (
    C("档案编号", "archive_no", CODE, True, ref="register.workers", example="SF-0001"),
    C("复核日期", "date", DATE, True, example=date(2024, 12, 10)),
    C("家庭年收入", "household_income", MONEY, True, sensitive=S_INCOME, example=Decimal("33600")),
    C("刚性支出", "rigid_spending", MONEY, sensitive=S_INCOME, example=Decimal("12000")),
    C("家庭人口", "household_size", INT, True, width=8, example=2, limits=(1, 30)),
    C("家庭月人均收入", "per_capita", MONEY, hint="可留空，自动计算", sensitive=S_INCOME,
      example=Decimal("900.00")),
    C("困难类别", "category", TEXT, True, ref="policy.categories", example="深度困难"),
    C("复核人", "reviewer", TEXT, example="王芳"),
    C("复核结论", "conclusion", TEXT, width=30, example="收入略有增加，仍属深度困难"),
), "每次年度复核（或情况变化后的核实）一行：当时的家庭收入、人口和困难类别。"
   "每笔帮扶按申请日期当时有效的数字认定；没有复核记录时按“困难职工”表中建档时的数字。",
   optional=True)

REGISTER = Book("困难职工档案.xlsx", "register", (WORKERS, MEMBERS, VISITS, REVIEWS),
                "困难职工档案（一户一档）、家庭成员、走访记录和年度复核。")

# --- 帮扶记录.xlsx ------------------------------------------------------------------
PAYOUTS = Sheet("帮扶发放", "payouts", (
    C("记录编号", "record_no", CODE, True, unique=True, aliases=("编号",), example="FF-2024-0001"),
    C("档案编号", "archive_no", CODE, True, ref="register.workers", example="SF-0001"),
    C("姓名", "name", TEXT, True, hint="与档案一致，便于核对", sensitive=S_NAME, example="张晓明",
      max_length=40),
    C("帮扶项目", "item", TEXT, True, aliases=("救助项目", "帮扶类型", "救助类别", "救助类型"),
      ref="policy.items", hint="见帮扶政策“帮扶项目”",
      example="医疗救助（大病）"),
    C("帮扶活动", "campaign", TEXT, aliases=("活动名称",), hint="如 两节送温暖、金秋助学", example=""),
    C("受助对象", "beneficiary", TEXT, hint="助学等按人计算的项目填写学生（家庭成员）姓名；本人可留空",
      sensitive=S_FAMILY, max_length=40),
    C("办理状态", "state", ENUM, choices=PAYOUT_STATE, hint="留空为正常；不予批准或已撤销的不计次数、不计金额",
      example="正常"),
    C("申请日期", "applied", DATE, True, example=date(2024, 4, 1)),
    C("核实日期", "verified", DATE, example=date(2024, 4, 8)),
    C("公示批次", "batch", CODE, ref="aid.batches", example="GS-2024-01"),
    C("批准日期", "approved", DATE, example=date(2024, 4, 22)),
    C("告知日期", "notified", DATE, hint="把办理结果告知申请人的日期", example=date(2024, 4, 23)),
    C("发放日期", "paid", DATE, aliases=("发放时间",), example=date(2024, 4, 25)),
    C("金额", "amount", MONEY, True, aliases=("发放金额", "帮扶金额", "救助金额", "慰问金额"),
      example=Decimal("1000")),
    C("医疗自付费用", "base_amount", MONEY, aliases=("自付费用", "计算基数"),
      hint="按比例计算的项目填写", sensitive=S_HEALTH),
    C("资金账户", "fund", TEXT, True, ref="funds.funds", example="困难职工帮扶资金"),
    C("发放方式", "method", ENUM, True, PAY_METHOD, example="银行卡"),
    C("已签收", "signed", BOOL, True, aliases=("是否签收", "签收"), width=8, example=True),
    C("签收日期", "signed_on", DATE, example=date(2024, 4, 25)),
    C("回访日期", "followed_up", DATE, example=date(2024, 5, 20)),
    C("回访情况", "follow_up", TEXT, sensitive=S_NOTE, width=24, example="救助金已用于支付医疗费用"),
    C("经办人", "clerk", TEXT, example="李文"),
    C("备注", "note", TEXT, sensitive=S_NOTE, width=24, max_length=2000),
    C("上级批准日期", "upper_approved", DATE, aliases=("上级审批日期",),
      hint="金额超过本站审批权限（县中心“梯次帮扶”表）、报县或市中心批准的，填写上级批准的日期"),
), "每笔帮扶发放一行（一人一次一行）。")

BATCHES = Sheet("公示批次", "batches", (
    C("批次编号", "batch_no", CODE, True, unique=True, aliases=("批次", "编号"), example="GS-2024-01"),
    C("公示标题", "title", TEXT, True, width=30, example="2024年第一批困难职工医疗救助公示"),
    C("公示类型", "kind", ENUM, True, BATCH_KIND, example="帮扶公示"),
    C("公示内容", "subject", TEXT, width=30, example="医疗救助（大病）拟发放名单"),
    C("开始日期", "start", DATE, True, example=date(2024, 4, 10)),
    C("公示天数", "days", INT, hint="留空按站点设置（默认 7 天）", width=8, example=7, limits=(1, 90)),
    C("公示地点", "place", TEXT, width=24, example="示范镇总工会公示栏、本站网站"),
    C("异议电话", "objection_phone", TEXT, hint="留空用站点电话", width=14),
    C("异议地址", "objection_address", TEXT, hint="留空用站点地址", width=24),
    C("发布单位", "issuer", TEXT, hint="留空用站点名称", width=20),
    C("发布日期", "issued", DATE, example=date(2024, 4, 10)),
    C("原公示批次", "original", CODE, ref="aid.batches", hint="重新公示时填写原批次编号"),
), "每次公示一行。名单由档案（建档公示批次）和帮扶发放（公示批次）自动汇总。")

OBJECTIONS = Sheet("异议处理", "objections", (
    C("异议编号", "objection_no", CODE, True, unique=True, example="YY-2024-01"),
    C("公示批次", "batch", CODE, True, ref="aid.batches", example="GS-2024-01"),
    C("档案编号", "archive_no", CODE, ref="register.workers",
      hint="针对某人的异议填写（复查后须重新公示，并填写重新公示批次）；针对整批的留空"),
    C("收到日期", "received", DATE, True, example=date(2024, 4, 12)),
    C("异议内容", "content", TEXT, True, sensitive=S_NOTE, width=30, max_length=2000,
      example="反映该户家庭收入情况与实际不符"),
    C("处理结果", "result", ENUM, True, OBJECTION_RESULT, example="不成立"),
    C("处理日期", "resolved", DATE, example=date(2024, 4, 15)),
    C("处理说明", "resolution", TEXT, width=30, max_length=2000,
      hint="公开显示，请勿写入个人信息", example="经入户复查，家庭收入情况属实，异议不成立。"),
    C("重新公示批次", "redisclosed_in", CODE, ref="aid.batches"),
), "公示期间收到的异议及复查结果。")

RECEPTION = Sheet("接待登记", "reception", (
    C("登记编号", "reception_no", CODE, True, unique=True, aliases=("编号",), example="JD-2024-001"),
    C("接待日期", "received", DATE, True, aliases=("日期", "来访日期"), example=date(2024, 5, 6)),
    C("接待方式", "channel", ENUM, choices=RECEPTION_CHANNEL, width=8, example="来访"),
    C("姓名", "name", TEXT, True, hint="来访或来电人", sensitive=S_NAME, example="赵建国", max_length=40),
    C("联系电话", "phone", PHONE, sensitive=S_PHONE, width=14, example="13905310088"),
    C("人员类别", "person_kind", ENUM, choices=RECEPTION_PERSON, example="农民工"),
    C("档案编号", "archive_no", CODE, ref="register.workers",
      hint="已建档的困难职工填写；法律援助、就业援助和咨询不要求建档"),
    C("工作单位", "employer", TEXT, width=20, example="示范镇建筑公司"),
    C("事项类别", "kind", ENUM, True, RECEPTION_KIND, example="法律援助"),
    C("诉求内容", "request", TEXT, True, aliases=("求助内容", "诉求"), sensitive=S_NOTE, width=30,
      max_length=2000, example="被拖欠工资三个月，咨询如何维权"),
    C("办理情况", "handling", TEXT, sensitive=S_NOTE, width=30, max_length=2000,
      example="讲解劳动争议调解和仲裁程序，协助填写法律援助申请表"),
    C("转办单位", "transferred_to", TEXT, hint="转交其他部门办理时填写", width=18, example="县总工会法律服务中心"),
    C("办理结果", "result", TEXT, width=24, example="经调解，单位已补发工资"),
    C("办结日期", "closed", DATE, hint="办理完毕并告知本人的日期；未办结的留空", example=date(2024, 5, 14)),
    C("接待人", "clerk", TEXT, example="李文"),
), "来访、来电求助的每一件事一行（有接待登记），不论是否建档：法律援助、就业援助和咨询也在这里登记。",
    optional=True)

AID = Book("帮扶记录.xlsx", "aid", (PAYOUTS, BATCHES, OBJECTIONS, RECEPTION),
           "帮扶发放记录、公示批次、异议处理和接待登记。")

# --- 帮扶资金.xlsx ------------------------------------------------------------------
FUNDS = Sheet("资金账户", "funds", (
    C("账户名称", "name", TEXT, True, unique=True, example="困难职工帮扶资金"),
    C("资金来源", "source", ENUM, True, SOURCE_KIND, example="工会经费"),
    C("允许用途", "allowed", TEXT, True, hint="帮扶项目类别，用、分隔；不限填“全部”", width=30,
      example="生活救助、医疗救助、助学、就业援助"),
    C("期初日期", "opened", DATE, True, example=date(2024, 1, 1)),
    C("期初余额", "opening", MONEY, True, example=Decimal("20000")),
    C("说明", "note", TEXT, width=30),
), "每个资金账户一行（专款专用）。")

INCOMES = Sheet("资金收入", "incomes", (
    C("日期", "date", DATE, True, example=date(2024, 3, 1)),
    C("资金账户", "fund", TEXT, True, ref="funds.funds", example="困难职工帮扶资金"),
    C("来源类型", "source", ENUM, True, SOURCE_KIND, example="工会经费"),
    C("来源单位", "payer", TEXT, width=24, example="示范镇总工会"),
    C("金额", "amount", MONEY, True, example=Decimal("50000")),
    C("凭证号", "voucher", TEXT, example="记-2024-03-015"),
    C("摘要", "summary", TEXT, width=30, example="2024年度工会帮扶资金"),
), "每笔资金收入一行。")

EXPENSES = Sheet("其他支出", "expenses", (
    C("日期", "date", DATE, True, example=date(2024, 6, 1)),
    C("资金账户", "fund", TEXT, True, ref="funds.funds", example="困难职工帮扶资金"),
    C("用途", "purpose", ENUM, True, ITEM_GROUP, hint="帮扶项目类别", example="就业援助"),
    C("金额", "amount", MONEY, True, example=Decimal("3000")),
    C("凭证号", "voucher", TEXT),
    C("摘要", "summary", TEXT, width=30, example="职业技能培训班"),
), "帮扶发放以外的支出（培训、法律援助服务等），每笔一行。个人帮扶款在“帮扶发放”中登记。")

FUNDS_BOOK = Book("帮扶资金.xlsx", "funds", (FUNDS, INCOMES, EXPENSES),
                  "资金账户、收入和其他支出（资金使用台账）。")

# --- 帮扶政策.xlsx ------------------------------------------------------------------
SETTING_COLUMNS = (
    C("设置项", "key", TEXT, True, width=18),
    C("值", "value", TEXT, width=36),
    C("说明", "note", TEXT, width=40),
)
SETTINGS = Sheet("站点设置", "settings", SETTING_COLUMNS,
                 "站点信息和全站设置，每项一行。", settings=True, entries=(
    C("站点名称", "station_name", TEXT, True, example="某某镇总工会困难职工帮扶站", default="困难职工帮扶站"),
    C("上级工会", "parent_union", TEXT, example="示范县总工会"),
    C("地址", "address", TEXT, True, example="某某镇某某路 1 号镇总工会一楼"),
    C("电话", "phone", TEXT, True, example="0531-88880000"),
    C("维权帮扶热线", "hotline", TEXT, example="12351", default="12351"),
    C("办公时间", "hours", TEXT, example="周一至周五 8:30-12:00，13:30-17:30（法定节假日除外）"),
    C("网站地址", "site_url", TEXT, hint="公示网站地址，用于二维码；没有可留空"),
    C("公示天数", "disclosure_days", INT, example=7, default=7, limits=(0, 90)),
    C("公示名单保留天数", "retention_days", INT, hint="公示期结束后名单在网站上保留的天数",
      example=30, default=30, limits=(0, 3650)),
    C("公开完整姓名", "full_names", BOOL, hint="默认“否”：姓名打码显示", example=False, default=False),
    C("统计最小显示人数", "min_cell", INT, hint="少于此人数的统计格不显示", example=3, default=3,
      limits=(0, 1000)),
    C("联系人", "contact", TEXT, example="李文"),
    C("建档须公示", "register_disclosure", BOOL, hint="“是”：新建档案须填写建档公示批次", example=False,
      default=False),
    C("结档须公示", "close_disclosure", BOOL, hint="“是”：脱困、注销的档案须填写结档公示批次",
      example=True, default=False),
    C("异议后未重新公示", "redisclosure_severity", ENUM, choices=SEVERITY_CHOICE,
      hint="公示中有异议、未重新公示就批准时报告为“错误”还是“提醒”（默认提醒）", example="提醒",
      default="提醒"),
    C("财政配套比例", "matching_ratio", RATE,
      hint="上级财政专项须地方财政配套的比例，如 1 表示不低于 1:1；不要求可留空", example=Decimal("1")),
    C("回访项目", "follow_up_groups", MULTI, choices=ITEM_GROUP,
      hint="发放后需要跟踪回访的项目类别，用、分隔；留空为 生活救助、医疗救助、助学",
      example="生活救助、医疗救助、助学", default=("生活救助", "医疗救助", "助学")),
    C("回访天数", "follow_up_days", INT, hint="发放后多少天内回访；填 0 表示不提醒回访", example=30, default=30),
    C("发放时限", "payment_days", INT, hint="批准后多少个工作日内发放", example=10, default=10),
    C("接待办结时限", "reception_days", INT,
      hint="接待登记的事项多少个工作日内办结（帮扶项目规定了办理时限的按项目）", example=7, default=7),
    C("待办提前天数", "todo_days", INT, hint="待办清单提前多少天列出即将到期的事项", example=14, default=14),
))

CATEGORIES = Sheet("困难类别", "categories", (
    C("类别名称", "name", TEXT, True, unique=True, example="深度困难"),
    C("收入上限倍数", "multiple", RATE, limits=(0, 20), hint="月人均收入低于低保线的倍数；留空表示不按收入认定",
      example=Decimal("1")),
    C("认定条件", "rule", TEXT, width=50,
      example="（家庭年收入−刚性支出）÷12÷家庭人口，低于当地低保标准"),
), "本站使用的困难类别（全国现行：深度困难、相对困难、意外致困）。")

DIBAO_LINES = Sheet("低保标准", "dibao_lines", (
    C("年度", "year", INT, True, unique=True, example=2024, limits=(1950, 2100)),
    C("每人每月金额", "amount", MONEY, True, aliases=("低保线", "低保标准"), example=Decimal("1001")),
    C("说明", "note", TEXT, width=30),
), "本地城市低保标准（元/人/月），每年一行。")

ITEMS = Sheet("帮扶项目", "items", (
    C("项目名称", "name", TEXT, True, unique=True, width=18, example="医疗救助（大病）"),
    C("项目类别", "group", ENUM, True, ITEM_GROUP, example="医疗救助"),
    C("标准方式", "standard", ENUM, True, STANDARD_KIND, example="固定金额"),
    C("固定金额", "fixed", MONEY, example=Decimal("1000")),
    C("起付线", "threshold", MONEY, hint="比例封顶：超过此数的部分按比例"),
    C("比例", "rate", RATE, hint="如 80%", limits=(0, 1)),
    C("封顶金额", "cap", MONEY),
    C("收入条件", "income_rule", ENUM, True, INCOME_RULE, example="不限"),
    C("或者", "routes", TEXT, aliases=("其他条件", "其他途径"), width=24,
      hint="收入条件以外也可申请的情形，用、分隔：困难类别（如 意外致困）、致困原因（如 遭受意外事故）或 低保户",
      example="遭受意外事故"),
    C("对象要求", "needs", MULTI, choices=ITEM_NEEDS, width=20, hint="档案中须能看出的条件"),
    C("对象条件", "who", TEXT, True, width=40, example="本人、配偶或子女患重大疾病的困难职工"),
    C("所需材料", "documents", TEXT, True, width=40, hint="多项材料用、或；分隔",
      example="县级以上医院病情证明、身份证、户口簿"),
    C("办理时限", "deadline_days", INT, hint="核实时限（工作日）", example=6, limits=(1, 365)),
    C("频次", "frequency", ENUM, True, FREQUENCY, example="每年"),
    C("频次单位", "frequency_unit", ENUM, choices=FREQUENCY_UNIT, hint="留空为每户；助学按每名受助对象",
      example="每户"),
    C("次数上限", "max_times", INT, hint="每个周期最多几次", example=1, limits=(1, 366)),
    C("需公示", "needs_disclosure", BOOL, True, example=True),
    C("公示金额", "amount_disclosure", ENUM, False, AMOUNT_DISCLOSURE,
      hint="公示名单上怎样显示本项金额；留空：按比例计算的医疗救助只显示项目，其他显示金额",
      example="显示金额"),
    C("办理程序", "procedure", TEXT, width=40),
    C("说明", "note", TEXT, width=40),
), "本站的帮扶项目和标准，每项一行。")

CALENDAR = Sheet("调休安排", "calendar", (
    C("日期", "date", DATE, True, unique=True, example=date(2027, 1, 1)),
    C("类型", "kind", ENUM, True, CALENDAR_KIND, example="休息日"),
    C("说明", "note", TEXT, example="元旦"),
), "程序尚未收录的年份，按国务院办公厅公布的放假安排录入休息日和调休上班日。")

# What a clerk types in a limit cell to say "no limit"; read as the blank cell it means.
UNLIMITED = ("不限", "无", "无上限", "不设限", "不设上限", "-", "—", "／", "/")

ESCALATION = Sheet("梯次帮扶", "escalation", (
    C("帮扶项目", "item", TEXT, width=18,
      hint="项目名称或项目类别（如 医疗救助）；留空表示所有项目。"
           "同一笔帮扶按项目名称的行、项目类别的行、留空的行的顺序，取申请日期已适用的一行"),
    C("站点审批上限", "station_limit", MONEY, blank_words=UNLIMITED,
      hint="帮扶站可自行批准的单笔最高金额；超过的报县中心。留空（或填“不限”）表示不限"),
    C("县级审批上限", "county_limit", MONEY, blank_words=UNLIMITED,
      hint="县中心可批准的单笔最高金额；超过的报市中心（市县共同帮扶）。留空（或填“不限”）表示不限"),
    C("起始日期", "since", DATE, aliases=("生效日期", "执行日期"),
      hint="这一行的限额从哪天起适用（按帮扶的申请日期）；留空表示一直适用。调整限额时新加一行写新的起始日期，旧行保留"),
    C("说明", "note", TEXT, width=30),
), "梯次帮扶：县中心在自己的帮扶政策中规定各级可批准的金额（小额在镇、一般在县、大额市县共同）。"
   "帮扶站不用填写；没有这张表或不填，表示不设限额（新模板中这张表是空的）。", optional=True)

# Settings where 0 means "not set": a 0-day disclosure or a 0-person minimum would be meaningless,
# so they take their default (retention_days 0 is meaningful: remove the list right away).
ZERO_MEANS_DEFAULT = ("disclosure_days", "min_cell")

POLICY = Book("帮扶政策.xlsx", "policy", (SETTINGS, CATEGORIES, DIBAO_LINES, ITEMS, CALENDAR, ESCALATION),
              "站点设置、困难类别、低保标准、帮扶项目标准、调休安排和（县中心的）梯次帮扶限额。")

BOOKS: tuple[Book, ...] = (REGISTER, AID, FUNDS_BOOK, POLICY)

# A very hidden sheet in the workbooks from `bangfu init`/`import` holding the
# drop-down lists read from the other workbooks (帮扶项目, 困难类别, …); not data.
LISTS_SHEET = "下拉选项"
DROPDOWN_REFS = ("policy.items", "policy.categories", "funds.funds", "aid.batches")
# The mapping sheet `bangfu import` writes beside the workbooks it fills.
IMPORT_MAPPING_FILE = "导入对照表.xlsx"


def book(key: str) -> Book:
    for b in BOOKS:
        if b.key == key:
            return b
    raise KeyError(key)


def sheet(ref: str) -> Sheet:
    """'register.workers' -> the Sheet."""
    book_key, sheet_key = ref.split(".")
    return book(book_key).sheet(sheet_key)


def all_sheets():
    for b in BOOKS:
        for s in b.sheets:
            yield b, s
