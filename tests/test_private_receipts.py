"""签收单: rows with identity numbers and amounts in figures and capitals; totals equal the sums."""

from collections import defaultdict
from decimal import Decimal

import pytest

from generator.money import capitals, yuan
from generator.private.receipts import receipt_sheets, write_receipts

from private_station import OBJECTIONS, PAYOUTS, TODAY, WORKERS, read_station


@pytest.mark.parametrize("amount, text", [
    ("0.5", "伍角"), ("10", "壹拾元整"), ("1001", "壹仟零壹元整"), ("10010.05", "壹万零壹拾元零伍分"),
    ("100000", "壹拾万元整"), ("1.995", "贰元整"), ("1.994", "壹元玖角玖分"), ("0", "零元整"),
])
def test_capital_amounts(amount, text):
    assert capitals(Decimal(amount)) == text


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    return read_station(tmp_path_factory.mktemp("station") / "records")


def expected_groups():
    groups = defaultdict(list)
    for p in PAYOUTS:
        key = p.get("batch") or (p["paid"].isoformat() if p.get("paid") else "待发放")
        groups[key].append(p)
    return groups


def test_sheets_per_batch_and_payout_date(station):
    sheets = receipt_sheets(station)
    assert [s.key for s in sheets] == ["GS-2024-02", "GS-2026-03", "GS-2026-05", "2025-01-20", "2026-01-20"]
    groups = expected_groups()
    for sheet in sheets:
        assert sorted(p.record_no for p in sheet.payouts) == sorted(p["record_no"] for p in groups[sheet.key])
        assert sheet.total == sum((p["amount"] for p in groups[sheet.key]), Decimal(0))


