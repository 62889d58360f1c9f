"""Private printable records: 一人一档 dossiers, 签收单, the quarterly report.

    result = write_private(records, Path("private"), today=date.today(), pdf=True, site_url=None)
    print(result.summary())

The private folder holds personal data: it must never sit inside the public
site (`refuse_inside`), carries a plain README.txt saying so, and nothing in it
is linked from the site. The public wall printouts live with the site (generator/site/wall.py).

Which PDFs a build writes, and why, is in printing.py.
"""

from __future__ import annotations

import difflib
import gc
import hashlib
import marshal
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import names, outputs, places, record_views, report_text, trace
from ..periods import parse_quarter, quarter_of
from ..pipeline import check_folder
from ..problems import WARNING, count
from ..records import Records
from ..todo import work_list
from . import carry, closing, closing_year, dossiers, parallel, pdf as pdf_output, printing, receipts, report, todo_page
from .common import Doc, environment, station, station_key, write_doc, write_text
from .dossier_slices import SLICE_TABLES, TABLES_KEY, table_columns, table_values
from .memory import before_printing
from .paths import PRIVATE_MARKER, refuse_inside
from .row_bytes import row_bytes, tuple_bytes

__all__ = ["PrivateResult", "write_private", "write_dossiers_command", "write_report_command",
           "refuse_inside"]

NOTICE_NAME = "README.txt"
DEFAULT_SITE = Path("site")

NOTICE = """\
本文件夹中的材料含有困难职工的个人信息
==========================================

这里是 bangfu 生成的内部材料：待办清单、一人一档（档案）、帮扶资金签收单、季度统计表和办结表。
其中有姓名、身份证号、电话、住址、健康状况、家庭成员和收入等个人信息。

请注意：
1. 只在工会内部使用，妥善保管。职工本人可以查阅本人的档案。
2. 不要公开，不要上传到网站、网盘或群聊，不要放进公示网站的文件夹。
3. 不要通过电子邮件或即时通讯工具发给工会以外的人。
4. 打印的纸质材料与纸质档案一同保管；不用的打印件请粉碎，不要随手丢弃。
5. 结档（脱困、注销、退档）的档案保存 10 年。

本文件夹每次运行 bangfu build 时重新生成，请不要在这里修改或存放其他文件。
公开张贴和网上公示用的材料在网站文件夹中，那里不含这些个人信息。
"""


@dataclass
class PrivateResult:
    folder: Path
    notice: Path | None = None
    index: Path | None = None
    dossiers: list[Path] = field(default_factory=list)
    dossier_index: Path | None = None
    receipts: list[Path] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    closing_books: list[Path] = field(default_factory=list)  # 办结表, one a year
    todo: Path | None = None
    todo_counts: tuple[int, int] = (0, 0)  # entries, overdue
    pdfs: list[Path] = field(default_factory=list)
    pdf_rendered: int = 0
    pdf_note: str | None = None
    carried: int = 0  # documents carried over unchanged from the last build
    unworked: int = 0  # of those, workbooks carried by their inputs, their figures not worked out
    rendered: int = 0  # documents written anew
    seconds: float = 0.0
    known: dict = field(default_factory=dict)  # carry.Carry.known: the documents' sizes and times

    @property
    def paths(self) -> list[Path]:
        extra = [p for p in (self.notice, self.index, self.dossier_index, self.todo) if p is not None]
        return [*extra, *self.dossiers, *self.receipts, *self.reports, *self.closing_books, *self.pdfs]

    def summary(self) -> str:
        lines = [f"内部材料已写入 {self.folder}（含个人信息，仅限工会内部使用，请勿公开或上传）："]
        if self.todo is not None:
            lines.append(f"  待办清单：{self.todo_counts[0]} 项，其中逾期 {self.todo_counts[1]} 项，{self.todo}")
        lines.append(f"  一人一档 {len(self.dossiers)} 份，目录：{self.dossier_index}")
        lines.append(f"  签收单 {len(self.receipts)} 份，目录：{self.folder / receipts.FOLDER / receipts.INDEX}")
        if self.reports:
            folder = self.reports[-1].parent
            lines.append(f"  季度统计表 {len(self.reports)} 份（{self.reports[0].stem[:6]} 至 "
                         f"{self.reports[-1].stem[:6]}），在 {folder}")
        if self.closing_books:
            lines.append(f"  办结表 {len(self.closing_books)} 份（按年），在 {self.closing_books[-1].parent}")
        if self.pdfs:
            reused = len(self.pdfs) - self.pdf_rendered
            tail = f"（{reused} 个内容未变，沿用上次生成的文件）" if reused else ""
            lines.append(f"  PDF {len(self.pdfs)} 个{tail}")
        if self.pdf_note:
            lines.append("  " + self.pdf_note)
        return "\n".join(lines)


