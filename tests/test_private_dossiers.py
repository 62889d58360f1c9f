"""一人一档: one dossier per worker with everything in the file, filed in pinyin order."""

import html
import re
from decimal import Decimal
from pathlib import Path

import pytest

from generator.money import yuan
from generator.names import name_key
from generator.pipeline import check_folder
from generator.private import carry, write_private
from generator.private.dossiers import filing_order, write_dossiers
from generator.records import Records, Worker

from private_station import PAYOUTS, TODAY, WORKERS, demo_records_dir, read_station


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    return read_station(tmp_path_factory.mktemp("station") / "records")


@pytest.fixture(scope="module")
def private(station, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "private"
    result = write_private(station, out, today=TODAY, pdf=False)
    return out, result


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_every_worker_has_a_dossier_with_all_payouts(private):
    out, result = private
    assert len(result.dossiers) == len(WORKERS)
    for w in WORKERS:
        page = text_of(out / "档案" / f"{w['archive_no']}.html")
        mine = [p for p in PAYOUTS if p["archive_no"] == w["archive_no"]]
        for p in mine:
            assert p["record_no"] in page and yuan(p["amount"]) in page
        if mine:  # only what was paid counts as given; the rest is listed, not added up
            given = [p for p in mine if p.get("paid") and not p.get("state")]
            total = sum((p["amount"] for p in given), Decimal(0))
            assert f"已发放合计 {len(given)} 笔" in page and yuan(total) in page
            if len(given) < len(mine):
                assert f"另有 {len(mine) - len(given)} 笔未发放" in page
        else:
            assert "没有帮扶发放记录" in page


@pytest.mark.slow
def test_every_demo_worker_has_a_dossier_listing_all_payouts(tmp_path_factory):
    folder = demo_records_dir(tmp_path_factory)
    records = check_folder(folder, TODAY).records
    out = tmp_path_factory.mktemp("demo-out")
    docs = write_dossiers(records, out, today=TODAY)
    assert len(docs) == len(records.workers) > 0
    pages = {d.path.stem: text_of(d.path) for d in docs}
    for filed in filing_order(records):
        page = pages[filed.stem]
        assert html.escape(filed.worker.name) in page
        for p in records.payouts_by_worker.get(filed.worker.archive_no, []):
            assert p.record_no in page and yuan(p.amount) in page


def test_index_lists_dossiers_in_pinyin_order_with_status(private):
    out, _ = private
    page = text_of(out / "档案" / "index.html")
    names = re.findall(r'<td><a href="SF-\d+\.html">([^<]+)</a></td>', page)
    # 解 and 谢 are both xiè as surnames: two surnames, each kept together
    assert names == ["区志强", "仇红", "沙小红", "单田芳", "解晓东", "谢丽", "尉迟敬", "曾明", "查伟", "张伟"]
    assert names == sorted(names, key=name_key)
    assert "在档 8 份" in page and "申请 1 份" in page and "脱困 1 份" in page


def test_dossier_content(private):
    out, _ = private
    page = text_of(out / "档案" / "SF-0001.html")
    w = WORKERS[0]
    for text in (w["id_number"], "13805310011", "示范镇幸福路 12 号", "女儿读高二", "医疗救助、金秋助学",
                 "配偶1号", "子女1号", "示范县第一中学", "666.67", "2026年低保标准", "1,062.00",
                 "入户调查", "家中三人，收入属实", "GS-2024-01", "GS-2024-02", "GS-2026-03",
                 "公示期满无异议", "https://bangfu.example.org/notices/GS-2026-03/", "建档人：李文",
                 "知住址", "知生活状况", "知致困原因", "知疾病", "知低保", "知子女就学", "定帮扶措施"):
        assert text in page, text
    assert "为 2026 年低保线 1,062.00 元的 0.63 倍，低于低保线" in page
    objected = text_of(out / "档案" / "SF-0003.html")
    assert "YY-2026-01" in objected and "有异议，经复查不成立" in objected
    closed = text_of(out / "档案" / "SF-0007.html")
    assert "结档日期" in closed and "收入超过标准" in closed
    injured = text_of(out / "档案" / "SF-0005.html")
    assert "肢体（三级）" in injured and "次要：子女上学" in injured


def test_dossier_is_print_ready_html(private):
    out, _ = private
    page = text_of(out / "档案" / "SF-0001.html")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert "size: A4 portrait" in page and 'font-family: "Noto Sans CJK SC"' in page
    assert "break-inside: avoid" in page and "table-header-group" in page
    assert "counter(page)" in page and "<link" not in page and "<script" not in page
    assert "生成日期：2026年11月23日" in page


def test_notice_file_and_home_page(private):
    out, result = private
    raw = (out / "README.txt").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    text = raw.decode("utf-8-sig")
    assert "个人信息" in text and "不要公开" in text and "不要上传" in text
    assert result.notice == out / "README.txt"
    home = text_of(out / "index.html")
    assert "档案/index.html" in home and "签收单/index.html" in home and "2026Q3" in home
    summary = result.summary()
    assert "一人一档 10 份" in summary and "请勿公开" in summary


def test_names_are_escaped(tmp_path):
    records = read_station(tmp_path / "records", tables={"workers": [
        {**w, "name": "<i>查伟</i>"} if w["archive_no"] == "SF-0009" else w for w in WORKERS]})
    docs = write_dossiers(records, tmp_path / "out", today=TODAY, only={"SF-0009"})
    page = text_of(docs[0].path)
    assert "&lt;i&gt;查伟&lt;/i&gt;" in page and "<i>查伟" not in page


def test_unsafe_archive_numbers_stay_in_the_folder(tmp_path):
    records = Records(folder=tmp_path / "records", workers=[
        Worker(archive_no="../../etc/passwd", name="甲"), Worker(archive_no="CON", name="乙"),
        Worker(archive_no="con", name="丙"), Worker(archive_no="", name=None)])
    out = tmp_path / "out"
    docs = write_dossiers(records, out, today=TODAY)
    folder = (out / "档案").resolve()
    assert len({d.path.name.casefold() for d in docs}) == 4
    for d in docs:
        assert d.path.resolve().parent == folder and d.path.exists()
    assert sorted(p.name for p in (out / "档案").iterdir()) == sorted(d.path.name for d in docs)
    assert not (tmp_path / "etc").exists()


def test_pages_of_deleted_workers_are_removed(tmp_path):
    full = read_station(tmp_path / "a")
    out = tmp_path / "private"
    write_private(full, out, today=TODAY, pdf=False)
    assert (out / "档案" / "SF-0009.html").exists()
    fewer = read_station(tmp_path / "b", tables={"workers": [w for w in WORKERS if w["archive_no"] != "SF-0009"]})
    first = tmp_path / "first"
    write_private(full, first, today=TODAY, pdf=False)
    write_private(fewer, out, today=TODAY, pdf=False)
    assert not (out / "档案" / "SF-0009.html").exists()
    assert (out / "档案" / "SF-0001.html").exists()
    # a build's new staging folder carries from the last folder only what the records still hold
    staging = tmp_path / "staging"
    write_private(fewer, staging, today=TODAY, pdf=False, previous=first)
    assert not (staging / "档案" / "SF-0009.html").exists() and (staging / "档案" / "SF-0001.html").exists()
    # a folder of pages without the fingerprints file is pruned too
    (first / carry.NAME).unlink()
    write_private(fewer, first, today=TODAY, pdf=False)
    assert not (first / "档案" / "SF-0009.html").exists() and (first / "档案" / "SF-0001.html").exists()


def test_sparse_records_do_not_break_any_document(tmp_path):
    """Only the keys filled in (the reader reports the rest): every writer still works."""
    from datetime import date

    from generator.records import Batch, Category, Fund, Income, Item, Member, Objection, Payout, Visit
    from generator.site.wall import write_wall_printouts

    records = Records(
        folder=tmp_path / "records",
        workers=[Worker(archive_no="A1", name="甲", household_size=0, category="无此类别"),
                 Worker(archive_no="A2", status="脱困", closed=date(2026, 8, 1))],
        members=[Member(archive_no="A1")], visits=[Visit(archive_no="A1")],
        payouts=[Payout(record_no="P1", archive_no="A1"), Payout(record_no="P2", archive_no="ZZ", batch="B1",
                                                                 paid=date(2026, 8, 2), amount=Decimal("5"))],
        batches=[Batch(batch_no="B1", start=date(2026, 11, 20)), Batch(batch_no="B2")],
        objections=[Objection(objection_no="O1", batch="B1", archive_no="A1")],
        funds=[Fund(name="F")], incomes=[Income(fund="F", date=date(2026, 7, 1))],
        categories=[Category(name="无此类别")], items=[Item(name="项目", standard="比例封顶"), Item()])
    result = write_private(records, tmp_path / "private", today=TODAY, pdf=False)
    assert len(result.dossiers) == 2 and result.reports
    paths = write_wall_printouts(records, tmp_path / "wall", today=TODAY)
    assert any(p.parent.name == "notices" for p in paths) and any(p.parent.name == "policies" for p in paths)


def test_review_history_and_void_payouts_in_the_dossier(tmp_path):
    """The dossier shows each yearly review against its own year's line, the latest figures
    as the basis, and a cancelled payout as cancelled, never in the total given."""
    from datetime import date

    reviews = [{"archive_no": "SF-0001", "date": date(2025, 3, 12), "household_income": Decimal("30000"),
                "household_size": 3, "category": "深度困难", "reviewer": "王芳", "conclusion": "情况无变化"},
               {"archive_no": "SF-0001", "date": date(2026, 3, 10), "household_income": Decimal("42000"),
                "household_size": 3, "category": "相对困难", "reviewer": "王芳", "conclusion": "收入增加，调整类别"}]
    mine = [p for p in PAYOUTS if p["archive_no"] == "SF-0001" and p.get("paid")]
    cancelled = {**mine[0], "record_no": "FF-2026-0999", "state": "已撤销", "approved": None, "paid": None,
                 "signed": False, "signed_on": None}
    records = read_station(tmp_path / "records", tables={"reviews": reviews, "payouts": [*PAYOUTS, cancelled]})
    write_dossiers(records, tmp_path / "out", today=TODAY, only={"SF-0001"})
    page = text_of(tmp_path / "out" / "档案" / "SF-0001.html")
    history = page[page.index("年度复核记录"):page.index("<h2>三、六知一定")]
    assert re.findall(r"<tr><td class=\"nowrap\">([^<]+)</td>", history) == ["2025年3月12日", "2026年3月10日"]
    assert "1,030.00" in history and "1,062.00" in history  # each review with its own year's line
    assert "2026-03-10 年度复核" in page and "1,166.67" in page  # 42000 / 12 / 3, the latest figures
    row = page[page.index("FF-2026-0999"):]
    row = row[:row.index("</tr>")]
    assert "已撤销" in row and "<s>" in row
    given = [p for p in mine if not p.get("state")]
    assert f"已发放合计 {len(given)} 笔" in page
    assert yuan(sum((p["amount"] for p in given), Decimal(0))) in page


def test_a_dossiers_batches_come_from_the_periods_the_disclosure_views_give(tmp_path):
    """disclosure.periods says of every batch number what disclosure.views says (of two batches
    with one number the oldest counts), and a dossier shows each batch's state and the worker's
    own objections from it: upheld, pending, not upheld, running, not yet started, unknown."""
    from datetime import date

    from generator import disclosure
    from generator.private.dossiers import dossier_context
    from generator.records import Batch, Objection, Payout

    batches = [Batch(batch_no="B1", title="旧", start=date(2026, 1, 5), days=7),
               Batch(batch_no="B1", title="新", start=date(2026, 6, 1), days=7),  # same number, newer
               Batch(batch_no="B2", title="二", start=date(2026, 11, 20), days=7),  # running on TODAY
               Batch(batch_no="B3", title="三", start=date(2026, 12, 1), days=7),  # not started
               Batch(batch_no="B4", title="四", start=date(2026, 3, 2), days=5),
               Batch(batch_no="B5", title="无开始日期")]
    payouts = [Payout(record_no=f"P{i}", archive_no="A1", item="临时救助", batch=b, amount=Decimal("100"))
               for i, b in enumerate(("B1", "B2", "B3", "B4", "B5", "B9"))]
    objections = [Objection(objection_no="O1", batch="B1", archive_no="A1", result="处理中"),
                  Objection(objection_no="O2", batch="B4", archive_no="A1", result="不成立"),
                  Objection(objection_no="O3", batch="B2", archive_no="A2", result="成立")]  # not A1's
    records = Records(folder=tmp_path, workers=[Worker(archive_no="A1", name="甲"), Worker(archive_no="A2")],
                      payouts=payouts, batches=batches, objections=objections)

    periods = disclosure.periods(records, TODAY)
    by_view = {v.batch.batch_no: v for v in disclosure.views(records, TODAY)}
    assert list(periods) == list(by_view) == ["B3", "B2", "B1", "B4"]
    assert {no: (p.batch, p.start, p.end, p.state) for no, p in periods.items()} == \
        {no: (v.batch, v.start, v.end, v.state) for no, v in by_view.items()}
    assert periods["B1"].batch.title == "旧" and periods["B1"].end == date(2026, 1, 11)

    d = dossier_context(records, records.worker_by_no["A1"], TODAY, periods=periods)
    assert d == dossier_context(records, records.worker_by_no["A1"], TODAY)  # periods worked out alike
    shown = {b.batch_no: (b.start, b.end, b.outcome) for b in d.batches}
    assert shown == {
        "B1": (date(2026, 1, 5), date(2026, 1, 11), "有异议，处理中"),
        "B2": (date(2026, 11, 20), date(2026, 11, 26), "公示中（2026年11月26日结束）"),
        "B3": (date(2026, 12, 1), date(2026, 12, 7), "尚未开始"),
        "B4": (date(2026, 3, 2), date(2026, 3, 6), "有异议，经复查不成立"),
        "B5": (None, None, ""),
        "B9": (None, None, ""),
    }
    assert [b.batch_no for b in d.batches] == ["B5", "B9", "B1", "B4", "B2", "B3"]
