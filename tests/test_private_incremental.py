"""Incremental private output: after one edited cell, a build that carries unchanged
documents over from the last private folder writes exactly what a fresh build writes."""

import io
import marshal
import os
import shutil
import zipfile
from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from generator.private import carry, write_private
from generator.todo import work_list

from private_station import (
    BATCHES,
    CATEGORIES,
    DIBAO,
    INCOMES,
    ITEMS,
    MEMBERS,
    OBJECTIONS,
    PAYOUTS,
    TODAY,
    VISITS,
    WORKERS,
    read_station,
)

pytestmark = pytest.mark.slow  # each case writes a station's private records twice; the full suite runs them


def _edit(table: list[dict], index: int, **changes) -> list[dict]:
    rows = [dict(r) for r in table]
    rows[index].update(changes)
    return rows


# one cell of each kind: (name, overrides for read_station, documents that must change)
EDITS = [
    ("visit note (private only)", {"tables": {"visits": _edit(VISITS, 0, notes="复查：收入已核实无误")}},
     {"档案/" + VISITS[0]["archive_no"] + ".html"}),
    # a visit the work list reads (a follow-up visit after a payout): the 待办 page changes too
    ("follow-up visit", {"tables": {"visits": _edit(VISITS, 2, date=date(2026, 9, 1), kind="跟踪回访")}},
     {"档案/" + VISITS[2]["archive_no"] + ".html", "待办.html", "index.html"}),  # the home page counts it
    ("worker phone", {"tables": {"workers": _edit(WORKERS, 3, phone="13912345678")}},
     {"档案/" + WORKERS[3]["archive_no"] + ".html"}),
    ("family member income", {"tables": {"members": _edit(MEMBERS, 0, income=D("1234.50"))}},
     {"档案/" + MEMBERS[0]["archive_no"] + ".html"}),
    ("payout amount (public)", {"tables": {"payouts": _edit(PAYOUTS, 9, amount=D("250"))}},
     {"档案/" + PAYOUTS[9]["archive_no"] + ".html", "签收单/公示_GS-2026-03.html",
      "季度统计/2026Q3季度统计表.xlsx", "档案/index.html", "签收单/index.html",  # indexes show totals
      "办结/办结表_2026.xlsx"}),  # the year's 办结 table lists the amount
    ("objection result", {"tables": {"objections": _edit(OBJECTIONS, 0, resolution="经两次入户复查，收入属实")}},
     {"档案/" + OBJECTIONS[0]["archive_no"] + ".html"}),
    ("batch title", {"tables": {"batches": _edit(BATCHES, 3, title="2026年金秋助学与医疗救助公示")}},
     {"签收单/公示_GS-2026-03.html", "签收单/index.html",
      *{f"档案/{p['archive_no']}.html" for p in PAYOUTS if p.get("batch") == BATCHES[3]["batch_no"]}}),
    ("fund income", {"tables": {"incomes": _edit(INCOMES, 4, amount=D("5700"))}},
     {"季度统计/2026Q3季度统计表.xlsx"}),
    # cells that reach many documents: only the comparison with a fresh build counts
    ("disclosure start", {"tables": {"batches": _edit(
        BATCHES, [b["batch_no"] for b in BATCHES].index("GS-2026-05"), start=date(2026, 11, 10))}}, None),
    ("annual review added", {"tables": {"reviews": [
        {"archive_no": WORKERS[0]["archive_no"], "date": date(2026, 3, 10), "household_income": D("30000"),
         "rigid_spending": D("6000"), "household_size": 3, "category": WORKERS[0]["category"],
         "reviewer": "李文", "conclusion": "收入无变化，仍属原类别"}]}},
     {"档案/" + WORKERS[0]["archive_no"] + ".html"}),
    ("dibao line", {"tables": {"dibao_lines": _edit(DIBAO, 2, amount=D("1100"))}}, None),
    ("category multiple", {"tables": {"categories": _edit(CATEGORIES, 1, multiple=D("1.5"))}}, None),
    ("station setting", {"settings": {"contact": "王芳"}}, {"季度统计/*"}),  # every report names the contact
    # a settled reception entry: the year's 办结表 (second sheet) and its quarter's report (九、接待登记)
    ("reception settled", {"tables": {"reception": [
        {"reception_no": "JD-2026-001", "received": date(2026, 9, 1), "name": "赵建国", "kind": "法律援助",
         "request": "被拖欠工资三个月", "transferred_to": "县总工会法律服务中心", "closed": date(2026, 9, 8)}]}},
     {"办结/办结表_2026.xlsx", "季度统计/2026Q3季度统计表.xlsx"}),
    ("station name", {"settings": {"station_name": "示范镇帮扶站"}}, None),  # every header and 办结表 title
    # payouts the quarterly reports are sliced by (report_inputs): an early quarter's amount, a paid
    # date moved to another quarter, a pending payout paid, a payout moved to another batch
    ("payout amount, early quarter", {"tables": {"payouts": _edit(PAYOUTS, 1, amount=D("900"))}}, None),
    ("payout paid in another quarter", {"tables": {"payouts": _edit(PAYOUTS, 1, paid=date(2025, 4, 20))}}, None),
    ("pending payout paid", {"tables": {"payouts": _edit(PAYOUTS, 12, paid=date(2026, 11, 20))}}, None),
    ("payout moved to another batch", {"tables": {"payouts": _edit(PAYOUTS, 10, batch="GS-2026-05")}}, None),
    # the 办结表's own cells (closing.book): a case that closes (paid and signed for) gains its row, a
    # verification after the item's limit turns 按时 to 否, an early year's case changes only that year's book
    # (the first two: their batch's receipt sheet is worked out again from its payouts, to the same bytes)
    ("payout's case closes", {"tables": {"payouts": _edit(PAYOUTS, 12, approved=date(2026, 11, 16),
                                                          paid=date(2026, 11, 20), signed=True,
                                                          signed_on=date(2026, 11, 20))}},
     None),
    ("verification late", {"tables": {"payouts": _edit(PAYOUTS, 10, verified=date(2026, 8, 7))}}, None),
    ("payout amount, first year", {"tables": {"payouts": _edit(PAYOUTS, 0, amount=D("350"))}},
     {"办结/办结表_2024.xlsx", "档案/" + PAYOUTS[0]["archive_no"] + ".html", "档案/index.html",
      "签收单/index.html", "签收单/公示_GS-2024-02.html",
      # its quarter's report and every later one (the fund balances carry forward)
      *(f"季度统计/{q}季度统计表.xlsx" for q in ("2024Q2", "2025Q1", "2026Q1", "2026Q2", "2026Q3"))}),
    # payout edits the private writer carries its work past (17zk): an amount in 2026Q1 and one in the
    # running disclosure (2026Q4, not paid yet), a payout moved to another fund (the reports' fund rows),
    # a payout deleted, and the only payout of a receipt sheet (paid 2025-01-20) deleted: its sheet goes
    ("payout amount, 2026Q1", {"tables": {"payouts": _edit(PAYOUTS, 3, amount=D("1200"))}}, None),
    ("payout amount, running disclosure", {"tables": {"payouts": _edit(PAYOUTS, 12, amount=D("350"))}},
     {"档案/" + PAYOUTS[12]["archive_no"] + ".html", "签收单/公示_GS-2026-05.html", "签收单/index.html"}),
    ("payout moved to another fund", {"tables": {"payouts": _edit(PAYOUTS, 2, fund="地方财政配套资金")}}, None),
    ("payout deleted", {"tables": {"payouts": [p for i, p in enumerate(PAYOUTS) if i != 3]}}, None),
    ("receipt sheet's only payout deleted", {"tables": {"payouts": [p for i, p in enumerate(PAYOUTS) if i != 1]}},
     None),
    # a payout moved to another worker (17zv): both dossiers, the sheet's order and names, both indexes
    ("payout moved to another worker", {"tables": {"payouts": _edit(
        PAYOUTS, 9, archive_no=WORKERS[3]["archive_no"], name=WORKERS[3]["name"])}}, None),
    # the policy rows a dossier's 办结 cells are judged by: an item's 办理时限, a day off entered
    ("item deadline", {"tables": {"items": _edit(ITEMS, 0, deadline_days=2)}}, None),
    ("day off entered", {"tables": {"calendar": [
        {"date": date(2026, 1, 7), "kind": "休息日", "note": "暴雪停工"},
        {"date": date(2027, 1, 1), "kind": "休息日", "note": "元旦"}]}}, None),
]


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file by relative path; workbooks as their parts (their zip entries' own times aside)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name == carry.NAME:
            continue
        rel = path.relative_to(folder).as_posix()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
                for name in sorted(z.namelist()):
                    # the document dates too: the 办结表 and the quarterly reports are dated by their day
                    out[f"{rel}!{name}"] = z.read(name)
        else:
            out[rel] = path.read_bytes()
    return out


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    base = tmp_path_factory.mktemp("base")
    records = read_station(base / "records")
    out = base / "private"
    write_private(records, out, today=TODAY, pdf=False)
    return out


@pytest.mark.parametrize("name,overrides,changed", EDITS, ids=[e[0] for e in EDITS])
def test_one_cell_edit_carries_the_rest_and_matches_a_fresh_build(previous, tmp_path, name, overrides,
                                                                   changed):
    records = read_station(tmp_path / "records", **overrides)
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    staging = tmp_path / "staging"
    result = write_private(records, staging, today=TODAY, pdf=False, previous=previous)
    assert _tree(staging) == _tree(fresh)
    before, after = _tree(previous), _tree(staging)
    differs = {k.split("!")[0] for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    if changed is None:
        assert differs
        return
    if changed == {"季度统计/*"}:
        changed = {k for k in differs if k.startswith("季度统计/")}
        assert len(changed) == len(list((previous / "季度统计").glob("*.xlsx")))
    assert differs == changed
    if "settings" in overrides:
        return  # every page header shows the station: everything is rendered again
    # the documents that did not change were carried over as links to the old files
    # (reports aside: their figures may hold an equal value from another record, which pickles
    # differently, see Carry.fingerprint, and costs a needless render, never a stale report)
    documents = [*result.dossiers, *result.receipts, *result.closing_books]
    for path in documents:
        rel = path.relative_to(staging).as_posix()
        links = (staging / rel).stat().st_nlink
        assert links == 1 if rel in changed else links >= 2, rel
    assert result.carried >= len(documents) - len(changed)
    assert (previous / carry.NAME).exists()


def test_a_document_edited_by_hand_is_rendered_again(previous, tmp_path):
    records = read_station(tmp_path / "records")
    target = previous / "档案" / f"{WORKERS[0]['archive_no']}.html"
    original, stat = target.read_bytes(), target.stat()
    try:
        target.write_bytes(original.replace("生成日期".encode(), "手改日期".encode()))
        staging = tmp_path / "staging"
        write_private(records, staging, today=TODAY, pdf=False, previous=previous)
        assert (staging / "档案" / target.name).read_bytes() == original
        assert (staging / "档案" / target.name).stat().st_nlink == 1
    finally:
        target.write_bytes(original)
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_writing_never_goes_through_a_carried_link(previous, tmp_path):
    records = read_station(tmp_path / "records", tables={"visits": _edit(VISITS, 0, notes="新的回访记录")})
    old = previous / "档案" / f"{VISITS[0]['archive_no']}.html"
    before = old.read_bytes()
    staging = tmp_path / "staging"
    staging.mkdir()
    # a stale link in staging (as a seeded PDF would be) must be replaced, not written through
    (staging / "档案").mkdir()
    os.link(old, staging / "档案" / old.name)
    write_private(records, staging, today=TODAY, pdf=False, previous=previous)
    assert old.read_bytes() == before
    assert "新的回访记录" in (staging / "档案" / old.name).read_text(encoding="utf-8")


def test_a_later_day_keeps_unchanged_documents_with_their_print_date(previous, tmp_path):
    records = read_station(tmp_path / "records")
    staging = tmp_path / "staging"
    result = write_private(records, staging, today=date(2026, 11, 24), pdf=False, previous=previous)
    # only the 待办 page is written again: its days left count from today
    assert result.rendered == 1 and result.carried > 0
    todo = staging / "待办.html"
    assert todo.stat().st_nlink == 1 and "2026年11月24日" in todo.read_text(encoding="utf-8")
    # the running year's 办结表 lists the same cases: it is carried with its title and generation
    # date of 11-23 (both the print date of the build that wrote it), byte for byte
    book = staging / "办结" / "办结表_2026.xlsx"
    assert book.read_bytes() == (previous / "办结" / "办结表_2026.xlsx").read_bytes()
    assert book.stat().st_nlink >= 2
    ws = openpyxl.load_workbook(book)["帮扶办结"]
    assert (ws["A1"].value, ws["A2"].value) == (
        "示范镇总工会困难职工帮扶站 办结表（2024年1月1日至2026年11月23日）".replace("2024", "2026"),
        "生成日期：2026年11月23日　共 10 件")


def test_a_visit_note_renders_its_dossier_and_no_workbook(previous, tmp_path):
    """The 20,000-worker rebuild after a visit note: 办结表 and quarterly reports are carried."""
    records = read_station(tmp_path / "records", tables={"visits": _edit(VISITS, 0, notes="电话回访，情况稳定")})
    staging = tmp_path / "staging"
    result = write_private(records, staging, today=TODAY, pdf=False, previous=previous)
    assert [p.name for p in result.closing_books] == ["办结表_2024.xlsx", "办结表_2025.xlsx", "办结表_2026.xlsx"]
    workbooks = [*result.closing_books, *result.reports]
    assert [p.stat().st_nlink >= 2 for p in workbooks] == [True] * len(workbooks)
    assert result.rendered == 1  # the one dossier
    # no table the reports, books, receipt sheets and the dossier index are worked out from
    # changed: none was worked out nor fingerprinted again
    # (and the work list: the visits' notes are none of its inputs), nor the receipt sheets' index
    assert result.unworked == len(workbooks) + len(result.receipts) + 1 + 1 + 1
    # every other dossier, the dossier index, every receipt sheet and their index, every workbook and the 待办 page
    assert result.carried == len(result.dossiers) - 1 + 1 + len(result.receipts) + 1 + len(workbooks) + 1
    wl = work_list(records, TODAY)  # the counts carried with the page are the work list's
    assert result.todo_counts == (len(wl.duties), len(wl.overdue)) == (8, 6)
    assert (staging / "待办.html").stat().st_nlink >= 2


def test_the_work_list_reads_only_the_visit_and_payout_columns_it_is_fingerprinted_by(tmp_path):
    """The 待办 page is carried by its inputs, which take of the visits only the columns
    todo_page.VISIT_COLUMNS and of the payouts todo_page.PAYOUT_COLUMNS: the work list of the
    tables cut down to them is the whole one (the demo station and this one, whose visits have
    notes, visitors and next steps, and whose payouts have amounts, funds and notes)."""
    from generator.private import todo_page
    from generator.reading import read_records

    for records in (read_station(tmp_path / "records"), read_records(Path(__file__).parent.parent / "records").records):
        cut = todo_page.work_view(records)
        assert {v.notes for v in cut.visits} == {None} and any(v.notes for v in records.visits)
        assert {p.amount for p in cut.payouts} == {p.fund for p in cut.payouts} == {None}
        assert any(p.amount for p in records.payouts) and any(p.fund for p in records.payouts)
        assert work_list(cut, TODAY).entries == work_list(records, TODAY).entries
        assert todo_page.work_inputs(cut) == todo_page.work_inputs(records)
        moved = [*records.visits[1:], records.visits[0]]
        assert todo_page.work_inputs(replace(records, visits=moved)) != todo_page.work_inputs(records)
        first = records.payouts[0]
        richer = replace(first, amount=(first.amount or 0) + 100, fund="另一账户", note="备注")
        assert todo_page.work_inputs(replace(records, payouts=[richer, *records.payouts[1:]])) == \
            todo_page.work_inputs(records)
        signed = replace(first, signed=not first.signed)
        assert todo_page.work_inputs(replace(records, payouts=[signed, *records.payouts[1:]])) != \
            todo_page.work_inputs(records)
        # the digests of the columns kept from the last build stand for an unchanged table only
        known: dict = {}
        assert todo_page.work_inputs(records, known) == todo_page.work_inputs(records)
        assert set(known) == {"visits", "payouts"}
        assert todo_page.work_inputs(replace(records, payouts=[signed, *records.payouts[1:]]), dict(known)) != \
            todo_page.work_inputs(records, dict(known))


def test_pdf_volumes_are_bounded_and_their_names_sort_in_binding_order(tmp_path):
    from generator.names import name_key
    from generator.private import printing
    from generator.private.dossiers import filing_order

    records = read_station(tmp_path / "records")
    order = filing_order(records)
    whole = printing.volumes(records, order)
    split = printing.volumes(records, order, size=1)
    assert sum(len(f) for _, _, f in split) == len(order) and all(len(f) == 1 for _, _, f in split)
    # the files, sorted by name, hold the dossiers in filing (pinyin) order
    by_name = sorted(split, key=lambda v: v[1])
    assert [f.stem for _, _, filed in by_name for f in filed] == [f.stem for f in order]
    keys = [name_key(f.worker.name, f.worker.archive_no) for _, _, filed in by_name for f in filed]
    assert keys == sorted(keys)
    s_volumes = [name for label, name, _ in split if name.startswith("分册_S")]
    assert s_volumes == ["分册_S-01.pdf", "分册_S-02.pdf"]  # 单田芳 and 沙小红
    assert "分册_S.pdf" in [name for _, name, _ in whole]
    assert printing.memory_jobs(100) >= 1


def test_the_names_pinyin_is_kept_and_files_alike_without_pypinyin(previous, tmp_path, monkeypatch):
    """The fingerprints file keeps the pinyin of every name filed; a new process seeded with it
    files the station in the same order without asking pypinyin once."""
    from generator import names
    from generator.private import READINGS, dossiers

    records = read_station(tmp_path / "records")
    expected = [(f.number, f.worker.archive_no, f.stem) for f in dossiers.filing_order(records)]
    kept = carry.load(previous / carry.NAME)[READINGS]
    assert kept["pypinyin"] == names.pinyin_version() and kept["names"]
    for cached in (names._syllables, names.reading, names._name_key, names.pinyin_text):  # as in a new process
        cached.cache_clear()
    monkeypatch.setattr(names, "_SEEDS", {})
    asked = []
    real = names._pinyin
    monkeypatch.setattr(names, "_pinyin", lambda text: asked.append(text) or real(text))
    names.seed_readings(kept["names"])
    assert [(f.number, f.worker.archive_no, f.stem) for f in dossiers.filing_order(records)] == expected
    assert asked == []
    for cached in (names._syllables, names.reading, names._name_key, names.pinyin_text):
        cached.cache_clear()


def test_an_edited_payout_works_out_only_its_years_closing_book(previous, tmp_path):
    """办结表 inputs are the year's own cases and reception entries: the other years' books are
    carried without their rows being worked out; every book equals a fresh build's."""
    edited = PAYOUTS[9]
    records = read_station(tmp_path / "records", tables={"payouts": _edit(PAYOUTS, 9, amount=D("250"))})
    staging = tmp_path / "staging"
    result = write_private(records, staging, today=TODAY, pdf=False, previous=previous)
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    assert _tree(staging) == _tree(fresh)
    years = [int(p.stem.removeprefix("办结表_")) for p in result.closing_books]
    assert edited["paid"].year in years and len(years) > 1
    # the other years' books are not worked out, nor are the reports of the quarters before the
    # payout's, nor the work list (an amount is none of its columns: todo_page.PAYOUT_COLUMNS)
    # (the receipt sheets of other batches are: their inputs are the whole payouts table, so
    # they are fingerprinted and carried)
    earlier = [p for p in result.reports if p.name[:6] < _quarter(edited["paid"])]
    assert earlier and len(earlier) < len(result.reports)
    assert result.unworked == len(years) - 1 + len(earlier) + 1
    assert (staging / "待办.html").stat().st_nlink >= 2
    for path, year in zip(result.closing_books, years):
        assert (path.stat().st_nlink >= 2) == (year != edited["paid"].year), year


def _quarter(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def test_an_edited_payout_works_out_the_reports_from_its_quarter_on(previous, tmp_path, monkeypatch):
    """A quarter's report shows the payouts paid in it and the balances carried forward from the
    earlier quarters: after an amount paid in 2025Q1 is edited, the reports before 2025Q1 are
    carried without their figures being worked out, the figures are worked out once for the
    quarters from 2025Q1 on, whose fund balances all changed, and every report equals a fresh build's."""
    from generator.private import report

    asked = []
    real = report.all_figures

    def spy(records, quarters, today, **kw):
        asked.append([q.code for q in quarters])
        return real(records, quarters, today, **kw)

    monkeypatch.setattr(report, "all_figures", spy)
    monkeypatch.setenv("BANGFU_JOBS", "1")  # the spy counts in this process: nothing written beside (parallel.Beside)
    # the file counts and people rows come from the register and reviews alone: kept from the last build
    monkeypatch.setattr(report, "file_parts", lambda *a: pytest.fail("file parts worked out again"))
    edited = PAYOUTS[1]
    records = read_station(tmp_path / "records", tables={"payouts": _edit(PAYOUTS, 1, amount=D("900"))})
    staging = tmp_path / "staging"
    result = write_private(records, staging, today=TODAY, pdf=False, previous=previous)
    monkeypatch.undo()
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    assert _tree(staging) == _tree(fresh)
    codes = [p.name[:6] for p in result.reports]
    start = _quarter(edited["paid"])
    assert start == "2025Q1" and codes[0] < start
    assert asked == [[c for c in codes if c >= start]]
    before, after = _tree(previous), _tree(staging)
    for path, code in zip(result.reports, codes):
        rel = f"季度统计/{path.name}"
        same = {k: v for k, v in before.items() if k.startswith(rel + "!")} == \
            {k: v for k, v in after.items() if k.startswith(rel + "!")}
        assert same == (code < start), code  # the edited fund's balance carries into every later quarter
        assert (path.stat().st_nlink >= 2) == (code < start), code


@pytest.mark.parametrize("damaged", [False, True])
def test_an_edited_payout_tallies_the_payouts_of_its_own_quarter_only(previous, tmp_path, monkeypatch, damaged):
    """The later quarters' reports are worked out again for their fund balances, but their payouts'
    tallies (by item, category, cause) are the last build's, kept with the rows of each quarter's
    payouts: only the edited quarter's payouts are tallied. A damaged kept entry is tallied again.
    Every report equals a fresh build's."""
    from generator.private import REPORT_TALLIES, report

    tallied = []
    real = report.payout_tallies

    def spy(records, paid):
        tallied.append({_quarter(p.paid) for p in paid})
        return real(records, paid)

    last = tmp_path / "last"
    shutil.copytree(previous, last, copy_function=os.link)
    if damaged:  # the kept tallies of the quarters after the edited one replaced by garbage
        entries = carry.load(last / carry.NAME)
        for code, entry in entries[REPORT_TALLIES]["quarters"].items():
            if code > "2025Q1":
                entry[1] = [{"D": "not a number"}]
        (last / carry.NAME).write_bytes(carry.MAGIC + marshal.dumps(entries))
    monkeypatch.setattr(report, "payout_tallies", spy)
    monkeypatch.setenv("BANGFU_JOBS", "1")  # the spy counts in this process: nothing written beside
    edited = PAYOUTS[1]
    records = read_station(tmp_path / "records", tables={"payouts": _edit(PAYOUTS, 1, amount=D("900"))})
    staging = tmp_path / "staging"
    result = write_private(records, staging, today=TODAY, pdf=False, previous=last)
    monkeypatch.undo()
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    assert _tree(staging) == _tree(fresh)
    codes = [p.name[:6] for p in result.reports]
    start = _quarter(edited["paid"])
    later = [c for c in codes if c > start]
    assert start == "2025Q1" and later
    # the edited quarter's payouts, then (damaged) every later quarter's (some paid nothing)
    assert tallied[0] == {start}
    assert len(tallied) == (1 + len(later) if damaged else 1)
    assert all(found <= {code} for found, code in zip(tallied[1:], later))
    kept = carry.load(staging / carry.NAME)[REPORT_TALLIES]
    assert sorted(kept["quarters"]) == codes
    assert kept == carry.load(fresh / carry.NAME)[REPORT_TALLIES]


def test_a_visit_note_slices_only_the_visits_for_the_dossiers(previous, tmp_path, monkeypatch):
    """The dossiers' fingerprints take every unchanged table's per-worker digests from the last
    build: after a visit note only the visits are turned into bytes again, and the edited
    worker's dossier is the only one rendered."""
    from generator.private import dossier_slices

    encoded = []
    real = dossier_slices.encoded_columns

    def spy(table):
        encoded.append(type(table[0]).__name__)
        return real(table)

    monkeypatch.setattr(dossier_slices, "encoded_columns", spy)
    edited = dict(VISITS[0], notes="复查：已电话回访")
    records = read_station(tmp_path / "records", tables={"visits": [edited, *VISITS[1:]]})
    staging = tmp_path / "staging"
    result = write_private(records, staging, today=TODAY, pdf=False, previous=previous)
    assert encoded == ["Visit"]
    changed = [p.name for p in result.dossiers if p.stat().st_nlink == 1]
    assert changed == [f"{VISITS[0]['archive_no']}.html"]
    # and again from that build, with nothing changed: no table is encoded at all
    encoded.clear()
    again = write_private(records, tmp_path / "again", today=TODAY, pdf=False, previous=staging)
    assert encoded == [] and again.rendered == 0


def test_row_bytes_depend_on_each_row_alone():
    """A row's bytes for the dossier fingerprints: equal rows give equal bytes however their values
    are shared, another row's values never change them, and unequal values give unequal bytes."""
    from dataclasses import replace

    from generator.private.dossier_slices import row_values
    from generator.record_types import Payout

    base = Payout(**{**{f: None for f in Payout.__dataclass_fields__}, "archive_no": "SF-0001", "row": 2,
                     "amount": D("1.0"), "applied": date(2026, 3, 5), "item": "医疗救助"})
    twin = replace(base, archive_no="".join(["SF-", "0001"]), item="".join(["医疗", "救助"]))  # equal, not shared
    other = replace(base, row=3, amount=None, paid=date(2026, 4, 1), record_no="2026-3")

    def of(table, row):
        return marshal.dumps(row_values(table)[id(row)], 0)

    assert of([base], base) == of([twin], twin) == of([base, other], base) == of([other, base], base)
    variants = [replace(base, amount=D("1.00")), replace(base, amount=D("1")), replace(base, row=True),
                replace(base, row=2.0), replace(base, item=repr(date(2026, 3, 5))),
                replace(base, applied=None), replace(base, item=repr(D("1.0")))]
    seen = {of([v], v) for v in [base, *variants]}
    assert len(seen) == 1 + len(variants)


def test_a_visit_note_works_out_no_receipt_sheet_and_a_hand_edited_one_is_written_again(previous, tmp_path,
                                                                                     monkeypatch):
    """The payments' tables did not change: the sheets' outlines (stems, print targets) come from
    the fingerprints file and no sheet is worked out; a sheet changed by hand since is worked out
    and written again, equal to a fresh build's."""
    from generator.private import receipts

    asked = []
    real = receipts.receipt_sheets
    monkeypatch.setattr(receipts, "receipt_sheets",
                        lambda records, order=None, **kw: asked.append(1) or real(records, order, **kw))
    monkeypatch.setenv("BANGFU_JOBS", "1")  # the spy counts in this process: nothing written beside (parallel.Beside)
    records = read_station(tmp_path / "records", tables={"visits": _edit(VISITS, 0, notes="电话回访，情况稳定")})
    staging = tmp_path / "staging"
    result = write_private(records, staging, today=TODAY, pdf=False, previous=previous)
    assert asked == [] and result.receipts
    sheet = result.receipts[0]
    original = sheet.read_bytes()
    sheet.unlink()  # a link to the module's previous folder: not written through
    sheet.write_bytes(original.replace("签收".encode(), "手改".encode()))
    again = tmp_path / "again"
    write_private(records, again, today=TODAY, pdf=False, previous=staging)
    assert asked == [1]
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    assert _tree(again) == _tree(fresh)
    assert (again / "签收单" / sheet.name).read_bytes() == original


def test_a_payout_edit_files_and_fingerprints_only_its_own_receipt_sheet(previous, tmp_path, monkeypatch):
    """After an amount is edited the payouts are grouped into sheets again, but only the edited
    payout's sheet is filed (its payouts sorted by pinyin) and fingerprinted: the others' rows
    are the last build's (receipts.sheet_rows), so they keep their fingerprints and are carried.
    Every sheet equals a fresh build's."""
    from generator.private import receipts

    filed = []
    real = receipts.sort_sheets
    monkeypatch.setattr(receipts, "sort_sheets",
                        lambda records, sheets, order=None, memo=None: filed.extend(s.key for s in sheets) or
                        real(records, sheets, order, memo))
    monkeypatch.setenv("BANGFU_JOBS", "1")  # the spy counts in this process: nothing written beside
    edited = PAYOUTS[9]
    records = read_station(tmp_path / "records", tables={"payouts": _edit(PAYOUTS, 9, amount=D("250"))})
    staging = tmp_path / "staging"
    result = write_private(records, staging, today=TODAY, pdf=False, previous=previous)
    monkeypatch.undo()
    assert filed == [edited["batch"]]
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    assert _tree(staging) == _tree(fresh)
    sheets = result.receipts
    assert len(sheets) > 2
    for path in sheets:
        assert (path.stat().st_nlink >= 2) == (path.name != f"公示_{edited['batch']}.html"), path.name
    # the rows of every sheet are kept for the next build, as a fresh build keeps them
    kept, made = carry.load(staging / carry.NAME), carry.load(fresh / carry.NAME)
    for path in sheets:
        key = f"签收单/{path.name}"
        assert kept[key][receipts.ROWS] == made[key][receipts.ROWS]


@pytest.mark.parametrize("damage", [b"", b"{}", carry.MAGIC, carry.MAGIC + b"\x00garbage", carry.MAGIC + b"N"])
def test_a_damaged_fingerprints_file_carries_nothing_and_the_build_is_whole(previous, tmp_path, damage):
    """A fingerprints file that is not ours (empty, JSON of an older version, cut short, not a
    dict) is no file: every document is written again, equal to a fresh build's."""
    import shutil

    old = tmp_path / "old"
    shutil.copytree(previous, old)
    (old / carry.NAME).write_bytes(damage)
    records = read_station(tmp_path / "records")
    staging = tmp_path / "staging"
    result = write_private(records, staging, today=TODAY, pdf=False, previous=old)
    assert result.carried == 0 and result.rendered > 0
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    assert _tree(staging) == _tree(fresh)
    assert carry.load(staging / carry.NAME).keys() == carry.load(previous / carry.NAME).keys()


def test_a_batch_whose_disclosure_ended_renders_its_workers_dossiers_again(previous, tmp_path):
    """The dossiers' fingerprints take each batch's state from disclosure.period (no entries
    worked out): on the day a batch's disclosure has ended, its workers' dossiers are written
    again and say so; the other dossiers are carried."""
    records = read_station(tmp_path / "records")
    staging = tmp_path / "staging"
    later = date(2026, 12, 10)
    result = write_private(records, staging, today=later, pdf=False, previous=previous)
    batch = "GS-2026-05"
    involved = {p["archive_no"] for p in PAYOUTS if p.get("batch") == batch} | \
        {w["archive_no"] for w in WORKERS if w.get("batch") == batch}
    assert involved
    rendered = {p.stem for p in result.dossiers if p.stat().st_nlink == 1}
    assert rendered == involved
    for no in involved:
        text = (staging / "档案" / f"{no}.html").read_text(encoding="utf-8")
        assert "公示期满无异议" in text and "公示中" not in text


# (name, edited tables, whose slices are worked out again one by one: the archive numbers of the rows in
# the edited row's block of two, or none when the table's rows moved and it is sliced whole again)
RESLICED = [
    ("visit note", {"visits": _edit(VISITS, 0, notes="复查：收入已核实无误")},
     {VISITS[0]["archive_no"], VISITS[1]["archive_no"]}),
    ("worker phone", {"workers": _edit(WORKERS, 3, phone="13912345678")},
     {WORKERS[2]["archive_no"], WORKERS[3]["archive_no"]}),
    ("payout amount", {"payouts": _edit(PAYOUTS, 9, amount=D("250"))},
     {PAYOUTS[8]["archive_no"], PAYOUTS[9]["archive_no"]}),
    ("visit moved to another worker", {"visits": _edit(VISITS, 1, archive_no=WORKERS[5]["archive_no"])}, set()),
    ("worker removed from the register", {"workers": [*WORKERS[:4], *WORKERS[5:]]}, set()),
]


@pytest.mark.parametrize("own_blocks", [False, True], ids=["digest blocks", "own blocks"])
@pytest.mark.parametrize("name,tables,again", RESLICED, ids=[r[0] for r in RESLICED])
def test_only_the_workers_whose_rows_changed_are_sliced_again(tmp_path, monkeypatch, name, tables, again,
                                                              own_blocks):
    """Of an edited table, the dossiers' slices are worked out again only for the workers with a
    row in a block of rows that changed (blocks of two rows here); a row moved to another
    worker or a worker removed slices the table whole. Either way every dossier's slices and
    fingerprint are a fresh build's, and so is every file. The blocks are those the tables'
    digests were worked out from (record_views.block_info), or, for a digest that came without
    them (`own_blocks`), worked out from the encoded rows."""
    from generator import record_views
    from generator.private import dossier_slices

    monkeypatch.setattr(record_views, "BLOCK", 2)  # the blocks of the tables' digests, which the slices take
    monkeypatch.setattr(dossier_slices, "BLOCK", 2)  # and of a table whose digest came without them
    taken = []  # the tables whose digest's blocks the slices took
    real_info = dossier_slices.block_info

    def block_info(records, name):
        found = None if own_blocks else real_info(records, name)
        if found is not None:
            taken.append(name)
        return found

    monkeypatch.setattr(dossier_slices, "block_info", block_info)
    base = tmp_path / "base"
    write_private(read_station(tmp_path / "r0"), base, today=TODAY, pdf=False)
    asked = []
    real = dossier_slices.Slices._slice_again
    monkeypatch.setattr(dossier_slices.Slices, "_slice_again",
                        lambda self, i, w: asked.append(w.archive_no) or real(self, i, w))
    records = read_station(tmp_path / "r1", tables=tables)
    staging = tmp_path / "staging"
    write_private(records, staging, today=TODAY, pdf=False, previous=base)
    assert set(asked) == again
    assert own_blocks or set(taken) >= {"workers", "payouts", "visits"}
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    assert _tree(staging) == _tree(fresh)

    def dossier_entries(folder):
        entries = carry.load(folder / carry.NAME).items()
        return {k: (e["fp"], e["slices"]) for k, e in entries if k.startswith("档案/SF")}

    assert dossier_entries(staging) == dossier_entries(fresh)
    # the dossiers that changed were written; where the edited table's rows stayed in their places,
    # only those (a removed register row moves the sheet row numbers of the rows below it)
    written = {p.name for p in (staging / "档案").glob("SF*.html") if p.stat().st_nlink == 1}
    differ = {p.name for p in (staging / "档案").glob("SF*.html")
              if not (base / "档案" / p.name).exists() or (base / "档案" / p.name).read_bytes() != p.read_bytes()}
    assert written == differ if again else written >= differ


def test_the_filing_order_is_carried_while_the_registers_names_and_numbers_are_the_last_builds(previous, tmp_path,
                                                                                            monkeypatch):
    """A visit note or a phone files the workers as the last build did, without sorting their names
    again; a name edited files them anew. Either way the order kept is a fresh build's."""
    from generator.private import ORDER, dossiers

    sorted_ = []
    real = dossiers.filing_order
    monkeypatch.setattr(dossiers, "filing_order", lambda records: sorted_.append(1) or real(records))
    for n, (tables, expected) in enumerate([
            ({"visits": _edit(VISITS, 0, notes="电话回访，情况稳定")}, []),
            ({"workers": _edit(WORKERS, 3, phone="13912345678")}, []),
            ({"workers": _edit(WORKERS, 3, name="单田方")}, [1])]):
        sorted_.clear()
        records = read_station(tmp_path / f"records{n}", tables=tables)
        staging = tmp_path / f"staging{n}"
        write_private(records, staging, today=TODAY, pdf=False, previous=previous)
        assert sorted_ == expected
        kept = carry.load(staging / carry.NAME)[ORDER]
        order = real(records)
        assert kept["stems"] == [f.stem for f in order]
        assert [records.workers[i] for i in kept["places"]] == [f.worker for f in order]


def test_a_dossiers_own_pdf_is_a_target_only_where_one_was_asked_for(tmp_path):
    """printing.targets lists the dossier folder once: a dossier with its own PDF (`bangfu
    dossier`) keeps it up to date, the others get none."""
    from generator.private import printing
    from generator.private.common import Doc

    folder = tmp_path / "档案"
    folder.mkdir()
    docs = [Doc(folder / f"SF-000{n}.html", f"digest{n}") for n in range(1, 4)]
    for doc in docs:
        doc.path.write_text("<html></html>", encoding="utf-8")
    (folder / "SF-0002.pdf").write_bytes(b"%PDF-1.7")
    index = Doc(folder / "index.html", "index")
    found = printing.targets(None, tmp_path, index, docs, [], groups=[], unsigned=set())
    assert [(t.path.name, t.sources, t.digest) for t in found] == [
        ("档案目录.pdf", (index.path,), "index"), ("SF-0002.pdf", (docs[1].path,), "digest2")]
    (folder / "SF-0002.pdf").unlink()
    assert [t.path.name for t in printing.targets(None, tmp_path, index, docs, [], groups=[], unsigned=set())] == \
        ["档案目录.pdf"]


def test_kept_report_parts_are_plain_values_and_a_planted_entry_is_worked_out_again(previous, tmp_path):
    """The fingerprints file lies in the private folder, which clerks copy around: the kept
    report parts are plain values (never pickled data, whose loading can run code), they come
    back as report.file_parts made them, and an entry that is not what a build writes is worked
    out again, to the same reports."""
    from generator.periods import parse_quarter
    from generator.private import REPORT_PARTS, report

    entry = carry.load(previous / carry.NAME)[REPORT_PARTS]
    records = read_station(tmp_path / "records")
    quarters = {parse_quarter(code) for code in entry["quarters"]}
    assert not any(isinstance(v, bytes) for v in (entry["parts"], *entry["parts"]))
    assert dict(carry.from_plain(entry["parts"])) == \
        {q.code: part for q, part in report.file_parts(records, sorted(quarters)).items()}
    assert carry.from_plain(carry.to_plain((date(2026, 1, 5), D("1.50"), [None, "x", 3, True]))) == \
        (date(2026, 1, 5), D("1.50"), [None, "x", 3, True])
    with pytest.raises(TypeError):
        carry.to_plain({"a": 1})

    planted = tmp_path / "planted"
    shutil.copytree(previous, planted)
    entries = carry.load(planted / carry.NAME)
    entries[REPORT_PARTS]["parts"] = [(code, {"d": "not a day"}) for code in entry["quarters"]]
    (planted / carry.NAME).write_bytes(carry.MAGIC + marshal.dumps(entries))
    records = read_station(tmp_path / "edited", tables={"payouts": _edit(PAYOUTS, 1, amount=D("900"))})
    staging, fresh = tmp_path / "staging", tmp_path / "fresh"
    write_private(records, staging, today=TODAY, pdf=False, previous=planted)
    write_private(records, fresh, today=TODAY, pdf=False)
    assert {k: v for k, v in _tree(staging).items() if k.startswith("季度统计/")} == \
        {k: v for k, v in _tree(fresh).items() if k.startswith("季度统计/")}


def _prelinked(records, staging: Path, previous: Path, staged=None):
    """write_private into `staging` after carry.prelink linked the last build's documents into it
    (as the build's prelink process does during the read); `staged` overrides its result."""
    staging.mkdir()
    linked = carry.prelink(previous, staging)
    carry.prelinked(previous, staging, lambda: linked if staged is None else staged)
    try:
        return write_private(records, staging, today=TODAY, pdf=False, previous=previous)
    finally:
        carry.prelinked(None, None)


PRELINKED = ["visit note (private only)", "follow-up visit", "payout amount (public)", "batch title",
             "station setting", "payout amount, first year", "payout moved to another batch"]


@pytest.mark.parametrize("name,overrides,changed", [e for e in EDITS if e[0] in PRELINKED],
                         ids=PRELINKED)
def test_a_prelinked_staging_folder_gives_what_a_fresh_build_writes(previous, tmp_path, name, overrides, changed):
    """The documents linked before the records are known (carry.prelink): the changed ones are
    written over their links (the last build's files untouched), the others carried as links."""
    records = read_station(tmp_path / "records", **overrides)
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    before = _tree(previous)
    staging = tmp_path / "staging"
    result = _prelinked(records, staging, previous)
    assert _tree(staging) == _tree(fresh)
    assert _tree(previous) == before  # nothing written through a link
    if changed is None or "settings" in overrides:
        return
    for path in [*result.dossiers, *result.receipts, *result.closing_books]:
        rel = path.relative_to(staging).as_posix()
        links = (staging / rel).stat().st_nlink
        assert links == 1 if rel in changed else links >= 2, rel


def test_prelinked_two_visit_notes_of_different_workers(previous, tmp_path):
    visits = _edit(_edit(VISITS, 0, notes="第一处修改"), len(VISITS) - 1, notes="第二处修改")
    records = read_station(tmp_path / "records", tables={"visits": visits})
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    staging = tmp_path / "staging"
    _prelinked(records, staging, previous)
    assert _tree(staging) == _tree(fresh)
    assert VISITS[0]["archive_no"] != VISITS[-1]["archive_no"]
    for no in (VISITS[0]["archive_no"], VISITS[-1]["archive_no"]):
        assert (staging / "档案" / f"{no}.html").stat().st_nlink == 1


@pytest.mark.parametrize("change", ["removed", "added"])
def test_prelinked_a_worker_removed_or_added_leaves_no_stale_dossier(previous, tmp_path, change):
    """A worker no longer in the register: the link of their dossier goes (no stale personal data);
    a new worker: their dossier is written; either way what a fresh build writes."""
    tables: dict = {}
    if change == "removed":  # the worker and their rows in the other tables
        gone = WORKERS[-1]["archive_no"]
        tables = {name: [r for r in rows if r["archive_no"] != gone]
                  for name, rows in (("payouts", PAYOUTS), ("visits", VISITS), ("members", MEMBERS),
                                     ("objections", OBJECTIONS))}
        workers = WORKERS[:-1]
    else:
        gone = None
        workers = [*WORKERS, {**WORKERS[-1], "archive_no": "SF-0999", "name": "新来人"}]
    records = read_station(tmp_path / "records", tables={**tables, "workers": workers})
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    staging = tmp_path / "staging"
    _prelinked(records, staging, previous)
    assert _tree(staging) == _tree(fresh)
    if gone is not None:
        assert (previous / "档案" / f"{gone}.html").exists()
        assert not (staging / "档案" / f"{gone}.html").exists()


def test_prelinked_a_dossier_deleted_or_edited_by_hand_is_written_again(previous, tmp_path):
    records = read_station(tmp_path / "records")
    deleted = previous / "档案" / f"{WORKERS[1]['archive_no']}.html"
    edited = previous / "档案" / f"{WORKERS[0]['archive_no']}.html"
    kept_bytes, kept_stat = deleted.read_bytes(), deleted.stat()
    original, stat = edited.read_bytes(), edited.stat()
    try:
        deleted.unlink()
        edited.write_bytes(original.replace("生成日期".encode(), "手改日期".encode()))
        staging = tmp_path / "staging"
        _prelinked(records, staging, previous)
        assert (staging / "档案" / deleted.name).read_bytes() == kept_bytes
        assert (staging / "档案" / edited.name).read_bytes() == original
        assert (staging / "档案" / edited.name).stat().st_nlink == 1
    finally:
        deleted.write_bytes(kept_bytes)
        os.utime(deleted, ns=(kept_stat.st_atime_ns, kept_stat.st_mtime_ns))
        edited.write_bytes(original)
        os.utime(edited, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_a_failed_prelink_leaves_no_link_behind(previous, tmp_path):
    """The prelink process died after linking (its result lost): its links are removed and the
    documents carried one by one, to what a fresh build writes (a removed worker's dossier too)."""
    workers = WORKERS[:-1]
    records = read_station(tmp_path / "records", tables={"workers": workers})
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    staging = tmp_path / "staging"
    result = _prelinked(records, staging, previous, staged=False)
    assert _tree(staging) == _tree(fresh)
    assert result.carried > 0


def test_blocks_of_another_kind_than_the_last_builds_slice_the_table_whole(tmp_path, monkeypatch):
    """Blocks the last build worked out itself (its table's digest came without them) and blocks
    taken from this build's table digest are never compared as equal: the edited table is
    sliced whole, and every dossier is a fresh build's."""
    from generator import record_views
    from generator.private import dossier_slices

    monkeypatch.setattr(record_views, "BLOCK", 2)
    monkeypatch.setattr(dossier_slices, "BLOCK", 2)
    real_info = dossier_slices.block_info
    monkeypatch.setattr(dossier_slices, "block_info", lambda records, name: None)
    base = tmp_path / "base"
    write_private(read_station(tmp_path / "r0"), base, today=TODAY, pdf=False)
    monkeypatch.setattr(dossier_slices, "block_info", real_info)
    asked = []
    real = dossier_slices.Slices._slice_again
    monkeypatch.setattr(dossier_slices.Slices, "_slice_again",
                        lambda self, i, w: asked.append(w.archive_no) or real(self, i, w))
    records = read_station(tmp_path / "r1", tables={"visits": _edit(VISITS, 0, notes="复查：收入已核实无误")})
    staging = tmp_path / "staging"
    write_private(records, staging, today=TODAY, pdf=False, previous=base)
    assert asked == []
    fresh = tmp_path / "fresh"
    write_private(records, fresh, today=TODAY, pdf=False)
    assert _tree(staging) == _tree(fresh)
