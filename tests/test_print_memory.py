"""When a build with PDFs starts its browser and begins to print, by its memory budget
(private/memory.py): the browser starts before the read only where a fresh build's Python
processes and a printing browser fit in the budget together (early_browser); otherwise the forked
writer starts it only when it prints, and prints only once the build's process has let go of its
records (promise_room, room_made, wait_for_room). The PDFs are the same either way."""
from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.build import private_job, steps
from generator.build.run import build_all
from generator.private import browser, memory, parallel, pdf, printing

from private_station import TODAY, write_station

CHROMIUM = os.environ.get("BANGFU_CHROMIUM", "/usr/lib/chromium/chromium")
MB = 2**20

linux_fork = pytest.mark.skipif(not sys.platform.startswith("linux") or parallel.jobs() <= 1,
                                reason="the writer is forked, and the browser started early, on Linux")


# A budget roomy enough for the build's Python processes measured with this test's process
ROOMY_MB = 64 * 1024


def test_the_decision_by_budget_and_workbook_size():
    assert memory.python_peak_mb(0) == memory.PYTHON_BASE_MB
    assert memory.python_peak_mb(20 * MB) == memory.PYTHON_BASE_MB + 20 * memory.PYTHON_MB_PER_BOOK_MB
    # measured peaks of a fresh build's Python processes: the estimate is never below them
    for book_mb, measured in ((0.2, 358), (2, 463), (20, 1745)):
        assert memory.python_peak_mb(int(book_mb * MB)) >= measured
    # one rule for whether a browser fits, before the read, before the prints and for the lanes
    assert memory.browsers_within(2000, 1000, 1000) == 1 and memory.browsers_within(2000, 1001, 1000) == 0
    assert memory.browsers_within(2000, 3000, 1000) == 0 and memory.browsers_within(4000, 1000, 1000) == 3
    assert printing.lanes_within(2000, 1001, 1000) == 1  # the lanes: at least one, the volumes must print
    assert printing.lanes_within(4000, 1000, 1000) == 3
    budget, browser_mb = printing.MEMORY_BUDGET_MB, printing.BROWSER_MB
    assert memory.early_browser(220_000, budget, browser_mb)  # the demo: started early, as before
    assert memory.early_browser(2_100_000, budget, browser_mb)  # 2,000 workers
    assert not memory.early_browser(20_000_000, budget, browser_mb)  # 20,000 workers: 1.79 + 0.9 GB
    assert memory.early_browser(20_000_000, 4096, browser_mb)  # a bigger budget holds both
    assert not memory.early_browser(220_000, 1000, browser_mb)  # a tiny one holds no browser early
    # the largest station started early is the one whose estimate and browser just fit
    limit = next(mb for mb in range(1, 100) if not memory.early_browser(mb * MB, budget, browser_mb))
    assert memory.python_peak_mb((limit - 1) * MB) + browser_mb <= budget
    assert memory.python_peak_mb(limit * MB) + browser_mb > budget


def test_the_budget_comes_from_the_environment(monkeypatch):
    def early(book_bytes: int) -> bool:
        return memory.early_browser(book_bytes, printing.memory_budget_mb(), printing.BROWSER_MB)

    monkeypatch.setenv("BANGFU_MEMORY_MB", "4096")
    assert early(20_000_000)
    monkeypatch.setenv("BANGFU_MEMORY_MB", "1300")
    assert not early(2_100_000)  # 0.5 GB of Python and a 0.9 GB browser: no room
    monkeypatch.delenv("BANGFU_MEMORY_MB")
    assert early(2_100_000) and not early(20_000_000)


def _writer(conn, fits: bool) -> None:
    """A forked 'writer': takes the promise, reports whether it may start its browser, waits for
    room as printing.write does and reports again."""
    memory.take_room()
    conn.send(("before", memory.browser_may_start()))
    waited = memory.wait_for_room(lambda: fits)
    conn.send(("after", waited, memory.browser_may_start()))
    conn.close()


def _fork(fits: bool):
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_writer, args=(send, fits))
    child.start()
    send.close()
    return child, receive


