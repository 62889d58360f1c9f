"""签收单: receipt sign-off sheets for paying out assistance (有签收).

One sheet per 帮扶公示 batch (its payouts; none for a batch whose every payout was
cancelled by an upheld objection: nobody to pay, no empty sheet), one per payout date for payouts
that need no disclosure, and one 待发放 sheet for such payouts not yet paid.
Rows carry name, identity number, item, the amount in figures and in Chinese
capitals, and blank signature and date columns; the sheet ends with the total
in figures and capitals and the 经办人/审核人/负责人 lines.
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from .. import render
from ..money import capitals, total, yuan
from ..names import name_key
from ..records import Records
from .common import Ctx, Doc, attrs, environment, plain_digest, station, station_key, write_doc
from .paths import safe_filename, unique_names
from .row_bytes import rows_bytes, tuple_bytes

FOLDER = "签收单"
INDEX = "index.html"
PENDING = "待发放"


@dataclass
class Sheet:
    key: str  # stable key: batch number, ISO date or PENDING
    title: str
    subtitle: str
    meta: list = field(default_factory=list)  # (label, text)
    payouts: list = field(default_factory=list)
    left_out: list = field(default_factory=list)  # payouts not listed (objection upheld)
    stem: str = ""

    @property
    def total(self) -> Decimal:
        return total(p.amount for p in self.payouts)


def _upheld(records: Records) -> set:
    return {(o.batch, o.archive_no) for o in records.objections if o.result == "成立" and o.archive_no}


def unpayable_batches(records: Records) -> list[tuple[str, int]]:
    """(batch number, payouts cancelled) for batches where an upheld objection left nobody
    to pay: they get no receipt sheet."""
    upheld = _upheld(records)
    by_batch: dict[str, list] = {}
    for p in records.payouts:
        if p.batch:
            by_batch.setdefault(p.batch, []).append(p)
    return [(no, len(ps)) for no, ps in sorted(by_batch.items())
            if all((no, p.archive_no) in upheld for p in ps)]


def receipt_sheets(records: Records, order: list | None = None, sort: bool = True) -> list[Sheet]:
    """The sheets in order: batches by start date, then payout dates, then 待发放; `order`: the
    build's filing order of the workers (dossiers.filing_order), when already worked out. With
    `sort` False, each sheet's payouts are in table order (sort_sheets files them): what the index
    shows of a sheet (its count and total) does not depend on that order."""
    upheld = _upheld(records)
    by_batch: dict[str, list] = {}
    by_date: dict[date, list] = {}
    pending: list = []
    for p in records.live_payouts:
        if p.batch:
            by_batch.setdefault(p.batch, []).append(p)
        elif p.paid:
            by_date.setdefault(p.paid, []).append(p)
        else:
            pending.append(p)
    sheets = []
    batches = sorted(by_batch, key=lambda no: (_start(records, no), no))
    for no in batches:
        batch = records.batch_by_no.get(no)
        listed = [p for p in by_batch[no] if (no, p.archive_no) not in upheld]
        left = [p for p in by_batch[no] if (no, p.archive_no) in upheld]
        if not listed:
            continue  # nobody to pay: no sheet (see unpayable_batches)
        meta = [("公示批次", no)]
        if batch is not None and batch.start is not None:
            end = records.batch_end(batch)
            meta.append(("公示期", f"{render.zh_date(batch.start)}至{render.zh_date(end)}"))
        sheets.append(Sheet(no, "帮扶资金发放签收单", batch.title if batch and batch.title else f"公示批次 {no}",
                            meta, listed, left))
    for day in sorted(by_date):
        sheets.append(Sheet(day.isoformat(), "帮扶资金发放签收单", f"{render.zh_date(day)}发放",
                            [("发放日期", render.zh_date(day))], by_date[day]))
    if pending:
        sheets.append(Sheet(PENDING, "帮扶资金发放签收单", "待发放（尚未填写发放日期）",
                            [("说明", "发放后请在帮扶记录中填写发放日期和签收情况")], pending))
    for sheet in sheets:
        funds = sorted({p.fund for p in sheet.payouts if p.fund})
        if funds:
            sheet.meta.append(("资金账户", "、".join(funds)))
    if sort:
        sort_sheets(records, sheets, order)
    stems = unique_names([s.key for s in sheets], stem=_stem)
    for sheet in sheets:
        sheet.stem = stems[sheet.key]
    return sheets


def sort_sheets(records: Records, sheets: list[Sheet], order: list | None = None, memo: dict | None = None) -> None:
    """Each sheet's payouts in filing order of their names and archive numbers (the record number
    breaking ties), sheet by sheet: sorting some sheets alone gives them the order sorting all
    would (a payout's place depends on its own name and number only). `memo` (a dict kept by
    the caller while the records stay the same): what the ranks are worked out from, kept for
    the next call, so that 700 sheets sorted one by one do not go through 20,000 workers each."""
    memo = {} if memo is None else memo
    rank = _filed_ranks(records, sheets, order, memo) if order is not None else None
    if rank is None:
        rank = _filing_ranks(records, sheets, memo)
    for sheet in sheets:
        sheet.payouts.sort(key=lambda p: (rank[id(p)], p.record_no or ""))


def _filing_ranks(records: Records, sheets: list[Sheet], memo: dict | None = None) -> dict:
    """id(payout) -> the place of its name and archive number in filing order (names.name_key;
    equal keys share a place, so the record number breaks their tie as before). Each name's key
    is sorted once for all sheets: sorting 100,000 payouts by the keys themselves compared
    nested tuples, sheet by sheet."""
    keys: dict = {} if memo is None else memo.setdefault("keys", {})  # (name, archive number) -> its key
    pairs: dict = {}  # id(payout) -> (name, archive number)
    for sheet in sheets:
        for p in sheet.payouts:
            pair = pairs[id(p)] = (_name(records, p), p.archive_no or "")
            if pair not in keys:
                keys[pair] = name_key(*pair)
    places = {key: i for i, key in enumerate(sorted({keys[pair] for pair in pairs.values()}))}
    return {ident: places[keys[pair]] for ident, pair in pairs.items()}


def _filed_ranks(records: Records, sheets: list[Sheet], order: list, memo: dict | None = None) -> dict | None:
    """id(payout) -> its worker's number in the filing order `order`, which sorts the workers by
    names.name_key of the very pairs _filing_ranks sorts (name, archive number): the same order
    of the payouts without sorting their names again. None when a payout is not filed under its
    worker's name (no such worker, or a worker without a name): _filing_ranks then."""
    filed = None if memo is None else memo.get("filed")
    if filed is None:
        filed = {}  # archive number -> (number in the filing order, the name it is filed under)
        for f in order:
            filed[f.worker.archive_no or ""] = (f.number, f.worker.name)
        if memo is not None:
            memo["filed"] = filed
    worker = records.worker_by_no.get
    ranks = {}
    for sheet in sheets:
        for p in sheet.payouts:
            w = worker(p.archive_no)
            found = filed.get(p.archive_no or "")
            if w is None or not w.name or found is None or found[1] != w.name:
                return None
            ranks[id(p)] = found[0]
    return ranks


