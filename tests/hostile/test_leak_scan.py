"""The leak scan's bypasses from the attack run: public text never excuses numbers, names
are excused only as part of another word (and the report says so), values written
differently are still found, and a kept site is scanned again when the records change."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from generator import privacy
from generator.build import build_all
from generator.reading import read_records

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from station import ID_1, cell_of, station_data, write_station  # noqa: E402

pytestmark = pytest.mark.slow  # the full suite runs these; the fast lane leaves them out

TODAY = date(2026, 11, 23)


def worker(column: str) -> str:
    return f"困难职工档案.xlsx 工作表“困难职工” {cell_of('困难职工', column, 0)}"

PHONE = "13805310001"  # 张晓明's, SF-0001


def records_with(tmp_path, edit=None):
    data = station_data()
    if edit:
        edit(data)
    return read_records(write_station(tmp_path / "records", data)).records


def page(folder: Path, text: str, name: str = "index.html") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"<html><body>{text}</body></html>", encoding="utf-8")
    return folder


def leaks(site: Path, records) -> set:
    scan = privacy.scan_site(site, records)
    return {(l.file, l.kind, l.where) for l in scan.leaks}


def note_with_personal_data(data):
    data["帮扶资金.xlsx"]["资金账户"][0]["说明"] = f"联系人张晓明，身份证 {ID_1}，电话 {PHONE}"


def test_numbers_in_a_public_fund_note_are_never_excused(tmp_path):
    records = records_with(tmp_path, note_with_personal_data)
    site = page(tmp_path / "site", f"<p>联系人张晓明，身份证 {ID_1}，电话 {PHONE}</p>")
    assert leaks(site, records) == {
        ("index.html", "姓名全名", worker("姓名")),
        ("index.html", "身份证号", worker("身份证号")),
        ("index.html", "电话号码", worker("手机号码")),
    }


def test_an_employer_named_after_the_worker_does_not_excuse_the_name(tmp_path):
    def edit(data):
        data["困难职工档案.xlsx"]["困难职工"][0]["工作单位"] = "张晓明（个体工商户）"
    records = records_with(tmp_path, edit)
    site = page(tmp_path / "site", "<td>张*明</td><td>张晓明（个体工商户）</td>")
    assert leaks(site, records) == {("index.html", "姓名全名", worker("姓名"))}


def test_a_name_inside_a_longer_public_word_is_excused_and_reported(tmp_path):
    def edit(data):
        data["帮扶政策.xlsx"]["帮扶项目"][0]["对象条件"] = "居住在新张晓明园小区的困难职工"
    records = records_with(tmp_path, edit)
    site = page(tmp_path / "site", "<p>居住在新张晓明园小区的困难职工</p>")
    scan = privacy.scan_site(site, records)
    assert scan.ok and scan.skipped_public == 1
    assert scan.excused == [("张**", "居住在新张晓明园小区的困难职工")]
    assert "“居住在新张晓明园小区的困难职工”中的“张**”" in privacy.excused_note(scan)
    page(site, "<td>张晓明</td>", "other.html")  # the same name alone elsewhere: not excused
    assert leaks(site, records) == {("other.html", "姓名全名", worker("姓名"))}


@pytest.mark.parametrize("shown, kind, column", [
    ("138-0531-0001", "电话号码", "手机号码"),
    ("138.0531.0001", "电话号码", "手机号码"),
    ("+86 138 0531 0001", "电话号码", "手机号码"),
    ("-".join([ID_1[:6], ID_1[6:14], ID_1[14:]]), "身份证号", "身份证号"),
    ("張曉明", "姓名全名", "姓名"),
    ("幸福路 12 号", "住址", "家庭住址"),
])
def test_values_written_differently_are_found(tmp_path, shown, kind, column):
    records = records_with(tmp_path)
    site = page(tmp_path / "site", f"<p>{shown}</p>")
    assert leaks(site, records) == {("index.html", kind, worker(column))}


def test_a_bank_card_with_spaces_is_found(tmp_path):
    def edit(data):
        data["困难职工档案.xlsx"]["困难职工"][0]["银行卡号"] = "6222 0216 0201 2345 678"
    records = records_with(tmp_path, edit)
    assert records.workers[0].bank_account == "6222021602012345678"
    site = page(tmp_path / "site", "<p>6222-0216-0201-2345-678</p>")
    assert leaks(site, records) == {("index.html", "银行卡号", worker("银行卡号"))}


def test_a_kept_site_is_scanned_again_when_the_records_change(tmp_path):
    """A new family member whose name is already on the (unchanged) pages: the build that
    keeps the site must still scan it against the new records, and refuse."""
    data = station_data()
    data["帮扶资金.xlsx"]["资金账户"][0]["说明"] = "经办人：王美华"  # shown on the fund's page
    records = write_station(tmp_path / "records", data)
    site, said = tmp_path / "site", []
    assert build_all(records, site_dir=site, private_dir=None, today=TODAY, pdf=False,
                     echo=said.append) == 0, "\n".join(said)
    data["困难职工档案.xlsx"]["家庭成员"].append(
        {"档案编号": "SF-0001", "姓名": "王美华", "与户主关系": "其他", "性别": "女",
         "出生日期": date(1950, 1, 1)})
    write_station(records, data)
    said.clear()
    assert build_all(records, site_dir=site, private_dir=None, today=TODAY, pdf=False,
                     echo=said.append) == 1
    text = "\n".join(said)
    # nothing the site reads changed (family members are withheld from it): kept unrendered
    assert "网站用到的记录、模板和程序都没有变化，沿用现有网站（没有重新生成页面）。" in text
    assert "隐私检查（按新的记录检查现有网站）" in text
    assert "家庭成员信息（来自 困难职工档案.xlsx 工作表“家庭成员” B4，王**）" in text, text
