"""统计 pages: counts and amounts by item category × period, by item, by hardship
category, cause and 低保 status, per year; and the registered workers by category and cause.

Privacy: what is published is decided once, in disclosure_control.Plan, and shared
with the fund pages and notice summaries. Small items, categories and values are
merged first (coarsening), the period is a quarter, half-year or year as the
numbers allow; then a cell counting fewer than `min_cell` people is suppressed
(primary), and secondary suppression makes sure no published sum (a "line":
cells + their total; tables that share a total share the cells) has exactly one
hidden member. Hidden cells show "—" for people, times and amount alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..station import StationInfo
from .common import Docs, front_matter
from .disclosure_control import Cell, Grid, coarsen, worker_value

SECTION = "stats"


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


@dataclass
class YearStats:
    year: int
    cross: CrossTab
    tables: list[Table]
    total: Cell
    small: bool = False  # fewer than min_cell people all year: only the total exists (hidden)
    scheme: str = ""  # 按季度 / 按半年 / 按全年


@dataclass
class StatsView:
    min_cell: int
    years: list[YearStats]  # newest first
    registered: list[Table]


def year_stats(plan, year: int) -> YearStats:
    """The tables of one year (payouts counted by their 发放日期), from the year's plan."""
    p = plan.years[year]
    g = p.grid
    rows = p.rows
    n = len(p.spans)
    if n > 1:
        cross = CrossTab(
            f"{year} 年各类帮扶（{p.scheme_name}）",
            [(r, [g[("g", r, s)] for s in range(n)], g[("g", r, None)]) for r in rows],
            [s.label for s in p.spans], [g[("q", s)] for s in range(n)], g[("all",)])
    else:
        cross = CrossTab(f"{year} 年各类帮扶（按全年）", [(r, [], g[("g", r, None)]) for r in rows],
                         [], [], g[("all",)])
    item_rows = []
    for r in rows:
        for b in sorted({p.bucket_of[i] for i in p.row_items[r]}):
            item_rows.append((b if b == r or b.startswith(r) else f"{r}：{b}", g[("i", r, b)]))
    items_table = Table(f"{year} 年各帮扶项目", "帮扶项目", item_rows, g[("all",)])
    names = {"category": ("困难类别", "按困难类别"), "cause": ("主要致困原因", "按主要致困原因"),
             "dibao": ("低保情况", "按低保情况")}
    tables = [items_table] + [
        Table(f"{year} 年帮扶情况（{names[d][1]}）", names[d][0],
              [(v, g[(d, v)]) for v in sorted(set(labels.values()))], g[("all",)])
        for d, labels in p.dims.items()]
    return YearStats(year, cross, tables, g[("all",)], p.small, p.scheme_name)


def registered_grid(records, min_cell: int, protect=frozenset()) -> tuple[Grid, dict]:
    """(the suppressed grid, dim -> published labels) of the workers whose file is open (在档)
    today, by category and by cause. `protect`: cells ((dim, label), ("all",)) hidden from the
    start, as if small (the county site: what the stations' own sites would give back,
    network/cross_site.py)."""
    g = Grid()
    open_files = [w for w in records.workers if w.status == "在档"]
    values: dict[str, set[str]] = {}
    for dim, rest in (("category", "其他类别"), ("cause", "其他原因")):
        people: dict[str, set] = defaultdict(set)
        of = [worker_value(records, w, dim) for w in open_files]  # once per worker (current figures)
        for w, value in zip(open_files, of):
            people[value].add(w.archive_no)
        labels = coarsen(dict(people), min_cell, rest)
        values[dim] = set(labels.values())
        for w, value in zip(open_files, of):
            g[(dim, labels[value])].add(w.archive_no, None)
    for w in open_files:
        g[("all",)].add(w.archive_no, None)
    for dim, vs in values.items():
        g.line([(dim, v) for v in sorted(vs)], ("all",))
    for key in protect:
        if g[key].count:
            g[key].hidden = True
    g.suppress(min_cell)
    return g, values


def registered_stats(records, min_cell: int, protect=frozenset()) -> list[Table]:
    """Workers whose file is open (在档) today, by category and by cause."""
    g, values = registered_grid(records, min_cell, protect)
    return [Table("在档困难职工（按困难类别）", "困难类别",
                  [(v, g[("category", v)]) for v in sorted(values["category"])], g[("all",)]),
            Table("在档困难职工（按主要致困原因）", "主要致困原因",
                  [(v, g[("cause", v)]) for v in sorted(values["cause"])], g[("all",)])]


def build_stats(records, plan, registered_protect=frozenset()) -> StatsView:
    return StatsView(plan.min_cell, [year_stats(plan, y) for y in sorted(plan.years, reverse=True)],
                     registered_stats(records, plan.min_cell, registered_protect))


def render_stats(env, docs: Docs, view: StatsView, site: StationInfo) -> None:
    tpl = env.get_template("site/stats_year.md.j2")
    for y in view.years:
        docs.add(f"{SECTION}/{y.year}.md", front_matter(f"{y.year} 年帮扶统计") + tpl.render(
            site=site, y=y, min_cell=view.min_cell), kind="stats")
    docs.add(f"{SECTION}/index.md", front_matter("统计") + env.get_template("site/stats.md.j2").render(
        site=site, v=view), kind="index")
