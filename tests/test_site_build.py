"""`bangfu build` as a whole: escaping of hostile cell text, the leak scan failing a build,
the atomic swap, refused folders, the lock, --today and unchanged rebuilds."""

from __future__ import annotations

import html as html_module
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from generator.build import manifest
from generator.build.lock import BuildLock

from site_helpers import DEMO_RECORDS, Tables, build_into
from station import ID_1, station_data, write_station

HOSTILE = "<script>alert(1)</script>|[x](y)"
RUNNING_DAY = date(2024, 4, 3)  # GS-2024-02 of the small station runs 2024-04-01 .. 04-07


def small_station(folder: Path, change=None) -> Path:
    data = station_data()
    if change:
        change(data)
    return write_station(folder / "records", data)


def setting(data, key, value):
    for row in data["帮扶政策.xlsx"]["站点设置"]:
        if row["设置项"] == key:
            row["值"] = value
            return
    data["帮扶政策.xlsx"]["站点设置"].append({"设置项": key, "值": value})


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """Hostile text in a name (full names shown), a work unit, a batch title and a resolution."""
    root = tmp_path_factory.mktemp("hostile")

    def change(data):
        setting(data, "公开完整姓名", "是")
        worker = data["困难职工档案.xlsx"]["困难职工"][0]
        worker["姓名"] = HOSTILE
        worker["工作单位"] = "A|B **粗** [链接](http://x.invalid) <b>单位</b>"
        data["帮扶记录.xlsx"]["帮扶发放"][0]["姓名"] = HOSTILE
        batch = data["帮扶记录.xlsx"]["公示批次"][1]
        batch["公示标题"] = "帮扶公示 <img src=x onerror=alert(2)> # [t](u) | 标题"
        data["帮扶记录.xlsx"]["异议处理"][0]["处理说明"] = "</td></tr></table><script>alert(3)</script>"

    records = small_station(root, change)
    built = build_into(records, root, RUNNING_DAY, private=False)
    assert built.code == 0, built.output
    return built


@pytest.mark.slow
def test_hostile_text_is_shown_as_text(hostile_site):
    html = hostile_site.page("notices/GS-2024-02/")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;|[x](y)" in html
    table = Tables(html).tables[0]
    assert {len(row) for row in table} == {6}  # the | did not split a cell
    row = next(r for r in table if r[1] == HOSTILE)
    assert row[2] == "A|B **粗** [链接](http://x.invalid) <b>单位</b>"
    assert "<b>单位</b>" not in html
    heading = "帮扶公示 <img src=x onerror=alert(2)> # [t](u) | 标题"
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html).group(1)
    assert "<" not in h1 and html_module.unescape(h1) == heading
    for page in hostile_site.site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text, page
        assert not re.search(r"<img[^>]*onerror", text), page


@pytest.mark.slow
def test_hostile_titles_stay_out_of_markup_in_nav_and_title(hostile_site):
    html = hostile_site.page("notices/GS-2024-02/")
    title = html.split("<title>")[1].split("</title>")[0]
    assert "<" not in title and "＜img" in title


@pytest.mark.slow
def test_leaking_template_fails_the_build_and_keeps_the_old_site(tmp_path):
    records = small_station(tmp_path)
    first = build_into(records, tmp_path, private=False)
    assert first.code == 0, first.output
    before = snapshot(first.site)
    override = tmp_path / "site_templates" / "site"
    override.mkdir(parents=True)
    home = (Path(__file__).resolve().parent.parent / "site_templates/site/home.md.j2").read_text(encoding="utf-8")
    (override / "home.md.j2").write_text(home + f"\n联系人证件：{ID_1}\n", encoding="utf-8")
    second = build_into(records, tmp_path, private=False)
    assert second.code == 1
    assert "隐私检查未通过" in second.output and "身份证号" in second.output
    assert "index.html" in second.output and ID_1 not in second.output
    assert snapshot(first.site) == before
    assert not (tmp_path / ".bangfu" / "new-site").exists()


@pytest.mark.slow
def test_template_error_keeps_the_old_site(tmp_path):
    records = small_station(tmp_path)
    assert build_into(records, tmp_path, private=False).code == 0
    before = snapshot(tmp_path / "site")
    override = tmp_path / "site_templates" / "site"
    override.mkdir(parents=True)
    (override / "policy.md.j2").write_text("# {{ p.name|md_cell }\n", encoding="utf-8")
    broken = build_into(records, tmp_path, private=False)
    assert broken.code == 1 and "网页模板有错误" in broken.output and "policy.md.j2" in broken.output
    assert snapshot(tmp_path / "site") == before


