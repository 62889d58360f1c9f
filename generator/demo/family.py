"""A worker's household: family members, health, schooling and income.

Income is drawn backwards from the category: a target per-capita figure below
the category's limit for the application year, then 家庭年收入 and 刚性支出 that
give it, checked with the same `per_capita()` the checker uses.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from ..records import per_capita
from .names import MINORITY, MINORITY_CHILD, MINORITY_SPOUSE

SERIOUS = ("恶性肿瘤", "心血管病", "脑血管病", "终末期肾病", "血液病", "肝病", "其他重大疾病", "精神病")
ILLNESS_WORDS = {"恶性肿瘤": "恶性肿瘤", "心血管病": "心脏病", "脑血管病": "脑梗", "终末期肾病": "尿毒症",
                 "血液病": "白血病", "肝病": "肝硬化", "其他重大疾病": "重大疾病", "精神病": "精神疾病"}
GRADES = ("一级", "二级", "三级", "四级")
PRIMARY_SCHOOL = "示范镇中心小学"
MIDDLE_SCHOOL = "示范镇初级中学"
HIGH_SCHOOLS = ("示范县第一中学", "示范县第二中学", "示范县职业中专")
COLLEGES = ("示范市职业技术学院", "省城理工大学", "示范师范学院", "滨海医科大学")
GRADE_WORDS = "一二三四"
OLDEST = date(1950, 1, 1)  # the reader refuses earlier dates as typing errors


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def school_stage(birth: date, year: int) -> str:
    """Stage in the school year starting in September of `year`."""
    age = age_on(birth, date(year, 9, 1))
    if age < 6:
        return "学龄前"
    if age <= 11:
        return "小学"
    if age <= 14:
        return "初中"
    if age <= 17:
        return "高中"
    if age <= 21:
        return "大学"
    return "成年"


def years_in_stage(birth: date, year: int) -> int:
    """1 for the first year of 高中 or 大学 (the admission year), 2, 3, ..."""
    age = age_on(birth, date(year, 9, 1))
    return age - 14 if age <= 17 else age - 17


def _birth(rng, today: date, age: int) -> date:
    return today - timedelta(days=age * 365 + rng.randrange(0, 365))


def make_members(w, rng, names, ids, today: date) -> None:
    """Spouse, children and perhaps a parent living in the household."""
    members = []
    father_surname = w.surname
    if w.marital == "已婚":
        sex = "女" if w.sex == "男" else "男"
        birth = w.birth_date + timedelta(days=rng.randint(-4 * 365, 4 * 365))
        if w.name == MINORITY:
            name = MINORITY_SPOUSE
        else:
            name = names.full(sex)
        if sex == "男":
            father_surname = name[:2] if name[:2] in ("欧阳", "司马", "上官") else name[:1]
        members.append(_member(rng, ids, name, "配偶", sex, birth, today))
    if w.marital != "未婚" and age_on(w.birth_date, today) >= 24:
        count = rng.choices((0, 1, 2), (15, 55, 30))[0]
        if w.cause == "子女上学":
            count = max(count, 1)
        for i in range(count):
            sex = rng.choice("男女")
            if w.cause == "子女上学" and i == 0:
                child_age = rng.randint(15, 20)  # in high school or university now
            else:
                child_age = age_on(w.birth_date, today) - rng.randint(22, 36)
            born_before = age_on(w.applied, today) + 1  # already born when the worker applied
            child_age = max(born_before, min(child_age, age_on(w.birth_date, today) - 20))
            birth = _birth(rng, today, child_age)
            if w.name == MINORITY:
                name = MINORITY_CHILD[sex] if i == 0 else ("阿迪力·艾力" if sex == "男" else "古丽娜·艾力")
            else:
                name = names.full(sex, father_surname if "·" not in father_surname else None,
                                  young=birth.year >= 2000)
                while name == w.name or any(m["name"] == name for m in members):  # 受助对象 names a child
                    name = names.full(sex, father_surname if "·" not in father_surname else None,
                                      young=birth.year >= 2000)
            members.append(_member(rng, ids, name, "子女", sex, birth, today))
    if rng.random() < 0.15 and age_on(w.birth_date, today) < 62 and "·" not in w.name:
        sex = rng.choice("男女")
        birth = w.birth_date - timedelta(days=rng.randint(24, 32) * 365)
        relation = "父母" if rng.random() < 0.7 else ("公婆" if w.sex == "女" else "岳父母")
        own = relation == "父母" and sex == "男" and "·" not in w.name
        in_law = relation == "公婆" and sex == "男" and "·" not in father_surname
        surname = w.surname if own else (father_surname if in_law else None)
        members.append(_member(rng, ids, names.full(sex, surname), relation, sex, birth, today))
    w.members = members


def _member(rng, ids, name, relation, sex, birth, today) -> dict:
    if birth < OLDEST:
        birth = OLDEST + timedelta(days=rng.randrange(300))
    age = age_on(birth, today)
    stage = school_stage(birth, today.year if today.month >= 9 else today.year - 1)
    if relation == "子女":
        if stage in ("小学", "初中", "高中", "大学"):
            role = "学生"
            school = {"小学": PRIMARY_SCHOOL, "初中": MIDDLE_SCHOOL}.get(stage) or \
                rng.choice(HIGH_SCHOOLS if stage == "高中" else COLLEGES)
        elif stage == "学龄前":
            role, school = "学龄前", None
        else:
            role = rng.choice(("在职", "在职", "无业"))
            school = "示范镇个体商户" if role == "在职" else None
    elif relation == "配偶":
        role = rng.choices(("在职", "无业", "务农", "退休"), (45, 30, 15, 10 if age >= 55 else 0))[0]
        school = rng.choice(("示范镇商贸城", "示范镇家政服务中心", "示范镇食品加工厂")) if role == "在职" else None
    else:
        role = rng.choice(("退休", "务农", "无业"))
        school = None
    health = "良好" if age < 50 else rng.choices(("良好", "一般疾病", "心血管病", "糖尿病"), (50, 30, 10, 10))[0]
    return {"name": name, "relation": relation, "sex": sex, "birth_date": birth,
            "id_number": ids.make(birth, sex), "health": health, "income": Decimal(0),
            "role": role, "school_or_employer": school}


def set_health(w, rng) -> None:
    """Worker health and disability from the primary cause; a member may be the ill one."""
    w.disability, w.disability_grade = "无", None
    w.ill_member = None
    if w.cause == "患重特大疾病":
        if w.members and rng.random() < 0.4:
            patient = rng.choice(w.members)
            patient["health"] = rng.choice(SERIOUS)
            w.ill_member = patient
            w.health = rng.choice(("良好", "一般疾病"))
        else:
            w.health = rng.choice(SERIOUS)
    elif w.cause == "无劳动能力":
        if rng.random() < 0.7:
            w.health, w.disability = "残疾", rng.choice(("肢体", "肢体", "视力", "听力", "智力", "多重"))
            w.disability_grade = rng.choice(GRADES[:2])
        else:
            w.health = rng.choice(("精神病", "脑血管病"))
    elif w.cause == "遭受意外事故":
        if rng.random() < 0.3:
            w.health, w.disability, w.disability_grade = "残疾", "肢体", rng.choice(GRADES[2:])
        else:
            w.health = "一般疾病"
    else:
        w.health = rng.choices(("良好", "一般疾病", "糖尿病", "残疾"), (70, 18, 8, 4))[0]
        if w.health == "残疾":
            w.disability, w.disability_grade = rng.choice(("肢体", "听力", "视力")), rng.choice(GRADES[2:])


def serious(w) -> bool:
    return w.health in SERIOUS or any(m["health"] in SERIOUS for m in w.members)


def set_income(w, rng, line: Decimal, multiple: Decimal | None) -> None:
    """家庭年收入, 刚性支出 and 家庭月人均收入 for the category's limit (strictly below it)."""
    size = 1 + len(w.members)
    w.household_size = size
    rigid = 0
    if serious(w):
        rigid += rng.randint(150, 600) * 100
    if w.disability != "无":
        rigid += rng.randint(20, 50) * 100
    for child in w.children:
        stage = school_stage(child["birth_date"], w.applied.year)
        rigid += {"高中": rng.randint(30, 60) * 100, "大学": rng.randint(80, 150) * 100}.get(stage, 0)
    if rigid == 0 and rng.random() < 0.5:
        rigid = rng.randint(5, 30) * 100
    if multiple is None:  # 意外致困: hardship from a sudden event, income may be ordinary
        target = line * Decimal(rng.uniform(0.9, 2.2))
        if not serious(w):
            rigid += rng.randint(150, 400) * 100
    elif multiple == 1:
        target = line * Decimal(rng.uniform(0.5, 0.93))
    else:
        target = line * Decimal(rng.uniform(1.08, 1.85))
    income = int(target * 12 * size) + rigid
    income -= income % 10
    limit = None if multiple is None else line * multiple
    w.household_income = Decimal(income)
    w.rigid_spending = Decimal(rigid) if rigid else None
    while limit is not None and _pc(w) >= limit:
        w.household_income -= 10
    w.per_capita = _pc(w)
    _share_income(w, rng)


