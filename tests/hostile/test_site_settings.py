"""Settings and folders that reach the public site: the station's name never becomes markup,
an unsafe site address is refused at its cell, and a site folder that is a link (to a web
server's folder) is published through the link."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import pytest

from generator.build import build_all

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from station import station_data, write_station  # noqa: E402

TODAY = date(2026, 11, 23)
pytestmark = pytest.mark.slow  # real mkdocs builds
SCRIPT = "<script>alert(1)</script>"


def settings_row(data, key: str) -> dict:
    return next(r for r in data["帮扶政策.xlsx"]["站点设置"] if r["设置项"] == key)


def test_the_station_name_never_becomes_markup(tmp_path):
    data = station_data()
    settings_row(data, "站点名称")["值"] = f'测试站{SCRIPT}"&'
    records = write_station(tmp_path / "records", data)
    said: list[str] = []
    assert build_all(records, site_dir=tmp_path / "site", private_dir=None, today=TODAY, pdf=False,
                     echo=said.append) == 0, "\n".join(said)
    pages = sorted((tmp_path / "site").rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text, page
        assert "&amp;lt;" not in text, page  # escaped once, not twice
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<title>" in home and "&lt;script&gt;alert(1)&lt;/script&gt;" in home


@pytest.mark.parametrize("url", ['https://gh.example.cn/" onmouseover="alert(1)', "javascript:alert(1)",
                                 "https://gh.example.cn/<b>"])
def test_an_unsafe_site_address_is_refused_at_its_cell(tmp_path, url):
    data = station_data()
    data["帮扶政策.xlsx"]["站点设置"].append({"设置项": "网站地址", "值": url})
    records = write_station(tmp_path / "records", data)
    said: list[str] = []
    assert build_all(records, site_dir=tmp_path / "site", private_dir=None, today=TODAY, pdf=False,
                     echo=said.append) == 1
    text = "\n".join(said)
    row = len(data["帮扶政策.xlsx"]["站点设置"]) + 1
    assert f"错误 B{row} 站点设置“网站地址”的值" in text and "[setting-invalid]" in text
    assert not (tmp_path / "site").exists()


def test_a_site_folder_that_is_a_link_is_published_through_it(tmp_path):
    records = write_station(tmp_path / "records", station_data())
    served = tmp_path / "www" / "bangfu"
    served.mkdir(parents=True)
    link = tmp_path / "site"
    os.symlink(served, link)
    said: list[str] = []
    assert build_all(records, site_dir=link, private_dir=None, today=TODAY, pdf=False, echo=said.append) == 0
    assert link.is_symlink() and os.readlink(link) == str(served)
    assert (served / "index.html").is_file() and (served / ".bangfu-site").is_file()
    assert f"“{link}”是指向“{served}”的链接，将生成到“{served}”（链接保持不变）。" in said
    data = station_data()  # a second build replaces what the web server serves
    settings_row(data, "站点名称")["值"] = "测试镇帮扶站（新名）"
    write_station(records, data)
    assert build_all(records, site_dir=link, private_dir=None, today=TODAY, pdf=False, echo=said.append) == 0
    assert link.is_symlink()
    assert "测试镇帮扶站（新名）" in (served / "index.html").read_text(encoding="utf-8")
