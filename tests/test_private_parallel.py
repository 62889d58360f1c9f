"""Private documents rendered in several processes are the documents rendered in one."""

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_private_incremental import _tree

from generator.private import carry, parallel, write_private
from generator.private.common import Doc

from private_station import TODAY, read_station

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                                reason="no fork on this system (Windows): sequential only")


def _writer(folder: Path, n: int, fail: bool = False):
    def task():
        if fail:
            raise ValueError(f"任务 {n} 失败")
        path = folder / f"{n}.txt"
        path.write_text(str(os.getpid()), encoding="utf-8")
        return Doc(path, f"digest-{n}")
    return task


def _children_render(folder: Path) -> None:
    parallel.MIN_DOCUMENTS = 1
    tasks = [_writer(folder, n) for n in range(30)]
    heavy = [n % 10 == 0 for n in range(30)]
    assert parallel.render_all(tasks, heavy, processes=2) == [f"digest-{n}" for n in range(30)]
    pids = {(folder / f"{n}.txt").read_text(encoding="utf-8") for n in range(30)}
    assert str(os.getpid()) not in pids and 1 <= len(pids) <= 2


@needs_fork
def test_children_render_the_tasks_and_digests_come_back_in_task_order(tmp_path):
    """Run in a fresh interpreter: a process that holds other threads (as the test process
    may, after other tests) renders sequentially by design, as `bangfu build` never does."""
    tests = Path(__file__).resolve().parent
    code = ("import sys; from pathlib import Path; import test_private_parallel as t; "
            "t._children_render(Path(sys.argv[1]))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), str(tests.parent)])}
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]


@needs_fork
def test_a_failing_task_raises_its_own_error_in_the_parent(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_DOCUMENTS", 1)
    tasks = [_writer(tmp_path, n, fail=(n == 7)) for n in range(12)]
    with pytest.raises(ValueError, match="任务 7 失败"):
        parallel.render_all(tasks, processes=2)


def test_sequential_when_asked_or_little_to_do(tmp_path, monkeypatch):
    tasks = [_writer(tmp_path, n) for n in range(5)]
    assert parallel.render_all(tasks, processes=2) == [f"digest-{n}" for n in range(5)]  # below MIN_DOCUMENTS
    assert {(tmp_path / f"{n}.txt").read_text(encoding="utf-8") for n in range(5)} == {str(os.getpid())}
    monkeypatch.setenv("BANGFU_JOBS", "1")
    assert parallel.jobs() == 1


def test_chunks_start_heavy_tasks_alone_then_share_the_rest_in_order():
    heavy = [False, True, False, False, True, False, False]
    assert parallel.chunks(heavy, 2) == [[1], [4], [0, 2, 3], [5, 6]]
    assert parallel.chunks([], 4) == []


def test_the_last_chunks_are_cut_smaller_and_every_task_comes_once_in_order():
    """So that the processes finish at about the same time: the last two chunks in quarters."""
    heavy = [n in (3, 50) for n in range(1000)]
    out = parallel.chunks(heavy, 24)
    assert out[:2] == [[3], [50]]
    light = [i for chunk in out[2:] for i in chunk]
    assert light == [n for n in range(1000) if n not in (3, 50)]
    sizes = [len(chunk) for chunk in out[2:]]
    assert sizes[:22] == [42] * 22 and len(sizes) == 30 and max(sizes[22:]) == 11


@needs_fork
def test_private_folder_written_in_processes_equals_one_written_in_one(tmp_path, monkeypatch):
    records = read_station(tmp_path / "records")
    monkeypatch.setenv("BANGFU_JOBS", "1")
    write_private(records, tmp_path / "one", today=TODAY, pdf=False)
    monkeypatch.setenv("BANGFU_JOBS", "2")
    monkeypatch.setattr(parallel, "MIN_DOCUMENTS", 1)
    result = write_private(records, tmp_path / "two", today=TODAY, pdf=False)
    assert _tree(tmp_path / "two") == _tree(tmp_path / "one")
    assert result.rendered == (len(result.dossiers) + 1 + len(result.receipts) + len(result.reports)
                               + len(result.closing_books) + 1 + 1)  # the receipt sheets' index, the 待办 page
    entries = carry.load(tmp_path / "two" / carry.NAME)
    assert sum(1 for entry in entries.values() if "fp" in entry) == result.rendered



def _beside_checks() -> None:
    """Run in a process of its own: work is forked only from a process holding no other thread
    (cores.can_fork), and the test process holds the browser tests' server and event loops."""
    os.environ["BANGFU_JOBS"] = "2"
    here = os.getpid()
    beside = parallel.Beside(lambda forked: (forked, os.getpid()))
    assert beside.forked
    assert beside.result()[0] is True and beside.result is not None
    assert not multiprocessing.active_children()

    def fails_beside(forked):  # a failure in the other process: run again here
        if forked:
            raise ValueError("只在另一个进程中失败")
        return os.getpid()

    assert parallel.Beside(fails_beside).result() == here

    def fails(forked):
        raise ValueError(f"失败（{forked}）")

    with pytest.raises(ValueError, match="失败（False）"):  # raised here, with its own type
        parallel.Beside(fails).result()
    assert not multiprocessing.active_children()
    os.environ["BANGFU_JOBS"] = "1"
    one = parallel.Beside(lambda forked: (forked, os.getpid()))
    assert not one.forked and one.result() == (False, here)


@needs_fork
def test_work_beside_runs_in_a_process_of_its_own_and_a_failure_is_raised_here():
    tests = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), str(tests.parent),
                                                        os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", "import test_private_parallel as t; t._beside_checks(); print('ok')"],
                          cwd=tests, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stdout + done.stderr


