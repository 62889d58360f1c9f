"""`bangfu merge`: the county centre's view of its stations, stage by stage.

    outcome = merge([Path("各站")], Path("县中心/records"), today=date(2026, 11, 23))
    outcome.network, outcome.cases, outcome.exit_code

load (every station checked as `bangfu check` does) -> store (DuckDB over the stations'
rows) -> crosscheck (the same person at two stations) -> escalation (梯次帮扶, limits from
the county's own policy workbook) -> the county's outputs (OUTPUT_STAGES) -> the problems
list and the county's work list in the private merge folder (places.NETWORK_PRIVATE).

A station that cannot be read or has errors is reported with all its problems, keyed by
its name; its figures stay out of the network's totals (StationRun.counted). Its rows
still take part in the cross-station checks: a duplicate registration is worth knowing
whatever else is wrong in the workbook.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import places, report_text
from ..outputs import claim_folder, guard_folder, save_workbook, write_text
from ..pipeline import EXIT_ERRORS, EXIT_OK, EXIT_UNREADABLE
from ..problems import ERROR, WARNING, count, problem, sort_key
from ..progress import Progress
from ..reading import input_files
from .crosscheck import crosscheck
from .escalation import escalate, unknown_items
from .load import load_stations
from .model import EscalationCase, Network, StationProblem, StationRun
from .report import report_stage
from .store import store_for

# The problem codes this module may emit (tests/test_catalogue.py checks them).
CODES = frozenset({"network-station-copy"})

NETWORK_MARKER = ".bangfu-network"  # marks a merge output folder as made by bangfu
PROBLEMS_TEXT = "问题清单.txt"
PROBLEMS_JSON = "问题清单.json"
WORK_LIST_TEXT = "待办清单.txt"
CASES_BOOK = "梯次帮扶台账.xlsx"

Echo = Callable[[str], None]


def _quiet(text: str) -> None:
    pass


# The county's outputs (the network report and the county site, generator/network/report.py
# and site*.py): each stage is called as stage(outcome, site_dir=…, private_dir=…, today=…,
# echo=…) after the checks, and returns an exit code (0 when it wrote its output). Empty until
# those stages are merged in; merge itself then writes only the problems and the work list.
OutputStage = Callable[..., int]
OUTPUT_STAGES: list[OutputStage] = [report_stage]


@dataclass
class MergeOutcome:
    network: Network
    cases: list[EscalationCase] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    refused: str = ""  # why nothing was written (Chinese), else ""
    output_code: int = EXIT_OK  # the worst exit code of the output stages

    def runs(self) -> list[StationRun]:
        return [self.network.county, *self.network.stations]

    def all_problems(self) -> list[StationProblem]:
        """Every station's own problems (county first), then the cross-station findings."""
        own = [StationProblem(r.key, p) for r in self.runs() for p in r.outcome.problems]
        return own + self.network.problems

    @property
    def exit_code(self) -> int:
        """Like `bangfu build`: 2 a folder could not be read (or nothing could be written),
        1 errors in some station's records or across stations, else 0."""
        if self.refused or any(r.outcome.unreadable for r in self.runs()):
            return EXIT_UNREADABLE
        worst = EXIT_ERRORS if any(sp.problem.is_error for sp in self.all_problems()) else EXIT_OK
        return max(worst, self.output_code)


def is_station_folder(folder: Path) -> bool:
    """A records folder: it holds at least one of the four workbooks (in a readable format)."""
    return any(p.is_file() for p in input_files(folder))


def expand_folders(folders: list[Path]) -> list[Path]:
    """Each argument is a station's records folder, or a folder of station folders (taken
    in name order; a subfolder's own `records` folder counts as that station's). A path
    that is neither is kept, so loading reports it (找不到记录文件夹 or 缺少工作簿). In a folder
    of station folders, a subfolder without workbooks (a station that has not sent them, or
    sent them one folder too deep) is kept too, so it is reported rather than skipped; hidden
    folders and bangfu's own output folders are not stations."""
    out: list[Path] = []
    for folder in map(Path, folders):
        if is_station_folder(folder) or not folder.is_dir():
            out.append(folder)
            continue
        found, empty = [], []
        for sub in sorted((d for d in folder.iterdir() if d.is_dir()), key=lambda d: d.name):
            if is_station_folder(sub):
                found.append(sub)
            elif is_station_folder(sub / "records"):
                found.append(sub / "records")
            elif not _not_a_station(sub):
                found.append(sub)
                empty.append(sub)
        out.extend(found if len(empty) < len(found) else [folder])
    return out


def _not_a_station(folder: Path) -> bool:
    """A hidden folder, or one bangfu wrote (its marker file, e.g. .bangfu-site)."""
    return folder.name.startswith((".", "__", "~$")) or any(folder.glob(".bangfu-*"))


