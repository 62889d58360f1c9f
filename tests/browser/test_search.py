"""Chinese search in the browser, as a worker uses it: type an item name, alone or with a
place word, and the policy page is among the first results; type a worker's full name and
nothing about that worker comes up (the site has no person lookup).

How Material searches Chinese (its search worker, 9.x): a run of Han characters in the
query is cut into words of the index's vocabulary, except that the last word is kept as a
prefix of the longest indexed word that starts it and does not reach the query's end, and
the words are OR-ed. "医疗救助" becomes "医疗*"; "单丽华" becomes "单*" and lists the pages
with 单位, none of which is about the person. So the name test asks for results that show
neither the full nor the masked name, and for no result at all where Material keeps the
name whole."""

from __future__ import annotations

from collections import Counter
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.browser

TOP = 5  # a result counts as found when it is among the first TOP pages listed


def search(visitor, query: str) -> tuple[str, list[str], str]:
    """Type `query` into the search box; return the result count line, the result pages
    (paths relative to the site root, anchors and ?h= highlights dropped, first occurrence)
    and the text of the result list."""
    page = visitor.page
    box = page.locator("input.md-search__input")
    if not box.is_visible():
        page.locator("label.md-header__button[for='__search']").click()
    box.fill(query)
    box.press("End")  # fill() sends no keyup, and Material searches on keyup
    meta = page.locator(".md-search-result__meta")
    page.wait_for_function(
        """(query) => {
            const meta = document.querySelector('.md-search-result__meta');
            const input = document.querySelector('input.md-search__input');
            return input && input.value === query && meta && !/键入以开始搜索/.test(meta.textContent);
        }""", arg=query)
    page.wait_for_timeout(150)  # results render in batches after the count line
    hrefs = page.locator(".md-search-result__item > a").evaluate_all("els => els.map(e => e.href)")
    pages: list[str] = []
    for href in hrefs:
        path = unquote(urlsplit(href).path).lstrip("/")
        path = path.removesuffix("index.html")  # pages as the tests name them: 'policies/x/'
        if path.endswith(".html"):
            path = path.removesuffix(".html") + "/"
        if path not in pages:
            pages.append(path)
    return meta.inner_text(), pages, page.locator(".md-search-result__list").inner_text()


@pytest.fixture(scope="module")
def searching(desktop):
    desktop.open("")
    return desktop


@pytest.mark.parametrize("query, wanted", [
    ("医疗救助", ["policies/医疗救助_大病/", "policies/医疗救助_工伤/"]),
    ("示范镇 医疗救助", ["policies/医疗救助_大病/", "policies/医疗救助_工伤/"]),  # the place and the item
    ("工伤", ["policies/医疗救助_工伤/"]),
    ("大病救助", ["policies/大病救助/", "policies/医疗救助_大病/"]),
])
def test_item_name_finds_its_policy_page(searching, query, wanted):
    meta, pages, _ = search(searching, query)
    assert pages, meta
    assert [w for w in wanted if w not in pages[:TOP]] == [], pages[:TOP]
    assert searching.problems == []


def test_full_names_of_workers_find_nothing_about_them(searching, demo_records):
    from generator.masking import mask_name

    payouts = Counter(p.archive_no for p in demo_records.payouts)
    most_helped = sorted(demo_records.workers, key=lambda w: (-payouts[w.archive_no], w.archive_no))
    names = [w.name for w in most_helped if w.name and len(w.name) >= 2][:6]
    names += [m.name for m in demo_records.members if m.name and len(m.name) >= 3][:2]  # family members too
    assert len(names) == 8
    nothing = 0
    for name in names:
        meta, pages, text = search(searching, name)
        shown = text.replace("\u200b", "")
        assert name not in shown and mask_name(name) not in shown, (name, pages)
        nothing += pages == [] and "没有找到" in meta
    assert nothing >= len(names) // 2  # most names are kept whole and find no page at all