def private_refusal(private_dir: Path, records_dir: Path, force: bool) -> str | None:
    """Why a single command (bangfu dossier/report) may not write into `private_dir`, or None:
    the output guard (not the records folder, not a folder bangfu did not make unless --force)
    and never inside a public site."""
    return refuse_inside(private_dir, [DEFAULT_SITE, places.site_dir(records_dir)]) or outputs.guard_folder(
        private_dir, records_dir=records_dir, marker=PRIVATE_MARKER, what="内部材料", force=force)


def claim_folder(private_dir: Path) -> None:
    """Create the private folder for a single command the way a build would, with the marker
    that lets later builds replace it (the caller has asked private_refusal first)."""
    outputs.claim_folder(private_dir, PRIVATE_MARKER)


def write_notice(out_dir: Path) -> Path:
    """README.txt in UTF-8 with BOM and CRLF, so Windows Notepad shows it right."""
    text = NOTICE.replace("\n", "\r\n")
    return write_text(out_dir, Path(out_dir) / NOTICE_NAME, text, encoding="utf-8-sig")


def write_private(records: Records, out_dir: Path, *, today: date, pdf: bool,
                  site_url: str | None = None, echo=None,
                  previous: Path | None = None) -> PrivateResult:
    """Write every private document into out_dir (which the caller has checked is not public).

    `previous` is the private folder of the last build: documents whose fingerprint did
    not change are carried over from it (carry.py) instead of being rendered again. When
    out_dir already holds a private folder, it is its own previous folder.
    """
    # the records (millions of objects, never garbage while the writer runs) are set aside from the
    # collector: each of its full passes would otherwise walk them all (about half a CPU-second
    # of a rebuild at 20,000 workers)
    frozen = parallel.frozen()
    gc.freeze()
    try:
        return _write_private(records, out_dir, today=today, pdf=pdf, site_url=site_url, echo=echo,
                              previous=previous)
    finally:
        if not frozen:
            gc.unfreeze()


def _write_private(records: Records, out_dir: Path, *, today: date, pdf: bool, site_url: str | None, echo,
                   previous: Path | None) -> PrivateResult:
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if previous is None and (out_dir / carry.NAME).exists():
        previous = out_dir
    site_url = site_url or records.settings.site_url
    result = PrivateResult(out_dir)
    # folders this build starts in: only they can hold pages of earlier builds to prune (a
    # build's staging folder starts empty, and listing 20,000 dossiers costs a few tenths)
    make_pdf = pdf and pdf_output.available()
    if make_pdf:
        from .browser_share import adopt_prestarted

        adopt_prestarted()  # a browser the build started before forking this writer
    env = environment(records)
    kept = carry.Carry(out_dir, previous, carry.salt(env.loader.searchpath))
    # (a staging folder the prelink filled holds only the last build's documents, whose links
    # this build does not use are removed by kept.drop_unused)
    earlier = set() if kept.staged is not None else \
        {folder for folder in (dossiers.FOLDER, receipts.FOLDER) if (out_dir / folder).is_dir()}
    result.notice = write_notice(out_dir)
    kept.defer()  # documents to render are queued and rendered together, in processes where it pays
    seeds = _seed_readings(kept)
    with trace.span("filing-order"):
        order, order_carried = _filing_order(records, kept)
    with trace.span("share-tables"):
        _share_tables(records, kept)
    # the receipt sheets, reports, 办结表 and work list are written beside the dossiers, in a
    # process of their own where that pays (not with PDFs: the browser's processes take the cores)
    others = parallel.Beside(lambda forked: _other_documents(records, out_dir, today, kept, order, make_pdf, forked),
                             fork=not make_pdf and not kept.in_place)
    try:
        with trace.span("dossiers-queue"):
            docs = dossiers.write_dossiers(records, out_dir, today=today, site_url=site_url, carry=kept, order=order)
        groups = printing.volumes(records, order)
        volumes = [(label, name) for label, name, _ in groups] if make_pdf else []
        index = dossiers.write_index(records, out_dir, today=today, volumes=volumes,
                                     index_pdf=printing.DOSSIER_INDEX_PDF if make_pdf else None,
                                     carry=kept, order=order)
        if make_pdf and not others.forked and kept.queued(dossiers.FOLDER):
            pdf_output.prestart()  # a dossier or the index to print: the browser boots meanwhile
        if others.forked:
            with trace.span("dossiers-render"):
                kept.finish()  # the dossiers' renders; the others' are rendered beside
        other = others.result()
    finally:
        others.stop()
    kept.finish()
    if other.new is not None:  # written beside: their entries in the fingerprints file
        kept.new.update(other.new)
        kept.reused += other.counts[0]
        kept.rendered += other.counts[1]
        kept.unworked += other.counts[2]
    written = other.receipts
    sheets = written[:-1]
    result.dossiers = [d.path for d in docs]
    result.dossier_index = index.path
    result.receipts = [d.path for d in sheets]
    result.reports, result.closing_books = other.reports, other.closing_books
    if dossiers.FOLDER in earlier:
        _prune(out_dir / dossiers.FOLDER, {d.path.stem for d in (*docs, index)})
    if receipts.FOLDER in earlier:
        _prune(out_dir / receipts.FOLDER, {d.path.stem for d in written})
    if kept.in_place:
        _prune_reports(out_dir / report.FOLDER, set(result.reports))
    todo_doc, result.todo_counts = other.todo, other.todo_counts
    result.todo = todo_doc.path
    wanted = printing.targets(records, out_dir, index, docs, sheets, groups, unsigned=other.unsigned)
    wanted.append(printing.Target(out_dir / todo_page.PDF, (todo_doc.path,), todo_doc.digest))
    if make_pdf:  # the workbooks set aside are written while the browsers print
        before_printing(records)  # the tables worked out for the documents, let go of first
        result.pdfs, result.pdf_rendered = printing.write(
            out_dir, wanted, echo=echo, meanwhile=lambda: kept.finish_aside(other.aside, processes=1))
    else:
        printing.drop_stale(out_dir, wanted)
        if pdf:
            result.pdf_note = pdf_output.reason()
    result.index = _write_home(records, out_dir, today, result)
    readings = names.readings()
    if order_carried and seeds:  # the names filed are the last build's: their readings were not asked for
        readings = {**seeds, **readings}
    kept.new[READINGS] = {"salt": kept.salt, "pypinyin": names.pinyin_version(), "names": readings}
    kept.drop_unused()
    kept.save()
    result.carried, result.rendered, result.unworked = kept.reused, kept.rendered, kept.unworked
    result.known = kept.known()
    result.seconds = time.perf_counter() - started
    return result


