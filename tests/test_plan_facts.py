"""The disclosure plan's payout facts kept block by block (site/plan_facts.py): after an edit
in the first, a middle or the last block of payouts, payouts added or deleted, or a worker
changed, the facts taken from the kept blocks are those worked out from every payout, in the
same order, and only the blocks that changed are gone through again. The whole decision
made from them is the one a fresh Plan makes."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from test_disclosure_plan_memo import _decision

from generator import keptfile, record_views
from generator.reading import read_records
from generator.site import plan_facts
from generator.site.disclosure_control import Plan
from generator.site.plan_facts import FactBlocks, facts_by_year
from generator.site.public import public_view

DEMO = Path(__file__).resolve().parent.parent / "records"
TODAY = date(2026, 11, 23)
BLOCK = record_views.BLOCK


@pytest.fixture(scope="module")
def demo():
    return read_records(DEMO).records


@pytest.fixture(scope="module")
def large(demo):
    """The demo's payouts nine times over (new rows): 5,400 payouts, six blocks, the last
    one partly filled."""
    payouts = [dataclasses.replace(p, row=p.row + k * 1000) for k in range(9) for p in demo.payouts]
    assert -(-len(payouts) // BLOCK) == 6 and len(payouts) % BLOCK
    return dataclasses.replace(demo, payouts=payouts)


def _scratch(records) -> dict:
    return facts_by_year(records, TODAY)


def _counted(monkeypatch) -> list:
    """The number of payouts each call of _Facts.of went through."""
    calls: list = []
    original = plan_facts._Facts.of

    def of(self, payouts):
        calls.append(len(payouts))
        return original(self, payouts)
    monkeypatch.setattr(plan_facts._Facts, "of", of)
    return calls


def _kept(records, kept: FactBlocks) -> dict:
    view = public_view(records)
    record_views.digest(view, ("payouts",))  # as the build's fingerprint of the public view does
    return facts_by_year(view, TODAY, kept)


def _with(records, payouts):
    return dataclasses.replace(records, payouts=payouts)


def _amount(p, by: int):
    return dataclasses.replace(p, amount=(p.amount or Decimal(0)) + by)


def test_a_fresh_keep_is_the_whole_computation(large, monkeypatch):
    calls = _counted(monkeypatch)
    kept = FactBlocks()
    got = _kept(large, kept)
    assert kept.changed and len(kept.blocks) == 6
    assert sum(calls) == len(large.payouts) and len(calls) == 6
    want = _scratch(large)
    calls.clear()
    assert got == want and sum(len(v) for v in want.values()) > 4000
    assert [f.key for f in got[2025]] == [f.key for f in want[2025]]  # the payouts' order

    again = FactBlocks(kept.context, dict(kept.blocks))
    assert _kept(large, again) == want and not again.changed and calls == []  # nothing gone through


@pytest.mark.parametrize("where", [0, 2 * BLOCK + 17, -1])  # first, a middle and the last block
def test_one_payout_edited(large, monkeypatch, where):
    kept = FactBlocks()
    _kept(large, kept)
    payouts = list(large.payouts)
    target = where % len(payouts)
    start = target // BLOCK * BLOCK
    at = min((i for i in range(start, min(start + BLOCK, len(payouts)))  # a payout that counts, in that block
              if payouts[i].amount and payouts[i].paid and payouts[i].paid <= TODAY and payouts[i].state is None),
             key=lambda i: abs(i - target))
    for edit in (lambda p: _amount(p, 7), lambda p: dataclasses.replace(p, paid=date(2024, 1, 5)),
                 lambda p: dataclasses.replace(p, item=large.items[-1].name),
                 lambda p: dataclasses.replace(p, state="已撤销"),
                 lambda p: dataclasses.replace(p, paid=TODAY + timedelta(days=1))):
        changed = list(payouts)
        changed[at] = edit(payouts[at])
        records = _with(large, changed)
        calls = _counted(monkeypatch)
        got = _kept(records, kept)
        assert calls == [len(payouts[start:start + BLOCK])]  # its block only
        assert got == _scratch(records) and kept.changed
        monkeypatch.undo()
        kept.changed = False


def test_payouts_added_and_deleted(large, monkeypatch):
    base = FactBlocks()
    _kept(large, base)
    payouts = list(large.payouts)
    cases = {
        "appended": payouts + [dataclasses.replace(payouts[5], row=99_999)],
        "last deleted": payouts[:-1],
        "one deleted in the middle": payouts[:3000] + payouts[3001:],
        "inserted first": [dataclasses.replace(payouts[9], row=1)] + payouts,
        "a block's worth deleted": payouts[:BLOCK] + payouts[2 * BLOCK:],
        "none": [],
    }
    for name, changed in cases.items():
        kept = FactBlocks(base.context, dict(base.blocks))
        records = _with(large, changed)
        calls = _counted(monkeypatch)
        got = _kept(records, kept)
        if name in ("appended", "last deleted"):
            assert calls == [len(changed) % BLOCK], name  # the last block only
        if name == "a block's worth deleted":
            assert calls == [], name  # every block the same rows as one kept
        monkeypatch.undo()
        assert got == _scratch(records), name
    assert _kept(large, kept) == _scratch(large)


def test_a_worker_review_or_item_changed_goes_through_every_block(large, monkeypatch):
    kept = FactBlocks()
    _kept(large, kept)
    workers = list(large.workers)
    paid_to = {p.archive_no for p in large.payouts}
    at = next(i for i, w in enumerate(workers) if w.archive_no in paid_to)
    workers[at] = dataclasses.replace(workers[at], cause="因病", dibao="低保户", category="深度困难")
    reviews = list(large.reviews)
    reviews[0] = dataclasses.replace(reviews[0], category="相对困难")
    items = list(large.items)
    items[0] = dataclasses.replace(items[0], group="新的类别")
    for records in (dataclasses.replace(large, workers=workers), dataclasses.replace(large, reviews=reviews),
                    dataclasses.replace(large, items=items)):
        calls = _counted(monkeypatch)
        got = _kept(records, kept)
        assert sum(calls) == len(large.payouts)
        monkeypatch.undo()
        assert got == _scratch(records)
    calls = _counted(monkeypatch)
    got = _kept(large, kept)
    assert sum(calls) == len(large.payouts)
    calls.clear()
    later = facts_by_year(public_view(large), TODAY + timedelta(days=1), kept)
    assert sum(calls) == len(large.payouts)  # another day: every block again
    monkeypatch.undo()
    assert got == _scratch(large) and later == facts_by_year(large, TODAY + timedelta(days=1))


def test_the_decision_from_kept_facts_is_a_fresh_one(large, tmp_path):
    """Through the file the build keeps (keptfile), after one amount edited."""
    kept = FactBlocks()
    Plan(public_view(large), TODAY, kept=kept)
    path = tmp_path / "plan-facts.pickle"
    keptfile.save(path, kept)
    payouts = list(large.payouts)
    at = next(i for i in range(len(payouts) - 1, 0, -1) if payouts[i].amount and payouts[i].state is None)
    payouts[at] = _amount(payouts[at], 1000)
    records = _with(large, payouts)
    loaded = keptfile.load_value(path, FactBlocks)
    assert loaded is not None and loaded.blocks == kept.blocks
    view = public_view(records)
    record_views.digest(view, ("payouts",))
    assert _decision(Plan(view, TODAY, kept=loaded)) == _decision(Plan(records, TODAY))
    assert loaded.changed


def test_without_block_digests_the_table_is_one_block(demo, monkeypatch):
    monkeypatch.setattr(record_views, "block_digests", lambda records, name: None)
    kept = FactBlocks()
    assert _kept(demo, kept) == _scratch(demo) and len(kept.blocks) == 1
    calls = _counted(monkeypatch)
    assert _kept(demo, kept) == _scratch(demo) and calls == [len(demo.payouts)]  # the scratch one only
