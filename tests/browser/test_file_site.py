"""The site opened as files (double-clicking site/index.html): every navigation link opens
its page, and search works (Material's worker through the vendored iframe-worker shim),
including parts of words, while a worker's full name finds nothing."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from test_search import search

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def on_file(browser, demo_site, foreign_requests):
    from conftest import Visitor

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    visitor = Visitor(context.new_page(), demo_site.site.as_uri() + "/", foreign_requests)
    yield visitor
    context.close()


def test_navigation_tabs_open_pages_not_folders(on_file, demo_site):
    page = on_file.goto(demo_site.site.joinpath("index.html").as_uri())
    tabs = page.locator(".md-tabs__link").evaluate_all("els => els.map(e => e.href)")
    assert len(tabs) >= 5
    for href in tabs:
        page = on_file.goto(href)
        path = unquote(urlsplit(page.url).path)
        assert path.endswith(".html"), path
        assert page.locator("article h1").count() == 1, path
        assert on_file.problems == [], (path, on_file.problems)


@pytest.mark.parametrize("query, wanted", [
    ("温暖", "policies/两节送温暖.html"),
    ("助学", "policies/金秋助学_大学.html"),
])
def test_search_on_file_finds_parts_of_words(on_file, demo_site, query, wanted):
    on_file.goto(demo_site.site.joinpath("index.html").as_uri())
    meta, pages, _ = search(on_file, query)
    root = unquote(urlsplit(demo_site.site.as_uri()).path).lstrip("/") + "/"
    found = [p.removeprefix(root) for p in pages]
    assert any(p == wanted.removesuffix(".html") + "/" for p in found[:5]), (meta, found)


def test_search_on_file_finds_nothing_for_a_full_name(on_file, demo_site, demo_records):
    on_file.goto(demo_site.site.joinpath("index.html").as_uri())
    name = next(w.name for w in demo_records.workers if w.name and len(w.name) >= 3)
    _, _, listed = search(on_file, name)
    assert name not in listed
