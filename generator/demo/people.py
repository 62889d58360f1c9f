"""Demo workers (one household each): who they are, when they applied, were
registered and (for some) closed, in which 建档公示 batch.

Statuses: most 在档; a few 脱困/注销/退档 with 结档日期 and 结档原因; a few
still 申请 or 公示中 (listed in the registration batch running on `today`);
one or two 在档 files flagged 返困.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .family import age_on, illness_word, make_members, schooling_text, serious, set_health, set_income
from .identity import BankAccounts, IdNumbers, Phones, address
from .names import SPECIAL, NameDrawer, surname_of
from .policy import CATEGORIES, STAFF
from .schedule import Calendar, add_workdays, next_workday, prev_workday, workdays_in

EMPLOYERS = (  # (unit, union branch, who works there)
    ("示范镇机械厂", "示范镇机械厂工会", "factory"),
    ("示范镇纺织有限公司", "示范镇纺织有限公司工会", "factory"),
    ("示范镇食品加工厂", "示范镇食品加工厂工会", "factory"),
    ("示范镇宏达陶瓷有限公司", "示范镇宏达陶瓷有限公司工会", "factory"),
    ("示范镇中心卫生院", "示范镇中心卫生院工会", "public"),
    ("示范镇供销合作社", "示范镇供销合作社工会", "public"),
    ("示范镇环卫所", "示范镇环卫所工会", "public"),
    ("示范镇中心小学", "示范镇教育工会", "public"),
    ("示范镇商贸城", "示范镇商贸城联合工会", "migrant"),
    ("示范镇建筑安装有限公司", "示范镇建筑业联合工会", "migrant"),
    ("示范镇顺达物流有限公司", "示范镇新就业形态联合工会", "migrant"),
    ("示范镇家政服务中心", "示范镇新就业形态联合工会", "migrant"),
    ("示范镇众鑫汽修厂", "示范镇小微企业联合工会", "factory"),
)
WORK_STATUS = (("在岗", 40), ("农民工", 15), ("下岗", 7), ("失业", 9), ("退休", 12), ("病休", 9),
               ("内退", 8))
AGES = {"在岗": (28, 58), "农民工": (25, 55), "下岗": (38, 56), "失业": (32, 56), "退休": (60, 72),
        "病休": (35, 58), "内退": (50, 58)}
CAUSES = (("患重特大疾病", 30), ("子女上学", 15), ("无劳动能力", 8), ("遭受意外事故", 8),
          ("有劳动能力而未就业", 6), ("未参加社会保险", 5), ("社会保险待遇落实不到位", 5),
          ("遭受自然灾害", 3), ("其他", 10))
EXIT = {"脱困": (("收入超过标准", 4), ("本人申请退出", 1)),
        "注销": (("死亡", 1), ("退休", 1), ("调离或迁出", 2)),
        "退档": (("不再符合条件", 1),)}


@dataclass(eq=False)
class Worker:
    index: int
    round: object = None  # schedule.Round of the 建档公示, None for 申请
    archive_no: str = ""
    name: str = ""
    sex: str = ""
    ethnicity: str = "汉族"
    birth_date: date | None = None
    id_number: str = ""
    political: str = "群众"
    phone: str = ""
    address: str = ""
    community: str = ""
    employer: str = ""
    union_branch: str = ""
    work_status: str = ""
    model_worker: str = "非劳模"
    joined: date | None = None
    category: str = ""
    cause: str = ""
    causes_more: tuple = ()
    health: str = "良好"
    disability: str = "无"
    disability_grade: str | None = None
    marital: str = ""
    hukou: str = ""
    housing: str = ""
    household_size: int = 1
    household_income: Decimal = Decimal(0)
    rigid_spending: Decimal | None = None
    per_capita: Decimal | None = None
    dibao: str = "非低保"
    living: str = ""
    schooling: str = ""
    measures: str = ""
    status: str = "在档"
    applied: date | None = None
    batch: str | None = None
    registered: date | None = None
    reviewed: date | None = None
    closed: date | None = None
    close_batch: str | None = None
    exit_reason: str | None = None
    relapsed: bool = False
    bank: str = ""
    bank_account: str = ""
    registrar: str = STAFF[0]
    reviewer: str = STAFF[1]
    note: str | None = None
    members: list = field(default_factory=list)
    ill_member: dict | None = None
    surveyed: date | None = None  # the 入户调查 before the disclosure

    @property
    def surname(self) -> str:
        return surname_of(self.name)

    @property
    def children(self) -> list:
        return [m for m in self.members if m["relation"] == "子女"]


def make_workers(rng, count: int, cal: Calendar, lines: dict) -> list[Worker]:
    names = NameDrawer(rng, reserved=STAFF)
    ids, phones, banks = IdNumbers(rng), Phones(rng), BankAccounts(rng)
    workers = [Worker(i) for i in range(count)]
    _plan_status(rng, workers, cal)
    specials = _special_slots(rng, workers)
    categories: dict[Any, Any] = {c["name"]: c["multiple"] for c in CATEGORIES}
    for w in workers:
        special = specials.get(w.index)
        _identity(w, rng, names, ids, phones, banks, special)
        make_members(w, rng, names, ids, cal.today)
        set_health(w, rng)
        w.category = _category(rng, w)
        set_income(w, rng, lines[w.applied.year], categories[w.category])
        w.dibao = _dibao(rng, w)
        _texts(w, rng, cal.today)
    _number(workers)
    return workers


def _plan_status(rng, workers: list[Worker], cal: Calendar) -> None:
    n = len(workers)
    running = cal.running("建档公示")
    done = [r for r in cal.reg if not r.running]
    n_running = max(1, round(n * 0.025)) if n >= 5 else 0
    n_applying = max(1, round(n * 0.015)) if n >= 10 else 0
    order = list(workers)
    rng.shuffle(order)
    for w in order[:n_running]:
        w.status, w.round = "公示中", running
        running.workers.append(w)
    for w in order[n_running:n_running + n_applying]:
        w.status = "申请"
        days = workdays_in(cal.today - timedelta(days=15), cal.today - timedelta(days=1))
        w.applied = rng.choice(days)
        w.surveyed = add_workdays(w.applied, 2) if add_workdays(w.applied, 2) <= cal.today else None
    registered = order[n_running + n_applying:]
    weights = [4.0] + [6.0 / max(1, len(done) - 1)] * (len(done) - 1)
    for w, r in zip(registered, _spread(rng, len(registered), done, weights)):
        w.round = r
        r.workers.append(w)
    for r in cal.reg:
        lo, hi = r.window(cal.data_start)
        days = workdays_in(lo, hi)
        for w in r.workers:
            w.applied = rng.choice(days)
            w.surveyed = rng.choice(workdays_in(add_workdays(w.applied, 1), prev_workday(r.start - timedelta(days=1))))
            if not r.running:
                w.registered = add_workdays(r.approve, rng.randint(0, 3))
    _close_some(rng, registered, cal.today, done[0] if done else None)


def _spread(rng, n: int, rounds: list, weights: list) -> list:
    """n rounds in proportion to weights, every round used when n allows."""
    total = sum(weights)
    counts = [int(n * w / total) for w in weights]
    for i in range(len(counts)):
        if counts[i] == 0 and n >= len(counts):
            counts[i] = 1
    while sum(counts) > n:
        counts[counts.index(max(counts))] -= 1
    i = 0
    while sum(counts) < n:
        counts[i % len(counts)] += 1
        i += 1
    out = [r for r, c in zip(rounds, counts) for _ in range(c)]
    rng.shuffle(out)
    return out


def _close_some(rng, registered: list[Worker], today: date, first_round) -> None:
    old = [w for w in registered if w.registered <= today - timedelta(days=220)]
    rng.shuffle(old)
    n = round(len(registered) * 0.12)
    shares = (("脱困", 0.5), ("注销", 0.3), ("退档", 0.2))
    pos = 0
    for status, share in shares:
        for w in old[pos:pos + max(1 if n >= 3 else 0, round(n * share))]:
            w.status = status
            reasons, weights = zip(*EXIT[status])
            w.exit_reason = rng.choices(reasons, weights)[0]
            lo = w.registered + timedelta(days=150)
            w.closed = next_workday(lo + timedelta(days=rng.randrange(max(1, (today - lo).days - 10))))
            if w.closed > today:
                w.closed = prev_workday(today)
        pos += max(1 if n >= 3 else 0, round(n * share))
    active = [w for w in registered if w.status == "在档" and w.round is not first_round]
    for w in active[:2 if len(registered) >= 15 else (1 if len(registered) >= 5 else 0)]:
        w.relapsed = True


def _special_slots(rng, workers: list[Worker]) -> dict:
    """Worker index -> special name: on 在档 files first, so they show on every list."""
    active = [w.index for w in workers if w.status == "在档"]
    rest = [w.index for w in workers if w.status != "在档"]
    rng.shuffle(active)
    slots = (active + rest)[:len(SPECIAL)]
    return dict(zip(slots, SPECIAL))


def _identity(w, rng, names, ids, phones, banks, special) -> None:
    status_names, weights = zip(*WORK_STATUS)
    w.work_status = rng.choices(status_names, weights)[0]
    if special:
        w.name, w.sex, w.ethnicity = special
    else:
        w.sex = "男" if rng.random() < 0.55 else "女"
        w.name = names.full(w.sex)
        w.ethnicity = rng.choices(("汉族", "回族", "满族"), (96, 2, 2))[0]
    if w.work_status == "退休" and w.sex == "女":
        low, high = 52, 68
    else:
        low, high = AGES[w.work_status]
    w.birth_date = w.applied - timedelta(days=rng.randint(low, high) * 365 + rng.randrange(365))
    w.id_number = ids.make(w.birth_date, w.sex)
    w.phone = phones.make()
    w.bank, w.bank_account = banks.make()
    if w.work_status == "农民工":
        kind = "migrant"
    elif w.work_status in ("退休", "内退", "下岗"):
        kind = rng.choice(("factory", "factory", "public"))
    else:
        kind = rng.choice(("factory", "factory", "public", "migrant"))
    unit = rng.choice([e for e in EMPLOYERS if e[2] == kind])
    w.employer, w.union_branch = unit[0], unit[1]
    years = (rng.randint(2, 9) if w.work_status == "农民工" else rng.randint(5, 30))
    w.joined = w.applied - timedelta(days=years * 365 + rng.randrange(200))
    if w.work_status == "农民工":
        w.joined = min(w.joined, w.applied - timedelta(days=400))
    w.joined = max(w.joined, w.birth_date + timedelta(days=18 * 365))
    if w.work_status == "农民工":
        w.hukou = "农业"
        w.housing = rng.choices(("租房", "自建房", "无房"), (60, 30, 10))[0]
    else:
        w.hukou = rng.choices(("非农业", "农转居", "农业"), (70, 15, 15))[0]
        w.housing = rng.choices(("自购房", "承租单位公房", "政府廉租房", "租房", "自建房"), (45, 15, 10, 15, 15))[0]
    w.address, w.community = address(rng, w.housing == "自建房" or w.hukou == "农业" and rng.random() < 0.5)
    age = age_on(w.birth_date, w.applied)
    w.political = "共青团员" if age < 28 and rng.random() < 0.5 else \
        rng.choices(("群众", "中共党员", "民主党派"), (82, 16, 2))[0]
    w.model_worker = rng.choices(("非劳模", "县级劳模", "市级劳模", "省部级劳模", "全国劳模"),
                                 (920, 40, 25, 10, 5))[0]
    w.marital = "未婚" if age < 30 and rng.random() < 0.4 else \
        rng.choices(("已婚", "离异", "丧偶", "未婚"), (75, 12, 8, 5))[0]
    if w.work_status in ("下岗", "失业") and rng.random() < 0.7:
        w.cause = "下岗失业"
    else:
        causes, weights = zip(*[(c, n) for c, n in CAUSES
                                if c != "无劳动能力" or w.work_status in ("病休", "退休", "内退", "失业")])
        w.cause = rng.choices(causes, weights)[0]
    others = [c for c, _ in CAUSES if c != w.cause]
    w.causes_more = tuple(rng.sample(others, rng.choices((0, 1, 2), (45, 40, 15))[0]))


def _category(rng, w) -> str:
    if w.cause in ("遭受意外事故", "遭受自然灾害") or (w.cause == "患重特大疾病" and rng.random() < 0.3):
        return "意外致困"
    return "深度困难" if rng.random() < 0.42 else "相对困难"


def _dibao(rng, w) -> str:
    if w.category == "深度困难":
        return rng.choices(("低保户", "低保边缘户", "非低保"), (45, 25, 30))[0]
    if w.category == "相对困难":
        return rng.choices(("低保边缘户", "非低保"), (50, 50))[0]
    return "非低保"


def _texts(w, rng, today: date) -> None:
    patient = w.ill_member
    if w.cause == "患重特大疾病":
        who = ({"配偶": "妻子" if w.sex == "男" else "丈夫", "子女": "儿子" if patient["sex"] == "男" else "女儿"}
               .get(patient["relation"], "老人") if patient else "本人")
        illness = illness_word(patient["health"] if patient else w.health)
        w.living = f"{who}患{illness}，长期治疗，医疗费用负担重"
    else:
        w.living = {
            "下岗失业": f"本人{w.work_status}后靠打零工维持生活，收入不稳定",
            "子女上学": "子女上学，教育支出大，家庭收入低",
            "无劳动能力": "本人丧失劳动能力，靠家人照顾",
            "遭受意外事故": "本人在工作中受伤，治疗期间收入减少",
            "遭受自然灾害": f"{w.applied.year - 1}年夏季暴雨致房屋受损，修缮花费较大",
            "有劳动能力而未就业": "配偶长期未就业，家庭仅靠本人收入",
            "未参加社会保险": "本人长期未参加社会保险，医疗支出全部自费",
            "社会保险待遇落实不到位": "养老保险待遇未足额落实，收入偏低",
        }.get(w.cause) or ("单亲家庭，独自抚养子女" if w.marital in ("离异", "丧偶") and w.children
                           else "赡养老人，家庭负担较重")
    w.schooling = schooling_text(w, today)
    measures = ["两节送温暖"]
    if serious(w):
        measures.append("医疗救助")
    if any(s in w.schooling for s in ("读高", "读大学")):
        measures.append("金秋助学")
    if w.category == "深度困难":
        measures.append("生活救助")
    if w.work_status in ("下岗", "失业"):
        measures.append("就业援助")
    measures.append("跟踪回访")
    w.measures = "、".join(measures)
    if w.relapsed:
        w.note = f"曾于{w.applied.year - 1}年脱困，{w.applied.year}年因{w.cause}返困，重新申请建档"
    elif w.closed:
        w.note = f"{w.closed.year}年{w.exit_reason}，已结档，档案保存10年"


def _number(workers: list[Worker]) -> None:
    """Archive numbers in the order files were opened (pending applications last)."""
    width = max(4, len(str(len(workers))))
    order = sorted(workers, key=lambda w: (w.registered or date.max, w.applied, w.index))
    for i, w in enumerate(order, 1):
        w.archive_no = f"SF-{i:0{width}d}"