@linux_fork
@pytest.mark.parametrize("late, fits, waits", [(True, True, True), (False, False, True), (False, True, False)])
def test_the_writer_prints_once_the_build_let_go(late, fits, waits):
    memory.promise_room(late=late)
    try:
        child, conn = _fork(fits)
        assert conn.recv() == ("before", not late)  # a late browser is not started ahead
        if waits:
            assert not conn.poll(0.5)  # still waiting for this process to let go
            memory.room_made()
        assert conn.recv() == ("after", waits, True)  # printing now, its browser may start
        child.join(10)
        assert child.exitcode == 0
    finally:
        memory.room_made()
    assert memory._room == {}
    memory.room_made()  # twice: nothing


@linux_fork
def test_no_promise_no_wait():
    """Without a promise (serve, spawn, one core, a writer run in the build's process) nothing
    waits, and a process not forked as the writer takes nothing."""
    assert memory._room == {}
    assert memory.browser_may_start()
    assert not memory.wait_for_room(lambda: False)
    memory.take_room()
    assert memory._room == {}


def _pdf_texts(folder: Path) -> dict:
    texts = {}
    for path in sorted(folder.rglob("*.pdf")):
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout
        texts[str(path.relative_to(folder))] = text
    return texts


@pytest.mark.browser
@linux_fork
def test_a_build_whose_browser_does_not_fit_early_prints_the_same(tmp_path, monkeypatch):
    """A real fresh build with Chromium, once as the budget allows (the browser started before the
    read) and once with a budget too small for it: no browser before the writer prints, the
    writer's prints begin after the build's process let go of its records, and every PDF reads the
    same."""
    if not Path(CHROMIUM).is_file() or shutil.which("pdftotext") is None:
        pytest.skip(f"Chromium ({CHROMIUM}) or pdftotext is not installed")
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "chromium")
    monkeypatch.setenv("BANGFU_BROWSER", CHROMIUM)
    monkeypatch.setattr(private_job, "START_METHOD", "fork")
    monkeypatch.setattr(pdf, "_state", {})
    log = tmp_path / "events.log"

    def note(line: str) -> None:  # from this process and from the forked writer
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()} {time.monotonic():.6f} {line}\n")

    real_session, real_made, real_wait = browser.Session.__init__, memory.room_made, memory.wait_for_room

    def session(self, browser_, launched=None, beside=None):
        note(f"session early={launched is not None}")
        real_session(self, browser_, launched, beside)

    def made():
        if memory._room.get("owner") == os.getpid():
            note("room")
        real_made()

    def wait(fits, **how):
        waited = real_wait(fits, **how)
        note(f"printing waited={waited}")
        return waited

    monkeypatch.setattr(browser.Session, "__init__", session)
    monkeypatch.setattr(memory, "room_made", made)
    monkeypatch.setattr(memory, "wait_for_room", wait)
    prestarts = []
    real_prestart = steps.pdf_output.prestart_for_child
    monkeypatch.setattr(steps.pdf_output, "prestart_for_child", lambda: (prestarts.append(1), real_prestart()))
    records = write_station(tmp_path / "records")

    def build(name: str) -> list:
        log.unlink(missing_ok=True)
        prestarts.clear()
        assert build_all(records, site_dir=tmp_path / name / "site", private_dir=tmp_path / name / "private",
                         today=TODAY, pdf=True, echo=lambda line: None) == 0
        return [line.split(" ", 2) for line in log.read_text(encoding="utf-8").splitlines()]

    # a budget that fits a printing browser beside the build's processes whatever this test
    # process holds (a long test run's process can hold over a GiB, measured with the build's)
    monkeypatch.setenv("BANGFU_MEMORY_MB", str(ROOMY_MB))
    early = build("early")
    assert prestarts  # the station is small: the browser started before the read, as ever
    assert any(e == "printing waited=False" for _, _, e in early), early
    monkeypatch.setenv("BANGFU_MEMORY_MB", "1")  # nothing fits: a late browser, printed after the let-go
    late = build("late")
    assert not prestarts
    here = str(os.getpid())
    room = [float(t) for pid, t, e in late if pid == here and e == "room"]
    printing_ = [(float(t), e) for pid, t, e in late if pid != here and e.startswith("printing")]
    writer_sessions = [(float(t), e) for pid, t, e in late if pid != here and e.startswith("session")]
    assert room and printing_ == [(printing_[0][0], "printing waited=True")], late
    assert printing_[0][0] >= room[0]  # the writer printed after this process let go
    assert writer_sessions and all(e == "session early=False" and t >= room[0] for t, e in writer_sessions), late
    texts = _pdf_texts(tmp_path / "early" / "private")
    assert texts and texts == _pdf_texts(tmp_path / "late" / "private")


