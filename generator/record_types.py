"""Record types, one frozen dataclass per sheet, and the station settings.

GENERATED from generator/schema.py by generator/typegen.py: do not edit by hand; run
`python -m generator.typegen` after changing the schema (tests/test_typegen.py checks it).
Every field is None when its cell is blank (the checks report what is required); `row` is
the record's row number in its workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Worker:
    """困难职工档案.xlsx / 困难职工"""
    archive_no: str | None = None  # 档案编号
    name: str | None = None  # 姓名
    sex: str | None = None  # 性别
    ethnicity: str | None = None  # 民族
    birth_date: date | None = None  # 出生日期
    id_number: str | None = None  # 身份证号
    political: str | None = None  # 政治面貌
    phone: str | None = None  # 手机号码
    address: str | None = None  # 家庭住址
    community: str | None = None  # 所在村居
    employer: str | None = None  # 工作单位
    union_branch: str | None = None  # 所属工会
    work_status: str | None = None  # 工作状态
    model_worker: str | None = None  # 劳模类型
    joined: date | None = None  # 入职日期
    category: str | None = None  # 困难类别
    cause: str | None = None  # 主要致困原因
    causes_more: tuple[str, ...] | None = None  # 次要致困原因
    health: str | None = None  # 健康状况
    disability: str | None = None  # 残疾类别
    disability_grade: str | None = None  # 残疾等级
    marital: str | None = None  # 婚姻状况
    hukou: str | None = None  # 户口类型
    housing: str | None = None  # 住房类型
    household_size: int | None = None  # 家庭人口
    household_income: Decimal | None = None  # 家庭年收入
    rigid_spending: Decimal | None = None  # 刚性支出
    per_capita: Decimal | None = None  # 家庭月人均收入
    dibao: str | None = None  # 低保情况
    living: str | None = None  # 生活状况
    schooling: str | None = None  # 子女就学
    measures: str | None = None  # 帮扶措施
    status: str | None = None  # 档案状态
    applied: date | None = None  # 申请日期
    batch: str | None = None  # 建档公示批次
    registered: date | None = None  # 建档日期
    reviewed: date | None = None  # 最近复核日期
    closed: date | None = None  # 结档日期
    exit_reason: str | None = None  # 结档原因
    close_batch: str | None = None  # 结档公示批次
    relapsed: bool | None = None  # 返困
    bank: str | None = None  # 开户银行
    bank_account: str | None = None  # 银行卡号
    registrar: str | None = None  # 建档人
    reviewer: str | None = None  # 审核人
    note: str | None = None  # 备注
    row: int = 0


@dataclass(frozen=True, slots=True)
class Member:
    """困难职工档案.xlsx / 家庭成员"""
    archive_no: str | None = None  # 档案编号
    name: str | None = None  # 姓名
    relation: str | None = None  # 与户主关系
    sex: str | None = None  # 性别
    birth_date: date | None = None  # 出生日期
    id_number: str | None = None  # 身份证号
    health: str | None = None  # 健康状况
    income: Decimal | None = None  # 月收入
    role: str | None = None  # 身份
    school_or_employer: str | None = None  # 单位或学校
    row: int = 0


@dataclass(frozen=True, slots=True)
class Visit:
    """困难职工档案.xlsx / 走访记录"""
    archive_no: str | None = None  # 档案编号
    date: date | None = None  # 走访日期
    kind: str | None = None  # 走访类型
    visitor: str | None = None  # 走访人
    notes: str | None = None  # 情况记录
    next_step: str | None = None  # 下一步
    row: int = 0


@dataclass(frozen=True, slots=True)
class Review:
    """困难职工档案.xlsx / 年度复核"""
    archive_no: str | None = None  # 档案编号
    date: date | None = None  # 复核日期
    household_income: Decimal | None = None  # 家庭年收入
    rigid_spending: Decimal | None = None  # 刚性支出
    household_size: int | None = None  # 家庭人口
    per_capita: Decimal | None = None  # 家庭月人均收入
    category: str | None = None  # 困难类别
    reviewer: str | None = None  # 复核人
    conclusion: str | None = None  # 复核结论
    row: int = 0


@dataclass(frozen=True, slots=True)
class Payout:
    """帮扶记录.xlsx / 帮扶发放"""
    record_no: str | None = None  # 记录编号
    archive_no: str | None = None  # 档案编号
    name: str | None = None  # 姓名
    item: str | None = None  # 帮扶项目
    campaign: str | None = None  # 帮扶活动
    beneficiary: str | None = None  # 受助对象
    state: str | None = None  # 办理状态
    applied: date | None = None  # 申请日期
    verified: date | None = None  # 核实日期
    batch: str | None = None  # 公示批次
    approved: date | None = None  # 批准日期
    notified: date | None = None  # 告知日期
    paid: date | None = None  # 发放日期
    amount: Decimal | None = None  # 金额
    base_amount: Decimal | None = None  # 医疗自付费用
    fund: str | None = None  # 资金账户
    method: str | None = None  # 发放方式
    signed: bool | None = None  # 已签收
    signed_on: date | None = None  # 签收日期
    followed_up: date | None = None  # 回访日期
    follow_up: str | None = None  # 回访情况
    clerk: str | None = None  # 经办人
    note: str | None = None  # 备注
    upper_approved: date | None = None  # 上级批准日期
    row: int = 0


@dataclass(frozen=True, slots=True)
class Batch:
    """帮扶记录.xlsx / 公示批次"""
    batch_no: str | None = None  # 批次编号
    title: str | None = None  # 公示标题
    kind: str | None = None  # 公示类型
    subject: str | None = None  # 公示内容
    start: date | None = None  # 开始日期
    days: int | None = None  # 公示天数
    place: str | None = None  # 公示地点
    objection_phone: str | None = None  # 异议电话
    objection_address: str | None = None  # 异议地址
    issuer: str | None = None  # 发布单位
    issued: date | None = None  # 发布日期
    original: str | None = None  # 原公示批次
    row: int = 0


@dataclass(frozen=True, slots=True)
class Objection:
    """帮扶记录.xlsx / 异议处理"""
    objection_no: str | None = None  # 异议编号
    batch: str | None = None  # 公示批次
    archive_no: str | None = None  # 档案编号
    received: date | None = None  # 收到日期
    content: str | None = None  # 异议内容
    result: str | None = None  # 处理结果
    resolved: date | None = None  # 处理日期
    resolution: str | None = None  # 处理说明
    redisclosed_in: str | None = None  # 重新公示批次
    row: int = 0


@dataclass(frozen=True, slots=True)
class Reception:
    """帮扶记录.xlsx / 接待登记"""
    reception_no: str | None = None  # 登记编号
    received: date | None = None  # 接待日期
    channel: str | None = None  # 接待方式
    name: str | None = None  # 姓名
    phone: str | None = None  # 联系电话
    person_kind: str | None = None  # 人员类别
    archive_no: str | None = None  # 档案编号
    employer: str | None = None  # 工作单位
    kind: str | None = None  # 事项类别
    request: str | None = None  # 诉求内容
    handling: str | None = None  # 办理情况
    transferred_to: str | None = None  # 转办单位
    result: str | None = None  # 办理结果
    closed: date | None = None  # 办结日期
    clerk: str | None = None  # 接待人
    row: int = 0


@dataclass(frozen=True, slots=True)
class Fund:
    """帮扶资金.xlsx / 资金账户"""
    name: str | None = None  # 账户名称
    source: str | None = None  # 资金来源
    allowed: str | None = None  # 允许用途
    opened: date | None = None  # 期初日期
    opening: Decimal | None = None  # 期初余额
    note: str | None = None  # 说明
    row: int = 0


@dataclass(frozen=True, slots=True)
class Income:
    """帮扶资金.xlsx / 资金收入"""
    date: date | None = None  # 日期
    fund: str | None = None  # 资金账户
    source: str | None = None  # 来源类型
    payer: str | None = None  # 来源单位
    amount: Decimal | None = None  # 金额
    voucher: str | None = None  # 凭证号
    summary: str | None = None  # 摘要
    row: int = 0


@dataclass(frozen=True, slots=True)
class Expense:
    """帮扶资金.xlsx / 其他支出"""
    date: date | None = None  # 日期
    fund: str | None = None  # 资金账户
    purpose: str | None = None  # 用途
    amount: Decimal | None = None  # 金额
    voucher: str | None = None  # 凭证号
    summary: str | None = None  # 摘要
    row: int = 0


@dataclass(frozen=True, slots=True)
class Settings:
    """站点设置, with the schema's defaults applied; `rows` maps key -> row number."""
    station_name: str = "困难职工帮扶站"  # 站点名称
    parent_union: str | None = None  # 上级工会
    address: str | None = None  # 地址
    phone: str | None = None  # 电话
    hotline: str = "12351"  # 维权帮扶热线
    hours: str | None = None  # 办公时间
    site_url: str | None = None  # 网站地址
    disclosure_days: int = 7  # 公示天数
    retention_days: int = 30  # 公示名单保留天数
    full_names: bool = False  # 公开完整姓名
    min_cell: int = 3  # 统计最小显示人数
    contact: str | None = None  # 联系人
    register_disclosure: bool = False  # 建档须公示
    close_disclosure: bool = False  # 结档须公示
    redisclosure_severity: str = "提醒"  # 异议后未重新公示
    matching_ratio: Decimal | None = None  # 财政配套比例
    follow_up_groups: tuple[str, ...] = ('生活救助', '医疗救助', '助学')  # 回访项目
    follow_up_days: int = 30  # 回访天数
    payment_days: int = 10  # 发放时限
    reception_days: int = 7  # 接待办结时限
    todo_days: int = 14  # 待办提前天数
    rows: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Category:
    """帮扶政策.xlsx / 困难类别"""
    name: str | None = None  # 类别名称
    multiple: Decimal | None = None  # 收入上限倍数
    rule: str | None = None  # 认定条件
    row: int = 0


