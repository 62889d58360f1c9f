"""Benchmark: `bangfu check` against merely reading the same workbooks.

    python bench/check_bench.py [--workers 20000] [--payouts 100000]

Generates the synthetic station once into bench/out/<workers>x<payouts>/ (kept for
reruns), then times (1) a bare python-calamine read of every sheet, the fastest
reader available, (2) our reader (typed records + cell problems), (3) the full
check (reader + every rule), in turn, --repeat times, in this process. Prints the
medians of CPU seconds (user + system, all threads) and wall seconds, and the ratios
to the bare read; on a shared machine compare the CPU figures.
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
    print(f"\nworkbooks: {folder}  ({cells:,} cells; medians of {args.repeat} runs)")
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
