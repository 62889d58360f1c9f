"""Checks kept by module (checks.CheckCache): a module naming its tables gives on a view of
exactly those the problems it gives on all the records, and a rebuild runs again only the
modules whose tables changed, with the same problems as a full run."""

from datetime import date
from decimal import Decimal

import pytest

from generator import record_views
from generator.checks import ALL, CheckCache, Context, run_checks
from generator.reading import read_records

from private_station import PAYOUTS, TODAY, VISITS, WORKERS, demo_records_dir, read_station


def _faulty():
    """Rows that break rules of several modules: a payout before the worker was registered,
    a worker without a phone, a visit of an unknown worker."""
    workers = [dict(w) for w in WORKERS]
    workers[1]["phone"] = None
    payouts = [dict(p) for p in PAYOUTS]
    payouts[0]["paid"] = date(2020, 1, 5)
    visits = [*VISITS, {**VISITS[0], "archive_no": "SF-9999"}]
    return {"workers": workers, "payouts": payouts, "visits": visits}


@pytest.fixture(scope="module")
def stations(tmp_path_factory):
    faulty = read_records(_write(tmp_path_factory.mktemp("faulty"), _faulty())).records
    demo = read_records(demo_records_dir(tmp_path_factory)).records
    return {"faulty": faulty, "demo": demo}


def _write(folder, tables):
    from private_station import write_station

    return write_station(folder / "records", tables=tables)


@pytest.mark.parametrize("name", ["faulty", "demo"])
def test_each_module_on_the_view_of_its_tables_gives_what_it_gives_on_all(stations, name):
    records, ctx = stations[name], Context(TODAY)
    named = [m for m in ALL if getattr(m, "TABLES", None)]
    assert {m.__name__.rsplit(".", 1)[-1] for m in named} == \
        {"business", "deadlines", "escalation", "funds", "people", "timeline"}
    for module in named:
        view = record_views.view(records, module.TABLES, "test")
        assert list(module.check(view, ctx)) == list(module.check(records, ctx)), module.__name__
    assert run_checks(records, TODAY, CheckCache()) == run_checks(records, TODAY)


def test_after_a_visit_note_only_the_modules_reading_every_table_run_again(tmp_path):
    first = read_station(tmp_path / "a", tables=_faulty())
    kept = CheckCache()
    assert run_checks(first, TODAY, kept) == run_checks(first, TODAY)
    assert len(kept.ran) == len(ALL)
    assert {p.code for p in run_checks(first, TODAY)} >= {"ref-missing"}
    path = tmp_path / "work" / "checks.pickle"
    kept.save(path)
    kept = CheckCache.load(path)

    tables = _faulty()
    tables["visits"] = [dict(v) for v in tables["visits"]]
    tables["visits"][0]["notes"] = "复查：家中三人，收入属实"
    edited = read_station(tmp_path / "b", tables=tables)
    got = run_checks(edited, TODAY, kept)
    assert sorted(kept.ran) == ["examples", "references"]
    assert got == run_checks(edited, TODAY)

    tables["payouts"] = [dict(p) for p in tables["payouts"]]
    tables["payouts"][1]["amount"] = Decimal("299")  # a payout changed
    kept.ran.clear()
    again = read_station(tmp_path / "c", tables=tables)
    got = run_checks(again, TODAY, kept)
    assert got == run_checks(again, TODAY)
    assert "escalation" not in kept.ran and {"people", "business", "timeline", "funds"} <= set(kept.ran)

    kept.ran.clear()  # another day: everything runs again
    assert run_checks(again, date(2026, 11, 24), kept) == run_checks(again, date(2026, 11, 24))
    assert len(kept.ran) == len(ALL)


def test_a_column_moved_or_a_sheet_renamed_runs_the_checks_again(tmp_path):
    """The tables are equal, but the problems name other cells: none is taken as kept."""
    from dataclasses import replace

    from generator.records import Place

    first = read_station(tmp_path / "a", tables=_faulty())
    kept = CheckCache()
    before = run_checks(first, TODAY, kept)
    payouts = first.places["payouts"]
    letters = dict(payouts.letters)
    letters["paid"], letters["amount"] = letters["amount"], letters["paid"]  # two columns swapped
    for places in ({**first.places, "payouts": Place(payouts.file, payouts.sheet, letters)},
                   {**first.places, "payouts": Place(payouts.file, "发放记录", payouts.letters)}):
        moved = replace(first, places=places)
        kept.ran.clear()
        got = run_checks(moved, TODAY, kept)
        assert got == run_checks(moved, TODAY) and got != before
        assert len(kept.ran) == len(ALL)


def test_a_module_reading_a_table_it_does_not_name_is_run_on_all_records(monkeypatch, stations):
    from generator.checks import people

    monkeypatch.setattr(people, "TABLES", tuple(t for t in people.TABLES if t != "workers"))
    records = stations["faulty"]
    assert run_checks(records, TODAY, CheckCache()) == run_checks(records, TODAY)
