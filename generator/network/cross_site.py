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


# --- 在档困难职工 (the registered workers by category and by cause) ------------------------
class _Registered:
    """The network's registered-workers grid (stats.registered_grid, archive numbers tagged
    `<station>·<no>`) next to the stations' own published cells."""

    def __init__(self, net: Grid, stations: dict[str, Grid], min_cell: int):
        self.net, self.min_cell = net, min_cell
        self.published = {key: {frozenset(f"{key}{SEP}{w}" for w in c.people) for c in g.cells.values()
                                if not c.hidden and c.count} for key, g in stations.items()}

    def unknown(self, key) -> dict:
        """station -> its part of the cell that its own site does not publish."""
        parts: dict = defaultdict(set)
        for who in self.net[key].people:
            parts[station_of(who)].add(who)
        return {st: ids for st, ids in parts.items() if frozenset(ids) not in self.published.get(st, ())}

    def known(self, key) -> bool:
        cell = self.net[key]
        return not cell.hidden or not cell.count or not self.unknown(key)

    def solving_lines(self, key) -> list[list]:
        """The published sums whose other cells are all known: each gives the cell back."""
        out = []
        for keys, total, _ in self.net.lines:
            members = [*keys, total]
            if key in members and all(self.known(k) for k in members if k != key):
                out.append([k for k in members if k != key])
        return out

    def gives_back(self, key) -> bool:
        cell = self.net[key]
        if not cell.count or (cell.hidden and not self.solving_lines(key)):
            return False
        hidden = self.unknown(key)
        return bool(hidden) and (len(hidden) == 1 or len(set().union(*hidden.values())) < self.min_cell)


def registered_given_back(net: Grid, stations: dict[str, Grid], min_cell: int) -> set:
    """The network's registered-workers cells whose part of some station its own site hides,
    yet which can be read or worked out: a visible cell, or a hidden one whose sum's other
    cells are all known (visible, or every station's part of it published). The cell minus
    the published parts gives the hidden part back when one station's part is unpublished, or
    several whose people together are fewer than `min_cell`."""
    reg = _Registered(net, stations, min_cell)
    return {key for key in list(net.cells) if reg.gives_back(key)}


def protected_registered(records, stations: dict, min_cell: int) -> tuple[set, set]:
    """(the registered-workers cells to hide on the county site, those still given back after
    MAX_ROUNDS rounds: the build fails on any). `stations`: key -> the station's own Records.
    A visible cell that gives a part back is hidden; a hidden one that a sum gives back hides
    with it the smallest other cell of that sum that some station does not publish."""
    own = {key: registered_grid(r, r.settings.min_cell or 3)[0] for key, r in stations.items()}
    protect: set = set()
    for _ in range(MAX_ROUNDS):
        grid = registered_grid(records, min_cell, protect)[0]
        reg = _Registered(grid, own, min_cell)
        found = {key for key in list(grid.cells) if reg.gives_back(key)}
        new = {k for k in found if not grid[k].hidden}
        for k in found - new:
            for others in reg.solving_lines(k):
                free = [o for o in others if not grid[o].hidden and grid[o].count and reg.unknown(o)]
                if free:
                    new.add(min(free, key=lambda o: (grid[o].count, o)))
        if not new - protect:
            return protect, found
        protect |= new
    grid = registered_grid(records, min_cell, protect)[0]
    return protect, registered_given_back(grid, own, min_cell)
