"""The leak scan on crafted output folders, and statistics suppression."""

from __future__ import annotations

import gzip
import io
import json
import os
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from generator import privacy
from generator.site.stats import Grid

from station import ID_1, station_data, write_station

NAME3 = "张晓明"


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    from generator.reading import read_records

    folder = write_station(tmp_path_factory.mktemp("privacy") / "records", station_data())
    return read_records(folder).records


def scan(folder: Path, records):
    return privacy.scan_site(folder, records)


def write(folder: Path, rel: str, data) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def test_clean_folder_passes(tmp_path, records):
    write(tmp_path, "index.html", "<html><body><td>张*明</td><td>李*</td><p>测试机械厂</p></body></html>")
    result = scan(tmp_path, records)
    assert result.ok and result.files == 1 and result.values > 5


@pytest.mark.parametrize("rel, content, kind", [
    ("a/index.html", f"<td>{NAME3}</td>", "姓名全名"),
    ("b.html", "<p>住在测试镇幸福路&#32;12 号</p>", "住址"),
    ("c.html", f"<a title='{ID_1}'>x</a>", "身份证号"),
    ("d.html", "电话 13805310001", "电话号码"),
    ("e.svg", "<svg><text>刘</text><text>芳</text></svg>", "家庭成员信息"),
])
def test_each_kind_is_found_and_named(tmp_path, records, rel, content, kind):
    write(tmp_path, rel, content)
    result = scan(tmp_path, records)
    assert [(l.file, l.kind) for l in result.leaks] == [(rel, kind)]
    assert ID_1 not in privacy.report(result) and NAME3 not in privacy.report(result)


def test_search_index_is_decoded_before_scanning(tmp_path, records):
    text = json.dumps({"docs": [{"location": "x/", "title": "t", "text": "张\u200b晓明 同志"}]})
    assert "张" not in text  # written with \\uXXXX escapes, as mkdocs does
    write(tmp_path, "search/search_index.json", text)
    assert [l.kind for l in scan(tmp_path, records).leaks] == ["姓名全名"]


def test_the_offline_search_index_script_is_decoded_before_scanning(tmp_path, records):
    """search/search_index.js (`var __index = ` and the index's JSON, for file:// use): its
    strings are searched decoded, so a name written as \\uXXXX escapes is found; a number
    held as a JSON number too."""
    index = {"config": {"lang": ["en"]}, "docs": [{"location": "x/", "title": "t", "text": "张\u200b晓明 同志"}]}
    write(tmp_path, "search/search_index.js", "var __index = " + json.dumps(index))
    assert [(l.file, l.kind) for l in scan(tmp_path, records).leaks] == [("search/search_index.js", "姓名全名")]
    write(tmp_path, "search/search_index.js", "var __index = " + json.dumps({"docs": [{"n": 13805310001}]}) + ";")
    assert [l.kind for l in scan(tmp_path, records).leaks] == ["电话号码"]
    write(tmp_path, "search/search_index.js", "var __index = {not json}; // 13805310001")
    assert [l.kind for l in scan(tmp_path, records).leaks] == ["电话号码"]  # not data: searched as it is


def test_gzip_sitemap_and_xlsx_download_are_scanned(tmp_path, records):
    write(tmp_path, "sitemap.xml.gz", gzip.compress(f"<loc>https://x/{ID_1}/</loc>".encode()))
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", NAME3])
    buf = io.BytesIO()
    wb.save(buf)
    write(tmp_path, "downloads/summary.xlsx", buf.getvalue())
    found = {(l.file, l.kind) for l in scan(tmp_path, records).leaks}
    assert found == {("sitemap.xml.gz", "身份证号"), ("downloads/summary.xlsx", "姓名全名")}


def chinese_pdf(html: str) -> bytes:
    """A PDF of `html` with its Chinese text as text: without a Chinese font WeasyPrint draws
    empty boxes and there is no text to scan, so the test is skipped, saying why (an error
    where CI installed the fonts with the browser)."""
    weasyprint = pytest.importorskip("weasyprint")
    from generator.private import pdf

    if not pdf.chinese_font():
        if os.environ.get("BANGFU_REQUIRE_BROWSER"):
            pytest.fail("no Chinese font, though the browser and its fonts are required here")
        pytest.skip("no Chinese font (fonts-noto-cjk): the PDF would hold empty boxes, not the name")
    return weasyprint.HTML(string=html).write_pdf()