@pytest.mark.slow
@pytest.mark.parametrize("text", ["{% if %}\n", "{{ d.no_such_field.x }}\n"], ids=["syntax", "undefined"])
def test_private_template_error_keeps_both_folders(tmp_path, text):
    records = small_station(tmp_path)
    assert build_into(records, tmp_path).code == 0
    site, private = snapshot(tmp_path / "site"), snapshot(tmp_path / "private")
    override = tmp_path / "site_templates" / "private"
    override.mkdir(parents=True)
    (override / "dossier.html").write_text(text, encoding="utf-8")
    broken = build_into(records, tmp_path)
    assert broken.code == 1, broken.output
    assert "内部材料模板有错误" in broken.output and "dossier.html" in broken.output
    assert "Traceback" not in broken.output and "内部出错" not in broken.output
    assert snapshot(tmp_path / "site") == site and snapshot(tmp_path / "private") == private
    assert not [p for p in (tmp_path / ".bangfu").rglob("new-*")]


def _wait_removed() -> None:
    """Until the old folders' deletion is over: the threads, then the detached removers."""
    from generator.build import publish

    publish.wait_discarded()
    for proc in publish.handed:
        proc.wait(60)


def test_a_rebuild_deletes_the_old_folders_after_it_returns(tmp_path):
    """The old site and private folder are deleted in the background after the swap, while the
    build writes its state, and, once it has returned, by a detached process: no copy of the
    personal data is left in the work folder."""
    records = small_station(tmp_path)
    assert build_into(records, tmp_path).code == 0
    again = build_into(records, tmp_path)
    assert again.code == 0, again.output
    _wait_removed()
    assert not [p for p in (tmp_path / ".bangfu").iterdir() if p.name.startswith(("trash-", "old-", "new-"))]
    assert (tmp_path / "private" / "index.html").exists() and (tmp_path / "site" / "index.html").exists()


def test_an_old_folder_that_cannot_be_deleted_does_not_stop_the_build(tmp_path, monkeypatch):
    """On Windows a file held open by another program (a PDF open in Edge, an antivirus) can
    stop the old private folder from being deleted after the swap. The build still succeeds
    and says nothing of it (the deletion is best effort); the next build deletes it."""
    from generator.build import publish

    records = small_station(tmp_path)
    assert build_into(records, tmp_path, today=RUNNING_DAY).code == 0
    _wait_removed()
    real = shutil.rmtree

    def held_open(path, *args, **kwargs):
        if Path(path).name.startswith(publish.TRASH):
            return None  # nothing removed, as when a file in it is held open
        return real(path, *args, **kwargs)

    monkeypatch.setattr(publish.shutil, "rmtree", held_open)
    monkeypatch.setattr(publish, "_REMOVER", "pass")  # the detached remover cannot delete it either
    again = build_into(records, tmp_path, today=RUNNING_DAY + timedelta(days=1))
    _wait_removed()
    monkeypatch.undo()
    left = sorted(p for p in (tmp_path / ".bangfu").iterdir() if p.name.startswith(publish.TRASH))
    assert again.code == 0 and left, again.output
    assert "没能删除" not in again.output
    assert build_into(records, tmp_path, today=RUNNING_DAY + timedelta(days=2)).code == 0
    _wait_removed()
    assert not [p for p in (tmp_path / ".bangfu").iterdir() if p.name.startswith(publish.TRASH)]


def test_errors_in_records_publish_nothing(tmp_path):
    def change(data):
        data["帮扶记录.xlsx"]["帮扶发放"][0]["金额"] = "三百块"
    records = small_station(tmp_path, change)
    built = build_into(records, tmp_path, private=False)
    assert built.code == 1
    assert "没有生成网站" in built.output and "帮扶发放" in built.output
    assert not (tmp_path / "site").exists()


def test_private_dir_inside_site_is_refused_before_anything(tmp_path):
    from generator.build import build_all

    records = small_station(tmp_path)
    lines = []
    code = build_all(records, site_dir=tmp_path / "site", private_dir=tmp_path / "site" / "private",
                     today=None, pdf=False, echo=lines.append)
    assert code == 2 and "内部材料" in lines[0]
    assert not (tmp_path / "site").exists() and not (tmp_path / ".bangfu").exists()
    code = build_all(records, site_dir=tmp_path / "site", private_dir=tmp_path / ".bangfu" / "docs",
                     today=None, pdf=False, echo=lines.append)
    assert code == 2 and not (tmp_path / ".bangfu").exists()


def test_site_dir_overlapping_records_or_foreign_folder_is_refused(tmp_path):
    from generator.build import build_all

    records = small_station(tmp_path)
    lines = []
    assert build_all(records, site_dir=tmp_path, private_dir=None, today=None, pdf=False,
                     echo=lines.append) == 2
    assert "重叠" in lines[-1]
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "论文.docx").write_bytes(b"x")
    assert build_all(records, site_dir=foreign, private_dir=None, today=None, pdf=False,
                     echo=lines.append) == 2
    assert "不是 bangfu 生成的" in lines[-1] and (foreign / "论文.docx").exists()


