"""Incremental builds: after one edited cell, `bangfu build` carries the unchanged site pages
(and private documents) over from the last build, and what it writes is byte for byte what a
fresh build of the same records writes (apart from timestamps inside zip and gzip files)."""

from __future__ import annotations

import gzip
import io
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

from generator.private import carry
from generator.site import mkdocs_memo

from site_helpers import build_into
from station import station_data, write_station

pytestmark = pytest.mark.slow  # each case builds a small station three times


def tree(folder: Path) -> dict[str, bytes]:
    """Every file by relative path; zip files as their members without the time stamp part,
    gzip files decompressed (the header holds a time)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name == carry.NAME:
            continue
        rel = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for name in sorted(z.namelist()):
                    if name != "docProps/core.xml":  # created/modified time
                        out[f"{rel}!{name}"] = z.read(name)
        elif path.suffix == ".gz":
            out[rel] = gzip.decompress(data)
        else:
            out[rel] = data
    return out


def _visit_note(data):
    data["困难职工档案.xlsx"]["走访记录"][0]["情况记录"] = "入户核实家庭收入，情况属实，建议继续帮扶"


def _payout_amount(data):
    data["帮扶记录.xlsx"]["帮扶发放"][1]["金额"] = 7900


def _payout_fund(data):
    """Two funds' totals change (a payout paid from the other fund), the payouts' sum does not."""
    data["帮扶记录.xlsx"]["帮扶发放"][0]["资金账户"] = "地方财政配套资金"


def _income_amount(data):
    """A fund's total and balance change; no payout, worker or batch does (the plan is the same)."""
    data["帮扶资金.xlsx"]["资金收入"][1]["金额"] = 23456.78


def _station_name(data):
    for row in data["帮扶政策.xlsx"]["站点设置"]:
        if row["设置项"] == "站点名称":
            row["值"] = "测试镇总工会职工帮扶中心"


def station_name(data) -> str:
    return next(row["值"] for row in data["帮扶政策.xlsx"]["站点设置"] if row["设置项"] == "站点名称")


def name_only(before: dict, after: dict, old: str, new: str) -> int:
    """Pages whose Markdown differs from `before` by the station's name alone, outside headings
    (mkdocs_memo.NAME_SLOT: these are not converted again)."""
    old_b, new_b = old.encode(), new.encode()
    return sum(1 for path, text in after.items()
               if before.get(path) != text and before.get(path, b"").replace(old_b, new_b) == text
               and not any(line.startswith(b"#") and new_b in line for line in text.splitlines()))


def _disclosure_date(data):
    data["帮扶记录.xlsx"]["公示批次"][0]["开始日期"] = date(2024, 2, 28)


def _member_health(data):
    data["困难职工档案.xlsx"]["家庭成员"][1]["健康状况"] = "残疾"


def _calendar_note(data):
    data["帮扶政策.xlsx"]["调休安排"][0]["说明"] = "元旦假期"


def _reception_entry(data):
    data["帮扶记录.xlsx"]["接待登记"] = [
        {"登记编号": "JD-2026-001", "接待日期": date(2026, 9, 1), "姓名": "赵建国", "事项类别": "法律援助",
         "诉求内容": "被拖欠工资三个月", "转办单位": "县总工会法律服务中心", "办结日期": date(2026, 9, 8)}]


def _worker_phone(data):
    data["困难职工档案.xlsx"]["困难职工"][0]["手机号码"] = "13805319999"


# (name, the edit, whether the public pages change); the edits of a table the public side
# does not read (site/public.py: visits, members, the calendar) carry the site unrendered
EDITS = [("visit note (private only)", _visit_note, False),
         ("family member (private only)", _member_health, False),
         ("work calendar (private only)", _calendar_note, False),
         ("reception entry (private only)", _reception_entry, False),
         ("worker phone (register, not shown)", _worker_phone, False),
         ("payout amount (public)", _payout_amount, True),  # paid in 2024, the site's latest year 2026
         ("payout fund (public, two funds' totals)", _payout_fund, True),
         ("fund income amount (public)", _income_amount, True),
         ("disclosure start date (public)", _disclosure_date, True),
         ("station name (setting)", _station_name, True)]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("base")
    write_station(root / "records")
    built = build_into(root / "records", root)
    assert built.code == 0, built.output
    return root


