"""The browser a build starts for its forked private writer (steps.Build._prestart_browser) is the
writer's once forked (browser_share.hand_to_child): the build process's own sessions (the wall
printouts, printed inline with the Chromium engine) start a browser of their own and never take it,
so their end cannot kill the browser, and delete its profile, while the writer prints in it. Real
Chromium, a real fresh build."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from generator.build import private_job
from generator.build.run import build_all
from generator.private import browser, browser_share, parallel, pdf

from private_station import TODAY, write_station

CHROMIUM = os.environ.get("BANGFU_CHROMIUM", "/usr/lib/chromium/chromium")

pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    not sys.platform.startswith("linux") or parallel.jobs() <= 1,
    reason="the browser is started before the read on Linux, where the writer is forked")]


def test_the_writers_browser_is_not_taken_by_the_wall_printouts(tmp_path, monkeypatch):
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "chromium")
    # forked as on a clerk's Linux machine, even if an earlier test left a thread running here
    monkeypatch.setattr(private_job, "START_METHOD", "fork")
    monkeypatch.setenv("BANGFU_BROWSER", CHROMIUM)
    monkeypatch.setattr(pdf, "_state", {})
    log = tmp_path / "events.log"

    def note(line: str) -> None:  # from this process and from the forked writer
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{os.getpid()} {line}\n")

    real_session, real_renew = browser.Session.__init__, browser_share._renew

    def session(self, browser_, launched=None, beside=None):
        real_session(self, browser_, launched, beside)
        note(f"session {self.proc.pid} early={launched is not None}")

    def renew(failed):
        note(f"renew {failed.proc.pid}")
        return real_renew(failed)

    monkeypatch.setattr(browser.Session, "__init__", session)
    monkeypatch.setattr(browser_share, "_renew", renew)
    records = write_station(tmp_path / "records")
    private = tmp_path / "private"
    assert build_all(records, site_dir=tmp_path / "site", private_dir=private, today=TODAY, pdf=True,
                     echo=lambda line: None) == 0
    events = [line.split(" ", 1) for line in log.read_text(encoding="utf-8").splitlines()]
    here = str(os.getpid())
    assert any(pid == here for pid, _ in events), events  # the wall printouts printed here
    assert any(pid != here for pid, _ in events), events  # the writer printed in its own process
    assert not [e for pid, e in events if pid == here and e.endswith("early=True")], events
    writer_early = [e for pid, e in events if pid != here and e.endswith("early=True")]
    assert writer_early, events  # the writer printed in the browser started for it
    assert not [e for _, e in events if e.startswith("renew")], events  # and it was never killed under it
    assert list(private.rglob("*.pdf"))
    assert browser_share._early.get("launched") is None and "child" not in browser_share._early