def _share_tables(records: Records, kept: carry.Carry) -> None:
    """What both the dossiers and the documents written beside them work out, worked out once
    before the latter are forked off, so that neither process does it again: the digests of the
    dossiers' tables (dossier_slices.Slices digests them all; the receipts, reports, 办结表 and work
    list digest the register and the payouts) and, on a build with no last one to carry from,
    every row of them as the slices encode it (dossier_slices.table_values: the dossiers slice every
    table; the others read the payouts' and the visits'). At 20,000 workers about a CPU-second
    the process beside no longer spends; the dossiers work them out first thing anyway."""
    for name in SLICE_TABLES:
        record_views.table_digest(records, name)
    if not kept.old and records.workers:
        for name in SLICE_TABLES:
            table_values(records, name)
        return
    # a table that changed since the last build (a payout amount, a visit note) is encoded by both
    # processes: the dossiers slice it again, the receipts, reports, 办结表 and work list digest
    # its rows; its columns are worked out once, here (0.3 CPU-s for the payouts at 20,000 workers)
    old = kept.old.get(TABLES_KEY)
    tables = old.get("tables") if isinstance(old, dict) and old.get("salt") == kept.salt else None
    for name in BESIDE_TABLES:
        if not isinstance(tables, dict) or tables.get(name) != record_views.table_digest(records, name).hex():
            table_columns(records, name)


BESIDE_TABLES = ("payouts", "visits")  # the dossiers' tables the documents written beside them encode row by row


@dataclass
class _Others:
    """What _other_documents wrote (Doc or carry.Later, their digests known)."""
    receipts: list  # the receipt sheets, then their index (receipts.write_receipts)
    unsigned: set[str]  # the stems of the sheets not signed for yet (receipts.Plan)
    reports: list[Path]
    closing_books: list[Path]
    todo: Doc
    todo_counts: tuple[int, int]
    new: dict | None = None  # written in a process of its own: its entries of the fingerprints file
    counts: tuple[int, int, int] = (0, 0, 0)  # and its documents carried, rendered, carried by inputs
    aside: list = field(default_factory=list)  # renders set aside (Carry.set_aside): the workbooks, with PDFs