@needs_fork
def test_the_other_documents_written_beside_are_those_written_in_one_process(tmp_path, monkeypatch):
    """Receipt sheets, reports, 办结表 and the work list written beside the dossiers (parallel.Beside)
    carry and render what the writer's own process does, with the same fingerprints file."""
    records = read_station(tmp_path / "records")
    monkeypatch.setenv("BANGFU_JOBS", "1")
    one = tmp_path / "one"
    write_private(records, one, today=TODAY, pdf=False)
    monkeypatch.setenv("BANGFU_JOBS", "2")
    two = tmp_path / "two"
    result = write_private(records, two, today=TODAY, pdf=False)
    assert _tree(two) == _tree(one)
    def entries(folder):  # the fingerprints file's entries, without the files' times (a workbook's size
        # holds its time of writing, see _tree)
        return {key: {k: v for k, v in entry.items() if k not in ("mtime", "size")} if isinstance(entry, dict)
                else entry
                for key, entry in carry.load(folder / carry.NAME).items()}

    assert entries(two) == entries(one)
    again = tmp_path / "again"
    carried = write_private(records, again, today=TODAY, pdf=False, previous=two)
    assert _tree(again) == _tree(one)
    assert carried.rendered == 0 and carried.carried == result.rendered


def test_the_tables_both_sides_read_are_worked_out_once_before_the_fork(tmp_path):
    """_share_tables: the dossiers' table digests always, their rows as the slices encode them
    only on a first build (a rebuild carries most slices and may need no row of a table)."""
    from generator import private
    from generator.private import dossier_slices
    from generator.record_views import _origin

    records = read_station(tmp_path / "records")
    first = carry.Carry(tmp_path / "first", None, "salt")
    private._share_tables(records, first)
    kept = _origin(records).__dict__
    assert set(kept["_row_values"]) == set(dossier_slices.SLICE_TABLES)
    assert set(dossier_slices.SLICE_TABLES) <= set(kept["_table_digests"])
    assert dossier_slices.table_values(records, "payouts") is kept["_row_values"]["payouts"][1]  # taken as it is

    again = read_station(tmp_path / "again")
    later = carry.Carry(tmp_path / "later", None, "salt")
    later.old = {"anything": {}}  # a last build to carry from
    private._share_tables(again, later)
    assert "_row_values" not in _origin(again).__dict__
    assert set(dossier_slices.SLICE_TABLES) <= set(_origin(again).__dict__["_table_digests"])
