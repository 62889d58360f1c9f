"""What a real station has open on `today`, so that the demo's work list (待办) is realistic
while `bangfu check` stays clean: two applications not yet verified (within their limit), some
follow-up visits of the late-summer round still open, two files whose yearly review falls due in the next days, and a
reception log (接待登记) with legal aid and job help for people without a hardship file, two
entries still open.

Nothing here draws from the main random stream except through its own generator, so the rest
of the demo stays as it was.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from .identity import Phones
from .names import NameDrawer
from .policy import ITEM_BY_NAME, STAFF
from .schedule import Calendar, add_workdays, next_workday, sub_workdays


def leave_open(payouts: list, cal: Calendar) -> None:
    """Before visits are made: two applications of the running round are not verified yet."""
    today = cal.today
    running = [p for p in payouts if p.round is not None and p.round.start <= today <= p.round.start
               + timedelta(days=6) and p.approved is None and ITEM_BY_NAME[p.item]["group"] == "生活救助"]
    running.sort(key=lambda p: (p.applied, p.record_no))
    # still within the item's limit on `today` (an overdue one would be a check warning)
    within = [p for p in running if add_workdays(p.applied, ITEM_BY_NAME[p.item]["deadline_days"]) >= today]
    for p in within[-2:]:
        p.verified, p.round = None, None


def reviews_due(workers: list, visits: list, cal: Calendar) -> None:
    """After visits: two files reviewed late last year, not yet this year (due in a few days)."""
    today = cal.today
    year_ago = today - timedelta(days=365)
    picked = []
    for w in sorted(workers, key=lambda w: w.archive_no):
        if w.status != "在档" or w.registered is None or w.registered > year_ago - timedelta(days=90):
            continue
        mine = [v for v in visits if v["archive_no"] == w.archive_no]
        if any(v["kind"] == "跟踪回访" and v["date"] > year_ago for v in mine):
            continue
        if not any(v["kind"] == "年度复核" and v["date"].year == today.year for v in mine):
            continue
        picked.append(w)
        if len(picked) == 2:
            break
    for n, w in enumerate(picked):
        moved = next_workday(year_ago + timedelta(days=3 + 4 * n))
        for v in [v for v in visits if v["archive_no"] == w.archive_no and v["kind"] == "年度复核"
                  and v["date"] > year_ago - timedelta(days=60)]:
            visits.remove(v)
        visits.append({"archive_no": w.archive_no, "date": moved, "kind": "年度复核", "visitor": STAFF[0],
                       "notes": "年度复核：家庭情况无明显变化，继续保留档案", "next_step": "继续帮扶"})
        w.reviewed = moved
    visits.sort(key=lambda v: (v["archive_no"], v["date"], v["kind"]))


# (kind, person kind, request, handling, transferred to, result)
CASES = (
    ("法律援助", "农民工", "被拖欠工资两个月，咨询如何维权", "讲解劳动争议调解和仲裁程序，协助填写法律援助申请表",
     "示范县总工会法律服务中心", "经调解，单位已补发工资"),
    ("法律援助", "工会会员", "单位未依法缴纳社会保险", "告知投诉渠道，出具工会介绍信", "示范县劳动保障监察大队",
     "单位已补缴社会保险"),
    ("就业援助", "其他职工", "下岗后求职，希望参加技能培训", "登记求职意向，推荐参加镇工会育婴员培训班", None,
     "已参加培训并上岗"),
    ("就业援助", "农民工", "求职登记，希望找保安或保洁工作", "登记求职信息，推荐两家用工单位", None,
     "已被物业公司录用"),
    ("政策咨询", "工会会员", "咨询困难职工认定条件和所需材料", "讲解认定条件，发放申请表和材料清单", None, "已答复"),
    ("医疗救助", "困难职工", "家属住院，咨询大病救助申请", "讲解大病救助标准和材料，登记申请", None, "已受理申请"),
    ("生活救助", "困难职工", "家庭收入减少，申请生活救助", "登记申请，安排入户调查", None, "已受理申请"),
    ("投诉建议", "其他职工", "建议公示栏增加电子屏", "记录建议，报镇总工会研究", None, "已答复，纳入明年计划"),
)
EMPLOYERS = ("示范镇建筑工程公司", "示范镇食品厂", "示范镇物业服务中心", "示范镇纺织厂", "示范镇快递网点")


def make_reception(seed: int, workers: list, cal: Calendar) -> list[dict]:
    """About one entry a month over the demo's years; the last two still open."""
    rng = random.Random(f"reception-{seed}")
    names = NameDrawer(rng, reserved={w.name for w in workers})
    phones = Phones(rng)
    active = [w for w in workers if w.status == "在档"]
    out = []
    day = next_workday(date(cal.first_year, 1, 8))
    while day < cal.today - timedelta(days=20):
        out.append(_entry(rng, names, phones, active, day, closed=True))
        day = next_workday(day + timedelta(days=rng.randint(20, 40)))
    out.append(_entry(rng, names, phones, active, sub_workdays(cal.today, 9), closed=False, case=CASES[0]))
    out.append(_entry(rng, names, phones, active, sub_workdays(cal.today, 2), closed=False, case=CASES[2]))
    for n, row in enumerate(out, 1):
        year = row["received"].year
        row["reception_no"] = f"JD-{year}-{sum(r['received'].year == year for r in out[:n]):03d}"
    return out


def _entry(rng, names, phones, active, day: date, closed: bool, case=None) -> dict:
    kind, person, request, handling, transferred, result = case or rng.choice(CASES)
    known = [w for w in active if w.registered and w.registered < day]
    worker = rng.choice(known) if person == "困难职工" and known else None
    sex = rng.choice(("男", "女"))
    return {
        "received": day, "channel": rng.choice(("来访", "来访", "电话", "网络")),
        "name": worker.name if worker else names.full(sex), "phone": worker.phone if worker else phones.make(),
        "person_kind": person, "archive_no": worker.archive_no if worker else None,
        "employer": worker.employer if worker else rng.choice(EMPLOYERS), "kind": kind, "request": request,
        "handling": handling, "transferred_to": transferred,
        "result": result if closed else None,
        "closed": add_workdays(day, rng.randint(1, 5)) if closed else None,
        "clerk": STAFF[0],
    }
