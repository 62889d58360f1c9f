"""梯次帮扶: payouts above what a station may decide alone become cases for the level above.

The county centre declares the limits in its own policy workbook (sheet 梯次帮扶, see
schema.ESCALATION): per item (its name, else its 项目类别 such as 医疗救助, as the paying
station's own 帮扶项目 sheet gives it), or for all items on a row whose 帮扶项目 is empty, the highest
single amount a station may approve alone (站点审批上限) and the highest the county may
approve (县级审批上限), each row from its 起始日期 on (a payout is judged by the limits in force
on its application date). Above the station's limit the county decides; above the county's,
the city (市县共同帮扶). The county's own payouts go to the city above its limit. An empty
limit, a missing sheet or no rows means nothing is escalated.

    cases, problems = escalate(store, county="县中心", limits=county_records.escalation)

A case is open until the station enters the level above's approval (上级批准日期); each
open case is also a warning for its station, at that cell. An approval dated before the
application is an error there; one dated after the payout (paid first, approved later) a
warning.
"""

from __future__ import annotations

from .. import schema
from ..money import yuan
from ..problems import Problem, problem
from .model import CITY, EscalationCase, StationProblem
from .store import Places, Store

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"network-escalation-open", "network-escalation-paid-first", "network-escalation-approved-early",
                   "network-escalation-unknown-item"})

ALL_ITEMS = ""  # the 帮扶项目 of a row that applies to every item without a row of its own


def limits_table(limits) -> list[tuple[str, object, object, object]]:
    """(item, 起始日期, station limit, county limit) rows, the first row of each item and
    起始日期 winning."""
    seen: dict[tuple, tuple] = {}
    for row in limits:
        item = (row.item or "").strip() or ALL_ITEMS
        if row.station_limit is None and row.county_limit is None:
            continue
        seen.setdefault((item, row.since), (item, row.since, row.station_limit, row.county_limit))
    return list(seen.values())


def escalate(store: Store, county: str, limits) -> tuple[list[EscalationCase], list[StationProblem]]:
    rows = limits_table(limits)
    if not rows:
        return [], []
    store.sql("CREATE OR REPLACE TEMP TABLE limits (item VARCHAR, since DATE, station_limit DECIMAL(14,2), "
              "county_limit DECIMAL(14,2))")
    store.con.executemany("INSERT INTO limits VALUES (?, ?, ?, ?)", [list(r) for r in rows])
    # each payout takes one row: its item's, else its 项目类别's, else the all-items row, of
    # those already in force on its application date (payment date when not applied), the
    # latest 起始日期 first; a row without 起始日期 has always been in force
    found = store.sql("""
        WITH live AS (
            SELECT p.*, coalesce(p.applied, p.paid) AS day FROM payouts p WHERE p.amount IS NOT NULL),
        pick AS (
            SELECT live.station, live.row, l.station_limit, l.county_limit,
                   row_number() OVER (PARTITION BY live.station, live.row ORDER BY
                       CASE WHEN l.item = live.item THEN 0 WHEN l.item = live.item_group THEN 1 ELSE 2 END,
                       l.since DESC NULLS LAST) AS n
            FROM live JOIN limits l ON (l.item = live.item OR l.item = live.item_group OR l.item = '')
                AND (l.since IS NULL OR live.day IS NULL OR l.since <= live.day)),
        p AS (
            SELECT live.*, pick.station_limit, pick.county_limit
            FROM live JOIN pick ON pick.station = live.station AND pick.row = live.row AND pick.n = 1),
        cases AS (
            SELECT *,
                CASE WHEN station = $county THEN
                         CASE WHEN county_limit IS NOT NULL AND amount > county_limit THEN 'city' END
                     WHEN station_limit IS NOT NULL AND amount > station_limit THEN
                         CASE WHEN county_limit IS NOT NULL AND amount > county_limit THEN 'city' ELSE 'county' END
                     WHEN county_limit IS NOT NULL AND amount > county_limit THEN 'city'
                END AS level
            FROM p)
        SELECT station, level, record_no, archive_no, item, amount,
               CASE WHEN level = 'city' THEN county_limit ELSE station_limit END AS lim,
               applied, paid, upper_approved, row
        FROM cases
        WHERE level IS NOT NULL
        ORDER BY station, row""", {"county": county}).fetchall()
    order = {key: i for i, key in enumerate(store.stations)}
    cases, problems = [], []
    places = Places(store)
    for station, level, record_no, archive, item, amount, lim, applied, paid, upper, row in found:
        where = places(station, "payouts", row, "upper_approved")
        case = EscalationCase(station, level, record_no or "", archive or "", item or "", amount, lim, applied,
                              paid, upper, where["file"], where["sheet"], where["cell"], row)
        cases.append(case)
        said = dict(archive=archive, item=item, amount=yuan(amount), limit=yuan(lim), level=case.level_zh,
                    limit_name="县级审批上限" if level == CITY else "站点审批上限")
        if case.open:
            missing = not places.has(station, "payouts", "upper_approved")  # an older template
            problems.append(StationProblem(station, problem(
                "network-escalation-open", **where, **said,
                add_column="（这张表还没有“上级批准日期”列：请在表头最后加上这一列）" if missing else "")))
        elif applied is not None and upper < applied:
            problems.append(StationProblem(station, problem(
                "network-escalation-approved-early", **where, **said, approved=upper, applied=applied)))
        elif paid is not None and upper > paid:  # the station paid above its limit before approval
            problems.append(StationProblem(station, problem(
                "network-escalation-paid-first", **where, **said, approved=upper, paid=paid)))
    cases.sort(key=lambda c: (order.get(c.station, len(order)), c.row))
    return cases, problems


def unknown_items(store: Store, county_records) -> list[Problem]:
    """Rows of the county's 梯次帮扶 sheet whose 帮扶项目 is neither a 项目类别 nor an item that
    the county or any station pays (a typo such as 大病求助): their limits never apply."""
    known = set(schema.ITEM_GROUP) | set(county_records.item_by_name)
    known |= {item for (item,) in store.sql("SELECT DISTINCT item FROM payouts WHERE item IS NOT NULL").fetchall()}
    return [problem("network-escalation-unknown-item", **county_records.place("escalation", row.row, "item"),
                    item=row.item.strip(), groups="、".join(schema.ITEM_GROUP))
            for row in county_records.escalation if (row.item or "").strip() not in known | {ALL_ITEMS}]
