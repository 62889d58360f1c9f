"""Assistance standards: what an item pays, in Decimal, and how to say it in Chinese.

Shared by the checker (amount within standard) and the policy pages (the
standard written out with a worked example).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from .money import CENT, yuan
from .periods import Quarter

# An item's 收入条件 (schema.INCOME_RULE): the multiple of the 低保 line that monthly per-capita
# income must stay under; "不限" is not a condition.
INCOME_MULTIPLE = {"低于低保线": Decimal(1), "低于1.5倍低保线": Decimal("1.5"), "低于2倍低保线": Decimal(2)}


def standard_amount(item, base: Decimal | None) -> Decimal | None:
    """The amount the item's standard allows; None when it cannot be computed or is unbounded."""
    kind = item.standard
    if kind == "固定金额":
        return item.fixed
    if kind == "比例封顶":
        if base is None or item.rate is None:
            return None
        over = max(Decimal(0), base - (item.threshold or Decimal(0)))
        amount = (over * item.rate).quantize(CENT, rounding=ROUND_HALF_UP)
        return min(amount, item.cap) if item.cap is not None else amount
    if kind == "按实际":
        return item.cap
    if kind == "非现金":
        return Decimal(0)
    return None


_LIST_SEPARATORS = re.compile(r"[、，,；;\n]+")


def documents(item) -> list[str]:
    """The documents to bring, one per entry: the clerk separates them with 、 or ；."""
    return [d.strip() for d in _LIST_SEPARATORS.split(item.documents or "") if d.strip()]


_STEP_SEPARATORS = re.compile(r"\s*(?:→|—>|->|＞|>|；|;|\n)\s*")


def procedure_steps(item, disclosure_days: int) -> list[str]:
    """The item's 办理程序 as steps (the clerk's own text split at → or ；), else the
    standard procedure: 有申请、有查验、(公示)、有批准、有签收."""
    if item.procedure:
        steps = [s for s in _STEP_SEPARATORS.split(item.procedure.strip()) if s]
        if steps:
            return steps
    steps = ["本人提出申请，填写申请表并提交所需材料", "帮扶站受理并入户调查、核实情况"]
    if item.needs_disclosure:
        steps.append(f"在单位、社区和本站网站公示 {disclosure_days} 天，接受监督")
    steps += ["经公示无异议后审批" if item.needs_disclosure else "审批",
              "发放（本人签收）或提供服务，并跟踪回访"]
    return steps


def percent(rate: Decimal) -> str:
    value = (rate * 100).normalize()
    return f"{value:f}%"


def describe(item) -> str:
    """比例封顶 -> '医疗自付费用超过 5,000.00 元的部分按 80% 救助，最高 10,000.00 元'."""
    kind = item.standard
    if kind == "固定金额" and item.fixed is not None:
        return f"每次 {yuan(item.fixed)} 元"
    if kind == "比例封顶" and item.rate is not None:
        text = f"医疗自付费用超过 {yuan(item.threshold or 0)} 元的部分按 {percent(item.rate)} 救助"
        if item.cap is not None:
            text += f"，最高 {yuan(item.cap)} 元"
        return text
    if kind == "按实际":
        return "按实际费用" + (f"，最高 {yuan(item.cap)} 元" if item.cap is not None else "")
    if kind == "非现金":
        return "提供服务，不发放现金"
    return kind or ""


def worked_example(item) -> tuple[Decimal, Decimal] | None:
    """A round example base and its amount for 比例封顶 items: (base, amount)."""
    if item.standard != "比例封顶" or item.rate is None:
        return None
    threshold = item.threshold or Decimal(0)
    base = threshold + Decimal(5000)
    if item.cap is not None and item.rate > 0:
        # pick a base that lands below the cap, so the example shows the rate at work
        while base > threshold and (base - threshold) * item.rate > item.cap:
            base -= Decimal(1000)
    return base, standard_amount(item, base)


