"""How the pages look: screenshots of the home, a notice, a policy and the fund page at
desktop (1280 px) and phone (375 px) width go to test-artifacts/browser/ for a person to
look at, and the things a glance would catch are checked here: Chinese is drawn with the
Simplified Chinese font (not Japanese glyph shapes, not a fallback), amounts line up on
the right, and dates are all written one way (2026年11月23日)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

SHOTS = {"home": "", "notice": "notices/GS-2026-07/", "policy": "policies/医疗救助_大病/", "funds": "funds/"}
NUMBER = r"^[-−]?\d[\d,]*(\.\d+)?%?$"  # an amount, a count, a rate; a year (2026) is a label
OTHER_DATES = re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{4}\b")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots(request, device, artifacts):
    visitor = request.getfixturevalue(device)
    for name, rel in SHOTS.items():
        page = visitor.open(rel)
        path = artifacts / f"{name}-{device}.png"
        page.screenshot(path=path, full_page=True)
        assert path.stat().st_size > 20_000
        assert visitor.problems == []


def test_chinese_is_drawn_with_the_simplified_chinese_font(desktop):
    """Chromium reports which installed font drew each node's glyphs."""
    page = desktop.open("notices/GS-2026-07/")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    used = {}
    for selector in ("article h1", "article .admonition p", "article table td", "article li",
                     ".md-header__topic", ".md-tabs__link"):
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        used[selector] = {f["familyName"] for f in fonts}
    cdp.detach()
    assert {s: f for s, f in used.items() if f != {"Noto Sans CJK SC"}} == {}
    # the site names its Chinese fonts itself rather than leaving them to the browser's fallback
    family = page.evaluate("getComputedStyle(document.querySelector('article p')).fontFamily")
    assert '"Noto Sans CJK SC"' in family and '"Microsoft YaHei"' in family


def test_amounts_line_up_on_the_right(desktop):
    misaligned = {}
    for rel in ("notices/GS-2026-07/", "funds/", "funds/上级帮扶专项资金/", "stats/", "policies/"):
        page = desktop.open(rel)
        cells = page.evaluate(r"""(number) => [...document.querySelectorAll('article td, article th')]
            .filter(c => new RegExp(number).test(c.innerText.trim()) && !/^(19|20)\d\d$/.test(c.innerText.trim()))
            .map(c => [c.innerText.trim(), getComputedStyle(c).textAlign])""", NUMBER)
        assert cells, rel
        wrong = [text for text, align in cells if align not in ("right", "end")]
        if wrong:
            misaligned[rel] = wrong[:5]
    assert misaligned == {}


def test_dates_are_written_one_way(site_crawl):
    """On every page of the site: dates as 2026年11月23日, never 2026-11-23 or 2026/11/23."""
    mixed = {rel: OTHER_DATES.findall(text)[:5] for rel, (_, (_, text)) in site_crawl.items()
             if OTHER_DATES.search(text)}
    assert mixed == {}
    written = sum(len(re.findall(r"\d{4}年\d{1,2}月\d{1,2}日", text)) for _, (_, text) in site_crawl.values())
    assert written > 100
