"""Benchmark: the network's SQL stages of `bangfu merge` at scale, without the workbooks.

    python bench/crosscheck_bench.py [--stations 500] [--workers 200] [--payouts 600] [--runs 3]

One realistic station (generator.demo, <workers> x <payouts>) is read once; its records are
then given to <stations> stations, each with its own people (identity numbers rewritten per
station) except a few shared ones (every 50th worker of a station is also registered at the
next station, with that station paying the same items: duplicates to find). Times, in CPU
seconds of this process (DuckDB's threads included): writing every station's table files
(store.write_station_tables), opening the store over them (open_store), the cross-station
checks (crosscheck) and the 梯次帮扶 escalation (escalate). Medians of --runs runs.
The reading of the workbooks themselves is bench/merge_bench.py's business.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from generator.idcard import check_digit  # noqa: E402
from generator.record_types import EscalationLimit  # noqa: E402

TODAY = date(2026, 11, 23)


def _cpu() -> float:
    return time.process_time()  # every thread of this process, DuckDB's included


def _other(idno: str | None, n: int) -> str | None:
    """Station n's version of a number: the region code made n's own (a different person)."""
    if not idno or len(idno) != 18:
        return idno
    first17 = f"{500000 + n:06d}" + idno[6:17]
    return first17 + check_digit(first17)


def station_records(base, n: int, shared_from: int | None):
    """Station n's records: people renumbered, every 50th worker shared with station n-1."""
    shared = set()
    workers = []
    for i, w in enumerate(base.workers):
        if shared_from is not None and i % 50 == 0:
            shared.add(w.archive_no)
            workers.append(replace(w, id_number=_other(w.id_number, shared_from)))
        else:
            workers.append(replace(w, id_number=_other(w.id_number, n)))
    members = [replace(m, id_number=_other(m.id_number, n)) for m in base.members]
    records = replace(base, workers=workers, members=members)
    for cached in ("worker_by_no", "members_by_worker", "item_by_name"):
        records.__dict__.pop(cached, None)
    return records


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=500)
    parser.add_argument("--workers", type=int, default=200)
    parser.add_argument("--payouts", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    from generator.demo import write_demo
    from generator.network.crosscheck import crosscheck
    from generator.network.escalation import escalate
    from generator.network.store import open_store, write_station_tables
    from generator.pipeline import check_folder

    source = HERE / "out" / f"station-{args.workers}x{args.payouts}"
    if not source.exists():
        write_demo(source, workers=args.workers, payouts=args.payouts, seed=7, today=TODAY)
    base = check_folder(source, TODAY).records
    stations = [station_records(base, n, (n - 1) if n % 2 else None) for n in range(args.stations)]
    limits = [EscalationLimit(item=None, station_limit=Decimal(1000), county_limit=Decimal(5000))]

    figures: dict[str, list[float]] = {"write": [], "open": [], "crosscheck": [], "escalate": []}
    counts = {}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bangfu-xbench-") as tmp:
            t = _cpu()
            folders = {}
            for n, records in enumerate(stations):
                folders[f"站{n:04d}"] = Path(tmp) / str(n)
                write_station_tables(records, folders[f"站{n:04d}"])
            figures["write"].append(_cpu() - t)
            t = _cpu()
            store = open_store(folders)
            figures["open"].append(_cpu() - t)
            t = _cpu()
            found = crosscheck(store)
            figures["crosscheck"].append(_cpu() - t)
            t = _cpu()
            cases, _problems = escalate(store, "站0000", limits)
            figures["escalate"].append(_cpu() - t)
            counts = {"workers": store.sql("SELECT count(*) FROM workers").fetchone()[0],
                      "payouts": store.sql("SELECT count(*) FROM payouts").fetchone()[0],
                      "findings": len(found), "cases": len(cases)}
            store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {k: statistics.median(v) for k, v in figures.items()}
    print(f"{args.stations} stations, {counts['workers']:,} workers, {counts['payouts']:,} payouts; "
          f"{counts['findings']:,} cross-station findings, {counts['cases']:,} escalation cases")
    for k, v in result.items():
        print(f"  {k:<11} {v:7.2f} s CPU (median of {args.runs})")
    print(f"  peak RSS    {peak:7.0f} MB")
    return {**result, **counts, "peak_mb": peak}


if __name__ == "__main__":
    main()
