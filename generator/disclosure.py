"""Disclosure batches (公示): who is listed, the period, the state on a given day.

A batch lists the workers whose 建档公示批次 names it (建档公示/结档公示) and the
payouts whose 公示批次 names it (帮扶公示). The period runs `days` calendar
days from the start, end included. On `today` a batch is 未开始, 公示中 (with
days left, counting today), or 已结束; after the end plus the station's
retention days the names leave the public site and only the summary stays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .records import Batch, Objection, Records, maker

NOT_STARTED = "未开始"
RUNNING = "公示中"
ENDED = "已结束"


@dataclass(frozen=True, slots=True)
class Entry:
    archive_no: str
    name: str  # full name: mask before publishing
    employer: str
    category: str  # 困难类别
    item: str  # 帮扶项目 for 帮扶公示, '' otherwise
    amount: Decimal | None
    objection_upheld: bool = False


@dataclass(frozen=True)
class BatchView:
    batch: Batch
    start: date
    end: date
    days: int
    state: str
    days_left: int  # 0 unless running
    names_public: bool  # within period + retention
    names_until: date
    entries: tuple[Entry, ...]
    objections: tuple[Objection, ...] = ()
    redisclosures: tuple[Batch, ...] = ()  # batches that re-disclose this one
    total: Decimal = field(default=Decimal(0))

    @property
    def upheld(self) -> int:
        return sum(1 for o in self.objections if o.result == "成立")


def batch_entries(records: Records, batch) -> tuple[Entry, ...]:
    objections = records.objections_by_batch.get(batch.batch_no, ())
    upheld = {o.archive_no for o in objections if o.result == "成立" and o.archive_no}
    workers = records.worker_by_no
    make = maker(Entry)  # a station's notices list its 100,000 payouts
    out = []
    if batch.kind == "帮扶公示":
        for p in records.payouts_by_batch.get(batch.batch_no, ()):
            w = workers.get(p.archive_no)
            out.append(make(p.archive_no, w.name if w else (p.name or ""),
                            w.employer if w else "", w.category if w else "", p.item or "",
                            p.amount, p.archive_no in upheld))
    else:
        listed = records.workers_by_batch.get(batch.batch_no, ())
        if batch.kind == "结档公示":  # files closed with this announcement (结档公示批次)
            listed = [*records.workers_by_close_batch.get(batch.batch_no, ()), *listed]
        for w in listed:
            out.append(make(w.archive_no, w.name or "", w.employer or "", w.category or "",
                            "", None, w.archive_no in upheld))
    out.sort(key=lambda e: e.archive_no)
    return tuple(out)


def period(records: Records, batch, today: date) -> tuple[date, date, int, str, int]:
    """(start, end, days, state, days left) of a batch with a start date, on `today`: a view
    without the entries (the private dossiers' fingerprints need no more)."""
    days = batch.days or records.settings.disclosure_days
    start = batch.start
    end = start + timedelta(days=days - 1)
    if today < start:
        state, left = NOT_STARTED, 0
    elif today <= end:
        state, left = RUNNING, (end - today).days + 1
    else:
        state, left = ENDED, 0
    return start, end, days, state, left


@dataclass(frozen=True)
class Period:
    """A batch's disclosure period and state on a day, without its entries (period())."""
    batch: Batch
    start: date
    end: date
    state: str


def periods(records: Records, today: date) -> dict[str, Period]:
    """Batch number -> the period of the batch of that number with a start date, on `today`:
    what views() says of each batch without working out its entries (a dossier shows the
    state and dates of its worker's batches; 20,000 dossiers need no list of every payout).
    Of two batches with one number the oldest counts, as in a dict made from views()."""
    found = sorted((b for b in records.batches if b.start is not None), key=lambda b: (b.start, b.batch_no),
                   reverse=True)
    out = {}
    for b in found:
        start, end, _, state, _ = period(records, b, today)
        out[b.batch_no] = Period(b, start, end, state)
    return out


def view(records: Records, batch, today: date) -> BatchView:
    start, end, days, state, left = period(records, batch, today)
    names_until = end + timedelta(days=records.settings.retention_days)
    entries = batch_entries(records, batch)
    objections = tuple(records.objections_by_batch.get(batch.batch_no, ()))
    redis = tuple(records.redisclosures.get(batch.batch_no, ()))
    total = sum((e.amount for e in entries if e.amount is not None), Decimal(0))
    return BatchView(batch, start, end, days, state, left, start <= today <= names_until,
                     names_until, entries, objections, redis, total)


def views(records: Records, today: date) -> list[BatchView]:
    """All batches with a start date, newest first. Computed once per records and day (the
    site, the wall printouts and the dossiers all ask; the views are immutable)."""
    cache = records.__dict__.setdefault("_disclosure_views", {})
    if today not in cache:
        out = [view(records, b, today) for b in records.batches if b.start is not None]
        out.sort(key=lambda v: (v.start, v.batch.batch_no), reverse=True)
        cache[today] = tuple(out)
    return list(cache[today])
