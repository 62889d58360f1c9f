"""Shared fixtures. The expensive one, `demo_site`, builds the committed demo records once
per test session (today = 2026-11-23) with a real mkdocs build, the leak scan and the
private records, into a temporary folder; tests read what it returns and never change it.

    def test_x(demo_site):
        html = demo_site.page("notices/GS-2026-07/")   # the HTML of a built page
        demo_site.site, demo_site.private, demo_site.records, demo_site.docs

Helpers (BuiltSite, build_into, Tables) live in tests/site_helpers.py.
"""

from __future__ import annotations

import shutil

import pytest

from site_helpers import DEMO_RECORDS, BuiltSite, build_into


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> BuiltSite:
    if not (DEMO_RECORDS / "帮扶记录.xlsx").exists():
        pytest.skip("demo records not generated (records/ is empty)")
    root = tmp_path_factory.mktemp("demo-site")
    records = root / "records"
    shutil.copytree(DEMO_RECORDS, records)
    built = build_into(records, root)
    assert built.code == 0, built.output
    return built


@pytest.fixture
def browser_sessions(monkeypatch) -> list:
    """Every browser session started from here on (generator.private.browser.Session), in order."""
    from generator.private import browser

    started: list = []

    class Counted(browser.Session):
        def __init__(self, executable, launched=None, beside=None):
            started.append(self)
            super().__init__(executable, launched, beside)

    monkeypatch.setattr(browser, "Session", Counted)
    return started