def _carried(output: str) -> int:
    found = re.search(r"其中 (\d+) 个页面没有变化", output)
    return int(found.group(1)) if found else 0


def _equals_fresh(again, data, fresh: Path):
    """A fresh build of `data` in `fresh`, whose site and private folder equal those of `again`."""
    write_station(fresh / "records", data)
    new = build_into(fresh / "records", fresh)
    assert new.code == 0, new.output
    assert tree(again.site) == tree(new.site)
    assert tree(again.private) == tree(new.private)
    return new


@pytest.mark.parametrize("name,edit,public", EDITS, ids=[e[0] for e in EDITS])
def test_one_cell_rebuild_equals_a_fresh_build(base, tmp_path, name, edit, public):
    incremental = tmp_path / "incremental"
    shutil.copytree(base, incremental, symlinks=True)  # keeps times: the state still matches
    data = station_data()
    edit(data)
    write_station(incremental / "records", data)
    again = build_into(incremental / "records", incremental)
    assert again.code == 0, again.output
    converted_again = mkdocs_memo.reused()
    same_markdown = sum(1 for path, text in _markdown(incremental).items() if _markdown(base).get(path) == text)
    new = _equals_fresh(again, data, tmp_path / "fresh")
    assert _privacy_line(again.output) == _privacy_line(new.output)  # files and values counted alike
    assert tree(again.site) != tree(base / "site") if public else tree(again.site) == tree(base / "site")
    pages = sum(1 for _ in (base / ".bangfu" / "docs").rglob("*.md"))
    if name.startswith("worker phone"):  # the register is read by the site: rendered, same pages
        assert "render" in again.timings and "页面内容没有变化，沿用现有网站" in again.output
        assert "mkdocs" not in again.timings
    elif not public:  # nothing the site reads changed: not even the pages' Markdown is rendered
        assert "沿用现有网站（没有重新生成页面）" in again.output
        assert "render" not in again.timings and "mkdocs" not in again.timings
        assert "隐私检查（按新的记录检查现有网站）" in again.output  # judged against the new records
        assert "footprint" in again.timings  # from the footprint of the site's last scan, not read again
    elif name.startswith(("payout", "disclosure", "fund income")):
        assert 0 < _carried(again.output) < pages  # the pages showing the payout or batch are built again
        # the unchanged pages' Markdown is not converted again (the conversions kept on disk)
        assert 0 < same_markdown < pages and converted_again[0] == same_markdown
    else:
        assert _carried(again.output) == 0  # every page shows the station's name
        # the pages whose Markdown differs by the name alone are not converted again either
        only_name = name_only(_markdown(base), _markdown(incremental), station_name(station_data()),
                              station_name(data))
        assert 0 < same_markdown < pages and 0 < only_name
        assert converted_again == (same_markdown + only_name, same_markdown)
    assert not mkdocs_memo.kept()  # a one-off build keeps nothing in memory


def _privacy_line(output: str) -> str:
    found = re.search(r"隐私检查通过（[^）]*）", output)
    assert found, output
    return found.group(0)


def _visit_note_build(base: Path, root: Path, note: str, before=None):
    """A copy of `base` built again after its first visit's note is set to `note` (`before(root)`
    runs on the copy first)."""
    shutil.copytree(base, root, symlinks=True)  # keeps times: the state still matches
    if before is not None:
        before(root)
    data = station_data()
    data["困难职工档案.xlsx"]["走访记录"][0]["情况记录"] = note
    write_station(root / "records", data)
    return build_into(root / "records", root)


def test_a_visit_note_the_carried_site_shows_fails_the_build(base, tmp_path):
    """A visit note is not rendered, so the site is carried; but a note whose text the site
    already shows (here a disclosure batch's title) is a leak all the same: the footprint of the
    last scan cannot clear it, the site is scanned, and the build fails, both folders as they were."""
    built = _visit_note_build(base, tmp_path / "leak", "2024年第一批困难职工建档公示")
    assert built.code == 1, built.output
    assert "隐私检查未通过" in built.output and "情况记录或备注" in built.output
    assert "但现有网站中已有这些信息" in built.output and "footprint" not in built.timings
    assert tree(built.site) == tree(base / "site") and tree(built.private) == tree(base / "private")


