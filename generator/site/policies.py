"""政策 pages: one page per assistance item of the policy workbook, the station's
procedure (the two 五有), and an index with the hardship categories and the
低保 lines. Standards are written out with formulas and worked examples."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .. import standards
from ..money import CENT, yuan
from ..paths import policy_slugs
from ..station import StationInfo
from .common import Docs, front_matter, public_text

SECTION = "policies"
SEARCH_BOOST = 5  # a search for an item's name should find its policy page first


@dataclass
class ItemPage:
    slug: str
    name: str
    group: str
    who: str
    income_rule: str  # the rule written out, '' when income is not a condition
    standard: str  # one line: describe()
    formula: str  # 比例封顶: the formula; '' otherwise
    examples: list = field(default_factory=list)  # sentences
    frequency: str = ""
    documents: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    deadline_days: int | None = None
    needs_disclosure: bool = False
    note: str = ""
    prints: list = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"{SECTION}/{self.slug}.md"


def _frequency(item) -> str:
    return public_text(standards.frequency_text(item))


def _formula(item) -> tuple[str, list[str]]:
    if item.standard != "比例封顶" or item.rate is None:
        return "", []
    threshold = item.threshold or Decimal(0)
    rate = standards.percent(item.rate)
    formula = f"帮扶金额 =（医疗自付费用 − {yuan(threshold)} 元）× {rate}"
    if item.cap is not None:
        formula += f"，最高 {yuan(item.cap)} 元"
    examples = []
    first = standards.worked_example(item)
    if first:
        base, amount = first
        examples.append(f"医疗自付费用 {yuan(base)} 元：（{yuan(base)} − {yuan(threshold)}）× {rate}"
                        f" = {yuan(amount)} 元。")
    if item.cap is not None and item.rate > 0:
        base = threshold + (item.cap / item.rate).quantize(Decimal(1), ROUND_HALF_UP) + Decimal(5000)
        raw = ((base - threshold) * item.rate).quantize(CENT, ROUND_HALF_UP)
        examples.append(f"医疗自付费用 {yuan(base)} 元：（{yuan(base)} − {yuan(threshold)}）× {rate}"
                        f" = {yuan(raw)} 元，超过封顶金额，按 {yuan(item.cap)} 元发放。")
    examples.append(f"医疗自付费用不超过 {yuan(threshold)} 元的，不予计算。" if threshold else "")
    return formula, [e for e in examples if e]


def _income_rule(records, item, today: date) -> str:
    """The income condition with the newest 低保 line entered, named by its own year."""
    latest = records.latest_dibao_line(today.year)
    year, line = latest if latest is not None else (None, None)
    return public_text(standards.eligibility_text(item, line, year))


def _steps(item, days: int) -> list[str]:
    return [public_text(s) for s in standards.procedure_steps(item, days)]


def build_items(records, today: date, *, prints: dict | None = None) -> list[ItemPage]:
    prints = prints or {}
    days = records.settings.disclosure_days
    slugs = policy_slugs([i.name for i in records.items])
    pages = []
    for item in records.items:
        formula, examples = _formula(item)
        pages.append(ItemPage(
            slug=slugs[item.name], name=public_text(item.name), group=public_text(item.group),
            who=public_text(item.who), income_rule=_income_rule(records, item, today),
            standard=public_text(standards.describe(item)), formula=formula, examples=examples,
            frequency=_frequency(item),
            documents=[public_text(d) for d in standards.documents(item)],
            steps=_steps(item, days), deadline_days=item.deadline_days,
            needs_disclosure=bool(item.needs_disclosure), note=public_text(item.note),
            prints=list(prints.get(item.name, ()))))
    return pages


def per_capita_example(records, today: date) -> dict | None:
    """A worked example of the household income test with this year's 低保 line."""
    latest = records.latest_dibao_line(today.year)
    if latest is None:
        return None
    year, line = latest
    income, rigid, size = Decimal(36000), Decimal(12000), 3
    value = ((income - rigid) / 12 / size).quantize(CENT, ROUND_HALF_UP)
    return {"income": income, "rigid": rigid, "size": size, "value": value, "line": line,
            "year": year, "below": value < line}


def render_policies(env, docs: Docs, records, items: list[ItemPage], site: StationInfo, today: date) -> None:
    tpl = env.get_template("site/policy.md.j2")
    for page in items:
        docs.add(page.path, front_matter(page.name, boost=SEARCH_BOOST) + tpl.render(site=site, p=page),
                 kind="policies")
    categories = [{"name": public_text(c.name), "multiple": c.multiple, "rule": public_text(c.rule)}
                  for c in records.categories]
    lines = sorted(((d.year, d.amount) for d in records.dibao_lines if d.year and d.amount),
                   reverse=True)
    docs.add(f"{SECTION}/index.md", front_matter("帮扶政策") + env.get_template(
        "site/policies.md.j2").render(site=site, items=items, categories=categories, lines=lines,
                                      example=per_capita_example(records, today)), kind="index")
    deadlines = sorted({i.deadline_days for i in records.items if i.deadline_days})
    docs.add(f"{SECTION}/procedure.md", front_matter("帮扶程序") + env.get_template(
        "site/procedure.md.j2").render(site=site, deadlines=deadlines), kind="index")
