"""Everything we write that a user opens in a spreadsheet neutralises formula injection,
and hostile cell text reaches the public pages only as text."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from generator.build import build_all

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from station import station_data, write_station  # noqa: E402

pytestmark = pytest.mark.slow  # the full suite runs these; the fast lane leaves them out

FUND = "=1+2"
ITEM = "@SUM(1)生活救助"
EMPLOYER = "+cmd|' /C calc'!A0"


def hostile_station(folder: Path) -> Path:
    data = station_data()
    funds = data["帮扶资金.xlsx"]
    funds["资金账户"][0]["账户名称"] = FUND
    for row in funds["资金收入"]:
        if row["资金账户"] == "上级帮扶专项资金":
            row["资金账户"] = FUND
    for p in data["帮扶记录.xlsx"]["帮扶发放"]:
        p["资金账户"] = FUND
        if p["帮扶项目"] == "生活救助":
            p["帮扶项目"] = ITEM
        p["帮扶活动"] = "-2+3"
    data["帮扶政策.xlsx"]["帮扶项目"][0]["项目名称"] = ITEM
    data["困难职工档案.xlsx"]["困难职工"][0]["工作单位"] = EMPLOYER
    return write_station(folder, data)


def test_no_formula_in_any_spreadsheet_we_write(tmp_path):
    records = hostile_station(tmp_path / "records")
    code = build_all(records, site_dir=tmp_path / "site", private_dir=tmp_path / "private",
                     today=date(2026, 11, 23), pdf=False, echo=lambda *a: None)
    assert code == 0
    written = sorted((tmp_path / "site").rglob("*.xlsx")) + sorted((tmp_path / "private").rglob("*.xlsx"))
    assert len(written) >= 2  # the public fund summary and at least one quarterly report
    texts = set()
    for path in written:
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path.name}!{ws.title}!{cell.coordinate} is a formula"
                    if isinstance(cell.value, str):
                        texts.add(cell.value)
    assert any(FUND in t for t in texts)  # the name is there, as text


def test_hostile_text_shows_as_text_on_the_public_pages(tmp_path):
    records = hostile_station(tmp_path / "records")
    assert build_all(records, site_dir=tmp_path / "site", private_dir=None, today=date(2026, 11, 23),
                     pdf=False, echo=lambda *a: None) == 0
    html = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html"))
    assert "@SUM(1)生活救助" in html
