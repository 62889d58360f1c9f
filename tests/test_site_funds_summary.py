"""The funds summary workbook (资金公开汇总.xlsx) under `bangfu serve`: a saved station name
changes only the title on its 说明 sheet, and the figures' rows are not written again
(site/funds._summary_bytes), while the file stays byte for byte what writing it anew gives."""

from datetime import date
from decimal import Decimal

from generator.site import funds

DAY = date(2026, 11, 23)


def _sheets(title: str, amount: str = "1200.00") -> list:
    return [
        ("季度收支", [["资金账户", "年度", "期间", "期初余额", "收入", "支出", "期末余额"],
                      ["全部账户", 2026, "第一季度", Decimal("0.00"), Decimal("5000.00"), Decimal(amount),
                       Decimal("3800.00")],
                      ["全部账户", 2026, "全年", Decimal("0.00"), Decimal("5000.00"), Decimal(amount),
                       Decimal("3800.00")]]),
        ("支出用途", [["资金账户", "年度", "用途", "期间", "金额"],
                      ["全部账户", 2026, "医疗救助", "全年", "—"]]),
        ("说明", [[title], [f"数据截至 {DAY.isoformat()}，单位：元。"],
                  ["帮扶发放按项目汇总，不含个人信息；尚未发放的款项不计入支出。"]]),
    ]


def test_a_new_station_name_writes_no_row_again_and_gives_the_same_bytes(monkeypatch):
    written = []
    raw = funds._summary_raw
    monkeypatch.setattr(funds, "_summary_raw", lambda sheets: written.append(sheets[-1][1][0][0]) or raw(sheets))
    monkeypatch.setattr(funds, "_RAW", {})
    titles = ["示范镇帮扶站 帮扶资金公开汇总", "示范镇帮扶站1号 帮扶资金公开汇总", "Station 2 帮扶资金公开汇总"]
    got = [funds._summary_bytes(_sheets(t), DAY) for t in titles]
    assert written == [funds.TITLE_SLOT]  # the rows once, with the title as a slot
    got.append(funds._summary_bytes(_sheets(titles[0], "1300.00"), DAY))  # another figure: written again
    assert written == [funds.TITLE_SLOT] * 2
    # titles that need escaping, a quote prefix or kept spaces, or that another cell holds,
    # are written whole
    odd = ["A&B <站> 帮扶资金公开汇总", " 前有空格", "=1+1 帮扶资金公开汇总", "全部账户", "医疗救助"]
    got += [funds._summary_bytes(_sheets(t), DAY) for t in odd]
    assert written == [funds.TITLE_SLOT] * 2 + odd
    written.clear()
    fresh = [funds.summary_workbook(_sheets(t), DAY) for t in titles]
    fresh.append(funds.summary_workbook(_sheets(titles[0], "1300.00"), DAY))
    fresh += [funds.summary_workbook(_sheets(t), DAY) for t in odd]
    assert got == fresh
    assert len(set(got)) == len(got)  # and each title did make another file