def _other_documents(records: Records, out_dir: Path, today: date, kept: carry.Carry, order: list,
                     make_pdf: bool, forked: bool) -> _Others:
    """The receipt sheets, quarterly reports, 办结表 and the work list, with every queued render
    done. `forked`: in a process of its own beside the dossiers (parallel.Beside), with its own
    copy of `kept`: it renders only its own documents and hands back its entries."""
    if forked:
        kept.queue, kept.new = [], {}
        kept.reused = kept.rendered = kept.unworked = 0
    paying = record_views.view(records, RECEIPT_TABLES, "ReceiptSheets")
    paying_inputs = record_views.digest(paying)
    with trace.span("receipts"):
        plan = receipts.Plan(paying, kept, paying_inputs, order)
        written = receipts.write_receipts(paying, out_dir, today=today, carry=kept, inputs=paying_inputs, plan=plan,
                                          others=record_views.digest(paying, RECEIPT_OTHERS))
    with trace.span("reports"):
        reports = _write_reports(record_views.view(records, REPORT_TABLES, "QuarterlyReports"), out_dir, today, kept)
    with trace.span("closing-books"):
        books = _write_closing_books(record_views.view(records, CLOSING_TABLES, "ClosingBooks"), out_dir, today,
                                     kept)
    if make_pdf and kept.queued(dossiers.FOLDER, receipts.FOLDER):
        pdf_output.prestart()  # the browser boots while the documents are rendered
    # with PDFs, the workbooks (no PDF's source) are written while the browsers print (printing.write)
    aside = kept.set_aside(report.FOLDER, closing.FOLDER) if make_pdf and not forked else []
    with trace.span("others-render"):
        if forked:
            # rendered here, one after the other: a pool of its own would compete for the cores with
            # the dossiers' pool, which keeps both busy meanwhile, and its processes cost more than
            # they save. What this process worked out so far (the sheets, figures and rows: millions
            # of objects) is set aside from the collector first, as a pool's processes would have it
            # (parallel.render_outcomes), for the renders and the work list: this process ends after.
            gc.freeze()
            kept.finish(processes=1)
        else:
            kept.finish()
    with trace.span("todo"):
        todo_doc, counts = _write_todo(records, out_dir, today, kept)
    other = _Others(written, plan.unsigned, reports, books, todo_doc, counts, aside=aside)
    if forked:
        other.new, other.counts = kept.new, (kept.reused, kept.rendered, kept.unworked)
    return other


TODO_COUNTS = "counts"  # in the work list's entry of the fingerprints file: [entries, overdue]
TODO_COLUMNS = ".todo-columns"  # in the fingerprints file: digests of the visit and payout columns it reads


def _write_todo(records: Records, out_dir: Path, today: date, kept: carry.Carry) -> tuple[Doc, tuple[int, int]]:
    """待办.html and its counts (entries, overdue). The work list is worked out from every table,
    of the visits and payouts only the columns it reads (todo_page.work_view): with the inputs of the last
    build (a visit note or a payout's amount; a payout's signature date does count), the page and its counts are carried
    without the work list being worked out again (about a second and a half for 20,000 files)."""
    path = out_dir / todo_page.NAME
    worked: list = []

    def worklist():
        if not worked:
            worked.append(work_list(todo_page.work_view(records), today))
        return worked[0]

    def fingerprint():
        return kept.fingerprint("todo", worklist().entries, today, station_key(station(records, today)))

    def render():
        return todo_page.write_todo(records, out_dir, today=today, worklist=worklist())

    last = kept.old.get(TODO_COLUMNS)
    known = dict(last["tables"]) if isinstance(last, dict) and last.get("salt") == kept.salt \
        and isinstance(last.get("tables"), dict) else {}
    inputs = kept.fingerprint("todo-inputs", todo_page.work_inputs(records, known), today)
    kept.new[TODO_COLUMNS] = {"salt": kept.salt, "tables": known}
    doc = kept.document(path, fingerprint, render, inputs=inputs)
    entry = kept.entry(path)
    counts = entry.get(TODO_COUNTS) if not worked else None
    if not (isinstance(counts, list) and len(counts) == 2 and all(type(n) is int for n in counts)):
        wl = worklist()
        counts = entry[TODO_COUNTS] = [len(wl.duties), len(wl.overdue)]
    return doc, (counts[0], counts[1])


READINGS = ".readings"  # in the fingerprints file: the pinyin of every name filed (names.seed_readings)


def _seed_readings(kept: carry.Carry) -> dict | None:
    """The names' pinyin as the last build of this program with this pypinyin read them: the
    filing order of 20,000 names then costs a sort, not 8,000 pypinyin look-ups. The seeds, or None."""
    seeds = kept.old.get(READINGS)
    if isinstance(seeds, dict) and seeds.get("salt") == kept.salt and seeds.get("pypinyin") == names.pinyin_version() \
            and isinstance(seeds.get("names"), dict):
        names.seed_readings(seeds["names"])
        return seeds["names"]
    return None


ORDER = ".filing-order"  # in the fingerprints file: the filing order of the register it was worked out from


def _filing_order(records: Records, kept: carry.Carry) -> tuple[list, bool]:
    """dossiers.filing_order, and whether it was carried: the order is worked out from the names
    and archive numbers of the register alone (with the program and pypinyin), so when those
    columns are the last build's, the last build's order (each worker's place in the register
    and file stem) is taken instead of sorting 20,000 names again."""
    workers = records.workers
    try:
        key = hashlib.blake2b(marshal.dumps(([w.name for w in workers], [w.archive_no for w in workers]), 0),
                              digest_size=16).hexdigest()
    except ValueError:  # a value marshal cannot write: worked out, not kept
        return dossiers.filing_order(records), False
    stamp = {"salt": kept.salt, "pypinyin": names.pinyin_version(), "key": key}
    old = kept.old.get(ORDER)
    if isinstance(old, dict) and all(old.get(k) == v for k, v in stamp.items()):
        places, stems = old.get("places"), old.get("stems")
        if isinstance(places, list) and isinstance(stems, list) and len(places) == len(stems) == len(workers) \
                and all(type(x) is str for x in stems) and all(type(x) is int for x in places) \
                and sorted(places) == list(range(len(workers))):
            kept.new[ORDER] = old
            return [dossiers.Filed(n, workers[i], stem) for n, (i, stem) in enumerate(zip(places, stems), 1)], True
    order = dossiers.filing_order(records)
    place = {id(w): i for i, w in enumerate(workers)}
    kept.new[ORDER] = {**stamp, "places": [place[id(f.worker)] for f in order], "stems": [f.stem for f in order]}
    return order, False


