"""The filing order's head start: the pinyin keys of the register's names worked out in the
build's process while its read waits for a child's book, before the private writer is forked.

The keys are those dossiers.filing_order sorts by: names.name_key keeps one key per distinct
name (names._name_key), whatever the tie-break the sort adds (the archive number), so a key
worked out here is the one the writer's sort takes.
"""

from __future__ import annotations

from .. import names
from ..records import Records

__all__ = ["WARM_BATCH", "warm_filing_order"]


WARM_BATCH = 256  # names keyed between two looks at whether the read's child is done


def warm_filing_order(records: Records, ready) -> None:
    """The pinyin keys of the register's names (names.name_key, kept per name), worked out in
    the build's process while its read waits for a child's book (read_records' `idle`), before
    the private writer is forked: the writer inherits them, and its filing order of a fresh
    build is a sort instead of about a CPU-second of pypinyin at 20,000 workers. The names are
    keyed in the register's order, as the writer's sort keys them, so the readings it keeps
    (names.readings) are the same; stops as soon as `ready()` says the child is done (the
    writer keys the rest). Whatever fails here is left to the writer, which meets it again and
    reports it as its own error."""
    seen: set = set()
    try:
        for n, worker in enumerate(records.workers, 1):
            name = worker.name or ""
            if name not in seen:
                seen.add(name)
                names.name_key(name)
            if n % WARM_BATCH == 0 and ready():
                return
    except Exception:  # noqa: BLE001 - only a head start: the writer works the keys out itself
        return
