"""When a printing browser renews its tab (browser.renew_at, set by printing.write): past
browser.RENEW_MB, or earlier where the memory budget left beside the build's Python processes as
measured asks for it (printing.renew_within)."""
from __future__ import annotations

from generator.private import browser, printing


def test_the_budget_beside_the_python_processes_lowers_the_renewal():
    rest = printing.BROWSER_REST_MB + printing.PRINT_LAYOUT_MB
    # the 2 GiB default beside a 20,000-worker build's Python processes: the fixed size holds
    assert printing.renew_within(2048, 870) == browser.RENEW_MB
    # a smaller budget, or bigger Python processes: what is left, less the browser's other
    # processes and a print's layout
    assert printing.renew_within(1500, 870) == 1500 - 870 - rest < browser.RENEW_MB
    assert printing.renew_within(2048, 1200) == 2048 - 1200 - rest
    # shared by the lanes' browsers
    assert printing.renew_within(2400, 600, lanes=2) == (2400 - 600) // 2 - rest
    assert printing.renew_within(3000, 600, lanes=0) == min(browser.RENEW_MB, 3000 - 600 - rest)
    # more Python than budget: as low as it goes (renew_at keeps it at the floor)
    assert printing.renew_within(1000, 1500) < 0


def test_renew_at_is_bounded_and_undone(monkeypatch):
    monkeypatch.setitem(browser._renew, "mb", browser.RENEW_MB)
    assert browser.renew_mb() == browser.RENEW_MB
    browser.renew_at(400)
    assert browser.renew_mb() == 400
    browser.renew_at(-300)  # never below a new tab's renderer and a print
    assert browser.renew_mb() == browser.RENEW_FLOOR_MB
    browser.renew_at(10_000)  # never above the fixed size
    assert browser.renew_mb() == browser.RENEW_MB
    browser.renew_at(400)
    browser.renew_at(None)
    assert browser.renew_mb() == browser.RENEW_MB


class _Session(browser.Session):
    """A session with no browser behind it: what print_pdf decides before it navigates."""

    def __init__(self, held_mb: int):  # noqa: D107 - no browser started
        self.printed = browser.RENEW_LEAST + 1
        self.opened = 0
        self.held_mb = held_mb
        self.proc = type("P", (), {"pid": -1})()
        self.events: list = []
        self.session = None

    def _open_tab(self) -> None:
        self.opened += 1

    def call(self, method, params=None, session=None):
        raise OSError("no browser")


def test_a_tab_is_renewed_past_the_renewal_set_for_the_prints(tmp_path, monkeypatch):
    page = tmp_path / "a.html"
    page.write_text("<html></html>", encoding="utf-8")
    monkeypatch.setitem(browser._renew, "mb", browser.RENEW_MB)

    def renewed(held: int) -> bool:
        session = _Session(held)
        monkeypatch.setattr(browser, "renderer_mb", lambda pid: held)
        try:
            session.print_pdf(page)
        except browser.SessionFailed:
            pass
        return session.opened == 1

    assert not renewed(450)
    browser.renew_at(400)  # a tight budget: printing.write sets it for its prints
    assert renewed(450)
    assert not renewed(390)
    browser.renew_at(None)
    assert not renewed(450)