# The tables the quarterly reports, the receipt sheets and the 办结表 are worked out from (record_views: reading
# another raises AttributeError). A report or book whose tables, date and settings are those
# of the last build is carried without its figures or rows being worked out again.
REPORT_TABLES = ("settings", "workers", "reviews", "payouts", "items", "categories", "dibao_lines", "funds",
                 "incomes", "expenses", "reception")
RECEIPT_TABLES = ("settings", "workers", "payouts", "batches", "objections")
RECEIPT_OTHERS = tuple(t for t in RECEIPT_TABLES if t != "payouts")  # a sheet's inputs besides its rows
CLOSING_TABLES = ("settings", "workers", "reviews", "payouts", "items", "batches", "objections", "reception",
                  "calendar")


def _write_reports(records, out_dir: Path, today: date, kept: carry.Carry) -> list[Path]:
    """季度统计表, one per quarter present: figures worked out only for the quarters whose inputs
    changed (all such quarters at once); rendered only when a report's figures did.

    A quarter's inputs are every table but the payouts, and the payouts paid up to its end
    (report_inputs): a quarter's figures count the payouts paid in it and the fund balances
    carried forward from the earlier ones, never a later payout. An edited payout works out
    the reports from its quarter on, not the earlier ones."""
    header = report.report_settings(records)
    quarters = report.quarters_present(records, today)
    inputs, tally_keys = report_inputs(records, quarters, kept)
    figures: dict = {}
    parts = _ReportParts(records, quarters, kept)
    tallies = _ReportTallies(kept, tally_keys)

    def figs_of(q):
        if q not in figures:  # this quarter and every later one not worked out yet: their inputs changed too
            later = [x for x in quarters if x >= q and x not in figures]
            worked = report.all_figures(records, later, today, parts=parts.get(), tallies=tallies.known(later))
            tallies.note(worked)
            figures.update(worked)
        return figures[q]

    paths = []
    for q in quarters:
        path = out_dir / report.FOLDER / report.default_name(q)
        fp: list = []

        def fingerprint(q=q, fp=fp):
            if not fp:
                fp.append(kept.fingerprint("report", figs_of(q), header))
            return fp[0]

        def render(q=q, path=path, fingerprint=fingerprint):
            return Doc(report.write_report(records, q, path, today=today, root=out_dir, figs=figs_of(q)),
                       fingerprint())

        doc = kept.document(path, fingerprint, render, heavy=True,
                            inputs=kept.fingerprint("report-inputs", inputs[q], q, today, header))
        paths.append(doc.path)
    tallies.save()
    return paths


REPORT_TALLIES = ".report-tallies"  # in the fingerprints file: each quarter's payout tallies (report.payout_tallies)


class _ReportTallies:
    """report.payout_tallies of each quarter, kept in the fingerprints file (carry.to_plain) with
    the quarter's key (report_inputs: the report tables but the payouts, and the rows of the payouts
    paid in that quarter): after an amount paid in an early quarter is edited, the later quarters'
    reports are worked out again for their fund balances, but their payouts (tens of thousands a
    quarter at a large station) are not tallied again by item, category and cause."""

    def __init__(self, kept: carry.Carry, keys: dict):
        self.kept, self.keys = kept, keys
        old = kept.old.get(REPORT_TALLIES)
        found = old.get("quarters") if isinstance(old, dict) and old.get("salt") == kept.salt else None
        self.old: dict = found if isinstance(found, dict) else {}
        self.new: dict = {}  # quarter code -> [key, plain tallies], for the next build

    def _valid(self, q) -> list | None:
        entry = self.old.get(q.code)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == self.keys.get(q):
            return entry
        return None

    def known(self, quarters) -> dict:
        """Quarter -> the last build's tallies, of those whose key is the last build's."""
        out = {}
        for q in quarters:
            entry = self._valid(q)
            if entry is None:
                continue
            try:
                tallies = carry.from_plain(entry[1])
            except (KeyError, TypeError, ValueError, ArithmeticError):  # a damaged entry: worked out again
                continue
            if isinstance(tallies, tuple) and len(tallies) == report.TALLIES:
                out[q] = tallies
        return out

    def note(self, figures: dict) -> None:
        for q, figs in figures.items():
            try:
                self.new[q.code] = [self.keys[q], carry.to_plain(figs.sections[:report.TALLIES])]
            except TypeError:  # a value that is not plain: not kept, worked out again next time
                self.new.pop(q.code, None)

    def save(self) -> None:
        quarters = {}
        for q in self.keys:
            entry = self.new.get(q.code) or self._valid(q)
            if entry is not None:
                quarters[q.code] = entry
        self.kept.new[REPORT_TALLIES] = {"salt": self.kept.salt, "quarters": quarters}


