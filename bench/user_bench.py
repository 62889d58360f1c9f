"""Benchmark what a user runs: `bangfu check` and `bangfu build` (site + private records), fresh
and after one cell, and `bangfu serve`.

    python bench/user_bench.py [--workers 200 2000 20000] [--runs 3] [--pdf-up-to 2000] [--quick]

For each station size (200 is the demo size; the synthetic stations of check_bench
are made once into bench/out/<workers>x<payouts>/, 5 payouts per worker) it copies
the workbooks into a scratch folder and runs the real command line in a child process,
several times:
- a bare python-calamine read of the same workbooks (the floor), in a child too;
- `bangfu check <records> --format json` (the ratio to the bare read is issue 17's check target);
- `bangfu build <records> --site-dir … --private-dir … --today 2026-11-23`: a fresh build
  without PDFs and (up to --pdf-up-to workers) with PDFs;
- rebuilds after one edited cell: a visit note (private only) and a disclosed payout's
  amount (public), each edit made in the workbook's XML between two builds (an inline
  string or number in the sheet, every other part as it was); and the visit note once more
  as Excel saves it (edit_cell_shared: the book's texts are shared strings, the new text is
  appended to xl/sharedStrings.xml and a new cell style to xl/styles.xml);
- `bangfu serve`: from saving a changed station name to the served home page showing it
  (wall seconds; CPU and memory are those of the whole serve process).
Each figure is the median of --runs runs: wall seconds, CPU seconds (user + system of
the command and every process it waited for) and the peak memory of the largest single
process. Ratios are to the bare read. Timings on a shared machine are noisy: the load
average is printed with the results; compare CPU seconds and ratios.
--quick is a smoke run: the demo station (200 workers), one run, no PDFs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from check_bench import TODAY, dataset  # noqa: E402

PYTHON = sys.executable


def run_child(code: str, *args: str) -> dict:
    """Run python -c code in a child; its wall and CPU seconds and peak memory (MiB)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "NO_MKDOCS_2_WARNING": "1"}
    t = time.perf_counter()
    proc = subprocess.Popen([PYTHON, "-c", code, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "mem": usage.ru_maxrss / 1024,
            "code": proc.returncode, "out": out.decode("utf-8", "replace")}


BUILD = "import sys; from generator.cli import cli; sys.argv = ['bangfu', *sys.argv[1:]]; cli()"
BARE = (f"import sys; sys.path.insert(0, {str(HERE)!r}); from check_bench import bare_read; "
        "from pathlib import Path; bare_read(Path(sys.argv[1]))")


def check(records: Path) -> dict:
    r = run_child(BUILD, "check", str(records), "--today", TODAY.isoformat(), "--format", "json")
    if r["code"] not in (0, 1):  # 1: the station has errors, which is still a full check
        raise SystemExit(f"check failed ({r['code']}):\n{r['out'][-3000:]}")
    return r


def build(records: Path, out: Path, pdf: bool) -> dict:
    r = run_child(BUILD, "build", str(records), "--site-dir", str(out / "site"), "--private-dir",
                  str(out / "private"), "--today", TODAY.isoformat(), "--pdf" if pdf else "--no-pdf")
    if r["code"] != 0:
        raise SystemExit(f"build failed ({r['code']}):\n{r['out'][-3000:]}")
    return r


# --- editing one cell in the workbook's XML -----------------------------------------
def _sheet_part(z: zipfile.ZipFile, sheet_name: str) -> str:
    book = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    for m in re.finditer(r"<sheet\b[^>]*>", book):
        tag = m.group(0)
        if re.search(r'name="([^"]*)"', tag).group(1) == sheet_name:
            rid = re.search(r'r:id="([^"]*)"', tag).group(1)
            target = re.search(rf'<Relationship\b[^>]*Id="{rid}"[^>]*Target="([^"]*)"', rels) or \
                re.search(rf'<Relationship\b[^>]*Target="([^"]*)"[^>]*Id="{rid}"', rels)
            path = target.group(1).lstrip("/")
            return path if path.startswith("xl/") else "xl/" + path
    raise KeyError(sheet_name)


def _rewrite(book: Path, change) -> None:
    """Write the workbook again with each part's bytes passed through change(name, data)."""
    with zipfile.ZipFile(book) as z:
        items = [(info, change(info.filename, z.read(info.filename))) for info in z.infolist()]
    tmp = book.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            z.writestr(info, data)
    os.replace(tmp, book)


def _cell(xml: str, sheet_name: str, ref: str) -> tuple[re.Match, str]:
    """The cell's match in the sheet's XML and its attributes other than r and t."""
    m = re.search(rf'<c r="{ref}"(?P<attrs>[^>]*?)(?:/>|>.*?</c>)', xml, re.S)
    if m is None:
        raise KeyError(f"{sheet_name}!{ref} not found")
    return m, re.sub(r'\s+t="[^"]*"', "", m.group("attrs"))


def edit_cell(book: Path, sheet_name: str, ref: str, value) -> None:
    """Replace one cell's value (a number or an inline string), keeping everything else."""
    with zipfile.ZipFile(book) as z:
        part = _sheet_part(z, sheet_name)

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        xml = data.decode("utf-8")
        m, attrs = _cell(xml, sheet_name, ref)
        if isinstance(value, str):
            text = value.replace("&", "&amp;").replace("<", "&lt;")
            cell = f'<c r="{ref}"{attrs} t="inlineStr"><is><t>{text}</t></is></c>'
        else:
            cell = f'<c r="{ref}"{attrs}><v>{value}</v></c>'
        return (xml[:m.start()] + cell + xml[m.end():]).encode("utf-8")

    _rewrite(book, change)


SST_PART = "xl/sharedStrings.xml"
SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_INLINE = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*?) t="inlineStr"><is>(<t(?: [^>]*)?>.*?</t>)</is></c>', re.S)


