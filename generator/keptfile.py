"""Small stores a build keeps between runs in its work folder (the leak scan's values, the
checks' problems): pickled, written owner-only (they may hold personal data) and whole or
not at all, read back as None when missing, unreadable or of another shape."""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path


def save(path: Path, value) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


def load_value(path: Path, kind: type):
    """The value `save` kept at `path` when it is a `kind`, else None (missing, unreadable,
    damaged or of another shape)."""
    try:
        with open(path, "rb") as f:
            value = pickle.load(f)
    except Exception:  # noqa: BLE001 - a damaged file is no kept value, whatever pickle makes of it
        return None
    return value if isinstance(value, kind) else None


def load_entries(path: Path) -> dict | None:
    """A dict of name -> (key, value) pairs, or None."""
    try:
        with open(path, "rb") as f:
            entries = pickle.load(f)
    except (OSError, ValueError, EOFError, TypeError, AttributeError, ImportError, IndexError,
            pickle.UnpicklingError):
        return None
    if not isinstance(entries, dict) or not all(isinstance(v, tuple) and len(v) == 2 for v in entries.values()):
        return None
    return entries


@dataclass
class Entries:
    """name -> (key, value) pairs kept between builds: a value is taken only while its key is
    the one it was stored under; `save` writes them (owner-only, whole or not at all) only
    when one was put since the load."""
    entries: dict = field(default_factory=dict)
    changed: bool = False

    def taken(self, name: str, key: str):
        entry = self.entries.get(name)
        return entry[1] if entry is not None and entry[0] == key else None

    def keep(self, name: str, key: str, value) -> None:
        self.entries[name] = (key, value)
        self.changed = True

    def save(self, path: Path) -> None:
        if self.changed:
            save(path, self.entries)
            self.changed = False

    @classmethod
    def load(cls, path: Path):
        return cls(entries=load_entries(path) or {})
