"""Every page of the demo site in a real browser: it loads with no console error and no
failed request, never reaches past this machine, is Simplified Chinese; the disclosure
pages tell a reader where a notice stands; at phone width nothing widens the page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# Pages a worker opens on a phone: the notice lists, a running notice with its list of
# names, the fund pages with their tables, and the statistics.
PHONE_PAGES = ["", "notices/", "notices/years/2026/", "notices/GS-2026-07/", "notices/GS-2025-04/",
               "funds/", "funds/years/2026/", "funds/上级帮扶专项资金/", "funds/职工医疗互助金/", "stats/",
               "policies/", "policies/大病救助/"]


def test_every_page_loads_cleanly_and_offline(site_crawl, foreign_requests, server_errors):
    assert len(site_crawl) > 50 and "" in site_crawl and "print/notices/GS-2026-07.html" in site_crawl
    assert {rel: problems for rel, (problems, _) in site_crawl.items() if problems} == {}
    assert foreign_requests == []  # no CDN font, script or image: the site works offline
    assert server_errors == []
    assert {rel for rel, (_, (lang, _)) in site_crawl.items() if lang != "zh-CN"} == set()


def _batch(records, batch_no):
    return next(b for b in records.batches if b.batch_no == batch_no)


def _zh(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_running_notice_shows_its_end_and_the_days_left(desktop, demo_records, demo_site):
    today = demo_site.today
    running = [b for b in demo_records.batches if b.start and b.start <= today <= demo_records.batch_end(b)]
    assert {b.batch_no for b in running} == {"GS-2026-06", "GS-2026-07"}  # the demo's two open batches
    for batch in running:
        end = demo_records.batch_end(batch)
        days_left = (end - today).days + 1  # today counts
        page = desktop.open(f"notices/{batch.batch_no}/")
        state = page.locator("article .bf-state").first
        assert state.inner_text() == "公示中" and state.is_visible()
        box = page.locator("article .admonition").first
        assert box.is_visible()
        text = box.inner_text()
        assert f"至 {_zh(end)}" in text and f"还有 {days_left} 天" in text, text
        # how to object is on the page while it runs
        assert "异议反映方式" in page.locator("article h2").all_inner_texts()
        assert desktop.problems == []


@pytest.mark.parametrize("batch_no, outcome", [
    ("GS-2026-05", "公示期内未收到异议，公示结果有效。"),
    ("GS-2025-04", "公示期内共收到异议 1 件，经调查核实成立 1 件。"),
])
def test_ended_notice_shows_the_outcome(desktop, demo_records, batch_no, outcome):
    batch = _batch(demo_records, batch_no)
    page = desktop.open(f"notices/{batch_no}/")
    assert page.locator("article .bf-state").first.inner_text() == "已结束"
    assert f"已于 {_zh(demo_records.batch_end(batch))} 结束" in page.locator("article .admonition").first.inner_text()
    heading = page.locator("article h2", has_text="公示结果")
    assert heading.is_visible()
    assert outcome in page.locator("article").inner_text()
    assert "距公示结束" not in page.locator("article").inner_text()


def test_phone_pages_do_not_widen_the_page(phone):
    """At 375 px nothing makes the page scroll sideways; a table too wide for the screen
    scrolls inside its own box, which is no wider than the screen."""
    width = phone.page.viewport_size["width"]
    wide, unboxed = {}, {}
    for rel in PHONE_PAGES:
        page = phone.open(rel)
        assert phone.problems == [], (rel, phone.problems)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width + 1:
            wide[rel] = scroll
        # every table wider than the screen sits in a box that scrolls and fits the screen
        bad = page.evaluate("""(width) => [...document.querySelectorAll('article table')]
            .filter(t => t.getBoundingClientRect().width > width + 1)
            .filter(t => {
                for (let e = t.parentElement; e && e !== document.body; e = e.parentElement) {
                    const s = getComputedStyle(e);
                    if (['auto', 'scroll'].includes(s.overflowX)) return e.getBoundingClientRect().right > width + 1;
                }
                return true;
            }).map(t => t.innerText.slice(0, 40))""", width)
        if bad:
            unboxed[rel] = bad
    assert wide == {}
    assert unboxed == {}
