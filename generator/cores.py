"""How many processes this machine gives us, and whether they can be forked: one answer
for the read (reading), the private writer's job (build/private_job.py) and its rendering
pool (private/parallel.py)."""

from __future__ import annotations

import multiprocessing
import os
import threading


def cores(at_most: int | None = None) -> int:
    """The cores this process may use (at most `at_most`); BANGFU_JOBS overrides (1: one
    process does everything)."""
    value = os.environ.get("BANGFU_JOBS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        found = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        found = os.cpu_count() or 1
    return max(1, min(at_most, found) if at_most else found)


def can_fork() -> bool:
    """Fork is there (not Windows) and this process holds no other thread (bangfu serve's
    file watcher, which a fork would copy mid-step)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
