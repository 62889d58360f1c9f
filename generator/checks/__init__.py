"""Checks over typed records. Each module has `check(records, ctx) -> iterable of Problem`.

The reader already reported per-cell faults (types, enums, identity numbers);
checks see only values that converted, and report rules across cells, rows,
sheets and workbooks. `run_checks` runs them all in order.

A module that names the tables it reads (`TABLES`) is run on a view of exactly those
(record_views: reading another raises AttributeError, and the module is then run on all
the records instead, so a list that falls short costs time, never a wrong result). With a
CheckCache (`bangfu build` keeps one beside its read store), a module whose tables, date
and program are those of its last run is not run again: its problems are taken as they
were. After an edited visit note, only the modules reading every table (references,
examples) run again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from .. import keptfile, record_views
from ..records import Records
from . import business, deadlines, escalation, examples, funds, people, references, timeline

ALL = (references, people, business, timeline, deadlines, funds, escalation, examples)


@dataclass(frozen=True)
class Context:
    today: date


def run_checks(records: Records, today: date | None = None, kept: CheckCache | None = None) -> list:
    ctx = Context(today or date.today())
    out = []
    for module in ALL:
        tables = getattr(module, "TABLES", None)
        if kept is None:
            out.extend(module.check(records, ctx))
            continue
        key = kept.key(module.__name__, records, tables, ctx.today)
        got = kept.get(module.__name__, key)
        if got is None:
            got = _run(module, records, ctx, tables)
            kept.put(module.__name__, key, got)
        out.extend(got)
    return out


def _run(module, records: Records, ctx: Context, tables) -> list:
    if tables is None:
        return list(module.check(records, ctx))
    try:
        return list(module.check(record_views.view(records, tables, f"checks.{module.__name__}"), ctx))
    except AttributeError:  # it reads a table it does not name: run it on all of them
        return list(module.check(records, ctx))


@dataclass
class CheckCache(keptfile.Entries):
    """The problems of each check module by what they were worked out from: the digests of
    the tables it reads (all of them for a module naming none), the check date, the program
    and the working-day calendar's package. The problems quote values of the records: `save`
    writes them owner-only, and the build keeps them beside its read store."""
    ran: list = field(default_factory=list)  # modules run (not taken as kept) through this cache

    @staticmethod
    def key(name: str, records: Records, tables, today: date) -> str:
        from ..reading.cache import _program

        h = hashlib.blake2b(f"checks-1|{_program()}|{_calendar_version()}|{name}|{today.isoformat()}|"
                            f"{tables}".encode(), digest_size=20)
        for table in tables or record_views.TABLES:
            h.update(record_views.table_digest(records, table))
        return h.hexdigest()

    def get(self, name: str, key: str) -> list | None:
        found = self.taken(name, key)
        return list(found) if found is not None else None

    def put(self, name: str, key: str, problems: list) -> None:
        self.keep(name, key, list(problems))
        self.ran.append(name.rsplit(".", 1)[-1])


@cache
def _calendar_version() -> str:
    try:
        from importlib.metadata import version

        return version("chinesecalendar")
    except Exception:  # noqa: BLE001 - any failure only means no version in the key
        return "-"
