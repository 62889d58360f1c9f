"""What the private writer lets go of before its PDFs are printed.

Printing is most of a build with PDFs (20,000 workers: about half an hour of one browser), and
the writer's process lives through it beside the browser, within the build's memory budget
(printing.MEMORY_BUDGET_MB, the whole tree's). By then every document is rendered and its
fingerprint worked out: what the writer worked out per table to fingerprint and render them
(every row of the dossiers' tables as the slices encode it, the columns they were encoded from,
the batches as every dossier shows them, the printed date cells) is not asked for again, except
by a workbook set aside to be written while the browsers print, which works it out again if it
must (caches, never results). Let go of and handed back to the system before the browser
starts, it leaves the records themselves (inherited from the build's process) and the
fingerprints still to be saved.

When the browser starts and prints is decided here too, against the build's memory budget
(printing.memory_budget_mb, the whole tree's: its Python processes and the browser):

- before the read, the build's process starts the browser early (build.steps._prestart_browser)
  only where a browser will print (pdf.volume_engine) and a fresh build's Python processes at
  their peak (python_peak_mb, estimated from the workbooks' size) and a printing browser
  (printing.BROWSER_MB) fit in the budget together (early_browser). Otherwise the browser starts
  only once the writer prints; on a fresh build (nothing to carry) that is `late`.
- the private writer, forked by the build's process, prints with a browser only once the browser
  fits beside the Python processes as measured then (printing.python_mb: the build's process
  tree by PSS, tree_mb), or, when it does not or the build is `late`, once the build's process
  has let go of its records (build.steps._give_back, which tells it through a pipe: promise_room,
  room_made, wait_for_room). By then the writer's rendering pool has ended (its documents are
  rendered before they are printed). WeasyPrint's prints never wait.
"""

from __future__ import annotations

import os

from ..gcpause import give_back
from ..record_views import _origin
from .browser import KIB, proc_figure

# what dossiers.py (table_values, table_columns, _shown_batches) and row_bytes.py keep in the records' __dict__
KEPT_WITH_RECORDS = ("_row_values", "_row_columns", "_shown_batches", "_row_bytes")


def before_printing(records) -> None:
    """Drop what the documents' fingerprints and renders kept for the build (see the module), then
    collect and hand the memory back."""
    from . import dossiers

    kept = _origin(records).__dict__
    for name in KEPT_WITH_RECORDS:
        kept.pop(name, None)
    dossiers._DATE_LINES.clear()
    dossiers._CELL_LINES.clear()
    give_back()


# A fresh build's Python processes at their peak together (the build's process, the private writer
# and its two rendering processes, PSS, while the dossiers are rendered), by the size of the
# workbooks, measured with Python 3.11 on Linux: 358 MiB with the demo's 0.2 MB of workbooks,
# 463 with 2,000 workers (2 MB), 1,745 with 20,000 workers (20 MB); rounded up.
PYTHON_BASE_MB = 350
PYTHON_MB_PER_BOOK_MB = 72


def python_peak_mb(book_bytes: int) -> int:
    """The estimated peak of a fresh build's Python processes together, in MiB, for workbooks of
    `book_bytes` bytes in all (PYTHON_BASE_MB, PYTHON_MB_PER_BOOK_MB)."""
    return PYTHON_BASE_MB + PYTHON_MB_PER_BOOK_MB * max(0, book_bytes) // 2**20


