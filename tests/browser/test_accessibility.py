"""axe-core (axe-playwright-python, bundled, offline) on the pages people read most: no
serious or critical violation, at desktop and phone width. Every rule axe runs by default
is kept; none is excluded."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

DESKTOP_PAGES = ["", "notices/", "notices/GS-2026-07/", "policies/医疗救助_大病/", "funds/", "funds/上级帮扶专项资金/",
                 "print/notices/GS-2026-07.html"]
PHONE_PAGES = ["", "notices/GS-2026-07/", "funds/"]


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def serious(axe, page) -> list[str]:
    found = []
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            for node in violation["nodes"]:
                found.append(f"{violation['id']} ({violation['impact']}) at {node['target']}: {violation['help']}")
    return found


def test_no_serious_violations_on_desktop(desktop, axe):
    found = {rel: serious(axe, desktop.open(rel)) for rel in DESKTOP_PAGES}
    assert {rel: v for rel, v in found.items() if v} == {}


def test_no_serious_violations_on_a_phone(phone, axe):
    found = {rel: serious(axe, phone.open(rel)) for rel in PHONE_PAGES}
    assert {rel: v for rel, v in found.items() if v} == {}