def _events(tmp_path: Path, monkeypatch):
    """Note every wait_for_room of a build's writer (and whether it waited) in a log file that the
    forked writer writes too; returns a function that reads and clears the notes."""
    log = tmp_path / "waits.log"
    real_wait = memory.wait_for_room

    def wait(fits, **how):
        waited = real_wait(fits, **how)
        browser = how.get("browser", True)
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()} browser={browser} waited={waited}\n")
        return waited

    monkeypatch.setattr(memory, "wait_for_room", wait)
    monkeypatch.setattr(private_job, "START_METHOD", "fork")
    monkeypatch.setattr(pdf, "_state", {})

    def read() -> list[str]:
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        return [line.split(" ", 1)[1] for line in lines if line.split(" ", 1)[0] != str(os.getpid())]

    return read


@linux_fork
def test_weasyprint_prints_do_not_wait_for_the_budget(tmp_path, monkeypatch):
    """With WeasyPrint only, a budget too small for any browser holds nothing back: no browser is
    late, and the forked writer prints without waiting for the build's process to let go."""
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "weasyprint")
    monkeypatch.setenv("BANGFU_MEMORY_MB", "1")
    monkeypatch.setattr(pdf, "find_browser", lambda *a, **k: None)
    lates = []
    real_prestart = steps.Build._prestart_browser

    def prestart(self):
        real_prestart(self)
        lates.append(self.browser_late)

    monkeypatch.setattr(steps.Build, "_prestart_browser", prestart)
    waits = _events(tmp_path, monkeypatch)
    records = write_station(tmp_path / "records")
    assert build_all(records, site_dir=tmp_path / "site", private_dir=tmp_path / "private",
                     today=TODAY, pdf=True, echo=lambda line: None) == 0
    assert lates == [False]
    assert waits() == ["browser=False waited=False"]
    assert list((tmp_path / "private").rglob("*.pdf"))


def test_late_only_on_a_fresh_build(tmp_path, monkeypatch):
    """The fresh-build estimate makes a browser `late` only on a fresh build (nothing to carry);
    a rebuild that finds it too big is not late (its writer measures when it prints); without a
    browser nothing is late."""
    from generator.private import carry

    monkeypatch.setattr(private_job, "START_METHOD", "fork")
    monkeypatch.setattr(steps.parallel, "jobs", lambda: 2)
    monkeypatch.setattr(steps, "installed_cache", lambda: None)
    monkeypatch.setenv("BANGFU_MEMORY_MB", "1")  # the estimate never fits
    records = write_station(tmp_path / "records")
    private = tmp_path / "private"
    private.mkdir()

    def late(engine: str) -> bool:
        monkeypatch.setattr(steps.pdf_output, "volume_engine", lambda: engine)
        build = steps.Build(records, tmp_path / "site", private, TODAY, True, lambda line: None, {}, time.monotonic())
        build._prestart_browser()
        return build.browser_late

    if not sys.platform.startswith("linux"):
        pytest.skip("the browser is started early on Linux only")
    assert late("chromium")  # fresh: the estimate applies
    assert not late("weasyprint")  # no browser prints
    (private / carry.NAME).write_text("{}", encoding="utf-8")  # a last build's documents to carry
    assert not late("chromium")


