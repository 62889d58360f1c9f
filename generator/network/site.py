"""The county site's pages (the county centre's public site for the whole network), rendered
like a station's site (generator/site) into a docs tree for mkdocs:

- 统计: the network's statistics. The stations' raw records are combined first
  (network/combined.py: the county and every counted station), then the public disclosure
  rule (site/disclosure_control.Plan) is applied to the network's own grid: small cells are
  merged and hidden for the network, never summed from the stations' already-suppressed tables;
- 资金公开: the county centre's OWN funds (its funds workbook, generator/ledger.py), with
  payouts as one 帮扶发放 line per fund (the statistics on this site are the network's, so
  the county's own payouts are not split by category a second time);
- 各站公示: every counted station's running and upcoming notices, gathered as title, period and
  number of entries (no names), linked to the station's own site when it has an address;
- 各站点: the stations, their contact details and site, and which are not counted, and why;
- 帮扶政策: the county centre's own policies.

    site = render_network_site(network, today, template_dirs=[...])   # NetworkSite

`site.records` is the combined records the statistics were made from (the build's leak scan
and disclosure attacker check the site against them). The network's cells that, with the
stations' own sites, would give a station's hidden figure back are hidden as well
(network/cross_site.py), and so are the cells of the registered workers' tables (在档困难职工
by category and cause) that, minus the stations' own published counts, would give a
station's hidden count back; `site.given_back` and `site.registered_given_back` list any
left (the build then fails).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..disclosure import NOT_STARTED, RUNNING, views
from ..paths import notice_slugs, page_url
from ..pipeline import EXIT_UNREADABLE
from ..site import SiteInfo, environment
from ..site.common import Docs, front_matter, public_text
from ..site.disclosure_control import Plan
from ..site.funds import build_funds, render_funds
from ..site.nav import site_nav
from ..site.policies import build_items, render_policies
from ..site.stats import SECTION as STATS, build_stats, render_stats
from ..station import station
from .combined import SITE_SHEETS, combined, members
from .cross_site import given_back, protected_plan, protected_registered
from .model import Network, StationRun

STATIONS_PAGE = "stations/index.md"
NOTICES_PAGE = "notices/index.md"


@dataclass(frozen=True)
class StationView:
    key: str
    name: str
    county: bool
    address: str
    phone: str
    site_url: str  # an http(s) address, else ""
    counted: bool
    reason: str  # why not counted (no personal data: a count of errors or example rows)
    running: int


@dataclass(frozen=True)
class GatheredNotice:
    key: str  # StationRun.key
    station: str
    title: str
    kind: str
    start: date
    end: date
    days: int
    state: str
    days_left: int
    entries: int
    url: str  # the notice on the station's own site, "" without an address


def _web(url: str) -> str:
    url = public_text(url).strip()
    return url if url.startswith(("http://", "https://")) else ""


def public_reason(run: StationRun) -> str:
    """Why a station is not in the totals, as the public site says it."""
    if run.outcome.exit_code == EXIT_UNREADABLE:
        return "有工作簿无法读取，暂未计入统计"
    errors = sum(1 for p in run.outcome.problems if p.is_error)
    if errors:
        return f"记录中有 {errors} 处错误待改正，暂未计入统计"
    return f"记录中还有 {run.examples} 处示例行或示例设置待删除，暂未计入统计"


def _runs(network: Network) -> list[tuple[StationRun, bool]]:
    return [(network.county, True)] + [(r, False) for r in network.stations]


def gathered_notices(network: Network, today: date) -> list[GatheredNotice]:
    """Running and upcoming notices of the county and every counted station (a station
    with errors cannot publish its own site either), running first, then by start date;
    names never leave the station's own pages."""
    out = []
    for run, _county in _runs(network):
        if not run.counted:
            continue
        records = run.outcome.records
        vs = views(records, today)
        slugs = notice_slugs([v.batch.batch_no for v in vs])
        base = _web(records.settings.site_url or "")
        for v in vs:
            if v.state not in (RUNNING, NOT_STARTED):
                continue
            b = v.batch
            out.append(GatheredNotice(
                run.key, public_text(records.settings.station_name) or public_text(run.key), public_text(b.title),
                public_text(b.kind), v.start, v.end, v.days, v.state, v.days_left, len(v.entries),
                (page_url(base, "notices", slugs[b.batch_no]) or "") if base else ""))
    out.sort(key=lambda n: (n.state != RUNNING, n.start, n.station, n.title))
    return out


