"""Put a finished folder in place of the old one so that a reader, or a build killed at
any moment, never sees a half-written site.

On Linux the swap is one system call (renameat2 with RENAME_EXCHANGE): the target
path always names a complete folder. Elsewhere it is two renames (old -> backup,
new -> target) with a window of microseconds; `recover()`, run at the start of
every build, puts the backup back if a build died inside that window.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import itertools
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths; False when the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def recover(target: Path, backup: Path) -> bool:
    """Undo a swap that died half-way: the target is missing but the backup is complete."""
    if not target.exists() and backup.is_dir():
        os.replace(backup, target)
        return True
    return False


TRASH = "trash-"  # a swapped-out folder being removed in the background (discard_later)
_count = itertools.count()
_removing: set[Path] = set()  # this process's folders still being removed
_threads: list[tuple[threading.Thread, Path]] = []  # the threads removing them, and what (wait_discarded)


def discard_later(path: Path) -> None:
    """Remove a folder that was swapped out, without waiting: it is renamed aside in its own
    folder (one rename) and deleted by a background thread, so `bangfu serve` shows the new
    site before the old one is gone. A folder left by a stopped process is removed by
    `clear_trash` at the start of the next build."""
    trash = path.with_name(f"{TRASH}{os.getpid()}-{next(_count)}-{path.name}")
    try:
        os.replace(path, trash)
    except OSError:  # cannot be renamed aside: removed now, as without discard_later
        remove(path)
        return
    _remove_in_background(trash)


def _remove_in_background(trash: Path) -> None:
    _removing.add(trash)

    def run() -> None:
        try:
            shutil.rmtree(trash, ignore_errors=True)
        finally:
            _removing.discard(trash)

    thread = threading.Thread(target=run, name="bangfu-discard", daemon=True)
    # `bangfu serve` builds on and never waits: forget the threads done with their folder gone
    _threads[:] = [(t, p) for t, p in _threads if t.is_alive() or p.exists()]
    _threads.append((thread, trash))
    thread.start()


def wait_discarded() -> list[Path]:
    """Wait until every folder `discard_later` is removing is gone (tests, tools). Returns the
    folders that could not be removed (a file held open by another program)."""
    left = []
    while _threads:
        thread, trash = _threads.pop()
        thread.join()
        if trash.exists():
            left.append(trash)
    return left


# The remover a build run once leaves behind: a bare interpreter (no site, no project code)
# deleting the folders named on its command line, best effort.
_REMOVER = "import shutil, sys\nfor p in sys.argv[1:]:\n    shutil.rmtree(p, ignore_errors=True)\n"
handed: list[subprocess.Popen] = []  # the removers this process started (tests wait for them)


_aside: list[Path] = []  # folders set_aside renamed, for hand_over


def set_aside(path: Path) -> None:
    """A build run once: rename a swapped-out folder aside in its own folder (one rename) and
    leave its deletion to `hand_over` at the end of the build (no thread taking turns with the
    build for the interpreter lock, nothing to wait for)."""
    trash = path.with_name(f"{TRASH}{os.getpid()}-{next(_count)}-{path.name}")
    try:
        os.replace(path, trash)
    except OSError:  # cannot be renamed aside: removed now, as without a discard
        remove(path)
        return
    _aside.append(trash)


def hand_over() -> list[Path]:
    """A build run once ends without waiting for the old folders' deletion: the folders it set
    aside (and any its threads are still deleting) are handed to a detached process that
    outlives it (`remove_detached`). Whatever is left (the remover could not start, was
    killed, or a file is held open by a viewer) is removed by `clear_trash` at the start of
    the next build. Returns the folders handed over."""
    _threads[:] = [(t, p) for t, p in _threads if t.is_alive() or p.exists()]
    paths = [p for p in _aside if p.exists()] + [p for _t, p in _threads if p.exists()]
    _aside.clear()
    return paths if remove_detached(paths) else []


def remove_detached(paths: list[Path]) -> bool:
    """Start a detached process deleting `paths` (folders this program renamed aside, TRASH):
    a bare interpreter (-I -S: no site, no project code), in a new session on POSIX and
    DETACHED_PROCESS on Windows (no fork, no console), so it goes on after the command ends.
    Best effort: False when it cannot start (the next build's clear_trash tries again)."""
    paths = [p for p in paths if Path(p).name.startswith(TRASH)]
    if not paths:
        return False
    kwargs: dict = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL,
                    "close_fds": True}
    if sys.platform.startswith("win"):
        kwargs["creationflags"] = (getattr(subprocess, "DETACHED_PROCESS", 0x8)
                                   | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200))
    else:
        kwargs["start_new_session"] = True  # not ended with the clerk's terminal or process group
    try:
        handed.append(subprocess.Popen([sys.executable, "-I", "-S", "-c", _REMOVER, *map(str, paths)], **kwargs))
    except (OSError, ValueError):
        return False
    return True


_OWN = re.compile(re.escape(TRASH) + r"\d+-\d+-")  # discard_later's names: trash-<pid>-<n>-<name>


def clear_trash(work: Path, *, how: str = "now") -> None:
    """Remove what an earlier build left in the work folder (a process stopped while it was
    deleting, a remover killed, a file that was held open), except the folders this process
    is deleting now. Only folders named as discard_later and set_aside name them are touched
    (no links). `how`: "now", "thread" (`bangfu serve`: discard_later's threads) or
    "process" (a build run once: a detached remover, `remove_detached`)."""
    try:
        found = [p for p in Path(work).iterdir()
                 if _OWN.match(p.name) and p.is_dir() and not p.is_symlink() and p not in _removing]
    except OSError:
        return
    if how == "process" and remove_detached(found):
        return
    for path in found:
        if how == "thread":
            _remove_in_background(path)
        else:
            shutil.rmtree(path, ignore_errors=True)


def swap_all(pairs, *, discard=None) -> None:
    """Swap several finished folders in, all or none: [(staging, target, backup), ...].
    When one cannot be swapped (a read-only folder), those already swapped are swapped back,
    the error is raised, and every target is as it was; the stagings stay for the caller
    to remove. After success the old contents are removed (by `discard`, e.g. discard_later,
    when given)."""
    done: list[tuple[str, Path, Path, Path]] = []
    try:
        for staging, target, backup in pairs:
            remove(backup)
            if not target.exists():
                os.replace(staging, target)
                done.append(("new", staging, target, backup))
            elif _exchange(staging, target):
                done.append(("exchanged", staging, target, backup))
            else:
                os.replace(target, backup)
                try:
                    os.replace(staging, target)
                except OSError:
                    os.replace(backup, target)
                    raise
                done.append(("moved", staging, target, backup))
    except OSError:
        for how, staging, target, backup in reversed(done):
            if how == "new":
                os.replace(target, staging)
            elif how == "exchanged":
                _exchange(staging, target)
            else:
                os.replace(target, staging)
                os.replace(backup, target)
        raise
    for how, staging, _target, backup in done:
        if how == "exchanged":
            (discard or remove)(staging)  # now holds the old folder
        elif how == "moved":
            (discard or remove)(backup)