def _unique(folders: list[Path], county: Path) -> list[Path]:
    seen = {county.resolve()}
    out = []
    for folder in folders:
        real = folder.resolve()
        if real not in seen:
            seen.add(real)
            out.append(folder)
    return out


def _content(folder: Path) -> tuple | None:
    """The workbooks' names and bytes' hash, None without any workbook."""
    books = sorted((p.name, hashlib.sha256(p.read_bytes()).hexdigest())
                   for p in input_files(folder) if p.is_file())
    return tuple(books) or None


def _without_copies(folders: list[Path]) -> tuple[list[Path], list[tuple[Path, Path]]]:
    """Drop a station folder whose workbooks are byte for byte those of an earlier one (the
    same station received twice, e.g. 甲镇 and 甲镇 - 副本): merged once, it would make every
    person a 重复建档. Returns the folders kept and (copy, folder kept) pairs."""
    kept: list = []
    copies: list = []
    first: dict = {}
    for folder in folders:
        try:
            content = _content(folder) if folder.is_dir() else None
        except OSError:  # unreadable: loading reports it
            content = None
        if content is not None and content in first:
            copies.append((folder, first[content]))
            continue
        if content is not None:
            first[content] = folder
        kept.append(folder)
    return kept, copies


def _copy_problems(network: Network, copies: list[tuple[Path, Path]]) -> list[StationProblem]:
    key = {run.folder: run.key for run in [network.county, *network.stations]}
    return [StationProblem(key[kept], problem("network-station-copy", file=str(copy), copy=str(copy), folder=str(kept)))
            for copy, kept in copies]


def merge(station_folders: list[Path], county_folder: Path, *, today: date,
          site_dir: Path | None = None, private_dir: Path | None = None, write: bool = True,
          echo: Echo = _quiet, cache: bool = True, workers: int | None = None) -> MergeOutcome:
    """`cache`: keep what each station's reading gave in places.network_cache_dir, beside the
    county folder when it exists (an unchanged station is then not read again); `workers`:
    processes reading stations (default every core)."""
    county_folder = Path(county_folder)
    folders, copies = _without_copies([county_folder, *_unique(expand_folders(station_folders), county_folder)])
    echo(f"读取县中心和 {len(folders) - 1} 个站点的记录……")
    bar = Progress(echo, "读取和检查", total=len(folders))
    cache_dir = places.network_cache_dir(county_folder) if cache and county_folder.is_dir() else None
    county, *stations = load_stations(folders, today=today, workers=workers, cache_dir=cache_dir,
                                      progress=lambda done, total: bar.update(done))
    bar.done()
    unchanged = sum(1 for r in [county, *stations] if getattr(r.outcome, "from_cache", False))
    if unchanged:
        echo(f"其中 {unchanged} 个记录文件夹自上次汇总以来没有变化，没有重新读取。")
    network = Network(county=county, stations=stations)
    network.problems += _copy_problems(network, copies)
    outcome = MergeOutcome(network)
    echo("跨站检查和梯次帮扶……")
    with store_for(outcome.runs()) as store:
        network.problems.extend(crosscheck(store))
        limits = county.outcome.records.escalation if not county.outcome.unreadable else []
        outcome.cases, open_cases = escalate(store, county.key, limits)
        network.problems.extend(open_cases)
        if not county.outcome.unreadable:
            network.problems.extend(StationProblem(county.key, p)
                                    for p in unknown_items(store, county.outcome.records))
    order = {r.key: i for i, r in enumerate(outcome.runs())}
    network.problems.sort(key=lambda sp: (order.get(sp.station, len(order)), sort_key(sp.problem)))
    if write:
        _write(outcome, county_folder, today, site_dir or places.network_site_dir(county_folder),
               private_dir or places.network_private_dir(county_folder), echo)
    return outcome


def _write(outcome: MergeOutcome, county_folder: Path, today: date, site_dir: Path, private_dir: Path,
           echo: Echo) -> None:
    if not county_folder.is_dir():  # a mistyped --into: write nothing beside a folder that is not there
        outcome.refused = (report_text.render(outcome.network.county.outcome.problems, county_folder)
                           + "\n没有写出汇总材料。请检查 --into 后面的县中心记录文件夹。")
        return
    records_dirs = [r.folder for r in outcome.runs()]
    for folder in records_dirs:
        refusal = guard_folder(private_dir, records_dir=folder, marker=NETWORK_MARKER, what="汇总内部材料")
        if refusal:
            outcome.refused = refusal
            return
    claim_folder(private_dir, NETWORK_MARKER)
    outcome.written += [
        write_text(private_dir / PROBLEMS_TEXT, problems_text(outcome)),
        write_text(private_dir / PROBLEMS_JSON, json.dumps(problems_json(outcome), ensure_ascii=False, indent=1)),
        write_text(private_dir / WORK_LIST_TEXT, work_list_text(outcome, today)),
        save_workbook(cases_workbook(outcome, today), private_dir / CASES_BOOK),
    ]
    for stage in OUTPUT_STAGES:
        code = stage(outcome, site_dir=site_dir, private_dir=private_dir, today=today, echo=echo)
        outcome.output_code = max(outcome.output_code, code)