def station_views(network: Network, notices: list[GatheredNotice]) -> list[StationView]:
    out = []
    for run, county in _runs(network):
        s = run.outcome.records.settings
        name = public_text(s.station_name) or public_text(run.key)
        out.append(StationView(
            public_text(run.key), name, county, public_text(s.address), public_text(s.phone),
            _web(s.site_url or ""), run.counted, "" if run.counted else public_reason(run),
            sum(1 for n in notices if n.key == run.key and n.state == RUNNING)))
    return out


@dataclass
class NetworkSite:
    docs: Docs
    info: SiteInfo
    records: object  # the combined records behind the statistics (Records)
    given_back: dict  # year -> cells a station's own site would still give back ({} when safe)
    registered_given_back: set = field(default_factory=set)  # the same for the registered workers' tables
    plan: object = None  # the network's disclosure plan (Plan): the build checks the pages obey it


def render_network_site(network: Network, today: date, *, template_dirs=()) -> NetworkSite:
    env = environment(template_dirs)
    env.globals["network"] = True  # the shared page templates word a few lines for the county
    own = network.county.outcome.records
    site = station(own, today, text=public_text)
    docs = Docs()
    items = build_items(own, today)
    render_policies(env, docs, own, items, site, today)
    funds = build_funds(own, today, docs, Plan(own, today), by_category=False)
    render_funds(env, docs, funds, site)
    records = combined(network, sheets=SITE_SHEETS)
    own_plans = {run.key: Plan(run.outcome.records, today) for run in members(network)}
    plan = protected_plan(records, today, own_plans)
    protect, registered_left = protected_registered(
        records, {run.key: run.outcome.records for run in members(network)}, plan.min_cell)
    stats = build_stats(records, plan, protect)
    render_stats(env, docs, stats, site)
    notices = gathered_notices(network, today)
    stations = station_views(network, notices)
    left = [s for s in stations if not s.counted]
    counted = [s for s in stations if s.counted]
    common = dict(site=site, stations=stations, left=left, counted=counted, notices=notices)
    # the network's note goes above the statistics' own index
    docs.files[f"{STATS}/index.md"] = docs.files[f"{STATS}/index.md"].replace(
        "# 统计\n", "# 统计\n\n" + env.get_template("network/stats_note.md.j2").render(**common), 1)
    docs.add(STATIONS_PAGE, front_matter("各站点") + env.get_template("network/stations.md.j2").render(**common),
             kind="index")
    docs.add(NOTICES_PAGE, front_matter("各站公示") + env.get_template("network/notices.md.j2").render(
        **common, here=NOTICES_PAGE), kind="index")
    docs.add("index.md", front_matter(site.name, hide=("navigation", "toc")) + env.get_template(
        "network/home.md.j2").render(**common, funds=funds, items=items, stats=stats), kind="index")
    nav = site_nav([], items, funds.funds, [y.year for y in funds.years], [y.year for y in stats.years])
    nav = [nav[0], {"各站点": STATIONS_PAGE}, {"各站公示": NOTICES_PAGE}, *nav[2:]]
    words = sorted({w for i in records.items for w in (public_text(i.name), public_text(i.group)) if w})
    running = sum(1 for n in notices if n.state == RUNNING)
    info = SiteInfo(nav, site, len(notices), running, len(items), len(funds.funds), funds.income,
                    funds.spending, funds.balance, words)
    return NetworkSite(docs, info, records, given_back(plan, own_plans), registered_left, plan)
