"""The private writer runs in a process of its own beside the site stages (build/private_job.py).

Forked (Linux, macOS) or spawned (Windows, forced here), it writes the private folder the
build's own process writes; its lines come after the site's; a failure on either side
publishes neither folder and leaves no staging folder (personal data) and no process behind."""

from __future__ import annotations

import multiprocessing
import shutil
import threading
from pathlib import Path

import pytest
from test_private_incremental import _tree
from test_site_build import snapshot

from generator.build import private_job

from private_station import TODAY, write_station
from site_helpers import build_into

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="no fork on this system (Windows)")


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> Path:
    return write_station(tmp_path_factory.mktemp("station") / "records")


@pytest.fixture(scope="module")
def in_process(records, tmp_path_factory):
    """The reference: the private folder written in the build's own process, after the site."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BANGFU_JOBS", "1")
        built = build_into(records, tmp_path_factory.mktemp("one"), TODAY)
    assert built.code == 0, built.output
    assert "private_wait" not in built.timings
    return built


def _build(records: Path, root: Path, method: str, monkeypatch):
    monkeypatch.setenv("BANGFU_JOBS", "2")
    monkeypatch.setattr(private_job, "START_METHOD", method)
    return build_into(records, root, TODAY)


def _lines(built) -> list[str]:
    """The build's lines without its progress bars and times."""
    lines = built.output.replace(str(built.root), "<root>").splitlines()
    return [line for line in lines[:-1] if "MkDocs 写出页面" not in line]


def _order(output: str) -> list[str]:
    marks = ["生成页面……", "MkDocs 生成网站", "隐私检查……", "统计推算检查……", "生成内部材料……",
             "内部材料已写入", "完成：网站已生成到"]
    return [m for m in sorted(marks, key=output.find) if m in output]


@pytest.mark.slow  # builds a site two or three times (mkdocs)
@pytest.mark.parametrize("method", ["spawn", pytest.param("fork", marks=needs_fork)])
def test_the_writer_in_its_own_process_writes_what_the_build_process_writes(records, in_process, tmp_path,
                                                                           monkeypatch, method):
    built = _build(records, tmp_path, method, monkeypatch)
    assert built.code == 0, built.output
    assert "private_wait" in built.timings and built.timings["private"] > 0
    assert _tree(built.private) == _tree(in_process.private)
    assert _tree(built.site) == _tree(in_process.site)
    # the clerk reads the same lines in the same order: the site's, then the private folder's
    assert _lines(built) == _lines(in_process)
    assert _order(built.output) == ["生成页面……", "MkDocs 生成网站", "隐私检查……", "统计推算检查……",
                                    "生成内部材料……", "内部材料已写入", "完成：网站已生成到"]
    assert not (built.work / "new-private").exists()
    assert not multiprocessing.active_children()


def _built_then_broken(records: Path, tmp_path: Path, monkeypatch, method: str, template: str):
    """A good build of a copy of the station, then one of its templates broken: the first
    build, its site and private folder as they were."""
    own = tmp_path / "station" / "records"
    shutil.copytree(records, own)
    first = _build(own, tmp_path, method, monkeypatch)
    assert first.code == 0, first.output
    path = own.parent / "site_templates" / template
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{% if %}", encoding="utf-8")
    return first, snapshot(first.site), snapshot(first.private)


@pytest.mark.slow  # builds a site two or three times (mkdocs)
@pytest.mark.parametrize("method", ["spawn", pytest.param("fork", marks=needs_fork)])
def test_a_failed_site_stops_the_writer_and_keeps_both_folders(records, tmp_path, monkeypatch, method):
    first, site, private = _built_then_broken(records, tmp_path, monkeypatch, method, "site/home.md.j2")
    again = _build(first.records, tmp_path, method, monkeypatch)
    assert again.code == 1
    assert "网页模板有错误" in again.output and "内部材料已写入" not in again.output
    assert snapshot(again.site) == site and snapshot(again.private) == private
    assert not (again.work / "new-private").exists() and not (again.work / "new-site").exists()
    assert not multiprocessing.active_children()


