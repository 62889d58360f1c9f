"""The disclosure decision (site/disclosure_control.Plan) is made again only when a table it
reads changed (`plan_for`): `bangfu serve` keeps the last one while the clerk edits the
station's name or a fund's income. The kept decision must be the one a fresh Plan makes."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from generator import record_views
from generator.reading import read_records
from generator.site import disclosure_control
from generator.site.disclosure_control import PLAN_TABLES, Plan, plan_for
from generator.site.public import public_view

DEMO = Path(__file__).resolve().parent.parent / "records"
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def records():
    return read_records(DEMO).records


def _decision(plan: Plan) -> dict:
    """Everything the pages read of a Plan, as plain values."""
    years = {}
    for y, yp in sorted(plan.years.items()):
        years[y] = (yp.spans, sorted(yp.fund_spans.items()), sorted(yp.row_of.items()),
                    sorted(yp.bucket_of.items()), sorted((k, sorted(v.items())) for k, v in yp.dims.items()),
                    sorted((repr(k), c.count, c.times, c.amount, c.hidden) for k, c in yp.grid.cells.items()),
                    yp.small, yp.people)
    return {"years": years, "summaries": [sorted(s) for s in plan.summaries],
            "small": sorted(plan.small_fund_years), "min_cell": plan.min_cell}


def test_a_plan_reads_only_its_tables(records):
    """Made from a view of PLAN_TABLES (reading any other table raises), the decision is the
    one made from all the records: the memo's key covers everything a Plan reads."""
    only = record_views.view(records, PLAN_TABLES, "PlanRecords")
    assert _decision(Plan(only, TODAY)) == _decision(Plan(records, TODAY))
    assert _decision(Plan(records, TODAY))["years"]  # the demo has payouts to decide on


def test_the_last_plan_is_kept_while_its_tables_are_unchanged(records):
    disclosure_control._LAST.clear()
    first = plan_for(public_view(records), TODAY)
    assert plan_for(public_view(records), TODAY) is first

    renamed = dataclasses.replace(records, settings=dataclasses.replace(records.settings, station_name="新名称帮扶站"))
    assert plan_for(public_view(renamed), TODAY) is first  # the name is not in the decision

    paid = list(records.payouts)
    at = next(i for i, p in enumerate(paid) if p.amount and p.paid and p.paid <= TODAY and p.batch)
    paid[at] = dataclasses.replace(paid[at], amount=paid[at].amount + Decimal(1))
    changed = dataclasses.replace(records, payouts=paid)
    again = plan_for(public_view(changed), TODAY)
    assert again is not first
    assert _decision(again) == _decision(Plan(changed, TODAY))
    assert _decision(again) != _decision(first)  # the amount is in a published sum

    smaller = dataclasses.replace(changed, settings=dataclasses.replace(changed.settings, min_cell=5))
    assert plan_for(public_view(smaller), TODAY) is not again
    assert plan_for(public_view(smaller), TODAY).min_cell == 5
    assert plan_for(public_view(smaller), date(2026, 12, 1)).today == date(2026, 12, 1)
    disclosure_control._LAST.clear()


def test_fund_views_are_kept_with_their_plan_and_tables(records):
    """site/funds.funds_for: the fund views and charts are built again unless the Plan is the
    very same and the tables they are built from (FUNDS_TABLES, from a view of exactly these)
    are unchanged; kept or not, they are what build_funds makes."""
    from generator.site import funds
    from generator.site.common import Docs

    def shown(view) -> str:  # the views as values (the ledger object by its movements)
        import re

        return re.sub(r" at 0x[0-9a-f]+", "", repr(view)) + repr(view.ledger.movements)

    def made(recs, plan):
        docs = Docs()
        view = funds.build_funds(recs, TODAY, docs, plan)
        return view, docs

    only = record_views.view(records, funds.FUNDS_TABLES, "FundsRecords")
    plan = Plan(records, TODAY)
    view, docs = made(only, plan)
    assert docs.counts == {"charts": len(docs.files)} and docs.files  # build_funds adds charts only
    assert shown(view) == shown(made(records, plan)[0])

    funds._LAST.clear()
    first_docs, again_docs = Docs(), Docs()
    first = funds.funds_for(public_view(records), TODAY, first_docs, plan)
    renamed = dataclasses.replace(records, settings=dataclasses.replace(records.settings, station_name="新名称帮扶站"))
    assert funds.funds_for(public_view(renamed), TODAY, again_docs, plan) is first
    assert again_docs.files == first_docs.files == docs.files and again_docs.counts == docs.counts
    assert funds.funds_for(public_view(records), TODAY, Docs(), Plan(records, TODAY)) is not first  # another Plan

    incomes = list(records.incomes)
    incomes[0] = dataclasses.replace(incomes[0], amount=incomes[0].amount + Decimal(100))
    more = dataclasses.replace(records, incomes=incomes)
    plan2 = Plan(more, TODAY)
    kept = funds.funds_for(public_view(more), TODAY, Docs(), plan2)
    assert funds.funds_for(public_view(more), TODAY, Docs(), plan2) is kept
    assert shown(kept) == shown(made(more, plan2)[0]) != shown(first)
    funds._LAST.clear()


def test_the_plans_shortcuts_decide_as_payout_by_payout(records):
    """A Plan asks for a worker's figures once per number of reviews made by the payout's day
    and counts alike facts into the grid together: every fact's category is that of
    records.figures_at on its day, and every cell holds what adding the facts one by one gives.
    One worker gets reviews before, between and after their payouts (two on one day)."""
    from generator.record_types import Review
    from generator.site.common import public_text
    from generator.site.disclosure_control import UNKNOWN, Cell, cell_keys

    paid = sorted((p for p in records.live_payouts if p.paid and p.paid <= TODAY and p.amount is not None),
                  key=lambda p: p.applied or p.paid)
    no = max({p.archive_no for p in paid}, key=lambda n: sum(1 for p in paid if p.archive_no == n))
    days = sorted({p.applied or p.paid for p in paid if p.archive_no == no})
    assert len(days) >= 2  # a worker paid on more than one day
    row = max(r.row for r in records.reviews) + 1 if records.reviews else 2
    extra = [Review(no, days[0], category="特困", row=row), Review(no, days[-1], category="深度困难", row=row + 1),
             Review(no, days[-1], category="相对困难", row=row + 2),
             Review(no, days[0] - timedelta(days=400), category="意外致困", row=row + 3)]
    reviewed = dataclasses.replace(records, reviews=[*records.reviews, *extra])
    plan = Plan(reviewed, TODAY)
    by_row = {p.row: p for p in reviewed.live_payouts}
    categories = set()
    for yp in plan.years.values():
        for f in yp.facts:
            p = by_row[f.key]
            w = reviewed.worker_by_no.get(p.archive_no)
            expected = public_text(reviewed.figures_at(w, p.applied or p.paid).category) or UNKNOWN if w else UNKNOWN
            assert f.category == expected
            if p.archive_no == no:
                categories.add(f.category)
        one_by_one: dict = {}
        for f in yp.facts:
            for key in cell_keys(yp, f):
                one_by_one.setdefault(key, Cell()).add(f.who, f.amount)
        assert {k: (c.count, c.times, c.amount) for k, c in one_by_one.items()} == \
               {k: (c.count, c.times, c.amount) for k, c in yp.grid.cells.items() if k in one_by_one}
        assert all(not c.times for k, c in yp.grid.cells.items() if k not in one_by_one)  # only published sums
    assert {"深度困难", "相对困难"} & categories and len(categories) >= 2  # the reviews took effect
