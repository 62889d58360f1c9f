"""The payouts as the disclosure plan counts them (`Fact`s, disclosure_control.Plan), worked
out block by block of the payouts table and kept between builds.

A payout's fact depends only on that payout, the worker it names (cause, 低保, the hardship
category of the figures valid on its day: the register and the reviews), its item's labels,
the build date and the program. The payouts table is digested in blocks of
`record_views.BLOCK` rows (`record_views.block_digests`); `FactBlocks` keeps, for the last
build, the facts of each block under that block's digest, with a key of everything else
the facts depend on (`context_key`). A build after one payout amount changed works out the
facts of that one block and takes the others as they were (20,000 workers: 100,000 payouts,
98 blocks): the same facts, in the same order, as going through every payout
(`tests/test_plan_facts.py`).

The kept facts hold archive numbers, categories and amounts per payout: the build keeps
them beside the private records' staging folders (owner-only, keptfile.save).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .. import record_views
from ..records import maker
from .common import public_text

UNKNOWN = "未填写"
VERSION = "plan-facts-1"
# the tables a payout's fact reads besides the payouts
CONTEXT_TABLES = ("workers", "reviews", "items")


@dataclass(frozen=True, slots=True)
class Fact:
    """One paid payout as the public side may count it (no name, no amount per person leaves here)."""
    who: str
    item: str
    group: str
    fund: str
    quarter: int
    amount: Decimal
    category: str
    cause: str
    dibao: str
    key: int = 0  # the payout's row: links a fact to the notice that lists it


def worker_value(records, worker, attr: str, day: date | None = None) -> str:
    """A worker's public value of `attr`; the hardship category as assessed on `day` (a
    payout's application date; the latest figures on file when None)."""
    if worker is None:
        return UNKNOWN
    if attr == "category":
        figures = records.figures_at(worker, day) if day else records.current_figures(worker)
        value = figures.category
    else:
        value = getattr(worker, attr, None)
    return public_text(value) or UNKNOWN


@dataclass
class FactBlocks:
    """The facts of the last build's payouts, block by block: `context` (context_key) and
    block digest -> the block's facts as tuples (year, then Fact's fields in order).
    `changed`: a block was worked out since the load (the build then saves it)."""
    context: str = ""
    blocks: dict = field(default_factory=dict)
    changed: bool = False


def context_key(records, today: date) -> str:
    """Everything a payout's fact depends on besides the payout: the tables it reads, the
    build date and the program (every source file: reading.cache's fingerprint)."""
    from ..reading.cache import _program

    return hashlib.sha256("|".join((VERSION, _program(), today.isoformat(),
                                    record_views.digest(records, CONTEXT_TABLES))).encode()).hexdigest()


class _Facts:
    """Works out facts of payouts, keeping what 100,000 payouts of 20,000 workers share: an
    item's labels, a worker's cause and 低保 (they do not change with the day), and the
    category of the figures valid on a day (one Figures object per review or register row;
    they change only on a review's date, so they are asked for once per worker and number
    of reviews made by the day, not once per payout)."""

    def __init__(self, records, today: date):
        self.records, self.today = records, today
        self.items = records.item_by_name
        self.workers = records.worker_by_no
        self.reviews = records.reviews_by_worker
        self.labels_of: dict = {}
        self.steady: dict = {}  # archive number -> (worker or None, cause, 低保, dates of its reviews)
        self.category_of: dict = {}  # id(Figures) -> category
        self.category_in: dict = {}  # (archive number, reviews made by the day) -> category

    def of(self, payouts) -> list[tuple]:
        """(year, Fact's fields) of each payout that counts: paid by today with an amount,
        neither rejected nor cancelled (records.is_void)."""
        from ..records import is_void

        records, today = self.records, self.today
        labels_of, steady, category_of, category_in = self.labels_of, self.steady, self.category_of, self.category_in
        figures_at = records.figures_at
        out = []
        for p in payouts:
            if is_void(p):
                continue
            paid = p.paid
            if paid is None or paid > today or p.amount is None:
                continue
            labels = labels_of.get(p.item)
            if labels is None:
                item = self.items.get(p.item)
                labels = labels_of[p.item] = (public_text(p.item) or UNKNOWN,
                                              public_text(item.group) if item and item.group else UNKNOWN)
            no = p.archive_no
            kept = steady.get(no)
            if kept is None:
                w = self.workers.get(no)
                kept = steady[no] = (None, UNKNOWN, UNKNOWN, ()) if w is None else (
                    w, worker_value(records, w, "cause"), worker_value(records, w, "dibao"),
                    [r.date for r in self.reviews.get(no, ())])
            if kept[0] is None:
                category = UNKNOWN
            else:
                day = p.applied or paid
                made = (no, bisect_right(kept[3], day)) if kept[3] else no
                category = category_in.get(made)
                if category is None:
                    figures = figures_at(kept[0], day)
                    category = category_of.get(id(figures))
                    if category is None:
                        category = category_of[id(figures)] = public_text(figures.category) or UNKNOWN
                    category_in[made] = category
            out.append((paid.year, no or f"#{p.row}", labels[0], labels[1], p.fund or "",
                        (paid.month - 1) // 3 + 1, p.amount, category, kept[1], kept[2], p.row))
        return out


def facts_by_year(records, today: date, kept: FactBlocks | None = None) -> dict[int, list[Fact]]:
    """year paid -> the facts of that year's payouts that count, in the payouts' order. With
    `kept`, a block of payouts whose digest and context are kept is not gone through again,
    and `kept` is left holding this build's blocks (`changed` when one was worked out)."""
    work = _Facts(records, today)
    rows = _kept_rows(records, today, work, kept) if kept is not None else [work.of(records.payouts)]
    make_fact = maker(Fact)  # 100,000 payouts: a frozen dataclass's __init__ costs
    out: dict[int, list] = defaultdict(list)
    for block in rows:
        for t in block:
            out[t[0]].append(make_fact(*t[1:]))
    return out


def _kept_rows(records, today: date, work: _Facts, kept: FactBlocks) -> list[list]:
    """The facts' tuples of each block, taken from `kept` or worked out. Without the payouts'
    block digests (a table whose digest the read kept from an earlier build comes without
    them) the whole table is one block, under the table's digest."""
    payouts = records.payouts
    whole = record_views.table_digest(records, "payouts")  # worked out once per build (plan_for's key)
    found = record_views.block_digests(records, "payouts")
    if found is not None and len(found[1]) == -(-len(payouts) // found[0]):
        size, digests = found
    else:
        size, digests = max(len(payouts), 1), [b"table" + whole]
    context = context_key(records, today)
    before = kept.blocks if kept.context == context else {}
    blocks: dict = {}
    rows = []
    for i, d in enumerate(digests):
        block = blocks.get(d)
        if block is None:
            block = before.get(d)
        if block is None:
            block = work.of(payouts[i * size:(i + 1) * size])
        blocks[d] = block
        rows.append(block)
    if kept.context != context or blocks.keys() != kept.blocks.keys():
        kept.context, kept.blocks, kept.changed = context, blocks, True
    return rows