def browsers_within(budget_mb: int, python_mb: int, browser_mb: int) -> int:
    """How many printing browsers of `browser_mb` each fit in `budget_mb` beside Python processes
    holding `python_mb` (0: none). The one rule for whether a browser fits: before the read
    (early_browser), before the writer prints (printing.write) and for its lanes
    (printing.lanes_within)."""
    return max(0, (budget_mb - python_mb) // max(1, browser_mb))


def tree_mb(root: int) -> int | None:
    """The memory of the process `root` and of every process descended from it that runs this
    process's program (the build's Python processes: not its browsers), in MiB: proportional set
    sizes (PSS), so that pages shared after a fork are counted once; resident sizes where the
    kernel gives no PSS. None where /proc cannot tell (not Linux)."""
    try:
        program = os.readlink("/proc/self/exe")
        names = os.listdir("/proc")
    except OSError:
        return None
    children: dict[int, list[int]] = {}
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                parent = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            if os.readlink(f"/proc/{pid}/exe") != program:
                continue
        except OSError:
            continue
        total += _process_kb(pid)
    return total // 1024


def _process_kb(pid: int) -> int:
    """PSS of `pid` in kB, else its RSS; 0 when it is gone."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        kb = proc_figure(path, key, KIB)
        if kb is not None:
            return kb
    return 0


def early_browser(book_bytes: int, budget_mb: int, browser_mb: int) -> bool:
    """Whether the browser may start before the read (build.steps._prestart_browser) and boot
    while the writer renders its documents: a printing browser of `browser_mb`
    (printing.BROWSER_MB) fits beside a fresh build's Python processes at their peak, estimated
    from the workbooks' `book_bytes` (python_peak_mb), in `budget_mb`
    (printing.memory_budget_mb()). With 2 GiB, the demo (0.2 MB) and 2,000 workers (2 MB) start
    it early; 20,000 workers (20 MB: about 1.75 GB of Python) do not."""
    return browsers_within(budget_mb, python_peak_mb(book_bytes), browser_mb) >= 1


# The promise of the build's process to its forked private writer that it lets go of its records
# before it waits for it (build.steps._lets_go): a pipe, whose byte (or end) the writer waits for
# before it prints when the browser does not fit beside the build's processes (wait_for_room).
# `late`: on a fresh build the browser did not fit beside the estimate (early_browser), so the
# writer starts none before then and waits without measuring.
_room: dict = {}


def promise_room(late: bool) -> None:
    """In the build's process, just before it forks the private writer (fork only)."""
    room_made()
    read, write = os.pipe()
    _room.update(read=read, write=write, owner=os.getpid(), late=late)


def room_made() -> None:
    """In the build's process, once it has let go of its records, or keeps nothing more for its
    writer (it waits for it, or the build ends): the writer prints now. (The byte, not only the
    pipe's end: a process forked from this one meanwhile, such as the wall printouts' worker, may
    hold the writing end too.)"""
    if _room.get("owner") != os.getpid():
        return
    read, write = _room.pop("read", None), _room.pop("write", None)
    _room.clear()
    for fd, byte in ((write, True), (read, False)):
        if fd is None:
            continue
        try:
            if byte:
                os.write(fd, b"1")
        except OSError:
            pass
        finally:
            os.close(fd)


def take_room() -> None:
    """In the forked private writer, first thing (build.private_job): the promise is this
    process's now; its copy of the writing end is closed. In any other process, nothing."""
    owner = _room.get("owner")
    if owner is None or owner == os.getpid():
        return
    write, read = _room.pop("write", None), _room.pop("read", None)
    if write is not None:
        os.close(write)
    if owner != os.getppid():  # a process forked from elsewhere: the promise is not to it
        _room.clear()
        if read is not None:
            os.close(read)
        return
    _room.update(read=read, owner=os.getpid())


def browser_may_start() -> bool:
    """Whether this process may start the browser ahead of its prints (pdf.prestart): not in a
    writer whose build's process found that it does not fit early (`late`), until it prints."""
    return not (_room.get("late") and _room.get("owner") == os.getpid())


def wait_for_room(fits, browser: bool = True) -> bool:
    """In the writer, before it prints (printing.write), where a `browser` prints: when the
    build's process found that the browser does not fit beside a fresh build's Python processes
    (`late`: the estimate of their peak, whose rendering goes on beside the prints) or `fits()`
    says a printing browser does not fit beside the build's Python processes as measured now
    (printing.python_mb), wait until the build's process has let go of its records (room_made) or
    has ended. Without a browser (WeasyPrint's prints) no wait: the promise is dropped. Returns
    whether it waited. In any other process, or without a promise, nothing."""
    if _room.get("owner") != os.getpid():
        return False
    read, late = _room.pop("read", None), _room.get("late")
    if read is None:
        _room.clear()
        return False
    waited = False
    try:
        if browser and (late or not fits()):
            from .. import trace

            waited = True
            with trace.span("wait-room"):
                os.read(read, 1)  # the byte, or b"" when the build's process ended
    except OSError:
        pass
    finally:
        os.close(read)
        _room.clear()
    return waited
