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
    assert {"business", "timeline", "funds"} <= set(kept.ran)
    # escalation reads no payout; people, references and deadlines read no amount (COLUMNS)
    assert not {"escalation", "people", "references", "deadlines"} & set(kept.ran)

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


def _codes(problems) -> set:
    return {(p.code, p.sheet, p.cell) for p in problems}


def test_after_payouts_changed_the_per_worker_modules_run_on_the_workers_concerned_only(monkeypatch, stations,
                                                                                         tmp_path):
    """business, timeline and examples (BY_WORKER) run again on the payouts of the workers whose
    payouts are in a changed block of rows; their problems, and so the check's, are exactly
    those of a fresh check after edits that add, move and remove problems."""
    from dataclasses import replace

    monkeypatch.setattr(record_views, "BLOCK", 16)  # 600 demo payouts: 38 blocks
    monkeypatch.setattr(record_views, "_LAST", {})
    demo = stations["demo"]
    records = replace(demo, payouts=list(demo.payouts))
    kept = CheckCache()
    before = run_checks(records, TODAY, kept)
    assert before == run_checks(records, TODAY)
    path = tmp_path / "checks.pickle"
    kept.save(path)
    kept = CheckCache.load(path)

    payouts = records.payouts
    i = next(i for i, p in enumerate(payouts)
             if i > 100 and p.item == "生活救助" and p.amount == Decimal("300") and p.paid and p.applied)
    p = payouts[i]
    other = next(q.archive_no for q in payouts[200:] if q.archive_no != p.archive_no)
    cell = records.place("payouts", p.row, "amount")["cell"]
    sheet = records.places["payouts"].sheet
    late = replace(p, followed_up=date(2026, 12, 20))
    last_row = max(q.row for q in payouts)
    steps = [
        ("over", {i: replace(p, amount=Decimal("900"))}, {("amount-over-standard", sheet, cell)}, set()),
        ("later", {i: replace(late, amount=Decimal("900"))},
         {("amount-over-standard", sheet, cell),
          ("date-future", sheet, records.place("payouts", p.row, "followed_up")["cell"])}, set()),
        ("moved", {i: replace(late, amount=Decimal("900"), archive_no=other)}, None, None),
        ("back", {i: p}, set(), set()),
        ("twice", {len(payouts): replace(p, row=last_row + 1)}, None, None),
    ]
    for name, changes, added, removed in steps:
        rows = list(payouts)
        for at, payout in changes.items():
            rows[at:at + 1] = [payout]
        edited = replace(records, payouts=rows)
        kept.ran.clear()
        got = run_checks(edited, TODAY, kept)
        fresh = run_checks(edited, TODAY)
        assert got == fresh, name
        assert {"business (some workers)", "timeline (some workers)", "examples (some workers)"} <= set(kept.ran), \
            (name, kept.ran)
        if added is not None:
            assert _codes(fresh) - _codes(before) == added, name
            assert _codes(before) - _codes(fresh) == removed, name
        if name in ("over", "later"):  # an amount, a follow-up date: columns these do not read
            assert not {"people", "references", "deadlines"} & set(kept.ran), (name, kept.ran)
        if name == "moved":  # the archive number: read by all of them
            assert {"people", "references"} <= set(kept.ran), kept.ran
        if name == "twice":
            assert ("frequency", sheet, records.place("payouts", last_row + 1, "item")["cell"]) in _codes(fresh)

    rows = list(payouts)
    del rows[20]  # every later row moves up a block: all of them are checked again
    edited = replace(records, payouts=rows)
    kept.ran.clear()
    assert run_checks(edited, TODAY, kept) == run_checks(edited, TODAY)
    assert {"business", "timeline", "examples"} <= set(kept.ran)


def test_a_changed_row_changes_the_digest_of_its_block_only(monkeypatch, stations):
    from dataclasses import replace

    monkeypatch.setattr(record_views, "BLOCK", 100)
    monkeypatch.setattr(record_views, "_LAST", {})
    demo = stations["demo"]
    one = replace(demo, payouts=list(demo.payouts))
    rows = list(demo.payouts)
    rows[250] = replace(rows[250], amount=rows[250].amount + 1)
    two = replace(demo, payouts=rows)
    assert record_views.block_digests(one, "payouts") is None  # not worked out for this alone
    assert record_views.table_digest(one, "payouts") != record_views.table_digest(two, "payouts")
    size, first = record_views.block_digests(one, "payouts")
    assert size == 100 and len(first) == 6
    second = record_views.block_digests(two, "payouts")[1]
    assert [i for i in range(6) if first[i] != second[i]] == [2]
    # the same rows in another list of another Records: the same digests
    again = replace(demo, payouts=[replace(p) for p in demo.payouts])
    assert record_views.table_digest(again, "payouts") == record_views.table_digest(one, "payouts")
    assert record_views.block_digests(again, "payouts")[1] == first


