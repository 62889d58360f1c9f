"""`bangfu check` after a `bangfu build` with the default folders reads what the build kept
(the read store and the checks' cache, places.build_kept) instead of parsing and checking
again, and reports exactly what a check of the same workbooks without them reports; it
never writes them."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from generator import cli as cli_module, places, schema
from generator.build import build_all
from generator.cli import cli
from generator.pipeline import check_folder

from station import station_data, write_station

TODAY = date(2026, 11, 23)


def _check(records: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", str(records), "--today", TODAY.isoformat(), *extra],
                                catch_exceptions=False)
    return result.exit_code, result.output


def _same_as_without_store(records: Path, tmp_path: Path) -> None:
    """Text and JSON reports equal (the folder's name aside) to those of a copy of the
    workbooks with no build beside it."""
    bare = tmp_path / "bare" / "records"
    shutil.rmtree(bare.parent, ignore_errors=True)
    shutil.copytree(records, bare)
    assert not places.build_kept(bare)[0].exists()
    for extra in ((), ("--format", "json")):
        code, out = _check(records, *extra)
        bare_code, bare_out = _check(bare, *extra)
        assert code == bare_code
        assert out.replace(str(records), "R") == bare_out.replace(str(bare), "R")


def _store_state(store: Path, checks: Path) -> dict:
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in [*store.iterdir(), checks]}


def test_check_reads_what_the_build_kept_and_reports_the_same(tmp_path):
    records = tmp_path / "station" / "records"
    data = station_data()
    data["帮扶记录.xlsx"]["帮扶发放"][0]["已签收"] = "否"  # a warning: the build still runs
    data["帮扶记录.xlsx"]["帮扶发放"][0]["签收日期"] = None
    write_station(records, data)
    code = build_all(records, site_dir=places.site_dir(records), private_dir=places.private_dir(records),
                     today=TODAY, pdf=False, echo=lambda *_: None)
    assert code == 0
    store, checks = places.build_kept(records)
    assert store.is_dir() and checks.is_file()
    before = _store_state(store, checks)

    cache, kept = cli_module._kept_by_build(records)
    outcome = check_folder(records, TODAY, cache=cache, kept=kept)
    assert sorted(cache.loaded) == sorted(b.filename for b in schema.BOOKS)
    assert cache.parsed == [] and kept.ran == []  # nothing parsed, no check module run again
    assert [p.code for p in outcome.problems] == ["receipt-missing"]
    assert outcome.problems == check_folder(records, TODAY).problems
    _same_as_without_store(records, tmp_path)

    # the clerk saves the workbooks with errors in them: parsed again (as far as they changed)
    data["帮扶记录.xlsx"]["帮扶发放"][1]["金额"] = 500
    data["困难职工档案.xlsx"]["困难职工"][0]["性别"] = "未知"
    write_station(records, data)
    cache, kept = cli_module._kept_by_build(records)
    outcome = check_folder(records, TODAY, cache=cache, kept=kept)
    assert cache.parsed and kept.ran
    assert outcome.problems == check_folder(records, TODAY).problems
    assert {"enum", "receipt-missing"} <= {p.code for p in outcome.problems}
    _same_as_without_store(records, tmp_path)
    code, out = _check(records, "--format", "json")
    assert code == 1 and any(row["code"] == "enum" for row in json.loads(out))

    assert _store_state(store, checks) == before  # the check wrote nothing of the build's


def test_no_build_no_store(tmp_path):
    records = write_station(tmp_path / "records")
    assert cli_module._kept_by_build(records) == (None, None)
    code, out = _check(records)
    assert code == 0 and "没有发现问题" in out
    assert not (tmp_path / ".bangfu").exists()  # a check makes no work folder
