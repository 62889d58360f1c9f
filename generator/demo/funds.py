"""The demo's money: five funds (专款专用), their incomes and other expenses.

Payouts are made first; then each fund receives, twice a year, enough to cover
what it pays until the next income (incomes come first on the same day), so no
balance ever goes below zero. Local government matching (地方财政配套) is at
least the upper-level financial special funds (上级财政专项) of the same year; the
county union's own transfer (上级拨款) is not matched.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .policy import PARENT
from .schedule import Calendar, next_workday

UPPER = "上级帮扶专项资金"
LOCAL = "地方财政配套帮扶资金"
UNION = "工会经费帮扶资金"
DONATED = "社会捐赠帮扶资金"
MUTUAL = "职工医疗互助金"

FUNDS = (  # name, source, allowed uses, opening balance for 200 workers, note
    (UPPER, "上级财政专项", "生活救助、医疗救助、助学、送温暖", 30000,
     f"经{PARENT}下拨的财政困难职工帮扶专项资金和县总工会帮扶资金"),
    (LOCAL, "地方财政配套", "生活救助、医疗救助、助学、送温暖", 20000, "示范镇人民政府按不低于 1:1 配套"),
    (UNION, "工会经费", "全部", 50000, "镇总工会从工会经费中列支"),
    (DONATED, "社会捐赠", "助学、送温暖", 10000, "爱心企业和社会各界定向捐赠，含干部职工“爱心一日捐”"),
    (MUTUAL, "互助金", "医疗救助", 20000, "会员缴纳的医疗互助金，用于大病救助"),
)

# each fund's two incomes a year: (month, day, source, payer, summary)
INCOMES = {
    UPPER: ((1, 8, "上级财政专项", PARENT, "财政困难职工帮扶专项资金"),
            (7, 8, "上级拨款", PARENT, "县总工会困难职工帮扶资金")),
    LOCAL: ((1, 12, "地方财政配套", "示范镇人民政府", "困难职工帮扶配套资金"),
            (7, 12, "地方财政配套", "示范镇人民政府", "困难职工帮扶配套资金")),
    UNION: ((1, 5, "工会经费", "示范镇总工会", "帮扶经费列支"),
            (7, 5, "工会经费", "示范镇总工会", "帮扶经费列支")),
    DONATED: ((1, 20, "社会捐赠", "示范镇爱心企业", "两节送温暖定向捐赠"),
              (6, 15, "干部职工捐款", "示范镇干部职工", "“爱心一日捐”活动捐款")),
    MUTUAL: ((1, 15, "互助金", "参加医疗互助的会员", "会员医疗互助金"),
             (7, 15, "互助金", "参加医疗互助的会员", "会员医疗互助金")),
}

# which funds pay an item, with weights (each allows the item's group)
PAYERS = {
    "生活救助": ((UPPER, 6), (LOCAL, 4)),
    "生活救助（残疾补助）": ((UPPER, 6), (LOCAL, 4)),
    "医疗救助（大病）": ((UPPER, 5), (LOCAL, 5)),
    "医疗救助（工伤）": ((UPPER, 5), (LOCAL, 5)),
    "大病救助": ((MUTUAL, 4), (UPPER, 3), (LOCAL, 3)),
    "助学（高中）": ((UPPER, 7), (LOCAL, 3)),
    "助学（大学）": ((UPPER, 7), (LOCAL, 3)),
    "金秋助学（高中）": ((DONATED, 4), (UPPER, 3), (LOCAL, 3)),
    "金秋助学（大学）": ((DONATED, 4), (UPPER, 3), (LOCAL, 3)),
    "两节送温暖": ((UPPER, 5), (LOCAL, 3), (DONATED, 2)),
    "夏送清凉": ((UNION, 1),),
    "法律援助": ((UNION, 1),),
    "就业援助": ((UNION, 1),),
}

TRAINING = ("家政服务", "电工", "电商直播", "育婴员", "中式面点", "叉车操作")
THOUSAND = Decimal(1000)


def assign_funds(rng, payouts: list) -> None:
    for p in payouts:
        names, weights = zip(*PAYERS[p.item])
        p.fund = rng.choices(names, weights)[0]


def fund_rows(cal: Calendar, opening: dict) -> list[dict]:
    return [{"name": name, "source": source, "allowed": allowed, "opened": date(cal.first_year, 1, 1),
             "opening": opening[name], "note": note} for name, source, allowed, _, note in FUNDS]


def make_expenses(rng, cal: Calendar, workers: int) -> list[dict]:
    """Training classes (就业援助) and lawyers for workers' cases (法律援助), paid by union funds."""
    out = []
    repeat = max(1, workers // 400)
    for year in range(cal.first_year, cal.today.year + 1):
        for month in (4, 10):
            for _ in range(repeat):
                day = next_workday(date(year, month, rng.randint(10, 25)))
                if day <= cal.today:
                    out.append({"date": day, "fund": UNION, "purpose": "就业援助",
                                "amount": Decimal(rng.randint(40, 90) * 100),
                                "summary": f"职业技能培训班（{rng.choice(TRAINING)}）"})
        for month in (6, 11):
            for _ in range(repeat):
                day = next_workday(date(year, month, rng.randint(5, 20)))
                if day <= cal.today:
                    out.append({"date": day, "fund": UNION, "purpose": "法律援助",
                                "amount": Decimal(rng.randint(20, 50) * 100),
                                "summary": "聘请律师代理职工劳动争议案件"})
    out.sort(key=lambda e: e["date"])  # type: ignore[arg-type,return-value]
    return out


def make_incomes(cal: Calendar, payouts: list, expenses: list, workers: int) -> tuple[list[dict], dict]:
    """Incomes for every fund, and the opening balances; covers every outflow in date order."""
    scale = max(1, workers / 200)
    outflows: dict = {name: [] for name, *_ in FUNDS}
    for p in payouts:
        if p.paid and p.amount:
            outflows[p.fund].append((p.paid, p.amount))
    for e in expenses:
        outflows[e["fund"]].append((e["date"], e["amount"]))
    incomes, opening = [], {}
    for name, _, _, base, _ in FUNDS:
        plan = [(next_workday(date(y, m, d)), source, payer, summary)
                for y in range(cal.first_year, cal.today.year + 1)
                for m, d, source, payer, summary in INCOMES[name]]
        plan = [step for step in plan if step[0] <= cal.today]
        moves = sorted(outflows[name])
        first = plan[0][0] if plan else date.max
        before = sum((a for d, a in moves if d < first), Decimal(0))
        opening[name] = _round_up(Decimal(base) * Decimal(scale) + before * Decimal("1.1"))
        balance = opening[name] - before
        for i, (day, source, payer, summary) in enumerate(plan):
            until = plan[i + 1][0] if i + 1 < len(plan) else date.max
            need = sum((a for d, a in moves if day <= d < until), Decimal(0))
            amount = _round_up(max(need * Decimal("1.1") - balance / 2, Decimal(5000) * Decimal(scale)))
            balance += amount - need
            incomes.append({"date": day, "fund": name, "source": source, "payer": payer,
                            "amount": amount, "summary": f"{day.year}年{'上' if day.month < 7 else '下'}半年{summary}"})
    _match(incomes)
    incomes.sort(key=lambda i: (i["date"], i["fund"]))
    return incomes, opening


def _match(incomes: list[dict]) -> None:
    """Raise local matching so that each year it is at least the financial special funds (1:1)."""
    years = sorted({i["date"].year for i in incomes})
    for year in years:
        upper = sum(i["amount"] for i in incomes if i["date"].year == year and i["source"] == "上级财政专项")
        local = [i for i in incomes if i["date"].year == year and i["source"] == "地方财政配套"]
        short = upper - sum(i["amount"] for i in local)
        if short <= 0:
            continue
        if local:
            local[0]["amount"] += _round_up(short)
        else:
            first = min(i["date"] for i in incomes if i["date"].year == year and i["source"] == "上级财政专项")
            incomes.append({"date": first, "fund": LOCAL, "source": "地方财政配套", "payer": "示范镇人民政府",
                            "amount": _round_up(short), "summary": f"{year}年困难职工帮扶配套资金"})


def _round_up(amount: Decimal) -> Decimal:
    return -(-amount // THOUSAND) * THOUSAND


def number_vouchers(incomes: list[dict], expenses: list[dict]) -> None:
    """记账凭证号 in date order per year, shared by incomes and expenses."""
    entries = sorted(incomes + expenses, key=lambda e: (e["date"], "purpose" in e, e["fund"]))
    seen: dict = {}
    for e in entries:
        seen[e["date"].year] = seen.get(e["date"].year, 0) + 1
        e["voucher"] = f"记-{e['date'].year}-{seen[e['date'].year]:03d}"