# --- who qualifies and how often: one place for the checker, the site and the wall -------
DIBAO_ROUTES = ("低保户", "低保边缘户")


def income_multiple(item) -> Decimal | None:
    """How many 低保 lines the per-capita income must stay under; None when income is no condition."""
    return INCOME_MULTIPLE.get(item.income_rule or "")


def times_line(multiple: Decimal) -> str:
    """'' for 1, '的 1.5 倍' otherwise: '低保线的 2 倍', never '低保线的低保线'."""
    return "" if multiple == 1 else f"的 {multiple.normalize():f} 倍"


def routes(item) -> list[str]:
    """The item's alternative routes (或者): category names, causes of hardship or 低保户."""
    return [r.strip() for r in _LIST_SEPARATORS.split(item.routes or "") if r.strip()]


def route_kind(route: str, categories) -> str | None:
    """'category', 'cause' or 'dibao' for a known route, None for an unknown word."""
    from . import schema

    if route in categories:
        return "category"
    if route in schema.CAUSES:
        return "cause"
    if route in DIBAO_ROUTES:
        return "dibao"
    return None


def route_met(route: str, worker, category: str | None) -> bool:
    """Does the household (its category on the day, causes, 低保 status) meet a route?"""
    return (route == category or route == worker.cause
            or route in (worker.causes_more or ()) or route == worker.dibao)


def eligibility_text(item, line: Decimal | None = None, year: int | None = None) -> str:
    """The income condition and its alternatives in words, for the site and wall pages."""
    multiple = income_multiple(item)
    if multiple is None:
        return ""
    text = f"家庭月人均收入低于当地低保标准{times_line(multiple)}"
    if line is not None:
        limit = (line * multiple).quantize(CENT, ROUND_HALF_UP)
        text += f"（{year} 年低保标准 {yuan(line)} 元/人/月"
        text += f"，即 {yuan(limit)} 元）" if multiple != 1 else "）"
    alternatives = routes(item)
    if alternatives:
        text += "；或者属于" + "、".join(alternatives)
    return text


def unit(item) -> str:
    return item.frequency_unit or "每户"


def period(item, day):
    """The period a payout on `day` counts in; None when the item limits nothing."""
    kind = item.frequency
    if kind == "每年":
        return day.year
    if kind == "每学年":  # 7月1日 – 6月30日: summer applications (金秋助学) are for the coming year
        return day.year if day.month >= 7 else day.year - 1
    if kind == "每个节日季":  # New Year/Spring Festival: December belongs to the coming year
        return day.year + 1 if day.month == 12 else day.year
    if kind == "每季度":
        return Quarter.of(day)
    return None  # 一次性 (per case), 不限


def period_label(item, key) -> str:
    kind = item.frequency
    if kind == "每年":
        return f"{key} 年"
    if kind == "每学年":
        return f"{key}–{key + 1} 学年"
    if kind == "每个节日季":
        return f"{key} 年元旦春节"
    if kind == "每季度":
        return key.zh
    return ""


def frequency_text(item) -> str:
    """'每户每年最多 1 次' etc.: how often the item may be given, in words."""
    times = item.max_times or 1
    who = unit(item)
    kind = item.frequency
    if kind == "一次性":
        return "一次性发放（每个案例一次；再次发生新的困难可重新申请）"
    periods = {"每年": ("每年", ""), "每学年": ("每学年", "（学年从 7 月 1 日起算，暑期申请算下一学年）"),
               "每个节日季": ("每年元旦春节期间", "（12 月的申请算下一年的元旦春节）"), "每季度": ("每季度", "")}
    if kind in periods:
        when, note = periods[kind]
        text = f"{who}{when}最多 {times} 次"
        if item.standard == "固定金额" and item.fixed is not None and times > 1:
            text += f"，最多 {yuan(item.fixed * times)} 元"
        return text + note
    return "不限次数"