def _sst(texts: list[str]) -> bytes:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<sst xmlns="{main}" '
            f'count="{len(texts)}" uniqueCount="{len(texts)}">'
            + "".join(f"<si>{t}</si>" for t in texts) + "</sst>").encode("utf-8")


def to_shared_strings(book: Path, cells=None) -> list[str]:
    """Make the workbook's texts shared strings, as Excel and WPS save them: each text cell
    (t="s") points into one table, xl/sharedStrings.xml, in order of first use. `cells`: a
    test on a cell's reference (e.g. "B7"), when only those cells' texts are shared. Returns
    the table's texts (none when the book has a table already)."""
    with zipfile.ZipFile(book) as z:
        if SST_PART in z.namelist():
            return []
    index: dict[str, int] = {}

    def share(m: re.Match) -> str:
        if cells is not None and not cells(m.group(1)):
            return m.group(0)
        n = index.setdefault(m.group(3), len(index))
        return f'<c r="{m.group(1)}"{m.group(2)} t="s"><v>{n}</v></c>'

    def change(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            return _INLINE.sub(share, data.decode("utf-8")).encode("utf-8")
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", f'<Override PartName="/{SST_PART}" ContentType="{SST_TYPE}"/>'
                                .encode() + b"</Types>")
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", f'<Relationship Id="rIdSst" Type="{SST_REL}" '
                                f'Target="sharedStrings.xml"/>'.encode() + b"</Relationships>")
        return data

    _rewrite(book, change)  # worksheets come before the table is written: it is added below
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr(SST_PART, _sst(list(index)))
    return list(index)


