"""The county centre's quarterly report (每季度统计上报) for the whole network, as an .xlsx
workbook in the same format as a station's (private/report.py, whose figure functions it
runs on the network's combined records, network/combined.py), plus:

- 分站统计: one row per station (the county centre first) with the figures its own report
  shows (payouts, files, funds, reception), the 合计 of the counted ones, and for a station
  left out of the totals, why;
- the stations not counted, named under the header of the main sheet;
- 本季新建档 / 本季结档 with a 站点 column.

    write_network_report(network, Quarter(2026, 3), path, today=date(2026, 11, 23))

A station with errors in its records (model.StationRun.counted is False) is listed, but
none of its figures is in any total. Figures: people are counted once per station (the
same person at two stations is two files, as in the stations' own reports; crosscheck.py
reports such pairs), so each total is the sum of the counted stations' own reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook

from .. import places
from ..checks.examples import EXAMPLE_CODES
from ..money import total
from ..outputs import save_workbook
from ..periods import Quarter, latest_complete
from ..pipeline import EXIT_UNREADABLE
from ..private import report as station_report
from ..records import Records
from .combined import REPORT_SHEETS, combined, members
from .model import Network, StationRun

TITLE = "困难职工帮扶工作季度汇总统计表"
COUNTY_LABEL = "（本中心）"
STATION = ("站点", 22)
BREAKDOWN_HEADER = ("站点", "是否计入汇总", "帮扶人数", "帮扶人次", "帮扶金额（元）", "季末在档人数", "本季新建档",
                    "本季结档", "本季资金收入", "本季资金支出", "期末资金余额", "接待件数", "说明")
BREAKDOWN_WIDTHS = (26, 12, 10, 10, 16, 12, 10, 10, 16, 16, 16, 10, 48)
SUMMED = ("people", "times", "amount", "in_force", "registered", "closed", "income", "spending", "balance",
          "reception")  # the StationFigures fields of 分站统计, in column order


@dataclass(frozen=True)
class StationFigures:
    """One station's line of 分站统计: what its own quarterly report shows, in short."""
    key: str  # "" for the 合计 line
    name: str
    counted: bool
    people: int = 0
    times: int = 0
    amount: Decimal = Decimal(0)
    in_force: int = 0
    registered: int = 0
    closed: int = 0
    income: Decimal = Decimal(0)
    spending: Decimal = Decimal(0)
    balance: Decimal = Decimal(0)
    reception: int = 0
    note: str = ""

    def row(self) -> tuple:
        if not self.counted:
            return (self.name, "否", *([""] * 10), self.note)
        return (self.name, "是" if self.key else "", *(getattr(self, f) for f in SUMMED), self.note)


def display_name(run: StationRun, county: bool = False) -> str:
    """The station as the report and the site name it: its 站点名称 and, when that differs, the key."""
    name = run.info.name or run.key
    label = name if run.key in name else f"{name}（{run.key}）"
    return label + (COUNTY_LABEL if county else "")


def why_not_counted(run: StationRun) -> str:
    """Why a station's figures are left out, in Chinese, naming the first fault's place."""
    if run.outcome.exit_code == EXIT_UNREADABLE:
        return "有工作簿无法读取，未计入汇总；请该站改正后重新汇总。"
    errors = [p for p in run.outcome.problems if p.is_error]
    if errors:
        return (f"记录中有 {len(errors)} 处错误{_first(errors)}，未计入汇总；"
                "请该站用 bangfu check 检查并改正后重新汇总。")
    examples = [p for p in run.outcome.problems if p.code in EXAMPLE_CODES]
    return (f"记录中还有 {len(examples)} 处 bangfu init 生成的示例行或示例设置{_first(examples)}，未计入汇总；"
            "请该站删除示例行、把站点设置改成本站的信息后重新汇总。")


def _first(problems) -> str:
    """（第一处：file、sheet、cell） of the first problem, "" without a place."""
    first = problems[0]
    where = "、".join(x for x in (first.file, f"工作表“{first.sheet}”" if first.sheet else "", first.cell) if x)
    return f"（第一处：{where}）" if where else ""


def station_figures(run: StationRun, q: Quarter, today: date, county: bool = False,
                    figs: station_report.Figures | None = None) -> StationFigures:
    """The station's line, from the same figures as its own report (private/report.figures)."""
    name = display_name(run, county)
    if not run.counted:
        return StationFigures(run.key, name, False, note=why_not_counted(run))
    figs = figs or station_report.figures(run.outcome.records, q, today)
    return _line(run.key, name, figs)


def _section(figs: station_report.Figures, number: str) -> tuple:
    for sec in figs.sections:
        if sec[0].startswith(number):
            return sec
    raise KeyError(number)


def _column_sum(rows, col: int):
    values = [r[col] for r in rows]
    return sum(values, Decimal(0) if values and isinstance(values[0], Decimal) else 0)


def _line(key: str, name: str, figs: station_report.Figures) -> StationFigures:
    paid = _section(figs, "一")[4]  # ("合计", "", people, times, amount)
    files = _section(figs, "四")[2]
    funds = _section(figs, "六")[2]
    reception = _section(figs, "九")[2]
    return StationFigures(
        key, name, True, paid[2], paid[3], paid[4],
        _column_sum(files, 1), _column_sum(files, 2), _column_sum(files, 3),
        _column_sum(funds, 3), _column_sum(funds, 4) + _column_sum(funds, 5), _column_sum(funds, 6),
        _column_sum(reception, 1))


