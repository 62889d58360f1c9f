"""Figures the county site must not publish because the stations' own sites would give a
hidden one back by subtraction.

A station's site hides or merges a small group (disclosure_control.Plan). The county site
publishes the network's cells, each a sum over the stations. When every station but one
publishes exactly its own part of a network cell, the network cell minus those parts is the
last station's part: a figure its own site kept back. So is the part of several stations
whose parts are unpublished, when together they count fewer than `min_cell` people.

    plan = protected_plan(records, today, station_plans)   # the network's plan, protected
    given_back(plan, station_plans)                         # {} (else the build fails)

A station's part counts as published when one visible cell of its own statistics (category
× period, item, category/cause/低保 tables, totals) covers exactly the same payouts. The
station's fund pages and notice summaries are not modelled (they publish cells of the same
statistics, or amounts the statistics also treat as published).
"""

from __future__ import annotations

from collections import defaultdict

from ..site.disclosure_control import Plan, YearPlan, cell_keys, signature
from .combined import SEP

MAX_ROUNDS = 5


def station_of(who: str) -> str:
    """The station key of a tagged archive number (`甲镇·SF-0001` -> 甲镇)."""
    return who.split(SEP, 1)[0] if SEP in who else ""


def _published(yp: YearPlan | None, key: str) -> set[frozenset]:
    """The payout sets (station key, row) that the station's own statistics publish."""
    if yp is None or yp.grid is None:
        return set()
    members: dict = defaultdict(set)
    for f in yp.facts:
        for k in cell_keys(yp, f):
            members[k].add((key, f.key))
    return {frozenset(ids) for k, ids in members.items() if not yp.grid[k].hidden and yp.grid[k].count}


def given_back(net: Plan, stations: dict[str, Plan]) -> dict[int, set]:
    """year -> signatures of the network's visible cells that give a station's hidden part back."""
    out: dict[int, set] = {}
    for year, yp in net.years.items():
        published = {key: _published(plan.years.get(year), key) for key, plan in stations.items()}
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
