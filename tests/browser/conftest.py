"""Fixtures for the real-browser tests: the demo site (built once per session by the
`demo_site` fixture in tests/conftest.py) served over HTTP on 127.0.0.1, one headless
Debian Chromium per session driven by Playwright (never a downloaded browser), and
"visitors": a browser tab that records everything a reader's browser would complain
about (console errors, script errors, failed requests, HTTP errors) and every request
that tried to leave the machine.

    def test_x(desktop):
        page = desktop.open("notices/")          # loads and waits until the network is quiet
        assert desktop.problems == []

When Chromium (or poppler-utils, for the print tests) is not installed the tests are skipped
with the reason (pytest -rs shows it); with BANGFU_REQUIRE_BROWSER=1 (CI) they fail instead.
BANGFU_CHROMIUM=/path/to/chromium uses another Chromium binary.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
import time
import warnings
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

# Debian's Chromium (the real binary; /usr/bin/chromium is a wrapper script); BANGFU_CHROMIUM overrides
CHROMIUM = Path(os.environ.get("BANGFU_CHROMIUM", "/usr/lib/chromium/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
QUIET = 0.05  # seconds without network activity after "load" before a page counts as settled
# any URL that leaves this machine: a scheme with "//" other than file:// and http(s) to
# 127.0.0.1 or localhost (data: and blob: URLs have no "//")
FOREIGN = re.compile(r"^(?!file://|https?://(127\.0\.0\.1|localhost)(:\d+)?/)[a-z][a-z0-9+.-]*://", re.IGNORECASE)


SITE_FOLDERS: set[str] = set()  # folders of the built site ('', 'notices/', …), set by site_url


def html_path(rel: str) -> str:
    if rel.endswith("/") and SITE_FOLDERS and rel not in SITE_FOLDERS:
        return rel[:-1] + ".html"
    return rel


class QuietHandler(SimpleHTTPRequestHandler):
    """The standard static file server, without a log line per request; it keeps the
    requests it answered with an error in `errors` (also those no page event reports,
    such as the browser's own /favicon.ico)."""

    errors: list = []

    def log_request(self, code="-", size="-"):
        if isinstance(code, int) and code >= 400:  # an int or an HTTPStatus
            self.errors.append(f"{int(code)} {self.path}")

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


class Visitor:
    """One browser tab with listeners; `problems` lists what went wrong since the last open()."""

    def __init__(self, page, base_url: str, foreign: list):
        self.page, self.base_url, self.foreign = page, base_url, foreign
        self.problems: list[str] = []
        self._pending: set = set()
        self._visit = 0  # counts open() calls; a request remembers the visit it belongs to
        self._visit_of: dict = {}
        self._last_activity = time.monotonic()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("request", self._request)
        page.on("requestfinished", self._done)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def url(self, rel: str) -> str:
        """'policies/x/' names the page policies/x.html (the site is built without directory
        URLs, so that it also works as files); 'notices/' its index.html."""
        return self.base_url + quote(html_path(rel))

    def open(self, rel: str):
        """Load a page of the site ('notices/GS-2026-07/', 'print/notices/x.html') and settle."""
        return self.goto(self.url(rel))

    def goto(self, url: str):
        self.problems = []
        self._visit += 1
        self.page.goto(url, wait_until="load")  # an HTTP error shows up in _response
        self.settle()
        return self.page

    def start(self, rel: str) -> None:
        """Begin loading a page without waiting for it (finish() waits): several tabs can
        then load at once while Python waits for whichever comes first."""
        self.problems = []
        self._visit += 1
        self._target = self.url(rel)
        self.page.evaluate("url => setTimeout(() => location.assign(url), 0)", self._target)

    def finish(self):
        self.page.wait_for_url(self._target, wait_until="load")
        self.settle()
        return self.page

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until no request is in flight and the network has been quiet for QUIET seconds
        (Material starts its search worker and fetches the index after "load"); leaving a page
        earlier would abort those requests and report them as failures of the next page."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._pending and time.monotonic() - self._last_activity >= QUIET:
                return
            self.page.wait_for_timeout(30)
        self.problems.append(f"network never settled: {sorted(r.url for r in self._pending)}")

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} ({message.location.get('url', '')})")

    def _request(self, request) -> None:
        self._pending.add(request)
        self._visit_of[request] = self._visit
        self._last_activity = time.monotonic()
        if FOREIGN.match(request.url):
            self.foreign.append(request.url)

    def _done(self, request) -> None:
        self._pending.discard(request)
        self._visit_of.pop(request, None)
        self._last_activity = time.monotonic()

    def _failed(self, request) -> None:
        visit = self._visit_of.get(request, self._visit)
        self._done(request)
        if visit != self._visit and request.failure == "net::ERR_ABORTED":
            return  # a late request of the page we just left, aborted by leaving it
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")


