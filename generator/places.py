"""Where outputs go by default: beside the records folder, never the terminal's folder.

`bangfu build D:\\帮扶站\\records` writes D:\\帮扶站\\site and D:\\帮扶站\\private, whatever
folder the terminal is in, so personal data never lands somewhere unexpected.
"""

from __future__ import annotations

from pathlib import Path

SITE = "site"
PRIVATE = "private"
# `bangfu merge 站点... --into 县中心记录`: the network's outputs, beside the county's records
# (the county centre's own site and private folder keep their usual names).
NETWORK_SITE = "network-site"
NETWORK_PRIVATE = "network-private"


def beside(records_dir: Path, name: str) -> Path:
    return Path(records_dir).resolve().parent / name


def site_dir(records_dir: Path) -> Path:
    return beside(records_dir, SITE)


def private_dir(records_dir: Path) -> Path:
    return beside(records_dir, PRIVATE)


def network_site_dir(county_records_dir: Path) -> Path:
    return beside(county_records_dir, NETWORK_SITE)


def network_private_dir(county_records_dir: Path) -> Path:
    return beside(county_records_dir, NETWORK_PRIVATE)


def looks_like_folder(text: str) -> bool:
    """An argument that names a folder (an existing one, or a path) rather than an archive number."""
    return Path(text).is_dir() or "/" in text or "\\" in text


# bangfu's own work folder beside the records (build lock, staging, caches; never published)
WORK = ".bangfu"
NETWORK_CACHE = "network-cache"  # `bangfu merge`: each station's checked records (network/cache.py)


def network_cache_dir(county_records_dir: Path) -> Path:
    """The merge's per-station cache, in the work folder beside the county centre's records."""
    return beside(county_records_dir, WORK) / NETWORK_CACHE


# What a build keeps in its work folder for the next one (build/steps.py), by the site folder's name
def read_store(work: Path, site: Path) -> Path:
    """The build's read store (reading.cache: the parsed workbooks)."""
    return work / f"read-{site.name}"


def checks_kept(work: Path, site: Path) -> Path:
    """The build's checks' cache (checks.CheckCache: each check module's problems)."""
    return work / f"checks-{site.name}.pickle"


def build_kept(records_dir: Path) -> tuple[Path, Path]:
    """(read store, checks' cache) of `bangfu build records_dir` with its default folders: in
    the work folder beside the private folder, named after the site folder (a folder that is
    a link counts as the folder it points to, as build.folders.publish_target and work_dir
    take it). `bangfu check` reads them (never writes them) when they are there."""
    site, private = site_dir(records_dir), private_dir(records_dir)
    if site.is_symlink():
        site = site.resolve()
    work = private.resolve().parent / WORK
    return read_store(work, site), checks_kept(work, site)
