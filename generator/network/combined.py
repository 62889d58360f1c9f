"""The network's records as one `Records`: the county centre's own records plus every
counted station's, so that the quarterly report's figure functions (private/report.py) and
the public site's disclosure plan (site/disclosure_control.Plan) work on the whole network
unchanged, on the stations' raw (unsuppressed) records.

    records = combined(network)             # the county and the counted stations
    records = combined(network, [county])   # any chosen runs

Keys a station chose for itself are made unique in the network by tagging them with the
station's key (`tag`): archive numbers (so a person is counted once per station; the
same identity number at two stations is crosscheck.py's business, not a total's), batch
numbers and fund names (`甲镇·帮扶资金`). Items, hardship categories and the settings are
the county's; an item or category only a station has is added after the county's (the
first station to declare a name decides its 项目类别).
"""

from __future__ import annotations

from dataclasses import replace

from ..records import Records
from .model import Network, StationRun

SEP = "·"

# sheet key -> the fields that hold a key the station chose (made unique with `tag`)
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


def tag(key: str, value):
    """`value` as named in the network (None stays None: a blank cell stays blank)."""
    return f"{key}{SEP}{value}" if value not in (None, "") else value


def members(network: Network) -> list[StationRun]:
    """The runs whose figures make the network's totals: the county centre, then every
    station, each only without errors (model.StationRun.counted)."""
    return [run for run in [network.county, *network.stations] if run.counted]


def combined(network: Network, runs: list[StationRun] | None = None) -> Records:
    runs = members(network) if runs is None else runs
    county = network.county.outcome.records
    out = Records(folder=county.folder, settings=county.settings, dibao_lines=list(county.dibao_lines),
                  calendar=list(county.calendar), places=dict(county.places))
    for sheet, keys in TAGGED.items():
        rows = getattr(out, sheet)
        for run in runs:
            k = run.key
            for rec in getattr(run.outcome.records, sheet):
                rows.append(replace(rec, **{f: tag(k, getattr(rec, f)) for f in keys}))
    for sheet in SHARED:
        seen: dict = {}
        for run in [network.county, *runs]:
            for rec in getattr(run.outcome.records, sheet):
                seen.setdefault(rec.name, rec)
        setattr(out, sheet, list(seen.values()))
    return out


def untag(value: str | None) -> str | None:
    """The station's own value of a tagged one."""
    return value.split(SEP, 1)[1] if value and SEP in value else value

