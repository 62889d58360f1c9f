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
