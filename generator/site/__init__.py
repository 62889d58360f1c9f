"""The public site's pages, rendered from the records into a docs tree for mkdocs.

    docs, info = render_site(records, today, template_dirs=[...], prints={...})

Each module builds plain view objects that hold only what may be published
(see the privacy rule in notices.py and stats.py), then renders its Jinja2
templates from site_templates/site/. Nothing here touches the disk except
through `Docs.write`.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from datetime import date

from markupsafe import Markup

from .. import render
from ..disclosure import NOT_STARTED, RUNNING
from ..gcpause import gc_paused
from ..station import StationInfo, station
from .common import Docs, front_matter, public_text
from .disclosure_control import plan_for
from .funds import funds_for, render_funds
from .nav import site_nav
from .notices import build_notices, render_notices
from .plan_facts import FactBlocks
from .policies import build_items, render_policies
from .stats import build_stats, render_stats


@dataclass
class SiteInfo:
    """What the build summary and the mkdocs configuration need to know."""
    nav: list
    station: StationInfo
    notices: int = 0
    running: int = 0
    items: int = 0
    funds: int = 0
    income: object = 0
    spending: object = 0
    balance: object = 0
    search_words: list = field(default_factory=list)


def rel_url(target: str, here: str) -> str:
    """Relative link from the docs page `here` to the docs file `target`."""
    return posixpath.relpath(target, posixpath.dirname(here) or ".")


def environment(template_dirs=()):
    env = render.environment(list(template_dirs))
    env.globals["rel_url"] = rel_url
    env.globals["network"] = False  # the county site (generator/network/site.py) sets it
    env.filters["nobr"] = nobr
    env.filters["zh_date"] = site_date
    return env


def site_date(value) -> Markup | str:
    """2026年11月23日 kept on one line (a phone would otherwise break it before 日)."""
    text = render.zh_date(value)
    return nobr(text) if text else ""


def nobr(value) -> Markup:
    """Text that must not break across lines (a date in a narrow table column)."""
    return Markup('<span class="bf-nowrap">{}</span>').format(value)


def services(items) -> list[str]:
    """What the station offers, from its own items: each item's group (the item's own
    name when it has no group or the group is 其他), first appearance first."""
    out: list[str] = []
    for i in items:
        label = i.group if i.group and i.group != "其他" else i.name
        if label and label not in out:
            out.append(label)
    return out


def render_site(records, today: date, *, template_dirs=(), prints: dict | None = None,
                kept_facts: FactBlocks | None = None) -> tuple[Docs, SiteInfo]:
    """All public pages as a Docs tree. `prints` maps a batch number or an item name to
    [(label, docs path)] of its printable wall versions. `kept_facts`: the disclosure
    plan's payout facts kept by the last build (plan_facts), updated in place. The cyclic collector is paused
    meanwhile: the views are hundreds of thousands of new objects (a station's payouts as
    facts, notice entries and rows), and each collection they set off walked them all again
    (20,000 workers: about 0.4 CPU-s a build); what they leave is collected afterwards."""
    with gc_paused():
        return _render_site(records, today, template_dirs=template_dirs, prints=prints, kept_facts=kept_facts)


def _render_site(records, today: date, *, template_dirs=(), prints: dict | None = None,
                 kept_facts: FactBlocks | None = None) -> tuple[Docs, SiteInfo]:
    env = environment(template_dirs)
    site = station(records, today, text=public_text)
    docs = Docs()
    plan = plan_for(records, today, kept_facts)  # disclosure control: one decision for every page below
    notices = build_notices(records, today, prints=prints, plan=plan)
    render_notices(env, docs, notices, site)
    items = build_items(records, today, prints=prints)
    render_policies(env, docs, records, items, site, today)
    funds = funds_for(records, today, docs, plan)  # as build_funds, kept under serve
    render_funds(env, docs, funds, site)
    stats = build_stats(records, plan)
    render_stats(env, docs, stats, site)
    running = [n for n in notices if n.state == RUNNING]
    upcoming = [n for n in notices if n.state == NOT_STARTED]
    docs.add("index.md", front_matter(site.name, hide=("navigation", "toc")) + env.get_template(
        "site/home.md.j2").render(site=site, running=running, upcoming=upcoming, funds=funds,
                                  items=items, services=services(items)), kind="index")
    nav = site_nav(sorted({n.start.year for n in notices}), items, funds.funds,
                   [y.year for y in funds.years], [y.year for y in stats.years])
    words = sorted({w for i in records.items for w in (public_text(i.name), public_text(i.group)) if w}
                   | {public_text(p.campaign) for p in records.payouts if p.campaign})
    info = SiteInfo(nav, site, len(notices), len(running), len(items), len(funds.funds),
                    funds.income, funds.spending, funds.balance, words)
    return docs, info
