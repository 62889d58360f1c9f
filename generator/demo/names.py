"""Fictional Chinese names, drawn deterministically from a seeded random.Random.

The demo needs names that exercise masking and pinyin filing: compound surnames
(欧阳, 司马, 上官), a minority name with "·", and surnames read differently
from the same character elsewhere (单 shàn, 曾 zēng, 解 xiè, ...). `SPECIAL`
lists them; every demo of 16 or more workers contains all of them.
"""

from __future__ import annotations

# (surname, relative weight): the common ones, roughly by frequency
SURNAMES = (
    ("王", 30), ("李", 29), ("张", 27), ("刘", 20), ("陈", 17), ("杨", 12), ("黄", 9), ("赵", 9),
    ("吴", 8), ("周", 8), ("徐", 6), ("孙", 6), ("马", 5), ("朱", 5), ("胡", 5), ("郭", 5),
    ("何", 4), ("高", 4), ("林", 4), ("罗", 4), ("郑", 4), ("梁", 3), ("谢", 3), ("宋", 3),
    ("唐", 3), ("许", 3), ("韩", 3), ("冯", 3), ("邓", 3), ("曹", 3), ("彭", 2), ("曾", 2),
    ("肖", 2), ("田", 2), ("董", 2), ("袁", 2), ("潘", 2), ("于", 2), ("蒋", 2), ("蔡", 2),
    ("余", 2), ("杜", 2), ("叶", 2), ("程", 2), ("苏", 2), ("魏", 2), ("吕", 2), ("丁", 2),
    ("任", 2), ("沈", 2), ("姚", 1), ("卢", 1), ("姜", 1), ("崔", 1), ("钟", 1), ("谭", 1),
    ("陆", 1), ("汪", 1), ("范", 1), ("金", 1), ("石", 1), ("廖", 1), ("贾", 1), ("夏", 1),
    ("韦", 1), ("付", 1), ("方", 1), ("白", 1), ("邹", 1), ("孟", 1), ("熊", 1), ("秦", 1),
    ("邱", 1), ("江", 1), ("尹", 1), ("薛", 1), ("闫", 1), ("段", 1), ("雷", 1), ("侯", 1),
    ("龙", 1), ("史", 1), ("陶", 1), ("黎", 1), ("贺", 1), ("顾", 1), ("毛", 1), ("郝", 1),
    ("龚", 1), ("邵", 1), ("万", 1), ("钱", 1), ("严", 1), ("覃", 1), ("武", 1), ("戴", 1),
    ("单", 1), ("解", 1), ("翟", 1), ("乐", 1), ("缪", 1), ("查", 1), ("仇", 1), ("盖", 1),
)

MALE_GIVEN = (
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "斌",
    "建国", "建华", "建军", "志强", "志明", "志刚", "国庆", "国华", "海峰", "海涛", "晓东", "文博",
    "德胜", "永刚", "永强", "春生", "立新", "立军", "卫东", "红军", "长青", "宝山", "金龙", "玉林",
    "振华", "庆丰", "广利", "明远", "光辉", "学军", "保国", "新民", "传福", "树林", "德明", "洪涛",
)
FEMALE_GIVEN = (
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "慧", "婷", "玲", "萍", "莉", "燕", "红", "梅",
    "秀英", "桂英", "玉兰", "秀兰", "丽华", "红梅", "春燕", "晓燕", "海燕", "雪梅", "美玲", "淑珍",
    "桂芳", "凤英", "丽娟", "文静", "晓丽", "翠兰", "金凤", "玉梅", "春梅", "秀云", "月娥", "爱华",
    "素芬", "淑华", "彩霞", "美华", "丽萍", "晓红", "雪芳", "巧云", "冬梅", "小琴", "海英", "玉珍",
)
# given names that sound like a child's (born after 2000)
YOUNG_MALE = ("浩然", "子轩", "俊杰", "宇航", "梓豪", "一鸣", "博文", "天佑", "思远", "嘉豪",
              "睿", "昊", "轩", "晨", "阳")
YOUNG_FEMALE = ("欣怡", "梓涵", "雨桐", "思琪", "佳怡", "梦瑶", "诗涵", "可馨", "子涵", "一诺",
                "若曦", "语嫣", "悦", "彤", "萱")

# (name, sex, ethnicity): placed on demo workers so that the masking and the
# pinyin ordering of surnames can be seen and tested on the committed records
SPECIAL = (
    ("欧阳晓峰", "男", "汉族"),
    ("司马红梅", "女", "汉族"),
    ("上官文静", "女", "汉族"),
    ("阿依古丽·买买提", "女", "维吾尔族"),
    ("单立新", "男", "汉族"),
    ("曾国华", "男", "汉族"),
    ("解春梅", "女", "汉族"),
    ("查文斌", "男", "汉族"),
    ("仇建军", "男", "汉族"),
    ("区美玲", "女", "汉族"),
    ("朴成哲", "男", "朝鲜族"),
    ("盖玉兰", "女", "汉族"),
    ("覃海燕", "女", "壮族"),
    ("乐志刚", "男", "汉族"),
    ("缪秀英", "女", "汉族"),
    ("翟永强", "男", "汉族"),
)
COMPOUND = ("欧阳", "司马", "上官")
HETERONYMS = ("单", "曾", "解", "查", "仇", "区", "朴", "盖", "覃", "乐", "缪", "翟")
MINORITY = "阿依古丽·买买提"

# family of the minority worker: names follow the Uyghur pattern (own name·father's name)
MINORITY_SPOUSE = "艾力·吐尔逊"
MINORITY_CHILD = {"男": "艾克拜尔·艾力", "女": "迪丽努尔·艾力"}


class NameDrawer:
    """Draws names; avoids repeating a full name while the pool allows it."""

    def __init__(self, rng, reserved=()):
        self.rng = rng
        self.used: set[str] = {name for name, _, _ in SPECIAL} | set(reserved)
        self._surnames = [s for s, _ in SURNAMES]
        self._weights = [w for _, w in SURNAMES]

    def surname(self) -> str:
        return self.rng.choices(self._surnames, self._weights)[0]

    def given(self, sex: str, young: bool = False) -> str:
        pool: tuple[str, ...]
        if young:
            pool = YOUNG_MALE if sex == "男" else YOUNG_FEMALE
        else:
            pool = MALE_GIVEN if sex == "男" else FEMALE_GIVEN
        return self.rng.choice(pool)

    def full(self, sex: str, surname: str | None = None, young: bool = False) -> str:
        name = ""
        for _ in range(6):
            name = (surname or self.surname()) + self.given(sex, young)
            if name not in self.used:
                break
        self.used.add(name)
        return name


def surname_of(name: str) -> str:
    if "·" in name:
        return ""
    return name[:2] if name[:2] in COMPOUND else name[:1]
