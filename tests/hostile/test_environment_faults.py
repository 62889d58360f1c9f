"""Faults of the computer, not of the records: a read-only private or site folder, a full
disk. The build says what is wrong in Chinese (exit 2, no traceback), the previous site and
private folder stay exactly as they were, and no staging folder with personal data is left."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from generator.private.carry import NAME  # noqa: E402

from station import station_data, write_station  # noqa: E402

TODAY = "2026-11-23"
pytestmark = pytest.mark.slow  # three real builds each


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(records: Path, root: Path, limit: int | None = None):
    def cap():
        if limit:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    result = subprocess.run(
        [sys.executable, "-m", "generator.cli", "build", str(records), "--site-dir", str(root / "site"),
         "--private-dir", str(root / "private"), "--today", TODAY, "--no-pdf"],
        capture_output=True, text=True, timeout=300, preexec_fn=cap)
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture
def built(tmp_path):
    records = write_station(tmp_path / "records", station_data())
    first = build(records, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    data = station_data()  # a change that touches every page and the dossiers
    data["帮扶政策.xlsx"]["站点设置"][0]["值"] = "测试镇总工会困难职工帮扶站（新）"
    write_station(records, data)
    return tmp_path, records


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in (root / ".bangfu").iterdir() if p.name.startswith(("new-", "old-")))


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr to make a folder read-only for root")
@pytest.mark.parametrize("folder", ["private", "site"])
def test_a_read_only_output_folder_changes_nothing(built, folder):
    root, records = built
    site, private = snapshot(root / "site"), snapshot(root / "private")
    target = root / folder
    if subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode:
        pytest.skip("this file system does not support chattr +i")
    try:
        result = build(records, root)
    finally:
        subprocess.run(["chattr", "-i", str(target)], check=True)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "不允许修改，文件夹可能是只读的或被锁定。本次没有更新网站和内部材料" in result.stdout
    assert snapshot(root / "site") == site and snapshot(root / "private") == private
    assert leftovers(root) == []


def test_a_full_disk_changes_nothing(built):
    root, records = built
    site, private = snapshot(root / "site"), snapshot(root / "private")
    result = build(records, root, limit=20_000)  # no file may grow past 20 KB: the disk is "full"
    assert result.returncode == 2, result.stdout + result.stderr
    assert "文件过大或磁盘空间不足。本次没有更新网站和内部材料，原来的网站和内部材料保持不变。" in result.stdout
    assert snapshot(root / "site") == site and snapshot(root / "private") == private
    assert leftovers(root) == []


def test_a_jieba_cache_that_is_not_ours_prints_no_traceback(tmp_path):
    """On a shared computer the temporary folder may hold another user's jieba.cache that we
    can neither read nor replace (here: a folder of that name): the build does not use it (the
    search index reads jieba's dictionary lazily, site/jieba_lazy.py, and needs no cache; a jieba
    that initialises itself keeps its cache in the work folder)."""
    records = write_station(tmp_path / "records", station_data())
    shared = tmp_path / "tmp"
    (shared / "jieba.cache").mkdir(parents=True)
    result = subprocess.run(
        [sys.executable, "-m", "generator.cli", "build", str(records), "--site-dir", str(tmp_path / "site"),
         "--no-private", "--today", TODAY, "--no-pdf"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "TMPDIR": str(shared)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr and "Dump cache file failed" not in result.stderr
    assert list((shared / "jieba.cache").iterdir()) == []
    assert (tmp_path / "site" / "search" / "search_index.json").is_file()


def test_notes_unsaved_after_the_swap_say_the_output_is_new(built):
    """A fault after the new site and private folder are in place (the build's state cannot be
    saved: here a folder stands where its file goes) does not claim that nothing changed: the
    build says the output is new and its notes were not kept (exit 0), and the next build,
    the fault gone, checks everything again and gives the same folders as a fresh build."""
    root, records = built
    state = root / ".bangfu" / "state-site.json"
    state.unlink()
    state.mkdir()
    (state / "x").write_text("x")
    second = build(records, root)
    out = second.stdout + second.stderr
    assert second.returncode == 0, out
    assert "网站和内部材料已经更新" in out and "state-site" in out and "保持不变" not in out
    assert "测试镇总工会困难职工帮扶站（新）" in (root / "site" / "index.html").read_text(encoding="utf-8")
    assert leftovers(root) == []
    shutil.rmtree(state)
    third = build(records, root)
    assert third.returncode == 0, third.stdout + third.stderr
    fresh = root / "fresh"
    shutil.copytree(records, fresh / "records")
    assert build(fresh / "records", fresh).returncode == 0
    assert snapshot(root / "site") == snapshot(fresh / "site")
    # the writer's fingerprints file (its notes, not a document) aside
    notes = {NAME}
    assert ({k: v for k, v in snapshot(root / "private").items() if k not in notes}
            == {k: v for k, v in snapshot(fresh / "private").items() if k not in notes})
