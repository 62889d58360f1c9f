"""The 梯次帮扶 sheet of a county centre's policy (schema.ESCALATION): limits that make sense.

`bangfu merge` reads the sheet (generator/network/escalation.py) and takes, for each item,
the first row of each 起始日期; a repeated row would be silently ignored there, so it is
reported here, as is a county limit below the station limit (a county that may approve less
than a station).
"""

from __future__ import annotations

from ..money import yuan
from ..problems import problem

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"escalation-limits-order", "escalation-item-repeated"})
# the tables this check reads (checks.run_checks runs it on a view of exactly these, and
# keeps its problems while they do not change)
TABLES = ("settings", "escalation", "places")


def check(records, ctx):
    first: dict[tuple, int] = {}
    for row in records.escalation:
        item = (row.item or "").strip()
        key = (item, row.since)  # a row with a later 起始日期 changes the limit from then on
        if key in first:
            yield problem("escalation-item-repeated", **records.place("escalation", row.row, "item"),
                          item=item or "（留空：所有项目）", other=first[key])
        else:
            first[key] = row.row
        if row.station_limit is not None and row.county_limit is not None and row.county_limit < row.station_limit:
            yield problem("escalation-limits-order", **records.place("escalation", row.row, "county_limit"),
                          county=yuan(row.county_limit), station=yuan(row.station_limit))