def _start(records: Records, batch_no: str) -> date:
    batch = records.batch_by_no.get(batch_no)
    return batch.start if batch is not None and batch.start is not None else date.min


def _stem(key: str) -> str:
    if key == PENDING:
        return PENDING
    try:
        return "发放_" + date.fromisoformat(key).isoformat()
    except ValueError:
        return "公示_" + safe_filename(key)


def _name(records: Records, p) -> str:
    w = records.worker_by_no.get(p.archive_no)
    return (w.name if w is not None and w.name else p.name) or ""


def _person(records: Records, p, known: dict) -> tuple:
    """(name as listed, ID number) of a payout's row: _name and the worker's ID number, kept in
    `known` by archive number for the payouts of a worker with a name (most of them)."""
    found = known.get(p.archive_no)
    if found is None:
        w = records.worker_by_no.get(p.archive_no)
        found = (_name(records, p), getattr(w, "id_number", None))
        if w is not None and w.name:  # the name is the worker's whatever the payout says
            known[p.archive_no] = found
    return found


def _rows(records: Records, sheet: Sheet, words: dict | None = None) -> list[Ctx]:
    """The sheet's rows as its template shows them; `words`: amounts in capitals already
    written out (cn2an took a third of the receipts' time, and most amounts recur)."""
    words = {} if words is None else words
    rows = []
    for p in sheet.payouts:
        w = records.worker_by_no.get(p.archive_no)
        amount = p.amount
        if amount is None:
            spelled = ""
        else:
            spelled = words.get(amount)
            if spelled is None:
                spelled = words[amount] = capitals(amount)
        rows.append(Ctx(archive_no=p.archive_no or "", name=_name(records, p),
                        id_number=(w.id_number if w is not None else "") or "",
                        item=p.item or "", amount=yuan(amount), capitals=spelled, method=p.method or ""))
    return rows