def test_pdf_text_is_scanned(tmp_path, records):
    html = f'<html lang="zh-CN"><body style="font-family: \'Noto Sans CJK SC\'"><p>{NAME3}</p></body></html>'
    write(tmp_path, "print/a.pdf", chinese_pdf(html))
    assert [(l.file, l.kind) for l in scan(tmp_path, records).leaks] == [("print/a.pdf", "姓名全名")]


def test_pdf_scan_needs_no_system_program(tmp_path, records, monkeypatch):
    """pdftotext (poppler) absent from PATH: PDFs are still read (pypdf), not left unscanned."""
    html = f'<html lang="zh-CN"><body style="font-family: \'Noto Sans CJK SC\'"><p>名单：{NAME3}</p></body></html>'
    pdf_bytes = chinese_pdf(html)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    write(tmp_path / "s", "print/a.pdf", pdf_bytes)
    write(tmp_path / "s", "print/b.pdf", b"%PDF-1.7 not really a pdf")
    result = scan(tmp_path / "s", records)
    assert [(l.file, l.kind) for l in result.leaks] == [("print/a.pdf", "姓名全名")]
    assert result.unscanned == ["print/b.pdf"]


def test_two_character_names_only_as_a_whole(tmp_path, records):
    # 李红 is a worker of the small station: inside a longer run of Han text it is a word
    write(tmp_path, "a.html", "<p>李红梅花开</p>")
    assert scan(tmp_path, records).ok
    write(tmp_path, "b.html", "<td>李红</td>")
    assert [l.file for l in scan(tmp_path, records).leaks] == ["b.html"]


def test_full_names_setting_stops_name_search_but_not_identity(tmp_path):
    from generator.reading import read_records

    data = station_data()
    for row in data["帮扶政策.xlsx"]["站点设置"]:
        if row["设置项"] == "公开完整姓名":
            row["值"] = "是"
    recs = read_records(write_station(tmp_path / "records", data)).records
    out = tmp_path / "site"
    write(out, "a.html", f"<td>{NAME3}</td><td>{ID_1}</td>")
    assert [l.kind for l in scan(out, recs).leaks] == ["身份证号"]


def test_station_public_text_is_not_a_leak(tmp_path, records):
    # the employer of a worker is public; a note equal to it cannot be told apart
    write(tmp_path, "a.html", "<td>测试机械厂</td><td>测试镇人民路 1 号</td>")
    assert scan(tmp_path, records).ok


def test_preview_never_shows_the_value():
    assert privacy.preview("370102197805120036") == "37**************36"
    assert privacy.preview("张晓明") == "张**"


# --- statistics suppression ---------------------------------------------------------
def grid_with(counts: dict, lines: list) -> Grid:
    g = Grid()
    person = 0
    for key, n in counts.items():
        for _ in range(n):
            person += 1
            g[key].add(person, Decimal(100))
            g[("all",)].add(person, Decimal(100))
    for keys in lines:
        g.line(keys, ("all",))
    return g


def test_primary_and_secondary_suppression():
    g = grid_with({"a": 10, "b": 2, "c": 5, "d": 7}, [["a", "b", "c", "d"]])
    g.suppress(3)
    hidden = {k for k in "abcd" if g[k].hidden}
    assert hidden == {"b", "c"}  # b is small; c, the next smallest, so b = total - a - d fails
    assert not g[("all",)].hidden


def test_suppression_hides_the_total_when_nothing_else_can_be():
    g = grid_with({"a": 2}, [["a"]])
    g.suppress(3)
    assert g["a"].hidden and g[("all",)].hidden


def test_linked_lines_never_keep_a_single_hidden_cell():
    # a 2x2 table with its row and column sums: one small cell forces three more
    g = Grid()
    counts = {("r1", "c1"): 2, ("r1", "c2"): 9, ("r2", "c1"): 8, ("r2", "c2"): 9}
    person = 0
    for (r, c), n in counts.items():
        for _ in range(n):
            person += 1
            for key in ((r, c), (r, None), (None, c), ("all",)):
                g[key].add(person, Decimal(1))
    for r in ("r1", "r2"):
        g.line([(r, "c1"), (r, "c2")], (r, None))
    for c in ("c1", "c2"):
        g.line([("r1", c), ("r2", c)], (None, c))
    g.line([("r1", None), ("r2", None)], ("all",))
    g.line([(None, "c1"), (None, "c2")], ("all",))
    g.suppress(3)
    for keys, total, _counts in g.lines:
        members = [g[k] for k in keys] + [g[total]]
        assert sum(m.hidden for m in members) != 1
    assert g[("r1", "c1")].hidden


