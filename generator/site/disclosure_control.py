"""Disclosure control: one decision, made once per build, about which assistance figures
the public site may show, used by every page that shows them (statistics, fund pages,
the fund download, charts, notice summaries, the home page, and so the search index).

The rule (README, 隐私保护):

1. A figure that counts fewer than `min_cell` people (a station setting, default 3),
   and any amount of such a group of payouts, is sensitive: with fixed standards an
   amount gives the count back (300 元 = one 300-yuan payout), and a formula amount
   gives a medical cost back.
2. Coarsen before hiding. Per year, the assistance items are merged until every
   published group of them has at least `min_cell` people that year: a small item
   into "<类别>（其他项目）" of its category, a small category into "其他帮扶项目".
   The reporting period is the finest of quarter, half-year and year in which every
   period with payouts has at least `min_cell` people; the fund pages show their
   balances for the same periods (each fund for the finest periods its own payouts
   allow), because a balance before and after a period gives that period's spending.
   The same merging applies to the hardship category, cause and 低保 tables.
3. What is still small after coarsening (a category in one period) is hidden
   (primary), and so is the smallest other cell of every published sum that would
   otherwise have exactly one hidden member (secondary). Totals that the fund pages
   must publish anyway (each period's spending, each category's year) are never
   chosen for secondary suppression, so that what a page hides stays hidden on
   every other page. A secondary cell is one whose own sums can hide a partner in
   turn; when some published sum still gives a hidden cell back (its partners are all
   published elsewhere), the year is reported in coarser periods.
4. The fund pages show assistance spending per category and period exactly as the
   statistics do (the same cells hidden), each fund's own page one 帮扶发放 line. In a
   year when a fund's payouts (or all payouts) reached fewer than `min_cell` people,
   that page merges them with the other spending into one line.
5. Notice summaries (公示 汇总) list an item only with at least `min_cell` entries
   (smaller ones merged like above); a notice with fewer entries shows only its count.
6. On 公示 lists each item's amount is shown, left out or shown as a band, by the
   item's 公示金额 setting; by default items with a formula standard in 医疗救助
   show only the item, because the amount gives the medical cost back.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .. import record_views
from ..money import yuan
from ..periods import quarter_label
from .common import public_text
from .plan_facts import UNKNOWN as UNKNOWN, Fact as Fact, FactBlocks, facts_by_year, worker_value as worker_value

OTHER_ITEMS = "其他帮扶项目"
PAYOUT_PREFIX = "帮扶发放"
MERGED_SPENDING = "支出合计（帮扶发放与其他支出合并公布）"

SHOW_AMOUNT = "显示金额"
ITEM_ONLY = "只显示项目"
BAND = "显示金额区间"
BANDS = (Decimal(500), Decimal(1000), Decimal(2000), Decimal(5000), Decimal(10000), Decimal(20000))


@dataclass(frozen=True)
class Span:
    """A reporting period inside a year: one quarter, a half-year or the whole year."""
    label: str
    quarters: tuple[int, ...]

    @property
    def first(self) -> int:
        return self.quarters[0]


SCHEMES = (
    tuple(Span(quarter_label(q), (q,)) for q in range(1, 5)),
    (Span("上半年", (1, 2)), Span("下半年", (3, 4))),
    (Span("全年", (1, 2, 3, 4)),),
)
SCHEME_NAMES = ("按季度", "按半年", "按全年")


def coarsen(people: dict, min_cell: int, rest: str) -> dict:
    """Map each label to the label it is published under: labels with fewer than
    `min_cell` people go into `rest`; while `rest` itself is small, the smallest other
    label joins it. Labels with nobody (people == set()) stay as they are."""
    small = {k for k, v in people.items() if 0 < len(v) < min_cell}
    merged: set = set()
    for k in small:
        merged |= people[k]
    big = sorted((k for k in people if k not in small and people[k]), key=lambda k: (len(people[k]), k))
    while merged and len(merged) < min_cell and big:
        k = big.pop(0)
        small.add(k)
        merged |= people[k]
    if len(small) == 1:  # one small label alone: keep its name (it is hidden later if still small)
        return {k: k for k in people}
    return {k: (rest if k in small else k) for k in people}


def scheme_for(facts, quarters: list[int], min_cell: int, row_of: dict | None = None) -> tuple[Span, ...]:
    """The finest scheme whose periods (those begun by the build date) each have 0 or at
    least `min_cell` people and, given the published rows (`row_of`: item -> row), whose
    row × period cells are mostly publishable: at most one small cell in four nonempty
    ones (a small cell costs a second, hidden with it). Coarser periods beat dashes."""
    return _scheme_for(alike(facts), quarters, min_cell, row_of)


def _scheme_for(groups: list, quarters: list[int], min_cell: int, row_of: dict | None = None) -> tuple[Span, ...]:
    """scheme_for of the facts counted in `groups` (alike)."""
    for scheme in SCHEMES:
        spans = tuple(s for s in scheme if s.first in quarters)
        if all(_period_ok(groups, s, min_cell) for s in spans) and (
                row_of is None or _cells_ok(groups, spans, min_cell, row_of)):
            return _truncate(spans, quarters)
    return _truncate(SCHEMES[-1], quarters)


@dataclass(slots=True)
class Alike:
    """The facts of one item, quarter, fund, category, cause and 低保, counted together: every
    count and sum of the plan depends on nothing else (a year's 35,000 payouts fall into a few
    thousand of these). `first`: the first of them (its fields are the group's)."""
    first: Fact
    people: set
    times: int
    amount: Decimal

    @property
    def item(self) -> str:
        return self.first.item

    @property
    def quarter(self) -> int:
        return self.first.quarter

    @property
    def fund(self) -> str:
        return self.first.fund


def alike(facts) -> list[Alike]:
    """`facts` as Alike groups, in the order of their first fact."""
    out: dict[tuple, Alike] = {}
    for f in facts:
        sig = (f.item, f.quarter, f.fund, f.category, f.cause, f.dibao)
        group = out.get(sig)
        if group is None:
            out[sig] = Alike(f, {f.who}, 1, f.amount or Decimal(0))
        else:
            group.people.add(f.who)
            group.times += 1
            group.amount += f.amount or Decimal(0)
    return list(out.values())


def _cells_ok(groups, spans, min_cell: int, row_of: dict) -> bool:
    people: dict = defaultdict(set)
    for a in groups:
        item = a.first.item
        for i, s in enumerate(spans):
            if a.first.quarter in s.quarters:
                people[(row_of.get(item, item), i)] |= a.people
    small = sum(1 for v in people.values() if len(v) < min_cell)
    return 4 * small <= len(people)


def _truncate(spans, quarters) -> tuple[Span, ...]:
    """A period that has not fully begun keeps only its begun quarters."""
    return tuple(Span(s.label, tuple(q for q in s.quarters if q in quarters)) for s in spans)


def _period_ok(groups, span: Span, min_cell: int) -> bool:
    n = len(set().union(*(a.people for a in groups if a.first.quarter in span.quarters)))
    return n == 0 or n >= min_cell


@dataclass
class YearPlan:
    """What may be published about one year's payouts."""
    year: int
    min_cell: int
    facts: list
    spans: tuple  # the reporting periods of the statistics and the total fund page
    fund_spans: dict  # fund name -> its periods
    row_of: dict  # item -> published category row (cross table, fund uses)
    bucket_of: dict  # item -> published item row (item table)
    row_items: dict = field(default_factory=dict)  # row -> [items]
    dims: dict = field(default_factory=dict)  # dim -> {value: published label}
    grid: Grid = None  # after suppression
    groups: list = field(default_factory=list, repr=False)  # the facts as Alike groups

    @property
    def scheme_name(self) -> str:
        for spans, name in zip(SCHEMES, SCHEME_NAMES):
            if len(self.spans) and {s.label for s in self.spans} <= {s.label for s in spans}:
                return name
        return SCHEME_NAMES[-1]

    @property
    def rows(self) -> list[str]:
        return sorted(self.row_items, key=lambda r: (r == OTHER_ITEMS, r))

    def span_of(self, quarter: int, spans=None) -> int:
        for i, s in enumerate(spans or self.spans):
            if quarter in s.quarters:
                return i
        return -1

    def cell(self, row: str, span_index: int | None):
        """The statistics cell of a category row in a period (None: the whole year)."""
        return self.grid[("g", row, span_index)]

    @property
    def small(self) -> bool:
        """Fewer than min_cell people all year: nothing is published below the year total."""
        n = self.people
        return 0 < n < self.min_cell

    @property
    def people(self) -> int:
        """Distinct people paid in the year. Memoised (the fund pages ask once per movement:
        100,000 times at a large station), recounted if facts were added since."""
        memo = self.__dict__.get("_people")
        if memo is None or memo[0] != len(self.facts):
            memo = (len(self.facts), len({f.who for f in self.facts}))
            self.__dict__["_people"] = memo
        return memo[1]


class Plan:
    """The disclosure decision for a whole build."""

    def __init__(self, records, today: date, min_cell: int | None = None, *, protect: dict | None = None,
                 fixed_totals: bool = True, kept: FactBlocks | None = None):
        """`min_cell`: override the station's setting (1 publishes everything; tests of
        arithmetic use it). `protect`: year -> cells (`signature`) to hide as if small, which
        other sites' figures would give back (the county site, network/cross_site.py).
        `fixed_totals=False`: no total is published elsewhere (no fund pages of these
        records), so secondary suppression may choose any cell. `kept`: the payouts' facts
        of the last build, block by block (plan_facts.facts_by_year), updated in place."""
        self.today = today
        self.protect = protect or {}
        self.fixed_totals = fixed_totals
        self.min_cell = min_cell or records.settings.min_cell or 3
        self.items = records.item_by_name
        self._rules: dict = {}  # item name -> amount rule
        self._item_texts: dict = {}  # item name -> its public text (_texts)
        facts = facts_by_year(records, today, kept)
        self.summaries = self._notice_rows(records)
        self.years = {y: self._year(y, fs) for y, fs in facts.items()}
        # (fund, year) whose payouts reached fewer than min_cell people: the fund's balance
        # gives its spending, so the fund pages do not split payouts from other spending
        self.small_fund_years = {(fund, y) for y, yp in self.years.items()
                                 for fund, people in _people(yp.groups, lambda f: f.fund).items()
                                 if 0 < len(people) < self.min_cell}

    def _notice_rows(self, records) -> list[set]:
        """The payout rows behind every amount a notice summary shows."""
        out: list[set] = []
        for b in records.batches:
            if b.kind != "帮扶公示" or b.start is None or b.start > self.today:
                continue
            payouts = list(records.payouts_by_batch.get(b.batch_no, ()))
            labels, shown = self._summary(payouts)
            if not any(shown.values()):
                continue
            rows: dict[str, set] = defaultdict(set)  # summary label -> its payouts' rows (one pass)
            for p, text in zip(payouts, self._texts(payouts)):
                rows[labels[text]].add(p.row)
            out.extend(rows[label] for label, amount_shown in shown.items() if amount_shown)
        return out

    def _texts(self, entries) -> list[str]:
        """public_text(e.item) or UNKNOWN of each entry, worked out once per item name."""
        names = [e.item for e in entries]
        known = self._item_texts
        for name in set(names).difference(known):
            known[name] = public_text(name) or UNKNOWN
        return [known[n] for n in names]

    def quarters(self, year: int) -> list[int]:
        return [q for q in range(1, 5) if date(year, 3 * q - 2, 1) <= self.today]

    def _year(self, year: int, facts: list) -> YearPlan:
        m = self.min_cell
        quarters = self.quarters(year)
        groups = alike(facts)
        row_of, bucket_of = merge_items(_people(groups, lambda f: f.item),
                                        {f.item: f.group for f in facts}, m)
        spans = _scheme_for(groups, quarters, m, row_of)
        by_fund: dict[str, list] = defaultdict(list)  # one pass: a network has thousands of funds
        for a in groups:
            by_fund[a.first.fund].append(a)
        fund_spans = {fund: _scheme_for(by_fund[fund], quarters, m) for fund in sorted(by_fund)}
        row_items = defaultdict(list)
        for item in sorted(row_of):
            row_items[row_of[item]].append(item)
        dims = {d: coarsen(_people(groups, lambda a, d=d: getattr(a.first, d)), m, rest)
                for d, rest in (("category", "其他类别"), ("cause", "其他原因"), ("dibao", "其他情况"))}
        plan = YearPlan(year, m, facts, spans, fund_spans, row_of, bucket_of, dict(row_items), dims,
                        groups=groups)
        plan.grid = _grid(plan, self.summaries, self.protect.get(year, ()), self.fixed_totals)
        # a hidden cell that the published sums still give back (all its partners are
        # published elsewhere, e.g. by notice summaries): report coarser periods instead
        for scheme in SCHEMES:
            if not plan.grid.unsafe() or len(plan.spans) <= 1:
                break
            coarser = _truncate(tuple(sp for sp in scheme if sp.first in quarters), quarters)
            if len(coarser) >= len(plan.spans):
                continue
            plan.spans = coarser
            plan.grid = _grid(plan, self.summaries, self.protect.get(year, ()), self.fixed_totals)
        return plan

    # --- 公示 lists -------------------------------------------------------------
    def amount_rule(self, item_name: str) -> str:
        """How a 公示 list shows this item's amount (SHOW_AMOUNT, ITEM_ONLY or BAND); once per
        item (the notices ask for each of 100,000 entries)."""
        rule = self._rules.get(item_name)
        if rule is None:
            rule = self._rules[item_name] = amount_rule(self.items.get(item_name))
        return rule

    def amount_text(self, e) -> str:
        return rule_text(self.amount_rule(e.item), e.amount)

    def notice_summary(self, entries) -> tuple[list, bool]:
        """(rows of (label, count, amount or None), whether the total amount may be shown)
        for a notice's entries (objects with .item and .amount)."""
        labels, shown = self._summary(entries)
        if not labels:
            return [], False
        counts: dict[str, int] = defaultdict(int)
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for e, text in zip(entries, self._texts(entries)):
            label = labels[text]
            counts[label] += 1
            sums[label] += e.amount or Decimal(0)
        out = [(label, counts[label], sums[label] if shown[label] else None)
               for label in sorted(counts, key=lambda k: (k == OTHER_ITEMS, k))]
        return out, all(shown.values())

    def _summary(self, entries) -> tuple[dict, dict]:
        """({item: summary label}, {label: whether its amount is shown}); ({}, {}) for a
        notice with fewer than min_cell entries (count only). Entries count as people here:
        the same merging as the statistics' items, by entries of this notice."""
        m = self.min_cell
        if len(entries) < m:
            return {}, {}
        members: dict[str, set] = defaultdict(set)
        texts = self._texts(entries)
        for i, text in enumerate(texts):
            members[text].add(i)
        groups = {k: (public_text(self.items[k].group) if k in self.items and self.items[k].group else UNKNOWN)
                  for k in members}
        _, labels = merge_items(dict(members), groups, m)
        hidden: dict[str, int] = defaultdict(int)
        rule = {name: self.amount_rule(name) for name in {e.item for e in entries}}
        for e, text in zip(entries, texts):
            if rule[e.item] != SHOW_AMOUNT:
                hidden[labels[text]] += 1
        shown = {label: hidden[label] == 0 or hidden[label] >= m for label in set(labels.values())}
        return labels, shown


# the tables a Plan reads (of the settings only min_cell): tests/test_disclosure_plan_memo.py
# makes a Plan from a view of exactly these, which raises on reading any other
PLAN_TABLES = ("settings", "workers", "reviews", "payouts", "batches", "items")
_LAST: list = []  # [(key, Plan)]: this process's last decision (`bangfu serve` builds again and again)


def plan_for(records, today: date, kept: FactBlocks | None = None) -> Plan:
    """The build's disclosure decision, `Plan(records, today)`: the one this process made last
    when the tables it reads are those it was made from (their digests, which the read keeps:
    record_views.table_digest), with the same minimum and date. A save under `bangfu serve`
    that changes no payout, worker, review, item or batch (the station's name, a fund's
    income) decides nothing again (20,000 workers: about 3 CPU-s). `kept`: the payouts' facts
    kept by the last build (Plan)."""
    key = (record_views.digest(records, PLAN_TABLES[1:]), records.settings.min_cell, today)
    if _LAST and _LAST[0][0] == key:
        return _LAST[0][1]
    plan = Plan(records, today, kept=kept)
    _LAST[:] = [(key, plan)]
    return plan


def merge_items(members: dict, group_of: dict, min_cell: int) -> tuple[dict, dict]:
    """(item -> published category row, item -> published item row): categories with fewer
    than min_cell members go into 其他帮扶项目, then inside a category small items into
    "<类别>（其他项目）" (the category's own name when all of them merge)."""
    by_group: dict[str, set] = defaultdict(set)
    for item, who in members.items():
        by_group[group_of[item]] |= who
    row_of_group = coarsen(dict(by_group), min_cell, OTHER_ITEMS)
    row_of, bucket_of = {}, {}
    for row in set(row_of_group.values()):
        inside = {i: who for i, who in members.items() if row_of_group[group_of[i]] == row}
        rest = f"{row}（其他项目）"
        if row == OTHER_ITEMS and len({group_of[i] for i in inside}) > 1:
            buckets = {i: OTHER_ITEMS for i in inside}
        else:
            buckets = coarsen(inside, min_cell, rest)
            if set(buckets.values()) == {rest}:
                buckets = {i: row for i in inside}
        for item in inside:
            row_of[item] = row
            bucket_of[item] = buckets[item]
    return row_of, bucket_of


def amount_rule(item) -> str:
    """The item's 公示金额 setting; unset: formula-based 医疗救助 items show only the item."""
    rule = getattr(item, "amount_disclosure", None) if item is not None else None
    if rule in (SHOW_AMOUNT, ITEM_ONLY, BAND):
        return rule
    if item is not None and item.group == "医疗救助" and item.standard in ("比例封顶", "按实际"):
        return ITEM_ONLY
    return SHOW_AMOUNT


def amount_text(item, amount: Decimal | None) -> str:
    """A 公示 list's amount cell for this item: the amount, its band, or 不公示."""
    return rule_text(amount_rule(item), amount)


def rule_text(rule: str, amount: Decimal | None) -> str:
    """amount_text for an item whose amount rule (amount_rule) is `rule`."""
    if rule == SHOW_AMOUNT:
        return yuan(amount) if amount is not None else ""
    if rule == BAND:
        return band(amount)
    return "不公示"


def amount_texts(items: dict, entries) -> list[str]:
    """amount_text of each entry (objects with .item and .amount; `items`: name -> item), each
    item's rule worked out once (a notice lists thousands of entries of a few items)."""
    rules: dict = {}
    out = []
    for e in entries:
        rule = rules.get(e.item)
        if rule is None:
            rule = rules[e.item] = amount_rule(items.get(e.item))
        out.append(rule_text(rule, e.amount))
    return out


def list_total_shown(items: dict, entries, min_cell: int) -> bool:
    """Whether a 公示 list may show its total: the amounts it leaves out (0 or at least
    min_cell of them) cannot be worked out from the total alone. Each item's rule is worked
    out once."""
    rules = {name: amount_rule(items.get(name)) for name in {e.item for e in entries if e.item}}
    hidden = sum(1 for e in entries if e.item and rules[e.item] != SHOW_AMOUNT)
    return hidden == 0 or hidden >= min_cell


def band(amount: Decimal | None) -> str:
    """The band an amount falls in, for 公示 lists: '1,000–2,000 元'."""
    if amount is None:
        return ""
    low = Decimal(0)
    for high in BANDS:
        if amount <= high:
            return f"{low:,.0f}–{high:,.0f} 元" if low else f"{high:,.0f} 元以下"
        low = high
    return f"{low:,.0f} 元以上"


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

    def add_many(self, people: set, times: int, amount: Decimal) -> None:
        """`times` payouts to `people`, of `amount` together (as `add` of each)."""
        self.people |= people
        self.times += times
        self.amount += amount


class Grid:
    """Cells by key, and the lines (sums) that are published."""

    def __init__(self):
        self.cells: dict = defaultdict(Cell)
        self.lines: list[tuple[list, object, bool]] = []

    def __getitem__(self, key) -> Cell:
        return self.cells[key]

    def line(self, keys: list, total, counts: bool = True) -> None:
        """A published sum. `counts`: the line's tables show 人次, which add up like amounts;
        without it (people and amounts only: people do not add up, one person can be in
        two cells) only the amounts must not be derivable."""
        self.lines.append((list(keys), total, counts))
        for k in [*keys, total]:
            self.cells[k]

    def suppress(self, min_cell: int, fixed=frozenset()) -> None:
        """Primary, then secondary suppression. `fixed` cells are published elsewhere
        (fund pages) and are never chosen to protect another cell."""
        for cell in self.cells.values():
            if 0 < cell.count < min_cell:
                cell.hidden = True
        changed = True
        while changed:
            changed = False
            for keys, total, counts in self.lines:
                members = [self.cells[k] for k in keys] + [self.cells[total]]
                hidden = [c for c in members if c.hidden]
                # a hidden cell of amount 0 (a service without cash) protects no amount
                paid = [c for c in hidden if c.amount]
                if len(paid) != 1 and not (counts and len(hidden) == 1):
                    continue
                free = [k for k in keys if k not in fixed]
                # a cell whose other sums could then not hide a second cell would itself be
                # given back by them: choose one that can be protected in turn, if any
                choice = _second([k for k in free if not self._stuck(k, fixed)], self.cells, paid=bool(paid)) \
                    or _second(free, self.cells, paid=bool(paid))
                if choice is None and total not in fixed and not self.cells[total].hidden:
                    choice = self.cells[total]
                if choice is not None:
                    choice.hidden = True
                    changed = True

    def _stuck(self, key, fixed) -> bool:
        """Whether hiding the visible cell `key` would leave some published sum with it as the
        only hidden amount and no other cell that may be hidden with it."""
        if not self.cells[key].amount:
            return False
        for keys, total, _ in self.lines:
            members = [*keys, total]
            if key not in members:
                continue
            others = [k for k in members if k != key]
            if any(self.cells[k].hidden and self.cells[k].amount for k in others):
                continue
            if not any(k not in fixed and not self.cells[k].hidden and self.cells[k].amount for k in others):
                return True
        return False

    def unsafe(self) -> list:
        """The published sums that give a hidden cell back (one hidden amount, or one hidden
        cell of a sum with 人次)."""
        out = []
        for keys, total, counts in self.lines:
            members = [self.cells[k] for k in [*keys, total]]
            hidden = [c for c in members if c.hidden]
            paid = [c for c in hidden if c.amount]
            if len(paid) == 1 or (counts and len(hidden) == 1):
                out.append((keys, total))
        return out


def _second(keys, cells, paid: bool = False) -> Cell | None:
    """The cell to hide with another: the smallest visible one, with an amount when the
    hidden one has an amount."""
    visible = [cells[k] for k in keys if not cells[k].hidden]
    if not visible:
        return None
    nonzero = ([c for c in visible if c.amount] if paid else []) or [c for c in visible if c.count] or visible
    return min(nonzero, key=lambda c: (c.count, c.amount))


def _people(groups, key) -> dict:
    """key -> the people of the Alike groups with that key (in the order first met)."""
    out: defaultdict = defaultdict(set)
    for a in groups:
        out[key(a)] |= a.people
    return dict(out)


def signature(plan: YearPlan, key: tuple) -> tuple:
    """A grid key by what it covers, independent of the span numbering: periods as their
    quarters (("g", row, (1, 2)), ("q", (3,))), other keys as they are."""
    if key[0] == "g" and key[2] is not None:
        return ("g", key[1], plan.spans[key[2]].quarters)
    if key[0] == "q":
        return ("q", plan.spans[key[1]].quarters)
    return key


def cell_keys(plan: YearPlan, f: Fact) -> list[tuple]:
    """The grid cells a payout is counted in."""
    row, s = plan.row_of[f.item], plan.span_of(f.quarter)
    keys = [("g", row, None), ("all",), ("i", row, plan.bucket_of[f.item])]
    if len(plan.spans) > 1:
        keys += [("g", row, s), ("q", s)]
    for dim, labels in plan.dims.items():
        keys.append((dim, labels[getattr(f, dim)]))
    return keys


def _grid(plan: YearPlan, summaries: list[set], protect=(), fixed_totals: bool = True):
    """Cells and published sums of one year, suppressed; `protect`: signatures of cells
    hidden from the start (see Plan)."""
    g = Grid()
    n = len(plan.spans)
    # a fact's cells depend only on its item, quarter and dimensions: the facts alike are
    # counted together (plan.groups)
    for a in plan.groups or alike(plan.facts):
        for key in cell_keys(plan, a.first):
            g[key].add_many(a.people, a.times, a.amount)
    rows = plan.rows
    fixed: set[tuple] = {("all",)} | {("g", r, None) for r in rows}
    if n > 1:
        fixed |= {("q", s) for s in range(n)}
        for r in rows:  # the category × period table shows people and amounts, not 人次
            g.line([("g", r, s) for s in range(n)], ("g", r, None), counts=False)
        for s in range(n):
            g.line([("g", r, s) for r in rows], ("q", s), counts=False)
        g.line([("q", s) for s in range(n)], ("all",), counts=False)
    for r in rows:
        buckets = sorted({plan.bucket_of[i] for i in plan.row_items[r]})
        g.line([("i", r, b) for b in buckets], ("g", r, None))
        fixed |= {("i", r, b) for b in buckets}
    g.line([("g", r, None) for r in rows], ("all",))
    for dim, labels in plan.dims.items():
        keys = [(dim, v) for v in sorted(set(labels.values()))]
        g.line(keys, ("all",))
        fixed |= set(keys)
    if not fixed_totals:
        fixed = set()
    if n > 1:
        fixed |= _exposed_by_notices(plan, summaries)
    if protect:
        protect = set(protect)
        for key, cell in g.cells.items():
            if cell.count and signature(plan, key) in protect:
                cell.hidden = True
    g.suppress(plan.min_cell, fixed=fixed)
    return g


def _exposed_by_notices(plan: YearPlan, summaries: list[set]) -> set:
    """Category × period cells whose paid amount a notice summary already publishes: every
    payout with an amount in the cell is in a summary row that lies wholly in the cell.
    They are never hidden to protect another cell (the notice would give it back)."""
    span = {q: plan.span_of(q) for q in range(1, 5)}
    fact_of = plan.__dict__.get("_fact_of")  # payout row -> fact, once per year (spans may change)
    if fact_of is None or len(fact_of) != len(plan.facts):
        fact_of = plan.__dict__["_fact_of"] = {f.key: f for f in plan.facts}
    covered: dict[tuple, set] = defaultdict(set)
    for rows in summaries:  # a summary of another year's notice fails at its first row
        if not rows or not all(r in fact_of for r in rows):
            continue
        cells = {("g", plan.row_of[f.item], span[f.quarter]) for f in map(fact_of.__getitem__, rows)}
        if len(cells) == 1:
            covered[cells.pop()] |= rows
    paid_in: dict[tuple, set] = defaultdict(set)  # cell -> payouts with an amount (one pass)
    if covered:
        for f in plan.facts:
            if f.amount:
                cell = ("g", plan.row_of[f.item], span[f.quarter])
                if cell in covered:
                    paid_in[cell].add(f.key)
    return {cell for cell, rows in covered.items() if paid_in.get(cell, set()) <= rows}
