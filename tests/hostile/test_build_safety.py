"""Builds that never lose the last good site: a build killed at any point leaves the
previous site/ and private/ complete and valid, the next build succeeds, and a second
build on the same folder waits or refuses clearly."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.build import work_dir
from generator.build.lock import BuildLock

from corpus import DEMO, POLICY, REG, Book, copy_demo

TODAY = "2026-11-23"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not (DEMO / REG).exists(), reason="demo records not generated")]


def build_cmd(records: Path, site: Path, private: Path) -> list[str]:
    return [sys.executable, "-m", "generator.cli", "build", str(records), "--site-dir", str(site),
            "--private-dir", str(private), "--today", TODAY, "--no-pdf"]


def run_build(records, site, private, timeout=180):
    return subprocess.run(build_cmd(records, site, private), capture_output=True, text=True, timeout=timeout,
                          cwd=records.parent)


def snapshot(folder: Path) -> dict:
    """Every file's content digest, by relative path (the sitemap's build date excluded)."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "sitemap" not in path.name:
            out[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def assert_complete_site(site: Path):
    assert (site / "index.html").is_file()
    assert (site / "notices" / "index.html").is_file()
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["docs"]


def assert_complete_private(private: Path):
    assert (private / "README.txt").is_file()
    assert (private / "档案" / "index.html").is_file()


def change_station(records: Path, hours: str):
    """A harmless edit that changes every page (the opening hours are in the footer/home)."""
    with Book(records, POLICY) as wb:
        ws = wb["站点设置"]
        for row in ws.iter_rows(min_row=2):
            if row[0].value == "办公时间":
                row[1].value = hours


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("safety")
    records = copy_demo(root / "records")
    site, private = root / "site", root / "private"
    result = run_build(records, site, private)
    assert result.returncode == 0, result.stdout + result.stderr
    return records, site, private


def test_killed_build_leaves_the_last_good_site(built):
    records, site, private = built
    old_site = snapshot(site)
    change_station(records, "周一至周五 9:00-17:00")
    seen_new = None
    for delay in (0.3, 0.9, 1.6, 2.4, 3.3):
        proc = subprocess.Popen(build_cmd(records, site, private), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, cwd=records.parent, start_new_session=True)
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert_complete_site(site)
        assert_complete_private(private)
        now_site = snapshot(site)
        if now_site != old_site:  # the build got as far as its swap: then the new site is whole
            seen_new = seen_new or now_site
            assert now_site == seen_new
    result = run_build(records, site, private)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    final_site = snapshot(site)
    assert final_site != old_site
    if seen_new is not None:
        assert final_site == seen_new
    assert_complete_private(private)


def test_second_build_waits_for_the_first(built):
    """The lock is released only once the second build says it waits: no race with a slow start."""
    records, site, private = built
    lock = BuildLock(work_dir(site), wait=0)
    lock.acquire()
    proc = subprocess.Popen(build_cmd(records, site, private), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=records.parent, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: list[str] = []
    waiting = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)
            if "等待它结束" in line:
                waiting.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert waiting.wait(120), "".join(lines)
    finally:
        lock.release()
    assert proc.wait(timeout=180) == 0, "".join(lines) + proc.stderr.read()
    reader.join(10)
    assert "等待它结束" in lines[0], "".join(lines)  # it waited before doing anything
    assert any(str(site) in line for line in lines[1:]), "".join(lines)  # and then built (or found it current)


def test_second_build_refuses_clearly_when_the_first_does_not_end(built):
    records, site, private = built
    before = snapshot(site)
    with BuildLock(work_dir(site), wait=0):
        result = run_build(records, site, private, timeout=60)
    assert result.returncode == 2
    assert "另一个 bangfu 生成任务正在使用这个网站文件夹" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert snapshot(site) == before


def test_stale_lock_from_a_crashed_build_is_taken_over(built):
    records, site, private = built
    lock_file = work_dir(site) / "build.lock"
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    lock_file.write_text(json.dumps({"pid": 999999, "host": os.uname().nodename, "started": "2026-11-23T08:00:00"}))
    change_station(records, "周一至周五 8:00-16:00")
    result = run_build(records, site, private)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not lock_file.exists()