def edit_cell_shared(book: Path, sheet_name: str, ref: str, text: str, new_style: bool = True) -> None:
    """Replace one cell's text the way Excel saves it: the text appended to the shared strings
    (their counts updated), the cell pointing at it and, with new_style, at a new cell style
    appended to the styles (a copy of its own, as when the clerk also formats the cell); the
    rest written as it was. Every other sheet's XML stays the same, but the shared tables do
    not: a key over the whole tables would read every sheet of the book again."""
    with zipfile.ZipFile(book) as z:
        part = _sheet_part(z, sheet_name)
        xml, sst, styles = (z.read(name).decode("utf-8") for name in (part, SST_PART, "xl/styles.xml"))
    count = len(re.findall(r"<si[\s>/]", sst))
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    for attr in ("count", "uniqueCount"):
        sst = re.sub(rf'(<sst\b[^>]*?\b{attr}=")[0-9]+', lambda c: c.group(1) + str(count + 1), sst)
    sst = sst.replace("</sst>", f"<si><t>{escaped}</t></si></sst>")
    m, attrs = _cell(xml, sheet_name, ref)
    if new_style:
        xfs = re.search(r"<cellXfs\b[^>]*>(.*?)</cellXfs>", styles, re.S)
        xf_list = re.findall(r"<xf\b[^>]*?(?:/>|>.*?</xf>)", xfs.group(1), re.S)
        own = re.search(r'\bs="([0-9]+)"', attrs)
        styles = styles[:xfs.end(1)] + xf_list[int(own.group(1)) if own else 0] + styles[xfs.end(1):]
        styles = re.sub(r'(<cellXfs\b[^>]*?\bcount=")[0-9]+', lambda c: c.group(1) + str(len(xf_list) + 1), styles)
        attrs = re.sub(r'\s+s="[^"]*"', "", attrs) + f' s="{len(xf_list)}"'
    xml = xml[:m.start()] + f'<c r="{ref}"{attrs} t="s"><v>{count}</v></c>' + xml[m.end():]
    new = {part: xml, SST_PART: sst, "xl/styles.xml": styles}
    _rewrite(book, lambda name, data: new[name].encode("utf-8") if name in new else data)


def pick_cells(folder: Path) -> dict:
    """(book, sheet, cell, new value) for a visit note and a disclosed payout's amount."""
    from generator import schema
    from generator.reading import read_records

    records = read_records(folder).records
    book_of = {s.key: b.filename for b, s in schema.all_sheets()}

    def ref(sheet_key, row, column):
        place = records.places[sheet_key]
        return (folder / book_of[sheet_key], place.sheet, f"{place.letters[column]}{row}")

    visit = records.visits[len(records.visits) // 2]
    payout = next(p for p in records.payouts[len(records.payouts) // 2:]
                  if p.batch and p.paid and p.amount and p.amount > 10
                  and getattr(records.item_by_name.get(p.item), "standard", "") != "固定金额")
    return {"visit note": (*ref("visits", visit.row, "notes"), f"{visit.notes or ''}（已复查）"),
            "payout amount": (*ref("payouts", payout.row, "amount"), str(payout.amount - 1))}


def serve_latency(source: Path, runs: int) -> dict:
    """`bangfu serve`: seconds from saving a changed station name to the served home page
    showing it (median of `runs` saves), and the child's CPU seconds and peak memory."""
    import urllib.request

    from generator.reading import read_records

    with tempfile.TemporaryDirectory(dir=HERE / "out") as tmp:
        tmp = Path(tmp)
        records = tmp / "records"
        shutil.copytree(source, records)
        read = read_records(records).records
        place = read.places["settings"]
        cell = f"{place.letters['value']}{read.settings.rows['station_name']}"
        book = records / "帮扶政策.xlsx"
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               "NO_MKDOCS_2_WARNING": "1", "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen([PYTHON, "-c", BUILD, "serve", str(records), "--site-dir", str(tmp / "site"),
                                 "--port", "0", "--today", TODAY.isoformat()], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        url = None
        for line in proc.stdout:
            m = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if m:
                url = m.group(0)
                break
        if url is None:
            raise SystemExit("serve did not start")
        threading_drain(proc)
        latencies = []
        for i in range(runs):
            name = f"{read.settings.station_name}{i + 1}号"
            edit_cell(book, place.sheet, cell, name)
            t = time.perf_counter()
            while time.perf_counter() - t < 600:
                try:
                    page = urllib.request.urlopen(url, timeout=30).read().decode("utf-8")
                except OSError:
                    page = ""
                if name in page:
                    break
                time.sleep(0.05)
            latencies.append(time.perf_counter() - t)
        proc.terminate()
        _, _, usage = os.wait4(proc.pid, 0)
    return {"wall": statistics.median(latencies), "cpu": usage.ru_utime + usage.ru_stime,
            "mem": usage.ru_maxrss / 1024}


def threading_drain(proc) -> None:
    """Keep reading the child's output so that it never blocks on a full pipe."""
    import threading

    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()


# --- the runs -------------------------------------------------------------------------
def median_of(results: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in results) for k in ("wall", "cpu", "mem")}


