"""`bangfu serve` as the clerk sees it: pages reload themselves after a rebuild, a failed
check shows its problems in the browser (through the status the page polls), and the
wall-printout PDFs that `bangfu build` made are kept."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from generator.serve import LIVE_SCRIPT, STATUS_PATH, LiveState, serve

from station import cell_of, station_data, write_station

pytestmark = pytest.mark.slow


def wait_for(predicate, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def status(url, after=None):
    query = "" if after is None else f"?after={after}"
    return json.loads(urllib.request.urlopen(url + STATUS_PATH.lstrip("/") + query, timeout=60).read().decode("utf-8"))


def test_live_reload_and_problems_in_the_browser(tmp_path):
    from generator.build import build_all
    from generator.private import pdf as pdf_output

    records = write_station(tmp_path / "records", station_data())
    wall_pdfs = []
    if pdf_output.available():  # `bangfu build` made wall-printout PDFs: serve must keep them
        assert build_all(records, site_dir=tmp_path / "site", private_dir=None, today=date(2026, 11, 23),
                         pdf=True, echo=lambda _: None) == 0
        wall_pdfs = sorted(p.relative_to(tmp_path) for p in (tmp_path / "site" / "print").rglob("*.pdf"))
        assert wall_pdfs
    lines, stop = [], threading.Event()
    thread = threading.Thread(target=serve, args=(records,), kwargs=dict(
        site_dir=tmp_path / "site", port=0, today=date(2026, 11, 23), echo=lines.append, stop=stop))
    thread.start()
    try:
        line = wait_for(lambda: next((l for l in lines if "预览地址" in str(l)), None))
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        page = urllib.request.urlopen(url).read().decode("utf-8")
        assert LIVE_SCRIPT in page and page.index(LIVE_SCRIPT) < page.index("</body>")
        assert status(url) == {"generation": 1, "problems": "", "version": 1}
        assert LIVE_SCRIPT not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")

        broken = station_data()
        broken["帮扶记录.xlsx"]["帮扶发放"][0]["金额"] = 500
        time.sleep(1.1)
        write_station(records, broken)
        failed = wait_for(lambda: status(url)["problems"] or None)
        assert f"{cell_of('帮扶发放', '金额', 0)}" in failed and "amount-over-standard" in failed
        assert status(url)["generation"] == 1  # the page keeps the last good site

        # a page asking for the next change gets its answer when the rebuild ends, not before
        seen = status(url)["version"]
        waiting: list = []
        asker = threading.Thread(target=lambda: waiting.append(status(url, after=seen)))
        asker.start()
        time.sleep(1.1)
        assert not waiting  # nothing changed yet: the answer waits
        write_station(records, station_data())
        asker.join(90)
        assert waiting and waiting[0]["generation"] == 2 and waiting[0]["version"] == seen + 1
        assert wait_for(lambda: status(url)["generation"] == 2)
        assert status(url)["problems"] == ""
        assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "site").rglob("*.pdf")) == wall_pdfs
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()


def test_a_serve_rebuild_equals_a_fresh_build_and_still_fails_on_a_leak(tmp_path):
    """With everything serve keeps between its builds (parsed workbooks, converted pages, the
    leak scan's texts, lines and values in memory), a save gives the very site a fresh `bangfu
    build` writes, and a template that publishes a worker's phone number or full name fails
    the rebuild, the last good site staying online."""
    import copy

    from test_site_incremental import _station_name, tree

    from generator.build import build_all

    records = write_station(tmp_path / "serve" / "records", station_data())
    site = tmp_path / "serve" / "site"
    lines, stop = [], threading.Event()
    thread = threading.Thread(target=serve, args=(records,), kwargs=dict(
        site_dir=site, port=0, today=date(2026, 11, 23), echo=lines.append, stop=stop))
    thread.start()
    override = records.parent / "site_templates" / "site" / "home.md.j2"
    home = (Path(__file__).resolve().parent.parent / "site_templates/site/home.md.j2").read_text(encoding="utf-8")
    renamed = copy.deepcopy(station_data())
    _station_name(renamed)
    try:
        line = wait_for(lambda: next((l for l in lines if "预览地址" in str(l)), None))
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        write_station(records, renamed)
        wait_for(lambda: status(url)["generation"] == 2)
        served = tree(site)
        for leak, kind in (("13805310001", "电话号码"), ("张晓明", "姓名全名")):  # SF-0001's phone, then name
            seen = status(url)["version"]
            override.parent.mkdir(parents=True, exist_ok=True)
            override.write_text(home + f"\n联系人：{leak}\n", encoding="utf-8")
            failed = wait_for(lambda seen=seen: status(url)["version"] > seen and status(url)["problems"] or None)
            assert "隐私检查未通过" in failed and kind in failed and "index.html" in failed
            assert status(url)["generation"] == 2 and tree(site) == served  # the last good site stays
        override.unlink()
        wait_for(lambda: status(url)["generation"] == 3)
        assert tree(site) == served
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()
    fresh = write_station(tmp_path / "fresh" / "records", renamed)
    assert build_all(fresh, site_dir=tmp_path / "fresh" / "site", private_dir=None, today=date(2026, 11, 23),
                     pdf=False, echo=lambda _: None) == 0
    assert tree(tmp_path / "fresh" / "site") == served


def test_a_build_failing_again_with_the_same_problems_is_no_change_for_the_page():
    """A save written in several steps (or a second workbook saved) may build twice with the same
    faults: the page waiting for the next change is not woken for the same report again."""
    live = LiveState()
    live.failed("错误 N2")
    live.failed("错误 N2")
    assert json.loads(live.as_json()) == {"generation": 0, "problems": "错误 N2", "version": 1}
    assert json.loads(live.as_json(after=1, timeout=0.05))["version"] == 1  # waited: nothing new
    live.failed("错误 N3")
    live.built()
    live.failed("错误 N3")  # after a good build, the same faults again are news
    assert json.loads(live.as_json()) == {"generation": 1, "problems": "错误 N3", "version": 4}
