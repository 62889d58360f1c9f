"""Benchmark: `bangfu check` against merely reading the same workbooks.

    python bench/check_bench.py [--workers 20000] [--payouts 100000]

Generates the synthetic station once into bench/out/<workers>x<payouts>/ (kept for
reruns) and gives each sheet the <dimension> element (the used range, e.g. A1:R20001) that
Excel, WPS and LibreOffice always write and openpyxl's write-only mode leaves out, so that
the bench reads files like the ones users have (the reader scans a sheet's cells for a
stray far cell only when <dimension> is missing). Then it times (1) a bare python-calamine
read of every sheet, the fastest reader available, (2) our reader (typed records + cell problems), (3) the full
check (reader + every rule), in turn, --repeat times, in this process. Prints the
medians of CPU seconds (user + system, all threads) and wall seconds, and the ratios
to the bare read; on a shared machine compare the CPU figures.
"""

from __future__ import annotations

import argparse
import re
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = date(2026, 11, 23)


def dataset(workers: int, payouts: int) -> Path:
    from generator.demo import write_demo

    out = HERE / "out" / f"{workers}x{payouts}"
    if not (out / "帮扶记录.xlsx").exists():
        t = time.perf_counter()
        write_demo(out, workers=workers, payouts=payouts, seed=2026, today=TODAY)
        print(f"generated {workers} workers / {payouts} payouts in {time.perf_counter() - t:.1f} s -> {out}")
    for path in sorted(out.glob("*.xlsx")):
        add_dimensions(path)
    return out


_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="([0-9]+)"')
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]+)[0-9]+"')


def _used_range(xml: bytes) -> bytes:
    """The sheet's used range as Excel writes it in <dimension ref="…">: top-left to
    bottom-right cell, "A1" for an empty sheet."""
    rows = [int(m.group(1)) for m in _ROW_NUMBER.finditer(xml)]
    columns = set(_CELL_COLUMN.findall(xml))
    if not rows or not columns:
        return b"A1"
    first = min(columns, key=lambda c: (len(c), c))
    last = max(columns, key=lambda c: (len(c), c))
    return b"%s%d:%s%d" % (first, min(rows), last, max(rows))


def add_dimensions(path: Path) -> bool:
    """Insert <dimension> into every worksheet of an .xlsx that lacks it (in place, other
    zip members copied unchanged). Returns whether the file changed."""
    import os
    import zipfile

    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    changed = False
    for i, (info, data) in enumerate(members):
        if not _SHEET_PART.fullmatch(info.filename) or b"<dimension" in data:
            continue
        tag = b'<dimension ref="%s"/>' % _used_range(data)
        end = data.find(b"</sheetPr>")
        if end >= 0:
            at = end + len(b"</sheetPr>")
        else:  # right after <sheetPr …/> or, without one, after the <worksheet …> start tag
            m = re.search(rb"<sheetPr\b[^>]*/>", data) or re.search(rb"<worksheet\b[^>]*>", data)
            at = m.end()
        members[i] = (info, data[:at] + tag + data[at:])
        changed = True
    if changed:
        tmp = path.with_name(path.name + ".tmp")
        with zipfile.ZipFile(tmp, "w") as out:
            for info, data in members:
                out.writestr(info, data, compress_type=info.compress_type)
        os.replace(tmp, path)
    return changed


def bare_read(folder: Path) -> int:
    import python_calamine

    cells = 0
    for path in sorted(folder.glob("*.xlsx")):
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(len(r) for r in rows)
        wb.close()
    return cells


def timed(fn) -> tuple[float, float, object]:
    """(CPU seconds, wall seconds, result) of one call."""
    import gc

    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    result = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=20000)
    parser.add_argument("--payouts", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    import statistics

    from generator.pipeline import check_folder
    from generator.reading import read_records

    folder = dataset(args.workers, args.payouts)
    steps = {"bare": lambda: bare_read(folder), "read": lambda: read_records(folder),
             "check": lambda: check_folder(folder, TODAY)}
    runs: dict = {key: [] for key in steps}
    for _ in range(args.repeat):  # interleaved, so that a busy spell hits every step alike
        for key, fn in steps.items():
            runs[key].append(timed(fn))
    cpu = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
    wall = {k: statistics.median(r[1] for r in v) for k, v in runs.items()}
    cells, outcome = runs["bare"][-1][2], runs["check"][-1][2]
    errors = sum(1 for p in outcome.problems if p.severity == "error")
    print(f"\nworkbooks: {folder}  ({cells:,} cells; medians of {args.repeat} runs; every sheet with "
          f"<dimension> as Excel writes it)")
    print(f"{'step':<34}{'CPU s':>8}{'x bare':>8}{'wall s':>8}{'x bare':>8}")
    for key, label in (("bare", "bare calamine read (all sheets)"), ("read", "bangfu reader (typed records)"),
                       ("check", "bangfu check (reader + all rules)")):
        print(f"{label:<34}{cpu[key]:>8.2f}{cpu[key] / cpu['bare']:>8.2f}{wall[key]:>8.2f}"
              f"{wall[key] / wall['bare']:>8.2f}")
    print(f"problems: {len(outcome.problems)} ({errors} errors); "
          f"workers {len(outcome.records.workers)}, payouts {len(outcome.records.payouts)}")
    return {"cpu": cpu, "wall": wall}


if __name__ == "__main__":
    main()
