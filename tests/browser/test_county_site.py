"""The county site (`bangfu merge`) in a real browser, served on 127.0.0.1 as the station
site's browser tests serve it (opening as files is the same theme and assets, covered by
test_file_site.py): every page loads with no script error, failed request or request leaving
the machine, the navigation has the county's sections, and axe finds no serious or critical
violation."""

from __future__ import annotations

import functools
import threading
from datetime import date
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from test_accessibility import serious

from conftest import QuietHandler, Visitor

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TODAY = date(2026, 11, 23)
PAGES = ["index.html", "stations/index.html", "notices/index.html", "stats/index.html", "stats/2026.html",
         "funds/index.html", "policies/index.html"]


@pytest.fixture(scope="module")
def county_site(tmp_path_factory) -> Path:
    from generator import places
    from generator.build.network import build_network_site
    from generator.demo import write_demo
    from generator.network.model import Network, StationRun
    from generator.pipeline import check_folder
    from generator.station import station

    root = tmp_path_factory.mktemp("county")
    runs = []
    for key, seed in (("县中心", 41), ("甲镇", 42), ("乙镇", 43)):
        folder = root / key / "records"
        write_demo(folder, workers=15, payouts=45, seed=seed, today=TODAY)
        outcome = check_folder(folder, TODAY)
        runs.append(StationRun(key, folder, outcome, station(outcome.records, TODAY)))
    site = places.network_site_dir(runs[0].folder)
    lines: list[str] = []
    assert build_network_site(Network(runs[0], runs[1:]), site, TODAY, echo=lines.append) == 0, "\n".join(lines)
    return site


@pytest.fixture(scope="module")
def visitor(browser, county_site):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(county_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    yield Visitor(context.new_page(), f"http://127.0.0.1:{server.server_port}/", [])
    context.close()
    server.shutdown()
    server.server_close()


def test_county_pages_load_offline_and_pass_axe(visitor):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = {}
    for rel in PAGES:
        page = visitor.open(rel)
        assert visitor.problems == [], rel
        found[rel] = serious(axe, page)
    assert visitor.foreign == []
    assert {rel: v for rel, v in found.items() if v} == {}


def test_county_navigation_has_the_network_sections(visitor):
    page = visitor.open("index.html")
    tabs = [t.strip() for t in page.locator(".md-tabs__link").all_inner_texts()]
    assert tabs == ["首页", "各站点", "各站公示", "帮扶政策", "资金公开", "统计"]
    page = visitor.open("stations/index.html")
    rows = page.locator("article table tbody tr")
    assert rows.count() == 3
    assert "（本中心）" in rows.nth(0).inner_text()
