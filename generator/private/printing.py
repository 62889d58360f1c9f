"""Which PDFs a build writes, and when an earlier one can be kept.

Measured with WeasyPrint 70 on a 2-core machine: laying out a 3-page dossier
takes about 0.2 s and writing it as its own PDF 0.1 s more plus about 420 KB of
embedded font subsets; many documents written as one PDF share the fonts. So
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
(pdf.Cache); without PDF output, PDFs that went stale are removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..names import initial
from ..records import Records
from . import dossiers, pdf as pdf_output, receipts

DOSSIER_INDEX_PDF = "档案目录.pdf"
RECEIPTS_PDF = "全部签收单.pdf"
OTHER_LETTER = "其他"


@dataclass(frozen=True)
class Target:
    path: Path
    sources: tuple[Path, ...]
    digest: str


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


def targets(records: Records, out_dir: Path, index, docs, sheets, groups=None, receipt_sheets=None) -> list[Target]:
    """Every PDF the build should have, from the written documents (index, dossiers, sheets)."""
    folder = Path(out_dir) / dossiers.FOLDER
    by_stem = {d.path.stem: d for d in docs}
    out = [Target(folder / DOSSIER_INDEX_PDF, (index.path,), index.digest)]
    for _, name, filed in groups if groups is not None else volumes(records):
        members = [by_stem[f.stem] for f in filed if f.stem in by_stem]
        if members:
            out.append(Target(folder / name, tuple(d.path for d in members),
                              pdf_output.combined_digest(d.digest for d in members)))
    for d in docs:
        if d.path.with_suffix(".pdf").exists():
            out.append(Target(d.path.with_suffix(".pdf"), (d.path,), d.digest))
    if sheets:
        out.append(Target(Path(out_dir) / receipts.FOLDER / RECEIPTS_PDF, tuple(d.path for d in sheets),
                          pdf_output.combined_digest(d.digest for d in sheets)))
    all_sheets = receipts.receipt_sheets(records) if receipt_sheets is None else receipt_sheets
    unsigned = {s.stem for s in all_sheets if any(not p.signed for p in s.payouts)}
    for d in sheets:
        if d.path.stem in unsigned:
            out.append(Target(d.path.with_suffix(".pdf"), (d.path,), d.digest))
    return out


def _render(path: Path, sources: tuple[Path, ...]) -> int:
    pdf_output.available()  # quietens WeasyPrint's loggers in a worker process too
    if len(sources) == 1:
        return pdf_output.write_pdf(sources[0], path)
    return pdf_output.write_combined(list(sources), path)


def _render_all(stale: list[Target], jobs: int, tick=None) -> None:
    """Render in `jobs` processes (WeasyPrint is pure Python and single-threaded),
    largest first; sequentially when there is little to do or processes fail. `tick()`
    is called as each document is finished (in whatever order they finish)."""
    stale = sorted(stale, key=lambda t: -len(t.sources))
    tick = tick or (lambda: None)
    jobs = min(jobs, memory_jobs(max((len(t.sources) for t in stale), default=1)))
    if jobs > 1 and len(stale) > 1:
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        try:
            with ProcessPoolExecutor(max_workers=min(jobs, len(stale))) as pool:
                for future in as_completed([pool.submit(_render, t.path, t.sources) for t in stale]):
                    future.result()
                    tick()
            return
        except (BrokenProcessPool, OSError, PermissionError):
            pass  # e.g. no process support in a sandbox: fall back below
    for t in stale:
        _render(t.path, t.sources)
        tick()


def write(out_dir: Path, wanted: list[Target], jobs: int | None = None, echo=None) -> tuple[list[Path], int]:
    """Render what changed; returns (every target path, how many were rendered). With `echo`,
    a progress bar (counts, time left) is printed while the PDFs are made."""
    from ..progress import Progress

    cache = pdf_output.Cache(out_dir)
    stale = [t for t in wanted if not cache.fresh(t.path, t.digest)]
    bar = Progress(echo, "生成 PDF", len(stale)) if echo is not None and stale else None
    _render_all(stale, jobs if jobs is not None else default_jobs(), tick=bar.advance if bar else None)
    if bar is not None:
        bar.done()
    for t in stale:
        cache.store(t.path, t.digest)
    remove_others(out_dir, wanted)
    cache.save()
    return [t.path for t in wanted], len(stale)


def default_jobs() -> int:
    """Processes for PDF rendering: the CPU count (at most 4); BANGFU_PDF_JOBS overrides."""
    import os

    value = os.environ.get("BANGFU_PDF_JOBS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    return max(1, min(4, os.cpu_count() or 1))


# Peak memory of one rendering process, measured with WeasyPrint 70 on the demo dossiers
# (3.6 pages each): 227 MiB for a volume of 10, 325 MiB for 40, i.e. about 195 MiB for the
# program and fonts plus 3.3 MiB per laid-out dossier; rounded up here.
BASE_MB = 200
DOSSIER_MB = 4


def memory_jobs(largest: int) -> int:
    """How many rendering processes the free memory allows, each laying out up to
    `largest` documents at once; at least one."""
    free = _available_mb()
    if free is None:
        return 4
    return max(1, int(free * 0.7) // (BASE_MB + DOSSIER_MB * largest))


def _available_mb() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    try:  # Windows and macOS
        import psutil

        return int(psutil.virtual_memory().available // (1024 * 1024))
    except Exception:  # noqa: BLE001 - psutil is optional
        return None


def drop_stale(out_dir: Path, wanted: list[Target]) -> None:
    """Without PDF output this time: remove PDFs of earlier builds whose documents changed."""
    cache = pdf_output.Cache(out_dir)
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
