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

A hidden network cell is no safer than a visible one when a published sum of the network's
gives it back: the sum's other cells are visible, or hidden but every station publishes its
part of them (Exposure). Such a cell hides a partner of the sum with it.

The same holds for the registered workers' tables (在档困难职工 by category and by cause,
stats.registered_grid): `protected_registered` hides what would give a station's hidden
count back.
"""

from __future__ import annotations

from collections import defaultdict

from ..site.disclosure_control import Grid, Plan, cell_keys, signature
from ..site.stats import registered_grid
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


class Exposure:
    """One grid of the network's (a year's statistics, or the registered workers' tables) next
    to what the stations' own sites publish of it.

    `parts[key]`: station -> its part of the cell (ids comparable with `published`);
    `people[key]`: station -> the people of that part; `published`: station -> the parts its
    own site publishes (frozensets of ids). A station's part of a cell is unknown when its own
    site does not publish exactly that part. A cell can be read when it is visible, or when it
    is hidden but some published sum has all its other cells known (visible, or every
    station's part of them published): then the cell minus the published parts is the sum of
    the unknown parts, which gives a hidden figure back when one station's part is unknown or
    several whose people together are fewer than `min_cell`."""

    def __init__(self, grid, parts: dict, people: dict, published: dict, min_cell: int):
        self.grid, self.parts, self.people, self.published, self.min_cell = grid, parts, people, published, min_cell
        self._unknown: dict = {}

    def unknown(self, key) -> list:
        if key not in self._unknown:  # the grid does not change: once per cell
            self._unknown[key] = [st for st, ids in self.parts.get(key, {}).items()
                                  if frozenset(ids) not in self.published.get(st, ())]
        return self._unknown[key]

    def known(self, key) -> bool:
        cell = self.grid[key]
        return not cell.hidden or not cell.count or not self.unknown(key)

    def solving_lines(self, key) -> list[list]:
        """The other cells of each published sum that gives the hidden cell `key` back: its
        amount (not when it is 0: a service without cash), or its 人次 (a sum with 人次).
        A sum whose other cells the stations publish already (every part of them) gives
        nothing the stations' own sites do not: each station's plan answers for those."""
        out = []
        amount = bool(self.grid[key].amount)
        for keys, total, counts in self.grid.lines:
            members = [*keys, total]
            if key not in members or not (amount or counts):
                continue
            others = [k for k in members if k != key]
            if all(self.known(k) for k in others) and any(self._new(k) for k in others):
                out.append(others)
        return out

    def _new(self, key) -> bool:
        """A visible cell that tells what no station's own site does (a part is unknown)."""
        return not self.grid[key].hidden and bool(self.grid[key].count) and bool(self.unknown(key))

    def gives_back(self, key) -> bool:
        cell = self.grid[key]
        if not cell.count or (cell.hidden and not self.solving_lines(key)):
            return False
        unknown = self.unknown(key)
        return bool(unknown) and (
            len(unknown) == 1 or len(set().union(*(self.people[key][st] for st in unknown))) < self.min_cell)

    def found(self) -> set:
        return {key for key in list(self.parts) if self.gives_back(key)}

    def to_hide(self) -> set:
        """What to hide next: each visible cell that gives a part back, and for a hidden one
        that a sum gives back, the smallest other visible cell of that sum with an unknown part."""
        out = set()
        for key in self.found():
            if not self.grid[key].hidden:
                out.add(key)
                continue
            for others in self.solving_lines(key):
                free = [k for k in others if self._new(k)]
                out.add(min(free, key=lambda k: (self.grid[k].count, self.grid[k].amount, repr(k))))
        return out


def _exposures(net: Plan, stations: dict[str, Plan]) -> dict[int, Exposure]:
    out = {}
    for year, yp in net.years.items():
        published = {key: _published(plan, year, key) for key, plan in stations.items()}
        parts: dict = defaultdict(lambda: defaultdict(set))  # cell -> station -> {(station, row)}
        people: dict = defaultdict(lambda: defaultdict(set))
        for f in yp.facts:
            st = station_of(f.who)
            for k in cell_keys(yp, f):
                parts[k][st].add((st, f.key))
                people[k][st].add(f.who)
        out[year] = Exposure(yp.grid, parts, people, published, net.min_cell)
    return out


def given_back(net: Plan, stations: dict[str, Plan]) -> dict[int, set]:
    """year -> signatures of the network's cells (visible, or hidden but given back by a
    published sum) that give a station's hidden part back."""
    out: dict[int, set] = {}
    for year, exposure in _exposures(net, stations).items():
        found = {signature(net.years[year], k) for k in exposure.found()}
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
        new = {}
        for year, exposure in _exposures(plan, stations).items():
            found = {signature(plan.years[year], k) for k in exposure.to_hide()} - protect.get(year, set())
            if found:
                new[year] = found
        if not new:
            return plan
        for y, s in new.items():
            protect.setdefault(y, set()).update(s)
        plan = Plan(records, today, protect=protect, fixed_totals=False)
    return plan


# --- 在档困难职工 (the registered workers by category and by cause) ------------------------
def _registered(net: Grid, stations: dict[str, Grid], min_cell: int) -> Exposure:
    """The network's registered-workers grid (stats.registered_grid, archive numbers tagged
    `<station>·<no>`; a station's part is its people) next to the stations' own."""
    published = {key: {frozenset(f"{key}{SEP}{w}" for w in c.people) for c in g.cells.values()
                       if not c.hidden and c.count} for key, g in stations.items()}
    parts: dict = defaultdict(lambda: defaultdict(set))
    for key, cell in list(net.cells.items()):
        for who in cell.people:
            parts[key][station_of(who)].add(who)
    return Exposure(net, parts, parts, published, min_cell)


def protected_registered(records, stations: dict, min_cell: int) -> tuple[set, set]:
    """(the registered-workers cells to hide on the county site, those still given back after
    MAX_ROUNDS rounds: the build fails on any). `stations`: key -> the station's own Records."""
    own = {key: registered_grid(r, r.settings.min_cell or 3)[0] for key, r in stations.items()}
    protect: set = set()
    for _ in range(MAX_ROUNDS):
        exposure = _registered(registered_grid(records, min_cell, protect)[0], own, min_cell)
        new = exposure.to_hide() - protect
        if not new:
            return protect, exposure.found()
        protect |= new
    return protect, _registered(registered_grid(records, min_cell, protect)[0], own, min_cell).found()