def test_one_fresh_signal_for_the_late_browser_and_the_warm_up(tmp_path, monkeypatch):
    """A fresh build (steps.Build._fresh: no fingerprints file in the private folder) is the one
    signal of both the early browser's `late` and the filing order's warm-up during the read
    (_idle_work): never built, and a private folder deleted by hand, are fresh; a last build's
    folder (whatever its settings) is not, whether or not its prelink started."""
    from generator.private import carry

    monkeypatch.setattr(private_job, "START_METHOD", "fork")
    monkeypatch.setattr(steps.parallel, "jobs", lambda: 2)
    monkeypatch.setattr(steps, "installed_cache", lambda: None)
    monkeypatch.setattr(steps.pdf_output, "volume_engine", lambda: "chromium")
    monkeypatch.setenv("BANGFU_MEMORY_MB", "1")  # the estimate never fits
    records = write_station(tmp_path / "records")
    private = tmp_path / "private"

    def signals() -> tuple[bool, bool, bool]:
        build = steps.Build(records, tmp_path / "site", private, TODAY, True, lambda line: None, {}, time.monotonic())
        build._prestart_browser()
        return build._fresh(), build.browser_late, build._idle_work() is not None

    if not sys.platform.startswith("linux"):
        pytest.skip("the browser is started early on Linux only")
    assert signals() == (True, True, True)  # never built
    private.mkdir()
    (private / carry.NAME).write_text("{}", encoding="utf-8")
    assert signals() == (False, False, False)  # a last build to carry from (no prelink started here)
    (private / carry.NAME).unlink()  # its folder emptied by hand
    assert signals() == (True, True, True)


@linux_fork
def test_the_tree_is_measured_by_pss_with_the_forked_processes(monkeypatch):
    """printing.python_mb's measure (memory.tree_mb): a forked child's pages shared with its
    parent count once, its own pages count, a process of another program (a browser) does not."""
    here = os.getpid()
    block = bytearray(os.urandom(1) * (200 * MB))  # touched: resident
    before = memory.tree_mb(here)
    assert before is not None and before >= 200
    context = multiprocessing.get_context("fork")
    go, grown = context.Event(), context.Event()

    def child():
        go.wait(30)
        own = bytearray(b"x" * (100 * MB))  # noqa: F841 - held while measured
        grown.set()
        time.sleep(30)

    process = context.Process(target=child)
    process.start()
    other = subprocess.Popen(["sleep", "30"])
    try:
        time.sleep(0.5)
        shared = memory.tree_mb(here)
        resident = (pdf.process_mb(here) or 0) + (pdf.process_mb(process.pid) or 0)
        assert resident >= before + 150  # resident sizes count the shared block twice
        assert shared < before + 60  # PSS once
        go.set()
        assert grown.wait(30)
        assert memory.tree_mb(here) >= shared + 90
        counted, real_kb = [], memory._process_kb
        monkeypatch.setattr(memory, "_process_kb", lambda pid: (counted.append(pid), real_kb(pid))[1])
        memory.tree_mb(here)
        assert here in counted and process.pid in counted and other.pid not in counted
    finally:
        process.kill()
        other.kill()
        process.join()
        other.wait()
    del block


@pytest.mark.browser
@linux_fork
def test_a_rebuild_is_not_late_its_writer_measures(tmp_path, monkeypatch):
    """A real build with Chromium at a station whose fresh-build estimate does not fit beside a
    browser: the fresh build's writer prints only after the build's process let go (`late`); a
    rebuild (one PDF to print again) is not late: its writer measures the build's processes, finds
    room in the budget and prints without waiting for the site stages."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium ({CHROMIUM}) is not installed")
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "chromium")
    monkeypatch.setenv("BANGFU_BROWSER", CHROMIUM)
    # a budget that fits a printing browser beside the build's processes as measured, whatever this
    # test process holds (a long test run's can hold over a GiB); the fresh-build estimate over it
    monkeypatch.setenv("BANGFU_MEMORY_MB", str(ROOMY_MB))
    monkeypatch.setattr(memory, "PYTHON_BASE_MB", 2 * ROOMY_MB)  # "a large station"
    prestarts: list = []
    monkeypatch.setattr(steps.pdf_output, "prestart_for_child", lambda: prestarts.append(1))
    waits = _events(tmp_path, monkeypatch)
    records = write_station(tmp_path / "records")
    private = tmp_path / "private"

    def build() -> list[str]:
        assert build_all(records, site_dir=tmp_path / "site", private_dir=private,
                         today=TODAY, pdf=True, echo=lambda line: None) == 0
        return waits()

    assert build() == ["browser=True waited=True"]  # fresh: late
    # a visit note edited: the dossier's volume printed again (a workbook that feeds the PDFs)
    from private_station import VISITS

    write_station(records, tables={"visits": [{**VISITS[0], "notes": "家中三人，收入属实，已复核"}] + VISITS[1:]})
    assert build() == ["browser=True waited=False"]  # measured: a browser fits beside them
    assert not prestarts
