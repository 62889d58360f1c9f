"""Benchmark `bangfu merge`: 500 stations of 200 workers and 600 payouts each.

    python bench/merge_bench.py [--stations 500] [--runs 3] [--jobs N]

Generates the network once into bench/out/merge-<stations>/ (kept for reruns): a county
centre's own records (县中心) and <stations> station folders (stations/站001 …), each
made by the demo generator with its own seed and its own station name, so that no two
stations have the same content (100,000 workers and 300,000 payouts at 500 stations).
Generation runs in parallel processes and is resumable: a station is written into a
scratch folder and renamed into place, so an interrupted run leaves no half station.

Then measures, each in a child process so that its CPU seconds (user + system of the
process and every worker it waited for) and peak memory are its own:
- a bare parallel python-calamine read of the same workbooks (every sheet of every
  station, in the same number of processes the merge uses): the floor;
- a cold merge (empty cache);
- a warm merge with nothing changed, and one on the next day (every station checked
  again from its cached records, none read);
- a warm merge after one station changed (one cell edited in one of its workbooks
  between runs, as a clerk's save in Excel would).
Each figure is the median of --runs runs: wall seconds, CPU seconds, the peak memory of
the largest single process, and the ratio to the bare read. The machine may be shared:
the load average is printed with the results; compare CPU seconds and ratios.
Targets (issue 19): warm merge with one changed station under 10 s; cold merge within
2x the bare parallel read.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from check_bench import TODAY  # noqa: E402
from user_bench import edit_cell, run_child  # noqa: E402

WORKERS = 200
PAYOUTS = 600
COUNTY = "县中心"


# --- the network, generated once ---------------------------------------------------------
# The demo generator writes a station in about a second of CPU, mostly openpyxl; 500 would
# take many minutes. So BASES stations are generated with their own seeds, and every other
# station is a variant of one of them: its identity numbers moved to other (fictional)
# county codes 379901…379980 with a recomputed check digit, and its own station name. No
# two stations share an identity number or content; names, phones and amounts repeat
# between a base and its variants, which no cross-station check compares.
BASES = 25
ID_NUMBER = re.compile(rb"3799(0[1-4])(\d{11})[\dX]")


def _station_name(i: int) -> str:
    return f"第{i:03d}镇总工会困难职工帮扶站"


def _complete(folder: Path) -> bool:
    from generator import schema

    return all((folder / b.filename).exists() for b in schema.BOOKS)


def _replace_folder(scratch: Path, folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    os.replace(scratch, folder)


def _scratch(folder: Path) -> Path:
    scratch = folder.with_name(folder.name + ".part")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    return scratch


def _write_station(folder: Path, seed: int, name: str) -> None:
    """One station's four workbooks: the demo generator with its own seed and name."""
    from generator import schema
    from generator.demo import build_demo
    from generator.demo.writer import write_book

    if _complete(folder):
        return
    scratch = _scratch(folder)
    data = build_demo(workers=WORKERS, payouts=PAYOUTS, seed=seed, today=TODAY)
    data["settings"]["station_name"] = name
    for book in schema.BOOKS:
        write_book(scratch / book.filename, book, data[book.key], data["settings"], stamp=TODAY)
    _replace_folder(scratch, folder)


def _variant(base: Path, base_name: str, folder: Path, variant: int, name: str) -> None:
    """A copy of `base` with other identity numbers (county code moved by `variant`) and name."""
    from generator.idcard import check_digit

    if _complete(folder):
        return

    def move(m: re.Match) -> bytes:
        county = (int(m.group(1)) - 1) * 20 + variant + 1  # 01…80: 3799 is no real prefecture
        first17 = f"3799{county:02d}".encode() + m.group(2)
        return first17 + check_digit(first17.decode()).encode()

    scratch = _scratch(folder)
    for book in sorted(base.glob("*.xlsx")):
        with zipfile.ZipFile(book) as src, zipfile.ZipFile(scratch / book.name, "w", zipfile.ZIP_DEFLATED) as out:
            for info in src.infolist():
                data = src.read(info.filename)
                if info.filename.startswith("xl/worksheets/"):
                    data = ID_NUMBER.sub(move, data).replace(base_name.encode(), name.encode())
                out.writestr(info, data)
    _replace_folder(scratch, folder)