def test_a_damaged_footprint_means_a_full_scan(base, tmp_path):
    """The footprint is a file in the work folder: damaged, the site is scanned as without one,
    the build passes as a fresh one does and keeps a sound footprint for the next build."""
    from generator import keptfile, privacy

    def damage(root):
        path = root / ".bangfu" / "scan-footprint-site.pickle"
        assert keptfile.load_value(path, privacy.Footprint) is not None  # the base build kept one
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    note = "入户核实家庭收入，情况属实，建议继续帮扶"
    built = _visit_note_build(base, tmp_path / "damaged", note, before=damage)
    assert built.code == 0, built.output
    assert "footprint" not in built.timings and "scan" in built.timings
    fresh = tmp_path / "fresh"
    data = station_data()
    data["困难职工档案.xlsx"]["走访记录"][0]["情况记录"] = note
    write_station(fresh / "records", data)
    new = build_into(fresh / "records", fresh)
    assert _privacy_line(built.output) == _privacy_line(new.output)
    kept = keptfile.load_value(tmp_path / "damaged" / ".bangfu" / "scan-footprint-site.pickle", privacy.Footprint)
    assert kept is not None and f"{kept.scan.values} 项个人信息" in _privacy_line(built.output)


def _markdown(root) -> dict:
    docs = root / ".bangfu" / "docs"
    return {p.relative_to(docs): p.read_bytes() for p in docs.rglob("*.md")}


def test_kept_conversions_only_from_a_site_that_passed_and_under_the_same_key(base, tmp_path):
    """The pages' conversions kept on disk (mkdocs_memo.stored): replaced only by a build whose
    site passed the leak scan, ignored when unreadable or kept under another key."""
    from station import ID_1

    root = tmp_path / "root"
    shutil.copytree(base, root, symlinks=True)
    store = root / ".bangfu" / "pages-site.pickle"
    kept = store.read_bytes()
    override = root / "site_templates" / "site"
    override.mkdir(parents=True)
    home = (Path(__file__).resolve().parent.parent / "site_templates/site/home.md.j2").read_text(encoding="utf-8")
    (override / "home.md.j2").write_text(home + f"\n联系人证件：{ID_1}\n", encoding="utf-8")
    leaked = build_into(root / "records", root)
    assert leaked.code == 1 and "身份证号" in leaked.output
    assert store.read_bytes() == kept  # the leaking page's conversion is not kept
    shutil.rmtree(override.parent)

    assert mkdocs_memo._load(store, "another program") is None
    store.write_bytes(b"not a pickle")
    data = station_data()
    _payout_amount(data)
    write_station(root / "records", data)
    again = build_into(root / "records", root)
    assert again.code == 0, again.output
    assert mkdocs_memo.reused()[0] == 0  # nothing usable kept: every page converted
    fresh = tmp_path / "fresh"
    write_station(fresh / "records", data)
    assert tree(again.site) == tree(build_into(fresh / "records", fresh).site)
    assert store.read_bytes() != b"not a pickle"


def test_a_page_changed_by_hand_is_built_again(base, tmp_path):
    """A carried page comes only from a site that is exactly what the last build wrote."""
    root = tmp_path / "root"
    shutil.copytree(base, root, symlinks=True)
    page = root / "site" / "policies" / "index.html"
    page.write_text(page.read_text(encoding="utf-8").replace("帮扶", "改过"), encoding="utf-8")
    data = station_data()
    _payout_amount(data)
    write_station(root / "records", data)
    again = build_into(root / "records", root)
    assert again.code == 0, again.output
    assert _carried(again.output) == 0
    assert "改过" not in page.read_text(encoding="utf-8")