OUTLINES = ".receipt-sheets"  # in the fingerprints file: the payments' inputs digest and each sheet's outline


@dataclass(frozen=True)
class Outline:
    """What a build needs of a sheet it carries: its key and file stem, and whether a payout on
    it is not signed for yet (its PDF is then printed on its own, printing.targets)."""
    key: str
    stem: str
    unsigned: bool


def outline(sheet: Sheet) -> Outline:
    return Outline(sheet.key, sheet.stem, any(not p.signed for p in sheet.payouts))


class Plan:
    """The receipt sheets of `records` (a record_views view of the payments' tables), worked out
    only when needed. With a `carry` and the digest `inputs` of those tables equal to the last
    build's, the outlines (key, stem, unsigned) come from the fingerprints file and the sheets
    (100,000 payouts grouped, sorted by pinyin) are worked out only if a sheet or the index
    cannot be carried after all (a file changed by hand). `order`: the build's filing order
    (receipt_sheets)."""

    def __init__(self, records: Records, carry=None, inputs: str | None = None, order: list | None = None):
        self.records, self.order = records, order
        self._sheets: list[Sheet] | None = None
        self._by_key: dict | None = None
        self.filed: set[str] = set()  # keys of the sheets whose payouts are filed (sort_sheets)
        self._ranking: dict = {}  # what sort_sheets works the ranks out from, kept between sheets
        old = carry.old.get(OUTLINES) if carry is not None and inputs else None
        outlines = None
        if isinstance(old, dict) and old.get("salt") == carry.salt and old.get("inputs") == inputs \
                and isinstance(old.get("sheets"), list):
            try:
                outlines = [Outline(str(k), str(stem), bool(u)) for k, stem, u in old["sheets"]]
            except (TypeError, ValueError):
                outlines = None
        self.outlines = outlines if outlines is not None else [outline(s) for s in self.sheets()]
        if carry is not None and inputs:
            carry.new[OUTLINES] = {"salt": carry.salt, "inputs": inputs,
                                   "sheets": [[o.key, o.stem, o.unsigned] for o in self.outlines]}

    @property
    def grouped(self) -> bool:
        """Whether the payouts were grouped into sheets by this build (not taken from the last)."""
        return self._sheets is not None

    def sheets(self) -> list[Sheet]:
        """The sheets, their payouts in table order unless filed already (what the index shows)."""
        if self._sheets is None:
            self._sheets = receipt_sheets(self.records, self.order, sort=False)
        return self._sheets

    def sheet(self, key: str) -> Sheet:
        """The sheet `key`, its payouts filed (sorted only when first asked for: a payout edit
        renders one sheet, and the others are carried without filing their payouts)."""
        if self._by_key is None:
            self._by_key = {s.key: s for s in self.sheets()}
        sheet = self._by_key[key]
        if key not in self.filed:
            sort_sheets(self.records, [sheet], self.order, self._ranking)
            self.filed.add(key)
        return sheet

    def sheet_unsorted(self, key: str) -> Sheet:
        """The sheet `key` as grouped (its payouts filed only if asked for by `sheet`)."""
        if self._by_key is None:
            self._by_key = {s.key: s for s in self.sheets()}
        return self._by_key[key]

    @property
    def unsigned(self) -> set[str]:
        """Stems of the sheets with a payout not signed for yet."""
        return {o.stem for o in self.outlines if o.unsigned}


ROWS = "rows"  # in a sheet's entry of the fingerprints file: the digest of its rows as grouped (sheet_rows)


def sheet_rows(carry, others: str, key: tuple, sheet: Sheet, records: Records) -> str:
    """A digest of what a sheet is worked out from: its payouts and those left out, in table order
    (as the dossiers' slices encode them, dossier_slices.table_values, each marshalled once a build:
    row_bytes), with `others` (a digest of the other tables a sheet reads: the register, batches,
    objections, settings), the station and the
    sheet's key and file stem. Equal digests, equal sheets: after a payout edit the sheets
    whose payouts are the last build's keep their fingerprints without being filed and
    fingerprinted again."""
    rows = tuple_bytes([rows_bytes(records, "payouts", sheet.payouts), rows_bytes(records, "payouts", sheet.left_out)])
    return carry.plain_fingerprint("receipt-rows", others, repr(key), sheet.key, sheet.stem,
                                   hashlib.blake2b(rows).digest())


