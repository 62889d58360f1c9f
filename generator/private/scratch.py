"""Scratch folders of PDF printing, named after the process that made them, and the ones whose
process is gone removed at the start of a build.

A browser's temporary profile (about 240 files, browser.Launched; in /dev/shm on Linux) and the
pages a volume is joined into (pdf_volume, the joined HTML holds personal data) are removed by the
process that made them. A build killed by the operating system (out of memory, a shutdown) leaves
them behind, in /dev/shm until the next reboot. Each is made as `<kind><pid>-<random>` (`folder`),
and `remove_stale` removes, in the folders they are made in, those of this user whose process has
ended:

- only directories whose own name has one of our prefixes, looked at without following links (a
  link of that name, or a file, is left alone), owned by this user;
- the process named in the name no longer exists (a live process, or one of another user, keeps
  it: a process id reused since errs on the side of keeping), and nothing in the folder has changed
  for STALE_AGE: a build in another process id namespace (a container sharing /tmp under the same
  user) is not seen by its id, but it writes into its folders while it prints;
- a browser's profile whose `SingletonLock` (the browser's own lock: a link to "host-pid", read,
  never followed) names another host or a browser still running is kept too;
- a folder named by an earlier version (no process id) goes only when no running browser holds
  it and it is older than LEGACY_AGE.

POSIX only: on Windows a process id cannot be probed without risk (os.kill ends the process), and
the folders live in the user's temporary folder, which Windows cleans.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import stat
import tempfile
import time

PROFILE = "bangfu-pdf-"  # a browser's profile (browser.Launched) or a print's folder (pdf._chromium_pdf)
VOLUME = "bangfu-volume-"  # the pages a volume is joined into (pdf_volume)
KINDS = (PROFILE, VOLUME)
LEGACY_AGE = 24 * 3600.0  # seconds: a folder of an earlier version, named without its process
STALE_AGE = 6 * 3600.0  # seconds unchanged before a folder whose process is not seen goes

_NAMED = re.compile(r"(?P<kind>bangfu-(?:pdf|volume)-)(?:(?P<pid>[0-9]+)-)?[A-Za-z0-9_]+\Z")


def folder(kind: str) -> str:
    """The prefix of a new scratch folder of `kind` (PROFILE, VOLUME) for tempfile.mkdtemp and
    TemporaryDirectory: the kind and this process's id."""
    return f"{kind}{os.getpid()}-"


def places(profiles: str | None) -> list[str]:
    """Where scratch folders are made: the browsers' profile folder (`profiles`,
    browser.profile_parent) and the system's temporary folder."""
    found: list[str] = []
    for place in (profiles, tempfile.gettempdir()):
        if place and os.path.realpath(place) not in {os.path.realpath(p) for p in found}:
            found.append(place)
    return found


def remove_stale(where: list[str], now: float | None = None) -> list[str]:
    """Remove the scratch folders in `where` (places) whose process has ended (see the module's
    docstring); returns the paths removed. Never raises: what cannot be looked at or removed
    stays."""
    if os.name != "posix":
        return []
    removed = []
    now = time.time() if now is None else now
    for place in where:
        try:
            entries = list(os.scandir(place))
        except OSError:
            continue
        for entry in entries:
            match = _NAMED.match(entry.name)
            if match is None:
                continue
            try:
                if not _stale(entry, match, now):
                    continue
                shutil.rmtree(entry.path)  # removes links inside, never what they point at
            except OSError:
                continue
            removed.append(entry.path)
    return removed


def _stale(entry: os.DirEntry, match: re.Match, now: float) -> bool:
    info = entry.stat(follow_symlinks=False)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return False
    if match["pid"] is not None:
        if _alive(int(match["pid"])) or now - _newest(entry.path, info.st_mtime) < STALE_AGE:
            return False
    elif now - info.st_mtime < LEGACY_AGE:
        return False
    return not (match["kind"] == PROFILE and _locked(entry.path))


def _newest(path: str, newest: float) -> float:
    """The latest modification time of the folder `path` (`newest`, its own) and of everything in
    it, links looked at themselves, never followed."""
    for root, dirs, files in os.walk(path, followlinks=False):
        for name in dirs + files:
            try:
                newest = max(newest, os.lstat(os.path.join(root, name)).st_mtime)
            except OSError:
                continue
    return newest


def _locked(path: str) -> bool:
    """Whether a browser that may be running holds the profile in `path`: its SingletonLock (in
    the folder itself, or in its `profile` folder) names another host or a running process."""
    for lock in (os.path.join(path, "profile", "SingletonLock"), os.path.join(path, "SingletonLock")):
        try:
            target = os.readlink(lock)
        except FileNotFoundError:
            continue
        except OSError:  # there but not a link: unknown, so kept
            return True
        host, _, pid = target.rpartition("-")
        if host != socket.gethostname() or not pid.isdigit() or _alive(int(pid)):
            return True
    return False


def _alive(pid: int) -> bool:
    """Whether a process `pid` exists (one of another user counts)."""
    if pid <= 0:
        return True  # not a process of ours to judge
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True

