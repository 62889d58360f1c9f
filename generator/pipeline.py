"""The first stages of the one pipeline: read the workbooks, then check them.

    outcome = check_folder(Path("records"))
    outcome.records, outcome.problems, outcome.exit_code
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .checks import run_checks
from .gcpause import gc_paused
from .problems import Problem, has_errors, sort_key
from .reading import ReadCache, ReadResult, read_records
from .records import Records

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_UNREADABLE = 2


@dataclass
class CheckOutcome:
    records: Records
    problems: list[Problem]
    unreadable: bool

    @property
    def exit_code(self) -> int:
        if self.unreadable:
            return EXIT_UNREADABLE
        return EXIT_ERRORS if has_errors(self.problems) else EXIT_OK

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK


Step = Callable[[str, str], AbstractContextManager]


def _quiet_step(key: str, text: str) -> AbstractContextManager:
    return nullcontext()


def check_folder(folder: Path, today: date | None = None, *, step: Step = _quiet_step,
                 cache: ReadCache | None = None, kept=None) -> CheckOutcome:
    """Read every workbook in `folder`, then (when all could be read) check the records.
    `step(key, text)` wraps each stage (the build uses it to announce and time them); `cache`
    keeps parsed workbooks between calls (see reading.ReadCache); `kept`: a checks.CheckCache
    (see check_read)."""
    with gc_paused():  # one pause for both stages: no collection over the records in between
        with step("read", "读取记录"):
            result = read_records(Path(folder), cache=cache)
        return check_read(result, today, step=step, kept=kept)


def check_read(result: ReadResult, today: date | None = None, *, step: Step = _quiet_step,
               kept=None) -> CheckOutcome:
    """The second half of check_folder: check records already read (the merge's cache keeps
    what was read, which does not depend on the date, and checks it again on another day).
    `kept`: a checks.CheckCache, whose modules are not run again on unchanged tables."""
    with gc_paused():
        problems = list(result.problems)
        if not result.unreadable:
            with step("check", "检查记录"):
                # a cell the reader refused reads as blank: what a rule says about that blank
                # cell is a knock-on of the same fault, reported once, by the reader
                refused = {(p.file, p.sheet, p.cell) for p in problems if p.is_error and p.cell}
                problems.extend(p for p in run_checks(result.records, today, kept)
                                if (p.file, p.sheet, p.cell) not in refused)
    problems.sort(key=sort_key)
    return CheckOutcome(result.records, problems, result.unreadable)
