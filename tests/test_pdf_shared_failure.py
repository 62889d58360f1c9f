"""A print that fails in one lane of the shared browser (pdf.browser_session, browser_share._renew) ends only
that lane's tab and connection: the other lane keeps printing in the same browser process, the
failing lane goes on in a new browser context of that browser, and the browser and its profile
are gone when the last lane leaves. Real Chromium; the failures are real ones (a missing HTML
file; a page whose load never finishes, with a short page timeout)."""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from generator import privacy
from generator.private import browser, browser_share, pdf

from processes import processes_naming

CHROMIUM = os.environ.get("BANGFU_CHROMIUM", "/usr/lib/chromium/chromium")
PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 20mm; }} .next {{ break-before: page; }}
body {{ font-family: "Noto Sans CJK SC", sans-serif; }}</style></head>
<body><h1>{title}</h1><p>示范镇总工会困难职工帮扶站</p><p class="next">第二页：{title}</p>{extra}</body></html>"""


@pytest.fixture
def pages(tmp_path, monkeypatch):
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "chromium")
    monkeypatch.setenv("BANGFU_BROWSER", CHROMIUM)
    monkeypatch.setattr(pdf, "_state", {})
    assert pdf.engine() == "chromium"
    found = {}
    for name, title in (("a", "两节送温暖"), ("b", "金秋助学"), ("c", "医疗救助")):
        found[name] = tmp_path / f"{name}.html"
        found[name].write_text(PAGE.format(title=title, extra=""), encoding="utf-8")
    return found


def _texts(data: bytes) -> list[str]:
    import io

    import pypdf

    return [privacy.normalise(p.extract_text()) for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def _two_lanes(failing_lane: int, bad: Path, pages: dict) -> tuple[dict, list, list]:
    """Two lanes print side by side in one shared browser (the main thread's session the host, a
    thread's beside it); lane `failing_lane` prints `bad` between its good prints. Returns the
    PDFs by (lane, step), what each failed print raised, and the sessions started."""
    started: list = []
    real = browser.Session

    class Counted(real):  # type: ignore[misc, valid-type]
        def __init__(self, executable, launched=None, beside=None):
            started.append(self)
            super().__init__(executable, launched, beside)

    browser.Session = Counted  # type: ignore[misc]
    printed: dict = {}
    failed: list = []
    kept: list = []
    steps = [threading.Barrier(2, timeout=300) for _ in range(4)]

    def lane(k: int) -> None:
        with pdf.browser_session():
            steps[0].wait()
            printed[k, 0] = pdf._chromium_pdf(pages["a" if k == 0 else "b"])
            first = pdf.running_session()
            steps[1].wait()
            if k == failing_lane:
                try:
                    pdf._chromium_pdf(bad)
                except pdf.BrowserFailed as err:
                    failed.append(err)
            steps[2].wait()
            printed[k, 1] = pdf._chromium_pdf(pages["c"])  # the other lane's browser still prints
            printed[k, 2] = pdf._chromium_pdf(pages["b" if k == 0 else "a"])
            if k != failing_lane:  # printed in its own session all along, not a browser per file
                kept.append(first is not None and pdf.running_session() is first)
            else:  # goes on in a session again
                kept.append(pdf.running_session() not in (None, first))
            steps[3].wait()

    try:
        other = threading.Thread(target=lane, args=(1,))
        with pdf.browser_session():  # the host: started by the main thread, shared with the lane
            other.start()
            lane(0)
        other.join()
    finally:
        browser.Session = real  # type: ignore[misc]
    assert kept == [True, True]
    return printed, failed, started


def _check(printed: dict, started: list, pages: dict) -> None:
    host = started[0]
    assert len({id(s.proc) for s in started}) == 1, "a failed print in one lane started another browser"
    assert host.proc.poll() is not None and not Path(host.tmp).exists()
    deadline = time.monotonic() + 10
    while processes_naming(str(host.tmp)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_naming(str(host.tmp)) == []
    assert pdf.running_session() is None and browser_share._shared == {}
    # the same PDFs as a run without the failure (read back: the browser stamps each with its time)
    with pdf.browser_session():
        alone = {name: _texts(pdf._chromium_pdf(path)) for name, path in pages.items()}
    expected = {(0, 0): "a", (1, 0): "b", (0, 1): "c", (1, 1): "c", (0, 2): "b", (1, 2): "a"}
    assert {key: _texts(data) for key, data in printed.items()} == {key: alone[v] for key, v in expected.items()}
    assert "金秋助学" in alone["b"][1]


@pytest.mark.browser
@pytest.mark.parametrize("failing_lane", [0, 1], ids=["host-fails", "beside-fails"])
def test_a_missing_file_in_one_lane_leaves_the_other_lanes_browser_running(pages, tmp_path, failing_lane):
    printed, failed, started = _two_lanes(failing_lane, tmp_path / "gone.html", pages)
    assert len(failed) == 1 and "gone.html" in str(failed[0])
    # the host, the lane beside it, and the failing lane's new browser context in the same browser
    assert len(started) == 3 and started[1].context and started[2].context
    _check(printed, started, pages)


@pytest.mark.browser
def test_a_page_that_never_loads_times_out_in_its_lane_only(pages, tmp_path, monkeypatch):
    """The page waits on a server that answers only after the page timeout: the lane's session
    fails mid-wait (its connection may be mid-message), the file is printed by a browser of its
    own as before, and both lanes go on in the shared browser."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        held = []
        while not stop.is_set():
            try:
                held.append((server.accept()[0], time.monotonic()))
            except OSError:
                pass
            for c, since in list(held):
                if time.monotonic() - since > 4:
                    c.close()
                    held.remove((c, since))
        for c, _ in held:
            c.close()

    serving = threading.Thread(target=serve)
    serving.start()
    slow = tmp_path / "slow.html"
    slow.write_text(PAGE.format(title="慢", extra=f'<img src="http://127.0.0.1:{port}/x.png">'), encoding="utf-8")
    monkeypatch.setattr(browser, "PAGE_TIMEOUT", 1.5)
    try:
        printed, failed, started = _two_lanes(1, slow, pages)
    finally:
        stop.set()
        serving.join()
        server.close()
    assert len(started) == 3 and started[2].context
    _check(printed, started, pages)


@pytest.mark.browser
def test_a_browser_that_died_is_replaced_and_both_are_gone_after(pages):
    """Only when the shared browser itself has ended does the lane start a browser of its own."""
    with pdf.browser_session():
        host = pdf.running_session()
        assert _texts(pdf._chromium_pdf(pages["a"]))[0].startswith("两节送温暖")
        host.proc.kill()
        host.proc.wait()
        deadline = time.monotonic() + 10  # its helper processes end with it (on a busy machine a moment later)
        while processes_naming(str(host.tmp)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "金秋助学" in _texts(pdf._chromium_pdf(pages["b"]))[0]  # a browser of its own for this file
        own = pdf.running_session()
        assert own is not None and own is not host and own.proc is not host.proc and not own.context
        assert "医疗救助" in _texts(pdf._chromium_pdf(pages["c"]))[0]
        assert pdf.running_session() is own
    assert pdf.running_session() is None and browser_share._shared == {}
    for session in (host, own):
        assert session.proc.poll() is not None and not Path(session.tmp).exists(), session is host
