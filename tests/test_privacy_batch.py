"""The leak scan normalises many texts at once (privacy.normal.normalise_many) and works out a
table's values column by column: both give exactly what normalising and going through the
rows one by one gave, and a scan finds the same leaks either way."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from generator import privacy, schema
from generator.privacy import files as scan_files, values as scan_values
from generator.privacy.normal import _SEP, normalise, normalise_many
from generator.reading import read_records

from station import ID_1, ID_2, station_data, write_station

TRICKY = [
    "", " ", "张晓明", "張曉明", "臺灣省臺北市中山區", "ＡＢＣ１２３", "ΑΣ", "ΑΣ Α", "ς",
    "\u0301张", "e\u0301", "\u1100\u1161", "\u1161", "王\u200b小\u200d明", "\ufeff李红\u00ad",
    "１３８-００１３-８０００", "ﬁ", "㈱", "①②", "Ⅻ", "\u3000人民路\u300012 号", "乾隆後面",
    "後", "面", "「臺灣」", "a\nb\r\nc", "\x00", "Straße", "İstanbul", "ǅ", "\U00020000\U0002f800",
    f"有{_SEP}分隔", _SEP,
]


def test_many_texts_normalised_together_are_each_normalised_alone():
    assert normalise_many(TRICKY) == [normalise(t) for t in TRICKY]
    without = [t for t in TRICKY if _SEP not in t]
    assert normalise_many(without) == [normalise(t) for t in without]
    for i in range(len(without)):  # every neighbour of every text
        pair = without[i:i + 2] + without[:1]
        assert normalise_many(pair) == [normalise(t) for t in pair]
    assert normalise_many([]) == [] and normalise_many(["張"]) == ["张"]


def one_by_one(records, sheet, rows, full: bool) -> list[tuple]:
    """The values of a table as the scan went through them before: row by row, each value
    normalised alone (needle, kind, where, sensitive, is_name)."""
    found: dict[str, tuple] = {}
    for column in sheet.columns:
        minimum = scan_values._min_length(column, full)
        if minimum is None:
            continue
        sensitive = column.sensitive
        where = scan_values._Where(records, sheet.key, column.key)
        done: set[str] = set()
        for rec in rows:
            value = getattr(rec, column.key, None)
            if not isinstance(value, str) or not value or value in done:
                continue
            done.add(value)
            norm = normalise(value)
            if sensitive in privacy.NUMBERS:
                texts: list[str] = [privacy._number(norm)]
            elif sensitive == schema.S_ADDRESS:
                texts = [norm, *privacy.address_tails(norm)]
            else:
                texts = [norm]
            for text in texts:
                if len(text) >= minimum and text not in found:
                    found[text] = (text, privacy.KIND_ZH[sensitive], where(rec.row), sensitive,
                                   sensitive == schema.S_NAME or column.key == "name")
    return sorted(found.values())


def crowded_station(tmp_path: Path) -> Path:
    """The test station with values repeated, written in traditional and full-width forms."""
    data = station_data()
    workers = data["困难职工档案.xlsx"]["困难职工"]
    workers[1]["工作单位"] = workers[0].get("工作单位")
    members = data["困难职工档案.xlsx"]["家庭成员"]
    members.append({**members[0], "姓名": "劉芳"})
    members.append({**members[1], "姓名": "張小宇", "工作单位或学校": "测试市第一中学"})
    return write_station(tmp_path / "records", data)


@pytest.mark.parametrize("full", [False, True])
def test_values_column_by_column_are_those_row_by_row(tmp_path, full):
    records = read_records(crowded_station(tmp_path)).records
    scan_values._LAST_VALUES[0] = {}
    compared = 0
    for _, sheet in schema.all_sheets():
        rows = getattr(records, sheet.key, None)
        if not rows or sheet.settings:
            continue
        needles = privacy._table_needles(records, sheet, rows, full, {})
        got = sorted((n.text, n.kind, n.where, n.sensitive, n.is_name) for n in needles)
        assert got == one_by_one(records, sheet, rows, full), sheet.key
        assert len({n.text for n in needles}) == len(needles)
        table = privacy.ValueTable.of_columns(*scan_values._table_values(records, sheet, rows, full, {}))
        reference = privacy.ValueTable.of(needles)
        assert (table.texts, table.wheres, table.keys, table.signs, table.blob, vars(table.shapes)) == \
            (reference.texts, reference.wheres, reference.keys, reference.signs, reference.blob,
             vars(reference.shapes))
        compared += len(needles)
    assert compared > 10


def plant(site: Path) -> None:
    """A name, an ID number and a phone on a page, in the search index and in the sitemaps."""
    site.mkdir(parents=True)
    (site / "index.html").write_text("<html><body><p>张晓明</p><td>138 0531 0001</td></body></html>",
                                     encoding="utf-8")
    (site / "clean.html").write_text("<p>測試鎮總工會 張*明</p>", encoding="utf-8")
    search = site / "search"
    search.mkdir()
    index = {"docs": [{"location": "x/", "title": "t", "text": "劉\u200b芳，同志"},
                      {"location": "y/", "title": "t", "text": f"证号 {ID_1[:6]}-{ID_1[6:]}"}]}
    (search / "search_index.json").write_text(json.dumps(index), encoding="utf-8")
    (site / "sitemap.xml").write_text("<urlset><url><loc>https://x/%E5%BC%A0%E5%B0%8F%E5%AE%87/</loc></url></urlset>",
                                      encoding="utf-8")
    (site / "sitemap.xml.gz").write_bytes(gzip.compress(f"<loc>https://x/{ID_2}/</loc>".encode()))


def test_the_scan_finds_the_same_leaks_as_normalising_one_by_one(tmp_path, monkeypatch):
    records = read_records(crowded_station(tmp_path)).records
    site = tmp_path / "site"
    plant(site)

    def leaks():
        for kept in (privacy._LINES, privacy._VIEWS, privacy._STRINGS):
            kept[:] = [{}, {}]
        scan_values._LAST_VALUES[0] = {}
        privacy._RUNS["texts"], privacy._RUNS["runs"] = None, {}
        scan = privacy.scan_site(site, records)
        return sorted((l.file, l.kind, l.where, l.preview) for l in scan.leaks), scan.values

    fast = leaks()
    monkeypatch.setattr(scan_values, "normalise_many", lambda texts: [normalise(t) for t in texts])
    monkeypatch.setattr(scan_files, "normalise_many", lambda texts: [normalise(t) for t in texts])
    slow = leaks()
    assert fast == slow
    assert {(file, kind) for file, kind, _, _ in fast[0]} == {
        ("index.html", "姓名全名"), ("index.html", "电话号码"), ("search/search_index.json", "家庭成员信息"),
        ("search/search_index.json", "身份证号"), ("sitemap.xml", "家庭成员信息"), ("sitemap.xml.gz", "身份证号")}