def test_receipt_pages_show_rows_and_totals(station, tmp_path):
    docs = write_receipts(station, tmp_path, today=TODAY)
    assert docs[-1].path.name == "index.html"
    ids = {w["archive_no"]: w["id_number"] for w in WORKERS}
    groups = expected_groups()
    stems = {"GS-2024-02": "公示_GS-2024-02", "GS-2026-03": "公示_GS-2026-03", "GS-2026-05": "公示_GS-2026-05",
             "2025-01-20": "发放_2025-01-20", "2026-01-20": "发放_2026-01-20"}
    for key, stem in stems.items():
        page = (tmp_path / "签收单" / f"{stem}.html").read_text(encoding="utf-8")
        total = sum((p["amount"] for p in groups[key]), Decimal(0))
        assert f"合计 {len(groups[key])} 人次" in page
        assert f'<td class="num">{yuan(total)}</td><td colspan="3">{capitals(total)}</td>' in page
        for p in groups[key]:
            assert ids[p["archive_no"]] in page and capitals(p["amount"]) in page
        for line in ("经办人：", "审核人：", "负责人：", "本人签名", "签收日期"):
            assert line in page
    q3 = (tmp_path / "签收单" / "公示_GS-2026-03.html").read_text(encoding="utf-8")
    assert "10,010.05" in q3 and "壹万零壹拾元零伍分" in q3 and "贰万伍仟陆佰壹拾元零伍分" in q3
    assert "size: A4 landscape" in q3
    index = (tmp_path / "签收单" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{stem}.html"' in index for stem in stems.values())


def test_upheld_objections_and_unpaid_items(tmp_path):
    upheld = {"objection_no": "YY-2026-09", "batch": "GS-2026-05", "archive_no": "SF-0006",
              "received": TODAY, "content": "反映有房产", "result": "成立", "resolved": TODAY}
    unpaid = {**PAYOUTS[1], "record_no": "FF-2026-0099", "archive_no": "SF-0004", "name": "张伟",
              "applied": TODAY, "approved": None, "paid": None, "signed": False, "signed_on": None}
    records = read_station(tmp_path / "records", tables={"objections": [*OBJECTIONS, upheld],
                                                         "payouts": [*PAYOUTS, unpaid]})
    sheets = {s.key: s for s in receipt_sheets(records)}
    running = sheets["GS-2026-05"]
    assert [p.archive_no for p in running.left_out] == ["SF-0006"]
    assert sorted(p.archive_no for p in running.payouts) == ["SF-0004", "SF-0008"]
    assert running.total == Decimal("600")
    assert [p.record_no for p in sheets["待发放"].payouts] == ["FF-2026-0099"]
    write_receipts(records, tmp_path / "out", today=TODAY)
    page = (tmp_path / "out" / "签收单" / "公示_GS-2026-05.html").read_text(encoding="utf-8")
    assert "另有 1 笔因公示异议成立未列入" in page and "陆佰元整" in page
    assert (tmp_path / "out" / "签收单" / "待发放.html").exists()


def test_no_receipt_sheet_for_a_batch_with_nobody_to_pay(tmp_path):
    batch = "GS-2026-05"
    listed = sorted({p["archive_no"] for p in PAYOUTS if p.get("batch") == batch})
    upheld = [{"objection_no": f"YY-2026-{90 + i}", "batch": batch, "archive_no": no, "received": TODAY,
               "content": "反映有房产", "result": "成立", "resolved": TODAY} for i, no in enumerate(listed)]
    records = read_station(tmp_path / "records", tables={"objections": [*OBJECTIONS, *upheld]})
    assert batch not in {s.key for s in receipt_sheets(records)}
    write_receipts(records, tmp_path / "out", today=TODAY)
    folder = tmp_path / "out" / "签收单"
    assert not (folder / f"公示_{batch}.html").exists()
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert f"公示批次 {batch} 的 {len(listed)} 笔发放均因公示异议成立已取消" in index


def test_each_sheet_lists_its_payouts_by_name_then_record_number(tmp_path):
    """按音序 by the worker's name and archive number (names.name_key), then the record number:
    one worker's two payouts in a batch, and two workers of one name (the archive number decides)."""
    from generator.names import name_key
    from generator.private.receipts import _name

    payouts = [dict(p) for p in PAYOUTS]
    payouts.append({**payouts[7], "record_no": "FF-2026-0010", "archive_no": "SF-0009", "name": "单田芳"})
    workers = [*WORKERS, {**WORKERS[0], "archive_no": "SF-0009"}]  # a second 单田芳
    records = read_station(tmp_path / "records", tables={"payouts": payouts, "workers": workers})
    sheets = receipt_sheets(records)
    batch = next(s for s in sheets if s.key == "GS-2026-03")
    assert [(p.archive_no, p.record_no) for p in batch.payouts if p.archive_no in ("SF-0001", "SF-0009")] == [
        ("SF-0001", "FF-2026-0011"), ("SF-0001", "FF-2026-0015"), ("SF-0009", "FF-2026-0010")]
    for sheet in sheets:
        assert sheet.payouts == sorted(
            sheet.payouts, key=lambda p: (name_key(_name(records, p), p.archive_no or ""), p.record_no or ""))


def test_the_filing_order_ranks_payouts_as_their_names_sort():
    """receipt_sheets with the build's filing order (no second pinyin sort of the payouts' names)
    lists every sheet's payouts in the same order as without it; a payout not filed under its
    worker's name falls back to sorting the names."""
    from dataclasses import replace

    from generator.private.dossiers import filing_order
    from generator.reading import read_records

    from site_helpers import DEMO_RECORDS

    records = read_records(DEMO_RECORDS).records

    def listed(sheets):
        return [(s.key, [p.record_no for p in s.payouts]) for s in sheets]

    plain = listed(receipt_sheets(records))
    assert sum(len(rows) for _, rows in plain) > 100
    assert listed(receipt_sheets(records, filing_order(records))) == plain
    order = filing_order(records)
    renamed = [replace(f, worker=replace(f.worker, name=f.worker.name + "甲")) if i == 0 else f
               for i, f in enumerate(order)]  # a stale order: not trusted
    assert listed(receipt_sheets(records, renamed)) == plain


def test_sheets_filed_one_by_one_with_a_kept_memo_are_filed_as_all_at_once(tmp_path_factory):
    """receipts.sort_sheets: the Plan files sheets one by one as it renders them, keeping what
    the ranks come from (the filing order's map, the names' keys) in one memo; each sheet's
    payouts come out in the order sorting all sheets at once gives, with or without the
    build's filing order."""
    from generator.private import dossiers, receipts

    records = read_station(tmp_path_factory.mktemp("filed") / "records")
    for order in (None, dossiers.filing_order(records)):
        whole = receipt_sheets(records, order)
        apart = receipt_sheets(records, order, sort=False)
        memo: dict = {}
        for sheet in reversed(apart):
            receipts.sort_sheets(records, [sheet], order, memo)
        assert len(whole) > 2
        assert [[p.record_no for p in s.payouts] for s in apart] == [[p.record_no for p in s.payouts] for s in whole]
        assert set(memo) == ({"filed"} if order is not None else {"keys"})