def test_a_rebuild_parses_only_the_saved_workbook_and_equals_a_fresh_build(base, tmp_path):
    """The other workbooks come from the read store in the work folder (their rows as the
    last build parsed them); the new site and private folder are what a fresh build writes."""
    import openpyxl

    root = tmp_path / "root"
    shutil.copytree(base, root, symlinks=True)
    store = root / ".bangfu" / "read-site"
    before = {p.name: p.stat().st_mtime_ns for p in store.iterdir()}
    # an entry per book, and a file per table named by its digest (reading.cache)
    assert sorted(n for n in before if n.count(".") == 1) == ["aid.pickle", "funds.pickle", "policy.pickle",
                                                              "register.pickle"]
    book = root / "records" / "帮扶记录.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb["帮扶发放"]
    column = next(c.column for c in ws[1] if c.value == "金额")
    ws.cell(row=3, column=column, value=7900)
    wb.save(book)
    again = build_into(root / "records", root)
    assert again.code == 0, again.output
    after = {p.name: p.stat().st_mtime_ns for p in store.iterdir()}
    changed = [name for name in sorted(after) if after[name] != before.get(name)]
    gone = sorted(set(before) - set(after))
    assert len(changed) == 2 and changed[0].startswith("aid.payouts.") and changed[1] == "aid.pickle"
    assert len(gone) == 1 and gone[0].startswith("aid.payouts.")  # only the payouts were stored again
    fresh = tmp_path / "fresh"
    shutil.copytree(root / "records", fresh / "records")
    new = build_into(fresh / "records", fresh)
    assert new.code == 0, new.output
    assert tree(again.site) == tree(new.site) and tree(again.private) == tree(new.private)
    assert tree(again.site) != tree(base / "site")


def test_a_rebuild_with_faults_reports_exactly_what_a_fresh_build_reports(tmp_path):
    """The kept parts of the read (sheets not read again), of the checks (modules not run
    again) and their problems: a rebuild after one edit tells the clerk the same as a build
    from scratch, cell for cell."""
    data = station_data()
    _worker_phone(data)
    data["困难职工档案.xlsx"]["困难职工"][0]["手机号码"] = "1380531"  # too short: the reader's problem
    data["帮扶记录.xlsx"]["帮扶发放"][1]["档案编号"] = "SF-9999"  # unknown worker: a check's problem
    root = tmp_path / "root"
    write_station(root / "records", data)
    first = build_into(root / "records", root)
    assert first.code == 1
    _visit_note(data)
    write_station(root / "records", data)  # every workbook saved again, one cell changed
    again = build_into(root / "records", root)
    fresh = tmp_path / "fresh"
    shutil.copytree(root / "records", fresh / "records")
    new = build_into(fresh / "records", fresh)
    assert again.code == new.code == 1

    def report(built):
        return built.output.replace(str(built.records), "<records>")

    assert report(again) == report(new) == report(first)  # a visit note: no problem comes or goes
    assert "错误 H2 电话号码“1380531”" in report(new) and "[ref-missing]" in report(new)


def test_an_amount_of_an_earlier_year_rebuilds_equal_to_a_fresh_build(tmp_path):
    """A station with payouts in 2024 and 2025: a 2024 amount edited changes that year's figures
    and every later balance; the rebuilt site equals a fresh build byte for byte."""
    def two_years(data):
        first = data["帮扶记录.xlsx"]["帮扶发放"][0]
        data["帮扶记录.xlsx"]["帮扶发放"].append(
            {**first, "记录编号": "FF-0003", "公示批次": "GS-2025-01", "申请日期": date(2025, 3, 20),
             "核实日期": date(2025, 3, 25), "批准日期": date(2025, 4, 10), "发放日期": date(2025, 4, 12),
             "签收日期": date(2025, 4, 12)})
        data["帮扶记录.xlsx"]["公示批次"].append(
            {"批次编号": "GS-2025-01", "公示标题": "2025年第一批帮扶公示", "公示类型": "帮扶公示",
             "开始日期": date(2025, 3, 28), "公示天数": 7})
        return data

    base = tmp_path / "base"
    write_station(base / "records", two_years(station_data()))
    built = build_into(base / "records", base)
    assert built.code == 0, built.output
    data = two_years(station_data())
    data["帮扶记录.xlsx"]["帮扶发放"][1]["金额"] = 7900  # paid in 2024
    incremental = tmp_path / "incremental"
    shutil.copytree(base, incremental, symlinks=True)
    write_station(incremental / "records", data)
    again = build_into(incremental / "records", incremental)
    assert again.code == 0, again.output
    new = _equals_fresh(again, data, tmp_path / "fresh")
    years = sorted(p.name for p in (new.site / "funds" / "years").iterdir())
    assert years[:2] == ["2024.html", "2025.html"]  # both years have fund pages
    for year in years[:2]:  # the year's figures, and the next year's opening balance
        page = f"funds/years/{year}"
        assert (again.site / page).read_bytes() != (base / "site" / page).read_bytes(), year