def _run_all(jobs: int, fn, todo: list[tuple], what: str) -> None:
    if not todo:
        return
    t = time.perf_counter()
    print(f"  {what}: {len(todo)} in {jobs} processes …", flush=True)
    with ProcessPoolExecutor(jobs) as pool:
        for n, _ in enumerate(pool.map(fn, *zip(*todo), chunksize=4), start=1):
            if n % 100 == 0:
                print(f"    {n}/{len(todo)} ({time.perf_counter() - t:.0f} s)", flush=True)
    print(f"  {what}: {time.perf_counter() - t:.0f} s", flush=True)


def network(stations: int, jobs: int) -> tuple[Path, list[Path]]:
    """The county folder and the station folders, generating whatever is missing."""
    out = HERE / "out" / f"merge-{stations}"
    county = out / COUNTY
    folders = [out / "stations" / f"站{i:03d}" for i in range(1, stations + 1)]
    if all(_complete(f) for f in [county, *folders]):
        _county_limits(county)
        return county, folders
    print(f"generating the network into {out} ({stations} stations of {WORKERS} workers, "
          f"{PAYOUTS} payouts) …", flush=True)
    bases = [(f, 1000 + i, _station_name(i)) for i, f in enumerate(folders[:BASES], start=1)]
    _run_all(jobs, _write_station, [(county, 1, "示范县总工会困难职工帮扶中心"), *bases], "demo stations")
    variants = [(folders[(i - 1) % BASES], _station_name((i - 1) % BASES + 1), f, (i - 1) // BASES,
                 _station_name(i)) for i, f in enumerate(folders[BASES:], start=BASES + 1)]
    _run_all(jobs, _variant, variants, "variants")
    _county_limits(county)
    return county, folders


def _county_limits(county: Path) -> None:
    """The county's 梯次帮扶 sheet: a station approves up to 5,000 元 alone, the county up to
    20,000 元 (the escalation query then has payouts above the first to find)."""
    import openpyxl

    from generator import schema

    book = county / next(b.filename for b, s in schema.all_sheets() if s is schema.ESCALATION)
    wb = openpyxl.load_workbook(book)
    if schema.ESCALATION.name in wb.sheetnames:
        return
    ws = wb.create_sheet(schema.ESCALATION.name)
    ws.append([c.name for c in schema.ESCALATION.columns])
    ws.append([None, 5000, 20000, "所有项目"])
    scratch = book.with_suffix(".part")
    wb.save(scratch)
    os.replace(scratch, book)


# --- what is measured (each in a child process, see run_child) ---------------------------
def bare_read_all(folders: list[Path], jobs: int) -> int:
    """The floor: every sheet of every station read by python-calamine, in `jobs` spawned
    processes (as the merge starts its workers), one station per task."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from check_bench import bare_read

    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        return sum(pool.map(bare_read, folders))


def merge_all(county: Path, folders: list[Path], jobs: int, days_later: int = 0, outputs: bool = True) -> dict:
    """`bangfu merge` as the command runs it: through the per-station cache beside the county
    folder, writing its outputs beside it too. Seconds of each step (by the lines it prints)."""
    from generator.network import merge as merge_module

    steps: dict = {}
    timed = _Timed(steps)
    if outputs:  # the county's report and site, as `bangfu merge` registers them
        from generator.build.network import site_stage

        if site_stage not in merge_module.OUTPUT_STAGES:
            merge_module.OUTPUT_STAGES.append(site_stage)
    else:
        merge_module.OUTPUT_STAGES.clear()
    outcome = merge_module.merge(folders, county, today=TODAY + timedelta(days=days_later), workers=jobs,
                                 echo=timed, write=outputs)
    timed("")
    runs = outcome.runs()
    steps.update(stations=len(runs), counted=sum(r.counted for r in runs), findings=len(outcome.network.problems),
                 read=sum(1 for r in runs if not getattr(r.outcome, "from_cache", False)))
    return steps


class _Timed:
    """An echo that times the merge's steps by the lines it prints."""

    def __init__(self, steps: dict):
        self.steps, self.step, self.t = steps, None, time.perf_counter()

    def __call__(self, line: str) -> None:
        now = time.perf_counter()
        if self.step is not None:
            self.steps[self.step] = round(self.steps.get(self.step, 0) + now - self.t, 2)
        text = line.strip()
        if text and not text.startswith(("读取和检查", "其中")):  # progress lines belong to their step
            self.step = {"读取": "load", "跨站": "crosscheck+escalation"}.get(text[:2], text[:8])
        self.t = now


