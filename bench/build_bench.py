"""Benchmark: `bangfu build` of a large station, step by step, then an unchanged rebuild.

    python bench/build_bench.py [--workers 20000] [--payouts 100000] [--private] [--pdf]

Uses the synthetic station of check_bench (bench/out/<workers>x<payouts>/, made once
with generator.demo.write_demo) and builds its site into bench/out/<…>-build/site.
Prints where the time goes: reading, checking, rendering the pages, mkdocs, the leak
scan (and the private records when asked), the whole build, and an unchanged
rebuild. The target: the full build under 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from check_bench import TODAY, dataset  # noqa: E402

STEPS = (("read", "read workbooks"), ("check", "check (all rules)"), ("render", "render pages (Jinja2)"),
         ("mkdocs", "mkdocs build"), ("scan", "leak scan"), ("private", "private records"))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=20000)
    parser.add_argument("--payouts", type=int, default=100000)
    parser.add_argument("--private", action="store_true", help="also write the private records")
    parser.add_argument("--pdf", action="store_true", help="also write PDFs")
    args, _ = parser.parse_known_args(argv)

    from generator.build import build_all

    records = dataset(args.workers, args.payouts)
    out = HERE / "out" / f"{args.workers}x{args.payouts}-build"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    lines: list[str] = []
    timings: dict = {}
    t = time.perf_counter()
    code = build_all(records, site_dir=out / "site", private_dir=out / "private" if args.private else None,
                     today=TODAY, pdf=args.pdf, echo=lines.append, timings=timings)
    total = time.perf_counter() - t
    if code != 0:
        print("\n".join(lines[-40:]))
        raise SystemExit(f"build failed with exit code {code}")
    t = time.perf_counter()
    again: list[str] = []
    build_all(records, site_dir=out / "site", private_dir=out / "private" if args.private else None,
              today=TODAY, pdf=args.pdf, echo=again.append)
    unchanged = time.perf_counter() - t

    site = out / "site"
    files = [p for p in site.rglob("*") if p.is_file()]
    pages = len(list((out / ".bangfu" / "docs").rglob("*.md")))
    size = sum(p.stat().st_size for p in files)
    index = site / "search" / "search_index.json"
    print(f"\nsite: {site}  ({pages} pages, {len(files)} files, {size / 1e6:.1f} MB; "
          f"search index {index.stat().st_size / 1e6:.2f} MB)")
    print(f"{'step':<28}{'seconds':>9}")
    for key, label in STEPS:
        if key in timings:
            print(f"{label:<28}{timings[key]:>9.2f}")
    print(f"{'whole build':<28}{total:>9.2f}")
    print(f"{'unchanged rebuild':<28}{unchanged:>9.2f}")
    print(f"target: whole build under 60 s -> {'met' if total < 60 else 'NOT met'}")
    return {**timings, "total": total, "unchanged": unchanged, "pages": pages}


if __name__ == "__main__":
    main()
