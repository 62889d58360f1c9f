"""Scratch folders of PDF printing left by a killed build are removed at the next build's start,
and nothing else (generator/private/scratch.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.private import scratch

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process ids are probed on POSIX only")


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def make(place: Path, name: str, lock: str | None = None) -> Path:
    folder = place / name
    (folder / "profile" / "Default").mkdir(parents=True)
    (folder / "profile" / "Default" / "Preferences").write_text("{}")
    if lock is not None:
        os.symlink(lock, folder / "profile" / "SingletonLock")
    return folder


def age(folder: Path, seconds: float) -> Path:
    """Set the folder's and everything in it (links themselves) to `seconds` ago."""
    when = time.time() - seconds
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (when, when), follow_symlinks=False)
    return folder


def test_only_folders_of_ended_processes_go(tmp_path):
    place = tmp_path / "shm"
    place.mkdir()
    gone = dead_pid()
    host = socket.gethostname()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("personal")

    stale = make(place, f"bangfu-pdf-{gone}-abc123")
    stale_volume = place / f"bangfu-volume-{gone}-x_y9"
    stale_volume.mkdir()
    (stale_volume / "volume.html").write_text("<p>张三</p>")
    os.symlink(outside, stale_volume / "link")  # a link inside: removed, its target kept
    stale_locked_dead = make(place, f"bangfu-pdf-{gone}-dead", lock=f"{host}-{gone}")
    mine = make(place, f"bangfu-pdf-{os.getpid()}-live")  # this process is alive
    browser_alive = make(place, f"bangfu-pdf-{gone}-brwsr", lock=f"{host}-{os.getpid()}")
    other_host = make(place, f"bangfu-pdf-{gone}-other", lock=f"another-host-{gone}")
    not_ours = make(place, f"bangfu-other-{gone}-abc")
    a_file = place / f"bangfu-pdf-{gone}-file"
    a_file.write_text("x")
    a_link = place / f"bangfu-pdf-{gone}-link"
    os.symlink(outside, a_link)  # a link of our name: never followed, never removed
    for folder in (stale, stale_volume, stale_locked_dead, browser_alive, other_host):
        age(folder, 2 * scratch.STALE_AGE)
    legacy_old = make(place, "bangfu-pdf-03u5fu7m")
    old = time.time() - 2 * scratch.LEGACY_AGE
    os.utime(legacy_old, (old, old))
    legacy_new = make(place, "bangfu-pdf-90a3e599")
    legacy_locked = make(place, "bangfu-pdf-je7k6a54", lock=f"{host}-{os.getpid()}")
    os.utime(legacy_locked, (old, old))

    removed = set(scratch.remove_stale([str(place)]))

    assert removed == {str(stale), str(stale_volume), str(stale_locked_dead), str(legacy_old)}
    for path in removed:
        assert not os.path.lexists(path)
    for kept in (mine, browser_alive, other_host, not_ours, a_file, a_link, legacy_new, legacy_locked):
        assert os.path.lexists(kept), kept
    assert (outside / "keep.txt").read_text() == "personal"
    assert scratch.remove_stale([str(place / "missing")]) == []


def test_a_folder_still_written_in_is_kept(tmp_path):
    """A build in another process id namespace (a container sharing /tmp under the same user) is not
    seen by its id: its folders, with the joined pages' personal data, stay while anything in them
    changed in the last STALE_AGE, however old the folder itself."""
    place = tmp_path / "tmp"
    place.mkdir()
    gone = dead_pid()
    printing = place / f"bangfu-volume-{gone}-abc"
    (printing / "pages").mkdir(parents=True)
    (printing / "pages" / "p1.html").write_text("<p>张三</p>")
    age(printing, 2 * scratch.STALE_AGE)
    (printing / "pages" / "p2.html").write_text("<p>李四</p>")  # written just now, deep inside
    fresh = place / f"bangfu-pdf-{gone}-new"
    fresh.mkdir()
    (fresh / "volume.html").write_text("<p>王五</p>")
    idle = age(make(place, f"bangfu-pdf-{gone}-idle"), scratch.STALE_AGE + 60)
    outside = tmp_path / "outside.txt"
    outside.write_text("x")  # new, but only linked to: the link's own time counts
    linked = place / f"bangfu-volume-{gone}-link"
    linked.mkdir()
    os.symlink(outside, linked / "to-outside")
    age(linked, 2 * scratch.STALE_AGE)

    assert set(scratch.remove_stale([str(place)])) == {str(idle), str(linked)}
    assert (printing / "pages" / "p1.html").read_text() == "<p>张三</p>"
    assert (fresh / "volume.html").is_file()
    assert outside.read_text() == "x"
    later = time.time() + 2 * scratch.STALE_AGE  # nothing written since: gone at a later build
    assert set(scratch.remove_stale([str(place)], now=later)) == {str(printing), str(fresh)}


def test_folders_are_named_after_their_process(tmp_path, monkeypatch):
    """What the printing makes carries this process's id, so a later build can tell it apart."""
    assert scratch.folder(scratch.PROFILE) == f"bangfu-pdf-{os.getpid()}-"
    import tempfile

    made = tempfile.mkdtemp(prefix=scratch.folder(scratch.VOLUME), dir=tmp_path)
    assert scratch._NAMED.match(Path(made).name)["pid"] == str(os.getpid())
    assert scratch.remove_stale([str(tmp_path)]) == []  # this process is alive: kept
    assert Path(made).is_dir()
    assert scratch.places(str(tmp_path)) == [str(tmp_path), tempfile.gettempdir()]
    assert scratch.places(None) == scratch.places(tempfile.gettempdir()) == [tempfile.gettempdir()]


def test_a_build_with_pdfs_removes_them(tmp_path, monkeypatch):
    """`bangfu build` with PDFs clears the leftovers before it starts (Build._prepare)."""
    from generator.build.run import build_all

    from private_station import TODAY, write_station

    place = tmp_path / "shm"
    place.mkdir()
    stale = age(make(place, f"bangfu-pdf-{dead_pid()}-abc123"), 2 * scratch.STALE_AGE)
    monkeypatch.setattr(scratch, "places", lambda profiles: [str(place)])
    monkeypatch.setenv("BANGFU_PDF_ENGINE", "none")  # PDFs asked for, none made: no browser here
    from generator.private import pdf

    monkeypatch.setattr(pdf, "_state", {})
    records = write_station(tmp_path / "records")
    code = build_all(records, site_dir=tmp_path / "site", private_dir=tmp_path / "private",
                     today=TODAY, pdf=True, echo=lambda line: None)
    assert code == 0
    assert not stale.exists()
