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

import pytest

from generator.serve import LIVE_SCRIPT, STATUS_PATH, serve

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
