"""Fictional identity numbers, phones, bank accounts and addresses.

Identity numbers use region codes 3799xx, which no real county has (prefecture
99 does not exist in Shandong), so a demo number can never be a real person's;
birth date, sex digit and GB 11643 check digit are valid.
"""

from __future__ import annotations

from datetime import date

from ..idcard import check_digit

REGIONS = ("379901", "379902", "379903", "379904")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "153", "155", "156", "157", "158", "159", "166", "176", "177", "180",
                   "181", "182", "183", "185", "186", "187", "188", "189", "191", "199")
BANKS = (("示范农商银行", "623052"), ("中国农业银行示范镇支行", "622848"),
         ("中国邮政储蓄银行示范镇营业所", "621799"), ("中国工商银行示范县支行", "622202"))

STREETS = (("幸福社区", "幸福路"), ("人民路社区", "人民路"), ("东关社区", "东关街"),
           ("西关社区", "西关街"), ("南湖社区", "南湖路"), ("新华社区", "新华街"),
           ("工业园社区", "工业大道"))
VILLAGES = ("北园村", "李家庄村", "河西村", "前进村", "王家营村")


class Unique:
    """Hands out values that were not handed out before."""

    def __init__(self, rng):
        self.rng = rng
        self.used: set[str] = set()

    def _take(self, make) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value


class IdNumbers(Unique):
    def make(self, birth: date, sex: str) -> str:
        def one() -> str:
            seq = self.rng.randrange(0, 500) * 2 + (1 if sex == "男" else 0)
            first17 = f"{self.rng.choice(REGIONS)}{birth:%Y%m%d}{seq:03d}"
            return first17 + check_digit(first17)
        return self._take(one)


class Phones(Unique):
    def make(self) -> str:
        return self._take(lambda: self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}")


class BankAccounts(Unique):
    def make(self) -> tuple[str, str]:
        bank, prefix = self.rng.choice(BANKS)
        return bank, self._take(lambda: prefix + f"{self.rng.randrange(10**13):013d}")


def address(rng, rural: bool) -> tuple[str, str]:
    """(家庭住址, 所在村居)."""
    if rural:
        village = rng.choice(VILLAGES)
        return f"示范镇{village}{rng.randint(1, 8)}组{rng.randint(1, 60)}号", village
    community, street = rng.choice(STREETS)
    number = rng.randint(1, 160)
    if rng.random() < 0.25:
        return f"示范镇{street} {number} 号", community
    return (f"示范镇{street} {number} 号 {rng.randint(1, 6)} 单元 "
            f"{rng.randint(1, 6)}0{rng.randint(1, 4)}"), community
