"""Visits (走访记录): the 入户调查 before disclosure, a 年度复核 every year, a
跟踪回访 after some payouts and 送温暖走访 when the gift was brought in person.
Also fills each file's 最近复核日期 and the payouts' 回访 columns.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from .policy import FOLLOW_UP_DAYS, FOLLOW_UP_GROUPS, ITEM_BY_NAME, STAFF
from .schedule import Calendar, next_workday, workdays_in

VISITORS = (f"{STAFF[0]}、{STAFF[1]}", f"{STAFF[0]}、{STAFF[2]}", f"{STAFF[1]}、{STAFF[2]}")
FOLLOW_UP = {"生活救助": "救助金已收到，用于日常生活开支", "医疗救助": "救助金已用于支付医疗费用，病情稳定",
             "助学": "助学金已用于缴纳学费，学生在校表现良好", "送温暖": "慰问金已收到，感谢工会关心",
             "其他": "防暑降温物品已收到"}
REVIEW_NOTES = ("家庭情况无明显变化，继续保留档案", "家庭收入略有增加，仍符合认定标准",
                "医疗支出仍较大，继续跟踪帮扶", "子女仍在读，教育支出较大，继续帮扶")
CLOSING = {"收入超过标准": "家庭收入已超过认定标准，办理脱困", "本人申请退出": "本人申请退出帮扶，办理脱困",
           "死亡": "本人已去世，办理注销", "退休": "本人已退休且收入稳定，办理注销",
           "调离或迁出": "本人已调离本镇，档案转出并注销", "不再符合条件": "经复核不再符合困难职工条件，办理退档"}


def make_visits(rng, workers: list, payouts: list, cal: Calendar) -> list[dict]:
    out = []
    for w in workers:
        if w.surveyed:
            out.append(_visit(rng, w, w.surveyed, "入户调查",
                              f"入户调查：家庭{w.household_size}人，{w.living}，情况属实",
                              "提交建档公示" if w.round else "补齐材料后提交"))
        if w.registered is None:
            continue
        reviews = _reviews(rng, w, cal.today)
        for day in reviews:
            out.append(_visit(rng, w, day, "年度复核", "年度复核：" + rng.choice(REVIEW_NOTES), "继续帮扶"))
        if w.closed:
            out.append(_visit(rng, w, w.closed, "年度复核", "复核：" + CLOSING[w.exit_reason], "结档"))
            reviews.append(w.closed)
        w.reviewed = max(reviews) if reviews else None
    for p in payouts:
        if not p.paid or p.method == "服务":
            continue
        if p.item == "两节送温暖" and p.method == "现金":
            out.append(_visit(rng, p.worker, p.paid, "送温暖走访", "春节前入户走访慰问，送去慰问金", None))
        limit = min(cal.today, p.worker.closed) if p.worker.closed else cal.today
        group = ITEM_BY_NAME[p.item]["group"]
        if rng.random() < 0.3:
            day = next_workday(p.paid + timedelta(days=rng.randint(7, 40)))
            if day <= limit:
                p.followed_up = day
                p.follow_up = FOLLOW_UP[group]
                out.append(_visit(rng, p.worker, day, "跟踪回访", p.follow_up, None))
        if p.followed_up is None and group in FOLLOW_UP_GROUPS:
            # the station's setting: these are always followed up within three months, except a
            # few of the last round still open on `today` (the work list shows them); own
            # generator, so the main stream stays as it was
            own = random.Random(p.record_no)
            day = next_workday(p.paid + timedelta(days=own.randint(7, FOLLOW_UP_DAYS - 5)))
            recent = p.paid > cal.today - timedelta(days=FOLLOW_UP_DAYS + 30)
            if day <= limit and not (recent and own.random() < 0.1):
                p.followed_up = day
                p.follow_up = FOLLOW_UP[group]
                out.append(_visit(own, p.worker, day, "跟踪回访", p.follow_up, None))
    out.sort(key=lambda v: (v["archive_no"], v["date"], v["kind"]))
    return out


def _reviews(rng, w, today: date) -> list[date]:
    """One review a year on the worker's own day, none in the first two months;
    an active file always has one within the last year."""
    month, day = rng.randint(3, 11), rng.randint(1, 20)
    end = min(today, w.closed - timedelta(days=1)) if w.closed else today
    out = []
    for year in range(w.registered.year, today.year + 1):
        when = next_workday(date(year, month, day))
        if w.registered + timedelta(days=60) <= when <= end:
            out.append(when)
    if w.status == "在档" and max(out + [w.registered]) < today - timedelta(days=300):
        out.append(rng.choice(workdays_in(today - timedelta(days=120), today - timedelta(days=3))))
    return out


def _visit(rng, w, day: date, kind: str, notes: str, next_step: str | None) -> dict:
    return {"archive_no": w.archive_no, "date": day, "kind": kind, "visitor": rng.choice(VISITORS),
            "notes": notes, "next_step": next_step}
