"""Small stores a build keeps between runs in its work folder (the leak scan's values, the
checks' problems): pickled, written owner-only (they may hold personal data) and whole or
not at all, read back as None when missing, unreadable or of another shape."""

from __future__ import annotations

import os
import pickle
from pathlib import Path


def save(path: Path, value) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


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
