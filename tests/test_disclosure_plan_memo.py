"""The disclosure decision (site/disclosure_control.Plan) is made again only when a table it
reads changed (`plan_for`): `bangfu serve` keeps the last one while the clerk edits the
station's name or a fund's income. The kept decision must be the one a fresh Plan makes."""

from __future__ import annotations

import dataclasses
from datetime import date
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
