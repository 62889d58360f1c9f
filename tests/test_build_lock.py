"""The build lock is not held by a forked child: a private writer (or one of its rendering
processes) that outlives its killed build for a moment must not make the next build refuse."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from generator.build.lock import BuildLock

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(os, "fork"), reason="forking is what is tested")]


def test_a_forked_child_of_a_killed_build_does_not_keep_the_lock(tmp_path):
    ready = tmp_path / "child-started"
    script = textwrap.dedent(f"""
        import os, sys, time
        from pathlib import Path
        from generator.build.lock import BuildLock
        lock = BuildLock(Path({str(tmp_path)!r}), wait=0)
        lock.acquire()
        pid = os.fork()
        if pid == 0:  # the child lives on after its parent died
            Path({str(ready)!r}).write_text("1")
            time.sleep(20)
            os._exit(0)
        while not Path({str(ready)!r}).exists():
            time.sleep(0.01)
        Path({str(tmp_path / "child-pid")!r}).write_text(str(pid))
        os._exit(9)  # the build dies without releasing its lock
    """)
    build = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert build.wait(timeout=60) == 9
    child = int((tmp_path / "child-pid").read_text())
    try:
        os.kill(child, 0)  # the child is still running
        lock = BuildLock(tmp_path, wait=0)
        lock.acquire()  # the next build takes the lock at once (LockBusy before the fix)
        assert lock.held
        lock.release()
    finally:
        try:
            os.kill(child, 9)
        except ProcessLookupError:
            pass