def test_an_amount_in_the_running_disclosure_rebuilds_equal_to_a_fresh_build(tmp_path):
    """A payout listed by the notice running today: its amount edited changes that notice's page
    and its wall printout (print/notices/…); the rebuilt site equals a fresh build byte for byte
    and the unchanged pages are carried."""
    def running(data):
        first, second = data["帮扶记录.xlsx"]["帮扶发放"][:2]
        data["帮扶记录.xlsx"]["帮扶发放"] += [
            {**first, "档案编号": who["档案编号"], "姓名": who["姓名"], "记录编号": f"FF-010{i}",
             "公示批次": "GS-2026-09", "申请日期": date(2026, 11, 2), "核实日期": date(2026, 11, 5),
             "批准日期": None, "发放日期": None, "已签收": "否", "签收日期": None}
            for i, who in enumerate((first, second))]
        data["帮扶记录.xlsx"]["公示批次"].append(
            {"批次编号": "GS-2026-09", "公示标题": "2026年第九批帮扶公示", "公示类型": "帮扶公示",
             "开始日期": date(2026, 11, 19), "公示天数": 7})
        return data

    base = tmp_path / "base"
    write_station(base / "records", running(station_data()))
    built = build_into(base / "records", base)
    assert built.code == 0, built.output
    printouts = sorted(p.name for p in (base / "site" / "print" / "notices").iterdir())
    assert printouts  # the running notice has its wall printout
    data = running(station_data())
    data["帮扶记录.xlsx"]["帮扶发放"][-1]["金额"] = 299
    incremental = tmp_path / "incremental"
    shutil.copytree(base, incremental, symlinks=True)
    write_station(incremental / "records", data)
    again = build_into(incremental / "records", incremental)
    assert again.code == 0, again.output
    assert 0 < _carried(again.output)
    _equals_fresh(again, data, tmp_path / "fresh")
    changed = {rel for rel, data_ in tree(again.site).items() if tree(base / "site").get(rel) != data_}
    assert any(rel.startswith("print/notices/") for rel in changed), sorted(changed)
    assert any(rel.startswith("notices/") for rel in changed), sorted(changed)


@pytest.mark.slow  # two fresh builds of a small station
def test_a_fresh_build_with_the_read_in_children_keeps_its_register_later_and_writes_the_same(base, tmp_path,
                                                                                            monkeypatch):
    """A fresh build whose workbooks are parsed in forked children (large books: here all) does
    not wait for the child working out the register's sheet keys: the register is kept in the
    read store while the build waits for its private writer (read_records keep_later). The site
    and private folder are those of the build that read everything in one process, and the
    register is kept with its keys: the next build parses nothing."""
    import os
    import threading

    import generator.reading as reading
    from generator.reading import ReadCache

    if not hasattr(os, "fork"):
        pytest.skip("no fork on this system")
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # pytest may hold threads
    monkeypatch.setenv("BANGFU_JOBS", "2")
    monkeypatch.setattr(reading, "ASIDE_BYTES", 0)  # the test station's books are small
    kept_later = []
    keep_now = reading.ReadResult.keep_now
    monkeypatch.setattr(reading.ReadResult, "keep_now", lambda self: kept_later.append(len(self.later))
                        or keep_now(self))
    root = tmp_path / "root"
    shutil.copytree(base / "records", root / "records")
    built = build_into(root / "records", root)
    assert built.code == 0, built.output
    assert 1 in kept_later  # the register was left to keep, and kept
    assert tree(built.site) == tree(base / "site") and tree(built.private) == tree(base / "private")
    register = next(b for b in reading.schema.BOOKS if b.key == "register")
    stored, _ = ReadCache(store=root / ".bangfu" / "read-site").lookup(root / "records", register)
    assert stored is not None and stored.sheets and all(entry[0] for entry in stored.sheets.values())
    cache = ReadCache(store=root / ".bangfu" / "read-site")
    reading.read_records(root / "records", cache=cache)
    assert cache.parsed == []
