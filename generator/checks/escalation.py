"""The 梯次帮扶 sheet of a county centre's policy (schema.ESCALATION): limits that make sense.

`bangfu merge` reads the sheet (generator/network/escalation.py) and takes, for each item,
the first row; a repeated row would be silently ignored there, so it is reported here, as
is a county limit below the station limit (a county that may approve less than a station).
"""

from __future__ import annotations

from ..money import yuan
from ..problems import problem

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"escalation-limits-order", "escalation-item-repeated"})


def check(records, ctx):
    first: dict[str, int] = {}
    for row in records.escalation:
        item = (row.item or "").strip()
        if item in first:
            yield problem("escalation-item-repeated", **records.place("escalation", row.row, "item"),
                          item=item or "（留空：所有项目）", other=first[item])
        else:
            first[item] = row.row
        if row.station_limit is not None and row.county_limit is not None and row.county_limit < row.station_limit:
            yield problem("escalation-limits-order", **records.place("escalation", row.row, "county_limit"),
                          county=yuan(row.county_limit), station=yuan(row.station_limit))
