"""Benchmark: WeasyPrint's cost per dossier, laid out and written as a volume is.

    python bench/pdf_bench.py [--sample 40] [--runs 3] [--private FOLDER]

Writes the demo's dossiers as HTML once (`bangfu build records --no-pdf` into bench/out/pdf-demo/,
kept for reruns; or takes the 档案 folder of --private), then, in a fresh child process per run,
lays out every fifth dossier up to --sample (pdf.render, as a volume does) and writes them as
one PDF. Prints the medians of CPU seconds (the child's user + system) for layout and writing,
per dossier, the page count and the peak memory. On a shared machine compare CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = "2026-11-23"


def dossier_folder(private: Path | None) -> Path:
    if private is not None:
        return Path(private) / "档案"
    out = HERE / "out" / "pdf-demo"
    folder = out / "private" / "档案"
    if not folder.is_dir():
        subprocess.run([sys.executable, "-m", "generator.cli", "build", str(HERE.parent / "records"),
                        "--site-dir", str(out / "site"), "--private-dir", str(out / "private"),
                        "--today", TODAY, "--no-pdf"], check=True, cwd=HERE.parent)
    return folder


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one_run(folder: Path, sample: int) -> dict:
    """In the child: lay out and write the sample; CPU seconds of each step."""
    from generator.private import pdf

    if pdf.engine() != "weasyprint":
        raise SystemExit("WeasyPrint with a Chinese font is needed for this benchmark")
    files = sorted(folder.glob("*.html"))
    files = [f for f in files if f.name != "index.html"]
    chosen = files[::5][:sample]
    pdf.render(files[1]).write_pdf()  # fonts and imports, not measured
    start = cpu()
    documents = [pdf.render(f) for f in chosen]
    laid_out = cpu()
    data = documents[0].copy([p for d in documents for p in d.pages]).write_pdf()
    written = cpu()
    return {"dossiers": len(chosen), "layout": laid_out - start, "write": written - laid_out,
            "pages": sum(len(d.pages) for d in documents), "bytes": len(data),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--private", type=Path, help="a built private folder (default: the demo's)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(one_run(args.child, args.sample)))
        return
    folder = dossier_folder(args.private)
    runs = []
    for _ in range(args.runs):
        started = time.perf_counter()
        out = subprocess.run([sys.executable, __file__, "--child", str(folder), "--sample", str(args.sample)],
                             check=True, capture_output=True, text=True, cwd=HERE.parent).stdout
        runs.append({**json.loads(out.strip().splitlines()[-1]), "wall": time.perf_counter() - started})
    n = runs[0]["dossiers"]
    med = {k: statistics.median(r[k] for r in runs) for k in ("layout", "write", "wall", "peak_mb")}
    size = runs[0]["bytes"] / 2**20
    print(f"{n} dossiers, {runs[0]['pages']} pages, {size:.2f} MiB PDF; medians of {len(runs)} runs:")
    print(f"  layout {med['layout']:.2f} CPU-s ({med['layout'] / n:.3f} per dossier)")
    print(f"  write  {med['write']:.2f} CPU-s ({med['write'] / n:.3f} per dossier)")
    print(f"  total  {(med['layout'] + med['write']) / n:.3f} CPU-s per dossier; peak {med['peak_mb']:.0f} MiB")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
