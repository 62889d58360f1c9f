"""`bangfu serve` swaps the new site in and deletes the old one in the background
(publish.discard_later): the site is the new one at once, the old folder goes, and one left
by a stopped process is removed by the next build (publish.clear_trash). A build run once
does not wait for the deletion: it hands what is left to a detached process (publish.hand_over)."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.build import publish


def _folder(path, text: str):
    (path / "sub").mkdir(parents=True)
    (path / "index.html").write_text(text, encoding="utf-8")
    (path / "sub" / "page.html").write_text(text, encoding="utf-8")
    return path


def _wait_for_discards(timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while publish._removing and time.monotonic() < end:
        time.sleep(0.01)
    for t in threading.enumerate():
        if t.name == "bangfu-discard":
            t.join(timeout)


def test_the_old_site_is_removed_in_the_background(tmp_path):
    work = tmp_path / ".bangfu"
    site = _folder(tmp_path / "site", "old")
    staging = _folder(work / "new-site", "new")
    publish.swap_all([(staging, site, work / "old-site")], discard=publish.discard_later)
    assert (site / "index.html").read_text(encoding="utf-8") == "new"
    assert (site / "sub" / "page.html").read_text(encoding="utf-8") == "new"
    assert not staging.exists()  # the old folder was renamed aside at once
    _wait_for_discards()
    assert sorted(p.name for p in work.iterdir()) == []  # and then deleted


def test_trash_left_by_a_stopped_process_is_cleared(tmp_path):
    work = tmp_path / ".bangfu"
    left = _folder(work / f"{publish.TRASH}1-0-new-site", "old")
    other = _folder(work / "scan-site", "kept")  # everything else in the work folder stays
    publish.clear_trash(work)
    assert not left.exists() and other.exists()
    publish.clear_trash(tmp_path / "missing")  # no work folder: nothing to do


def test_without_discard_the_old_site_is_removed_before_the_swap_returns(tmp_path):
    work = tmp_path / ".bangfu"
    site = _folder(tmp_path / "site", "old")
    staging = _folder(work / "new-site", "new")
    publish.swap_all([(staging, site, work / "old-site")])
    assert (site / "index.html").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in work.iterdir()) == []


def test_wait_discarded_returns_once_the_old_folders_are_gone(tmp_path):
    """A build run once deletes the old site and private folder in the background while it
    writes its state, and waits for them before it ends (steps.Build.run)."""
    work = tmp_path / ".bangfu"
    pairs = []
    for name in ("site", "private"):
        target = _folder(tmp_path / name, "old")
        for i in range(50):
            (target / "sub" / f"{i}.html").write_text("old", encoding="utf-8")
        pairs.append((_folder(work / f"new-{name}", "new"), target, work / f"old-{name}"))
    publish.swap_all(pairs, discard=publish.discard_later)
    publish.wait_discarded()
    assert sorted(p.name for p in work.iterdir()) == [] and not publish._removing
    assert [(tmp_path / name / "index.html").read_text(encoding="utf-8") for name in ("site", "private")] == ["new"] * 2
    publish.wait_discarded()  # nothing left to wait for


def test_serve_forgets_the_threads_done_with_their_folder(tmp_path):
    """`bangfu serve` swaps on every save and never waits: a thread that finished, its folder
    gone, is not kept for the life of the process."""
    work = tmp_path / ".bangfu"
    site = _folder(tmp_path / "site", "0")
    for i in range(1, 6):
        publish.swap_all([(_folder(work / "new-site", str(i)), site, work / "old-site")], discard=publish.discard_later)
        _wait_for_discards()
    assert len(publish._threads) <= 1
    assert publish.wait_discarded() == [] and sorted(p.name for p in work.iterdir()) == []


@pytest.mark.slow  # two builds of a small station
def test_a_build_ends_without_waiting_for_the_old_site(tmp_path, monkeypatch):
    """`bangfu build` deletes the old site and the last build's Markdown in the background (while
    it runs mkdocs and writes its state) and ends without waiting for that deletion: here it
    never finishes while the build runs, yet the build says its time (用时) and returns; a
    detached process deletes the old site (publish.hand_over)."""
    import copy
    from datetime import date

    from generator.build import build_all

    from station import station_data, write_station

    data = station_data()
    records = write_station(tmp_path / "records", data)
    assert build_all(records, site_dir=tmp_path / "site", private_dir=None, today=date(2026, 11, 23), pdf=False,
                     echo=lambda _: None) == 0
    renamed = copy.deepcopy(data)
    renamed["帮扶政策.xlsx"]["站点设置"][0]["值"] += "新"
    write_station(records, renamed)
    said: list[str] = []
    monkeypatch.setattr(publish, "_REMOVER", "import time; time.sleep(1)")  # deletes nothing yet
    swapped = []  # on_swap (serve's reload signal) comes the moment the new site is in place

    def on_swap():
        swapped.append("新" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8"))

    handed = len(publish.handed)
    assert build_all(records, site_dir=tmp_path / "site", private_dir=None, today=date(2026, 11, 23), pdf=False,
                     echo=said.append, on_swap=on_swap) == 0
    assert len([line for line in said if line.startswith("完成：") and "用时" in line]) == 1
    assert swapped == [True] and not publish._threads  # no thread deleting in a build run once
    assert len(publish.handed) == handed + 1  # the old site and Markdown went to a detached remover
    remover = publish.handed[-1]
    aside = [Path(a) for a in remover.args[5:]]
    assert sorted(p.name.rsplit("-", 1)[-1] for p in aside) == ["docs", "site"]
    assert all(p.parent == tmp_path / ".bangfu" and p.is_dir() for p in aside)  # still there: not waited for
    assert remover.wait(30) == 0
    monkeypatch.undo()
    calls = []
    assert build_all(records, site_dir=tmp_path / "site", private_dir=None, today=date(2026, 11, 23), pdf=False,
                     echo=lambda _: None, on_swap=lambda: calls.append(1)) == 0
    assert calls == []  # already up to date: nothing swapped in
    # the next build's start handed the folders left to another remover (the real one)
    assert publish.handed[-1] is not remover
    publish.handed[-1].wait(30)
    assert not [p for p in (tmp_path / ".bangfu").iterdir() if p.name.startswith(publish.TRASH)]
    assert not [p for p in (tmp_path / ".bangfu").rglob("new-*")]


def _wait_handed(timeout: float = 30.0) -> None:
    for proc in publish.handed:
        proc.wait(timeout)


def test_a_build_run_once_hands_the_old_folders_to_a_detached_process(tmp_path, monkeypatch):
    """The threads have not deleted the old folders when the build ends (here they never do):
    hand_over returns at once and a process of its own deletes exactly those folders."""
    work = tmp_path / ".bangfu"
    pairs = []
    for name in ("site", "private"):
        target = _folder(tmp_path / name, "old")
        pairs.append((_folder(work / f"new-{name}", "new"), target, work / f"old-{name}"))
    kept = _folder(work / "scan-site", "kept")
    held = threading.Event()
    monkeypatch.setattr(publish.shutil, "rmtree", lambda *a, **k: held.wait(30))  # the threads delete nothing yet
    publish.swap_all(pairs, discard=publish.discard_later)
    trash = sorted(p for p in work.iterdir() if p.name.startswith(publish.TRASH))
    assert len(trash) == 2
    before = len(publish.handed)
    assert sorted(publish.hand_over()) == trash
    assert len(publish.handed) == before + 1
    _wait_handed()
    assert not [p for p in trash if p.exists()] and kept.exists()
    held.set()
    assert publish.wait_discarded() == []
    assert [(tmp_path / name / "index.html").read_text(encoding="utf-8") for name in ("site", "private")] == ["new"] * 2
    assert publish.hand_over() == []  # nothing left: no process started
    assert len(publish.handed) == before + 1


@pytest.mark.skipif(sys.platform.startswith("win"), reason="SIGKILL")
def test_leftovers_of_a_killed_remover_are_cleared_by_the_next_build(tmp_path):
    """A remover killed half-way (the computer shut down) leaves part of the old folder: the
    next build's clear_trash removes it, in the background, and touches nothing else in the
    work folder, nor what a symbolic link named like trash points to."""
    work = tmp_path / ".bangfu"
    left = _folder(work / f"{publish.TRASH}99999-0-private", "old")
    for i in range(2000):
        (left / "sub" / f"{i}.html").write_text("old", encoding="utf-8")
    proc = subprocess_remover(left)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    outside = _folder(tmp_path / "outside", "theirs")
    try:
        os.symlink(outside, work / f"{publish.TRASH}99999-1-link", target_is_directory=True)
    except OSError:
        pass
    not_ours = _folder(work / f"{publish.TRASH}notes", "kept")  # not a name discard_later gives
    publish.clear_trash(work, how="thread")
    assert publish.wait_discarded() == []
    assert not left.exists()
    assert (outside / "index.html").read_text(encoding="utf-8") == "theirs"
    assert not_ours.exists()


def subprocess_remover(path):
    import subprocess

    return subprocess.Popen([sys.executable, "-I", "-S", "-c", publish._REMOVER, str(path)])


def test_set_aside_renames_and_hand_over_deletes(tmp_path):
    """A build run once renames the old folder aside (no thread) and hands it over at its end."""
    work = tmp_path / ".bangfu"
    site = _folder(tmp_path / "site", "old")
    staging = _folder(work / "new-site", "new")
    publish.swap_all([(staging, site, work / "old-site")], discard=publish.set_aside)
    aside = [p for p in work.iterdir() if p.name.startswith(publish.TRASH)]
    assert len(aside) == 1 and (aside[0] / "index.html").read_text(encoding="utf-8") == "old"
    assert (site / "index.html").read_text(encoding="utf-8") == "new"
    assert publish.hand_over() == aside
    _wait_handed()
    assert sorted(p.name for p in work.iterdir()) == []
    left = _folder(work / f"{publish.TRASH}1-0-private", "old")  # a killed remover's leftover
    publish.clear_trash(work, how="process")
    _wait_handed()
    assert not left.exists()
