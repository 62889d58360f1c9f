"""Load every station of a network: check each folder exactly as `bangfu check` does.

    runs = load_stations([Path("甲镇/records"), Path("乙镇/records")], today=date(2026, 11, 23))

Each station gets a key unique within the network: its folder's name (the folder above a
folder called `records`, since every station's records folder may be called that), with
-2, -3 … added on a clash, in the order given. The result keeps that order.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..pipeline import check_folder
from ..station import station
from .model import StationRun

RECORDS_NAMES = ("records",)  # a folder name that says nothing about whose records these are


def station_name(folder: Path) -> str:
    """The name a station folder goes by: its own name, or its parent's for `…/甲镇/records`."""
    folder = Path(folder).resolve()
    if folder.name.lower() in RECORDS_NAMES and folder.parent.name:
        return folder.parent.name
    return folder.name or str(folder)


def station_keys(folders: list[Path]) -> list[str]:
    """One key per folder, unique: a repeated name gets -2, -3 … in order of appearance."""
    keys: list[str] = []
    taken: set[str] = set()
    for folder in folders:
        base = station_name(folder)
        key, n = base, 1
        while key in taken:
            n += 1
            key = f"{base}-{n}"
        taken.add(key)
        keys.append(key)
    return keys


def load_stations(folders: list[Path], *, today: date) -> list[StationRun]:
    """Read and check each station folder (sequentially), in the order given."""
    runs = []
    for key, folder in zip(station_keys(folders), folders):
        outcome = check_folder(Path(folder), today)
        runs.append(StationRun(key=key, folder=Path(folder), outcome=outcome,
                               info=station(outcome.records, today)))
    return runs
