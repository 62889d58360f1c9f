"""`bangfu serve` keeps each page's converted HTML and search entries between its builds
(site/mkdocs_memo.py): after a save, the site is byte for byte what a fresh `bangfu build`
of the same records writes, while pages whose Markdown did not change are not converted."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
from test_site_incremental import _payout_amount, _station_name, name_only, station_name, tree

from generator.site import mkdocs_memo

from site_helpers import build_into
from station import ID_1, station_data, write_station

pytestmark = pytest.mark.slow  # builds a small station five times


@pytest.fixture
def memo():
    mkdocs_memo.keep_pages(True)
    yield
    mkdocs_memo.keep_pages(False)


def _build(root, data):
    write_station(root / "records", data)
    built = build_into(root / "records", root, private=False)
    assert built.code == 0, built.output
    return built


def _markdown(root) -> dict:
    docs = root / ".bangfu" / "docs"
    return {p.relative_to(docs): p.read_bytes() for p in docs.rglob("*.md")}


def test_serve_rebuilds_equal_fresh_builds(tmp_path, memo):
    root = tmp_path / "serve"
    data = station_data()
    _build(root, data)
    assert mkdocs_memo.reused() == (0, 0)  # nothing to reuse yet
    before = _markdown(root)
    pages = len(before)

    renamed = copy.deepcopy(data)
    _station_name(renamed)  # every page's header changes, the Markdown of the pages not naming it does not
    second = _build(root, renamed)
    assert "mkdocs" in second.timings
    after = _markdown(root)
    same = sum(1 for path, text in after.items() if before.get(path) == text)
    assert 0 < same < pages
    # pages whose Markdown differs by the name alone, outside headings, are not converted again
    # either (mkdocs_memo.NAME_SLOT); their HTML changed, so they are indexed anew
    only_name = name_only(before, after, station_name(data), station_name(renamed))
    assert only_name > 0
    assert mkdocs_memo.reused() == (same + only_name, same)
    # and the pages whose HTML differs by the name alone are not parsed for the search index again
    assert mkdocs_memo.named_sections() >= only_name
    after_rename = tree(second.site)
    # nor put into the theme again: each page's theme output was kept with the name as NAME_SLOT
    # (checked against the theme's own output in the first build) and the new name put back
    assert mkdocs_memo._STATE["theme_builds_checked"] == 1 and not mkdocs_memo._STATE.get("theme_off")
    assert same + only_name <= mkdocs_memo._STATE["theme_hits"] < pages
    assert "测试镇总工会职工帮扶中心" in (second.site / "index.html").read_text(encoding="utf-8")

    paid = copy.deepcopy(renamed)
    _payout_amount(paid)  # the pages showing this payout change; the others are carried
    third = _build(root, paid)
    converted, indexed = mkdocs_memo.reused()
    assert 0 < converted < pages
    assert indexed == 0  # carried pages keep their old entries, the changed ones are indexed anew
    after_payout = tree(root / "site")

    # with everything kept from the serve builds before, a leak still fails the rebuild
    override = root / "site_templates" / "site"
    override.mkdir(parents=True)
    home = (Path(__file__).resolve().parent.parent / "site_templates/site/home.md.j2").read_text(encoding="utf-8")
    (override / "home.md.j2").write_text(home + f"\n联系人证件：{ID_1}\n", encoding="utf-8")
    leaked = build_into(root / "records", root, private=False)
    assert leaked.code == 1 and "隐私检查未通过" in leaked.output and "身份证号" in leaked.output
    assert tree(root / "site") == after_payout  # the site served stays as it was
    (override / "home.md.j2").unlink()

    mkdocs_memo.keep_pages(False)  # fresh builds, as `bangfu build` makes them
    fresh1, fresh2 = _build(tmp_path / "fresh1", renamed), _build(tmp_path / "fresh2", paid)
    assert after_rename == tree(fresh1.site)
    assert after_payout == tree(fresh2.site)
    assert mkdocs_memo.reused() == (0, 0)
    # the leak scan kept between serve's builds (lines, runs, values) checks what a fresh scan checks
    assert _scanned(second) == _scanned(fresh1) and _scanned(third) == _scanned(fresh2)


def _scanned(built) -> str:
    """The scan's summary: how many files and values were checked."""
    found = re.search(r"隐私检查通过（\d+ 个文件，\d+ 项个人信息）", built.output)
    assert found, built.output
    return found.group(0)


def _page(content: str):
    from types import SimpleNamespace

    return SimpleNamespace(content=content, meta={}, title="首页", toc=[], url="",
                           file=SimpleNamespace(src_uri="index.md", dest_uri="index.html"))


def test_the_theme_memo_puts_the_name_back_and_turns_off_for_a_theme_doing_more_with_it(memo):
    """ThemeMemo: a page is put into the theme with NAME_SLOT for the name and written with the
    name back; saved under another name it comes from memory with the new name, as the theme
    would have written it. A theme that does more with the name than print it (its length
    here) gives another output under NAME_SLOT: the first build's comparison finds that, the
    page is written as the theme makes it, and the memo stays off for the process."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(autoescape=True)
    printing = env.from_string("<title>{{ config.site_name }}</title><p>{{ config.extra.bangfu.station | e }}</p>"
                               "{{ page.content | safe }}")

    def build(template, name: str) -> tuple[str, mkdocs_memo.ThemeMemo]:
        theme = mkdocs_memo.ThemeMemo(name, "options")
        page = _page(f"<p>本站：{name}</p>")
        context = {"config": {"site_name": Markup(name), "extra": {"bangfu": {"station": name}}}, "page": page}
        out = mkdocs_memo._Themed(theme, template, page).render(context)
        assert out == template.render(context) and page.content == f"<p>本站：{name}</p>"
        assert context["config"]["site_name"] == name  # put back for the rest of the build
        theme.on_post_build(config={})
        return out, theme

    out, theme = build(printing, "示范镇帮扶站")
    assert theme.checked == 1 and theme.hits == 0 and "示范镇帮扶站" in out
    out, theme = build(printing, "新名字帮扶站")  # from memory, the new name put back
    assert theme.hits == 1 and theme.checked == 0 and out.count("新名字帮扶站") == 3

    mkdocs_memo.keep_pages(True)  # another process
    measuring = env.from_string("<title>{{ config.site_name }}（{{ config.site_name | length }} 字）</title>"
                                "{{ page.content | safe }}")
    out, theme = build(measuring, "示范镇帮扶站")
    assert "（6 字）" in out and mkdocs_memo._STATE["theme_off"]
    out, theme = build(measuring, "新名字帮扶站")
    assert theme.hits == 0 and theme.checked == 0