@pytest.mark.slow
def test_second_build_waits_then_refuses_while_locked(tmp_path):
    from generator.build import build_all

    records = small_station(tmp_path)
    lines = []
    with BuildLock(tmp_path / ".bangfu"):
        code = build_all(records, site_dir=tmp_path / "site", private_dir=None, today=None, pdf=False,
                         echo=lines.append, lock_wait=0.5)
    assert code == 2 and "另一个 bangfu 生成任务" in lines[-1]
    assert not (tmp_path / "site").exists()
    assert build_into(records, tmp_path, private=False).code == 0  # the lock is gone afterwards


@pytest.mark.slow
def test_unchanged_input_rebuilds_without_work(tmp_path):
    records = small_station(tmp_path)
    first = build_into(records, tmp_path)
    assert first.code == 0, first.output
    site_before = manifest(first.site)
    t = time.monotonic()
    again = build_into(records, tmp_path)
    assert again.code == 0 and "网站已是最新" in again.output
    assert time.monotonic() - t < 1.5
    assert manifest(first.site) == site_before
    (first.site / "index.html").unlink()  # a damaged site is rebuilt, not trusted
    repaired = build_into(records, tmp_path)
    assert repaired.code == 0 and (first.site / "index.html").is_file()
    assert "mkdocs" in repaired.timings


@pytest.mark.slow
def test_today_decides_state_and_retention(tmp_path):
    if not (DEMO_RECORDS / "帮扶记录.xlsx").exists():
        pytest.skip("demo records not generated")
    records = tmp_path / "records"
    shutil.copytree(DEMO_RECORDS, records)
    built = build_into(records, tmp_path, date(2026, 9, 25), private=False)
    assert built.code == 0, built.output
    ended = built.page("notices/GS-2026-05/")
    assert "已结束" in ended and "名单在网站上保留至 2026年10月20日" in built.text("notices/GS-2026-05/")
    assert "<tbody" in ended  # within retention: the list is still there
    later = built.page("notices/GS-2026-07/")
    assert "尚未开始" in later and "<tbody" not in later
    assert "截至 2026年9月25日" in built.text("funds/")


@pytest.mark.slow
def test_killed_build_leaves_the_previous_site(tmp_path):
    if not (DEMO_RECORDS / "帮扶记录.xlsx").exists():
        pytest.skip("demo records not generated")
    records = tmp_path / "records"
    shutil.copytree(DEMO_RECORDS, records)
    first = build_into(records, tmp_path, private=False)
    assert first.code == 0
    before = snapshot(first.site)
    script = ("import sys; from datetime import date; from pathlib import Path; "
              "from generator.build import build_all; "
              f"build_all(Path({str(records)!r}), site_dir=Path({str(first.site)!r}), private_dir=None, "
              "today=date(2026, 11, 24), pdf=False, echo=lambda s: None)")
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).resolve().parent.parent)
    staging = tmp_path / ".bangfu" / "new-site" / "index.html"
    deadline = time.monotonic() + 60
    while not staging.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert snapshot(first.site) == before
    again = build_into(records, tmp_path, date(2026, 11, 24), private=False)
    assert again.code == 0, again.output
    assert "还有 <strong>2 天</strong>" in again.page("notices/GS-2026-07/")


@pytest.mark.slow
def test_serve_builds_serves_and_rebuilds_on_save(tmp_path):
    import threading
    import urllib.request

    from generator.serve import serve

    def change(data):
        data["帮扶政策.xlsx"]["站点设置"][0]["值"] = "第一站"
    records = small_station(tmp_path, change)
    lines, stop = [], threading.Event()
    thread = threading.Thread(target=serve, args=(records,), kwargs=dict(
        site_dir=tmp_path / "site", port=0, today=date(2026, 11, 23), echo=lines.append, stop=stop))
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not any("预览地址" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.05)
        url = re.search(r"http://127\.0\.0\.1:\d+/", next(l for l in lines if "预览地址" in l)).group(0)
        assert "第一站" in urllib.request.urlopen(url).read().decode("utf-8")

        def rename(data):
            data["帮扶政策.xlsx"]["站点设置"][0]["值"] = "第二站"
        time.sleep(1.1)
        small_station(tmp_path, rename)
        while time.monotonic() < deadline:
            page = urllib.request.urlopen(url).read().decode("utf-8")
            if "第二站" in page:
                break
            time.sleep(0.2)
        assert "第二站" in page
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()


@pytest.mark.slow
def test_command_line_build(tmp_path):
    from click.testing import CliRunner

    from generator.cli import cli

    records = small_station(tmp_path)
    result = CliRunner().invoke(cli, ["build", str(records), "--site-dir", str(tmp_path / "site"),
                                      "--no-private", "--no-pdf", "--today", "2024-04-20"])
    assert result.exit_code == 0, result.output
    assert "完成：网站已生成到" in result.output and "用时" in result.output
    assert "公示 2 个" in result.output
    assert (tmp_path / "site" / "notices" / "GS-2024-02" / "index.html").is_file()
