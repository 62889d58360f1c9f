"""Disclosure batches (公示批次) and objections (异议处理) of the demo.

One 帮扶公示 gets an objection that is upheld: that worker's payout is not
approved (办理状态 不予批准, the applicant told the reason), and the rest of the
list is disclosed again in a new batch whose 原公示批次 names the first. Some
other 帮扶公示 batches get an objection about one person that was checked and
rejected (不成立): that case is disclosed again on its own (重新公示) and approved
after the new period, as the seeds require.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .aid import settle
from .schedule import AID, REG, Calendar, Round, add_workdays, next_workday

PLACE = "示范镇总工会公示栏、各基层工会公示栏、本站网站"
SUBJECTS = {"建档": "拟新认定困难职工名单", "两节": "两节送温暖慰问金及困难救助拟发放名单",
            "金秋": "金秋助学金及困难救助拟发放名单", "春季": "生活救助、医疗救助拟发放名单",
            "冬季": "生活救助、医疗救助拟发放名单", "重新公示": "经复查调整后的拟发放名单",
            "结档": "脱困、注销的困难职工档案", "个案重新公示": "经异议复查后重新公示的拟发放人员"}
CLOSE = "结档公示"
SINGLE = "个案重新公示"
REJECTED = ("反映该职工配偶有经营性收入未如实申报", "经调查核实，该户家庭收入申报属实，异议不成立。")
UPHELD_SCHOOL = ("反映该职工子女今年已毕业参加工作，不再在校就读",
                 "经调查核实，反映情况属实，已取消该户本次助学资格；其余人员名单已重新公示。")
UPHELD_OTHER = ("反映该职工家庭收入已超过认定标准",
                "经调查核实，反映情况属实，已取消该户本次帮扶资格；其余人员名单已重新公示。")


@dataclass(eq=False)
class Objection:
    round: Round
    archive_no: str
    received: date
    content: str
    result: str
    resolved: date
    resolution: str
    redisclosed_in: Round | None = None
    objection_no: str = ""

    @property
    def batch(self) -> str:
        return self.round.batch_no


def objection_round(cal: Calendar) -> Round | None:
    """The 金秋助学 round of the middle year, where the upheld objection happens."""
    done = [r for r in cal.aid if not r.running and r.label == "金秋"]
    return next((r for r in done if r.year == cal.first_year + 1), done[0] if done else None)


def make_objections(rng, cal: Calendar, upheld_in: Round | None) -> list[Objection]:
    out = []
    if upheld_in is not None and len(upheld_in.payouts) >= 2:
        out.append(_upheld(rng, cal, upheld_in))
    for year in range(cal.first_year, cal.today.year + 1):
        options = [r for r in cal.aid
                   if not r.running and r.year == year and r is not upheld_in and r.original is None
                   and len(r.payouts) >= 2 and add_workdays(r.end, 8) < cal.today]
        if not options:
            continue
        r = rng.choice(options)
        target = rng.choice(r.payouts)
        received = min(next_workday(r.start + timedelta(days=rng.randint(1, 3))), r.end)
        resolved = min(add_workdays(received, 2), r.end)
        content, resolution = REJECTED
        redo = _redisclose(rng, cal, r, target, resolved)
        out.append(Objection(r, target.archive_no, received, content, "不成立", resolved,
                             resolution + "已重新公示。", redo))
    out.sort(key=lambda o: (o.received, o.archive_no))
    seen: dict = {}
    for o in out:
        seen[o.received.year] = seen.get(o.received.year, 0) + 1
        o.objection_no = f"YY-{o.received.year}-{seen[o.received.year]:02d}"
    return out


def _redisclose(rng, cal: Calendar, r: Round, target, resolved: date) -> Round:
    """The case re-verified after an objection is disclosed again on its own, then approved."""
    redo = Round(AID, SINGLE, max(add_workdays(resolved, 1), r.start + timedelta(days=1)), original=r)
    redo.approve = add_workdays(max(redo.end, r.end), 1)
    cal.aid.append(redo)
    cal.aid.sort(key=lambda x: x.start)
    if target.worker.closed and target.worker.closed < add_workdays(redo.approve, 4):
        target.worker.closed = min(add_workdays(redo.approve, 4), cal.today)
    r.payouts.remove(target)
    target.round = redo
    redo.payouts.append(target)
    settle(rng, target, redo.approve, cal.today)
    return redo


def _upheld(rng, cal: Calendar, r: Round) -> Objection:
    school = [p for p in r.payouts if p.item.startswith("金秋助学")]
    target = rng.choice(school or r.payouts)
    received = next_workday(r.start + timedelta(days=2))
    resolved = add_workdays(r.end, 1)
    redo = Round(AID, "重新公示", add_workdays(resolved, 1), original=r)
    redo.approve = add_workdays(redo.end, 1)
    cal.aid.append(redo)
    cal.aid.sort(key=lambda x: x.start)
    target.approved = target.paid = target.signed_on = None
    target.signed = False
    target.state = "不予批准"
    target.notified = add_workdays(resolved, 1)
    target.note = "公示期间收到异议，经核实异议成立，不予发放；已告知申请人"
    latest_pay = add_workdays(redo.approve, 4)
    for p in r.payouts:
        if p is target:
            continue
        if p.worker.closed and p.worker.closed < latest_pay:
            p.worker.closed = min(latest_pay, cal.today)
        p.round = redo
        settle(rng, p, redo.approve, cal.today)
        redo.payouts.append(p)
    r.payouts = [target]
    content, resolution = UPHELD_SCHOOL if school else UPHELD_OTHER
    return Objection(r, target.archive_no, received, content, "成立", resolved, resolution, redo)


def closure_rounds(cal: Calendar, workers: list) -> None:
    """结档公示: the files closed as 脱困 or 注销 in a half year are announced together once
    the last of them is closed (the station announces closures)."""
    groups: dict = {}
    for w in workers:
        if w.status in ("脱困", "注销") and w.closed:
            groups.setdefault((w.closed.year, (w.closed.month - 1) // 6), []).append(w)
    for _, closing in sorted(groups.items()):
        start = min(next_workday(max(w.closed for w in closing) + timedelta(days=1)), cal.today)
        r = Round(CLOSE, "结档", start)
        r.workers = sorted(closing, key=lambda w: w.archive_no)
        cal.reg.append(r)


def number_batches(cal: Calendar) -> list[Round]:
    """Drop rounds nobody is listed in; number the rest GS-<year>-<nn> in date order, closure
    announcements JD-<year>-<nn>, and a single case disclosed again <original>-R."""
    rounds = [r for r in cal.reg + cal.aid if (r.payouts if r.kind == AID else r.workers)]
    rounds.sort(key=lambda r: (r.start, r.kind != REG))
    seen: dict = {}
    for r in rounds:
        if r.label == SINGLE:
            continue
        prefix = "JD" if r.kind == CLOSE else "GS"
        seen[prefix, r.year] = seen.get((prefix, r.year), 0) + 1
        r.batch_no = f"{prefix}-{r.year}-{seen[prefix, r.year]:02d}"
    for r in rounds:
        if r.label == SINGLE:
            r.batch_no = f"{r.original.batch_no}-R"
    regs: dict = {}
    for r in rounds:
        if r.kind == CLOSE:
            last = max(w.closed for w in r.workers)
            r.title = f"{last.year}年{'上' if last.month <= 6 else '下'}半年困难职工结档公示"
            for w in r.workers:
                w.close_batch = r.batch_no
            continue
        if r.kind == REG:
            regs[r.year] = regs.get(r.year, 0) + 1
            r.title = f"{r.year}年第{'一二三四五六七八九十'[min(regs[r.year], 10) - 1]}批困难职工建档公示"
        else:
            r.title = {
                "两节": f"{r.year}年两节送温暖帮扶公示",
                "金秋": f"{r.year}年金秋助学帮扶公示",
                "春季": f"{r.year}年第二季度困难职工帮扶公示",
                "冬季": f"{r.year}年第四季度困难职工帮扶公示",
                "重新公示": f"{r.year}年金秋助学帮扶公示（重新公示）" if r.original and r.original.label == "金秋"
                else f"{r.year}年困难职工帮扶公示（重新公示）",
                SINGLE: f"{r.year}年困难职工帮扶公示（异议复查后重新公示）",
            }[r.label]
        for w in r.workers:
            w.batch = r.batch_no
    return rounds


def batch_row(r: Round) -> dict:
    return {"batch_no": r.batch_no, "title": r.title, "kind": r.kind, "subject": SUBJECTS[r.label],
            "start": r.start, "days": (r.end - r.start).days + 1, "place": PLACE, "issued": r.start,
            "original": r.original.batch_no if r.original else None}


def objection_row(o: Objection) -> dict:
    return {"objection_no": o.objection_no, "batch": o.round.batch_no, "archive_no": o.archive_no,
            "received": o.received, "content": o.content, "result": o.result, "resolved": o.resolved,
            "resolution": o.resolution,
            "redisclosed_in": o.redisclosed_in.batch_no if o.redisclosed_in else None}
