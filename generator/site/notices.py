"""公示 pages: one page per batch (long lists continue on further pages), an index of
running and recent notices, and an archive by year.

What a notice page shows (the privacy rule): masked names (full names only when
the station opts in), work unit, hardship category, and for 帮扶公示 the item and
the amount as the item's 公示金额 setting allows (amount, only the item, or a band;
disclosure_control.amount_rule). Nothing else about a person. The names stay on
the page from the start of the period until `retention_days` after its end (the
build date decides); after that the page keeps the summary and the outcome only.
The summary lists items with at least the statistics' minimum of entries (smaller
ones merged, disclosure_control.Plan.notice_summary). A notice superseded by a
re-disclosure lists nobody: its outcome is given as counts, and the people who
stay are on the new notice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .. import disclosure
from ..masking import mask_name
from ..paths import notice_slugs
from ..station import StationInfo
from .common import Docs, front_matter, pages_of, public_text
from .disclosure_control import SHOW_AMOUNT, Plan, list_total_shown

SECTION = "notices"
WIDE = ("navigation", "toc")  # notice pages are not in the nav; the list gets the full width

KIND_SUBJECT = {
    "建档公示": "拟认定的困难职工名单",
    "帮扶公示": "拟帮扶对象、帮扶项目和金额",
    "结档公示": "拟结束帮扶（结档）的困难职工名单",
}


@dataclass(frozen=True)
class Row:
    no: int
    name: str
    employer: str
    category: str
    item: str
    amount_text: str  # the amount, a band, or "不公示" (the item's 公示金额 setting)


@dataclass(frozen=True)
class Link:
    title: str
    path: str  # docs-relative path of the page (…/index.md)
    batch_no: str = ""


@dataclass(frozen=True)
class ObjectionView:
    received: date | None
    result: str
    resolved: date | None
    resolution: str
    redisclosed: Link | None


@dataclass
class Notice:
    slug: str
    batch_no: str
    title: str
    kind: str
    subject: str
    start: date
    end: date
    days: int
    state: str
    days_left: int
    names_public: bool
    names_until: date
    place: str
    phone: str
    address: str
    issuer: str
    issued: date | None
    entries: int
    people: int
    total: Decimal
    has_amounts: bool
    by_item: list = field(default_factory=list)  # (item or merged label, count, amount or None)
    total_shown: bool = True  # the total amount (False when it would give a hidden amount back)
    amounts_hidden: int = 0  # list rows whose amount is not shown
    removed: int = 0  # entries cancelled by upheld objections
    item_kinds: int = 0  # distinct items in the batch
    rows: list = field(default_factory=list)  # Row, only while names are public
    objections: list = field(default_factory=list)
    original: Link | None = None
    redisclosures: list = field(default_factory=list)
    prints: list = field(default_factory=list)  # (label, docs-relative path)

    @property
    def path(self) -> str:
        return f"{SECTION}/{self.slug}/index.md"

    @property
    def link(self) -> Link:
        return Link(self.title, self.path, self.batch_no)

    # the named states templates test (the Chinese `state` is only for showing)
    @property
    def running(self) -> bool:
        return self.state == disclosure.RUNNING

    @property
    def ended(self) -> bool:
        return self.state == disclosure.ENDED

    @property
    def not_started(self) -> bool:
        return self.state == disclosure.NOT_STARTED

    @property
    def names_removed(self) -> date:
        return self.names_until + timedelta(days=1)

    @property
    def upheld(self) -> int:
        return sum(1 for o in self.objections if o.result == "成立")

    @property
    def outcome_counts(self) -> dict:
        return dict(Counter(o.result for o in self.objections))


def build_notices(records, today: date, *, prints: dict | None = None, plan: Plan | None = None) -> list[Notice]:
    """Every batch with a start date, newest first, as public page views."""
    prints = prints or {}
    plan = plan or Plan(records, today)
    views = disclosure.views(records, today)
    slugs = notice_slugs([v.batch.batch_no for v in views])
    settings = records.settings
    full = bool(settings.full_names)
    notices: dict[str, Notice] = {}
    for v in views:
        b = v.batch
        entries = v.entries
        summary, total_shown = plan.notice_summary(entries) if b.kind == "帮扶公示" else ([], True)
        rows = []
        if v.names_public and not v.redisclosures:
            rows = [Row(i, public_text(e.name) if full else mask_name(public_text(e.name)), public_text(e.employer),
                        public_text(e.category), public_text(e.item), plan.amount_text(e))
                    for i, e in enumerate(entries, 1)]
        hidden_amounts = sum(1 for e in entries if e.item and plan.amount_rule(e.item) != SHOW_AMOUNT)
        total_shown = total_shown and list_total_shown(plan.items, entries, plan.min_cell)
        notices[b.batch_no] = Notice(
            slug=slugs[b.batch_no], batch_no=public_text(b.batch_no), title=public_text(b.title),
            kind=public_text(b.kind), subject=public_text(b.subject or KIND_SUBJECT.get(b.kind, "")),
            start=v.start, end=v.end, days=v.days, state=v.state, days_left=v.days_left,
            names_public=v.names_public, names_until=v.names_until,
            place=public_text(b.place or "本站公示栏、本站网站"),
            phone=public_text(b.objection_phone or settings.phone),
            address=public_text(b.objection_address or settings.address),
            issuer=public_text(b.issuer or settings.station_name), issued=b.issued or v.start,
            entries=len(entries), people=len({e.archive_no for e in entries}), total=v.total,
            has_amounts=b.kind == "帮扶公示",
            by_item=summary, total_shown=total_shown, amounts_hidden=hidden_amounts,
            removed=sum(1 for e in entries if e.objection_upheld),
            item_kinds=len({e.item for e in entries if e.item}),
            rows=rows, prints=list(prints.get(b.batch_no, ())))
    for v in views:
        n = notices[v.batch.batch_no]
        original = notices.get(v.batch.original) if v.batch.original else None
        n.original = original.link if original else None
        n.redisclosures = [notices[r.batch_no].link for r in v.redisclosures if r.batch_no in notices]
        n.objections = [ObjectionView(o.received, public_text(o.result), o.resolved,
                                      public_text(o.resolution),
                                      notices[o.redisclosed_in].link if o.redisclosed_in in notices
                                      else None)
                        for o in sorted(v.objections, key=lambda o: (o.received or date.min))]
    return list(notices.values())


def render_notices(env, docs: Docs, notices: list[Notice], site: StationInfo) -> None:
    page_tpl = env.get_template("site/notice.md.j2")
    more_tpl = env.get_template("site/notice_more.md.j2")
    for n in notices:
        chunks = pages_of(n.rows)
        total_pages = len(chunks)
        links = [n.path] + [f"{SECTION}/{n.slug}/{i}.md" for i in range(2, total_pages + 1)]
        docs.add(n.path, front_matter(n.title, hide=WIDE) + page_tpl.render(
            site=site, n=n, rows=chunks[0], page=1, pages=total_pages, first_no=1,
            next_page=_name(links, 1)), kind="notices")
        for i in range(1, total_pages):
            docs.add(links[i], front_matter(f"{n.title}（第 {i + 1} 页）", search=False, hide=WIDE) + more_tpl.render(
                site=site, n=n, rows=chunks[i], page=i + 1, pages=total_pages,
                prev_page=_name(links, i - 1), next_page=_name(links, i + 1)), kind="list_pages")
    running = [n for n in notices if n.state == disclosure.RUNNING]
    upcoming = [n for n in notices if n.state == disclosure.NOT_STARTED]
    recent = [n for n in notices if n.state == disclosure.ENDED][:10]
    years = defaultdict(list)
    for n in notices:
        years[n.start.year].append(n)
    docs.add(f"{SECTION}/index.md", front_matter("公示") + env.get_template("site/notices.md.j2").render(
        site=site, running=running, upcoming=upcoming, recent=recent,
        years=sorted(((y, len(ns)) for y, ns in years.items()), reverse=True)), kind="index")
    year_tpl = env.get_template("site/notices_year.md.j2")
    for year, ns in sorted(years.items()):
        docs.add(f"{SECTION}/years/{year}.md", front_matter(f"{year} 年公示") + year_tpl.render(
            site=site, year=year, notices=ns), kind="index")


def _name(links: list[str], index: int) -> str:
    """Relative link from one list page to another in the same notice folder."""
    if index < 0 or index >= len(links):
        return ""
    return links[index].rsplit("/", 1)[1]