def _needle(text: str, sensitive: str = "", is_name: bool = False) -> privacy.Needle:
    return privacy.Needle(text, "测试", f"表 A{len(text)}", sensitive, is_name)


def test_a_scan_with_a_cache_equals_a_fresh_scan_through_edits(tmp_path):
    """The cache keeps which values each line held: the next scan searches only new lines, and
    the old lines only for values new since (ADDED_MAX). Through edits of pages and values,
    each scan equals a scan without the cache: leaks, their files, excused values."""
    from generator import schema

    site = tmp_path / "site"
    idno = privacy.normalise("110101199003071234")
    needles = [_needle("张晓明", schema.S_NAME, True), _needle("王芳", schema.S_NAME, True),
               _needle(idno, schema.S_IDNO), _needle("幸福路12号"), _needle("a1"),
               _needle("糖尿病")]
    allow = privacy.normalise("王芳园小区\n测试机械厂")
    write(site, "a.html", "<p>测试机械厂</p>\n<p>王芳园小区</p>")  # 王芳 only inside a public word
    write(site, "b.html", "<p>公示期满</p>")
    cache = privacy.FileCache()
    steps = [
        lambda: None,
        lambda: write(site, "b.html", "<p>公示期满</p>\n<p>王芳</p>"),  # a new line with an old value
        lambda: write(site, "c.html", "<p>身份证 110101 19900307 1234</p>"),  # a new file
        lambda: needles.append(_needle("李四", schema.S_NAME, True)),  # a value new since the last scan
        lambda: write(site, "a.html", "<p>测试机械厂</p>\n<p>李四</p>"),  # an old line holds it now
        lambda: needles.append(_needle("公示期")),  # new value, on a line searched before
        lambda: needles.remove(needles[1]),  # a value gone: 王芳 no longer looked for
        lambda: (site / "c.html").unlink(),  # a file gone
        lambda: write(site, "d.html", "<p>病史：糖尿病、a1、幸福路12号</p>"),
        lambda: needles.extend(_needle(f"值{i:03d}号") for i in range(privacy.ADDED_MAX + 1)),  # many: all again
        lambda: write(site, "b.html", "<p>值007号</p>"),
    ]
    seen = []
    for step in steps:
        step()
        cached = privacy.scan_folder(site, list(needles), allow, cache)
        fresh = privacy.scan_folder(site, list(needles), allow)
        assert cached == fresh
        seen.append(sorted((leak.file, leak.preview) for leak in fresh.leaks))
    assert seen[0] == [] and cached.files == 3
    assert seen[1] == [("a.html", "王*")]  # the first page holding it (where it is not excused)
    assert seen[2] == seen[3] == [("a.html", "王*"), ("c.html", "11**************34")]
    assert seen[4] == [("a.html", "李*"), ("b.html", "王*"), ("c.html", "11**************34")]
    assert seen[5] == [("a.html", "李*"), ("b.html", "公**"), ("b.html", "王*"), ("c.html", "11**************34")]
    assert seen[7] == [("a.html", "李*"), ("b.html", "公**")]
    assert seen[8] == seen[9] == [("a.html", "李*"), ("b.html", "公**"), ("d.html", "a*"), ("d.html", "幸****号"),
                                  ("d.html", "糖**")]
    assert seen[10] == [("a.html", "李*"), ("b.html", "值***号"), ("d.html", "a*"), ("d.html", "幸****号"),
                        ("d.html", "糖**")]


def test_the_search_cache_survives_save_and_load(tmp_path):
    site = tmp_path / "site"
    write(site, "a.html", "<p>张晓明</p>")
    needles = [_needle("张晓明", "name", True), _needle("13800138000", "phone")]  # the phone is not on the site
    cache = privacy.FileCache()
    first = privacy.scan_folder(site, needles, "", cache)
    cache.save(tmp_path / "scan.pickle")
    saved = (tmp_path / "scan.pickle").read_bytes()
    assert b"13800138000" not in saved and (tmp_path / "scan.pickle").stat().st_mode & 0o777 == 0o600
    again = privacy.FileCache.load(tmp_path / "scan.pickle")
    assert again.searched is not None and len(again.searched[0]) == 2  # values by digest only
    write(site, "b.html", "<p>王芳</p>")
    needles.append(_needle("王芳", "name", True))
    second = privacy.scan_folder(site, needles, "", again)
    assert first.leaks and second == privacy.scan_folder(site, needles, "")
    assert [leak.file for leak in second.leaks] == ["a.html", "b.html"]
