"""`bangfu serve` in a real browser: a failed check's problems appear at the bottom of the open
page; once the workbook is fixed the page reloads itself and the box is gone."""

from __future__ import annotations

import re
import threading
import time
from datetime import date

import pytest

from generator.serve import serve

from station import station_data, write_station

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_problems_show_in_the_page_and_it_reloads_after_the_fix(browser, tmp_path):
    records = write_station(tmp_path / "records", station_data())
    lines, stop = [], threading.Event()
    thread = threading.Thread(target=serve, args=(records,), kwargs=dict(
        site_dir=tmp_path / "site", port=0, today=date(2026, 11, 23), echo=lines.append, stop=stop))
    thread.start()
    context = browser.new_context(locale="zh-CN")
    try:
        deadline = time.monotonic() + 90
        while not any("预览地址" in str(line) for line in lines) and time.monotonic() < deadline:
            time.sleep(0.1)
        url = re.search(r"http://127\.0\.0\.1:\d+/", next(str(l) for l in lines if "预览地址" in str(l))).group(0)
        page = context.new_page()
        page.goto(url)
        page.evaluate("window.bangfuMark = 1")  # gone after a reload
        broken = station_data()
        broken["帮扶记录.xlsx"]["帮扶发放"][0]["金额"] = 500
        time.sleep(1.1)
        write_station(records, broken)
        box = page.locator("#bangfu-problems")
        box.wait_for(state="visible", timeout=90_000)
        text = box.inner_text()
        assert "网站没有更新" in text and "amount-over-standard" in text and "帮扶发放" in text
        assert page.evaluate("window.bangfuMark") == 1  # no reload for a failed build
        time.sleep(1.1)
        write_station(records, station_data())
        page.wait_for_function("() => window.bangfuMark === undefined", timeout=90_000)  # reloaded
        page.wait_for_load_state("load")
        assert page.locator("#bangfu-problems").count() == 0
    finally:
        context.close()
        stop.set()
        thread.join(30)