REPORT_PARTS = ".report-files"  # in the fingerprints file: report.file_parts with the digest of its tables


class _ReportParts:
    """report.file_parts of every quarter present, kept in the fingerprints file (carry.to_plain) with
    the digest of report.FILE_TABLES: after a payout edit the reports' file counts and people
    rows are not worked out again from 20,000 workers. Worked out only when a report's figures
    are; an entry still valid is handed on to the next build."""

    def __init__(self, records, quarters, kept: carry.Carry):
        self.records, self.quarters = records, quarters
        self.tables = record_views.digest(records, report.FILE_TABLES)
        self.parts: dict | None = None
        self.kept_parts: list | None = None  # the last build's, decoded only when asked for
        old = kept.old.get(REPORT_PARTS)
        codes = [q.code for q in quarters]
        if isinstance(old, dict) and old.get("salt") == kept.salt and old.get("tables") == self.tables \
                and old.get("quarters") == codes and isinstance(old.get("parts"), list):
            kept.new[REPORT_PARTS] = old
            self.kept_parts = old["parts"]
        self.kept, self.codes = kept, codes

    def get(self) -> dict:
        if self.parts is None and self.kept_parts is not None:
            try:
                by_code = dict(carry.from_plain(self.kept_parts))
                self.parts = {q: by_code[q.code] for q in self.quarters}
            except (KeyError, TypeError, ValueError, ArithmeticError):  # a damaged entry: worked out again
                self.parts = None
        if self.parts is None:
            self.parts = report.file_parts(self.records, self.quarters)
            try:
                data = [(q.code, carry.to_plain(part)) for q, part in self.parts.items()]
            except TypeError:  # a value that is not plain: not kept, worked out again next time
                return self.parts
            self.kept.new[REPORT_PARTS] = {"salt": self.kept.salt, "tables": self.tables, "quarters": self.codes,
                                           "parts": data}
        return self.parts


REPORT_SLICES = ".report-payouts"  # in the fingerprints file: the payouts table's digest, its slices by quarter


def report_inputs(records, quarters, kept: carry.Carry) -> tuple[dict, dict]:
    """Quarter -> a digest of what its report is worked out from, and quarter -> a digest of what
    its payout tallies are worked out from (_ReportTallies: the other tables and its own
    quarter's payouts alone). The first: every report table but the
    payouts, the payouts not paid (which count in no quarter; kept in every digest to be safe)
    and the payouts paid in each quarter up to this one's end, slice by slice (report.py: a
    quarter shows the payouts paid in it and fund balances carried forward from earlier ones).
    The slices are digests of the rows as the dossiers' slices encode them (worked out once a
    build), taken from the last build when the payouts table is the same."""
    payouts = record_views.table_digest(records, "payouts").hex()
    old = kept.old.get(REPORT_SLICES)
    if isinstance(old, dict) and old.get("salt") == kept.salt and old.get("payouts") == payouts \
            and isinstance(old.get("slices"), dict):
        slices = old["slices"]
    else:
        values = row_bytes(records, "payouts")  # each row marshalled (the 办结表 and receipt sheets join them too)
        groups: dict = {}
        codes: dict = {None: ""}  # paid date -> quarter code, each date once
        for p in records.payouts:
            code = codes.get(p.paid)
            if code is None:
                code = codes[p.paid] = quarter_of(p.paid).code
            groups.setdefault(code, []).append(values[id(p)])
        slices = {key: hashlib.blake2b(tuple_bytes(rows), digest_size=16).hexdigest() for key, rows in groups.items()}
    kept.new[REPORT_SLICES] = {"salt": kept.salt, "payouts": payouts, "slices": slices}
    others = record_views.digest(records, tuple(t for t in REPORT_TABLES if t != "payouts"))
    h = hashlib.sha256(others.encode())
    h.update(f"|unpaid|{slices.get('', '')}".encode())
    pending = sorted(key for key in slices if key)  # quarter codes (2025Q1) sort in time order
    out, own = {}, {}
    for q in sorted(quarters):
        while pending and pending[0] <= q.code:
            key = pending.pop(0)
            h.update(f"|{key}|{slices[key]}".encode())
        out[q] = h.copy().hexdigest()
        own[q] = hashlib.sha256(f"{others}|{q.code}|{slices.get(q.code, '')}".encode()).hexdigest()
    return out, own


