"""`bangfu build`: check the records, render the public site with mkdocs, prove it leaks
nothing, and swap it in atomically (plus the private records when asked).

    code = build_all(Path("records"), site_dir=Path("site"), private_dir=Path("private"),
                     today=None, pdf=True, echo=print)

Exit codes: 0 built (or already up to date), 1 errors in the records or a leak
found, 2 unreadable records or an unusable output folder. Work files live in
`.bangfu/` next to the site folder: the build lock, the generated Markdown
(`.bangfu/docs`), the staging folders and the state of the last good build.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from .folders import Refused, check_folders, publish_target, work_dir
from .lock import BuildLock, LockBusy
from .steps import Build, environment_fault

LOCK_WAIT = 10.0


def build_all(records_dir: Path, *, site_dir: Path, private_dir: Path | None, today: date | None,
              pdf: bool, echo=print, timings: dict | None = None, lock_wait: float = LOCK_WAIT,
              discard_later: bool = False, on_swap=None) -> int:
    """`discard_later`: the old site is deleted in the background after the swap (`bangfu
    serve`: the new site is served before the old one is gone). `on_swap`: called the moment
    the new folders are in place, before the build keeps its state (`bangfu serve` tells the
    pages to reload then)."""
    started = time.monotonic()
    timings = {} if timings is None else timings
    today = today or date.today()
    records_dir, site_dir = Path(records_dir), publish_target(Path(site_dir), echo)
    private_dir = publish_target(Path(private_dir), echo) if private_dir is not None else None
    try:
        check_folders(records_dir, site_dir, private_dir)
    except Refused as err:
        echo(str(err))
        return 2
    work = work_dir(site_dir)
    locks = [BuildLock(work, wait=lock_wait, echo=echo)]
    if private_dir is not None and work_dir(private_dir) != work:
        locks.append(BuildLock(work_dir(private_dir), wait=lock_wait, echo=echo))
    held = []
    try:
        for lock in locks:
            lock.acquire()
            held.append(lock)
        build = Build(records_dir, site_dir, private_dir, today, pdf, echo, timings, started)
        build.discard_later = discard_later
        build.on_swap = on_swap
        return build.run()
    except LockBusy as err:
        echo(str(err))
        return 2
    except OSError as err:  # the work folder cannot be made (a read-only parent folder)
        echo(environment_fault(err))
        return 2
    finally:
        for lock in reversed(held):
            lock.release()