CHILD = ("import json, sys; sys.path.insert(0, {here!r}); from pathlib import Path; import merge_bench as b; "
         "county, folders = b.network({stations}, {jobs}); "
         "r = b.{fn}; print('RESULT ' + json.dumps(r))")


def measure(what: str, stations: int, jobs: int, days_later: int = 0, outputs: bool = True) -> dict:
    fn = {"bare": f"bare_read_all(folders, {jobs})",
          "merge": f"merge_all(county, folders, {jobs}, {days_later}, {outputs})"}[what]
    r = run_child(CHILD.format(here=str(HERE), stations=stations, jobs=jobs, fn=fn))
    if r["code"] != 0 or "RESULT " not in r["out"]:
        raise SystemExit(f"{what} failed ({r['code']}):\n{r['out'][-3000:]}")
    r["result"] = json.loads(r["out"].rsplit("RESULT ", 1)[1])
    return r


def changed_cell(folder: Path) -> tuple[Path, str, str, object]:
    """(workbook, sheet, cell, amount) of a payout amount in the station's 帮扶发放."""
    from generator import schema
    from generator.reading import read_records

    records = read_records(folder).records
    place = records.places["payouts"]
    payout = next(p for p in records.payouts[len(records.payouts) // 2:] if p.paid and p.amount and p.amount > 10)
    book = next(b.filename for b, s in schema.all_sheets() if s.key == "payouts")
    return folder / book, place.sheet, f"{place.letters['amount']}{payout.row}", payout.amount


def median_of(results: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in results) for k in ("wall", "cpu", "mem")}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes for generating, reading and merging (default: every core)")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--no-outputs", dest="outputs", action="store_false",
                        help="without the county's outputs (problems lists, report, site): loading and SQL only")
    args = parser.parse_args(argv)
    county, folders = network(args.stations, args.jobs)
    if args.generate_only:
        return {}
    from generator import places

    cache = places.network_cache_dir(county)
    results: dict[str, list[dict]] = {"bare parallel read": [], "cold merge (empty cache)": [],
                                      "warm merge, nothing changed": [], "next day, nothing changed": [],
                                      "warm merge, one station changed": []}
    loads = []

    def merge(days_later: int = 0) -> dict:
        return measure("merge", args.stations, args.jobs, days_later=days_later, outputs=args.outputs)

    for run in range(args.runs):
        print(f"run {run + 1}/{args.runs} …", flush=True)
        results["bare parallel read"].append(measure("bare", args.stations, args.jobs))
        shutil.rmtree(cache, ignore_errors=True)
        results["cold merge (empty cache)"].append(merge())
        results["warm merge, nothing changed"].append(merge())
        # another date: every station checked again from its cached records, none read
        results["next day, nothing changed"].append(merge(days_later=1))
        loads.append(os.getloadavg()[0])
    book, sheet, ref, amount = changed_cell(folders[len(folders) // 2])
    try:
        for run in range(args.runs):
            edit_cell(book, sheet, ref, str(amount - run - 1))  # new content each time: a miss
            results["warm merge, one station changed"].append(merge())
            loads.append(os.getloadavg()[0])
    finally:
        edit_cell(book, sheet, ref, str(amount))
    bare = median_of(results["bare parallel read"])
    print(f"\n{args.stations} stations ({args.stations * WORKERS:,} workers, {args.stations * PAYOUTS:,} payouts) "
          f"+ the county centre, {args.jobs} processes; medians of {args.runs} runs; "
          f"load average during runs {min(loads):.1f}–{max(loads):.1f} on {os.cpu_count()} cores")
    print(f"{'':34}{'wall s':>8}{'cpu s':>8}{'peak MiB':>10}{'wall/bare':>11}{'cpu/bare':>10}")
    summary = {}
    for label, runs in results.items():
        m = median_of(runs)
        summary[label] = {**m, "steps": runs[-1]["result"]}
        print(f"{label:34}{m['wall']:>8.1f}{m['cpu']:>8.1f}{m['mem']:>10.0f}"
              f"{m['wall'] / bare['wall']:>11.2f}{m['cpu'] / bare['cpu']:>10.2f}")
    for label, runs in results.items():
        if label != "bare parallel read":
            steps = {k: round(statistics.median(r["result"][k] for r in runs), 2) for k in runs[0]["result"]}
            print(f"  {label}: {steps}")
    return summary


if __name__ == "__main__":
    main()
