"""Cross-station checks, in SQL over the store: the same person at two stations.

    findings = crosscheck(store)   # list[StationProblem], one per side of each finding

- 重复建档: the same identity number registered as a worker at two stations, with files
  valid at the same time (a worker who moved and whose old file was closed on or before the
  day the new one opened is not a duplicate);
- the same person paid the same item by two stations in one period, beyond the item's
  次数上限 (the period and whose limit it is come from each station's own 帮扶项目, see
  store.py; both payouts must count the same way: same item, same 频次, same period);
- a family member registered as a worker at another station while both files are valid.

Each side gets its own StationProblem, placed at its own cell, whose message names the
other station with its file, sheet and cell.
"""

from __future__ import annotations

from collections import defaultdict

from ..idcard import mask
from ..problems import problem
from .model import StationProblem
from .store import Places, Store

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"network-duplicate-person", "network-double-payout", "network-member-is-worker"})

# A file is valid from 建档 (else 申请) up to its 结档日期 when closed (a worker handed over on
# the day the old file closed was never registered twice); unknown ends are open.
_OVERLAP = """coalesce({a}.start, DATE '1900-01-01') < coalesce({b}."end", DATE '9999-12-31')
          AND coalesce({b}.start, DATE '1900-01-01') < coalesce({a}."end", DATE '9999-12-31')"""


def crosscheck(store: Store) -> list[StationProblem]:
    places = Places(store)
    found = [*_duplicate_persons(store, places), *_double_payouts(store, places),
             *_members_registered_elsewhere(store, places)]
    order = {key: i for i, key in enumerate(store.stations)}
    found.sort(key=lambda sp: (order.get(sp.station, len(order)), sp.problem.file, sp.problem.sheet,
                               sp.problem.row, sp.problem.code, sp.problem.message))
    return found


def _duplicate_persons(store: Store, places: Places):
    rows = store.sql(f"""
        SELECT a.station, a.row, a.archive_no, a.id_number, b.station, b.row, b.archive_no
        FROM workers a JOIN workers b ON a.id_number = b.id_number AND a.station <> b.station
        WHERE a.id_number IS NOT NULL AND {_OVERLAP.format(a="a", b="b")}
        ORDER BY a.station, a.row, b.station, b.row""").fetchall()
    for station, row, archive, idno, other, other_row, other_archive in rows:
        yield StationProblem(station, problem(
            "network-duplicate-person", **places(station, "workers", row, "id_number"), masked=mask(idno),
            archive=archive, elsewhere=places.describe(other, "workers", other_row, "id_number", other_archive)))


def _double_payouts(store: Store, places: Places):
    rows = store.sql("""
        WITH p AS (SELECT * FROM payouts WHERE person_id IS NOT NULL AND period IS NOT NULL),
        over AS (
            SELECT item, frequency, period, person_id FROM p GROUP BY ALL
            HAVING count(DISTINCT station) > 1 AND count(*) > min(max_times))
        SELECT a.station, a.row, a.archive_no, a.item, a.rule, a.period_label, a.beneficiary,
               b.station, b.row, b.archive_no
        FROM p a JOIN over USING (item, frequency, period, person_id)
        JOIN p b ON b.item = a.item AND b.frequency = a.frequency AND b.period = a.period
                AND b.person_id = a.person_id AND b.station <> a.station
        ORDER BY a.station, a.row, b.station, b.row""").fetchall()
    sides: dict[tuple, list[str]] = defaultdict(list)
    for station, row, archive, item, rule, label, whom, other, other_row, other_archive in rows:
        sides[(station, row, archive, item, rule, label, whom)].append(
            places.describe(other, "payouts", other_row, "item", other_archive))
    for (station, row, archive, item, rule, label, whom), elsewhere in sides.items():
        yield StationProblem(station, problem(  # 受助对象 names which child of the household (助学)
            "network-double-payout", **places(station, "payouts", row, "item"), item=item, rule=rule,
            archive=archive, whom=f"（受助对象 {whom}）" if whom else "", period=label,
            elsewhere="、".join(elsewhere)))


def _members_registered_elsewhere(store: Store, places: Places):
    rows = store.sql(f"""
        SELECT m.station, m.row, m.archive_no, m.id_number, w.station, w.row, w.archive_no
        FROM members m
        JOIN workers hw ON hw.station = m.station AND hw.archive_no = m.archive_no
        JOIN workers w ON w.id_number = m.id_number AND w.station <> m.station
        WHERE m.id_number IS NOT NULL AND {_OVERLAP.format(a="hw", b="w")}
        ORDER BY m.station, m.row, w.station, w.row""").fetchall()
    for station, row, archive, idno, other, other_row, other_archive in rows:
        masked = mask(idno)
        member_here = f"档案 {archive} 的家庭成员"
        worker_there = f"困难职工本人（档案 {other_archive}）"
        yield StationProblem(station, problem(
            "network-member-is-worker", **places(station, "members", row, "id_number"), masked=masked,
            here=member_here, there=worker_there,
            elsewhere=places.describe(other, "workers", other_row, "id_number", other_archive)))
        yield StationProblem(other, problem(
            "network-member-is-worker", **places(other, "workers", other_row, "id_number"), masked=masked,
            here=f"困难职工本人（档案 {other_archive}）", there=f"档案 {archive} 的家庭成员",
            elsewhere=places.describe(station, "members", row, "id_number", archive)))
