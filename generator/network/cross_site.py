"""Figures the county site must not publish because the stations' own sites would give a
hidden one back by subtraction.

A station's site hides or merges a small group (disclosure_control.Plan). The county site
publishes the network's cells, each a sum over the stations. When every station but one
publishes exactly its own part of a network cell, the network cell minus those parts is the
last station's part: a figure its own site kept back. So is the part of several stations
whose parts are unpublished, when together they count fewer than `min_cell` people.

    plan = protected_plan(records, today, station_plans)   # the network's plan, protected
    given_back(plan, station_plans)                         # {} (else the build fails)

A station's part counts as published when something its own site publishes covers exactly
the same payouts: a visible cell of its statistics (category × period, item, category/cause/
低保 tables, totals), a fund's 帮扶发放 for a period or the year, a notice summary's amount.
Sums of several such figures are not modelled (the station's own plan already keeps its sums
from giving a hidden cell back; a network cell equal to a sum of them is rare).
"""

from __future__ import annotations

from collections import defaultdict

from ..site.disclosure_control import Plan, cell_keys, signature
from .combined import SEP

MAX_ROUNDS = 5


def station_of(who: str) -> str:
    """The station key of a tagged archive number (`甲镇·SF-0001` -> 甲镇)."""
    return who.split(SEP, 1)[0] if SEP in who else ""


def _published(plan: Plan, year: int, key: str) -> set[frozenset]:
    """The payout sets {(station key, row)} whose amounts the station's own site publishes:
    the visible cells of its statistics, each fund's 帮扶发放 per period and year (fund pages)
    and the notice summaries' amounts."""
    yp = plan.years.get(year)
    if yp is None or yp.grid is None:
        return set()
    members: dict = defaultdict(set)
    for f in yp.facts:
        for k in cell_keys(yp, f):
            members[k].add((key, f.key))
        if (f.fund, year) not in plan.small_fund_years:
            spans = yp.fund_spans.get(f.fund, ())
            members[("fund", f.fund, None)].add((key, f.key))
            for sp in spans:
                if f.quarter in sp.quarters:
                    members[("fund", f.fund, sp.quarters)].add((key, f.key))
    out = {frozenset(ids) for k, ids in members.items()
           if k[0] == "fund" or (not yp.grid[k].hidden and yp.grid[k].count)}
    rows = {f.key for f in yp.facts}
    out |= {frozenset((key, r) for r in summary) for summary in plan.summaries if summary <= rows}
    return out


def given_back(net: Plan, stations: dict[str, Plan]) -> dict[int, set]:
    """year -> signatures of the network's visible cells that give a station's hidden part back."""
    out: dict[int, set] = {}
    for year, yp in net.years.items():
        published = {key: _published(plan, year, key) for key, plan in stations.items()}
        parts: dict = defaultdict(lambda: defaultdict(set))  # cell -> station -> {(station, row)}
        people: dict = defaultdict(lambda: defaultdict(set))
        for f in yp.facts:
            st = station_of(f.who)
            for k in cell_keys(yp, f):
                parts[k][st].add((st, f.key))
                people[k][st].add(f.who)
        found = set()
        for k, by_station in parts.items():
            cell = yp.grid[k]
            if cell.hidden or not cell.count:
                continue
            unknown = [st for st, ids in by_station.items() if frozenset(ids) not in published.get(st, ())]
            hidden_people = set().union(*(people[k][st] for st in unknown)) if unknown else set()
            if len(unknown) == 1 or (unknown and len(hidden_people) < net.min_cell):
                found.add(signature(yp, k))
        if found:
            out[year] = found
    return out


def protected_plan(records, today, stations: dict[str, Plan]) -> Plan:
    """The network's plan with every cell that would give a station's hidden part back hidden
    too (and what secondary suppression then hides), recomputed until nothing more is found
    (at most MAX_ROUNDS times: the build checks the result with `given_back` once more).
    No total of the network is published elsewhere, so any cell may protect another."""
    protect: dict[int, set] = {}
    plan = Plan(records, today, fixed_totals=False)
    for _ in range(MAX_ROUNDS):
        found = given_back(plan, stations)
        new = {y: s - protect.get(y, set()) for y, s in found.items()}
        if not any(new.values()):
            return plan
        for y, s in new.items():
            protect.setdefault(y, set()).update(s)
        plan = Plan(records, today, protect=protect, fixed_totals=False)
    return plan
