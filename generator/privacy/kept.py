"""What the leak scan kept on disk, also kept in memory while `bangfu serve` runs."""

from __future__ import annotations

import os
from pathlib import Path

# What the leak scan kept on disk, also kept in memory while `bangfu serve` runs (keep_scans):
# the object last saved to (or loaded from) a path, with the stamps of its files then; a
# file changed since (another build, a damaged file) means reading the disk as ever.
_KEPT: dict = {"on": False, "objects": {}}


def keep_scans(on: bool) -> None:
    """Keep the scan's file cache and values in memory between the builds of this process."""
    _KEPT["on"], _KEPT["objects"] = bool(on), {}


def _file_stamp(path: Path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _folder_stamp(folder: Path):
    try:
        return tuple(sorted((p.name, _file_stamp(p)) for p in Path(folder).iterdir()))
    except OSError:
        return None


def _remember(path: Path, value, stamp) -> None:
    if _KEPT["on"] and stamp is not None:
        _KEPT["objects"][str(path)] = (stamp, value)


def _recall(path: Path, kind: type, stamp):
    got = _KEPT["objects"].get(str(path)) if _KEPT["on"] and stamp is not None else None
    return got[1] if got is not None and got[0] == stamp and isinstance(got[1], kind) else None


def _needle_folder(path: Path) -> Path:
    """needles-site.pickle -> needles-site/ (NeedleCache.save)."""
    path = Path(path)
    return path.with_name(path.stem)