@dataclass(frozen=True, slots=True)
class DibaoLine:
    """帮扶政策.xlsx / 低保标准"""
    year: int | None = None  # 年度
    amount: Decimal | None = None  # 每人每月金额
    note: str | None = None  # 说明
    row: int = 0


@dataclass(frozen=True, slots=True)
class Item:
    """帮扶政策.xlsx / 帮扶项目"""
    name: str | None = None  # 项目名称
    group: str | None = None  # 项目类别
    standard: str | None = None  # 标准方式
    fixed: Decimal | None = None  # 固定金额
    threshold: Decimal | None = None  # 起付线
    rate: Decimal | None = None  # 比例
    cap: Decimal | None = None  # 封顶金额
    income_rule: str | None = None  # 收入条件
    routes: str | None = None  # 或者
    needs: tuple[str, ...] | None = None  # 对象要求
    who: str | None = None  # 对象条件
    documents: str | None = None  # 所需材料
    deadline_days: int | None = None  # 办理时限
    frequency: str | None = None  # 频次
    frequency_unit: str | None = None  # 频次单位
    max_times: int | None = None  # 次数上限
    needs_disclosure: bool | None = None  # 需公示
    amount_disclosure: str | None = None  # 公示金额
    procedure: str | None = None  # 办理程序
    note: str | None = None  # 说明
    row: int = 0


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """帮扶政策.xlsx / 调休安排"""
    date: date | None = None  # 日期
    kind: str | None = None  # 类型
    note: str | None = None  # 说明
    row: int = 0


@dataclass(frozen=True, slots=True)
class EscalationLimit:
    """帮扶政策.xlsx / 梯次帮扶"""
    item: str | None = None  # 帮扶项目
    station_limit: Decimal | None = None  # 站点审批上限
    county_limit: Decimal | None = None  # 县级审批上限
    since: date | None = None  # 起始日期
    note: str | None = None  # 说明
    row: int = 0


RECORD_CLASSES: dict[str, type] = {
    "workers": Worker,
    "members": Member,
    "visits": Visit,
    "reviews": Review,
    "payouts": Payout,
    "batches": Batch,
    "objections": Objection,
    "reception": Reception,
    "funds": Fund,
    "incomes": Income,
    "expenses": Expense,
    "categories": Category,
    "dibao_lines": DibaoLine,
    "items": Item,
    "calendar": CalendarDay,
    "escalation": EscalationLimit,
}
