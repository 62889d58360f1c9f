"""The demo generator: deterministic, readable, valid, with its special cases;
and the committed demo records in records/ are exactly what it makes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from generator import schema
from generator.demo import DEMO_TODAY, write_demo
from generator.demo.names import COMPOUND, HETERONYMS, MINORITY
from generator.pipeline import check_folder
from generator.reading import read_records

RECORDS = Path(__file__).resolve().parent.parent / "records"
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    write_demo(out, workers=30, payouts=90, seed=7)
    return out


@pytest.fixture(scope="module")
def small_records(small):
    result = read_records(small)
    assert result.problems == []
    return result.records


def test_today_defaults_to_the_fixed_demo_day():
    assert DEMO_TODAY == TODAY


@pytest.mark.slow
def test_same_seed_gives_identical_workbooks(small, tmp_path):
    again = tmp_path / "again"
    write_demo(again, workers=30, payouts=90, seed=7)
    for book in schema.BOOKS:
        assert (again / book.filename).read_bytes() == (small / book.filename).read_bytes(), book.filename
    other = tmp_path / "other"
    write_demo(other, workers=30, payouts=90, seed=8)
    first = read_records(small).records
    second = read_records(other).records
    assert [w.name for w in first.workers] != [w.name for w in second.workers]


def test_rereads_with_no_problems_and_the_requested_counts(small_records):
    r = small_records
    assert len(r.workers) == 30
    assert len(r.payouts) == 90
    assert r.settings.station_name == "示范镇总工会困难职工帮扶站"
    assert r.settings.parent_union == "示范县总工会"
    assert (r.settings.hotline, r.settings.disclosure_days, r.settings.retention_days) == ("12351", 7, 30)
    assert r.settings.full_names is False and r.settings.min_cell == 3
    assert {d.year: d.amount for d in r.dibao_lines} == {2024: 1001, 2025: 1030, 2026: 1062}
    assert {c.name: c.multiple for c in r.categories} == {"深度困难": 1, "相对困难": 2, "意外致困": None}
    sizes = {w.archive_no: w.household_size for w in r.workers}
    for no, members in r.members_by_worker.items():
        assert sizes[no] == len(members) + 1


def test_small_demo_passes_every_check(small):
    outcome = check_folder(small, today=TODAY)
    assert outcome.problems == []
    assert outcome.exit_code == 0


def test_headers_in_schema_order_and_text_numbers(small):
    for book in schema.BOOKS:
        wb = openpyxl.load_workbook(small / book.filename, read_only=True)
        assert wb.sheetnames == [s.name for s in book.sheets]
        for sheet in book.sheets:
            rows = list(wb[sheet.name].iter_rows(values_only=True))
            assert list(rows[0]) == [c.name for c in sheet.columns]
            if sheet.settings:
                assert [row[0] for row in rows[1:]] == [e.name for e in sheet.entries]
        wb.close()
    wb = openpyxl.load_workbook(small / schema.REGISTER.filename, read_only=True)
    header, *body = wb[schema.WORKERS.name].iter_rows(values_only=True)
    for key in ("id_number", "phone", "bank_account"):
        column = header.index(schema.WORKERS.column(key).name)
        assert all(isinstance(row[column], str) for row in body), key
    wb.close()


def test_running_batches_on_today(small_records):
    r = small_records
    running = [b for b in r.batches if b.start <= TODAY <= r.batch_end(b)]
    kinds = {b.kind: b for b in running}
    assert set(kinds) == {"建档公示", "帮扶公示"}
    listed = [w for w in r.workers if w.batch == kinds["建档公示"].batch_no]
    assert listed and all(w.status == "公示中" and w.registered is None for w in listed)
    pending = [p for p in r.payouts if p.batch == kinds["帮扶公示"].batch_no]
    assert pending and all(p.approved is None and p.paid is None and not p.signed for p in pending)
    assert all(p.verified <= kinds["帮扶公示"].start for p in pending)
    assert any(w.status == "申请" and w.batch is None for w in r.workers)


def test_upheld_objection_and_redisclosure(small_records):
    r = small_records
    upheld = [o for o in r.objections if o.result == "成立"]
    assert len(upheld) == 1
    o = upheld[0]
    first = r.batch_by_no[o.batch]
    again = r.batch_by_no[o.redisclosed_in]
    assert again.original == first.batch_no
    assert first.start <= o.received <= r.batch_end(first) < o.resolved < again.start
    blocked = [p for p in r.payouts if p.batch == first.batch_no and p.archive_no == o.archive_no]
    assert blocked and all(p.approved is None and p.paid is None for p in blocked)
    rest = [p for p in r.payouts if p.batch == again.batch_no]
    assert len(rest) >= 2
    assert all(p.approved > r.batch_end(again) and p.paid for p in rest)
    rejected = [x for x in r.objections if x.result == "不成立"]
    assert rejected and all(x.resolution and x.resolved for x in rejected)
    names = {w.name for w in r.workers}
    for x in r.objections:  # 处理说明 is public: no names or archive numbers in it
        assert x.archive_no not in x.resolution
        assert not any(name in x.resolution for name in names)


def test_special_names_present(small_records):
    names = [w.name for w in small_records.workers]
    assert MINORITY in names
    for surname in COMPOUND:
        assert any(n.startswith(surname) for n in names), surname
    for surname in HETERONYMS:
        assert any(n.startswith(surname) for n in names), surname


def test_demo_timeline_rules(small_records):
    """Rules from the brief beyond the checker's: reviews, closures, money, 农民工."""
    r = small_records
    for w in r.workers:
        if w.status == "在档":
            assert TODAY - max(d for d in (w.reviewed, w.registered) if d) <= timedelta(days=365)
        if w.status in schema.CLOSED_STATUS:
            assert w.closed and w.exit_reason and w.closed >= w.registered
        if w.work_status == "农民工":
            assert w.joined <= w.applied - timedelta(days=365)
    for p in r.payouts:
        if p.paid:
            assert p.signed and p.signed_on >= p.paid
            assert p.method in schema.PAY_METHOD
        assert max(d for d in (p.applied, p.verified, p.approved, p.paid, p.signed_on) if d) <= TODAY


def test_committed_records_pass_every_check():
    outcome = check_folder(RECORDS, today=TODAY)
    assert outcome.problems == []
    r = outcome.records
    assert (len(r.workers), len(r.payouts)) == (200, 600)
    assert {p.item for p in r.payouts} == {i.name for i in r.items}
    assert {i.source for i in r.incomes} >= {"上级拨款", "上级财政专项", "地方财政配套", "工会经费", "社会捐赠",
                                             "干部职工捐款", "互助金"}
    assert 4 <= len(r.funds) <= 6


@pytest.mark.slow
def test_committed_records_are_current(tmp_path):
    """records/ must be regenerated (bangfu demo-data records) after changing the generator."""
    write_demo(tmp_path)
    for book in schema.BOOKS:
        assert (tmp_path / book.filename).read_bytes() == (RECORDS / book.filename).read_bytes(), \
            f"{book.filename} is stale: run `bangfu demo-data records --force`"
