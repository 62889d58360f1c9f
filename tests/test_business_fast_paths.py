"""The amount rule's fast paths (checks/business.py: an amount the standard fixes, within an
按实际 cap, zero for a 非现金 item, or the share of its base under 比例封顶, worked out once per
base) leave out only payouts in which _amount finds nothing: the same problems as sending
every payout through _amount."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from schema_places import schema_places

from generator.checks import Context, business
from generator.records import Item, Payout, Place, Records

D = Decimal
ITEMS = [
    Item(name="生活救助", standard="固定金额", fixed=D(500), row=2),
    Item(name="大病救助", standard="比例封顶", threshold=D(1000), rate=D("0.5"), cap=D(3000), row=3),
    Item(name="大病救助（无封顶）", standard="比例封顶", threshold=None, rate=D("0.35"), row=4),
    Item(name="大病救助（无比例）", standard="比例封顶", threshold=D(100), row=5),
    Item(name="临时救助", standard="按实际", cap=D(800), row=6),
    Item(name="法律援助", standard="非现金", row=7),
    Item(name="其他", standard=None, row=8),
]


def _places() -> dict[str, Place]:
    return schema_places()


def _station(rng: random.Random) -> Records:
    amounts = [None, D(0), D("0.01"), D(250), D(500), D("500.00"), D(800), D("800.01"), D(1500), D(3000),
               D(3500), D("1049.99")]
    bases = [None, D(0), D(500), D(1000), D("1000.00"), D(2100), D("2099.99"), D(4000), D(7000), D(9000)]
    payouts = [Payout(record_no=f"FF-{k}", archive_no="", item=rng.choice(ITEMS).name, amount=rng.choice(amounts),
                      base_amount=rng.choice(bases), applied=date(2026, 1, 5), row=2 + k) for k in range(400)]
    return Records(folder=None, items=list(ITEMS), payouts=payouts, places=_places())  # type: ignore[arg-type]


class _EveryAmount(business._Plan):
    """A plan without the amount's fast paths: every payout goes through _amount."""
    __slots__ = ()

    def __init__(self, item):
        super().__init__(item)
        self.fixed, self.capped, self.in_kind, self.shares = business._NO_AMOUNT, False, False, None


def test_the_amount_fast_paths_leave_out_only_payouts_without_problems(monkeypatch):
    rng = random.Random(17)
    ctx = Context(date(2026, 11, 23))
    seen: set = set()
    for _ in range(5):
        records = _station(rng)
        got = [(p.code, p.cell, p.message) for p in business.check(records, ctx)]
        with monkeypatch.context() as m:
            m.setattr(business, "_Plan", _EveryAmount)
            want = [(p.code, p.cell, p.message) for p in business.check(records, ctx)]
        assert got == want
        seen.update(code for code, _, _ in want)
    # the rule's problems were all met
    assert {"amount-over-standard", "amount-under-standard", "amount-not-cash", "money-zero",
            "amount-base-missing"} <= seen
