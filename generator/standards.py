"""Assistance standards: what an item pays, in Decimal, and how to say it in Chinese.

Shared by the checker (amount within standard) and the policy pages (the
standard written out with a worked example).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from .money import CENT, yuan

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
