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