@pytest.mark.slow  # builds a site two or three times (mkdocs)
@pytest.mark.parametrize("method", ["spawn", pytest.param("fork", marks=needs_fork)])
def test_a_failed_writer_publishes_neither_folder(records, tmp_path, monkeypatch, method):
    first, site, private = _built_then_broken(records, tmp_path, monkeypatch, method, "private/dossier.html")
    again = _build(first.records, tmp_path, method, monkeypatch)  # the error came back as its own type
    assert again.code == 1, again.output
    assert "内部材料模板有错误" in again.output and "dossier.html 第 1 行" in again.output
    assert "内部材料已写入" not in again.output
    assert snapshot(first.site) == site and snapshot(first.private) == private
    assert not (first.work / "new-private").exists()
    assert not multiprocessing.active_children()


def test_records_travel_to_a_spawned_writer_whole(records):
    from generator.pipeline import check_folder

    read = check_folder(records, TODAY).records
    back = private_job.unpack_records(private_job.pack_records(read))
    assert back == read and back.workers[0] is not read.workers[0]


def test_a_process_with_other_threads_spawns_the_writer(monkeypatch):
    monkeypatch.setattr(private_job, "START_METHOD", None)
    monkeypatch.setattr(threading, "active_count", lambda: 2)  # serve's watcher thread
    assert private_job.start_method() == "spawn"


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields_ = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields_[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_killed_build_leaves_no_writer_running_and_both_folders_as_they_were(records, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    own = tmp_path / "station" / "records"
    shutil.copytree(records, own)
    first = build_into(own, tmp_path, TODAY)
    assert first.code == 0, first.output
    site, private = snapshot(first.site), snapshot(first.private)
    (own.parent / "site_templates" / "private").mkdir(parents=True)
    (own.parent / "site_templates" / "private" / "note.txt").write_text("x", encoding="utf-8")  # a new build
    started = tmp_path / "writer-started"
    # a writer that takes long (forked), saying it started
    script = ("import time; from pathlib import Path; from generator.build import build_all, steps\n"
              f"steps.private_folder = lambda *a, **k: (Path({str(started)!r}).touch(), time.sleep(60))\n"
              f"build_all(Path({str(own)!r}), site_dir=Path({str(first.site)!r}), "
              f"private_dir=Path({str(first.private)!r}), today=__import__('datetime').date(2026, 11, 23), "
              "pdf=False, echo=lambda s: None)")
    env = {**os.environ, "BANGFU_JOBS": "2"}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env)
    staging = first.work / "new-private"
    deadline = time.monotonic() + 60
    # the writer itself, not the short-lived process linking the last documents before the read
    while not (started.exists() and _children(proc.pid)) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    writers = _children(proc.pid)
    assert writers, "the private writer did not start"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in writers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in writers)  # died with the build (PR_SET_PDEATHSIG)
    assert snapshot(first.site) == site and snapshot(first.private) == private
    again = build_into(own, tmp_path, TODAY)
    assert again.code == 0, again.output
    assert not staging.exists()


@pytest.mark.slow  # builds a site twice (mkdocs)
@needs_fork
def test_a_check_with_errors_stops_the_writer_started_beside_it(records, tmp_path, monkeypatch):
    """The writer starts right after the read, beside the check: errors in the records end it
    and keep both folders as they were."""
    from private_station import WORKERS

    own = tmp_path / "station" / "records"
    shutil.copytree(records, own)
    first = _build(own, tmp_path, "fork", monkeypatch)
    assert first.code == 0, first.output
    site, private = snapshot(first.site), snapshot(first.private)
    workers = [dict(w) for w in WORKERS]
    workers[1]["archive_no"] = workers[0]["archive_no"]  # the same archive number twice: an error
    write_station(own, tables={"workers": workers})
    started = []
    real = private_job.PrivateJob.start
    monkeypatch.setattr(private_job.PrivateJob, "start", lambda job: started.append(job) or real(job))
    again = _build(own, tmp_path, "fork", monkeypatch)
    assert again.code == 1 and "记录中有错误" in again.output
    assert len(started) == 1 and started[0].process is None  # started, then stopped and joined
    assert snapshot(again.site) == site and snapshot(again.private) == private
    assert not (again.work / "new-private").exists() and "private" not in again.timings
    assert not multiprocessing.active_children()