def _write_closing_books(records, out_dir: Path, today: date, kept: carry.Carry) -> list[Path]:
    """办结表, one a year: rows worked out only when the book's inputs changed; rendered only
    when its rows did. A year's book lists the cases paid and the reception entries closed in
    that year (closing.book), so its inputs are those rows and the other tables: an edited
    payout works out the book of its year again, not every year's."""
    every = record_views.digest(records)  # every table, each digested once per build (shared with the views)

    def whole(start: date, end: date) -> str:
        return kept.fingerprint("closing-whole", every, start, end, today)

    # first, as a whole: when no table changed at all (a visit note), every book is carried without
    # the year's payouts and reception entries being grouped and digested
    years = closing.years_present(records, today)
    carried = [kept.reuse(out_dir / closing.FOLDER / closing.default_name(year),
                          whole(date(year, 1, 1), min(date(year, 12, 31), today)), "whole") for year in years]
    if all(doc is not None for doc in carried):
        kept.unworked += len(carried)
        return [doc.path for doc in carried if doc is not None]
    calendar = closing.work_calendar(records)
    tables = record_views.digest(records, tuple(t for t in CLOSING_TABLES if t not in ("payouts", "reception")))
    paid: dict = {}
    for p in records.payouts:
        if p.paid is not None:
            paid.setdefault(p.paid.year, []).append(p)
    closed: dict = {}
    for e in records.reception:
        if e.closed is not None:
            closed.setdefault(e.closed.year, []).append(e)
    marshalled = row_bytes(records, "payouts")
    paths = []
    for year, doc in zip(years, carried):
        if doc is not None:
            kept.unworked += 1
            paths.append(doc.path)
            continue
        path = out_dir / closing.FOLDER / closing.default_name(year)
        start, end = date(year, 1, 1), min(date(year, 12, 31), today)
        # the year's payouts as the dossiers' slices encode them (dossier_slices.table_values), marshalled
        # (row_bytes: each row once a build)
        cases = b"v" + tuple_bytes([marshalled[id(p)] for p in paid.get(year, [])])
        entries = record_views.table_bytes(closed.get(year, []))
        rows = hashlib.sha256(len(cases).to_bytes(8, "big") + cases + entries).hexdigest()
        # its rows worked out and deflated only where they changed (closing_year)
        doc = closing_year.year_book(records, kept, path, start, end, today=today, calendar=calendar, tables=tables,
                                     extra={"whole": whole(start, end)}, paid=paid.get(year, ()),
                                     inputs=kept.fingerprint("closing-inputs", tables, rows, start, end, today))
        paths.append(doc.path)
    return paths


def _prune_reports(folder: Path, keep: set[Path]) -> None:
    if folder.is_dir():
        for path in folder.glob("*.xlsx"):
            if path not in keep:
                path.unlink()


def _prune(folder: Path, keep: set[str]) -> None:
    """Remove pages of earlier builds that no longer exist (a worker deleted, a batch renamed):
    stale copies of personal data should not linger."""
    if not folder.is_dir():
        return
    for path in folder.glob("*.html"):
        if path.stem not in keep:
            path.unlink()


def _write_home(records: Records, out_dir: Path, today: date, result: PrivateResult) -> Path:
    env = environment(records)
    links = []
    if result.todo is not None:
        links.append((f"待办清单（逾期 {result.todo_counts[1]} 项）", todo_page.NAME, result.todo_counts[0]))
        if out_dir / todo_page.PDF in result.pdfs:
            links.append(("待办清单 PDF", todo_page.PDF, None))
    links.append(("一人一档（按音序）", f"{dossiers.FOLDER}/{dossiers.INDEX}", len(result.dossiers)))
    links.append(("帮扶资金签收单", f"{receipts.FOLDER}/{receipts.INDEX}", len(result.receipts)))
    receipts_pdf = out_dir / receipts.FOLDER / printing.RECEIPTS_PDF
    if receipts_pdf in result.pdfs:
        links.append(("全部签收单 PDF", f"{receipts.FOLDER}/{printing.RECEIPTS_PDF}", None))
    for path in reversed(result.reports):
        links.append((f"季度统计表 {path.stem}", path.relative_to(out_dir).as_posix(), None))
    for path in reversed(result.closing_books):
        links.append((f"办结表 {path.stem.removeprefix('办结表_')} 年", path.relative_to(out_dir).as_posix(), None))
    html = env.get_template("private/home.html").render(links=links, station=station(records, today),
                                                        pdf_note=result.pdf_note)
    return write_doc(out_dir, out_dir / "index.html", html, today).path


# commands ----------------------------------------------------------------------------------
def _checked(records_dir: Path, today: date, echo):
    """Records when the folder passes the check; None (after printing the report) otherwise."""
    outcome = check_folder(Path(records_dir), today)
    if outcome.exit_code != 0:
        echo(report_text.render(outcome.problems, records_dir))
        echo("记录中有错误，未生成内部材料。请按上面的提示改正后再运行。")
        return None, outcome.exit_code
    warnings = count(outcome.problems, WARNING)
    if warnings:
        echo(f"记录中有 {warnings} 个提醒，可运行 bangfu check {records_dir} 查看。")
    return outcome.records, 0