@pytest.mark.parametrize("name", ["faulty", "demo"])
def test_a_module_naming_the_columns_it_reads_reads_no_other(stations, name):
    """A module's COLUMNS cover what it reads: run on payouts that have only those columns
    (reading another raises), it gives what it gives on the whole payouts."""
    from dataclasses import make_dataclass, replace

    records, ctx = stations[name], Context(TODAY)
    named = [m for m in ALL if getattr(m, "COLUMNS", None)]
    assert {m.__name__.rsplit(".", 1)[-1] for m in named} == {"deadlines", "people", "references"}
    for module in named:
        (table, columns), = module.COLUMNS.items()
        rows = getattr(records, table)
        only = make_dataclass("Only", columns, frozen=True, slots=True)
        narrow = replace(records, **{table: [only(*(getattr(r, c) for c in columns)) for r in rows]})
        assert list(module.check(narrow, ctx)) == list(module.check(records, ctx)), module.__name__


def test_a_settings_field_no_module_reads_runs_none_of_them_again(monkeypatch, stations, tmp_path):
    """A saved station name or telephone number (settings fields no check reads) runs none of the
    modules naming the settings again: their problems are kept by the settings fields they read
    (checks._SettingsRead). A field a module reads (财政配套比例) runs it again; with a payout
    changed as well, the per-worker modules run on the workers concerned only. Each time the
    problems are exactly those of a fresh check, also through a save and load of the cache."""
    from dataclasses import replace

    monkeypatch.setattr(record_views, "BLOCK", 16)
    monkeypatch.setattr(record_views, "_LAST", {})
    demo = stations["demo"]
    records = replace(demo, payouts=list(demo.payouts))
    kept = CheckCache()
    assert run_checks(records, TODAY, kept) == run_checks(records, TODAY)
    path = tmp_path / "checks.pickle"
    named = {"business", "deadlines", "escalation", "funds", "people", "timeline"}
    settings = records.settings
    i = next(i for i, p in enumerate(records.payouts) if i > 100 and p.amount and p.paid)
    amount = replace(records.payouts[i], amount=records.payouts[i].amount + 1)
    steps = [
        ("name", {"settings": replace(settings, station_name="新的帮扶站", phone="0571-12345678")}, set()),
        ("name again", {"settings": replace(settings, station_name="又一个帮扶站")}, set()),
        ("ratio", {"settings": replace(settings, matching_ratio=Decimal("5"))}, {"funds"}),
        ("name and amount", {"settings": replace(settings, station_name="帮扶站", matching_ratio=Decimal("5")),
                             "payouts": [*records.payouts[:i], amount, *records.payouts[i + 1:]]},
         {"business (some workers)", "timeline (some workers)"}),
        ("back", {"settings": settings}, None),
    ]
    codes = {}
    for name, changes, ran in steps:
        kept.save(path)
        kept = CheckCache.load(path)
        edited = replace(records, **changes)
        kept.ran.clear()
        got = run_checks(edited, TODAY, kept)
        fresh = run_checks(edited, TODAY)
        assert got == fresh, name
        codes[name] = _codes(fresh)
        if ran is not None:  # (with a payout changed, the modules reading payouts run as ever)
            shown = named - {"people", "deadlines", "funds"} if "payouts" in changes else named
            assert {r for r in kept.ran if r.split(" ")[0] in shown} == ran, (name, kept.ran)
    assert {c[0] for c in codes["ratio"] - codes["name"]} == {"matching-low"}


def test_settings_looked_at_as_a_whole_count_as_every_field_read(tmp_path_factory):
    """checks._SettingsRead notes a field read by name; anything else a module may do with the
    settings (dataclasses.fields, a method, isinstance) must not be noted as a field of that
    name (it would be digested as one) and must see the settings as they are."""
    import dataclasses

    from generator import checks
    from generator.records import Settings

    settings = read_records(demo_records_dir(tmp_path_factory)).records.settings
    read: set = set()
    seen = checks._SettingsRead(settings, read)
    assert seen.station_name == settings.station_name and read == {"station_name"}
    assert isinstance(seen, Settings)
    assert [f.name for f in dataclasses.fields(seen)] == [f.name for f in dataclasses.fields(settings)]
    assert read == {"station_name", checks.ALL_FIELDS}