def write_receipts(records: Records, out_dir: Path, *, today: date, carry=None,
                   inputs: str | None = None, plan: Plan | None = None, others: str | None = None) -> list[Doc]:
    """Write 签收单/<sheet>.html and 签收单/index.html; returns the documents (index last).
    With a `carry` (carry.Carry), a sheet whose content did not change is carried over;
    `inputs`: a digest of every table `records` (a record_views view) exposes, so a sheet
    (and the index) whose inputs are the last build's is carried without fingerprinting its
    payouts; `plan` (a Plan made with them): the sheets, worked out only when needed; `others`:
    a digest of those tables but the payouts, so that when the payouts were grouped again a sheet
    whose own rows are the last build's (sheet_rows) keeps its fingerprint."""
    env = environment(records)
    template = env.get_template("private/receipt.html")
    folder = Path(out_dir) / FOLDER
    st = station(records, today)
    key = station_key(st)
    shown_station = attrs(st)
    if plan is None:
        plan = Plan(records)
    words: dict = {}  # amount -> capitals, shared by the sheets
    known: dict = {}  # _person
    written = []
    for item in plan.outlines:
        path = folder / f"{item.stem}.html"

        def render(item=item, path=path):
            sheet = plan.sheet(item.key)
            html = template.render(sheet=sheet, rows=_rows(records, sheet, words), total=sheet.total,
                                   total_capitals=capitals(sheet.total), station=shown_station)
            return write_doc(out_dir, path, html, today)

        if carry is None:
            written.append(render())
        else:
            def fingerprint(item=item):  # the sheet (its payouts) and its workers' names and ID numbers
                sheet = plan.sheet(item.key)
                people = [_person(records, p, known) for p in sheet.payouts]
                # the payouts as the dossiers' slices encode them (dossier_slices.table_values, once a
                # build): a payout edit fingerprints every sheet again, 100,000 payouts at a large station
                # (each row marshalled once a build: row_bytes)
                shown = [rows_bytes(records, "payouts", sheet.payouts), rows_bytes(records, "payouts", sheet.left_out)]
                try:  # names and ID numbers are text (or None): marshalled with the rows, in one pass
                    rows = hashlib.blake2b(tuple_bytes([*shown, marshal.dumps(tuple(people), 0)])).digest()
                    people_digest = b""
                except ValueError:  # a value marshal cannot write: each column through plain_digest
                    rows = hashlib.blake2b(tuple_bytes(shown)).digest()
                    people_digest = plain_digest(people)
                return carry.fingerprint("receipt", (sheet.key, sheet.title, sheet.subtitle, sheet.meta, sheet.stem),
                                         rows, people_digest, key)

            given = carry.fingerprint("receipt-inputs", inputs, key, item.key, item.stem) if inputs else None
            extra, shown_by = None, fingerprint
            if others is not None and plan.grouped and item.key not in plan.filed:
                # the rows of the sheet as grouped by this build (in table order: not filed yet)
                rows = sheet_rows(carry, others, key, plan.sheet_unsorted(item.key), records)
                extra = {ROWS: rows}
                old = carry.old_entry(path)
                if old is not None and old.get(ROWS) == rows and isinstance(old.get("fp"), str):
                    shown_by = old["fp"]  # the same rows: the same sheet, not filed and fingerprinted again
            written.append(carry.document(path, shown_by, render, inputs=given, extra=extra))
    shown: list = []

    def index_html() -> str:
        if not shown:
            shown.append(env.get_template("private/receipt_index.html").render(
                sheets=plan.sheets(), station=st, unpayable=unpayable_batches(records)))
        return shown[0]

    def write_index():
        return write_doc(out_dir, folder / INDEX, index_html(), today)

    if carry is None:
        written.append(write_index())
    else:  # what it shows is its HTML (a page of a few hundred lines); carried by the inputs and the day
        given = carry.fingerprint("receipt-index-inputs", inputs, key, today) if inputs else None
        written.append(carry.document(folder / INDEX, lambda: carry.fingerprint("receipt-index", index_html()),
                                      write_index, inputs=given))
    return written
