"""统计 pages: counts and amounts by item group × quarter, by item, by hardship category,
cause and 低保 status, per year; and the registered workers by category and cause.

Privacy: a cell counting fewer than `min_cell` people (a station setting,
default 3) is suppressed (primary). Then secondary suppression: every published
sum is a "line" (cells + their total; tables that share a total share the
cells), and no line may have exactly one hidden member, or the hidden number
could be worked out by subtraction. While such a line exists, the smallest
visible member of it is hidden too (a cell before a total). Hidden cells show
"—" for people, times and amount alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..periods import Quarter
from ..station import StationInfo
from .common import Docs, front_matter, public_text

SECTION = "stats"
UNKNOWN = "未填写"


@dataclass
class Cell:
    people: set = field(default_factory=set)
    times: int = 0
    amount: Decimal = Decimal(0)
    hidden: bool = False

    @property
    def count(self) -> int:
        return len(self.people)

    def add(self, who, amount) -> None:
        self.people.add(who)
        self.times += 1
        self.amount += amount or Decimal(0)


class Grid:
    """Cells by key, and the lines (sums) that are published."""

    def __init__(self):
        self.cells: dict = defaultdict(Cell)
        self.lines: list[tuple[list, object]] = []

    def __getitem__(self, key) -> Cell:
        return self.cells[key]

    def line(self, keys: list, total) -> None:
        self.lines.append((list(keys), total))
        for k in [*keys, total]:
            self.cells[k]  # noqa: B018 - make sure the cell exists (an empty one shows 0)

    def suppress(self, min_cell: int) -> None:
        for cell in self.cells.values():
            if 0 < cell.count < min_cell:
                cell.hidden = True
        changed = True
        while changed:
            changed = False
            for keys, total in self.lines:
                members = [self.cells[k] for k in keys] + [self.cells[total]]
                if sum(1 for c in members if c.hidden) != 1:
                    continue
                choice = _second(keys, self.cells) or self.cells[total]
                choice.hidden = True
                changed = True


def _second(keys, cells) -> Cell | None:
    visible = [cells[k] for k in keys if not cells[k].hidden]
    if not visible:
        return None
    nonzero = [c for c in visible if c.count] or visible
    return min(nonzero, key=lambda c: (c.count, c.amount))


@dataclass
class Table:
    title: str
    dimension: str
    rows: list  # (label, Cell)
    total: Cell
    note: str = ""


@dataclass
class CrossTab:
    title: str
    rows: list  # (label, [Cell per quarter], row total Cell)
    columns: list  # quarter labels
    column_totals: list
    total: Cell


def _worker_attr(records, archive_no, attr, day: date | None = None) -> str:
    """A worker's value; the category as assessed on `day` (the payout's application date)."""
    w = records.worker_by_no.get(archive_no)
    if w is not None and attr == "category":
        value = records.figures_at(w, day).category if day else records.current_figures(w).category
    else:
        value = getattr(w, attr, None) if w else None
    return public_text(value) if value else UNKNOWN


@dataclass
class YearStats:
    year: int
    cross: CrossTab
    tables: list[Table]
    total: Cell


@dataclass
class StatsView:
    min_cell: int
    years: list[YearStats]  # newest first
    registered: list[Table]


def year_stats(records, year: int, today: date, min_cell: int) -> YearStats:
    """The tables of one year (payouts counted by their 发放日期)."""
    items = records.item_by_name
    g = Grid()
    groups, by_group_items = set(), defaultdict(set)
    dims: dict[str, set[str]] = {"category": set(), "cause": set(), "dibao": set()}
    for p in records.live_payouts:
        if p.paid is None or p.paid.year != year or p.paid > today or p.amount is None:
            continue
        q = Quarter.of(p.paid).number
        item = items.get(p.item)
        group = public_text(item.group) if item and item.group else UNKNOWN
        name = public_text(p.item) or UNKNOWN
        groups.add(group)
        by_group_items[group].add(name)
        who = p.archive_no
        for key in (("g", group, q), ("g", group, None), ("q", q), ("all",), ("i", group, name)):
            g[key].add(who, p.amount)
        for dim in dims:
            value = _worker_attr(records, who, dim, p.applied or p.paid)
            dims[dim].add(value)
            g[(dim, value)].add(who, p.amount)
    groups_sorted = sorted(groups)
    quarters = [q for q in range(1, 5) if Quarter(year, q).start <= today]
    for group in groups_sorted:
        g.line([("g", group, q) for q in quarters], ("g", group, None))
        g.line([("i", group, i) for i in sorted(by_group_items[group])], ("g", group, None))
    for q in quarters:
        g.line([("g", group, q) for group in groups_sorted], ("q", q))
    g.line([("q", q) for q in quarters], ("all",))
    g.line([("g", group, None) for group in groups_sorted], ("all",))
    for dim, values in dims.items():
        g.line([(dim, v) for v in sorted(values)], ("all",))
    g.suppress(min_cell)
    cross = CrossTab(
        f"{year} 年各类帮扶（按季度）",
        [(grp, [g[("g", grp, q)] for q in quarters], g[("g", grp, None)]) for grp in groups_sorted],
        [Quarter(year, q).label for q in quarters], [g[("q", q)] for q in quarters], g[("all",)])
    items_table = Table(f"{year} 年各帮扶项目", "帮扶项目",
                        [(f"{grp}：{i}", g[("i", grp, i)]) for grp in groups_sorted
                         for i in sorted(by_group_items[grp])], g[("all",)])
    names = {"category": ("困难类别", "按困难类别"), "cause": ("主要致困原因", "按主要致困原因"),
             "dibao": ("低保情况", "按低保情况")}
    tables = [items_table] + [
        Table(f"{year} 年帮扶情况（{names[d][1]}）", names[d][0],
              [(v, g[(d, v)]) for v in sorted(dims[d])], g[("all",)]) for d in dims]
    return YearStats(year, cross, tables, g[("all",)])


def registered_stats(records, min_cell: int) -> list[Table]:
    """Workers whose file is open (在档) today, by category and by cause."""
    g = Grid()
    values: dict[str, set[str]] = {"category": set(), "cause": set()}
    for w in records.workers:
        if w.status != "在档":
            continue
        g[("all",)].add(w.archive_no, None)
        for dim in values:
            v = _worker_attr(records, w.archive_no, dim)
            values[dim].add(v)
            g[(dim, v)].add(w.archive_no, None)
    for dim, vs in values.items():
        g.line([(dim, v) for v in sorted(vs)], ("all",))
    g.suppress(min_cell)
    return [Table("在档困难职工（按困难类别）", "困难类别",
                  [(v, g[("category", v)]) for v in sorted(values["category"])], g[("all",)]),
            Table("在档困难职工（按主要致困原因）", "主要致困原因",
                  [(v, g[("cause", v)]) for v in sorted(values["cause"])], g[("all",)])]


def build_stats(records, today: date) -> StatsView:
    min_cell = records.settings.min_cell
    years = sorted({p.paid.year for p in records.live_payouts if p.paid and p.paid <= today}, reverse=True)
    return StatsView(min_cell, [year_stats(records, y, today, min_cell) for y in years],
                     registered_stats(records, min_cell))


def render_stats(env, docs: Docs, view: StatsView, site: StationInfo) -> None:
    tpl = env.get_template("site/stats_year.md.j2")
    for y in view.years:
        docs.add(f"{SECTION}/{y.year}.md", front_matter(f"{y.year} 年帮扶统计") + tpl.render(
            site=site, y=y, min_cell=view.min_cell), kind="stats")
    docs.add(f"{SECTION}/index.md", front_matter("统计") + env.get_template("site/stats.md.j2").render(
        site=site, v=view), kind="index")