@pytest.mark.slow  # builds a site three times (mkdocs)
@needs_fork
def test_a_rebuild_links_the_last_builds_documents_while_it_reads(records, tmp_path, monkeypatch):
    """The last build's documents are linked into the staging folder by a process started before
    the read (private_job.Prelink); the forked writer takes them over: after a visit note and a
    worker removed, the private folder is what a fresh build in one process writes, no link of
    the removed worker's dossier is left, and no process is left behind."""
    from private_station import MEMBERS, OBJECTIONS, PAYOUTS, VISITS, WORKERS

    own = tmp_path / "station" / "records"
    shutil.copytree(records, own)
    first = _build(own, tmp_path, "fork", monkeypatch)
    assert first.code == 0, first.output
    gone = WORKERS[-1]["archive_no"]
    tables = {name: [r for r in rows if r["archive_no"] != gone]
              for name, rows in (("payouts", PAYOUTS), ("members", MEMBERS), ("objections", OBJECTIONS))}
    visits = [dict(v) for v in VISITS if v["archive_no"] != gone]
    visits[0]["notes"] = "复查：收入已核实无误"
    write_station(own, tables={**tables, "visits": visits, "workers": WORKERS[:-1]})
    started = []
    real = private_job.Prelink.start
    monkeypatch.setattr(private_job.Prelink, "start",
                        classmethod(lambda cls, *a: started.append(real(*a)) or started[-1]))
    again = _build(own, tmp_path, "fork", monkeypatch)
    assert again.code == 0, again.output
    assert len(started) == 1 and started[0] is not None and started[0].process is None  # reaped
    fresh_root = tmp_path / "fresh"
    monkeypatch.setenv("BANGFU_JOBS", "1")
    fresh = build_into(own, fresh_root, TODAY)
    assert fresh.code == 0, fresh.output
    assert _tree(again.private) == _tree(fresh.private)
    assert not (again.private / "档案" / f"{gone}.html").exists()
    # the manifest saved for the next build (worked out by the writer from the sizes and times it
    # knows) is the folder's as listed afresh: a build with nothing changed does nothing
    from generator.build.state import load_state, manifest

    for built in (again, fresh):
        assert load_state(built.work / "state-site.json")["private"] == manifest(built.private)
    monkeypatch.setenv("BANGFU_JOBS", "2")
    idle = _build(own, tmp_path, "fork", monkeypatch)
    assert idle.code == 0 and "网站已是最新" in idle.output, idle.output
    assert not (again.work / "new-private").exists()
    assert not multiprocessing.active_children()


def _digests_known(records, staging, private_dir, *, today, pdf, site_url, echo):
    """A writer that only reports which dossiers' tables came digested (record_views.table_digest)."""
    from generator import record_views
    from generator.private.dossier_slices import SLICE_TABLES

    known = record_views._origin(records).__dict__.get("_table_digests", {})
    return {name: known[name][1].hex() for name in SLICE_TABLES if name in known}


@needs_fork
def test_a_forked_writer_inherits_the_digests_of_the_dossiers_tables(records, tmp_path, monkeypatch):
    """The dossiers' tables the read left undigested (a fresh build's register) are digested
    before the writer is forked, so that the writer and the build do not both digest them;
    the digests are those of the tables themselves."""
    from generator import record_views
    from generator.private.dossier_slices import SLICE_TABLES
    from generator.reading import read_records

    monkeypatch.setattr(private_job, "START_METHOD", "fork")
    read = read_records(records).records
    before = record_views._origin(read).__dict__.get("_table_digests", {})
    assert not set(before) & {"workers", "members", "visits", "reviews"}  # nothing digested by the read
    job = private_job.PrivateJob(_digests_known, read, tmp_path / "staging", tmp_path / "private", today=TODAY,
                                 pdf=False, site_url=None)
    job.start()
    inherited = job.wait(echo=print)
    again = read_records(records).records
    assert inherited == {name: record_views.table_digest(again, name).hex() for name in SLICE_TABLES}
