"""Which PDFs a build writes, and when an earlier one can be kept.

Measured with WeasyPrint 70 on a 2-core machine (CPU seconds; the demo's dossiers
have about 4 pages): laying out a dossier takes 0.5–0.7 s, writing it as its own PDF
0.3 s more (mostly subsetting the Chinese fonts) and about 420 KB of embedded font
subsets, while in a volume of many dossiers the fonts are subset once and shared. So
a build writes
- 档案/档案目录.pdf, the index;
- 档案/分册_<letter>.pdf, the dossiers in volumes by the initial of the name
  (按音序分册), each dossier with its own page numbers: a change to one worker
  re-renders one volume, not the whole archive. A letter with more than
  VOLUME_SIZE dossiers is split into 分册_<letter>-01.pdf, -02 … (names sort in
  binding order), which bounds the memory of laying out one volume; as many
  volumes are rendered at once as the free memory allows (memory_jobs);
- 签收单/全部签收单.pdf, every receipt sheet, and a separate PDF for each sheet
  that still has payouts to be signed (the ones the clerk prints next);
- a separate dossier PDF only where one was asked for (`bangfu dossier`),
  kept up to date from then on.
A PDF is rendered again only when the digest of its documents changed
(pdf_cache.Cache); a volume (or 全部签收单.pdf) in which only a few documents changed is
patched: those are rendered, the pages of the others copied from the last build's PDF
(pdf.patch_combined), so a one-cell edit renders one dossier, not its volume. Without
PDF output, PDFs that went stale are removed.

Volumes are printed by a Chromium-family browser whenever one is found (pdf.volume_engine),
as one document with each dossier's own page numbers stamped on (pdf_volume.py): about a
quarter of WeasyPrint's CPU. The volumes are printed by as many browsers as there are cores
(browser_lanes, bounded by free memory and by the documents to print), each driven by a thread of
this process, while the other PDFs are rendered by WeasyPrint's worker processes (or, without
WeasyPrint, by one more browser here). A browser takes the largest PDF left with more of its
folder up to about one print's elements (take_reach: less towards the end, so that the browsers
finish together), prints them joined and splits them into the PDFs' files (pdf.write_volumes):
each print costs it about 0.4 CPU-second on top of its pages (0.045 per thousand elements).
Every print is bounded in size (pdf_volume.PRINT_ELEMENTS; a long receipt sheet or index cut
between its rows into pieces, each numbered across them), so that a browser's memory is bounded
whatever the station's size.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from ..gcpause import give_back
from ..names import initial
from ..records import Records
from . import browser, browser_share, dossiers, memory, pdf as pdf_output, pdf_cache, pdf_stamps, receipts
from .pdf import default_jobs, memory_jobs  # noqa: F401 - part of this module's interface

DOSSIER_INDEX_PDF = "档案目录.pdf"
RECEIPTS_PDF = "全部签收单.pdf"
OTHER_LETTER = "其他"


@dataclass(frozen=True)
class Target:
    path: Path
    sources: tuple[Path, ...]
    digest: str
    parts: tuple[str, ...] = ()  # of a combined PDF: the digest of each source, in order


VOLUME_SIZE = 100  # dossiers per PDF volume at most: about 360 pages, 600 MB while laid out


def volume_name(letter: str, part: int = 0, parts: int = 1) -> str:
    """分册_A.pdf; a letter with more dossiers than one volume holds is split into
    分册_A-01.pdf, 分册_A-02.pdf … so that the names sort in binding (pinyin) order."""
    base = f"分册_{letter if letter != '#' else OTHER_LETTER}"
    if parts <= 1:
        return base + ".pdf"
    return f"{base}-{part:0{max(2, len(str(parts)))}d}.pdf"


def volumes(records: Records, order=None, size: int = VOLUME_SIZE) -> list[tuple[str, str, list]]:
    """(label, file name, [Filed …]) in filing order, each at most `size` dossiers."""
    out: dict[str, list] = {}
    for filed in order if order is not None else dossiers.filing_order(records):
        out.setdefault(initial(filed.worker.name), []).append(filed)
    found = []
    for letter, filed in out.items():
        parts = -(-len(filed) // size)
        shown = letter if letter != "#" else OTHER_LETTER
        for i in range(parts):
            label = shown if parts == 1 else f"{shown}{i + 1}"
            found.append((label, volume_name(letter, i + 1, parts), filed[i * size:(i + 1) * size]))
    return found


def targets(records: Records, out_dir: Path, index, docs, sheets, groups=None,
            unsigned: set[str] | None = None) -> list[Target]:
    """Every PDF the build should have, from the written documents (index, dossiers, sheets);
    `unsigned`: the stems of the receipt sheets with a payout not signed for (receipts.Plan),
    else worked out from the receipt sheets."""
    folder = Path(out_dir) / dossiers.FOLDER
    by_stem = {d.path.stem: d for d in docs}
    out = [Target(folder / DOSSIER_INDEX_PDF, (index.path,), index.digest)]
    for _, name, filed in groups if groups is not None else volumes(records):
        members = [by_stem[f.stem] for f in filed if f.stem in by_stem]
        if members:
            out.append(combined(folder / name, members))
    # a dossier's own PDF (asked for by `bangfu dossier`): the folder listed once, not 20,000 files looked for
    try:
        own = {name for name in os.listdir(folder) if name.endswith(".pdf")}
    except OSError:
        own = set()
    for stem, d in by_stem.items() if own else ():
        if f"{stem}.pdf" in own:
            out.append(Target(d.path.with_suffix(".pdf"), (d.path,), d.digest))
    if sheets:
        out.append(combined(Path(out_dir) / receipts.FOLDER / RECEIPTS_PDF, sheets))
    if unsigned is None:
        unsigned = {s.stem for s in receipts.receipt_sheets(records) if any(not p.signed for p in s.payouts)}
    for d in sheets:
        if d.path.stem in unsigned:
            out.append(Target(d.path.with_suffix(".pdf"), (d.path,), d.digest))
    return out


def combined(path: Path, docs) -> Target:
    """The target of one PDF of several documents (a volume, all receipt sheets)."""
    digests = tuple(d.digest for d in docs)
    return Target(path, tuple(d.path for d in docs), pdf_cache.combined_digest(digests), digests)


# A combined PDF is patched (only its changed documents rendered, the other pages copied
# from the last build's PDF) while at most this many renderings make up its pages, and
# when at most half its documents changed; otherwise it is rendered whole again. Each
# patch adds its own font subsets (about 0.6 MB), so this bounds the growth of a volume.
MAX_SOURCES = 4


def _patch_plan(cache, t: Target, engine: str | None):
    """(old parts, sources) when `t` can be patched from the last build's PDF, else None: never
    when that PDF was made by another engine than `engine`, which would print the changed
    documents (its pages would mix two engines' fonts and footers), nor when it is not known
    which engine made it (a PDF of a version that did not record it)."""
    known = cache.parts(t.path) if len(t.parts) > 1 else None
    if known is None or cache.engine(t.path) != engine:
        return None
    old, sources = known
    if sources + 1 > MAX_SOURCES or _changed(t, old) * 2 > len(t.parts):
        return None
    return old, sources


def _changed(t: Target, old) -> int:
    """How many of the target's documents are not among the old PDF's parts."""
    have = {d for d, _ in old}
    return sum(1 for d in t.parts if d not in have)


def _render(path: Path, sources: tuple[Path, ...], parts: tuple[str, ...], old,
            engine: str | None = None) -> tuple[list[int], int]:
    """Render one target (or patch it when `old` is its old parts), by `engine` (default:
    pdf.engine()); returns the page count of each document and how many renderings the
    PDF's pages now come from."""
    if old is not None:
        try:
            return pdf_output.patch_combined(path, old, list(sources), list(parts), engine), 2
        except OSError:
            raise  # a fault of the computer: the build says so
        except Exception:  # noqa: BLE001 - an old PDF pypdf cannot read: render it whole below
            pass
    if len(sources) == 1:
        return [pdf_output.write_pdf(sources[0], path, engine)], 1
    return pdf_output.write_parts(list(sources), path, engine), 1


# Memory of one more browser printing (its browser, GPU-less compositor and renderer processes):
# every print is bounded (pdf_volume.PRINT_ELEMENTS, a long document cut into pieces), and the
# renderer keeps its peak until the browser ends; measured with Debian Chromium 156 at 2,000
# workers with PDFs, the largest renderer 831 MiB resident with prints of 25,000 elements (before
# the bound one renderer reached 6.6 GB at 20,000 workers), rounded up with the browser's own.
BROWSER_MB = 900


# Documents to print per browser at least: starting one more browser costs about 0.8 CPU-s and a
# second of wall time, as much as printing a few documents, so a rebuild that patches two volumes
# (one dossier and one receipt sheet) prints both with the one browser started for them.
LANE_DOCUMENTS = 10


# The memory of the whole build (its processes and the browsers they start) stays within this
# budget where it can: 2 GiB, the clerk's computer running other programs too; BANGFU_MEMORY_MB
# sets another. Each lane costs BROWSER_MB; the build's own Python processes are measured.
MEMORY_BUDGET_MB = 2048


def memory_budget_mb() -> int:
    """The memory budget of a build with PDFs in MiB: BANGFU_MEMORY_MB, else MEMORY_BUDGET_MB."""
    value = os.environ.get("BANGFU_MEMORY_MB", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else MEMORY_BUDGET_MB


def python_mb() -> int:
    """Memory of the build's Python processes now, in MiB: the build's process tree (when this is
    the private writer, a child of the build, build.private_job: from its parent, so the wall
    printouts' worker too), its browsers left out, by PSS (memory.tree_mb). Where /proc cannot
    tell: the resident memory of this process and its parent."""
    import multiprocessing

    parent = multiprocessing.parent_process()
    measured = memory.tree_mb(parent.pid if parent is not None and parent.pid is not None else os.getpid())
    if measured is not None:
        return measured
    total = pdf_output.process_mb(os.getpid()) or 0
    if parent is not None and parent.pid is not None:
        total += pdf_output.process_mb(parent.pid) or 0
    return total


# What a printing browser holds beside the renderer of its print (its main, GPU and utility
# processes: about 250 MiB PSS at 20,000 workers), and what a print lays out on top of what its
# renderer held before it (150-250 MiB): the room a renderer is renewed within (renew_within).
BROWSER_REST_MB = 250
PRINT_LAYOUT_MB = 250


def renew_within(budget_mb: int, python_mb_: int, lanes: int = 1) -> int:
    """The renderer size (MiB) past which a tab is renewed (browser.renew_at) so that a print's
    peak stays within `budget_mb` beside the build's Python processes as measured (`python_mb_`):
    each of the `lanes` browsers' share of what the budget leaves, less its other processes and a
    print's layout; browser.RENEW_MB where that is more (the 2 GiB budget beside 20,000 workers'
    Python processes, about 870 MiB, leaves one browser about 680)."""
    room = (budget_mb - python_mb_) // max(1, lanes) - BROWSER_REST_MB - PRINT_LAYOUT_MB
    return min(browser.RENEW_MB, room)


def lanes_within(budget_mb: int, python_mb_: int, lane_mb: int = BROWSER_MB) -> int:
    """How many browsers of `lane_mb` each fit in `budget_mb` beside the build's Python processes
    (`python_mb_`); at least one, since the volumes must be printed (a build that cannot keep its
    budget prints with one browser)."""
    return max(1, memory.browsers_within(budget_mb, python_mb_, lane_mb))


def browser_lanes(volumes_: int, jobs: int | None = None, documents: int | None = None) -> int:
    """How many browsers print volumes side by side: one per core (`jobs`, default
    pdf.default_jobs()), no more than there are volumes, one per LANE_DOCUMENTS of the
    `documents` to print, as many as the free memory holds and as many as the memory budget
    (memory_budget_mb) holds beside the build's Python processes as measured now (lanes_within)."""
    if volumes_ <= 0:
        return 0
    free = pdf_output._available_mb()
    by_memory = 4 if free is None else max(1, int(free * 0.7) // BROWSER_MB)
    by_work = volumes_ if documents is None else -(-documents // LANE_DOCUMENTS)
    wanted = min(jobs or default_jobs(), volumes_, by_memory, by_work)
    if wanted <= 1:
        return 1
    return max(1, min(wanted, lanes_within(memory_budget_mb(), python_mb())))


def print_cost(paths) -> int:
    """The elements (start tags) of the HTML files at `paths`, counted in their bytes without
    decoding or parsing them (pdf_volume.elements): what a browser print of them lays out."""
    total = 0
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError:
            continue
        total += data.count(b"<") - data.count(b"</") - data.count(b"<!")
    return total


def take_reach(left: int, lanes: int) -> int:
    """How many elements one browser's next take joins at most, with `left` elements still to
    print by `lanes` browsers: a full print (pdf_volume.PRINT_ELEMENTS, each print costing the
    browser about 0.4 CPU-s of its own besides its pages), less towards the end, so that the
    browsers finish together (an even share of what is left, but not under half a print)."""
    from .pdf_volume import PRINT_ELEMENTS

    share = -(-left // max(1, lanes))
    return max(PRINT_ELEMENTS // 2, min(PRINT_ELEMENTS, share))


def _whole_combined(t: Target, plan) -> bool:
    """A PDF of several documents printed whole (not patched): printed by pdf.write_volumes, which
    writes it into its file as its documents are printed, never holding it whole (全部签收单 at
    20,000 workers: about 13,000 pages; made in memory, it held the private writer's process at
    hundreds of MB for the whole print)."""
    return plan is None and len(t.parts) > 1


def write(out_dir: Path, wanted: list[Target], jobs: int | None = None, echo=None,
          meanwhile=None) -> tuple[list[Path], int]:
    """Render what changed (patching combined PDFs where few of their documents changed);
    returns (every target path, how many were rendered or patched). With `echo`, a progress
    bar (counts, time left) is printed while the PDFs are made. `meanwhile()` is called in this
    thread while the browsers print (after any worker process is forked, before they are
    waited for): work that is no PDF's source, done beside the browsers' processes; it must
    fork no process itself."""
    from ..progress import Progress

    cache = pdf_cache.Cache(out_dir, key=pdf_cache.engine_fingerprint())  # another engine: printed again
    stale = [t for t in wanted if not cache.fresh(t.path, t.digest)]
    # volumes go to the browsers, side by side, whatever engine makes the rest (pdf.volume_engine);
    # so do the single documents where the browser is their engine too (pdf.document_engine)
    volumes_ = pdf_output.volume_engine()
    plans = [_patch_plan(cache, t, volumes_) for t in stale]
    sizes = [len(t.sources) if plan is None else _changed(t, plan[0]) for t, plan in zip(stale, plans)]
    bar = Progress(echo, "生成 PDF", len(stale)) if echo is not None and stale else None
    tick = bar.advance if bar else None
    jobs_ = [(t.path, t.sources, t.parts, plan and plan[0]) for t, plan in zip(stale, plans)]
    singles = volumes_ == "chromium" and pdf_output.document_engine() == "chromium"
    apart = [i for i, t in enumerate(stale) if len(t.parts) > 1 or singles] if volumes_ == "chromium" else []
    rest = sorted(set(range(len(stale))) - set(apart))
    done: list = [None] * len(stale)
    lock = threading.Lock()

    def ticked():
        if tick:
            with lock:
                tick()

    # what each browser print lays out, in elements (the browser's cost): the documents to print
    costs = {i: print_cost(stale[i].sources if plans[i] is None else
                           pdf_output.changed_documents(stale[i].sources, stale[i].parts, plans[i][0]))
             for i in apart}
    folders = {i: Path(stale[i].sources[0]).parent if stale[i].sources else None for i in apart}
    queue = sorted(apart, key=lambda i: -costs[i])  # the largest first, taken by each browser in turn
    # a browser beside the build's processes too big for the budget: printed once the build's process
    # let go. Only where a browser prints: WeasyPrint's prints do not wait (memory.wait_for_room)
    memory.wait_for_room(lambda: memory.browsers_within(memory_budget_mb(), python_mb(), BROWSER_MB) >= 1,
                         browser=bool(apart))
    lanes = browser_lanes(len(apart), jobs, documents=sum(sizes[i] for i in apart))
    if apart:  # the tabs renewed within the budget left beside the build's processes as they are now
        browser.renew_at(renew_within(memory_budget_mb(), python_mb(), lanes))
    left = [sum(costs.values())]  # elements not taken yet

    def take() -> list[int]:
        """The next PDF, with more of its folder (documents of one head and folder share a
        print) joined to it up to VOLUME_SIZE documents (the memory of one volume) and
        `take_reach` elements: volumes to render
        whole, single documents and the changed documents of volumes to patch, all in one print
        per head (pdf.write_volumes, pdf.write_joined)."""
        first = queue.pop(0)
        reach = take_reach(left[0], lanes)
        taken, total, cost = [first], sizes[first], costs[first]
        for i in list(queue):
            if folders[i] == folders[first] and total + sizes[i] <= VOLUME_SIZE and cost + costs[i] <= reach:
                queue.remove(i)
                taken.append(i)
                total += sizes[i]
                cost += costs[i]
        left[0] -= cost
        return taken

    def print_joined(taken: list[int]) -> None:
        """Volumes to patch and single documents in as few prints as their heads allow; one
        by one when they cannot share a print."""
        import pypdf

        from . import pdf_volume

        try:
            for i, result in zip(taken, pdf_output.write_joined(
                    [(stale[i].path, stale[i].sources, stale[i].parts, plans[i] and plans[i][0]) for i in taken])):
                done[i] = result
        except OSError:
            raise  # a fault of the computer: the build says so
        except (pdf_volume.Unfit, pypdf.errors.PyPdfError, KeyError, IndexError, ValueError):
            for i in taken:
                done[i] = _render(*jobs_[i], engine=volumes_)

    def browser_jobs(failed: list) -> None:
        try:
            # what every print and patch reads PDFs with, imported while the browser still boots
            # (a prestarted one: pdf.prestart) rather than after it answered
            import pypdf  # noqa: F401

            from . import pdf_volume  # noqa: F401

            with pdf_output.browser_session(volumes_):
                while not failed:
                    with lock:
                        if not queue:
                            return
                        taken = take()
                    if len(taken) == 1 and not _whole_combined(stale[taken[0]], plans[taken[0]]):
                        done[taken[0]] = _render(*jobs_[taken[0]], engine=volumes_)
                    elif any(plans[i] is not None or len(stale[i].parts) <= 1 for i in taken):
                        print_joined(taken)
                    else:
                        for i, counts in zip(taken, pdf_output.write_volumes(
                                [(jobs_[i][1], jobs_[i][0]) for i in taken])):
                            done[i] = counts, 1
                    for _ in taken:
                        ticked()
        except BaseException as err:  # noqa: BLE001 - raised again in the build's thread
            failed.append(err)

    # the browsers print the volumes (in their own processes) while WeasyPrint's workers render the rest
    failed: list = []
    threads = [threading.Thread(target=browser_jobs, args=(failed,), name=f"bangfu-volumes-{n}")
               for n in range(lanes)]

    def start_threads():
        for thread in threads:
            thread.start()

    if lanes > 1:  # one browser for every lane, started here (the lanes' threads end before it)
        pdf_output.prestart()
    pdf_stamps.keep_stamps(out_dir)  # the stamps the browsers print are kept for the next build
    try:
        for i, result in zip(rest, pdf_output.run_jobs(_render, [jobs_[i] for i in rest],
                                                       sizes=[sizes[i] for i in rest], processes=jobs,
                                                       tick=ticked, started=start_threads if threads else None)):
            done[i] = result
        if meanwhile is not None:
            meanwhile()
            # what it made (the workbooks' bytes, about 100 MB at 20,000 workers) handed back now,
            # not held beside the browser for the rest of the prints (memory.py)
            give_back()
    finally:
        for thread in threads:
            if thread.ident is not None:
                thread.join()
        browser_share.discard_prestarted()  # started for volumes that turned out unchanged
        pdf_stamps.keep_stamps(None)
        browser.renew_at(None)
    if failed:
        raise failed[0]
    if bar is not None:
        bar.done()
    for t, plan, (counts, fresh_sources) in zip(stale, plans, done):
        if not t.parts:
            cache.store(t.path, t.digest)
            continue
        sources = 1 if fresh_sources == 1 else plan[1] + 1
        cache.store(t.path, t.digest, parts=list(zip(t.parts, counts)), sources=sources, engine=volumes_)
    remove_others(out_dir, wanted)
    cache.save()
    return [t.path for t in wanted], len(stale)


def drop_stale(out_dir: Path, wanted: list[Target]) -> None:
    """Without PDF output this time: remove PDFs of earlier builds whose documents changed."""
    cache = pdf_cache.Cache(out_dir)
    for t in wanted:
        if t.path.exists() and not cache.fresh(t.path, t.digest):
            t.path.unlink()
    remove_others(out_dir, [t for t in wanted if t.path.exists()])
    if cache.file.exists():
        cache.save()


def remove_others(out_dir: Path, wanted: list[Target]) -> None:
    """PDFs in the dossier and receipt folders that no target names are left over from
    earlier builds (a volume now empty, a sheet now signed, a worker deleted): remove them."""
    keep = {t.path.resolve() for t in wanted}
    for name in (dossiers.FOLDER, receipts.FOLDER):
        folder = Path(out_dir) / name
        if folder.is_dir():
            for path in folder.glob("*.pdf"):
                if path.resolve() not in keep:
                    path.unlink()