def unavailable(reason: str):
    """Skip (with the reason, shown by pytest -rs) when a system tool is missing; fail instead
    when BANGFU_REQUIRE_BROWSER is set (CI installs everything, so there it is an error)."""
    if os.environ.get("BANGFU_REQUIRE_BROWSER"):
        pytest.fail(reason + " (BANGFU_REQUIRE_BROWSER is set, so this is an error)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, one per session."""
    if not CHROMIUM.exists():
        unavailable(f"Chromium is not installed at {CHROMIUM}: browser tests need Debian's chromium "
                    "(apt-get install chromium fonts-noto-cjk poppler-utils)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed: pip install -e '.[test]'")
    playwright = sync_playwright().start()
    # no host name resolves except localhost: the browser is as offline as a reader's office PC
    # may be, and every attempt to leave is still seen (and recorded) as a request
    offline = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[offline])
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture(scope="session")
def site_url(browser, demo_site):
    """The built demo site over HTTP on a free port of 127.0.0.1 (browser first: a missing
    Chromium skips before the demo site is built)."""
    SITE_FOLDERS.update(p.relative_to(demo_site.site).as_posix() + "/" for p in demo_site.site.rglob("*")
                        if p.is_dir())
    SITE_FOLDERS.add("")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(demo_site.site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def server_errors(site_url) -> list:
    """'404 /path' for every request the site server answered with an error."""
    return QuietHandler.errors


@pytest.fixture(scope="session")
def foreign_requests() -> list:
    """Every request any tab tried to send off this machine (recorded by the visitors; the
    browser cannot resolve other hosts, so they also fail)."""
    return []


def _context(browser, **options):
    return browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)


def crawl(visitors: list, pages: list[str], look) -> dict:
    """Load every page, round-robin over the visitors' tabs (each loads one page at a time);
    returns {page: (problems, look(page))} with `look` run on each loaded page."""
    seen, queue, busy = {}, list(pages), []
    while queue or busy:
        while queue and len(busy) < len(visitors):
            visitor = next(v for v in visitors if all(v is not b for b, _ in busy))
            rel = queue.pop(0)
            visitor.start(rel)
            busy.append((visitor, rel))
        visitor, rel = busy.pop(0)
        page = visitor.finish()
        seen[rel] = (list(visitor.problems), look(page))
    return seen


@pytest.fixture(scope="session")
def desktop(browser, site_url, foreign_requests):
    """A 1280 × 800 desktop tab."""
    context = _context(browser, viewport=DESKTOP)
    yield Visitor(context.new_page(), site_url, foreign_requests)
    context.close()


@pytest.fixture(scope="session")
def phone(browser, site_url, foreign_requests):
    """A 375 px wide phone tab (mobile viewport, touch)."""
    context = _context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    yield Visitor(context.new_page(), site_url, foreign_requests)
    context.close()


@pytest.fixture(scope="session")
def printer(browser, site_url, foreign_requests):
    """A tab used only for printing to PDF (page.pdf prints with the print stylesheet)."""
    context = _context(browser, viewport=DESKTOP)
    yield Visitor(context.new_page(), site_url, foreign_requests)
    context.close()


@pytest.fixture(scope="session")
def site_crawl(desktop, demo_site) -> dict:
    """Every page of the demo site loaded once at desktop width (two tabs at a time):
    {page: (problems, (html lang, visible text))}. Above MAX_PAGES pages a deterministic
    sample is loaded, and a warning says so."""
    from browser_tools import MAX_PAGES, sample, site_pages

    pages = site_pages(demo_site.site)
    if len(pages) > MAX_PAGES:
        warnings.warn(f"the site has {len(pages)} pages: the browser loads a sample of {MAX_PAGES}", stacklevel=2)
    second = Visitor(desktop.page.context.new_page(), desktop.base_url, desktop.foreign)
    look = lambda page: tuple(page.evaluate("[document.documentElement.lang, document.body.innerText]"))  # noqa: E731
    try:
        return crawl([desktop, second], sample(pages), look)
    finally:
        second.page.close()


@pytest.fixture(scope="session")
def demo_records(browser, demo_site):
    """The demo records as read by bangfu (for names, batches and payouts to look for);
    after `browser`, so that a missing Chromium skips before the demo site is built."""
    from generator.reading import read_records

    return read_records(demo_site.records).records


@pytest.fixture(scope="session")
def poppler() -> None:
    """pdfinfo, pdftotext and pdftoppm (poppler-utils) read the printed PDFs back."""
    missing = [tool for tool in ("pdfinfo", "pdftotext", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        unavailable(f"poppler-utils is not installed ({', '.join(missing)} missing): apt-get install poppler-utils")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/browser: screenshots and PDFs to look at (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