def scenario(source: Path, runs: int, pdf: bool, edits: bool) -> dict:
    """Medians for a fresh build and (with `edits`) the one-cell rebuilds."""
    fresh, after = [], {}
    for _ in range(runs):
        with tempfile.TemporaryDirectory(dir=HERE / "out") as tmp:
            tmp = Path(tmp)
            records = tmp / "records"
            shutil.copytree(source, records)
            fresh.append(build(records, tmp, pdf))
            if not edits:
                continue
            cells = pick_cells(records)
            for name, (book, sheet, cell, value) in cells.items():
                edit_cell(book, sheet, cell, value)
                after.setdefault(name, []).append(build(records, tmp, pdf))
            # the visit note again, saved as Excel saves: the book's texts made shared strings
            # (a rebuild not counted), then the new text appended to them and a new style
            book, sheet, cell, value = cells["visit note"]
            to_shared_strings(book)
            build(records, tmp, pdf)
            edit_cell_shared(book, sheet, cell, value + "。")
            after.setdefault("visit note, Excel's save", []).append(build(records, tmp, pdf))
    out = {"fresh": median_of(fresh)}
    for name, results in after.items():
        out[name] = median_of(results)
    return out


def source_for(workers: int) -> Path:
    if workers == 200 and (ROOT / "records" / "帮扶记录.xlsx").exists():
        return ROOT / "records"  # the committed demo station
    return dataset(workers, workers * 5)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[200, 2000, 20000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pdf-up-to", type=int, default=2000,
                        help="build with PDFs only for stations up to this many workers")
    parser.add_argument("--no-serve", action="store_true", help="leave out the serve latency")
    parser.add_argument("--pdf-only", action="store_true", help="only the builds with PDFs")
    parser.add_argument("--pdf-runs", type=int, default=0, help="runs with PDFs (default: --runs)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: the demo station only, one run, no PDFs")
    args = parser.parse_args(argv)
    if args.quick:
        args.workers, args.runs, args.pdf_up_to = [200], 1, 0
    (HERE / "out").mkdir(exist_ok=True)
    results = {}
    for workers in args.workers:
        source = source_for(workers)
        bare = median_of([run_child(BARE, str(source)) for _ in range(args.runs)])
        results[(workers, "bare read")] = bare
        if not args.pdf_only:
            results[(workers, "check")] = median_of([check(source) for _ in range(args.runs)])
        for pdf in (False, True):
            if (pdf and workers > args.pdf_up_to) or (args.pdf_only and not pdf):
                continue
            for name, r in scenario(source, args.pdf_runs if pdf and args.pdf_runs else args.runs, pdf,
                                    edits=True).items():
                results[(workers, f"{name} ({'with' if pdf else 'no'} PDFs)")] = r
            report(results, workers)
        if not args.no_serve:
            results[(workers, "serve: save to visible change")] = serve_latency(source, args.runs)
        print(f"load average {os.getloadavg()[0]:.1f} after {workers} workers", flush=True)
        report(results, workers)
    return results


def report(results: dict, workers: int) -> None:
    bare = results[(workers, "bare read")]
    print(f"\n{workers} workers (medians; x = ratio to a bare calamine read of the same workbooks)")
    print(f"{'':<34}{'wall s':>8}{'CPU s':>8}{'x wall':>8}{'x CPU':>8}{'peak MiB':>10}")
    for (w, name), r in results.items():
        if w == workers:
            print(f"{name:<34}{r['wall']:>8.2f}{r['cpu']:>8.2f}{r['wall'] / bare['wall']:>8.1f}"
                  f"{r['cpu'] / bare['cpu']:>8.1f}{r['mem']:>10.0f}", flush=True)


if __name__ == "__main__":
    main()
