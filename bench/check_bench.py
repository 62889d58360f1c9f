"""Benchmark: `bangfu check` against merely reading the same workbooks.

    python bench/check_bench.py [--workers 20000] [--payouts 100000]

Generates the synthetic station once into bench/out/<workers>x<payouts>/ (kept for
reruns), then times (1) a bare python-calamine read of every sheet, the fastest
reader available, (2) our reader (typed records + cell problems), (3) the full
check (reader + every rule). Prints the figures and the check/read ratio.
"""

from __future__ import annotations

import argparse
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
    return out


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


def best_of(fn, repeat: int):
    times = []
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=20000)
    parser.add_argument("--payouts", type=int, default=100000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)

    from generator.pipeline import check_folder
    from generator.reading import read_records

    folder = dataset(args.workers, args.payouts)
    t_bare, cells = best_of(lambda: bare_read(folder), args.repeat)
    t_read, result = best_of(lambda: read_records(folder), args.repeat)
    t_check, outcome = best_of(lambda: check_folder(folder, TODAY), args.repeat)
    errors = sum(1 for p in outcome.problems if p.severity == "error")
    print(f"\nworkbooks: {folder}  ({cells:,} cells)")
    print(f"{'step':<34}{'seconds':>9}{'x bare':>9}")
    for label, t in (("bare calamine read (all sheets)", t_bare), ("bangfu reader (typed records)", t_read),
                     ("bangfu check (reader + all rules)", t_check)):
        print(f"{label:<34}{t:>9.2f}{t / t_bare:>9.2f}")
    print(f"problems: {len(outcome.problems)} ({errors} errors); "
          f"workers {len(outcome.records.workers)}, payouts {len(outcome.records.payouts)}")
    return {"bare": t_bare, "read": t_read, "check": t_check}


if __name__ == "__main__":
    main()
