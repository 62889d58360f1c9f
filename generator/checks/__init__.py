"""Checks over typed records. Each module has `check(records, ctx) -> iterable of Problem`.

The reader already reported per-cell faults (types, enums, identity numbers);
checks see only values that converted, and report rules across cells, rows,
sheets and workbooks. `run_checks` runs them all in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..records import Records
from . import business, deadlines, escalation, examples, funds, people, references, timeline

ALL = (references, people, business, timeline, deadlines, funds, escalation, examples)


@dataclass(frozen=True)
class Context:
    today: date


def run_checks(records: Records, today: date | None = None) -> list:
    ctx = Context(today or date.today())
    out = []
    for module in ALL:
        out.extend(module.check(records, ctx))
    return out