def _left_out_reason(run: StationRun) -> str:
    if not run.outcome.ok:
        return "有错误"
    return f"还有 {run.examples} 处示例行或示例设置待删除"


def _heading(run: StationRun, county: bool) -> str:
    name = run.info.name if not run.outcome.unreadable else ""
    role = "县中心" if county else "站点"
    state = "" if run.counted else f"（{_left_out_reason(run)}，未计入汇总数字）"
    return f"===== {role} {run.key}{f'：{name}' if name else ''}（{run.folder}）{state} ====="


def problems_text(outcome: MergeOutcome) -> str:
    """The county's problems list: each station's report as `bangfu check` prints it, under
    the station's key, then the cross-station findings station by station."""
    lines = [summary_line(outcome), ""]
    for i, run in enumerate(outcome.runs()):
        lines += [_heading(run, i == 0), report_text.render(run.outcome.problems, run.folder), ""]
    cross = outcome.network.problems
    lines.append("===== 跨站检查和梯次帮扶 =====")
    if not cross:
        lines.append("没有发现同一人在两个站重复建档、重复发放，也没有超过审批权限的帮扶。")
    for run in outcome.runs():
        mine = [sp.problem for sp in cross if sp.station == run.key]
        if mine:
            lines += ["", f"--- {run.key}（{run.folder}）---", report_text.render(mine, run.folder)]
    return "\n".join(lines).rstrip() + "\n"


def summary_line(outcome: MergeOutcome) -> str:
    runs = outcome.runs()
    counted = sum(1 for r in runs if r.counted)
    all_problems = [sp.problem for sp in outcome.all_problems()]
    cross = [sp.problem for sp in outcome.network.problems]
    text = (f"共 {len(runs)} 个记录文件夹（含县中心），{counted} 个没有错误、计入汇总；"
            f"共 {count(all_problems, ERROR)} 个错误、{count(all_problems, WARNING)} 个提醒，"
            f"其中跨站检查和梯次帮扶 {len(cross)} 个。")
    left_out = [f"{r.key}（{_left_out_reason(r)}）" for r in runs if not r.counted]
    if left_out:
        text += f"未计入汇总数字的：{'、'.join(left_out)}。"
    return text


def problems_json(outcome: MergeOutcome) -> list[dict]:
    """Every problem as `bangfu check --format json` writes it, plus its station's key and
    whether it was found across stations."""
    own = [StationProblem(r.key, p) for r in outcome.runs() for p in r.outcome.problems]
    return [{"station": sp.station, "cross_station": cross, **sp.problem.as_dict()}
            for cross, found in ((False, own), (True, outcome.network.problems)) for sp in found]


def work_list_text(outcome: MergeOutcome, today: date) -> str:
    """The county centre's own work list plus the open 梯次帮扶 cases of its stations."""
    from ..todo import escalation_entries, render_text, with_entries, work_list

    county = outcome.network.county
    if county.outcome.unreadable:
        return "县中心的工作簿无法读取，无法列出待办。请先运行 bangfu check 改正。\n"
    records = county.outcome.records
    wl = with_entries(work_list(records, today), escalation_entries(outcome.cases, records, today))
    return render_text(wl) + "\n"


CASE_COLUMNS = (("站点", 12), ("记录编号", 14), ("档案编号", 12), ("帮扶项目", 18), ("金额（元）", 12),
                ("超过的上限（元）", 14), ("审批", 10), ("申请日期", 12), ("发放日期", 12), ("上级批准日期", 14),
                ("状态", 10), ("工作簿位置", 30))


def cases_workbook(outcome: MergeOutcome, today: date):
    """梯次帮扶台账: every payout above a station's (or the county's) own limit, approved or
    not, for the county's files and its report to the city. Private: archive numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "梯次帮扶"
    ws.append([f"梯次帮扶台账（截至 {today.isoformat()}，共 {len(outcome.cases)} 笔，"
               f"待上级批准 {sum(1 for c in outcome.cases if c.open)} 笔）"])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append([name for name, _ in CASE_COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for c in outcome.cases:
        where = "/".join(x for x in (c.file, c.sheet, c.cell) if x)
        ws.append([c.station, c.record_no, c.archive_no, c.item, c.amount, c.limit, c.level_zh, c.applied, c.paid,
                   c.upper_approved, "待批准" if c.open else "已批准", where])
    for i, (_, width) in enumerate(CASE_COLUMNS, 1):
        letter = ws.cell(row=2, column=i).column_letter
        ws.column_dimensions[letter].width = width
        for cell in ws[letter][2:]:
            if i in (5, 6):
                cell.number_format = "#,##0.00"
            elif i in (8, 9, 10):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A3"
    return wb

