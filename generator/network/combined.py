"""The network's records as one `Records`: the county centre's own records plus every
counted station's, so that the quarterly report's figure functions (private/report.py) and
the public site's disclosure plan (site/disclosure_control.Plan) work on the whole network
unchanged, on the stations' raw (unsuppressed) records.

    records = combined(network)             # the county and the counted stations
    records = combined(network, [county])   # any chosen runs

Keys a station chose for itself are made unique in the network by tagging them with the
station's key (`甲镇·SF-0001`; a blank cell stays blank): archive numbers (so a person is
counted once per station; the same identity number at two stations is crosscheck.py's
business, not a total's), batch numbers and fund names (`甲镇·帮扶资金`). Items, hardship
categories and the settings are the county's; an item or category only a station has is
added after the county's (the first station to declare a name decides its 项目类别).
"""

from __future__ import annotations

from dataclasses import fields
from operator import attrgetter

from ..records import Records
from .model import Network, StationRun

SEP = "·"

# sheet key -> the fields that hold a key the station chose (tagged with the station's key)
TAGGED = {
    "workers": ("archive_no", "batch", "close_batch"),
    "members": ("archive_no",),
    "visits": ("archive_no",),
    "reviews": ("archive_no",),
    "payouts": ("archive_no", "batch", "fund"),
    "batches": ("batch_no", "original"),
    "objections": ("archive_no", "batch"),
    "reception": ("archive_no",),
    "funds": ("name",),
    "incomes": ("fund",),
    "expenses": ("fund",),
}
SHARED = ("items", "categories")  # by name, the county's first


def members(network: Network) -> list[StationRun]:
    """The runs whose figures make the network's totals: the county centre, then every
    station, each only without errors (model.StationRun.counted)."""
    return [run for run in [network.county, *network.stations] if run.counted]


# what the public site's statistics read (disclosure_control.Plan, stats.py, the attacker);
# not the batches: the county site publishes no notice summary (and payout rows of different
# stations share row numbers)
SITE_SHEETS = ("workers", "reviews", "payouts")
# what the quarterly report reads (private/report.figures and the ledger)
REPORT_SHEETS = ("workers", "reviews", "payouts", "reception", "funds", "incomes", "expenses")


def combined(network: Network, runs: list[StationRun] | None = None, sheets=tuple(TAGGED)) -> Records:
    """`sheets`: the tagged sheets to fill (all by default; SITE_SHEETS for the site)."""
    runs = members(network) if runs is None else runs
    county = network.county.outcome.records
    out = Records(folder=county.folder, settings=county.settings, dibao_lines=list(county.dibao_lines),
                  calendar=list(county.calendar), places=dict(county.places))
    for sheet in sheets:
        rows = getattr(out, sheet)
        for run in runs:
            rows.extend(_tagged(getattr(run.outcome.records, sheet), TAGGED[sheet], run.key))
    for sheet in SHARED:
        seen: dict = {}
        for run in [network.county, *runs]:
            for rec in getattr(run.outcome.records, sheet):
                seen.setdefault(rec.name, rec)
        setattr(out, sheet, list(seen.values()))
    return out


def _tagged(rows: list, keys: tuple[str, ...], key: str) -> list:
    """Copies of `rows` with the `keys` fields tagged `<key>·<value>` (a network has hundreds of thousands of
    rows: one attrgetter and one constructor call per row, not dataclasses.replace)."""
    if not rows:
        return []
    cls = type(rows[0])
    names = [f.name for f in fields(cls)]
    get = attrgetter(*names)
    at = [names.index(k) for k in keys]
    prefix = f"{key}{SEP}"
    out = []
    for rec in rows:
        values = list(get(rec))
        for i in at:
            if values[i] not in (None, ""):
                values[i] = prefix + values[i]
        out.append(cls(*values))
    return out