def breakdown(network: Network, q: Quarter, today: date,
              per_station: dict | None = None) -> tuple[list[StationFigures], StationFigures]:
    """(a line per station, the county centre first; the 合计 of the counted lines).
    `per_station`: key -> its report's figures, when already made."""
    per_station = per_station or {}
    return breakdown_from(
        [station_figures(network.county, q, today, True, per_station.get(network.county.key))]
        + [station_figures(r, q, today, False, per_station.get(r.key)) for r in network.stations])


def not_counted_notes(network: Network) -> tuple:
    """(label, text) lines naming every station left out of the totals, and why."""
    runs = [(network.county, True)] + [(r, False) for r in network.stations]
    left = [(r, c) for r, c in runs if not r.counted]
    counted = len(runs) - len(left)
    notes = [("汇总范围", f"本中心及 {len(network.stations)} 个站点，计入汇总 {counted} 个"
                          + (f"，未计入 {len(left)} 个（见下）" if left else "，全部计入") + "。")]
    for run, county in left:
        notes.append(("未计入汇总", f"{display_name(run, county)}：{why_not_counted(run)}"))
    return tuple(notes)


def _people_rows(network: Network, attr: str, per_station: dict) -> list:
    out = []
    for run in members(network):
        name = display_name(run, run is network.county)
        out += [(name, *r) for r in getattr(per_station[run.key], attr)]
    return out


def build_network_workbook(network: Network, q: Quarter, today: date,
                           records: Records | None = None) -> Workbook:
    records = combined(network, sheets=REPORT_SHEETS) if records is None else records
    figs = station_report.figures(records, q, today)
    per_station = {run.key: station_report.figures(run.outcome.records, q, today) for run in members(network)}
    wb = Workbook()
    station_report.stats_sheet(wb.active, records, q, today, figs, TITLE, not_counted_notes(network))
    _breakdown_sheet(wb.create_sheet("分站统计"), network, records, q, today, per_station)
    station_report.people_sheet(wb.create_sheet("本季新建档"), records, q, today, "本季新建档困难职工",
                                _people_rows(network, "new_files", per_station), station_report.NEW_KEYS,
                                lead=(STATION,))
    station_report.people_sheet(wb.create_sheet("本季结档"), records, q, today, "本季结档困难职工",
                                _people_rows(network, "closed_files", per_station), station_report.CLOSED_KEYS,
                                lead=(STATION,))
    wb.properties.title = f"{q.zh}困难职工帮扶工作汇总统计"
    wb.properties.creator = "bangfu"
    return wb


def _breakdown_sheet(ws, network, records, q, today, per_station) -> None:
    lines, sums = breakdown(network, q, today, per_station)
    station_report.table_sheet(ws, records, q, today, "各站点帮扶工作季度统计",
                               "分站统计（未计入汇总的站点不计入合计）", BREAKDOWN_HEADER,
                               [x.row() for x in lines], sums.row(), BREAKDOWN_WIDTHS)


def breakdown_from(lines: list[StationFigures]) -> tuple[list[StationFigures], StationFigures]:
    counted = [x for x in lines if x.counted]
    sums: dict = {}
    for f in SUMMED:
        vs = [getattr(x, f) for x in counted]
        sums[f] = total(vs) if isinstance(getattr(StationFigures("", "", True), f), Decimal) else sum(vs)
    return lines, StationFigures("", "合计", True, **sums,
                                 note=f"计入 {len(counted)} 个（共 {len(lines)} 个，含本中心）")


def write_network_report(network: Network, q: Quarter, path: Path, *, today: date) -> Path:
    """Write the county's report workbook to `path` (its folder made when missing)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(build_network_workbook(network, q, today), path)
    return path


def default_name(q: Quarter) -> str:
    return f"{q.code}季度汇总统计表.xlsx"


def report_stage(outcome, *, site_dir: Path, private_dir: Path, today: date, echo) -> int:
    """`bangfu merge`'s output stage (network/merge.py OUTPUT_STAGES): the report of the
    latest complete quarter in the merge's private folder, 季度统计/2026Q3季度汇总统计表.xlsx."""
    q = latest_complete(today)
    path = Path(private_dir) / station_report.FOLDER / default_name(q)
    try:
        write_network_report(outcome.network, q, path, today=today)
    except OSError as err:  # a read-only folder, a full disk, the workbook open in Excel
        echo(f"无法写入季度汇总统计表“{path}”：{err.strerror or err}。如果它正在 Excel 或 WPS 中打开，请先关闭；"
             "否则请检查文件夹权限和磁盘空间后重新汇总。")
        return 2
    echo(f"已生成{q.zh}汇总统计表：{path}")
    return 0


def default_path(county_records_dir: Path, q: Quarter) -> Path:
    """network-private/季度统计/2026Q3季度汇总统计表.xlsx beside the county's records folder."""
    return places.network_private_dir(county_records_dir) / station_report.FOLDER / default_name(q)