def _pc(w) -> Decimal:
    return per_capita(SimpleNamespace(household_income=w.household_income,
                                      rigid_spending=w.rigid_spending, household_size=w.household_size))


def _share_income(w, rng) -> None:
    """Members' monthly incomes: a part of the household's, never more than all of it."""
    monthly = w.household_income / 12
    left = monthly * Decimal("0.8")
    for m in w.members:
        if m["role"] in ("在职", "退休", "务农") and left > 0:
            share = (left * Decimal(rng.uniform(0.2, 0.6))).quantize(Decimal("1"))
            share -= share % 10
            m["income"] = max(Decimal(0), share)
            left -= m["income"]


def schooling_text(w, today: date) -> str:
    year = today.year if today.month >= 9 else today.year - 1
    parts = []
    for child in w.children:
        stage = school_stage(child["birth_date"], year)
        word = "儿子" if child["sex"] == "男" else "女儿"
        if stage in ("高中", "大学"):
            grade = GRADE_WORDS[min(years_in_stage(child["birth_date"], year), 4) - 1]
            school = "读高" + grade if stage == "高中" else f"读大学{grade}年级"
            parts.append(f"{word}{school}")
        elif stage in ("小学", "初中"):
            parts.append(f"{word}读{stage}")
        elif stage == "学龄前":
            parts.append(f"{word}未入学")
    return "，".join(parts) if parts else "无在学子女"


def illness_word(health: str) -> str:
    return ILLNESS_WORDS.get(health, "疾病")