def write_dossiers_command(records_dir: Path, archive_numbers: list[str], private_dir: Path, *,
                           pdf: bool, today: date | None, echo, force: bool = False) -> int:
    """`bangfu dossier 我的站点 SF-0001 …`: write just these dossiers (and their PDFs)."""
    refusal = private_refusal(private_dir, records_dir, force)
    if refusal:
        echo(refusal)
        return 1
    today = today or date.today()
    records, code = _checked(records_dir, today, echo)
    if records is None:
        return code
    wanted = [a.strip() for a in archive_numbers if a and a.strip()]
    known = records.worker_by_no
    unknown = [a for a in wanted if a not in known]
    if unknown or not wanted:
        for a in unknown:
            near = difflib.get_close_matches(a, list(known), n=3)
            hint = ("是不是" + "、".join(f"“{n}”" for n in near) + "？") if near else \
                "请核对档案工作簿中的“档案编号”列。"
            echo(f"找不到档案编号“{a}”。{hint}")
        if not wanted:
            echo(f"请给出至少一个档案编号，例如：bangfu dossier {records_dir} SF-0001")
        return 1
    private_dir = Path(private_dir)
    claim_folder(private_dir)
    write_notice(private_dir)
    docs = dossiers.write_dossiers(records, private_dir, today=today,
                                   site_url=records.settings.site_url, only=set(wanted))
    for doc in docs:
        echo(f"已生成 {doc.path}")
    if pdf and pdf_output.available():
        from .pdf_cache import Cache

        cache = Cache(private_dir)
        for doc in docs:
            pdf_path = doc.path.with_suffix(".pdf")
            pages = pdf_output.write_pdf(doc.path, pdf_path)
            cache.store(pdf_path, doc.digest)
            echo(f"已生成 {pdf_path}（{pages} 页）")
        cache.save()
    elif pdf:
        echo(pdf_output.reason())
    return 0


def write_closing_command(records_dir: Path, start: date | None, end: date | None, private_dir: Path, *,
                          echo) -> int:
    """`bangfu cases --from 2026-01-01 --to 2026-06-30`: the 办结表 of a period in private/办结/."""
    today = date.today()
    end = min(end or today, today)
    if start is None or start > end:
        echo(f"起始日期应早于截止日期（{end.isoformat()}）。例如：bangfu cases --from 2026-01-01 --to 2026-06-30")
        return 1
    target = Path(private_dir) / closing.FOLDER / closing.period_name(start, end)
    refusal = private_refusal(private_dir, records_dir, False) or outputs.guard_file(
        target, records_dir=records_dir, ours=True)
    if refusal:
        echo(refusal)
        return 1
    records, code = _checked(records_dir, today, echo)
    if records is None:
        return code
    claim_folder(Path(private_dir))
    path = closing.write_closing_book(records, start, end, target, today=today, root=Path(private_dir))
    finished = len(closing.finished_cases(records, start, end))
    echo(f"已生成 {path}（{start.isoformat()} 至 {end.isoformat()}，办结帮扶 {finished} 件）")
    return 0


def write_report_command(records_dir: Path, quarter: str, out_path: Path | None, private_dir: Path, *,
                         echo, force: bool = False) -> int:
    """`bangfu report 我的站点 --quarter 2026Q3`: the quarterly workbook for the union above."""
    q = parse_quarter(quarter)
    if q is None:
        echo(f"季度“{quarter}”的写法不对。请写成 2026Q3 的形式：年份、字母 Q、季度 1 到 4。")
        return 1
    today = date.today()
    if q.start > today:
        echo(f"{q.zh}还没有开始，无法统计。")
        return 1
    target = Path(out_path) if out_path else Path(private_dir) / report.FOLDER / report.default_name(q)
    if target.suffix.lower() != ".xlsx":
        echo(f"输出文件“{target}”应以 .xlsx 结尾。")
        return 1
    if out_path:
        refusal = refuse_inside(target.parent, [DEFAULT_SITE, places.site_dir(records_dir)]) or outputs.guard_file(
            target, records_dir=records_dir, force=force)
    else:
        refusal = private_refusal(private_dir, records_dir, force) or outputs.guard_file(
            target, records_dir=records_dir, ours=True)
    if refusal:
        echo(refusal)
        return 1
    records, code = _checked(records_dir, today, echo)
    if records is None:
        return code
    if q.end >= today:
        echo(f"{q.zh}尚未结束，统计截至今天（{today.isoformat()}）。")
    if not out_path:
        claim_folder(Path(private_dir))
    path = report.write_report(records, q, target, today=today)
    echo(f"已生成 {path}（{q.zh}，报送{records.settings.parent_union or '上级工会'}）")
    return 0
