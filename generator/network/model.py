"""Typed data shared by the stages of `bangfu merge` (see the package docstring).

A network is the county centre's own records folder (`--into`, a station folder like any
other: its policy workbook also declares what a station may decide alone) plus the
stations' records folders. Every station is checked exactly as `bangfu check` checks it;
its problems keep their own file, sheet and cell, and `StationRun.key` says whose they are.
A station whose records have errors is still reported, but its figures are left out of
the network's totals (and the outputs say so), so one station's mistakes never block or
distort the others' numbers. So is a station whose workbooks still hold the example rows
or example settings `bangfu init` writes (checks/examples.py): those are warnings for
`check`, but `build` refuses to publish them, and the network must not count them either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..checks.examples import EXAMPLE_CODES
from ..pipeline import CheckOutcome
from ..problems import Problem
from ..station import StationInfo


@dataclass
class StationRun:
    key: str  # unique within the network: the station folder's name (clashes get -2, -3 …)
    folder: Path  # the station's records folder
    outcome: CheckOutcome  # exactly what `bangfu check <folder>` finds
    info: StationInfo
    # the folder of the station's table files (store.write_station_tables) when the loader
    # already has them (a cache keyed by content); None: merge writes them for this run
    tables: Path | None = None

    @property
    def examples(self) -> int:
        """How many `bangfu init` example rows or settings the station's workbooks still hold."""
        return sum(1 for p in self.outcome.problems if p.code in EXAMPLE_CODES)

    @property
    def counted(self) -> bool:
        """Whether the station's figures go into the network's totals: no errors and no
        example rows (example figures are nobody's)."""
        return self.outcome.ok and not self.examples


@dataclass(frozen=True)
class StationProblem:
    """A problem found in one station's workbooks (its file, sheet and cell are that station's)."""
    station: str  # StationRun.key
    problem: Problem


@dataclass
class Network:
    county: StationRun  # the county centre's own records (`--into`)
    stations: list[StationRun]  # the stations, in the order given (folders expanded)
    problems: list[StationProblem] = field(default_factory=list)  # cross-station and escalation findings

    def counted(self) -> list[StationRun]:
        return [s for s in self.stations if s.counted]


# the levels of 梯次帮扶 above a station, as the county's 梯次帮扶 sheet names them
COUNTY = "county"
CITY = "city"
LEVEL_ZH = {COUNTY: "县中心", CITY: "市中心"}


@dataclass(frozen=True)
class EscalationCase:
    """A payout above what its station may decide alone (梯次帮扶): a case for the level above.
    `file`, `sheet`, `cell` are the station's payout row (its 上级批准日期 cell)."""
    station: str  # StationRun.key
    level: str  # COUNTY or CITY: who decides
    record_no: str
    archive_no: str
    item: str
    amount: object  # Decimal
    limit: object  # Decimal: the limit the amount is above
    applied: object  # date | None
    paid: object  # date | None
    upper_approved: object  # date | None: when the level above approved (empty: still open)
    file: str
    sheet: str
    cell: str
    row: int

    @property
    def level_zh(self) -> str:
        return LEVEL_ZH[self.level]

    @property
    def open(self) -> bool:
        return self.upper_approved is None
