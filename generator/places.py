"""Where outputs go by default: beside the records folder, never the terminal's folder.

`bangfu build D:\\帮扶站\\records` writes D:\\帮扶站\\site and D:\\帮扶站\\private, whatever
folder the terminal is in, so personal data never lands somewhere unexpected.
"""

from __future__ import annotations

from pathlib import Path

SITE = "site"
PRIVATE = "private"


def beside(records_dir: Path, name: str) -> Path:
    return Path(records_dir).resolve().parent / name


def site_dir(records_dir: Path) -> Path:
    return beside(records_dir, SITE)


def private_dir(records_dir: Path) -> Path:
    return beside(records_dir, PRIVATE)


def looks_like_folder(text: str) -> bool:
    """An argument that names a folder (an existing one, or a path) rather than an archive number."""
    return Path(text).is_dir() or "/" in text or "\\" in text
