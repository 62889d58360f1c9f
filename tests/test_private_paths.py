"""File names from data never leave their folder; private/ never sits inside the site."""

import pytest
from hypothesis import given, settings, strategies as st

from generator.paths import inside, notice_slug, page_url, policy_slug, safe_filename, unique_names
from generator.private.paths import refuse_inside

RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


@pytest.mark.parametrize("text, expected", [
    ("SF-0001", "SF-0001"), ("../../etc/passwd", "etc_passwd"), ("CON", "_CON"), ("con.txt", "_con.txt"),
    ("NUL", "_NUL"), ("COM1", "_COM1"), ("..", "未命名"), ("", "未命名"), (None, "未命名"),
    ("医疗救助（大病）", "医疗救助_大病"), ("a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j"),
    (" 张 三 ", "张_三"), ("x\x00y\ny", "x_y_y"),
])
def test_safe_filename(text, expected):
    assert safe_filename(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_gives_a_file_inside_the_folder(tmp_path_factory, text):
    folder = tmp_path_factory.getbasetemp() / "names"
    folder.mkdir(exist_ok=True)
    stem = safe_filename(text)
    assert stem and len(stem) <= 81 and "/" not in stem and "\\" not in stem
    assert stem.split(".")[0].upper() not in RESERVED
    assert not stem.startswith(".") and not stem.endswith((".", " "))
    path = folder / f"{stem}.html"
    assert path.resolve().parent == folder.resolve()
    path.write_text("x", encoding="utf-8")  # the file system accepts it


def test_unique_names_are_unique_ignoring_case():
    stems = unique_names(["CON", "con", "a/b", "a_b", "A_B"])
    assert len({s.casefold() for s in stems.values()}) == 5
    assert stems["CON"] == "_CON" and stems["con"] == "_con-2"


def test_slugs_and_addresses_shared_with_the_site():
    assert notice_slug("GS-2026-05") == "GS-2026-05"
    assert policy_slug("医疗救助（大病）") == "医疗救助_大病"
    assert page_url("https://x.org/bangfu/", "notices", "GS-1") == "https://x.org/bangfu/notices/GS-1/"
    assert page_url("https://x.org", "policies", "医疗救助_大病") == \
        "https://x.org/policies/%E5%8C%BB%E7%96%97%E6%95%91%E5%8A%A9_%E5%A4%A7%E7%97%85.html"
    assert page_url("", "notices", "GS-1") is None and page_url(None, "notices", "GS-1") is None


def test_inside_refuses_escaping_paths(tmp_path):
    assert inside(tmp_path, tmp_path / "a" / "b.html") == (tmp_path / "a" / "b.html").resolve()
    with pytest.raises(ValueError):
        inside(tmp_path, tmp_path / ".." / "x.html")


def test_private_folder_refused_inside_the_site(tmp_path):
    site = tmp_path / "site"
    assert "公开网站文件夹" in refuse_inside(site / "private", [site])
    assert refuse_inside(site, [site])
    assert refuse_inside(tmp_path / "private", [site]) is None
    assert refuse_inside(tmp_path / "private", [site, None]) is None
    # a folder that looks like a built MkDocs site, whatever its name
    built = tmp_path / "public_html"
    (built / "search").mkdir(parents=True)
    (built / "search" / "search_index.json").write_text("{}", encoding="utf-8")
    assert "网站文件夹" in refuse_inside(built / "deep" / "private", [])
    other = tmp_path / "www"
    other.mkdir()
    (other / "sitemap.xml").write_text("<urlset/>", encoding="utf-8")
    assert refuse_inside(other / "private", [])
    assert refuse_inside(tmp_path / "elsewhere" / "private", []) is None
