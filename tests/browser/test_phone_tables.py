"""At phone width (375 px) a table wider than the screen says that it scrolls, and its first
column (the account, the item, the year) stays in view while the figures scroll."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PAGES = ["funds/", "funds/上级帮扶专项资金/"]  # the pages whose tables are wider than a phone


@pytest.mark.parametrize("rel", PAGES)
def test_wide_tables_show_a_hint_and_keep_the_first_column(phone, rel):
    page = phone.open(rel)
    boxes = page.locator(".md-typeset__scrollwrap.bf-scrolls")
    assert boxes.count() >= 1, rel
    box = boxes.first
    box.scroll_into_view_if_needed()
    hint = page.locator(".bf-scroll-hint").first
    assert hint.is_visible() and "左右滑动" in hint.inner_text()
    first = box.locator("tbody tr").first.locator("td").first
    before = first.bounding_box()
    moved = box.evaluate("b => { b.scrollLeft = b.scrollWidth; return b.scrollLeft; }")
    assert moved > before["width"] / 2, rel
    page.wait_for_timeout(100)
    after = first.bounding_box()
    box_left = box.bounding_box()["x"]
    # sticky: the first column stays whole at the box's left edge instead of scrolling away
    assert after["x"] >= box_left - 1 and after["x"] > before["x"] - moved + 1, (rel, before, after)
    last = box.locator("tbody tr").first.locator("td").last
    assert last.bounding_box()["x"] + last.bounding_box()["width"] <= 375 + 1  # the figures scrolled in
    assert phone.problems == []
    if rel == "funds/":
        from pathlib import Path

        shots = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "phone-funds-scrolled.png"))


def test_no_hint_where_a_table_fits(desktop):
    page = desktop.open("funds/")
    assert page.locator(".bf-scroll-hint").count() == 0


def test_charts_keep_readable_labels_on_a_phone(phone):
    """A 640 px chart shrunk to 340 px would have 6 px labels: it keeps 600 px and scrolls."""
    page = phone.open("funds/")
    chart = page.locator("img.bf-chart").first
    chart.scroll_into_view_if_needed()
    assert chart.bounding_box()["width"] >= 600
    box = page.locator(".bf-chart-box.bf-scrolls").first
    assert box.get_attribute("role") == "region" and box.get_attribute("tabindex") == "0"
    hint = box.locator("xpath=preceding-sibling::p[1]")
    assert "图表较宽" in hint.inner_text()
