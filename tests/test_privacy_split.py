"""The leak scan reads a page as a reader sees it: a full name or a number split by an
inline tag, a line break or entities across a line break is found, on a page the search
index does not hold; the end of one table cell and the start of the next are not joined."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import privacy

from site_helpers import build_into
from station import ID_1, station_data, write_station

NAME3 = "张晓明"  # a worker of tests/station.py
PHONE = "13805310001"


def _entities(text: str) -> str:
    return "".join(f"&#{ord(c)};" for c in text)


SPLIT = {
    "inline-tag": f"<p>受助人 {NAME3[0]}<span class=\"x\">{NAME3[1:]}</span> 已领取</p>",
    "line-break": f"<p>受助人 {NAME3[:2]}\n{NAME3[2]} 已领取</p>",
    "entities-across-lines": f"<p>{_entities(NAME3[:2])}\n{_entities(NAME3[2])}</p>",
    "nested-inline-tags": f"<li><a href=\"#\"><strong>{NAME3[0]}</strong><em>{NAME3[1]}</em>{NAME3[2]}</a></li>",
    "comment": f"<p>{NAME3[:1]}<!-- x -->{NAME3[1:]}</p>",
}


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    from generator.reading import read_records

    folder = write_station(tmp_path_factory.mktemp("split") / "records", station_data())
    return read_records(folder).records


@pytest.mark.parametrize("form", list(SPLIT))
def test_a_split_name_is_found_with_and_without_the_cache(tmp_path, records, form):
    (tmp_path / "page.html").write_text(SPLIT[form], encoding="utf-8")
    for cache in (None, privacy.FileCache()):
        scan = privacy.scan_site(tmp_path, records, cache=cache)
        assert [(l.file, l.kind) for l in scan.leaks] == [("page.html", "姓名全名")], form
        assert NAME3 not in privacy.report(scan)


@pytest.mark.parametrize("text", [
    "<p>电话 138-0531-\n0001</p>", "<p>电话 1380531<b>0001</b></p>", f"<p>电话 {PHONE[:5]}\n{PHONE[5:]}</p>"])
def test_a_split_phone_is_found(tmp_path, records, text):
    (tmp_path / "page.html").write_text(text, encoding="utf-8")
    assert [(l.file, l.kind) for l in privacy.scan_site(tmp_path, records).leaks] == [("page.html", "电话号码")]


def test_a_split_identity_number_in_a_markdown_file_is_found(tmp_path, records):
    (tmp_path / "notes.md").write_text(f"证件\n{ID_1[:9]}\n{ID_1[9:]}\n\n下一段\n", encoding="utf-8")
    assert [(l.file, l.kind) for l in privacy.scan_site(tmp_path, records).leaks] == [("notes.md", "身份证号")]


@pytest.mark.parametrize("text", [
    f"<table><tr><td>{NAME3[:2]}</td><td>{NAME3[2]}</td></tr></table>",
    f"<table>\n<tr><td>{NAME3[:2]}</td>\n<td>{NAME3[2]}</td></tr></table>",
    f"<ul><li>{NAME3[:2]}</li>\n<li>{NAME3[2]}</li></ul>",
    f"<p>{NAME3[:2]}<br>{NAME3[2]}</p>",
    f"<div>{NAME3[:2]}</div><div>{NAME3[2]}</div>",
    f"<p>{NAME3[:2]}&lt;span&gt;</p><p>{NAME3[2]}</p>",
    f"{NAME3[:2]}\n\n{NAME3[2]}",  # two paragraphs of a text file
])
def test_block_boundaries_keep_words_apart(tmp_path, records, text):
    rel = "notes.txt" if "<" not in text else "page.html"
    (tmp_path / rel).write_text(text, encoding="utf-8")
    scan = privacy.scan_site(tmp_path, records)
    assert scan.ok, privacy.report(scan)


def test_flow_blocks_are_only_the_joined_ones():
    page = "<p>一行</p>\n<p>王<span>小</span>明</p>\n<p>甲\n乙 &amp; 丙</p>"
    assert privacy._flow_blocks(".html", page) == ["王小明", "甲乙 & 丙"]
    assert privacy._flow_blocks(".css", page) == []
    code = "<style>p {\n  color: red; }</style><script>a\nb</script><p>甲<br>乙</p>"
    assert privacy._flow_blocks(".html", code) == []
    assert privacy._flow_blocks(".txt", "甲\n乙\n\n丙\n丁") == ["甲乙", "丙丁"]


@pytest.mark.slow
@pytest.mark.parametrize("form", ["inline-tag", "line-break", "entities-across-lines"])
def test_a_split_name_left_out_of_search_fails_the_build(tmp_path, form):
    """The clerk's own home page template with a part the site search leaves out
    (data-search-exclude, as the statistics tables): a full name split in it fails the
    build naming the page, and no site is published."""
    records = write_station(tmp_path / "records", station_data())
    override = tmp_path / "site_templates" / "site"
    override.mkdir(parents=True)
    home = (Path(__file__).resolve().parent.parent / "site_templates/site/home.md.j2").read_text(encoding="utf-8")
    (override / "home.md.j2").write_text(home + f"\n<div data-search-exclude>\n{SPLIT[form]}\n</div>\n",
                                         encoding="utf-8")
    built = build_into(records, tmp_path, private=False)
    assert built.code == 1, built.output
    assert "隐私检查未通过" in built.output and "姓名全名" in built.output
    assert "index.html" in built.output and NAME3 not in built.output
    assert not (tmp_path / "site" / "index.html").exists()
