"""Yearly reviews (年度复核) of the demo, and one withdrawn application.

Every file reviewed at least once gets a row for its latest review with the
figures then (usually unchanged from 建档). One 深度困难 family that was given aid
under the 低保 line before its review has a raised income at the review and
moves to 相对困难: its earlier payouts stay right, because each payout is judged
by the figures valid on its own application date.
"""

from __future__ import annotations

from decimal import Decimal

from .policy import ITEM_BY_NAME, STAFF

RAISED = "家庭收入增加，月人均收入超过当年低保标准，困难类别由深度困难调整为相对困难"


def make_reviews(rng, workers: list, payouts: list, lines: dict) -> list[dict]:
    rows = {}
    for w in sorted(workers, key=lambda w: w.archive_no):
        if w.reviewed is None or w.registered is None or w.reviewed < w.registered:
            continue
        rows[w.archive_no] = {
            "archive_no": w.archive_no, "date": w.reviewed, "household_income": w.household_income,
            "rigid_spending": w.rigid_spending, "household_size": w.household_size, "per_capita": None,
            "category": w.category, "reviewer": STAFF[1], "conclusion": "家庭情况无明显变化，继续保留档案"}
    raised = _raised_family(workers, payouts, rows)
    if raised is not None:
        row = rows[raised.archive_no]
        line = lines.get(raised.reviewed.year)
        if line is not None:
            target = line * Decimal("1.3") * 12 * raised.household_size
            income = int(target) + int(raised.rigid_spending or 0)
            row.update(household_income=Decimal(income - income % 10), category="相对困难", conclusion=RAISED)
    return list(rows.values())


def _raised_family(workers: list, payouts: list, rows: dict):
    """A 深度困难 family given aid under the line before its review and none after it."""
    under_line: dict[str, list] = {}
    for p in payouts:
        if ITEM_BY_NAME[p.item]["income_rule"] == "低于低保线" and p.applied is not None:
            under_line.setdefault(p.worker.archive_no, []).append(p.applied)
    for w in sorted(workers, key=lambda w: w.archive_no):
        days = under_line.get(w.archive_no)
        if (w.category == "深度困难" and w.status == "在档" and days and w.archive_no in rows
                and max(days) < w.reviewed and min(days) < w.reviewed):
            return w
    return None


def withdraw_one(payouts: list) -> None:
    """A legal-aid application the applicant withdrew: 已撤销, never approved, counted nowhere."""
    helped: dict = {}
    for p in payouts:
        if p.paid:
            helped[p.worker.archive_no] = helped.get(p.worker.archive_no, 0) + 1
    for p in payouts:
        if p.item == "法律援助" and p.paid and helped.get(p.worker.archive_no, 0) >= 2:
            p.state = "已撤销"
            p.approved = p.paid = p.signed_on = p.followed_up = p.follow_up = None
            p.signed = False
            p.note = "申请人与单位协商解决，撤回申请"
            return
