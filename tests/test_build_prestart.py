"""When a build starts the browser before its read (steps.Build._prestart_browser): on a fresh build
too, and not on a rebuild where only workbooks that feed no PDF changed (state.pdf_inputs_unchanged)."""

from __future__ import annotations

import shutil
import sys
from datetime import date
from decimal import Decimal as D

import pytest

from generator.build import private_job, state as state_module, steps
from generator.build.run import build_all
from generator.private import parallel, pdf as pdf_output
from generator.private.pdf_cache import Cache

from private_station import INCOMES, TODAY, VISITS, write_station


def test_only_the_fund_accounts_changed():
    options = "o"
    last = {"options": options, "books": {"帮扶资金.xlsx": "a", "帮扶记录.xlsx": "b", "困难职工档案.xlsx": "c"}}
    same = dict(last["books"])
    assert state_module.pdf_inputs_unchanged(last, same, options)
    assert state_module.pdf_inputs_unchanged(last, {**same, "帮扶资金.xlsx": "z"}, options)
    assert state_module.pdf_inputs_unchanged(last, {**same, "帮扶资金.ods": "z"}, options)  # another format of it
    assert not state_module.pdf_inputs_unchanged(last, {**same, "帮扶记录.xlsx": "z"}, options)
    assert not state_module.pdf_inputs_unchanged(last, {k: v for k, v in same.items() if k != "帮扶记录.xlsx"},
                                                 options)  # a workbook gone
    assert not state_module.pdf_inputs_unchanged(last, same, "another day or program")
    assert not state_module.pdf_inputs_unchanged({}, same, options)  # no last build
    assert not state_module.pdf_inputs_unchanged({"options": options, "books": None}, same, options)
    key = dict(today=TODAY, pdf=True, private_dir="/p", code="c")
    assert state_module.options_key(**key) == state_module.options_key(**key)
    assert state_module.options_key(**{**key, "today": date(2026, 11, 24)}) != state_module.options_key(**key)
    assert state_module.options_key(**{**key, "pdf": False}) != state_module.options_key(**key)


@pytest.mark.skipif(not sys.platform.startswith("linux") or parallel.jobs() <= 1,
                    reason="the browser is started before the read on Linux, where the writer is forked")
def test_the_browser_is_started_early_unless_only_the_funds_changed(tmp_path, monkeypatch):
    started = []
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "none")  # PDFs asked for, none made: no browser here
    # forked as on a clerk's Linux machine, even if an earlier test left a thread running here
    monkeypatch.setattr(private_job, "START_METHOD", "fork")
    monkeypatch.setattr(pdf_output, "_state", {})
    monkeypatch.setattr(steps.pdf_output, "volume_engine", lambda: "chromium")
    monkeypatch.setattr(steps.pdf_output, "document_engine", lambda: "chromium")
    monkeypatch.setattr(steps.pdf_output, "prestart_for_child", lambda: started.append(True))
    records = write_station(tmp_path / "records")
    out = {"site_dir": tmp_path / "site", "private_dir": tmp_path / "private"}

    def build() -> bool:
        started.clear()
        assert build_all(records, **out, today=TODAY, pdf=True, echo=lambda line: None) == 0
        return bool(started)

    assert build()  # a fresh build prints everything: started early
    (tmp_path / "private" / Cache.NAME).write_text("{}", encoding="utf-8")  # as if it had printed
    incomes = [dict(i) for i in INCOMES]
    incomes[0]["amount"] = D("31000")
    write_station(tmp_path / "other", tables={"incomes": incomes})
    shutil.copy(tmp_path / "other" / "帮扶资金.xlsx", records / "帮扶资金.xlsx")
    assert not build()  # only the fund accounts: nothing to print, no browser
    visits = [dict(v) for v in VISITS]
    visits[1]["notes"] = "情况无变化，已复查"
    write_station(tmp_path / "other2", tables={"visits": visits})
    shutil.copy(tmp_path / "other2" / "困难职工档案.xlsx", records / "困难职工档案.xlsx")
    assert build()  # a visit note: its dossier is printed
    (tmp_path / "private" / Cache.NAME).unlink(missing_ok=True)
    shutil.copy(tmp_path / "other2" / "帮扶资金.xlsx", records / "帮扶资金.xlsx")
    assert build()  # the last build printed nothing: this one prints all, whatever changed
