"""An opt-in timeline of a build across its processes, for finding idle cores.

    BANGFU_TRACE=/tmp/t.jsonl bangfu build ...
    python bench/timeline.py /tmp/t.jsonl

With BANGFU_TRACE set, every process of the build (the build's own, the read's children, the
private writer, the process beside it and the rendering pools) appends one JSON line per event
to that file: the monotonic time, the process's CPU seconds so far, its pid and parent pid, the
event and its name. `span` marks a stage's start and end; `mark` one moment (a process started,
a wait began). Each line is one `write` to a file opened for appending, so lines of several
processes do not mix. Without the variable every call returns at once (one comparison).
The file is for the developer who set the variable: it holds no record data, only stage names.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

PATH: str | None = os.environ.get("BANGFU_TRACE") or None


def mark(event: str, name: str = "", **extra) -> None:
    """One line: `event` ("begin", "end", "start", "wait", ...) of `name` in this process."""
    if PATH is None:
        return
    line = {"t": round(time.monotonic(), 4), "cpu": round(time.process_time(), 4), "pid": os.getpid(),
            "ppid": os.getppid(), "ev": event, "name": name, **extra}
    try:
        fd = os.open(PATH, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (json.dumps(line, ensure_ascii=False) + "\n").encode())
        finally:
            os.close(fd)
    except OSError:  # a trace that cannot be written is no reason to stop a build
        pass


@contextmanager
def span(name: str, **extra) -> Iterator[None]:
    """`begin` and `end` lines around a stage of this process."""
    if PATH is None:
        yield
        return
    mark("begin", name, **extra)
    try:
        yield
    finally:
        mark("end", name, **extra)
