"""generator/trace.py: the opt-in timeline of a build (BANGFU_TRACE). Off, it writes nothing;
on, every process (here a forked rendering pool) appends whole JSON lines to the one file."""

from __future__ import annotations

import json

from generator import trace
from generator.cores import can_fork
from generator.private import parallel


class _Doc:
    digest = "d"


def _task():
    return _Doc()


def test_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(trace, "PATH", None)
    with trace.span("stage"):
        trace.mark("start", "x")
    assert list(tmp_path.iterdir()) == []


def test_on_every_process_appends_whole_lines(tmp_path, monkeypatch):
    path = tmp_path / "t.jsonl"
    monkeypatch.setattr(trace, "PATH", str(path))
    monkeypatch.setattr(parallel, "jobs", lambda: 2)
    with trace.span("stage", book="workers"):
        digests = parallel.render_all([_task] * (parallel.MIN_DOCUMENTS * 2), processes=2)
    assert digests == ["d"] * (parallel.MIN_DOCUMENTS * 2)
    events = [json.loads(line) for line in path.read_text().splitlines()]
    assert all(set(e) >= {"t", "cpu", "pid", "ppid", "ev", "name"} for e in events)
    here = [e for e in events if e["name"] == "stage"]
    assert [e["ev"] for e in here] == ["begin", "end"] and all(e["book"] == "workers" for e in here)
    assert here[0]["t"] <= here[1]["t"] and here[0]["cpu"] <= here[1]["cpu"]
    if can_fork():  # the pool's workers say who they are, and each chunk they render
        workers = {e["pid"] for e in events if e["ev"] == "start" and e["name"] == "pool-worker"}
        assert workers and all(e["ppid"] == here[0]["pid"] for e in events if e["pid"] in workers)
        chunks = [e for e in events if e["name"] == "chunk"]
        assert {e["pid"] for e in chunks} <= workers
        assert sum(e["size"] for e in chunks if e["ev"] == "end") == parallel.MIN_DOCUMENTS * 2
